/*
 * nooks-isolate unit tests on real modules of the installed kernel.
 *
 * The bindings are the real ones (nooks-imports.txt generated from
 * runtime/wrappers.tbl); the wrapper CRCs are made up here, since nooks.ko
 * may not be built yet: the point is that they are copied exactly.
 * Environment (set by `make test`): NOOKS_IMPORTS, E1000_KO, OTHER_KO,
 * NOOKS_ISOLATE (the sanitized binary). The cwd is a scratch directory.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <jansson.h>

#include "isolate.h"

static const char *env(const char *name)
{
	const char *v = getenv(name);

	if (!v) {
		fprintf(stderr, "test_isolate: %s is not set (run `make test`)\n", name);
		exit(1);
	}
	return v;
}

/* Made-up but deterministic CRC of a wrapper: FNV-1a of its name. */
static uint32_t fake_crc(const char *name)
{
	uint32_t h = 2166136261u;

	for (; *name; name++)
		h = (h ^ (unsigned char)*name) * 16777619u;
	return h;
}

/* nooks.symvers with a fake CRC for every wrapper, except `omit`. */
static void write_symvers(const char *path, const char *omit)
{
	FILE *in = fopen(env("NOOKS_IMPORTS"), "r"), *out = fopen(path, "w");
	char what[32], sym[128], wrapper[128];
	char line[512];

	assert_non_null(in);
	assert_non_null(out);
	while (fgets(line, sizeof(line), in)) {
		if (sscanf(line, "%31s %127s %127s", what, sym, wrapper) != 3 ||
		    strcmp(what, "wrap") != 0)
			continue;
		if (omit && strcmp(wrapper, omit) == 0)
			continue;
		fprintf(out, "0x%08x\t%s\tnooks\tEXPORT_SYMBOL_GPL\t\n", fake_crc(wrapper), wrapper);
	}
	fclose(in);
	fclose(out);
}

static void load_bindings(struct bindings *b, const char *omit)
{
	struct iso_err err;

	write_symvers("nooks.symvers", omit);
	if (bindings_load_files(b, env("NOOKS_IMPORTS"), "nooks.symvers", &err))
		fail_msg("%s", err.msg);
}

struct image {
	unsigned char *bytes;
	size_t size;
	Elf *elf;
	size_t shstrndx;
};

static void image_open(struct image *im, const char *path)
{
	int fd = open(path, O_RDONLY);
	struct stat st;

	assert_true(fd >= 0);
	assert_int_equal(fstat(fd, &st), 0);
	im->size = st.st_size;
	im->bytes = malloc(im->size);
	assert_non_null(im->bytes);
	assert_int_equal(read(fd, im->bytes, im->size), (ssize_t)im->size);
	close(fd);
	elf_version(EV_CURRENT);
	im->elf = elf_memory((char *)im->bytes, im->size);
	assert_non_null(im->elf);
	assert_int_equal(elf_getshdrstrndx(im->elf, &im->shstrndx), 0);
}

static void image_close(struct image *im)
{
	elf_end(im->elf);
	free(im->bytes);
}

static const char *scn_name(struct image *im, Elf_Scn *scn)
{
	GElf_Shdr sh;

	gelf_getshdr(scn, &sh);
	return elf_strptr(im->elf, im->shstrndx, sh.sh_name);
}

static Elf_Data *scn_data(struct image *im, const char *name)
{
	Elf_Scn *scn = elf_section_by_name(im->elf, im->shstrndx, name);

	return scn ? elf_getdata(scn, NULL) : NULL;
}

static bool ends_with_signature(const struct image *im)
{
	size_t n = strlen(MODULE_SIG_MAGIC);

	return im->size > n && memcmp(im->bytes + im->size - n, MODULE_SIG_MAGIC, n) == 0;
}

/* CRC recorded in __versions for name, or -1. */
static int64_t version_crc(struct image *im, const char *name)
{
	Elf_Data *d = scn_data(im, "__versions");

	for (size_t off = 0; d && off + MODVERSION_ENTRY_SIZE <= d->d_size; off += MODVERSION_ENTRY_SIZE) {
		const unsigned char *e = (const unsigned char *)d->d_buf + off;
		uint64_t crc;

		if (strncmp((const char *)e + 8, name, MODVERSION_NAME_LEN) == 0) {
			memcpy(&crc, e, sizeof(crc));
			return (int64_t)crc;
		}
	}
	return -1;
}

static size_t count_modinfo(struct image *im, const char *prefix, const char **last)
{
	Elf_Data *d = scn_data(im, ".modinfo");
	size_t n = 0;

	for (size_t off = 0; off < d->d_size; off += strlen((char *)d->d_buf + off) + 1) {
		const char *s = (const char *)d->d_buf + off;

		if (strncmp(s, prefix, strlen(prefix)) == 0) {
			n++;
			if (last)
				*last = s;
		}
	}
	return n;
}

static bool modified_section(const char *name)
{
	return strcmp(name, ".strtab") == 0 || strcmp(name, ".shstrtab") == 0 ||
	       strcmp(name, "__versions") == 0 || strcmp(name, ".modinfo") == 0 ||
	       strcmp(name, ".symtab") == 0;
}

/* The whole contract of one rewrite of the real e1000.ko. */
static void test_e1000_rewrite(void **state)
{
	struct bindings b;
	struct rewrite_stats st;
	struct iso_err err;
	struct image in, out;
	Elf_Scn *is = NULL, *os = NULL;
	GElf_Shdr ish, osh, symsh;
	Elf_Data *isyms, *osyms;
	size_t renamed = 0, kernel_bound = 0, nsyms, added_strtab = 0;
	const char *dep = NULL;

	(void)state;
	load_bindings(&b, NULL);
	if (isolate_module(env("E1000_KO"), "e1000.nooks.ko", &b, &st, &err))
		fail_msg("%s", err.msg);
	image_open(&in, env("E1000_KO"));
	image_open(&out, "e1000.nooks.ko");

	/* same kind of file, signature gone */
	assert_true(ends_with_signature(&in));	/* Debian signs its modules */
	assert_false(ends_with_signature(&out));
	assert_null(memmem(out.bytes, out.size, "~Module signature appended~", 27));
	assert_true(st.signature > 0);
	{
		GElf_Ehdr a, c;

		gelf_getehdr(in.elf, &a);
		gelf_getehdr(out.elf, &c);
		assert_int_equal(c.e_type, ET_REL);
		assert_int_equal(c.e_machine, EM_X86_64);
		assert_int_equal(a.e_shnum, c.e_shnum);
		assert_true(c.e_shoff + (uint64_t)c.e_shnum * c.e_shentsize <= out.size);
	}

	/* every section: same type/flags/size/contents, except the rewritten ones */
	while ((is = elf_nextscn(in.elf, is)) && (os = elf_nextscn(out.elf, os))) {
		const char *iname = scn_name(&in, is), *oname = scn_name(&out, os);
		char want[256];
		Elf_Data *id, *od;

		gelf_getshdr(is, &ish);
		gelf_getshdr(os, &osh);
		assert_int_equal(ish.sh_type, osh.sh_type);
		assert_int_equal(ish.sh_flags, osh.sh_flags);
		assert_int_equal(ish.sh_link, osh.sh_link);
		assert_int_equal(ish.sh_info, osh.sh_info);
		assert_int_equal(ish.sh_addralign, osh.sh_addralign);
		assert_int_equal(ish.sh_entsize, osh.sh_entsize);
		if (osh.sh_type != SHT_NOBITS)
			assert_true(osh.sh_offset + osh.sh_size <= out.size);
		/* init and exit sections renamed, nothing else */
		if (resident_section_name(iname, want, sizeof(want)))
			assert_string_equal(oname, want);
		else
			assert_string_equal(oname, iname);
		assert_false(strncmp(oname, ".init", 5) == 0 || strncmp(oname, ".exit", 5) == 0);
		assert_null(strstr(oname, ".rela.init"));
		if (modified_section(iname) || osh.sh_type == SHT_NOBITS)
			continue;
		id = elf_getdata(is, NULL);
		od = elf_getdata(os, NULL);
		assert_int_equal(ish.sh_size, osh.sh_size);
		assert_int_equal(id->d_size, od->d_size);
		/* includes every relocation section: offsets, symbol indices, addends */
		assert_memory_equal(id->d_buf, od->d_buf, id->d_size);
	}
	assert_non_null(elf_section_by_name(out.elf, out.shstrndx, ".nooks.init.text"));
	assert_non_null(elf_section_by_name(out.elf, out.shstrndx, ".rela.nooks.init.text"));
	assert_non_null(elf_section_by_name(out.elf, out.shstrndx, ".nooks.exit.text"));
	assert_int_equal(st.sections, 8);

	/* symbols: same index, value, type, section; imports renamed */
	is = elf_symtab(in.elf);
	os = elf_symtab(out.elf);
	gelf_getshdr(is, &symsh);
	gelf_getshdr(os, &osh);
	assert_int_equal(symsh.sh_size, osh.sh_size);
	isyms = elf_getdata(is, NULL);
	osyms = elf_getdata(os, NULL);
	nsyms = symsh.sh_size / symsh.sh_entsize;
	for (size_t i = 1; i < nsyms; i++) {
		GElf_Sym a, c;
		const char *an, *cn;
		const struct binding *bind;

		gelf_getsym(isyms, (int)i, &a);
		gelf_getsym(osyms, (int)i, &c);
		an = elf_strptr(in.elf, symsh.sh_link, a.st_name);
		cn = elf_strptr(out.elf, osh.sh_link, c.st_name);
		assert_int_equal(a.st_info, c.st_info);
		assert_int_equal(a.st_shndx, c.st_shndx);
		assert_int_equal(a.st_size, c.st_size);
		if (scn_name(&in, elf_getscn(in.elf, a.st_shndx)) &&
		    strcmp(scn_name(&in, elf_getscn(in.elf, a.st_shndx)), ".modinfo") == 0 &&
		    a.st_shndx != SHN_UNDEF) {
			/* moved with its string: it still names the same text */
			const char *was = (const char *)scn_data(&in, ".modinfo")->d_buf + a.st_value;
			const char *now = (const char *)scn_data(&out, ".modinfo")->d_buf + c.st_value;

			if (strncmp(was, "depends=", 8) != 0)
				assert_string_equal(was, now);
		} else {
			assert_int_equal(a.st_value, c.st_value);
		}
		if (a.st_shndx != SHN_UNDEF || !*an) {
			assert_string_equal(an, cn);
			continue;
		}
		bind = bindings_find(&b, an);
		assert_non_null(bind);
		if (bind->kind == BIND_KERNEL) {
			assert_string_equal(an, cn);
			/* its version entry is untouched */
			assert_true(version_crc(&out, cn) == version_crc(&in, an));
			kernel_bound++;
			continue;
		}
		assert_true(strncmp(cn, NOOKS_WRAPPER_PREFIX, 8) == 0);
		assert_string_equal(cn + 8, an);
		assert_true(version_crc(&out, cn) == (int64_t)fake_crc(cn));
		assert_true(version_crc(&out, an) == -1);
		added_strtab += strlen(cn) + 1;
		renamed++;
	}
	assert_true(renamed > 100);
	assert_int_equal(renamed, st.renamed);
	assert_int_equal(kernel_bound, st.kernel_bound);
	assert_int_equal(st.versions, renamed);
	assert_true(version_crc(&out, "module_layout") == version_crc(&in, "module_layout"));
	assert_int_equal(scn_data(&out, "__versions")->d_size, scn_data(&in, "__versions")->d_size);
	assert_int_equal(scn_data(&out, ".strtab")->d_size,
			 scn_data(&in, ".strtab")->d_size + added_strtab);

	/* depends= merged: one entry, naming nooks; the rest of .modinfo intact */
	assert_int_equal(count_modinfo(&out, "depends=", &dep), 1);
	assert_string_equal(dep, "depends=nooks");
	assert_int_equal(count_modinfo(&out, "", NULL), count_modinfo(&in, "", NULL));
	assert_int_equal(count_modinfo(&out, "alias=", NULL), count_modinfo(&in, "alias=", NULL));
	assert_int_equal(count_modinfo(&out, "vermagic=", NULL), 1);

	image_close(&in);
	image_close(&out);
	bindings_free(&b);
}

static void test_isolated_module_is_refused_again(void **state)
{
	struct bindings b;
	struct rewrite_stats st;
	struct iso_err err;

	(void)state;
	load_bindings(&b, NULL);
	if (isolate_module(env("E1000_KO"), "once.ko", &b, &st, &err))
		fail_msg("%s", err.msg);
	assert_int_equal(isolate_module("once.ko", "twice.ko", &b, &st, &err), -1);
	assert_non_null(strstr(err.msg, "already isolated"));
	assert_int_equal(access("twice.ko", F_OK), -1);
	bindings_free(&b);
}

/* A real driver with imports nooks has no wrapper for is refused, with the list. */
static void test_unwrapped_imports_refused(void **state)
{
	struct bindings b;
	struct rewrite_stats st;
	struct iso_err err;
	struct image im;
	Elf_Scn *scn;
	Elf_Data *syms;
	GElf_Shdr sh;
	size_t missing = 0;

	(void)state;
	load_bindings(&b, NULL);
	assert_int_equal(isolate_module(env("OTHER_KO"), "other.nooks.ko", &b, &st, &err), -1);
	assert_non_null(strstr(err.msg, "refused"));
	assert_int_equal(access("other.nooks.ko", F_OK), -1);
	image_open(&im, env("OTHER_KO"));
	scn = elf_symtab(im.elf);
	gelf_getshdr(scn, &sh);
	syms = elf_getdata(scn, NULL);
	for (size_t i = 1; i < sh.sh_size / sh.sh_entsize; i++) {
		GElf_Sym s;
		const char *n;
		char quoted[160];

		gelf_getsym(syms, (int)i, &s);
		n = elf_strptr(im.elf, sh.sh_link, s.st_name);
		if (s.st_shndx != SHN_UNDEF || !*n || bindings_find(&b, n))
			continue;
		missing++;
		/* listed as ": n," / ", n," / ", n" at the end */
		snprintf(quoted, sizeof(quoted), " %s", n);
		if (!strstr(err.msg, quoted) && !strstr(err.msg, ", ..."))
			fail_msg("%s missing from: %s", n, err.msg);
	}
	assert_true(missing > 0);
	{
		char count[64];

		snprintf(count, sizeof(count), "%zu imported symbol", missing);
		assert_non_null(strstr(err.msg, count));
	}
	image_close(&im);
	bindings_free(&b);
}

/*
 * pcnet32 depends on mii: once its unwrapped imports are declared
 * kernel-bound (test-only bindings), the merged entry is depends=mii,nooks.
 */
static void test_existing_depends_merged(void **state)
{
	struct bindings b;
	struct rewrite_stats st;
	struct iso_err err;
	struct image in, out;
	Elf_Scn *scn;
	Elf_Data *syms;
	GElf_Shdr sh;
	FILE *f;
	const char *dep = NULL;
	char cmd[1024];

	(void)state;
	load_bindings(&b, NULL);
	image_open(&in, env("OTHER_KO"));
	snprintf(cmd, sizeof(cmd), "cp %s merged-imports.txt", env("NOOKS_IMPORTS"));
	assert_int_equal(system(cmd), 0);
	f = fopen("merged-imports.txt", "a");
	assert_non_null(f);
	scn = elf_symtab(in.elf);
	gelf_getshdr(scn, &sh);
	syms = elf_getdata(scn, NULL);
	for (size_t i = 1; i < sh.sh_size / sh.sh_entsize; i++) {
		GElf_Sym s;
		const char *n;

		gelf_getsym(syms, (int)i, &s);
		n = elf_strptr(in.elf, sh.sh_link, s.st_name);
		if (s.st_shndx == SHN_UNDEF && *n && !bindings_find(&b, n))
			fprintf(f, "kernel %s test-only\n", n);
	}
	fclose(f);
	bindings_free(&b);
	if (bindings_load_files(&b, "merged-imports.txt", "nooks.symvers", &err))
		fail_msg("%s", err.msg);
	assert_int_equal(count_modinfo(&in, "depends=", &dep), 1);
	assert_string_equal(dep, "depends=mii");
	if (isolate_module(env("OTHER_KO"), "merged.ko", &b, &st, &err))
		fail_msg("%s", err.msg);
	image_open(&out, "merged.ko");
	assert_int_equal(count_modinfo(&out, "depends=", &dep), 1);
	assert_string_equal(dep, "depends=mii,nooks");
	assert_int_equal(count_modinfo(&out, "", NULL), count_modinfo(&in, "", NULL));
	assert_true(st.renamed > 0);
	image_close(&out);
	image_close(&in);
	bindings_free(&b);
}

static void test_missing_wrapper_crc_refused(void **state)
{
	struct bindings b;
	struct rewrite_stats st;
	struct iso_err err;

	(void)state;
	load_bindings(&b, "nooks_w_kfree");
	assert_int_equal(isolate_module(env("E1000_KO"), "nocrc.ko", &b, &st, &err), -1);
	assert_non_null(strstr(err.msg, "no CRC for: nooks_w_kfree"));
	assert_int_equal(access("nocrc.ko", F_OK), -1);
	bindings_free(&b);
}

static void test_modversion_name_limit(void **state)
{
	struct bindings b;
	struct rewrite_stats st;
	struct iso_err err;
	FILE *f = fopen("long-imports.txt", "w");
	FILE *in = fopen(env("NOOKS_IMPORTS"), "r");
	char line[512];
	const char *longname = "nooks_w_a_wrapper_name_that_does_not_fit_in_a_modversion_entry";

	(void)state;
	assert_non_null(f);
	assert_non_null(in);
	while (fgets(line, sizeof(line), in))
		if (strncmp(line, "wrap kfree ", 11) != 0)
			fputs(line, f);
	fprintf(f, "wrap kfree %s free\n", longname);
	fclose(in);
	fclose(f);
	f = fopen("long.symvers", "w");
	fprintf(f, "0x12345678\t%s\tnooks\tEXPORT_SYMBOL_GPL\t\n", longname);
	fclose(f);
	if (bindings_load_files(&b, "long-imports.txt", "long.symvers", &err))
		fail_msg("%s", err.msg);
	assert_int_equal(isolate_module(env("E1000_KO"), "long.ko", &b, &st, &err), -1);
	assert_non_null(strstr(err.msg, "longer than the 55 bytes"));
	assert_non_null(strstr(err.msg, longname));
	bindings_free(&b);
}

static void write_file(const char *path, const void *p, size_t n)
{
	FILE *f = fopen(path, "w");

	assert_non_null(f);
	assert_int_equal(fwrite(p, 1, n, f), n);
	fclose(f);
}

static void expect_bad_input(const char *path, const char *fragment)
{
	struct bindings b;
	struct rewrite_stats st;
	struct iso_err err;

	load_bindings(&b, NULL);
	assert_int_equal(isolate_module(path, "bad.out.ko", &b, &st, &err), -1);
	if (!strstr(err.msg, fragment))
		fail_msg("'%s' does not say '%s'", err.msg, fragment);
	assert_int_equal(access("bad.out.ko", F_OK), -1);
	/* --report reads the same way */
	assert_int_equal(report_module(path, &b, false, stderr, &err), -1);
	bindings_free(&b);
}

static void test_bad_inputs(void **state)
{
	struct image e;
	unsigned char *copy;
	GElf_Ehdr eh;

	(void)state;
	image_open(&e, env("E1000_KO"));
	copy = malloc(e.size);
	assert_non_null(copy);
	gelf_getehdr(e.elf, &eh);

	write_file("text.ko", "hello, not a module\n", 20);
	expect_bad_input("text.ko", "not an ELF file");
	write_file("empty.ko", "", 0);
	expect_bad_input("empty.ko", "not an ELF file");
	expect_bad_input("does-not-exist.ko", "No such file");
	expect_bad_input(".", "not a regular file");

	write_file("hdr.ko", e.bytes, 40);
	expect_bad_input("hdr.ko", "truncated");
	/* the section header table is at the end: half a file has none */
	write_file("half.ko", e.bytes, e.size / 2);
	expect_bad_input("half.ko", "truncated");
	memcpy(copy, e.bytes, e.size);
	copy[EI_CLASS] = ELFCLASS32;
	write_file("elf32.ko", copy, e.size);
	expect_bad_input("elf32.ko", "not a 64-bit ELF");

	memcpy(copy, e.bytes, e.size);
	copy[18] = EM_AARCH64 & 0xff;	/* e_machine */
	copy[19] = EM_AARCH64 >> 8;
	write_file("arm.ko", copy, e.size);
	expect_bad_input("arm.ko", "not x86-64");

	memcpy(copy, e.bytes, e.size);
	copy[16] = ET_DYN;	/* e_type */
	write_file("dyn.ko", copy, e.size);
	expect_bad_input("dyn.ko", "not relocatable");

	memcpy(copy, e.bytes, e.size);
	copy[EI_DATA] = ELFDATA2MSB;
	write_file("be.ko", copy, e.size);
	expect_bad_input("be.ko", "big-endian");

	/* a signature that claims more bytes than the file has */
	memcpy(copy, e.bytes, e.size);
	{
		size_t at = e.size - strlen(MODULE_SIG_MAGIC) - 4;

		copy[at] = 0x7f;
		write_file("badsig.ko", copy, e.size);
		expect_bad_input("badsig.ko", "module signature claims");
	}
	free(copy);
	image_close(&e);
}

/* A section whose data runs past the end of the file. */
static void test_section_past_end(void **state)
{
	struct image e;
	unsigned char *copy;
	GElf_Ehdr eh;
	Elf64_Shdr sh;
	size_t at;

	(void)state;
	image_open(&e, env("E1000_KO"));
	gelf_getehdr(e.elf, &eh);
	copy = malloc(e.size);
	assert_non_null(copy);
	memcpy(copy, e.bytes, e.size);
	at = eh.e_shoff + 3 * sizeof(Elf64_Shdr);	/* .text */
	memcpy(&sh, copy + at, sizeof(sh));
	sh.sh_size = e.size * 4;
	memcpy(copy + at, &sh, sizeof(sh));
	write_file("past.ko", copy, e.size);
	expect_bad_input("past.ko", "past the end");
	free(copy);
	image_close(&e);
}

/* An import the build did not version gets a __versions entry of its own. */
static void test_unversioned_import_gets_an_entry(void **state)
{
	struct bindings b;
	struct rewrite_stats st;
	struct iso_err err;
	struct image e, out;
	Elf_Data *v;
	size_t at = 0;

	(void)state;
	image_open(&e, env("E1000_KO"));
	v = scn_data(&e, "__versions");
	assert_non_null(v);
	for (size_t off = 0; off < v->d_size; off += MODVERSION_ENTRY_SIZE)
		if (strcmp((char *)v->d_buf + off + 8, "kfree") == 0)
			at = (unsigned char *)v->d_buf + off + 8 - e.bytes;
	assert_true(at > 0);
	e.bytes[at + 4] = 'X';	/* "kfreX": kfree now has no entry */
	write_file("unversioned.ko", e.bytes, e.size);
	load_bindings(&b, NULL);
	if (isolate_module("unversioned.ko", "unversioned.nooks.ko", &b, &st, &err))
		fail_msg("%s", err.msg);
	image_open(&out, "unversioned.nooks.ko");
	assert_int_equal(scn_data(&out, "__versions")->d_size, v->d_size + MODVERSION_ENTRY_SIZE);
	assert_true(version_crc(&out, "nooks_w_kfree") == (int64_t)fake_crc("nooks_w_kfree"));
	assert_true(version_crc(&out, "kfreX") >= 0);
	assert_int_equal(st.versions, st.renamed);
	image_close(&out);
	image_close(&e);
	bindings_free(&b);
}

static void test_depends_merge(void **state)
{
	char out[256];

	(void)state;
	modinfo_merge_depends("depends=", out, sizeof(out));
	assert_string_equal(out, "depends=nooks");
	modinfo_merge_depends("depends=mii", out, sizeof(out));
	assert_string_equal(out, "depends=mii,nooks");
	modinfo_merge_depends("depends=mii,nooks", out, sizeof(out));
	assert_string_equal(out, "depends=mii,nooks");
	modinfo_merge_depends("depends=nooks", out, sizeof(out));
	assert_string_equal(out, "depends=nooks");
	modinfo_merge_depends("depends=nooksy,libphy", out, sizeof(out));
	assert_string_equal(out, "depends=nooksy,libphy,nooks");
}

static void test_resident_names(void **state)
{
	char b[128];

	(void)state;
	assert_string_equal(resident_section_name(".init.text", b, sizeof(b)), ".nooks.init.text");
	assert_string_equal(resident_section_name(".init.rodata", b, sizeof(b)), ".nooks.init.rodata");
	assert_string_equal(resident_section_name(".rela.init.text", b, sizeof(b)),
			    ".rela.nooks.init.text");
	assert_string_equal(resident_section_name(".exit.text", b, sizeof(b)), ".nooks.exit.text");
	assert_string_equal(resident_section_name(".rela.exit.data", b, sizeof(b)),
			    ".rela.nooks.exit.data");
	assert_null(resident_section_name(".text", b, sizeof(b)));
	assert_null(resident_section_name(".rela.text", b, sizeof(b)));
	assert_null(resident_section_name(".init_array", b, sizeof(b)));
	assert_null(resident_section_name(".data", b, sizeof(b)));
}

static char *run(const char *args, int *status)
{
	char cmd[4096];
	FILE *f;
	char *out = calloc(1, 1 << 20);
	size_t n;

	assert_non_null(out);
	snprintf(cmd, sizeof(cmd), "%s %s 2>&1", env("NOOKS_ISOLATE"), args);
	f = popen(cmd, "r");
	assert_non_null(f);
	n = fread(out, 1, (1 << 20) - 1, f);
	out[n] = '\0';
	*status = pclose(f);
	*status = WIFEXITED(*status) ? WEXITSTATUS(*status) : -1;
	return out;
}

static void test_cli(void **state)
{
	char args[4096];
	char *out;
	int rc;

	(void)state;
	mkdir("rt", 0755);
	write_symvers("rt/nooks.symvers", NULL);
	snprintf(args, sizeof(args), "cp %s rt/nooks-imports.txt", env("NOOKS_IMPORTS"));
	assert_int_equal(system(args), 0);

	snprintf(args, sizeof(args), "--runtime rt --report %s", env("E1000_KO"));
	out = run(args, &rc);
	assert_int_equal(rc, 0);
	/* the tables the kernel calls the driver through */
	assert_non_null(strstr(out, "e1000_probe"));
	assert_non_null(strstr(out, "e1000_driver+0x"));
	assert_non_null(strstr(out, "e1000_open"));
	assert_non_null(strstr(out, "e1000_netdev_ops+0x"));
	assert_non_null(strstr(out, "e1000_ethtool_ops+0x"));
	assert_non_null(strstr(out, "wrap custom ("));
	assert_non_null(strstr(out, "kernel data ("));
	assert_non_null(strstr(out, "kernel data it reads directly:"));
	assert_non_null(strstr(out, " jiffies"));
	assert_non_null(strstr(out, "0 without a nooks binding"));
	free(out);

	/* the same facts as JSON, for scripts */
	snprintf(args, sizeof(args), "--runtime rt --report --json %s", env("E1000_KO"));
	out = run(args, &rc);
	assert_int_equal(rc, 0);
	{
		json_error_t jerr;
		json_t *root = json_loads(out, 0, &jerr), *v;
		size_t i, found = 0, data = 0;

		if (!root)
			fail_msg("--json output is not JSON: %s", jerr.text);
		assert_int_equal(json_integer_value(json_object_get(root, "unbound")), 0);
		assert_true(json_is_true(json_object_get(root, "signed")));
		assert_true(json_array_size(json_object_get(root, "imports")) > 140);
		json_array_foreach(json_object_get(root, "callbacks"), i, v) {
			const char *fn = json_string_value(json_object_get(v, "function"));
			const char *obj = json_string_value(json_object_get(v, "object"));

			if (fn && obj && strcmp(fn, "e1000_probe") == 0 && strcmp(obj, "e1000_driver") == 0)
				found++;
			if (fn && obj && strcmp(fn, "e1000_xmit_frame") == 0 &&
			    strcmp(obj, "e1000_netdev_ops") == 0)
				found++;
		}
		assert_int_equal(found, 2);
		json_array_foreach(json_object_get(root, "reads_kernel_data"), i, v)
			data += strcmp(json_string_value(v), "jiffies") == 0;
		assert_int_equal(data, 1);
		json_array_foreach(json_object_get(root, "imports"), i, v)
			if (strcmp(json_string_value(json_object_get(v, "symbol")), "kfree") == 0) {
				assert_string_equal(json_string_value(json_object_get(v, "binding")), "wrap");
				assert_string_equal(json_string_value(json_object_get(v, "class")), "free");
				assert_true(json_is_true(json_object_get(v, "called")));
			}
		json_decref(root);
	}
	free(out);
	out = run("--runtime rt --json x.ko -o y.ko", &rc);	/* --json only with --report */
	assert_int_equal(rc, 2);
	free(out);

	snprintf(args, sizeof(args), "--runtime rt --report %s", env("OTHER_KO"));
	out = run(args, &rc);
	assert_int_equal(rc, 0);
	assert_non_null(strstr(out, "unknown (no nooks binding)"));
	free(out);

	snprintf(args, sizeof(args), "--runtime rt %s -o cli.ko", env("E1000_KO"));
	out = run(args, &rc);
	assert_int_equal(rc, 0);
	assert_non_null(strstr(out, "imports bound to nooks wrappers"));
	assert_int_equal(access("cli.ko", R_OK), 0);
	free(out);

	snprintf(args, sizeof(args), "--runtime rt %s -o cli2.ko", env("OTHER_KO"));
	out = run(args, &rc);
	assert_int_equal(rc, 1);
	assert_non_null(strstr(out, "refused"));
	free(out);

	out = run("--runtime /nonexistent x.ko -o y.ko", &rc);
	assert_int_equal(rc, 1);
	assert_non_null(strstr(out, "nooks-imports.txt"));
	free(out);

	out = run("--runtime rt x.ko", &rc);	/* neither -o nor --report */
	assert_int_equal(rc, 2);
	assert_non_null(strstr(out, "usage"));
	free(out);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_e1000_rewrite),
		cmocka_unit_test(test_isolated_module_is_refused_again),
		cmocka_unit_test(test_unwrapped_imports_refused),
		cmocka_unit_test(test_existing_depends_merged),
		cmocka_unit_test(test_missing_wrapper_crc_refused),
		cmocka_unit_test(test_modversion_name_limit),
		cmocka_unit_test(test_bad_inputs),
		cmocka_unit_test(test_section_past_end),
		cmocka_unit_test(test_unversioned_import_gets_an_entry),
		cmocka_unit_test(test_depends_merge),
		cmocka_unit_test(test_resident_names),
		cmocka_unit_test(test_cli),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
