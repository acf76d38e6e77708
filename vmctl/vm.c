// SPDX-License-Identifier: MIT
/*
 * vm.c — the life of one guest: start QEMU through the backend, connect
 * the console capture, QMP and the agent, and watch it.
 *
 * Watching is a non-blocking "service" step (vm_service) run between reads
 * of the agent channel: it reaps QEMU, dispatches QMP events (STOP,
 * RESUME, SHUTDOWN, GUEST_PANICKED...) and gdb stop replies. Hang detection
 * is the agent's heartbeat age while the VM is meant to be running; a
 * paused VM is never "hung".
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "util.h"
#include "vm_internal.h"

static const char *const socket_names[] = { "console.sock", "agent.sock", "qmp.sock", "gdb.sock" };

const char *vm_state_name(enum vm_state s)
{
	static const char *const names[] = {
		[VM_RUNNING] = "running", [VM_PAUSED] = "paused",
		[VM_HUNG] = "hung", [VM_EXITED] = "exited",
	};
	return (unsigned)s < sizeof(names) / sizeof(names[0]) ? names[s] : "?";
}

static char *keep(struct vm *vm, int slot, const char *s)
{
	vm->cfg_strings[slot] = s ? strdup(s) : NULL;
	return vm->cfg_strings[slot];
}

int vm_new(const struct vm_config *cfg, struct vm **out)
{
	struct vm *vm = calloc(1, sizeof(*vm));

	if (!vm)
		return vm_fail(ENOMEM, "out of memory");
	vm->backend = &vm_backend_qemu;
	vm->cfg = *cfg;
	vm->cfg.dir = keep(vm, 0, cfg->dir);
	vm->cfg.qemu = keep(vm, 1, cfg->qemu);
	vm->cfg.kernel = keep(vm, 2, cfg->kernel);
	vm->cfg.initrd = keep(vm, 3, cfg->initrd);
	vm->cfg.append = keep(vm, 4, cfg->append);
	vm->cfg.extra_args = NULL; /* only needed for the argv, built at once */
	vm->pid = -1;
	vm->exit_status = -1;
	vm->qmp.fd = vm->agent.fd = vm->gdb.fd = -1;
	if (cfg->dir) {
		snprintf(vm->dir, sizeof(vm->dir), "%s", cfg->dir);
		path_join(vm->console_log, sizeof(vm->console_log), vm->dir, "console.log");
		path_join(vm->console_raw, sizeof(vm->console_raw), vm->dir, "console.raw");
	}
	*out = vm;
	return 0;
}

static void on_qmp_event(void *arg, const char *event, json_t *data)
{
	struct vm *vm = arg;

	(void)data;
	if (strcmp(event, "STOP") == 0) {
		vm->paused = true;
	} else if (strcmp(event, "RESUME") == 0) {
		vm->paused = false;
		/* the guest was frozen: its heartbeat clock starts again */
		vm->agent.last_alive_ms = now_ms();
	} else if (strcmp(event, "SHUTDOWN") == 0) {
		vm->shutdown_seen = true;
	} else if (strcmp(event, "GUEST_PANICKED") == 0) {
		vm->panicked = true;
	}
}

bool vm_qemu_gone(struct vm *vm)
{
	if (vm->reaped)
		return true;
	if (vm->pid <= 0)
		return false;
	if (vm->owned) {
		int st;
		pid_t r = waitpid(vm->pid, &st, WNOHANG);

		if (r == vm->pid || (r < 0 && errno == ECHILD)) {
			vm->reaped = true;
			vm->exit_status = r == vm->pid ? st : -1;
		}
	} else if (kill(vm->pid, 0) < 0 && errno == ESRCH) {
		vm->reaped = true;
	}
	return vm->reaped;
}

void vm_service(struct vm *vm)
{
	if (vm_qemu_gone(vm))
		return;
	if (vm->has_qmp && qmp_poll(&vm->qmp, 0) < 0)
		vm->has_qmp = false; /* QEMU is going away; exit is seen next time */
	if (vm->has_gdb) {
		if (gdb_pump(&vm->gdb, 0) < 0) {
			gdb_close(&vm->gdb);
			vm->has_gdb = false;
		}
		if (vm->pending_stop[0])
			vm_gdb_handle_stop(vm);
	}
}

static enum vm_cmd_status agent_check(void *arg)
{
	struct vm *vm = arg;

	vm_service(vm);
	if (vm->reaped)
		return VM_CMD_EXITED;
	if (vm->paused)
		vm->agent.last_alive_ms = now_ms(); /* frozen on purpose, not hung */
	return VM_CMD_OK;
}

int vm_write_pidfile(struct vm *vm)
{
	char path[PATH_MAX], tmp[PATH_MAX + 8];
	FILE *f;

	if (path_join(path, sizeof(path), vm->dir, "pid") < 0)
		return -ENAMETOOLONG;
	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	f = fopen(tmp, "we");
	if (!f)
		return vm_fail(errno, "cannot write %s: %s", tmp, strerror(errno));
	/* "<controller pid> <qemu pid> <qemu start, CLOCK_MONOTONIC s>" */
	fprintf(f, "%d %d %.6f\n", (int)getpid(), (int)vm->pid, vm->t0);
	if (fclose(f) != 0 || rename(tmp, path) < 0)
		return vm_fail(errno, "cannot write %s: %s", path, strerror(errno));
	return 0;
}

int vm_start_qemu(struct vm *vm, bool incoming)
{
	char path[PATH_MAX], log[PATH_MAX];
	char **argv;
	int r, fd;

	if (!vm->dir[0])
		return vm_fail(EINVAL, "no VM dir given");
	if (!vm->cfg.kernel)
		return vm_fail(ENOENT, "no guest kernel: no /boot/vmlinuz-<ver> with headers");
	if (access(vm->cfg.kernel, R_OK) < 0)
		return vm_fail(ENOENT, "guest kernel %s: %s", vm->cfg.kernel, strerror(errno));
	if (access(vm->cfg.initrd, R_OK) < 0)
		return vm_fail(ENOENT, "guest image %s: %s (build it with `make guest`)",
			       vm->cfg.initrd, strerror(errno));
	r = mkdir_p(vm->dir);
	if (r < 0)
		return vm_fail(-r, "cannot create VM dir %s: %s", vm->dir, strerror(-r));
	for (size_t i = 0; i < sizeof(socket_names) / sizeof(socket_names[0]); i++)
		if (path_join(path, sizeof(path), vm->dir, socket_names[i]) == 0)
			unlink(path);
	argv = vm->backend->build_argv(&vm->cfg, incoming);
	if (!argv)
		return -EINVAL;
	path_join(log, sizeof(log), vm->dir, "qemu.log");
	vm->t0 = now_seconds();
	r = vm->backend->spawn(argv, log, &vm->pid);
	vm_argv_free(argv);
	if (r < 0)
		return r;
	vm->owned = true;
	r = vm_write_pidfile(vm);
	if (r < 0)
		return r;

	/* Console first: it is the one channel whose early bytes matter. */
	path_join(path, sizeof(path), vm->dir, "console.sock");
	fd = unix_connect(path, VM_CONNECT_TIMEOUT_MS);
	if (fd < 0)
		return vm_qemu_gone(vm) ? vm_fail(ECHILD, "QEMU exited at start (see %s)", log) : fd;
	r = console_start(&vm->console, fd, vm->console_log, vm->console_raw, vm->t0);
	if (r < 0)
		return r;

	path_join(path, sizeof(path), vm->dir, "qmp.sock");
	fd = unix_connect(path, VM_CONNECT_TIMEOUT_MS);
	if (fd < 0)
		return fd;
	r = qmp_open(&vm->qmp, fd, VM_QMP_TIMEOUT_MS, on_qmp_event, vm);
	if (r < 0)
		return r;
	vm->has_qmp = true;

	path_join(path, sizeof(path), vm->dir, "agent.sock");
	fd = unix_connect(path, VM_CONNECT_TIMEOUT_MS);
	if (fd < 0)
		return fd;
	agent_init(&vm->agent, fd, vm->cfg.hang_timeout_ms);
	vm->agent.check = agent_check;
	vm->agent.check_arg = vm;
	vm->has_agent = true;
	return 0;
}

int vm_connect_agent(struct vm *vm, bool fresh_boot)
{
	int r;

	if (fresh_boot)
		r = agent_wait_ready(&vm->agent, vm->cfg.ready_timeout_ms);
	else
		r = agent_hello(&vm->agent, vm->cfg.ready_timeout_ms);
	if (r < 0 && vm_qemu_gone(vm))
		return vm_fail(ECHILD, "QEMU exited before the agent was READY (see %s)",
			       vm->console_log);
	return r;
}

int vm_boot(const struct vm_config *cfg, struct vm **out)
{
	struct vm *vm;
	int r = vm_new(cfg, &vm);

	if (r < 0)
		return r;
	r = vm_start_qemu(vm, false);
	if (r == 0)
		r = vm_connect_agent(vm, true);
	if (r < 0) {
		char msg[512];

		snprintf(msg, sizeof(msg), "%s", vm_error());
		vm_destroy(vm);
		return vm_fail(-r, "%s", msg);
	}
	*out = vm;
	return 0;
}

int vm_attach(const char *dir, struct vm **out)
{
	struct vm_config cfg;
	char path[PATH_MAX];
	struct vm *vm;
	int ctl = 0, qpid = 0, fd, r;
	FILE *f;

	vm_config_init(&cfg, dir);
	r = vm_new(&cfg, &vm);
	if (r < 0)
		return r;
	if (path_join(path, sizeof(path), dir, "pid") < 0 || !(f = fopen(path, "re"))) {
		vm_destroy(vm);
		return vm_fail(ENOENT, "%s: no running VM here (no pid file)", dir);
	}
	if (fscanf(f, "%d %d %lf", &ctl, &qpid, &vm->t0) < 2 || qpid <= 0) {
		fclose(f);
		vm_destroy(vm);
		return vm_fail(EINVAL, "%s: malformed pid file", path);
	}
	fclose(f);
	vm->pid = qpid;
	vm->owned = false;
	if (vm_qemu_gone(vm)) {
		vm_destroy(vm);
		return vm_fail(ESRCH, "%s: the VM is not running (QEMU pid %d is gone)", dir, qpid);
	}
	path_join(path, sizeof(path), dir, "qmp.sock");
	fd = unix_connect(path, 3000);
	if (fd >= 0 && (r = qmp_open(&vm->qmp, fd, VM_QMP_TIMEOUT_MS, on_qmp_event, vm)) == 0)
		vm->has_qmp = true;
	if (!vm->has_qmp) {
		vm_destroy(vm);
		return vm_fail(EBUSY, "%s: cannot talk QMP (%s; is another vmctl using this VM?)",
			       dir, vm_error());
	}
	json_t *st = NULL;

	if (qmp_execute(&vm->qmp, "query-status", NULL, &st, VM_QMP_TIMEOUT_MS, -1) == 0)
		vm->paused = !json_is_true(json_object_get(st, "running"));
	json_decref(st);
	path_join(path, sizeof(path), dir, "agent.sock");
	fd = unix_connect(path, 3000);
	if (fd < 0) {
		vm_destroy(vm);
		return vm_fail(EBUSY, "%s: cannot connect the agent channel", dir);
	}
	agent_init(&vm->agent, fd, cfg.hang_timeout_ms);
	vm->agent.check = agent_check;
	vm->agent.check_arg = vm;
	vm->has_agent = true;
	/* Tags of earlier vmctl processes may still be in flight: start
	 * this client's numbering somewhere else. */
	vm->agent.next_tag = (unsigned)(now_ms() % 100000) * 1000 + 1000;
	*out = vm;
	return 0;
}

void vm_kill(struct vm *vm)
{
	if (!vm || vm->reaped || vm->pid <= 0)
		return;
	if (vm->owned) {
		vm->backend->kill(vm->pid, &vm->exit_status);
		vm->reaped = true;
		return;
	}
	/* Attached: QEMU leads its own process group; its controller reaps. */
	kill(-vm->pid, SIGKILL);
	kill(vm->pid, SIGKILL);
	for (int i = 0; i < 200 && !vm_qemu_gone(vm); i++)
		usleep(10000);
}

void vm_release_channels(struct vm *vm)
{
	if (vm->has_gdb)
		vm_gdb_detach(vm);
	if (vm->has_agent)
		agent_close(&vm->agent);
	vm->has_agent = false;
	if (vm->has_qmp)
		qmp_close(&vm->qmp);
	vm->has_qmp = false;
}

void vm_destroy(struct vm *vm)
{
	if (!vm)
		return;
	if (vm->has_gdb)
		vm_gdb_detach(vm);
	if (vm->owned)
		vm_kill(vm);
	if (vm->has_agent)
		agent_close(&vm->agent);
	if (vm->has_qmp)
		qmp_close(&vm->qmp);
	console_stop(&vm->console);
	for (size_t i = 0; i < sizeof(vm->cfg_strings) / sizeof(vm->cfg_strings[0]); i++)
		free(vm->cfg_strings[i]);
	free(vm);
}

static enum vm_state vm_state_now(struct vm *vm)
{
	if (vm->reaped)
		return VM_EXITED;
	if (vm->paused)
		return VM_PAUSED;
	if (vm->has_agent && vm->agent.hang_timeout_ms > 0 &&
	    now_ms() - vm->agent.last_alive_ms > vm->agent.hang_timeout_ms)
		return VM_HUNG;
	return VM_RUNNING;
}

static enum vm_state vm_poll_until(struct vm *vm, int timeout_ms, bool stop_early)
{
	int64_t deadline = now_ms() + timeout_ms;

	for (;;) {
		int wait = ms_left(deadline) < 100 ? ms_left(deadline) : 100;

		if (vm->has_agent) {
			if (agent_pump(&vm->agent, wait) < 0) {
				agent_close(&vm->agent);
				vm->has_agent = false;
			}
		} else if (vm->has_qmp) {
			qmp_poll(&vm->qmp, wait);
		} else {
			usleep((useconds_t)wait * 1000);
		}
		vm_service(vm);
		if (vm->paused && vm->has_agent)
			vm->agent.last_alive_ms = now_ms();
		enum vm_state s = vm_state_now(vm);

		if (stop_early && (s == VM_HUNG || s == VM_EXITED))
			return s;
		if (now_ms() >= deadline)
			return s;
	}
}

enum vm_state vm_poll(struct vm *vm, int timeout_ms)
{
	return vm_poll_until(vm, timeout_ms, false);
}

enum vm_state vm_wait(struct vm *vm, int timeout_ms)
{
	return vm_poll_until(vm, timeout_ms, true);
}

int vm_qmp(struct vm *vm, const char *command, const char *args_json, char **reply)
{
	json_t *args = NULL, *ret = NULL;
	json_error_t jerr;
	int r;

	if (!vm->has_qmp)
		return vm_fail(ENOTCONN, "QMP is not connected");
	if (args_json) {
		args = json_loads(args_json, 0, &jerr);
		if (!json_is_object(args)) {
			json_decref(args);
			return vm_fail(EINVAL, "QMP arguments must be a JSON object: %s", jerr.text);
		}
	}
	r = qmp_execute(&vm->qmp, command, args, &ret, VM_QMP_TIMEOUT_MS, -1);
	if (r == 0 && reply)
		*reply = json_dumps(ret, JSON_COMPACT | JSON_ENCODE_ANY);
	json_decref(ret);
	return r;
}

int vm_pause(struct vm *vm)
{
	int r = vm_qmp(vm, "stop", NULL, NULL);

	if (r == 0)
		vm->paused = true;
	return r;
}

int vm_cont(struct vm *vm)
{
	int r = vm_qmp(vm, "cont", NULL, NULL);

	if (r == 0) {
		vm->paused = false;
		vm->agent.last_alive_ms = now_ms();
	}
	return r;
}

void vm_set_hang_timeout(struct vm *vm, int ms)
{
	vm->cfg.hang_timeout_ms = ms;
	vm->agent.hang_timeout_ms = ms;
}

int64_t vm_heartbeat_age_ms(struct vm *vm)
{
	return now_ms() - vm->agent.last_alive_ms;
}

int vm_exit_status(struct vm *vm)
{
	return vm->reaped ? vm->exit_status : -1;
}

const char *vm_dir(const struct vm *vm)
{
	return vm->dir;
}

const char *vm_console_log(const struct vm *vm)
{
	return vm->console_log;
}

const char *vm_console_raw(const struct vm *vm)
{
	return vm->console_raw;
}

int vm_qemu_pid(const struct vm *vm)
{
	return (int)vm->pid;
}

static enum vm_cmd_status not_connected(struct vm_cmd_result *res)
{
	if (res) {
		memset(res, 0, sizeof(*res));
		res->status = VM_CMD_IO;
	}
	vm_fail(ENOTCONN, "agent channel is not connected");
	return VM_CMD_IO;
}

enum vm_cmd_status vm_agent(struct vm *vm, int timeout_ms, vm_reply_fn fn, void *arg,
			    struct vm_cmd_result *res, const char *fmt, ...)
{
	char line[4096];
	va_list ap;
	int n;

	if (!vm->has_agent)
		return not_connected(res);
	va_start(ap, fmt);
	n = vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= sizeof(line)) {
		if (res) {
			memset(res, 0, sizeof(*res));
			res->status = VM_CMD_IO;
		}
		vm_fail(E2BIG, "agent command too long");
		return VM_CMD_IO;
	}
	return agent_command(&vm->agent, line, NULL, 0, timeout_ms, fn, arg, res);
}

enum vm_cmd_status vm_agent_put_buf(struct vm *vm, const void *data, size_t len,
				    const char *guest_path, int timeout_ms,
				    struct vm_cmd_result *res)
{
	char line[4096];
	size_t body_len, wire_len;
	uint32_t crc;
	char *body;

	if (!vm->has_agent)
		return not_connected(res);
	if (strpbrk(guest_path, " \n") || guest_path[0] != '/') {
		vm_fail(EINVAL, "guest path must be absolute and without spaces: %s", guest_path);
		if (res) {
			memset(res, 0, sizeof(*res));
			res->status = VM_CMD_IO;
		}
		return VM_CMD_IO;
	}
	/* Compressed unless asked otherwise or the stream would not be
	 * smaller (random data, an empty file): then the raw form. */
	body = NULL;
	if (!agent_put_raw_requested()) {
		body = agent_put_zbody(data, len, &body_len, &wire_len, &crc);
		if (body && wire_len >= len) {
			free(body);
			body = NULL;
		}
	}
	if (body) {
		snprintf(line, sizeof(line), "put %s %zu %08x zlib %zu", guest_path, len, crc,
			 wire_len);
	} else {
		body = agent_put_body(data, len, &body_len, &crc);
		if (!body)
			return not_connected(res);
		snprintf(line, sizeof(line), "put %s %zu %08x", guest_path, len, crc);
	}
	enum vm_cmd_status s = agent_command(&vm->agent, line, body, body_len, timeout_ms,
					     NULL, NULL, res);

	free(body);
	return s;
}

enum vm_cmd_status vm_agent_put(struct vm *vm, const char *local_path, const char *guest_path,
				int timeout_ms, struct vm_cmd_result *res)
{
	FILE *f = fopen(local_path, "rb");
	char *data = NULL;
	size_t len = 0;
	long size;

	if (!f || fseek(f, 0, SEEK_END) < 0 || (size = ftell(f)) < 0 ||
	    fseek(f, 0, SEEK_SET) < 0 || !(data = malloc((size_t)size + 1)) ||
	    (len = fread(data, 1, (size_t)size, f)) != (size_t)size) {
		int err = errno ? errno : EIO;

		if (f)
			fclose(f);
		free(data);
		vm_fail(err, "cannot read %s: %s", local_path, strerror(err));
		if (res) {
			memset(res, 0, sizeof(*res));
			res->status = VM_CMD_IO;
		}
		return VM_CMD_IO;
	}
	fclose(f);
	enum vm_cmd_status s = vm_agent_put_buf(vm, data, len, guest_path, timeout_ms, res);

	free(data);
	return s;
}

int vm_probe_kvm(const struct vm_config *cfg, int timeout_ms)
{
	struct vm_config kcfg = *cfg;
	struct vm *vm;
	int r;

	if (access("/dev/kvm", R_OK | W_OK) < 0)
		return vm_fail(ENODEV, "/dev/kvm: %s", strerror(errno));
	kcfg.kvm = true;
	kcfg.ready_timeout_ms = timeout_ms;
	double t0 = now_seconds();

	r = vm_boot(&kcfg, &vm);
	if (r < 0)
		return r == -ETIMEDOUT ?
			vm_fail(ETIMEDOUT, "KVM guest not up after %.1f s (%s): KVM unusable here",
				now_seconds() - t0, vm_error()) : r;
	vm_destroy(vm);
	return 0;
}
