/* nooks-report --db PATH [--campaign ID|NAME] --out DIR [--no-plots] */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "report.h"

/* mkdir -p: the report directory may be several levels below an existing one. */
static int make_dirs(const char *path)
{
	char buf[4096];
	size_t len = strlen(path);

	if (len == 0 || len >= sizeof(buf))
		return -1;
	memcpy(buf, path, len + 1);
	for (char *p = buf + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(buf, 0755) != 0 && errno != EEXIST)
			return -1;
		*p = '/';
	}
	return mkdir(buf, 0755) != 0 && errno != EEXIST ? -1 : 0;
}

static void usage(FILE *f)
{
	fputs("usage: nooks-report --db PATH [--campaign ID|NAME] --out DIR [--no-plots]\n"
	      "Writes DIR/report.md and, with gnuplot, PNG and SVG plots next to it.\n", f);
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "db", required_argument, NULL, 'd' },
		{ "campaign", required_argument, NULL, 'c' },
		{ "out", required_argument, NULL, 'o' },
		{ "no-plots", no_argument, NULL, 'n' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	const char *db_path = NULL, *campaign = NULL, *out = NULL;
	int plots = 1, opt, have_plots = 0;
	char err[1024];
	struct results_db *db;
	struct report r;
	int64_t id = -1;

	while ((opt = getopt_long(argc, argv, "d:c:o:nh", opts, NULL)) != -1) {
		switch (opt) {
		case 'd': db_path = optarg; break;
		case 'c': campaign = optarg; break;
		case 'o': out = optarg; break;
		case 'n': plots = 0; break;
		case 'h': usage(stdout); return 0;
		default: usage(stderr); return 2;
		}
	}
	if (!db_path || !out || optind != argc) {
		usage(stderr);
		return 2;
	}
	db = results_open(db_path, RESULTS_OPEN_READONLY, err, sizeof(err));
	if (!db) {
		fprintf(stderr, "nooks-report: %s\n", err);
		return 1;
	}
	if (campaign && (id = results_campaign_lookup(db, campaign)) < 0) {
		fprintf(stderr, "nooks-report: %s\n", results_errmsg(db));
		results_close(db);
		return 1;
	}
	if (report_gather(db, id, &r, err, sizeof(err)) < 0) {
		fprintf(stderr, "nooks-report: %s: %s\n", db_path, err);
		results_close(db);
		return 1;
	}
	results_close(db);
	if (make_dirs(out) != 0) {
		fprintf(stderr, "nooks-report: cannot create %s: %s\n", out, strerror(errno));
		report_free(&r);
		return 1;
	}
	if (plots && r.n_modes > 0) {
		if (report_plots(&r, out, err, sizeof(err)) == 0)
			have_plots = 1;
		else
			fprintf(stderr, "nooks-report: plots skipped: %s\n", err);
	}
	if (report_markdown(&r, out, have_plots, err, sizeof(err)) < 0) {
		fprintf(stderr, "nooks-report: %s\n", err);
		report_free(&r);
		return 1;
	}
	printf("%s/report.md written (%zu modes, %zu paired comparisons over %lld trial pairs%s)\n", out,
	       r.n_modes, r.n_cmp, (long long)r.pairs, have_plots ? ", plots" : ", no plots");
	report_free(&r);
	return 0;
}
