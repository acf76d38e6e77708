/* Small statistics used by nooks-report: binomial intervals and McNemar. */
#ifndef NOOKS_STATS_H
#define NOOKS_STATS_H

#include <stdint.h>

#define STATS_Z95 1.959963984540054

struct interval {
	double lo, hi;
};

/*
 * Wilson score interval for k successes in n trials at normal quantile z.
 * Chosen over the Wald interval because crash rates near 0 or 1 and small n
 * are the normal case here, where Wald collapses to [p, p]. n = 0 → [0, 1].
 */
struct interval stats_wilson(int64_t k, int64_t n, double z);

struct mcnemar {
	int64_t b, c;		/* discordant pairs: only first fails / only second fails */
	double p;		/* two-sided p-value */
	int exact;		/* 1: exact binomial, 0: chi-square with continuity correction */
	double statistic;	/* chi-square value (0 when exact) */
};

/* Below this many discordant pairs the exact binomial test is used. */
#define STATS_MCNEMAR_EXACT_BELOW 25

struct mcnemar stats_mcnemar(int64_t b, int64_t c);

/* Two-sided exact binomial p-value of min(b, c) under Bin(b + c, 1/2). */
double stats_binom_two_sided(int64_t b, int64_t c);

/* q-quantile (0..1) of sorted values, linear interpolation. */
double stats_quantile(const double *sorted, int64_t n, double q);

#endif
