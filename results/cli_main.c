/*
 * nooks-results: look into and combine campaign databases.
 * One dispatch table, one file per family of subcommands (bpftool style).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

static const char usage_text[] =
	"usage: nooks-results [--db PATH] [--json] COMMAND [ARGS]\n"
	"  list                          campaigns in the database\n"
	"  show CAMPAIGN                 outcome tally of a campaign (id or name)\n"
	"  show --trial ID [--console]   one trial, its events, steps (and console)\n"
	"  export --csv|--json [--campaign C] [--no-timings]   all trials to stdout\n"
	"  merge OUT.db IN.db...         combine shard databases of one campaign\n"
	"  init [PATH]                   create a database or upgrade it to this schema\n"
	"The database defaults to $NOOKS_DB, then results/nooks.db.\n";

static int do_help(struct cli *cli, int argc, char **argv)
{
	(void)cli, (void)argc, (void)argv;
	fputs(usage_text, stdout);
	return 0;
}

static const struct {
	const char *name;
	int (*run)(struct cli *cli, int argc, char **argv);
} commands[] = {
	{ "list", do_list },
	{ "show", do_show },
	{ "export", do_export },
	{ "merge", do_merge },
	{ "init", do_init },
	{ "help", do_help },
};

struct results_db *cli_open_readonly(struct cli *cli)
{
	char err[1024];
	struct results_db *db = results_open(cli->db_path, RESULTS_OPEN_READONLY,
					     err, sizeof(err));
	if (!db)
		fprintf(stderr, "nooks-results: %s\n", err);
	return db;
}

int main(int argc, char **argv)
{
	struct cli cli = { .db_path = getenv("NOOKS_DB") };
	int i;

	if (!cli.db_path || !*cli.db_path)
		cli.db_path = "results/nooks.db";
	for (i = 1; i < argc && argv[i][0] == '-'; i++) {
		if (strcmp(argv[i], "--json") == 0 || strcmp(argv[i], "-j") == 0) {
			cli.json = 1;
		} else if (strcmp(argv[i], "--db") == 0 && i + 1 < argc) {
			cli.db_path = argv[++i];
		} else if (strcmp(argv[i], "-h") == 0 || strcmp(argv[i], "--help") == 0) {
			fputs(usage_text, stdout);
			return 0;
		} else {
			fprintf(stderr, "nooks-results: unknown option '%s'\n%s", argv[i], usage_text);
			return 2;
		}
	}
	if (i >= argc) {
		fputs(usage_text, stderr);
		return 2;
	}
	for (size_t c = 0; c < sizeof(commands) / sizeof(commands[0]); c++)
		if (strcmp(argv[i], commands[c].name) == 0)
			return commands[c].run(&cli, argc - i - 1, argv + i + 1);
	fprintf(stderr, "nooks-results: unknown command '%s'\n%s", argv[i], usage_text);
	return 2;
}
