#include <math.h>

#include "stats.h"

struct interval stats_wilson(int64_t k, int64_t n, double z)
{
	struct interval iv = { 0.0, 1.0 };

	if (n <= 0)
		return iv;
	double p = (double)k / (double)n, nn = (double)n, z2 = z * z;
	double denom = 1.0 + z2 / nn;
	double center = (p + z2 / (2.0 * nn)) / denom;
	double half = z * sqrt(p * (1.0 - p) / nn + z2 / (4.0 * nn * nn)) / denom;

	iv.lo = center - half;
	iv.hi = center + half;
	/* Exact bounds at the edges; rounding must not push them outside [0, 1]. */
	if (k == 0 || iv.lo < 0.0)
		iv.lo = 0.0;
	if (k == n || iv.hi > 1.0)
		iv.hi = 1.0;
	return iv;
}

/* log C(n, i) through lgamma: exact enough and never overflows. */
static double log_choose(int64_t n, int64_t i)
{
	return lgamma((double)n + 1) - lgamma((double)i + 1) - lgamma((double)(n - i) + 1);
}

double stats_binom_two_sided(int64_t b, int64_t c)
{
	int64_t n = b + c, k = b < c ? b : c;
	double tail = 0.0;

	if (n == 0)
		return 1.0;
	for (int64_t i = 0; i <= k; i++)
		tail += exp(log_choose(n, i) - (double)n * log(2.0));
	tail *= 2.0;
	return tail > 1.0 ? 1.0 : tail;
}

struct mcnemar stats_mcnemar(int64_t b, int64_t c)
{
	struct mcnemar m = { .b = b, .c = c };

	if (b + c < STATS_MCNEMAR_EXACT_BELOW) {
		m.exact = 1;
		m.p = stats_binom_two_sided(b, c);
		return m;
	}
	double d = fabs((double)(b - c)) - 1.0;

	m.statistic = d * d / (double)(b + c);
	/* Survival function of chi-square with 1 degree of freedom. */
	m.p = erfc(sqrt(m.statistic / 2.0));
	return m;
}

double stats_quantile(const double *sorted, int64_t n, double q)
{
	if (n <= 0)
		return NAN;
	double pos = q * (double)(n - 1);
	int64_t i = (int64_t)pos;
	double frac = pos - (double)i;

	if (i + 1 >= n)
		return sorted[n - 1];
	return sorted[i] + frac * (sorted[i + 1] - sorted[i]);
}
