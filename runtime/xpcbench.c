// SPDX-License-Identifier: GPL-2.0
/*
 * /sys/kernel/debug/nooks/xpc_bench: what one crossing costs, measured in
 * the kernel on a real domain with whatever isolation that domain uses:
 * the crossings below are the very calls the trampolines and wrappers
 * make, so a mode that changes nooks_enter/nooks_leave or
 * nooks_kernel_enter/nooks_kernel_exit is measured without change here.
 *
 *   echo "N [driver]" > xpc_bench   driver: default e1000, else the only domain
 *   cat xpc_bench
 *
 * Three loops of N, timed with ktime (ns) and the TSC (cycles):
 *   indirect_call      a call through a function pointer to a no-op (the
 *                      baseline: what a call costs without nooks)
 *   domain_entry_exit  NOOKS_CALL of that no-op: nooks_enter, recovery
 *                      context save, the call, nooks_leave - what every
 *                      kernel->driver trampoline does (process level)
 *   domain_entry_exit_softirq  the same from a tasklet: the level of the
 *                      NAPI poll entry (its own per-CPU entry stack)
 *   kernel_crossing    a call from inside one entry of the domain to a
 *                      null wrapper: nooks_kernel_enter, the no-op,
 *                      nooks_kernel_exit, built like the real wrappers
 *                      (NOOKS_PT_WRAPPER(), with which
 *                      isolation=pagetable leaves the domain root around
 *                      every wrapper); everything else here is notrace
 * The loops run in chunks with a reschedule point between them (a slow
 * isolation mode must not stall the CPU); besides the mean, the best
 * chunk is reported, the figure least disturbed by interrupts. The
 * entries count in the domain's xpc_count like any other.
 */
#include <linux/completion.h>
#include <linux/debugfs.h>
#include <linux/interrupt.h>
#include <linux/math64.h>
#include <linux/sched.h>
#include <linux/timex.h>
#include <linux/uaccess.h>

#include "nooks_internal.h"

#define XPCB_CHUNK	1000
#define XPCB_MAX_N	10000000
#define XPCB_REPORT_LEN	1024

enum xpcb_op {
	XPCB_INDIRECT, XPCB_ENTRY, XPCB_ENTRY_SOFTIRQ, XPCB_KERNEL, XPCB_NR
};

static const char * const xpcb_op_names[XPCB_NR] = {
	[XPCB_INDIRECT] = "indirect_call",
	[XPCB_ENTRY] = "domain_entry_exit",
	[XPCB_ENTRY_SOFTIRQ] = "domain_entry_exit_softirq",
	[XPCB_KERNEL] = "kernel_crossing",
};

/* One timed chunk: what it took, and whether the domain could be entered. */
struct xpcb_chunk_time {
	u64 ns;
	cycles_t cycles;
	bool ok;
};

struct xpcb_result {
	u64 ns, cycles;
	u64 best_chunk_ns;
	unsigned int best_chunk_n;
};

/* Domains the benchmark may enter; a domain leaves only between runs. */
static struct nooks_domain *xpcb_domains[NOOKS_MAX_DOMAINS];
static DEFINE_MUTEX(xpcb_lock);
static bool xpcb_file_made;
static char xpcb_report[XPCB_REPORT_LEN];

static noinline notrace int xpcb_nop(int x)
{
	barrier();
	return x;
}

/* Read with READ_ONCE: the compiler must emit a real indirect call. */
static int (*xpcb_fn)(int) = xpcb_nop;

/*
 * A wrapper around the no-op: the only function here that leaves the
 * domain root, and the only one that is not notrace.
 */
static noinline int xpcb_null_wrapper(struct nooks_domain *d, int x)
{
	NOOKS_PT_WRAPPER();
	int ret;

	nooks_kernel_enter(d, "xpc_bench");
	ret = READ_ONCE(xpcb_fn)(x);
	nooks_kernel_exit(d);
	return ret;
}

/* Runs inside the domain: @n driver->kernel crossings, as drivers make. */
static noinline notrace int xpcb_kernel_calls(struct nooks_domain *d,
					      unsigned int n)
{
	unsigned int i;

	for (i = 0; i < n; i++)
		xpcb_null_wrapper(d, i);
	return 0;
}

/* One chunk of @n operations; false when the domain could not be entered. */
static notrace bool xpcb_chunk(struct nooks_domain *d, enum xpcb_op op,
			       unsigned int n)
{
	unsigned int i;
	int r = 0;

	switch (op) {
	case XPCB_INDIRECT:
		for (i = 0; i < n; i++)
			READ_ONCE(xpcb_fn)(i);
		break;
	case XPCB_ENTRY:
	case XPCB_ENTRY_SOFTIRQ:
		for (i = 0; i < n && !r; i++)
			NOOKS_CALL(d, "xpc_bench", NOOKS_INJ_NONE, r, -EIO,
				   READ_ONCE(xpcb_fn), (0));
		break;
	case XPCB_KERNEL:
		NOOKS_CALL(d, "xpc_bench", NOOKS_INJ_NONE, r, -EIO,
			   xpcb_kernel_calls, (d, n));
		break;
	default:
		break;
	}
	return r == 0;
}

static notrace void xpcb_time_chunk(struct nooks_domain *d, enum xpcb_op op,
				    unsigned int n, struct xpcb_chunk_time *t)
{
	u64 t0 = ktime_get_ns();
	cycles_t c0 = get_cycles();

	t->ok = xpcb_chunk(d, op, n);
	t->cycles = get_cycles() - c0;
	t->ns = ktime_get_ns() - t0;
}

/* A chunk run at softirq level, from a tasklet; the writer waits for it. */
static struct xpcb_softirq_run {
	struct tasklet_struct tasklet;
	struct completion done;
	struct nooks_domain *d;
	unsigned int n;
	struct xpcb_chunk_time t;
} xpcb_softirq;

static void xpcb_softirq_fn(struct tasklet_struct *t)
{
	struct xpcb_softirq_run *run = from_tasklet(run, t, tasklet);

	xpcb_time_chunk(run->d, XPCB_ENTRY_SOFTIRQ, run->n, &run->t);
	complete(&run->done);
}

static void xpcb_time_chunk_softirq(struct nooks_domain *d, unsigned int n,
				    struct xpcb_chunk_time *t)
{
	struct xpcb_softirq_run *run = &xpcb_softirq;

	run->d = d;
	run->n = n;
	init_completion(&run->done);
	tasklet_setup(&run->tasklet, xpcb_softirq_fn);
	tasklet_schedule(&run->tasklet);
	wait_for_completion(&run->done);
	tasklet_kill(&run->tasklet);
	*t = run->t;
}

static int xpcb_measure(struct nooks_domain *d, enum xpcb_op op,
			unsigned int n, struct xpcb_result *res)
{
	struct xpcb_chunk_time t;
	unsigned int done = 0;

	memset(res, 0, sizeof(*res));
	while (done < n) {
		unsigned int k = min_t(unsigned int, XPCB_CHUNK, n - done);

		if (op == XPCB_ENTRY_SOFTIRQ)
			xpcb_time_chunk_softirq(d, k, &t);
		else
			xpcb_time_chunk(d, op, k, &t);
		if (!t.ok)
			return -EIO;
		res->ns += t.ns;
		res->cycles += t.cycles;
		/* best per-op chunk: compare t.ns / k across chunks */
		if (!res->best_chunk_n ||
		    t.ns * res->best_chunk_n < res->best_chunk_ns * k) {
			res->best_chunk_ns = t.ns;
			res->best_chunk_n = k;
		}
		done += k;
		cond_resched();
	}
	return 0;
}

/* @ns over @n as "<int>.<3 decimals>" */
static int xpcb_fmt_per_op(char *buf, size_t len, u64 ns, unsigned int n)
{
	u64 ps = div_u64(ns * 1000, n);

	return scnprintf(buf, len, "%llu.%03llu", div_u64(ps, 1000),
			 ps - div_u64(ps, 1000) * 1000);
}

static void xpcb_write_report(struct nooks_domain *d, unsigned int n,
			      const struct xpcb_result *res)
{
	char mean[32], best[32];
	int len, op;

	len = scnprintf(xpcb_report, sizeof(xpcb_report),
			"domain %s iterations %u\n%-26s %12s %12s %10s\n",
			d->name, n, "op", "ns/op", "best_ns/op", "cycles/op");
	for (op = 0; op < XPCB_NR; op++) {
		xpcb_fmt_per_op(mean, sizeof(mean), res[op].ns, n);
		xpcb_fmt_per_op(best, sizeof(best), res[op].best_chunk_ns,
				res[op].best_chunk_n);
		len += scnprintf(xpcb_report + len, sizeof(xpcb_report) - len,
				 "%-26s %12s %12s %10llu\n", xpcb_op_names[op],
				 mean, best, div_u64(res[op].cycles, n));
	}
}

/* By name; without one, e1000's domain, else the only domain. */
static struct nooks_domain *xpcb_find(const char *name)
{
	struct nooks_domain *only = NULL;
	int i, nr = 0;

	for (i = 0; i < NOOKS_MAX_DOMAINS; i++) {
		struct nooks_domain *d = xpcb_domains[i];

		if (!d)
			continue;
		if (!strcmp(d->name, name[0] ? name : "e1000"))
			return d;
		only = d;
		nr++;
	}
	return !name[0] && nr == 1 ? only : NULL;
}

static ssize_t xpcb_write(struct file *f, const char __user *ubuf,
			  size_t len, loff_t *ppos)
{
	struct xpcb_result res[XPCB_NR];
	char buf[80], name[MODULE_NAME_LEN] = "";
	struct nooks_domain *d;
	unsigned int n;
	int op, ret = 0;

	if (len >= sizeof(buf))
		return -EINVAL;
	if (copy_from_user(buf, ubuf, len))
		return -EFAULT;
	buf[len] = '\0';
	if (sscanf(buf, "%u %55s", &n, name) < 1 || !n || n > XPCB_MAX_N)
		return -EINVAL;

	mutex_lock(&xpcb_lock);
	d = xpcb_find(name);
	if (!d) {
		ret = -ENODEV;
		goto out;
	}
	for (op = 0; op < XPCB_NR && !ret; op++)
		ret = xpcb_measure(d, op, n, &res[op]);
	if (ret) {
		scnprintf(xpcb_report, sizeof(xpcb_report),
			  "domain %s: not callable (state %s)\n", d->name,
			  nooks_state_name(atomic_read(&d->state)));
		goto out;
	}
	xpcb_write_report(d, n, res);
out:
	mutex_unlock(&xpcb_lock);
	return ret ? ret : len;
}

static ssize_t xpcb_read(struct file *f, char __user *ubuf, size_t len,
			 loff_t *ppos)
{
	ssize_t ret;

	mutex_lock(&xpcb_lock);
	if (!xpcb_report[0])
		strscpy(xpcb_report, "no run yet: echo N > xpc_bench\n",
			sizeof(xpcb_report));
	ret = simple_read_from_buffer(ubuf, len, ppos, xpcb_report,
				      strlen(xpcb_report));
	mutex_unlock(&xpcb_lock);
	return ret;
}

static const struct file_operations xpcb_fops = {
	.owner = THIS_MODULE,
	.read = xpcb_read,
	.write = xpcb_write,
	.llseek = default_llseek,
};

/* The file lives in nooks' debugfs directory (inject.c), removed with it. */
static void xpcb_make_file(void)
{
	struct dentry *root;

	if (xpcb_file_made)
		return;
	root = debugfs_lookup("nooks", NULL);
	if (IS_ERR_OR_NULL(root))
		return;
	debugfs_create_file("xpc_bench", 0600, root, NULL, &xpcb_fops);
	dput(root);
	xpcb_file_made = true;
}

void nooks_xpcbench_add(struct nooks_domain *d)
{
	int i;

	mutex_lock(&xpcb_lock);
	xpcb_make_file();
	for (i = 0; i < NOOKS_MAX_DOMAINS; i++) {
		if (!xpcb_domains[i]) {
			xpcb_domains[i] = d;
			break;
		}
	}
	mutex_unlock(&xpcb_lock);
}

/* Waits for a run in progress on @d to end. */
void nooks_xpcbench_remove(struct nooks_domain *d)
{
	int i;

	mutex_lock(&xpcb_lock);
	for (i = 0; i < NOOKS_MAX_DOMAINS; i++)
		if (xpcb_domains[i] == d)
			xpcb_domains[i] = NULL;
	mutex_unlock(&xpcb_lock);
}
