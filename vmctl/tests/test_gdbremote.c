// SPDX-License-Identifier: MIT
/* test_gdbremote.c — GDB remote protocol framing (checksum, escaping,
 * run-length) and the client against a scripted stub. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <cmocka.h>

#include "fakepeer.h"
#include "gdbremote.h"

static void test_encode_checksum(void **state)
{
	(void)state;
	char out[64];

	/* 'm'+'1'+'0'+'0'+'0'+','+'4' = 0x6d+0x31+0x30*3+0x2c+0x34 = 0x16e → 6e */
	assert_int_equal(gdb_encode("m1000,4", 7, out, sizeof(out)), 11);
	assert_string_equal(out, "$m1000,4#8e");
	assert_int_equal(gdb_encode("", 0, out, sizeof(out)), 4);
	assert_string_equal(out, "$#00");
	assert_int_equal(gdb_encode("OK", 2, out, 4), -1); /* too small */
}

static void test_encode_escapes(void **state)
{
	(void)state;
	char out[64];
	/* '#' 0x23 → '}' 0x03, '$' 0x24 → '}' 0x04, '}' 0x7d → '}' ']', '*' → '}' '\n' */
	long n = gdb_encode("a#$}*", 5, out, sizeof(out));

	assert_int_equal(n, 1 + 9 + 3);
	assert_memory_equal(out, "$a}\x03}\x04}]}\x0a", 10);
	unsigned sum = 0;

	for (int i = 1; i < 10; i++)
		sum += (unsigned char)out[i];
	char cs[4];

	snprintf(cs, sizeof(cs), "#%02x", sum & 0xff);
	assert_memory_equal(out + 10, cs, 3);
}

static void test_decode_roundtrip(void **state)
{
	(void)state;
	char payload[300], pkt[700], back[400];
	size_t blen;

	srand(42);
	for (int round = 0; round < 500; round++) {
		size_t len = (size_t)(rand() % 300);

		for (size_t i = 0; i < len; i++)
			payload[i] = "#$}*ab01\x7f M:,"[rand() % 14];
		long n = gdb_encode(payload, len, pkt, sizeof(pkt));

		assert_true(n > 0);
		assert_int_equal(gdb_decode(pkt, (size_t)n, back, sizeof(back), &blen, NULL), n);
		assert_int_equal(blen, len);
		assert_memory_equal(back, payload, len);
	}
}

static void test_decode_acks_partial_and_bad(void **state)
{
	(void)state;
	char out[64];
	size_t len;
	int ack = 0;

	assert_int_equal(gdb_decode("++$OK#9a", 8, out, sizeof(out), &len, &ack), 8);
	assert_int_equal(ack, '+');
	assert_string_equal(out, "OK");
	assert_int_equal(gdb_decode("+", 1, out, sizeof(out), &len, &ack), 0);
	assert_int_equal(gdb_decode("$OK#9", 5, out, sizeof(out), &len, NULL), 0);
	assert_int_equal(gdb_decode("$OK", 3, out, sizeof(out), &len, NULL), 0);
	assert_int_equal(gdb_decode("$OK#00", 6, out, sizeof(out), &len, NULL), -EBADMSG);
	assert_int_equal(gdb_decode("$OK#zz", 6, out, sizeof(out), &len, NULL), -EBADMSG);
	assert_int_equal(gdb_decode("$OKOK#34", 8, out, 3, &len, NULL), -ENOBUFS);
}

static void test_decode_run_length(void **state)
{
	(void)state;
	char pkt[32], out[32];
	size_t len;
	/* "0* " = '0' then 3 more ('\x20' - 29) → "0000" */
	const char *body = "0* 1";
	unsigned sum = 0;

	for (const char *p = body; *p; p++)
		sum += (unsigned char)*p;
	snprintf(pkt, sizeof(pkt), "$%s#%02x", body, sum & 0xff);
	assert_true(gdb_decode(pkt, strlen(pkt), out, sizeof(out), &len, NULL) > 0);
	assert_string_equal(out, "00001");
}

static void test_hex(void **state)
{
	(void)state;
	unsigned char b[4];
	char h[9];

	assert_int_equal(gdb_hex_to_bytes("deadBEEF", b, 4), 0);
	assert_int_equal(b[0], 0xde);
	assert_int_equal(b[3], 0xef);
	gdb_bytes_to_hex(b, 4, h);
	assert_string_equal(h, "deadbeef");
	assert_int_equal(gdb_hex_to_bytes("zz", b, 1), -EBADMSG);
}

/* ---- client against a scripted stub ---- */

struct stops {
	int n;
	char last[64];
};

static void on_stop(void *arg, const char *reply)
{
	struct stops *s = arg;

	s->n++;
	snprintf(s->last, sizeof(s->last), "%s", reply);
}

/* The fake peer reads lines; the gdb client sends no newlines, so this
 * stub thread is byte oriented instead. */
struct stub {
	int fd;
	pthread_t thread;
	const char *const *script; /* pairs: expected packet payload, raw reply */
	int failed;
	char got[256];
};

static void *stub_thread(void *arg)
{
	struct stub *s = arg;
	char buf[8192], payload[8192];
	size_t len = 0, plen;

	for (int i = 0; s->script[i]; i += 2) {
		long n;

		for (;;) {
			n = gdb_decode(buf, len, payload, sizeof(payload), &plen, NULL);
			if (n != 0)
				break;
			ssize_t r = read(s->fd, buf + len, sizeof(buf) - len);

			if (r <= 0)
				return NULL;
			len += (size_t)r;
		}
		memmove(buf, buf + n, len - (size_t)n);
		len -= (size_t)n;
		if (strcmp(payload, s->script[i]) != 0) {
			s->failed = i / 2 + 1;
			snprintf(s->got, sizeof(s->got), "%.200s", payload);
			return NULL;
		}
		const char *reply = s->script[i + 1];

		if (write(s->fd, reply, strlen(reply)) < 0)
			return NULL;
	}
	return NULL;
}

static int stub_start(struct stub *s, const char *const *script)
{
	int sv[2];

	signal(SIGPIPE, SIG_IGN);
	memset(s, 0, sizeof(*s));
	s->script = script;
	socketpair(AF_UNIX, SOCK_STREAM, 0, sv);
	s->fd = sv[1];
	pthread_create(&s->thread, NULL, stub_thread, s);
	return sv[0];
}

static int stub_finish(struct stub *s)
{
	shutdown(s->fd, SHUT_RDWR);
	pthread_join(s->thread, NULL);
	close(s->fd);
	if (s->failed)
		fprintf(stderr, "stub: step %d got '%s'\n", s->failed, s->got);
	return s->failed;
}

/* 'g' reply: 16 GPRs (rax = 1, rsp = 0x1000, ...), rip, eflags, 6 segs */
#define GPR(x) x "00000000000000"
#define REGS_HEX GPR("01") GPR("02") GPR("03") GPR("04") GPR("05") GPR("06") GPR("07") \
	"0010000000000000" GPR("09") GPR("0a") GPR("0b") GPR("0c") GPR("0d") GPR("0e") GPR("0f") GPR("10") \
	"0010008181ffffff" "46020000" "10000000" "18000000" "18000000" "18000000" "00000000" "00000000"
#define REGS_NEW_RSP GPR("01") GPR("02") GPR("03") GPR("04") GPR("05") GPR("06") GPR("07") \
	"0800000000000000" GPR("09") GPR("0a") GPR("0b") GPR("0c") GPR("0d") GPR("0e") GPR("0f") GPR("10") \
	"0010008181ffffff" "46020000" "10000000" "18000000" "18000000" "18000000" "00000000" "00000000"
static char REGS_REPLY[1024];

static void test_client_memory_registers(void **state)
{
	(void)state;
	const char *const script[] = {
		/* an async stop reply arrives before the answer */
		"mffffffff81000000,4", "+$T05thread:01;#07$48656c6c#09",
		"Mffffffff81000010,2:beef", "+$OK#9a",
		"g", REGS_REPLY,
		"g", REGS_REPLY,
		"g", REGS_REPLY,
		"G" REGS_NEW_RSP, "+$OK#9a",
		"Z0,ffffffffc0001234,1", "+$OK#9a",
		"mffff,1", "+$E14#aa",
		NULL,
	};
	struct stub s;
	struct gdb g;
	struct stops st = { 0 };
	unsigned char buf[4];
	uint64_t v;
	unsigned sum = 0;

	for (const char *p = REGS_HEX; *p; p++)
		sum += (unsigned char)*p;
	snprintf(REGS_REPLY, sizeof(REGS_REPLY), "+$%s#%02x", REGS_HEX, sum & 0xff);
	int fd = stub_start(&s, script);

	gdb_init(&g, fd, on_stop, &st);
	assert_int_equal(gdb_read_mem(&g, 0xffffffff81000000ull, buf, 4, 2000), 0);
	assert_memory_equal(buf, "Hell", 4);
	assert_int_equal(st.n, 1);
	assert_string_equal(st.last, "T05thread:01;");
	assert_int_equal(gdb_write_mem(&g, 0xffffffff81000010ull, "\xbe\xef", 2, 2000), 0);
	assert_int_equal(gdb_read_reg(&g, 16, &v, 2000), 0);
	assert_int_equal(v, 0xffffff8181001000ull);
	assert_int_equal(gdb_read_reg(&g, 17, &v, 2000), 0);
	assert_int_equal(v, 0x246); /* eflags, 4 bytes */
	assert_int_equal(gdb_write_reg(&g, 7, 8, 2000), 0);
	assert_true(gdb_read_reg(&g, 99, &v, 2000) < 0);
	assert_int_equal(gdb_breakpoint(&g, true, 0xffffffffc0001234ull, 2000), 0);
	assert_true(gdb_read_mem(&g, 0xffff, buf, 1, 2000) < 0);
	gdb_close(&g);
	assert_int_equal(stub_finish(&s), 0);
}

static void test_client_resends_on_nak(void **state)
{
	(void)state;
	static const char *const script[] = {
		"?", "-",                 /* nak: the client must send it again */
		"?", "+$S05#b8",
		NULL,
	};
	struct stub s;
	struct gdb g;
	char reply[32];
	int fd = stub_start(&s, script);

	gdb_init(&g, fd, NULL, NULL);
	assert_int_equal(gdb_transact(&g, "?", reply, sizeof(reply), 2000), 3);
	assert_string_equal(reply, "S05");
	gdb_close(&g);
	assert_int_equal(stub_finish(&s), 0);
}

static void test_client_timeout(void **state)
{
	(void)state;
	static const char *const script[] = { "g", "+", NULL }; /* ack, never a reply */
	struct stub s;
	struct gdb g;
	char reply[32];
	int fd = stub_start(&s, script);

	gdb_init(&g, fd, NULL, NULL);
	assert_true(gdb_transact(&g, "g", reply, sizeof(reply), 200) < 0);
	gdb_close(&g);
	stub_finish(&s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_encode_checksum),
		cmocka_unit_test(test_encode_escapes),
		cmocka_unit_test(test_decode_roundtrip),
		cmocka_unit_test(test_decode_acks_partial_and_bad),
		cmocka_unit_test(test_decode_run_length),
		cmocka_unit_test(test_hex),
		cmocka_unit_test(test_client_memory_registers),
		cmocka_unit_test(test_client_resends_on_nak),
		cmocka_unit_test(test_client_timeout),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
