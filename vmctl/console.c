// SPDX-License-Identifier: MIT
/* console.c — see console.h. */
#include "console.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <string.h>
#include <unistd.h>

#include "util.h"

#define CONSOLE_LINE_MAX 4096

void console_stamp(FILE *log, double t, const char *data, size_t len, char *partial,
		   size_t *partial_len, size_t partial_size)
{
	for (size_t i = 0; i < len; i++) {
		char c = data[i];
		bool full = *partial_len >= partial_size - 1;

		if (c == '\r')
			continue; /* the 8250 console sends \r\n */
		if (c != '\n' && !full) {
			partial[(*partial_len)++] = c;
			continue;
		}
		fprintf(log, "[%12.6f] %.*s\n", t, (int)*partial_len, partial);
		*partial_len = 0;
		if (c != '\n')
			partial[(*partial_len)++] = c;
	}
	fflush(log);
}

struct console_state {
	char partial[CONSOLE_LINE_MAX];
	size_t partial_len;
};

static void *console_thread(void *arg)
{
	struct console *c = arg;
	struct console_state st = { .partial_len = 0 };
	char buf[4096];
	struct pollfd pfd[2] = {
		{ .fd = c->fd, .events = POLLIN },
		{ .fd = c->stop_pipe[0], .events = POLLIN },
	};
	bool stopping = false;

	for (;;) {
		/* After a stop request, drain what is already there, then end. */
		int r = poll(pfd, stopping ? 1 : 2, stopping ? 0 : -1);

		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0 || (stopping && r == 0))
			break;
		if (!stopping && (pfd[1].revents & POLLIN)) {
			stopping = true;
			continue;
		}
		if (!(pfd[0].revents & (POLLIN | POLLHUP | POLLERR)))
			continue;
		ssize_t n = read(c->fd, buf, sizeof(buf));

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		fwrite(buf, 1, (size_t)n, c->raw);
		fflush(c->raw);
		console_stamp(c->log, now_seconds() - c->t0, buf, (size_t)n, st.partial,
			      &st.partial_len, sizeof(st.partial));
	}
	if (st.partial_len > 0)
		fprintf(c->log, "[%12.6f] %.*s\n", now_seconds() - c->t0, (int)st.partial_len,
			st.partial);
	fflush(c->log);
	return NULL;
}

int console_start(struct console *c, int fd, const char *log_path, const char *raw_path,
		  double t0)
{
	memset(c, 0, sizeof(*c));
	c->fd = fd;
	c->t0 = t0;
	c->log = fopen(log_path, "we");
	c->raw = fopen(raw_path, "we");
	if (!c->log || !c->raw || pipe2(c->stop_pipe, O_CLOEXEC) < 0) {
		int err = errno;

		if (c->log)
			fclose(c->log);
		if (c->raw)
			fclose(c->raw);
		close(fd);
		return vm_fail(err, "console: cannot open %s: %s", log_path, strerror(err));
	}
	if (pthread_create(&c->thread, NULL, console_thread, c) != 0) {
		fclose(c->log);
		fclose(c->raw);
		close(fd);
		close(c->stop_pipe[0]);
		close(c->stop_pipe[1]);
		return vm_fail(EAGAIN, "console: cannot start thread");
	}
	c->running = true;
	return 0;
}

void console_stop(struct console *c)
{
	if (!c->running)
		return;
	if (write(c->stop_pipe[1], "x", 1) < 0) {
		/* the pipe cannot be full with one byte; nothing else to do */
	}
	pthread_join(c->thread, NULL);
	fclose(c->log);
	fclose(c->raw);
	close(c->fd);
	close(c->stop_pipe[0]);
	close(c->stop_pipe[1]);
	c->running = false;
}
