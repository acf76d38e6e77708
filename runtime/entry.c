// SPDX-License-Identifier: GPL-2.0
/*
 * Entering and leaving a domain. Every call from the kernel into the
 * driver goes through NOOKS_CALL (nooks_internal.h), which pushes a
 * struct nooks_ctx on the entry stack of the current interrupt level and
 * saves the registers with nooks_ctx_save(). The fault handler resumes
 * the innermost context of the faulting level.
 *
 * Stacks: hardirq and softirq entries cannot migrate or sleep, so they
 * use a per-CPU stack each; process-level entries may sleep and move, so
 * they are kept in a hash keyed by task (innermost = first in its bucket).
 */
#include <linux/hashtable.h>
#include <linux/percpu.h>
#include <linux/preempt.h>
#include <linux/rcupdate.h>
#include <linux/sched.h>
#include <linux/uaccess.h>

#include "nooks_internal.h"
#include "pt/pt.h"

static DEFINE_PER_CPU(struct nooks_ctx *, nooks_irq_top[2]);
static DEFINE_HASHTABLE(nooks_task_ctx, 8);
static DEFINE_RAW_SPINLOCK(nooks_task_lock);

enum nooks_level nooks_level_now(void)
{
	if (in_hardirq() || in_nmi())
		return NOOKS_LEVEL_HARDIRQ;
	if (in_serving_softirq())
		return NOOKS_LEVEL_SOFTIRQ;
	return NOOKS_LEVEL_PROCESS;
}

const char *nooks_level_name(enum nooks_level level)
{
	switch (level) {
	case NOOKS_LEVEL_HARDIRQ:
		return "hardirq";
	case NOOKS_LEVEL_SOFTIRQ:
		return "softirq";
	default:
		return "process";
	}
}

static void nooks_push(struct nooks_ctx *c)
{
	unsigned long flags;

	if (c->level == NOOKS_LEVEL_PROCESS) {
		raw_spin_lock_irqsave(&nooks_task_lock, flags);
		hash_add(nooks_task_ctx, &c->task_node, (unsigned long)c->task);
		raw_spin_unlock_irqrestore(&nooks_task_lock, flags);
		return;
	}
	c->outer = __this_cpu_read(nooks_irq_top[c->level - 1]);
	__this_cpu_write(nooks_irq_top[c->level - 1], c);
}

static void nooks_pop(struct nooks_ctx *c)
{
	unsigned long flags;

	if (c->level == NOOKS_LEVEL_PROCESS) {
		raw_spin_lock_irqsave(&nooks_task_lock, flags);
		hash_del(&c->task_node);
		raw_spin_unlock_irqrestore(&nooks_task_lock, flags);
		return;
	}
	WARN_ON_ONCE(__this_cpu_read(nooks_irq_top[c->level - 1]) != c);
	__this_cpu_write(nooks_irq_top[c->level - 1], c->outer);
}

/* The innermost entry of @level on this CPU (or of current, in process). */
struct nooks_ctx *nooks_innermost(enum nooks_level level)
{
	struct nooks_ctx *c, *found = NULL;
	unsigned long flags;

	if (level != NOOKS_LEVEL_PROCESS)
		return __this_cpu_read(nooks_irq_top[level - 1]);

	raw_spin_lock_irqsave(&nooks_task_lock, flags);
	hash_for_each_possible(nooks_task_ctx, c, task_node,
			       (unsigned long)current) {
		if (c->task == current) {
			found = c;
			break;
		}
	}
	raw_spin_unlock_irqrestore(&nooks_task_lock, flags);
	return found;
}

/*
 * Prepare @c and push it. Returns false (and pushes nothing) when @d may
 * not be called now: the trampoline then returns its error value.
 */
bool nooks_enter(struct nooks_domain *d, struct nooks_ctx *c,
		 const char *entry)
{
	if (!d || !nooks_state_callable(atomic_read(&d->state)))
		return false;

	c->d = d;
	c->entry = entry;
	c->level = nooks_level_now();
	c->task = current;
	c->outer = NULL;
	c->faulted = false;
	c->caller_victim = 0;
	c->x_top = 0;
	c->preempt_count = preempt_count();
	local_save_flags(c->irqflags);
	c->rcu_depth = rcu_preempt_depth();
	c->pagefault_disabled = current->pagefault_disabled;
	atomic_inc(&d->active);
	atomic64_inc(&d->xpc_count);
	nooks_push(c);
	c->pt_on = false;
	if (d->pt)
		nooks_pt_enter(c);	/* last: domain stack, or the root */
	return true;
}

/*
 * The driver returned holding what its caller did not: a spinlock or a
 * disabled preemption, bottom halves or interrupts, an RCU read-side
 * section. The kernel would hang or warn later, far from the cause; it
 * is the driver's fault, at its return. The state is put back as the
 * fault handler would, and the driver recovered (its locks die with it).
 */
static void nooks_check_return(struct nooks_ctx *c)
{
	char desc[NOOKS_FAULT_DESC_LEN];
	bool irqs_were_on = c->irqflags & X86_EFLAGS_IF;

	if (likely(preempt_count() == c->preempt_count &&
		   irqs_disabled() == !irqs_were_on &&
		   rcu_preempt_depth() == c->rcu_depth))
		return;
	snprintf(desc, sizeof(desc),
		 "fault leak at return: preempt %#x->%#x irqs %s->%s rcu %d->%d ctx=%s entry=%s",
		 c->preempt_count, preempt_count(), irqs_were_on ? "on" : "off",
		 irqs_disabled() ? "off" : "on", c->rcu_depth,
		 rcu_preempt_depth(), nooks_level_name(c->level), c->entry);
	local_irq_disable();
	nooks_resume_state(c);
	nooks_domain_fail(c->d, desc);
}

void nooks_leave(struct nooks_ctx *c)
{
	struct nooks_domain *d = c->d;

	nooks_pt_leave(c);		/* first: back to the kernel root */
	if (!c->faulted)
		nooks_check_return(c);
	if (unlikely(c->caller_victim))
		nooks_inject_caller_seen(c->caller_victim);
	nooks_pop(c);
	if (atomic_dec_and_test(&d->active))
		wake_up_all(&d->idle_wq);
}

/*
 * Wrappers are called only by isolated drivers. Outside any entry the
 * driver runs in a callback nooks does not interpose on (a PM or error
 * handler, an ops member missing from shadow_ops.h): its faults there are
 * not contained, but what it acquires must still be tracked, so with a
 * single domain that domain is the answer.
 */
struct nooks_domain *nooks_current_domain(void)
{
	struct nooks_ctx *c = nooks_innermost(nooks_level_now());
	struct nooks_domain *d;

	if (c)
		return c->d;
	d = nooks_only_domain();
	if (d && !d->warned_outside) {
		d->warned_outside = true;
		pr_warn("nooks: %s: driver code ran outside any nooks entry (%pS)\n",
			d->name, __builtin_return_address(0));
	}
	return d;
}
EXPORT_SYMBOL_GPL(nooks_current_domain);

void nooks_kernel_enter(struct nooks_domain *d, const char *fn)
{
	if (d)
		atomic64_inc(&d->xpc_count);
}
EXPORT_SYMBOL_GPL(nooks_kernel_enter);

void nooks_kernel_exit(struct nooks_domain *d)
{
}
EXPORT_SYMBOL_GPL(nooks_kernel_exit);

bool nooks_domain_failed(struct nooks_domain *d)
{
	return d && !nooks_state_callable(atomic_read(&d->state));
}
EXPORT_SYMBOL_GPL(nooks_domain_failed);
