// SPDX-License-Identifier: MIT
/* qmp.c — see qmp.h. */
#include "qmp.h"

#include <errno.h>
#include <string.h>
#include <unistd.h>

#include "util.h"

void qmp_close(struct qmp *q)
{
	if (q->fd >= 0)
		close(q->fd);
	q->fd = -1;
}

/* Parse one line; events are dispatched here. Returns the message if it is
 * anything else (caller owns it), NULL otherwise. */
static json_t *qmp_parse_line(struct qmp *q, const char *line)
{
	json_error_t jerr;
	json_t *msg;
	const char *ev;

	if (line[0] == '\0')
		return NULL;
	msg = json_loads(line, 0, &jerr);
	if (!msg || !json_is_object(msg)) {
		q->garbage_lines++;
		json_decref(msg);
		return NULL;
	}
	ev = json_string_value(json_object_get(msg, "event"));
	if (ev) {
		if (q->on_event)
			q->on_event(q->event_arg, ev, json_object_get(msg, "data"));
		json_decref(msg);
		return NULL;
	}
	return msg;
}

/* Next non-event message, or NULL on timeout/EOF (with *err set). */
static json_t *qmp_next_message(struct qmp *q, int64_t deadline, int *err)
{
	char line[LINEBUF_MAX + 1];

	for (;;) {
		while (linebuf_take(&q->lb, line, sizeof(line))) {
			json_t *msg = qmp_parse_line(q, line);

			if (msg)
				return msg;
		}
		if (q->lb.eof) {
			*err = vm_fail(ECONNRESET, "QMP: connection closed by QEMU");
			return NULL;
		}
		int r = wait_readable(q->fd, ms_left(deadline));

		if (r == 0) {
			*err = vm_fail(ETIMEDOUT, "QMP: no reply in time");
			return NULL;
		}
		if (r > 0)
			r = (int)linebuf_fill(&q->lb, q->fd);
		if (r < 0 && r != -EAGAIN) {
			*err = vm_fail(-r, "QMP: read: %s", strerror(-r));
			return NULL;
		}
	}
}

int qmp_open(struct qmp *q, int fd, int timeout_ms, qmp_event_fn fn, void *arg)
{
	int64_t deadline = now_ms() + timeout_ms;
	json_t *greeting;
	int err = 0;

	memset(q, 0, sizeof(*q));
	q->fd = fd;
	q->next_id = 1;
	q->on_event = fn;
	q->event_arg = arg;
	linebuf_init(&q->lb);

	greeting = qmp_next_message(q, deadline, &err);
	if (!greeting)
		return err;
	json_t *qmp = json_object_get(greeting, "QMP");

	if (!json_is_object(qmp)) {
		json_decref(greeting);
		return vm_fail(EPROTO, "QMP: first message is not a greeting");
	}
	json_t *v = json_object_get(json_object_get(qmp, "version"), "qemu");

	snprintf(q->version, sizeof(q->version), "%lld.%lld.%lld",
		 (long long)json_integer_value(json_object_get(v, "major")),
		 (long long)json_integer_value(json_object_get(v, "minor")),
		 (long long)json_integer_value(json_object_get(v, "micro")));
	json_decref(greeting);
	return qmp_execute(q, "qmp_capabilities", NULL, NULL, ms_left(deadline), -1);
}

int qmp_execute(struct qmp *q, const char *cmd, json_t *args, json_t **ret,
		int timeout_ms, int pass_fd)
{
	int64_t deadline = now_ms() + timeout_ms;
	uint64_t id = q->next_id++;
	json_t *req = json_object();
	char *text;
	int err;

	if (ret)
		*ret = NULL;
	json_object_set_new(req, "execute", json_string(cmd));
	if (args)
		json_object_set_new(req, "arguments", args);
	json_object_set_new(req, "id", json_integer((json_int_t)id));
	text = json_dumps(req, JSON_COMPACT);
	json_decref(req);
	if (!text)
		return vm_fail(ENOMEM, "QMP: cannot encode %s", cmd);
	size_t len = strlen(text);

	text[len] = '\n'; /* json_dumps leaves room for the NUL we replace */
	if (pass_fd >= 0)
		err = send_with_fd(q->fd, text, len + 1, pass_fd);
	else
		err = write_all(q->fd, text, len + 1);
	free(text);
	if (err < 0)
		return vm_fail(-err, "QMP: send %s: %s", cmd, strerror(-err));

	for (;;) {
		json_t *msg = qmp_next_message(q, deadline, &err);

		if (!msg)
			return err;
		json_t *mid = json_object_get(msg, "id");

		if (!json_is_integer(mid) || (uint64_t)json_integer_value(mid) != id) {
			json_decref(msg); /* a stale reply (earlier timeout) */
			continue;
		}
		json_t *error = json_object_get(msg, "error");

		if (error) {
			err = vm_fail(EIO, "QMP %s: %s: %s", cmd,
				      json_string_value(json_object_get(error, "class")) ?: "?",
				      json_string_value(json_object_get(error, "desc")) ?: "?");
			json_decref(msg);
			return err;
		}
		if (ret) {
			*ret = json_object_get(msg, "return");
			json_incref(*ret);
		}
		json_decref(msg);
		return 0;
	}
}

int qmp_poll(struct qmp *q, int timeout_ms)
{
	char line[LINEBUF_MAX + 1];
	int64_t deadline = now_ms() + timeout_ms;

	for (;;) {
		while (linebuf_take(&q->lb, line, sizeof(line)))
			json_decref(qmp_parse_line(q, line)); /* stray replies dropped */
		if (q->lb.eof)
			return -ECONNRESET;
		int r = wait_readable(q->fd, ms_left(deadline));

		if (r <= 0)
			return r;
		long n = linebuf_fill(&q->lb, q->fd);

		if (n < 0 && n != -EAGAIN)
			return (int)n;
	}
}
