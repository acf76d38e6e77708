// SPDX-License-Identifier: GPL-2.0
/*
 * Shadow operation tables. When the driver hands the kernel a table of
 * callbacks (struct pci_driver and the dev_pm_ops and pci_error_handlers
 * it points to, net_device_ops, ethtool_ops) the kernel gets a copy whose
 * members are nooks trampolines; each trampoline finds its shadow from its
 * arguments, enters the domain and calls the driver's original member.
 * The trampolines are expanded from shadow_ops.h.
 */
#include <linux/ethtool.h>
#include <linux/netdevice.h>
#include <linux/pci.h>
#include <linux/skbuff.h>
#include <linux/slab.h>

#include "nooks_internal.h"

/*
 * The tables, named by a lower-case tag so that macros can paste it:
 * ndo, eth (reached from the net_device), pci (the pci_driver itself),
 * pm and err (reached from the pci_driver).
 */
enum nooks_shadow_table {
	NOOKS_TABLE_ndo, NOOKS_TABLE_eth, NOOKS_TABLE_pci, NOOKS_TABLE_pm,
	NOOKS_TABLE_err,
};

/* The operation structs, named through the pointers that hold them. */
#define NOOKS_T_ndo	typeof(*((struct net_device *)NULL)->netdev_ops)
#define NOOKS_T_eth	typeof(*((struct net_device *)NULL)->ethtool_ops)
#define NOOKS_T_pci	struct pci_driver
#define NOOKS_T_pm	typeof(*((struct device_driver *)NULL)->pm)
#define NOOKS_T_err	typeof(*((struct pci_driver *)NULL)->err_handler)

/* Big enough for any table that lives in a struct nooks_ops_shadow. */
union nooks_any_ops {
	NOOKS_T_ndo ndo;
	NOOKS_T_eth eth;
	NOOKS_T_pm pm;
	NOOKS_T_err err;
};

#define NOOKS_OPS_WORDS \
	DIV_ROUND_UP(sizeof(union nooks_any_ops), sizeof(unsigned long))

static const size_t nooks_table_size[] = {
	[NOOKS_TABLE_ndo] = sizeof(NOOKS_T_ndo),
	[NOOKS_TABLE_eth] = sizeof(NOOKS_T_eth),
	[NOOKS_TABLE_pm] = sizeof(NOOKS_T_pm),
	[NOOKS_TABLE_err] = sizeof(NOOKS_T_err),
};

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

/* The pci_driver is not shared between devices: one shadow per register. */
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

/* From a trampoline's "dev" argument to its shadow, per table. */
static struct nooks_ops_shadow *nooks_shadow_of_ndo(struct net_device *dev)
{
	return nooks_shadow_of_ops(dev->netdev_ops);
}

static struct nooks_ops_shadow *nooks_shadow_of_eth(struct net_device *dev)
{
	return nooks_shadow_of_ops(dev->ethtool_ops);
}

/* The kernel calls these through dev->driver: the shadow pci_driver. */
static struct nooks_pci_shadow *nooks_shadow_of_pci(struct pci_dev *dev)
{
	return container_of(to_pci_driver(dev->dev.driver),
			     struct nooks_pci_shadow, drv);
}

static struct nooks_ops_shadow *nooks_shadow_of_pm(struct device *dev)
{
	return nooks_shadow_of_ops(dev->driver->pm);
}

static struct nooks_ops_shadow *nooks_shadow_of_err(struct pci_dev *dev)
{
	return nooks_shadow_of_ops(to_pci_driver(dev->dev.driver)->err_handler);
}

static NOOKS_T_ndo *nooks_orig_ndo(struct nooks_ops_shadow *s)
{
	return s->orig;
}

static NOOKS_T_eth *nooks_orig_eth(struct nooks_ops_shadow *s)
{
	return s->orig;
}

static struct pci_driver *nooks_orig_pci(struct nooks_pci_shadow *s)
{
	return s->orig;
}

static NOOKS_T_pm *nooks_orig_pm(struct nooks_ops_shadow *s)
{
	return s->orig;
}

static NOOKS_T_err *nooks_orig_err(struct nooks_ops_shadow *s)
{
	return s->orig;
}

/* Every row of shadow_ops.h by table and member, to index by. */
enum nooks_op_row {
#define NOOKS_OP(table, ret_t, member, errv, inj, params, args)	\
	NOOKS_ROW_##table##_##member,
#define NOOKS_OP_VOID(table, member, inj, params, args)		\
	NOOKS_ROW_##table##_##member,
#include "shadow_ops.h"
#undef NOOKS_OP
#undef NOOKS_OP_VOID
	NOOKS_ROW_NR
};

/* The NOOKS_OUT rows; zero for an operation without out-arguments. */
static const struct nooks_pt_out nooks_op_out[NOOKS_ROW_NR] = {
#define NOOKS_OP(table, ret_t, member, errv, inj, params, args)
#define NOOKS_OP_VOID(table, member, inj, params, args)
#define NOOKS_OUT(table, member, size1, size2, buffer)			\
	[NOOKS_ROW_##table##_##member] = {				\
		{ size1, size2 }, NOOKS_PT_BUF_##buffer			\
	},
#include "shadow_ops.h"
#undef NOOKS_OP
#undef NOOKS_OP_VOID
};

/* The argument @n after dev in the tuple @args as a word; 0 if none. */
#define NOOKS_ARG_1(dev, a1, ...)	((unsigned long)(a1))
#define NOOKS_ARG_2(dev, a1, a2, ...)	((unsigned long)(a2))
#define NOOKS_ARG_N(n, ...)		NOOKS_ARG_##n(__VA_ARGS__)
#define NOOKS_ARG(n, args)		NOOKS_ARG_N(n, NOOKS_UNPAREN args, 0, 0)

/*
 * Grants around the call (isolation=pagetable): only ethtool operations
 * have out-arguments, and which ones is known here at compile time.
 */
#define NOOKS_PT_ARGS_eth(s, member, on, args)				\
	do {								\
		const struct nooks_pt_out *o =				\
			&nooks_op_out[NOOKS_ROW_eth_##member];		\
		if (o->size[0] || o->size[1] || o->buf)			\
			nooks_pt_args((s)->d, o, (on), dev,		\
				      NOOKS_ARG(1, args), NOOKS_ARG(2, args)); \
	} while (0)
#define NOOKS_PT_ARGS_ndo(s, member, on, args)	do { } while (0)
#define NOOKS_PT_ARGS_pci(s, member, on, args)	do { } while (0)
#define NOOKS_PT_ARGS_pm(s, member, on, args)	do { } while (0)
#define NOOKS_PT_ARGS_err(s, member, on, args)	do { } while (0)

/* Trampolines, one per row of shadow_ops.h. */
#define NOOKS_OP(table, ret_t, member, errv, inj, params, args)	\
static ret_t nooks_tr_##table##_##member params				\
{									\
	__auto_type s = nooks_shadow_of_##table(dev);			\
	ret_t r;							\
									\
	NOOKS_PT_ARGS_##table(s, member, true, args);			\
	NOOKS_CALL(s->d, #member, inj, r, errv,				\
		   nooks_orig_##table(s)->member, args);		\
	NOOKS_PT_ARGS_##table(s, member, false, args);			\
	return r;							\
}
#define NOOKS_OP_VOID(table, member, inj, params, args)		\
static void nooks_tr_##table##_##member params				\
{									\
	__auto_type s = nooks_shadow_of_##table(dev);			\
									\
	NOOKS_PT_ARGS_##table(s, member, true, args);			\
	NOOKS_CALL_VOID(s->d, #member, inj,				\
			nooks_orig_##table(s)->member, args);		\
	NOOKS_PT_ARGS_##table(s, member, false, args);			\
}
#include "shadow_ops.h"
#undef NOOKS_OP
#undef NOOKS_OP_VOID

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
		   NETDEV_TX_BUSY, nooks_orig_ndo(s)->ndo_start_xmit, (skb, dev));
	nooks_pt_xmit_out(s->d, skb, r);
	return r;
}

/* probe: also records the device, which recovery quiesces. */
static int nooks_tr_pci_probe(struct pci_dev *pdev,
			      const struct pci_device_id *id)
{
	struct nooks_pci_shadow *s = nooks_shadow_of_pci(pdev);
	int r;

	s->d->pdev = pdev;
	NOOKS_CALL(s->d, "probe", NOOKS_INJ_PROBE, r, -EIO,
		   s->orig->probe, (pdev, id));
	return r;
}

/*
 * Where each trampoline goes: (table, offset of the member, trampoline),
 * expanded from shadow_ops.h, plus the hand-written ones.
 */
struct nooks_op_slot {
	enum nooks_shadow_table table;
	size_t offset;
	void *trampoline;
};

#define NOOKS_OP(table, type, member, errv, inj, params, args)	\
	{ NOOKS_TABLE_##table, offsetof(NOOKS_T_##table, member),	\
	  nooks_tr_##table##_##member },
#define NOOKS_OP_VOID(table, member, inj, params, args)		\
	NOOKS_OP(table, void, member, 0, inj, params, args)
static const struct nooks_op_slot nooks_op_slots[] = {
#include "shadow_ops.h"
	{ NOOKS_TABLE_ndo, offsetof(NOOKS_T_ndo, ndo_start_xmit),
	  nooks_tr_ndo_ndo_start_xmit },
	{ NOOKS_TABLE_pci, offsetof(NOOKS_T_pci, probe), nooks_tr_pci_probe },
};

#undef NOOKS_OP
#undef NOOKS_OP_VOID

/* Point every listed member of @table the driver set at its trampoline. */
static void nooks_fill_slots(void *ops, const void *orig,
			     enum nooks_shadow_table table)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(nooks_op_slots); i++) {
		const struct nooks_op_slot *slot = &nooks_op_slots[i];
		const void * const *from = orig + slot->offset;
		void **to = ops + slot->offset;

		if (slot->table == table && *from)
			*to = slot->trampoline;
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
	memcpy(s->ops, orig, nooks_table_size[table]);
	nooks_fill_slots(s->ops, orig, table);
	spin_lock(&d->shadows_lock);
	list_add(&s->node, &d->shadows);
	spin_unlock(&d->shadows_lock);
	return s;
}

/* *@ops = its shadow in @d; left alone (uncontained) if none can be made. */
static void nooks_shadow_install(struct nooks_domain *d,
				 enum nooks_shadow_table table,
				 const void **ops)
{
	struct nooks_ops_shadow *s;

	if (!*ops)
		return;
	s = nooks_shadow_get(d, table, *ops);
	if (s)
		*ops = s->ops;
}

/* Called before register_netdev: the kernel will only see the shadows. */
void nooks_shadow_netdev(struct nooks_domain *d, struct net_device *dev)
{
	nooks_shadow_install(d, NOOKS_TABLE_ndo, (const void **)&dev->netdev_ops);
	nooks_shadow_install(d, NOOKS_TABLE_eth,
			     (const void **)&dev->ethtool_ops);
}

void nooks_shadows_free(struct nooks_domain *d)
{
	struct nooks_ops_shadow *s, *n;

	list_for_each_entry_safe(s, n, &d->shadows, node) {
		list_del(&s->node);
		kfree(s);
	}
}

/*
 * A copy of @drv whose members (probe, remove, shutdown, legacy PM),
 * power-management ops and PCI error handlers enter the domain.
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
	nooks_fill_slots(&s->drv, drv, NOOKS_TABLE_pci);
	nooks_shadow_install(d, NOOKS_TABLE_pm,
			     (const void **)&s->drv.driver.pm);
	nooks_shadow_install(d, NOOKS_TABLE_err,
			     (const void **)&s->drv.err_handler);
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
