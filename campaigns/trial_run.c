/*
 * One attempt of one trial in one mode:
 *   restore the mode's ready snapshot → put the faulty module → load it →
 *   (breakpoints at the fault sites) → run the workload → is the guest
 *   still alive? → classify the console → outcome.
 * QEMU is killed at the end of every attempt; nothing carries over.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "classify.h"
#include "runner.h"
#include "vmctl.h"

#define LOAD_TIMEOUT_MS 90000
#define PUT_TIMEOUT_MS 60000
#define ALIVE_TIMEOUT_MS 20000
#define RUN_SLACK_MS 30000
#define GUEST_MODULE_PATH "/tmp/trial.ko"

void trial_record_reset(struct trial_record *r)
{
	char *plan = r->plan_json;

	free(r->console);
	memset(r, 0, sizeof(*r));
	r->plan_json = plan;	/* reused: made once per trial, not per attempt */
	r->restore_ms = r->workload_ms = r->total_ms = r->recovery_us = RESULTS_NULL_INT;
	r->activated = -1;
}

static enum trial_phase_status phase_of(enum vm_cmd_status s)
{
	switch (s) {
	case VM_CMD_OK: return PHASE_OK;
	case VM_CMD_ERR: return PHASE_ERR;
	case VM_CMD_TIMEOUT: return PHASE_TIMEOUT;
	case VM_CMD_HUNG: return PHASE_HUNG;
	case VM_CMD_EXITED: return PHASE_EXITED;
	case VM_CMD_IO: return PHASE_IO;
	}
	return PHASE_IO;
}

struct run_ctx {
	struct trial_record *rec;
	struct trial_obs *obs;
	/* `sections` replies */
	char names[64][64];
	uint64_t addrs[64];
	size_t n_sections;
};

static void on_step(const struct vm_reply *r, void *arg)
{
	struct run_ctx *c = arg;
	struct trial_record *rec = c->rec;

	if (r->kind != VM_REPLY_STEP || rec->n_steps >= sizeof(rec->steps) / sizeof(rec->steps[0]))
		return;
	size_t i = rec->n_steps++;

	snprintf(rec->step_name[i], sizeof(rec->step_name[i]), "%s", r->step ? r->step : "?");
	snprintf(rec->step_detail[i], sizeof(rec->step_detail[i]), "%s", r->text ? r->text : "");
	rec->steps[i] = (struct results_step){ rec->step_name[i], r->pass,
					       rec->step_detail[i][0] ? rec->step_detail[i] : NULL };
	if (!r->pass && !c->obs->first_failed_step)
		c->obs->first_failed_step = rec->step_name[i];
}

static void on_section(const struct vm_reply *r, void *arg)
{
	struct run_ctx *c = arg;
	char name[64];
	uint64_t addr;

	if (r->kind != VM_REPLY_DATA || c->n_sections >= 64)
		return;
	if (sscanf(r->text, "%63s %" SCNx64, name, &addr) == 2) {
		snprintf(c->names[c->n_sections], sizeof(c->names[0]), "%s", name);
		c->addrs[c->n_sections++] = addr;
	}
}

/* Breakpoints on every fault site the module's sections let us place. */
static int arm_activation(struct vm *vm, struct run_ctx *c, const char *driver,
			  uint64_t *bps, size_t max)
{
	size_t n = 0;

	if (vm_agent(vm, 10000, on_section, c, NULL, "sections %s", driver) != VM_CMD_OK)
		return 0;
	for (size_t i = 0; i < c->rec->n_sites && n < max; i++)
		for (size_t s = 0; s < c->n_sections; s++)
			if (strcmp(c->names[s], c->rec->sites[i].section) == 0) {
				uint64_t a = c->addrs[s] + c->rec->sites[i].off;

				if (vm_bp_set(vm, a) == 0)
					bps[n++] = a;
				break;
			}
	return (int)n;
}

static char *read_all(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *buf = NULL;
	size_t cap = 0, n = 0, got;

	*len = 0;
	if (!f)
		return NULL;
	do {
		if (cap - n < 65536) {
			char *p = realloc(buf, cap + 262144);

			if (!p) {
				free(buf);
				fclose(f);
				return NULL;
			}
			buf = p;
			cap += 262144;
		}
		got = fread(buf + n, 1, cap - n - 1, f);
		n += got;
	} while (got > 0);
	fclose(f);
	buf[n] = '\0';
	*len = n;
	return buf;
}

static void add_event(struct trial_record *rec, const char *kind, double t, const char *detail)
{
	size_t i = rec->n_events;

	if (i >= sizeof(rec->events) / sizeof(rec->events[0]))
		return;
	snprintf(rec->event_detail[i], sizeof(rec->event_detail[i]), "%s", detail);
	rec->events[i] = (struct results_event){ t, kind, rec->event_detail[i] };
	rec->n_events++;
}

/* Console → obs (oopses, nooks events), crash title/signature, recovery time. */
static void classify_console(struct trial_record *rec, struct trial_obs *obs)
{
	struct classify_result cr;
	double fault_t = -1;

	if (!rec->console || classify_log(rec->console, rec->console_len, &cr) != 0)
		return;
	for (size_t i = 0; i < cr.nr_reports; i++) {
		const struct classify_report *r = &cr.reports[i];

		if (r->kernel_died)
			obs->kernel_died = true;
		if (r->category == CLASSIFY_WARNING)
			obs->warnings++;
		else if (r->category == CLASSIFY_NONE || r->category == CLASSIFY_NO_OUTPUT)
			continue;
		else if (r->contained)
			obs->contained_oopses++;
		else
			obs->uncontained_oopses++;
	}
	if (cr.worst && cr.worst->category != CLASSIFY_NO_OUTPUT) {
		snprintf(rec->crash_title, sizeof(rec->crash_title), "%s", cr.worst->title);
		snprintf(rec->crash_signature, sizeof(rec->crash_signature), "%s", cr.worst->signature);
	}
	for (size_t i = 0; i < cr.nr_events; i++) {
		const struct classify_event *e = &cr.events[i];
		char detail[300];
		long long us;
		const char *in;

		snprintf(detail, sizeof(detail), "%s: %s%s%s", e->driver,
			 classify_event_kind_name(e->kind), e->detail[0] ? " " : "", e->detail);
		switch (e->kind) {
		case CLASSIFY_EVENT_FAULT:
			obs->nooks_faults++;
			if (fault_t < 0)
				fault_t = e->printk_time;
			add_event(rec, "fault", e->printk_time, detail);
			break;
		case CLASSIFY_EVENT_RECOVERED:
			obs->nooks_recoveries++;
			add_event(rec, "recovery", e->printk_time, detail);
			/* "recovered in N us ..." from the runtime; else console time stamps */
			in = strstr(e->detail, "in ");
			if (rec->recovery_us == RESULTS_NULL_INT) {
				if (in && sscanf(in, "in %lld us", &us) == 1)
					rec->recovery_us = us;
				else if (fault_t >= 0 && e->printk_time >= fault_t)
					rec->recovery_us = (int64_t)((e->printk_time - fault_t) * 1e6);
			}
			break;
		default:
			obs->nooks_disabled++;
			add_event(rec, "disabled", e->printk_time, detail);
			break;
		}
	}
	classify_result_free(&cr);
}

static void append_agent_reason(struct trial_record *rec)
{
	char *why = rec->verdict.sub_reason;
	size_t len = strlen(why);
	const char *final = strncmp(why, "load-", 5) == 0 ? rec->load_final :
			    strncmp(why, "workload-", 9) == 0 ? rec->run_final : NULL;

	if (final && final[0] && len + 3 < sizeof(rec->verdict.sub_reason))
		snprintf(why + len, sizeof(rec->verdict.sub_reason) - len, ": %s", final);
}

static int64_t ms_since(double t0)
{
	return (int64_t)((now_monotonic() - t0) * 1000.0);
}

static void harness(struct trial_record *rec, const char *why)
{
	rec->verdict.outcome = RESULTS_HARNESS_ERROR;
	snprintf(rec->verdict.sub_reason, sizeof(rec->verdict.sub_reason), "%s", why);
}

int trial_run(struct worker *w, const struct job *job, struct trial_record *rec)
{
	const struct campaign_cfg *cfg = w->run->cfg;
	const char *mode = cfg->modes[job->mode];
	const struct mode_setup *setup = campaign_mode_setup_c(cfg, mode);
	char vmdir[1200], ko[1300], isolated[1300], console_path[1300], err[512], append[1024];
	const char *module_to_send = ko;
	struct trial_obs obs = { 0 };
	struct run_ctx ctx = { .rec = rec, .obs = &obs };
	struct vm_config vcfg;
	struct vm_cmd_result res;
	struct vm *vm = NULL;
	uint64_t bps[64];
	int n_bps = 0;
	double t0 = now_monotonic(), tw;
	bool harness_err;

	rec->trial_index = job->trial_index;
	rec->mode = mode;
	snprintf(vmdir, sizeof(vmdir), "%s/vm", w->dir);
	snprintf(ko, sizeof(ko), "%s/mutated.ko", w->dir);
	snprintf(isolated, sizeof(isolated), "%s/mutated.nooks.ko", w->dir);
	remove_tree(vmdir);

	if (trial_make_module(w, job, rec, ko, err, sizeof(err)) < 0) {
		fprintf(stderr, "run-campaign: %s\n", err);
		return -1;	/* deterministic: retrying cannot help, the campaign stops */
	}
	if (setup && setup->isolate) {	/* nooks, nooks-pt: the same isolated build */
		if (trial_isolate(cfg, ko, isolated, err, sizeof(err)) < 0) {
			harness(rec, "nooks-isolate-failed");
			fprintf(stderr, "run-campaign: trial %lld: %s\n", (long long)job->trial_index, err);
			return 0;
		}
		module_to_send = isolated;
	}

	mode_vm_config(cfg, mode, vmdir, &vcfg, append, sizeof(append));
	if (vm_restore(&vcfg, w->run->snapshot[job->mode], &vm) < 0) {
		snprintf(err, sizeof(err), "restore: %s", vm_error());
		harness(rec, "restore-failed");
		fprintf(stderr, "run-campaign: trial %lld %s: %s\n", (long long)job->trial_index, mode, err);
		remove_tree(vmdir);
		return 0;
	}
	atomic_store(&w->qemu_pid, vm_qemu_pid(vm));
	rec->restore_ms = ms_since(t0);
	snprintf(console_path, sizeof(console_path), "%s", vm_console_raw(vm));

	/* The module is not loaded yet: a failure here is ours, not the driver's. */
	if (vm_agent_put(vm, module_to_send, GUEST_MODULE_PATH, PUT_TIMEOUT_MS, &res) != VM_CMD_OK) {
		harness(rec, "put-failed");
		fprintf(stderr, "run-campaign: trial %lld %s: put: %s %s\n", (long long)job->trial_index,
			mode, vm_cmd_status_name(res.status), res.final);
		goto out_vm;
	}

	tw = now_monotonic();
	obs.load = phase_of(vm_agent(vm, LOAD_TIMEOUT_MS, NULL, NULL, &res, "load %s", GUEST_MODULE_PATH));
	snprintf(rec->load_final, sizeof(rec->load_final), "%s", res.final);
	if (obs.load == PHASE_OK && mode_check_domain(cfg, mode, vm, err, sizeof(err)) < 0) {
		/* the runtime fell back to another kind of domain: not a trial of this mode */
		harness(rec, err);
		fprintf(stderr, "run-campaign: trial %lld %s: the driver's domain is not of this mode (%s)\n",
			(long long)job->trial_index, mode, err);
		goto out_vm;
	}
	if (obs.load == PHASE_OK) {
		if (cfg->activation)
			n_bps = arm_activation(vm, &ctx, cfg->driver, bps, 64);
		obs.run = phase_of(vm_agent(vm, cfg->budget_s * 1000 + RUN_SLACK_MS, on_step, &ctx, &res,
					    "run %s %d", cfg->workload, cfg->budget_s));
		snprintf(rec->run_final, sizeof(rec->run_final), "%s", res.final);
		obs.steps_pass = res.steps_pass;
		obs.steps_fail = res.steps_fail;
		obs.run_ok_all_passed = obs.run == PHASE_OK && res.steps_fail == 0;
	}
	rec->workload_ms = ms_since(tw);

	/* Still a live kernel behind the agent? */
	if (obs.load != PHASE_EXITED && obs.load != PHASE_HUNG &&
	    obs.run != PHASE_EXITED && obs.run != PHASE_HUNG)
		obs.alive_check = phase_of(vm_agent(vm, ALIVE_TIMEOUT_MS, NULL, NULL, &res, "ping"));
	if (n_bps > 0) {
		int hit = 0, known = 1;

		for (int i = 0; i < n_bps; i++) {
			int h = vm_bp_hits(vm, bps[i]);

			if (h < 0)
				known = 0;
			else if (h > 0)
				hit = 1;
		}
		/*
		 * Only "hit" is conclusive: the module's init ran before the
		 * breakpoints could be placed, so "not hit" stays unknown.
		 */
		rec->activated = hit ? 1 : -1;
		(void)known;
	}
	vm_poll(vm, 300);	/* let the console thread catch the last lines */

out_vm:
	atomic_store(&w->qemu_pid, 0);
	vm_destroy(vm);
	rec->console = read_all(console_path, &rec->console_len);
	rec->total_ms = ms_since(t0);
	if (rec->verdict.outcome) {	/* harness error already decided */
		remove_tree(vmdir);
		return 0;
	}
	classify_console(rec, &obs);
	outcome_decide(&obs, &rec->verdict, &harness_err);
	/* Say why the agent refused (e.g. "ERR ENOEXEC ..."), not just that it did. */
	append_agent_reason(rec);
	/* A hang or a silent QEMU exit has no console report: name it by how it ended. */
	if (strcmp(rec->verdict.outcome, "crash") == 0 && !rec->crash_title[0])
		snprintf(rec->crash_title, sizeof(rec->crash_title), "no console report (%s)",
			 rec->verdict.sub_reason);
	remove_tree(vmdir);
	return 0;
}
