/* Formatting and writing of agent → host lines. Every line is built whole in
 * a buffer and written with one locked write, so heartbeats from their own
 * thread never split a response line. */
#ifndef NOOKS_AGENT_REPLY_H
#define NOOKS_AGENT_REPLY_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>

#include "proto.h"

/* Where lines go: the serial port (shared with the heartbeat thread, hence
 * the lock) or a worker's pipe to the main loop (lock NULL). */
struct reply_sink {
	int fd;
	pthread_mutex_t *lock;
};

/* Writes one line (a '\n' is appended). Over-long lines are truncated to
 * PROTO_LINE_MAX. Returns 0, or -1 when the sink is gone. */
int reply_line(struct reply_sink *s, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* "<tag> OK[ extra]" — fmt may be NULL for a bare OK. */
int reply_ok(struct reply_sink *s, unsigned long long tag, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* "<tag> ERR <errno name> <message>" */
int reply_err(struct reply_sink *s, unsigned long long tag, int err,
	      const char *fmt, ...) __attribute__((format(printf, 4, 5)));

/* "<tag> STEP <name> PASS|FAIL[ extra]" */
int reply_step(struct reply_sink *s, unsigned long long tag, const char *name,
	       bool pass, const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));

/* Sends len bytes of text as DATA lines: split at '\n' (a final partial line
 * is sent too) and at DATA_CHUNK bytes; escaped with reply_escape. */
#define DATA_CHUNK 1024
int reply_data(struct reply_sink *s, unsigned long long tag, const char *text,
	       size_t len);

/* Escapes bytes for a DATA line: printable ASCII and tab stay, a backslash
 * becomes "\\", anything else "\xHH". Writes at most cap-1 bytes plus a NUL
 * and returns how many input bytes were consumed (a byte is never split). */
size_t reply_escape(const char *in, size_t n, char *out, size_t cap);

/* The errno name ("ENOENT"), or "E<number>" for an unknown one. */
const char *reply_errno_name(int err, char *buf, size_t cap);

/* Replaces blanks in a value so that it stays one key=value token. */
void reply_sanitize_value(char *s);

#endif
