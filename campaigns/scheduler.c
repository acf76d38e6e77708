/*
 * J workers, each with its own QEMU, its own database connection and its
 * own handle on the clean module, pull (trial, mode) jobs from one counter.
 * Every finished trial is committed in its own transaction right away, so
 * killing the controller loses at most the trials in flight, and --resume
 * finds exactly the rows that are missing.
 *
 * Ctrl-C (or SIGTERM): the main thread kills the workers' QEMUs; workers see
 * the stop flag, drop the interrupted trial without recording it, and exit.
 */
#include <errno.h>
#include <ftw.h>
#include <sys/stat.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "inject.h"
#include "runner.h"

double now_monotonic(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int remove_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st, (void)flag, (void)ftw;
	remove(path);
	return 0;
}

void remove_tree(const char *dir)
{
	nftw(dir, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
}

static int record(struct worker *w, struct trial_record *rec)
{
	struct campaign_run *run = w->run;
	struct results_trial t = {
		.campaign_id = run->campaign_id,
		.trial_index = rec->trial_index,
		.mode = rec->mode,
		.plan_json = rec->plan_json ? rec->plan_json : "{}",
		.fault_type = rec->fault_type[0] ? rec->fault_type : NULL,
		.outcome = rec->verdict.outcome,
		.sub_reason = rec->verdict.sub_reason[0] ? rec->verdict.sub_reason : NULL,
		.restore_ms = rec->restore_ms, .workload_ms = rec->workload_ms,
		.total_ms = rec->total_ms, .recovery_us = rec->recovery_us,
		.crash_title = rec->crash_title[0] ? rec->crash_title : NULL,
		.crash_signature = rec->crash_signature[0] ? rec->crash_signature : NULL,
		.activated = rec->activated,
		.attempts = rec->attempts,
		.events = rec->events, .n_events = rec->n_events,
		.steps = rec->steps, .n_steps = rec->n_steps,
		.console = rec->console, .console_len = rec->console_len,
	};
	int rc = results_trial_put(w->db, &t, NULL);

	if (rc == -EEXIST) {
		/* another process ran the same trial (two runs on one DB): keep the first */
		fprintf(stderr, "\nrun-campaign: %s\n", results_errmsg(w->db));
		return 0;
	}
	if (rc < 0) {
		fprintf(stderr, "\nrun-campaign: cannot record trial: %s\n", results_errmsg(w->db));
		return -1;
	}
	return 0;
}

static void account(struct worker *w, const struct trial_record *rec)
{
	struct campaign_run *run = w->run;

	pthread_mutex_lock(&run->lock);
	for (size_t o = 0; o < results_outcome_count; o++)
		if (strcmp(results_outcomes[o], rec->verdict.outcome) == 0)
			run->tally.count[o]++;
	atomic_fetch_add(&run->done, 1);
	if (!isatty(STDERR_FILENO) || run->cfg->verbose)
		fprintf(stderr, "%strial %lld %-8s %-18s %-28s %.1fs%s\n",
			isatty(STDERR_FILENO) ? "\r\033[K" : "", (long long)rec->trial_index,
			rec->mode, rec->verdict.outcome, rec->verdict.sub_reason,
			rec->total_ms == RESULTS_NULL_INT ? 0.0 : (double)rec->total_ms / 1000.0,
			rec->attempts > 1 ? " (retried)" : "");
	pthread_mutex_unlock(&run->lock);
}

static void *worker_main(void *arg)
{
	struct worker *w = arg;
	struct campaign_run *run = w->run;
	struct trial_record *rec = calloc(1, sizeof(*rec));

	if (!rec) {
		atomic_store(&run->failed, 1);
		return NULL;
	}
	while (!*run->stop && !atomic_load(&run->failed)) {
		size_t j = atomic_fetch_add(&run->next_job, 1);

		if (j >= run->n_jobs)
			break;
		const struct job *job = &run->jobs[j];
		int attempt, rc = 0;

		for (attempt = 1; attempt <= run->cfg->retries + 1; attempt++) {
			trial_record_reset(rec);
			rc = trial_run(w, job, rec);
			rec->attempts = attempt;
			if (rc < 0 || *run->stop)
				break;
			if (strcmp(rec->verdict.outcome, RESULTS_HARNESS_ERROR) != 0)
				break;
			atomic_fetch_add(&run->harness_errors, 1);
		}
		if (rc < 0) {
			atomic_store(&run->failed, 1);
			break;
		}
		if (*run->stop)		/* interrupted: not a result, --resume reruns it */
			break;
		if (attempt > run->cfg->retries + 1)
			rec->attempts = run->cfg->retries + 1;
		if (record(w, rec) < 0) {
			atomic_store(&run->failed, 1);
			break;
		}
		account(w, rec);
	}
	trial_record_reset(rec);
	free(rec->plan_json);
	free(rec);
	atomic_fetch_sub(&run->workers_alive, 1);
	return NULL;
}

static void format_duration(char *buf, size_t size, double s)
{
	if (s < 0 || s > 1e7)
		snprintf(buf, size, "?");
	else if (s >= 3600)
		snprintf(buf, size, "%dh%02dm", (int)(s / 3600), (int)(s / 60) % 60);
	else
		snprintf(buf, size, "%dm%02ds", (int)(s / 60), (int)s % 60);
}

static void progress_line(struct campaign_run *run, int final)
{
	size_t done = atomic_load(&run->done);
	double elapsed = now_monotonic() - run->started;
	double rate = elapsed > 0 ? (double)done / elapsed * 60.0 : 0;
	char eta[32], line[512];
	int n;

	format_duration(eta, sizeof(eta), done ? (double)(run->n_jobs - done) / (double)done * elapsed : -1);
	n = snprintf(line, sizeof(line), "[%zu/%zu] %.2f trials/min ETA %s |", done, run->n_jobs, rate,
		     final ? "-" : eta);
	pthread_mutex_lock(&run->lock);
	for (size_t o = 0; o < results_outcome_count && n < (int)sizeof(line) - 40; o++)
		if (run->tally.count[o])
			n += snprintf(line + n, sizeof(line) - (size_t)n, " %s %lld",
				      results_outcomes[o], (long long)run->tally.count[o]);
	pthread_mutex_unlock(&run->lock);
	fprintf(stderr, "\r%s\033[K%s", line, final ? "\n" : "");
}

int scheduler_run(struct campaign_run *run, int n_workers)
{
	struct worker *workers = calloc((size_t)n_workers, sizeof(*workers));
	sigset_t block, old;
	int started = 0, killed = 0, tty = isatty(STDERR_FILENO);
	char err[1024];

	if (!workers)
		return -1;
	pthread_mutex_init(&run->lock, NULL);
	run->started = now_monotonic();
	/* Workers never take signals: the main thread handles Ctrl-C. */
	sigemptyset(&block);
	sigaddset(&block, SIGINT);
	sigaddset(&block, SIGTERM);
	pthread_sigmask(SIG_BLOCK, &block, &old);
	for (int i = 0; i < n_workers; i++) {
		struct worker *w = &workers[i];
		struct inj_error ierr;

		w->id = i;
		w->run = run;
		snprintf(w->dir, sizeof(w->dir), "%s/w%d", run->cfg->work_dir, i);
		if (mkdir(w->dir, 0755) != 0 && errno != EEXIST) {
			fprintf(stderr, "run-campaign: %s: %s\n", w->dir, strerror(errno));
			break;
		}
		w->db = results_open(run->cfg->db, 0, err, sizeof(err));
		if (!w->db) {
			fprintf(stderr, "run-campaign: %s\n", err);
			break;
		}
		w->module = inj_module_open(run->cfg->module, &ierr);
		if (!w->module) {
			fprintf(stderr, "run-campaign: %s: %s\n", run->cfg->module, ierr.msg);
			results_close(w->db);
			break;
		}
		atomic_fetch_add(&run->workers_alive, 1);
		if (pthread_create(&w->thread, NULL, worker_main, w) != 0) {
			atomic_fetch_sub(&run->workers_alive, 1);
			inj_module_close(w->module);
			results_close(w->db);
			break;
		}
		started++;
	}
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (started < n_workers)
		atomic_store(&run->failed, 1);

	while (atomic_load(&run->done) < run->n_jobs && !atomic_load(&run->failed)) {
		struct timespec ts = { 1, 0 };

		if (*run->stop) {
			if (!killed)
				fprintf(stderr, "\nrun-campaign: stopping: killing the VMs; finished trials are saved, "
					"rerun with --resume to continue\n");
			/* every second: a worker may have been starting a VM during the last sweep */
			for (int i = 0; i < started; i++) {
				int pid = atomic_load(&workers[i].qemu_pid);

				if (pid > 0)
					kill(pid, SIGKILL);
			}
			killed = 1;
		}
		/* leave when every worker has run out of jobs */
		if (atomic_load(&run->workers_alive) == 0)
			break;
		if (tty)
			progress_line(run, 0);
		nanosleep(&ts, NULL);
	}
	for (int i = 0; i < started; i++) {
		pthread_join(workers[i].thread, NULL);
		inj_module_close(workers[i].module);
		results_close(workers[i].db);
	}
	if (tty)
		progress_line(run, 1);
	free(workers);
	return atomic_load(&run->failed) ? -1 : 0;
}
