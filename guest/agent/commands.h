/* The command table: one entry per protocol verb (guest/PROTOCOL.md). */
#ifndef NOOKS_AGENT_COMMANDS_H
#define NOOKS_AGENT_COMMANDS_H

#include "agent.h"

/* Handles one parsed command line: replies inline, starts a worker, or
 * enters `put` data mode. */
void commands_dispatch(struct agent *a, const struct proto_cmd *cmd);

/* Budget for worker commands that take none. */
#define BUDGET_LOAD_S     120
#define BUDGET_UNLOAD_S   30
#define BUDGET_CAT_S      60   /* the serial line moves ~10 KB/s */
#define BUDGET_SECTIONS_S 10

#endif
