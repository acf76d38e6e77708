/* Shared state of the nooks-results subcommands. */
#ifndef NOOKS_RESULTS_CLI_H
#define NOOKS_RESULTS_CLI_H

#include "results.h"

struct cli {
	const char *db_path;
	int json;	/* answer in JSON */
};

int do_list(struct cli *cli, int argc, char **argv);
int do_show(struct cli *cli, int argc, char **argv);
int do_export(struct cli *cli, int argc, char **argv);
int do_merge(struct cli *cli, int argc, char **argv);
int do_init(struct cli *cli, int argc, char **argv);

/* Opens cli->db_path read-only or prints why not; NULL on failure. */
struct results_db *cli_open_readonly(struct cli *cli);

#endif
