// SPDX-License-Identifier: MIT
/* test_agent.c — the agent client against a scripted fake agent. */
#include <errno.h>
#include <openssl/evp.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <cmocka.h>
#include <zlib.h>

#include "agent.h"
#include "util.h"
#include "fakepeer.h"

struct seen {
	int steps, data, finals;
	char last_step[64];
	bool last_pass;
	char data_text[8][128];
	char step_info[128];
};

static void collect(const struct vm_reply *r, void *arg)
{
	struct seen *s = arg;

	switch (r->kind) {
	case VM_REPLY_STEP:
		snprintf(s->last_step, sizeof(s->last_step), "%s", r->step);
		snprintf(s->step_info, sizeof(s->step_info), "%s", r->text);
		s->last_pass = r->pass;
		s->steps++;
		break;
	case VM_REPLY_DATA:
		if (s->data < 8)
			snprintf(s->data_text[s->data], sizeof(s->data_text[0]), "%s", r->text);
		s->data++;
		break;
	default:
		s->finals++;
	}
}

static void test_ready_and_heartbeats(void **state)
{
	(void)state;
	static const struct peer_step steps[] = {
		{ .send = "noise from a half line\nHB 7 1234\n" },
		{ .delay_ms = 50, .send = "READY nooks-agent 1 6.1.0-56-amd64\nHB 8 2234\n" },
		{ 0 },
	};
	struct fakepeer p;
	struct agent a;
	int fd = fakepeer_start(&p, steps);

	agent_init(&a, fd, 0);
	assert_int_equal(agent_wait_ready(&a, 2000), 0);
	assert_true(a.ready);
	assert_string_equal(a.release, "6.1.0-56-amd64");
	assert_int_equal(agent_pump(&a, 200), 0);
	assert_int_equal(a.hb_seq, 8);
	assert_int_equal(a.hb_uptime_ms, 2234);
	agent_close(&a);
	fakepeer_finish(&p);
}

static void test_run_steps_data_ok(void **state)
{
	(void)state;
	static const struct peer_step steps[] = {
		{ .expect = "1 run net-basic 120",
		  .send = "1 STEP link-up PASS iface=eth0\nHB 3 100\n"
			  "99 OK stale line of another command\n"
			  "1 STEP ping FAIL received=0/5\n1 DATA some output\n"
			  "1 DATA   spaced  \n1 OK pass=1 fail=1\n" },
		{ 0 },
	};
	struct fakepeer p;
	struct agent a;
	struct seen s = { 0 };
	struct vm_cmd_result res;
	int fd = fakepeer_start(&p, steps);

	agent_init(&a, fd, 5000);
	assert_int_equal(agent_command(&a, "run net-basic 120", NULL, 0, 2000, collect, &s, &res),
			 VM_CMD_OK);
	assert_int_equal(res.status, VM_CMD_OK);
	assert_string_equal(res.final, "pass=1 fail=1");
	assert_int_equal(res.steps_pass, 1);
	assert_int_equal(res.steps_fail, 1);
	assert_int_equal(s.steps, 2);
	assert_string_equal(s.last_step, "ping");
	assert_false(s.last_pass);
	assert_string_equal(s.step_info, "received=0/5");
	assert_int_equal(s.data, 2);
	assert_string_equal(s.data_text[0], "some output");
	assert_string_equal(s.data_text[1], "  spaced  ");
	assert_int_equal(s.finals, 1);
	assert_int_equal(a.hb_seq, 3);
	agent_close(&a);
	assert_int_equal(fakepeer_finish(&p), -1);
}

static void test_err_final(void **state)
{
	(void)state;
	static const struct peer_step steps[] = {
		{ .expect = "1 load nosuch", .send = "1 ERR ENOENT module nosuch not found\n" },
		{ 0 },
	};
	struct fakepeer p;
	struct agent a;
	struct vm_cmd_result res;
	int fd = fakepeer_start(&p, steps);

	agent_init(&a, fd, 5000);
	assert_int_equal(agent_command(&a, "load nosuch", NULL, 0, 2000, NULL, NULL, &res),
			 VM_CMD_ERR);
	assert_string_equal(res.final, "ENOENT module nosuch not found");
	agent_close(&a);
	assert_int_equal(fakepeer_finish(&p), -1);
}

static void test_timeout_with_heartbeats(void **state)
{
	(void)state;
	static const struct peer_step steps[] = {
		{ .expect = "1 run slow", .send = "HB 1 1\n" },
		{ .delay_ms = 100, .send = "HB 2 2\n" },
		{ .delay_ms = 100, .send = "HB 3 3\n" },
		{ 0 },
	};
	struct fakepeer p;
	struct agent a;
	struct vm_cmd_result res;
	int fd = fakepeer_start(&p, steps);

	agent_init(&a, fd, 1000);
	assert_int_equal(agent_command(&a, "run slow 1", NULL, 0, 300, NULL, NULL, &res),
			 VM_CMD_TIMEOUT);
	agent_close(&a);
	fakepeer_finish(&p);
}

static void test_hang_when_heartbeats_stop(void **state)
{
	(void)state;
	static const struct peer_step quiet[] = {
		{ .expect = "1 exec", .send = "HB 1 1\n" },
		{ 0 },
	};
	struct fakepeer p;
	struct agent a;
	struct vm_cmd_result res;
	int fd = fakepeer_start(&p, quiet);

	p.hold_ms = 2000; /* stays connected but silent */
	agent_init(&a, fd, 300);
	int64_t t0 = now_ms();

	assert_int_equal(agent_command(&a, "exec 5 sleep 100", NULL, 0, 5000, NULL, NULL, &res),
			 VM_CMD_HUNG);
	assert_true(now_ms() - t0 < 1500); /* detected by the heartbeat, not the timeout */
	agent_close(&a);
	fakepeer_finish(&p);
}

static void test_channel_closed(void **state)
{
	(void)state;
	static const struct peer_step steps[] = {
		{ .expect = "1 ping" },
		{ 0 },
	};
	struct fakepeer p;
	struct agent a;
	struct vm_cmd_result res;
	int fd = fakepeer_start(&p, steps);

	p.close_at_end = true;
	agent_init(&a, fd, 0);
	assert_int_equal(agent_command(&a, "ping", NULL, 0, 2000, NULL, NULL, &res), VM_CMD_IO);
	agent_close(&a);
	fakepeer_finish(&p);
}

static void test_busy_refusal_is_retried(void **state)
{
	(void)state;
	static const struct peer_step steps[] = {
		{ .expect = "1 run net-basic",
		  .send = "1 ERR EBUSY load (tag 7) is still running\n" },
		{ .expect = "2 run net-basic", .send = "2 OK pass=9 fail=0\n" },
		{ 0 },
	};
	struct fakepeer p;
	struct agent a;
	struct vm_cmd_result res;
	int fd = fakepeer_start(&p, steps);

	agent_init(&a, fd, 5000);
	assert_int_equal(agent_command(&a, "run net-basic 120", NULL, 0, 2000, NULL, NULL, &res),
			 VM_CMD_OK);
	assert_string_equal(res.final, "pass=9 fail=0");
	agent_close(&a);
	assert_int_equal(fakepeer_finish(&p), -1);
}

static void test_hello(void **state)
{
	(void)state;
	static const struct peer_step steps[] = {
		{ .send = "ial half line from before the snapshot\n" },
		{ .expect = "1 hello", .send = "READY nooks-agent 1 6.1.0-x\n1 OK\n" },
		{ 0 },
	};
	struct fakepeer p;
	struct agent a;
	int fd = fakepeer_start(&p, steps);

	agent_init(&a, fd, 5000);
	assert_int_equal(agent_hello(&a, 2000), 0);
	assert_string_equal(a.release, "6.1.0-x");
	agent_close(&a);
	assert_int_equal(fakepeer_finish(&p), -1);
}

static void test_parse_reply(void **state)
{
	(void)state;
	struct vm_reply r;
	char l1[] = "STEP tcp-tx PASS mbps=900", l2[] = "OK", l3[] = "ERR ETIMEDOUT budget",
	     l4[] = "STEP bad MAYBE", l5[] = "NOPE x", l6[] = "STEP onlyname", l7[] = "DATA";

	assert_true(agent_parse_reply(l1, &r));
	assert_int_equal(r.kind, VM_REPLY_STEP);
	assert_string_equal(r.step, "tcp-tx");
	assert_true(r.pass);
	assert_string_equal(r.text, "mbps=900");
	assert_true(agent_parse_reply(l2, &r));
	assert_int_equal(r.kind, VM_REPLY_OK);
	assert_string_equal(r.text, "");
	assert_true(agent_parse_reply(l3, &r));
	assert_int_equal(r.kind, VM_REPLY_ERR);
	assert_string_equal(r.text, "ETIMEDOUT budget");
	assert_false(agent_parse_reply(l4, &r));
	assert_false(agent_parse_reply(l5, &r));
	assert_false(agent_parse_reply(l6, &r));
	assert_true(agent_parse_reply(l7, &r));
	assert_string_equal(r.text, "");
}

/* put: the body is base64 in lines of at most 76 characters that decode
 * to the data, and the CRC is zlib's. */
static void test_put_body(void **state)
{
	(void)state;
	size_t sizes[] = { 0, 1, 2, 3, 56, 57, 58, 1000, 65537 };

	for (size_t k = 0; k < sizeof(sizes) / sizeof(sizes[0]); k++) {
		size_t len = sizes[k], body_len, decoded = 0;
		unsigned char *data = malloc(len + 1), *back = malloc(len + 64);
		uint32_t crc;

		for (size_t i = 0; i < len; i++)
			data[i] = (unsigned char)(i * 131 + k);
		char *body = agent_put_body(data, len, &body_len, &crc);

		assert_non_null(body);
		assert_int_equal(crc, (uint32_t)crc32(0, data, (uInt)len));
		for (char *line = body; *line;) {
			char *nl = strchr(line, '\n');

			assert_non_null(nl);
			size_t ll = (size_t)(nl - line);

			assert_true(ll <= 76 && ll % 4 == 0);
			unsigned char tmp[64];
			int n = EVP_DecodeBlock(tmp, (unsigned char *)line, (int)ll);

			assert_true(n >= 0);
			/* EVP_DecodeBlock counts padding bytes: drop them */
			if (ll >= 1 && line[ll - 1] == '=')
				n--;
			if (ll >= 2 && line[ll - 2] == '=')
				n--;
			memcpy(back + decoded, tmp, (size_t)n);
			decoded += (size_t)n;
			line = nl + 1;
		}
		assert_int_equal(decoded, len);
		assert_memory_equal(back, data, len);
		free(body);
		free(data);
		free(back);
	}
}

static void test_put_over_the_wire(void **state)
{
	(void)state;
	/* "hello" = aGVsbG8=, crc32 3610a686 */
	static const struct peer_step steps[] = {
		{ .expect = "1 put /tmp/x 5 3610a686" },
		{ .expect = "aGVsbG8=", .send = "1 OK bytes=5\n" },
		{ 0 },
	};
	struct fakepeer p;
	struct agent a;
	struct vm_cmd_result res;
	size_t bl;
	uint32_t crc;
	int fd = fakepeer_start(&p, steps);
	char *body = agent_put_body("hello", 5, &bl, &crc);

	agent_init(&a, fd, 5000);
	assert_int_equal(crc, 0x3610a686);
	assert_int_equal(agent_command(&a, "put /tmp/x 5 3610a686", body, bl, 2000, NULL, NULL, &res),
			 VM_CMD_OK);
	free(body);
	agent_close(&a);
	assert_int_equal(fakepeer_finish(&p), -1);
}

/* Decodes put body lines back into bytes (checks the line rules). */
static size_t decode_body(const char *body, unsigned char *back)
{
	size_t decoded = 0;

	for (const char *line = body; *line;) {
		const char *nl = strchr(line, '\n');

		assert_non_null(nl);
		size_t ll = (size_t)(nl - line);

		assert_true(ll <= 76 && ll % 4 == 0);
		unsigned char tmp[64];
		int n = EVP_DecodeBlock(tmp, (const unsigned char *)line, (int)ll);

		assert_true(n >= 0);
		if (ll >= 1 && line[ll - 1] == '=')
			n--;
		if (ll >= 2 && line[ll - 2] == '=')
			n--;
		memcpy(back + decoded, tmp, (size_t)n);
		decoded += (size_t)n;
		line = nl + 1;
	}
	return decoded;
}

/* zlib put: the lines carry a zlib stream of wire_len bytes that inflates
 * to the data; the CRC is the data's, not the stream's. */
static void test_put_zbody(void **state)
{
	(void)state;
	size_t sizes[] = { 0, 1, 57, 1000, 330000 };

	for (size_t k = 0; k < sizeof(sizes) / sizeof(sizes[0]); k++) {
		size_t len = sizes[k], body_len, wire_len;
		unsigned char *data = malloc(len + 1);
		uint32_t crc;

		for (size_t i = 0; i < len; i++)
			data[i] = (unsigned char)((i % 251) ^ (i >> 10));
		char *body = agent_put_zbody(data, len, &body_len, &wire_len, &crc);

		assert_non_null(body);
		assert_int_equal(body_len, strlen(body));
		assert_int_equal(crc, (uint32_t)crc32(0, data, (uInt)len));
		unsigned char *z = malloc(body_len);
		size_t zlen = decode_body(body, z);

		assert_int_equal(zlen, wire_len);
		if (len >= 1000)
			assert_true(wire_len < len / 2);
		uLongf outlen = (uLongf)len + 16;
		unsigned char *back = malloc(outlen);

		assert_int_equal(uncompress(back, &outlen, z, (uLong)zlen), Z_OK);
		assert_int_equal(outlen, len);
		assert_memory_equal(back, data, len);
		free(back);
		free(z);
		free(body);
		free(data);
	}
}

static void test_put_zlib_over_the_wire(void **state)
{
	(void)state;
	struct fakepeer p;
	struct agent a;
	struct vm_cmd_result res;
	size_t bl, wire;
	uint32_t crc;
	char *body = agent_put_zbody("hello hello hello hello", 23, &bl, &wire, &crc);
	char cmd[128], first[136];

	assert_non_null(body);
	snprintf(cmd, sizeof(cmd), "put /tmp/x 23 %08x zlib %zu", crc, wire);
	snprintf(first, sizeof(first), "1 %s", cmd);
	/* One data line: the stream is short. */
	assert_true(bl <= 77 && body[bl - 1] == '\n');
	char *data_line = strndup(body, bl - 1);
	const struct peer_step steps[] = {
		{ .expect = first },
		{ .expect = data_line, .send = "1 OK size=23\n" },
		{ 0 },
	};
	int fd = fakepeer_start(&p, steps);

	agent_init(&a, fd, 5000);
	assert_int_equal(agent_command(&a, cmd, body, bl, 2000, NULL, NULL, &res), VM_CMD_OK);
	agent_close(&a);
	assert_int_equal(fakepeer_finish(&p), -1);
	free(data_line);
	free(body);
}

static void test_put_raw_requested(void **state)
{
	(void)state;
	unsetenv("VMCTL_PUT_RAW");
	assert_false(agent_put_raw_requested());
	setenv("VMCTL_PUT_RAW", "0", 1);
	assert_false(agent_put_raw_requested());
	setenv("VMCTL_PUT_RAW", "1", 1);
	assert_true(agent_put_raw_requested());
	unsetenv("VMCTL_PUT_RAW");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ready_and_heartbeats),
		cmocka_unit_test(test_run_steps_data_ok),
		cmocka_unit_test(test_err_final),
		cmocka_unit_test(test_timeout_with_heartbeats),
		cmocka_unit_test(test_hang_when_heartbeats_stop),
		cmocka_unit_test(test_channel_closed),
		cmocka_unit_test(test_busy_refusal_is_retried),
		cmocka_unit_test(test_hello),
		cmocka_unit_test(test_parse_reply),
		cmocka_unit_test(test_put_body),
		cmocka_unit_test(test_put_over_the_wire),
		cmocka_unit_test(test_put_zbody),
		cmocka_unit_test(test_put_zlib_over_the_wire),
		cmocka_unit_test(test_put_raw_requested),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
