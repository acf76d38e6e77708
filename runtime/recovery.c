// SPDX-License-Identifier: GPL-2.0
/*
 * The recovery manager. Runs on nooks_wq after a fault marked a domain
 * FAILED (calls into it already fail fast):
 *
 *  1. quiesce: INTx and bus mastering off on the driver's device, its
 *     IRQs freed, its NAPI contexts disabled, its TX queues stopped, its
 *     timers and work items cancelled;
 *  2. wait for entries still inside the driver to leave;
 *  3. release every tracked object, newest first (unregister_netdev,
 *     pci_unregister_driver - the driver's remove is NOT called, the
 *     trampolines fail fast - free_netdev, iounmap, DMA, memory...);
 *  4. restore the driver's writable data from the pristine copy;
 *  5. run the driver's init again inside the domain, so it probes afresh.
 *
 * Restarts are counted in a window; past nooks_max_restarts the domain
 * stays DISABLED.
 *
 * The pristine copy covers every data object ('d'/'b' in kallsyms: .data,
 * .bss, .data..read_mostly...) in the module's writable core area, except
 * struct module itself, which the kernel owns.
 */
#include <linux/delay.h>
#include <linux/kallsyms.h>
#include <linux/netdevice.h>
#include <linux/slab.h>
#include <linux/vmalloc.h>

#include "nooks_internal.h"

void nooks_schedule_recovery(struct nooks_domain *d)
{
	queue_work(nooks_wq, &d->recovery_work);
}

static bool nooks_sym_is_data(char type)
{
	return type == 'd' || type == 'D' || type == 'b' || type == 'B';
}

int nooks_snapshot_data(struct nooks_domain *d)
{
	struct module *mod = d->mod;
	unsigned long rw_start = (unsigned long)mod->core_layout.base +
				 mod->core_layout.ro_after_init_size;
	unsigned long rw_end = (unsigned long)mod->core_layout.base +
			       mod->core_layout.size;
	unsigned long self = (unsigned long)mod;
	struct mod_kallsyms *ks;
	unsigned int i, n = 0;
	size_t total = 0;
	char *copy;

	if (d->snapshot)
		return 0;
	preempt_disable();
	ks = rcu_dereference_sched(mod->kallsyms);
	d->spans = kcalloc(ks->num_symtab, sizeof(*d->spans), GFP_ATOMIC);
	if (!d->spans) {
		preempt_enable();
		return -ENOMEM;
	}
	for (i = 0; i < ks->num_symtab; i++) {
		const Elf_Sym *sym = &ks->symtab[i];
		unsigned long addr = sym->st_value;

		if (!nooks_sym_is_data(ks->typetab[i]) || !sym->st_size)
			continue;
		if (addr < rw_start || addr + sym->st_size > rw_end)
			continue;
		if (addr < self + sizeof(*mod) && addr + sym->st_size > self)
			continue;
		d->spans[n].addr = addr;
		d->spans[n].size = sym->st_size;
		total += sym->st_size;
		n++;
	}
	preempt_enable();
	d->nr_spans = n;
	d->snapshot = vmalloc(total ? total : 1);
	if (!d->snapshot)
		return -ENOMEM;
	copy = d->snapshot;
	for (i = 0; i < n; i++) {
		memcpy(copy, (void *)d->spans[i].addr, d->spans[i].size);
		copy += d->spans[i].size;
	}
	pr_info("nooks: %s: pristine copy of %u data objects, %zu bytes\n",
		d->name, n, total);
	return 0;
}

static void nooks_restore_data(struct nooks_domain *d)
{
	const char *copy = d->snapshot;
	unsigned int i;

	for (i = 0; i < d->nr_spans; i++) {
		memcpy((void *)d->spans[i].addr, copy, d->spans[i].size);
		copy += d->spans[i].size;
	}
}

/* Stop a device from interrupting and from doing DMA; any context. */
void nooks_pci_silence(struct pci_dev *pdev)
{
	pci_intx(pdev, 0);
	pci_clear_master(pdev);
}

/*
 * Clearing bus mastering is not enough: the restarted driver sets it
 * again in probe before it resets the hardware, and in that window the
 * device would DMA received frames through its old descriptor rings into
 * memory recovery has freed. So the device is reset here. PCI offers no
 * reset for a device like QEMU's 82540EM (no FLR, no PM reset, root bus),
 * hence per-family knowledge, as Nooks kept per-driver recovery code:
 * the 8254x family (e1000) has a global reset bit, CTRL.RST.
 *
 * QEMU's e1000 ignores CTRL.RST (its CTRL write handler only clears the
 * bit), so the receive and transmit units stay enabled on the old rings.
 * While bus mastering is off QEMU queues the frames that arrive; when the
 * re-probe sets bus mastering again it delivers them at once through the
 * old descriptors - ring and buffers recovery has freed by then, maybe
 * page tables now. So, as e1000_reset_hw() itself does before CTRL.RST,
 * the units are turned off and the rings forgotten explicitly.
 */
#define NOOKS_E1000_CTRL	0x0000
#define NOOKS_E1000_CTRL_RST	BIT(26)
#define NOOKS_E1000_IMC		0x00d8
#define NOOKS_E1000_RCTL	0x0100
#define NOOKS_E1000_TCTL	0x0400
#define NOOKS_E1000_RDBAL	0x2800	/* RDBAH, RDLEN, RDH, RDT follow */
#define NOOKS_E1000_TDBAL	0x3800	/* same layout */
#define NOOKS_E1000_MAP_LEN	0x4000

/* A descriptor ring's base, length, head and tail registers to zero. */
static void nooks_e1000_forget_ring(void __iomem *ring)
{
	static const unsigned int regs[] = { 0x00, 0x04, 0x08, 0x10, 0x18 };
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(regs); i++)
		writel(0, ring + regs[i]);
}

static void nooks_reset_e1000(struct pci_dev *pdev)
{
	void __iomem *regs = pci_iomap(pdev, 0, NOOKS_E1000_MAP_LEN);

	if (!regs)
		return;
	writel(~0u, regs + NOOKS_E1000_IMC);	/* mask every interrupt */
	writel(0, regs + NOOKS_E1000_RCTL);	/* receive unit off */
	writel(0, regs + NOOKS_E1000_TCTL);	/* transmit unit off */
	nooks_e1000_forget_ring(regs + NOOKS_E1000_RDBAL);
	nooks_e1000_forget_ring(regs + NOOKS_E1000_TDBAL);
	writel(readl(regs + NOOKS_E1000_CTRL) | NOOKS_E1000_CTRL_RST,
	       regs + NOOKS_E1000_CTRL);
	msleep(20);
	writel(~0u, regs + NOOKS_E1000_IMC);
	pci_iounmap(pdev, regs);
}

static void nooks_device_reset(struct nooks_domain *d, struct pci_dev *pdev)
{
	if (pdev->vendor == PCI_VENDOR_ID_INTEL && !strcmp(d->name, "e1000") &&
	    (pci_resource_flags(pdev, 0) & IORESOURCE_MEM))
		nooks_reset_e1000(pdev);
}

static void nooks_release_list(struct list_head *list)
{
	struct nooks_obj *o, *n;

	list_for_each_entry_safe(o, n, list, dnode) {
		list_del(&o->dnode);
		nooks_tracker_release_one(o);
		nooks_tracker_free(o);
	}
}

static bool nooks_match_any(const struct nooks_obj *o, const void *arg)
{
	return true;
}

void nooks_quiesce(struct nooks_domain *d)
{
	void *devs[8];
	struct nooks_obj o;
	LIST_HEAD(list);
	int i, n;

	if (d->pdev) {
		nooks_pci_silence(d->pdev);
		nooks_device_reset(d, d->pdev);
	}
	/* IRQs first: nothing may enter the driver from hardirq any more. */
	nooks_tracker_take_kind(d, NOOKS_OBJ_IRQ, &list);
	nooks_release_list(&list);

	/* Poll contexts: disable those that are enabled (NPSVC clear). */
	while (nooks_tracker_find_if(d, NOOKS_OBJ_NAPI, nooks_match_any, NULL,
				     &o)) {
		struct napi_struct *napi = (struct napi_struct *)o.obj;

		if (!test_bit(NAPI_STATE_NPSVC, &napi->state))
			napi_disable(napi);
		nooks_untrack(d, NOOKS_OBJ_NAPI, napi);
	}

	n = nooks_tracker_collect(d, NOOKS_OBJ_NETDEV_REG, devs,
				  ARRAY_SIZE(devs));
	for (i = 0; i < n; i++) {
		netif_tx_disable(devs[i]);
		netif_carrier_off(devs[i]);
	}

	nooks_tracker_take_kind(d, NOOKS_OBJ_TIMER, &list);
	nooks_tracker_take_kind(d, NOOKS_OBJ_WORK, &list);
	nooks_release_list(&list);
}

/* Count this restart; false when the window's budget is spent. */
static bool nooks_restart_allowed(struct nooks_domain *d)
{
	ktime_t now = ktime_get();

	if (ktime_ms_delta(now, d->window_start) >
	    (s64)nooks_restart_window_s * MSEC_PER_SEC) {
		d->window_start = now;
		d->restarts_in_window = 0;
	}
	if (d->restarts_in_window >= nooks_max_restarts)
		return false;
	d->restarts_in_window++;
	return true;
}

void nooks_recovery_work(struct work_struct *work)
{
	struct nooks_domain *d = container_of(work, struct nooks_domain,
					      recovery_work);
	int released, ret;

	mutex_lock(&d->life_lock);
	if (!nooks_set_state(d, NOOKS_DOM_FAILED, NOOKS_DOM_RECOVERING))
		goto out;

	nooks_quiesce(d);
	if (!wait_event_timeout(d->idle_wq, !atomic_read(&d->active), 5 * HZ))
		pr_warn("nooks: %s: %d entries still inside the driver\n",
			d->name, atomic_read(&d->active));
	released = nooks_tracker_release_all(d);
	d->pdev = NULL;
	d->intx_silenced = false;
	nooks_restore_data(d);

	if (d->init_freed) {
		atomic_set(&d->state, NOOKS_DOM_DISABLED);
		pr_err("nooks: %s: restart-failed (init code was freed)\n",
		       d->name);
		goto out;
	}
	if (!nooks_restart_allowed(d)) {
		atomic_set(&d->state, NOOKS_DOM_DISABLED);
		pr_err("nooks: %s: disabled after %u restarts\n", d->name,
		       d->restarts_in_window);
		goto out;
	}

	atomic_set(&d->state, NOOKS_DOM_RESTARTING);
	ret = nooks_domain_call_init(d);
	if (ret && atomic_read(&d->state) == NOOKS_DOM_RESTARTING) {
		atomic_set(&d->state, NOOKS_DOM_DISABLED);
		nooks_tracker_release_all(d);
		pr_err("nooks: %s: restart-failed (init returned %d)\n",
		       d->name, ret);
		goto out;
	}
	if (!nooks_set_state(d, NOOKS_DOM_RESTARTING, NOOKS_DOM_LIVE))
		goto out;	/* faulted again during init: queued anew */
	atomic_inc(&d->recoveries);
	pr_info("nooks: %s: released %d objects\n", d->name, released);
	pr_info("nooks: %s: recovered in %lld us (restart %u/%u)\n",
		d->name, ktime_us_delta(ktime_get(), d->fault_time),
		d->restarts_in_window, nooks_max_restarts);
out:
	mutex_unlock(&d->life_lock);
}
