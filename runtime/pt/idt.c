// SPDX-License-Identifier: GPL-2.0
/*
 * The private IDT: a copy of the kernel's, every present gate pointing to
 * its stub in idt_stubs.S (same type, DPL and IST), the kernel's handler
 * kept in nooks_idt_orig[] for the stub to jump to. Loaded with lidt on
 * every CPU while pagetable mode is on, and again from a CPU-hotplug
 * callback (bringing a CPU up loads the kernel's IDT).
 */
#include <linux/cpu.h>
#include <linux/cpuhotplug.h>
#include <linux/gfp.h>
#include <linux/smp.h>
#include <asm/desc.h>
#include <asm/tlbflush.h>

#include "../nooks_internal.h"
#include "pt.h"

unsigned long nooks_idt_orig[256];

static struct desc_ptr nooks_idt_kernel;
static struct desc_ptr nooks_idt_private;
static gate_desc *nooks_idt;
static int nooks_idt_hp_state = -1;

static void nooks_idt_load(void *desc)
{
	asm volatile("lidt %0" : : "m" (*(struct desc_ptr *)desc));
}

/* Ours, and no global pages (see nooks_pt_check_cpu()). */
static void nooks_idt_load_private(void *unused)
{
	unsigned long flags;

	local_irq_save(flags);
	if (native_read_cr4() & X86_CR4_PGE)
		cr4_clear_bits_irqsoff(X86_CR4_PGE);
	nooks_idt_load(&nooks_idt_private);
	local_irq_restore(flags);
}

static int nooks_idt_cpu_online(unsigned int cpu)
{
	nooks_idt_load_private(NULL);
	return 0;
}

int nooks_pt_idt_init(void)
{
	const gate_desc *k;
	int v, ret;

	asm volatile("sidt %0" : "=m" (nooks_idt_kernel));
	k = (const gate_desc *)nooks_idt_kernel.address;
	if (nooks_idt_kernel.size + 1 < 256 * sizeof(gate_desc))
		return -EINVAL;
	nooks_idt = (gate_desc *)get_zeroed_page(GFP_KERNEL);
	if (!nooks_idt)
		return -ENOMEM;
	memcpy(nooks_idt, k, 256 * sizeof(gate_desc));
	for (v = 0; v < 256; v++) {
		unsigned long stub = nooks_idt_stub_table[v];

		if (!k[v].bits.p)
			continue;
		nooks_idt_orig[v] = gate_offset(&k[v]);
		nooks_idt[v].offset_low = (u16)stub;
		nooks_idt[v].offset_middle = (u16)(stub >> 16);
		nooks_idt[v].offset_high = (u32)(stub >> 32);
	}
	nooks_idt_private.address = (unsigned long)nooks_idt;
	nooks_idt_private.size = 256 * sizeof(gate_desc) - 1;

	/*
	 * Without the callback a CPU brought online would enter the domain
	 * with the kernel's IDT, whose handlers fault on the domain root
	 * (the guest hangs): refuse the mode instead. CPUs cannot come or go
	 * between the two steps.
	 */
	cpus_read_lock();
	ret = cpuhp_setup_state_nocalls_cpuslocked(CPUHP_AP_ONLINE_DYN,
						   "nooks/idt:online",
						   nooks_idt_cpu_online, NULL);
	if (ret >= 0)
		on_each_cpu(nooks_idt_load_private, NULL, 1);
	cpus_read_unlock();
	if (ret < 0) {
		pr_err("nooks: isolation=pagetable: no CPU-hotplug callback for the private IDT (%d)\n",
		       ret);
		free_page((unsigned long)nooks_idt);
		nooks_idt = NULL;
		return ret;
	}
	nooks_idt_hp_state = ret;
	pr_info("nooks: private IDT loaded on all CPUs\n");
	return 0;
}

void nooks_pt_idt_exit(void)
{
	if (!nooks_idt)
		return;
	if (nooks_idt_hp_state >= 0)
		cpuhp_remove_state_nocalls(nooks_idt_hp_state);
	on_each_cpu(nooks_idt_load, &nooks_idt_kernel, 1);
	/* A stub may still be running its last instructions elsewhere. */
	synchronize_rcu();
	free_page((unsigned long)nooks_idt);
	nooks_idt = NULL;
}
