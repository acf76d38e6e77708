/* Response formatting (reply.c): final lines, STEP lines, DATA escaping and
 * splitting, errno names. Lines are written to a pipe and read back. */
#include "testutil.h"

#include <errno.h>
#include <fcntl.h>

#include "reply.h"

struct capture {
	int fds[2];
	struct reply_sink sink;
	char buf[65536];
};

static void cap_open(struct capture *c)
{
	assert_int_equal(pipe(c->fds), 0);
	c->sink.fd = c->fds[1];
	c->sink.lock = NULL;
}

/* Everything written so far. */
static const char *cap_read(struct capture *c)
{
	ssize_t n;

	close(c->fds[1]);
	n = read(c->fds[0], c->buf, sizeof(c->buf) - 1);
	assert_true(n >= 0);
	c->buf[n] = '\0';
	close(c->fds[0]);
	return c->buf;
}

static void test_final_lines(void **state)
{
	static struct capture c;

	(void)state;
	cap_open(&c);
	reply_ok(&c.sink, 3, NULL);
	reply_ok(&c.sink, 4, "rc=%d", 0);
	reply_err(&c.sink, 5, ENOENT, "no such module %s", "e1001");
	reply_err(&c.sink, 6, ETIMEDOUT, "run exceeded its budget of %us", 120u);
	assert_string_equal(cap_read(&c),
			    "3 OK\n"
			    "4 OK rc=0\n"
			    "5 ERR ENOENT no such module e1001\n"
			    "6 ERR ETIMEDOUT run exceeded its budget of 120s\n");
}

static void test_step_lines(void **state)
{
	static struct capture c;

	(void)state;
	cap_open(&c);
	reply_step(&c.sink, 9, "ping", true, "rtt_us=%d", 812);
	reply_step(&c.sink, 9, "reload", false, "%s", "reason=load:EEXIST");
	reply_step(&c.sink, 9, "echo", false, NULL);
	assert_string_equal(cap_read(&c),
			    "9 STEP ping PASS rtt_us=812\n"
			    "9 STEP reload FAIL reason=load:EEXIST\n"
			    "9 STEP echo FAIL\n");
}

static void test_newlines_never_split_a_line(void **state)
{
	static struct capture c;

	(void)state;
	cap_open(&c);
	reply_err(&c.sink, 2, EIO, "first\nsecond\r");
	assert_string_equal(cap_read(&c), "2 ERR EIO first second \n");
}

static void test_long_lines_are_truncated(void **state)
{
	static struct capture c;
	char big[8000];

	(void)state;
	memset(big, 'a', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	cap_open(&c);
	reply_ok(&c.sink, 1, "x=%s", big);
	cap_read(&c);
	assert_int_equal(strlen(c.buf), PROTO_LINE_MAX + 1);
	assert_int_equal(c.buf[PROTO_LINE_MAX], '\n');
}

static void test_data_lines(void **state)
{
	static struct capture c;
	const char text[] = "line one\n\nback\\slash\ttab\x01\xff\nno newline";

	(void)state;
	cap_open(&c);
	reply_data(&c.sink, 7, text, sizeof(text) - 1);
	assert_string_equal(cap_read(&c),
			    "7 DATA line one\n"
			    "7 DATA \n"
			    "7 DATA back\\\\slash\ttab\\x01\\xff\n"
			    "7 DATA no newline\n");
}

static void test_data_splits_long_lines(void **state)
{
	static struct capture c;
	char text[DATA_CHUNK * 2 + 10];
	const char *p;
	int lines = 0;

	(void)state;
	memset(text, 'z', sizeof(text));
	cap_open(&c);
	reply_data(&c.sink, 1, text, sizeof(text));
	cap_read(&c);
	for (p = c.buf; (p = strchr(p, '\n')); p++)
		lines++;
	assert_int_equal(lines, 3);
	assert_int_equal(strlen(c.buf), sizeof(text) + 3 * strlen("1 DATA \n"));
}

static void test_escape_never_splits_a_byte(void **state)
{
	char out[8];
	size_t used;

	(void)state;
	/* Room for 7 chars: "ab" + "\x01" (4) fits, the next "\x02" does not. */
	used = reply_escape("ab\x01\x02", 4, out, sizeof(out));
	assert_int_equal(used, 3);
	assert_string_equal(out, "ab\\x01");
}

static void test_errno_names(void **state)
{
	char buf[16];

	(void)state;
	assert_string_equal(reply_errno_name(ENOENT, buf, sizeof(buf)), "ENOENT");
	assert_string_equal(reply_errno_name(ETIMEDOUT, buf, sizeof(buf)), "ETIMEDOUT");
	assert_string_equal(reply_errno_name(4242, buf, sizeof(buf)), "E4242");
}

static void test_sanitize(void **state)
{
	char v[] = "a b\tc=d";

	(void)state;
	reply_sanitize_value(v);
	assert_string_equal(v, "a_b_c_d");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_final_lines),
		cmocka_unit_test(test_step_lines),
		cmocka_unit_test(test_newlines_never_split_a_line),
		cmocka_unit_test(test_long_lines_are_truncated),
		cmocka_unit_test(test_data_lines),
		cmocka_unit_test(test_data_splits_long_lines),
		cmocka_unit_test(test_escape_never_splits_a_byte),
		cmocka_unit_test(test_errno_names),
		cmocka_unit_test(test_sanitize),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
