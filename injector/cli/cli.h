/* bin/inject: one file per subcommand family, dispatched from main.c. */
#ifndef NOOKS_INJECT_CLI_H
#define NOOKS_INJECT_CLI_H

#include <stdbool.h>
#include "../inject.h"

struct cli {
	bool json;		/* --json / -j: machine output on stdout */
};

int do_types(struct cli *c, int argc, char **argv);
int do_sites(struct cli *c, int argc, char **argv);
int do_plan(struct cli *c, int argc, char **argv);
int do_apply(struct cli *c, int argc, char **argv);
int do_show(struct cli *c, int argc, char **argv);

/* helpers.c */
int cli_fail(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
int cli_usage(const char *usage);
void cli_print_json(json_t *j);	/* prints and releases */
json_t *cli_identity_json(const struct inj_identity *id);
int cli_parse_u64(const char *s, uint64_t max, uint64_t *out);

#endif
