// SPDX-License-Identifier: GPL-2.0
/*
 * Batched receive: deferred packet delivery, as Nooks did it.
 *
 * Without batching every received frame costs a driver->kernel crossing:
 * the driver's NAPI poll calls napi_gro_receive() once per frame. With
 * batch_rx=1 the NAPI poll trampoline (custom.c) opens a batch on this CPU
 * before it enters the domain; while the poll runs, napi_gro_receive()
 * from the driver only queues the skb in the batch (no crossing). The
 * batch is delivered in kernel context:
 *
 *  - before napi_complete_done(), inside that call's own crossing: GRO
 *    must hold the frames before napi_complete_done() flushes it, and
 *    frames given to GRO after completion would wait for the next poll;
 *  - before napi_gro_frags() (jumbo frames, not batched), so that frames
 *    reach the stack in the order the driver handed them over;
 *  - when the batch is full (NOOKS_RX_BATCH_MAX frames);
 *  - when the poll returns without completing (it used its budget): the
 *    trampoline delivers before net_rx_action() flushes GRO.
 *
 * A queued skb stays in the domain's tracked set until it is delivered.
 * When the poll faults (or the domain failed meanwhile, e.g. a nested
 * entry faulted), the batch is dropped without touching the skbs: they
 * are still tracked, and recovery frees them with everything else the
 * domain held. No half-processed frame reaches the stack and none leaks.
 * Recovery cannot free them under a delivery in progress: it disables the
 * NAPI context first, which waits for this poll to end.
 *
 * The test trigger "napi_poll" (inject.c) fires in every batching poll,
 * inside the domain, as late as it can while the batch is still queued:
 * in napi_complete_done() or when the batch is full, just before the batch
 * would be delivered, else (a poll that does not complete) right after
 * the driver's poll returns, still in the entry - whether or not frames
 * are queued (under receive traffic they are, so the fault finds frames
 * to drop). Without batching it fires at poll entry as before.
 *
 * xpc_saved counts the driver's napi_gro_receive() calls that did not
 * cross (queued frames), counted on the kernel side when the batch is
 * delivered or dropped.
 *
 * isolation=pagetable: queueing must not leave the domain root, or it
 * would cost what it saves. So nooks_w_napi_gro_receive() has no
 * NOOKS_PT_WRAPPER() (and is notrace: an ftrace hook would write kernel
 * memory): its queueing path runs on the domain root and only reads
 * kernel memory, except the queue it writes. Queues are per domain, a
 * page per CPU holding nothing else (nooks_rx_batch_domain_init()),
 * granted to the domain for the poll (begin/end). What the kernel relies
 * on - which domain, which NAPI context - stays in a kernel-only per-CPU slot; the count read back from
 * the queue is clamped. A corrupted queue can only hand the kernel bad skb
 * pointers, as a direct napi_gro_receive() call could. Every other path
 * (not batching, batch full) is a helper that is a wrapper of its own
 * (NOOKS_PT_WRAPPER()): out of the root.
 */
#include <linux/moduleparam.h>
#include <linux/netdevice.h>
#include <linux/percpu.h>
#include <linux/preempt.h>
#include <linux/vmalloc.h>

#include "nooks_internal.h"
#include "pt/pt.h"

bool nooks_batch_rx = true;
module_param_named(batch_rx, nooks_batch_rx, bool, 0644);
MODULE_PARM_DESC(batch_rx,
		 "queue received frames during a NAPI poll, deliver once (default 1)");

/* NAPI's default weight: a poll of e1000 hands over at most this many. */
#define NOOKS_RX_BATCH_MAX	NAPI_POLL_WEIGHT

/* What the driver side writes; a page of its own per domain and CPU. */
struct nooks_rx_queue {
	unsigned int n;
	struct sk_buff *skb[NOOKS_RX_BATCH_MAX];
};

union nooks_rx_queue_page {
	struct nooks_rx_queue q;
	char page[PAGE_SIZE];
};

/* Kernel only: the open batch of this CPU. */
struct nooks_rx_batch {
	struct nooks_domain *d;		/* NULL: the slot is free */
	struct napi_struct *napi;
	enum nooks_level level;
	struct nooks_rx_queue *q;	/* @d's queue for this CPU */
};

static DEFINE_PER_CPU(struct nooks_rx_batch, nooks_rx_batches);

/* A domain's receive queues live as long as the domain (sysfs.c). */
int nooks_rx_batch_domain_init(struct nooks_domain *d)
{
	d->rx_queues = vzalloc(array_size(nr_cpu_ids,
					  sizeof(union nooks_rx_queue_page)));
	return d->rx_queues ? 0 : -ENOMEM;
}

void nooks_rx_batch_domain_exit(struct nooks_domain *d)
{
	vfree(d->rx_queues);
	d->rx_queues = NULL;
}

/*
 * Open a batch for @d's poll of @napi on this CPU. NULL (no batching) when
 * batching is off, the slot is taken (a poll nested in a poll) or the
 * caller could migrate (the batch is per CPU).
 */
struct nooks_rx_batch *nooks_rx_batch_begin(struct nooks_domain *d,
					    struct napi_struct *napi)
{
	struct nooks_rx_batch *b;

	union nooks_rx_queue_page *pages = d->rx_queues;

	if (!READ_ONCE(nooks_batch_rx) || preemptible() || !pages)
		return NULL;
	b = this_cpu_ptr(&nooks_rx_batches);
	if (b->d)
		return NULL;
	b->napi = napi;
	b->level = nooks_level_now();
	b->q = &pages[smp_processor_id()].q;
	b->q->n = 0;
	nooks_pt_grant(d, b->q, sizeof(union nooks_rx_queue_page), true);
	b->d = d;
	return b;
}

/*
 * The open batch of @d's poll of @napi on this CPU at this level, if any.
 * notrace: called on the domain root by the queueing path.
 */
static notrace struct nooks_rx_batch *
nooks_rx_batch_of(struct nooks_domain *d, struct napi_struct *napi)
{
	struct nooks_rx_batch *b;

	if (preemptible())
		return NULL;
	b = this_cpu_ptr(&nooks_rx_batches);
	if (b->d != d || b->napi != napi || b->level != nooks_level_now())
		return NULL;
	return b;
}

/* The queue's count as the kernel may use it (the driver side wrote it). */
static unsigned int nooks_rx_queued(struct nooks_rx_batch *b)
{
	return min_t(unsigned int, READ_ONCE(b->q->n), NOOKS_RX_BATCH_MAX);
}

/* Kernel context: hand every queued frame to GRO, in order. */
static void nooks_rx_batch_deliver(struct nooks_rx_batch *b)
{
	unsigned int i, n = nooks_rx_queued(b);

	b->q->n = 0;
	if (!n)
		return;
	atomic64_add(n, &b->d->xpc_saved);
	for (i = 0; i < n; i++) {
		struct sk_buff *skb = READ_ONCE(b->q->skb[i]);

		nooks_untrack(b->d, NOOKS_OBJ_SKB, skb);
		napi_gro_receive(b->napi, skb);
	}
}

/*
 * The frames stay tracked: recovery frees them. The line says how many of
 * them the tracker holds (all, or recovery would leak some).
 */
static void nooks_rx_batch_drop(struct nooks_rx_batch *b)
{
	unsigned int i, held = 0, n = nooks_rx_queued(b);

	b->q->n = 0;
	if (!n)
		return;
	for (i = 0; i < n; i++)
		held += nooks_tracked(b->d, NOOKS_OBJ_SKB, b->q->skb[i]);
	pr_info("nooks: %s: %u queued frames not delivered, %u tracked: left to recovery\n",
		b->d->name, n, held);
	atomic64_add(n, &b->d->xpc_saved);
}

/*
 * The fault trigger's napi_poll entry, when the poll batches: it fires
 * here, in the domain, just before the batch would be delivered, so a
 * fault finds whatever frames the poll queued (at poll entry the batch
 * is still empty). It fires even when none are: every poll must.
 * notrace, and called before the wrapper proper leaves the domain
 * root: with isolation=pagetable the gadget must run on the root, or a
 * wild write would land unchecked (inject.c leaves the root itself for
 * its own bookkeeping).
 */
static notrace void nooks_rx_batch_inject(struct nooks_domain *d,
					  struct nooks_rx_batch *b)
{
	if (b)
		nooks_inject_maybe(d, NOOKS_INJ_NAPI_POLL);
}

/*
 * The driver's poll, inside the poll trampoline's entry. A batching poll
 * that did not complete (budget used, or TX not clean) met no
 * napi_complete_done(): the armed trigger fires after it returns, still
 * in the entry, before the trampoline delivers the batch. notrace: with
 * isolation=pagetable this runs on the domain root, like the poll.
 */
notrace int nooks_rx_batch_poll(struct nooks_domain *d,
				struct nooks_rx_batch *b,
				int (*poll)(struct napi_struct *, int),
				struct napi_struct *napi, int budget)
{
	int r = poll(napi, budget);

	nooks_rx_batch_inject(d, b);
	return r;
}

/* The injection point of the poll trampoline's entry (see above). */
enum nooks_inject_entry nooks_rx_batch_inj(struct nooks_rx_batch *b)
{
	return b ? NOOKS_INJ_NONE : NOOKS_INJ_NAPI_POLL;
}

/*
 * The poll returned (@faulted: it was resumed by the fault handler, or the
 * domain could not be entered). Deliver what is queued, or drop it when
 * the domain failed; free the slot.
 */
void nooks_rx_batch_end(struct nooks_rx_batch *b, bool faulted)
{
	if (!b)
		return;
	if (faulted || nooks_domain_failed(b->d))
		nooks_rx_batch_drop(b);
	else
		nooks_rx_batch_deliver(b);
	nooks_pt_grant(b->d, b->q, sizeof(union nooks_rx_queue_page), false);
	b->napi = NULL;
	b->d = NULL;
}

/* Deliver @napi's queued frames now, if its poll is batching here. */
static void nooks_rx_batch_flush(struct nooks_domain *d,
				 struct napi_struct *napi)
{
	struct nooks_rx_batch *b = nooks_rx_batch_of(d, napi);

	if (b)
		nooks_rx_batch_deliver(b);
}

/* ---- the receive wrappers (class custom in wrappers.tbl) -------------- */

/*
 * Every napi_gro_receive() that does not just queue: outside a batching
 * poll, when the batch is full, bad arguments, a failed domain. A wrapper
 * of its own (pagetable: runs off the domain root).
 */
static noinline gro_result_t nooks_rx_receive_now(struct nooks_domain *d,
						  struct napi_struct *napi,
						  struct sk_buff *skb)
{
	NOOKS_PT_WRAPPER();
	struct nooks_rx_batch *b;
	gro_result_t ret;

	if (!d)
		return napi_gro_receive(napi, skb);
	/* Failed: the skb stays tracked, recovery frees it. */
	if (nooks_w_refused(d, "napi_gro_receive", !napi || !skb,
			    "NULL argument"))
		return GRO_CONSUMED;
	b = nooks_rx_batch_of(d, napi);
	if (b) {	/* full: deliver the batch, then queue this frame */
		nooks_kernel_enter(d, "napi_gro_receive");
		nooks_rx_batch_deliver(b);
		nooks_kernel_exit(d);
		b->q->skb[0] = skb;
		b->q->n = 1;
		return GRO_NORMAL;
	}
	nooks_untrack(d, NOOKS_OBJ_SKB, skb);
	nooks_kernel_enter(d, "napi_gro_receive");
	ret = napi_gro_receive(napi, skb);
	nooks_kernel_exit(d);
	return ret;
}

/*
 * Inside a batching poll: queue, no crossing (on the domain root with
 * isolation=pagetable: notrace, and nothing below writes kernel memory
 * but the granted queue). The frame is not in GRO yet, so the result is
 * GRO_NORMAL ("passed on"); e1000 ignores it.
 */
notrace gro_result_t nooks_w_napi_gro_receive(struct napi_struct *napi,
					      struct sk_buff *skb)
{
	struct nooks_domain *d = nooks_current_domain();
	struct nooks_rx_batch *b;
	struct nooks_rx_queue *q;
	unsigned int n;

	if (!d || !napi || !skb || nooks_domain_failed(d))
		return nooks_rx_receive_now(d, napi, skb);
	b = nooks_rx_batch_of(d, napi);
	if (!b)
		return nooks_rx_receive_now(d, napi, skb);
	q = b->q;
	n = READ_ONCE(q->n);
	if (n >= NOOKS_RX_BATCH_MAX) {
		nooks_rx_batch_inject(d, b);	/* still on the root */
		return nooks_rx_receive_now(d, napi, skb);
	}
	q->skb[n] = skb;
	WRITE_ONCE(q->n, n + 1);
	return GRO_NORMAL;
}
EXPORT_SYMBOL_GPL(nooks_w_napi_gro_receive);

/* napi_complete_done() flushes GRO: the batch must be in it first. */
static noinline bool nooks_rx_complete_now(struct nooks_domain *d,
					   struct napi_struct *n,
					   int work_done)
{
	NOOKS_PT_WRAPPER();
	bool ret;

	if (!d)
		return napi_complete_done(n, work_done);
	if (nooks_w_refused(d, "napi_complete_done", !n, "n is NULL"))
		return false;
	nooks_kernel_enter(d, "napi_complete_done");
	nooks_rx_batch_flush(d, n);
	ret = napi_complete_done(n, work_done);
	nooks_kernel_exit(d);
	return ret;
}

/* notrace: the trigger fires on the domain root, then the wrapper proper. */
notrace bool nooks_w_napi_complete_done(struct napi_struct *n, int work_done)
{
	struct nooks_domain *d = nooks_current_domain();

	if (d && n && !nooks_domain_failed(d))
		nooks_rx_batch_inject(d, nooks_rx_batch_of(d, n));
	return nooks_rx_complete_now(d, n, work_done);
}
EXPORT_SYMBOL_GPL(nooks_w_napi_complete_done);

/* Jumbo frames (napi->skb) are not batched; earlier frames go first. */
gro_result_t nooks_w_napi_gro_frags(struct napi_struct *napi)
{
	NOOKS_PT_WRAPPER();
	struct nooks_domain *d = nooks_current_domain();
	gro_result_t ret;

	if (!d)
		return napi_gro_frags(napi);
	if (nooks_w_refused(d, "napi_gro_frags", !napi, "napi is NULL"))
		return GRO_CONSUMED;
	nooks_kernel_enter(d, "napi_gro_frags");
	nooks_rx_batch_flush(d, napi);
	ret = napi_gro_frags(napi);
	nooks_kernel_exit(d);
	return ret;
}
EXPORT_SYMBOL_GPL(nooks_w_napi_gro_frags);
