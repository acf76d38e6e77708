/*
 * classify: turn a guest kernel console log into crash reports.
 *
 * Modelled on syzkaller's pkg/report: a table of oops kinds (oops_table.c),
 * each with a header regex, a title format and extra frames to skip, drives
 * one generic parser.  A new crash kind is a table row, not new code.
 *
 * Input: the raw bytes of a console log as vmctl writes it.  Each line may
 * carry a host time prefix ("[<anything that is not a printk time>] ", e.g.
 * "[2026-11-25T13:26:33.381942] "), then the kernel's printk time
 * ("[   12.345678] ").  When a line starts with two printk-time-looking
 * brackets, the first is taken as the host prefix; and once any line of a
 * log does, a lone numeric bracket on another line is taken as the host
 * prefix too (vmctl writes "[%12.6f] ", which looks just like printk's).
 * When the log has printk time stamps at all, only stamped lines may start
 * a report or an event: unstamped ones are user space writing to the
 * console (or continuation lines).  CRLF, NUL bytes and
 * other control characters, binary garbage and very long lines (cut at
 * CLASSIFY_LINE_MAX bytes for matching) are tolerated; byte ranges always
 * refer to the original buffer.
 *
 * Output: an ordered list of reports (a log may hold several), the nooks
 * runtime events, and the "worst" report.
 *
 * Report boundaries.  A report starts at a header line (see oops_table.c).
 * It ends at "---[ end trace", or at the last oops-body line (frames,
 * registers, "Call Trace:", ...) before CLASSIFY_IDLE_LINES ordinary lines,
 * or before the next header.  A header that arrives while the open report
 * has not yet shown a stack frame belongs to that report ("kernel BUG at"
 * is followed by "invalid opcode: 0000 [#1]"; "list_add corruption." by
 * "kernel BUG at lib/list_debug.c").  A "Kernel panic - not syncing" whose
 * reason is a consequence of an earlier oops ("Fatal exception", "Attempted
 * to kill init!", "softlockup: hung tasks", ...) is not a new report: it
 * marks the previous report of the same boot as having killed the kernel.
 *
 * Kernel died.  A report has kernel_died set when it is a panic or reboot,
 * or when a consequential panic followed it.  A second "Linux version"
 * banner after a boot that showed no death is reported as an unexpected
 * reboot.  A log with no kernel output at all (no printk time stamp and no
 * banner) yields one CLASSIFY_NO_OUTPUT report.  A report still open at the
 * end of the log that never showed a stack frame is marked truncated.
 *
 * Guilty frame.  Candidates are, in order, the frame in the header line
 * (WARNING), the kernel "RIP: 0010:" frame and the call trace frames,
 * minus unreliable "? " frames.  The first candidate not on the generic
 * skip list (dump_stack, panic, __die, exc_*, report_bug, ...) nor on the
 * kind's own skip list is guilty; compiler suffixes (".cold", ".isra.0")
 * are dropped.  The title is the kind's title plus " in <function>".
 *
 * Signature.  16 hex digits: FNV-1a 64 of the category name and the guilty
 * function and module (or, without a guilty frame, of the title with
 * addresses removed).  It never includes addresses, time stamps or PIDs.
 *
 * Nooks events.  Lines whose message matches
 *     ^nooks: ([a-z0-9_]+): (fault|recovered|disabled|restart-failed)\b(.*)
 * are reported as events.  CONTAINMENT RULE: an oops report is contained
 * by nooks when a "fault" event of any driver appears on a line from the
 * report's header line up to CLASSIFY_CONTAINED_LINES lines after the
 * report's last line, and before the next report begins.  The event then
 * records the report's index.  A contained report tells a campaign "oops
 * caught by nooks"; an uncontained one "oops that killed a task" (or the
 * kernel, when kernel_died is set).  A fault event whose detail says "not
 * contained" contains nothing.
 *
 * Faults only nooks reports.  The nooks die notifier stops #GP, #DE and #UD
 * before the kernel prints any oops, so such a fault shows on the console
 * as the nooks line alone ("nooks: e1000: fault #GP at
 * e1000_clean_rx_irq+0x1c/0x3a0 [e1000] addr=..." ).  A fault event that
 * no report claims becomes a contained report of its own: its category and
 * title come from the fault kind after the verb (classify_nooks_fault_kinds
 * in oops_table.c: #PF, #GP, #UD, #DE, param), its guilty frame from the
 * "at <frame>" part.  The same bug thus gets the same title and signature
 * with and without nooks, which lets a campaign pair the two runs.
 */
#ifndef NOOKS_CLASSIFY_H
#define NOOKS_CLASSIFY_H

#include <stdbool.h>
#include <stddef.h>

#define CLASSIFY_LINE_MAX 1024
#define CLASSIFY_IDLE_LINES 15
#define CLASSIFY_CONTAINED_LINES 5
#define CLASSIFY_TITLE_MAX 256
#define CLASSIFY_FUNC_MAX 128
#define CLASSIFY_MODULE_MAX 64
#define CLASSIFY_SIGNATURE_LEN 16

/* Stable: names (classify_category_name) are stored in result databases. */
enum classify_category {
	CLASSIFY_NONE = 0,		/* "none": kernel output, no report */
	CLASSIFY_PAGE_FAULT,		/* "page-fault" (incl. NULL deref) */
	CLASSIFY_KERNEL_BUG,		/* "kernel-bug": BUG() / BUG_ON() */
	CLASSIFY_BUG,			/* "bug": other "BUG: ..." */
	CLASSIFY_GPF,			/* "gpf" */
	CLASSIFY_INVALID_OPCODE,	/* "invalid-opcode" */
	CLASSIFY_DIVIDE_ERROR,		/* "divide-error" */
	CLASSIFY_OOPS,			/* "oops": other traps (double fault, ...) */
	CLASSIFY_PANIC,			/* "panic" */
	CLASSIFY_SOFT_LOCKUP,		/* "soft-lockup" */
	CLASSIFY_HARD_LOCKUP,		/* "hard-lockup" */
	CLASSIFY_HUNG_TASK,		/* "hung-task" */
	CLASSIFY_RCU_STALL,		/* "rcu-stall" */
	CLASSIFY_WARNING,		/* "warning" */
	CLASSIFY_LIST_CORRUPTION,	/* "list-corruption" */
	CLASSIFY_REBOOT,		/* "reboot" */
	CLASSIFY_NO_OUTPUT,		/* "no-output" */
	CLASSIFY_NOOKS_FAULT,		/* "nooks-fault": only nooks saw it */
	CLASSIFY_CATEGORY_COUNT
};

enum classify_event_kind {
	CLASSIFY_EVENT_FAULT = 0,	/* "fault" */
	CLASSIFY_EVENT_RECOVERED,	/* "recovered" */
	CLASSIFY_EVENT_DISABLED,	/* "disabled" */
	CLASSIFY_EVENT_RESTART_FAILED,	/* "restart-failed" */
	CLASSIFY_EVENT_KIND_COUNT
};

struct classify_report {
	enum classify_category category;
	char title[CLASSIFY_TITLE_MAX];
	char guilty_function[CLASSIFY_FUNC_MAX];	/* "" when none found */
	char guilty_module[CLASSIFY_MODULE_MAX];	/* "" = built into vmlinux */
	char signature[CLASSIFY_SIGNATURE_LEN + 1];
	bool kernel_died;	/* panic or reboot, or a panic followed */
	bool contained;		/* a nooks fault event followed (see above) */
	bool truncated;		/* the log ended inside the report */
	size_t start, end;	/* byte range [start, end) in the log */
	size_t first_line;	/* 0-based line numbers */
	size_t last_line;
	double printk_time;	/* seconds; < 0 when the line had none */
};

struct classify_event {
	enum classify_event_kind kind;
	char driver[CLASSIFY_MODULE_MAX];
	char detail[CLASSIFY_TITLE_MAX];	/* rest of the line, trimmed */
	size_t start, end;			/* the line's byte range */
	size_t line;
	double printk_time;
	int report;		/* index of the contained report, or -1 */
};

struct classify_result {
	struct classify_report *reports;
	size_t nr_reports;
	struct classify_event *events;
	size_t nr_events;
	/* Worst report (kernel death first, then kind severity), NULL if none. */
	const struct classify_report *worst;
	size_t nr_lines;
	bool kernel_output;	/* any printk time stamp or kernel banner */
};

/*
 * Classify one whole log.  Returns 0 and fills *result (free it with
 * classify_result_free), or -1 with errno set (ENOMEM; EINVAL for NULL
 * arguments).  Any byte sequence is valid input.
 */
int classify_log(const char *log, size_t len, struct classify_result *result);
void classify_result_free(struct classify_result *result);

const char *classify_category_name(enum classify_category category);
const char *classify_event_kind_name(enum classify_event_kind kind);

/* Read a whole file into memory (for tools and tests); NULL + errno. */
char *classify_read_file(const char *path, size_t *len);

/* `vmctl classify [--json] LOG...` */
int cmd_classify(int argc, char **argv);

#endif
