/*
 * Table-driven test over the real console corpus (tests/console/<kind>-NN.log):
 * every file starts with "# key: value" lines giving what the classifier
 * must find in it, syzkaller style:
 *   # category: gpf                 worst report's category name
 *   # title: general protection fault in crashme_gpf
 *   # guilty: crashme_gpf [nooks_crashme]   (or "crashme_gpf" for vmlinux)
 *   # died: yes|no                  worst report killed the kernel
 *   # reports: 2                    number of reports (optional)
 *   # contained: yes|no             (optional)
 * Usage: test_corpus DIR
 */
#include <dirent.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "classify.h"

#define MIN_CORPUS_CATEGORIES 12

struct expectation {
	char category[64];
	char title[CLASSIFY_TITLE_MAX];
	char guilty[CLASSIFY_FUNC_MAX + CLASSIFY_MODULE_MAX + 4];
	int died;	/* -1: not given */
	int reports;
	int contained;
};

static const char *corpus_dir;

static int yes_no(const char *v)
{
	return strcmp(v, "yes") == 0 ? 1 : strcmp(v, "no") == 0 ? 0 : -2;
}

/* Parse the leading "# key: value" lines; fails the test on bad ones. */
static void parse_expectation(const char *log, size_t len,
			      struct expectation *e)
{
	const char *p = log, *end = log + len;

	memset(e, 0, sizeof(*e));
	e->died = e->reports = e->contained = -1;
	while (p < end && *p == '#') {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		char line[512], *key, *val;
		size_t n = (size_t)((nl ? nl : end) - p);

		assert_true(n < sizeof(line));
		memcpy(line, p, n);
		line[n] = '\0';
		key = line + 1;
		while (*key == ' ')
			key++;
		val = strchr(key, ':');
		assert_non_null(val);
		*val++ = '\0';
		while (*val == ' ')
			val++;
		if (strcmp(key, "category") == 0)
			snprintf(e->category, sizeof(e->category), "%s", val);
		else if (strcmp(key, "title") == 0)
			snprintf(e->title, sizeof(e->title), "%s", val);
		else if (strcmp(key, "guilty") == 0)
			snprintf(e->guilty, sizeof(e->guilty), "%s", val);
		else if (strcmp(key, "died") == 0)
			e->died = yes_no(val);
		else if (strcmp(key, "reports") == 0)
			e->reports = atoi(val);
		else if (strcmp(key, "contained") == 0)
			e->contained = yes_no(val);
		p = nl ? nl + 1 : end;
	}
	assert_true(e->category[0] != '\0');
	assert_true(e->title[0] != '\0');
	assert_int_not_equal(e->died, -2);
	assert_int_not_equal(e->contained, -2);
}

static void test_corpus_file(void **state)
{
	const char *name = *state;
	char path[4096], guilty[sizeof(((struct expectation *)0)->guilty)];
	struct expectation e;
	struct classify_result res;
	const struct classify_report *w;
	size_t len;
	char *log;

	snprintf(path, sizeof(path), "%s/%s", corpus_dir, name);
	log = classify_read_file(path, &len);
	assert_non_null(log);
	parse_expectation(log, len, &e);
	assert_int_equal(classify_log(log, len, &res), 0);
	w = res.worst;
	if (strcmp(e.category, "none") == 0) {
		assert_null(w);
		goto out;
	}
	assert_non_null(w);
	print_message("%s: %s: %s [%s]\n", name,
		      classify_category_name(w->category), w->title,
		      w->signature);
	assert_string_equal(classify_category_name(w->category), e.category);
	assert_string_equal(w->title, e.title);
	if (e.guilty[0]) {
		if (w->guilty_module[0])
			snprintf(guilty, sizeof(guilty), "%s [%s]",
				 w->guilty_function, w->guilty_module);
		else
			snprintf(guilty, sizeof(guilty), "%s",
				 w->guilty_function);
		assert_string_equal(guilty, e.guilty);
	}
	if (e.died >= 0)
		assert_int_equal(w->kernel_died, e.died);
	if (e.contained >= 0)
		assert_int_equal(w->contained, e.contained);
	if (e.reports >= 0)
		assert_int_equal(res.nr_reports, e.reports);
	/* The report's byte range lies in the file and starts a line. */
	assert_true(w->start < w->end && w->end <= len);
	assert_true(w->start == 0 || log[w->start - 1] == '\n');
out:
	classify_result_free(&res);
	free(log);
}

static int is_log(const struct dirent *d)
{
	size_t n = strlen(d->d_name);

	return n > 4 && strcmp(d->d_name + n - 4, ".log") == 0;
}

/* The corpus must cover enough different kinds to be worth its name. */
static void test_corpus_covers_kinds(void **state)
{
	struct dirent **names = *state;
	char seen[CLASSIFY_CATEGORY_COUNT] = { 0 };
	int kinds = 0;

	for (int i = 0; names[i]; i++) {
		char path[4096];
		struct classify_result res;
		size_t len;
		char *log;

		snprintf(path, sizeof(path), "%s/%s", corpus_dir,
			 names[i]->d_name);
		log = classify_read_file(path, &len);
		assert_non_null(log);
		assert_int_equal(classify_log(log, len, &res), 0);
		for (size_t r = 0; r < res.nr_reports; r++)
			if (!seen[res.reports[r].category]++)
				kinds++;
		classify_result_free(&res);
		free(log);
	}
	print_message("corpus: %d categories\n", kinds);
	assert_true(kinds >= MIN_CORPUS_CATEGORIES);
}

int main(int argc, char **argv)
{
	struct dirent **names;
	struct CMUnitTest *tests;
	int n, rc;

	if (argc != 2) {
		fprintf(stderr, "usage: test_corpus DIR\n");
		return 2;
	}
	corpus_dir = argv[1];
	n = scandir(corpus_dir, &names, is_log, alphasort);
	if (n < 0) {
		perror(corpus_dir);
		return 1;
	}
	tests = calloc((size_t)n + 1, sizeof(*tests));
	names = realloc(names, ((size_t)n + 1) * sizeof(*names));
	if (!tests || !names)
		return 1;
	names[n] = NULL;
	for (int i = 0; i < n; i++) {
		tests[i].name = names[i]->d_name;
		tests[i].test_func = test_corpus_file;
		tests[i].initial_state = names[i]->d_name;
	}
	tests[n].name = "corpus_covers_kinds";
	tests[n].test_func = test_corpus_covers_kinds;
	tests[n].initial_state = names;
	rc = _cmocka_run_group_tests("classify_corpus", tests, (size_t)n + 1,
				     NULL, NULL);
	for (int i = 0; i < n; i++)
		free(names[i]);
	free(names);
	free(tests);
	return rc;
}
