/* nooks-results list / show: campaigns, their tallies, single trials. */
#include <stdlib.h>
#include <string.h>
#include <jansson.h>

#include "cli.h"

/* A query's current row as a JSON object keyed by column names. */
static json_t *row_json(sqlite3_stmt *st)
{
	json_t *o = json_object();

	for (int i = 0; i < sqlite3_column_count(st); i++) {
		json_t *v;

		switch (sqlite3_column_type(st, i)) {
		case SQLITE_INTEGER: v = json_integer(sqlite3_column_int64(st, i)); break;
		case SQLITE_FLOAT: v = json_real(sqlite3_column_double(st, i)); break;
		case SQLITE_NULL: v = json_null(); break;
		default: v = json_string((const char *)sqlite3_column_text(st, i)); break;
		}
		json_object_set_new(o, sqlite3_column_name(st, i), v ? v : json_null());
	}
	return o;
}

static const char *text_or(sqlite3_stmt *st, int i, const char *dflt)
{
	const unsigned char *s = sqlite3_column_text(st, i);

	return s ? (const char *)s : dflt;
}

static void print_json(json_t *v)
{
	json_dumpf(v, stdout, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
	fputc('\n', stdout);
	json_decref(v);
}

static int sql_error(struct results_db *db)
{
	fprintf(stderr, "nooks-results: %s\n", sqlite3_errmsg(results_sqlite(db)));
	results_close(db);
	return 1;
}

int do_list(struct cli *cli, int argc, char **argv)
{
	struct results_db *db;
	sqlite3_stmt *st;
	json_t *arr = json_array();

	(void)argv;
	if (argc) {
		fprintf(stderr, "nooks-results: list takes no arguments\n");
		json_decref(arr);
		return 2;
	}
	db = cli_open_readonly(cli);
	if (!db) {
		json_decref(arr);
		return 1;
	}
	if (sqlite3_prepare_v2(results_sqlite(db),
			       "SELECT c.id, c.name, c.driver, c.created,"
			       " (SELECT count(*) FROM trials t WHERE t.campaign_id = c.id"
			       "   AND t.outcome <> 'harness-error') AS trials,"
			       " (SELECT group_concat(DISTINCT mode) FROM trials t WHERE t.campaign_id = c.id) AS modes"
			       " FROM campaigns c ORDER BY c.id", -1, &st, NULL) != SQLITE_OK) {
		json_decref(arr);
		return sql_error(db);
	}
	if (!cli->json)
		printf("%-4s %-24s %-8s %-20s %7s  %s\n", "id", "name", "driver", "created", "trials", "modes");
	while (sqlite3_step(st) == SQLITE_ROW) {
		if (cli->json)
			json_array_append_new(arr, row_json(st));
		else
			printf("%-4lld %-24s %-8s %-20s %7lld  %s\n",
			       (long long)sqlite3_column_int64(st, 0), text_or(st, 1, ""),
			       text_or(st, 2, ""), text_or(st, 3, ""),
			       (long long)sqlite3_column_int64(st, 4), text_or(st, 5, "-"));
	}
	sqlite3_finalize(st);
	if (cli->json)
		print_json(arr);
	else
		json_decref(arr);
	results_close(db);
	return 0;
}

static int show_campaign(struct cli *cli, struct results_db *db, const char *which)
{
	sqlite3 *sql = results_sqlite(db);
	int64_t id = results_campaign_lookup(db, which);
	sqlite3_stmt *st;
	json_t *out = NULL, *tally;

	if (id < 0) {
		fprintf(stderr, "nooks-results: %s\n", results_errmsg(db));
		return 1;
	}
	if (sqlite3_prepare_v2(sql, "SELECT * FROM campaigns WHERE id = ?", -1, &st, NULL) != SQLITE_OK)
		return 1;
	sqlite3_bind_int64(st, 1, id);
	if (sqlite3_step(st) == SQLITE_ROW) {
		out = row_json(st);
		if (!cli->json)
			printf("campaign %lld '%s' driver %s created %s\n  config: %s\n"
			       "  kernel: %s  driver sha256: %s\n  tools: %s\n",
			       (long long)id, text_or(st, 1, ""), text_or(st, 2, ""),
			       text_or(st, 8, ""), text_or(st, 3, ""), text_or(st, 5, "?"),
			       text_or(st, 7, "?"), text_or(st, 4, "{}"));
	}
	sqlite3_finalize(st);
	if (sqlite3_prepare_v2(sql,
			       "SELECT mode, outcome, count(*) AS n FROM trials WHERE campaign_id = ?"
			       " GROUP BY mode, outcome ORDER BY mode, outcome", -1, &st, NULL) != SQLITE_OK) {
		json_decref(out);
		return 1;
	}
	sqlite3_bind_int64(st, 1, id);
	tally = json_array();
	if (!cli->json)
		printf("  %-10s %-20s %6s\n", "mode", "outcome", "trials");
	while (sqlite3_step(st) == SQLITE_ROW) {
		json_array_append_new(tally, row_json(st));
		if (!cli->json)
			printf("  %-10s %-20s %6lld\n", text_or(st, 0, ""), text_or(st, 1, ""),
			       (long long)sqlite3_column_int64(st, 2));
	}
	sqlite3_finalize(st);
	json_object_set_new(out, "tally", tally);
	if (cli->json)
		print_json(out);
	else
		json_decref(out);
	return 0;
}

static json_t *query_rows(sqlite3 *sql, const char *q, int64_t id, int print)
{
	sqlite3_stmt *st;
	json_t *arr = json_array();

	if (sqlite3_prepare_v2(sql, q, -1, &st, NULL) != SQLITE_OK)
		return arr;
	sqlite3_bind_int64(st, 1, id);
	while (sqlite3_step(st) == SQLITE_ROW) {
		if (print) {
			printf("   ");
			for (int i = 0; i < sqlite3_column_count(st); i++)
				printf(" %s", text_or(st, i, "-"));
			printf("\n");
		}
		json_array_append_new(arr, row_json(st));
	}
	sqlite3_finalize(st);
	return arr;
}

static int show_trial(struct cli *cli, struct results_db *db, const char *which,
		      int with_console)
{
	sqlite3 *sql = results_sqlite(db);
	char *end;
	long long id = strtoll(which, &end, 10);
	sqlite3_stmt *st;
	json_t *out = NULL;

	if (!*which || *end) {
		fprintf(stderr, "nooks-results: --trial wants a numeric trial id, not '%s'\n", which);
		return 2;
	}
	if (sqlite3_prepare_v2(sql, "SELECT * FROM trials WHERE id = ?", -1, &st, NULL) != SQLITE_OK)
		return 1;
	sqlite3_bind_int64(st, 1, id);
	if (sqlite3_step(st) == SQLITE_ROW) {
		out = row_json(st);
		if (!cli->json)
			for (int i = 0; i < sqlite3_column_count(st); i++)
				printf("%-16s %s\n", sqlite3_column_name(st, i), text_or(st, i, "NULL"));
	}
	sqlite3_finalize(st);
	if (!out) {
		fprintf(stderr, "nooks-results: no trial with id %lld\n", id);
		return 1;
	}
	if (!cli->json)
		printf("events:\n");
	json_object_set_new(out, "events",
			    query_rows(sql, "SELECT time, kind, detail FROM events WHERE trial_id = ? ORDER BY id",
				       id, !cli->json));
	if (!cli->json)
		printf("steps:\n");
	json_object_set_new(out, "steps",
			    query_rows(sql, "SELECT seq, name, CASE pass WHEN 1 THEN 'PASS' ELSE 'FAIL' END AS result,"
				       " detail FROM steps WHERE trial_id = ? ORDER BY seq", id, !cli->json));
	if (with_console &&
	    sqlite3_prepare_v2(sql, "SELECT raw_size, log FROM consoles WHERE trial_id = ?", -1, &st, NULL) == SQLITE_OK) {
		sqlite3_bind_int64(st, 1, id);
		if (sqlite3_step(st) == SQLITE_ROW) {
			char *text = NULL;

			if (results_console_unpack(sqlite3_column_blob(st, 1), (size_t)sqlite3_column_bytes(st, 1),
						   (size_t)sqlite3_column_int64(st, 0), &text) == 0) {
				if (cli->json)
					json_object_set_new(out, "console", json_string(text));
				else
					printf("console:\n%s", text);
				free(text);
			} else {
				fprintf(stderr, "nooks-results: console of trial %lld is corrupt\n", id);
			}
		}
		sqlite3_finalize(st);
	}
	if (cli->json)
		print_json(out);
	else
		json_decref(out);
	return 0;
}

int do_show(struct cli *cli, int argc, char **argv)
{
	const char *trial = NULL, *campaign = NULL;
	int console = 0, rc;
	struct results_db *db;

	for (int i = 0; i < argc; i++) {
		if (strcmp(argv[i], "--trial") == 0 && i + 1 < argc)
			trial = argv[++i];
		else if (strcmp(argv[i], "--console") == 0)
			console = 1;
		else if (argv[i][0] != '-' && !campaign)
			campaign = argv[i];
		else {
			fprintf(stderr, "nooks-results: show: unexpected '%s'\n", argv[i]);
			return 2;
		}
	}
	if (!trial == !campaign) {
		fprintf(stderr, "nooks-results: show wants either CAMPAIGN or --trial ID\n");
		return 2;
	}
	db = cli_open_readonly(cli);
	if (!db)
		return 1;
	rc = trial ? show_trial(cli, db, trial, console) : show_campaign(cli, db, campaign);
	results_close(db);
	return rc;
}
