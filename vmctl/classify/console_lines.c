/*
 * Split a raw console log into lines and strip what is not the kernel's
 * message: the host time prefix vmctl adds, the printk time stamp, CR,
 * NUL and other control bytes.  Byte offsets keep pointing into the raw
 * log so reports can give their exact range.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "classify_internal.h"

/* Host prefixes are short; anything longer is not one. */
#define HOST_PREFIX_MAX 64

/*
 * "[   12.345678]" at p (n bytes available): returns its length and the
 * time, or 0 if p does not start with a printk time stamp.
 */
static size_t parse_printk_time(const char *p, size_t n, double *time)
{
	size_t i = 1;
	double secs = 0, scale = 0.1;
	bool digits = false, frac = false;

	if (n < 4 || p[0] != '[')
		return 0;
	while (i < n && p[i] == ' ')
		i++;
	while (i < n && p[i] >= '0' && p[i] <= '9') {
		secs = secs * 10 + (p[i] - '0');
		digits = true;
		i++;
	}
	if (!digits || i >= n || p[i] != '.')
		return 0;
	i++;
	while (i < n && p[i] >= '0' && p[i] <= '9') {
		secs += (p[i] - '0') * scale;
		scale /= 10;
		frac = true;
		i++;
	}
	if (!frac || i >= n || p[i] != ']')
		return 0;
	*time = secs;
	return i + 1;
}

/* Length of a "[...]" host prefix at p, or 0. */
static size_t parse_bracket(const char *p, size_t n)
{
	size_t limit = n < HOST_PREFIX_MAX ? n : HOST_PREFIX_MAX;

	if (n < 2 || p[0] != '[')
		return 0;
	for (size_t i = 1; i < limit; i++) {
		if (p[i] == ']')
			return i + 1;
		if (p[i] == '\n' || p[i] == '[')
			return 0;
	}
	return 0;
}

static size_t skip_one_space(const char *p, size_t n, size_t i)
{
	return (i < n && p[i] == ' ') ? i + 1 : i;
}

/*
 * Find where the message starts in the raw line p[0..n) and its printk
 * time.  Prefix rules are documented in classify.h.
 */
static size_t strip_prefixes(const char *p, size_t n, bool numeric_host,
			     double *time)
{
	double t1 = -1, t2 = -1;
	size_t first, second, i;

	*time = -1;
	first = parse_printk_time(p, n, &t1);
	if (first) {
		i = skip_one_space(p, n, first);
		second = parse_printk_time(p + i, n - i, &t2);
		if (second) {	/* host prefix that looks like a printk time */
			*time = t2;
			return skip_one_space(p, n, i + second);
		}
		if (!numeric_host)
			*time = t1;
		return i;
	}
	first = parse_bracket(p, n);
	if (!first)
		return 0;
	i = skip_one_space(p, n, first);
	second = parse_printk_time(p + i, n - i, &t2);
	if (second) {
		*time = t2;
		return skip_one_space(p, n, i + second);
	}
	return i;	/* host prefix on a line without printk time */
}

/* Copy the raw line, dropping control bytes other than TAB, at most max. */
static size_t copy_clean(char *dst, const char *src, size_t n, size_t max)
{
	size_t out = 0;

	for (size_t i = 0; i < n && out < max; i++) {
		unsigned char c = (unsigned char)src[i];

		if (c < 0x20 && c != '\t')
			continue;
		dst[out++] = (char)c;
	}
	dst[out] = '\0';
	return out;
}

/*
 * Does any line start with two printk-time-looking brackets?  Then the log
 * has a numeric host prefix ("[%12.6f] ", as vmctl writes), and a lone
 * bracket on a line is that prefix on a line the kernel did not print.
 */
static bool has_numeric_host_prefix(const char *log, size_t len)
{
	size_t pos = 0;

	while (pos < len) {
		const char *nl = memchr(log + pos, '\n', len - pos);
		size_t end = nl ? (size_t)(nl - log) : len;
		double t;
		size_t first = parse_printk_time(log + pos, end - pos, &t);

		if (first) {
			size_t i = skip_one_space(log + pos, end - pos, first);

			if (parse_printk_time(log + pos + i, end - pos - i, &t))
				return true;
		}
		pos = end + 1;
	}
	return false;
}

static struct console_line *push_line(struct console *con, size_t *cap)
{
	if (con->nr_lines == *cap) {
		size_t n = *cap * 2;
		void *p = realloc(con->lines, n * sizeof(*con->lines));

		if (!p)
			return NULL;
		con->lines = p;
		*cap = n;
	}
	return &con->lines[con->nr_lines++];
}

/*
 * Where, inside a message, another printk record starts: a kernel line
 * written right after an unfinished line of another writer, e.g.
 * "crashme-init: trig[    3.0] BUG: ...".  Returns 0 when there is none.
 */
static size_t embedded_record(const char *text, size_t n)
{
	for (size_t k = 1; k < n; k++) {
		double t;
		size_t len;

		if (text[k] != '[')
			continue;
		len = parse_printk_time(text + k, n - k, &t);
		if (len && k + len + 1 < n && text[k + len] == ' ')
			return k;
	}
	return 0;
}

int classify_console_split(const char *log, size_t len, struct console *out)
{
	bool numeric_host = has_numeric_host_prefix(log, len);
	size_t cap = 0, pos = 0;
	char *arena_pos;

	memset(out, 0, sizeof(*out));
	for (size_t i = 0; i < len; i++)
		if (log[i] == '\n')
			cap++;
	cap++;	/* last line without '\n' */
	out->lines = calloc(cap, sizeof(*out->lines));
	/* Each text is at most its raw length + NUL. */
	out->arena = malloc(len + cap);
	if (!out->lines || !out->arena)
		goto nomem;
	arena_pos = out->arena;
	while (pos < len) {
		const char *nl = memchr(log + pos, '\n', len - pos);
		size_t end = nl ? (size_t)(nl - log) : len;
		struct console_line *line = push_line(out, &cap);
		/* Clean first: NULs and CRs may sit inside the prefixes. */
		size_t n = copy_clean(arena_pos, log + pos, end - pos,
				      CLASSIFY_LINE_MAX);
		size_t msg, k;

		if (!line)
			goto nomem;
		msg = strip_prefixes(arena_pos, n, numeric_host,
				     &line->printk_time);
		while (n > msg && (arena_pos[n - 1] == ' ' ||
				   arena_pos[n - 1] == '\t'))
			arena_pos[--n] = '\0';
		line->start = pos;
		line->end = end;
		line->raw_line = out->nr_raw_lines++;
		line->text = arena_pos + msg;
		line->text_len = n - msg;
		/* Interleaved writers: one raw line, several logical lines. */
		while ((k = embedded_record(line->text, line->text_len))) {
			char *rest = (char *)line->text + k;
			size_t rest_len = line->text_len - k;
			struct console_line *next = push_line(out, &cap);
			double t = -1;
			size_t stamp;

			if (!next)
				goto nomem;
			line = next - 1;	/* push_line may have moved it */
			stamp = parse_printk_time(rest, rest_len, &t);
			next->start = line->start;
			next->end = line->end;
			next->raw_line = line->raw_line;
			next->printk_time = t;
			next->text = rest + stamp + 1;
			next->text_len = rest_len - stamp - 1;
			rest[0] = '\0';
			line->text_len = k;
			if (line->printk_time >= 0)
				out->any_printk_time = true;
			line = next;
		}
		arena_pos += n + 1;
		if (line->printk_time >= 0)
			out->any_printk_time = true;
		pos = end + 1;
	}
	return 0;
nomem:
	classify_console_free(out);
	errno = ENOMEM;
	return -1;
}

void classify_console_free(struct console *con)
{
	free(con->lines);
	free(con->arena);
	memset(con, 0, sizeof(*con));
}
