/* nooks-report's gathering and report.md on a real database with known contents. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "report.h"

static char scratch[] = "/tmp/test_report.XXXXXX";

static void put(struct results_db *db, int64_t c, int idx, const char *mode,
		const char *type, const char *outcome, int64_t recovery_us, const char *title)
{
	struct results_trial t = {
		.campaign_id = c, .trial_index = idx, .mode = mode, .plan_json = "{}",
		.fault_type = type, .outcome = outcome, .restore_ms = RESULTS_NULL_INT,
		.workload_ms = RESULTS_NULL_INT, .total_ms = RESULTS_NULL_INT,
		.recovery_us = recovery_us, .crash_title = title, .activated = -1, .attempts = 1,
	};
	static const struct results_event ev[] = { { 1.0, "fault", "x" }, { 1.1, "recovery", "y" } };

	if (recovery_us != RESULTS_NULL_INT) {
		t.events = ev;
		t.n_events = 2;
	}
	assert_int_equal(results_trial_put(db, &t, NULL), 0);
}

/*
 * 10 paired trials: native crashes on 0..5, nooks crashes only on 0 and
 * recovers 1..5 (b = 5, c = 0); 6 and 7 are native driver failures, 7 is
 * recovered by nooks; 8..9 no effect. One harness error is not counted.
 */
static struct results_db *build(const char *path, int with_nooks)
{
	char err[512];
	struct results_db *db = results_open(path, RESULTS_OPEN_CREATE, err, sizeof(err));
	struct results_campaign camp = { .name = "t", .driver = "e1000", .config_json = "{}" };
	int64_t c;

	assert_non_null(db);
	c = results_campaign_ensure(db, &camp);
	for (int i = 0; i < 10; i++) {
		const char *type = i % 2 ? "flip" : "nop";
		const char *native = i < 6 ? "crash" : i < 8 ? "driver-failure" : "no-effect";

		put(db, c, i, "native", type, native, RESULTS_NULL_INT,
		    i < 6 ? (i < 4 ? "BUG: kernel NULL pointer dereference | e1000_clean" : "general protection fault") : NULL);
		if (!with_nooks)
			continue;
		if (i == 0)
			put(db, c, i, "nooks", type, "crash", RESULTS_NULL_INT, "kernel BUG at nooks");
		else if (i <= 5 || i == 7)
			put(db, c, i, "nooks", type, "recovered", 1000 * i, NULL);
		else
			put(db, c, i, "nooks", type, native, RESULTS_NULL_INT, NULL);
	}
	struct results_trial h = { .campaign_id = c, .trial_index = 10, .mode = "native",
		.plan_json = "{}", .outcome = "harness-error", .activated = -1, .attempts = 3,
		.restore_ms = RESULTS_NULL_INT, .workload_ms = RESULTS_NULL_INT,
		.total_ms = RESULTS_NULL_INT, .recovery_us = RESULTS_NULL_INT };
	assert_int_equal(results_trial_put(db, &h, NULL), 0);
	return db;
}

static char *slurp(const char *path)
{
	FILE *f = fopen(path, "r");
	static char buf[65536];
	size_t n;

	assert_non_null(f);
	n = fread(buf, 1, sizeof(buf) - 1, f);
	buf[n] = '\0';
	fclose(f);
	return buf;
}

static void test_gather_paired_numbers(void **state)
{
	char path[300], err[512];
	struct results_db *db;
	struct report r;

	(void)state;
	snprintf(path, sizeof(path), "%s/paired.db", scratch);
	db = build(path, 1);
	assert_int_equal(report_gather(db, -1, &r, err, sizeof(err)), 0);
	assert_int_equal(r.n_modes, 2);
	assert_string_equal(r.modes[0], "native");
	assert_int_equal(r.by_mode[0].n, 10);
	assert_int_equal(r.by_mode[0].count[outcome_index("crash")], 6);
	assert_int_equal(r.by_mode[1].count[outcome_index("recovered")], 6);
	assert_int_equal(r.harness_errors, 1);
	assert_int_equal(r.pairs, 10);
	assert_int_equal(r.both_crash, 1);
	assert_int_equal(r.native_only_crash, 5);
	assert_int_equal(r.nooks_only_crash, 0);
	assert_true(r.mcnemar.exact);
	assert_true(r.mcnemar.p > 0.0624 && r.mcnemar.p < 0.0626);	/* 2/32 */
	assert_int_equal(r.native_nonfatal, 2);
	assert_int_equal(r.nonfatal_recovered, 1);
	assert_int_equal(r.n_recovery, 6);
	assert_true(r.recovery_ms[0] == 1.0 && r.recovery_ms[5] == 7.0);
	assert_int_equal(r.nooks_recoveries, 6);
	assert_int_equal(r.n_types, 2);
	assert_int_equal(r.n_titles[0], 2);
	assert_int_equal(r.titles[0][0].count, 4);

	assert_int_equal(report_markdown(&r, scratch, 0, err, sizeof(err)), 0);
	snprintf(path, sizeof(path), "%s/report.md", scratch);
	const char *md = slurp(path);
	assert_non_null(strstr(md, "| crash | 6/10 = 60.0 % [31.3, 83.2] | 1/10 = 10.0 % [1.8, 40.4] |"));
	assert_non_null(strstr(md, "**Native crashes prevented by nooks:** 5/6 = 83.3 % [43.6, 97.0]\n"));
	assert_non_null(strstr(md, "p = 0.0625"));
	assert_non_null(strstr(md, "NULL pointer dereference \\| e1000_clean"));
	assert_non_null(strstr(md, "harness errors (VM failures, retried, not counted): 1 trials still failing"));
	if (access("/usr/bin/gnuplot", X_OK) == 0) {
		assert_int_equal(report_plots(&r, scratch, err, sizeof(err)), 0);
		snprintf(path, sizeof(path), "%s/crash_rate.png", scratch);
		assert_int_equal(access(path, R_OK), 0);
		snprintf(path, sizeof(path), "%s/recovery_cdf.svg", scratch);
		assert_int_equal(access(path, R_OK), 0);
	}
	report_free(&r);
	results_close(db);
}

static void test_native_only_campaign(void **state)
{
	char path[300], err[512];
	struct results_db *db;
	struct report r;

	(void)state;
	snprintf(path, sizeof(path), "%s/native.db", scratch);
	db = build(path, 0);
	assert_int_equal(report_gather(db, -1, &r, err, sizeof(err)), 0);
	assert_int_equal(r.n_modes, 1);
	assert_false(r.has_pairs);
	assert_int_equal(r.n_recovery, 0);
	assert_int_equal(report_markdown(&r, scratch, 0, err, sizeof(err)), 0);
	snprintf(path, sizeof(path), "%s/report.md", scratch);
	assert_non_null(strstr(slurp(path), "Not available: the campaign has no trial index run in both"));
	report_free(&r);
	results_close(db);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_gather_paired_numbers),
		cmocka_unit_test(test_native_only_campaign),
	};
	int rc;

	if (!mkdtemp(scratch))
		return 1;
	rc = cmocka_run_group_tests(tests, NULL, NULL);
	if (getenv("NOOKS_TEST_KEEP"))	/* to look at the plots */
		fprintf(stderr, "kept %s\n", scratch);
	else if (rc == 0) {
		char cmd[300];

		snprintf(cmd, sizeof(cmd), "rm -rf '%s'", scratch);
		if (system(cmd) != 0)
			return 1;
	}
	return rc;
}
