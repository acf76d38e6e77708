/* Workload table; see workload.h. */
#include "workload.h"

#include <errno.h>
#include <string.h>

struct workload_def {
	const char *name;
	void (*run)(struct reply_sink *out, unsigned long long tag,
		    unsigned budget_s);
};

static const struct workload_def workloads[] = {
	{ "net-basic", workload_net_basic },
	{ "net-basic-quick", workload_net_basic_quick },
};

static const struct workload_def *workload_find(const char *name)
{
	for (size_t i = 0; i < sizeof(workloads) / sizeof(workloads[0]); i++)
		if (strcmp(workloads[i].name, name) == 0)
			return &workloads[i];
	return NULL;
}

bool workload_exists(const char *name)
{
	return workload_find(name) != NULL;
}

void workload_run(const char *name, struct reply_sink *out,
		  unsigned long long tag, unsigned budget_s)
{
	const struct workload_def *w = workload_find(name);

	if (!w) {
		reply_err(out, tag, ENOENT, "unknown workload '%s'", name);
		return;
	}
	w->run(out, tag, budget_s);
}
