/* report.md: the numbers, with the plots embedded next to them. */
#include <errno.h>
#include <math.h>
#include <string.h>

#include "report.h"

/* "k/n = p % [lo, hi]" with the 95 % Wilson interval, or "–" without data. */
static void rate_text(FILE *f, int64_t k, int64_t n)
{
	struct interval iv = stats_wilson(k, n, STATS_Z95);

	if (n == 0) {
		fputs(" –", f);
		return;
	}
	fprintf(f, " %lld/%lld = %.1f %% [%.1f, %.1f]", (long long)k, (long long)n,
		100.0 * (double)k / (double)n, 100 * iv.lo, 100 * iv.hi);
}

static void rate_cell(FILE *f, int64_t k, int64_t n)
{
	rate_text(f, k, n);
	fputs(" |", f);
}

static void mode_header(FILE *f, const struct report *r, const char *first)
{
	fprintf(f, "| %s |", first);
	for (size_t m = 0; m < r->n_modes; m++)
		fprintf(f, " %s |", r->modes[m]);
	fprintf(f, "\n|---|");
	for (size_t m = 0; m < r->n_modes; m++)
		fputs("---|", f);
	fputc('\n', f);
}

static void section_outcomes(FILE *f, const struct report *r, int plots)
{
	fputs("## Outcomes per mode\n\nCount / trials = rate, with the 95 % Wilson score interval.\n\n", f);
	mode_header(f, r, "outcome");
	for (int o = 0; o < N_OUTCOMES; o++) {
		fprintf(f, "| %s |", results_outcomes[o]);
		for (size_t m = 0; m < r->n_modes; m++)
			rate_cell(f, r->by_mode[m].count[o], r->by_mode[m].n);
		fputc('\n', f);
	}
	if (plots)
		fputs("\n![Outcomes per mode](outcomes_overall.png)\n", f);
	fputc('\n', f);
}

static void section_fault_types(FILE *f, const struct report *r, int plots)
{
	fputs("## Per fault type\n\nCrash rate per fault type:\n\n", f);
	mode_header(f, r, "fault type");
	for (size_t t = 0; t < r->n_types; t++) {
		fprintf(f, "| %s |", r->types[t]);
		for (size_t m = 0; m < r->n_modes; m++)
			rate_cell(f, r->by_type[t][m].count[N_OUTCOMES - 1], r->by_type[t][m].n);
		fputc('\n', f);
	}
	if (plots)
		fputs("\n![Crash rate per fault type](crash_rate.png)\n", f);
	fputs("\nAll outcomes per fault type (counts):\n\n| fault type | mode | trials |", f);
	for (int o = 0; o < N_OUTCOMES; o++)
		fprintf(f, " %s |", results_outcomes[o]);
	fputs("\n|---|---|---|", f);
	for (int o = 0; o < N_OUTCOMES; o++)
		fputs("---|", f);
	fputc('\n', f);
	for (size_t t = 0; t < r->n_types; t++)
		for (size_t m = 0; m < r->n_modes; m++) {
			const struct tally *ta = &r->by_type[t][m];

			fprintf(f, "| %s | %s | %lld |", r->types[t], r->modes[m], (long long)ta->n);
			for (int o = 0; o < N_OUTCOMES; o++)
				fprintf(f, " %lld |", (long long)ta->count[o]);
			fputc('\n', f);
		}
	if (plots && r->n_types)
		fputs("\n![Outcomes per fault type](outcomes_by_type.png)\n", f);
	fputc('\n', f);
}

/* "Native" for "native": the comparison's sentences start with a mode name. */
static void capitalised(FILE *f, const char *mode)
{
	fprintf(f, "%c%s", mode[0] >= 'a' && mode[0] <= 'z' ? mode[0] - 'a' + 'A' : mode[0], mode + 1);
}

static void mcnemar_text(FILE *f, const struct mcnemar *mc)
{
	if (mc->exact)
		fprintf(f, "McNemar's test (exact binomial, %lld discordant pairs): two-sided p = %.4g",
			(long long)(mc->b + mc->c), mc->p);
	else
		fprintf(f, "McNemar's test (chi-square with continuity correction, %lld discordant pairs): "
			"χ² = %.3f, two-sided p = %.4g", (long long)(mc->b + mc->c), mc->statistic, mc->p);
}

static void section_one_pair(FILE *f, const struct report *r, const struct pair_cmp *c)
{
	const char *a = r->modes[c->a], *b = r->modes[c->b];

	fprintf(f, "## Paired comparison: %s vs %s\n\n", a, b);
	fprintf(f, "Trial *i* injects the same faults in both modes; %lld trial indices completed in both.\n\n"
		"| | %s crash | %s no crash |\n|---|---|---|\n"
		"| **%s crash** | %lld | %lld |\n| **%s no crash** | %lld | %lld |\n\n",
		(long long)c->pairs, b, b, a, (long long)c->both_crash, (long long)c->a_only_crash,
		a, (long long)c->b_only_crash, (long long)c->neither_crash);
	fputs("- **", f);
	capitalised(f, a);
	fprintf(f, " crashes prevented by %s:**", b);
	rate_text(f, c->a_only_crash, c->both_crash + c->a_only_crash);
	fprintf(f, "\n- Crashes only under %s: %lld.\n- ", b, (long long)c->b_only_crash);
	mcnemar_text(f, &c->mcnemar);
	fputs(".\n- ", f);
	capitalised(f, a);
	fprintf(f, " non-fatal failures (driver-failure or oops-survived): %lld; recovered by %s in the same trial:",
		(long long)c->a_nonfatal, b);
	rate_text(f, c->nonfatal_recovered, c->a_nonfatal);
	fprintf(f, "; crashed under %s: %lld.\n\n", b, (long long)c->nonfatal_b_crash);
}

/* With three modes: crash rates side by side and every pair's test in one table. */
static void section_summary(FILE *f, const struct report *r)
{
	if (r->n_modes < 3)
		return;
	fputs("## Crash rate per mode\n\n| mode | trials | crashes | crash rate [95 % Wilson] |\n|---|---|---|---|\n", f);
	for (size_t m = 0; m < r->n_modes; m++) {
		const struct tally *t = &r->by_mode[m];

		fprintf(f, "| %s | %lld | %lld |", r->modes[m], (long long)t->n,
			(long long)t->count[N_OUTCOMES - 1]);
		rate_cell(f, t->count[N_OUTCOMES - 1], t->n);
		fputc('\n', f);
	}
	fputs("\nPaired (same trial index, same faults), crash vs no crash:\n\n"
	      "| A vs B | pairs | both crash | only A crashes | only B crashes | McNemar p (two-sided) |\n"
	      "|---|---|---|---|---|---|\n", f);
	for (size_t i = 0; i < r->n_cmp; i++) {
		const struct pair_cmp *c = &r->cmp[i];

		fprintf(f, "| %s vs %s | %lld | %lld | %lld | %lld | %.4g%s |\n", r->modes[c->a], r->modes[c->b],
			(long long)c->pairs, (long long)c->both_crash, (long long)c->a_only_crash,
			(long long)c->b_only_crash, c->mcnemar.p, c->mcnemar.exact ? " (exact)" : "");
	}
	fputc('\n', f);
}

static void section_pairs(FILE *f, const struct report *r)
{
	if (r->n_cmp == 0) {
		fputs("## Paired comparison\n\nNot available: the campaign has no trial index run in both the `native` and the "
		      "`nooks` mode (nor in any other two modes).\n\n", f);
		return;
	}
	for (size_t i = 0; i < r->n_cmp; i++)
		section_one_pair(f, r, &r->cmp[i]);
}

static void section_recovery(FILE *f, const struct report *r, int plots)
{
	int any = 0;

	fputs("## Recovery\n\n", f);
	for (size_t m = 0; m < r->n_modes; m++) {
		if (strcmp(r->modes[m], "native") == 0)
			continue;
		fprintf(f, "%s: trials in which nooks reported a driver fault: %lld; with a recovery event: %lld.\n\n",
			r->modes[m], (long long)r->faults_detected[m], (long long)r->recoveries[m]);
	}
	for (size_t m = 0; m < r->n_modes; m++) {
		const double *v = r->recovery_ms[m];
		int64_t n = r->n_recovery[m];

		if (!n)
			continue;
		if (!any++)
			fputs("| mode | recoveries | min | median | p90 | max |\n|---|---|---|---|---|---|\n", f);
		fprintf(f, "| %s | %lld | %.2f ms | %.2f ms | %.2f ms | %.2f ms |\n", r->modes[m], (long long)n,
			v[0], stats_quantile(v, n, 0.5), stats_quantile(v, n, 0.9), v[n - 1]);
	}
	if (!any) {
		fputs("No recovery times were recorded.\n\n", f);
		return;
	}
	if (plots)
		fputs("\n![Recovery time CDF](recovery_cdf.png)\n", f);
	fputc('\n', f);
}

/* Markdown table cells must not contain a bare '|'. */
static void cell_text(FILE *f, const char *s)
{
	for (; *s; s++) {
		if (*s == '|')
			fputs("\\|", f);
		else if (*s != '\n' && *s != '\r')
			fputc(*s, f);
	}
}

static void section_titles(FILE *f, const struct report *r)
{
	fputs("## Top crash titles\n\n", f);
	for (size_t m = 0; m < r->n_modes; m++) {
		fprintf(f, "### %s\n\n", r->modes[m]);
		if (r->n_titles[m] == 0) {
			fputs("None.\n\n", f);
			continue;
		}
		fputs("| trials | title |\n|---|---|\n", f);
		for (size_t i = 0; i < r->n_titles[m]; i++) {
			fprintf(f, "| %lld | ", (long long)r->titles[m][i].count);
			cell_text(f, r->titles[m][i].title);
			fputs(" |\n", f);
		}
		fputc('\n', f);
	}
}

int report_markdown(const struct report *r, const char *dir, int have_plots,
		    char *err, size_t errlen)
{
	char path[4096];
	FILE *f;

	snprintf(path, sizeof(path), "%s/report.md", dir);
	f = fopen(path, "w");
	if (!f) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	fprintf(f, "# Fault-injection report: campaign `%s`\n\n"
		"- driver: `%s`, guest kernel: `%s`, created %s (campaign id %lld)\n"
		"- configuration: `%s`\n",
		r->name, r->driver, r->kernel[0] ? r->kernel : "?", r->created,
		(long long)r->campaign_id, r->config);
	fprintf(f, "- modes present:");
	for (size_t m = 0; m < r->n_modes; m++)
		fprintf(f, " `%s` (%lld trials)", r->modes[m], (long long)r->by_mode[m].n);
	if (r->n_modes == 0)
		fputs(" none — no counted trials yet", f);
	fprintf(f, "\n- harness errors (VM failures, retried, not counted): %lld trials still failing, "
		"%lld retried attempts in counted trials\n\n",
		(long long)r->harness_errors, (long long)r->retried_attempts);
	if (r->n_modes > 0) {
		section_summary(f, r);
		section_outcomes(f, r, have_plots);
		section_fault_types(f, r, have_plots);
		section_pairs(f, r);
		section_recovery(f, r, have_plots);
		section_titles(f, r);
	}
	if (have_plots)
		fputs("Plots are also in SVG (same names, `.svg`); `plots.gp` regenerates them.\n", f);
	if (fclose(f) != 0) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	return 0;
}
