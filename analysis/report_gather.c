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

static int gather_pair(sqlite3 *sql, struct report *r, struct pair_cmp *c)
{
	sqlite3_stmt *st;

	if (sqlite3_prepare_v2(sql,
			       "SELECT a.outcome, b.outcome FROM trials a JOIN trials b"
			       " ON b.campaign_id = a.campaign_id AND b.trial_index = a.trial_index"
			       " WHERE a.campaign_id = ? AND a.mode = ? AND b.mode = ?"
			       " AND a.outcome <> 'harness-error' AND b.outcome <> 'harness-error'",
			       -1, &st, NULL) != SQLITE_OK)
		return -1;
	sqlite3_bind_int64(st, 1, r->campaign_id);
	sqlite3_bind_text(st, 2, r->modes[c->a], -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, r->modes[c->b], -1, SQLITE_STATIC);
	while (sqlite3_step(st) == SQLITE_ROW) {
		const char *a = (const char *)sqlite3_column_text(st, 0);
		const char *b = (const char *)sqlite3_column_text(st, 1);
		int ac = strcmp(a, "crash") == 0, bc = strcmp(b, "crash") == 0;

		c->pairs++;
		if (ac && bc)
			c->both_crash++;
		else if (ac)
			c->a_only_crash++;
		else if (bc)
			c->b_only_crash++;
		else
			c->neither_crash++;
		if (strcmp(a, "driver-failure") == 0 || strcmp(a, "oops-survived") == 0) {
			c->a_nonfatal++;
			if (strncmp(b, "recovered", 9) == 0)
				c->nonfatal_recovered++;
			if (bc)
				c->nonfatal_b_crash++;
		}
	}
	sqlite3_finalize(st);
	c->mcnemar = stats_mcnemar(c->a_only_crash, c->b_only_crash);
	return 0;
}

/* Every pair of modes with at least one trial index counted in both. */
static int gather_pairs(sqlite3 *sql, struct report *r)
{
	for (size_t a = 0; a < r->n_modes; a++)
		for (size_t b = a + 1; b < r->n_modes; b++) {
			struct pair_cmp c = { .a = (int)a, .b = (int)b };

			if (gather_pair(sql, r, &c) < 0)
				return -1;
			if (c.pairs == 0 || r->n_cmp >= MAX_PAIRS)
				continue;
			r->cmp[r->n_cmp++] = c;
			r->pairs += c.pairs;
		}
	return 0;
}

const struct pair_cmp *report_pair(const struct report *r, const char *a, const char *b)
{
	int ia = report_mode_index(r, a), ib = report_mode_index(r, b);

	for (size_t i = 0; i < r->n_cmp; i++)
		if (r->cmp[i].a == ia && r->cmp[i].b == ib)
			return &r->cmp[i];
	return NULL;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

static int push_recovery(struct report *r, int m, double ms, int64_t *cap)
{
	if (r->n_recovery[m] == cap[m]) {
		int64_t n = cap[m] ? cap[m] * 2 : 64;
		double *p = realloc(r->recovery_ms[m], (size_t)n * sizeof(double));

		if (!p)
			return -1;
		r->recovery_ms[m] = p;
		cap[m] = n;
	}
	r->recovery_ms[m][r->n_recovery[m]++] = ms;
	return 0;
}

static int gather_recovery(sqlite3 *sql, struct report *r)
{
	sqlite3_stmt *st;
	int64_t cap[MAX_MODES] = { 0 };

	if (sqlite3_prepare_v2(sql,
			       "SELECT mode, recovery_us FROM trials WHERE campaign_id = ? AND mode <> 'native'"
			       " AND recovery_us IS NOT NULL AND outcome <> 'harness-error'",
			       -1, &st, NULL) != SQLITE_OK)
		return -1;
	sqlite3_bind_int64(st, 1, r->campaign_id);
	while (sqlite3_step(st) == SQLITE_ROW) {
		int m = report_mode_index(r, (const char *)sqlite3_column_text(st, 0));

		if (m >= 0 && push_recovery(r, m, sqlite3_column_double(st, 1) / 1000.0, cap) < 0) {
			sqlite3_finalize(st);
			return -1;
		}
	}
	sqlite3_finalize(st);
	for (size_t m = 0; m < r->n_modes; m++)
		if (r->n_recovery[m])
			qsort(r->recovery_ms[m], (size_t)r->n_recovery[m], sizeof(double), cmp_double);

	if (sqlite3_prepare_v2(sql,
			       "SELECT t.mode, count(DISTINCT t.id) FILTER (WHERE e.kind = 'fault'),"
			       " count(DISTINCT t.id) FILTER (WHERE e.kind = 'recovery')"
			       " FROM trials t JOIN events e ON e.trial_id = t.id"
			       " WHERE t.campaign_id = ? AND t.outcome <> 'harness-error' GROUP BY 1",
			       -1, &st, NULL) != SQLITE_OK)
		return -1;
	sqlite3_bind_int64(st, 1, r->campaign_id);
	while (sqlite3_step(st) == SQLITE_ROW) {
		int m = report_mode_index(r, (const char *)sqlite3_column_text(st, 0));

		if (m < 0)
			continue;
		r->faults_detected[m] = sqlite3_column_int64(st, 1);
		r->recoveries[m] = sqlite3_column_int64(st, 2);
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
	for (size_t m = 0; m < MAX_MODES; m++) {
		free(r->recovery_ms[m]);
		r->recovery_ms[m] = NULL;
	}
}
