/* The words the schema's CHECK constraints accept, in report order. */
#include <string.h>

#include "results.h"

const char *const results_outcomes[] = {
	"no-effect", "driver-failure", "recovered", "recovered-degraded",
	"oops-survived", "crash", RESULTS_HARNESS_ERROR,
};
const size_t results_outcome_count = sizeof(results_outcomes) / sizeof(results_outcomes[0]);

const char *const results_modes[] = { "native", "nooks", "nooks-pt" };
const size_t results_mode_count = sizeof(results_modes) / sizeof(results_modes[0]);

const char *const results_event_kinds[] = { "fault", "recovery", "disabled" };
const size_t results_event_kind_count =
	sizeof(results_event_kinds) / sizeof(results_event_kinds[0]);

static int in_list(const char *s, const char *const *list, size_t n)
{
	if (!s)
		return 0;
	for (size_t i = 0; i < n; i++)
		if (strcmp(s, list[i]) == 0)
			return 1;
	return 0;
}

int results_outcome_valid(const char *s)
{
	return in_list(s, results_outcomes, results_outcome_count);
}

int results_mode_valid(const char *s)
{
	return in_list(s, results_modes, results_mode_count);
}

int results_event_kind_valid(const char *s)
{
	return in_list(s, results_event_kinds, results_event_kind_count);
}
