/*
 * What one trial saw, and the rule that turns it into an outcome. Kept free
 * of VM and classifier types so the rules can be unit tested on their own.
 */
#ifndef NOOKS_OUTCOME_H
#define NOOKS_OUTCOME_H

#include <stdbool.h>
#include <stdint.h>

enum trial_phase_status {
	PHASE_NOT_RUN = 0,
	PHASE_OK,		/* final line OK */
	PHASE_ERR,		/* agent said ERR (e.g. finit_module failed) */
	PHASE_TIMEOUT,		/* no answer in time, heartbeats still fine */
	PHASE_HUNG,		/* heartbeats stopped */
	PHASE_EXITED,		/* QEMU exited (panic with panic=1 + -no-reboot) */
	PHASE_IO,		/* host-side failure */
};

struct trial_obs {
	enum trial_phase_status load, run, alive_check;
	int steps_pass, steps_fail;
	bool run_ok_all_passed;	/* run ended OK with fail=0 */
	/* console classification */
	bool kernel_died;	/* a report with kernel_died (panic, reboot) */
	int uncontained_oopses;	/* reports other than warnings not contained by nooks */
	int contained_oopses;
	int warnings;
	int nooks_faults, nooks_recoveries, nooks_disabled;
	const char *first_failed_step;	/* may be NULL */
};

struct trial_verdict {
	const char *outcome;	/* results vocabulary */
	char sub_reason[96];
};

/* harness: true when the failure lies with the host (never a driver outcome). */
void outcome_decide(const struct trial_obs *o, struct trial_verdict *v, bool *harness);

#endif
