/* Response lines (guest/PROTOCOL.md "Responses"). */
#include "reply.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static int write_all(int fd, const char *buf, size_t len)
{
	while (len > 0) {
		ssize_t n = write(fd, buf, len);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		buf += n;
		len -= (size_t)n;
	}
	return 0;
}

/* Builds prefix + formatted tail + '\n' in one buffer, then writes it. */
static int emit(struct reply_sink *s, const char *prefix, const char *fmt,
		va_list ap)
{
	char buf[PROTO_LINE_MAX + 2];
	size_t len = 0;
	int n, rc;

	n = snprintf(buf, PROTO_LINE_MAX + 1, "%s", prefix);
	len = n < 0 ? 0 : (size_t)n > PROTO_LINE_MAX ? PROTO_LINE_MAX : (size_t)n;
	if (fmt && len < PROTO_LINE_MAX) {
		n = vsnprintf(buf + len, PROTO_LINE_MAX + 1 - len, fmt, ap);
		if (n > 0)
			len += (size_t)n;
		if (len > PROTO_LINE_MAX)
			len = PROTO_LINE_MAX;
	}
	/* A stray newline inside a value would start a bogus line. */
	for (size_t i = 0; i < len; i++)
		if (buf[i] == '\n' || buf[i] == '\r')
			buf[i] = ' ';
	buf[len++] = '\n';

	if (s->lock)
		pthread_mutex_lock(s->lock);
	rc = write_all(s->fd, buf, len);
	if (s->lock)
		pthread_mutex_unlock(s->lock);
	return rc;
}

int reply_line(struct reply_sink *s, const char *fmt, ...)
{
	va_list ap;
	int rc;

	va_start(ap, fmt);
	rc = emit(s, "", fmt, ap);
	va_end(ap);
	return rc;
}

int reply_ok(struct reply_sink *s, unsigned long long tag, const char *fmt, ...)
{
	char prefix[48];
	va_list ap;
	int rc;

	snprintf(prefix, sizeof(prefix), "%llu OK%s", tag, fmt ? " " : "");
	va_start(ap, fmt);
	rc = emit(s, prefix, fmt, ap);
	va_end(ap);
	return rc;
}

const char *reply_errno_name(int err, char *buf, size_t cap)
{
	const char *name = strerrorname_np(err);

	if (name)
		return name;
	snprintf(buf, cap, "E%d", err);
	return buf;
}

int reply_err(struct reply_sink *s, unsigned long long tag, int err,
	      const char *fmt, ...)
{
	char prefix[96], namebuf[24];
	va_list ap;
	int rc;

	snprintf(prefix, sizeof(prefix), "%llu ERR %s ", tag,
		 reply_errno_name(err, namebuf, sizeof(namebuf)));
	va_start(ap, fmt);
	rc = emit(s, prefix, fmt, ap);
	va_end(ap);
	return rc;
}

int reply_step(struct reply_sink *s, unsigned long long tag, const char *name,
	       bool pass, const char *fmt, ...)
{
	char prefix[160];
	va_list ap;
	int rc;

	snprintf(prefix, sizeof(prefix), "%llu STEP %s %s%s", tag, name,
		 pass ? "PASS" : "FAIL", fmt ? " " : "");
	va_start(ap, fmt);
	rc = emit(s, prefix, fmt, ap);
	va_end(ap);
	return rc;
}

size_t reply_escape(const char *in, size_t n, char *out, size_t cap)
{
	size_t i, o = 0;

	if (cap == 0)
		return 0;
	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)in[i];
		char tmp[5];
		size_t need;

		if (c == '\\') {
			memcpy(tmp, "\\\\", 2);
			need = 2;
		} else if (c == '\t' || (c >= 0x20 && c < 0x7f)) {
			tmp[0] = (char)c;
			need = 1;
		} else {
			snprintf(tmp, sizeof(tmp), "\\x%02x", c);
			need = 4;
		}
		if (o + need > cap - 1)
			break;
		memcpy(out + o, tmp, need);
		o += need;
	}
	out[o] = '\0';
	return i;
}

int reply_data(struct reply_sink *s, unsigned long long tag, const char *text,
	       size_t len)
{
	char esc[DATA_CHUNK * 4 + 1];

	while (len > 0) {
		const char *nl = memchr(text, '\n', len);
		size_t line = nl ? (size_t)(nl - text) : len;
		size_t done = 0;

		/* An empty line still gets its own DATA line. */
		do {
			size_t chunk = line - done > DATA_CHUNK ? DATA_CHUNK : line - done;
			size_t used = reply_escape(text + done, chunk, esc, sizeof(esc));

			if (reply_line(s, "%llu DATA %s", tag, esc) < 0)
				return -1;
			done += used;
		} while (done < line);
		if (!nl)
			break;
		text += line + 1;
		len -= line + 1;
	}
	return 0;
}

void reply_sanitize_value(char *s)
{
	for (; *s; s++)
		if (*s == ' ' || *s == '\t' || *s == '\n' || *s == '\r' || *s == '=')
			*s = '_';
}
