// SPDX-License-Identifier: GPL-2.0
/*
 * What the object tracker hands to a page-table domain becomes writable
 * for it while the domain holds it: called by tracker.c when an object is
 * tracked (on) and when it is untracked or released (off), with the same
 * ranges both times so the per-page counts balance. Page granularity: a
 * granted page also exposes whatever else shares it (see README).
 */
#include <linux/ethtool.h>
#include <linux/netdevice.h>
#include <linux/pci.h>
#include <linux/skbuff.h>

#include "../nooks_internal.h"
#include "pt.h"

#define NOOKS_IOREMAP_MAX	(1UL << 20)

/* ioremap without a size (pci_ioremap_bar): up to the vmalloc guard page. */
static size_t nooks_pt_ioremap_len(const void *obj)
{
	unsigned long a = (unsigned long)obj & PAGE_MASK;
	size_t len = 0;

	while (len < NOOKS_IOREMAP_MAX && nooks_pt_kernel_present(a + len))
		len += PAGE_SIZE;
	return len;
}

void nooks_pt_track_grant(struct nooks_domain *d, int kind, const void *obj,
			  unsigned long aux, unsigned long aux2, bool on)
{
	if (!d || !d->pt || !obj)
		return;
	switch (kind) {
	case NOOKS_OBJ_KMALLOC:
	case NOOKS_OBJ_VMALLOC:
		nooks_pt_grant(d, obj, aux, on);
		break;
	case NOOKS_OBJ_DMA_COHERENT:
		nooks_pt_grant(d, obj, aux2, on);
		break;
	case NOOKS_OBJ_IOREMAP:
		nooks_pt_grant(d, obj, aux ? aux : nooks_pt_ioremap_len(obj),
			       on);
		break;
	case NOOKS_OBJ_PAGE_FRAG:
		/* obj is the head page's address: the whole compound page. */
		if (virt_addr_valid(obj))
			nooks_pt_grant(d, obj, page_size(virt_to_head_page(obj)),
				       on);
		break;
	case NOOKS_OBJ_SKB: {
		const struct sk_buff *skb = obj;

		nooks_pt_grant(d, skb, sizeof(*skb), on);
		/* aux/aux2: the head as granted (it may be reallocated). */
		nooks_pt_grant(d, (void *)aux, aux2, on);
		break;
	}
	case NOOKS_OBJ_PCI_ENABLE:	/* pci_set_drvdata() is inline */
		nooks_pt_grant(d, obj, sizeof(struct pci_dev), on);
		break;
	case NOOKS_OBJ_NETDEV: {
		const struct net_device *dev = obj;

		nooks_pt_grant(d, dev, aux, on);
		nooks_pt_grant(d, dev->_tx,
			       dev->num_tx_queues * sizeof(*dev->_tx), on);
		break;
	}
	default:
		break;
	}
}

void nooks_pt_xmit_in(struct nooks_domain *d, struct sk_buff *skb)
{
	if (d && d->pt)
		nooks_track(d, NOOKS_OBJ_SKB, skb, 0);
}

void nooks_pt_xmit_out(struct nooks_domain *d, struct sk_buff *skb, int ret)
{
	if (d && d->pt && ret != NETDEV_TX_OK)
		nooks_untrack(d, NOOKS_OBJ_SKB, skb);
}

/*
 * Operations whose arguments point to kernel memory the driver fills in:
 * (member, which arguments after dev, their sizes). Buffers whose length
 * the kernel learns from another operation are computed below.
 */
struct nooks_pt_out_arg {
	const char *member;
	size_t size[3];		/* of the pointee of argument 1, 2, 3 */
};

static const struct nooks_pt_out_arg nooks_pt_out_args[] = {
	{ "get_drvinfo", { sizeof(struct ethtool_drvinfo) } },
	{ "get_wol", { sizeof(struct ethtool_wolinfo) } },
	{ "get_link_ksettings", { sizeof(struct ethtool_link_ksettings) } },
	{ "get_coalesce", { sizeof(struct ethtool_coalesce),
			    sizeof(struct kernel_ethtool_coalesce) } },
	{ "get_ringparam", { sizeof(struct ethtool_ringparam),
			     sizeof(struct kernel_ethtool_ringparam) } },
	{ "get_pauseparam", { sizeof(struct ethtool_pauseparam) } },
	{ "get_ts_info", { sizeof(struct ethtool_ts_info) } },
	{ "get_regs", { sizeof(struct ethtool_regs) } },
	{ "get_eeprom", { sizeof(struct ethtool_eeprom) } },
	{ "self_test", { sizeof(struct ethtool_test) } },
	{ "get_ethtool_stats", { sizeof(struct ethtool_stats) } },
};

/* A data buffer's length, from the arguments before it. */
static size_t nooks_pt_buf_len(const char *member, struct net_device *dev,
			       unsigned long a1)
{
	const struct ethtool_ops *ops = dev->ethtool_ops;
	int n = 0;

	if (!strcmp(member, "get_strings")) {
		n = ops->get_sset_count ? ops->get_sset_count(dev, a1) : 0;
		return n > 0 ? (size_t)n * ETH_GSTRING_LEN : 0;
	}
	if (!strcmp(member, "get_ethtool_stats"))
		return ((struct ethtool_stats *)a1)->n_stats * sizeof(u64);
	if (!strcmp(member, "self_test")) {
		n = ops->get_sset_count ? ops->get_sset_count(dev, ETH_SS_TEST) : 0;
		return n > 0 ? (size_t)n * sizeof(u64) : 0;
	}
	if (!strcmp(member, "get_regs"))
		return ops->get_regs_len ? ops->get_regs_len(dev) : 0;
	if (!strcmp(member, "get_eeprom"))
		return ((struct ethtool_eeprom *)a1)->len;
	return 0;
}

/*
 * The data buffers granted for a call in progress, so that revoking does
 * not depend on asking the (maybe failed) driver for the length again.
 * ethtool operations run under the RTNL lock: one at a time.
 */
#define NOOKS_PT_ARGBUFS	4
static struct {
	unsigned long addr;
	size_t len;
} nooks_pt_argbufs[NOOKS_MAX_DOMAINS][NOOKS_PT_ARGBUFS];

static void nooks_pt_argbuf(struct nooks_domain *d, unsigned long addr,
			    size_t len, bool on)
{
	int i;

	for (i = 0; i < NOOKS_PT_ARGBUFS; i++) {
		typeof(nooks_pt_argbufs[0][0]) *b = &nooks_pt_argbufs[d->slot][i];

		if (on && !b->addr && len) {
			b->addr = addr;
			b->len = len;
			nooks_pt_grant(d, (void *)addr, len, true);
			return;
		}
		if (!on && b->addr == addr) {
			nooks_pt_grant(d, (void *)addr, b->len, false);
			b->addr = 0;
			return;
		}
	}
}

void nooks_pt_args(struct nooks_domain *d, const char *member, bool on, ...)
{
	const struct nooks_pt_out_arg *o = NULL;
	struct net_device *dev;
	unsigned long a[3] = { 0 };
	size_t len;
	va_list ap;
	int i;

	if (!d || !d->pt)
		return;
	for (i = 0; i < ARRAY_SIZE(nooks_pt_out_args); i++)
		if (!strcmp(member, nooks_pt_out_args[i].member))
			o = &nooks_pt_out_args[i];
	if (!o && strcmp(member, "get_strings"))
		return;
	/*
	 * Every argument is a pointer or an integer no wider than long; two
	 * are read whatever the arity (harmless on x86-64, used only when the
	 * table or nooks_pt_buf_len() says the member has them).
	 */
	va_start(ap, on);
	dev = va_arg(ap, struct net_device *);
	for (i = 0; i < 2; i++)
		a[i] = va_arg(ap, unsigned long);
	va_end(ap);
	for (i = 0; o && i < 2; i++)
		if (o->size[i] && a[i])
			nooks_pt_grant(d, (void *)a[i], o->size[i], on);
	len = on ? nooks_pt_buf_len(member, dev, a[0]) : 0;
	if (a[1] && (len || !on))
		nooks_pt_argbuf(d, a[1], len, on);
}
