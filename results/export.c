/*
 * Export of trials as CSV (RFC 4180) or JSON. Rows are keyed by campaign
 * name, trial index and mode rather than row ids, and ordered by that key,
 * so two databases holding the same trials export byte-identical text; the
 * merge test relies on that.
 */
#include <string.h>
#include <jansson.h>

#include "results_internal.h"

/* Columns after the key; the last four are host timings. */
static const char *const export_columns[] = {
	"campaign", "driver", "trial_index", "mode", "fault_type", "outcome",
	"sub_reason", "activated", "attempts", "crash_title", "crash_signature",
	"events", "steps", "plan",
	"restore_ms", "workload_ms", "total_ms", "recovery_us",
};
#define N_COLUMNS (sizeof(export_columns) / sizeof(export_columns[0]))
#define N_TIMING_COLUMNS 4

static const char export_sql[] =
	"SELECT c.name, c.driver, t.trial_index, t.mode, t.fault_type, t.outcome,"
	" t.sub_reason, t.activated, t.attempts, t.crash_title, t.crash_signature,"
	" (SELECT group_concat(kind, ' ') FROM (SELECT kind FROM events e"
	"   WHERE e.trial_id = t.id ORDER BY e.id)),"
	" (SELECT group_concat(name || (CASE pass WHEN 1 THEN ':PASS' ELSE ':FAIL' END), ' ')"
	"   FROM (SELECT name, pass FROM steps s WHERE s.trial_id = t.id ORDER BY s.seq)),"
	" t.plan, t.restore_ms, t.workload_ms, t.total_ms, t.recovery_us, t.id"
	" FROM trials t JOIN campaigns c ON c.id = t.campaign_id"
	" WHERE (?1 < 0 OR c.id = ?1)"
	" ORDER BY c.name, t.trial_index, t.mode";

void results_csv_field(FILE *out, const char *s)
{
	if (!s)
		return;
	if (!strpbrk(s, ",\"\r\n")) {
		fputs(s, out);
		return;
	}
	fputc('"', out);
	for (; *s; s++) {
		if (*s == '"')
			fputc('"', out);
		fputc(*s, out);
	}
	fputc('"', out);
}

static size_t columns_for(int flags)
{
	return flags & RESULTS_EXPORT_NO_TIMINGS ? N_COLUMNS - N_TIMING_COLUMNS : N_COLUMNS;
}

static sqlite3_stmt *prepare_export(struct results_db *db, int64_t campaign_id)
{
	sqlite3_stmt *st;

	if (sqlite3_prepare_v2(db->sql, export_sql, -1, &st, NULL) != SQLITE_OK) {
		results_fail_sql(db, "exporting trials");
		return NULL;
	}
	sqlite3_bind_int64(st, 1, campaign_id);
	return st;
}

int results_export_csv(struct results_db *db, int64_t campaign_id, int flags,
		       FILE *out)
{
	sqlite3_stmt *st = prepare_export(db, campaign_id);
	size_t ncol = columns_for(flags);
	int rc;

	if (!st)
		return -1;
	for (size_t i = 0; i < ncol; i++)
		fprintf(out, "%s%s", i ? "," : "", export_columns[i]);
	fputs("\r\n", out);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		for (size_t i = 0; i < ncol; i++) {
			if (i)
				fputc(',', out);
			results_csv_field(out, (const char *)sqlite3_column_text(st, (int)i));
		}
		fputs("\r\n", out);
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE)
		return results_fail_sql(db, "exporting trials");
	return ferror(out) ? results_fail(db, "write error during export") : 0;
}

static json_t *column_json(sqlite3_stmt *st, int i)
{
	switch (sqlite3_column_type(st, i)) {
	case SQLITE_INTEGER:
		return json_integer(sqlite3_column_int64(st, i));
	case SQLITE_FLOAT:
		return json_real(sqlite3_column_double(st, i));
	case SQLITE_NULL:
		return json_null();
	default:
		return json_string((const char *)sqlite3_column_text(st, i));
	}
}

/* The events of one trial as [{time, kind, detail}]. */
static json_t *trial_events_json(struct results_db *db, int64_t trial_id)
{
	sqlite3_stmt *st;
	json_t *arr = json_array();

	if (sqlite3_prepare_v2(db->sql,
			       "SELECT time, kind, detail FROM events WHERE trial_id = ? ORDER BY id",
			       -1, &st, NULL) != SQLITE_OK)
		return arr;
	sqlite3_bind_int64(st, 1, trial_id);
	while (sqlite3_step(st) == SQLITE_ROW)
		json_array_append_new(arr, json_pack("{s:o, s:o, s:o}",
						     "time", column_json(st, 0),
						     "kind", column_json(st, 1),
						     "detail", column_json(st, 2)));
	sqlite3_finalize(st);
	return arr;
}

int results_export_json(struct results_db *db, int64_t campaign_id, int flags,
			FILE *out)
{
	sqlite3_stmt *st = prepare_export(db, campaign_id);
	size_t ncol = columns_for(flags);
	json_t *arr = json_array();
	int rc, wrc;

	if (!st) {
		json_decref(arr);
		return -1;
	}
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		json_t *row = json_object();

		for (size_t i = 0; i < ncol; i++) {
			json_t *v = column_json(st, (int)i);

			/* The plan is JSON already: embed it, do not quote it. */
			if (strcmp(export_columns[i], "plan") == 0) {
				json_t *plan = json_loads((const char *)sqlite3_column_text(st, (int)i),
							  0, NULL);
				if (plan) {
					json_decref(v);
					v = plan;
				}
			} else if (strcmp(export_columns[i], "events") == 0) {
				json_decref(v);
				v = trial_events_json(db, sqlite3_column_int64(st, (int)N_COLUMNS));
			}
			json_object_set_new(row, export_columns[i], v);
		}
		json_array_append_new(arr, row);
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE) {
		json_decref(arr);
		return results_fail_sql(db, "exporting trials");
	}
	wrc = json_dumpf(arr, out, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
	fputc('\n', out);
	json_decref(arr);
	return wrc == 0 && !ferror(out) ? 0 : results_fail(db, "write error during export");
}
