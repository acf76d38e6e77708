/* Command-line parsing and argument validation (proto.c). */
#include "testutil.h"

#include "proto.h"

static enum proto_status parse(const char *line, struct proto_cmd *cmd)
{
	return proto_parse_line(line, strlen(line), cmd);
}

static void test_parses_tag_verb_and_args(void **state)
{
	static struct proto_cmd cmd;

	(void)state;
	assert_int_equal(parse("42 load /tmp/e1000.ko debug=16  copybreak=0", &cmd),
			 PROTO_OK);
	assert_true(cmd.tag == 42);
	assert_string_equal(cmd.verb, "load");
	assert_int_equal(cmd.argc, 3);
	assert_string_equal(cmd.argv[0], "/tmp/e1000.ko");
	assert_string_equal(cmd.argv[1], "debug=16");
	assert_string_equal(cmd.argv[2], "copybreak=0");
	assert_string_equal(proto_rest_after(&cmd, 1), "debug=16  copybreak=0");
}

static void test_exec_keeps_the_command_line_verbatim(void **state)
{
	static struct proto_cmd cmd;

	(void)state;
	assert_int_equal(parse("7 exec 30   echo 'a  b' | wc -c\r", &cmd), PROTO_OK);
	assert_int_equal(cmd.argc, 7);
	assert_string_equal(cmd.argv[0], "30");
	/* The CR of a CRLF line is not part of the command. */
	assert_string_equal(proto_rest_after(&cmd, 1), "echo 'a  b' | wc -c");
	assert_string_equal(proto_rest_after(&cmd, 7), "");
}

static void test_rejects_bad_lines(void **state)
{
	static struct proto_cmd cmd;
	char big[PROTO_LINE_MAX + 10];

	(void)state;
	assert_int_equal(parse("", &cmd), PROTO_EMPTY);
	assert_int_equal(parse("   \t ", &cmd), PROTO_EMPTY);
	assert_int_equal(parse("ping", &cmd), PROTO_BAD_TAG);
	assert_int_equal(parse("-1 ping", &cmd), PROTO_BAD_TAG);
	assert_int_equal(parse("12a ping", &cmd), PROTO_BAD_TAG);
	assert_int_equal(parse("1234567890123456789 ping", &cmd), PROTO_BAD_TAG);
	assert_int_equal(parse("5", &cmd), PROTO_NO_VERB);
	assert_true(cmd.tag == 5);

	memset(big, 'x', sizeof(big));
	big[0] = '1';
	big[1] = ' ';
	assert_int_equal(proto_parse_line(big, sizeof(big), &cmd), PROTO_TOO_LONG);
}

static void test_too_many_args(void **state)
{
	static struct proto_cmd cmd;
	char line[1024] = "1 load m";

	(void)state;
	for (int i = 0; i < PROTO_MAX_ARGS; i++)
		strcat(line, " p=1");
	assert_int_equal(parse(line, &cmd), PROTO_TOO_MANY_ARGS);
	assert_string_not_equal(proto_status_text(PROTO_TOO_MANY_ARGS), "");
}

static void test_budget(void **state)
{
	unsigned b = 99;

	(void)state;
	assert_true(proto_parse_budget("120", &b));
	assert_int_equal(b, 120);
	assert_true(proto_parse_budget("86400", &b));
	assert_false(proto_parse_budget("86401", &b));
	assert_false(proto_parse_budget("0", &b));
	assert_false(proto_parse_budget("-5", &b));
	assert_false(proto_parse_budget("1.5", &b));
	assert_false(proto_parse_budget("", &b));
	assert_false(proto_parse_budget("10s", &b));
	assert_false(proto_parse_budget("99999999999999999999", &b));
	assert_false(proto_parse_budget(NULL, &b));
	assert_int_equal(b, 86400);   /* untouched by failures */
}

static void test_size_and_crc(void **state)
{
	unsigned long long size;
	uint32_t crc;

	(void)state;
	assert_true(proto_parse_size("0", 100, &size));
	assert_true(size == 0);
	assert_true(proto_parse_size("100", 100, &size));
	assert_false(proto_parse_size("101", 100, &size));
	assert_false(proto_parse_size("1e3", 10000, &size));

	assert_true(proto_parse_crc("cbf43926", &crc));
	assert_true(crc == 0xcbf43926u);
	assert_true(proto_parse_crc("0xCBF43926", &crc));
	assert_true(crc == 0xcbf43926u);
	assert_true(proto_parse_crc("0", &crc));
	assert_true(crc == 0);
	assert_false(proto_parse_crc("123456789", &crc));
	assert_false(proto_parse_crc("xyz", &crc));
	assert_false(proto_parse_crc("", &crc));
	assert_false(proto_parse_crc("0x", &crc));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parses_tag_verb_and_args),
		cmocka_unit_test(test_exec_keeps_the_command_line_verbatim),
		cmocka_unit_test(test_rejects_bad_lines),
		cmocka_unit_test(test_too_many_args),
		cmocka_unit_test(test_budget),
		cmocka_unit_test(test_size_and_crc),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
