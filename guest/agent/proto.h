/* Parsing of host → agent command lines (guest/PROTOCOL.md) and of the
 * numeric arguments commands take. Pure functions: no I/O, unit tested. */
#ifndef NOOKS_AGENT_PROTO_H
#define NOOKS_AGENT_PROTO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define PROTO_LINE_MAX 4096   /* bytes per line, without the '\n' */
#define PROTO_MAX_ARGS 64
#define PROTO_BUDGET_MAX 86400u

enum proto_status {
	PROTO_OK = 0,
	PROTO_EMPTY,          /* blank line: ignored, no reply */
	PROTO_BAD_TAG,        /* first token is not a decimal tag */
	PROTO_NO_VERB,        /* a tag and nothing else */
	PROTO_TOO_MANY_ARGS,
	PROTO_TOO_LONG,
};

/* One parsed command. tokens points into tok_buf (a tokenised copy of the
 * line); raw keeps the untouched line so that `exec` can take the rest of
 * the line verbatim. */
struct proto_cmd {
	unsigned long long tag;
	const char *verb;
	int argc;                       /* arguments after the verb */
	const char *argv[PROTO_MAX_ARGS];
	char raw[PROTO_LINE_MAX + 1];
	char tok_buf[PROTO_LINE_MAX + 1];
};

/* Parses one line (no trailing '\n'; a trailing '\r' is dropped). */
enum proto_status proto_parse_line(const char *line, size_t len,
				   struct proto_cmd *cmd);

/* The raw text after the first `nargs` arguments following the verb, with
 * leading blanks skipped; "" when there is nothing. */
const char *proto_rest_after(const struct proto_cmd *cmd, int nargs);

/* Decimal tag: 1..18 digits, nothing else. */
bool proto_parse_tag(const char *s, unsigned long long *tag);

/* Budget in whole seconds, 1..PROTO_BUDGET_MAX. */
bool proto_parse_budget(const char *s, unsigned *seconds);

/* File size for `put`: decimal, 0..max. */
bool proto_parse_size(const char *s, unsigned long long max,
		      unsigned long long *size);

/* CRC-32 as 1..8 hex digits, optional 0x prefix. */
bool proto_parse_crc(const char *s, uint32_t *crc);

/* Human text for a parse status, for the ERR line. */
const char *proto_status_text(enum proto_status st);

#endif
