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

/* Only void callbacks with a kernel-provided output buffer need this. */
void nooks_pt_args(struct nooks_domain *d, const char *member, bool on, ...)
{
	struct net_device *dev;
	size_t len = 0;
	void *buf = NULL;
	va_list ap;

	if (!d || !d->pt)
		return;
	va_start(ap, on);
	dev = va_arg(ap, struct net_device *);
	if (!strcmp(member, "get_strings")) {
		u32 sset = va_arg(ap, u32);
		int n = dev->ethtool_ops->get_sset_count ?
			dev->ethtool_ops->get_sset_count(dev, sset) : 0;

		buf = va_arg(ap, u8 *);
		len = n > 0 ? (size_t)n * ETH_GSTRING_LEN : 0;
	} else if (!strcmp(member, "get_ethtool_stats")) {
		struct ethtool_stats *st = va_arg(ap, struct ethtool_stats *);

		buf = va_arg(ap, u64 *);
		len = st ? st->n_stats * sizeof(u64) : 0;
	}
	va_end(ap);
	if (buf && len)
		nooks_pt_grant(d, buf, len, on);
}
