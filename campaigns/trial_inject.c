/*
 * Making a trial's faulty driver: the seeded plan (libinject), the mutated
 * .ko, and for the nooks mode the isolated build of that same mutated .ko.
 * Trial i gets the same plan in every mode because the plan depends only on
 * the campaign seed, the trial index and the clean module.
 */
#include <errno.h>
#include <fcntl.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include <jansson.h>

#include "inject.h"
#include "runner.h"

extern char **environ;

/* The plan of trial i (same in every mode); *plan must be freed with inj_plan_free. */
static int make_plan(struct inj_module *m, const struct campaign_cfg *cfg, int64_t trial_index,
		     struct inj_plan *plan, char *err, size_t errlen)
{
	const char *type = campaign_trial_type(cfg, trial_index);
	struct inj_error ierr = { { 0 } };
	unsigned mask;

	if (cfg->n_types == 0) {
		mask = (1u << INJ_NTYPES) - 1;
	} else {
		int t = inj_type_parse(type);

		if (t < 0) {
			snprintf(err, errlen, "unknown fault type '%s'", type);
			return -1;
		}
		mask = 1u << t;
	}
	if (inj_plan_make(m, campaign_trial_seed(cfg->seed, trial_index),
			  (unsigned)cfg->faults_per_trial, mask, INJ_MODE_LOAD, plan, &ierr) < 0) {
		snprintf(err, errlen, "trial %lld: inject plan: %s", (long long)trial_index, ierr.msg);
		return -1;
	}
	return 0;
}

char *trial_plan_json(struct inj_module *m, const struct campaign_cfg *cfg, int64_t trial_index,
		      char *err, size_t errlen)
{
	struct inj_plan plan;
	json_t *j;
	char *text;

	if (make_plan(m, cfg, trial_index, &plan, err, errlen) < 0)
		return NULL;
	j = inj_plan_to_json(&plan);
	text = j ? json_dumps(j, JSON_COMPACT | JSON_SORT_KEYS) : NULL;
	json_decref(j);
	inj_plan_free(&plan);
	if (!text)
		snprintf(err, errlen, "trial %lld: cannot serialise the plan", (long long)trial_index);
	return text;
}

int trial_make_module(struct worker *w, const struct job *job, struct trial_record *rec,
		      const char *out_ko, char *err, size_t errlen)
{
	const struct campaign_cfg *cfg = w->run->cfg;
	struct inj_error ierr = { { 0 } };
	struct inj_plan plan;
	json_t *j;

	snprintf(rec->fault_type, sizeof(rec->fault_type), "%s",
		 cfg->n_types ? campaign_trial_type(cfg, job->trial_index) : "mixed");
	if (make_plan(w->module, cfg, job->trial_index, &plan, err, errlen) < 0)
		return -1;
	j = inj_plan_to_json(&plan);
	free(rec->plan_json);
	rec->plan_json = j ? json_dumps(j, JSON_COMPACT | JSON_SORT_KEYS) : NULL;
	json_decref(j);
	rec->n_sites = 0;
	for (size_t i = 0; i < plan.nfaults && rec->n_sites < sizeof(rec->sites) / sizeof(rec->sites[0]); i++) {
		snprintf(rec->sites[rec->n_sites].section, sizeof(rec->sites[0].section), "%s",
			 plan.faults[i].section);
		rec->sites[rec->n_sites++].off = plan.faults[i].off;
	}
	if (!rec->plan_json) {
		inj_plan_free(&plan);
		snprintf(err, errlen, "trial %lld: cannot serialise the plan", (long long)job->trial_index);
		return -1;
	}
	if (inj_apply_write(w->module, &plan, out_ko, &ierr) < 0) {
		inj_plan_free(&plan);
		snprintf(err, errlen, "trial %lld: inject apply: %s", (long long)job->trial_index, ierr.msg);
		return -1;
	}
	inj_plan_free(&plan);
	return 0;
}

/* bin/nooks-isolate IN -o OUT, run directly (argv, no shell). */
int trial_isolate(const struct campaign_cfg *cfg, const char *in_ko, const char *out_ko,
		  char *err, size_t errlen)
{
	char tool[1200];
	char *argv[] = { tool, (char *)in_ko, "-o", (char *)out_ko, NULL };
	posix_spawn_file_actions_t fa;
	pid_t pid;
	int status, rc;

	snprintf(tool, sizeof(tool), "%s/bin/nooks-isolate", cfg->top);
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addopen(&fa, STDOUT_FILENO, "/dev/null", O_WRONLY, 0);
	rc = posix_spawn(&pid, tool, &fa, NULL, argv, environ);
	posix_spawn_file_actions_destroy(&fa);
	if (rc != 0) {
		snprintf(err, errlen, "%s: %s", tool, strerror(rc));
		return -1;
	}
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR) {
			snprintf(err, errlen, "waitpid: %s", strerror(errno));
			return -1;
		}
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		snprintf(err, errlen, "nooks-isolate %s failed (status %d)", in_ko, status);
		return -1;
	}
	return 0;
}
