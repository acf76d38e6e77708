/* Main loop; see agent.h.
 *
 * Only the main thread reads the serial port; the heartbeat thread and the
 * main thread both write whole lines under out_lock. A worker never touches
 * the port: it writes lines to a pipe and the main loop forwards them, so a
 * worker that crashes, hangs in the kernel or is killed for its budget can
 * never leave half a line on the wire. */
#include "agent.h"
#include "spawn.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <unistd.h>

#include "commands.h"
#include "fsutil.h"
#include "heartbeat.h"
#include "loadreg.h"

void agent_send_ready(struct agent *a)
{
	reply_line(&a->out, "READY nooks-agent %d %s", AGENT_PROTOCOL_VERSION,
		   a->release);
}

bool agent_worker_busy(const struct agent *a)
{
	return a->w.active && !a->w.final_seen;
}

static void worker_close(struct agent *a);

int agent_start_worker(struct agent *a, const struct proto_cmd *cmd,
		       unsigned budget_s, worker_fn fn)
{
	struct worker *w = &a->w;
	int pfd[2];
	pid_t pid;

	pid = fork_with_pipe(pfd);
	if (pid < 0)
		return -1;
	if (pid == 0) {
		struct reply_sink out = { .fd = pfd[1] };

		/* Own process group: a budget overrun kills helpers too. */
		setpgid(0, 0);
		signal(SIGPIPE, SIG_IGN);
		signal(SIGCHLD, SIG_DFL);
		close(pfd[0]);
		close(a->in_fd);
		if (a->out_fd != a->in_fd)
			close(a->out_fd);
		fn(cmd, &out, budget_s);
		_exit(0);
	}
	setpgid(pid, pid);   /* also here: no race with an early kill */
	close(pfd[1]);
	/* The previous worker has replied; reap_children() collects it. */
	worker_close(a);
	memset(w, 0, sizeof(*w));
	w->active = true;
	w->pid = pid;
	w->fd = pfd[0];
	w->tag = cmd->tag;
	w->budget_s = budget_s;
	w->deadline_ms = now_ms() + (long long)budget_s * 1000;
	snprintf(w->verb, sizeof(w->verb), "%s", cmd->verb);
	if (strcmp(cmd->verb, "load") == 0)
		snprintf(w->params, sizeof(w->params), "%s", proto_rest_after(cmd, 1));
	return 0;
}

/* Value of "key=" in a line of key=value tokens. */
static bool token_value(const char *line, const char *key, char *out, size_t cap)
{
	size_t klen = strlen(key);
	const char *p = line;

	while ((p = strstr(p, key))) {
		if ((p == line || p[-1] == ' ') && p[klen] == '=') {
			const char *v = p + klen + 1;
			size_t n = strcspn(v, " ");

			snprintf(out, cap, "%.*s", (int)n, v);
			return true;
		}
		p += klen;
	}
	return false;
}

/* A worker's final line: "<tag> OK ..." or "<tag> ERR ...". */
static bool is_final_line(const char *line, unsigned long long tag, bool *ok)
{
	char prefix[32];
	size_t n = (size_t)snprintf(prefix, sizeof(prefix), "%llu ", tag);

	if (strncmp(line, prefix, n) != 0)
		return false;
	line += n;
	if (strncmp(line, "OK", 2) == 0 && (line[2] == ' ' || line[2] == '\0')) {
		*ok = true;
		return true;
	}
	if (strncmp(line, "ERR", 3) == 0 && (line[3] == ' ' || line[3] == '\0')) {
		*ok = false;
		return true;
	}
	return false;
}

static void worker_forward_line(struct agent *a, const char *line)
{
	struct worker *w = &a->w;
	bool ok;

	if (w->final_seen)
		return;   /* nothing may follow the final line */
	reply_line(&a->out, "%s", line);
	if (!is_final_line(line, w->tag, &ok))
		return;
	w->final_seen = true;
	if (ok && strcmp(w->verb, "load") == 0) {
		char name[64], path[PATH_MAX];

		if (token_value(line, "name", name, sizeof(name)) &&
		    token_value(line, "path", path, sizeof(path)))
			loadreg_record(name, path, w->params);
	}
}

static void worker_close(struct agent *a)
{
	struct worker *w = &a->w;

	if (w->fd >= 0)
		close(w->fd);
	w->fd = -1;
	w->active = false;
}

static void worker_read(struct agent *a)
{
	struct worker *w = &a->w;
	ssize_t n = read(w->fd, w->buf + w->len, sizeof(w->buf) - w->len);
	char *start, *nl;

	if (n < 0 && (errno == EINTR || errno == EAGAIN))
		return;
	if (n <= 0) {
		int status;

		/* The worker is gone or going: wait a little for it (never
		 * forever: a task an oops killed can stay stuck in exit), then
		 * make sure the host gets exactly one final line. */
		for (int i = 0; w->pid > 0 && i < 20; i++) {
			if (waitpid(w->pid, &w->status, WNOHANG) == w->pid)
				w->pid = 0;
			else
				sleep_ms(50);
		}
		status = w->status;
		if (!w->final_seen) {
			if (WIFSIGNALED(status))
				reply_err(&a->out, w->tag, EIO,
					  "worker for %s killed by signal %d",
					  w->verb, WTERMSIG(status));
			else
				reply_err(&a->out, w->tag, EIO,
					  "worker for %s exited (%d) without a reply",
					  w->verb, WEXITSTATUS(status));
			w->final_seen = true;
		}
		worker_close(a);
		return;
	}
	w->len += (size_t)n;
	start = w->buf;
	while ((nl = memchr(start, '\n', w->len - (size_t)(start - w->buf)))) {
		*nl = '\0';
		worker_forward_line(a, start);
		start = nl + 1;
	}
	w->len -= (size_t)(start - w->buf);
	memmove(w->buf, start, w->len);
	if (w->len == sizeof(w->buf)) {
		/* Workers write whole lines; this is a bug, not data. */
		w->buf[w->len - 1] = '\0';
		worker_forward_line(a, w->buf);
		w->len = 0;
	}
}

static void worker_check_deadline(struct agent *a)
{
	struct worker *w = &a->w;

	if (!w->active || now_ms() < w->deadline_ms)
		return;
	if (w->pid > 0)
		kill(-w->pid, SIGKILL);
	if (!w->final_seen)
		reply_err(&a->out, w->tag, ETIMEDOUT, "%s exceeded its budget of %us",
			  w->verb, w->budget_s);
	w->final_seen = true;
	/* A worker stuck in the kernel (D state) cannot die: stop waiting for
	 * it; reap_children() collects it if it ever does. */
	worker_close(a);
}

static void reap_children(struct agent *a)
{
	pid_t pid;

	int status;

	while ((pid = waitpid(-1, &status, WNOHANG)) > 0) {
		if (pid == a->w.pid) {
			a->w.pid = 0;
			a->w.status = status;
		}
	}
}

/* ---- command input ---------------------------------------------------- */

void agent_put_end(struct agent *a)
{
	char msg[200];
	int err = put_finish(&a->put, msg, sizeof(msg));

	if (err)
		reply_err(&a->out, a->put_tag, err, "%s", msg);
	else
		reply_ok(&a->out, a->put_tag, "%s", msg);
	a->put_active = false;
}

static void handle_line(struct agent *a, const char *line, size_t len)
{
	struct proto_cmd *cmd;
	enum proto_status st;

	heartbeat_resume();   /* any traffic ends a `quiesce` */
	if (a->put_active) {
		a->put_last_ms = now_ms();
		switch (put_feed_line(&a->put, line, len)) {
		case PUT_MORE:
			return;
		case PUT_COMPLETE:
			agent_put_end(a);
			return;
		case PUT_INTERRUPTED:
			agent_put_end(a);
			break;   /* and handle the line as a command */
		}
	}
	cmd = malloc(sizeof(*cmd));
	if (!cmd) {
		reply_err(&a->out, 0, ENOMEM, "out of memory");
		return;
	}
	st = proto_parse_line(line, len, cmd);
	switch (st) {
	case PROTO_OK:
		commands_dispatch(a, cmd);
		break;
	case PROTO_EMPTY:
		break;
	case PROTO_TOO_MANY_ARGS:
		reply_err(&a->out, cmd->tag, EINVAL, "%s", proto_status_text(st));
		break;
	default:
		/* Not "<tag> <verb>": tag 0 marks replies to such lines (a lone
		 * number may be stray base64, not a tag the host chose). */
		reply_err(&a->out, 0, EPROTO, "%s", proto_status_text(st));
		break;
	}
	free(cmd);
}

static void input_bytes(struct agent *a, const char *buf, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		char c = buf[i];

		if (c == '\n') {
			if (a->discarding)
				reply_err(&a->out, 0, E2BIG, "%s",
					  proto_status_text(PROTO_TOO_LONG));
			else
				handle_line(a, a->inbuf, a->inlen);
			a->inlen = 0;
			a->discarding = false;
			continue;
		}
		if (a->discarding)
			continue;
		if (a->inlen == PROTO_LINE_MAX + 1) {   /* '\r' may follow 4096 */
			a->discarding = true;
			continue;
		}
		a->inbuf[a->inlen++] = c;
	}
}

static void put_check_idle(struct agent *a)
{
	if (!a->put_active || now_ms() - a->put_last_ms < PUT_IDLE_TIMEOUT_MS)
		return;
	put_abort(&a->put);
	reply_err(&a->out, a->put_tag, ETIMEDOUT,
		  "no put data for %ds: got %llu of %llu bytes",
		  PUT_IDLE_TIMEOUT_MS / 1000, a->put.written, a->put.size);
	a->put_active = false;
}

int agent_serve(int in_fd, int out_fd)
{
	struct agent *a = calloc(1, sizeof(*a));
	struct utsname u;

	if (!a)
		return -1;
	a->in_fd = in_fd;
	a->out_fd = out_fd;
	a->w.fd = -1;
	pthread_mutex_init(&a->out_lock, NULL);
	a->out.fd = out_fd;
	a->out.lock = &a->out_lock;
	uname(&u);
	snprintf(a->release, sizeof(a->release), "%s", u.release);
	signal(SIGPIPE, SIG_IGN);

	agent_send_ready(a);
	if (heartbeat_start(&a->out) != 0)
		fprintf(stderr, "nooks-agent: no heartbeat thread\n");

	for (;;) {
		struct pollfd p[2] = {
			{ .fd = in_fd, .events = POLLIN },
			{ .fd = a->w.fd, .events = POLLIN },
		};
		int np = a->w.fd >= 0 ? 2 : 1;

		if (poll(p, (nfds_t)np, 200) < 0 && errno != EINTR)
			sleep_ms(100);
		if (p[0].revents & (POLLIN | POLLHUP | POLLERR)) {
			char buf[4096];
			ssize_t n = read(in_fd, buf, sizeof(buf));

			if (n > 0)
				input_bytes(a, buf, (size_t)n);
			else if (n == 0 && !isatty(in_fd))
				return 0;   /* stdin mode: the host closed it */
			else if (n < 0 && errno != EINTR && errno != EAGAIN)
				sleep_ms(100);
		}
		if (np == 2 && (p[1].revents & (POLLIN | POLLHUP | POLLERR)))
			worker_read(a);
		worker_check_deadline(a);
		put_check_idle(a);
		reap_children(a);
	}
}
