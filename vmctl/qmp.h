/* SPDX-License-Identifier: MIT */
/* qmp.h — a QMP client on a connected stream socket (jansson for JSON).
 *
 * QMP sends one JSON object per line: a greeting {"QMP":...}, then replies
 * {"return":...} / {"error":...} carrying our "id", and asynchronous events
 * {"event":...} at any time — also between a command and its reply. Events
 * are handed to the callback as they arrive. A line that is not a JSON
 * object is counted and skipped; it never ends the session. */
#ifndef VMCTL_QMP_H
#define VMCTL_QMP_H

#include <jansson.h>
#include <stdint.h>

#include "linebuf.h"

typedef void (*qmp_event_fn)(void *arg, const char *event, json_t *data);

struct qmp {
	int fd;
	struct linebuf lb;
	uint64_t next_id;
	unsigned garbage_lines; /* lines that were not JSON objects */
	qmp_event_fn on_event;
	void *event_arg;
	char version[64];       /* "7.2.22" from the greeting */
};

/* Take ownership of fd; read the greeting and negotiate capabilities. */
int qmp_open(struct qmp *q, int fd, int timeout_ms, qmp_event_fn fn, void *arg);
void qmp_close(struct qmp *q);

/* Execute a command. args (may be NULL) is consumed. On success, *ret (if
 * not NULL) gets a new reference to "return". On a QMP error returns -EIO
 * with vm_error() = "<class>: <desc>". pass_fd >= 0 is sent with the
 * command as SCM_RIGHTS (for getfd). */
int qmp_execute(struct qmp *q, const char *cmd, json_t *args, json_t **ret,
		int timeout_ms, int pass_fd);

/* Read and dispatch events for up to timeout_ms (0 = only what is
 * buffered or readable now). Returns 0, or <0 when the peer is gone. */
int qmp_poll(struct qmp *q, int timeout_ms);

#endif
