// SPDX-License-Identifier: GPL-2.0
/*
 * nooksstat: print the state of every nooks domain in the guest, from
 * /sys/kernel/nooks/<driver>/. One line per driver, or one "key value"
 * line per attribute with -v. Exit 1 when nooks is not loaded.
 */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "nooksstat.h"

static const char *const attrs[] = {
	"state", "faults", "recoveries", "xpc_count", "tracked_objects",
	"last_fault",
};

int nooksstat_read_attr(const char *root, const char *drv, const char *attr,
			char *out, size_t len)
{
	char path[512];
	FILE *f;
	size_t n;

	snprintf(path, sizeof(path), "%s/%s/%s", root, drv, attr);
	f = fopen(path, "r");
	if (!f)
		return -errno;
	n = fread(out, 1, len - 1, f);
	fclose(f);
	out[n] = '\0';
	while (n && (out[n - 1] == '\n' || out[n - 1] == ' '))
		out[--n] = '\0';
	return 0;
}

int nooksstat_print(FILE *out, const char *root, const char *drv, int verbose)
{
	char val[256];
	size_t i;

	if (!verbose)
		fprintf(out, "%-12s", drv);
	for (i = 0; i < sizeof(attrs) / sizeof(attrs[0]); i++) {
		if (nooksstat_read_attr(root, drv, attrs[i], val, sizeof(val)))
			snprintf(val, sizeof(val), "?");
		if (verbose)
			fprintf(out, "%s.%s %s\n", drv, attrs[i], val);
		else if (strcmp(attrs[i], "last_fault"))
			fprintf(out, " %s=%s", attrs[i], val);
	}
	if (!verbose)
		fputc('\n', out);
	return 0;
}

#ifndef NOOKSSTAT_NO_MAIN
int main(int argc, char **argv)
{
	const char *root = getenv("NOOKS_SYSFS");
	int verbose = 0, shown = 0, i;
	struct dirent *e;
	DIR *dir;

	if (!root)
		root = "/sys/kernel/nooks";
	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "-v")) {
			verbose = 1;
		} else {
			fprintf(stderr, "usage: nooksstat [-v]\n");
			return 2;
		}
	}
	dir = opendir(root);
	if (!dir) {
		fprintf(stderr, "nooksstat: %s: %s (is nooks.ko loaded?)\n",
			root, strerror(errno));
		return 1;
	}
	while ((e = readdir(dir))) {
		if (e->d_name[0] == '.')
			continue;
		nooksstat_print(stdout, root, e->d_name, verbose);
		shown++;
	}
	closedir(dir);
	if (!shown)
		printf("no isolated drivers\n");
	return 0;
}
#endif
