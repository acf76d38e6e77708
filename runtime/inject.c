// SPDX-License-Identifier: GPL-2.0
/*
 * Test-only fault trigger: /sys/kernel/debug/nooks/<driver>/fault_inject.
 *
 * Writing "<entry> <type>" arms the domain: the NEXT call through that
 * entry (probe, ndo_open, ndo_start_xmit, irq, napi_poll, timer, work,
 * pm_suspend, pm_resume, shutdown, err_detected, slot_reset, err_resume)
 * executes a fault gadget instead of the driver's callback. What executes
 * is exactly this: the trampoline has entered the domain and saved its
 * recovery context, then calls nooks_gadget_<type>, a few instructions of
 * nooks' own text (gadget.S, and nooks_gadget_bug below) ending in the
 * faulting instruction:
 *   pf   load from address 0x10          -> #PF, caught at DIE_OOPS
 *   gp   load from a non-canonical addr  -> #GP, caught at DIE_GPF
 *   ud   ud2 with no bug-table entry     -> #UD, caught at DIE_TRAP
 *   bug  BUG() (ud2 + bug-table entry)   -> "kernel BUG", #UD at DIE_TRAP
 *   de   divl by zero                    -> #DE, caught at DIE_TRAP
 * and four writes to kernel memory the driver does not own (gadget
 * nooks_gadget_write: one movq), caught only with isolation=pagetable:
 *   wkmalloc  a kmalloc'd kernel object (allocated here, never granted)
 *   wmodule   another module's data (a word in nooks.ko's .data)
 *   wpercpu   this CPU's copy of a per-CPU variable (nooks.ko's)
 *   wstack    another task's kernel stack (an idle kthread's, low end)
 *   wcaller   the stack of the kernel code that called the driver: a word
 *             in the entry's own recovery context (struct nooks_ctx)
 * and four faults recognised by where they happen:
 *   wild       a jump to an address that is no code (0xffff800000000000)
 *   memset     memset() of 64 bytes at that address: faults in memset
 *   stackprot  the driver's __stack_chk_fail(), as if its canary was hit
 *   leak       preempt_disable() with no enable (a lock kept): the callback
 *              then runs and returns with the preempt count raised
 * With isolation=exceptions the writes go undetected: the driver's
 * callback then runs as usual. debugfs nooks/pt_victims shows the five words (wcaller:
 * the last one aimed at, and the value the entry found there on return).
 * The fault handler attributes faults in the gadgets to the innermost
 * entry's domain, as it does for the driver's own text. The driver's code
 * is not modified; the injector's mutated binaries exercise that path.
 * The trigger is one-shot: it disarms itself when it fires.
 */
#include <linux/debugfs.h>
#include <linux/kthread.h>
#include <linux/percpu.h>
#include <linux/seq_file.h>
#include <linux/sched/task_stack.h>
#include <linux/slab.h>
#include <linux/uaccess.h>

#include "nooks_internal.h"
#include "pt/pt.h"

static struct dentry *nooks_debugfs_root;

static const char * const nooks_inject_entries[NOOKS_INJ_NR] = {
	[NOOKS_INJ_NONE] = "none",
	[NOOKS_INJ_PROBE] = "probe",
	[NOOKS_INJ_NDO_OPEN] = "ndo_open",
	[NOOKS_INJ_NDO_START_XMIT] = "ndo_start_xmit",
	[NOOKS_INJ_IRQ] = "irq",
	[NOOKS_INJ_NAPI_POLL] = "napi_poll",
	[NOOKS_INJ_TIMER] = "timer",
	[NOOKS_INJ_WORK] = "work",
	[NOOKS_INJ_PM_SUSPEND] = "pm_suspend",
	[NOOKS_INJ_PM_RESUME] = "pm_resume",
	[NOOKS_INJ_SHUTDOWN] = "shutdown",
	[NOOKS_INJ_ERR_DETECTED] = "err_detected",
	[NOOKS_INJ_ERR_SLOT_RESET] = "slot_reset",
	[NOOKS_INJ_ERR_RESUME] = "err_resume",
};

static const char * const nooks_inject_types[NOOKS_INJT_NR] = {
	[NOOKS_INJT_PF] = "pf",
	[NOOKS_INJT_GP] = "gp",
	[NOOKS_INJT_UD] = "ud",
	[NOOKS_INJT_BUG] = "bug",
	[NOOKS_INJT_DE] = "de",
	[NOOKS_INJT_WKMALLOC] = "wkmalloc",
	[NOOKS_INJT_WMODULE] = "wmodule",
	[NOOKS_INJT_WPERCPU] = "wpercpu",
	[NOOKS_INJT_WSTACK] = "wstack",
	[NOOKS_INJT_WCALLER] = "wcaller",
	[NOOKS_INJT_WILD] = "wild",
	[NOOKS_INJT_MEMSET] = "memset",
	[NOOKS_INJT_STACKPROT] = "stackprot",
	[NOOKS_INJT_LEAK] = "leak",
};

/* The write trigger's victims: kernel memory no domain is granted. */
#define NOOKS_VICTIM_STACK_OFF	512	/* above STACK_END_MAGIC, never used */
static unsigned long *nooks_victim_kmalloc;
static unsigned long nooks_victim_module = 1;
static DEFINE_PER_CPU(unsigned long, nooks_victim_pcpu);
static struct task_struct *nooks_victim_task;
static unsigned long nooks_victim_seq;
/* wcaller: the last word aimed at, and what its entry found there. */
static unsigned long nooks_victim_caller_addr, nooks_victim_caller_val;

static int nooks_victim_thread(void *unused)
{
	while (!kthread_should_stop()) {
		set_current_state(TASK_INTERRUPTIBLE);
		if (!kthread_should_stop())
			schedule();
		__set_current_state(TASK_RUNNING);
	}
	return 0;
}

static unsigned long *nooks_victim_stack_word(void)
{
	if (!nooks_victim_task)
		return NULL;
	return task_stack_page(nooks_victim_task) + NOOKS_VICTIM_STACK_OFF;
}

static unsigned long *nooks_victim(int type)
{
	switch (type) {
	case NOOKS_INJT_WKMALLOC:
		return nooks_victim_kmalloc;
	case NOOKS_INJT_WMODULE:
		return &nooks_victim_module;
	case NOOKS_INJT_WPERCPU:
		return this_cpu_ptr(&nooks_victim_pcpu);
	case NOOKS_INJT_WSTACK:
		return nooks_victim_stack_word();
	case NOOKS_INJT_WCALLER: {
		struct nooks_ctx *c = nooks_innermost(nooks_level_now());

		if (!c)
			return NULL;
		nooks_victim_caller_addr = (unsigned long)&c->caller_victim;
		nooks_victim_caller_val = 0;
		return &c->caller_victim;
	}
	}
	return NULL;
}

#define NOOKS_GADGET_BUG_SPAN 32

static noinline void nooks_gadget_bug(void)
{
	BUG();
}

bool nooks_addr_in_gadget(unsigned long addr)
{
	unsigned long bug = (unsigned long)nooks_gadget_bug;

	return (addr >= (unsigned long)nooks_gadget_start &&
		addr < (unsigned long)nooks_gadget_end) ||
	       (addr >= bug && addr < bug + NOOKS_GADGET_BUG_SPAN);
}

static void nooks_fire(int type, unsigned long *victim, unsigned long seq)
{
	switch (type) {
	case NOOKS_INJT_PF:
		nooks_gadget_pf();
		break;
	case NOOKS_INJT_GP:
		nooks_gadget_gp();
		break;
	case NOOKS_INJT_UD:
		nooks_gadget_ud();
		break;
	case NOOKS_INJT_BUG:
		nooks_gadget_bug();
		break;
	case NOOKS_INJT_DE:
		nooks_gadget_de();
		break;
	case NOOKS_INJT_WILD:
		nooks_gadget_wild();
		break;
	case NOOKS_INJT_MEMSET:
		nooks_gadget_memset();
		break;
	case NOOKS_INJT_STACKPROT:
		nooks_w___stack_chk_fail();
		break;
	case NOOKS_INJT_LEAK:
		preempt_disable();	/* and return to run the callback */
		break;
	default:
		if (victim)
			nooks_gadget_write(victim, 0x6e6f6f6b73000000UL | seq);
		break;
	}
}

void nooks_inject_maybe(struct nooks_domain *d, enum nooks_inject_entry e)
{
	unsigned long *victim = NULL, cr3, seq = 0;
	int type = 0;
	bool fire;

	if (likely(e == NOOKS_INJ_NONE ||
		   atomic_read(&d->inject_entry) != e))
		return;
	/* This runs inside the entry: leave the domain root to do our part. */
	cr3 = nooks_pt_out();
	fire = atomic_cmpxchg(&d->inject_entry, e, NOOKS_INJ_NONE) == e;
	if (fire) {
		type = d->inject_type;
		victim = nooks_victim(type);
		seq = ++nooks_victim_seq;
		if (victim)
			pr_info("nooks: %s: injecting %s in %s at %lx\n",
				d->name, nooks_inject_types[type],
				nooks_inject_entries[e], (unsigned long)victim);
		else
			pr_info("nooks: %s: injecting %s in %s\n", d->name,
				nooks_inject_types[type],
				nooks_inject_entries[e]);
	}
	nooks_pt_back(cr3);
	if (fire) {
		/* Reached inside a wrapper (batch.c): fire on the domain root. */
		bool loaded = nooks_pt_into(d);

		nooks_fire(type, victim, seq);
		nooks_pt_outof(loaded);
	}
}

/*
 * The trampoline's hook: with a domain stack the trigger runs on it, on
 * the domain root, like the driver's callback would.
 */
void nooks_inject_fire_entry(struct nooks_ctx *c, enum nooks_inject_entry e)
{
	NOOKS_DOMAIN_CALL_VOID(c, nooks_inject_maybe, (c->d, e));
}

/* nooks_leave(): the wcaller write landed in the entry's context. */
void nooks_inject_caller_seen(unsigned long value)
{
	WRITE_ONCE(nooks_victim_caller_val, value);
}

static int nooks_lookup(const char * const *names, int n, const char *s)
{
	int i;

	for (i = 0; i < n; i++)
		if (names[i] && !strcmp(names[i], s))
			return i;
	return -1;
}

static ssize_t nooks_inject_write(struct file *f, const char __user *ubuf,
				  size_t len, loff_t *ppos)
{
	struct nooks_domain *d = file_inode(f)->i_private;
	char buf[64], entry[32], type[16];
	int e, t;

	if (len >= sizeof(buf))
		return -EINVAL;
	if (copy_from_user(buf, ubuf, len))
		return -EFAULT;
	buf[len] = '\0';
	if (sscanf(buf, "%31s %15s", entry, type) != 2)
		return -EINVAL;
	e = nooks_lookup(nooks_inject_entries, NOOKS_INJ_NR, entry);
	t = nooks_lookup(nooks_inject_types, NOOKS_INJT_NR, type);
	if (e <= NOOKS_INJ_NONE || t < 0)
		return -EINVAL;
	d->inject_type = t;
	atomic_set(&d->inject_entry, e);
	return len;
}

static ssize_t nooks_inject_read(struct file *f, char __user *ubuf,
				 size_t len, loff_t *ppos)
{
	struct nooks_domain *d = file_inode(f)->i_private;
	int e = atomic_read(&d->inject_entry);
	char buf[64];
	int n;

	if (e == NOOKS_INJ_NONE)
		n = scnprintf(buf, sizeof(buf), "none\n");
	else
		n = scnprintf(buf, sizeof(buf), "%s %s\n",
			      nooks_inject_entries[e],
			      nooks_inject_types[d->inject_type]);
	return simple_read_from_buffer(ubuf, len, ppos, buf, n);
}

static int nooks_victims_show(struct seq_file *m, void *unused)
{
	unsigned long *stack = nooks_victim_stack_word();

	/* Test-only: the addresses are what the fault lines must name. */
	seq_printf(m, "wkmalloc %lx %#lx\n", (unsigned long)nooks_victim_kmalloc,
		   nooks_victim_kmalloc ? *nooks_victim_kmalloc : 0);
	seq_printf(m, "wmodule %lx %#lx\n", (unsigned long)&nooks_victim_module,
		   nooks_victim_module);
	seq_printf(m, "wpercpu %lx %#lx\n",
		   (unsigned long)this_cpu_ptr(&nooks_victim_pcpu),
		   this_cpu_read(nooks_victim_pcpu));
	seq_printf(m, "wstack %lx %#lx\n", (unsigned long)stack,
		   stack ? *stack : 0);
	seq_printf(m, "wcaller %lx %#lx\n", READ_ONCE(nooks_victim_caller_addr),
		   READ_ONCE(nooks_victim_caller_val));
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(nooks_victims);

static const struct file_operations nooks_inject_fops = {
	.owner = THIS_MODULE,
	.read = nooks_inject_read,
	.write = nooks_inject_write,
	.llseek = default_llseek,
};

int nooks_debugfs_init(void)
{
	nooks_debugfs_root = debugfs_create_dir("nooks", NULL);
	nooks_victim_kmalloc = kzalloc(sizeof(*nooks_victim_kmalloc) * 8,
				       GFP_KERNEL);
	nooks_victim_task = kthread_run(nooks_victim_thread, NULL,
					"nooks_victim");
	if (IS_ERR(nooks_victim_task))
		nooks_victim_task = NULL;
	debugfs_create_file("pt_victims", 0400, nooks_debugfs_root, NULL,
			    &nooks_victims_fops);
	return 0;
}

void nooks_debugfs_exit(void)
{
	debugfs_remove_recursive(nooks_debugfs_root);
	if (nooks_victim_task)
		kthread_stop(nooks_victim_task);
	kfree(nooks_victim_kmalloc);
}

void nooks_debugfs_add(struct nooks_domain *d)
{
	d->debugfs_dir = debugfs_create_dir(d->name, nooks_debugfs_root);
	debugfs_create_file("fault_inject", 0600, d->debugfs_dir, d,
			    &nooks_inject_fops);
	nooks_pcierr_debugfs_add(d, d->debugfs_dir);
}

void nooks_debugfs_remove(struct nooks_domain *d)
{
	debugfs_remove_recursive(d->debugfs_dir);
	d->debugfs_dir = NULL;
}
