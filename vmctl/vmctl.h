/* SPDX-License-Identifier: MIT */
/*
 * vmctl.h — the host controller for nooks QEMU guests (libvmctl.a).
 *
 * One `struct vm` is one QEMU process (the qemu backend; the interface is
 * backend-neutral) plus the host ends of its channels:
 *   - QMP          ($dir/qmp.sock)      run control, snapshots, events
 *   - agent        ($dir/agent.sock)    guest ttyS1, guest/PROTOCOL.md
 *   - console      ($dir/console.sock)  guest ttyS0, captured by a thread into
 *                  $dir/console.log (one "[ssss.uuuuuu] " host timestamp per
 *                  line, seconds since QEMU start) and $dir/console.raw (bytes)
 *   - gdbstub      ($dir/gdb.sock)      guest virtual memory, registers,
 *                  breakpoints (GDB remote protocol)
 * The VM dir also holds `pid` (controller pid and QEMU pid) so a VM started
 * by one process (`vmctl boot --detach`) can be used by another (vm_attach).
 *
 * QEMU runs in its own process group with PR_SET_PDEATHSIG(SIGKILL), so it
 * never outlives the thread that started it; vm_destroy() kills the group.
 *
 * Errors: functions returning int return 0 on success and a negative errno
 * on failure; vm_error() (per thread) then describes the failure in words.
 *
 * Threads: separate struct vm may live in separate threads; one struct vm
 * is used by one thread at a time. PR_SET_PDEATHSIG fires when the *thread*
 * that started QEMU exits, so start, use and destroy a VM in one thread.
 */
#ifndef NOOKS_VMCTL_H
#define NOOKS_VMCTL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct vm;

/* How to start a guest. vm_config_init() fills the defaults. */
struct vm_config {
	const char *dir;      /* VM dir, created if missing (sockets, logs, pid) */
	const char *qemu;     /* default "qemu-system-x86_64" (looked up in PATH) */
	const char *kernel;   /* default /boot/vmlinuz-$KVER (KVER env or newest with headers) */
	const char *initrd;   /* default $TOP/build/guest/initramfs.cpio.gz */
	const char *append;   /* default "console=ttyS0,115200 loglevel=8 panic=1 printk.time=1" */
	bool kvm;             /* -accel kvm instead of tcg (only after a probe, see vm_probe_kvm) */
	int mem_mb;           /* default 256 */
	int smp;              /* default 1 */
	bool gdb;             /* add the gdbstub chardev (default true) */
	int ready_timeout_ms; /* boot/restore until agent READY; default 120000 */
	int hang_timeout_ms;  /* no agent heartbeat for this long = hung; default 20000 */
	/* NULL-terminated extra QEMU arguments appended as given (never through a
	 * shell). Any -netdev other than hubport, and -incoming, are refused. */
	const char *const *extra_args;
};

/* Fill defaults; dir is required by vm_boot/vm_restore. */
void vm_config_init(struct vm_config *cfg, const char *dir);

/* The QEMU argv for cfg (NULL-terminated, free with vm_argv_free). With
 * incoming, "-incoming defer" is added. Used by vm_boot and for the
 * snapshot cache key; exposed so tools and tests can print it. */
char **vm_argv_build(const struct vm_config *cfg, bool incoming);
void vm_argv_free(char **argv);

/* ---- life cycle ------------------------------------------------------- */

/* Start QEMU and wait for the agent's READY line (cfg->ready_timeout_ms). */
int vm_boot(const struct vm_config *cfg, struct vm **out);

/* Start QEMU with -incoming defer, load `snapshot` through QMP
 * migrate-incoming on a passed fd, resume, reconnect the agent (`hello` →
 * READY). The config must be the one the snapshot was saved with. */
int vm_restore(const struct vm_config *cfg, const char *snapshot, struct vm **out);

/* Use a VM another process started (`vmctl boot --dir D --detach`). The
 * console is captured by that process; vm_destroy() on an attached VM only
 * disconnects unless vm_kill() was called. */
int vm_attach(const char *dir, struct vm **out);

/* Save the VM state to `path`: agent `quiesce`, QMP stop, migrate to the
 * file through an fd passed with getfd. The VM stays paused afterwards
 * (vm_cont() resumes it). Writes to path.tmp and renames: never half a file. */
int vm_snapshot_save(struct vm *vm, const char *path);

/*
 * The ready snapshot for cfg, from the cache in cache_dir or made now
 * (boot, run each of prep[] as agent commands — e.g. "load nooks" — which
 * must end in OK, save). The cache key is the SHA-256 of the kernel image,
 * the initrd, every build/kmod/ module (.ko), the QEMU argv (with the VM dir replaced
 * by a placeholder) and prep[]; a changed input never reuses a stale file.
 * Writes the snapshot path (cache_dir/<hex key>.snap) to path.
 */
int vm_ready_snapshot(const struct vm_config *cfg, const char *cache_dir,
		      const char *const *prep, char *path, size_t size);

/* The cache key vm_ready_snapshot uses (64 hex digits + NUL). */
int vm_snapshot_key(const struct vm_config *cfg, const char *const *prep, char hex[65]);

/* Kill QEMU (its whole process group) and reap it. Idempotent. */
void vm_kill(struct vm *vm);

/* Close the QMP, agent and gdb connections but keep QEMU and the console
 * capture: a controller that keeps the VM for vm_attach users (the
 * sockets take one client at a time). */
void vm_release_channels(struct vm *vm);

/* Disconnect, stop the console thread, kill QEMU if we started it, free. */
void vm_destroy(struct vm *vm);

/* ---- state, hang and crash detection ---------------------------------- */

enum vm_state {
	VM_RUNNING, /* QEMU alive, heartbeats arriving (or not yet overdue) */
	VM_PAUSED,  /* stopped on purpose (vm_pause, snapshot, breakpoint) */
	VM_HUNG,    /* running but no heartbeat for hang_timeout_ms */
	VM_EXITED,  /* QEMU exited: guest panic (panic=1 + -no-reboot), shutdown, kill */
};
const char *vm_state_name(enum vm_state s);

/* Handle pending events (QMP, agent heartbeats, breakpoint hits, QEMU exit)
 * for up to timeout_ms, return the state. */
enum vm_state vm_poll(struct vm *vm, int timeout_ms);

/* Like vm_poll but returns early as soon as the VM is HUNG or EXITED. */
enum vm_state vm_wait(struct vm *vm, int timeout_ms);

int vm_pause(struct vm *vm); /* QMP stop */
int vm_cont(struct vm *vm);  /* QMP cont (gdb continue when attached) */

/* Change the hang limit (e.g. of an attached VM); 0 disables detection. */
void vm_set_hang_timeout(struct vm *vm, int ms);

/* Milliseconds since the last agent heartbeat (or READY). */
int64_t vm_heartbeat_age_ms(struct vm *vm);

/* QEMU's exit status as from waitpid (valid once VM_EXITED), -1 if unknown. */
int vm_exit_status(struct vm *vm);

const char *vm_dir(const struct vm *vm);
const char *vm_console_log(const struct vm *vm); /* timestamped lines */
const char *vm_console_raw(const struct vm *vm); /* exact bytes */
int vm_qemu_pid(const struct vm *vm);

/* Raw QMP: `command` with args as a JSON object text (or NULL). On success
 * *reply (if not NULL) gets the malloc'd JSON text of "return". */
int vm_qmp(struct vm *vm, const char *command, const char *args_json, char **reply);

/* ---- agent (guest/PROTOCOL.md) ---------------------------------------- */

enum vm_reply_kind { VM_REPLY_STEP, VM_REPLY_DATA, VM_REPLY_OK, VM_REPLY_ERR };

/* One response line of a command, tag removed. Pointers live only during
 * the callback. */
struct vm_reply {
	enum vm_reply_kind kind;
	const char *text; /* after the kind word ("" if none); STEP: the
			   * key=value part after PASS/FAIL */
	const char *step; /* STEP: the step name */
	bool pass;        /* STEP: PASS (true) or FAIL (false) */
};
typedef void (*vm_reply_fn)(const struct vm_reply *reply, void *arg);

enum vm_cmd_status {
	VM_CMD_OK,      /* final line OK */
	VM_CMD_ERR,     /* final line ERR (agent-side failure, incl. its own budget) */
	VM_CMD_TIMEOUT, /* no final line within timeout_ms, heartbeats still fine */
	VM_CMD_HUNG,    /* heartbeats stopped (guest hung); QEMU is left running */
	VM_CMD_EXITED,  /* QEMU exited during the command (guest crash) */
	VM_CMD_IO,      /* host-side failure (see vm_error) */
};
const char *vm_cmd_status_name(enum vm_cmd_status s);

struct vm_cmd_result {
	enum vm_cmd_status status;
	char final[1024]; /* text after OK/ERR on the final line */
	int steps_pass, steps_fail;
	double seconds;   /* wall time of the command */
	int max_heartbeat_gap_ms; /* longest silence between heartbeats meanwhile */
};

/* Send "<tag> <printf(fmt,...)>" to the agent, call fn (may be NULL) for
 * every STEP/DATA/OK/ERR line, return when the final line arrives, the
 * timeout passes, or the guest hangs or dies. res may be NULL. */
enum vm_cmd_status vm_agent(struct vm *vm, int timeout_ms, vm_reply_fn fn, void *arg,
			    struct vm_cmd_result *res, const char *fmt, ...)
	__attribute__((format(printf, 6, 7)));

/* Agent `put`: send a file (base64 lines, size and zlib CRC-32 checked by
 * the agent) to guest_path. The lines carry a zlib stream of the file
 * (the `zlib <wire-bytes>` form) unless that is not smaller or the
 * environment has VMCTL_PUT_RAW=1. */
enum vm_cmd_status vm_agent_put(struct vm *vm, const char *local_path, const char *guest_path,
				int timeout_ms, struct vm_cmd_result *res);
enum vm_cmd_status vm_agent_put_buf(struct vm *vm, const void *data, size_t len,
				    const char *guest_path, int timeout_ms,
				    struct vm_cmd_result *res);

/* ---- guest memory, registers, breakpoints (gdbstub) -------------------- */
/*
 * The first call connects to the gdbstub. Each call leaves the VM's run
 * state as it found it (a running guest is stopped for the access and
 * resumed). Addresses are guest virtual, in the current CPU's page tables
 * (kernel and module addresses are valid in any context).
 */
int vm_mem_read(struct vm *vm, uint64_t gva, void *buf, size_t len);
int vm_mem_write(struct vm *vm, uint64_t gva, const void *buf, size_t len);

/* x86-64 GDB register numbers: 0 rax 1 rbx 2 rcx 3 rdx 4 rsi 5 rdi 6 rbp
 * 7 rsp 8..15 r8..r15 16 rip 17 eflags. */
int vm_reg_read(struct vm *vm, int regno, uint64_t *value);
int vm_reg_write(struct vm *vm, int regno, uint64_t value);

/* Software breakpoint (Z0) used as an execution probe: when the guest hits
 * it the hit is counted, the breakpoint is removed and the guest continues
 * by itself (hits are handled inside vm_poll/vm_wait/vm_agent). */
int vm_bp_set(struct vm *vm, uint64_t gva);
int vm_bp_clear(struct vm *vm, uint64_t gva);
int vm_bp_hits(struct vm *vm, uint64_t gva); /* times executed so far, <0 if unknown */

/* ---- misc -------------------------------------------------------------- */

/* Boot with -accel kvm and require READY within timeout_ms; always kills
 * the VM. 0 = KVM works, -ETIMEDOUT = guest did not come up, other <0 =
 * could not start. */
int vm_probe_kvm(const struct vm_config *cfg, int timeout_ms);

/* Text for the last failure in this thread. */
const char *vm_error(void);

#endif /* NOOKS_VMCTL_H */
