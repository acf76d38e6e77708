/* Helpers of the workload that run on any host: spawning with deadlines
 * (spawn.c), the TCP echo pair over 127.0.0.1 (echo.c), ICMP checksums. */
#include "testutil.h"

#include <signal.h>
#include <sys/wait.h>
#include <time.h>

#include "echo.h"
#include "icmp.h"
#include "spawn.h"

static double seconds_since(const struct timespec *t0)
{
	struct timespec t1;

	clock_gettime(CLOCK_MONOTONIC, &t1);
	return (double)(t1.tv_sec - t0->tv_sec) + (double)(t1.tv_nsec - t0->tv_nsec) / 1e9;
}

static void test_spawn_captures_output_and_exit_code(void **state)
{
	char *argv[] = { "sh", "-c", "echo out; echo err >&2; exit 4", NULL };
	struct spawn_opts o = { .timeout_ms = 5000 };
	struct spawn_result r;

	(void)state;
	assert_int_equal(spawn_run(argv, &o, &r), 0);
	assert_false(r.timed_out);
	assert_int_equal(r.exit_code, 4);
	assert_string_equal(r.output, "out\nerr\n");
	spawn_result_free(&r);
}

static void test_spawn_kills_on_timeout(void **state)
{
	char *argv[] = { "sleep", "60", NULL };
	struct spawn_opts o = { .timeout_ms = 300 };
	struct spawn_result r;
	struct timespec t0;

	(void)state;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	assert_int_equal(spawn_run(argv, &o, &r), 0);
	assert_true(r.timed_out);
	assert_int_equal(r.exit_code, 128 + SIGKILL);
	/* Loose bound: the host may be busy; not killed would be 60 s. */
	assert_true(seconds_since(&t0) < 20.0);
	spawn_result_free(&r);
}

static void test_spawn_respects_the_global_deadline(void **state)
{
	char *argv[] = { "sleep", "60", NULL };
	struct spawn_opts o = { .timeout_ms = 10000 };
	struct spawn_result r;
	struct timespec t0, now;

	(void)state;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	now = t0;
	spawn_set_deadline((long long)now.tv_sec * 1000 + now.tv_nsec / 1000000 + 300);
	assert_int_equal(spawn_run(argv, &o, &r), 0);
	spawn_set_deadline(0);
	assert_true(r.timed_out);
	assert_true(seconds_since(&t0) < 20.0);
	spawn_result_free(&r);
}

static void test_spawn_missing_program_and_output_limit(void **state)
{
	char *missing[] = { "/nonexistent/program", NULL };
	char *loud[] = { "sh", "-c", "yes | head -c 100000", NULL };
	struct spawn_opts o = { .timeout_ms = 5000, .max_output = 1000 };
	struct spawn_result r;

	(void)state;
	assert_int_equal(spawn_run(missing, &o, &r), 0);
	assert_int_equal(r.exit_code, 127);
	spawn_result_free(&r);
	assert_int_equal(spawn_run(loud, &o, &r), 0);
	assert_int_equal(r.exit_code, 0);
	assert_int_equal(r.output_len, 1000);
	spawn_result_free(&r);
}

/* Returns after a background sh has finished: the helper's pipe must not
 * keep spawn_run waiting. */
static void test_spawn_does_not_wait_for_background_children(void **state)
{
	char *argv[] = { "sh", "-c", "sleep 25 & echo started", NULL };
	struct spawn_opts o = { .timeout_ms = 10000 };
	struct spawn_result r;
	struct timespec t0;

	(void)state;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	assert_int_equal(spawn_run(argv, &o, &r), 0);
	assert_false(r.timed_out);
	assert_string_equal(r.output, "started\n");
	assert_true(seconds_since(&t0) < 20.0);
	spawn_result_free(&r);
}

static void test_echo_round_trip_on_loopback(void **state)
{
	int port = 20000 + (int)(getpid() % 20000);
	struct echo_stats st;
	pid_t server;
	int rc = -1;

	(void)state;
	server = fork();
	assert_true(server >= 0);
	if (server == 0)
		_exit(echo_server_run("127.0.0.1", port) == 0 ? 0 : 1);
	for (int i = 0; i < 250 && rc != 0; i++) {   /* until it listens */
		usleep(20000);
		rc = echo_roundtrip("127.0.0.1", port, 256 * 1024, 42, 5000, &st);
	}
	kill(server, SIGKILL);
	waitpid(server, NULL, 0);
	assert_int_equal(rc, 0);
	assert_null(st.error);
	assert_int_equal(st.received, 256 * 1024);
	assert_true(st.mismatch_at == -1);
}

static void test_echo_reports_refused_connections(void **state)
{
	struct echo_stats st;

	(void)state;
	/* Port 1 on loopback: nothing listens there in a test environment. */
	assert_int_equal(echo_roundtrip("127.0.0.1", 1, 1024, 1, 2000, &st), -1);
	assert_non_null(st.error);
	assert_int_equal(echo_roundtrip("not-an-ip", 7, 1024, 1, 2000, &st), -1);
	assert_string_equal(st.error, "bad-address");
	assert_int_equal(echo_server_run("bogus", 7), -1);
}

static void test_pattern_is_deterministic(void **state)
{
	uint8_t a[64], b[64], c[64];

	(void)state;
	echo_fill_pattern(a, sizeof(a), 7);
	echo_fill_pattern(b, sizeof(b), 7);
	echo_fill_pattern(c, sizeof(c), 8);
	assert_memory_equal(a, b, sizeof(a));
	assert_memory_not_equal(a, c, sizeof(a));
}

static void test_icmp_checksum(void **state)
{
	/* RFC 1071 example words 0001 f203 f4f5 f6f7: sum ddf2, checksum 220d. */
	const uint8_t words[] = { 0x00, 0x01, 0xf2, 0x03, 0xf4, 0xf5, 0xf6, 0xf7 };
	unsigned short c = icmp_checksum(words, sizeof(words));
	const uint8_t *cb = (const uint8_t *)&c;

	(void)state;
	assert_int_equal(cb[0], 0x22);
	assert_int_equal(cb[1], 0x0d);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_spawn_captures_output_and_exit_code),
		cmocka_unit_test(test_spawn_kills_on_timeout),
		cmocka_unit_test(test_spawn_respects_the_global_deadline),
		cmocka_unit_test(test_spawn_missing_program_and_output_limit),
		cmocka_unit_test(test_spawn_does_not_wait_for_background_children),
		cmocka_unit_test(test_echo_round_trip_on_loopback),
		cmocka_unit_test(test_echo_reports_refused_connections),
		cmocka_unit_test(test_pattern_is_deterministic),
		cmocka_unit_test(test_icmp_checksum),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
