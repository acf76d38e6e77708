// SPDX-License-Identifier: GPL-2.0
/*
 * nooks_crashme: a test-only module that makes the guest kernel fail in a
 * chosen way, so the console classifier can be checked against real console
 * output of the real guest kernel instead of hand-written samples.
 *
 * Usage (inside a QEMU guest only, never on the host):
 *   mount -t debugfs none /sys/kernel/debug
 *   echo gpf > /sys/kernel/debug/crashme/trigger
 *
 * Every trigger is one row of crashme_triggers[]: a name and the function
 * that fails.  Reading the file lists the names.
 */
#include <linux/debugfs.h>
#include <linux/delay.h>
#include <linux/fs.h>
#include <linux/jiffies.h>
#include <linux/kernel.h>
#include <linux/list.h>
#include <linux/module.h>
#include <linux/preempt.h>
#include <linux/rcupdate.h>
#include <linux/slab.h>
#include <linux/spinlock.h>
#include <linux/string.h>
#include <linux/timer.h>
#include <linux/uaccess.h>

static unsigned int spin_secs = 30;
module_param(spin_secs, uint, 0644);
MODULE_PARM_DESC(spin_secs, "seconds the softlockup and rcustall triggers spin");

static unsigned int hung_secs = 30;
module_param(hung_secs, uint, 0644);
MODULE_PARM_DESC(hung_secs, "seconds the hung trigger sleeps uninterruptibly");

static struct dentry *crashme_dir;

/*
 * OPTIMIZER_HIDE_VAR() keeps the compiler from seeing through the bad
 * pointers and the zero divisor: it would fold the faults away or turn
 * them into its own ud2.
 */
static noinline void crashme_null_deref(void)
{
	int *p = NULL;

	OPTIMIZER_HIDE_VAR(p);
	WRITE_ONCE(*p, 1);
}

/* Kernel direct map, far beyond the guest's 256 MiB: canonical, unmapped. */
static noinline void crashme_wild_pointer(void)
{
	unsigned long *p = (void *)(PAGE_OFFSET + (64UL << 30));

	OPTIMIZER_HIDE_VAR(p);
	pr_info("crashme: reading 0x%lx\n", (unsigned long)p);
	(void)READ_ONCE(*p);
}

/* A non-canonical address raises #GP, not a page fault. */
static noinline void crashme_gpf(void)
{
	unsigned long *p = (void *)0xdead000000000000UL;

	OPTIMIZER_HIDE_VAR(p);
	(void)READ_ONCE(*p);
}

/* Crashing is this module's whole purpose: BUG() is intended here. */
static noinline void crashme_bug(void)
{
	BUG();
}

/* A bare ud2 has no __bug_table entry: the kernel reports "invalid opcode". */
static noinline void crashme_ud2(void)
{
	asm volatile("ud2");
	unreachable();
}

static noinline void crashme_divide(void)
{
	unsigned long x = 42, zero = 0;

	OPTIMIZER_HIDE_VAR(zero);
	pr_info("crashme: %lu\n", x / zero);
}

static noinline void crashme_warn(void)
{
	WARN_ON(1);
}

static noinline void crashme_panic(void)
{
	panic("nooks_crashme: panic requested");
}

/* Busy-wait without touching any watchdog. */
static noinline void crashme_spin(unsigned int secs)
{
	unsigned long end = jiffies + secs * HZ;

	while (time_before(jiffies, end))
		mdelay(1);
}

static noinline void crashme_softlockup(void)
{
	preempt_disable();
	crashme_spin(spin_secs);
	preempt_enable();
}

struct crashme_rcu_obj {
	struct rcu_head rcu;
};

static void crashme_rcu_free(struct rcu_head *head)
{
	kfree(container_of(head, struct crashme_rcu_obj, rcu));
}

/*
 * A stall is only reported while a grace period waits for this CPU: queue
 * a callback first so that one starts (run with two CPUs, so the grace
 * period kthread can run while this one spins).
 */
static noinline void crashme_rcustall(void)
{
	struct crashme_rcu_obj *obj = kmalloc(sizeof(*obj), GFP_KERNEL);

	if (obj)
		call_rcu(&obj->rcu, crashme_rcu_free);
	rcu_read_lock();
	preempt_disable();
	crashme_spin(spin_secs);
	preempt_enable();
	rcu_read_unlock();
}

/* msleep() sleeps in TASK_UNINTERRUPTIBLE, which the hung task detector watches. */
static noinline void crashme_hung(void)
{
	msleep(hung_secs * 1000);
	pr_info("crashme: hung task woke up\n");
}

static DEFINE_SPINLOCK(crashme_lock);

static noinline void crashme_atomic_sleep(void)
{
	spin_lock(&crashme_lock);
	msleep(20);
	spin_unlock(&crashme_lock);
}

/* Corrupt a back pointer, then add: CONFIG_DEBUG_LIST catches it. */
static noinline void crashme_list_corrupt(void)
{
	LIST_HEAD(head);
	struct list_head a, b;

	list_add(&a, &head);
	a.prev = (struct list_head *)0x1234UL;
	list_add(&b, &head);
	list_del(&b);
	list_del(&a);
}

/*
 * An oops in interrupt context cannot be survived by killing a task: the
 * kernel panics with "Fatal exception in interrupt", as a driver bug in an
 * interrupt handler or timer would make it.
 */
static struct timer_list crashme_timer;

static void crashme_timer_fn(struct timer_list *t)
{
	int *p = NULL;

	OPTIMIZER_HIDE_VAR(p);
	WRITE_ONCE(*p, 2);
}

static noinline void crashme_timer_null(void)
{
	timer_setup(&crashme_timer, crashme_timer_fn, 0);
	mod_timer(&crashme_timer, jiffies + 1);
	msleep(1000);
}

/* A corrupted function pointer into data: the NX bit stops it. */
static const u8 crashme_data_code[16] = { 0xc3 };

static noinline void crashme_exec_data(void)
{
	void (*fn)(void) = (void (*)(void))crashme_data_code;

	OPTIMIZER_HIDE_VAR(fn);
	fn();
}

/* SLAB_FREELIST_HARDENED notices an object freed twice in a row. */
static noinline void crashme_double_free(void)
{
	void *obj = kmalloc(64, GFP_KERNEL);

	OPTIMIZER_HIDE_VAR(obj);
	kfree(obj);
	kfree(obj);
}

/* Overrun a stack buffer: the stack protector panics on return. */
static noinline void crashme_stack_smash(void)
{
	char buf[16];
	size_t i, n = 64;

	OPTIMIZER_HIDE_VAR(n);
	for (i = 0; i < n; i++)
		buf[i] = 'A';
	OPTIMIZER_HIDE_VAR(buf[0]);
}

struct crashme_trigger {
	const char *name;
	void (*fire)(void);
};

static const struct crashme_trigger crashme_triggers[] = {
	{ "null", crashme_null_deref },
	{ "wild", crashme_wild_pointer },
	{ "gpf", crashme_gpf },
	{ "bug", crashme_bug },
	{ "ud2", crashme_ud2 },
	{ "divide", crashme_divide },
	{ "warn", crashme_warn },
	{ "panic", crashme_panic },
	{ "softlockup", crashme_softlockup },
	{ "rcustall", crashme_rcustall },
	{ "hung", crashme_hung },
	{ "atomicsleep", crashme_atomic_sleep },
	{ "listcorrupt", crashme_list_corrupt },
	{ "timernull", crashme_timer_null },
	{ "nx", crashme_exec_data },
	{ "doublefree", crashme_double_free },
	{ "stacksmash", crashme_stack_smash },
};

static ssize_t crashme_trigger_write(struct file *file, const char __user *ubuf,
				     size_t count, loff_t *ppos)
{
	char buf[32];
	size_t len = min(count, sizeof(buf) - 1);
	int i;

	if (copy_from_user(buf, ubuf, len))
		return -EFAULT;
	buf[len] = '\0';
	strim(buf);

	for (i = 0; i < ARRAY_SIZE(crashme_triggers); i++) {
		if (strcmp(buf, crashme_triggers[i].name) == 0) {
			pr_info("crashme: firing %s\n", buf);
			crashme_triggers[i].fire();
			pr_info("crashme: %s returned\n", buf);
			return count;
		}
	}
	pr_warn("crashme: unknown trigger '%s'\n", buf);
	return -EINVAL;
}

static ssize_t crashme_trigger_read(struct file *file, char __user *ubuf,
				    size_t count, loff_t *ppos)
{
	char buf[512];
	int len = 0;
	int i;

	for (i = 0; i < ARRAY_SIZE(crashme_triggers); i++)
		len += scnprintf(buf + len, sizeof(buf) - len, "%s\n",
				 crashme_triggers[i].name);
	return simple_read_from_buffer(ubuf, count, ppos, buf, len);
}

static const struct file_operations crashme_trigger_fops = {
	.owner = THIS_MODULE,
	.read = crashme_trigger_read,
	.write = crashme_trigger_write,
	.llseek = default_llseek,
};

static int __init crashme_init(void)
{
	crashme_dir = debugfs_create_dir("crashme", NULL);
	debugfs_create_file("trigger", 0600, crashme_dir, NULL,
			    &crashme_trigger_fops);
	pr_info("crashme: loaded, write a trigger name to crashme/trigger in debugfs\n");
	return 0;
}

static void __exit crashme_exit(void)
{
	debugfs_remove_recursive(crashme_dir);
}

module_init(crashme_init);
module_exit(crashme_exit);

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("nooks test module: makes the guest kernel fail on demand");
