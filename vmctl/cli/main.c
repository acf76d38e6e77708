// SPDX-License-Identifier: MIT
/* main.c — vmctl's dispatch table (bpftool style): `vmctl [--json] <cmd>
 * [args]`; every command lives in the file for its object kind. */
#include <stdio.h>
#include <string.h>

#include "cli.h"
#ifdef HAVE_CLASSIFY
#include "classify/classify.h"
#endif

static int cmd_help(int argc, char **argv);

static const struct cli_cmd commands[] = {
	{ "boot", cmd_boot,
	  "boot --dir D [--detach] [--initrd F] [--kernel K] [--mem MB] [--kvm] [--no-gdb] [--json]" },
	{ "restore", cmd_restore, "restore --dir D --snapshot FILE [--detach] [--json] (same config options as boot)" },
	{ "snapshot", cmd_snapshot,
	  "snapshot --dir D --out FILE [--resume]           save a running VM's state\n"
	  "  snapshot --ready --cache C --dir D [--prep CMD]... [config options]   cached ready snapshot\n"
	  "  snapshot --key [--prep CMD]... [config options]   print the cache key only" },
	{ "agent", cmd_agent, "agent --dir D [--timeout S] [--json] <verb> [args...]   e.g. agent --dir D run net-basic 120" },
	{ "put", cmd_put, "put --dir D [--timeout S] LOCAL GUEST_PATH" },
	{ "mem", cmd_mem,
	  "mem read --dir D ADDR LEN [--json]      guest virtual memory (gdbstub)\n"
	  "  mem write --dir D ADDR HEXBYTES" },
	{ "bp", cmd_bp, "bp --dir D ADDR[,ADDR...] <agent command...>   execution probes around a command" },
	{ "qmp", cmd_qmp, "qmp --dir D COMMAND [ARGS_JSON]" },
	{ "status", cmd_status, "status --dir D [--json]" },
	{ "wait", cmd_wait, "wait --dir D --timeout S [--json]     until the VM exits or hangs" },
	{ "kill", cmd_kill, "kill --dir D" },
	{ "probe-kvm", cmd_probe_kvm, "probe-kvm [--dir D] [--timeout S] [--json]" },
	{ "argv", cmd_argv, "argv [--dir D] [config options] [--incoming]   print the QEMU command line" },
#ifdef HAVE_CLASSIFY
	{ "classify", cmd_classify, "classify ...   (see `vmctl classify --help`)" },
#endif
	{ "help", cmd_help, "help" },
};

static int cmd_help(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	printf("usage: vmctl [--json] <command> [options]\n\ncommands:\n");
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		printf("  %s\n", commands[i].usage);
	printf("\nA VM dir holds a running VM's sockets, console.log (host-timestamped),\n"
	       "console.raw, qemu.log and pid; commands with --dir D talk to that VM.\n"
	       "Exit codes: 0 ok, 1 failed, 2 timeout, 3 guest hung, 4 QEMU exited, 64 usage.\n");
	return EXIT_OK;
}

int main(int argc, char **argv)
{
	int i = 1;

	while (i < argc && (strcmp(argv[i], "--json") == 0 || strcmp(argv[i], "-j") == 0)) {
		cli_json = true;
		i++;
	}
	if (i >= argc) {
		cmd_help(0, NULL);
		return EXIT_USAGE;
	}
	if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0)
		return cmd_help(0, NULL);
	for (size_t c = 0; c < sizeof(commands) / sizeof(commands[0]); c++)
		if (strcmp(argv[i], commands[c].name) == 0)
			return commands[c].run(argc - i, argv + i);
	fprintf(stderr, "vmctl: unknown command '%s' (try `vmctl help`)\n", argv[i]);
	return EXIT_USAGE;
}
