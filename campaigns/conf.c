/*
 * The campaign file: `key = value` lines, '#' comments, blank lines. Parsed
 * strictly (unknown or repeated keys, missing '=', bad numbers are errors
 * with the line number) because a typo in a campaign file silently changes
 * an experiment that takes hours.
 */
#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "campaign.h"

static char *trim(char *s)
{
	char *end;

	while (isspace((unsigned char)*s))
		s++;
	end = s + strlen(s);
	while (end > s && isspace((unsigned char)end[-1]))
		*--end = '\0';
	return s;
}

static int parse_int(const char *value, int64_t min, int64_t max, int64_t *out)
{
	char *end;
	long long v;

	errno = 0;
	v = strtoll(value, &end, 10);
	if (errno || end == value || *end || v < min || v > max)
		return -1;
	*out = v;
	return 0;
}

static int copy_value(char *dst, size_t size, const char *value)
{
	if (!*value || strlen(value) >= size)
		return -1;
	memcpy(dst, value, strlen(value) + 1);
	return 0;
}

static int copy_path(char *dst, size_t size, const char *value, const char *base_dir)
{
	int n;

	if (!*value)
		return -1;
	if (value[0] == '/' || !base_dir)
		n = snprintf(dst, size, "%s", value);
	else
		n = snprintf(dst, size, "%s/%s", base_dir, value);
	return n > 0 && (size_t)n < size ? 0 : -1;
}

/* Splits a comma list; calls add(item) for each trimmed non-empty item. */
static int for_each_item(const char *list, int (*add)(struct campaign_cfg *, const char *, char *, size_t),
			 struct campaign_cfg *cfg, char *err, size_t errlen)
{
	char buf[1024], *rest, *item;
	int count = 0;

	if (strlen(list) >= sizeof(buf)) {
		snprintf(err, errlen, "list too long");
		return -1;
	}
	strcpy(buf, list);
	/* strsep, not strtok: "a,,b" must be an error, not "a,b" */
	for (rest = buf; (item = strsep(&rest, ",")) != NULL;) {
		item = trim(item);
		if (!*item) {
			snprintf(err, errlen, "empty item in list '%s'", list);
			return -1;
		}
		if (add(cfg, item, err, errlen) < 0)
			return -1;
		count++;
	}
	if (!count) {
		snprintf(err, errlen, "empty list");
		return -1;
	}
	return 0;
}

static int add_mode(struct campaign_cfg *cfg, const char *mode, char *err, size_t errlen)
{
	if (!campaign_mode_setup(cfg, mode)) {
		snprintf(err, errlen, "unknown mode '%s' (known: %s)", mode, campaign_known_modes());
		return -1;
	}
	for (size_t i = 0; i < cfg->n_modes; i++)
		if (strcmp(cfg->modes[i], mode) == 0) {
			snprintf(err, errlen, "mode '%s' listed twice", mode);
			return -1;
		}
	if (cfg->n_modes >= CAMPAIGN_MAX_MODES) {
		snprintf(err, errlen, "more than %d modes", CAMPAIGN_MAX_MODES);
		return -1;
	}
	snprintf(cfg->modes[cfg->n_modes++], sizeof(cfg->modes[0]), "%s", mode);
	return 0;
}

int conf_parse_modes(const char *list, struct campaign_cfg *cfg, char *err, size_t errlen)
{
	struct campaign_cfg tmp = *cfg;

	tmp.n_modes = 0;
	if (for_each_item(list, add_mode, &tmp, err, errlen) < 0)
		return -1;
	memcpy(cfg->modes, tmp.modes, sizeof(cfg->modes));
	cfg->n_modes = tmp.n_modes;
	return 0;
}

static int add_type(struct campaign_cfg *cfg, const char *type, char *err, size_t errlen)
{
	if (cfg->n_types >= CAMPAIGN_MAX_TYPES || strlen(type) >= sizeof(cfg->types[0])) {
		snprintf(err, errlen, "too many fault types or name too long: '%s'", type);
		return -1;
	}
	for (size_t i = 0; i < cfg->n_types; i++)
		if (strcmp(cfg->types[i], type) == 0) {
			snprintf(err, errlen, "fault type '%s' listed twice", type);
			return -1;
		}
	snprintf(cfg->types[cfg->n_types++], sizeof(cfg->types[0]), "%s", type);
	return 0;
}

/* Names are checked against the injector's list later (main.c). */
int conf_parse_types(const char *list, struct campaign_cfg *cfg, char *err, size_t errlen)
{
	struct campaign_cfg tmp = *cfg;
	char copy[64];

	snprintf(copy, sizeof(copy), "%s", list);
	if (strcmp(trim(copy), "all") == 0) {
		cfg->all_types = true;
		cfg->n_types = 0;
		return 0;
	}
	tmp.n_types = 0;
	if (for_each_item(list, add_type, &tmp, err, errlen) < 0)
		return -1;
	memcpy(cfg->types, tmp.types, sizeof(cfg->types));
	cfg->n_types = tmp.n_types;
	cfg->all_types = false;
	return 0;
}

int conf_parse_shard(const char *s, int *index, int *count)
{
	int i, n, used = 0;

	if (sscanf(s, "%d/%d%n", &i, &n, &used) != 2 || s[used] || n < 1 || i < 1 || i > n)
		return -1;
	*index = i;
	*count = n;
	return 0;
}

int conf_set(struct campaign_cfg *cfg, const char *key, const char *value,
	     const char *base_dir, char *err, size_t errlen)
{
	int64_t v;

#define BAD(...) do { snprintf(err, errlen, __VA_ARGS__); return -1; } while (0)
	if (strcmp(key, "name") == 0) {
		if (copy_value(cfg->name, sizeof(cfg->name), value) < 0)
			BAD("name must be non-empty and shorter than %zu bytes", sizeof(cfg->name));
	} else if (strcmp(key, "driver") == 0) {
		if (copy_value(cfg->driver, sizeof(cfg->driver), value) < 0)
			BAD("driver must be a non-empty module name");
	} else if (strcmp(key, "module") == 0) {
		/* relative to /lib/modules/$KVER, resolved once KVER is known */
		if (copy_value(cfg->module, sizeof(cfg->module), value) < 0)
			BAD("module must be a path");
	} else if (strcmp(key, "modes") == 0) {
		return conf_parse_modes(value, cfg, err, errlen);
	} else if (strcmp(key, "types") == 0) {
		return conf_parse_types(value, cfg, err, errlen);
	} else if (strcmp(key, "trials") == 0) {
		if (parse_int(value, 1, 100000000, &v) < 0)
			BAD("trials must be an integer >= 1, not '%s'", value);
		cfg->trials = v;
	} else if (strcmp(key, "faults_per_trial") == 0) {
		if (parse_int(value, 1, 1000, &v) < 0)
			BAD("faults_per_trial must be an integer in 1..1000, not '%s'", value);
		cfg->faults_per_trial = (int)v;
	} else if (strcmp(key, "seed") == 0) {
		char *end;

		errno = 0;
		unsigned long long s = strtoull(value, &end, 0);
		if (errno || end == value || *end || value[0] == '-')
			BAD("seed must be an unsigned integer, not '%s'", value);
		cfg->seed = s;
	} else if (strcmp(key, "jobs") == 0) {
		if (parse_int(value, 0, 256, &v) < 0)
			BAD("jobs must be an integer in 0..256 (0 = number of cores), not '%s'", value);
		cfg->jobs = (int)v;
	} else if (strcmp(key, "db") == 0) {
		if (copy_path(cfg->db, sizeof(cfg->db), value, base_dir) < 0)
			BAD("db must be a path");
	} else if (strcmp(key, "workload") == 0) {
		if (strcmp(value, "net-basic") != 0)
			BAD("unknown workload '%s' (known: net-basic)", value);
		snprintf(cfg->workload, sizeof(cfg->workload), "%s", value);
	} else if (strcmp(key, "budget_s") == 0) {
		if (parse_int(value, 5, 3600, &v) < 0)
			BAD("budget_s must be an integer in 5..3600, not '%s'", value);
		cfg->budget_s = (int)v;
	} else if (strcmp(key, "retries") == 0) {
		if (parse_int(value, 0, 10, &v) < 0)
			BAD("retries must be an integer in 0..10, not '%s'", value);
		cfg->retries = (int)v;
	} else if (strcmp(key, "activation") == 0) {
		if (strcmp(value, "gdb") == 0)
			cfg->activation = true;
		else if (strcmp(value, "off") == 0)
			cfg->activation = false;
		else
			BAD("activation must be 'gdb' or 'off', not '%s'", value);
	} else if (strchr(key, '.')) {
		return campaign_mode_key(cfg, key, value, err, errlen);
	} else {
		BAD("unknown key '%s'", key);
	}
#undef BAD
	return 0;
}

int conf_load(const char *path, const char *base_dir, struct campaign_cfg *cfg,
	      char *err, size_t errlen)
{
	FILE *f = fopen(path, "r");
	char line[2048], seen[32][32], why[512];
	size_t n_seen = 0;
	int lineno = 0;

	if (!f) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	while (fgets(line, sizeof(line), f)) {
		char *s, *eq, *key, *value, *hash;

		lineno++;
		if (!strchr(line, '\n') && !feof(f)) {
			snprintf(err, errlen, "%s:%d: line too long", path, lineno);
			goto fail;
		}
		if ((hash = strchr(line, '#')))
			*hash = '\0';
		s = trim(line);
		if (!*s)
			continue;
		eq = strchr(s, '=');
		if (!eq) {
			snprintf(err, errlen, "%s:%d: expected 'key = value', got '%s'", path, lineno, s);
			goto fail;
		}
		*eq = '\0';
		key = trim(s);
		value = trim(eq + 1);
		if (!*key) {
			snprintf(err, errlen, "%s:%d: missing key before '='", path, lineno);
			goto fail;
		}
		if (!*value) {
			snprintf(err, errlen, "%s:%d: key '%s' has no value", path, lineno, key);
			goto fail;
		}
		for (size_t i = 0; i < n_seen; i++)
			if (strcmp(seen[i], key) == 0) {
				snprintf(err, errlen, "%s:%d: key '%s' set twice", path, lineno, key);
				goto fail;
			}
		if (conf_set(cfg, key, value, base_dir, why, sizeof(why)) < 0) {
			snprintf(err, errlen, "%s:%d: %s", path, lineno, why);
			goto fail;
		}
		if (n_seen < 32)
			snprintf(seen[n_seen++], sizeof(seen[0]), "%s", key);
	}
	fclose(f);
	return 0;
fail:
	fclose(f);
	return -1;
}
