/* nooks-results export / merge. */
#include <string.h>
#include <jansson.h>

#include "cli.h"

int do_export(struct cli *cli, int argc, char **argv)
{
	int csv = 0, json = cli->json, flags = 0, rc;
	const char *campaign = NULL;
	int64_t id = -1;
	struct results_db *db;

	for (int i = 0; i < argc; i++) {
		if (strcmp(argv[i], "--csv") == 0)
			csv = 1;
		else if (strcmp(argv[i], "--json") == 0)
			json = 1;
		else if (strcmp(argv[i], "--no-timings") == 0)
			flags |= RESULTS_EXPORT_NO_TIMINGS;
		else if (strcmp(argv[i], "--campaign") == 0 && i + 1 < argc)
			campaign = argv[++i];
		else {
			fprintf(stderr, "nooks-results: export: unexpected '%s'\n", argv[i]);
			return 2;
		}
	}
	if (csv == json) {
		fprintf(stderr, "nooks-results: export wants exactly one of --csv and --json\n");
		return 2;
	}
	db = cli_open_readonly(cli);
	if (!db)
		return 1;
	if (campaign && (id = results_campaign_lookup(db, campaign)) < 0) {
		fprintf(stderr, "nooks-results: %s\n", results_errmsg(db));
		results_close(db);
		return 1;
	}
	rc = csv ? results_export_csv(db, id, flags, stdout)
		 : results_export_json(db, id, flags, stdout);
	if (rc < 0)
		fprintf(stderr, "nooks-results: %s\n", results_errmsg(db));
	results_close(db);
	return rc < 0 ? 1 : 0;
}

int do_merge(struct cli *cli, int argc, char **argv)
{
	char err[1024];
	struct results_db *out;
	int64_t total = 0;

	if (argc < 2) {
		fprintf(stderr, "nooks-results: merge wants OUT.db and at least one IN.db\n");
		return 2;
	}
	out = results_open(argv[0], RESULTS_OPEN_CREATE, err, sizeof(err));
	if (!out) {
		fprintf(stderr, "nooks-results: %s\n", err);
		return 1;
	}
	for (int i = 1; i < argc; i++) {
		int64_t n = results_merge_from(out, argv[i]);

		if (n < 0) {
			fprintf(stderr, "nooks-results: merging %s: %s\n", argv[i], results_errmsg(out));
			results_close(out);
			return 1;
		}
		total += n;
		if (!cli->json)
			printf("%s: %lld trials added\n", argv[i], (long long)n);
	}
	if (cli->json) {
		json_t *o = json_pack("{s:s, s:I}", "out", argv[0], "trials_added", (json_int_t)total);

		json_dumpf(o, stdout, 0);
		fputc('\n', stdout);
		json_decref(o);
	}
	results_close(out);
	return 0;
}

/* Creates the database, or upgrades an older one to the current schema. */
int do_init(struct cli *cli, int argc, char **argv)
{
	char err[1024];
	struct results_db *db;
	const char *path = argc == 1 ? argv[0] : argc == 0 ? cli->db_path : NULL;

	if (!path) {
		fprintf(stderr, "nooks-results: init takes at most one path\n");
		return 2;
	}
	db = results_open(path, RESULTS_OPEN_CREATE, err, sizeof(err));
	if (!db) {
		fprintf(stderr, "nooks-results: %s\n", err);
		return 1;
	}
	if (cli->json)
		printf("{\"schema_version\": %d}\n", results_user_version(db));
	else
		printf("%s: schema version %d\n", path, results_user_version(db));
	results_close(db);
	return 0;
}
