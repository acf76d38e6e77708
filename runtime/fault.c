// SPDX-License-Identifier: GPL-2.0
/*
 * Fault detection: a die notifier that recognises an exception raised by
 * an isolated driver and unwinds it to the innermost domain entry.
 *
 * Where each exception is caught (6.1, arch/x86/kernel/traps.c, mm/fault.c):
 *   #DE, #UD, BUG   DIE_TRAP in do_error_trap(), before do_trap() would
 *                   kill the task (or panic in interrupt context);
 *   #GP             DIE_GPF in gp_try_fixup_and_notify(), before die_addr();
 *   #PF             DIE_OOPS in __die_body(), called by page_fault_oops()
 *                   between oops_begin() and oops_end(): NOTIFY_STOP makes
 *                   __die() return 1, oops_end() gets signr 0 and returns.
 * Any other die that reaches DIE_OOPS is handled the same way.
 *
 * (A kprobe on page_fault_oops() catches #PF earlier still: see below.)
 *
 * A fault is the driver's when its ip is in the driver's text (and has no
 * exception-table fixup), in the fault gadgets (inject.c), or, while an
 * entry of the domain is active: in nooks' own text (a wrapper acting for
 * the driver), at an address that is no code at all (the driver jumped
 * through a wild pointer), or in a string routine the compiler made the
 * driver call directly (memset, memcpy: frameless, so the return address
 * on top of the stack says who called it). The pt_regs are rewritten so
 * the exception returns into nooks_resume_stub (ctx_save.S), which puts
 * preempt count, RCU nesting, page-fault-disable depth and the interrupt
 * flag back as they were at entry, restores the saved registers and
 * returns 1 from the entry's nooks_ctx_save().
 */
#include <linux/extable.h>
#include <linux/kdebug.h>
#include <linux/kallsyms.h>
#include <linux/kprobes.h>
#include <linux/preempt.h>
#include <linux/rcupdate.h>
#include <linux/sched.h>
#include <linux/uaccess.h>
#include <asm/processor-flags.h>
#include <asm/special_insns.h>
#include <asm/trapnr.h>

#include "nooks_internal.h"

/* contain=0 turns fault containment off: the same faults then oops. */
static bool nooks_contain_on = true;
module_param_named(contain, nooks_contain_on, bool, 0644);
MODULE_PARM_DESC(contain, "contain and recover driver faults (0: let them oops)");

bool nooks_contain_enabled(void)
{
	return READ_ONCE(nooks_contain_on);
}

static bool nooks_addr_in_self(unsigned long ip)
{
	struct module *m = THIS_MODULE;

	return ip >= (unsigned long)m->core_layout.base &&
	       ip < (unsigned long)m->core_layout.base + m->core_layout.text_size;
}

/*
 * Kernel routines the driver calls directly (bound to the kernel, see
 * wrappers.tbl "compiler") that keep no frame: the caller's return address
 * is on top of the stack when they fault.
 */
static const char * const nooks_leaf_fns[] = {
	"memset", "__memset", "memset_erms", "memset_orig",
	"memcpy", "__memcpy", "memcpy_erms", "memcpy_orig",
	"memmove", "__memmove",
};

/* Is @ip no code at all, or a leaf routine called from @d's code? */
static bool nooks_fault_from_domain(struct nooks_domain *d,
				    struct pt_regs *regs)
{
	char sym[KSYM_SYMBOL_LEN];
	unsigned long ret;
	int i;

	sprint_symbol(sym, regs->ip);
	if (!strncmp(sym, "0x", 2))
		return true;	/* a jump to no symbol: wild */
	for (i = 0; i < ARRAY_SIZE(nooks_leaf_fns); i++) {
		size_t n = strlen(nooks_leaf_fns[i]);

		if (strncmp(sym, nooks_leaf_fns[i], n) || sym[n] != '+')
			continue;
		if (get_kernel_nofault(ret, (unsigned long *)regs->sp))
			return false;
		return nooks_domain_by_addr(ret) == d ||
		       nooks_addr_in_gadget(ret);
	}
	return false;
}

/* A fixup in the driver's own exception table means the fault is expected. */
static bool nooks_has_fixup(struct nooks_domain *d, unsigned long ip)
{
	struct module *m = d->mod;
	unsigned int i;

	for (i = 0; i < m->num_exentries; i++) {
		const struct exception_table_entry *e = &m->extable[i];

		if ((unsigned long)&e->insn + e->insn == ip)
			return true;
	}
	return false;
}

static const char *nooks_fault_kind(unsigned long val, struct die_args *a)
{
	switch (val) {
	case DIE_GPF:
		return "#GP";
	case DIE_TRAP:
		if (a->trapnr == X86_TRAP_DE)
			return "#DE";
		if (a->trapnr == X86_TRAP_UD)
			return "#UD";
		return "trap";
	default:
		if (a->str && !strcmp(a->str, "Oops"))
			return "#PF";
		if (a->trapnr == X86_TRAP_GP)
			return "#GP";
		if (a->trapnr == X86_TRAP_UD)
			return "#UD";
		if (a->trapnr == X86_TRAP_DE)
			return "#DE";
		return "oops";
	}
}

/* Mark @d failed, remember why, and hand it to the recovery manager. */
void nooks_domain_fail(struct nooks_domain *d, const char *desc)
{
	enum nooks_dom_state s = atomic_read(&d->state);

	atomic_inc(&d->faults);
	strscpy(d->last_fault, desc, sizeof(d->last_fault));
	d->fault_time = ktime_get();
	pr_err("nooks: %s: %s\n", d->name, desc);
	while (nooks_state_callable(s) && s != NOOKS_DOM_UNLOADING) {
		if (nooks_set_state(d, s, NOOKS_DOM_FAILED)) {
			nooks_schedule_recovery(d);
			break;
		}
		s = atomic_read(&d->state);
	}
}

void nooks_param_fault(struct nooks_domain *d, const char *fn,
		       const char *why)
{
	struct nooks_ctx *c = nooks_innermost(nooks_level_now());
	char desc[NOOKS_FAULT_DESC_LEN];

	if (!d)
		return;
	snprintf(desc, sizeof(desc),
		 "fault param at %s addr=0 ctx=%s entry=%s (%s)", fn,
		 nooks_level_name(nooks_level_now()),
		 c ? c->entry : "none", why);
	nooks_domain_fail(d, desc);
}
EXPORT_SYMBOL_GPL(nooks_param_fault);

/*
 * Called by nooks_resume_stub in the resumed context (interrupts off):
 * put the state back as it was when @c was entered.
 */
void nooks_resume_state(struct nooks_ctx *c)
{
	while (rcu_preempt_depth() > c->rcu_depth)
		rcu_read_unlock();
	current->pagefault_disabled = c->pagefault_disabled;
	preempt_count_set(c->preempt_count);
	if (c->irqflags & X86_EFLAGS_IF)
		local_irq_enable();
}

/*
 * Is the fault at @regs the isolated driver's? If so record it, hand the
 * domain to recovery, and rewrite @regs so the exception returns into
 * nooks_resume_stub for the innermost entry. @kind/@addr describe it.
 */
static bool nooks_contain(struct pt_regs *regs, const char *kind,
			  unsigned long addr)
{
	enum nooks_level level;
	struct nooks_domain *owner;
	struct nooks_ctx *c;
	char desc[NOOKS_FAULT_DESC_LEN];

	if (!nooks_contain_on || !regs || user_mode(regs))
		return false;
	level = nooks_level_now();
	c = nooks_innermost(level);
	owner = nooks_domain_by_addr(regs->ip);
	if (owner) {
		if (nooks_has_fixup(owner, regs->ip))
			return false;
		if (!c || c->d != owner) {
			pr_err("nooks: %s: fault at %pS outside any nooks entry: not contained\n",
			       owner->name, (void *)regs->ip);
			return false;
		}
	} else if (!c || !(nooks_addr_in_gadget(regs->ip) ||
			   nooks_addr_in_self(regs->ip) ||
			   nooks_fault_from_domain(c->d, regs))) {
		return false;
	}

	snprintf(desc, sizeof(desc), "fault %s at %pS addr=%#lx ctx=%s entry=%s",
		 kind, (void *)regs->ip, addr, nooks_level_name(level),
		 c->entry);
	c->faulted = true;
	nooks_domain_fail(c->d, desc);

	regs->ip = (unsigned long)nooks_resume_stub;
	regs->di = (unsigned long)c;
	regs->flags &= ~(X86_EFLAGS_IF | X86_EFLAGS_DF | X86_EFLAGS_AC);
	return true;
}

static int nooks_die_notify(struct notifier_block *nb, unsigned long val,
			    void *data)
{
	struct die_args *a = data;
	const char *kind;

	if (val != DIE_TRAP && val != DIE_GPF && val != DIE_OOPS)
		return NOTIFY_DONE;
	if (val == DIE_TRAP && a->trapnr != X86_TRAP_DE &&
	    a->trapnr != X86_TRAP_UD)
		return NOTIFY_DONE;
	kind = nooks_fault_kind(val, a);
	if (!nooks_contain(a->regs, kind,
			   strcmp(kind, "#PF") ? 0 : read_cr2()))
		return NOTIFY_DONE;
	return NOTIFY_STOP;
}

/*
 * #PF: catch it at the entry of page_fault_oops(regs, error_code,
 * address), before anything is printed or the kernel is tainted, and
 * make page_fault_oops() return at once. Without the kprobe the die
 * notifier still catches it at DIE_OOPS, after the oops report.
 */
static int nooks_pf_oops_pre(struct kprobe *p, struct pt_regs *kregs)
{
	struct pt_regs *regs = (struct pt_regs *)kregs->di;

	if (!nooks_contain(regs, "#PF", kregs->dx))
		return 0;
	instruction_pointer_set(kregs, (unsigned long)nooks_just_return);
	return 1;
}

static struct kprobe nooks_pf_kprobe = {
	.symbol_name = "page_fault_oops",
	.pre_handler = nooks_pf_oops_pre,
};
static bool nooks_pf_kprobe_on;

static struct notifier_block nooks_die_nb = {
	.notifier_call = nooks_die_notify,
	.priority = INT_MAX,	/* before kgdb and friends see our faults */
};

int nooks_fault_init(void)
{
	int ret = register_kprobe(&nooks_pf_kprobe);

	nooks_pf_kprobe_on = !ret;
	if (ret)
		pr_warn("nooks: no kprobe on page_fault_oops (%d): #PF caught at DIE_OOPS\n",
			ret);
	return register_die_notifier(&nooks_die_nb);
}

void nooks_fault_exit(void)
{
	unregister_die_notifier(&nooks_die_nb);
	if (nooks_pf_kprobe_on)
		unregister_kprobe(&nooks_pf_kprobe);
}
