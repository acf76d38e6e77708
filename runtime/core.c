// SPDX-License-Identifier: GPL-2.0
/*
 * nooks: kernel protection domains for unmodified device drivers, after
 * Swift, Bershad and Levy, "Improving the Reliability of Commodity
 * Operating Systems" (SOSP 2003).
 *
 * Design
 * ------
 * A driver is isolated when nooks-isolate has rebound each function it
 * imports, foo, to the wrapper nooks_w_foo exported by this module (so the
 * driver depends on nooks). When such a module reaches MODULE_STATE_COMING
 * the module notifier below creates a *domain* for it and swaps its
 * init/exit for trampolines, so init runs inside the domain and can be run
 * again after a failure.
 *
 * Kernel -> driver: every function pointer the driver hands the kernel
 * through a wrapper (pci_driver, net_device_ops, ethtool_ops, IRQ
 * handlers, NAPI poll, timers, work items) is replaced with a trampoline
 * (shadow.c, custom.c) that enters the domain: it pushes a recovery
 * context (entry.c) - callee-saved registers, stack pointer, resume point,
 * preempt count, interrupt flag, RCU and page-fault-disable depth - on the
 * entry stack of its interrupt level, then calls the driver.
 *
 * Driver -> kernel: the wrappers (generated from wrappers.tbl, plus the
 * hand-written ones in custom.c) record every object the driver acquires
 * in the object tracker (tracker.c) and refuse obviously bad parameters.
 *
 * Faults: a die notifier (fault.c) recognises #PF/#GP/#UD/#DE/BUG raised
 * in the driver's text, rewrites the exception frame so it returns into
 * the innermost entry's saved context, and the trampoline returns the
 * interface's error value (-EIO, IRQ_NONE, NETDEV_TX_BUSY...). The
 * domain is marked FAILED: further calls fail fast.
 *
 * Recovery (recovery.c, on a workqueue): quiesce the device (INTx off, bus
 * mastering off, IRQs freed, NAPI disabled, queues stopped, work
 * cancelled), release everything the tracker holds newest first (the
 * driver's remove is not called), restore the driver's .data/.bss from
 * the copy taken before its first init, and run init again inside the
 * domain. Restarts are limited (max_restarts in restart_window_s); past
 * the limit the driver stays DISABLED.
 *
 * The domain's life is the state machine in nooks_internal.h.
 */
#include <linux/debugfs.h>
#include <linux/moduleparam.h>
#include <linux/slab.h>
#include <linux/vmalloc.h>

#include "nooks_internal.h"
#include "pt/pt.h"

/*
 * isolation=exceptions (v1: faults that raise exceptions are contained) or
 * isolation=pagetable (v2: the driver also runs on a domain root where
 * kernel memory is read-only, pt/): every domain's mode, unless
 * driver_isolation=<driver>:<mode>[,...] names its driver. The page-table
 * machinery is set up at load if any domain may need it.
 */
static char *nooks_isolation = "exceptions";
module_param_named(isolation, nooks_isolation, charp, 0444);
MODULE_PARM_DESC(isolation, "exceptions (default) or pagetable");
static char *nooks_driver_isolation = "";
module_param_named(driver_isolation, nooks_driver_isolation, charp, 0444);
MODULE_PARM_DESC(driver_isolation, "per driver: <driver>:exceptions|pagetable[,...]");

static bool nooks_mode_is(const char *m, size_t n, const char *mode)
{
	return n == strlen(mode) && !strncmp(m, mode, n);
}

/*
 * Read driver_isolation: -EINVAL, with a message, if an item is not
 * <driver>:exceptions|pagetable. Else *pt: whether @name's domain (NULL:
 * none) gets a page-table root - its first item, or isolation=; *any_pt:
 * whether any item asks for one.
 */
static int nooks_driver_isolation_of(const char *name, bool *pt,
				     bool *any_pt)
{
	const char *p = nooks_driver_isolation;
	bool named = false;

	*pt = !strcmp(nooks_isolation, "pagetable");
	*any_pt = false;
	while (p && *p) {
		size_t len = strcspn(p, ","), dn = strcspn(p, ":");
		const char *m = p + dn + 1;
		size_t mn = dn < len ? len - dn - 1 : 0;
		bool is_pt = nooks_mode_is(m, mn, "pagetable");

		if (dn >= len || dn == 0 ||
		    !(is_pt || nooks_mode_is(m, mn, "exceptions"))) {
			pr_err("nooks: driver_isolation: '%.*s' is not <driver>:exceptions|pagetable\n",
			       (int)len, p);
			return -EINVAL;
		}
		*any_pt |= is_pt;
		if (name && !named && nooks_mode_is(p, dn, name)) {
			*pt = is_pt;
			named = true;
		}
		p += len + (p[len] == ',');
	}
	return 0;
}

/* Does @name's domain get a page-table root? */
static bool nooks_driver_wants_pt(const char *name)
{
	bool pt, any_pt;

	/* checked at load: nooks_pt_start() */
	nooks_driver_isolation_of(name, &pt, &any_pt);
	return pt;
}

unsigned int nooks_max_restarts = 10;
module_param_named(max_restarts, nooks_max_restarts, uint, 0644);
MODULE_PARM_DESC(max_restarts, "restarts allowed per window before a driver is disabled");

unsigned int nooks_restart_window_s = 60;
module_param_named(restart_window_s, nooks_restart_window_s, uint, 0644);
MODULE_PARM_DESC(restart_window_s, "length of the restart-limit window, seconds");

struct workqueue_struct *nooks_wq;

/* Slots: index = domain slot; the init/exit trampolines are per slot. */
static struct nooks_domain *nooks_domains[NOOKS_MAX_DOMAINS];
static DEFINE_MUTEX(nooks_domains_lock);

static const char * const nooks_state_names[] = {
	[NOOKS_DOM_LOADING] = "loading",
	[NOOKS_DOM_INITIALIZING] = "initializing",
	[NOOKS_DOM_LIVE] = "live",
	[NOOKS_DOM_FAILED] = "failed",
	[NOOKS_DOM_RECOVERING] = "recovering",
	[NOOKS_DOM_RESTARTING] = "restarting",
	[NOOKS_DOM_DISABLED] = "disabled",
	[NOOKS_DOM_UNLOADING] = "unloading",
	[NOOKS_DOM_DEAD] = "dead",
};

const char *nooks_state_name(enum nooks_dom_state s)
{
	if (s >= ARRAY_SIZE(nooks_state_names))
		return "?";
	return nooks_state_names[s];
}

bool nooks_state_callable(enum nooks_dom_state s)
{
	return s == NOOKS_DOM_INITIALIZING || s == NOOKS_DOM_LIVE ||
	       s == NOOKS_DOM_RESTARTING || s == NOOKS_DOM_UNLOADING;
}

bool nooks_set_state(struct nooks_domain *d, enum nooks_dom_state from,
		     enum nooks_dom_state to)
{
	return atomic_cmpxchg(&d->state, from, to) == from;
}

/* Safe in any context, including the die notifier: slots are stable. */
struct nooks_domain *nooks_domain_by_addr(unsigned long addr)
{
	int i;

	for (i = 0; i < NOOKS_MAX_DOMAINS; i++) {
		struct nooks_domain *d = READ_ONCE(nooks_domains[i]);

		if (!d)
			continue;
		if ((addr >= d->text_start && addr < d->text_end) ||
		    (addr >= d->init_text_start && addr < d->init_text_end))
			return d;
	}
	return NULL;
}

/* The one domain there is, or NULL when there are none or several. */
struct nooks_domain *nooks_only_domain(void)
{
	struct nooks_domain *only = NULL;
	int i;

	for (i = 0; i < NOOKS_MAX_DOMAINS; i++) {
		struct nooks_domain *d = READ_ONCE(nooks_domains[i]);

		if (!d)
			continue;
		if (only)
			return NULL;
		only = d;
	}
	return only;
}

/*
 * The domain a wrapper acts for: the module its caller's return address
 * lies in, else the innermost entry's domain.
 */
struct nooks_domain *nooks_domain_by_caller(unsigned long ret_addr)
{
	struct nooks_domain *d = nooks_domain_by_addr(ret_addr);

	return d ? d : nooks_current_domain();
}

/* Run the driver's init inside @d. Called with d->life_lock held. */
int nooks_domain_call_init(struct nooks_domain *d)
{
	int ret;

	NOOKS_CALL(d, "init", NOOKS_INJ_NONE, ret, -EIO, d->orig_init, ());
	return ret;
}

static int nooks_init_trampoline(int slot)
{
	struct nooks_domain *d = nooks_domains[slot];
	int ret;

	mutex_lock(&d->life_lock);
	/* Parameters are parsed by now: this is the driver's pristine data. */
	ret = nooks_snapshot_data(d);
	if (ret) {
		pr_err("nooks: %s: cannot snapshot data (%d)\n", d->name, ret);
		goto out;
	}
	nooks_set_state(d, NOOKS_DOM_LOADING, NOOKS_DOM_INITIALIZING);
	ret = nooks_domain_call_init(d);
	nooks_pt_init_done(d);	/* init data is freed next: revoke it */
	/*
	 * The kernel frees .init.text once init returns: an init that lives
	 * there cannot be run again (nooks-isolate keeps it resident).
	 */
	if ((unsigned long)d->orig_init >= d->init_text_start &&
	    (unsigned long)d->orig_init < d->init_text_end) {
		d->init_freed = true;
		pr_warn("nooks: %s: init is in .init.text: no restart after a fault\n",
			d->name);
	}
	d->init_text_start = 0;
	d->init_text_end = 0;
	if (ret && atomic_read(&d->state) == NOOKS_DOM_INITIALIZING)
		atomic_set(&d->state, NOOKS_DOM_DEAD);
	else
		nooks_set_state(d, NOOKS_DOM_INITIALIZING, NOOKS_DOM_LIVE);
	/* A fault during init leaves the domain FAILED: recovery restarts it. */
	if (ret && atomic_read(&d->state) != NOOKS_DOM_DEAD)
		ret = 0;
out:
	mutex_unlock(&d->life_lock);
	return ret;
}

static void nooks_exit_trampoline(int slot)
{
	struct nooks_domain *d = nooks_domains[slot];
	enum nooks_dom_state s;
	int left;

	mutex_lock(&d->life_lock);
	s = atomic_xchg(&d->state, NOOKS_DOM_UNLOADING);
	mutex_unlock(&d->life_lock);
	cancel_work_sync(&d->recovery_work);

	mutex_lock(&d->life_lock);
	if (s == NOOKS_DOM_LIVE && d->orig_exit)
		NOOKS_CALL_VOID(d, "exit", NOOKS_INJ_NONE, d->orig_exit, ());
	atomic_set(&d->state, NOOKS_DOM_DEAD);
	wait_event_timeout(d->idle_wq, !atomic_read(&d->active), 5 * HZ);
	left = nooks_tracker_release_all(d);
	if (left)
		pr_info("nooks: %s: released %d objects left at unload\n",
			d->name, left);
	mutex_unlock(&d->life_lock);
}

/* One init and one exit trampoline per slot: struct module has no cookie. */
#define NOOKS_SLOT_TRAMPOLINES(n)					\
	static int nooks_init_slot##n(void)				\
	{								\
		return nooks_init_trampoline(n);			\
	}								\
	static void nooks_exit_slot##n(void)				\
	{								\
		nooks_exit_trampoline(n);				\
	}
NOOKS_SLOT_TRAMPOLINES(0)
NOOKS_SLOT_TRAMPOLINES(1)
NOOKS_SLOT_TRAMPOLINES(2)
NOOKS_SLOT_TRAMPOLINES(3)

static int (* const nooks_init_slots[NOOKS_MAX_DOMAINS])(void) = {
	nooks_init_slot0, nooks_init_slot1, nooks_init_slot2, nooks_init_slot3,
};

static void (* const nooks_exit_slots[NOOKS_MAX_DOMAINS])(void) = {
	nooks_exit_slot0, nooks_exit_slot1, nooks_exit_slot2, nooks_exit_slot3,
};

/* Does @mod import from nooks (i.e. was it isolated)? */
static bool nooks_module_isolated(struct module *mod)
{
	struct module_use *use;

	list_for_each_entry(use, &mod->target_list, target_list)
		if (use->target == THIS_MODULE)
			return true;
	return false;
}

static void nooks_domain_release(struct kobject *kobj)
{
	struct nooks_domain *d = container_of(kobj, struct nooks_domain, kobj);

	kfree(d->spans);
	vfree(d->snapshot);
	kfree(d);
}

static ssize_t isolation_show(struct kobject *k, struct kobj_attribute *a,
			      char *buf)
{
	struct nooks_domain *d = container_of(k, struct nooks_domain, kobj);

	if (d->pt)
		return sysfs_emit(buf, "pagetable\n");
	return sysfs_emit(buf, "exceptions\n");
}
static struct kobj_attribute nooks_attr_isolation = __ATTR_RO(isolation);

/* isolation=pagetable: "<in use> <total> <entries that found none free>" */
static ssize_t domain_stacks_show(struct kobject *k, struct kobj_attribute *a,
				  char *buf)
{
	struct nooks_domain *d = container_of(k, struct nooks_domain, kobj);
	unsigned int busy, nr, fallbacks;

	nooks_pt_stacks_usage(d, &busy, &nr, &fallbacks);
	return sysfs_emit(buf, "%u %u %u\n", busy, nr, fallbacks);
}
static struct kobj_attribute nooks_attr_domain_stacks =
	__ATTR_RO(domain_stacks);

static const struct attribute *nooks_core_attrs[] = {
	&nooks_attr_isolation.attr,
	&nooks_attr_domain_stacks.attr,
	NULL
};

/* isolation=pagetable: build the domain root and the first grants. */
static void nooks_domain_pt_create(struct nooks_domain *d)
{
	int ret;

	if (!nooks_pt_on || !nooks_driver_wants_pt(d->name))
		return;
	ret = nooks_pt_domain_create(d);
	if (ret) {
		pr_err("nooks: %s: no page-table domain (%d): exceptions only\n",
		       d->name, ret);
		return;
	}
	nooks_pt_domain_setup(d);
}

static struct kobj_type nooks_domain_ktype = {
	.release = nooks_domain_release,
	.sysfs_ops = &kobj_sysfs_ops,
};

static void nooks_domain_create(struct module *mod)
{
	struct nooks_domain *d;
	int slot;

	mutex_lock(&nooks_domains_lock);
	for (slot = 0; slot < NOOKS_MAX_DOMAINS; slot++)
		if (!nooks_domains[slot])
			break;
	if (slot == NOOKS_MAX_DOMAINS) {
		pr_err("nooks: %s: no free domain slot: not isolated\n",
		       mod->name);
		goto out;
	}
	d = kzalloc(sizeof(*d), GFP_KERNEL);
	if (!d)
		goto out;
	strscpy(d->name, mod->name, sizeof(d->name));
	d->mod = mod;
	d->slot = slot;
	atomic_set(&d->state, NOOKS_DOM_LOADING);
	mutex_init(&d->life_lock);
	init_waitqueue_head(&d->idle_wq);
	INIT_WORK(&d->recovery_work, nooks_recovery_work);
	INIT_LIST_HEAD(&d->shadows);
	spin_lock_init(&d->shadows_lock);
	d->text_start = (unsigned long)mod->core_layout.base;
	d->text_end = d->text_start + mod->core_layout.text_size;
	d->init_text_start = (unsigned long)mod->init_layout.base;
	d->init_text_end = d->init_text_start + mod->init_layout.text_size;
	d->orig_init = mod->init;
	d->orig_exit = mod->exit;
	kobject_init(&d->kobj, &nooks_domain_ktype);
	nooks_domain_pt_create(d);

	if (mod->init)
		mod->init = nooks_init_slots[slot];
	if (mod->exit)
		mod->exit = nooks_exit_slots[slot];
	WRITE_ONCE(nooks_domains[slot], d);
	if (!nooks_sysfs_add(d) &&
	    sysfs_create_files(&d->kobj, nooks_core_attrs))
		pr_warn("nooks: %s: no isolation attributes\n", d->name);
	nooks_debugfs_add(d);
	pr_info("nooks: %s: isolated in domain %d (text %#lx-%#lx, %s)\n",
		d->name, slot, d->text_start, d->text_end,
		d->pt ? "pagetable" : "exceptions");
out:
	mutex_unlock(&nooks_domains_lock);
}

static void nooks_domain_destroy(struct module *mod)
{
	struct nooks_domain *d = NULL;
	int slot;

	mutex_lock(&nooks_domains_lock);
	for (slot = 0; slot < NOOKS_MAX_DOMAINS; slot++) {
		if (nooks_domains[slot] && nooks_domains[slot]->mod == mod) {
			d = nooks_domains[slot];
			break;
		}
	}
	mutex_unlock(&nooks_domains_lock);
	if (!d)
		return;

	/* Init failed or exit ran: nothing of the driver may stay behind. */
	atomic_set(&d->state, NOOKS_DOM_DEAD);
	cancel_work_sync(&d->recovery_work);
	mutex_lock(&d->life_lock);
	nooks_tracker_release_all(d);
	mutex_unlock(&d->life_lock);
	nooks_debugfs_remove(d);
	sysfs_remove_files(&d->kobj, nooks_core_attrs);
	nooks_sysfs_remove(d);
	nooks_shadows_free(d);
	nooks_pt_domain_destroy(d);

	mutex_lock(&nooks_domains_lock);
	WRITE_ONCE(nooks_domains[slot], NULL);
	mutex_unlock(&nooks_domains_lock);
	synchronize_rcu();
	kobject_put(&d->kobj);
}

static int nooks_module_notify(struct notifier_block *nb, unsigned long val,
			       void *data)
{
	struct module *mod = data;

	if (mod == THIS_MODULE)
		return NOTIFY_DONE;
	if (val == MODULE_STATE_COMING && nooks_module_isolated(mod))
		nooks_domain_create(mod);
	else if (val == MODULE_STATE_GOING)
		nooks_domain_destroy(mod);
	return NOTIFY_DONE;
}

static struct notifier_block nooks_module_nb = {
	.notifier_call = nooks_module_notify,
};

/* isolation=pagetable: check the CPU setup, the tables, the private IDT. */
static int nooks_pt_start(void)
{
	bool pt, any_pt;
	int ret;

	if (strcmp(nooks_isolation, "exceptions") &&
	    strcmp(nooks_isolation, "pagetable")) {
		pr_err("nooks: isolation=%s: must be exceptions or pagetable\n",
		       nooks_isolation);
		return -EINVAL;
	}
	ret = nooks_driver_isolation_of(NULL, &pt, &any_pt);
	if (ret)
		return ret;
	if (!pt && !any_pt)
		return 0;
	ret = nooks_pt_check_cpu();
	if (ret)
		return ret;
	ret = nooks_pt_tables_init();
	if (ret)
		return ret;
	ret = nooks_pt_idt_init();
	if (ret) {
		nooks_pt_tables_exit();
		return ret;
	}
	WRITE_ONCE(nooks_pt_on, true);
	return 0;
}

static void nooks_pt_stop(void)
{
	if (!nooks_pt_on)
		return;
	WRITE_ONCE(nooks_pt_on, false);
	nooks_pt_idt_exit();
	nooks_pt_tables_exit();
}

static int __init nooks_init(void)
{
	int ret;

	ret = nooks_pt_start();
	if (ret)
		return ret;
	nooks_wq = alloc_workqueue("nooks_recovery", WQ_UNBOUND, 1);
	if (!nooks_wq) {
		nooks_pt_stop();
		return -ENOMEM;
	}
	ret = nooks_tracker_init();
	if (ret)
		goto err_wq;
	ret = nooks_sysfs_init();
	if (ret)
		goto err_tracker;
	nooks_debugfs_init();
	ret = nooks_fault_init();
	if (ret)
		goto err_sysfs;
	ret = register_module_notifier(&nooks_module_nb);
	if (ret)
		goto err_fault;
	pr_info("nooks: runtime loaded (max_restarts=%u in %us, isolation=%s)\n",
		nooks_max_restarts, nooks_restart_window_s,
		nooks_pt_on ? "pagetable" : "exceptions");
	return 0;

err_fault:
	nooks_fault_exit();
err_sysfs:
	nooks_debugfs_exit();
	nooks_sysfs_exit();
err_tracker:
	nooks_tracker_exit();
err_wq:
	destroy_workqueue(nooks_wq);
	nooks_pt_stop();
	return ret;
}

static void __exit nooks_exit(void)
{
	/* Isolated modules depend on us: none can be loaded now. */
	unregister_module_notifier(&nooks_module_nb);
	nooks_fault_exit();
	nooks_debugfs_exit();
	nooks_sysfs_exit();
	destroy_workqueue(nooks_wq);
	nooks_tracker_exit();
	nooks_pt_stop();
}

module_init(nooks_init);
module_exit(nooks_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("Nooks: isolation, fault detection and recovery for drivers");
