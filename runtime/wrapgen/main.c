/*
 * wrapgen <table> <out.c> <out-imports.txt> [<out.h>]
 *
 * Generates the repetitive wrappers of nooks.ko from runtime/wrappers.tbl,
 * and the import list nooks-isolate binds drivers against. Outputs are
 * written to temporary files and renamed, so a failed run never leaves a
 * half-written file for make to trust.
 */
#include "table.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

typedef int (*emit_fn)(const struct wg_table *, FILE *, const char *);

static int write_output(const char *path, emit_fn emit, const struct wg_table *t,
			const char *table_name)
{
	size_t n = strlen(path) + 8;
	char *tmp = malloc(n);
	FILE *out;
	int rc;

	if (!tmp)
		return -1;
	snprintf(tmp, n, "%s.tmp", path);
	out = fopen(tmp, "w");
	if (!out) {
		fprintf(stderr, "wrapgen: %s: %s\n", tmp, strerror(errno));
		free(tmp);
		return -1;
	}
	rc = emit(t, out, table_name);
	if (fclose(out) != 0)
		rc = -1;
	if (rc == 0 && rename(tmp, path) != 0)
		rc = -1;
	if (rc) {
		fprintf(stderr, "wrapgen: writing %s: %s\n", path, strerror(errno));
		remove(tmp);
	}
	free(tmp);
	return rc;
}

int main(int argc, char **argv)
{
	struct wg_table t;
	char err[512];
	const char *base;
	FILE *in;
	int rc = 0;

	if (argc != 4 && argc != 5) {
		fprintf(stderr, "usage: wrapgen <wrappers.tbl> <out.c> <out-imports.txt> [<out.h>]\n");
		return 2;
	}
	in = fopen(argv[1], "r");
	if (!in) {
		fprintf(stderr, "wrapgen: %s: %s\n", argv[1], strerror(errno));
		return 1;
	}
	if (wg_parse(in, argv[1], &t, err, sizeof(err))) {
		fprintf(stderr, "wrapgen: %s\n", err);
		fclose(in);
		return 1;
	}
	fclose(in);
	base = strrchr(argv[1], '/') ? strrchr(argv[1], '/') + 1 : argv[1];
	if (write_output(argv[2], wg_emit_c, &t, base) ||
	    write_output(argv[3], wg_emit_imports, &t, base) ||
	    (argc == 5 && write_output(argv[4], wg_emit_header, &t, base)))
		rc = 1;
	wg_free(&t);
	return rc;
}
