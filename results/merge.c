/*
 * Merging shard databases. Shards of one campaign (run-campaign --shard i/N)
 * hold disjoint trial indices of the same campaign config; merging them
 * yields the rows an unsharded run would have written. Anything that hints
 * at two different experiments under one name (another config, another
 * driver binary, the same trial with another plan or result) aborts the
 * merge and leaves the output untouched.
 */
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "results_internal.h"

/* Columns that must agree when a trial is present on both sides. */
static const char same_trial_sql[] =
	"SELECT d.id, d.outcome = 'harness-error', s.outcome = 'harness-error',"
	" d.plan IS s.plan AND d.fault_type IS s.fault_type AND d.outcome IS s.outcome"
	" AND d.sub_reason IS s.sub_reason AND d.crash_title IS s.crash_title"
	" AND d.crash_signature IS s.crash_signature AND d.activated IS s.activated,"
	" d.outcome, s.outcome"
	" FROM main.trials d, src.trials s"
	" WHERE s.id = ?1 AND d.campaign_id = ?2 AND d.trial_index = s.trial_index AND d.mode = s.mode";

static int64_t map_campaign(struct results_db *db, int64_t src_id)
{
	sqlite3_stmt *st;
	int64_t id = -1;
	int rc;

	if (sqlite3_prepare_v2(db->sql,
			       "SELECT d.id, d.driver = s.driver, d.config = s.config,"
			       " d.driver_sha256 IS NULL OR s.driver_sha256 IS NULL"
			       "   OR d.driver_sha256 = s.driver_sha256, s.name"
			       " FROM src.campaigns s LEFT JOIN main.campaigns d ON d.name = s.name"
			       " WHERE s.id = ?", -1, &st, NULL) != SQLITE_OK)
		return results_fail_sql(db, "merging campaigns");
	sqlite3_bind_int64(st, 1, src_id);
	rc = sqlite3_step(st);
	if (rc != SQLITE_ROW) {
		sqlite3_finalize(st);
		return results_fail_sql(db, "merging campaigns");
	}
	if (sqlite3_column_type(st, 0) != SQLITE_NULL) {
		const char *what = !sqlite3_column_int(st, 1) ? "driver" :
				   !sqlite3_column_int(st, 2) ? "configuration" :
				   !sqlite3_column_int(st, 3) ? "driver binary (sha256)" : NULL;
		if (what)
			results_fail(db, "campaign '%s' has a different %s in the two databases; refusing to merge",
				     sqlite3_column_text(st, 4), what);
		else
			id = sqlite3_column_int64(st, 0);
		sqlite3_finalize(st);
		return id;
	}
	sqlite3_finalize(st);
	if (sqlite3_prepare_v2(db->sql,
			       "INSERT INTO main.campaigns (name, driver, config, tool_versions,"
			       " kernel_version, driver_build_id, driver_sha256, created)"
			       " SELECT name, driver, config, tool_versions, kernel_version,"
			       " driver_build_id, driver_sha256, created FROM src.campaigns WHERE id = ?",
			       -1, &st, NULL) != SQLITE_OK)
		return results_fail_sql(db, "merging campaigns");
	sqlite3_bind_int64(st, 1, src_id);
	rc = sqlite3_step(st);
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE)
		return results_fail_sql(db, "merging campaigns");
	return sqlite3_last_insert_rowid(db->sql);
}

static int run_with_ids(struct results_db *db, const char *sql, int64_t a, int64_t b)
{
	sqlite3_stmt *st;
	int rc;

	if (sqlite3_prepare_v2(db->sql, sql, -1, &st, NULL) != SQLITE_OK)
		return results_fail_sql(db, "merging trials");
	sqlite3_bind_int64(st, 1, a);
	if (sqlite3_bind_parameter_count(st) >= 2)
		sqlite3_bind_int64(st, 2, b);
	rc = sqlite3_step(st);
	sqlite3_finalize(st);
	return rc == SQLITE_DONE ? 0 : results_fail_sql(db, "merging trials");
}

static int copy_trial(struct results_db *db, int64_t src_trial, int64_t dst_campaign)
{
	int64_t id;

	if (run_with_ids(db,
			 "INSERT INTO main.trials (campaign_id, trial_index, mode, plan, fault_type,"
			 " outcome, sub_reason, restore_ms, workload_ms, total_ms, recovery_us,"
			 " crash_title, crash_signature, activated, attempts, finished)"
			 " SELECT ?2, trial_index, mode, plan, fault_type, outcome, sub_reason,"
			 " restore_ms, workload_ms, total_ms, recovery_us, crash_title,"
			 " crash_signature, activated, attempts, finished FROM src.trials WHERE id = ?1",
			 src_trial, dst_campaign) < 0)
		return -1;
	id = sqlite3_last_insert_rowid(db->sql);
	if (run_with_ids(db,
			 "INSERT INTO main.events (trial_id, time, kind, detail)"
			 " SELECT ?2, time, kind, detail FROM src.events WHERE trial_id = ?1 ORDER BY id",
			 src_trial, id) < 0 ||
	    run_with_ids(db,
			 "INSERT INTO main.steps (trial_id, seq, name, pass, detail)"
			 " SELECT ?2, seq, name, pass, detail FROM src.steps WHERE trial_id = ?1",
			 src_trial, id) < 0 ||
	    run_with_ids(db,
			 "INSERT INTO main.consoles (trial_id, raw_size, log)"
			 " SELECT ?2, raw_size, log FROM src.consoles WHERE trial_id = ?1",
			 src_trial, id) < 0)
		return -1;
	return 1;
}

/* Returns 1 if copied, 0 if already present and identical, -1 on conflict or error. */
static int merge_trial(struct results_db *db, int64_t src_trial, int64_t dst_campaign,
		       int64_t trial_index, const char *mode)
{
	sqlite3_stmt *st;
	int rc;

	if (sqlite3_prepare_v2(db->sql, same_trial_sql, -1, &st, NULL) != SQLITE_OK)
		return results_fail_sql(db, "merging trials");
	sqlite3_bind_int64(st, 1, src_trial);
	sqlite3_bind_int64(st, 2, dst_campaign);
	rc = sqlite3_step(st);
	if (rc == SQLITE_DONE) {
		sqlite3_finalize(st);
		return copy_trial(db, src_trial, dst_campaign);
	}
	if (rc != SQLITE_ROW) {
		sqlite3_finalize(st);
		return results_fail_sql(db, "merging trials");
	}
	int64_t dst_trial = sqlite3_column_int64(st, 0);
	int dst_harness = sqlite3_column_int(st, 1);
	int src_harness = sqlite3_column_int(st, 2);
	int same = sqlite3_column_int(st, 3);

	if (same || src_harness) {
		sqlite3_finalize(st);
		return 0;
	}
	if (dst_harness) {	/* a counted row beats a failed attempt */
		sqlite3_finalize(st);
		if (run_with_ids(db, "DELETE FROM main.trials WHERE id = ?1", dst_trial, 0) < 0)
			return -1;
		return copy_trial(db, src_trial, dst_campaign);
	}
	results_fail(db, "trial %lld (%s) is in both databases with different plans or results "
		     "(%s vs %s); refusing to merge", (long long)trial_index, mode,
		     sqlite3_column_text(st, 4), sqlite3_column_text(st, 5));
	sqlite3_finalize(st);
	return -1;
}

static int64_t merge_all(struct results_db *db)
{
	sqlite3_stmt *st;
	int64_t added = 0;
	int rc;

	if (sqlite3_prepare_v2(db->sql,
			       "SELECT id, campaign_id, trial_index, mode FROM src.trials"
			       " ORDER BY campaign_id, trial_index, mode", -1, &st, NULL) != SQLITE_OK)
		return results_fail_sql(db, "merging trials");
	int64_t last_src_campaign = -1, dst_campaign = -1;

	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		int64_t src_campaign = sqlite3_column_int64(st, 1);

		if (src_campaign != last_src_campaign) {
			dst_campaign = map_campaign(db, src_campaign);
			if (dst_campaign < 0)
				goto fail;
			last_src_campaign = src_campaign;
		}
		int r = merge_trial(db, sqlite3_column_int64(st, 0), dst_campaign,
				    sqlite3_column_int64(st, 2),
				    (const char *)sqlite3_column_text(st, 3));
		if (r < 0)
			goto fail;
		added += r;
	}
	if (rc != SQLITE_DONE) {
		results_fail_sql(db, "merging trials");
		goto fail;
	}
	sqlite3_finalize(st);
	/* Campaigns without trials still belong in the output. */
	if (sqlite3_prepare_v2(db->sql, "SELECT id FROM src.campaigns", -1, &st, NULL) != SQLITE_OK)
		return results_fail_sql(db, "merging campaigns");
	while (sqlite3_step(st) == SQLITE_ROW)
		if (map_campaign(db, sqlite3_column_int64(st, 0)) < 0)
			goto fail;
	sqlite3_finalize(st);
	return added;
fail:
	sqlite3_finalize(st);
	return -1;
}

int64_t results_merge_from(struct results_db *db, const char *in_path)
{
	char err[1024], a[PATH_MAX], b[PATH_MAX];
	struct results_db *in;
	sqlite3_stmt *st;
	int64_t added;

	/* Validates the input's schema version with the same rules as any open. */
	in = results_open(in_path, RESULTS_OPEN_READONLY, err, sizeof(err));
	if (!in)
		return results_fail(db, "%s", err);
	results_close(in);
	if (realpath(in_path, a) && realpath(db->path, b) && strcmp(a, b) == 0)
		return results_fail(db, "%s: cannot merge a database into itself", in_path);

	if (sqlite3_prepare_v2(db->sql, "ATTACH DATABASE ? AS src", -1, &st, NULL) != SQLITE_OK)
		return results_fail_sql(db, "attaching input");
	sqlite3_bind_text(st, 1, in_path, -1, SQLITE_TRANSIENT);
	if (sqlite3_step(st) != SQLITE_DONE) {
		sqlite3_finalize(st);
		return results_fail(db, "%s: cannot attach: %s", in_path, sqlite3_errmsg(db->sql));
	}
	sqlite3_finalize(st);
	if (results_exec(db, "BEGIN IMMEDIATE") < 0) {
		sqlite3_exec(db->sql, "DETACH DATABASE src", NULL, NULL, NULL);
		return -1;
	}
	added = merge_all(db);
	if (added >= 0 && results_exec(db, "COMMIT") < 0)
		added = -1;
	if (added < 0) {
		char keep[sizeof(db->err)];

		memcpy(keep, db->err, sizeof(keep));
		sqlite3_exec(db->sql, "ROLLBACK", NULL, NULL, NULL);
		memcpy(db->err, keep, sizeof(keep));
	}
	sqlite3_exec(db->sql, "DETACH DATABASE src", NULL, NULL, NULL);
	return added;
}
