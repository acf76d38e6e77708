/*
 * inject: SWIFI fault injection into a kernel module binary.
 * Subcommands come from one table (bpftool style); `--json` anywhere on the
 * command line switches every command to machine output.
 */
#include <stdio.h>
#include <string.h>
#include "cli.h"

static const struct cmd {
	const char *name;
	int (*fn)(struct cli *c, int argc, char **argv);
	const char *usage;
} cmds[] = {
	{ "types", do_types, "inject types [--json]" },
	{ "sites", do_sites, "inject sites MODULE.ko [--type T] [--mode load|run] [--json]" },
	{ "plan", do_plan, "inject plan MODULE.ko --seed S --faults K [--types a,b] "
			   "[--mode load|run] [--functions 'glob,!glob'] [-o plan.json]" },
	{ "apply", do_apply, "inject apply MODULE.ko plan.json -o out.ko [--json]" },
	{ "show", do_show, "inject show plan.json [MODULE.ko] [--json]" },
};

static int help(void)
{
	fprintf(stderr, "usage:\n");
	for (size_t i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++)
		fprintf(stderr, "  %s\n", cmds[i].usage);
	return 2;
}

int main(int argc, char **argv)
{
	struct cli c = { 0 };
	int n = 0;

	/* strip the global flag wherever it is */
	for (int i = 0; i < argc; i++) {
		if (!strcmp(argv[i], "--json") || !strcmp(argv[i], "-j"))
			c.json = true;
		else
			argv[n++] = argv[i];
	}
	argc = n;
	argv[argc] = NULL;
	if (argc < 2 || !strcmp(argv[1], "help") || !strcmp(argv[1], "--help") ||
	    !strcmp(argv[1], "-h"))
		return help();
	for (size_t i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++)
		if (!strcmp(argv[1], cmds[i].name)) {
			int rc = cmds[i].fn(&c, argc - 1, argv + 1);
			return rc == 2 ? cli_usage(cmds[i].usage) : rc;
		}
	fprintf(stderr, "inject: unknown command '%s'\n", argv[1]);
	return help();
}
