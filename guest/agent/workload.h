/* Workloads for `run <workload> <budget_s>`. */
#ifndef NOOKS_AGENT_WORKLOAD_H
#define NOOKS_AGENT_WORKLOAD_H

#include <stdbool.h>

#include "reply.h"

bool workload_exists(const char *name);

/* Runs the workload, writing STEP lines and exactly one final line. */
void workload_run(const char *name, struct reply_sink *out,
		  unsigned long long tag, unsigned budget_s);

/* net-basic and net-basic-quick (netbasic.c): the same steps; the quick
 * one runs iperf3 for 1 s each way instead of 3. */
void workload_net_basic(struct reply_sink *out, unsigned long long tag,
			unsigned budget_s);
void workload_net_basic_quick(struct reply_sink *out, unsigned long long tag,
			      unsigned budget_s);

#endif
