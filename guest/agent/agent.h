/* The agent's main loop: reads command lines from the serial port, answers
 * quick commands itself, receives `put` data, and runs everything that may
 * block (module loading, workloads, shell commands) in a forked worker whose
 * output it forwards and whose budget it enforces. */
#ifndef NOOKS_AGENT_AGENT_H
#define NOOKS_AGENT_AGENT_H

#include <pthread.h>
#include <stdbool.h>
#include <sys/types.h>

#include "proto.h"
#include "put.h"
#include "reply.h"

#define AGENT_PROTOCOL_VERSION 1
#define PUT_IDLE_TIMEOUT_MS 15000

struct worker {
	bool active;               /* output still expected */
	pid_t pid;                 /* > 0 until reaped */
	int status;                /* wait status once reaped */
	int fd;                    /* read end of its output pipe, -1 closed */
	unsigned long long tag;
	long long deadline_ms;
	unsigned budget_s;
	bool final_seen;
	char verb[16];
	char params[1024];         /* `load` parameters, for the registry */
	char buf[PROTO_LINE_MAX * 2];
	size_t len;
};

struct agent {
	int in_fd, out_fd;
	pthread_mutex_t out_lock;
	struct reply_sink out;
	char release[128];

	char inbuf[PROTO_LINE_MAX + 2];
	size_t inlen;
	bool discarding;           /* inside an over-long line */

	bool put_active;
	unsigned long long put_tag;
	long long put_last_ms;
	struct put_rx put;

	struct worker w;
};

/* Runs forever on the given fds (the serial port, twice, in the guest). */
int agent_serve(int in_fd, int out_fd);

/* Sends the READY line. */
void agent_send_ready(struct agent *a);

/* Ends a `put` transfer: checks it and sends its final line. */
void agent_put_end(struct agent *a);

/* True while a worker's command has not sent its final line. A worker that
 * did is finishing (draining, exiting) and no longer blocks new commands. */
bool agent_worker_busy(const struct agent *a);

/* Forks a worker that runs fn; the caller has checked the arguments. */
typedef void (*worker_fn)(const struct proto_cmd *cmd, struct reply_sink *out,
			  unsigned budget_s);
int agent_start_worker(struct agent *a, const struct proto_cmd *cmd,
		       unsigned budget_s, worker_fn fn);

#endif
