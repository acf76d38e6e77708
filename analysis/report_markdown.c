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

static void section_pairs(FILE *f, const struct report *r)
{
	int64_t native_crashes = r->both_crash + r->native_only_crash;
	const struct mcnemar *mc = &r->mcnemar;

	fputs("## Paired comparison: native vs nooks\n\n", f);
	if (!r->has_pairs) {
		fputs("Not available: the campaign has no trial index run in both the `native` and the "
		      "`nooks` mode.\n\n", f);
		return;
	}
	fprintf(f, "Trial *i* injects the same faults in both modes; %lld trial indices completed in both.\n\n"
		"| | nooks crash | nooks no crash |\n|---|---|---|\n"
		"| **native crash** | %lld | %lld |\n| **native no crash** | %lld | %lld |\n\n",
		(long long)r->pairs, (long long)r->both_crash, (long long)r->native_only_crash,
		(long long)r->nooks_only_crash, (long long)r->neither_crash);
	fputs("- **Native crashes prevented by nooks:**", f);
	rate_text(f, r->native_only_crash, native_crashes);
	fputs("\n", f);
	fprintf(f, "- Crashes only under nooks: %lld.\n", (long long)r->nooks_only_crash);
	if (mc->exact)
		fprintf(f, "- McNemar's test (exact binomial, %lld discordant pairs): two-sided p = %.4g.\n",
			(long long)(mc->b + mc->c), mc->p);
	else
		fprintf(f, "- McNemar's test (chi-square with continuity correction, %lld discordant pairs): "
			"χ² = %.3f, two-sided p = %.4g.\n", (long long)(mc->b + mc->c), mc->statistic, mc->p);
	fprintf(f, "- Native non-fatal failures (driver-failure or oops-survived): %lld; "
		"recovered by nooks in the same trial:", (long long)r->native_nonfatal);
	rate_text(f, r->nonfatal_recovered, r->native_nonfatal);
	fprintf(f, "; crashed under nooks: %lld.\n\n", (long long)r->nonfatal_nooks_crash);
}

static void section_recovery(FILE *f, const struct report *r, int plots)
{
	fputs("## Recovery\n\n", f);
	fprintf(f, "Trials in which nooks reported a driver fault: %lld; with a recovery event: %lld.\n\n",
		(long long)r->nooks_faults_detected, (long long)r->nooks_recoveries);
	if (r->n_recovery == 0) {
		fputs("No recovery times were recorded.\n\n", f);
		return;
	}
	fprintf(f, "| recoveries | min | median | p90 | max |\n|---|---|---|---|---|\n"
		"| %lld | %.2f ms | %.2f ms | %.2f ms | %.2f ms |\n",
		(long long)r->n_recovery, r->recovery_ms[0],
		stats_quantile(r->recovery_ms, r->n_recovery, 0.5),
		stats_quantile(r->recovery_ms, r->n_recovery, 0.9),
		r->recovery_ms[r->n_recovery - 1]);
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
