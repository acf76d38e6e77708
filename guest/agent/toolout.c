/* Output parsers for iperf3 and ethtool; see toolout.h. */
#include "toolout.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static double json_number_at(json_t *obj, const char *key, double dflt)
{
	json_t *v = json_object_get(obj, key);

	return json_is_number(v) ? json_number_value(v) : dflt;
}

int iperf_parse_json(const char *json, struct iperf_summary *s, char *why,
		     size_t cap)
{
	json_error_t jerr;
	json_t *root, *end, *sent, *recv, *err;
	int rc = -1;

	memset(s, 0, sizeof(*s));
	s->retransmits = -1;
	root = json_loads(json, 0, &jerr);
	if (!root) {
		snprintf(why, cap, "iperf3-output-not-json");
		return -1;
	}
	err = json_object_get(root, "error");
	if (json_is_string(err)) {
		const char *e = json_string_value(err);

		/* One token: iperf3's message with blanks made underscores. */
		snprintf(why, cap, "iperf3:%s", e);
		for (char *p = why; *p; p++)
			if (*p == ' ' || *p == '=' || *p == '\t')
				*p = '_';
		goto out;
	}
	end = json_object_get(root, "end");
	sent = json_object_get(end, "sum_sent");
	recv = json_object_get(end, "sum_received");
	if (!json_is_object(sent) || !json_is_object(recv)) {
		snprintf(why, cap, "iperf3-no-summary");
		goto out;
	}
	s->sent_mbps = json_number_at(sent, "bits_per_second", 0) / 1e6;
	s->received_mbps = json_number_at(recv, "bits_per_second", 0) / 1e6;
	s->retransmits = (long long)json_number_at(sent, "retransmits", -1);
	s->bytes = (long long)json_number_at(recv, "bytes", 0);
	rc = 0;
out:
	json_decref(root);
	return rc;
}

/* Calls fn on every line of text (without the newline) until it returns
 * non-zero; returns that value or 0. */
static int each_line(const char *text, int (*fn)(void *, const char *, size_t),
		     void *arg)
{
	while (*text) {
		const char *nl = strchr(text, '\n');
		size_t len = nl ? (size_t)(nl - text) : strlen(text);
		int rc = fn(arg, text, len);

		if (rc)
			return rc;
		if (!nl)
			break;
		text = nl + 1;
	}
	return 0;
}

/* Splits "  key: value" into key and value (both trimmed). */
static int split_kv(const char *line, size_t len, char *key, size_t kcap,
		    char *val, size_t vcap)
{
	const char *colon = memchr(line, ':', len), *k = line, *v;
	size_t klen, vlen;

	if (!colon)
		return -1;
	while (k < colon && (*k == ' ' || *k == '\t'))
		k++;
	klen = (size_t)(colon - k);
	while (klen > 0 && (k[klen - 1] == ' ' || k[klen - 1] == '\t'))
		klen--;
	v = colon + 1;
	while (v < line + len && (*v == ' ' || *v == '\t'))
		v++;
	vlen = (size_t)(line + len - v);
	while (vlen > 0 && (v[vlen - 1] == ' ' || v[vlen - 1] == '\r'))
		vlen--;
	if (klen == 0 || klen >= kcap || vlen >= vcap)
		return -1;
	memcpy(key, k, klen);
	key[klen] = '\0';
	memcpy(val, v, vlen);
	val[vlen] = '\0';
	return 0;
}

struct driver_ctx {
	char *out;
	size_t cap;
};

static int find_driver(void *arg, const char *line, size_t len)
{
	struct driver_ctx *c = arg;
	char key[64], val[256];

	if (split_kv(line, len, key, sizeof(key), val, sizeof(val)) == 0 &&
	    strcmp(key, "driver") == 0 && val[0]) {
		snprintf(c->out, c->cap, "%s", val);
		return 1;
	}
	return 0;
}

int ethtool_parse_driver(const char *text, char *driver, size_t cap)
{
	struct driver_ctx c = { driver, cap };

	return each_line(text, find_driver, &c) == 1 ? 0 : -1;
}

struct stats_ctx {
	const char *name;
	long long *value;
	int count;
};

static int count_stat(void *arg, const char *line, size_t len)
{
	struct stats_ctx *c = arg;
	char key[128], val[64], *end;
	long long v;

	if (split_kv(line, len, key, sizeof(key), val, sizeof(val)) < 0 || !val[0])
		return 0;
	v = strtoll(val, &end, 10);
	if (*end)
		return 0;   /* "NIC statistics:" header and the like */
	c->count++;
	if (c->name && strcmp(key, c->name) == 0)
		*c->value = v;
	return 0;
}

int ethtool_count_stats(const char *text, const char *name, long long *value)
{
	long long dummy;
	struct stats_ctx c = { name, value ? value : &dummy, 0 };

	*c.value = -1;
	each_line(text, count_stat, &c);
	return c.count;
}

static int count_feature(void *arg, const char *line, size_t len)
{
	int *n = arg;
	char key[128], val[128];

	if (split_kv(line, len, key, sizeof(key), val, sizeof(val)) == 0 &&
	    (strncmp(val, "on", 2) == 0 || strncmp(val, "off", 3) == 0))
		(*n)++;
	return 0;
}

int ethtool_count_features(const char *text)
{
	int n = 0;

	each_line(text, count_feature, &n);
	return n;
}

struct ring_ctx {
	int section;   /* 0 none, 1 maximums, 2 current */
	long *current, *maximum;
};

static int ring_line(void *arg, const char *line, size_t len)
{
	struct ring_ctx *c = arg;
	char key[64], val[64], *end;
	long v;

	if (len >= 16 && strncmp(line, "Pre-set maximums", 16) == 0) {
		c->section = 1;
		return 0;
	}
	if (len >= 25 && strncmp(line, "Current hardware settings", 25) == 0) {
		c->section = 2;
		return 0;
	}
	if (split_kv(line, len, key, sizeof(key), val, sizeof(val)) < 0 ||
	    strcmp(key, "RX") != 0)
		return 0;
	v = strtol(val, &end, 10);
	if (*end || end == val)
		return 0;
	if (c->section == 1)
		*c->maximum = v;
	else if (c->section == 2)
		*c->current = v;
	return 0;
}

int ethtool_parse_rx_ring(const char *text, long *current, long *maximum)
{
	struct ring_ctx c = { 0, current, maximum };

	*current = -1;
	*maximum = -1;
	each_line(text, ring_line, &c);
	return *current > 0 && *maximum > 0 ? 0 : -1;
}
