/* Command-line parsing for the agent protocol. A command is
 * "<tag> <verb> [args...]" separated by blanks; see guest/PROTOCOL.md. */
#include "proto.h"

#include <ctype.h>
#include <string.h>

static bool is_blank(char c)
{
	return c == ' ' || c == '\t';
}

bool proto_parse_tag(const char *s, unsigned long long *tag)
{
	unsigned long long v = 0;
	size_t n = 0;

	for (; s[n]; n++) {
		if (!isdigit((unsigned char)s[n]) || n >= 18)
			return false;
		v = v * 10 + (unsigned)(s[n] - '0');
	}
	if (n == 0)
		return false;
	*tag = v;
	return true;
}

enum proto_status proto_parse_line(const char *line, size_t len,
				   struct proto_cmd *cmd)
{
	char *p, *tok[PROTO_MAX_ARGS + 2];
	int ntok = 0;

	if (len > 0 && line[len - 1] == '\r')
		len--;
	if (len > PROTO_LINE_MAX)
		return PROTO_TOO_LONG;
	memset(cmd, 0, sizeof(*cmd));
	memcpy(cmd->raw, line, len);
	memcpy(cmd->tok_buf, line, len);

	p = cmd->tok_buf;
	for (;;) {
		while (is_blank(*p))
			p++;
		if (!*p)
			break;
		if (ntok == PROTO_MAX_ARGS + 2)
			return PROTO_TOO_MANY_ARGS;
		tok[ntok++] = p;
		while (*p && !is_blank(*p))
			p++;
		if (*p)
			*p++ = '\0';
	}
	if (ntok == 0)
		return PROTO_EMPTY;
	if (!proto_parse_tag(tok[0], &cmd->tag))
		return PROTO_BAD_TAG;
	if (ntok < 2)
		return PROTO_NO_VERB;
	cmd->verb = tok[1];
	cmd->argc = ntok - 2;
	for (int i = 0; i < cmd->argc; i++)
		cmd->argv[i] = tok[i + 2];
	return PROTO_OK;
}

const char *proto_rest_after(const struct proto_cmd *cmd, int nargs)
{
	const char *p = cmd->raw;

	/* Skip the tag, the verb and nargs arguments: 2 + nargs tokens. */
	for (int i = 0; i < 2 + nargs; i++) {
		while (is_blank(*p))
			p++;
		while (*p && !is_blank(*p))
			p++;
	}
	while (is_blank(*p))
		p++;
	return p;
}

bool proto_parse_budget(const char *s, unsigned *seconds)
{
	unsigned long long v;

	if (!s || !proto_parse_tag(s, &v) || v == 0 || v > PROTO_BUDGET_MAX)
		return false;
	*seconds = (unsigned)v;
	return true;
}

bool proto_parse_size(const char *s, unsigned long long max,
		      unsigned long long *size)
{
	unsigned long long v;

	if (!s || !proto_parse_tag(s, &v) || v > max)
		return false;
	*size = v;
	return true;
}

bool proto_parse_crc(const char *s, uint32_t *crc)
{
	uint32_t v = 0;
	size_t n = 0;

	if (!s)
		return false;
	if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X'))
		s += 2;
	for (; s[n]; n++) {
		int c = tolower((unsigned char)s[n]);

		if (n >= 8 || !isxdigit(c))
			return false;
		v = v << 4 | (uint32_t)(isdigit(c) ? c - '0' : c - 'a' + 10);
	}
	if (n == 0)
		return false;
	*crc = v;
	return true;
}

const char *proto_status_text(enum proto_status st)
{
	switch (st) {
	case PROTO_OK:            return "ok";
	case PROTO_EMPTY:         return "empty line";
	case PROTO_BAD_TAG:       return "line does not start with a decimal tag";
	case PROTO_NO_VERB:       return "missing verb";
	case PROTO_TOO_MANY_ARGS: return "too many arguments";
	case PROTO_TOO_LONG:      return "line longer than 4096 bytes";
	}
	return "unknown parse error";
}
