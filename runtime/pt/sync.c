// SPDX-License-Identifier: GPL-2.0
/*
 * Keeping private page tables coherent with the kernel's (pgtable.c).
 *
 * A private 4K table copies the kernel's entries when it is made. Where
 * the kernel later maps a vmalloc address that was not present, the
 * domain faults and pgtable.c refreshes the entry. But the kernel also
 * unmaps and maps again (task stacks come and go, vmalloc areas are
 * reused): a private entry made before then is still present and points
 * to the page the address had, so whatever runs on the domain root reads
 * a freed page instead of, say, a structure on its caller's stack. Here
 * every new vmalloc mapping is followed by a refresh of the same range in
 * every domain (return probes on the functions that map vmalloc space).
 * Other CPUs running on a domain root keep what their TLB holds until
 * their next CR3 load, which flushes it (kernel pages are not global in
 * this mode).
 */
#include <linux/kprobes.h>

#include "../nooks_internal.h"
#include "pt.h"

struct nooks_pt_range {
	unsigned long start, end;
};

/*
 * The functions that map vmalloc space, probed on return, and how each
 * gives its range. Exported or called from other files, so every caller
 * goes through the probed copy (an internal helper may be inlined into
 * some of its callers). Unmapping is not probed: until the address is
 * mapped again a stale entry can only read the page it had.
 */
enum nooks_pt_sync_kind {
	NOOKS_SYNC_START_END,	/* (start, end, ...) */
	NOOKS_SYNC_BYTES_RET,	/* (size, ...) -> start */
	NOOKS_SYNC_PAGES_RET,	/* (pages, count, ...) -> start */
};

static const struct {
	const char *sym;
	enum nooks_pt_sync_kind kind;
} nooks_pt_sync_fns[] = {
	{ "__vmalloc_node_range", NOOKS_SYNC_BYTES_RET },	/* vmalloc, stacks */
	{ "vmap", NOOKS_SYNC_PAGES_RET },
	{ "vm_map_ram", NOOKS_SYNC_PAGES_RET },
	{ "ioremap_page_range", NOOKS_SYNC_START_END },
};

#define NOOKS_PT_SYNC_NR ARRAY_SIZE(nooks_pt_sync_fns)

static struct kretprobe nooks_pt_sync_probes[NOOKS_PT_SYNC_NR];
static bool nooks_pt_sync_on[NOOKS_PT_SYNC_NR];

static int nooks_pt_sync_entry(struct kretprobe_instance *ri,
			       struct pt_regs *regs)
{
	struct nooks_pt_range *r = (void *)ri->data;

	r->start = regs->di;
	r->end = regs->si;
	return 0;
}

static int nooks_pt_sync_ret(struct kretprobe_instance *ri,
			     struct pt_regs *regs)
{
	struct nooks_pt_range *r = (void *)ri->data;
	struct kretprobe *rp = get_kretprobe(ri);
	unsigned long start = regs_return_value(regs);
	int i;

	if (!rp)
		return 0;
	i = rp - nooks_pt_sync_probes;
	switch (nooks_pt_sync_fns[i].kind) {
	case NOOKS_SYNC_START_END:	/* returns 0 on success */
		if (start == 0)
			nooks_pt_resync_range(r->start, r->end);
		break;
	case NOOKS_SYNC_BYTES_RET:
		if (start)
			nooks_pt_resync_range(start, start + r->start);
		break;
	case NOOKS_SYNC_PAGES_RET:
		if (start)
			nooks_pt_resync_range(start,
					      start + r->end * PAGE_SIZE);
		break;
	}
	return 0;
}

void nooks_pt_sync_init(void)
{
	int i, ret;

	for (i = 0; i < NOOKS_PT_SYNC_NR; i++) {
		struct kretprobe *p = &nooks_pt_sync_probes[i];

		p->kp.symbol_name = nooks_pt_sync_fns[i].sym;
		p->entry_handler = nooks_pt_sync_entry;
		p->handler = nooks_pt_sync_ret;
		p->data_size = sizeof(struct nooks_pt_range);
		p->maxactive = 4 * num_possible_cpus();
		ret = register_kretprobe(p);
		nooks_pt_sync_on[i] = !ret;
		if (ret)
			pr_warn("nooks: isolation=pagetable: no probe on %s (%d): private page tables may go stale\n",
				nooks_pt_sync_fns[i].sym, ret);
	}
}

void nooks_pt_sync_exit(void)
{
	int i;

	for (i = 0; i < NOOKS_PT_SYNC_NR; i++)
		if (nooks_pt_sync_on[i])
			unregister_kretprobe(&nooks_pt_sync_probes[i]);
}
