/* Reading one campaign's trials into a struct report. */
#include <stdlib.h>
#include <string.h>

#include "report.h"

int outcome_index(const char *outcome)
{
	for (int i = 0; i < N_OUTCOMES; i++)
		if (strcmp(outcome, results_outcomes[i]) == 0)
			return i;
	return -1;
}

int report_mode_index(const struct report *r, const char *mode)
{
	for (size_t i = 0; i < r->n_modes; i++)
		if (strcmp(r->modes[i], mode) == 0)
			return (int)i;
	return -1;
}

static void copy_text(char *dst, size_t size, const unsigned char *src)
{
	snprintf(dst, size, "%s", src ? (const char *)src : "");
}

static int pick_campaign(sqlite3 *sql, struct report *r, char *err, size_t errlen)
{
	sqlite3_stmt *st;
	int found = 0;

	if (sqlite3_prepare_v2(sql,
			       "SELECT id, name, driver, config, kernel_version, created FROM campaigns"
			       " WHERE ?1 < 0 OR id = ?1 ORDER BY id DESC LIMIT 1", -1, &st, NULL) != SQLITE_OK) {
		snprintf(err, errlen, "%s", sqlite3_errmsg(sql));
		return -1;
	}
	sqlite3_bind_int64(st, 1, r->campaign_id);
	if (sqlite3_step(st) == SQLITE_ROW) {
		found = 1;
		r->campaign_id = sqlite3_column_int64(st, 0);
		copy_text(r->name, sizeof(r->name), sqlite3_column_text(st, 1));
		copy_text(r->driver, sizeof(r->driver), sqlite3_column_text(st, 2));
		copy_text(r->config, sizeof(r->config), sqlite3_column_text(st, 3));
		copy_text(r->kernel, sizeof(r->kernel), sqlite3_column_text(st, 4));
		copy_text(r->created, sizeof(r->created), sqlite3_column_text(st, 5));
	}
	sqlite3_finalize(st);
	if (!found) {
		snprintf(err, errlen, "no campaign in the database%s",
			 r->campaign_id >= 0 ? " with that id" : "");
		return -1;
	}
	return 0;
}

static int type_index(struct report *r, const char *type)
{
	for (size_t i = 0; i < r->n_types; i++)
		if (strcmp(r->types[i], type) == 0)
			return (int)i;
	if (r->n_types >= MAX_TYPES)
		return -1;
	snprintf(r->types[r->n_types], sizeof(r->types[0]), "%s", type);
	return (int)r->n_types++;
}

static int gather_tallies(sqlite3 *sql, struct report *r)
{
	sqlite3_stmt *st;

	/* Modes first so their order is results_modes order whatever the data. */
	for (size_t m = 0; m < results_mode_count; m++) {
		if (sqlite3_prepare_v2(sql,
				       "SELECT 1 FROM trials WHERE campaign_id = ? AND mode = ?"
				       " AND outcome <> 'harness-error' LIMIT 1", -1, &st, NULL) != SQLITE_OK)
			return -1;
		sqlite3_bind_int64(st, 1, r->campaign_id);
		sqlite3_bind_text(st, 2, results_modes[m], -1, SQLITE_STATIC);
		if (sqlite3_step(st) == SQLITE_ROW && r->n_modes < MAX_MODES)
			r->modes[r->n_modes++] = results_modes[m];
		sqlite3_finalize(st);
	}
	if (sqlite3_prepare_v2(sql,
			       "SELECT mode, coalesce(fault_type, 'unknown'), outcome, count(*) FROM trials"
			       " WHERE campaign_id = ? GROUP BY 1, 2, 3 ORDER BY 2", -1, &st, NULL) != SQLITE_OK)
		return -1;
	sqlite3_bind_int64(st, 1, r->campaign_id);
	while (sqlite3_step(st) == SQLITE_ROW) {
		int m = report_mode_index(r, (const char *)sqlite3_column_text(st, 0));
		int o = outcome_index((const char *)sqlite3_column_text(st, 2));
		int64_t n = sqlite3_column_int64(st, 3);
		int t;

		if (o < 0) {
			r->harness_errors += n;
			continue;
		}
		if (m < 0)
			continue;
		t = type_index(r, (const char *)sqlite3_column_text(st, 1));
		r->by_mode[m].n += n;
		r->by_mode[m].count[o] += n;
		if (t >= 0) {
			r->by_type[t][m].n += n;
			r->by_type[t][m].count[o] += n;
		}
	}
	sqlite3_finalize(st);
	if (sqlite3_prepare_v2(sql,
			       "SELECT coalesce(sum(attempts - 1), 0) FROM trials WHERE campaign_id = ?"
			       " AND outcome <> 'harness-error'", -1, &st, NULL) != SQLITE_OK)
		return -1;
	sqlite3_bind_int64(st, 1, r->campaign_id);
	if (sqlite3_step(st) == SQLITE_ROW)
		r->retried_attempts = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return 0;
}

static int gather_pairs(sqlite3 *sql, struct report *r)
{
	sqlite3_stmt *st;

	if (report_mode_index(r, "native") < 0 || report_mode_index(r, "nooks") < 0)
		return 0;
	if (sqlite3_prepare_v2(sql,
			       "SELECT n.outcome, k.outcome FROM trials n JOIN trials k"
			       " ON k.campaign_id = n.campaign_id AND k.trial_index = n.trial_index"
			       " WHERE n.campaign_id = ? AND n.mode = 'native' AND k.mode = 'nooks'"
			       " AND n.outcome <> 'harness-error' AND k.outcome <> 'harness-error'",
			       -1, &st, NULL) != SQLITE_OK)
		return -1;
	sqlite3_bind_int64(st, 1, r->campaign_id);
	while (sqlite3_step(st) == SQLITE_ROW) {
		const char *n = (const char *)sqlite3_column_text(st, 0);
		const char *k = (const char *)sqlite3_column_text(st, 1);
		int nc = strcmp(n, "crash") == 0, kc = strcmp(k, "crash") == 0;

		r->pairs++;
		if (nc && kc)
			r->both_crash++;
		else if (nc)
			r->native_only_crash++;
		else if (kc)
			r->nooks_only_crash++;
		else
			r->neither_crash++;
		if (strcmp(n, "driver-failure") == 0 || strcmp(n, "oops-survived") == 0) {
			r->native_nonfatal++;
			if (strncmp(k, "recovered", 9) == 0)
				r->nonfatal_recovered++;
			if (kc)
				r->nonfatal_nooks_crash++;
		}
	}
	sqlite3_finalize(st);
	r->has_pairs = r->pairs > 0;
	r->mcnemar = stats_mcnemar(r->native_only_crash, r->nooks_only_crash);
	return 0;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

static int gather_recovery(sqlite3 *sql, struct report *r)
{
	sqlite3_stmt *st;
	int64_t cap = 0;

	if (sqlite3_prepare_v2(sql,
			       "SELECT recovery_us FROM trials WHERE campaign_id = ? AND mode <> 'native'"
			       " AND recovery_us IS NOT NULL AND outcome <> 'harness-error'",
			       -1, &st, NULL) != SQLITE_OK)
		return -1;
	sqlite3_bind_int64(st, 1, r->campaign_id);
	while (sqlite3_step(st) == SQLITE_ROW) {
		if (r->n_recovery == cap) {
			cap = cap ? cap * 2 : 64;
			double *p = realloc(r->recovery_ms, (size_t)cap * sizeof(double));

			if (!p) {
				sqlite3_finalize(st);
				return -1;
			}
			r->recovery_ms = p;
		}
		r->recovery_ms[r->n_recovery++] = sqlite3_column_double(st, 0) / 1000.0;
	}
	sqlite3_finalize(st);
	if (r->n_recovery)
		qsort(r->recovery_ms, (size_t)r->n_recovery, sizeof(double), cmp_double);

	if (sqlite3_prepare_v2(sql,
			       "SELECT count(DISTINCT t.id) FILTER (WHERE e.kind = 'fault'),"
			       " count(DISTINCT t.id) FILTER (WHERE e.kind = 'recovery')"
			       " FROM trials t JOIN events e ON e.trial_id = t.id"
			       " WHERE t.campaign_id = ? AND t.outcome <> 'harness-error'",
			       -1, &st, NULL) != SQLITE_OK)
		return -1;
	sqlite3_bind_int64(st, 1, r->campaign_id);
	if (sqlite3_step(st) == SQLITE_ROW) {
		r->nooks_faults_detected = sqlite3_column_int64(st, 0);
		r->nooks_recoveries = sqlite3_column_int64(st, 1);
	}
	sqlite3_finalize(st);
	return 0;
}

static int gather_titles(sqlite3 *sql, struct report *r)
{
	sqlite3_stmt *st;

	if (sqlite3_prepare_v2(sql,
			       "SELECT mode, crash_title, count(*) AS n FROM trials"
			       " WHERE campaign_id = ? AND crash_title IS NOT NULL AND crash_title <> ''"
			       " AND outcome = 'crash'"
			       " GROUP BY 1, 2 ORDER BY 1, n DESC, 2", -1, &st, NULL) != SQLITE_OK)
		return -1;
	sqlite3_bind_int64(st, 1, r->campaign_id);
	while (sqlite3_step(st) == SQLITE_ROW) {
		int m = report_mode_index(r, (const char *)sqlite3_column_text(st, 0));

		if (m < 0 || r->n_titles[m] >= MAX_TITLES)
			continue;
		struct crash_title *t = &r->titles[m][r->n_titles[m]++];

		copy_text(t->title, sizeof(t->title), sqlite3_column_text(st, 1));
		t->count = sqlite3_column_int64(st, 2);
	}
	sqlite3_finalize(st);
	return 0;
}

int report_gather(struct results_db *db, int64_t campaign_id, struct report *r,
		  char *err, size_t errlen)
{
	sqlite3 *sql = results_sqlite(db);

	memset(r, 0, sizeof(*r));
	r->campaign_id = campaign_id;
	if (pick_campaign(sql, r, err, errlen) < 0)
		return -1;
	if (gather_tallies(sql, r) < 0 || gather_pairs(sql, r) < 0 ||
	    gather_recovery(sql, r) < 0 || gather_titles(sql, r) < 0) {
		snprintf(err, errlen, "reading trials: %s", sqlite3_errmsg(sql));
		return -1;
	}
	return 0;
}

void report_free(struct report *r)
{
	free(r->recovery_ms);
	r->recovery_ms = NULL;
}
