/*
 * nooks-isolate: bind a driver module to the nooks runtime.
 *
 *   nooks-isolate [--runtime DIR] DRIVER.ko -o OUT.ko
 *   nooks-isolate [--runtime DIR] --report [--json] DRIVER.ko
 *
 * DIR (default $TOP/build/kmod, or ../build/kmod next to this program's
 * bin/) holds nooks-imports.txt (from wrapgen) and nooks.symvers (the
 * runtime's Module.symvers).
 */
#include "isolate.h"

#include <getopt.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static void usage(FILE *f)
{
	fputs("usage: nooks-isolate [--runtime DIR] DRIVER.ko -o OUT.ko\n"
	      "       nooks-isolate [--runtime DIR] --report [--json] DRIVER.ko\n"
	      "Rebinds every imported function of DRIVER.ko to its nooks wrapper\n"
	      "(nooks_w_<name>), fixes __versions from DIR/nooks.symvers, adds\n"
	      "depends=nooks, keeps .init/.exit sections resident, strips the signature.\n"
	      "DIR defaults to $TOP/build/kmod.\n", f);
}

/* $TOP/build/kmod, else <dir of this program>/../build/kmod. */
static void default_runtime_dir(char *out, size_t len, const char *argv0)
{
	const char *top = getenv("TOP");
	char self[PATH_MAX - 64];
	ssize_t n;

	if (top && *top) {
		snprintf(out, len, "%s/build/kmod", top);
		return;
	}
	n = readlink("/proc/self/exe", self, sizeof(self) - 1);
	if (n > 0) {
		char *slash;

		self[n] = '\0';
		slash = strrchr(self, '/');
		if (slash) {
			*slash = '\0';
			snprintf(out, len, "%s/../build/kmod", self);
			return;
		}
	}
	(void)argv0;
	snprintf(out, len, "build/kmod");
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "runtime", required_argument, NULL, 'r' },
		{ "report", no_argument, NULL, 'R' },
		{ "json", no_argument, NULL, 'j' },
		{ "output", required_argument, NULL, 'o' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *runtime = NULL, *output = NULL;
	char dir[PATH_MAX + 64];
	bool report = false, json = false;
	struct bindings b;
	struct iso_err err;
	int c, rc;

	while ((c = getopt_long(argc, argv, "o:h", opts, NULL)) != -1) {
		switch (c) {
		case 'r': runtime = optarg; break;
		case 'R': report = true; break;
		case 'j': json = true; break;
		case 'o': output = optarg; break;
		case 'h': usage(stdout); return 0;
		default: usage(stderr); return 2;
		}
	}
	if (optind != argc - 1 || (report == (output != NULL)) || (json && !report)) {
		usage(stderr);
		return 2;
	}
	if (!runtime) {
		default_runtime_dir(dir, sizeof(dir), argv[0]);
		runtime = dir;
	}
	if (bindings_load(&b, runtime, &err)) {
		fprintf(stderr, "nooks-isolate: %s\n", err.msg);
		return 1;
	}
	if (report) {
		rc = report_module(argv[optind], &b, json, stdout, &err);
	} else {
		struct rewrite_stats st;

		rc = isolate_module(argv[optind], output, &b, &st, &err);
		if (rc == 0)
			printf("%s: %zu imports bound to nooks wrappers, %zu left to the kernel, "
			       "%zu __versions entries rewritten, %zu sections kept resident, "
			       "%zu signature bytes stripped\n", output, st.renamed,
			       st.kernel_bound, st.versions, st.sections, st.signature);
	}
	if (rc)
		fprintf(stderr, "nooks-isolate: %s\n", err.msg);
	bindings_free(&b);
	return rc ? 1 : 0;
}
