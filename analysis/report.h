/* nooks-report: what is gathered from the database and how it is shown. */
#ifndef NOOKS_REPORT_H
#define NOOKS_REPORT_H

#include <stdint.h>
#include <stdio.h>

#include "results.h"
#include "stats.h"

/* Counted outcomes (harness-error excluded), in results_outcomes order. */
#define N_OUTCOMES 6
#define MAX_MODES 3
#define MAX_TYPES 32
#define MAX_TITLES 10

struct tally {
	int64_t n;
	int64_t count[N_OUTCOMES];
};

/*
 * Paired comparison of mode a with mode b (a before b in results_modes
 * order) over the trial indices counted in both: same faults, so McNemar's
 * test on the discordant pairs says whether b changed the crash rate.
 */
struct pair_cmp {
	int a, b;		/* indices into report.modes */
	int64_t pairs, both_crash, a_only_crash, b_only_crash, neither_crash;
	struct mcnemar mcnemar;	/* b = a_only_crash, c = b_only_crash */
	/* a's non-fatal failures (driver-failure, oops-survived) and what b made of them */
	int64_t a_nonfatal, nonfatal_recovered, nonfatal_b_crash;
};

#define MAX_PAIRS (MAX_MODES * (MAX_MODES - 1) / 2)

struct crash_title {
	char title[200];
	int64_t count;
};

struct report {
	int64_t campaign_id;
	char name[128], driver[64], config[2048], kernel[128], created[32];

	size_t n_modes;		/* modes present, in results_modes order */
	const char *modes[MAX_MODES];
	struct tally by_mode[MAX_MODES];

	size_t n_types;		/* fault types present, sorted */
	char types[MAX_TYPES][32];
	struct tally by_type[MAX_TYPES][MAX_MODES];

	int64_t harness_errors;
	int64_t retried_attempts;	/* attempts - 1 summed over counted trials */

	/* Every pair of modes present (native vs nooks, native vs nooks-pt, nooks vs nooks-pt). */
	size_t n_cmp;
	struct pair_cmp cmp[MAX_PAIRS];
	int64_t pairs;		/* paired trial indices of all comparisons together */

	/* Recovery per mode (native has none): times in milliseconds, sorted. */
	double *recovery_ms[MAX_MODES];
	int64_t n_recovery[MAX_MODES];
	/* trials with a nooks fault event, and of those with a recovery event */
	int64_t faults_detected[MAX_MODES], recoveries[MAX_MODES];

	struct crash_title titles[MAX_MODES][MAX_TITLES];
	size_t n_titles[MAX_MODES];
};

int outcome_index(const char *outcome);	/* -1 for harness-error / unknown */
int report_mode_index(const struct report *r, const char *mode);
/* The comparison of modes a and b (names), NULL if the report has none. */
const struct pair_cmp *report_pair(const struct report *r, const char *a, const char *b);

/* Fills r from the database; campaign_id < 0 = the only (or newest) campaign. */
int report_gather(struct results_db *db, int64_t campaign_id, struct report *r,
		  char *err, size_t errlen);
void report_free(struct report *r);

/* Writes data files and a gnuplot script into dir and runs gnuplot. */
int report_plots(const struct report *r, const char *dir, char *err, size_t errlen);
/* Writes dir/report.md. */
int report_markdown(const struct report *r, const char *dir, int have_plots,
		    char *err, size_t errlen);

#endif
