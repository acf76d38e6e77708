/* Statistics against published or hand-computed values. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "stats.h"

#define assert_close(a, b, eps) assert_true(fabs((a) - (b)) < (eps))

/* Newcombe (1998), Stat Med 17:857, Table I, method 3 (Wilson score, no correction). */
static void test_wilson_newcombe_examples(void **state)
{
	struct interval iv;

	(void)state;
	iv = stats_wilson(81, 263, STATS_Z95);
	assert_close(iv.lo, 0.2553, 5e-5);
	assert_close(iv.hi, 0.3662, 5e-5);
	iv = stats_wilson(15, 148, STATS_Z95);
	assert_close(iv.lo, 0.0624, 5e-5);
	assert_close(iv.hi, 0.1605, 5e-5);
}

static void test_wilson_edges(void **state)
{
	struct interval iv;

	(void)state;
	/* k = 0: upper bound z²/(n + z²). */
	iv = stats_wilson(0, 10, STATS_Z95);
	assert_true(iv.lo == 0.0);
	assert_close(iv.hi, 3.841459 / 13.841459, 1e-6);
	iv = stats_wilson(10, 10, STATS_Z95);
	assert_true(iv.hi == 1.0);
	assert_close(iv.lo, 1.0 - 3.841459 / 13.841459, 1e-6);
	/* symmetric around 1/2 */
	iv = stats_wilson(5, 10, STATS_Z95);
	assert_close(iv.lo, 0.236593, 1e-6);
	assert_close(iv.hi, 0.763407, 1e-6);
	/* no data: the whole range */
	iv = stats_wilson(0, 0, STATS_Z95);
	assert_true(iv.lo == 0.0 && iv.hi == 1.0);
}

static void test_mcnemar_exact_small_counts(void **state)
{
	struct mcnemar m;

	(void)state;
	/* b = 1, c = 9: 2 * (C(10,0) + C(10,1)) / 2^10 = 22/1024 */
	m = stats_mcnemar(1, 9);
	assert_true(m.exact);
	assert_close(m.p, 22.0 / 1024.0, 1e-12);
	/* symmetric in b and c */
	assert_close(stats_mcnemar(9, 1).p, m.p, 1e-12);
	/* balanced and empty tables give no evidence */
	assert_close(stats_mcnemar(3, 3).p, 1.0, 1e-12);
	assert_close(stats_mcnemar(0, 0).p, 1.0, 1e-12);
	/* b = 0, c = 6: 2 / 64 */
	assert_close(stats_mcnemar(0, 6).p, 2.0 / 64.0, 1e-12);
}

static void test_mcnemar_chi_square_large_counts(void **state)
{
	struct mcnemar m = stats_mcnemar(30, 10);

	(void)state;
	assert_false(m.exact);
	/* (|30 - 10| - 1)² / 40 = 9.025; P(χ²₁ > 9.025) = 0.0026631 */
	assert_close(m.statistic, 9.025, 1e-9);
	assert_close(m.p, 0.0026631, 1e-6);
	/* the exact test agrees roughly at this size */
	assert_close(stats_binom_two_sided(30, 10), 0.0022, 2e-4);
}

static void test_quantile(void **state)
{
	const double v[] = { 1, 2, 3, 4, 10 };

	(void)state;
	assert_close(stats_quantile(v, 5, 0.5), 3.0, 1e-12);
	assert_close(stats_quantile(v, 5, 0.0), 1.0, 1e-12);
	assert_close(stats_quantile(v, 5, 1.0), 10.0, 1e-12);
	assert_close(stats_quantile(v, 5, 0.875), 7.0, 1e-12);
	assert_true(isnan(stats_quantile(v, 0, 0.5)));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_wilson_newcombe_examples),
		cmocka_unit_test(test_wilson_edges),
		cmocka_unit_test(test_mcnemar_exact_small_counts),
		cmocka_unit_test(test_mcnemar_chi_square_large_counts),
		cmocka_unit_test(test_quantile),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
