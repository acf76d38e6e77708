/* SPDX-License-Identifier: MIT */
/* backend.h — the one interface between the VM layer (vm.c, snapshot.c)
 * and a hypervisor backend (as syzkaller's vm/: callers never see which).
 * Only QEMU exists (qemu/); a backend builds the command line for a config
 * and starts/kills the process that runs it. */
#ifndef VMCTL_BACKEND_H
#define VMCTL_BACKEND_H

#include <stdbool.h>
#include <sys/types.h>

#include "vmctl.h"

struct vm_backend {
	const char *name;
	/* argv for cfg; with incoming, wait for a migration stream */
	char **(*build_argv)(const struct vm_config *cfg, bool incoming);
	/* start argv in its own process group, dying with the caller's
	 * thread; stdout/stderr to log_path */
	int (*spawn)(char *const *argv, const char *log_path, pid_t *pid);
	/* kill the whole process group and reap it; *status gets waitpid's */
	void (*kill)(pid_t pid, int *status);
};

extern const struct vm_backend vm_backend_qemu;

#endif
