/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The internal interface between the files of nooks.ko. See core.c for the
 * design; each file below owns one job:
 *   core.c      domains: creation from the module notifier, life cycle
 *   entry.c     entering/leaving a domain, the recovery contexts
 *   ctx_save.S  the setjmp-like register save used on every entry
 *   fault.c     the die notifier: attribution, report, unwinding
 *   tracker.c   the objects a domain holds and how to release them
 *   recovery.c  the recovery manager (workqueue)
 *   shadow.c    shadow operation tables and their trampolines
 *   custom.c    hand-written wrappers for the registration functions
 *   inject.c    the test-only fault trigger (debugfs) and its gadgets
 *   pcierr_sim.c  test-only: the PCI error-recovery sequence (debugfs)
 *   sysfs.c     /sys/kernel/nooks/<driver>/
 *   batch.c     batched receive: frames queued during a NAPI poll
 *   xpcbench.c  /sys/kernel/debug/nooks/xpc_bench: the cost of a crossing
 */
#ifndef NOOKS_INTERNAL_H
#define NOOKS_INTERNAL_H

#include <linux/atomic.h>
#include <linux/kobject.h>
#include <linux/ktime.h>
#include <linux/list.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/pci.h>
#include <linux/spinlock.h>
#include <linux/wait.h>
#include <linux/workqueue.h>

#include "wrapper_api.h"

#define NOOKS_MAX_DOMAINS	4
#define NOOKS_FAULT_DESC_LEN	192

/*
 * The life of a domain. Calls into the driver are allowed only in the
 * "callable" states (INITIALIZING, LIVE, RESTARTING, UNLOADING); in any
 * other state a trampoline fails fast with the interface's error value.
 *
 *   LOADING --init--> INITIALIZING --ok--> LIVE
 *   INITIALIZING/LIVE/RESTARTING --fault--> FAILED --worker--> RECOVERING
 *   RECOVERING --re-init--> RESTARTING --ok--> LIVE
 *   RECOVERING --too many restarts / init error--> DISABLED
 *   any --rmmod--> UNLOADING --> DEAD
 */
enum nooks_dom_state {
	NOOKS_DOM_LOADING,
	NOOKS_DOM_INITIALIZING,
	NOOKS_DOM_LIVE,
	NOOKS_DOM_FAILED,
	NOOKS_DOM_RECOVERING,
	NOOKS_DOM_RESTARTING,
	NOOKS_DOM_DISABLED,
	NOOKS_DOM_UNLOADING,
	NOOKS_DOM_DEAD,
};

/* Interrupt level an entry runs at; each level has its own entry stack. */
enum nooks_level {
	NOOKS_LEVEL_PROCESS,
	NOOKS_LEVEL_SOFTIRQ,
	NOOKS_LEVEL_HARDIRQ,
};

/* Entries the fault trigger can aim at (inject.c). */
enum nooks_inject_entry {
	NOOKS_INJ_NONE,
	NOOKS_INJ_PROBE,
	NOOKS_INJ_NDO_OPEN,
	NOOKS_INJ_NDO_START_XMIT,
	NOOKS_INJ_IRQ,
	NOOKS_INJ_NAPI_POLL,
	NOOKS_INJ_TIMER,
	NOOKS_INJ_WORK,
	NOOKS_INJ_PM_SUSPEND,
	NOOKS_INJ_PM_RESUME,
	NOOKS_INJ_SHUTDOWN,
	NOOKS_INJ_ERR_DETECTED,
	NOOKS_INJ_ERR_SLOT_RESET,
	NOOKS_INJ_ERR_RESUME,
	NOOKS_INJ_NR
};

enum nooks_inject_type {
	NOOKS_INJT_PF,
	NOOKS_INJT_GP,
	NOOKS_INJT_UD,
	NOOKS_INJT_BUG,
	NOOKS_INJT_DE,
	/* writes to kernel memory (caught only with isolation=pagetable) */
	NOOKS_INJT_WKMALLOC,
	NOOKS_INJT_WMODULE,
	NOOKS_INJT_WPERCPU,
	NOOKS_INJT_WSTACK,
	NOOKS_INJT_WCALLER,
	/* faults nooks recognises by where they happen, not by trap */
	NOOKS_INJT_WILD,
	NOOKS_INJT_MEMSET,
	NOOKS_INJT_STACKPROT,
	NOOKS_INJT_LEAK,
	NOOKS_INJT_NR
};

/*
 * A recovery context: what an entry saves so that a fault in the driver
 * can resume at the entry as if the call had returned an error. The first
 * eight words are written by nooks_ctx_save() (ctx_save.S), the next four
 * are read by nooks_xcall() (pt/xcall.S): keep the order.
 */
struct nooks_ctx {
	unsigned long rbx, rbp, r12, r13, r14, r15, rsp, rip;
	/* isolation=pagetable, a call on a dedicated domain stack */
	unsigned long x_top;		/* top of the domain stack, 0: none */
	unsigned long x_cr3;		/* the domain root nooks_xcall loads */
	unsigned long pt_prev_cr3;	/* a domain root to go back to, or 0 */
	unsigned long x_ksp;		/* the kernel sp across the call */
	unsigned long irqflags;
	int preempt_count;
	int rcu_depth;
	int pagefault_disabled;
	enum nooks_level level;
	struct task_struct *task;
	struct nooks_domain *d;
	const char *entry;
	struct nooks_ctx *outer;	/* irq levels: next outer entry */
	struct hlist_node task_node;	/* process level: per-task hash */
	bool faulted;
	/* isolation=pagetable (pt/switch.c) */
	bool pt_on;			/* this entry is in a domain root */
	int x_slot;			/* its domain stack (pt/stack.c) */
	unsigned long pt_stk_lo, pt_stk_hi;	/* no domain stack: pages granted */
	void *pt_out_fn, *pt_out_site;	/* the wrapper that is out, if any */
	bool pt_lazy;			/* left the root in unwrapped kernel code */
	/* the write trigger's "wcaller" victim: a word on the caller's stack */
	unsigned long caller_victim;
};

struct nooks_domain {
	char name[MODULE_NAME_LEN];
	struct module *mod;
	int slot;
	atomic_t state;			/* enum nooks_dom_state */
	struct mutex life_lock;		/* init, exit and recovery */

	/* The driver's text, for fault attribution. */
	unsigned long text_start, text_end;
	unsigned long init_text_start, init_text_end;

	/* The driver's own entry points, replaced in struct module. */
	int (*orig_init)(void);
	void (*orig_exit)(void);

	/* Pristine copy of the driver's writable data (see recovery.c). */
	struct nooks_data_span *spans;
	unsigned int nr_spans;
	void *snapshot;

	/* Entries currently inside the driver. */
	atomic_t active;
	wait_queue_head_t idle_wq;

	struct pci_dev *pdev;		/* last device probed, for quiesce */
	bool intx_silenced;
	bool warned_outside;		/* driver ran outside any entry */
	bool init_freed;		/* init was in .init.text: no restart */

	/* Statistics for sysfs. */
	atomic64_t xpc_count;
	atomic64_t xpc_saved;		/* crossings batching avoided */
	void *rx_queues;		/* batch.c: a page per CPU */
	atomic_t faults;
	atomic_t recoveries;
	atomic_t tracked;
	char last_fault[NOOKS_FAULT_DESC_LEN];
	ktime_t fault_time;
	ktime_t window_start;
	unsigned int restarts_in_window;

	struct work_struct recovery_work;
	struct kobject kobj;
	struct dentry *debugfs_dir;
	struct list_head shadows;	/* struct nooks_ops_shadow */
	spinlock_t shadows_lock;

	/* Armed fault trigger: fire on the next call through this entry. */
	atomic_t inject_entry;		/* enum nooks_inject_entry */
	int inject_type;		/* enum nooks_inject_type */

	struct nooks_pt *pt;		/* isolation=pagetable: the root (pt/) */
	struct nooks_pt_stacks *pt_stacks;	/* its domain stacks */
};

struct nooks_data_span {
	unsigned long addr;
	unsigned long size;
};

/* core.c */
extern struct workqueue_struct *nooks_wq;
extern unsigned int nooks_max_restarts;
extern unsigned int nooks_restart_window_s;
const char *nooks_state_name(enum nooks_dom_state s);
bool nooks_state_callable(enum nooks_dom_state s);
struct nooks_domain *nooks_domain_by_addr(unsigned long addr);
struct nooks_domain *nooks_domain_by_caller(unsigned long ret_addr);
struct nooks_domain *nooks_only_domain(void);
bool nooks_set_state(struct nooks_domain *d, enum nooks_dom_state from,
		     enum nooks_dom_state to);
int nooks_domain_call_init(struct nooks_domain *d);

/* entry.c */
int nooks_ctx_save(struct nooks_ctx *c) __attribute__((returns_twice));
bool nooks_enter(struct nooks_domain *d, struct nooks_ctx *c,
		 const char *entry);
void nooks_leave(struct nooks_ctx *c);
enum nooks_level nooks_level_now(void);
struct nooks_ctx *nooks_innermost(enum nooks_level level);
const char *nooks_level_name(enum nooks_level level);

/*
 * The arguments of a domain call as an array of words, for nooks_xcall():
 * NOOKS_XSET(x, (a, b)) sets x[0] = NOOKS_XWORD(a), x[1] = NOOKS_XWORD(b).
 * Up to six, the ones passed in registers; every nooks entry has at most
 * five. A word holds the argument's bytes as the register would
 * (pm_message_t is a struct passed by value), zero-extended.
 */
#define NOOKS_XWORD(a)							\
	({								\
		union { unsigned long w; __typeof__(a) v; } __u = { 0 }; \
									\
		BUILD_BUG_ON(sizeof(a) > sizeof(long));			\
		__u.v = (a);						\
		__u.w;							\
	})
#define NOOKS_NARGS_(_, a, b, c, d, e, f, n, ...) n
#define NOOKS_NARGS(...) NOOKS_NARGS_(_, ##__VA_ARGS__, 6, 5, 4, 3, 2, 1, 0)
#define NOOKS_XS0(x, i, ...) ((void)0)
#define NOOKS_XS1(x, i, a) ((x)[i] = NOOKS_XWORD(a))
#define NOOKS_XS2(x, i, a, ...) (NOOKS_XS1(x, i, a), NOOKS_XS1(x, i + 1, __VA_ARGS__))
#define NOOKS_XS3(x, i, a, ...) (NOOKS_XS1(x, i, a), NOOKS_XS2(x, i + 1, __VA_ARGS__))
#define NOOKS_XS4(x, i, a, ...) (NOOKS_XS1(x, i, a), NOOKS_XS3(x, i + 1, __VA_ARGS__))
#define NOOKS_XS5(x, i, a, ...) (NOOKS_XS1(x, i, a), NOOKS_XS4(x, i + 1, __VA_ARGS__))
#define NOOKS_XS6(x, i, a, ...) (NOOKS_XS1(x, i, a), NOOKS_XS5(x, i + 1, __VA_ARGS__))
#define NOOKS_XS_(n) NOOKS_XS##n
#define NOOKS_XS(n) NOOKS_XS_(n)
#define NOOKS_UNPAREN(...) __VA_ARGS__
/* @args is parenthesized; the extra level expands it before counting */
#define NOOKS_XSET(x, args) NOOKS_XSET_(x, NOOKS_UNPAREN args)
#define NOOKS_XSET_(...) NOOKS_XSET__(__VA_ARGS__)
#define NOOKS_XSET__(x, ...) \
	NOOKS_XS(NOOKS_NARGS(__VA_ARGS__))(x, 0, ##__VA_ARGS__)

/* pt/xcall.S: @fn(@args[0..5]) on @c's domain stack and root. */
unsigned long nooks_xcall(struct nooks_ctx *c, void *fn,
			  const unsigned long *args);

/*
 * The call itself: on the entry's dedicated domain stack when it has one
 * (isolation=pagetable), else directly. The direct form is always
 * compiled, so the arguments are type-checked against @fn either way.
 */
#define NOOKS_DOMAIN_CALL(c, fn, args, ret)				\
	do {								\
		if ((c)->x_top) {					\
			unsigned long __xa[6] = { 0 }, __xr;		\
									\
			NOOKS_XSET(__xa, args);				\
			__xr = nooks_xcall((c), (void *)(fn), __xa);	\
			BUILD_BUG_ON(sizeof(ret) > sizeof(__xr));	\
			memcpy(&(ret), &__xr, sizeof(ret));		\
		} else {						\
			(ret) = (fn) args;				\
		}							\
	} while (0)

#define NOOKS_DOMAIN_CALL_VOID(c, fn, args)				\
	do {								\
		if ((c)->x_top) {					\
			unsigned long __xa[6] = { 0 };			\
									\
			NOOKS_XSET(__xa, args);				\
			nooks_xcall((c), (void *)(fn), __xa);		\
		} else {						\
			(fn) args;					\
		}							\
	} while (0)

/*
 * Call @fn@args inside domain @d as entry @name; @ret receives its value,
 * or @err when the domain is not callable or the driver faulted (then the
 * fault handler resumed us here through the saved context).
 * @inj names the fault-trigger entry this call site answers to.
 */
#define NOOKS_CALL(d, name, inj, ret, err, fn, args)			\
	do {								\
		struct nooks_ctx __nc;					\
		if (!nooks_enter((d), &__nc, (name))) {			\
			(ret) = (err);					\
			break;						\
		}							\
		if (nooks_ctx_save(&__nc) == 0) {			\
			nooks_inject_entry(&__nc, (inj));		\
			NOOKS_DOMAIN_CALL(&__nc, fn, args, ret);	\
		} else {						\
			(ret) = (err);					\
		}							\
		nooks_leave(&__nc);					\
	} while (0)

#define NOOKS_CALL_VOID(d, name, inj, fn, args)			\
	do {								\
		struct nooks_ctx __nc;					\
		if (!nooks_enter((d), &__nc, (name)))			\
			break;						\
		if (nooks_ctx_save(&__nc) == 0) {			\
			nooks_inject_entry(&__nc, (inj));		\
			NOOKS_DOMAIN_CALL_VOID(&__nc, fn, args);	\
		}							\
		nooks_leave(&__nc);					\
	} while (0)

/* ctx_save.S */
void nooks_resume_stub(void);
void nooks_just_return(void);

/* fault.c */
void nooks_resume_state(struct nooks_ctx *c);
int nooks_fault_init(void);
void nooks_fault_exit(void);
void nooks_domain_fail(struct nooks_domain *d, const char *desc);
bool nooks_contain_enabled(void);

/* tracker.c */
struct nooks_obj {
	struct hlist_node hnode;
	struct list_head dnode;
	struct nooks_domain *d;
	enum nooks_obj_kind kind;
	const void *obj;
	unsigned long aux, aux2, aux3;
};

int nooks_tracker_init(void);
void nooks_tracker_exit(void);
/* Find a tracked object anywhere; copies it out (the entry may go). */
bool nooks_tracker_find(enum nooks_obj_kind kind, const void *obj,
			struct nooks_obj *out);
/* Find the first of @d's objects of @kind that @match accepts. */
bool nooks_tracker_find_if(struct nooks_domain *d, enum nooks_obj_kind kind,
			   bool (*match)(const struct nooks_obj *o,
					 const void *arg),
			   const void *arg, struct nooks_obj *out);
/* Up to @max of @d's objects of @kind, oldest first. */
int nooks_tracker_collect(struct nooks_domain *d, enum nooks_obj_kind kind,
			  void *out[], int max);
/* Forget (without releasing) objects of @d that live inside [start, end). */
void nooks_tracker_forget_range(struct nooks_domain *d, unsigned long start,
				unsigned long end);
/* Take every object of @kind out of @d's set, newest first, into @list. */
int nooks_tracker_take_kind(struct nooks_domain *d, enum nooks_obj_kind kind,
			    struct list_head *list);
/* Release everything @d holds, newest first. Returns how many. */
int nooks_tracker_release_all(struct nooks_domain *d);
void nooks_tracker_release_one(struct nooks_obj *o);
void nooks_tracker_free(struct nooks_obj *o);

/* recovery.c */
void nooks_recovery_work(struct work_struct *work);
void nooks_schedule_recovery(struct nooks_domain *d);
int nooks_snapshot_data(struct nooks_domain *d);
void nooks_quiesce(struct nooks_domain *d);
void nooks_pci_silence(struct pci_dev *pdev);

/* shadow.c */
struct pci_driver *nooks_shadow_pci_driver(struct nooks_domain *d,
					   struct pci_driver *drv);
void nooks_shadow_netdev(struct nooks_domain *d, struct net_device *dev);
void nooks_shadows_free(struct nooks_domain *d);
struct pci_driver *nooks_pci_shadow_orig(struct pci_driver *shadow);
void nooks_pci_shadow_free(struct pci_driver *shadow);

/* custom.c */
void nooks_irq_release(struct nooks_obj *o);
void nooks_pci_driver_release(struct nooks_obj *o);

/*
 * The checks of a hand-written wrapper (custom.c, batch.c) that runs for
 * domain @d (without one it is a plain call), in the order wrapgen emits
 * them for generated rows: true when the call is refused with the
 * wrapper's error value - @d failed (fail fast), or @bad (an argument the
 * kernel function must not get, e.g. NULL): a parameter fault, @why.
 */
static inline bool nooks_w_refused(struct nooks_domain *d, const char *fn,
				   bool bad, const char *why)
{
	if (unlikely(nooks_domain_failed(d)))
		return true;
	if (unlikely(bad)) {
		nooks_param_fault(d, fn, why);
		return true;
	}
	return false;
}

/*
 * pt/grant.c: an skb handed to ndo_start_xmit is held (and granted, with
 * isolation=pagetable) until the driver frees it; given back if the driver
 * did not take it (@ret != NETDEV_TX_OK). No-ops in exceptions mode.
 */
struct sk_buff;
void nooks_pt_xmit_in(struct nooks_domain *d, struct sk_buff *skb);
void nooks_pt_xmit_out(struct nooks_domain *d, struct sk_buff *skb, int ret);

/*
 * pt/grant.c: the output structures and buffers the kernel hands to an
 * ethtool operation (get_*), granted around the call with
 * isolation=pagetable. What an operation has is its NOOKS_OUT row in
 * shadow_ops.h: the sizes of the structures arguments 1 and 2 after dev
 * point to, and how long a data buffer in argument 2 is. @a1, @a2: those
 * arguments (0 when the operation has fewer).
 */
enum nooks_pt_buf {
	NOOKS_PT_BUF_NONE,
	NOOKS_PT_BUF_STRINGS,	/* get_sset_count(dev, a1) strings */
	NOOKS_PT_BUF_STATS,	/* a1->n_stats u64 */
	NOOKS_PT_BUF_TEST,	/* get_sset_count(dev, ETH_SS_TEST) u64 */
	NOOKS_PT_BUF_REGS,	/* get_regs_len(dev) bytes */
	NOOKS_PT_BUF_EEPROM,	/* a1->len bytes */
};

struct nooks_pt_out {
	size_t size[2];
	enum nooks_pt_buf buf;
};

struct net_device;
void nooks_pt_args(struct nooks_domain *d, const struct nooks_pt_out *o,
		   bool on, struct net_device *dev, unsigned long a1,
		   unsigned long a2);

/* gadget.S: one faulting instruction each, see inject.c */
void nooks_gadget_start(void);
void nooks_gadget_end(void);
void nooks_gadget_pf(void);
void nooks_gadget_gp(void);
void nooks_gadget_ud(void);
void nooks_gadget_de(void);
void nooks_gadget_write(unsigned long *addr, unsigned long val);
void nooks_gadget_wild(void);
void nooks_gadget_memset(void);
void nooks_gadget_stack_chk_fail(void);

/* custom.c: the driver's stack protector, bound here (wrappers.tbl) */
void nooks_w___stack_chk_fail(void);

/* inject.c */
void nooks_inject_maybe(struct nooks_domain *d, enum nooks_inject_entry e);
void nooks_inject_fire_entry(struct nooks_ctx *c, enum nooks_inject_entry e);
void nooks_inject_caller_seen(unsigned long value);

/* Fire the trigger if armed for @e: the common case costs one compare. */
static inline void nooks_inject_entry(struct nooks_ctx *c,
				      enum nooks_inject_entry e)
{
	if (unlikely(e != NOOKS_INJ_NONE &&
		     atomic_read(&c->d->inject_entry) == e))
		nooks_inject_fire_entry(c, e);
}
bool nooks_addr_in_gadget(unsigned long addr);
int nooks_debugfs_init(void);
void nooks_debugfs_exit(void);
void nooks_debugfs_add(struct nooks_domain *d);
void nooks_debugfs_remove(struct nooks_domain *d);

/* pcierr_sim.c */
void nooks_pcierr_debugfs_add(struct nooks_domain *d, struct dentry *dir);
/* batch.c */
struct nooks_rx_batch;
struct napi_struct;
extern bool nooks_batch_rx;
struct nooks_rx_batch *nooks_rx_batch_begin(struct nooks_domain *d,
					    struct napi_struct *napi);
void nooks_rx_batch_end(struct nooks_rx_batch *b, bool faulted);
enum nooks_inject_entry nooks_rx_batch_inj(struct nooks_rx_batch *b);
int nooks_rx_batch_poll(struct nooks_domain *d, struct nooks_rx_batch *b,
			int (*poll)(struct napi_struct *, int),
			struct napi_struct *napi, int budget);
int nooks_rx_batch_domain_init(struct nooks_domain *d);
void nooks_rx_batch_domain_exit(struct nooks_domain *d);

/* xpcbench.c */
void nooks_xpcbench_add(struct nooks_domain *d);
void nooks_xpcbench_remove(struct nooks_domain *d);

/* sysfs.c */
int nooks_sysfs_init(void);
void nooks_sysfs_exit(void);
int nooks_sysfs_add(struct nooks_domain *d);
void nooks_sysfs_remove(struct nooks_domain *d);

#endif /* NOOKS_INTERNAL_H */
