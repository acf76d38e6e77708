/* Module-name resolution: turns `load e1000` into the list of .ko files to
 * load, dependencies first, from modules.dep files — /lib/modules/nooks/
 * (project modules) is searched before the kernel's /lib/modules/<kver>/.
 * Directories are parameters so tests can use a fake tree. */
#ifndef NOOKS_AGENT_MODDEP_H
#define NOOKS_AGENT_MODDEP_H

#include <limits.h>
#include <stddef.h>

#define MODPLAN_MAX 32

struct modplan {
	int n;
	char path[MODPLAN_MAX][PATH_MAX];   /* load order: deps first */
};

struct moddep_dirs {
	const char *nooks_dir;    /* e.g. /lib/modules/nooks */
	const char *kernel_dir;   /* e.g. /lib/modules/6.1.0-x-amd64 */
};

/* The module name a file name stands for: basename without ".ko", '-'
 * spelled '_' (the kernel treats both alike). */
void moddep_name_of(const char *path, char *name, size_t cap);

/* True when `arg` names a file (contains '/' or ends in ".ko"). */
int moddep_is_path(const char *arg);

/* Plans loading module `name`. Returns 0, or an errno value (ENOENT: no
 * such module; ELOOP: dependency cycle; E2BIG: too many) with msg set. */
int moddep_plan_name(const struct moddep_dirs *dirs, const char *name,
		     struct modplan *plan, char *msg, size_t msglen);

/* Plans loading the file `path` whose modinfo lists `depends` (a comma
 * separated list of module names, may be empty): the dependencies are
 * resolved by name, the file itself comes last. */
int moddep_plan_file(const struct moddep_dirs *dirs, const char *path,
		     const char *depends, struct modplan *plan, char *msg,
		     size_t msglen);

#endif
