/* SPDX-License-Identifier: MIT */
/* fakepeer.h — a scripted peer for the protocol unit tests: a thread on
 * the other end of a socketpair that, step by step, reads a line (and
 * checks it contains the expected text) and/or writes canned bytes. The
 * test then checks what the client made of it. */
#ifndef VMCTL_TEST_FAKEPEER_H
#define VMCTL_TEST_FAKEPEER_H

#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

struct peer_step {
	const char *expect;  /* read one line containing this (NULL: no read) */
	const char *send;    /* then write this (NULL: nothing) */
	int delay_ms;        /* sleep before the step */
};

struct fakepeer {
	int fd;                       /* peer side */
	const struct peer_step *steps;
	pthread_t thread;
	char buf[65536];
	size_t len;
	int failed_step;              /* -1 if all expectations held */
	char got[512];                /* the line that failed */
	bool close_at_end;
	int hold_ms;                  /* stay connected this long at the end */
};

static int peer_read_line(struct fakepeer *p, char *out, size_t size)
{
	for (;;) {
		char *nl = memchr(p->buf, '\n', p->len);

		if (nl) {
			size_t n = (size_t)(nl - p->buf);
			size_t c = n < size - 1 ? n : size - 1;

			memcpy(out, p->buf, c);
			out[c] = '\0';
			memmove(p->buf, nl + 1, p->len - n - 1);
			p->len -= n + 1;
			return 0;
		}
		ssize_t r = read(p->fd, p->buf + p->len, sizeof(p->buf) - p->len);

		if (r <= 0)
			return -1;
		p->len += (size_t)r;
	}
}

static void *peer_thread(void *arg)
{
	struct fakepeer *p = arg;
	char line[65536];

	for (int i = 0; p->steps[i].expect || p->steps[i].send; i++) {
		const struct peer_step *s = &p->steps[i];

		if (s->delay_ms)
			usleep((useconds_t)s->delay_ms * 1000);
		if (s->expect) {
			if (peer_read_line(p, line, sizeof(line)) < 0 || !strstr(line, s->expect)) {
				if (p->failed_step < 0) {
					p->failed_step = i;
					snprintf(p->got, sizeof(p->got), "%.500s", line);
				}
				break;
			}
		}
		if (s->send && write(p->fd, s->send, strlen(s->send)) < 0)
			break;
	}
	if (p->hold_ms)
		usleep((useconds_t)p->hold_ms * 1000);
	if (p->close_at_end)
		shutdown(p->fd, SHUT_RDWR);
	return NULL;
}

/* Start the peer; returns the client's end of the socketpair. */
static inline int fakepeer_start(struct fakepeer *p, const struct peer_step *steps)
{
	int sv[2];

	/* the peer may write after the client under test hung up */
	signal(SIGPIPE, SIG_IGN);
	memset(p->buf, 0, 16);
	p->len = 0;
	p->steps = steps;
	p->failed_step = -1;
	p->close_at_end = false;
	p->hold_ms = 0;
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) < 0)
		return -1;
	p->fd = sv[1];
	pthread_create(&p->thread, NULL, peer_thread, p);
	return sv[0];
}

/* Join; returns the failed step index or -1. */
static inline int fakepeer_finish(struct fakepeer *p)
{
	shutdown(p->fd, SHUT_RDWR);
	pthread_join(p->thread, NULL);
	close(p->fd);
	if (p->failed_step >= 0)
		fprintf(stderr, "fakepeer: step %d got '%s'\n", p->failed_step, p->got);
	return p->failed_step;
}

#endif
