/*
 * Events of the nooks runtime on the console:
 *   nooks: <driver>: fault|recovered|disabled|restart-failed <detail>
 * The detail format is not fixed; only the driver and the verb matter here.
 */
#include <string.h>

#include "classify_internal.h"

static const char *const event_verbs[CLASSIFY_EVENT_KIND_COUNT] = {
	[CLASSIFY_EVENT_FAULT] = "fault",
	[CLASSIFY_EVENT_RECOVERED] = "recovered",
	[CLASSIFY_EVENT_DISABLED] = "disabled",
	[CLASSIFY_EVENT_RESTART_FAILED] = "restart-failed",
};

const char *classify_event_kind_name(enum classify_event_kind kind)
{
	if ((unsigned int)kind >= CLASSIFY_EVENT_KIND_COUNT)
		return "unknown";
	return event_verbs[kind];
}

static bool is_driver_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_';
}

/* The verb must end at a word boundary (the "\b" of the contract). */
static bool is_word_char(char c)
{
	return is_driver_char(c) || (c >= 'A' && c <= 'Z');
}

bool classify_nooks_event_parse(const char *text, struct classify_event *out)
{
	const char *p = text, *driver;
	size_t n;

	while (*p == ' ' || *p == '\t')
		p++;
	if (strncmp(p, "nooks: ", 7) != 0)
		return false;
	driver = p += 7;
	while (is_driver_char(*p))
		p++;
	n = (size_t)(p - driver);
	if (n == 0 || n >= sizeof(out->driver) || p[0] != ':' || p[1] != ' ')
		return false;
	p += 2;
	for (int k = 0; k < CLASSIFY_EVENT_KIND_COUNT; k++) {
		size_t vlen = strlen(event_verbs[k]);
		const char *rest;

		if (strncmp(p, event_verbs[k], vlen) != 0 ||
		    is_word_char(p[vlen]))
			continue;
		memset(out, 0, sizeof(*out));
		out->kind = (enum classify_event_kind)k;
		memcpy(out->driver, driver, n);
		rest = p + vlen;
		while (*rest == ' ' || *rest == '\t' || *rest == ':')
			rest++;
		strncpy(out->detail, rest, sizeof(out->detail) - 1);
		out->report = -1;
		return true;
	}
	return false;
}
