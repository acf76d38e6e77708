// SPDX-License-Identifier: GPL-2.0
/*
 * e1000_trigger: the nooks fault trigger without nooks. A test-only module
 * that makes the stock, unmodified e1000 driver fault in one of its entry
 * points, so that tests can record what the same fault does to a kernel
 * that has no protection domain (tests/integration/t_native_contrast).
 * It uses no nooks symbol and works on a guest where nooks.ko is not loaded.
 *
 * Usage (inside a QEMU guest only, never on the host), e1000 loaded:
 *   echo "<entry> <type>" > /sys/kernel/debug/e1000_trigger/arm
 *   cat /sys/kernel/debug/e1000_trigger/arm     # idle | armed ... | fired ...
 *   echo none > /sys/kernel/debug/e1000_trigger/arm   # disarm
 *
 * entry and type have the names of nooks' fault_inject (runtime/inject.c):
 *   probe          e1000_probe        (re-probe: pci unbind + bind)
 *   ndo_open       e1000_open         (ip link set up)
 *   ndo_start_xmit e1000_xmit_frame   (transmit, BH disabled)
 *   irq            e1000_intr         (hard interrupt)
 *   napi_poll      e1000_clean        (NET_RX softirq)
 *   work           e1000_watchdog     (delayed work, every 2 s while up)
 *   type = pf | gp | ud | bug | de
 *
 * Arming registers a kprobe on that e1000 function. Its pre-handler, the
 * first time it runs after arming, sets regs->ip to a fault gadget of the
 * chosen type and returns 1 (no single-step of the probed instruction), so
 * the function's body is replaced by the gadget: the fault happens with
 * e1000's caller's stack and in e1000's context (process, softirq or
 * hardirq), exactly where nooks' trigger faults inside the domain. The
 * gadgets have the shapes of runtime/gadget.S: one faulting instruction.
 * The pre-handler disarms itself (one shot); the kprobe is unregistered at
 * the next write or at module unload.
 *
 * With e1000.nooks.ko under nooks, the gadget is outside the domain (this
 * module's text), so nooks does not contain the fault either.
 */
#include <linux/atomic.h>
#include <linux/bug.h>
#include <linux/debugfs.h>
#include <linux/fs.h>
#include <linux/kernel.h>
#include <linux/kprobes.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/string.h>
#include <linux/uaccess.h>

/* The gadgets: notrace, so that the fault is their first real instruction. */
static noinline notrace void et_gadget_pf(void)
{
	unsigned long v;

	/* load from an unmapped address near NULL: #PF */
	asm volatile("movq (%1), %0" : "=r" (v) : "r" (0x10UL) : "memory");
}

static noinline notrace void et_gadget_gp(void)
{
	unsigned long v;

	/* load through a non-canonical address: #GP */
	asm volatile("movq (%1), %0"
		     : "=r" (v) : "r" (0xdead000000000100UL) : "memory");
}

static noinline notrace void et_gadget_ud(void)
{
	/* ud2 with no bug-table entry: #UD, "invalid opcode" */
	asm volatile(".byte 0x0f, 0x0b");
	unreachable();
}

static noinline notrace void et_gadget_bug(void)
{
	BUG();
}

static noinline notrace void et_gadget_de(void)
{
	/* 1 / 0: #DE, "divide error" */
	asm volatile("xorl %%ecx, %%ecx\n\t"
		     "movl $1, %%eax\n\t"
		     "xorl %%edx, %%edx\n\t"
		     "divl %%ecx"
		     : : : "eax", "ecx", "edx");
}

struct et_name {
	const char *name;
	const char *target;	/* e1000 function (entries) or NULL */
	void (*gadget)(void);	/* types */
};

static const struct et_name et_entries[] = {
	{ "probe", "e1000_probe" },
	{ "ndo_open", "e1000_open" },
	{ "ndo_start_xmit", "e1000_xmit_frame" },
	{ "irq", "e1000_intr" },
	{ "napi_poll", "e1000_clean" },
	{ "work", "e1000_watchdog" },
};

static const struct et_name et_types[] = {
	{ "pf", NULL, et_gadget_pf },
	{ "gp", NULL, et_gadget_gp },
	{ "ud", NULL, et_gadget_ud },
	{ "bug", NULL, et_gadget_bug },
	{ "de", NULL, et_gadget_de },
};

static DEFINE_MUTEX(et_lock);		/* arm/disarm and the strings below */
static struct kprobe et_kp;
static bool et_registered;
static const struct et_name *et_entry, *et_type;
static atomic_t et_armed = ATOMIC_INIT(0);	/* 1 until the probe fires */
static struct dentry *et_dir;

static int et_pre_handler(struct kprobe *p, struct pt_regs *regs)
{
	if (!atomic_xchg(&et_armed, 0))
		return 0;	/* fired already: let the function run */
	/* Returning 1 after changing ip: kprobes skips the single-step. */
	instruction_pointer_set(regs, (unsigned long)READ_ONCE(et_type)->gadget);
	return 1;
}

static void et_disarm_locked(void)
{
	atomic_set(&et_armed, 0);
	if (et_registered)
		unregister_kprobe(&et_kp);
	et_registered = false;
	et_entry = NULL;
	et_type = NULL;
}

static const struct et_name *et_find(const struct et_name *tab, size_t n,
				     const char *name)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (!strcmp(tab[i].name, name))
			return &tab[i];
	return NULL;
}

static int et_arm_locked(const char *entry, const char *type)
{
	const struct et_name *e, *t;
	int ret;

	e = et_find(et_entries, ARRAY_SIZE(et_entries), entry);
	t = et_find(et_types, ARRAY_SIZE(et_types), type);
	if (!e || !t) {
		pr_err("e1000_trigger: unknown %s '%s'\n", e ? "type" : "entry",
		       e ? type : entry);
		return -EINVAL;
	}
	memset(&et_kp, 0, sizeof(et_kp));
	et_kp.symbol_name = e->target;
	et_kp.pre_handler = et_pre_handler;
	et_entry = e;
	et_type = t;
	atomic_set(&et_armed, 1);
	ret = register_kprobe(&et_kp);
	if (ret) {
		pr_err("e1000_trigger: kprobe on %s failed (%d): is e1000 loaded?\n",
		       e->target, ret);
		atomic_set(&et_armed, 0);
		et_entry = NULL;
		et_type = NULL;
		return ret;
	}
	et_registered = true;
	pr_info("e1000_trigger: armed %s (%s) %s\n", e->name, e->target, t->name);
	return 0;
}

static ssize_t et_arm_write(struct file *file, const char __user *ubuf,
			    size_t len, loff_t *ppos)
{
	char buf[64], entry[32], type[16];
	int n, ret = 0;

	if (len >= sizeof(buf))
		return -EINVAL;
	if (copy_from_user(buf, ubuf, len))
		return -EFAULT;
	buf[len] = '\0';
	n = sscanf(buf, "%31s %15s", entry, type);
	if (n < 1)
		return -EINVAL;
	mutex_lock(&et_lock);
	et_disarm_locked();
	if (strcmp(entry, "none")) {
		if (n != 2) {
			pr_err("e1000_trigger: write \"<entry> <type>\" or \"none\"\n");
			ret = -EINVAL;
		} else {
			ret = et_arm_locked(entry, type);
		}
	}
	mutex_unlock(&et_lock);
	return ret ? ret : len;
}

static ssize_t et_arm_read(struct file *file, char __user *ubuf, size_t len,
			   loff_t *ppos)
{
	char buf[96];
	int n;

	mutex_lock(&et_lock);
	if (!et_entry)
		n = scnprintf(buf, sizeof(buf), "idle\n");
	else
		n = scnprintf(buf, sizeof(buf), "%s %s %s %s\n",
			      atomic_read(&et_armed) ? "armed" : "fired",
			      et_entry->name, et_entry->target, et_type->name);
	mutex_unlock(&et_lock);
	return simple_read_from_buffer(ubuf, len, ppos, buf, n);
}

static const struct file_operations et_arm_fops = {
	.owner = THIS_MODULE,
	.read = et_arm_read,
	.write = et_arm_write,
	.llseek = default_llseek,
};

static int __init et_init(void)
{
	et_dir = debugfs_create_dir("e1000_trigger", NULL);
	debugfs_create_file("arm", 0600, et_dir, NULL, &et_arm_fops);
	return 0;
}

static void __exit et_exit(void)
{
	debugfs_remove_recursive(et_dir);
	mutex_lock(&et_lock);
	et_disarm_locked();
	mutex_unlock(&et_lock);
}

module_init(et_init);
module_exit(et_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("Test only: make the stock e1000 fault in one entry point (kprobe + gadget)");
