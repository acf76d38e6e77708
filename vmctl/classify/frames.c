/*
 * Stack frames as x86 kernels print them, "func+0x1c/0x90 [module]", in
 * call traces, "RIP: 0010:func+0x5/0x10" lines and WARNING headers, and
 * the skip lists that choose the guilty one.
 */
#include <stdio.h>
#include <string.h>

#include "classify_internal.h"

static bool is_sym_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	       (c >= '0' && c <= '9') || c == '_' || c == '.' || c == '$';
}

static bool is_hex(char c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') ||
	       (c >= 'A' && c <= 'F');
}

static bool is_mod_char(char c)
{
	return is_sym_char(c) || c == '-';
}

/* Length of "0x<hex>" at p, or 0. */
static size_t hex_literal(const char *p)
{
	size_t n = 2;

	if (p[0] != '0' || p[1] != 'x' || !is_hex(p[2]))
		return 0;
	while (is_hex(p[n]))
		n++;
	return n;
}

/* Copy [s, s+n) bounded; the function name loses ".cold"/".isra.0" etc. */
static void copy_name(char *dst, size_t size, const char *s, size_t n,
		      bool cut_suffix)
{
	if (cut_suffix) {
		const char *dot = memchr(s, '.', n);

		if (dot && dot > s)
			n = (size_t)(dot - s);
	}
	if (n >= size)
		n = size - 1;
	memcpy(dst, s, n);
	dst[n] = '\0';
}

/* Is the text before a symbol "? " (an unreliable frame)? */
static bool unreliable_before(const char *line, const char *sym)
{
	const char *p = sym;

	while (p > line && p[-1] == ' ')
		p--;
	return p > line && p[-1] == '?' && p < sym;
}

bool classify_frame_parse(const char *text, struct frame *out)
{
	for (const char *plus = strstr(text, "+0x"); plus;
	     plus = strstr(plus + 1, "+0x")) {
		const char *sym = plus, *p;
		size_t n;

		while (sym > text && is_sym_char(sym[-1]))
			sym--;
		/* A symbol starts with a letter, '_' or '.'. */
		while (sym < plus && ((*sym >= '0' && *sym <= '9') || *sym == '$'))
			sym++;
		if (sym == plus)
			continue;
		p = plus + 1;
		n = hex_literal(p);
		if (!n || p[n] != '/')
			continue;
		p += n + 1;
		n = hex_literal(p);
		if (!n)
			continue;
		p += n;
		copy_name(out->function, sizeof(out->function), sym,
			  (size_t)(plus - sym), true);
		if (out->function[0] == '\0')
			continue;
		out->module[0] = '\0';
		if (p[0] == ' ' && p[1] == '[') {
			const char *m = p + 2, *e = m;

			while (is_mod_char(*e))
				e++;
			if (*e == ']' && e > m)
				copy_name(out->module, sizeof(out->module), m,
					  (size_t)(e - m), false);
		}
		out->unreliable = unreliable_before(text, sym);
		return true;
	}
	return false;
}

static bool matches_skip(const char *function, const char *pattern)
{
	size_t n = strlen(pattern);

	if (n > 0 && pattern[n - 1] == '$')
		return strlen(function) == n - 1 &&
		       strncmp(function, pattern, n - 1) == 0;
	return strncmp(function, pattern, n) == 0;
}

bool classify_frame_is_skipped(const char *function, const char *const *extra)
{
	for (size_t i = 0; classify_generic_skip_frames[i]; i++)
		if (matches_skip(function, classify_generic_skip_frames[i]))
			return true;
	for (size_t i = 0; extra && extra[i]; i++)
		if (matches_skip(function, extra[i]))
			return true;
	return false;
}
