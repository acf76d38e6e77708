/* What `load` last loaded, per module name: net-basic's `reload` step loads
 * the module under test again from the same file with the same parameters
 * (it may be a mutated copy sent with `put`). Lives in the main loop's
 * memory; workers see it through fork. */
#ifndef NOOKS_AGENT_LOADREG_H
#define NOOKS_AGENT_LOADREG_H

#include <limits.h>

struct loadrec {
	char name[64];
	char path[PATH_MAX];
	char params[1024];
};

void loadreg_record(const char *name, const char *path, const char *params);

/* NULL when `load` never loaded a module of that name. */
const struct loadrec *loadreg_find(const char *name);

#endif
