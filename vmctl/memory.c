// SPDX-License-Identifier: MIT
/*
 * memory.c — guest memory, registers and execution probes through QEMU's
 * gdbstub (gdbremote.c does the protocol).
 *
 * QEMU stops the VM when a debugger connects and reports every later stop
 * as a stop reply. Each access here runs with the VM stopped and leaves it
 * in the run state it found (running → stop, access, cont). Breakpoints are
 * execution probes: a hit (stop reply with SIGTRAP at a probed rip) is
 * counted, the breakpoint removed and the guest continued, from vm_service.
 */
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"
#include "vm_internal.h"

#define REG_RIP 16

static bool qemu_running(struct vm *vm)
{
	json_t *st = NULL;
	bool running = !vm->paused;

	if (vm->has_qmp &&
	    qmp_execute(&vm->qmp, "query-status", NULL, &st, VM_QMP_TIMEOUT_MS, -1) == 0)
		running = json_is_true(json_object_get(st, "running"));
	json_decref(st);
	return running;
}

static void on_gdb_stop(void *arg, const char *reply)
{
	struct vm *vm = arg;

	/* Handled later by vm_service: we may be inside a gdb transaction. */
	snprintf(vm->pending_stop, sizeof(vm->pending_stop), "%s", reply);
}

static int gdb_connect(struct vm *vm)
{
	char path[PATH_MAX];
	int fd;

	if (vm->has_gdb)
		return 0;
	if (!vm->cfg.gdb)
		return vm_fail(ENOTSUP, "the VM was started without the gdbstub");
	path_join(path, sizeof(path), vm->dir, "gdb.sock");
	fd = unix_connect(path, 3000);
	if (fd < 0)
		return fd;
	gdb_init(&vm->gdb, fd, on_gdb_stop, vm);
	vm->has_gdb = true;
	/* No '?' handshake: QEMU answers it *and* announces the stop the
	 * connection caused, two stop replies for one question. The stray
	 * one is ignored by vm_gdb_handle_stop like any stop that is not a
	 * breakpoint. */
	return 0;
}

/* Stop the VM for an access; *resume says whether to continue after. */
static int access_begin(struct vm *vm, bool *resume)
{
	int r;

	if (vm_qemu_gone(vm))
		return vm_fail(ECHILD, "QEMU is not running");
	*resume = qemu_running(vm);
	r = gdb_connect(vm); /* stops the VM if this is the first access */
	if (r < 0)
		return r;
	if (qemu_running(vm) && vm->has_qmp) {
		r = qmp_execute(&vm->qmp, "stop", NULL, NULL, VM_QMP_TIMEOUT_MS, -1);
		if (r < 0)
			return r;
	}
	return 0;
}

static int access_end(struct vm *vm, bool resume, int result)
{
	if (resume && vm->has_qmp) {
		char msg[512];

		snprintf(msg, sizeof(msg), "%s", vm_error());
		int r = qmp_execute(&vm->qmp, "cont", NULL, NULL, VM_QMP_TIMEOUT_MS, -1);

		if (r < 0 && result == 0)
			return r;
		if (result < 0)
			vm_fail(-result, "%s", msg);
		vm->agent.last_alive_ms = now_ms();
	}
	return result;
}

int vm_mem_read(struct vm *vm, uint64_t gva, void *buf, size_t len)
{
	bool resume;
	int r = access_begin(vm, &resume);

	if (r < 0)
		return r;
	return access_end(vm, resume, gdb_read_mem(&vm->gdb, gva, buf, len, VM_GDB_TIMEOUT_MS));
}

int vm_mem_write(struct vm *vm, uint64_t gva, const void *buf, size_t len)
{
	bool resume;
	int r = access_begin(vm, &resume);

	if (r < 0)
		return r;
	return access_end(vm, resume, gdb_write_mem(&vm->gdb, gva, buf, len, VM_GDB_TIMEOUT_MS));
}

int vm_reg_read(struct vm *vm, int regno, uint64_t *value)
{
	bool resume;
	int r = access_begin(vm, &resume);

	if (r < 0)
		return r;
	return access_end(vm, resume, gdb_read_reg(&vm->gdb, regno, value, VM_GDB_TIMEOUT_MS));
}

int vm_reg_write(struct vm *vm, int regno, uint64_t value)
{
	bool resume;
	int r = access_begin(vm, &resume);

	if (r < 0)
		return r;
	return access_end(vm, resume, gdb_write_reg(&vm->gdb, regno, value, VM_GDB_TIMEOUT_MS));
}

static struct vm_breakpoint *bp_find(struct vm *vm, uint64_t addr)
{
	for (int i = 0; i < vm->nbps; i++)
		if (vm->bps[i].addr == addr)
			return &vm->bps[i];
	return NULL;
}

int vm_bp_set(struct vm *vm, uint64_t gva)
{
	struct vm_breakpoint *bp = bp_find(vm, gva);
	bool resume;
	int r;

	if (!bp && vm->nbps == VM_MAX_BREAKPOINTS)
		return vm_fail(ENOSPC, "too many breakpoints (max %d)", VM_MAX_BREAKPOINTS);
	r = access_begin(vm, &resume);
	if (r < 0)
		return r;
	r = gdb_breakpoint(&vm->gdb, true, gva, VM_GDB_TIMEOUT_MS);
	if (r == 0) {
		if (!bp) {
			bp = &vm->bps[vm->nbps++];
			bp->addr = gva;
			bp->hits = 0;
		}
		bp->armed = true;
	}
	return access_end(vm, resume, r);
}

int vm_bp_clear(struct vm *vm, uint64_t gva)
{
	struct vm_breakpoint *bp = bp_find(vm, gva);
	bool resume;
	int r;

	if (!bp)
		return vm_fail(ENOENT, "no breakpoint at 0x%" PRIx64, gva);
	if (!bp->armed)
		return 0;
	r = access_begin(vm, &resume);
	if (r < 0)
		return r;
	r = gdb_breakpoint(&vm->gdb, false, gva, VM_GDB_TIMEOUT_MS);
	if (r == 0)
		bp->armed = false;
	return access_end(vm, resume, r);
}

int vm_bp_hits(struct vm *vm, uint64_t gva)
{
	struct vm_breakpoint *bp;

	vm_service(vm); /* a hit may be waiting in the socket */
	bp = bp_find(vm, gva);
	if (!bp)
		return vm_fail(ENOENT, "no breakpoint at 0x%" PRIx64, gva);
	return bp->hits;
}

/* QMP's run state ("running", "paused", "debug", ...); "" if unknown. */
static void qemu_status(struct vm *vm, char *out, size_t size)
{
	json_t *st = NULL;

	out[0] = '\0';
	if (vm->has_qmp &&
	    qmp_execute(&vm->qmp, "query-status", NULL, &st, VM_QMP_TIMEOUT_MS, -1) == 0)
		snprintf(out, size, "%s", json_string_value(json_object_get(st, "status")) ?: "");
	json_decref(st);
}

/* A stop reply arrived: a probe hit (count, disarm, continue) or any
 * other stop (QMP stop, the attach itself): nothing to do. QEMU's gdbstub
 * stops a running VM on any byte it receives, so nothing is sent unless
 * QMP confirms the VM sits in the "debug" state of a breakpoint. */
void vm_gdb_handle_stop(struct vm *vm)
{
	char status[32];
	uint64_t rip;
	unsigned sig = 0;

	sscanf(vm->pending_stop + 1, "%2x", &sig);
	vm->pending_stop[0] = '\0';
	if (sig != 5 || !vm->has_gdb) /* not SIGTRAP */
		return;
	qemu_status(vm, status, sizeof(status));
	if (strcmp(status, "debug") != 0)
		return;
	if (gdb_read_reg(&vm->gdb, REG_RIP, &rip, VM_GDB_TIMEOUT_MS) < 0)
		return;
	struct vm_breakpoint *bp = bp_find(vm, rip);

	if (!bp || !bp->armed)
		return; /* not ours: leave the VM stopped for whoever set it */
	bp->hits++;
	if (gdb_breakpoint(&vm->gdb, false, rip, VM_GDB_TIMEOUT_MS) == 0)
		bp->armed = false;
	gdb_send(&vm->gdb, "c", VM_GDB_TIMEOUT_MS);
	vm->agent.last_alive_ms = now_ms();
}

/* Leaving: remove our breakpoints (an armed one hit with nobody attached
 * would freeze the guest for good), then let the VM run as it was. */
void vm_gdb_detach(struct vm *vm)
{
	bool resume = false;

	if (!vm->has_gdb)
		return;
	if (!vm_qemu_gone(vm)) {
		if (access_begin(vm, &resume) == 0) {
			for (int i = 0; i < vm->nbps; i++)
				if (vm->bps[i].armed &&
				    gdb_breakpoint(&vm->gdb, false, vm->bps[i].addr,
						   VM_GDB_TIMEOUT_MS) == 0)
					vm->bps[i].armed = false;
			access_end(vm, resume, 0);
		}
	}
	gdb_close(&vm->gdb);
	vm->has_gdb = false;
}
