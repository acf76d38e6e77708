// SPDX-License-Identifier: GPL-2.0
/*
 * Crossing into and out of a page-table domain.
 *
 * kernel -> driver: nooks_enter() calls nooks_pt_enter() last, which takes
 * a dedicated domain stack (stack.c); NOOKS_CALL then calls the driver
 * through nooks_xcall() (xcall.S), which switches to that stack, remembers
 * this CPU's kernel CR3 in nooks_pt_kcr3, loads the domain root, and on
 * return switches both back. nooks_leave() calls nooks_pt_leave() first,
 * which gives the stack back (or, after a fault, leaves the root).
 * Fallback when the pool is empty: the pages of the current stack are
 * granted and the root is loaded right here, as before domain stacks.
 *
 * driver -> kernel: every wrapper the driver calls (gen/wrappers.c,
 * custom.c, batch.c) starts with NOOKS_PT_WRAPPER() (wrapper_api.h), so
 * its first and last acts are nooks_pt_wrapper_out/back below, behind a
 * static key that is on only while a page-table domain exists. Out, if it
 * finds the domain root loaded, switches to the kernel root and notes
 * (function, call site) in the innermost entry's context; back, at the
 * wrapper's return, switches back. This covers the whole wrapper - its
 * tracking and checks as well as the kernel call, which
 * nooks_kernel_enter/exit alone would not.
 *
 * No context switch can happen on the domain root: the driver can only
 * sleep inside a wrapper, and the kernel is built with voluntary
 * preemption. Interrupts and exceptions go through the private IDT.
 */
#include <linux/ktime.h>
#include <linux/percpu.h>
#include <linux/sched.h>
#include <linux/sched/task_stack.h>
#include <asm/processor-flags.h>
#include <asm/special_insns.h>
#include <asm/tlbflush.h>
#include <asm/traps.h>

#include "../nooks_internal.h"
#include "pt.h"

/* The words of struct nooks_ctx that xcall.S reads and writes. */
static_assert(offsetof(struct nooks_ctx, x_top) == 64);
static_assert(offsetof(struct nooks_ctx, x_cr3) == 72);
static_assert(offsetof(struct nooks_ctx, pt_prev_cr3) == 80);
static_assert(offsetof(struct nooks_ctx, x_ksp) == 88);

bool nooks_pt_on;
DEFINE_STATIC_KEY_FALSE(nooks_pt_wrappers);

/*
 * A development aid for finding the grants a driver needs: a write fault
 * on a page the kernel maps is logged, the page granted and the write
 * retried. Off in every test; never protection.
 */
static bool nooks_pt_learn;
module_param_named(pt_learn, nooks_pt_learn, bool, 0644);
MODULE_PARM_DESC(pt_learn, "debug: log and grant faulting writes instead of recovering");

DEFINE_PER_CPU(unsigned long, nooks_pt_kcr3);

/* What the #PF handler recorded for nooks_pt_report(), per CPU. */
struct nooks_pt_fault {
	unsigned long cr2, ip, err;
	unsigned long last_resync;
};
static DEFINE_PER_CPU(struct nooks_pt_fault, nooks_pt_fault_rec);

/* Entries that left the root lazily (fast path of nooks_pt_wrapper_out). */
static atomic_t nooks_pt_lazies = ATOMIC_INIT(0);

int nooks_pt_check_cpu(void)
{
	if (pgtable_l5_enabled()) {
		pr_err("nooks: isolation=pagetable: 5-level paging is not supported\n");
		return -EOPNOTSUPP;
	}
	if (boot_cpu_has(X86_FEATURE_PTI)) {
		pr_err("nooks: isolation=pagetable: page-table isolation (PTI) is on; the private IDT would have to be loaded around every domain call: boot the guest with 'pti=off clearcpuid=13'\n");
		return -EOPNOTSUPP;
	}
	/*
	 * Global TLB entries survive a CR3 write: kernel pages must not be
	 * global. Boot with PGE hidden (clearcpuid=13, PGE's bit;
	 * clearcpuid=pge works as well on 6.1); head_64.S still sets CR4.PGE,
	 * so idt.c clears it on every CPU (then the G bit of the early image
	 * mappings is ignored).
	 */
	if (boot_cpu_has(X86_FEATURE_PGE) || (__supported_pte_mask & _PAGE_GLOBAL)) {
		pr_err("nooks: isolation=pagetable: global kernel pages would survive the switch to a domain root: boot the guest with 'clearcpuid=13' (pge)\n");
		return -EOPNOTSUPP;
	}
	return 0;
}

/* The pages of the stack in use: the task's, or the IRQ stack's top 4. */
static void nooks_pt_stack_range(unsigned long *lo, unsigned long *hi)
{
	unsigned long sp = current_stack_pointer;
	unsigned long base = (unsigned long)task_stack_page(current);

	if (sp >= base && sp < base + THREAD_SIZE) {
		*lo = base;
		*hi = base + THREAD_SIZE;
		return;
	}
	*hi = (sp & PAGE_MASK) + PAGE_SIZE;
	*lo = *hi - THREAD_SIZE;
}

/* Load @d's root on this CPU, remembering the kernel's CR3. */
static void nooks_pt_load(struct nooks_domain *d)
{
	unsigned long flags, cr3;

	local_irq_save(flags);
	cr3 = __native_read_cr3();
	if (!nooks_pt_cr3_is_domain(cr3))
		this_cpu_write(nooks_pt_kcr3, cr3);
	native_write_cr3(nooks_pt_root_cr3(d));
	local_irq_restore(flags);
}

void nooks_pt_enter(struct nooks_ctx *c)
{
	struct nooks_domain *d = c->d;
	unsigned long cr3;

	c->pt_on = false;
	c->pt_out_fn = NULL;
	c->pt_lazy = false;
	if (!d->pt)
		return;
	cr3 = __native_read_cr3();
	c->pt_prev_cr3 = nooks_pt_cr3_is_domain(cr3) ? cr3 : 0;
	c->pt_on = true;
	c->x_slot = nooks_pt_stack_get(d, &c->x_top);
	if (c->x_slot >= 0) {
		c->x_cr3 = nooks_pt_root_cr3(d);
		return;		/* nooks_xcall() loads the root */
	}
	nooks_pt_stack_range(&c->pt_stk_lo, &c->pt_stk_hi);
	nooks_pt_grant(d, (void *)c->pt_stk_lo, c->pt_stk_hi - c->pt_stk_lo,
		       true);
	nooks_pt_load(d);
}

/* First thing nooks_leave() does: still on the domain root, maybe. */
void nooks_pt_leave(struct nooks_ctx *c)
{
	unsigned long flags;

	if (!c->pt_on)
		return;
	local_irq_save(flags);
	if (c->pt_prev_cr3)
		native_write_cr3(c->pt_prev_cr3);
	else if (nooks_pt_cr3_is_domain(__native_read_cr3()))
		native_write_cr3(this_cpu_read(nooks_pt_kcr3));
	local_irq_restore(flags);
	/* a fault may have unwound a wrapper that was out */
	c->pt_out_fn = NULL;
	if (c->pt_lazy) {
		c->pt_lazy = false;
		atomic_dec(&nooks_pt_lazies);
	}
	if (c->x_top)
		nooks_pt_stack_put(c->d, c->x_slot);
	else
		nooks_pt_grant(c->d, (void *)c->pt_stk_lo,
			       c->pt_stk_hi - c->pt_stk_lo, false);
	c->x_top = 0;
	c->pt_on = false;
}

/*
 * For nooks code that runs on the driver's behalf inside an entry without
 * being a wrapper (the fault trigger): leave the domain root if loaded;
 * returns what nooks_pt_back() needs to go back.
 */
unsigned long nooks_pt_out(void)
{
	unsigned long cr3 = __native_read_cr3();

	if (!nooks_pt_cr3_is_domain(cr3))
		return 0;
	native_write_cr3(this_cpu_read(nooks_pt_kcr3));
	return cr3;
}

void nooks_pt_back(unsigned long cr3)
{
	unsigned long flags;

	if (!cr3)
		return;
	local_irq_save(flags);
	this_cpu_write(nooks_pt_kcr3, __native_read_cr3());
	native_write_cr3(cr3);
	local_irq_restore(flags);
}

/*
 * For the fault trigger when it is reached on the kernel root inside an
 * entry (batch.c fires it from napi_complete_done(), a wrapper): load
 * @d's root for the gadget; nooks_pt_outof() goes back if it returns.
 */
bool nooks_pt_into(struct nooks_domain *d)
{
	if (!d->pt || nooks_pt_cr3_is_domain(__native_read_cr3()))
		return false;
	nooks_pt_load(d);
	return true;
}

void nooks_pt_outof(bool loaded)
{
	if (loaded)
		native_write_cr3(this_cpu_read(nooks_pt_kcr3));
}

/*
 * NOOKS_PT_WRAPPER()'s first act, with a page-table domain in the system:
 * returns @site when this wrapper left the domain root (or took over a
 * lazy exit) and nooks_pt_wrapper_back() must go back at its return.
 */
notrace void *nooks_pt_wrapper_out(const char *fn, void *site)
{
	struct nooks_ctx *c;

	if (!nooks_pt_cr3_is_domain(__native_read_cr3())) {
		/* Out lazily (see nooks_pt_page_fault): back at this return. */
		if (!atomic_read(&nooks_pt_lazies))
			return NULL;
		c = nooks_innermost(nooks_level_now());
		if (!c || !c->pt_lazy || c->pt_out_fn)
			return NULL;
		c->pt_lazy = false;
		atomic_dec(&nooks_pt_lazies);
		c->pt_out_fn = (void *)fn;
		c->pt_out_site = site;
		return site;
	}
	native_write_cr3(this_cpu_read(nooks_pt_kcr3));
	c = nooks_innermost(nooks_level_now());
	if (WARN_ON_ONCE(!c || c->pt_out_fn))
		return NULL;	/* the driver goes on unprotected */
	c->pt_out_fn = (void *)fn;
	c->pt_out_site = site;
	return site;
}

/*
 * The wrapper that went out returns. A fault since may have unwound the
 * entry (nooks_pt_leave() cleared the record): then there is nothing to
 * go back to.
 */
notrace void nooks_pt_wrapper_back(void *site)
{
	struct nooks_ctx *c = nooks_innermost(nooks_level_now());

	if (!c || !c->pt_out_fn || c->pt_out_site != site)
		return;
	c->pt_out_fn = NULL;
	if (c->pt_on && c->d->pt)
		nooks_pt_load(c->d);
}

/*
 * #PF with a domain root loaded (idt_stubs.S, interrupts off, already on
 * the kernel root). Returns 1 to return to regs, 0 to hand the fault to
 * the kernel's handler.
 */
int nooks_pt_page_fault(struct pt_regs *regs, unsigned long cr2,
			unsigned long dcr3)
{
	struct nooks_domain *d = nooks_pt_domain_of_cr3(dcr3);
	struct nooks_pt_fault *f = this_cpu_ptr(&nooks_pt_fault_rec);

	if (!d)
		return 0;
	/* Not present here but mapped by the kernel: a stale private table. */
	if (!(regs->orig_ax & X86_PF_PROT) && f->last_resync != cr2 &&
	    nooks_pt_kernel_present(cr2) && nooks_pt_resync(d, cr2)) {
		f->last_resync = cr2;
		native_write_cr3(dcr3);
		return 1;
	}
	f->last_resync = 0;
	/*
	 * Kernel code the driver called directly (the static calls it is
	 * bound to: cond_resched(), preempt_schedule()) may write and even
	 * schedule: leave the root here and come back when the driver next
	 * returns from a wrapper. The driver runs unprotected in between.
	 */
	if (nooks_domain_by_addr(regs->ip) != d &&
	    !nooks_addr_in_gadget(regs->ip)) {
		struct nooks_ctx *c = nooks_innermost(nooks_level_now());

		if (c && c->pt_on && !c->pt_lazy) {
			c->pt_lazy = true;
			atomic_inc(&nooks_pt_lazies);
		}
		return 1;
	}
	if (nooks_pt_learn && (regs->orig_ax & X86_PF_WRITE) &&
	    nooks_pt_kernel_present(cr2)) {
		pr_info("nooks: %s: pt_learn: write at %pS addr=%#lx: granted\n",
			d->name, (void *)regs->ip, cr2);
		nooks_pt_set_page_rw(d, cr2, true);
		native_write_cr3(dcr3);
		return 1;
	}
	if (!nooks_contain_enabled())
		return 0;
	f->cr2 = cr2;
	f->ip = regs->ip;
	f->err = regs->orig_ax;
	regs->ip = (unsigned long)nooks_pt_landing;
	regs->flags &= ~(X86_EFLAGS_IF | X86_EFLAGS_DF | X86_EFLAGS_AC);
	return 1;
}

/* Called by nooks_pt_landing in the faulting context (kernel root). */
struct nooks_ctx *nooks_pt_report(void)
{
	struct nooks_pt_fault *f = this_cpu_ptr(&nooks_pt_fault_rec);
	enum nooks_level level = nooks_level_now();
	struct nooks_ctx *c = nooks_innermost(level);
	char desc[NOOKS_FAULT_DESC_LEN];

	if (!c)
		panic("nooks: page-table fault at %pS addr=%#lx with no domain entry\n",
		      (void *)f->ip, f->cr2);
	/* cpu=: the line alone must tell which CPU's entry was caught. */
	snprintf(desc, sizeof(desc),
		 "fault #PF%s at %pS addr=%#lx ctx=%s entry=%s cpu=%d",
		 (f->err & X86_PF_WRITE) ? "(write)" : "", (void *)f->ip,
		 f->cr2, nooks_level_name(level), c->entry,
		 smp_processor_id());
	c->faulted = true;
	nooks_domain_fail(c->d, desc);
	return c;
}

/* The pages of the driver's module that it may write. */
static void nooks_pt_module_data(struct nooks_domain *d, bool rw)
{
	const struct module_layout *l = &d->mod->core_layout;

	nooks_pt_grant(d, l->base + l->ro_after_init_size,
		       l->size - l->ro_after_init_size, rw);
}

static void nooks_pt_init_data(struct nooks_domain *d, bool rw)
{
	const struct module_layout *l = &d->mod->init_layout;

	if (l->base && l->size > l->ro_after_init_size)
		nooks_pt_grant(d, l->base + l->ro_after_init_size,
			       l->size - l->ro_after_init_size, rw);
}

/*
 * Writable from the start: the module's data and bss, its init data until
 * init returns, and on every CPU the page holding the preempt count
 * (preempt_disable()/local_bh_disable() are inline in the driver).
 */
/*
 * What one domain crossing costs here: load the root and go back, as
 * nooks_pt_enter()/nooks_pt_leave() do (stack grants excluded), timed
 * over many rounds with interrupts off. Printed once per domain.
 */
static void nooks_pt_time_switch(struct nooks_domain *d)
{
	const int rounds = 2000;
	unsigned long flags, kcr3;
	u64 t0, t1;
	int i;

	local_irq_save(flags);
	kcr3 = __native_read_cr3();
	t0 = ktime_get_ns();
	for (i = 0; i < rounds; i++) {
		native_write_cr3(nooks_pt_root_cr3(d));
		native_write_cr3(kcr3);
	}
	t1 = ktime_get_ns();
	local_irq_restore(flags);
	pr_info("nooks: %s: domain switch (enter+exit CR3 pair) %llu ns\n",
		d->name, (t1 - t0) / rounds);
}

void nooks_pt_domain_setup(struct nooks_domain *d)
{
	int cpu;

	nooks_pt_time_switch(d);

	if (nooks_pt_stacks_create(d))
		pr_warn("nooks: %s: no domain stacks: the driver runs on the kernel stack in use, granted per entry\n",
			d->name);
	nooks_pt_module_data(d, true);
	nooks_pt_init_data(d, true);
	for_each_possible_cpu(cpu)
		nooks_pt_grant(d, per_cpu_ptr(&__preempt_count, cpu),
			       sizeof(int), true);
}

void nooks_pt_init_done(struct nooks_domain *d)
{
	if (d->pt)
		nooks_pt_init_data(d, false);
}
