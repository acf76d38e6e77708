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

/* A data buffer's length, from the arguments before it. */
static size_t nooks_pt_buf_len(enum nooks_pt_buf buf, struct net_device *dev,
			       unsigned long a1)
{
	const struct ethtool_ops *ops = dev->ethtool_ops;
	int n = 0;

	switch (buf) {
	case NOOKS_PT_BUF_STRINGS:
		n = ops->get_sset_count ? ops->get_sset_count(dev, a1) : 0;
		return n > 0 ? (size_t)n * ETH_GSTRING_LEN : 0;
	case NOOKS_PT_BUF_STATS:
		return ((struct ethtool_stats *)a1)->n_stats * sizeof(u64);
	case NOOKS_PT_BUF_TEST:
		n = ops->get_sset_count ? ops->get_sset_count(dev, ETH_SS_TEST) : 0;
		return n > 0 ? (size_t)n * sizeof(u64) : 0;
	case NOOKS_PT_BUF_REGS:
		return ops->get_regs_len ? ops->get_regs_len(dev) : 0;
	case NOOKS_PT_BUF_EEPROM:
		return ((struct ethtool_eeprom *)a1)->len;
	default:
		return 0;
	}
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

/* Around an ethtool operation (shadow.c): @o is its NOOKS_OUT row. */
void nooks_pt_args(struct nooks_domain *d, const struct nooks_pt_out *o,
		   bool on, struct net_device *dev, unsigned long a1,
		   unsigned long a2)
{
	unsigned long a[2] = { a1, a2 };
	size_t len;
	int i;

	if (!d || !d->pt)
		return;
	for (i = 0; i < 2; i++)
		if (o->size[i] && a[i])
			nooks_pt_grant(d, (void *)a[i], o->size[i], on);
	if (o->buf == NOOKS_PT_BUF_NONE || !a2)
		return;
	len = on ? nooks_pt_buf_len(o->buf, dev, a1) : 0;
	if (len || !on)
		nooks_pt_argbuf(d, a2, len, on);
}
