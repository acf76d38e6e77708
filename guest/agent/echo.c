/* TCP echo server and client; see echo.h. The client writes and reads in
 * one poll loop so that neither side's socket buffer can fill up and stall
 * the other. */
#include "echo.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include "fsutil.h"

static void echo_serve_conn(int c)
{
	struct timeval idle = { .tv_sec = 30 };
	char buf[16384];

	/* A peer that vanishes (a dead target driver) must not pin us. */
	setsockopt(c, SOL_SOCKET, SO_RCVTIMEO, &idle, sizeof(idle));
	setsockopt(c, SOL_SOCKET, SO_SNDTIMEO, &idle, sizeof(idle));
	for (;;) {
		ssize_t n = read(c, buf, sizeof(buf));

		if (n <= 0)
			break;
		if (fs_write_all(c, buf, (size_t)n) < 0)
			break;
	}
	close(c);
}

int echo_server_run(const char *bind_addr, int port)
{
	struct sockaddr_in addr = { .sin_family = AF_INET,
				    .sin_port = htons((uint16_t)port) };
	int one = 1, s;

	if (inet_pton(AF_INET, bind_addr, &addr.sin_addr) != 1) {
		errno = EINVAL;
		return -1;
	}
	signal(SIGCHLD, SIG_IGN);   /* connection children reap themselves */
	s = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (s < 0)
		return -1;
	setsockopt(s, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(s, (struct sockaddr *)&addr, sizeof(addr)) < 0 ||
	    listen(s, 16) < 0) {
		close(s);
		return -1;
	}
	for (;;) {
		int c = accept4(s, NULL, NULL, SOCK_CLOEXEC);
		pid_t pid;

		if (c < 0) {
			if (errno == EINTR || errno == ECONNABORTED)
				continue;
			sleep_ms(100);
			continue;
		}
		pid = fork();
		if (pid == 0) {
			close(s);
			echo_serve_conn(c);
			_exit(0);
		}
		close(c);
	}
}

void echo_fill_pattern(uint8_t *buf, size_t len, uint64_t seed)
{
	uint64_t x = seed ? seed : 0x9e3779b97f4a7c15ull;

	for (size_t i = 0; i < len; i++) {
		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		buf[i] = (uint8_t)(x >> 24);
	}
}

static int connect_timeout(int s, const struct sockaddr_in *to, long ms)
{
	struct pollfd p = { .fd = s, .events = POLLOUT };
	socklen_t len = sizeof(int);
	int err = 0;

	if (connect(s, (const struct sockaddr *)to, sizeof(*to)) == 0)
		return 0;
	if (errno != EINPROGRESS)
		return -1;
	if (poll(&p, 1, (int)ms) <= 0) {
		errno = ETIMEDOUT;
		return -1;
	}
	getsockopt(s, SOL_SOCKET, SO_ERROR, &err, &len);
	if (err) {
		errno = err;
		return -1;
	}
	return 0;
}

int echo_roundtrip(const char *dst, int port, size_t len, uint64_t seed,
		   long timeout_ms, struct echo_stats *st)
{
	struct sockaddr_in to = { .sin_family = AF_INET,
				  .sin_port = htons((uint16_t)port) };
	long long start = now_ms(), end = start + timeout_ms;
	uint8_t *tx = malloc(len), *rx = malloc(len);
	int s = -1, rc = -1;

	memset(st, 0, sizeof(*st));
	st->mismatch_at = -1;
	if (!tx || !rx) {
		st->error = "out-of-memory";
		goto out;
	}
	echo_fill_pattern(tx, len, seed);
	if (inet_pton(AF_INET, dst, &to.sin_addr) != 1) {
		st->error = "bad-address";
		goto out;
	}
	s = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (s < 0 || connect_timeout(s, &to, timeout_ms) < 0) {
		st->error = errno == ETIMEDOUT ? "connect-timeout" : "connect-failed";
		goto out;
	}
	while (st->received < len) {
		struct pollfd p = { .fd = s, .events = POLLIN };
		long long left = end - now_ms();

		if (st->sent < len)
			p.events |= POLLOUT;
		if (left <= 0) {
			st->error = "timeout";
			goto out;
		}
		if (poll(&p, 1, (int)left) <= 0)
			continue;
		if (p.revents & POLLOUT) {
			ssize_t n = send(s, tx + st->sent, len - st->sent,
					 MSG_NOSIGNAL);

			if (n < 0 && errno != EAGAIN && errno != EINTR) {
				st->error = "send-failed";
				goto out;
			}
			if (n > 0)
				st->sent += (size_t)n;
			if (st->sent == len)
				shutdown(s, SHUT_WR);
		}
		if (p.revents & (POLLIN | POLLHUP | POLLERR)) {
			ssize_t n = recv(s, rx + st->received, len - st->received, 0);

			if (n == 0) {
				st->error = "short-echo";
				goto out;
			}
			if (n < 0 && errno != EAGAIN && errno != EINTR) {
				st->error = "recv-failed";
				goto out;
			}
			if (n > 0)
				st->received += (size_t)n;
		}
	}
	for (size_t i = 0; i < len; i++) {
		if (tx[i] != rx[i]) {
			st->mismatch_at = (long long)i;
			st->error = "mismatch";
			goto out;
		}
	}
	rc = 0;
out:
	st->ms = now_ms() - start;
	if (s >= 0)
		close(s);
	free(tx);
	free(rx);
	return rc;
}
