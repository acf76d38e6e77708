/*
 * Interfaces between the classifier's files: console line splitting,
 * the oops kind table, frame parsing and signatures.  Not for users of
 * libclassify (see classify.h).
 */
#ifndef NOOKS_CLASSIFY_INTERNAL_H
#define NOOKS_CLASSIFY_INTERNAL_H

#include <regex.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "classify.h"

/* One console line: its raw bytes in the log and its cleaned message. */
struct console_line {
	size_t start, end;	/* raw bytes [start, end), without '\n' */
	const char *text;	/* message: prefixes and control chars gone */
	size_t text_len;
	double printk_time;	/* < 0 when absent */
	size_t raw_line;	/* 0-based line number in the raw log */
};

struct console {
	struct console_line *lines;
	size_t nr_lines;
	char *arena;		/* backing store of every line's text */
	size_t nr_raw_lines;	/* lines of the log; nr_lines may be more */
	bool any_printk_time;
};

int classify_console_split(const char *log, size_t len, struct console *out);
void classify_console_free(struct console *con);

/* Row flags of the oops kind table. */
enum {
	KIND_DIES = 1 << 0,		/* the kernel does not go on */
	KIND_NO_FRAMES = 1 << 1,	/* no stack expected: never truncated */
	KIND_PANIC = 1 << 2,		/* "Kernel panic": may be consequential */
	KIND_REBOOT = 1 << 3,		/* absorbed after a death in the boot */
};

struct oops_kind {
	enum classify_category category;
	const char *hint;	/* literal that must occur: cheap pre-filter */
	const char *header;	/* POSIX ERE on the message text */
	const char *title;	/* "%1" = first capture group of header */
	unsigned int flags;
	const char *const *skip;	/* extra frames to skip, NULL-ended */
	regex_t re;		/* compiled once by classify_oops_table_compile() */
};

extern struct oops_kind classify_oops_table[];
extern const size_t classify_oops_table_size;
extern const char *const classify_generic_skip_frames[];
extern const char *const classify_consequential_panic_reasons[];
extern const char *const classify_oops_body_prefixes[];
extern const int classify_category_severity[CLASSIFY_CATEGORY_COUNT];

/* Fault kinds in "nooks: <drv>: fault <kind> at ..." lines (classify.h). */
struct nooks_fault_kind {
	const char *token;	/* first word of the detail; NULL = default */
	enum classify_category category;
	const char *title;
};

extern const struct nooks_fault_kind classify_nooks_fault_kinds[];

/* Compile the table's regexes once per process; 0 or -1 (a table bug). */
int classify_oops_table_compile(void);
/* The first row whose header matches text, or NULL; capture 1 in *cap. */
const struct oops_kind *classify_oops_table_match(const char *text, char *cap,
					 size_t cap_size);
bool classify_is_banner(const char *text);
bool classify_is_end_trace(const char *text);
bool classify_is_oops_body(const char *text);
bool classify_is_consequential_panic(const char *reason);

/* A stack frame "func+0x1c/0x90 [module]" found in a line. */
struct frame {
	char function[CLASSIFY_FUNC_MAX];
	char module[CLASSIFY_MODULE_MAX];
	bool unreliable;	/* printed with "? " */
};

bool classify_frame_parse(const char *text, struct frame *out);
bool classify_frame_is_skipped(const char *function, const char *const *extra);

/* Nooks runtime event line; false if text is not one. */
bool classify_nooks_event_parse(const char *text, struct classify_event *out);

uint64_t classify_fnv1a64(uint64_t hash, const void *data, size_t len);
#define FNV1A64_INIT 0xcbf29ce484222325ULL
/* Copy src into dst replacing hex addresses by "ADDR". */
void classify_sanitize_title(char *dst, size_t dst_size, const char *src);
void classify_report_sign(struct classify_report *report);

#endif
