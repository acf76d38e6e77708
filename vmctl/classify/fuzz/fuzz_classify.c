/*
 * libFuzzer target: classify_log() must accept any bytes, never crash,
 * and keep its output self-consistent.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "classify.h"

static void check(bool ok)
{
	if (!ok)
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct classify_result res;

	if (classify_log((const char *)data, size, &res))
		return 0;
	for (size_t i = 0; i < res.nr_reports; i++) {
		const struct classify_report *r = &res.reports[i];

		check(r->start <= r->end && r->end <= size);
		check(r->first_line <= r->last_line);
		check(r->category < CLASSIFY_CATEGORY_COUNT);
		check(strlen(r->signature) == CLASSIFY_SIGNATURE_LEN);
		check(r->title[0] != '\0');
		if (i > 0)
			check(res.reports[i - 1].start <= r->start);
	}
	for (size_t i = 0; i < res.nr_events; i++)
		check(res.events[i].report < (int)res.nr_reports);
	check(res.nr_reports == 0 || res.worst != NULL);
	classify_result_free(&res);
	return 0;
}
