/* SPDX-License-Identifier: MIT */
/* vm_internal.h — struct vm and what vm.c, snapshot.c, memory.c and
 * config.c share. Nothing here is public API. */
#ifndef VMCTL_VM_INTERNAL_H
#define VMCTL_VM_INTERNAL_H

#include <limits.h>
#include <stdbool.h>
#include <sys/types.h>

#include "agent.h"
#include "backend.h"
#include "console.h"
#include "gdbremote.h"
#include "qmp.h"
#include "vmctl.h"

#define VM_MAX_BREAKPOINTS 64
#define VM_QMP_TIMEOUT_MS 10000
#define VM_GDB_TIMEOUT_MS 10000
#define VM_CONNECT_TIMEOUT_MS 15000

struct vm_breakpoint {
	uint64_t addr;
	int hits;
	bool armed; /* inserted in the guest */
};

struct vm {
	const struct vm_backend *backend;
	struct vm_config cfg;      /* copy; strings owned by the strings below */
	char *cfg_strings[8];
	char dir[PATH_MAX];
	char console_log[PATH_MAX], console_raw[PATH_MAX];

	pid_t pid;                 /* QEMU */
	bool owned;                /* we spawned QEMU (else vm_attach) */
	bool reaped;               /* QEMU exit seen and reaped */
	int exit_status;
	double t0;                 /* now_seconds() at spawn */

	struct qmp qmp;
	bool has_qmp;
	struct agent agent;
	bool has_agent;
	struct gdb gdb;
	bool has_gdb;
	struct console console;

	bool paused;               /* from QMP STOP/RESUME events */
	bool shutdown_seen;        /* SHUTDOWN event (guest reset + -no-reboot) */
	bool panicked;             /* GUEST_PANICKED event */
	char pending_stop[128];    /* a gdb stop reply not handled yet */

	struct vm_breakpoint bps[VM_MAX_BREAKPOINTS];
	int nbps;
};

/* vm.c */
int vm_new(const struct vm_config *cfg, struct vm **out);
int vm_start_qemu(struct vm *vm, bool incoming);
int vm_connect_agent(struct vm *vm, bool fresh_boot);
void vm_service(struct vm *vm); /* non-blocking: exit, QMP events, gdb stops */
bool vm_qemu_gone(struct vm *vm);
int vm_write_pidfile(struct vm *vm);

/* config.c */
const char *vm_top_dir(void); /* $TOP or the build-time repository root */

/* memory.c */
void vm_gdb_handle_stop(struct vm *vm);
void vm_gdb_detach(struct vm *vm);

#endif
