/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The interface between the generated import wrappers (gen/wrappers.c,
 * produced from wrappers.tbl) and the nooks core. Generated code includes
 * only this header; the core implements it.
 *
 * A wrapper runs when the isolated driver calls a kernel function. It finds
 * the domain the call is made for, checks the parameters it can check
 * cheaply, calls the real kernel function, and tells the object tracker
 * about objects that changed hands.
 */
#ifndef NOOKS_WRAPPER_API_H
#define NOOKS_WRAPPER_API_H

#include <linux/jump_label.h>
#include <linux/types.h>

struct nooks_domain;

/*
 * isolation=pagetable: a wrapper runs on the kernel root, not on the
 * driver's domain root - its checks and tracking as well as the kernel
 * call. NOOKS_PT_WRAPPER(), the first declaration of every function the
 * driver calls into nooks, leaves the root there and goes back when the
 * function returns (pt/switch.c). The key is on while a page-table domain
 * exists; without one the wrapper pays two no-ops, no call.
 */
DECLARE_STATIC_KEY_FALSE(nooks_pt_wrappers);
void *nooks_pt_wrapper_out(const char *fn, void *site);
void nooks_pt_wrapper_back(void *site);

/* NULL, or @site: this wrapper left the domain root, go back on return. */
static __always_inline void *nooks_pt_wrapper_enter(const char *fn,
						    void *site)
{
	if (static_branch_unlikely(&nooks_pt_wrappers))
		return nooks_pt_wrapper_out(fn, site);
	return NULL;
}

static __always_inline void nooks_pt_wrapper_leave(void **out)
{
	if (static_branch_unlikely(&nooks_pt_wrappers) && *out)
		nooks_pt_wrapper_back(*out);
}

#define NOOKS_PT_WRAPPER()						\
	void *__nooks_pt_out __maybe_unused				\
	__attribute__((__cleanup__(nooks_pt_wrapper_leave))) =		\
		nooks_pt_wrapper_enter(__func__, __builtin_return_address(0))

/* Kinds of kernel objects an extension can hold; each knows how to be released. */
enum nooks_obj_kind {
	NOOKS_OBJ_KMALLOC,	/* kmalloc/kzalloc/kcalloc...: kfree */
	NOOKS_OBJ_VMALLOC,	/* vmalloc/vzalloc: vfree */
	NOOKS_OBJ_PAGES,	/* alloc_pages: __free_pages(obj, arg=order) */
	NOOKS_OBJ_DMA_MAP,	/* dma_map_page_attrs: unmap (aux: dev, size, dir) */
	NOOKS_OBJ_DMA_COHERENT,	/* dma_alloc_attrs: dma_free_attrs */
	NOOKS_OBJ_SKB,		/* sk_buff allocated by or handed to the driver */
	NOOKS_OBJ_IRQ,		/* request_threaded_irq: free_irq */
	NOOKS_OBJ_TIMER,	/* timer_setup: del_timer_sync */
	NOOKS_OBJ_WORK,		/* INIT_WORK/INIT_DELAYED_WORK: cancel_*_sync */
	NOOKS_OBJ_NAPI,		/* netif_napi_add: netif_napi_del */
	NOOKS_OBJ_NETDEV,	/* alloc_etherdev: free_netdev */
	NOOKS_OBJ_NETDEV_REG,	/* register_netdev: unregister_netdev */
	NOOKS_OBJ_PCI_DRIVER,	/* __pci_register_driver: pci_unregister_driver */
	NOOKS_OBJ_PCI_ENABLE,	/* pci_enable_device*: pci_disable_device */
	NOOKS_OBJ_PCI_REGIONS,	/* pci_request_selected_regions: release */
	NOOKS_OBJ_IOREMAP,	/* pci_ioremap_bar/ioremap: iounmap */
	NOOKS_OBJ_SPINLOCK,	/* a spin lock currently held: unlock */
	NOOKS_OBJ_MUTEX,	/* a mutex currently held: mutex_unlock */
	NOOKS_OBJ_OTHER,
	/*
	 * Added by the runtime (append-only, existing values unchanged):
	 * a page fragment from netdev_alloc_frag/napi_alloc_frag: page_frag_free.
	 */
	NOOKS_OBJ_PAGE_FRAG,
	NOOKS_OBJ_NR_KINDS
};

/*
 * The domain on whose behalf the current code runs: the innermost entry on
 * this task's (or this interrupt level's) entry stack. NULL outside any domain.
 */
struct nooks_domain *nooks_current_domain(void);

/* Bracket a call from the driver into the kernel (counts XPCs, marks the stack). */
void nooks_kernel_enter(struct nooks_domain *d, const char *fn);
void nooks_kernel_exit(struct nooks_domain *d);

/* Object tracker. @aux carries what release needs (size, order, device...). */
int nooks_track(struct nooks_domain *d, enum nooks_obj_kind kind,
		const void *obj, unsigned long aux);
void nooks_untrack(struct nooks_domain *d, enum nooks_obj_kind kind,
		   const void *obj);
bool nooks_tracked(struct nooks_domain *d, enum nooks_obj_kind kind,
		   const void *obj);

/*
 * Added by the runtime: nooks_track() with three words of release data,
 * for kinds whose release needs more than one (nooks_track() passes
 * aux2 = aux3 = 0). What each kind expects (obj; aux, aux2, aux3):
 *   KMALLOC, VMALLOC, PAGE_FRAG, SKB, IOREMAP: the pointer; -
 *   PAGES:          struct page *; order
 *   DMA_MAP:        (void *)dma_addr; struct device *, size, direction
 *   DMA_COHERENT:   cpu address; struct device *, size, dma handle
 *   PCI_ENABLE:     struct pci_dev *; -
 *   PCI_REGIONS:    struct pci_dev *; bar mask
 *   SPINLOCK:       raw_spinlock_t * (spinlock_t's rlock); -
 *   MUTEX:          struct mutex *; -
 * IRQ, TIMER, WORK, NAPI, NETDEV, NETDEV_REG and PCI_DRIVER are tracked by
 * the runtime's own custom wrappers; generated code should not track them.
 */
int nooks_track3(struct nooks_domain *d, enum nooks_obj_kind kind,
		 const void *obj, unsigned long aux, unsigned long aux2,
		 unsigned long aux3);

/*
 * A wrapper refused a call (bad parameter). Records a domain fault and
 * schedules recovery; the wrapper then returns the interface's error value.
 */
void nooks_param_fault(struct nooks_domain *d, const char *fn,
		       const char *why);

/* True when the domain has failed: wrappers fail fast instead of calling on. */
bool nooks_domain_failed(struct nooks_domain *d);

#endif /* NOOKS_WRAPPER_API_H */
