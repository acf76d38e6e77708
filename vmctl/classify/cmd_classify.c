/*
 * vmctl classify [--json] LOG...
 *
 * For each console log: the worst report's category, title and signature,
 * "(kernel died)" / "(contained by nooks)" when so (and, with --json, one JSON object per log on its own line with every
 * report and nooks event).  Exit 0 when every log was read, 1 when some
 * could not be (the others are still classified), 2 on bad usage.
 */
#include <errno.h>
#include <getopt.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "classify.h"

static void usage(FILE *out)
{
	fprintf(out,
		"usage: vmctl classify [--json] LOG...\n"
		"  Classify guest kernel console logs: category, title and\n"
		"  signature of the worst crash report in each log.\n"
		"  --json  one JSON object per log, with every report and\n"
		"          nooks runtime event\n");
}

/* Console text may hold any bytes; JSON strings must be UTF-8. */
static json_t *json_text(const char *s)
{
	json_t *j = json_string(s);
	char *copy;

	if (j)
		return j;
	copy = strdup(s);
	if (!copy)
		return json_null();
	for (char *p = copy; *p; p++)
		if ((unsigned char)*p >= 0x80)
			*p = '?';
	j = json_string(copy);
	free(copy);
	return j ? j : json_null();
}

static json_t *report_json(const struct classify_report *r)
{
	json_t *o = json_object();

	json_object_set_new(o, "category",
			    json_string(classify_category_name(r->category)));
	json_object_set_new(o, "title", json_text(r->title));
	json_object_set_new(o, "signature", json_string(r->signature));
	json_object_set_new(o, "guilty_function",
			    r->guilty_function[0] ?
			    json_string(r->guilty_function) : json_null());
	json_object_set_new(o, "guilty_module",
			    r->guilty_module[0] ?
			    json_string(r->guilty_module) : json_null());
	json_object_set_new(o, "kernel_died", json_boolean(r->kernel_died));
	json_object_set_new(o, "contained", json_boolean(r->contained));
	json_object_set_new(o, "truncated", json_boolean(r->truncated));
	json_object_set_new(o, "start", json_integer((json_int_t)r->start));
	json_object_set_new(o, "end", json_integer((json_int_t)r->end));
	json_object_set_new(o, "first_line",
			    json_integer((json_int_t)r->first_line + 1));
	json_object_set_new(o, "last_line",
			    json_integer((json_int_t)r->last_line + 1));
	json_object_set_new(o, "printk_time", r->printk_time >= 0 ?
			    json_real(r->printk_time) : json_null());
	return o;
}

static json_t *event_json(const struct classify_event *e)
{
	json_t *o = json_object();

	json_object_set_new(o, "event",
			    json_string(classify_event_kind_name(e->kind)));
	json_object_set_new(o, "driver", json_string(e->driver));
	json_object_set_new(o, "detail", json_text(e->detail));
	json_object_set_new(o, "line", json_integer((json_int_t)e->line + 1));
	json_object_set_new(o, "report", e->report >= 0 ?
			    json_integer(e->report) : json_null());
	return o;
}

/* The worst report, or a "none" stand-in for a clean log. */
static void summary(const struct classify_result *res, const char **category,
		    const char **title, const char **signature)
{
	if (res->worst) {
		*category = classify_category_name(res->worst->category);
		*title = res->worst->title;
		*signature = res->worst->signature;
	} else {
		*category = classify_category_name(CLASSIFY_NONE);
		*title = "no crash";
		*signature = "";
	}
}

static int print_json(const char *path, const struct classify_result *res)
{
	const char *category, *title, *signature;
	json_t *o = json_object(), *reports = json_array(), *events = json_array();
	char *text;

	summary(res, &category, &title, &signature);
	json_object_set_new(o, "log", json_text(path));
	json_object_set_new(o, "category", json_string(category));
	json_object_set_new(o, "title", json_text(title));
	json_object_set_new(o, "signature", json_string(signature));
	json_object_set_new(o, "kernel_died",
			    json_boolean(res->worst && res->worst->kernel_died));
	json_object_set_new(o, "contained",
			    json_boolean(res->worst && res->worst->contained));
	for (size_t i = 0; i < res->nr_reports; i++)
		json_array_append_new(reports, report_json(&res->reports[i]));
	for (size_t i = 0; i < res->nr_events; i++)
		json_array_append_new(events, event_json(&res->events[i]));
	json_object_set_new(o, "reports", reports);
	json_object_set_new(o, "events", events);
	text = json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER |
			  JSON_REAL_PRECISION(10));
	json_decref(o);
	if (!text)
		return -1;
	puts(text);
	free(text);
	return 0;
}

static void print_text(const char *path, const struct classify_result *res)
{
	const char *category, *title, *signature;

	summary(res, &category, &title, &signature);
	printf("%s: %s: %s%s%s%s%s%s\n", path, category, title,
	       *signature ? " [" : "", signature, *signature ? "]" : "",
	       res->worst && res->worst->kernel_died ? " (kernel died)" : "",
	       res->worst && res->worst->contained ? " (contained by nooks)" :
	       "");
}

int cmd_classify(int argc, char **argv)
{
	static const struct option options[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	bool json = false;
	int status = 0, c;

	optind = 1;
	while ((c = getopt_long(argc, argv, "jh", options, NULL)) != -1) {
		switch (c) {
		case 'j':
			json = true;
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (optind >= argc) {
		fprintf(stderr, "vmctl classify: no log given\n");
		usage(stderr);
		return 2;
	}
	for (int i = optind; i < argc; i++) {
		struct classify_result res;
		size_t len;
		char *log = classify_read_file(argv[i], &len);

		if (!log) {
			fprintf(stderr, "vmctl classify: cannot read %s: %s\n",
				argv[i], strerror(errno));
			status = 1;
			continue;
		}
		if (classify_log(log, len, &res)) {
			fprintf(stderr, "vmctl classify: %s: %s\n", argv[i],
				strerror(errno));
			free(log);
			status = 1;
			continue;
		}
		if (json) {
			if (print_json(argv[i], &res))
				status = 1;
		} else {
			print_text(argv[i], &res);
		}
		fflush(stdout);
		classify_result_free(&res);
		free(log);
	}
	return status;
}
