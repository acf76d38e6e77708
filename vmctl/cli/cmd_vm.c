// SPDX-License-Identifier: MIT
/* cmd_vm.c — VM life cycle commands: boot, restore, kill, status, wait,
 * probe-kvm, argv, qmp.
 *
 * `boot`/`restore` keep running as the VM's controller (QEMU dies with it:
 * PR_SET_PDEATHSIG) and hand the sockets over to other vmctl invocations;
 * with --detach the controller goes to the background once the agent is
 * READY and the foreground process reports and exits. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"

static volatile sig_atomic_t stop_requested;

static void on_stop_signal(int sig)
{
	(void)sig;
	stop_requested = 1;
}

static double mono(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* Run as the VM's controller until QEMU exits or we are told to stop. */
static int controller_loop(struct vm *vm)
{
	struct sigaction sa = { .sa_handler = on_stop_signal };
	enum vm_state s = VM_RUNNING;

	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	vm_release_channels(vm);
	while (!stop_requested && (s = vm_poll(vm, 200)) != VM_EXITED)
		;
	int st = vm_exit_status(vm);

	vm_destroy(vm);
	return s == VM_EXITED && st != 0 ? EXIT_FAIL : EXIT_OK;
}

static void report_ready(const char *cmd, struct vm *vm, double secs, int fd)
{
	char buf[2048];

	if (cli_json) {
		json_t *o = json_pack("{s:s,s:s,s:i,s:f,s:s}", "command", cmd, "dir", vm_dir(vm),
				      "qemu_pid", vm_qemu_pid(vm), "ready_seconds", secs,
				      "console_log", vm_console_log(vm));
		char *s = json_dumps(o, JSON_COMPACT);

		snprintf(buf, sizeof(buf), "%s\n", s ? s : "{}");
		free(s);
		json_decref(o);
	} else {
		snprintf(buf, sizeof(buf), "%s: READY in %.3f s (dir %s, QEMU pid %d)\n", cmd, secs,
			 vm_dir(vm), vm_qemu_pid(vm));
	}
	if (write(fd, buf, strlen(buf)) < 0) {
		/* the reader went away; the VM still runs */
	}
}

/* boot and restore: start, report, then stay as the controller. */
static int start_vm(const char *cmd, int argc, char **argv, bool restore)
{
	static const struct option longopts[] = {
		CLI_VM_LONGOPTS,
		{ "detach", no_argument, NULL, 'D' },
		{ "snapshot", required_argument, NULL, 's' },
		{ NULL, 0, NULL, 0 },
	};
	struct vm_config cfg;
	const char *snapshot = NULL;
	bool detach = false;
	int opt, pipefd[2] = { -1, -1 };

	vm_config_init(&cfg, NULL);
	while ((opt = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		if (cli_vm_option(opt, optarg, &cfg))
			continue;
		if (opt == 'D')
			detach = true;
		else if (opt == 's')
			snapshot = optarg;
		else
			return EXIT_USAGE;
	}
	if (!cfg.dir)
		return cli_error(cmd, "--dir is required");
	if (restore && !snapshot)
		return cli_error(cmd, "--snapshot is required");
	if (cfg.mem_mb < 0 || cfg.smp < 0 || cfg.ready_timeout_ms < 0 || cfg.hang_timeout_ms < 0)
		return cli_error(cmd, "invalid number in options");

	int out = STDOUT_FILENO;

	if (detach) {
		if (pipe2(pipefd, O_CLOEXEC) < 0)
			return cli_error(cmd, "pipe: %s", strerror(errno));
		pid_t pid = fork();

		if (pid < 0)
			return cli_error(cmd, "fork: %s", strerror(errno));
		if (pid > 0) {
			/* foreground: relay the controller's report, then exit */
			char buf[4096];
			ssize_t n, total = 0;

			close(pipefd[1]);
			while ((n = read(pipefd[0], buf, sizeof(buf))) > 0) {
				fwrite(buf, 1, (size_t)n, buf[0] == '!' ? stderr : stdout);
				total += n;
			}
			fflush(stdout);
			int st;

			/* the controller exits only on failure before READY */
			if (waitpid(pid, &st, WNOHANG) == pid || total == 0 || buf[0] == '!')
				return EXIT_FAIL;
			return EXIT_OK;
		}
		close(pipefd[0]);
		setsid();
		int devnull = open("/dev/null", O_RDWR);
		char logpath[PATH_MAX];

		if (devnull >= 0)
			dup2(devnull, STDIN_FILENO);
		snprintf(logpath, sizeof(logpath), "%s/vmctl.log", cfg.dir);
		mkdir(cfg.dir, 0755);
		int logfd = open(logpath, O_WRONLY | O_CREAT | O_TRUNC, 0644);

		if (logfd >= 0) {
			dup2(logfd, STDOUT_FILENO);
			dup2(logfd, STDERR_FILENO);
		}
		out = pipefd[1];
	}

	struct vm *vm;
	double t0 = mono();
	int r = restore ? vm_restore(&cfg, snapshot, &vm) : vm_boot(&cfg, &vm);

	if (r < 0) {
		if (detach) {
			char msg[1200];

			snprintf(msg, sizeof(msg), "!vmctl %s: %s\n", cmd, vm_error());
			if (write(out, msg, strlen(msg)) < 0) {
				/* nothing else to tell */
			}
		}
		return cli_error(cmd, "%s", vm_error());
	}
	report_ready(cmd, vm, mono() - t0, out);
	if (detach)
		close(out);
	return controller_loop(vm);
}

int cmd_boot(int argc, char **argv)
{
	return start_vm("boot", argc, argv, false);
}

int cmd_restore(int argc, char **argv)
{
	return start_vm("restore", argc, argv, true);
}

/* The pid file: "<controller> <qemu> <t0>". */
static int read_pids(const char *dir, int *ctl, int *qemu)
{
	char path[PATH_MAX];
	FILE *f;
	int n;

	snprintf(path, sizeof(path), "%s/pid", dir);
	f = fopen(path, "r");
	if (!f)
		return -1;
	n = fscanf(f, "%d %d", ctl, qemu);
	fclose(f);
	return n == 2 && *ctl > 0 && *qemu > 0 ? 0 : -1;
}

static const char *dir_option(int argc, char **argv, const char *cmd, int *timeout_ms)
{
	static const struct option longopts[] = {
		{ "dir", required_argument, NULL, 'd' },
		{ "json", no_argument, NULL, 'j' },
		{ "timeout", required_argument, NULL, 't' },
		{ NULL, 0, NULL, 0 },
	};
	const char *dir = NULL;
	int opt;

	while ((opt = getopt_long(argc, argv, "+", longopts, NULL)) != -1) {
		if (opt == 'd')
			dir = optarg;
		else if (opt == 'j')
			cli_json = true;
		else if (opt == 't' && timeout_ms)
			*timeout_ms = cli_seconds_ms(optarg);
		else
			return NULL;
	}
	if (!dir)
		cli_error(cmd, "--dir is required");
	return dir;
}

int cmd_kill(int argc, char **argv)
{
	const char *dir = dir_option(argc, argv, "kill", NULL);
	int ctl, qemu;

	if (!dir)
		return EXIT_USAGE;
	if (read_pids(dir, &ctl, &qemu) < 0)
		return cli_error("kill", "%s: no pid file (no VM started there)", dir);
	/* QEMU leads its own process group; then let the controller finish. */
	kill(-qemu, SIGKILL);
	kill(qemu, SIGKILL);
	if (ctl != getpid())
		kill(ctl, SIGTERM);
	for (int i = 0; i < 300; i++) {
		if (kill(qemu, 0) < 0 && (ctl == getpid() || kill(ctl, 0) < 0))
			break;
		usleep(10000);
	}
	bool gone = kill(qemu, 0) < 0;

	if (cli_json)
		cli_print_json(json_pack("{s:s,s:b}", "command", "kill", "killed", gone));
	else
		printf("kill: QEMU %d %s\n", qemu, gone ? "gone" : "still there");
	return gone ? EXIT_OK : EXIT_FAIL;
}

int cmd_status(int argc, char **argv)
{
	const char *dir = dir_option(argc, argv, "status", NULL);
	struct vm *vm;
	char *st = NULL;

	if (!dir)
		return EXIT_USAGE;
	if (vm_attach(dir, &vm) < 0)
		return cli_error("status", "%s", vm_error());
	vm_qmp(vm, "query-status", NULL, &st);
	enum vm_state s = vm_poll(vm, 0);

	if (cli_json)
		cli_print_json(json_pack("{s:s,s:s,s:i,s:I,s:s}", "command", "status", "state",
					 vm_state_name(s), "qemu_pid", vm_qemu_pid(vm),
					 "heartbeat_age_ms", (json_int_t)vm_heartbeat_age_ms(vm),
					 "qmp_status", st ? st : "?"));
	else
		printf("state %s, QEMU pid %d, heartbeat %lld ms ago, QMP %s\n", vm_state_name(s),
		       vm_qemu_pid(vm), (long long)vm_heartbeat_age_ms(vm), st ? st : "?");
	free(st);
	vm_destroy(vm);
	return EXIT_OK;
}

int cmd_wait(int argc, char **argv)
{
	int timeout_ms = 60000;
	const char *dir = dir_option(argc, argv, "wait", &timeout_ms);
	struct vm *vm;

	if (!dir)
		return EXIT_USAGE;
	if (timeout_ms < 0)
		return cli_error("wait", "invalid --timeout");
	if (vm_attach(dir, &vm) < 0)
		return cli_error("wait", "%s", vm_error());
	enum vm_state s = vm_wait(vm, timeout_ms);

	if (cli_json)
		cli_print_json(json_pack("{s:s,s:s}", "command", "wait", "state", vm_state_name(s)));
	else
		printf("%s\n", vm_state_name(s));
	vm_destroy(vm);
	return s == VM_HUNG ? 3 : s == VM_EXITED ? 4 : EXIT_OK;
}

int cmd_probe_kvm(int argc, char **argv)
{
	static const struct option longopts[] = {
		CLI_VM_LONGOPTS,
		{ "timeout", required_argument, NULL, 't' },
		{ NULL, 0, NULL, 0 },
	};
	struct vm_config cfg;
	char dir[] = "/tmp/vmctl-probe-kvm.XXXXXX";
	int timeout_ms = 30000, opt;

	vm_config_init(&cfg, NULL);
	while ((opt = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		if (cli_vm_option(opt, optarg, &cfg))
			continue;
		if (opt == 't')
			timeout_ms = cli_seconds_ms(optarg);
		else
			return EXIT_USAGE;
	}
	if (timeout_ms <= 0)
		return cli_error("probe-kvm", "invalid --timeout");
	if (!cfg.dir) {
		if (!mkdtemp(dir))
			return cli_error("probe-kvm", "mkdtemp: %s", strerror(errno));
		cfg.dir = dir;
	}
	double t0 = mono();
	int r = vm_probe_kvm(&cfg, timeout_ms);
	double secs = mono() - t0;
	const char *verdict = r == 0 ? "usable" : "unusable";

	if (cfg.dir == dir) { /* our scratch dir: leave nothing behind */
		static const char *const files[] = { "qmp.sock", "agent.sock", "console.sock",
			"gdb.sock", "console.log", "console.raw", "qemu.log", "pid" };
		char path[PATH_MAX];

		for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
			snprintf(path, sizeof(path), "%s/%s", dir, files[i]);
			unlink(path);
		}
		rmdir(dir);
	}

	if (cli_json)
		cli_print_json(json_pack("{s:s,s:s,s:f,s:s}", "command", "probe-kvm", "kvm", verdict,
					 "seconds", secs, "reason", r == 0 ? "agent READY" : vm_error()));
	else
		printf("KVM %s (%.1f s): %s\n", verdict, secs, r == 0 ? "agent READY" : vm_error());
	return r == 0 ? EXIT_OK : EXIT_FAIL;
}

int cmd_argv(int argc, char **argv)
{
	static const struct option longopts[] = {
		CLI_VM_LONGOPTS,
		{ "incoming", no_argument, NULL, 'i' },
		{ NULL, 0, NULL, 0 },
	};
	struct vm_config cfg;
	bool incoming = false;
	int opt;

	vm_config_init(&cfg, "$DIR");
	while ((opt = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		if (cli_vm_option(opt, optarg, &cfg))
			continue;
		if (opt == 'i')
			incoming = true;
		else
			return EXIT_USAGE;
	}
	char **av = vm_argv_build(&cfg, incoming);

	if (!av)
		return cli_error("argv", "%s", vm_error());
	if (cli_json) {
		json_t *a = json_array();

		for (char **p = av; *p; p++)
			json_array_append_new(a, json_string(*p));
		cli_print_json(a);
	} else {
		for (char **p = av; *p; p++)
			printf("%s%s", *p, p[1] ? " " : "\n");
	}
	vm_argv_free(av);
	return EXIT_OK;
}

int cmd_qmp(int argc, char **argv)
{
	const char *dir = dir_option(argc, argv, "qmp", NULL);
	struct vm *vm;
	char *reply = NULL;

	if (!dir)
		return EXIT_USAGE;
	if (optind >= argc)
		return cli_error("qmp", "missing COMMAND");
	if (vm_attach(dir, &vm) < 0)
		return cli_error("qmp", "%s", vm_error());
	int r = vm_qmp(vm, argv[optind], optind + 1 < argc ? argv[optind + 1] : NULL, &reply);

	if (r == 0)
		printf("%s\n", reply ? reply : "{}");
	else
		cli_error("qmp", "%s", vm_error());
	free(reply);
	vm_destroy(vm);
	return r == 0 ? EXIT_OK : EXIT_FAIL;
}
