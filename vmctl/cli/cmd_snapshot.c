// SPDX-License-Identifier: MIT
/* cmd_snapshot.c — `vmctl snapshot`: save a running VM (attached through
 * its VM dir) to a file, or get the cached ready snapshot for a config. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "cli.h"

#define MAX_PREP 32

static double mono(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

int cmd_snapshot(int argc, char **argv)
{
	static const struct option longopts[] = {
		CLI_VM_LONGOPTS,
		{ "out", required_argument, NULL, 'o' },
		{ "resume", no_argument, NULL, 'r' },
		{ "ready", no_argument, NULL, 'y' },
		{ "cache", required_argument, NULL, 'c' },
		{ "prep", required_argument, NULL, 'p' },
		{ "key", no_argument, NULL, 'k' + 256 },
		{ NULL, 0, NULL, 0 },
	};
	struct vm_config cfg;
	const char *out = NULL, *cache = NULL;
	const char *prep[MAX_PREP + 1] = { NULL };
	int nprep = 0, opt;
	bool resume = false, ready = false, key_only = false;

	vm_config_init(&cfg, NULL);
	while ((opt = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		if (cli_vm_option(opt, optarg, &cfg))
			continue;
		switch (opt) {
		case 'o': out = optarg; break;
		case 'r': resume = true; break;
		case 'y': ready = true; break;
		case 'c': cache = optarg; break;
		case 'k' + 256: key_only = true; break;
		case 'p':
			if (nprep == MAX_PREP)
				return cli_error("snapshot", "too many --prep");
			prep[nprep++] = optarg;
			break;
		default: return EXIT_USAGE;
		}
	}
	if (!cfg.dir && !key_only)
		return cli_error("snapshot", "--dir is required");
	if (!cfg.dir)
		cfg.dir = "@VMDIR@";
	double t0 = mono();

	if (key_only) {
		char key[65];

		if (vm_snapshot_key(&cfg, prep, key) < 0)
			return cli_error("snapshot", "%s", vm_error());
		printf("%s\n", key);
		return EXIT_OK;
	}
	if (ready) {
		char path[4096];

		if (!cache)
			return cli_error("snapshot", "--ready needs --cache DIR");
		if (vm_ready_snapshot(&cfg, cache, prep, path, sizeof(path)) < 0)
			return cli_error("snapshot", "%s", vm_error());
		if (cli_json)
			cli_print_json(json_pack("{s:s,s:s,s:f}", "command", "snapshot", "path", path,
						 "seconds", mono() - t0));
		else
			printf("%s\n", path);
		return EXIT_OK;
	}
	if (!out)
		return cli_error("snapshot", "--out FILE (or --ready --cache DIR) is required");
	struct vm *vm;

	if (vm_attach(cfg.dir, &vm) < 0)
		return cli_error("snapshot", "%s", vm_error());
	int r = vm_snapshot_save(vm, out);

	if (r == 0 && resume)
		r = vm_cont(vm);
	double secs = mono() - t0;

	if (r < 0) {
		cli_error("snapshot", "%s", vm_error());
		vm_destroy(vm);
		return EXIT_FAIL;
	}
	vm_destroy(vm);
	struct stat st = { 0 };

	stat(out, &st);
	if (cli_json)
		cli_print_json(json_pack("{s:s,s:s,s:I,s:f}", "command", "snapshot", "path", out,
					 "bytes", (json_int_t)st.st_size, "seconds", secs));
	else
		printf("saved %s (%lld bytes) in %.3f s\n", out, (long long)st.st_size, secs);
	return EXIT_OK;
}
