/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Page-table protection domains (isolation=pagetable): the driver runs on a
 * private root in which kernel memory is mapped read-only, so a wild write
 * faults at once and is recovered like any other driver fault.
 *   pgtable.c     the domain root: shallow copy of the kernel half, RW
 *                 cleared high up, private tables only on paths to pages the
 *                 driver may write (nooks_pt_set_page_rw, refcounted)
 *   idt.c         the private IDT: every vector goes through a stub that
 *   idt_stubs.S   leaves the domain root first (see idt_stubs.S)
 *   switch.c      entering/leaving the root on domain entry/exit and around
 *                 every wrapper (NOOKS_PT_WRAPPER(), wrapper_api.h), stack
 *                 grants, the #PF handler and the fault report
 *   stack.c       dedicated domain stacks, a pool per domain
 *   xcall.S       the call into the driver on a domain stack and root
 *   sync.c        private tables follow the kernel's vmalloc mappings
 *   heap.c        the domain heap: driver allocations on pages of their own
 *   grant.c       what the object tracker hands over becomes writable
 *                 (called from tracker.c)
 */
#ifndef NOOKS_PT_H
#define NOOKS_PT_H

#include <linux/types.h>

struct nooks_domain;
struct nooks_ctx;
struct pt_regs;

#define NOOKS_PT_ROOTS_ORDER	2	/* one root page per domain slot */

/* isolation=pagetable was asked for and the CPU setup allows it. */
extern bool nooks_pt_on;
/* Physical address of the block of domain roots (one page per slot). */
extern unsigned long nooks_pt_roots_pa;

/* pgtable.c */
int nooks_pt_tables_init(void);
void nooks_pt_tables_exit(void);
int nooks_pt_domain_create(struct nooks_domain *d);
void nooks_pt_domain_destroy(struct nooks_domain *d);
unsigned long nooks_pt_root_cr3(struct nooks_domain *d);
int nooks_pt_set_page_rw(struct nooks_domain *d, unsigned long va, bool rw);
void nooks_pt_grant(struct nooks_domain *d, const void *p, size_t len,
		    bool rw);
bool nooks_pt_resync(struct nooks_domain *d, unsigned long va);
void nooks_pt_resync_range(unsigned long start, unsigned long end);

/* sync.c */
void nooks_pt_sync_init(void);
void nooks_pt_sync_exit(void);
bool nooks_pt_cr3_is_domain(unsigned long cr3);
struct nooks_domain *nooks_pt_domain_of_cr3(unsigned long cr3);
bool nooks_pt_kernel_present(unsigned long va);

/* stack.c */
int nooks_pt_stacks_create(struct nooks_domain *d);
void nooks_pt_stacks_destroy(struct nooks_domain *d);
int nooks_pt_stack_get(struct nooks_domain *d, unsigned long *top);
void nooks_pt_stack_put(struct nooks_domain *d, int slot);
void nooks_pt_stacks_usage(struct nooks_domain *d, unsigned int *busy,
			   unsigned int *nr, unsigned int *fallbacks);

/* idt.c */
int nooks_pt_idt_init(void);
void nooks_pt_idt_exit(void);

/* switch.c */
int nooks_pt_check_cpu(void);
void nooks_pt_enter(struct nooks_ctx *c);
void nooks_pt_leave(struct nooks_ctx *c);
unsigned long nooks_pt_out(void);
void nooks_pt_back(unsigned long cr3);
bool nooks_pt_into(struct nooks_domain *d);
void nooks_pt_outof(bool loaded);
int nooks_pt_page_fault(struct pt_regs *regs, unsigned long cr2,
			unsigned long dcr3);
void nooks_pt_domain_setup(struct nooks_domain *d);
void nooks_pt_init_done(struct nooks_domain *d);
unsigned int nooks_pt_tables(struct nooks_domain *d);

/* grant.c: the tracker's hook */
void nooks_pt_track_grant(struct nooks_domain *d, int kind, const void *obj,
			  unsigned long aux, unsigned long aux2, bool on);

struct nooks_ctx *nooks_pt_report(void);

/* idt_stubs.S */
extern unsigned long nooks_idt_orig[256];
extern const unsigned long nooks_idt_stub_table[256];
void nooks_pt_landing(void);

#endif /* NOOKS_PT_H */
