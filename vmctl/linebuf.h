/* SPDX-License-Identifier: MIT */
/* linebuf.h — turns a byte stream into '\n'-terminated lines. Used by the
 * QMP, agent and console readers. Over-long lines are cut at the buffer size
 * (and the rest delivered as further lines) rather than stalling the stream. */
#ifndef VMCTL_LINEBUF_H
#define VMCTL_LINEBUF_H

#include <stdbool.h>
#include <stddef.h>

#define LINEBUF_MAX 65536

struct linebuf {
	char buf[LINEBUF_MAX + 1];
	size_t len;
	bool eof;
};

void linebuf_init(struct linebuf *lb);

/* Read what is available from fd (one read()). Returns bytes read, 0 on
 * EOF (sets eof), -errno on error (-EAGAIN when non-blocking and empty). */
long linebuf_fill(struct linebuf *lb, int fd);

/* Append bytes directly (tests, console). Returns bytes taken. */
size_t linebuf_put(struct linebuf *lb, const char *data, size_t len);

/* Pop the next complete line into out (NUL-terminated, without "\n" or a
 * trailing "\r"). Returns true if a line was popped. */
bool linebuf_take(struct linebuf *lb, char *out, size_t size);

/* Pop whatever is left (a final line without newline). */
bool linebuf_take_rest(struct linebuf *lb, char *out, size_t size);

#endif
