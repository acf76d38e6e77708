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

/* A new database at path with one campaign; *campaign gets its id. */
static struct results_db *new_campaign(const char *path, const char *name, int64_t *campaign)
{
	char err[512];
	struct results_db *db = results_open(path, RESULTS_OPEN_CREATE, err, sizeof(err));
	struct results_campaign camp = { .name = name, .driver = "e1000", .config_json = "{}" };

	assert_non_null(db);
	*campaign = results_campaign_ensure(db, &camp);
	assert_true(*campaign > 0);
	return db;
}

/*
 * 10 paired trials: native crashes on 0..5, nooks crashes only on 0 and
 * recovers 1..5 (b = 5, c = 0); 6 and 7 are native driver failures, 7 is
 * recovered by nooks; 8..9 no effect. One harness error is not counted.
 */
static struct results_db *build(const char *path, int with_nooks)
{
	int64_t c;
	struct results_db *db = new_campaign(path, "t", &c);

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

/* report.md of r, written into scratch and read back (valid until the next slurp). */
static const char *markdown_of(const struct report *r)
{
	char path[300], err[512];

	assert_int_equal(report_markdown(r, scratch, 0, err, sizeof(err)), 0);
	snprintf(path, sizeof(path), "%s/report.md", scratch);
	return slurp(path);
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
	assert_int_equal(r.n_cmp, 1);
	const struct pair_cmp *c = report_pair(&r, "native", "nooks");
	assert_non_null(c);
	assert_null(report_pair(&r, "nooks", "native"));
	assert_int_equal(c->both_crash, 1);
	assert_int_equal(c->a_only_crash, 5);
	assert_int_equal(c->b_only_crash, 0);
	assert_true(c->mcnemar.exact);
	assert_true(c->mcnemar.p > 0.0624 && c->mcnemar.p < 0.0626);	/* 2/32 */
	assert_int_equal(c->a_nonfatal, 2);
	assert_int_equal(c->nonfatal_recovered, 1);
	assert_int_equal(r.n_recovery[1], 6);
	assert_int_equal(r.n_recovery[0], 0);
	assert_true(r.recovery_ms[1][0] == 1.0 && r.recovery_ms[1][5] == 7.0);
	assert_int_equal(r.recoveries[1], 6);
	assert_int_equal(r.n_types, 2);
	assert_int_equal(r.n_titles[0], 2);
	assert_int_equal(r.titles[0][0].count, 4);

	const char *md = markdown_of(&r);
	assert_non_null(strstr(md, "| crash | 6/10 = 60.0 % [31.3, 83.2] | 1/10 = 10.0 % [1.8, 40.4] |"));
	assert_non_null(strstr(md, "**Native crashes prevented by nooks:** 5/6 = 83.3 % [43.6, 97.0]\n"));
	assert_non_null(strstr(md, "p = 0.0625"));
	assert_non_null(strstr(md, "NULL pointer dereference \\| e1000_clean"));
	assert_non_null(strstr(md, "harness errors (VM failures, retried, not counted): 1 trials still failing"));
	/* two modes: no three-way summary, one comparison */
	assert_null(strstr(md, "## Crash rate per mode"));
	assert_null(strstr(md, "nooks-pt"));
	assert_non_null(strstr(md, "| nooks | 6 | 1.00 ms | 3.50 ms |"));
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
	assert_int_equal(r.n_cmp, 0);
	assert_int_equal(r.n_recovery[0], 0);
	assert_int_equal(report_markdown(&r, scratch, 0, err, sizeof(err)), 0);
	snprintf(path, sizeof(path), "%s/report.md", scratch);
	assert_non_null(strstr(slurp(path), "Not available: the campaign has no trial index run in both"));
	report_free(&r);
	results_close(db);
}

/*
 * Three modes on the same 12 trial indices:
 *   native   crash 0..7, driver-failure 8, 9, no-effect 10, 11
 *   nooks    crash 0..2, recovered 3..8, driver-failure 9, no-effect 10, 11
 *   nooks-pt crash 0 and 10, recovered 1..9, no-effect 11
 * so native/nooks b=5 c=0, native/nooks-pt b=7 c=1, nooks/nooks-pt b=2 c=1.
 */
static struct results_db *build_three(const char *path)
{
	int64_t c;
	struct results_db *db = new_campaign(path, "three", &c);

	for (int i = 0; i < 12; i++) {
		const char *type = i % 3 ? "flip" : "nop";
		const char *nooks = i < 3 ? "crash" : i <= 8 ? "recovered" : i == 9 ? "driver-failure" : "no-effect";
		const char *pt = i == 0 || i == 10 ? "crash" : i <= 9 ? "recovered" : "no-effect";

		/* nooks-pt first: the order rows arrive in must not matter */
		put(db, c, i, "nooks-pt", type, pt, strcmp(pt, "recovered") == 0 ? 500 * i : RESULTS_NULL_INT,
		    i == 10 ? "BUG: unable to handle page fault" : NULL);
		put(db, c, i, "native", type, i < 8 ? "crash" : i < 10 ? "driver-failure" : "no-effect",
		    RESULTS_NULL_INT, i < 8 ? "general protection fault" : NULL);
		put(db, c, i, "nooks", type, nooks, strcmp(nooks, "recovered") == 0 ? 1000 * i : RESULTS_NULL_INT,
		    NULL);
	}
	return db;
}

static void test_three_modes(void **state)
{
	char path[300], err[512];
	struct results_db *db;
	const struct pair_cmp *c;
	struct report r;

	(void)state;
	snprintf(path, sizeof(path), "%s/three.db", scratch);
	db = build_three(path);
	assert_int_equal(report_gather(db, -1, &r, err, sizeof(err)), 0);
	assert_int_equal(r.n_modes, 3);
	assert_string_equal(r.modes[0], "native");
	assert_string_equal(r.modes[1], "nooks");
	assert_string_equal(r.modes[2], "nooks-pt");
	assert_int_equal(r.by_mode[0].count[outcome_index("crash")], 8);
	assert_int_equal(r.by_mode[1].count[outcome_index("crash")], 3);
	assert_int_equal(r.by_mode[2].count[outcome_index("crash")], 2);
	assert_int_equal(r.n_cmp, 3);
	assert_int_equal(r.pairs, 36);

	c = report_pair(&r, "native", "nooks");
	assert_non_null(c);
	assert_int_equal(c->pairs, 12);
	assert_int_equal(c->both_crash, 3);
	assert_int_equal(c->a_only_crash, 5);
	assert_int_equal(c->b_only_crash, 0);
	assert_true(c->mcnemar.p > 0.0624 && c->mcnemar.p < 0.0626);	/* 2 * 2^-5 */
	assert_int_equal(c->a_nonfatal, 2);
	assert_int_equal(c->nonfatal_recovered, 1);

	c = report_pair(&r, "native", "nooks-pt");
	assert_non_null(c);
	assert_int_equal(c->both_crash, 1);
	assert_int_equal(c->a_only_crash, 7);
	assert_int_equal(c->b_only_crash, 1);
	assert_true(c->mcnemar.exact);
	assert_true(c->mcnemar.p > 0.07031 && c->mcnemar.p < 0.07032);	/* 2 * 9/256 */
	assert_int_equal(c->nonfatal_recovered, 2);

	c = report_pair(&r, "nooks", "nooks-pt");
	assert_non_null(c);
	assert_int_equal(c->both_crash, 1);
	assert_int_equal(c->a_only_crash, 2);
	assert_int_equal(c->b_only_crash, 1);
	assert_true(c->mcnemar.p > 0.999 && c->mcnemar.p <= 1.0);
	assert_int_equal(c->a_nonfatal, 1);		/* nooks' driver-failure on 9 */
	assert_int_equal(c->nonfatal_recovered, 1);

	/* recovery per mode, never mixed */
	assert_int_equal(r.n_recovery[0], 0);
	assert_int_equal(r.n_recovery[1], 6);
	assert_int_equal(r.n_recovery[2], 9);
	assert_true(r.recovery_ms[1][0] == 3.0 && r.recovery_ms[2][0] == 0.5 && r.recovery_ms[2][8] == 4.5);
	assert_int_equal(r.faults_detected[2], 9);
	assert_int_equal(r.recoveries[1], 6);

	const char *md = markdown_of(&r);
	assert_non_null(strstr(md, "## Crash rate per mode\n"));
	assert_non_null(strstr(md, "| nooks-pt | 12 | 2 | 2/12 = 16.7 % [4.7, 44.8] |\n"));
	assert_non_null(strstr(md, "| native vs nooks | 12 | 3 | 5 | 0 | 0.0625 (exact) |\n"));
	assert_non_null(strstr(md, "| native vs nooks-pt | 12 | 1 | 7 | 1 | 0.07031 (exact) |\n"));
	assert_non_null(strstr(md, "| nooks vs nooks-pt | 12 | 1 | 2 | 1 | 1 (exact) |\n"));
	assert_non_null(strstr(md, "## Paired comparison: native vs nooks-pt\n"));
	assert_non_null(strstr(md, "**Native crashes prevented by nooks-pt:** 7/8 = 87.5 %"));
	assert_non_null(strstr(md, "**Nooks crashes prevented by nooks-pt:** 2/3 = 66.7 %"));
	assert_non_null(strstr(md, "| crash | 8/12 = 66.7 % [39.1, 86.2] | 3/12 = 25.0 % [8.9, 53.2] | 2/12 = 16.7 % [4.7, 44.8] |"));
	assert_non_null(strstr(md, "| nooks-pt | 9 | 0.50 ms |"));
	assert_non_null(strstr(md, "nooks-pt: trials in which nooks reported a driver fault: 9; with a recovery event: 9."));
	if (access("/usr/bin/gnuplot", X_OK) == 0) {
		char *gp;

		assert_int_equal(report_plots(&r, scratch, err, sizeof(err)), 0);
		snprintf(path, sizeof(path), "%s/plots.gp", scratch);
		gp = slurp(path);
		/* three bars per cluster, one CDF per nooks mode */
		assert_non_null(strstr(gp, "title 'nooks-pt' lc rgb '#984ea3'"));
		assert_non_null(strstr(gp, "index 1 using 1:2 with steps lw 2 lc rgb '#984ea3' title 'nooks-pt (n=9)'"));
		snprintf(path, sizeof(path), "%s/crash_rate.dat", scratch);
		assert_non_null(strstr(slurp(path), "type native lo hi nooks lo hi nooks-pt lo hi\n"));
		snprintf(path, sizeof(path), "%s/recovery_cdf.png", scratch);
		assert_int_equal(access(path, R_OK), 0);
	}
	report_free(&r);
	results_close(db);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_gather_paired_numbers),
		cmocka_unit_test(test_native_only_campaign),
		cmocka_unit_test(test_three_modes),
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
