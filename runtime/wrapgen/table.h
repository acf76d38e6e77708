/*
 * wrappers.tbl in memory: one entry per kernel symbol a driver may import.
 *
 * The table is the single source of truth for the wrappers of nooks.ko and
 * for the list nooks-isolate binds drivers against, so the parser is strict:
 * every problem is reported with the line it was found on.
 */
#ifndef WRAPGEN_TABLE_H
#define WRAPGEN_TABLE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#define WG_MAX_PARAMS 12
#define WG_MAX_NONNULL 6
/* struct modversion_info.name is 64 - sizeof(unsigned long) bytes, NUL included. */
#define WG_MODVERSION_NAME_MAX 55
#define WG_WRAPPER_PREFIX "nooks_w_"

enum wg_class {
	WG_PASS,	/* checks, then calls through */
	WG_ALLOC,	/* tracks the object it returns or sets up */
	WG_FREE,	/* checks the object is the domain's, untracks it */
	WG_LOCK,	/* the held lock becomes a tracked object */
	WG_UNLOCK,	/* releasing checks the domain holds the lock */
	WG_CUSTOM,	/* registers/unregisters driver callbacks: hand-written in the core */
	WG_KERNEL,	/* stays bound to the kernel symbol */
	WG_NR_CLASSES
};

struct wg_param {
	char *decl;	/* as written: "const char *fmt", "int (*poll)(struct napi_struct *, int)" */
	char *name;	/* "fmt", "poll" */
};

struct wg_entry {
	int line;
	enum wg_class cls;
	char *symbol;
	char *ret_type;		/* "void", "struct sk_buff *"; NULL for kernel entries */
	struct wg_param params[WG_MAX_PARAMS];
	int nparams;
	bool variadic;
	/* attributes (NULL when absent) */
	char *kind, *obj, *aux, *aux2, *aux3, *err, *ok, *when, *va, *reason;
	char *sleeps_gfp;	/* sleeps when this gfp_t parameter allows blocking */
	char *consumes;		/* alloc: "KIND:expr" untracked once the call succeeds */
	char *nonnull[WG_MAX_NONNULL];
	int nnonnull;
	bool nullok, nocheck, sleeps;
};

struct wg_table {
	struct wg_entry *entries;
	size_t n, cap;
	char **includes;	/* "<linux/pci.h>" */
	size_t nincludes;
};

const char *wg_class_name(enum wg_class cls);
bool wg_returns_void(const struct wg_entry *e);

/*
 * Parses a table. On error returns -1 with "<fname>:<line>: <what>" in err;
 * the table is then empty (freed).
 */
int wg_parse(FILE *in, const char *fname, struct wg_table *t, char *err, size_t errlen);
const struct wg_entry *wg_find(const struct wg_table *t, const char *symbol);
void wg_free(struct wg_table *t);

/* Writers (emit.c). Return 0, or -1 with errno set by stdio. */
int wg_emit_c(const struct wg_table *t, FILE *out, const char *table_name);
int wg_emit_header(const struct wg_table *t, FILE *out, const char *table_name);
int wg_emit_imports(const struct wg_table *t, FILE *out, const char *table_name);

#endif
