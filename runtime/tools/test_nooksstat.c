// SPDX-License-Identifier: GPL-2.0
/* cmocka tests for nooksstat against a fake sysfs tree. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "nooksstat.h"

static char root[64];

static void put(const char *attr, const char *val)
{
	char path[256];
	FILE *f;

	snprintf(path, sizeof(path), "%s/e1000/%s", root, attr);
	f = fopen(path, "w");
	assert_non_null(f);
	fputs(val, f);
	fclose(f);
}

static int setup(void **state)
{
	char dir[128];

	(void)state;
	strcpy(root, "/tmp/nooksstat-XXXXXX");
	assert_non_null(mkdtemp(root));
	snprintf(dir, sizeof(dir), "%s/e1000", root);
	assert_int_equal(mkdir(dir, 0755), 0);
	put("state", "live\n");
	put("faults", "3\n");
	put("recoveries", "2\n");
	put("xpc_count", "12345\n");
	put("tracked_objects", "17\n");
	put("last_fault", "fault #PF at x addr=0x10 ctx=process entry=probe\n");
	return 0;
}

static int teardown(void **state)
{
	char cmd[128];

	(void)state;
	snprintf(cmd, sizeof(cmd), "rm -rf %s", root);
	return system(cmd);
}

static void test_read_strips_newline(void **state)
{
	char v[64];

	(void)state;
	assert_int_equal(nooksstat_read_attr(root, "e1000", "state", v, sizeof(v)), 0);
	assert_string_equal(v, "live");
}

static void test_missing_attr_is_error(void **state)
{
	char v[64];

	(void)state;
	assert_true(nooksstat_read_attr(root, "e1000", "nope", v, sizeof(v)) < 0);
}

static void test_summary_line(void **state)
{
	char buf[512] = "";
	FILE *f = fmemopen(buf, sizeof(buf), "w");

	(void)state;
	nooksstat_print(f, root, "e1000", 0);
	fclose(f);
	assert_non_null(strstr(buf, "state=live"));
	assert_non_null(strstr(buf, "faults=3"));
	assert_non_null(strstr(buf, "tracked_objects=17"));
	assert_null(strstr(buf, "last_fault"));
}

static void test_verbose_lines(void **state)
{
	char buf[1024] = "";
	FILE *f = fmemopen(buf, sizeof(buf), "w");

	(void)state;
	nooksstat_print(f, root, "e1000", 1);
	fclose(f);
	assert_non_null(strstr(buf, "e1000.recoveries 2\n"));
	assert_non_null(strstr(buf, "e1000.last_fault fault #PF"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_read_strips_newline),
		cmocka_unit_test(test_missing_attr_is_error),
		cmocka_unit_test(test_summary_line),
		cmocka_unit_test(test_verbose_lines),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
