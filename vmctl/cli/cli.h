/* SPDX-License-Identifier: MIT */
/* cli.h — what the vmctl subcommand files share: the dispatch table entry,
 * the options every VM-starting command takes, output helpers. */
#ifndef VMCTL_CLI_H
#define VMCTL_CLI_H

#include <getopt.h>
#include <jansson.h>
#include <stdbool.h>

#include "vmctl.h"

struct cli_cmd {
	const char *name;
	int (*run)(int argc, char **argv);
	const char *usage; /* one line per form */
};

/* Exit codes scripts can rely on. */
enum {
	EXIT_OK = 0,
	EXIT_FAIL = 1,     /* the thing asked for failed (agent ERR, boot failed) */
	EXIT_USAGE = 64,   /* bad command line */
};

extern bool cli_json; /* --json anywhere before the subcommand or in it */

/* Options shared by boot, restore, snapshot, probe-kvm, argv; parse one
 * (returns true if opt was one of them). */
#define CLI_VM_LONGOPTS \
	{ "dir", required_argument, NULL, 'd' }, \
	{ "kernel", required_argument, NULL, 'K' }, \
	{ "initrd", required_argument, NULL, 'I' }, \
	{ "append", required_argument, NULL, 'A' }, \
	{ "qemu", required_argument, NULL, 'Q' }, \
	{ "mem", required_argument, NULL, 'M' }, \
	{ "smp", required_argument, NULL, 'S' }, \
	{ "kvm", no_argument, NULL, 'k' }, \
	{ "no-gdb", no_argument, NULL, 'G' }, \
	{ "ready-timeout", required_argument, NULL, 'R' }, \
	{ "hang-timeout", required_argument, NULL, 'H' }, \
	{ "json", no_argument, NULL, 'j' }
bool cli_vm_option(int opt, const char *arg, struct vm_config *cfg);

/* Parse a number of seconds (fractions allowed) into ms; -1 if invalid. */
int cli_seconds_ms(const char *s);

/* Print an error "vmctl <cmd>: <msg>" (also as JSON with --json). */
int cli_error(const char *cmd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Print a JSON value (and free it). */
void cli_print_json(json_t *v);

int cmd_boot(int argc, char **argv);
int cmd_restore(int argc, char **argv);
int cmd_kill(int argc, char **argv);
int cmd_status(int argc, char **argv);
int cmd_wait(int argc, char **argv);
int cmd_probe_kvm(int argc, char **argv);
int cmd_argv(int argc, char **argv);
int cmd_qmp(int argc, char **argv);
int cmd_agent(int argc, char **argv);
int cmd_put(int argc, char **argv);
int cmd_bp(int argc, char **argv);
int cmd_mem(int argc, char **argv);
int cmd_snapshot(int argc, char **argv);

#endif
