// SPDX-License-Identifier: GPL-2.0
/*
 * The hand-written wrappers (class "custom" in wrappers.tbl): the calls by
 * which the driver hands the kernel a callback. Each substitutes a nooks
 * trampoline for the driver's function and tracks the registration, so
 * the callback enters the domain and recovery can undo the registration.
 *
 * The domain is the one whose text called the wrapper (return address),
 * else the innermost entry's.
 */
#include <linux/interrupt.h>
#include <linux/netdevice.h>
#include <linux/pci.h>
#include <linux/slab.h>
#include <linux/timer.h>
#include <linux/workqueue.h>

#include "nooks_internal.h"

#define NOOKS_CALLER_DOMAIN() \
	nooks_domain_by_caller((unsigned long)__builtin_return_address(0))

/* ---- PCI driver ------------------------------------------------------- */

int nooks_w___pci_register_driver(struct pci_driver *drv,
				  struct module *owner, const char *mod_name)
{
	NOOKS_PT_WRAPPER();
	struct nooks_domain *d = NOOKS_CALLER_DOMAIN();
	struct pci_driver *shadow;
	int ret;

	if (!d)
		return __pci_register_driver(drv, owner, mod_name);
	if (nooks_w_refused(d, "__pci_register_driver", !drv, "drv is NULL"))
		return -ENODEV;
	shadow = nooks_shadow_pci_driver(d, drv);
	if (!shadow)
		return -ENOMEM;
	/* Tracked first: a probe that faults inside registration is undone. */
	ret = nooks_track(d, NOOKS_OBJ_PCI_DRIVER, shadow, (unsigned long)drv);
	if (ret) {
		nooks_pci_shadow_free(shadow);
		return ret;
	}
	ret = __pci_register_driver(shadow, owner, mod_name);
	if (ret) {
		nooks_untrack(d, NOOKS_OBJ_PCI_DRIVER, shadow);
		nooks_pci_shadow_free(shadow);
	}
	return ret;
}
EXPORT_SYMBOL_GPL(nooks_w___pci_register_driver);

static bool nooks_match_pci_orig(const struct nooks_obj *o, const void *drv)
{
	return o->aux == (unsigned long)drv;
}

void nooks_pci_driver_release(struct nooks_obj *o)
{
	struct pci_driver *shadow = (struct pci_driver *)o->obj;

	pci_unregister_driver(shadow);
	nooks_pci_shadow_free(shadow);
}

/* Embedded objects that the driver's remove should have cancelled. */
static void nooks_forget_embedded(struct nooks_domain *d)
{
	nooks_tracker_forget_range(d, 0, ULONG_MAX);
}

void nooks_w_pci_unregister_driver(struct pci_driver *drv)
{
	NOOKS_PT_WRAPPER();
	struct nooks_domain *d = NOOKS_CALLER_DOMAIN();
	struct nooks_obj o;

	if (!d || !nooks_tracker_find_if(d, NOOKS_OBJ_PCI_DRIVER,
					 nooks_match_pci_orig, drv, &o)) {
		if (d)
			nooks_param_fault(d, "pci_unregister_driver",
					  "driver not registered");
		else
			pci_unregister_driver(drv);
		return;
	}
	nooks_untrack(d, NOOKS_OBJ_PCI_DRIVER, o.obj);
	nooks_pci_driver_release(&o);
	/* remove ran: what it left in freed memory must not be touched. */
	nooks_forget_embedded(d);
}
EXPORT_SYMBOL_GPL(nooks_w_pci_unregister_driver);

/* ---- net devices ------------------------------------------------------ */

int nooks_w_register_netdev(struct net_device *dev)
{
	NOOKS_PT_WRAPPER();
	struct nooks_domain *d = NOOKS_CALLER_DOMAIN();
	int ret;

	if (!d)
		return register_netdev(dev);
	if (nooks_w_refused(d, "register_netdev", !dev, "dev is NULL"))
		return -EIO;
	nooks_shadow_netdev(d, dev);
	ret = nooks_track(d, NOOKS_OBJ_NETDEV_REG, dev, 0);
	if (ret)
		return ret;
	ret = register_netdev(dev);
	if (ret)
		nooks_untrack(d, NOOKS_OBJ_NETDEV_REG, dev);
	return ret;
}
EXPORT_SYMBOL_GPL(nooks_w_register_netdev);

void nooks_w_unregister_netdev(struct net_device *dev)
{
	NOOKS_PT_WRAPPER();
	struct nooks_domain *d = NOOKS_CALLER_DOMAIN();

	if (d && !nooks_tracked(d, NOOKS_OBJ_NETDEV_REG, dev)) {
		nooks_param_fault(d, "unregister_netdev", "not registered");
		return;
	}
	if (d)
		nooks_untrack(d, NOOKS_OBJ_NETDEV_REG, dev);
	unregister_netdev(dev);
}
EXPORT_SYMBOL_GPL(nooks_w_unregister_netdev);

/* ---- NAPI ------------------------------------------------------------- */

static int nooks_tr_napi_poll(struct napi_struct *napi, int budget)
{
	int (*poll)(struct napi_struct *napi, int budget);
	struct nooks_rx_batch *batch;
	struct nooks_obj o;
	int r;

	if (!nooks_tracker_find(NOOKS_OBJ_NAPI, napi, &o))
		goto complete;
	poll = (void *)o.aux;
	/* Received frames are queued during the poll, delivered here (batch.c). */
	batch = nooks_rx_batch_begin(o.d, napi);
	NOOKS_CALL(o.d, "napi_poll", nooks_rx_batch_inj(batch), r, -1,
		   nooks_rx_batch_poll, (o.d, batch, poll, napi, budget));
	nooks_rx_batch_end(batch, r < 0);
	if (r >= 0)
		return r;
complete:
	/*
	 * Faulted or failed: the driver will not complete this poll, so do it
	 * here, or napi_disable() in recovery would wait for ever.
	 */
	if (test_bit(NAPI_STATE_SCHED, &napi->state))
		napi_complete_done(napi, 0);
	return 0;
}

void nooks_w_netif_napi_add_weight(struct net_device *dev,
				   struct napi_struct *napi,
				   int (*poll)(struct napi_struct *, int),
				   int weight)
{
	NOOKS_PT_WRAPPER();
	struct nooks_domain *d = NOOKS_CALLER_DOMAIN();

	if (!d) {
		netif_napi_add_weight(dev, napi, poll, weight);
		return;
	}
	if (nooks_w_refused(d, "netif_napi_add_weight", !dev || !napi || !poll,
			    "NULL argument"))
		return;
	nooks_untrack(d, NOOKS_OBJ_NAPI, napi);
	if (nooks_track(d, NOOKS_OBJ_NAPI, napi, (unsigned long)poll))
		return;
	netif_napi_add_weight(dev, napi, nooks_tr_napi_poll, weight);
}
EXPORT_SYMBOL_GPL(nooks_w_netif_napi_add_weight);

/* ---- IRQs ------------------------------------------------------------- */

struct nooks_irq_rec {
	struct nooks_domain *d;
	unsigned int irq;
	irq_handler_t handler, thread_fn;
	void *dev_id;
};

/* A failed driver cannot acknowledge its device: mute it (INTx off). */
static irqreturn_t nooks_irq_failed(struct nooks_irq_rec *rec)
{
	struct nooks_domain *d = rec->d;

	if (d->pdev && !d->intx_silenced) {
		d->intx_silenced = true;
		pci_intx(d->pdev, 0);
	}
	return IRQ_HANDLED;
}

static irqreturn_t nooks_tr_irq(int irq, void *cookie)
{
	struct nooks_irq_rec *rec = cookie;
	irqreturn_t r;

	NOOKS_CALL(rec->d, "irq", NOOKS_INJ_IRQ, r, (irqreturn_t)-1,
		   rec->handler, (irq, rec->dev_id));
	if (r == (irqreturn_t)-1)
		return nooks_irq_failed(rec);
	return r;
}

static irqreturn_t nooks_tr_irq_thread(int irq, void *cookie)
{
	struct nooks_irq_rec *rec = cookie;
	irqreturn_t r;

	NOOKS_CALL(rec->d, "irq_thread", NOOKS_INJ_NONE, r, IRQ_NONE,
		   rec->thread_fn, (irq, rec->dev_id));
	return r;
}

int nooks_w_request_threaded_irq(unsigned int irq, irq_handler_t handler,
				 irq_handler_t thread_fn, unsigned long flags,
				 const char *name, void *dev)
{
	NOOKS_PT_WRAPPER();
	struct nooks_domain *d = NOOKS_CALLER_DOMAIN();
	struct nooks_irq_rec *rec;
	int ret;

	if (!d)
		return request_threaded_irq(irq, handler, thread_fn, flags,
					    name, dev);
	if (nooks_w_refused(d, "request_threaded_irq", false, NULL))
		return -EBUSY;
	rec = kzalloc(sizeof(*rec), GFP_KERNEL);
	if (!rec)
		return -ENOMEM;
	rec->d = d;
	rec->irq = irq;
	rec->handler = handler;
	rec->thread_fn = thread_fn;
	rec->dev_id = dev;
	d->intx_silenced = false;
	ret = request_threaded_irq(irq, handler ? nooks_tr_irq : NULL,
				   thread_fn ? nooks_tr_irq_thread : NULL,
				   flags, name, rec);
	if (!ret)
		ret = nooks_track(d, NOOKS_OBJ_IRQ, rec, irq);
	if (ret)
		kfree(rec);
	return ret;
}
EXPORT_SYMBOL_GPL(nooks_w_request_threaded_irq);

void nooks_irq_release(struct nooks_obj *o)
{
	struct nooks_irq_rec *rec = (struct nooks_irq_rec *)o->obj;

	free_irq(rec->irq, rec);
	kfree(rec);
}

static bool nooks_match_irq(const struct nooks_obj *o, const void *arg)
{
	const struct nooks_irq_rec *want = arg;
	const struct nooks_irq_rec *rec = o->obj;

	return rec->irq == want->irq && rec->dev_id == want->dev_id;
}

const void *nooks_w_free_irq(unsigned int irq, void *dev_id)
{
	NOOKS_PT_WRAPPER();
	struct nooks_domain *d = NOOKS_CALLER_DOMAIN();
	struct nooks_irq_rec want = { .irq = irq, .dev_id = dev_id };
	struct nooks_irq_rec *rec;
	struct nooks_obj o;
	const void *name;

	if (!d)
		return free_irq(irq, dev_id);
	if (!nooks_tracker_find_if(d, NOOKS_OBJ_IRQ, nooks_match_irq, &want,
				   &o)) {
		nooks_param_fault(d, "free_irq", "irq not requested");
		return NULL;
	}
	rec = (struct nooks_irq_rec *)o.obj;
	nooks_untrack(d, NOOKS_OBJ_IRQ, rec);
	name = free_irq(irq, rec);
	kfree(rec);
	return name;
}
EXPORT_SYMBOL_GPL(nooks_w_free_irq);

/* ---- timers ----------------------------------------------------------- */

static void nooks_tr_timer(struct timer_list *t)
{
	void (*fn)(struct timer_list *t);
	struct nooks_obj o;

	if (!nooks_tracker_find(NOOKS_OBJ_TIMER, t, &o))
		return;
	fn = (void *)o.aux;
	NOOKS_CALL_VOID(o.d, "timer", NOOKS_INJ_TIMER, fn, (t));
}

void nooks_w_init_timer_key(struct timer_list *timer,
			    void (*func)(struct timer_list *),
			    unsigned int flags, const char *name,
			    struct lock_class_key *key)
{
	NOOKS_PT_WRAPPER();
	struct nooks_domain *d = NOOKS_CALLER_DOMAIN();

	/* delayed_work's own timer: the work item is interposed instead. */
	if (!d || !func || func == delayed_work_timer_fn) {
		init_timer_key(timer, func, flags, name, key);
		return;
	}
	nooks_untrack(d, NOOKS_OBJ_TIMER, timer);
	if (nooks_track(d, NOOKS_OBJ_TIMER, timer, (unsigned long)func)) {
		init_timer_key(timer, func, flags, name, key);
		return;
	}
	init_timer_key(timer, nooks_tr_timer, flags, name, key);
}
EXPORT_SYMBOL_GPL(nooks_w_init_timer_key);

/* ---- work items ------------------------------------------------------- */

static void nooks_tr_work(struct work_struct *work)
{
	void (*fn)(struct work_struct *work);
	struct nooks_obj o;

	if (!nooks_tracker_find(NOOKS_OBJ_WORK, work, &o))
		return;
	fn = (void *)o.aux;
	NOOKS_CALL_VOID(o.d, "work", NOOKS_INJ_WORK, fn, (work));
}

/*
 * INIT_WORK is inline: the driver writes work->func itself. Interpose at
 * queueing time instead, remembering the driver's function.
 */
static void nooks_adopt_work(struct nooks_domain *d, struct work_struct *work,
			     bool delayed)
{
	if (work->func == nooks_tr_work)
		return;
	nooks_untrack(d, NOOKS_OBJ_WORK, work);
	if (nooks_track3(d, NOOKS_OBJ_WORK, work, (unsigned long)work->func,
			 delayed, 0))
		return;
	work->func = nooks_tr_work;
}

bool nooks_w_queue_work_on(int cpu, struct workqueue_struct *wq,
			   struct work_struct *work)
{
	NOOKS_PT_WRAPPER();
	struct nooks_domain *d = NOOKS_CALLER_DOMAIN();

	if (d) {
		if (nooks_w_refused(d, "queue_work_on", false, NULL))
			return false;
		nooks_adopt_work(d, work, false);
	}
	return queue_work_on(cpu, wq, work);
}
EXPORT_SYMBOL_GPL(nooks_w_queue_work_on);

bool nooks_w_queue_delayed_work_on(int cpu, struct workqueue_struct *wq,
				   struct delayed_work *dwork,
				   unsigned long delay)
{
	NOOKS_PT_WRAPPER();
	struct nooks_domain *d = NOOKS_CALLER_DOMAIN();

	if (d) {
		if (nooks_w_refused(d, "queue_delayed_work_on", false, NULL))
			return false;
		nooks_adopt_work(d, &dwork->work, true);
	}
	return queue_delayed_work_on(cpu, wq, dwork, delay);
}
EXPORT_SYMBOL_GPL(nooks_w_queue_delayed_work_on);

/* Cancelling keeps the interposition: the item may be queued again. */
bool nooks_w_cancel_work_sync(struct work_struct *work)
{
	NOOKS_PT_WRAPPER();
	return cancel_work_sync(work);
}
EXPORT_SYMBOL_GPL(nooks_w_cancel_work_sync);

bool nooks_w_cancel_delayed_work_sync(struct delayed_work *dwork)
{
	NOOKS_PT_WRAPPER();
	return cancel_delayed_work_sync(dwork);
}
EXPORT_SYMBOL_GPL(nooks_w_cancel_delayed_work_sync);

/*
 * The driver's stack protector found its canary overwritten. In the kernel
 * that is a panic; here it is a fault of the driver, contained and
 * recovered like one: a ud2 in the fault gadgets' range. No
 * NOOKS_PT_WRAPPER(): with isolation=pagetable it faults on the domain
 * root, as the driver would.
 */
void nooks_w___stack_chk_fail(void)
{
	nooks_gadget_stack_chk_fail();
}
EXPORT_SYMBOL_GPL(nooks_w___stack_chk_fail);
