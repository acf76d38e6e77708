// SPDX-License-Identifier: GPL-2.0
/*
 * Dedicated domain stacks (isolation=pagetable).
 *
 * A driver that ran on the stack of the kernel code calling it would need
 * that stack writable, and could then corrupt its caller's frames (return
 * addresses, saved registers, the recovery context itself). So each entry
 * takes a stack of the domain's own, granted writable in the domain root
 * only, and nooks_xcall() (xcall.S) runs the driver on it; the kernel
 * stack stays read-only to the driver.
 *
 * One pool per domain, not per CPU: a process-level entry may sleep in a
 * wrapper and move to another CPU while its stack is in use, and a nested
 * entry (the kernel calling back into the driver from a wrapper, an
 * interrupt) simply takes another one. Taking and giving back is a bit in
 * one word, safe at any level. An entry that finds the pool empty runs on
 * the stack in use, granted for the call (the fallback of switch.c), and
 * is counted.
 */
#include <linux/bitops.h>
#include <linux/cpumask.h>
#include <linux/slab.h>
#include <linux/thread_info.h>
#include <linux/vmalloc.h>

#include "../nooks_internal.h"
#include "pt.h"

#define NOOKS_PT_STACKS_MAX	BITS_PER_LONG

struct nooks_pt_stacks {
	unsigned long busy;		/* bit i: stack i is in use */
	unsigned int nr;
	atomic_t fallbacks;		/* entries that found the pool empty */
	void *base[NOOKS_PT_STACKS_MAX];
};

/*
 * Enough for every CPU to be nested a few levels deep (process, a wrapper
 * calling back, softirq, hardirq) with some process entries asleep.
 */
static unsigned int nooks_pt_stacks_wanted(void)
{
	return min_t(unsigned int, NOOKS_PT_STACKS_MAX,
		     8 + 4 * num_possible_cpus());
}

int nooks_pt_stacks_create(struct nooks_domain *d)
{
	struct nooks_pt_stacks *s;
	unsigned int i, n = nooks_pt_stacks_wanted();

	s = kzalloc(sizeof(*s), GFP_KERNEL);
	if (!s)
		return -ENOMEM;
	for (i = 0; i < n; i++) {
		/* vmalloc: a guard page, so an overflow faults, not corrupts */
		s->base[i] = vzalloc(THREAD_SIZE);
		if (!s->base[i])
			break;
		nooks_pt_grant(d, s->base[i], THREAD_SIZE, true);
	}
	s->nr = i;
	d->pt_stacks = s;
	pr_info("nooks: %s: %u domain stacks of %lu KiB\n", d->name, s->nr,
		THREAD_SIZE / 1024);
	return s->nr ? 0 : -ENOMEM;
}

/* After the domain root is gone: nothing can run on the stacks. */
void nooks_pt_stacks_destroy(struct nooks_domain *d)
{
	struct nooks_pt_stacks *s = d->pt_stacks;
	unsigned int i;

	if (!s)
		return;
	WARN_ON(READ_ONCE(s->busy));
	for (i = 0; i < s->nr; i++)
		vfree(s->base[i]);
	d->pt_stacks = NULL;
	kfree(s);
}

/* A free stack's slot and top, or -1 when the pool is empty. */
int nooks_pt_stack_get(struct nooks_domain *d, unsigned long *top)
{
	struct nooks_pt_stacks *s = d->pt_stacks;
	unsigned long busy;
	unsigned int i;

	if (!s)
		return -1;
	for (;;) {
		busy = READ_ONCE(s->busy);
		if (busy == ~0UL)
			break;
		i = ffz(busy);
		if (i >= s->nr)
			break;
		if (!test_and_set_bit(i, &s->busy)) {
			*top = (unsigned long)s->base[i] + THREAD_SIZE;
			return i;
		}
	}
	atomic_inc(&s->fallbacks);
	return -1;
}

void nooks_pt_stack_put(struct nooks_domain *d, int slot)
{
	clear_bit(slot, &d->pt_stacks->busy);
}

/* For sysfs: "<in use> <total> <fallbacks>". */
void nooks_pt_stacks_usage(struct nooks_domain *d, unsigned int *busy,
			   unsigned int *nr, unsigned int *fallbacks)
{
	struct nooks_pt_stacks *s = d->pt_stacks;

	*busy = s ? hweight_long(READ_ONCE(s->busy)) : 0;
	*nr = s ? s->nr : 0;
	*fallbacks = s ? atomic_read(&s->fallbacks) : 0;
}
