/* Unit tests of libresults on real SQLite files in a scratch directory. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#include "results.h"

static char scratch[] = "/tmp/test_results.XXXXXX";

static const char *db_path(const char *name)
{
	static char buf[8][256];
	static int next;
	char *p = buf[next++ % 8];

	snprintf(p, 256, "%s/%s", scratch, name);
	return p;
}

static struct results_db *open_ok(const char *path)
{
	char err[1024];
	struct results_db *db = results_open(path, RESULTS_OPEN_CREATE, err, sizeof(err));

	if (!db)
		fail_msg("open %s: %s", path, err);
	return db;
}

static int table_exists(struct results_db *db, const char *name)
{
	sqlite3_stmt *st;
	int found;

	assert_int_equal(sqlite3_prepare_v2(results_sqlite(db),
					    "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?",
					    -1, &st, NULL), SQLITE_OK);
	sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
	found = sqlite3_step(st) == SQLITE_ROW;
	sqlite3_finalize(st);
	return found;
}

static int64_t count(struct results_db *db, const char *sql)
{
	sqlite3_stmt *st;
	int64_t n = -1;

	assert_int_equal(sqlite3_prepare_v2(results_sqlite(db), sql, -1, &st, NULL), SQLITE_OK);
	if (sqlite3_step(st) == SQLITE_ROW)
		n = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return n;
}

static const struct results_campaign campaign_a = {
	.name = "e1000-test", .driver = "e1000",
	.config_json = "{\"faults_per_trial\":5,\"seed\":7,\"trials\":6}",
	.kernel_version = "6.1.0-test", .driver_sha256 = "ab12",
};

static const char console_text[] = "[    1.0] hello, \"console\"\n";

/* A deterministic synthetic trial: outcome depends on index and mode. */
static struct results_trial make_trial(int64_t campaign, int64_t idx, const char *mode)
{
	static const struct results_event ev[] = {
		{ 12.5, "fault", "page fault at e1000_xmit_frame+0x10" },
		{ 12.6, "recovery", "restarted in 1500 us" },
	};
	static const struct results_step steps[] = {
		{ "link-up", 1, NULL }, { "ping", 1, "rtt_us=812" }, { "tcp-tx", 0, "err=EIO" },
	};
	static char plan[8][128];
	static int next;
	char *p = plan[next++ % 8];
	int nooks = strcmp(mode, "native") != 0;

	snprintf(p, 128, "{\"seed\":%lld,\"faults\":[{\"type\":\"flip\",\"offset\":%lld}]}",
		 (long long)(1000 + idx), (long long)(idx * 16));
	return (struct results_trial){
		.campaign_id = campaign, .trial_index = idx, .mode = mode,
		.plan_json = p, .fault_type = idx % 2 ? "flip" : "nop",
		.outcome = idx % 3 == 0 ? (nooks ? "recovered" : "crash") : "no-effect",
		.sub_reason = idx % 3 == 0 && !nooks ? "panic" : NULL,
		.restore_ms = 100 + idx, .workload_ms = 2000, .total_ms = 2500,
		.recovery_us = idx % 3 == 0 && nooks ? 1500 : RESULTS_NULL_INT,
		.crash_title = idx % 3 == 0 && !nooks ? "BUG: unable to handle page fault, in e1000_xmit_frame" : NULL,
		.activated = idx % 2 ? 1 : -1, .attempts = 1,
		.events = nooks && idx % 3 == 0 ? ev : NULL, .n_events = nooks && idx % 3 == 0 ? 2 : 0,
		.steps = steps, .n_steps = 3,
		.console = console_text, .console_len = sizeof(console_text) - 1,
	};
}

static void fill(struct results_db *db, int parity)	/* parity -1: all */
{
	int64_t c = results_campaign_ensure(db, &campaign_a);

	assert_true(c > 0);
	for (int i = 0; i < 6; i++) {
		if (parity >= 0 && i % 2 != parity)
			continue;
		for (int m = 0; m < 2; m++) {
			struct results_trial t = make_trial(c, i, m ? "nooks" : "native");

			assert_int_equal(results_trial_put(db, &t, NULL), 0);
		}
	}
}

static char *export_text(struct results_db *db, int flags)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	assert_int_equal(results_export_csv(db, -1, flags, f), 0);
	fclose(f);
	return buf;
}

/* ---- schema and migrations ---- */

static void test_fresh_database_has_current_schema(void **state)
{
	struct results_db *db = open_ok(db_path("fresh.db"));

	(void)state;
	assert_int_equal(results_user_version(db), RESULTS_SCHEMA_VERSION);
	assert_true(table_exists(db, "campaigns"));
	assert_true(table_exists(db, "trials"));
	assert_true(table_exists(db, "events"));
	assert_true(table_exists(db, "consoles"));
	assert_true(table_exists(db, "steps"));
	assert_int_equal(count(db, "PRAGMA foreign_keys"), 1);
	results_close(db);
	/* Reopening must not re-run migrations (they would fail on existing tables). */
	db = open_ok(db_path("fresh.db"));
	assert_int_equal(results_user_version(db), RESULTS_SCHEMA_VERSION);
	results_close(db);
}

static void test_upgrade_from_v1_keeps_rows(void **state)
{
	char err[1024];
	struct results_db *db = results_open(db_path("v1.db"),
					     RESULTS_OPEN_CREATE | RESULTS_OPEN_NO_MIGRATE,
					     err, sizeof(err));
	(void)state;
	assert_non_null(db);
	assert_int_equal(results_migrate_to(db, 1), 0);
	assert_int_equal(results_user_version(db), 1);
	assert_false(table_exists(db, "steps"));
	assert_int_equal(sqlite3_exec(results_sqlite(db),
				      "INSERT INTO campaigns (name, driver, config) VALUES ('old', 'e1000', '{}');"
				      "INSERT INTO trials (campaign_id, trial_index, mode, plan, outcome)"
				      " VALUES (1, 0, 'native', '{}', 'crash');", NULL, NULL, NULL), SQLITE_OK);
	results_close(db);

	db = open_ok(db_path("v1.db"));
	assert_int_equal(results_user_version(db), 2);
	assert_true(table_exists(db, "steps"));
	assert_int_equal(count(db, "SELECT count(*) FROM trials WHERE outcome = 'crash'"), 1);
	assert_int_equal(results_trial_done(db, 1, 0, "native"), 1);
	results_close(db);
}

static void test_newer_schema_is_refused(void **state)
{
	char err[1024];
	sqlite3 *raw;
	struct results_db *db;

	(void)state;
	assert_int_equal(sqlite3_open(db_path("future.db"), &raw), SQLITE_OK);
	assert_int_equal(sqlite3_exec(raw, "PRAGMA user_version = 99", NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(raw);
	db = results_open(db_path("future.db"), RESULTS_OPEN_CREATE, err, sizeof(err));
	assert_null(db);
	assert_non_null(strstr(err, "newer"));
	assert_non_null(strstr(err, "99"));
	db = results_open(db_path("future.db"), RESULTS_OPEN_READONLY, err, sizeof(err));
	assert_null(db);
	assert_non_null(strstr(err, "newer"));
}

static void test_bad_paths_give_clear_errors(void **state)
{
	char err[1024];
	FILE *f;

	(void)state;
	assert_null(results_open("/nonexistent-dir/x.db", RESULTS_OPEN_CREATE, err, sizeof(err)));
	assert_non_null(strstr(err, "cannot create database"));
	assert_null(results_open(db_path("missing.db"), RESULTS_OPEN_READONLY, err, sizeof(err)));
	assert_non_null(strstr(err, "cannot read"));
	f = fopen(db_path("garbage.db"), "w");
	fputs("this is not an sqlite database, just some text that is long enough......\n", f);
	fclose(f);
	assert_null(results_open(db_path("garbage.db"), RESULTS_OPEN_CREATE, err, sizeof(err)));
	assert_non_null(strstr(err, "not a database"));
	if (geteuid() != 0) {	/* root ignores file modes */
		f = fopen(db_path("ro.db"), "w");
		fclose(f);
		chmod(db_path("ro.db"), 0444);
		assert_null(results_open(db_path("ro.db"), RESULTS_OPEN_CREATE, err, sizeof(err)));
		assert_non_null(strstr(err, "not writable"));
	}
}

/* ---- trials ---- */

static void test_trial_roundtrip_and_uniqueness(void **state)
{
	struct results_db *db = open_ok(db_path("trials.db"));
	int64_t c = results_campaign_ensure(db, &campaign_a), id;
	struct results_trial t = make_trial(c, 3, "nooks");
	sqlite3_stmt *st;
	char *console;

	(void)state;
	assert_true(c > 0);
	assert_int_equal(results_campaign_ensure(db, &campaign_a), c);
	assert_int_equal(results_trial_done(db, c, 3, "nooks"), 0);
	assert_int_equal(results_trial_put(db, &t, &id), 0);
	assert_int_equal(results_trial_done(db, c, 3, "nooks"), 1);
	assert_int_equal(results_trial_done(db, c, 3, "native"), 0);
	assert_int_equal(count(db, "SELECT count(*) FROM events WHERE kind = 'recovery'"), 1);
	assert_int_equal(count(db, "SELECT count(*) FROM steps WHERE pass = 0"), 1);
	assert_int_equal(count(db, "SELECT recovery_us FROM trials"), 1500);
	assert_int_equal(count(db, "SELECT activated FROM trials"), 1);

	/* The console comes back byte for byte. */
	assert_int_equal(sqlite3_prepare_v2(results_sqlite(db),
					    "SELECT raw_size, log FROM consoles WHERE trial_id = ?", -1, &st, NULL),
			 SQLITE_OK);
	sqlite3_bind_int64(st, 1, id);
	assert_int_equal(sqlite3_step(st), SQLITE_ROW);
	assert_int_equal(results_console_unpack(sqlite3_column_blob(st, 1),
						(size_t)sqlite3_column_bytes(st, 1),
						(size_t)sqlite3_column_int64(st, 0), &console), 0);
	assert_string_equal(console, t.console);
	free(console);
	sqlite3_finalize(st);

	/* A second counted row for the same key is refused and changes nothing. */
	assert_int_equal(results_trial_put(db, &t, NULL), -EEXIST);
	assert_int_equal(count(db, "SELECT count(*) FROM trials"), 1);
	assert_int_equal(count(db, "SELECT count(*) FROM events"), 2);

	/* A harness-error row is replaced by the real result. */
	struct results_trial h = make_trial(c, 4, "native");
	h.outcome = RESULTS_HARNESS_ERROR;
	h.attempts = 3;
	assert_int_equal(results_trial_put(db, &h, NULL), 0);
	assert_int_equal(results_trial_done(db, c, 4, "native"), 0);
	h = make_trial(c, 4, "native");
	assert_int_equal(results_trial_put(db, &h, NULL), 0);
	assert_int_equal(count(db, "SELECT count(*) FROM trials WHERE trial_index = 4"), 1);
	assert_int_equal(count(db, "SELECT count(*) FROM trials WHERE outcome = 'harness-error'"), 0);

	/* Invalid vocabulary is rejected before touching the database. */
	h = make_trial(c, 5, "native");
	h.outcome = "exploded";
	assert_int_equal(results_trial_put(db, &h, NULL), -EINVAL);
	assert_non_null(strstr(results_errmsg(db), "exploded"));
	h = make_trial(c, 5, "hypervisor");
	assert_int_equal(results_trial_put(db, &h, NULL), -EINVAL);
	results_close(db);
}

static void test_campaign_config_mismatch_refused(void **state)
{
	struct results_db *db = open_ok(db_path("camp.db"));
	struct results_campaign other = campaign_a;

	(void)state;
	assert_true(results_campaign_ensure(db, &campaign_a) > 0);
	other.config_json = "{\"seed\":8}";
	assert_int_equal(results_campaign_ensure(db, &other), -1);
	assert_non_null(strstr(results_errmsg(db), "different configuration"));
	other = campaign_a;
	other.driver_sha256 = "ffff";
	assert_int_equal(results_campaign_ensure(db, &other), -1);
	assert_int_equal(results_campaign_lookup(db, "e1000-test"), 1);
	assert_int_equal(results_campaign_lookup(db, "1"), 1);
	assert_int_equal(results_campaign_lookup(db, "nope"), -1);
	results_close(db);
}

static void test_console_codec(void **state)
{
	char text[4000], *back;
	unsigned char *blob;
	size_t blob_len;

	(void)state;
	for (size_t i = 0; i < sizeof(text); i++)
		text[i] = "[ 0.1] e1000: eth0 NIC Link is Up\n"[i % 34];
	assert_int_equal(results_console_pack(text, sizeof(text), &blob, &blob_len), 0);
	assert_true(blob_len < sizeof(text) / 4);
	assert_int_equal(results_console_unpack(blob, blob_len, sizeof(text), &back), 0);
	assert_memory_equal(back, text, sizeof(text));
	free(back);
	/* A wrong size means a corrupt row, not a short console. */
	assert_int_equal(results_console_unpack(blob, blob_len, sizeof(text) - 1, &back), -1);
	free(blob);
}

/* ---- export ---- */

static void test_csv_field_escaping(void **state)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	(void)state;
	results_csv_field(f, "plain");
	fputc('|', f);
	results_csv_field(f, "a,b");
	fputc('|', f);
	results_csv_field(f, "say \"hi\"");
	fputc('|', f);
	results_csv_field(f, "two\nlines");
	fputc('|', f);
	results_csv_field(f, NULL);
	fputc('|', f);
	results_csv_field(f, "");
	fclose(f);
	assert_string_equal(buf, "plain|\"a,b\"|\"say \"\"hi\"\"\"|\"two\nlines\"||");
	free(buf);
}

static void test_csv_export_rows(void **state)
{
	struct results_db *db = open_ok(db_path("export.db"));
	char *csv;

	(void)state;
	fill(db, -1);
	csv = export_text(db, 0);
	/* header + 12 rows, CRLF terminated */
	int lines = 0;
	for (char *p = csv; (p = strstr(p, "\r\n")); p += 2)
		lines++;
	assert_int_equal(lines, 13);
	assert_non_null(strstr(csv, "campaign,driver,trial_index,mode,"));
	/* The crash title has a comma: it must be quoted. */
	assert_non_null(strstr(csv, ",\"BUG: unable to handle page fault, in e1000_xmit_frame\","));
	/* The plan's quotes are doubled. */
	assert_non_null(strstr(csv, "\"{\"\"seed\"\":1000,"));
	assert_non_null(strstr(csv, "fault recovery"));
	free(csv);
	csv = export_text(db, RESULTS_EXPORT_NO_TIMINGS);
	assert_null(strstr(csv, "restore_ms"));
	free(csv);
	results_close(db);
}

/* ---- merge ---- */

static void test_merge_of_shards_equals_unsharded(void **state)
{
	struct results_db *full = open_ok(db_path("full.db"));
	struct results_db *even = open_ok(db_path("even.db"));
	struct results_db *odd = open_ok(db_path("odd.db"));
	struct results_db *merged;
	char *a, *b;

	(void)state;
	fill(full, -1);
	fill(even, 0);
	fill(odd, 1);
	results_close(even);
	results_close(odd);
	merged = open_ok(db_path("merged.db"));
	assert_int_equal(results_merge_from(merged, db_path("even.db")), 6);
	assert_int_equal(results_merge_from(merged, db_path("odd.db")), 6);
	/* Merging the same shard again adds nothing and is not an error. */
	assert_int_equal(results_merge_from(merged, db_path("odd.db")), 0);
	a = export_text(full, 0);
	b = export_text(merged, 0);
	assert_string_equal(a, b);
	free(a);
	free(b);
	assert_int_equal(count(merged, "SELECT count(*) FROM campaigns"), 1);
	assert_int_equal(count(merged, "SELECT count(*) FROM events"),
			 count(full, "SELECT count(*) FROM events"));
	assert_int_equal(count(merged, "SELECT count(*) FROM consoles"), 12);
	assert_int_equal(count(merged, "SELECT count(*) FROM steps"), 36);
	assert_int_equal(results_merge_from(merged, db_path("merged.db")), -1);
	results_close(full);
	results_close(merged);
}

static void test_merge_refuses_conflicts(void **state)
{
	struct results_db *a = open_ok(db_path("ca.db"));
	struct results_db *b = open_ok(db_path("cb.db"));
	struct results_db *c = open_ok(db_path("cc.db"));
	struct results_campaign other = campaign_a;
	int64_t cid;

	(void)state;
	fill(a, 0);
	/* b: same trial 0 native, different outcome */
	cid = results_campaign_ensure(b, &campaign_a);
	struct results_trial t = make_trial(cid, 2, "native");
	t.outcome = "driver-failure";
	assert_int_equal(results_trial_put(b, &t, NULL), 0);
	t = make_trial(cid, 1, "native");	/* a new row that must not survive the rollback */
	assert_int_equal(results_trial_put(b, &t, NULL), 0);
	/* c: same name, other config */
	other.config_json = "{\"seed\":9}";
	assert_true(results_campaign_ensure(c, &other) > 0);
	results_close(b);
	results_close(c);

	int64_t before = count(a, "SELECT count(*) FROM trials");
	assert_int_equal(results_merge_from(a, db_path("cb.db")), -1);
	assert_non_null(strstr(results_errmsg(a), "different plans or results"));
	assert_int_equal(count(a, "SELECT count(*) FROM trials"), before);
	assert_int_equal(results_merge_from(a, db_path("cc.db")), -1);
	assert_non_null(strstr(results_errmsg(a), "different configuration"));
	assert_int_equal(results_merge_from(a, db_path("nonexistent.db")), -1);
	results_close(a);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fresh_database_has_current_schema),
		cmocka_unit_test(test_upgrade_from_v1_keeps_rows),
		cmocka_unit_test(test_newer_schema_is_refused),
		cmocka_unit_test(test_bad_paths_give_clear_errors),
		cmocka_unit_test(test_trial_roundtrip_and_uniqueness),
		cmocka_unit_test(test_campaign_config_mismatch_refused),
		cmocka_unit_test(test_console_codec),
		cmocka_unit_test(test_csv_field_escaping),
		cmocka_unit_test(test_csv_export_rows),
		cmocka_unit_test(test_merge_of_shards_equals_unsharded),
		cmocka_unit_test(test_merge_refuses_conflicts),
	};
	int rc;

	if (!mkdtemp(scratch)) {
		perror("mkdtemp");
		return 1;
	}
	rc = cmocka_run_group_tests(tests, NULL, NULL);
	if (rc == 0) {
		char cmd[300];

		snprintf(cmd, sizeof(cmd), "rm -rf '%s'", scratch);
		if (system(cmd) != 0)
			fprintf(stderr, "could not remove %s\n", scratch);
	}
	return rc;
}
