/* The main loop end to end over pipes (agent.c, commands.c): the agent runs
 * in a child process exactly as in the guest, minus the serial port. */
#include "testutil.h"

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <time.h>
#include <zlib.h>

#include "agent.h"

struct session {
	pid_t pid;
	int to_agent, from_agent;
	char buf[65536];
	size_t len;
	int heartbeats;
};

static struct session *start(void)
{
	struct session *s = calloc(1, sizeof(*s));
	int in[2], out[2];

	assert_non_null(s);
	assert_int_equal(pipe(in), 0);
	assert_int_equal(pipe(out), 0);
	s->pid = fork();
	assert_true(s->pid >= 0);
	if (s->pid == 0) {
		close(in[1]);
		close(out[0]);
		_exit(agent_serve(in[0], out[1]) == 0 ? 0 : 1);
	}
	close(in[0]);
	close(out[1]);
	s->to_agent = in[1];
	s->from_agent = out[0];
	return s;
}

static void stop(struct session *s)
{
	int status;

	close(s->to_agent);   /* EOF ends agent_serve in pipe mode */
	close(s->from_agent);
	assert_int_equal(waitpid(s->pid, &status, 0), s->pid);
	free(s);
}

static void send_str(struct session *s, const char *text)
{
	assert_int_equal(write(s->to_agent, text, strlen(text)), (ssize_t)strlen(text));
}

/* Next non-heartbeat line (static buffer), or NULL after timeout_ms. */
static const char *next_line(struct session *s, int timeout_ms)
{
	static char line[8192];

	for (;;) {
		char *nl = memchr(s->buf, '\n', s->len);
		struct pollfd p = { .fd = s->from_agent, .events = POLLIN };
		ssize_t n;

		if (nl) {
			size_t l = (size_t)(nl - s->buf);

			memcpy(line, s->buf, l);
			line[l] = '\0';
			memmove(s->buf, nl + 1, s->len - l - 1);
			s->len -= l + 1;
			if (strncmp(line, "HB ", 3) == 0) {
				s->heartbeats++;
				continue;
			}
			return line;
		}
		if (poll(&p, 1, timeout_ms) <= 0)
			return NULL;
		n = read(s->from_agent, s->buf + s->len, sizeof(s->buf) - s->len);
		if (n <= 0)
			return NULL;
		s->len += (size_t)n;
	}
}

static void expect(struct session *s, const char *want)
{
	const char *got = next_line(s, 5000);

	assert_non_null(got);
	assert_string_equal(got, want);
}

static void expect_prefix(struct session *s, const char *prefix)
{
	const char *got = next_line(s, 5000);

	assert_non_null(got);
	if (strncmp(got, prefix, strlen(prefix)) != 0)
		fail_msg("got '%s', want prefix '%s'", got, prefix);
}

static void test_ready_ping_hello(void **state)
{
	struct session *s = start();

	(void)state;
	expect_prefix(s, "READY nooks-agent 1 ");
	send_str(s, "1 ping\n");
	expect(s, "1 OK");
	send_str(s, "2 hello\r\n");
	expect_prefix(s, "READY nooks-agent 1 ");
	expect(s, "2 OK");
	send_str(s, "3 status\n");
	expect_prefix(s, "3 OK uptime_ms=");
	stop(s);
}

static void test_bad_input_gets_errors(void **state)
{
	struct session *s = start();
	char big[PROTO_LINE_MAX + 100];

	(void)state;
	expect_prefix(s, "READY");
	send_str(s, "ping\n");
	expect(s, "0 ERR EPROTO line does not start with a decimal tag");
	send_str(s, "\n   \n4 frobnicate\n");
	expect(s, "4 ERR ENOSYS unknown verb 'frobnicate'");
	send_str(s, "5 run net-basic soon\n");
	expect_prefix(s, "5 ERR EINVAL bad budget 'soon'");
	send_str(s, "6 run nope 10\n");
	expect(s, "6 ERR ENOENT unknown workload 'nope'");
	send_str(s, "7 load\n");
	expect_prefix(s, "7 ERR EINVAL usage: load");
	send_str(s, "8 ping extra\n");
	expect_prefix(s, "8 ERR EINVAL usage: ping");
	send_str(s, "9 exec 0 true\n");
	expect_prefix(s, "9 ERR EINVAL bad budget '0'");
	send_str(s, "10\n");
	expect(s, "0 ERR EPROTO missing verb");
	memset(big, 'x', sizeof(big));
	big[sizeof(big) - 1] = '\n';
	assert_int_equal(write(s->to_agent, big, sizeof(big)), (ssize_t)sizeof(big));
	expect(s, "0 ERR E2BIG line longer than 4096 bytes");
	/* Still alive and in sync. */
	send_str(s, "11 ping\n");
	expect(s, "11 OK");
	stop(s);
}

static void test_exec_output_and_exit_code(void **state)
{
	struct session *s = start();

	(void)state;
	expect_prefix(s, "READY");
	send_str(s, "1 exec 10 echo hello; echo; printf 'no-newline'; exit 3\n");
	expect(s, "1 DATA hello");
	expect(s, "1 DATA ");
	expect(s, "1 DATA no-newline");
	expect(s, "1 OK rc=3");
	/* The next command right after the final line is not refused. */
	send_str(s, "2 exec 10 echo again >&2\n");
	expect(s, "2 DATA again");
	expect(s, "2 OK rc=0");
	stop(s);
}

static void test_budget_kills_and_times_out(void **state)
{
	struct session *s = start();
	struct timespec t0, t1;
	double secs;

	(void)state;
	expect_prefix(s, "READY");
	clock_gettime(CLOCK_MONOTONIC, &t0);
	send_str(s, "1 exec 1 echo started; sleep 30; echo never\n");
	expect(s, "1 DATA started");
	send_str(s, "2 exec 5 true\n");
	expect_prefix(s, "2 ERR EBUSY exec (tag 1) is still running");
	expect(s, "1 ERR ETIMEDOUT exec exceeded its budget of 1s");
	clock_gettime(CLOCK_MONOTONIC, &t1);
	secs = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
	assert_true(secs >= 0.9 && secs < 20.0);   /* not killed: 30 s */
	/* Heartbeats kept coming while the command ran. */
	assert_true(s->heartbeats >= 1);
	send_str(s, "3 ping\n");
	expect(s, "3 OK");
	stop(s);
}

static void test_put_then_cat(void **state)
{
	struct session *s = start();
	char *dir = tu_tempdir(), cmd[1024], want[128];
	const char *payload = "nooks put test\n";
	const char *b64 = "bm9va3MgcHV0IHRlc3QK";   /* base64 of payload */
	uint32_t crc = (uint32_t)crc32(0, (const Bytef *)payload, (uInt)strlen(payload));

	(void)state;
	expect_prefix(s, "READY");
	snprintf(cmd, sizeof(cmd), "1 put %s/a/b.txt 15 %08x\n%s\n", dir, crc, b64);
	send_str(s, cmd);
	snprintf(want, sizeof(want), "1 OK size=15 crc32=%08x", crc);
	expect(s, want);

	snprintf(cmd, sizeof(cmd), "2 cat %s/a/b.txt\n", dir);
	send_str(s, cmd);
	expect(s, "2 DATA nooks put test");
	expect(s, "2 OK bytes=15");

	/* Wrong CRC: refused, and the old file stays. */
	snprintf(cmd, sizeof(cmd), "3 put %s/a/b.txt 15 deadbeef\n%s\n", dir, b64);
	send_str(s, cmd);
	snprintf(want, sizeof(want), "3 ERR EBADMSG crc mismatch: want deadbeef got %08x", crc);
	expect(s, want);

	/* A bad path with a usable size: the data is drained, then refused. */
	send_str(s, "7 put relative/path 15 0\nbm9va3MgcHV0IHRlc3QK\n8 ping\n");
	expect_prefix(s, "7 ERR EINVAL guest path must be absolute");
	expect(s, "8 OK");

	/* Short transfer cut by the next command: both get answers. */
	snprintf(cmd, sizeof(cmd), "4 put %s/c.txt 100 0\nbm9va3Mg\n5 ping\n", dir);
	send_str(s, cmd);
	expect(s, "4 ERR EBADMSG short data: 6 of 100 bytes, then a command line");
	expect(s, "5 OK");

	snprintf(cmd, sizeof(cmd), "6 cat %s/c.txt\n", dir);
	send_str(s, cmd);
	expect_prefix(s, "6 ERR ENOENT");
	stop(s);
	tu_rmtree(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ready_ping_hello),
		cmocka_unit_test(test_bad_input_gets_errors),
		cmocka_unit_test(test_exec_output_and_exit_code),
		cmocka_unit_test(test_budget_kills_and_times_out),
		cmocka_unit_test(test_put_then_cat),
	};

	signal(SIGPIPE, SIG_IGN);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
