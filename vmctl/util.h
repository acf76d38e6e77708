/* SPDX-License-Identifier: MIT */
/* util.h — small helpers shared by every vmctl file: error text, clocks,
 * fd I/O with deadlines, unix sockets. */
#ifndef VMCTL_UTIL_H
#define VMCTL_UTIL_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/* Record the thread's last error (read back with vm_error()); returns -err
 * so callers can `return vm_fail(EIO, "...")`. err must be positive. */
int vm_fail(int err, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

int64_t now_ms(void);     /* CLOCK_MONOTONIC in milliseconds */
double now_seconds(void); /* CLOCK_MONOTONIC in seconds */

/* Milliseconds left until deadline (never negative). */
int ms_left(int64_t deadline_ms);

/* Write everything (retrying on EINTR/short writes, poll on EAGAIN). */
int write_all(int fd, const void *buf, size_t len);

/* poll() one fd for POLLIN; 1 readable, 0 timeout, <0 -errno. */
int wait_readable(int fd, int timeout_ms);

/* Connect to a unix socket, retrying while it does not exist yet or
 * refuses (QEMU creates it during start-up) until timeout_ms. */
int unix_connect(const char *path, int timeout_ms);

/* Send buf with fd attached as SCM_RIGHTS. */
int send_with_fd(int sock, const void *buf, size_t len, int fd);

/* mkdir -p for one directory (parents must exist or be creatable). */
int mkdir_p(const char *path);

/* snprintf into a fixed buffer; -ENAMETOOLONG when it does not fit. */
int path_join(char *out, size_t size, const char *dir, const char *name);

#endif
