/*
 * The classifier proper: one pass over the console lines, driven by the
 * oops kind table, that opens, extends and closes reports; then guilty
 * frames, titles, signatures, nooks containment and the worst report.
 * The rules are documented in classify.h.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "classify_internal.h"

/* Frames kept per report while it is open: the guilty one is near the top. */
#define MAX_CANDIDATES 48

static const char *const category_names[CLASSIFY_CATEGORY_COUNT] = {
	[CLASSIFY_NONE] = "none",
	[CLASSIFY_PAGE_FAULT] = "page-fault",
	[CLASSIFY_KERNEL_BUG] = "kernel-bug",
	[CLASSIFY_BUG] = "bug",
	[CLASSIFY_GPF] = "gpf",
	[CLASSIFY_INVALID_OPCODE] = "invalid-opcode",
	[CLASSIFY_DIVIDE_ERROR] = "divide-error",
	[CLASSIFY_OOPS] = "oops",
	[CLASSIFY_PANIC] = "panic",
	[CLASSIFY_SOFT_LOCKUP] = "soft-lockup",
	[CLASSIFY_HARD_LOCKUP] = "hard-lockup",
	[CLASSIFY_HUNG_TASK] = "hung-task",
	[CLASSIFY_RCU_STALL] = "rcu-stall",
	[CLASSIFY_WARNING] = "warning",
	[CLASSIFY_LIST_CORRUPTION] = "list-corruption",
	[CLASSIFY_REBOOT] = "reboot",
	[CLASSIFY_NO_OUTPUT] = "no-output",
	[CLASSIFY_NOOKS_FAULT] = "nooks-fault",
};

const char *classify_category_name(enum classify_category category)
{
	if ((unsigned int)category >= CLASSIFY_CATEGORY_COUNT)
		return "unknown";
	return category_names[category];
}

/* Parser state for the report being read. */
struct open_report {
	struct classify_report *report;	/* NULL when none is open */
	const struct oops_kind *kind;
	struct frame frames[MAX_CANDIDATES];
	size_t nr_frames;
	size_t idle;		/* ordinary lines since the last body line */
	char capture[CLASSIFY_TITLE_MAX];
};

struct parser {
	const struct console *con;
	struct classify_result *res;
	size_t reports_cap, events_cap;
	struct open_report open;
	size_t boot_first_report;	/* index of the boot's first report */
	bool boot_died;
	bool seen_banner;
};

static struct classify_report *new_report(struct parser *ps,
					  enum classify_category category,
					  size_t line)
{
	struct classify_result *res = ps->res;
	const struct console_line *l = &ps->con->lines[line];
	struct classify_report *r;

	if (res->nr_reports == ps->reports_cap) {
		size_t cap = ps->reports_cap ? ps->reports_cap * 2 : 4;
		void *p = realloc(res->reports, cap * sizeof(*res->reports));

		if (!p)
			return NULL;
		res->reports = p;
		ps->reports_cap = cap;
	}
	r = &res->reports[res->nr_reports++];
	memset(r, 0, sizeof(*r));
	r->category = category;
	r->start = l->start;
	r->end = l->end;
	r->first_line = r->last_line = line;
	r->printk_time = l->printk_time;
	return r;
}

static int add_event(struct parser *ps, const struct classify_event *ev)
{
	struct classify_result *res = ps->res;

	if (res->nr_events == ps->events_cap) {
		size_t cap = ps->events_cap ? ps->events_cap * 2 : 4;
		void *p = realloc(res->events, cap * sizeof(*res->events));

		if (!p)
			return -1;
		res->events = p;
		ps->events_cap = cap;
	}
	res->events[res->nr_events++] = *ev;
	return 0;
}

static void extend_to(struct classify_report *r, const struct console *con,
		      size_t line)
{
	r->end = con->lines[line].end;
	r->last_line = line;
}

/* Expand "%1" in the kind's title format with the (clean) capture. */
static void format_title(char *dst, size_t size, const char *fmt,
			 const char *capture)
{
	char clean[CLASSIFY_TITLE_MAX];
	size_t out = 0;

	classify_sanitize_title(clean, sizeof(clean), capture);
	for (const char *f = fmt; *f && out + 1 < size; f++) {
		if (f[0] == '%' && f[1] == '1') {
			for (const char *c = clean; *c && out + 1 < size; c++)
				dst[out++] = *c;
			f++;
			continue;
		}
		dst[out++] = *f;
	}
	dst[out] = '\0';
}

static void choose_guilty(struct open_report *o)
{
	struct classify_report *r = o->report;
	const struct frame *pick = NULL;

	for (size_t i = 0; i < o->nr_frames && !pick; i++)
		if (!classify_frame_is_skipped(o->frames[i].function, o->kind->skip))
			pick = &o->frames[i];
	if (!pick)
		return;
	snprintf(r->guilty_function, sizeof(r->guilty_function), "%s",
		 pick->function);
	snprintf(r->guilty_module, sizeof(r->guilty_module), "%s",
		 pick->module);
}

/* Finish the open report: guilty frame, title, signature. */
static void close_report(struct parser *ps, bool at_eof)
{
	struct open_report *o = &ps->open;
	struct classify_report *r = o->report;
	size_t n;

	if (!r)
		return;
	choose_guilty(o);
	format_title(r->title, sizeof(r->title), o->kind->title, o->capture);
	n = strlen(r->title);
	if (r->guilty_function[0])
		snprintf(r->title + n, sizeof(r->title) - n, " in %s",
			 r->guilty_function);
	if (at_eof && o->nr_frames == 0 && !(o->kind->flags & KIND_NO_FRAMES))
		r->truncated = true;
	classify_report_sign(r);
	memset(o, 0, sizeof(*o));
}

static void note_frame(struct open_report *o, const char *text)
{
	struct frame f;

	if (!classify_frame_parse(text, &f) || f.unreliable)
		return;
	/* A user-mode "RIP: 0033:0x47b7a0" has no symbol: no frame there. */
	if (o->nr_frames < MAX_CANDIDATES)
		o->frames[o->nr_frames++] = f;
}

/* The last report of the current boot, if any. */
static struct classify_report *last_in_boot(struct parser *ps)
{
	struct classify_result *res = ps->res;

	if (res->nr_reports <= ps->boot_first_report)
		return NULL;
	return &res->reports[res->nr_reports - 1];
}

static int on_header(struct parser *ps, size_t line,
		     const struct oops_kind *kind, const char *capture)
{
	struct open_report *o = &ps->open;
	const char *text = ps->con->lines[line].text;
	struct classify_report *r;

	if ((kind->flags & KIND_PANIC) && classify_is_consequential_panic(capture)) {
		r = o->report ? o->report : last_in_boot(ps);
		if (r && r->category != CLASSIFY_PANIC &&
		    r->category != CLASSIFY_REBOOT) {
			r->kernel_died = true;
			ps->boot_died = true;
			extend_to(r, ps->con, line);
			if (o->report)
				o->idle = 0;
			return 0;
		}
	}
	if ((kind->flags & KIND_REBOOT) && ps->boot_died) {
		if (o->report) {
			extend_to(o->report, ps->con, line);
			o->idle = 0;
		}
		return 0;
	}
	/* Part of the open report's header block (see classify.h). */
	if (o->report && o->nr_frames == 0) {
		if (kind->flags & KIND_DIES) {
			o->report->kernel_died = true;
			ps->boot_died = true;
		}
		extend_to(o->report, ps->con, line);
		o->idle = 0;
		note_frame(o, text);
		return 0;
	}
	close_report(ps, false);
	r = new_report(ps, kind->category, line);
	if (!r)
		return -1;
	o->report = r;
	o->kind = kind;
	snprintf(o->capture, sizeof(o->capture), "%s", capture);
	if (kind->flags & KIND_DIES) {
		r->kernel_died = true;
		ps->boot_died = true;
	}
	note_frame(o, text);
	return 0;
}

static int on_banner(struct parser *ps, size_t line)
{
	struct classify_report *r;

	close_report(ps, false);
	if (ps->seen_banner && !ps->boot_died) {
		r = new_report(ps, CLASSIFY_REBOOT, line);
		if (!r)
			return -1;
		r->kernel_died = true;
		snprintf(r->title, sizeof(r->title), "unexpected reboot");
		classify_report_sign(r);
	}
	ps->seen_banner = true;
	ps->boot_died = false;
	ps->boot_first_report = ps->res->nr_reports;
	return 0;
}

static void on_plain_line(struct parser *ps, size_t line)
{
	struct open_report *o = &ps->open;
	const char *text = ps->con->lines[line].text;
	size_t before = o->nr_frames;

	if (!o->report)
		return;
	/* User space output between kernel lines is never part of an oops. */
	if (ps->con->any_printk_time && ps->con->lines[line].printk_time < 0) {
		if (++o->idle > CLASSIFY_IDLE_LINES)
			close_report(ps, false);
		return;
	}
	if (classify_is_end_trace(text)) {
		extend_to(o->report, ps->con, line);
		close_report(ps, false);
		return;
	}
	note_frame(o, text);
	if (o->nr_frames > before || classify_is_oops_body(text) ||
	    strstr(text, "+0x")) {
		extend_to(o->report, ps->con, line);
		o->idle = 0;
		return;
	}
	if (++o->idle > CLASSIFY_IDLE_LINES)
		close_report(ps, false);
}

static int parse_lines(struct parser *ps)
{
	char capture[CLASSIFY_TITLE_MAX];

	for (size_t i = 0; i < ps->con->nr_lines; i++) {
		const struct console_line *l = &ps->con->lines[i];
		const struct oops_kind *kind;
		struct classify_event ev;

		if (l->text_len == 0) {
			on_plain_line(ps, i);
			continue;
		}
		/*
		 * With time stamps on, the kernel stamps every record: an
		 * unstamped line is user space (or a continuation) and may
		 * not start a report or an event.
		 */
		if (ps->con->any_printk_time && l->printk_time < 0) {
			on_plain_line(ps, i);
			continue;
		}
		if (classify_nooks_event_parse(l->text, &ev)) {
			ev.start = l->start;
			ev.end = l->end;
			ev.line = i;
			ev.printk_time = l->printk_time;
			if (add_event(ps, &ev))
				return -1;
			on_plain_line(ps, i);
			continue;
		}
		if (classify_is_banner(l->text)) {
			ps->res->kernel_output = true;
			if (on_banner(ps, i))
				return -1;
			continue;
		}
		kind = classify_oops_table_match(l->text, capture, sizeof(capture));
		if (kind) {
			if (on_header(ps, i, kind, capture))
				return -1;
			continue;
		}
		on_plain_line(ps, i);
	}
	close_report(ps, true);
	return 0;
}

static bool fault_event_contains(const struct classify_event *ev)
{
	return ev->kind == CLASSIFY_EVENT_FAULT &&
	       !strstr(ev->detail, "not contained");
}

static bool can_be_contained(const struct classify_report *r)
{
	return r->category != CLASSIFY_PANIC &&
	       r->category != CLASSIFY_REBOOT &&
	       r->category != CLASSIFY_NO_OUTPUT;
}

/*
 * Last line of report i's containment window: CLASSIFY_CONTAINED_LINES
 * after the report, but never into the next one.  Windows are disjoint and
 * ordered like the reports.
 */
static size_t window_end(const struct classify_result *res, size_t i)
{
	size_t limit = res->reports[i].last_line + CLASSIFY_CONTAINED_LINES;

	if (i + 1 < res->nr_reports && res->reports[i + 1].first_line <= limit)
		limit = res->reports[i + 1].first_line ?
			res->reports[i + 1].first_line - 1 : 0;
	return limit;
}

/*
 * Containment rule of classify.h: a nooks fault near an oops.  Events and
 * reports are both in line order, so one merge pass does it (a log of a
 * million faults must not cost a million squared).
 */
static void attribute_events(struct classify_result *res)
{
	size_t i = 0;

	for (size_t r = 0; r < res->nr_reports; r++)
		res->reports[r].contained = false;
	for (size_t e = 0; e < res->nr_events; e++) {
		struct classify_event *ev = &res->events[e];

		ev->report = -1;
		if (!fault_event_contains(ev))
			continue;
		while (i < res->nr_reports && window_end(res, i) < ev->line)
			i++;
		if (i == res->nr_reports)
			break;
		if (ev->line >= res->reports[i].first_line &&
		    can_be_contained(&res->reports[i])) {
			res->reports[i].contained = true;
			ev->report = (int)i;
		}
	}
}

static const struct nooks_fault_kind *fault_kind_of(const char *detail)
{
	const struct nooks_fault_kind *k = classify_nooks_fault_kinds;
	size_t n = strcspn(detail, " \t");

	for (; k->token; k++)
		if (strlen(k->token) == n && strncmp(detail, k->token, n) == 0)
			break;
	return k;
}

/* "param at pci_set_master addr=0": the word after " at ". */
static void function_after_at(const char *detail, char *dst, size_t size)
{
	const char *at = strstr(detail, " at ");
	size_t n;

	dst[0] = '\0';
	if (!at)
		return;
	at += 4;
	n = strspn(at, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
		       "0123456789_");
	if (n == 0 || n >= size)
		return;
	memcpy(dst, at, n);
	dst[n] = '\0';
}

/* A fault only nooks reported becomes a report of its own (classify.h). */
static int report_lone_faults(struct parser *ps)
{
	struct classify_result *res = ps->res;
	size_t nr_events = res->nr_events;

	for (size_t e = 0; e < nr_events; e++) {
		const struct classify_event *ev = &res->events[e];
		const struct nooks_fault_kind *kind;
		struct classify_report *r;
		struct frame f;

		if (ev->report >= 0 || !fault_event_contains(ev))
			continue;
		kind = fault_kind_of(ev->detail);
		r = new_report(ps, kind->category, ev->line);
		if (!r)
			return -1;
		if (classify_frame_parse(ev->detail, &f)) {
			snprintf(r->guilty_function, sizeof(r->guilty_function),
				 "%s", f.function);
			snprintf(r->guilty_module, sizeof(r->guilty_module),
				 "%s", f.module);
		} else {
			function_after_at(ev->detail, r->guilty_function,
					  sizeof(r->guilty_function));
		}
		snprintf(r->title, sizeof(r->title), "%s%s%s", kind->title,
			 r->guilty_function[0] ? " in " : "",
			 r->guilty_function);
		classify_report_sign(r);
	}
	return 0;
}

static int by_first_line(const void *a, const void *b)
{
	const struct classify_report *x = a, *y = b;

	return (x->first_line > y->first_line) - (x->first_line < y->first_line);
}

static int severity(const struct classify_report *r)
{
	return classify_category_severity[r->category] + (r->kernel_died ? 100 : 0);
}

static void choose_worst(struct classify_result *res)
{
	res->worst = NULL;
	for (size_t i = 0; i < res->nr_reports; i++)
		if (!res->worst || severity(&res->reports[i]) > severity(res->worst))
			res->worst = &res->reports[i];
}

/* Internally lines are logical (split records); callers see raw lines. */
static void raw_line_numbers(struct classify_result *res,
			     const struct console *con)
{
	if (con->nr_lines == 0)
		return;
	for (size_t i = 0; i < res->nr_reports; i++) {
		struct classify_report *r = &res->reports[i];

		r->first_line = con->lines[r->first_line].raw_line;
		r->last_line = con->lines[r->last_line].raw_line;
	}
	for (size_t i = 0; i < res->nr_events; i++)
		res->events[i].line = con->lines[res->events[i].line].raw_line;
}

int classify_log(const char *log, size_t len, struct classify_result *result)
{
	struct console con;
	struct parser ps;

	if (!result || (!log && len)) {
		errno = EINVAL;
		return -1;
	}
	memset(result, 0, sizeof(*result));
	if (classify_oops_table_compile()) {
		errno = EINVAL;
		return -1;
	}
	if (classify_console_split(log ? log : "", len, &con))
		return -1;
	memset(&ps, 0, sizeof(ps));
	ps.con = &con;
	ps.res = result;
	result->nr_lines = con.nr_raw_lines;
	result->kernel_output = con.any_printk_time;
	if (parse_lines(&ps))
		goto nomem;
	attribute_events(result);
	if (result->nr_events) {
		size_t before = result->nr_reports;

		if (report_lone_faults(&ps))
			goto nomem;
		if (result->nr_reports != before) {
			qsort(result->reports, result->nr_reports,
			      sizeof(*result->reports), by_first_line);
			attribute_events(result);
		}
	}
	if (result->nr_reports || result->nr_events)
		result->kernel_output = true;
	if (!result->kernel_output) {
		struct classify_report *r;

		r = new_report(&ps, CLASSIFY_NO_OUTPUT, 0);
		if (!r)
			goto nomem;
		r->start = 0;
		r->end = len;
		r->last_line = con.nr_lines ? con.nr_lines - 1 : 0;
		snprintf(r->title, sizeof(r->title), "no output from kernel");
		classify_report_sign(r);
	}
	choose_worst(result);
	raw_line_numbers(result, &con);
	classify_console_free(&con);
	return 0;
nomem:
	classify_console_free(&con);
	classify_result_free(result);
	errno = ENOMEM;
	return -1;
}

void classify_result_free(struct classify_result *result)
{
	if (!result)
		return;
	free(result->reports);
	free(result->events);
	memset(result, 0, sizeof(*result));
}
