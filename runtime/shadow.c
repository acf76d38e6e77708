// SPDX-License-Identifier: GPL-2.0
/*
 * Shadow operation tables. When the driver hands the kernel a table of
 * callbacks (struct pci_driver, net_device_ops, ethtool_ops) the kernel
 * gets a copy whose members are nooks trampolines; each trampoline finds
 * its shadow from its arguments, enters the domain and calls the driver's
 * original member. The trampolines are expanded from shadow_ops.h.
 */
#include <linux/ethtool.h>
#include <linux/netdevice.h>
#include <linux/pci.h>
#include <linux/skbuff.h>
#include <linux/slab.h>

#include "nooks_internal.h"

enum nooks_shadow_table { NOOKS_SHADOW_NDO, NOOKS_SHADOW_ETH };

/* The operation structs, named through the pointers that hold them. */
#define NOOKS_NDO_T	typeof(*((struct net_device *)NULL)->netdev_ops)
#define NOOKS_ETH_T	typeof(*((struct net_device *)NULL)->ethtool_ops)
#define NOOKS_OPS_WORDS \
	DIV_ROUND_UP(sizeof(NOOKS_NDO_T) > sizeof(NOOKS_ETH_T) ?	\
		     sizeof(NOOKS_NDO_T) : sizeof(NOOKS_ETH_T),	\
		     sizeof(unsigned long))

struct nooks_ops_shadow {
	struct list_head node;
	struct nooks_domain *d;
	enum nooks_shadow_table table;
	const void *orig;
	/*
	 * The shadow table itself, a copy of *orig with trampolines: raw
	 * storage because nooks writes it (the kernel sees it as const).
	 */
	unsigned long ops[NOOKS_OPS_WORDS];
};

struct nooks_pci_shadow {
	struct pci_driver drv;		/* what the kernel sees */
	struct pci_driver *orig;	/* the driver's own */
	struct nooks_domain *d;
};

static struct nooks_ops_shadow *nooks_shadow_of_ops(const void *ops)
{
	return (struct nooks_ops_shadow *)((char *)ops -
		offsetof(struct nooks_ops_shadow, ops));
}

static struct nooks_ops_shadow *nooks_shadow_of_ndo(struct net_device *dev)
{
	return nooks_shadow_of_ops(dev->netdev_ops);
}

static struct nooks_ops_shadow *nooks_shadow_of_eth(struct net_device *dev)
{
	return nooks_shadow_of_ops(dev->ethtool_ops);
}

static NOOKS_NDO_T *nooks_orig_ndo(struct nooks_ops_shadow *s)
{
	return s->orig;
}

static NOOKS_ETH_T *nooks_orig_eth(struct nooks_ops_shadow *s)
{
	return s->orig;
}

/* Trampolines, one per row of shadow_ops.h. */
#define NOOKS_TRAMPOLINE(table, ret_t, member, err, inj, params, args)	\
static ret_t nooks_tr_##table##_##member params				\
{									\
	struct nooks_ops_shadow *s = nooks_shadow_of_##table(dev);	\
	ret_t r;							\
									\
	nooks_pt_args(s->d, #member, true, NOOKS_UNPAREN args);	\
	NOOKS_CALL(s->d, #member, inj, r, err,				\
		   nooks_orig_##table(s)->member args);			\
	nooks_pt_args(s->d, #member, false, NOOKS_UNPAREN args);	\
	return r;							\
}
#define NOOKS_TRAMPOLINE_VOID(table, member, inj, params, args)	\
static void nooks_tr_##table##_##member params				\
{									\
	struct nooks_ops_shadow *s = nooks_shadow_of_##table(dev);	\
									\
	nooks_pt_args(s->d, #member, true, NOOKS_UNPAREN args);	\
	NOOKS_CALL_VOID(s->d, #member, inj,				\
			nooks_orig_##table(s)->member args);		\
	nooks_pt_args(s->d, #member, false, NOOKS_UNPAREN args);	\
}
#define NOOKS_NDO(type, member, err, inj, params, args)		\
	NOOKS_TRAMPOLINE(ndo, type, member, err, inj, params, args)
#define NOOKS_NDO_VOID(member, inj, params, args)			\
	NOOKS_TRAMPOLINE_VOID(ndo, member, inj, params, args)
#define NOOKS_ETH(type, member, err, inj, params, args)		\
	NOOKS_TRAMPOLINE(eth, type, member, err, inj, params, args)
#define NOOKS_ETH_VOID(member, inj, params, args)			\
	NOOKS_TRAMPOLINE_VOID(eth, member, inj, params, args)
#include "shadow_ops.h"
#undef NOOKS_NDO
#undef NOOKS_NDO_VOID
#undef NOOKS_ETH
#undef NOOKS_ETH_VOID

/*
 * ndo_start_xmit: a fault returns NETDEV_TX_BUSY (the stack keeps the skb
 * and retries); a failed domain drops the packet so the queue drains.
 */
static netdev_tx_t nooks_tr_ndo_ndo_start_xmit(struct sk_buff *skb,
					       struct net_device *dev)
{
	struct nooks_ops_shadow *s = nooks_shadow_of_ndo(dev);
	netdev_tx_t r;

	if (nooks_domain_failed(s->d)) {
		dev_kfree_skb_any(skb);
		dev->stats.tx_dropped++;
		return NETDEV_TX_OK;
	}
	nooks_pt_xmit_in(s->d, skb);
	NOOKS_CALL(s->d, "ndo_start_xmit", NOOKS_INJ_NDO_START_XMIT, r,
		   NETDEV_TX_BUSY, nooks_orig_ndo(s)->ndo_start_xmit(skb, dev));
	nooks_pt_xmit_out(s->d, skb, r);
	return r;
}

/*
 * Where each trampoline goes: (offset of the member, trampoline), one
 * table per operations struct, expanded from shadow_ops.h.
 */
struct nooks_op_slot {
	size_t offset;
	void *trampoline;
};

#define NOOKS_NDO(type, member, err, inj, params, args)		\
	{ offsetof(NOOKS_NDO_T, member), nooks_tr_ndo_##member },
#define NOOKS_NDO_VOID(member, inj, params, args)			\
	{ offsetof(NOOKS_NDO_T, member), nooks_tr_ndo_##member },
#define NOOKS_ETH(type, member, err, inj, params, args)
#define NOOKS_ETH_VOID(member, inj, params, args)
static const struct nooks_op_slot nooks_ndo_slots[] = {
#include "shadow_ops.h"
	{ offsetof(NOOKS_NDO_T, ndo_start_xmit),
	  nooks_tr_ndo_ndo_start_xmit },
};

#undef NOOKS_NDO
#undef NOOKS_NDO_VOID
#undef NOOKS_ETH
#undef NOOKS_ETH_VOID

#define NOOKS_NDO(type, member, err, inj, params, args)
#define NOOKS_NDO_VOID(member, inj, params, args)
#define NOOKS_ETH(type, member, err, inj, params, args)		\
	{ offsetof(NOOKS_ETH_T, member), nooks_tr_eth_##member },
#define NOOKS_ETH_VOID(member, inj, params, args)			\
	{ offsetof(NOOKS_ETH_T, member), nooks_tr_eth_##member },
static const struct nooks_op_slot nooks_eth_slots[] = {
#include "shadow_ops.h"
};

#undef NOOKS_NDO
#undef NOOKS_NDO_VOID
#undef NOOKS_ETH
#undef NOOKS_ETH_VOID

/* Point every listed member the driver set at its trampoline. */
static void nooks_fill_slots(void *ops, const void *orig,
			     const struct nooks_op_slot *slots, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		const void * const *from = orig + slots[i].offset;
		void **to = ops + slots[i].offset;

		if (*from)
			*to = slots[i].trampoline;
	}
}

/* The shadow of @orig in @d, made on first use; lives as long as @d. */
static struct nooks_ops_shadow *nooks_shadow_get(struct nooks_domain *d,
						 enum nooks_shadow_table table,
						 const void *orig)
{
	struct nooks_ops_shadow *s, *found = NULL;

	spin_lock(&d->shadows_lock);
	list_for_each_entry(s, &d->shadows, node) {
		if (s->table == table && s->orig == orig) {
			found = s;
			break;
		}
	}
	spin_unlock(&d->shadows_lock);
	if (found)
		return found;

	s = kzalloc(sizeof(*s), GFP_KERNEL);
	if (!s)
		return NULL;
	s->d = d;
	s->table = table;
	s->orig = orig;
	if (table == NOOKS_SHADOW_NDO) {
		memcpy(s->ops, orig, sizeof(NOOKS_NDO_T));
		nooks_fill_slots(s->ops, orig, nooks_ndo_slots,
				 ARRAY_SIZE(nooks_ndo_slots));
	} else {
		memcpy(s->ops, orig, sizeof(NOOKS_ETH_T));
		nooks_fill_slots(s->ops, orig, nooks_eth_slots,
				 ARRAY_SIZE(nooks_eth_slots));
	}
	spin_lock(&d->shadows_lock);
	list_add(&s->node, &d->shadows);
	spin_unlock(&d->shadows_lock);
	return s;
}

/* Called before register_netdev: the kernel will only see the shadows. */
void nooks_shadow_netdev(struct nooks_domain *d, struct net_device *dev)
{
	struct nooks_ops_shadow *s;

	if (dev->netdev_ops) {
		s = nooks_shadow_get(d, NOOKS_SHADOW_NDO, dev->netdev_ops);
		if (s)
			dev->netdev_ops = (void *)s->ops;
	}
	if (dev->ethtool_ops) {
		s = nooks_shadow_get(d, NOOKS_SHADOW_ETH, dev->ethtool_ops);
		if (s)
			dev->ethtool_ops = (void *)s->ops;
	}
}

void nooks_shadows_free(struct nooks_domain *d)
{
	struct nooks_ops_shadow *s, *n;

	list_for_each_entry_safe(s, n, &d->shadows, node) {
		list_del(&s->node);
		kfree(s);
	}
}

/* struct pci_driver */
static struct nooks_pci_shadow *nooks_pci_shadow_of(struct pci_dev *pdev)
{
	return container_of(to_pci_driver(pdev->dev.driver),
			    struct nooks_pci_shadow, drv);
}

static int nooks_tr_pci_probe(struct pci_dev *pdev,
			      const struct pci_device_id *id)
{
	struct nooks_pci_shadow *s = nooks_pci_shadow_of(pdev);
	int r;

	s->d->pdev = pdev;
	NOOKS_CALL(s->d, "probe", NOOKS_INJ_PROBE, r, -EIO,
		   s->orig->probe(pdev, id));
	return r;
}

static void nooks_tr_pci_remove(struct pci_dev *pdev)
{
	struct nooks_pci_shadow *s = nooks_pci_shadow_of(pdev);

	NOOKS_CALL_VOID(s->d, "remove", NOOKS_INJ_NONE, s->orig->remove(pdev));
}

static void nooks_tr_pci_shutdown(struct pci_dev *pdev)
{
	struct nooks_pci_shadow *s = nooks_pci_shadow_of(pdev);

	NOOKS_CALL_VOID(s->d, "shutdown", NOOKS_INJ_NONE,
			s->orig->shutdown(pdev));
}

/*
 * A copy of @drv whose probe/remove/shutdown enter the domain. Power
 * management and error handlers keep the driver's own pointers.
 */
struct pci_driver *nooks_shadow_pci_driver(struct nooks_domain *d,
					   struct pci_driver *drv)
{
	struct nooks_pci_shadow *s = kzalloc(sizeof(*s), GFP_KERNEL);

	if (!s)
		return NULL;
	s->drv = *drv;
	s->orig = drv;
	s->d = d;
	INIT_LIST_HEAD(&s->drv.node);
	if (drv->probe)
		s->drv.probe = nooks_tr_pci_probe;
	if (drv->remove)
		s->drv.remove = nooks_tr_pci_remove;
	if (drv->shutdown)
		s->drv.shutdown = nooks_tr_pci_shutdown;
	return &s->drv;
}

struct pci_driver *nooks_pci_shadow_orig(struct pci_driver *shadow)
{
	return container_of(shadow, struct nooks_pci_shadow, drv)->orig;
}

void nooks_pci_shadow_free(struct pci_driver *shadow)
{
	kfree(container_of(shadow, struct nooks_pci_shadow, drv));
}
