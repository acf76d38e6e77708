/* Running helper programs (ip, ethtool, iperf3, /bin/sh) with a time limit,
 * optionally inside a network namespace, collecting their output. */
#ifndef NOOKS_AGENT_SPAWN_H
#define NOOKS_AGENT_SPAWN_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

struct spawn_opts {
	const char *netns;    /* path of a netns file to setns() into, or NULL */
	long timeout_ms;      /* killed with SIGKILL after this; <= 0: none */
	size_t max_output;    /* capture limit; output beyond it is dropped */
	/* When set, output is handed over as it arrives instead of captured. */
	void (*on_output)(void *arg, const char *buf, size_t len);
	void *arg;
};

struct spawn_result {
	int status;           /* wait status; see exit_code */
	int exit_code;        /* WEXITSTATUS, or 128+signal */
	bool timed_out;
	char *output;         /* captured stdout+stderr, NUL-terminated (free) */
	size_t output_len;
};

/* Runs argv[0] (searched in PATH) with stdin from /dev/null and stdout and
 * stderr merged. Returns 0 when the program ran (whatever its exit code),
 * -1 with errno when it could not be started. */
int spawn_run(char *const argv[], const struct spawn_opts *opts,
	      struct spawn_result *res);

void spawn_result_free(struct spawn_result *res);

/* A CLOCK_MONOTONIC time in ms (now_ms()) that no helper started from this
 * process may outlive, whatever its own timeout: a workload sets its budget
 * here so that a helper hung on a broken driver cannot overrun it. 0: none. */
void spawn_set_deadline(long long deadline_ms);

/* fork() with a close-on-exec pipe whose write end the child keeps for its
 * output: returns the pid (0 in the child) and fills pfd, or -1 with errno
 * and no descriptor left open. */
pid_t fork_with_pipe(int pfd[2]);

/* Enters the network namespace at `path` (this thread). */
int netns_enter(const char *path);

#endif
