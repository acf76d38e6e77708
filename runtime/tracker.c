// SPDX-License-Identifier: GPL-2.0
/*
 * The object tracker: every kernel object a domain holds through a
 * wrapper, with what is needed to release it. One global hash (lookups by
 * object from trampolines and wrappers, in any context) plus a per-domain
 * list in acquisition order, so recovery releases newest first: an object
 * is always released before the objects it was built on (netdev before
 * its PCI regions, DMA buffers before the device is disabled).
 *
 * The same (kind, object) may be tracked more than once (pci_enable_device
 * twice); untrack drops the newest one.
 */
#include <linux/dma-mapping.h>
#include <linux/hashtable.h>
#include <linux/io.h>
#include <linux/mm.h>
#include <linux/netdevice.h>
#include <linux/skbuff.h>
#include <linux/slab.h>
#include <linux/timer.h>
#include <linux/vmalloc.h>

#include "nooks_internal.h"
#include "pt/pt.h"

static DEFINE_HASHTABLE(nooks_objs, 12);
static DEFINE_RAW_SPINLOCK(nooks_objs_lock);
/* Per-domain lists; index = domain slot. Guarded by nooks_objs_lock. */
static struct list_head nooks_dom_objs[NOOKS_MAX_DOMAINS];
static struct kmem_cache *nooks_obj_cache;

/*
 * Page fragments are counted per page, as the page's refcount counts
 * them: the driver may free a fragment through any address inside it
 * (page_frag_free() only looks at the head page), so a fragment is
 * tracked under its head page's address; untrack drops one of them.
 */
static const void *nooks_obj_canon(enum nooks_obj_kind kind, const void *obj)
{
	if (kind == NOOKS_OBJ_PAGE_FRAG && obj && virt_addr_valid(obj))
		return page_address(virt_to_head_page(obj));
	return obj;
}

static unsigned long nooks_obj_key(enum nooks_obj_kind kind, const void *obj)
{
	return (unsigned long)obj ^ kind;
}

int nooks_track3(struct nooks_domain *d, enum nooks_obj_kind kind,
		 const void *obj, unsigned long aux, unsigned long aux2,
		 unsigned long aux3)
{
	struct nooks_obj *o;
	unsigned long flags;

	if (!d || kind >= NOOKS_OBJ_NR_KINDS)
		return -EINVAL;
	obj = nooks_obj_canon(kind, obj);
	o = kmem_cache_alloc(nooks_obj_cache, GFP_ATOMIC);
	if (!o)
		return -ENOMEM;
	o->d = d;
	o->kind = kind;
	o->obj = obj;
	o->aux = aux;
	o->aux2 = aux2;
	o->aux3 = aux3;
	if (d->pt && kind == NOOKS_OBJ_SKB) {	/* the head as granted */
		const struct sk_buff *skb = obj;

		o->aux = (unsigned long)skb->head;
		o->aux2 = skb_end_offset(skb) + sizeof(struct skb_shared_info);
	}
	/* isolation=pagetable: the domain may write what it holds */
	nooks_pt_track_grant(d, kind, obj, o->aux, o->aux2, true);
	raw_spin_lock_irqsave(&nooks_objs_lock, flags);
	hash_add(nooks_objs, &o->hnode, nooks_obj_key(kind, obj));
	list_add_tail(&o->dnode, &nooks_dom_objs[d->slot]);
	raw_spin_unlock_irqrestore(&nooks_objs_lock, flags);
	atomic_inc(&d->tracked);
	return 0;
}
EXPORT_SYMBOL_GPL(nooks_track3);

int nooks_track(struct nooks_domain *d, enum nooks_obj_kind kind,
		const void *obj, unsigned long aux)
{
	return nooks_track3(d, kind, obj, aux, 0, 0);
}
EXPORT_SYMBOL_GPL(nooks_track);

/* Newest tracked entry for (kind, obj) of @d (any domain if NULL). */
static struct nooks_obj *nooks_lookup_locked(struct nooks_domain *d,
					     enum nooks_obj_kind kind,
					     const void *obj)
{
	struct nooks_obj *o, *found = NULL;

	obj = nooks_obj_canon(kind, obj);
	/* hash_add() puts new entries first: the first match is the newest. */
	hash_for_each_possible(nooks_objs, o, hnode, nooks_obj_key(kind, obj)) {
		if (o->kind == kind && o->obj == obj && (!d || o->d == d)) {
			found = o;
			break;
		}
	}
	return found;
}

static void nooks_unlink_locked(struct nooks_obj *o)
{
	nooks_pt_track_grant(o->d, o->kind, o->obj, o->aux, o->aux2, false);
	hash_del(&o->hnode);
	list_del(&o->dnode);
	atomic_dec(&o->d->tracked);
}

void nooks_untrack(struct nooks_domain *d, enum nooks_obj_kind kind,
		   const void *obj)
{
	struct nooks_obj *o;
	unsigned long flags;

	raw_spin_lock_irqsave(&nooks_objs_lock, flags);
	o = nooks_lookup_locked(d, kind, obj);
	if (o)
		nooks_unlink_locked(o);
	raw_spin_unlock_irqrestore(&nooks_objs_lock, flags);
	if (o)
		kmem_cache_free(nooks_obj_cache, o);
}
EXPORT_SYMBOL_GPL(nooks_untrack);

bool nooks_tracked(struct nooks_domain *d, enum nooks_obj_kind kind,
		   const void *obj)
{
	unsigned long flags;
	bool found;

	raw_spin_lock_irqsave(&nooks_objs_lock, flags);
	found = nooks_lookup_locked(d, kind, obj);
	raw_spin_unlock_irqrestore(&nooks_objs_lock, flags);
	return found;
}
EXPORT_SYMBOL_GPL(nooks_tracked);

bool nooks_tracker_find(enum nooks_obj_kind kind, const void *obj,
			struct nooks_obj *out)
{
	struct nooks_obj *o;
	unsigned long flags;

	raw_spin_lock_irqsave(&nooks_objs_lock, flags);
	o = nooks_lookup_locked(NULL, kind, obj);
	if (o)
		*out = *o;
	raw_spin_unlock_irqrestore(&nooks_objs_lock, flags);
	return o;
}

bool nooks_tracker_find_if(struct nooks_domain *d, enum nooks_obj_kind kind,
			   bool (*match)(const struct nooks_obj *o,
					 const void *arg),
			   const void *arg, struct nooks_obj *out)
{
	struct nooks_obj *o;
	unsigned long flags;
	bool found = false;

	raw_spin_lock_irqsave(&nooks_objs_lock, flags);
	list_for_each_entry_reverse(o, &nooks_dom_objs[d->slot], dnode) {
		if (o->kind == kind && match(o, arg)) {
			*out = *o;
			found = true;
			break;
		}
	}
	raw_spin_unlock_irqrestore(&nooks_objs_lock, flags);
	return found;
}

int nooks_tracker_collect(struct nooks_domain *d, enum nooks_obj_kind kind,
			  void *out[], int max)
{
	struct nooks_obj *o;
	unsigned long flags;
	int n = 0;

	raw_spin_lock_irqsave(&nooks_objs_lock, flags);
	list_for_each_entry(o, &nooks_dom_objs[d->slot], dnode)
		if (o->kind == kind && n < max)
			out[n++] = (void *)o->obj;
	raw_spin_unlock_irqrestore(&nooks_objs_lock, flags);
	return n;
}

/* Kinds whose object is embedded in driver memory rather than owning it. */
static bool nooks_kind_embedded(enum nooks_obj_kind kind)
{
	return kind == NOOKS_OBJ_TIMER || kind == NOOKS_OBJ_WORK ||
	       kind == NOOKS_OBJ_NAPI || kind == NOOKS_OBJ_SPINLOCK ||
	       kind == NOOKS_OBJ_MUTEX;
}

void nooks_tracker_forget_range(struct nooks_domain *d, unsigned long start,
				unsigned long end)
{
	struct nooks_obj *o, *n;
	unsigned long flags;
	LIST_HEAD(gone);

	raw_spin_lock_irqsave(&nooks_objs_lock, flags);
	list_for_each_entry_safe(o, n, &nooks_dom_objs[d->slot], dnode) {
		if (nooks_kind_embedded(o->kind) &&
		    (unsigned long)o->obj >= start &&
		    (unsigned long)o->obj < end) {
			nooks_unlink_locked(o);
			list_add(&o->dnode, &gone);
		}
	}
	raw_spin_unlock_irqrestore(&nooks_objs_lock, flags);
	list_for_each_entry_safe(o, n, &gone, dnode)
		kmem_cache_free(nooks_obj_cache, o);
}

int nooks_tracker_take_kind(struct nooks_domain *d, enum nooks_obj_kind kind,
			    struct list_head *list)
{
	struct nooks_obj *o, *n;
	unsigned long flags;
	int count = 0;

	raw_spin_lock_irqsave(&nooks_objs_lock, flags);
	list_for_each_entry_safe_reverse(o, n, &nooks_dom_objs[d->slot],
					 dnode) {
		if (o->kind != kind)
			continue;
		nooks_unlink_locked(o);
		list_add_tail(&o->dnode, list);
		count++;
	}
	raw_spin_unlock_irqrestore(&nooks_objs_lock, flags);
	return count;
}

void nooks_tracker_free(struct nooks_obj *o)
{
	kmem_cache_free(nooks_obj_cache, o);
}

/* Give one object back to the kernel the way its kind requires. */
void nooks_tracker_release_one(struct nooks_obj *o)
{
	void *obj = (void *)o->obj;

	switch (o->kind) {
	case NOOKS_OBJ_KMALLOC:
		kfree(obj);
		break;
	case NOOKS_OBJ_VMALLOC:
		vfree(obj);
		break;
	case NOOKS_OBJ_PAGES:
		__free_pages(obj, o->aux);
		break;
	case NOOKS_OBJ_PAGE_FRAG:
		page_frag_free(obj);
		break;
	case NOOKS_OBJ_DMA_MAP:
		if (o->aux)
			dma_unmap_page_attrs((struct device *)o->aux,
					     (dma_addr_t)(unsigned long)obj,
					     o->aux2, o->aux3, 0);
		break;
	case NOOKS_OBJ_DMA_COHERENT:
		if (o->aux)
			dma_free_attrs((struct device *)o->aux, o->aux2, obj,
				       (dma_addr_t)o->aux3, 0);
		break;
	case NOOKS_OBJ_SKB:
		dev_kfree_skb_any(obj);
		break;
	case NOOKS_OBJ_IRQ:
		nooks_irq_release(o);
		break;
	case NOOKS_OBJ_TIMER:
		del_timer_sync(obj);
		break;
	case NOOKS_OBJ_WORK:
		if (o->aux2)
			cancel_delayed_work_sync(to_delayed_work(obj));
		else
			cancel_work_sync(obj);
		break;
	case NOOKS_OBJ_NAPI:
		/* free_netdev() deletes it; the netdev is released later. */
		break;
	case NOOKS_OBJ_NETDEV:
		free_netdev(obj);
		break;
	case NOOKS_OBJ_NETDEV_REG:
		unregister_netdev(obj);
		break;
	case NOOKS_OBJ_PCI_DRIVER:
		nooks_pci_driver_release(o);
		break;
	case NOOKS_OBJ_PCI_ENABLE:
		pci_disable_device(obj);
		pci_intx(obj, 1);
		break;
	case NOOKS_OBJ_PCI_REGIONS:
		pci_release_selected_regions(obj, o->aux);
		break;
	case NOOKS_OBJ_IOREMAP:
		iounmap(obj);
		break;
	case NOOKS_OBJ_SPINLOCK:
		/* Held by a context that no longer exists: open it without
		 * touching this task's preempt count.
		 */
		do_raw_spin_unlock(obj);
		break;
	case NOOKS_OBJ_MUTEX:
		mutex_unlock(obj);
		break;
	default:
		break;
	}
}

int nooks_tracker_release_all(struct nooks_domain *d)
{
	struct nooks_obj *o;
	unsigned long flags;
	int count = 0;

	for (;;) {
		raw_spin_lock_irqsave(&nooks_objs_lock, flags);
		o = NULL;
		if (!list_empty(&nooks_dom_objs[d->slot])) {
			o = list_last_entry(&nooks_dom_objs[d->slot],
					    struct nooks_obj, dnode);
			nooks_unlink_locked(o);
		}
		raw_spin_unlock_irqrestore(&nooks_objs_lock, flags);
		if (!o)
			break;
		if (o->kind == NOOKS_OBJ_NETDEV)
			nooks_tracker_forget_range(d, (unsigned long)o->obj,
						   (unsigned long)o->obj +
						   o->aux);
		nooks_tracker_release_one(o);
		kmem_cache_free(nooks_obj_cache, o);
		count++;
	}
	return count;
}

int nooks_tracker_init(void)
{
	int i;

	for (i = 0; i < NOOKS_MAX_DOMAINS; i++)
		INIT_LIST_HEAD(&nooks_dom_objs[i]);
	nooks_obj_cache = KMEM_CACHE(nooks_obj, 0);
	return nooks_obj_cache ? 0 : -ENOMEM;
}

void nooks_tracker_exit(void)
{
	kmem_cache_destroy(nooks_obj_cache);
}
