/* Peer namespace and its servers; see peer.h. */
#include "peer.h"

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "echo.h"
#include "fsutil.h"
#include "netif.h"
#include "spawn.h"

int run_ip(const char *netns, char *out, size_t cap, const char *arg0, ...)
{
	const char *argv[24] = { "ip" };
	struct spawn_opts o = { .netns = netns, .timeout_ms = 10000 };
	struct spawn_result r;
	int argc = 1;
	va_list ap;

	argv[argc++] = arg0;
	va_start(ap, arg0);
	while (argc < 23 && (argv[argc] = va_arg(ap, const char *)))
		argc++;
	va_end(ap);
	argv[argc] = NULL;
	if (spawn_run((char *const *)argv, &o, &r) < 0)
		return -1;
	if (out && cap) {
		snprintf(out, cap, "%s", r.output);
		/* Keep it one line for reason= values. */
		for (char *p = out; *p; p++)
			if (*p == '\n')
				*p = ' ';
	}
	spawn_result_free(&r);
	return r.timed_out ? -1 : r.exit_code;
}

/* ---- daemons ---------------------------------------------------------- */

/* Starts fn(arg) as a daemon (new session, reparented to init, so that
 * killing a worker's process group leaves it alone), inside `netns`.
 * Returns the daemon's pid or -1. */
static pid_t daemon_start(const char *netns, void (*fn)(void *), void *arg)
{
	int pfd[2];
	pid_t mid, pid = -1;

	if (pipe2(pfd, O_CLOEXEC) < 0)
		return -1;
	mid = fork();
	if (mid < 0) {
		close(pfd[0]);
		close(pfd[1]);
		return -1;
	}
	if (mid == 0) {
		pid_t d;

		setsid();
		d = fork();
		if (d == 0) {
			int null = open("/dev/null", O_RDWR);

			if (null >= 0) {
				dup2(null, 0);
				dup2(null, 1);
				dup2(null, 2);
			}
			/* Nothing of the starter's may stay open: a worker's
			 * output pipe held here would never see EOF. */
			closefrom(3);
			signal(SIGPIPE, SIG_IGN);
			if (netns && netns_enter(netns) < 0)
				_exit(126);
			fn(arg);
			_exit(127);
		}
		if (write(pfd[1], &d, sizeof(d)) != sizeof(d))
			_exit(1);
		_exit(0);
	}
	close(pfd[1]);
	waitpid(mid, NULL, 0);
	if (read(pfd[0], &pid, sizeof(pid)) != sizeof(pid))
		pid = -1;
	close(pfd[0]);
	return pid;
}

static void exec_iperf3_server(void *arg)
{
	(void)arg;
	/* --idle-timeout: a server stuck in a half-dead test restarts itself
	 * even if no workload comes to replace it. */
	execlp("iperf3", "iperf3", "-s", "-p", "5201", "--idle-timeout", "30",
	       (char *)NULL);
}

static void run_echo_server(void *arg)
{
	(void)arg;
	/* The name the liveness check looks for in /proc/<pid>/comm. */
	if (prctl(PR_SET_NAME, "nooks-echo", 0, 0, 0) < 0)
		_exit(125);
	/* Any address of the peer namespace: only peer0 and lo live there. */
	echo_server_run("0.0.0.0", ECHO_PORT);
}

/* ---- pid files and liveness ------------------------------------------ */

static void pidfile_path(const char *name, char *path, size_t cap)
{
	snprintf(path, cap, "%s/%s.pid", NOOKS_RUN_DIR, name);
}

static void pidfile_write(const char *name, pid_t pid)
{
	char path[128], buf[32];
	int fd;

	mkdir(NOOKS_RUN_DIR, 0755);
	pidfile_path(name, path, sizeof(path));
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0)
		return;
	snprintf(buf, sizeof(buf), "%d\n", (int)pid);
	fs_write_all(fd, buf, strlen(buf));
	close(fd);
}

static pid_t pidfile_read(const char *name)
{
	char path[128], buf[32];

	pidfile_path(name, path, sizeof(path));
	if (fs_read_line(path, buf, sizeof(buf)) < 0)
		return -1;
	return (pid_t)atoi(buf);
}

/* Alive and not a zombie, and still the program we started (comm). */
static bool pid_alive(pid_t pid, const char *comm)
{
	char path[64], buf[512], *rp;

	if (pid <= 0)
		return false;
	snprintf(path, sizeof(path), "/proc/%d/comm", (int)pid);
	if (fs_read_line(path, buf, sizeof(buf)) < 0 || strcmp(buf, comm) != 0)
		return false;
	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	if (fs_read_line(path, buf, sizeof(buf)) < 0)
		return false;
	rp = strrchr(buf, ')');
	return rp && rp[1] == ' ' && rp[2] != 'Z' && rp[2] != 'X';
}

/* True when the process's namespace has a TCP socket listening on port
 * (/proc/<pid>/net/tcp{,6} show the namespace of that process). */
static bool port_listening(pid_t pid, int port)
{
	static const char *const files[] = { "tcp", "tcp6" };
	char want[16];

	snprintf(want, sizeof(want), ":%04X", port);
	for (size_t f = 0; f < 2; f++) {
		char path[64], line[512];
		FILE *fp;

		snprintf(path, sizeof(path), "/proc/%d/net/%s", (int)pid, files[f]);
		fp = fopen(path, "re");
		if (!fp)
			continue;
		while (fgets(line, sizeof(line), fp)) {
			char local[80], remote[80], state[8];

			if (sscanf(line, " %*s %79s %79s %7s", local, remote,
				   state) != 3)
				continue;
			if (strcmp(state, "0A") == 0 &&
			    strlen(local) >= strlen(want) &&
			    strcmp(local + strlen(local) - strlen(want), want) == 0) {
				fclose(fp);
				return true;
			}
		}
		fclose(fp);
	}
	return false;
}

static int wait_listening(pid_t pid, int port, long timeout_ms)
{
	long long end = now_ms() + timeout_ms;

	while (!port_listening(pid, port)) {
		if (now_ms() >= end)
			return -1;
		sleep_ms(20);
	}
	return 0;
}

static void kill_and_wait(pid_t pid, const char *comm)
{
	long long end = now_ms() + 2000;

	kill(pid, SIGKILL);
	while (pid_alive(pid, comm) && now_ms() < end)
		sleep_ms(10);
}

struct server {
	const char *name;     /* pid file */
	const char *comm;     /* /proc/<pid>/comm */
	int port;
	void (*start)(void *);
};

static const struct server servers[] = {
	{ "iperf3", "iperf3", IPERF_PORT, exec_iperf3_server },
	{ "echo", "nooks-echo", ECHO_PORT, run_echo_server },
};

static int server_ensure(const struct server *s, bool restart, char *why,
			 size_t cap)
{
	pid_t pid = pidfile_read(s->name);

	if (pid_alive(pid, s->comm)) {
		if (!restart && port_listening(pid, s->port))
			return 0;
		kill_and_wait(pid, s->comm);
	}
	pid = daemon_start(PEER_NETNS, s->start, NULL);
	if (pid < 0) {
		snprintf(why, cap, "%s-start-failed", s->name);
		return -1;
	}
	pidfile_write(s->name, pid);
	if (wait_listening(pid, s->port, 15000) < 0) {
		snprintf(why, cap, "%s-not-listening", s->name);
		return -1;
	}
	return 0;
}

int peer_servers_ensure(bool restart_iperf, char *why, size_t cap)
{
	for (size_t i = 0; i < sizeof(servers) / sizeof(servers[0]); i++) {
		bool restart = restart_iperf && strcmp(servers[i].name, "iperf3") == 0;

		if (server_ensure(&servers[i], restart, why, cap) < 0)
			return -1;
	}
	return 0;
}

/* ---- namespace -------------------------------------------------------- */

/* A process that only holds the namespace, as `ip netns add` would with a
 * bind mount alone; it stays so that the namespace is visible in ps. */
static pid_t start_holder(void)
{
	int pfd[2];
	pid_t pid;
	char ok;

	if (pipe2(pfd, O_CLOEXEC) < 0)
		return -1;
	pid = fork();
	if (pid < 0)
		return -1;
	if (pid == 0) {
		close(pfd[0]);
		setsid();
		if (pfd[1] != 3 && dup2(pfd[1], 3) == 3)
			pfd[1] = 3;
		closefrom(pfd[1] + 1);
		if (unshare(CLONE_NEWNET) < 0)
			_exit(1);
		ok = 1;
		if (write(pfd[1], &ok, 1) != 1)
			_exit(1);
		close(pfd[1]);
		for (;;)
			pause();
	}
	close(pfd[1]);
	if (read(pfd[0], &ok, 1) != 1) {
		close(pfd[0]);
		waitpid(pid, NULL, 0);
		return -1;
	}
	close(pfd[0]);
	return pid;
}

static int bind_netns(pid_t holder)
{
	char src[64];
	int fd;

	if (mkdir("/run/netns", 0755) < 0 && errno != EEXIST)
		return -1;
	fd = open(PEER_NETNS, O_RDONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0444);
	if (fd < 0)
		return -1;
	close(fd);
	snprintf(src, sizeof(src), "/proc/%d/ns/net", (int)holder);
	return mount(src, PEER_NETNS, NULL, MS_BIND, NULL);
}

int peer_setup(void)
{
	char ifname[IFNAME_CAP], out[512], why[64];
	pid_t holder;

	if (access(PEER_NETNS, F_OK) == 0) {
		fprintf(stderr, "peer-setup: %s exists already\n", PEER_NETNS);
		return -1;
	}
	if (netif_wait_by_driver(PEER_DRIVER, ifname, sizeof(ifname), 10000) < 0) {
		fprintf(stderr, "peer-setup: no interface driven by %s\n",
			PEER_DRIVER);
		return -1;
	}
	holder = start_holder();
	if (holder < 0 || bind_netns(holder) < 0) {
		fprintf(stderr, "peer-setup: cannot create namespace: %s\n",
			strerror(errno));
		return -1;
	}
	mkdir(NOOKS_RUN_DIR, 0755);
	pidfile_write("peer-holder", holder);

	if (run_ip(NULL, out, sizeof(out), "link", "set", "dev", ifname, "name",
		   PEER_IFNAME, NULL) != 0 ||
	    run_ip(NULL, out, sizeof(out), "link", "set", "dev", PEER_IFNAME,
		   "netns", "peer", NULL) != 0 ||
	    run_ip(PEER_NETNS, out, sizeof(out), "link", "set", "lo", "up",
		   NULL) != 0 ||
	    run_ip(PEER_NETNS, out, sizeof(out), "addr", "add", PEER_CIDR, "dev",
		   PEER_IFNAME, NULL) != 0 ||
	    run_ip(PEER_NETNS, out, sizeof(out), "link", "set", PEER_IFNAME, "up",
		   NULL) != 0) {
		fprintf(stderr, "peer-setup: ip failed: %s\n", out);
		return -1;
	}
	if (peer_servers_ensure(true, why, sizeof(why)) < 0) {
		fprintf(stderr, "peer-setup: %s\n", why);
		return -1;
	}
	fprintf(stderr, "peer-setup: %s (was %s) in netns peer as %s\n",
		PEER_IFNAME, ifname, PEER_CIDR);
	return 0;
}
