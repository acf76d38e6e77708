/*
 * Bad input never crashes and always says what is wrong: not an ELF, the
 * wrong machine or type, truncated at any point, stripped, and plans that are
 * malformed or made for another binary (library and CLI).
 */
#include "testlib.h"
#include <sys/wait.h>
#include <unistd.h>

static void expect_open_error(const uint8_t *b, size_t n, const char *needle)
{
	struct inj_error err = { "" };
	struct inj_module *m = inj_module_open_mem(b, n, "bad.ko", &err);

	assert_null(m);
	if (!strstr(err.msg, needle))
		fail_msg("error '%s' does not mention '%s'", err.msg, needle);
}

static void t_not_elf(void **state)
{
	(void)state;
	expect_open_error((const uint8_t *)"hello, world\n", 13, "not an ELF");
	expect_open_error((const uint8_t *)"", 0, "not an ELF");
}

static void t_wrong_machine_and_type(void **state)
{
	size_t n;
	uint8_t *b = slurp(module_path(E1000), &n);

	(void)state;
	b[18] = 183;	/* e_machine = EM_AARCH64 */
	expect_open_error(b, n, "x86-64");
	b[18] = 62;
	b[16] = 2;	/* e_type = ET_EXEC */
	expect_open_error(b, n, "relocatable");
	b[16] = 1;
	b[4] = 1;	/* ELFCLASS32 */
	expect_open_error(b, n, "");
	free(b);
}

/* Every truncation point either opens (the cut fell in the signature) or
 * fails with a message; whatever opens can still be scanned for sites. */
static void t_truncated_everywhere(void **state)
{
	size_t n, opened = 0, refused = 0;
	uint8_t *b = slurp(module_path(E1000), &n);

	(void)state;
	for (size_t cut = 0; cut < n; cut += cut < 4096 ? 61 : cut + 3800 > n ? 37 : 3001) {
		struct inj_error err = { "" };
		struct inj_module *m = inj_module_open_mem(b, cut, "cut.ko", &err);
		if (!m) {
			assert_true(strlen(err.msg) > 0);
			refused++;
			continue;
		}
		opened++;
		{
			struct inj_site_list l;
			assert_int_equal(inj_sites_find(m, 1u << INJ_SYNC, &l, &err), 0);
			assert_true(l.n > 0);
			inj_site_list_free(&l);
		}
		inj_module_close(m);
	}
	assert_true(refused > 100);
	print_message("  truncations: %zu refused, %zu opened\n", refused, opened);
	{
		struct inj_error err = { "" };
		assert_null(inj_module_open_mem(b, n / 2, "half.ko", &err));
		assert_non_null(strstr(err.msg, "truncated"));
	}
	free(b);
}

static void t_stripped(void **state)
{
	char cmd[1024], tmp[] = "/tmp/inject-stripped-XXXXXX";
	struct inj_error err = { "" };
	int fd = mkstemp(tmp);

	(void)state;
	assert_true(fd >= 0);
	close(fd);
	snprintf(cmd, sizeof(cmd), "strip --strip-all -o %s %s", tmp, module_path(E1000));
	if (system(cmd) != 0) {
		unlink(tmp);
		skip();
	}
	assert_null(inj_module_open(tmp, &err));
	assert_non_null(strstr(err.msg, "stripped"));
	unlink(tmp);
	assert_null(inj_module_open("/nonexistent/e1000.ko", &err));
	assert_null(inj_module_open("/tmp", &err));
}

static void t_plan_for_other_binary(void **state)
{
	struct inj_error err = { "" };
	struct inj_module *e = inj_module_open(module_path(E1000), &err);
	struct inj_module *p = inj_module_open(module_path(PCNET32), &err);
	struct inj_plan plan;
	uint8_t *img = NULL;
	size_t n;

	(void)state;
	assert_non_null(e);
	assert_non_null(p);
	assert_int_equal(inj_plan_make(e, 5, 5, (1u << INJ_NTYPES) - 1, INJ_MODE_LOAD, &plan,
				       &err), 0);
	assert_int_not_equal(inj_apply_image(p, &plan, &img, &n, &err), 0);
	assert_non_null(strstr(err.msg, "another binary"));
	assert_null(img);

	/* a plan whose old bytes do not match the file is refused too */
	plan.faults[0].old_bytes[0] ^= 0xff;
	assert_int_not_equal(inj_apply_image(e, &plan, &img, &n, &err), 0);
	assert_non_null(strstr(err.msg, "differ"));
	plan.faults[0].old_bytes[0] ^= 0xff;
	/* new bytes that are not valid code are refused */
	if (strstr(plan.faults[0].section, "text")) {
		memset(plan.faults[0].new_bytes, 0x06, plan.faults[0].len); /* invalid in 64-bit */
		assert_int_not_equal(inj_apply_image(e, &plan, &img, &n, &err), 0);
	}
	inj_plan_free(&plan);
	inj_module_close(e);
	inj_module_close(p);
}

static void t_malformed_plans(void **state)
{
	static const char *const bad[] = {
		"{}",
		"[]",
		"{\"format\":\"nooks-fault-plan\",\"version\":2}",
		"{\"format\":\"nooks-fault-plan\",\"version\":1,\"binary\":{\"name\":\"x\","
		"\"sha256\":\"00\"},\"seed\":1,\"mode\":\"load\",\"types\":[],\"faults\":[]}",
		"{\"format\":\"nooks-fault-plan\",\"version\":1,\"binary\":{\"name\":\"x\","
		"\"sha256\":\"0000000000000000000000000000000000000000000000000000000000000000\"},"
		"\"seed\":1,\"mode\":\"load\",\"types\":[\"nope\"],\"faults\":[]}",
		"{\"format\":\"nooks-fault-plan\",\"version\":1,\"binary\":{\"name\":\"x\","
		"\"sha256\":\"0000000000000000000000000000000000000000000000000000000000000000\"},"
		"\"seed\":1,\"mode\":\"load\",\"types\":[],\"faults\":[{\"type\":\"sync\","
		"\"section\":\".text\",\"offset\":0,\"length\":99,\"old\":\"00\",\"new\":\"00\","
		"\"modes\":[],\"relocs_removed\":[],\"runtime\":{}}]}",
	};

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct inj_error err = { "" };
		struct inj_plan p;
		json_t *j = json_loads(bad[i], 0, NULL);
		assert_non_null(j);
		assert_int_equal(inj_plan_from_json(j, &p, &err), -1);
		assert_true(strlen(err.msg) > 0);
		json_decref(j);
	}
}

static int run(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static int run(const char *fmt, ...)
{
	char cmd[2048];
	va_list ap;
	int st;

	va_start(ap, fmt);
	vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	st = system(cmd);
	assert_true(WIFEXITED(st));	/* never a crash */
	return WEXITSTATUS(st);
}

static void t_cli_errors(void **state)
{
	const char *inj = getenv("INJECT");
	const char *e = module_path(E1000), *p = module_path(PCNET32);

	(void)state;
	if (!inj || access(inj, X_OK))
		skip();
	assert_int_equal(run("%s sites /etc/hostname 2>/dev/null", inj), 1);
	assert_int_equal(run("%s plan %s --seed 1 --faults 3 >/tmp/inject-t.json", inj, e), 0);
	assert_int_equal(run("%s apply %s /tmp/inject-t.json -o /tmp/inject-t.ko 2>/tmp/inject-t.err",
			     inj, p), 1);
	assert_int_equal(run("grep -q 'another binary' /tmp/inject-t.err"), 0);
	assert_int_equal(run("test ! -e /tmp/inject-t.ko"), 0);
	assert_int_equal(run("%s apply %s /etc/hostname -o /tmp/inject-t.ko 2>/dev/null", inj, e), 1);
	assert_int_equal(run("%s show /tmp/inject-t.json %s 2>/dev/null", inj, p), 1);
	assert_int_equal(run("%s plan %s --seed -3 --faults 3 2>/dev/null", inj, e), 1);
	assert_int_equal(run("%s plan %s --seed 1 --types bogus 2>/dev/null", inj, e), 1);
	assert_int_equal(run("%s frobnicate 2>/dev/null", inj), 2);
	assert_int_equal(run("%s apply %s /tmp/inject-t.json -o /tmp/inject-t.ko >/dev/null", inj, e),
			 0);
	assert_int_equal(run("%s sites /tmp/inject-t.ko --type sync >/dev/null 2>&1", inj), 0);
	unlink("/tmp/inject-t.json");
	unlink("/tmp/inject-t.err");
	unlink("/tmp/inject-t.ko");
}

/* Inputs the fuzzer once crashed on (tests/fuzz-regressions/): refused or
 * handled, never a crash. */
static void t_fuzz_regressions(void **state)
{
	static const char *const files[] = { "tests/fuzz-regressions/nobits-huge-size",
					     "tests/fuzz-regressions/duplicate-section-names",
					     "tests/fuzz-regressions/nobits-offset-past-end",
					     "tests/fuzz-regressions/non-ascii-section-name",
					     "tests/fuzz-regressions/sparse-huge-layout" };

	(void)state;
	for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		struct inj_error err = { "" };
		struct inj_module *m;
		size_t n;
		uint8_t *b = slurp(files[i], &n);

		m = inj_module_open_mem(b, n, files[i], &err);
		if (m) {
			struct inj_plan p;
			/* the fuzz target's own check: a plan just drawn must apply */
			if (inj_plan_make(m, n, 3, (1u << INJ_NTYPES) - 1, INJ_MODE_LOAD, &p, &err) == 0) {
				uint8_t *img = NULL;
				size_t isz;
				json_t *j = inj_plan_to_json(&p);
				struct inj_plan q;

				/* and the fuzz target's other check: our own JSON parses */
				if (inj_plan_from_json(j, &q, &err))
					fail_msg("%s: own plan does not parse: %s", files[i], err.msg);
				inj_plan_free(&q);
				json_decref(j);
				/* refusing what libelf or the decoder cannot handle is fine */
				if (inj_apply_image(m, &p, &img, &isz, &err) &&
				    !strstr(err.msg, "libelf") && !strstr(err.msg, "not valid x86"))
					fail_msg("%s: drawn plan does not apply: %s", files[i], err.msg);
				free(img);
				inj_plan_free(&p);
			}
			inj_module_close(m);
		} else {
			assert_true(strlen(err.msg) > 0);
		}
		free(b);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(t_not_elf), cmocka_unit_test(t_wrong_machine_and_type),
		cmocka_unit_test(t_truncated_everywhere), cmocka_unit_test(t_stripped),
		cmocka_unit_test(t_plan_for_other_binary), cmocka_unit_test(t_malformed_plans),
		cmocka_unit_test(t_cli_errors), cmocka_unit_test(t_fuzz_regressions),
	};
	return cmocka_run_group_tests_name("bad input", tests, NULL, NULL);
}
