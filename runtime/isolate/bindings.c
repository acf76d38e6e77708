/*
 * What nooks offers a driver: nooks-imports.txt (written by wrapgen from
 * wrappers.tbl: which kernel symbols have a wrapper, which stay bound to the
 * kernel) and nooks.symvers (the runtime's Module.symvers: the CRC the loader
 * checks for each wrapper).
 */
#include "isolate.h"

#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

int iso_fail(struct iso_err *err, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
	va_end(ap);
	return -1;
}

static int add_binding(struct bindings *b, const struct binding *nb)
{
	struct binding *v = realloc(b->v, (b->n + 1) * sizeof(*v));

	if (!v)
		return -1;
	b->v = v;
	b->v[b->n++] = *nb;
	return 0;
}

static int load_imports(struct bindings *b, const char *path, struct iso_err *err)
{
	FILE *in = fopen(path, "r");
	char *line = NULL;
	size_t cap = 0;
	int lineno = 0, rc = 0;

	if (!in)
		return iso_fail(err, "%s: %s (build the runtime first, or pass --runtime DIR)",
				path, strerror(errno));
	while (getline(&line, &cap, in) >= 0) {
		char *save = NULL, *what, *sym, *a, *c, *extra;
		struct binding nb = { 0 };

		lineno++;
		what = strtok_r(line, " \t\n", &save);
		if (!what || what[0] == '#')
			continue;
		sym = strtok_r(NULL, " \t\n", &save);
		a = strtok_r(NULL, " \t\n", &save);
		c = strtok_r(NULL, " \t\n", &save);
		extra = strtok_r(NULL, " \t\n", &save);
		if (strcmp(what, "wrap") == 0 && sym && a && c && !extra) {
			nb.kind = BIND_WRAP;
			nb.wrapper = strdup(a);
			nb.class = strdup(c);
		} else if (strcmp(what, "kernel") == 0 && sym && a && !c) {
			nb.kind = BIND_KERNEL;
			nb.class = strdup(a);
		} else {
			rc = iso_fail(err, "%s:%d: expected 'wrap <symbol> <wrapper> <class>' or "
				      "'kernel <symbol> <reason>'", path, lineno);
			break;
		}
		nb.symbol = strdup(sym);
		if (bindings_find(b, sym)) {
			free(nb.symbol), free(nb.wrapper), free(nb.class);
			rc = iso_fail(err, "%s:%d: %s listed twice", path, lineno, sym);
			break;
		}
		if (add_binding(b, &nb)) {
			rc = iso_fail(err, "out of memory");
			break;
		}
	}
	free(line);
	fclose(in);
	if (!rc && b->n == 0)
		rc = iso_fail(err, "%s: no bindings", path);
	return rc;
}

/* Module.symvers: "0x<crc>\t<symbol>\t<module>\t<export type>[\t<namespace>]" */
static int load_symvers(struct bindings *b, const char *path, struct iso_err *err)
{
	FILE *in = fopen(path, "r");
	char *line = NULL;
	size_t cap = 0;
	int lineno = 0, rc = 0;

	if (!in)
		return iso_fail(err, "%s: %s (the runtime's Module.symvers, copied by its build)",
				path, strerror(errno));
	while (getline(&line, &cap, in) >= 0) {
		char *save = NULL, *crc, *sym, *end;
		unsigned long v;

		lineno++;
		crc = strtok_r(line, "\t\n", &save);
		if (!crc)
			continue;
		sym = strtok_r(NULL, "\t\n", &save);
		errno = 0;
		v = strtoul(crc, &end, 16);
		if (!sym || strncmp(crc, "0x", 2) != 0 || *end || errno || v > UINT32_MAX) {
			rc = iso_fail(err, "%s:%d: not a Module.symvers line", path, lineno);
			break;
		}
		for (size_t i = 0; i < b->n; i++) {
			if (b->v[i].kind == BIND_WRAP && strcmp(b->v[i].wrapper, sym) == 0) {
				b->v[i].crc = (uint32_t)v;
				b->v[i].has_crc = true;
			}
		}
	}
	free(line);
	fclose(in);
	return rc;
}

int bindings_load_files(struct bindings *b, const char *imports_path,
			const char *symvers_path, struct iso_err *err)
{
	memset(b, 0, sizeof(*b));
	if (load_imports(b, imports_path, err) || load_symvers(b, symvers_path, err)) {
		bindings_free(b);
		return -1;
	}
	return 0;
}

int bindings_load(struct bindings *b, const char *dir, struct iso_err *err)
{
	char imports[4096], symvers[4096];

	snprintf(imports, sizeof(imports), "%s/nooks-imports.txt", dir);
	snprintf(symvers, sizeof(symvers), "%s/nooks.symvers", dir);
	return bindings_load_files(b, imports, symvers, err);
}

const struct binding *bindings_find(const struct bindings *b, const char *symbol)
{
	for (size_t i = 0; i < b->n; i++)
		if (strcmp(b->v[i].symbol, symbol) == 0)
			return &b->v[i];
	return NULL;
}

void bindings_free(struct bindings *b)
{
	for (size_t i = 0; i < b->n; i++) {
		free(b->v[i].symbol);
		free(b->v[i].wrapper);
		free(b->v[i].class);
	}
	free(b->v);
	memset(b, 0, sizeof(*b));
}
