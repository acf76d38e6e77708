// SPDX-License-Identifier: MIT
/*
 * qemu.c — the QEMU backend: the shared command line (docs: the team's
 * "Shared QEMU command line") built as an argv, never a shell string, and
 * the process that runs it.
 *
 * Containment: QEMU gets its own process group (so a kill reaches anything
 * it forks) and PR_SET_PDEATHSIG(SIGKILL) (so it dies with the thread that
 * started it even if that is killed with SIGKILL). Extra arguments are
 * checked: guest networking must stay inside QEMU, so any -netdev other
 * than hubport and any -nic/-net are refused.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "../backend.h"
#include "../util.h"

/* A growing NULL-terminated argv. */
struct argv_builder {
	char **v;
	size_t n, cap;
	bool failed;
};

static void add(struct argv_builder *b, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void add(struct argv_builder *b, const char *fmt, ...)
{
	va_list ap;
	char *s;

	if (b->failed)
		return;
	if (b->n + 2 > b->cap) {
		size_t cap = b->cap ? b->cap * 2 : 64;
		char **v = realloc(b->v, cap * sizeof(*v));

		if (!v) {
			b->failed = true;
			return;
		}
		b->v = v;
		b->cap = cap;
	}
	va_start(ap, fmt);
	if (vasprintf(&s, fmt, ap) < 0) {
		b->failed = true;
		va_end(ap);
		return;
	}
	va_end(ap);
	b->v[b->n++] = s;
	b->v[b->n] = NULL;
}

void vm_argv_free(char **argv)
{
	if (!argv)
		return;
	for (char **p = argv; *p; p++)
		free(*p);
	free(argv);
}

/* Extra arguments may not open a path out of QEMU's internal hub, nor
 * take over the snapshot machinery. */
static int check_extra_args(const char *const *extra)
{
	for (size_t i = 0; extra && extra[i]; i++) {
		const char *a = extra[i];

		if (a[0] == '-' && a[1] == '-')
			a++;
		if (strcmp(a, "-nic") == 0 || strcmp(a, "-net") == 0)
			return vm_fail(EPERM, "refused QEMU argument %s: only -netdev hubport is allowed",
				       extra[i]);
		if (strcmp(a, "-netdev") == 0) {
			const char *v = extra[i + 1];

			if (!v || strncmp(v, "hubport,", 8) != 0)
				return vm_fail(EPERM, "refused -netdev %s: only hubport is allowed",
					       v ? v : "(missing)");
		}
		if (strcmp(a, "-incoming") == 0)
			return vm_fail(EPERM, "refused -incoming: vmctl manages migration itself");
	}
	return 0;
}

static char **qemu_build_argv(const struct vm_config *cfg, bool incoming)
{
	struct argv_builder b = { 0 };
	const char *d = cfg->dir;

	if (!cfg->dir || !cfg->kernel || !cfg->initrd) {
		vm_fail(EINVAL, "config needs dir, kernel and initrd");
		return NULL;
	}
	if (check_extra_args(cfg->extra_args) < 0)
		return NULL;
	add(&b, "%s", cfg->qemu ? cfg->qemu : "qemu-system-x86_64");
	add(&b, "-accel");
	add(&b, "%s", cfg->kvm ? "kvm" : "tcg");
	add(&b, "-m");
	add(&b, "%dM", cfg->mem_mb > 0 ? cfg->mem_mb : 256);
	add(&b, "-smp");
	add(&b, "%d", cfg->smp > 0 ? cfg->smp : 1);
	add(&b, "-nodefaults");
	add(&b, "-no-user-config");
	add(&b, "-display");
	add(&b, "none");
	add(&b, "-no-reboot");
	add(&b, "-kernel");
	add(&b, "%s", cfg->kernel);
	add(&b, "-initrd");
	add(&b, "%s", cfg->initrd);
	add(&b, "-append");
	add(&b, "%s", cfg->append ? cfg->append : "console=ttyS0,115200 loglevel=8 panic=1 printk.time=1");
	add(&b, "-chardev");
	add(&b, "socket,id=con,path=%s/console.sock,server=on,wait=off", d);
	add(&b, "-serial");
	add(&b, "chardev:con");
	add(&b, "-chardev");
	add(&b, "socket,id=agent,path=%s/agent.sock,server=on,wait=off", d);
	add(&b, "-serial");
	add(&b, "chardev:agent");
	add(&b, "-netdev");
	add(&b, "hubport,id=n0,hubid=0");
	add(&b, "-device");
	add(&b, "e1000,netdev=n0,mac=52:54:00:12:34:56");
	add(&b, "-netdev");
	add(&b, "hubport,id=n1,hubid=0");
	add(&b, "-device");
	add(&b, "virtio-net-pci,netdev=n1,mac=52:54:00:12:34:57");
	add(&b, "-qmp");
	add(&b, "unix:%s/qmp.sock,server=on,wait=off", d);
	if (cfg->gdb) {
		add(&b, "-chardev");
		add(&b, "socket,id=gdb,path=%s/gdb.sock,server=on,wait=off", d);
		add(&b, "-gdb");
		add(&b, "chardev:gdb");
	}
	for (size_t i = 0; cfg->extra_args && cfg->extra_args[i]; i++)
		add(&b, "%s", cfg->extra_args[i]);
	if (incoming) {
		add(&b, "-incoming");
		add(&b, "defer");
	}
	if (b.failed) {
		vm_argv_free(b.v);
		vm_fail(ENOMEM, "out of memory building the QEMU command line");
		return NULL;
	}
	return b.v;
}

char **vm_argv_build(const struct vm_config *cfg, bool incoming)
{
	return qemu_build_argv(cfg, incoming);
}

static int qemu_spawn(char *const *argv, const char *log_path, pid_t *out)
{
	pid_t parent = getpid();
	int logfd = open(log_path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	int errpipe[2];
	pid_t pid;

	if (logfd < 0)
		return vm_fail(errno, "cannot create %s: %s", log_path, strerror(errno));
	if (pipe2(errpipe, O_CLOEXEC) < 0) {
		close(logfd);
		return vm_fail(errno, "pipe: %s", strerror(errno));
	}
	pid = fork();
	if (pid < 0) {
		close(logfd);
		close(errpipe[0]);
		close(errpipe[1]);
		return vm_fail(errno, "fork: %s", strerror(errno));
	}
	if (pid == 0) {
		int devnull = open("/dev/null", O_RDONLY);

		setpgid(0, 0);
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		if (getppid() != parent) /* the parent died before prctl */
			_exit(127);
		if (devnull >= 0)
			dup2(devnull, 0);
		dup2(logfd, 1);
		dup2(logfd, 2);
		/* the caller may block signals in threads; QEMU needs defaults */
		sigset_t none;

		sigemptyset(&none);
		sigprocmask(SIG_SETMASK, &none, NULL);
		execvp(argv[0], argv);
		int err = errno;

		if (write(errpipe[1], &err, sizeof(err)) < 0) {
			/* nothing more we can report */
		}
		_exit(127);
	}
	setpgid(pid, pid); /* also here: no window where a kill misses it */
	close(logfd);
	close(errpipe[1]);
	int err = 0;
	ssize_t n = read(errpipe[0], &err, sizeof(err));

	close(errpipe[0]);
	if (n == (ssize_t)sizeof(err)) {
		waitpid(pid, NULL, 0);
		return vm_fail(err, "cannot run %s: %s", argv[0], strerror(err));
	}
	*out = pid;
	return 0;
}

static void qemu_kill(pid_t pid, int *status)
{
	int st = -1;

	if (pid <= 0)
		return;
	kill(-pid, SIGKILL);
	kill(pid, SIGKILL);
	while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
		;
	if (status)
		*status = st;
}

const struct vm_backend vm_backend_qemu = {
	.name = "qemu",
	.build_argv = qemu_build_argv,
	.spawn = qemu_spawn,
	.kill = qemu_kill,
};
