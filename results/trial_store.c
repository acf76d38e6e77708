/* Writing campaigns and trials. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "results_internal.h"

static int same_or_both_null(const char *a, const unsigned char *b)
{
	if (!a || !b)
		return !a && !b;
	return strcmp(a, (const char *)b) == 0;
}

int64_t results_campaign_ensure(struct results_db *db,
				const struct results_campaign *c)
{
	sqlite3_stmt *st = NULL;
	int64_t id = -1;
	int rc;

	if (!c->name || !c->driver || !c->config_json)
		return results_fail(db, "campaign needs a name, a driver and a config");
	if (results_exec(db, "BEGIN IMMEDIATE") < 0)
		return -1;
	if (sqlite3_prepare_v2(db->sql,
			       "SELECT id, driver, config, driver_sha256 FROM campaigns WHERE name = ?",
			       -1, &st, NULL) != SQLITE_OK)
		goto sql_fail;
	sqlite3_bind_text(st, 1, c->name, -1, SQLITE_TRANSIENT);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		/* json() normalises whitespace so equal configs compare equal. */
		if (strcmp((const char *)sqlite3_column_text(st, 1), c->driver) != 0) {
			results_fail(db, "%s: campaign '%s' exists for driver %s, not %s",
				     db->path, c->name, sqlite3_column_text(st, 1), c->driver);
			goto fail;
		}
		if (strcmp((const char *)sqlite3_column_text(st, 2), c->config_json) != 0) {
			results_fail(db, "%s: campaign '%s' exists with a different configuration (%s); "
				     "use another --db or campaign name",
				     db->path, c->name, sqlite3_column_text(st, 2));
			goto fail;
		}
		if (c->driver_sha256 && sqlite3_column_type(st, 3) != SQLITE_NULL &&
		    !same_or_both_null(c->driver_sha256, sqlite3_column_text(st, 3))) {
			results_fail(db, "%s: campaign '%s' was run on a different %s.ko (sha256 %s)",
				     db->path, c->name, c->driver, sqlite3_column_text(st, 3));
			goto fail;
		}
		id = sqlite3_column_int64(st, 0);
	} else if (rc == SQLITE_DONE) {
		sqlite3_finalize(st);
		if (sqlite3_prepare_v2(db->sql,
				       "INSERT INTO campaigns (name, driver, config, tool_versions,"
				       " kernel_version, driver_build_id, driver_sha256)"
				       " VALUES (?, ?, ?, ?, ?, ?, ?)", -1, &st, NULL) != SQLITE_OK)
			goto sql_fail;
		sqlite3_bind_text(st, 1, c->name, -1, SQLITE_TRANSIENT);
		sqlite3_bind_text(st, 2, c->driver, -1, SQLITE_TRANSIENT);
		sqlite3_bind_text(st, 3, c->config_json, -1, SQLITE_TRANSIENT);
		results_bind_text_or_null(st, 4, c->tool_versions_json);
		results_bind_text_or_null(st, 5, c->kernel_version);
		results_bind_text_or_null(st, 6, c->driver_build_id);
		results_bind_text_or_null(st, 7, c->driver_sha256);
		if (sqlite3_step(st) != SQLITE_DONE)
			goto sql_fail;
		id = sqlite3_last_insert_rowid(db->sql);
	} else {
		goto sql_fail;
	}
	sqlite3_finalize(st);
	if (results_exec(db, "COMMIT") < 0)
		return -1;
	return id;
sql_fail:
	results_fail_sql(db, "storing campaign");
fail:
	sqlite3_finalize(st);
	sqlite3_exec(db->sql, "ROLLBACK", NULL, NULL, NULL);
	return -1;
}

int64_t results_campaign_lookup(struct results_db *db, const char *id_or_name)
{
	sqlite3_stmt *st;
	int64_t id = -1;
	char *end;
	long long n = strtoll(id_or_name, &end, 10);
	int by_id = *id_or_name && !*end;

	if (sqlite3_prepare_v2(db->sql, by_id ? "SELECT id FROM campaigns WHERE id = ?"
					      : "SELECT id FROM campaigns WHERE name = ?",
			       -1, &st, NULL) != SQLITE_OK)
		return results_fail_sql(db, "looking up campaign");
	if (by_id)
		sqlite3_bind_int64(st, 1, n);
	else
		sqlite3_bind_text(st, 1, id_or_name, -1, SQLITE_TRANSIENT);
	if (sqlite3_step(st) == SQLITE_ROW)
		id = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	if (id < 0)
		results_fail(db, "%s: no campaign '%s'", db->path, id_or_name);
	return id;
}

static int validate_trial(struct results_db *db, const struct results_trial *t)
{
	if (!results_mode_valid(t->mode))
		return results_fail(db, "invalid mode '%s'", t->mode ? t->mode : "(null)");
	if (!results_outcome_valid(t->outcome))
		return results_fail(db, "invalid outcome '%s'", t->outcome ? t->outcome : "(null)");
	if (!t->plan_json)
		return results_fail(db, "trial %lld has no plan", (long long)t->trial_index);
	if (t->activated < -1 || t->activated > 1)
		return results_fail(db, "activated must be -1, 0 or 1");
	for (size_t i = 0; i < t->n_events; i++)
		if (!results_event_kind_valid(t->events[i].kind))
			return results_fail(db, "invalid event kind '%s'",
					    t->events[i].kind ? t->events[i].kind : "(null)");
	return 0;
}

/* Inside a transaction: removes a harness-error row, reports a counted one. */
static int clear_previous(struct results_db *db, const struct results_trial *t)
{
	sqlite3_stmt *st;
	int rc, existing = 0;

	if (sqlite3_prepare_v2(db->sql,
			       "SELECT outcome = 'harness-error' FROM trials"
			       " WHERE campaign_id = ? AND trial_index = ? AND mode = ?",
			       -1, &st, NULL) != SQLITE_OK)
		return results_fail_sql(db, "checking for an earlier row");
	sqlite3_bind_int64(st, 1, t->campaign_id);
	sqlite3_bind_int64(st, 2, t->trial_index);
	sqlite3_bind_text(st, 3, t->mode, -1, SQLITE_TRANSIENT);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		existing = sqlite3_column_int(st, 0) ? 1 : 2;
	sqlite3_finalize(st);
	if (existing == 2) {
		results_fail(db, "%s: trial %lld (%s) of campaign %lld is already stored",
			     db->path, (long long)t->trial_index, t->mode,
			     (long long)t->campaign_id);
		return -EEXIST;
	}
	if (existing == 1) {
		if (sqlite3_prepare_v2(db->sql,
				       "DELETE FROM trials WHERE campaign_id = ? AND trial_index = ? AND mode = ?",
				       -1, &st, NULL) != SQLITE_OK)
			return results_fail_sql(db, "replacing a harness-error row");
		sqlite3_bind_int64(st, 1, t->campaign_id);
		sqlite3_bind_int64(st, 2, t->trial_index);
		sqlite3_bind_text(st, 3, t->mode, -1, SQLITE_TRANSIENT);
		rc = sqlite3_step(st);
		sqlite3_finalize(st);
		if (rc != SQLITE_DONE)
			return results_fail_sql(db, "replacing a harness-error row");
	}
	return 0;
}

static int insert_trial_row(struct results_db *db, const struct results_trial *t,
			    int64_t *id)
{
	sqlite3_stmt *st;
	int rc;

	if (sqlite3_prepare_v2(db->sql,
			       "INSERT INTO trials (campaign_id, trial_index, mode, plan, fault_type,"
			       " outcome, sub_reason, restore_ms, workload_ms, total_ms, recovery_us,"
			       " crash_title, crash_signature, activated, attempts)"
			       " VALUES (?, ?, ?, json(?), ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
			       -1, &st, NULL) != SQLITE_OK)
		return results_fail_sql(db, "storing trial");
	sqlite3_bind_int64(st, 1, t->campaign_id);
	sqlite3_bind_int64(st, 2, t->trial_index);
	sqlite3_bind_text(st, 3, t->mode, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 4, t->plan_json, -1, SQLITE_TRANSIENT);
	results_bind_text_or_null(st, 5, t->fault_type);
	sqlite3_bind_text(st, 6, t->outcome, -1, SQLITE_TRANSIENT);
	results_bind_text_or_null(st, 7, t->sub_reason);
	results_bind_int_or_null(st, 8, t->restore_ms);
	results_bind_int_or_null(st, 9, t->workload_ms);
	results_bind_int_or_null(st, 10, t->total_ms);
	results_bind_int_or_null(st, 11, t->recovery_us);
	results_bind_text_or_null(st, 12, t->crash_title);
	results_bind_text_or_null(st, 13, t->crash_signature);
	if (t->activated < 0)
		sqlite3_bind_null(st, 14);
	else
		sqlite3_bind_int(st, 14, t->activated);
	sqlite3_bind_int(st, 15, t->attempts > 0 ? t->attempts : 1);
	rc = sqlite3_step(st);
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE)
		return results_fail_sql(db, "storing trial");
	*id = sqlite3_last_insert_rowid(db->sql);
	return 0;
}

static int insert_children(struct results_db *db, const struct results_trial *t,
			   int64_t id)
{
	sqlite3_stmt *st;
	int rc = SQLITE_DONE;

	if (sqlite3_prepare_v2(db->sql,
			       "INSERT INTO events (trial_id, time, kind, detail) VALUES (?, ?, ?, ?)",
			       -1, &st, NULL) != SQLITE_OK)
		return results_fail_sql(db, "storing events");
	for (size_t i = 0; i < t->n_events && rc == SQLITE_DONE; i++) {
		sqlite3_reset(st);
		sqlite3_bind_int64(st, 1, id);
		if (t->events[i].time_s < 0)
			sqlite3_bind_null(st, 2);
		else
			sqlite3_bind_double(st, 2, t->events[i].time_s);
		sqlite3_bind_text(st, 3, t->events[i].kind, -1, SQLITE_TRANSIENT);
		results_bind_text_or_null(st, 4, t->events[i].detail);
		rc = sqlite3_step(st);
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE)
		return results_fail_sql(db, "storing events");

	if (sqlite3_prepare_v2(db->sql,
			       "INSERT INTO steps (trial_id, seq, name, pass, detail) VALUES (?, ?, ?, ?, ?)",
			       -1, &st, NULL) != SQLITE_OK)
		return results_fail_sql(db, "storing steps");
	for (size_t i = 0; i < t->n_steps && rc == SQLITE_DONE; i++) {
		sqlite3_reset(st);
		sqlite3_bind_int64(st, 1, id);
		sqlite3_bind_int64(st, 2, (int64_t)i);
		sqlite3_bind_text(st, 3, t->steps[i].name, -1, SQLITE_TRANSIENT);
		sqlite3_bind_int(st, 4, t->steps[i].pass ? 1 : 0);
		results_bind_text_or_null(st, 5, t->steps[i].detail);
		rc = sqlite3_step(st);
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE)
		return results_fail_sql(db, "storing steps");

	if (t->console) {
		unsigned char *blob;
		size_t blob_len;

		if (results_console_pack(t->console, t->console_len, &blob, &blob_len) < 0)
			return results_fail(db, "cannot compress console");
		if (sqlite3_prepare_v2(db->sql,
				       "INSERT INTO consoles (trial_id, raw_size, log) VALUES (?, ?, ?)",
				       -1, &st, NULL) != SQLITE_OK) {
			free(blob);
			return results_fail_sql(db, "storing console");
		}
		sqlite3_bind_int64(st, 1, id);
		sqlite3_bind_int64(st, 2, (int64_t)t->console_len);
		sqlite3_bind_blob(st, 3, blob, (int)blob_len, free);
		rc = sqlite3_step(st);
		sqlite3_finalize(st);
		if (rc != SQLITE_DONE)
			return results_fail_sql(db, "storing console");
	}
	return 0;
}

int results_trial_put(struct results_db *db, const struct results_trial *t,
		      int64_t *trial_id)
{
	int64_t id = -1;
	int rc;

	if (validate_trial(db, t) < 0)
		return -EINVAL;
	if (results_exec(db, "BEGIN IMMEDIATE") < 0)
		return -EIO;
	rc = clear_previous(db, t);
	if (rc == 0)
		rc = insert_trial_row(db, t, &id);
	if (rc == 0)
		rc = insert_children(db, t, id);
	if (rc == 0)
		rc = results_exec(db, "COMMIT");
	if (rc != 0) {
		sqlite3_exec(db->sql, "ROLLBACK", NULL, NULL, NULL);
		return rc == -EEXIST ? -EEXIST : -EIO;
	}
	if (trial_id)
		*trial_id = id;
	return 0;
}

int results_trial_done(struct results_db *db, int64_t campaign_id,
		       int64_t trial_index, const char *mode)
{
	sqlite3_stmt *st;
	int done = 0, rc;

	if (sqlite3_prepare_v2(db->sql,
			       "SELECT 1 FROM trials WHERE campaign_id = ? AND trial_index = ?"
			       " AND mode = ? AND outcome <> 'harness-error'",
			       -1, &st, NULL) != SQLITE_OK)
		return results_fail_sql(db, "checking trial");
	sqlite3_bind_int64(st, 1, campaign_id);
	sqlite3_bind_int64(st, 2, trial_index);
	sqlite3_bind_text(st, 3, mode, -1, SQLITE_TRANSIENT);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		done = 1;
	else if (rc != SQLITE_DONE)
		done = results_fail_sql(db, "checking trial");
	sqlite3_finalize(st);
	return done;
}
