// SPDX-License-Identifier: GPL-2.0
/*
 * The domain root (4-level paging only).
 *
 * A domain root is a copy of the kernel half of the kernel's PGD in which
 * RW is cleared at the highest level that lies wholly inside a protected
 * range: the direct map, vmalloc and vmemmap (and the KASLR gaps between
 * them: [__PAGE_OFFSET_BASE_L4, CPU_ENTRY_AREA_BASE)), the kernel image
 * and the modules area ([__START_KERNEL_map, MODULES_END)). Below those
 * entries the kernel's own tables are shared, so the root follows vmalloc
 * and CPA changes by itself ("shallow"). Private tables exist only where a
 * protected range boundary cuts an entry (PGD 511 -> PUD 511 -> PMD) and on
 * the paths to pages the driver may write: nooks_pt_set_page_rw() builds
 * the path (splitting 1G/2M pages into private 4K tables) and keeps a
 * per-page reference count, so objects sharing a page are granted and
 * revoked independently. A granted leaf is the kernel's own entry (never
 * more permissive than the kernel); every other leaf under a private table
 * is the kernel's entry with RW cleared.
 *
 * Private tables can go stale (a vmalloc area mapped after they were
 * copied): every grant refreshes the entries on its path, the #PF
 * handler calls nooks_pt_resync() for a not-present fault on an address
 * the kernel maps, then retries, and sync.c refreshes every range whose
 * vmalloc mapping the kernel changes (an entry still present would
 * otherwise keep pointing to the page the address used to have).
 */
#include <linux/mm.h>
#include <linux/slab.h>
#include <linux/spinlock.h>
#include <asm/pgtable.h>
#include <asm/tlbflush.h>

#include "../nooks_internal.h"
#include "pt.h"

#define PT_ENTRIES	512
#define PT_ADDR(e)	((e) & PTE_PFN_MASK)

struct nooks_pt_node {
	u64 *tbl;			/* the table the CPU walks */
	int level;			/* 4 PGD, 3 PUD, 2 PMD, 1 PTE */
	unsigned long base;		/* VA of entry 0 */
	struct nooks_pt_node **child;	/* levels > 1 */
	u16 *count;			/* level 1: grants per page */
	struct list_head link;
};

struct nooks_pt {
	struct nooks_pt_node root;
	raw_spinlock_t lock;
	struct list_head nodes;
	unsigned int nr_tables;
};

unsigned long nooks_pt_roots_pa;
static u64 *nooks_pt_roots;		/* NOOKS_MAX_DOMAINS pages */
static u64 *nooks_kpgd;			/* the kernel half of the kernel PGD */
static struct nooks_domain *nooks_pt_doms[NOOKS_MAX_DOMAINS];

static inline int pt_shift(int level)
{
	return PAGE_SHIFT + 9 * (level - 1);
}

static inline int pt_idx(unsigned long va, int level)
{
	return (va >> pt_shift(level)) & (PT_ENTRIES - 1);
}

/* VA covered by entry @i of a table at @level whose entry 0 is at @base. */
static unsigned long pt_entry_va(int level, unsigned long base, int i)
{
	unsigned long va = base + ((unsigned long)i << pt_shift(level));

	if (level == 4 && i >= PT_ENTRIES / 2)
		va |= 0xffff000000000000UL;	/* canonical upper half */
	return va;
}

/* 2: [s, s+size) wholly inside a protected range, 1: partly, 0: outside. */
static int pt_class(unsigned long s, unsigned long size)
{
	static const unsigned long r[][2] = {
		{ __PAGE_OFFSET_BASE_L4, CPU_ENTRY_AREA_BASE },
		{ __START_KERNEL_map, MODULES_END },
	};
	unsigned long e = s + (size - 1);
	int i, cls = 0;

	for (i = 0; i < ARRAY_SIZE(r); i++) {
		if (s >= r[i][0] && e <= r[i][1] - 1)
			return 2;
		if (s <= r[i][1] - 1 && e >= r[i][0])
			cls = 1;
	}
	return cls;
}

/* A large-page entry at @from seen as an entry of @to (< @from) for @va. */
static u64 pt_split(u64 e, int from, int to, unsigned long va)
{
	u64 pat = e & _PAGE_PAT_LARGE;
	u64 flags = e & ~PTE_PFN_MASK;
	u64 phys = PT_ADDR(e) & ~(u64)_PAGE_PAT_LARGE &
		   ~((1UL << pt_shift(from)) - 1);

	phys += va & ((1UL << pt_shift(from)) - 1) &
		~((1UL << pt_shift(to)) - 1);
	if (to == 1) {
		flags &= ~(u64)_PAGE_PSE;
		if (pat)
			flags |= _PAGE_PAT;
		return phys | flags;
	}
	return phys | flags | pat;
}

/* The kernel's entry at @level for @va (synthesised inside large pages). */
static u64 pt_kwalk(unsigned long va, int level)
{
	u64 *t = nooks_kpgd;
	int l;

	for (l = 4; ; l--) {
		u64 e = t[pt_idx(va, l)];

		if (l == level)
			return e;
		if (!(e & _PAGE_PRESENT))
			return 0;
		if (l <= 3 && (e & _PAGE_PSE))
			return pt_split(e, l, level, va);
		t = __va(PT_ADDR(e));
	}
}

bool nooks_pt_kernel_present(unsigned long va)
{
	return pt_kwalk(va, 1) & _PAGE_PRESENT;
}

/* What entry @i of private table @n must hold now. */
static u64 pt_entry(struct nooks_pt_node *n, int i)
{
	unsigned long s = pt_entry_va(n->level, n->base, i);
	u64 k;

	if (n->level == 4 && i < PT_ENTRIES / 2)
		return 0;		/* no user half in a domain */
	k = pt_kwalk(s, n->level);
	if (!(k & _PAGE_PRESENT))
		return k;
	if (n->child && n->child[i]) {
		if (k & _PAGE_PSE)
			k = _KERNPG_TABLE;
		return (k & ~PTE_PFN_MASK) | _PAGE_RW | __pa(n->child[i]->tbl);
	}
	if (n->level == 1 && n->count[i])
		return k;
	if (pt_class(s, 1UL << pt_shift(n->level)))
		return k & ~(u64)_PAGE_RW;
	return k;
}

static struct nooks_pt_node *pt_node_new(struct nooks_pt *pt, int level,
					 unsigned long base, gfp_t gfp)
{
	struct nooks_pt_node *n = kzalloc(sizeof(*n), gfp);

	if (!n)
		return NULL;
	n->level = level;
	n->base = base;
	n->tbl = (u64 *)get_zeroed_page(gfp);
	if (level > 1)
		n->child = kcalloc(PT_ENTRIES, sizeof(*n->child), gfp);
	else
		n->count = kcalloc(PT_ENTRIES, sizeof(*n->count), gfp);
	if (!n->tbl || (!n->child && !n->count)) {
		free_page((unsigned long)n->tbl);
		kfree(n->child);
		kfree(n->count);
		kfree(n);
		return NULL;
	}
	list_add(&n->link, &pt->nodes);
	pt->nr_tables++;
	return n;
}

static void pt_node_fill(struct nooks_pt_node *n)
{
	int i;

	for (i = 0; i < PT_ENTRIES; i++)
		WRITE_ONCE(n->tbl[i], pt_entry(n, i));
}

/* Private children wherever a protected range boundary cuts an entry. */
static int pt_build(struct nooks_pt *pt, struct nooks_pt_node *n)
{
	int i, ret;

	for (i = 0; i < PT_ENTRIES; i++) {
		unsigned long s = pt_entry_va(n->level, n->base, i);
		u64 k;

		if (n->level == 4 && i < PT_ENTRIES / 2)
			continue;
		k = pt_kwalk(s, n->level);
		if (n->level > 1 && (k & _PAGE_PRESENT) &&
		    pt_class(s, 1UL << pt_shift(n->level)) == 1) {
			n->child[i] = pt_node_new(pt, n->level - 1, s,
						  GFP_KERNEL);
			if (!n->child[i])
				return -ENOMEM;
			ret = pt_build(pt, n->child[i]);
			if (ret)
				return ret;
		}
	}
	pt_node_fill(n);
	return 0;
}

static struct nooks_pt *pt_of(struct nooks_domain *d)
{
	return d ? d->pt : NULL;
}

int nooks_pt_set_page_rw(struct nooks_domain *d, unsigned long va, bool rw)
{
	struct nooks_pt *pt = pt_of(d);
	struct nooks_pt_node *n;
	unsigned long flags;
	int ret = 0, l, i;

	if (!pt)
		return -EINVAL;
	va &= PAGE_MASK;
	raw_spin_lock_irqsave(&pt->lock, flags);
	n = &pt->root;
	for (l = 4; l > 1; l--) {
		i = pt_idx(va, l);
		if (!(pt_kwalk(va, l) & _PAGE_PRESENT)) {
			ret = -ENOENT;
			goto out;
		}
		if (!n->child[i]) {
			struct nooks_pt_node *c;

			if (!rw)
				goto out;	/* never granted */
			c = pt_node_new(pt, l - 1, pt_entry_va(l, n->base, i),
					GFP_ATOMIC);
			if (!c) {
				ret = -ENOMEM;
				goto out;
			}
			pt_node_fill(c);
			n->child[i] = c;
		}
		WRITE_ONCE(n->tbl[i], pt_entry(n, i));
		n = n->child[i];
	}
	i = pt_idx(va, 1);
	if (!(pt_kwalk(va, 1) & _PAGE_PRESENT)) {
		ret = -ENOENT;
		goto out;
	}
	if (rw)
		n->count[i]++;
	else if (n->count[i])
		n->count[i]--;
	WRITE_ONCE(n->tbl[i], pt_entry(n, i));
out:
	raw_spin_unlock_irqrestore(&pt->lock, flags);
	return ret;
}

void nooks_pt_grant(struct nooks_domain *d, const void *p, size_t len,
		    bool rw)
{
	unsigned long a = (unsigned long)p & PAGE_MASK;
	unsigned long end = (unsigned long)p + len;

	if (!d || !d->pt || !p || !len)
		return;
	for (; a < end; a += PAGE_SIZE)
		nooks_pt_set_page_rw(d, a, rw);
}

/*
 * Refresh the private entries on @va's path from the kernel's tables.
 * Interrupts are off (the #PF handler). True if @va is now present.
 */
bool nooks_pt_resync(struct nooks_domain *d, unsigned long va)
{
	struct nooks_pt *pt = pt_of(d);
	struct nooks_pt_node *n;
	bool present = false;
	int l;

	if (!pt)
		return false;
	raw_spin_lock(&pt->lock);
	n = &pt->root;
	for (l = 4; n; l--) {
		int i = pt_idx(va, l);
		u64 e = pt_entry(n, i);

		WRITE_ONCE(n->tbl[i], e);
		if (!(e & _PAGE_PRESENT))
			break;
		if (l == 1 || (e & _PAGE_PSE) || !n->child[i]) {
			present = true;
			break;
		}
		n = n->child[i];
	}
	raw_spin_unlock(&pt->lock);
	return present;
}

/* sync.c: the kernel changed the mappings of [start, end). */
void nooks_pt_resync_range(unsigned long start, unsigned long end)
{
	unsigned long va, flags;
	int s;

	for (s = 0; s < NOOKS_MAX_DOMAINS; s++) {
		struct nooks_domain *d = READ_ONCE(nooks_pt_doms[s]);

		if (!d)
			continue;
		local_irq_save(flags);
		for (va = start & PAGE_MASK; va < end; va += PAGE_SIZE)
			nooks_pt_resync(d, va);
		local_irq_restore(flags);
	}
	/* this CPU; the others flush at their next CR3 load */
	for (va = start & PAGE_MASK; va < end; va += PAGE_SIZE)
		asm volatile("invlpg (%0)" : : "r" (va) : "memory");
}

bool nooks_pt_cr3_is_domain(unsigned long cr3)
{
	return nooks_pt_roots &&
	       (cr3 & PTE_PFN_MASK) - nooks_pt_roots_pa <
	       (PAGE_SIZE << NOOKS_PT_ROOTS_ORDER);
}

struct nooks_domain *nooks_pt_domain_of_cr3(unsigned long cr3)
{
	if (!nooks_pt_cr3_is_domain(cr3))
		return NULL;
	return READ_ONCE(nooks_pt_doms[((cr3 & PTE_PFN_MASK) -
					nooks_pt_roots_pa) >> PAGE_SHIFT]);
}

unsigned long nooks_pt_root_cr3(struct nooks_domain *d)
{
	return nooks_pt_roots_pa + ((unsigned long)d->slot << PAGE_SHIFT);
}

static void pt_free_nodes(struct nooks_pt *pt)
{
	struct nooks_pt_node *n, *t;

	list_for_each_entry_safe(n, t, &pt->nodes, link) {
		free_page((unsigned long)n->tbl);
		kfree(n->child);
		kfree(n->count);
		kfree(n);
	}
	kfree(pt->root.child);
}

int nooks_pt_domain_create(struct nooks_domain *d)
{
	struct nooks_pt *pt;
	int ret;

	BUILD_BUG_ON(NOOKS_MAX_DOMAINS > (1 << NOOKS_PT_ROOTS_ORDER));
	pt = kzalloc(sizeof(*pt), GFP_KERNEL);
	if (!pt)
		return -ENOMEM;
	raw_spin_lock_init(&pt->lock);
	INIT_LIST_HEAD(&pt->nodes);
	pt->root.level = 4;
	pt->root.base = 0;
	pt->root.tbl = nooks_pt_roots + d->slot * PT_ENTRIES;
	pt->root.child = kcalloc(PT_ENTRIES, sizeof(*pt->root.child),
				 GFP_KERNEL);
	if (!pt->root.child) {
		kfree(pt);
		return -ENOMEM;
	}
	ret = pt_build(pt, &pt->root);
	if (ret) {
		pt_free_nodes(pt);
		kfree(pt);
		return ret;
	}
	d->pt = pt;
	WRITE_ONCE(nooks_pt_doms[d->slot], d);
	/* Wrappers switch roots from now on (wrapper_api.h); sleeps. */
	static_branch_inc(&nooks_pt_wrappers);
	pr_info("nooks: %s: page-table domain root at %#lx (%u private tables)\n",
		d->name, nooks_pt_root_cr3(d), pt->nr_tables + 1);
	return 0;
}

void nooks_pt_domain_destroy(struct nooks_domain *d)
{
	struct nooks_pt *pt = d->pt;

	if (!pt)
		return;
	static_branch_dec(&nooks_pt_wrappers);
	WRITE_ONCE(nooks_pt_doms[d->slot], NULL);
	memset(pt->root.tbl, 0, PAGE_SIZE);
	d->pt = NULL;
	pt_free_nodes(pt);
	kfree(pt);
	nooks_pt_stacks_destroy(d);
}

unsigned int nooks_pt_tables(struct nooks_domain *d)
{
	return d->pt ? d->pt->nr_tables + 1 : 0;
}

int nooks_pt_tables_init(void)
{
	unsigned long roots;

	nooks_kpgd = (u64 *)get_zeroed_page(GFP_KERNEL);
	roots = __get_free_pages(GFP_KERNEL | __GFP_ZERO,
				 NOOKS_PT_ROOTS_ORDER);
	if (!nooks_kpgd || !roots) {
		free_page((unsigned long)nooks_kpgd);
		free_pages(roots, NOOKS_PT_ROOTS_ORDER);
		return -ENOMEM;
	}
	/* Kernel-half PGD entries never change after boot (4-level). */
	memcpy(nooks_kpgd + PT_ENTRIES / 2,
	       (u64 *)__va(read_cr3_pa()) + PT_ENTRIES / 2, PAGE_SIZE / 2);
	nooks_pt_roots = (u64 *)roots;
	nooks_pt_roots_pa = __pa(roots);
	nooks_pt_sync_init();
	return 0;
}

void nooks_pt_tables_exit(void)
{
	nooks_pt_sync_exit();
	free_pages((unsigned long)nooks_pt_roots, NOOKS_PT_ROOTS_ORDER);
	nooks_pt_roots = NULL;
	free_page((unsigned long)nooks_kpgd);
}
