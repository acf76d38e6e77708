/* modules.dep resolution; see moddep.h.
 *
 * Both dep files are read into one table of {absolute path, name, deps}.
 * A dep path is relative to the directory of its modules.dep unless it
 * starts with '/' (the image's nooks modules.dep points into the kernel tree
 * that way). A depth-first walk emits each module after its dependencies. */
#include "moddep.h"

#include <dirent.h>
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fsutil.h"

#define MODDEP_MAX_DEPS 32

struct modent {
	char path[PATH_MAX];
	char name[64];
	int ndeps;
	char *deps[MODDEP_MAX_DEPS];   /* absolute paths */
};

struct modtab {
	struct modent *ent;
	int n, cap;
};

void moddep_name_of(const char *path, char *name, size_t cap)
{
	const char *base = strrchr(path, '/');
	size_t len;

	base = base ? base + 1 : path;
	len = strlen(base);
	if (len > 3 && strcmp(base + len - 3, ".ko") == 0)
		len -= 3;
	if (len >= cap)
		len = cap - 1;
	for (size_t i = 0; i < len; i++)
		name[i] = base[i] == '-' ? '_' : base[i];
	name[len] = '\0';
}

int moddep_is_path(const char *arg)
{
	size_t len = strlen(arg);

	return strchr(arg, '/') != NULL ||
	       (len > 3 && strcmp(arg + len - 3, ".ko") == 0);
}

static void join_path(char *out, size_t cap, const char *dir, const char *rel)
{
	if (rel[0] == '/')
		snprintf(out, cap, "%s", rel);
	else
		snprintf(out, cap, "%s/%s", dir, rel);
}

static struct modent *modtab_add(struct modtab *t)
{
	if (t->n == t->cap) {
		int cap = t->cap ? t->cap * 2 : 64;
		struct modent *e = realloc(t->ent, (size_t)cap * sizeof(*e));

		if (!e)
			return NULL;
		t->ent = e;
		t->cap = cap;
	}
	memset(&t->ent[t->n], 0, sizeof(t->ent[0]));
	return &t->ent[t->n++];
}

static void modtab_free(struct modtab *t)
{
	for (int i = 0; i < t->n; i++)
		for (int d = 0; d < t->ent[i].ndeps; d++)
			free(t->ent[i].deps[d]);
	free(t->ent);
	t->ent = NULL;
	t->n = t->cap = 0;
}

/* Adds every line of dir/modules.dep. A missing file is not an error. */
static int modtab_load_dep(struct modtab *t, const char *dir)
{
	char file[PATH_MAX], *text, *line, *save = NULL;

	snprintf(file, sizeof(file), "%s/modules.dep", dir);
	text = fs_read_file(file, 64u << 20, NULL);
	if (!text)
		return errno == ENOENT ? 0 : -1;
	for (line = strtok_r(text, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save)) {
		char *colon = strchr(line, ':'), *tok, *tsave = NULL;
		struct modent *e;

		if (!colon)
			continue;
		*colon = '\0';
		e = modtab_add(t);
		if (!e) {
			free(text);
			errno = ENOMEM;
			return -1;
		}
		join_path(e->path, sizeof(e->path), dir, line);
		moddep_name_of(line, e->name, sizeof(e->name));
		for (tok = strtok_r(colon + 1, " \t", &tsave); tok;
		     tok = strtok_r(NULL, " \t", &tsave)) {
			char abs[PATH_MAX];

			if (e->ndeps == MODDEP_MAX_DEPS)
				break;
			join_path(abs, sizeof(abs), dir, tok);
			e->deps[e->ndeps] = strdup(abs);
			if (!e->deps[e->ndeps]) {
				free(text);
				errno = ENOMEM;
				return -1;
			}
			e->ndeps++;
		}
	}
	free(text);
	return 0;
}

static struct modent *find_by_path(struct modtab *t, const char *path)
{
	for (int i = 0; i < t->n; i++)
		if (strcmp(t->ent[i].path, path) == 0)
			return &t->ent[i];
	return NULL;
}

static struct modent *find_by_name(struct modtab *t, const char *name)
{
	char want[64];

	moddep_name_of(name, want, sizeof(want));
	for (int i = 0; i < t->n; i++)
		if (strcmp(t->ent[i].name, want) == 0)
			return &t->ent[i];
	return NULL;
}

/* Project modules without a modules.dep line are still loadable by name. */
static int modtab_scan_dir(struct modtab *t, const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *de;

	if (!d)
		return 0;
	while ((de = readdir(d))) {
		char path[PATH_MAX];
		struct modent *e;
		size_t len = strlen(de->d_name);

		if (len <= 3 || strcmp(de->d_name + len - 3, ".ko") != 0)
			continue;
		join_path(path, sizeof(path), dir, de->d_name);
		if (find_by_path(t, path))
			continue;
		e = modtab_add(t);
		if (!e) {
			closedir(d);
			errno = ENOMEM;
			return -1;
		}
		snprintf(e->path, sizeof(e->path), "%s", path);
		moddep_name_of(de->d_name, e->name, sizeof(e->name));
	}
	closedir(d);
	return 0;
}

static int modtab_load(struct modtab *t, const struct moddep_dirs *dirs)
{
	/* Order matters: names are looked up first-match, nooks first. */
	if (dirs->nooks_dir && (modtab_load_dep(t, dirs->nooks_dir) < 0 ||
				modtab_scan_dir(t, dirs->nooks_dir) < 0))
		return -1;
	if (dirs->kernel_dir && modtab_load_dep(t, dirs->kernel_dir) < 0)
		return -1;
	return 0;
}

static bool plan_has(const struct modplan *plan, const char *path)
{
	for (int i = 0; i < plan->n; i++)
		if (strcmp(plan->path[i], path) == 0)
			return true;
	return false;
}

/* Post-order walk. `stack` holds the current chain to detect cycles. */
/* Adds one module to the end of the load order, within MODPLAN_MAX. */
static int plan_append(struct modplan *plan, const char *path, char *msg,
		       size_t msglen)
{
	if (plan->n == MODPLAN_MAX) {
		snprintf(msg, msglen, "more than %d modules to load", MODPLAN_MAX);
		return E2BIG;
	}
	snprintf(plan->path[plan->n++], PATH_MAX, "%s", path);
	return 0;
}

static int plan_walk(struct modtab *t, const char *path, struct modplan *plan,
		     const char **stack, int depth, char *msg, size_t msglen)
{
	struct modent *e;

	if (plan_has(plan, path))
		return 0;
	for (int i = 0; i < depth; i++) {
		if (strcmp(stack[i], path) == 0) {
			snprintf(msg, msglen, "dependency cycle at %s", path);
			return ELOOP;
		}
	}
	if (depth == MODPLAN_MAX) {
		snprintf(msg, msglen, "dependency chain too deep at %s", path);
		return E2BIG;
	}
	stack[depth] = path;
	e = find_by_path(t, path);
	/* modules.dep lists the deepest dependency last: walk it backwards
	 * like modprobe does (the walk is correct in any order anyway). */
	for (int d = e ? e->ndeps - 1 : -1; d >= 0; d--) {
		int rc = plan_walk(t, e->deps[d], plan, stack, depth + 1, msg,
				   msglen);

		if (rc)
			return rc;
	}
	return plan_append(plan, path, msg, msglen);
}

int moddep_plan_name(const struct moddep_dirs *dirs, const char *name,
		     struct modplan *plan, char *msg, size_t msglen)
{
	struct modtab t = { 0 };
	const char *stack[MODPLAN_MAX];
	struct modent *e;
	int rc;

	plan->n = 0;
	if (modtab_load(&t, dirs) < 0) {
		rc = errno;
		snprintf(msg, msglen, "cannot read modules.dep: %s", strerror(rc));
		modtab_free(&t);
		return rc;
	}
	e = find_by_name(&t, name);
	if (!e) {
		snprintf(msg, msglen, "module %s not found in %s or %s", name,
			 dirs->nooks_dir ? dirs->nooks_dir : "-",
			 dirs->kernel_dir ? dirs->kernel_dir : "-");
		modtab_free(&t);
		return ENOENT;
	}
	rc = plan_walk(&t, e->path, plan, stack, 0, msg, msglen);
	modtab_free(&t);
	return rc;
}

int moddep_plan_file(const struct moddep_dirs *dirs, const char *path,
		     const char *depends, struct modplan *plan, char *msg,
		     size_t msglen)
{
	struct modtab t = { 0 };
	const char *stack[MODPLAN_MAX];
	char *list, *tok, *save = NULL;
	int rc = 0;

	plan->n = 0;
	if (modtab_load(&t, dirs) < 0) {
		rc = errno;
		snprintf(msg, msglen, "cannot read modules.dep: %s", strerror(rc));
		modtab_free(&t);
		return rc;
	}
	list = strdup(depends ? depends : "");
	if (!list) {
		modtab_free(&t);
		snprintf(msg, msglen, "out of memory");
		return ENOMEM;
	}
	for (tok = strtok_r(list, ",", &save); tok && !rc;
	     tok = strtok_r(NULL, ",", &save)) {
		struct modent *e = find_by_name(&t, tok);

		if (!e) {
			snprintf(msg, msglen, "dependency %s of %s not found", tok,
				 path);
			rc = ENOENT;
			break;
		}
		rc = plan_walk(&t, e->path, plan, stack, 0, msg, msglen);
	}
	free(list);
	modtab_free(&t);
	if (rc)
		return rc;
	return plan_append(plan, path, msg, msglen);
}
