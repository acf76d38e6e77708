/*
 * The oops kind table: what a crash header looks like, how its report is
 * titled and which frames never are the culprit.  Order matters: the first
 * matching row wins, so specific rows come before generic ones ("BUG: soft
 * lockup" before "BUG: ...").  Adding a crash kind means adding a row.
 *
 * Headers are POSIX extended regexes matched against the message text
 * (host and printk prefixes already stripped), anchored at its start after
 * optional blanks.  "%1" in a title is the header's first capture group.
 */
#include <pthread.h>
#include <string.h>

#include "classify_internal.h"

/* Sleeping and locking primitives: a hung task waits in them, not on them. */
static const char *const sleep_skip[] = {
	"mutex_lock", "__mutex_lock", "mutex_lock_", "down", "__down",
	"rwsem_", "wait_for_completion", "__wait_for_common", "wait_for_common",
	"io_schedule", "usleep_range", "schedule_preempt_disabled",
	"rt_mutex", "wait_on_", "__wait_on", "out_of_line_wait_on",
	"synchronize_rcu", "synchronize_srcu", "__wait_rcu_gp", "wait_rcu_gp",
	"__synchronize_srcu", "flush_work", "__flush_work", "flush_workqueue",
	"__flush_workqueue", NULL,
};

/* The checkers that report a corrupt list are not the corrupter. */
static const char *const list_skip[] = {
	"__list_add_valid", "__list_del_entry_valid", "__list_add",
	"list_add", "list_del", "__list_del_entry", "list_move", NULL,
};

/* Stall detectors and the delay loops a stuck CPU spins in. */
static const char *const stall_skip[] = {
	"delay_tsc", "delay_halt", "__const_udelay", "__udelay", "udelay",
	"__delay", "native_safe_halt", "cpu_relax", "rcu_", "__rcu_",
	"print_cpu_stall", "check_cpu_stall", "nmi_cpu_backtrace",
	"nmi_trigger_cpumask_backtrace", "arch_trigger_cpumask_backtrace",
	"trigger_single_cpu_backtrace", "watchdog_timer_fn", NULL,
};

struct oops_kind classify_oops_table[] = {
	{ CLASSIFY_LIST_CORRUPTION, "corruption",
	  "^[[:blank:]]*((h?list_[a-z_]+)|([a-z_]*list)) corruption",
	  "%1 corruption", 0, list_skip, { 0 } },
	{ CLASSIFY_PAGE_FAULT, "NX-protected",
	  "^[[:blank:]]*kernel tried to execute (NX-protected page)",
	  "BUG: kernel tried to execute %1", 0, NULL, { 0 } },
	{ CLASSIFY_PAGE_FAULT, "NULL pointer",
	  "^[[:blank:]]*BUG: (kernel NULL pointer dereference)",
	  "BUG: %1", 0, NULL, { 0 } },
	{ CLASSIFY_PAGE_FAULT, "unable to handle",
	  "^[[:blank:]]*BUG: unable to handle (page fault|kernel paging request|kernel NULL pointer dereference)",
	  "BUG: unable to handle %1", 0, NULL, { 0 } },
	{ CLASSIFY_SOFT_LOCKUP, "soft lockup",
	  "^[[:blank:]]*(watchdog: )?BUG: soft lockup",
	  "BUG: soft lockup", 0, stall_skip, { 0 } },
	{ CLASSIFY_HARD_LOCKUP, "hard LOCKUP",
	  "^[[:blank:]]*(watchdog: )?(Watchdog detected hard LOCKUP|NMI watchdog: Watchdog detected hard LOCKUP)",
	  "watchdog: hard lockup", 0, stall_skip, { 0 } },
	{ CLASSIFY_BUG, "BUG:",
	  "^[[:blank:]]*BUG: (scheduling while atomic|sleeping function called from invalid context|"
	  "spinlock (recursion|lockup suspected|bad magic|already unlocked|wrong owner|wrong CPU)|"
	  "Bad page state|Bad page map|Bad rss-counter state|workqueue lockup|"
	  "using smp_processor_id\\(\\) in preemptible|stack guard page was hit|"
	  "(KASAN|KFENCE|KCSAN|KMSAN): [a-z-]+|kernel stack overflow|"
	  "Dentry still in use|Bad page cache|held lock freed!?|"
	  "workqueue leaked lock|bad unlock balance detected)",
	  "BUG: %1", 0, sleep_skip, { 0 } },
	{ CLASSIFY_BUG, "BUG:",
	  "^[[:blank:]]*BUG: ([A-Za-z][A-Za-z0-9 _-]*[A-Za-z0-9])",
	  "BUG: %1", 0, NULL, { 0 } },
	{ CLASSIFY_KERNEL_BUG, "kernel BUG",
	  "^[[:blank:]]*kernel BUG at [^ ]+",
	  "kernel BUG", 0, NULL, { 0 } },
	{ CLASSIFY_GPF, "general protection",
	  "^[[:blank:]]*general protection fault",
	  "general protection fault", 0, NULL, { 0 } },
	{ CLASSIFY_INVALID_OPCODE, "invalid opcode",
	  "^[[:blank:]]*invalid opcode: [0-9a-f]+",
	  "invalid opcode", 0, NULL, { 0 } },
	{ CLASSIFY_DIVIDE_ERROR, "divide error",
	  "^[[:blank:]]*divide error: [0-9a-f]+",
	  "divide error", 0, NULL, { 0 } },
	{ CLASSIFY_OOPS, ": ",
	  "^[[:blank:]]*(double fault|stack segment|int3|alignment check|"
	  "coprocessor segment overrun|invalid TSS|segment not present|"
	  "bounds|overflow|control protection fault): [0-9a-f]+",
	  "%1", 0, NULL, { 0 } },
	{ CLASSIFY_OOPS, "Oops",
	  "^[[:blank:]]*Oops: [0-9a-f]+ \\[#",
	  "Oops", 0, NULL, { 0 } },
	{ CLASSIFY_PANIC, "stack-protector",
	  "^[[:blank:]]*Kernel panic - not syncing: (stack-protector: Kernel stack is corrupted)",
	  "kernel panic: %1", KIND_DIES | KIND_PANIC, NULL, { 0 } },
	{ CLASSIFY_PANIC, "Kernel panic",
	  "^[[:blank:]]*Kernel panic - not syncing: ?(.*)",
	  "kernel panic: %1", KIND_DIES | KIND_PANIC, NULL, { 0 } },
	{ CLASSIFY_HUNG_TASK, "blocked for more than",
	  "^[[:blank:]]*INFO: task .* blocked for more than [0-9]+ seconds",
	  "INFO: task hung", 0, sleep_skip, { 0 } },
	{ CLASSIFY_RCU_STALL, "stall",
	  "^[[:blank:]]*(rcu: )?INFO: rcu_(sched|preempt|bh|tasks)[a-z_]* "
	  "(self-detected stall|detected stall|detected expedited stall)",
	  "INFO: rcu detected stall", 0, stall_skip, { 0 } },
	{ CLASSIFY_WARNING, "WARNING:",
	  "^[[:blank:]]*WARNING: CPU: [0-9]+ PID: [0-9]+ at ",
	  "WARNING", 0, NULL, { 0 } },
	{ CLASSIFY_WARNING, "WARNING:",
	  "^[[:blank:]]*WARNING: ([A-Za-z][A-Za-z0-9 _-]*[A-Za-z0-9])",
	  "WARNING: %1", 0, NULL, { 0 } },
	{ CLASSIFY_REBOOT, "reboot: Restarting",
	  "^[[:blank:]]*reboot: Restarting system",
	  "reboot: restarting system",
	  KIND_DIES | KIND_NO_FRAMES | KIND_REBOOT, NULL, { 0 } },
};

const size_t classify_oops_table_size = sizeof(classify_oops_table) / sizeof(classify_oops_table[0]);

/* What nooks calls the faults it stops, and what the kernel would have said. */
const struct nooks_fault_kind classify_nooks_fault_kinds[] = {
	{ "#PF", CLASSIFY_PAGE_FAULT, "BUG: unable to handle page fault" },
	{ "#GP", CLASSIFY_GPF, "general protection fault" },
	{ "#UD", CLASSIFY_INVALID_OPCODE, "invalid opcode" },
	{ "#DE", CLASSIFY_DIVIDE_ERROR, "divide error" },
	{ "oops", CLASSIFY_OOPS, "Oops" },
	{ "param", CLASSIFY_NOOKS_FAULT, "nooks: bad parameter" },
	{ NULL, CLASSIFY_NOOKS_FAULT, "nooks: fault" },
};

/*
 * Frames that print or route a crash rather than cause it.  An entry
 * ending in '$' must match the whole function name, others are prefixes.
 */
const char *const classify_generic_skip_frames[] = {
	"dump_stack", "show_stack", "show_regs", "show_trace_log_lvl",
	"panic$", "__die", "die$", "die_addr", "oops_", "do_trap",
	"do_error_trap", "do_int3", "math_error", "asm_exc_", "exc_",
	"asm_sysvec_", "sysvec_", "__sysvec_", "asm_common_interrupt",
	"common_interrupt", "report_bug", "handle_bug", "__warn", "warn_slowpath",
	"warn_bogus_irq_restore", "printk", "_printk", "vprintk", "console_",
	"page_fault_oops", "kernelmode_fixup_or_oops", "__bad_area",
	"bad_area", "do_user_addr_fault", "do_kern_addr_fault",
	"handle_page_fault", "fixup_exception", "no_context",
	"__schedule_bug", "__schedule$", "schedule$", "schedule_debug",
	"schedule_timeout", "msleep", "preempt_schedule",
	"entry_SYSCALL", "do_syscall_", "syscall_", "ret_from_fork",
	"kthread$", "worker_thread", "process_one_work", "__x64_sys_",
	"__ia32_sys_", "ksys_", "vfs_", "full_proxy_", "__kernel_write",
	"nmi_", "default_do_nmi", "lapic_", "irq_exit", "__irq_exit",
	"__do_softirq", "hrtimer_", "__hrtimer_", "tick_", "update_process_times",
	"watchdog_timer_fn", "__bug", "bug_handler", "__list_add_valid",
	"__list_del_entry_valid", "check_preemption_disabled",
	"lockdep_", "__lock_acquire", "lock_acquire", "print_usage_bug",
	"ubsan_", "__ubsan_", "kasan_", "__kasan_", "__asan_", "check_memory_region",
	/* The allocator's own checks fire inside it, not in the buggy caller. */
	"kfree$", "kfree_", "__kmem_cache_free", "kmem_cache_free", "slab_free",
	"__slab_free", "do_slab_free", "set_freepointer", "kmalloc", "__kmalloc",
	"kmem_cache_alloc", "__kmem_cache_alloc", "slab_alloc", "__slab_alloc",
	"___slab_alloc", "free_pages", "__free_pages", "free_unref_page",
	NULL,
};

/* Panic reasons that only follow an oops already reported. */
const char *const classify_consequential_panic_reasons[] = {
	"Fatal exception", "Attempted to kill init", "Attempted to kill the idle task",
	"softlockup: hung tasks", "hung_task: blocked tasks", "RCU Stall",
	"panic_on_warn set", "Oops", "Aiee, killing interrupt handler",
	"hard LOCKUP", "Hard LOCKUP", "Fatal Machine check", NULL,
};

/* Lines that belong to an oops printout: they keep a report open. */
const char *const classify_oops_body_prefixes[] = {
	"Call Trace:", "<TASK>", "</TASK>", "<IRQ>", "</IRQ>", "<NMI>", "</NMI>",
	"<EOI>", "Modules linked in:", "CPU: ", "Hardware name:", "RIP: ",
	"Code: ", "#PF: ", "PGD ", "P4D ", "Oops: ", "Tainted:", "\"echo 0 >",
	"task:", "Kernel Offset:", "Rebooting in", "---[ end Kernel panic",
	"------------[ cut here ]", "irq event stamp:", "hardirqs last",
	"softirqs last", "Workqueue: ", "Sending NMI", "NMI backtrace for cpu",
	"rcu: ", "(detected by", "Showing ", "note: ", "Dumping ftrace",
	"Shutting down cpus", "Stack:", "invalid opcode", "Fixing recursive fault",
	"Preemption disabled at:", "in_atomic()", "preempt_count:", "INFO: lockdep",
	"page:", "flags:", "raw: ", "page dumped because", "Unable to handle",
	NULL,
};

/* Higher is worse; kernel death ranks above every kind (classify.c). */
const int classify_category_severity[CLASSIFY_CATEGORY_COUNT] = {
	[CLASSIFY_NONE] = 0,
	[CLASSIFY_NO_OUTPUT] = 5,
	[CLASSIFY_NOOKS_FAULT] = 15,
	[CLASSIFY_WARNING] = 10,
	[CLASSIFY_BUG] = 20,
	[CLASSIFY_HUNG_TASK] = 25,
	[CLASSIFY_RCU_STALL] = 26,
	[CLASSIFY_SOFT_LOCKUP] = 27,
	[CLASSIFY_HARD_LOCKUP] = 28,
	[CLASSIFY_LIST_CORRUPTION] = 30,
	[CLASSIFY_OOPS] = 38,
	[CLASSIFY_KERNEL_BUG] = 40,
	[CLASSIFY_INVALID_OPCODE] = 40,
	[CLASSIFY_DIVIDE_ERROR] = 40,
	[CLASSIFY_GPF] = 40,
	[CLASSIFY_PAGE_FAULT] = 40,
	[CLASSIFY_REBOOT] = 45,
	[CLASSIFY_PANIC] = 50,
};

static regex_t banner_re;
static int compile_status;
static pthread_once_t compile_once = PTHREAD_ONCE_INIT;

static void compile_all(void)
{
	for (size_t i = 0; i < classify_oops_table_size; i++) {
		if (regcomp(&classify_oops_table[i].re, classify_oops_table[i].header,
			    REG_EXTENDED)) {
			compile_status = -1;
			return;
		}
	}
	if (regcomp(&banner_re, "^[[:blank:]]*Linux version [0-9]",
		    REG_EXTENDED | REG_NOSUB))
		compile_status = -1;
}

int classify_oops_table_compile(void)
{
	pthread_once(&compile_once, compile_all);
	return compile_status;
}

const struct oops_kind *classify_oops_table_match(const char *text, char *cap,
					 size_t cap_size)
{
	regmatch_t m[2];

	cap[0] = '\0';
	for (size_t i = 0; i < classify_oops_table_size; i++) {
		const struct oops_kind *kind = &classify_oops_table[i];

		if (!strstr(text, kind->hint))
			continue;
		if (regexec(&kind->re, text, 2, m, 0))
			continue;
		if (m[1].rm_so >= 0) {
			size_t n = (size_t)(m[1].rm_eo - m[1].rm_so);

			if (n >= cap_size)
				n = cap_size - 1;
			memcpy(cap, text + m[1].rm_so, n);
			cap[n] = '\0';
		}
		return kind;
	}
	return NULL;
}

bool classify_is_banner(const char *text)
{
	return strstr(text, "Linux version") &&
	       regexec(&banner_re, text, 0, NULL, 0) == 0;
}

static const char *skip_blanks(const char *s)
{
	while (*s == ' ' || *s == '\t')
		s++;
	return s;
}

bool classify_is_end_trace(const char *text)
{
	return strncmp(skip_blanks(text), "---[ end trace", 14) == 0;
}

/* "RAX: ...", "R10: ...", "FS:  ...": register dump lines. */
static bool is_register_line(const char *s)
{
	size_t n = 0;

	while ((s[n] >= 'A' && s[n] <= 'Z') || (s[n] >= '0' && s[n] <= '9'))
		n++;
	return n >= 2 && n <= 4 && s[n] == ':' && s[n + 1] == ' ';
}

bool classify_is_oops_body(const char *text)
{
	const char *s = skip_blanks(text);

	if (*s == '\0')
		return false;
	if (is_register_line(s))
		return true;
	for (size_t i = 0; classify_oops_body_prefixes[i]; i++)
		if (strncmp(s, classify_oops_body_prefixes[i],
			    strlen(classify_oops_body_prefixes[i])) == 0)
			return true;
	return false;
}

bool classify_is_consequential_panic(const char *reason)
{
	for (size_t i = 0; classify_consequential_panic_reasons[i]; i++)
		if (strncmp(reason, classify_consequential_panic_reasons[i],
			    strlen(classify_consequential_panic_reasons[i])) == 0)
			return true;
	return false;
}
