/* Loading and unloading kernel modules (finit_module / delete_module) and
 * reading a .ko's modinfo with libelf. */
#ifndef NOOKS_AGENT_MODLOAD_H
#define NOOKS_AGENT_MODLOAD_H

#include <stddef.h>

#include "moddep.h"

#define NOOKS_MODULE_DIR "/lib/modules/nooks"

/* Value of `key` in the .modinfo section of a .ko ("" when absent).
 * Returns 0, or an errno value when the file is not a readable ELF. */
int modinfo_get(const char *path, const char *key, char *out, size_t cap);

/* The directories of this guest: nooks dir and /lib/modules/<uname -r>. */
void modload_default_dirs(struct moddep_dirs *dirs, char *kdir, size_t cap);

struct modload_result {
	char name[64];        /* the module's own name (modinfo name=) */
	char path[4096];      /* the file that was loaded last */
	int deps_loaded;      /* dependencies newly loaded */
	long long ms;         /* time spent in finit_module of the main file */
};

/* Loads `spec` (a path or a bare name) with `params` ("a=1 b=2" or ""),
 * dependencies first; a dependency that is already loaded is fine, the
 * module itself being loaded already is EEXIST. Returns 0 or an errno
 * value with msg filled. */
int modload_load(const struct moddep_dirs *dirs, const char *spec,
		 const char *params, struct modload_result *res, char *msg,
		 size_t msglen);

/* delete_module(name, O_NONBLOCK). Returns 0 or an errno value. */
int modload_unload(const char *name);

/* True when /sys/module/<name> has an initstate (the module is loaded). */
int modload_is_loaded(const char *name);

#endif
