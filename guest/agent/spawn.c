/* Child processes with deadlines; see spawn.h.
 *
 * The child shares the caller's process group: when the main loop kills a
 * worker's group for exceeding its budget, helpers die with it. */
#include "spawn.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "fsutil.h"

static long long spawn_deadline_ms;

void spawn_set_deadline(long long deadline_ms)
{
	spawn_deadline_ms = deadline_ms;
}

int netns_enter(const char *path)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	int rc;

	if (fd < 0)
		return -1;
	rc = setns(fd, CLONE_NEWNET);
	close(fd);
	return rc;
}

static void child_exec(char *const argv[], const char *netns, int out_fd)
{
	int devnull = open("/dev/null", O_RDONLY);

	if (devnull >= 0) {
		dup2(devnull, 0);
		close(devnull);
	}
	dup2(out_fd, 1);
	dup2(out_fd, 2);
	if (netns && netns_enter(netns) < 0) {
		dprintf(2, "setns %s: %s\n", netns, strerror(errno));
		_exit(126);
	}
	signal(SIGPIPE, SIG_DFL);
	execvp(argv[0], argv);
	dprintf(2, "exec %s: %s\n", argv[0], strerror(errno));
	_exit(127);
}

static void keep_output(struct spawn_result *res, size_t *cap, size_t max,
			const char *buf, size_t n)
{
	if (res->output_len + n > max)
		n = max > res->output_len ? max - res->output_len : 0;
	if (n == 0)
		return;
	if (res->output_len + n + 1 > *cap) {
		size_t ncap = (*cap ? *cap : 4096);
		char *nb;

		while (ncap < res->output_len + n + 1)
			ncap *= 2;
		nb = realloc(res->output, ncap);
		if (!nb)
			return;
		res->output = nb;
		*cap = ncap;
	}
	memcpy(res->output + res->output_len, buf, n);
	res->output_len += n;
	res->output[res->output_len] = '\0';
}

pid_t fork_with_pipe(int pfd[2])
{
	pid_t pid;

	if (pipe2(pfd, O_CLOEXEC) < 0)
		return -1;
	pid = fork();
	if (pid < 0) {
		int err = errno;

		close(pfd[0]);
		close(pfd[1]);
		errno = err;
	}
	return pid;
}

int spawn_run(char *const argv[], const struct spawn_opts *opts,
	      struct spawn_result *res)
{
	long long deadline = opts->timeout_ms > 0 ? now_ms() + opts->timeout_ms : 0;
	size_t cap = 0, max = opts->max_output ? opts->max_output : (1u << 20);
	bool exited = false, eof = false;
	int pfd[2];
	pid_t pid;

	memset(res, 0, sizeof(*res));
	if (spawn_deadline_ms && (!deadline || spawn_deadline_ms < deadline))
		deadline = spawn_deadline_ms;
	pid = fork_with_pipe(pfd);
	if (pid < 0)
		return -1;
	if (pid == 0)
		child_exec(argv, opts->netns, pfd[1]);
	close(pfd[1]);

	/* Read until the child exits; a grandchild that keeps the pipe open
	 * (a backgrounded command) must not hold us past the child's exit. */
	while (!exited || !eof) {
		struct pollfd p = { .fd = pfd[0], .events = POLLIN };
		int wait_ms = 100;
		char buf[4096];

		if (!exited) {
			pid_t w = waitpid(pid, &res->status, WNOHANG);

			if (w == pid)
				exited = true;
		}
		if (exited)
			wait_ms = 0;   /* just drain what is already there */
		if (deadline && !exited && now_ms() >= deadline) {
			kill(pid, SIGKILL);
			res->timed_out = true;
			exited = true;
			eof = true;
			/* A helper stuck in the kernel (a broken driver holding a
			 * lock) cannot die; give it a moment, then leave it be. */
			res->status = SIGKILL;
			for (int i = 0; i < 20; i++) {
				if (waitpid(pid, &res->status, WNOHANG) == pid)
					break;
				sleep_ms(50);
			}
		}
		if (eof)
			continue;
		if (poll(&p, 1, wait_ms) > 0) {
			ssize_t n = read(pfd[0], buf, sizeof(buf));

			if (n > 0) {
				if (opts->on_output)
					opts->on_output(opts->arg, buf, (size_t)n);
				else
					keep_output(res, &cap, max, buf, (size_t)n);
				continue;
			}
			if (n == 0 || errno != EINTR)
				eof = true;
		} else if (exited) {
			eof = true;   /* nothing left right now: stop */
		}
	}
	close(pfd[0]);
	if (!res->output) {
		res->output = calloc(1, 1);
		if (!res->output) {
			errno = ENOMEM;
			return -1;
		}
	}
	if (WIFEXITED(res->status))
		res->exit_code = WEXITSTATUS(res->status);
	else if (WIFSIGNALED(res->status))
		res->exit_code = 128 + WTERMSIG(res->status);
	return 0;
}

void spawn_result_free(struct spawn_result *res)
{
	free(res->output);
	res->output = NULL;
	res->output_len = 0;
}
