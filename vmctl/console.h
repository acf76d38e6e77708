/* SPDX-License-Identifier: MIT */
/* console.h — captures the guest's kernel console (ttyS0 socket) in a
 * thread, so nothing the kernel prints is lost or blocks the guest while
 * the caller is busy. Two files: the exact bytes (.raw) and one line per
 * console line prefixed with the host time since QEMU started,
 * "[   12.345678] <line>" (.log). */
#ifndef VMCTL_CONSOLE_H
#define VMCTL_CONSOLE_H

#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>

struct console {
	int fd;          /* connected console socket */
	int stop_pipe[2];/* write a byte to stop the thread */
	FILE *log, *raw;
	double t0;       /* host time (now_seconds) of QEMU start */
	pthread_t thread;
	bool running;
};

/* Start capturing from a connected fd into log_path/raw_path (truncated). */
int console_start(struct console *c, int fd, const char *log_path, const char *raw_path,
		  double t0);

/* Write one timestamped line for raw bytes (exposed for the unit test):
 * splits data on '\n', carrying a partial line in *partial. */
void console_stamp(FILE *log, double t, const char *data, size_t len, char *partial,
		   size_t *partial_len, size_t partial_size);

/* Stop the thread (after draining what is readable) and close the files. */
void console_stop(struct console *c);

#endif
