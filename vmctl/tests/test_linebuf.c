// SPDX-License-Identifier: MIT
/* test_linebuf.c — line splitting and the console's timestamped lines. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "console.h"
#include "linebuf.h"

static struct linebuf lb; /* 64 KiB: not on the stack */

static void test_lines(void **state)
{
	(void)state;
	char out[16];

	linebuf_init(&lb);
	linebuf_put(&lb, "one\r\ntw", 7);
	assert_true(linebuf_take(&lb, out, sizeof(out)));
	assert_string_equal(out, "one");
	assert_false(linebuf_take(&lb, out, sizeof(out)));
	linebuf_put(&lb, "o\n\nthree", 8);
	assert_true(linebuf_take(&lb, out, sizeof(out)));
	assert_string_equal(out, "two");
	assert_true(linebuf_take(&lb, out, sizeof(out)));
	assert_string_equal(out, "");
	assert_false(linebuf_take(&lb, out, sizeof(out)));
	assert_true(linebuf_take_rest(&lb, out, sizeof(out)));
	assert_string_equal(out, "three");
	assert_false(linebuf_take_rest(&lb, out, sizeof(out)));
}

static void test_long_line_is_cut_not_stuck(void **state)
{
	(void)state;
	char out[8];

	linebuf_init(&lb);
	linebuf_put(&lb, "abcdefghijklmn", 14); /* no newline, longer than out */
	assert_true(linebuf_take(&lb, out, sizeof(out)));
	assert_string_equal(out, "abcdefg");
	assert_true(linebuf_take(&lb, out, sizeof(out)));
	assert_string_equal(out, "hijklmn");
}

static void test_console_stamp(void **state)
{
	(void)state;
	char *text = NULL;
	size_t size = 0, plen = 0;
	char partial[32];
	FILE *f = open_memstream(&text, &size);

	console_stamp(f, 1.5, "[    0.000000] Linux\r\nhal", 25, partial, &plen, sizeof(partial));
	console_stamp(f, 12.345678, "f line\n", 7, partial, &plen, sizeof(partial));
	fclose(f);
	assert_string_equal(text, "[    1.500000] [    0.000000] Linux\n"
				  "[   12.345678] half line\n");
	free(text);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_lines),
		cmocka_unit_test(test_long_line_is_cut_not_stuck),
		cmocka_unit_test(test_console_stamp),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
