/*
 * Plots through gnuplot: nooks-report writes the numbers as data files and a
 * script into the output directory, then runs `gnuplot plots.gp` there as a
 * child process (argv, no shell). Every plot is written as PNG (pngcairo if
 * this gnuplot has it, else the libgd png terminal) and as SVG.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "report.h"

/* One colour per outcome, in results_outcomes order: good → bad. */
static const char *const outcome_colours[N_OUTCOMES] = {
	"#4daf4a", "#ffd92f", "#377eb8", "#80b1d3", "#ff7f00", "#e41a1c",
};
static const char *const mode_colours[MAX_MODES] = { "#e41a1c", "#377eb8", "#984ea3" };

static FILE *open_in(const char *dir, const char *name, char *err, size_t errlen)
{
	char path[4096];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "w");
	if (!f)
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
	return f;
}

static double pct(int64_t k, int64_t n)
{
	return n ? 100.0 * (double)k / (double)n : 0.0;
}

static void write_tally_row(FILE *f, const char *label, const struct tally *t)
{
	fprintf(f, "\"%s (n=%lld)\"", label, (long long)t->n);
	for (int o = 0; o < N_OUTCOMES; o++)
		fprintf(f, " %.4f", pct(t->count[o], t->n));
	fputc('\n', f);
}

static void write_tally_header(FILE *f)
{
	fputs("label", f);
	for (int o = 0; o < N_OUTCOMES; o++)
		fprintf(f, " %s", results_outcomes[o]);
	fputc('\n', f);
}

static int write_data(const struct report *r, const char *dir, char *err, size_t errlen)
{
	FILE *f;

	if (!(f = open_in(dir, "outcomes_overall.dat", err, errlen)))
		return -1;
	write_tally_header(f);
	for (size_t m = 0; m < r->n_modes; m++)
		write_tally_row(f, r->modes[m], &r->by_mode[m]);
	fclose(f);

	if (!(f = open_in(dir, "outcomes_by_type.dat", err, errlen)))
		return -1;
	write_tally_header(f);
	for (size_t t = 0; t < r->n_types; t++)
		for (size_t m = 0; m < r->n_modes; m++) {
			char label[80];

			snprintf(label, sizeof(label), "%s/%s", r->types[t], r->modes[m]);
			write_tally_row(f, label, &r->by_type[t][m]);
		}
	fclose(f);

	/* crash rate per fault type (first row: all types), three columns per mode */
	if (!(f = open_in(dir, "crash_rate.dat", err, errlen)))
		return -1;
	fputs("type", f);
	for (size_t m = 0; m < r->n_modes; m++)
		fprintf(f, " %s lo hi", r->modes[m]);
	fputc('\n', f);
	for (size_t t = 0; t <= r->n_types; t++) {
		fprintf(f, "\"%s\"", t == 0 ? "all" : r->types[t - 1]);
		for (size_t m = 0; m < r->n_modes; m++) {
			const struct tally *ta = t == 0 ? &r->by_mode[m] : &r->by_type[t - 1][m];
			int64_t k = ta->count[N_OUTCOMES - 1];
			struct interval iv = stats_wilson(k, ta->n, STATS_Z95);

			fprintf(f, " %.4f %.4f %.4f", pct(k, ta->n), 100 * iv.lo, 100 * iv.hi);
		}
		fputc('\n', f);
	}
	fclose(f);

	if (!(f = open_in(dir, "recovery_cdf.dat", err, errlen)))
		return -1;
	/* one gnuplot data set (`index`) per mode with recoveries, two blank lines apart */
	for (size_t m = 0, set = 0; m < r->n_modes; m++) {
		if (!r->n_recovery[m])
			continue;
		fprintf(f, "%s# %s: recovery_ms fraction\n", set++ ? "\n\n" : "", r->modes[m]);
		for (int64_t i = 0; i < r->n_recovery[m]; i++)
			fprintf(f, "%.4f %.6f\n", r->recovery_ms[m][i],
				(double)(i + 1) / (double)r->n_recovery[m]);
	}
	fclose(f);
	return 0;
}

/* Emits `body` once per output format. */
static void emit_plot(FILE *gp, const char *name, void (*body)(FILE *, const struct report *),
		      const struct report *r)
{
	fprintf(gp, "reset\nset terminal @PNGTERM\nset output '%s.png'\n", name);
	body(gp, r);
	fprintf(gp, "set terminal svg size 900,540 dynamic font 'Sans,11'\nset output '%s.svg'\nreplot\nunset output\n\n", name);
}

static void stacked_common(FILE *gp)
{
	fputs("set style data histograms\nset style histogram rowstacked\n"
	      "set style fill solid 0.9 border rgb '#333333'\nset boxwidth 0.6\n"
	      "set yrange [0:100]\nset ylabel '% of trials'\nset grid ytics\n"
	      "set key outside right top title 'outcome'\n", gp);
}

static void plot_stacked(FILE *gp, const char *file)
{
	fprintf(gp, "plot for [i=2:%d] '%s' using i:xtic(1) title columnheader(i) lc rgb word(COLOURS, i-1)\n",
		N_OUTCOMES + 1, file);
}

static void body_overall(FILE *gp, const struct report *r)
{
	(void)r;
	stacked_common(gp);
	fputs("set title 'Trial outcomes per mode (same faults in every mode)'\n", gp);
	plot_stacked(gp, "outcomes_overall.dat");
}

static void body_by_type(FILE *gp, const struct report *r)
{
	(void)r;
	stacked_common(gp);
	fputs("set title 'Trial outcomes per fault type and mode'\nset xtics rotate by -35\n", gp);
	plot_stacked(gp, "outcomes_by_type.dat");
}

/*
 * Boxes and error bars placed explicitly (cluster index + per-mode offset):
 * gnuplot's "histogram errorbars" style needs exact column counts and is
 * easy to misalign, explicit x positions are not.
 */
static void body_crash_rate(FILE *gp, const struct report *r)
{
	double width = 0.8 / (double)r->n_modes;

	fputs("set title 'Crash rate with 95% Wilson intervals'\nset key autotitle columnhead\n"
	      "set style fill solid 0.85 border rgb '#333333'\nset yrange [0:105]\n"
	      "set ylabel 'crashes (% of trials)'\nset grid ytics\nset key outside right top\n"
	      "set xtics scale 0\n", gp);
	fprintf(gp, "set xrange [-0.6:%zu.6]\nset boxwidth %.3f absolute\n"
		"plot 'crash_rate.dat' using 0:(NaN):xtic(1) notitle", r->n_types, width);
	for (size_t m = 0; m < r->n_modes; m++) {
		double off = -0.4 + width * ((double)m + 0.5);

		fprintf(gp, ", '' using ($0%+.3f):%zu with boxes title '%s' lc rgb '%s', "
			"'' using ($0%+.3f):%zu:%zu:%zu with yerrorbars lc rgb '#222222' ps 0 notitle",
			off, 2 + 3 * m, r->modes[m], mode_colours[m], off, 2 + 3 * m, 3 + 3 * m, 4 + 3 * m);
	}
	fputc('\n', gp);
}

static void body_recovery(FILE *gp, const struct report *r)
{
	const char *sep = "plot";

	fputs("set title 'nooks recovery time (fault detected to driver restarted)'\n"
	      "set xlabel 'recovery time (ms)'\nset ylabel 'fraction of recoveries'\n"
	      "set yrange [0:1.02]\nset xrange [0:*]\nset offsets 0, graph 0.05, 0, 0\nset grid\nset key bottom right\n", gp);
	for (size_t m = 0, set = 0; m < r->n_modes; m++) {
		if (!r->n_recovery[m])
			continue;
		fprintf(gp, "%s 'recovery_cdf.dat' index %zu using 1:2 with steps lw 2 lc rgb '%s' "
			"title '%s (n=%lld)'", sep, set++, mode_colours[m], r->modes[m],
			(long long)r->n_recovery[m]);
		sep = ",";
	}
	fputc('\n', gp);
}

static int64_t total_recoveries(const struct report *r)
{
	int64_t n = 0;

	for (size_t m = 0; m < r->n_modes; m++)
		n += r->n_recovery[m];
	return n;
}

static int run_gnuplot(const char *dir, char *err, size_t errlen)
{
	pid_t pid = fork();
	int status;

	if (pid < 0) {
		snprintf(err, errlen, "fork: %s", strerror(errno));
		return -1;
	}
	if (pid == 0) {
		int log;

		if (chdir(dir) != 0)
			_exit(126);
		log = open("gnuplot.log", O_WRONLY | O_CREAT | O_TRUNC, 0644);
		if (log >= 0) {
			dup2(log, STDOUT_FILENO);
			dup2(log, STDERR_FILENO);
			close(log);
		}
		execlp("gnuplot", "gnuplot", "plots.gp", (char *)NULL);
		_exit(127);
	}
	if (waitpid(pid, &status, 0) < 0) {
		snprintf(err, errlen, "waitpid: %s", strerror(errno));
		return -1;
	}
	if (WIFEXITED(status) && WEXITSTATUS(status) == 127) {
		snprintf(err, errlen, "gnuplot not found (install gnuplot-nox)");
		return -1;
	}
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		snprintf(err, errlen, "gnuplot failed, see %s/gnuplot.log", dir);
		return -1;
	}
	return 0;
}

int report_plots(const struct report *r, const char *dir, char *err, size_t errlen)
{
	FILE *gp;

	if (r->n_modes == 0) {
		snprintf(err, errlen, "no counted trials, nothing to plot");
		return -1;
	}
	if (write_data(r, dir, err, errlen) < 0)
		return -1;
	if (!(gp = open_in(dir, "plots.gp", err, errlen)))
		return -1;
	fputs("# generated by nooks-report; run `gnuplot plots.gp` in this directory\n"
	      "PNGTERM = strstrt(GPVAL_TERMINALS, 'pngcairo') > 0 ? "
	      "\"pngcairo size 900,540 font 'Sans,10'\" : \"png size 900,540\"\n", gp);
	fputs("COLOURS = \"", gp);
	for (int o = 0; o < N_OUTCOMES; o++)
		fprintf(gp, "%s%s", o ? " " : "", outcome_colours[o]);
	fputs("\"\n\n", gp);
	emit_plot(gp, "outcomes_overall", body_overall, r);
	if (r->n_types > 0)
		emit_plot(gp, "outcomes_by_type", body_by_type, r);
	emit_plot(gp, "crash_rate", body_crash_rate, r);
	if (total_recoveries(r) > 0)
		emit_plot(gp, "recovery_cdf", body_recovery, r);
	fclose(gp);
	return run_gnuplot(dir, err, errlen);
}
