// SPDX-License-Identifier: MIT
/* linebuf.c — see linebuf.h. */
#include "linebuf.h"

#include <errno.h>
#include <string.h>
#include <unistd.h>

void linebuf_init(struct linebuf *lb)
{
	lb->len = 0;
	lb->eof = false;
}

long linebuf_fill(struct linebuf *lb, int fd)
{
	ssize_t n;

	if (lb->len >= LINEBUF_MAX)
		return -ENOBUFS; /* caller must take lines first */
	do {
		n = read(fd, lb->buf + lb->len, LINEBUF_MAX - lb->len);
	} while (n < 0 && errno == EINTR);
	if (n < 0)
		return -errno;
	if (n == 0)
		lb->eof = true;
	lb->len += (size_t)n;
	return n;
}

size_t linebuf_put(struct linebuf *lb, const char *data, size_t len)
{
	size_t room = LINEBUF_MAX - lb->len;

	if (len > room)
		len = room;
	memcpy(lb->buf + lb->len, data, len);
	lb->len += len;
	return len;
}

static void emit(struct linebuf *lb, size_t n, size_t skip, char *out, size_t size)
{
	size_t copy = n < size - 1 ? n : size - 1;

	memcpy(out, lb->buf, copy);
	out[copy] = '\0';
	if (copy > 0 && out[copy - 1] == '\r')
		out[copy - 1] = '\0';
	memmove(lb->buf, lb->buf + n + skip, lb->len - n - skip);
	lb->len -= n + skip;
}

bool linebuf_take(struct linebuf *lb, char *out, size_t size)
{
	char *nl = memchr(lb->buf, '\n', lb->len);

	if (nl) {
		emit(lb, (size_t)(nl - lb->buf), 1, out, size);
		return true;
	}
	/* A full buffer without newline, or a line longer than the caller's
	 * buffer: deliver the first part so the stream keeps moving. */
	if (lb->len >= LINEBUF_MAX || lb->len >= size - 1) {
		emit(lb, size - 1 < lb->len ? size - 1 : lb->len, 0, out, size);
		return true;
	}
	return false;
}

bool linebuf_take_rest(struct linebuf *lb, char *out, size_t size)
{
	if (linebuf_take(lb, out, size))
		return true;
	if (lb->len == 0)
		return false;
	emit(lb, lb->len, 0, out, size);
	return true;
}
