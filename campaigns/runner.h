/* run-campaign's moving parts: workers, trials, progress. */
#ifndef NOOKS_RUNNER_H
#define NOOKS_RUNNER_H

#include <signal.h>
#include <stdatomic.h>
#include <pthread.h>

#include "campaign.h"
#include "outcome.h"
#include "results.h"

struct inj_module;

/* One (trial index, mode) to run. */
struct job {
	int64_t trial_index;
	int mode;		/* index into cfg->modes */
};

/* Everything that goes into one trials row. */
struct trial_record {
	int64_t trial_index;
	const char *mode;
	char *plan_json;
	char fault_type[32];
	struct trial_verdict verdict;
	char load_final[160], run_final[160];	/* the agent's last word, for sub_reason */
	int64_t restore_ms, workload_ms, total_ms, recovery_us;
	char crash_title[256], crash_signature[32];
	int activated;
	int attempts;
	struct results_event events[32];
	char event_detail[32][256];
	size_t n_events;
	struct results_step steps[32];
	char step_name[32][48], step_detail[32][160];
	size_t n_steps;
	char *console;
	size_t console_len;
	/* where the plan's faults are, for activation breakpoints */
	struct { char section[64]; uint64_t off; } sites[64];
	size_t n_sites;
};

void trial_record_reset(struct trial_record *r);

struct campaign_run;

struct worker {
	int id;
	struct campaign_run *run;
	pthread_t thread;
	struct inj_module *module;	/* this worker's handle on the clean driver */
	struct results_db *db;
	_Atomic int qemu_pid;		/* for Ctrl-C: the main thread kills it */
	char dir[1024];
};

struct tally_line {
	int64_t count[8];	/* results_outcomes order */
};

struct campaign_run {
	struct campaign_cfg *cfg;
	int64_t campaign_id;
	char snapshot[CAMPAIGN_MAX_MODES][4096];
	char module_sha256[65];
	struct job *jobs;
	size_t n_jobs;
	size_t skipped;			/* already in the database (--resume) */
	_Atomic size_t next_job;
	_Atomic size_t done;
	_Atomic size_t harness_errors;
	_Atomic int failed;		/* a worker hit a fatal error */
	_Atomic int workers_alive;
	pthread_mutex_t lock;		/* tally and output */
	struct tally_line tally;
	volatile sig_atomic_t *stop;
	double started;			/* monotonic seconds */
};

/* trial_run.c: one attempt of one trial; returns 0 (record filled, possibly a harness error). */
int trial_run(struct worker *w, const struct job *job, struct trial_record *rec);
/* trial_inject.c: the plan of a trial and its mutated module file. */
int trial_make_module(struct worker *w, const struct job *job, struct trial_record *rec,
		      const char *out_ko, char *err, size_t errlen);
/* The plan of trial i as canonical JSON (malloc'd), without writing a module. */
char *trial_plan_json(struct inj_module *m, const struct campaign_cfg *cfg, int64_t trial_index,
		      char *err, size_t errlen);
int trial_isolate(const struct campaign_cfg *cfg, const char *in_ko, const char *out_ko,
		  char *err, size_t errlen);

/* mode_vm.c: the guest side of a mode (see modes.c for the setups). */
struct vm_config;
struct vm;
/* The mode's whole guest kernel command line: vmctl's default + its kernel_args. */
int mode_append_line(const struct campaign_cfg *cfg, const char *mode, char *buf, size_t size);
/* vm_config_init + the mode's kernel arguments (append is the buffer for -append). */
void mode_vm_config(const struct campaign_cfg *cfg, const char *mode, const char *dir,
		    struct vm_config *vcfg, char *append, size_t append_size);
/* The agent commands that make the mode's ready snapshot: prep[] NULL-terminated, count returned. */
size_t mode_prep(const struct campaign_cfg *cfg, const char *mode, char *buf, size_t size,
		 const char *prep[2]);
/* Restore the snapshot once; each nooks.ko parameter of the mode must read back as given. */
int mode_verify_snapshot(const struct campaign_cfg *cfg, const char *mode, const char *snapshot,
			 const char *dir, char *err, size_t errlen);

/* After the load: the driver's domain is of the mode's kind (0), or -1 with why. */
int mode_check_domain(const struct campaign_cfg *cfg, const char *mode, struct vm *vm,
		      char *why, size_t whylen);

/* scheduler.c */
int scheduler_run(struct campaign_run *run, int n_workers);

double now_monotonic(void);
void remove_tree(const char *dir);

#endif
