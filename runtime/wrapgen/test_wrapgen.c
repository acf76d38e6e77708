/*
 * wrapgen unit tests: the real table parses, covers every import of the real
 * e1000.ko, agrees with enum nooks_obj_kind, and malformed tables are
 * refused with the line at fault. Paths come from the environment (make test).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <fcntl.h>
#include <gelf.h>
#include <libelf.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/wait.h>

#include "table.h"

extern const char *const wg_obj_kinds[];

static const char *env(const char *name)
{
	const char *v = getenv(name);

	if (!v) {
		fprintf(stderr, "test_wrapgen: %s is not set (run `make test`)\n", name);
		exit(1);
	}
	return v;
}

static void load_real_table(struct wg_table *t)
{
	char err[512] = "";
	FILE *in = fopen(env("WRAPGEN_TABLE"), "r");

	assert_non_null(in);
	if (wg_parse(in, "wrappers.tbl", t, err, sizeof(err)) != 0)
		fail_msg("real table refused: %s", err);
	fclose(in);
}

/* Parses text as a table; returns the parser's verdict and its message. */
static int parse_text(const char *text, struct wg_table *t, char *err, size_t errlen)
{
	FILE *in = fmemopen((void *)text, strlen(text), "r");
	int rc;

	assert_non_null(in);
	err[0] = '\0';
	rc = wg_parse(in, "t.tbl", t, err, errlen);
	fclose(in);
	return rc;
}

static void test_real_table_parses(void **state)
{
	struct wg_table t;
	const struct wg_entry *e;

	(void)state;
	load_real_table(&t);
	assert_true(t.n > 150);
	e = wg_find(&t, "dma_map_page_attrs");
	assert_non_null(e);
	assert_int_equal(e->cls, WG_ALLOC);
	assert_string_equal(e->ret_type, "dma_addr_t");
	assert_int_equal(e->nparams, 6);
	assert_string_equal(e->params[5].name, "attrs");
	e = wg_find(&t, "netif_napi_add_weight");
	assert_non_null(e);
	assert_string_equal(e->params[2].name, "poll");
	assert_string_equal(e->params[2].decl, "int (*poll)(struct napi_struct *, int)");
	e = wg_find(&t, "_printk");
	assert_non_null(e);
	assert_true(e->variadic);
	assert_string_equal(e->va, "vprintk");
	e = wg_find(&t, "jiffies");
	assert_non_null(e);
	assert_int_equal(e->cls, WG_KERNEL);
	assert_string_equal(e->reason, "data");
	wg_free(&t);
}

/* Every undefined symbol of the real e1000.ko must have a table entry. */
static void test_every_e1000_import_is_covered(void **state)
{
	struct wg_table t;
	int fd, missing = 0, imports = 0;
	Elf *elf;
	Elf_Scn *scn = NULL;

	(void)state;
	load_real_table(&t);
	assert_int_not_equal(elf_version(EV_CURRENT), EV_NONE);
	fd = open(env("E1000_KO"), O_RDONLY);
	if (fd < 0)
		skip();
	elf = elf_begin(fd, ELF_C_READ, NULL);
	assert_non_null(elf);
	while ((scn = elf_nextscn(elf, scn))) {
		GElf_Shdr sh;
		Elf_Data *data;

		gelf_getshdr(scn, &sh);
		if (sh.sh_type != SHT_SYMTAB)
			continue;
		data = elf_getdata(scn, NULL);
		for (size_t i = 1; i < sh.sh_size / sh.sh_entsize; i++) {
			GElf_Sym sym;
			const char *name;

			gelf_getsym(data, (int)i, &sym);
			if (sym.st_shndx != SHN_UNDEF)
				continue;
			name = elf_strptr(elf, sh.sh_link, sym.st_name);
			imports++;
			if (!wg_find(&t, name)) {
				fprintf(stderr, "not in the table: %s\n", name);
				missing++;
			}
		}
	}
	elf_end(elf);
	close(fd);
	assert_true(imports > 140);
	assert_int_equal(missing, 0);
	wg_free(&t);
}

/* The kinds the table may name are exactly enum nooks_obj_kind's. */
static void test_kinds_match_wrapper_api(void **state)
{
	FILE *in = fopen(env("WRAPPER_API"), "r");
	char line[256], want[64];
	int in_header = 0, listed = 0;

	(void)state;
	assert_non_null(in);
	while (fgets(line, sizeof(line), in)) {
		char *p = strstr(line, "NOOKS_OBJ_");

		if (!p || strstr(line, "NOOKS_OBJ_NR_KINDS"))
			continue;
		in_header++;
		p += strlen("NOOKS_OBJ_");
		p[strcspn(p, ",= \t\n")] = '\0';
		snprintf(want, sizeof(want), "%s", p);
		listed = 0;
		for (int i = 0; wg_obj_kinds[i]; i++)
			if (strcmp(wg_obj_kinds[i], want) == 0)
				listed = 1;
		if (!listed)
			fail_msg("wrapper_api.h has NOOKS_OBJ_%s, wrapgen does not know it", want);
	}
	fclose(in);
	for (listed = 0; wg_obj_kinds[listed]; listed++)
		;
	assert_int_equal(in_header, listed);
}

static void expect_error(const char *text, const char *fragment)
{
	struct wg_table t;
	char err[512];

	assert_int_equal(parse_text(text, &t, err, sizeof(err)), -1);
	if (!strstr(err, fragment))
		fail_msg("error '%s' does not contain '%s'", err, fragment);
	assert_int_equal(t.n, 0);
}

static void test_malformed_lines_name_their_line(void **state)
{
	(void)state;
	expect_error("# c\npass | void a(void);\nbogus | void b(void);\n", "t.tbl:3: unknown class 'bogus'");
	expect_error("\n\npass | int a(int x);\n", "t.tbl:3: a returns int: it needs err=");
	expect_error("pass | void a(int);\n", "t.tbl:1: parameter 'int' has no name");
	expect_error("pass | void a(int x)\n", "t.tbl:1: prototype must end with ';'");
	expect_error("pass void a(int x);\n", "t.tbl:1: expected '<class>");
	expect_error("alloc kind=KMALLOC | void *a(int x);\n", "t.tbl:1: alloc entry a needs kind= and obj=");
	expect_error("alloc kind=NOPE obj=ret err=NULL | void *a(int x);\n", "unknown kind 'NOPE'");
	expect_error("free kind=KMALLOC obj=y | void a(int x);\n", "obj=y is not a parameter");
	expect_error("pass nonnull=q | void a(int *p);\n", "nonnull=q is not a parameter");
	expect_error("pass | void a(const char *f, ...);\n", "needs va=pV");
	expect_error("pass | void a(int x);\npass | void a(int y);\n", "t.tbl:2: a is already in the table (line 1)");
	expect_error("kernel | jiffies\n", "needs reason=");
	expect_error("kernel reason=data | not a symbol\n", "one symbol name");
	expect_error("pass frobnicate | void a(int x);\n", "unknown flag 'frobnicate'");
	expect_error("pass | void a(int x, ..., int y);\n", "'...' must be the last");
	expect_error("pass | void a_function_whose_name_is_far_too_long_for_a_modversion(int x);\n",
		     "longer than the 55 bytes");
	expect_error("include linux/pci.h\n", "t.tbl:1: include needs");
	expect_error("alloc kind=KMALLOC obj=ret err=NULL sleeps_if_gfp=gfp | void *a(int flags);\n",
		     "sleeps_if_gfp=gfp is not a parameter");
	expect_error("# only comments\n", "no entries");
}

static char *slurp(const char *path)
{
	FILE *f = fopen(path, "r");
	char *buf;
	long n;

	if (!f)
		return NULL;
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	rewind(f);
	buf = calloc(1, n + 1);
	assert_non_null(buf);
	assert_int_equal(fread(buf, 1, n, f), (size_t)n);
	fclose(f);
	return buf;
}

static int run_wrapgen(const char *table, const char *c, const char *imp)
{
	char cmd[4096];
	int st;

	snprintf(cmd, sizeof(cmd), "%s %s %s %s 2>wrapgen.err", env("WRAPGEN"), table, c, imp);
	st = system(cmd);
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

/* The command line tool: outputs for the real table, nothing for a bad one. */
static void test_cli_outputs(void **state)
{
	char *c, *imp, *err;

	(void)state;
	remove("w.c");
	remove("w.txt");
	assert_int_equal(run_wrapgen(env("WRAPGEN_TABLE"), "w.c", "w.txt"), 0);
	c = slurp("w.c");
	imp = slurp("w.txt");
	assert_non_null(c);
	assert_non_null(imp);
	/* a tracked allocation, a checked free, a %pV forward, a custom declaration */
	assert_non_null(strstr(c, "void *nooks_w___kmalloc(size_t size, gfp_t flags)\n{"));
	assert_non_null(strstr(c, "nooks_track(d, NOOKS_OBJ_KMALLOC, (const void *)(unsigned long)(ret), (unsigned long)(size));"));
	assert_non_null(strstr(c, "if (d && (objp) && unlikely(!nooks_tracked(d, NOOKS_OBJ_KMALLOC,"));
	/* untracked even outside a domain, so the tracker never keeps a freed object */
	assert_non_null(strstr(c, "\tif (objp)\n\t\tnooks_untrack(d, NOOKS_OBJ_KMALLOC, (const void *)(unsigned long)(objp));\n"));
	/* a page fragment built into an skb changes kind */
	assert_non_null(strstr(c, "nooks_untrack(d, NOOKS_OBJ_PAGE_FRAG, (const void *)(unsigned long)(data));\n\t\tnooks_track(d, NOOKS_OBJ_SKB,"));
	assert_non_null(strstr(c, "nooks_track3(d, NOOKS_OBJ_DMA_MAP, (const void *)(unsigned long)(ret), (unsigned long)(dev), (unsigned long)(size), (unsigned long)(dir));"));
	assert_non_null(strstr(c, "_dev_err(dev, \"%pV\", &vaf);"));
	assert_non_null(strstr(c, "ret = vprintk(fmt, args);"));
	assert_non_null(strstr(c, "EXPORT_SYMBOL_GPL(nooks_w_kfree);"));
	assert_non_null(strstr(c, "int nooks_w___pci_register_driver(struct pci_driver *drv, struct module *owner, const char *mod_name);\n"));
	assert_null(strstr(c, "EXPORT_SYMBOL_GPL(nooks_w___pci_register_driver)"));
	assert_null(strstr(c, "nooks_w_jiffies"));
	assert_non_null(strstr(imp, "\nwrap kfree nooks_w_kfree free\n"));
	assert_non_null(strstr(imp, "\nwrap register_netdev nooks_w_register_netdev custom\n"));
	assert_non_null(strstr(imp, "\nkernel jiffies data\n"));
	free(c);
	free(imp);

	FILE *bad = fopen("bad.tbl", "w");
	assert_non_null(bad);
	fputs("pass | void a(int x);\n\npass | int b(int y);\n", bad);
	fclose(bad);
	remove("bad.c");
	assert_int_equal(run_wrapgen("bad.tbl", "bad.c", "bad.txt"), 1);
	err = slurp("wrapgen.err");
	assert_non_null(strstr(err, "bad.tbl:3: b returns int"));
	free(err);
	assert_int_equal(access("bad.c", F_OK), -1);
	assert_int_equal(run_wrapgen("/nonexistent.tbl", "bad.c", "bad.txt"), 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_real_table_parses),
		cmocka_unit_test(test_every_e1000_import_is_covered),
		cmocka_unit_test(test_kinds_match_wrapper_api),
		cmocka_unit_test(test_malformed_lines_name_their_line),
		cmocka_unit_test(test_cli_outputs),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
