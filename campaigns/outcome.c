/*
 * The outcome rules, most severe first:
 *   crash              QEMU exited, heartbeats stopped, or the console shows
 *                      the kernel dying (panic/reboot) even if QEMU lingers;
 *   oops-survived      an oops nooks did not contain, kernel still alive;
 *   recovered          nooks reported a fault and a recovery, everything
 *                      afterwards passed;
 *   recovered-degraded nooks recovered, but the load or a step failed;
 *   driver-failure     kernel alive, no uncontained oops, but the load or a
 *                      workload step failed, a WARNING was printed, or nooks
 *                      gave up on the driver (disabled);
 *   no-effect          everything passed and nothing was printed.
 * Host failures (I/O on our side of a socket) are harness errors: retried,
 * never counted.
 */
#include <stdio.h>
#include <string.h>

#include "outcome.h"

static const char *phase_name(enum trial_phase_status s)
{
	switch (s) {
	case PHASE_NOT_RUN: return "not-run";
	case PHASE_OK: return "ok";
	case PHASE_ERR: return "err";
	case PHASE_TIMEOUT: return "timeout";
	case PHASE_HUNG: return "hang";
	case PHASE_EXITED: return "exit";
	case PHASE_IO: return "io";
	}
	return "?";
}

static void set(struct trial_verdict *v, const char *outcome, const char *reason)
{
	v->outcome = outcome;
	snprintf(v->sub_reason, sizeof(v->sub_reason), "%s", reason);
}

void outcome_decide(const struct trial_obs *o, struct trial_verdict *v, bool *harness)
{
	const enum trial_phase_status phases[] = { o->load, o->run, o->alive_check };
	const char *const phase_names[] = { "load", "run", "alive-check" };
	bool load_failed = o->load != PHASE_OK;
	bool run_failed = !load_failed && !o->run_ok_all_passed;
	char why[96];

	*harness = false;
	for (int i = 0; i < 3; i++)
		if (phases[i] == PHASE_IO) {
			*harness = true;
			snprintf(why, sizeof(why), "host-io-during-%s", phase_names[i]);
			set(v, "harness-error", why);
			return;
		}

	for (int i = 0; i < 3; i++)
		if (phases[i] == PHASE_EXITED || phases[i] == PHASE_HUNG) {
			snprintf(why, sizeof(why), "%s-during-%s",
				 phases[i] == PHASE_EXITED ? (o->kernel_died ? "panic" : "qemu-exit") : "hang",
				 phase_names[i]);
			set(v, "crash", why);
			return;
		}
	if (o->kernel_died) {
		set(v, "crash", "panic-on-console");
		return;
	}
	if (o->uncontained_oopses > 0) {
		snprintf(why, sizeof(why), "%d-uncontained-oops%s", o->uncontained_oopses,
			 o->nooks_recoveries ? "-after-recovery" : "");
		set(v, "oops-survived", why);
		return;
	}
	if (o->nooks_faults > 0 && o->nooks_recoveries > 0) {
		if (!load_failed && !run_failed) {
			set(v, "recovered", o->contained_oopses ? "contained-oops" : "contained-fault");
		} else {
			snprintf(why, sizeof(why), "%s-failed%s%s", load_failed ? "load" : "step",
				 o->first_failed_step ? ":" : "",
				 o->first_failed_step && !load_failed ? o->first_failed_step : "");
			set(v, "recovered-degraded", why);
		}
		return;
	}
	if (o->nooks_faults > 0 || o->nooks_disabled > 0) {
		set(v, "driver-failure", o->nooks_disabled ? "nooks-disabled-driver" : "nooks-fault-not-recovered");
		return;
	}
	if (load_failed) {
		snprintf(why, sizeof(why), "load-%s", phase_name(o->load));
		set(v, "driver-failure", why);
		return;
	}
	if (run_failed) {
		if (o->run != PHASE_OK)
			snprintf(why, sizeof(why), "workload-%s", phase_name(o->run));
		else
			snprintf(why, sizeof(why), "step-failed:%s",
				 o->first_failed_step ? o->first_failed_step : "?");
		set(v, "driver-failure", why);
		return;
	}
	if (o->warnings > 0) {
		set(v, "driver-failure", "warning-on-console");
		return;
	}
	if (o->alive_check == PHASE_TIMEOUT || o->alive_check == PHASE_ERR) {
		set(v, "driver-failure", "agent-unresponsive");
		return;
	}
	set(v, "no-effect", "");
}
