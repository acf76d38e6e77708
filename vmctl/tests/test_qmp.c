// SPDX-License-Identifier: MIT
/* test_qmp.c — the QMP client against a scripted QEMU. */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "fakepeer.h"
#include "qmp.h"
#include "vmctl.h"

#define GREETING "{\"QMP\": {\"version\": {\"qemu\": {\"micro\": 22, \"minor\": 2, \"major\": 7}, \"package\": \"\"}, \"capabilities\": [\"oob\"]}}\r\n"
#define CAPS_OK  "{\"return\": {}, \"id\": 1}\r\n"

struct events {
	char names[8][32];
	int n;
};

static void record_event(void *arg, const char *event, json_t *data)
{
	struct events *e = arg;

	(void)data;
	if (e->n < 8)
		snprintf(e->names[e->n++], sizeof(e->names[0]), "%s", event);
}

static void test_greeting_and_capabilities(void **state)
{
	(void)state;
	static const struct peer_step steps[] = {
		{ .send = GREETING },
		{ .expect = "\"execute\":\"qmp_capabilities\"", .send = CAPS_OK },
		{ 0 },
	};
	struct fakepeer p;
	struct qmp q;
	int fd = fakepeer_start(&p, steps);

	assert_int_equal(qmp_open(&q, fd, 2000, NULL, NULL), 0);
	assert_string_equal(q.version, "7.2.22");
	qmp_close(&q);
	assert_int_equal(fakepeer_finish(&p), -1);
}

static void test_command_response(void **state)
{
	(void)state;
	static const struct peer_step steps[] = {
		{ .send = GREETING },
		{ .expect = "qmp_capabilities", .send = CAPS_OK },
		{ .expect = "\"execute\":\"query-status\"",
		  .send = "{\"return\": {\"status\": \"running\", \"running\": true}, \"id\": 2}\r\n" },
		{ 0 },
	};
	struct fakepeer p;
	struct qmp q;
	json_t *ret;
	int fd = fakepeer_start(&p, steps);

	assert_int_equal(qmp_open(&q, fd, 2000, NULL, NULL), 0);
	assert_int_equal(qmp_execute(&q, "query-status", NULL, &ret, 2000, -1), 0);
	assert_string_equal(json_string_value(json_object_get(ret, "status")), "running");
	json_decref(ret);
	qmp_close(&q);
	assert_int_equal(fakepeer_finish(&p), -1);
}

static void test_events_between_command_and_reply(void **state)
{
	(void)state;
	static const struct peer_step steps[] = {
		{ .send = "{\"return\": {}}\r\n" GREETING },
		{ 0 },
	};
	struct fakepeer p;
	struct qmp q;
	struct events ev = { .n = 0 };
	int fd = fakepeer_start(&p, steps);

	/* Something other than a greeting first is a protocol error. */
	assert_int_equal(qmp_open(&q, fd, 2000, record_event, &ev), -EPROTO);
	qmp_close(&q);
	fakepeer_finish(&p);

	static const struct peer_step steps2[] = {
		{ .send = GREETING },
		{ .expect = "qmp_capabilities", .send = CAPS_OK },
		{ .expect = "\"stop\"",
		  .send = "{\"timestamp\": {\"seconds\": 1}, \"event\": \"STOP\"}\r\n"
			  "{\"event\": \"GUEST_PANICKED\", \"data\": {\"action\": \"pause\"}}\r\n"
			  "{\"return\": {}, \"id\": 2}\r\n"
			  "{\"event\": \"SHUTDOWN\", \"data\": {\"guest\": true}}\r\n" },
		{ 0 },
	};
	fd = fakepeer_start(&p, steps2);
	assert_int_equal(qmp_open(&q, fd, 2000, record_event, &ev), 0);
	assert_int_equal(qmp_execute(&q, "stop", NULL, NULL, 2000, -1), 0);
	assert_int_equal(ev.n, 2); /* the ones before the reply */
	assert_string_equal(ev.names[0], "STOP");
	assert_string_equal(ev.names[1], "GUEST_PANICKED");
	assert_int_equal(qmp_poll(&q, 500), 0); /* the one after */
	assert_int_equal(ev.n, 3);
	assert_string_equal(ev.names[2], "SHUTDOWN");
	qmp_close(&q);
	assert_int_equal(fakepeer_finish(&p), -1);
}

static void test_error_reply(void **state)
{
	(void)state;
	static const struct peer_step steps[] = {
		{ .send = GREETING },
		{ .expect = "qmp_capabilities", .send = CAPS_OK },
		{ .expect = "bogus",
		  .send = "{\"id\": 2, \"error\": {\"class\": \"CommandNotFound\", \"desc\": \"The command bogus has not been found\"}}\r\n" },
		{ 0 },
	};
	struct fakepeer p;
	struct qmp q;
	json_t *ret = (json_t *)1;
	int fd = fakepeer_start(&p, steps);

	assert_int_equal(qmp_open(&q, fd, 2000, NULL, NULL), 0);
	assert_int_equal(qmp_execute(&q, "bogus", json_object(), &ret, 2000, -1), -EIO);
	assert_null(ret);
	assert_non_null(strstr(vm_error(), "CommandNotFound"));
	assert_non_null(strstr(vm_error(), "has not been found"));
	qmp_close(&q);
	assert_int_equal(fakepeer_finish(&p), -1);
}

static void test_garbage_and_stale_replies(void **state)
{
	(void)state;
	static const struct peer_step steps[] = {
		{ .send = "garbage before\r\n" GREETING },
		{ .expect = "qmp_capabilities", .send = "[1,2,3]\r\n{\"unterminated\": \r\n" CAPS_OK },
		{ .expect = "query-status",
		  .send = "{\"return\": {\"stale\": true}, \"id\": 77}\r\n\x01\x02\xff\r\n"
			  "{\"return\": {\"status\": \"paused\"}, \"id\": 2}\r\n" },
		{ 0 },
	};
	struct fakepeer p;
	struct qmp q;
	json_t *ret;
	int fd = fakepeer_start(&p, steps);

	assert_int_equal(qmp_open(&q, fd, 2000, NULL, NULL), 0);
	assert_int_equal(qmp_execute(&q, "query-status", NULL, &ret, 2000, -1), 0);
	assert_string_equal(json_string_value(json_object_get(ret, "status")), "paused");
	json_decref(ret);
	assert_int_equal(q.garbage_lines, 4);
	qmp_close(&q);
	assert_int_equal(fakepeer_finish(&p), -1);
}

static void test_timeout_and_hangup(void **state)
{
	(void)state;
	static const struct peer_step steps[] = {
		{ .send = GREETING },
		{ .expect = "qmp_capabilities", .send = CAPS_OK },
		{ .expect = "query-status" }, /* never answered */
		{ 0 },
	};
	struct fakepeer p;
	struct qmp q;
	int fd = fakepeer_start(&p, steps);

	assert_int_equal(qmp_open(&q, fd, 2000, NULL, NULL), 0);
	assert_int_equal(qmp_execute(&q, "query-status", NULL, NULL, 200, -1), -ETIMEDOUT);
	fakepeer_finish(&p); /* closes the peer side */
	int r = qmp_execute(&q, "query-status", NULL, NULL, 1000, -1);

	assert_true(r == -EPIPE || r == -ECONNRESET); /* and no SIGPIPE */
	qmp_close(&q);

	static const struct peer_step silent[] = { { .delay_ms = 1, .send = "" }, { 0 } };

	fd = fakepeer_start(&p, silent);
	assert_int_equal(qmp_open(&q, fd, 100, NULL, NULL), -ETIMEDOUT);
	qmp_close(&q);
	fakepeer_finish(&p);
}

/* getfd: the fd must travel as SCM_RIGHTS with the command. */
static void test_fd_passing(void **state)
{
	(void)state;
	int sv[2];
	struct qmp q;
	char buf[512];
	char control[CMSG_SPACE(sizeof(int))];
	struct iovec iov = { .iov_base = buf, .iov_len = sizeof(buf) - 1 };
	struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = control,
			      .msg_controllen = sizeof(control) };

	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
	memset(&q, 0, sizeof(q));
	q.fd = sv[0];
	q.next_id = 5;
	linebuf_init(&q.lb);
	/* the reply is queued first so qmp_execute returns at once */
	const char *reply = "{\"return\": {}, \"id\": 5}\r\n";

	assert_int_equal(write(sv[1], reply, strlen(reply)), (ssize_t)strlen(reply));
	int devnull = open("/dev/null", O_RDONLY);

	assert_int_equal(qmp_execute(&q, "getfd", json_pack("{s:s}", "fdname", "x"), NULL, 1000,
				     devnull), 0);
	ssize_t n = recvmsg(sv[1], &msg, 0);

	assert_true(n > 0);
	buf[n] = '\0';
	assert_non_null(strstr(buf, "\"getfd\""));
	struct cmsghdr *c = CMSG_FIRSTHDR(&msg);

	assert_non_null(c);
	assert_int_equal(c->cmsg_type, SCM_RIGHTS);
	int got;

	memcpy(&got, CMSG_DATA(c), sizeof(int));
	assert_true(fcntl(got, F_GETFD) >= 0);
	close(got);
	close(devnull);
	close(sv[0]);
	close(sv[1]);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_greeting_and_capabilities),
		cmocka_unit_test(test_command_response),
		cmocka_unit_test(test_events_between_command_and_reply),
		cmocka_unit_test(test_error_reply),
		cmocka_unit_test(test_garbage_and_stale_replies),
		cmocka_unit_test(test_timeout_and_hangup),
		cmocka_unit_test(test_fd_passing),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
