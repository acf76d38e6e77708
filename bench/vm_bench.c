// SPDX-License-Identifier: MIT
/*
 * vm_bench.c — cold boot vs snapshot restore, both to agent READY, on this
 * machine, through libvmctl exactly as a campaign uses it.
 *
 *   vmctl-bench [--runs N] [--dir D] [--initrd F] [--json]
 *
 * Each cold boot starts QEMU and waits for the agent's READY; the first
 * one is also saved as a snapshot. Each restore starts QEMU from that
 * snapshot and waits until the agent answers `hello`; then a `ping` proves
 * the restored guest works. Medians (and min/max) are printed side by
 * side with their ratio.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "vmctl.h"

static double mono(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

static double median(double *v, int n)
{
	qsort(v, (size_t)n, sizeof(*v), cmp_double);
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "runs", required_argument, NULL, 'n' },
		{ "dir", required_argument, NULL, 'd' },
		{ "initrd", required_argument, NULL, 'i' },
		{ "json", no_argument, NULL, 'j' },
		{ NULL, 0, NULL, 0 },
	};
	const char *base = "/tmp/vmctl-bench", *initrd = NULL;
	int runs = 5, opt;
	bool json = false;

	while ((opt = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		switch (opt) {
		case 'n': runs = atoi(optarg); break;
		case 'd': base = optarg; break;
		case 'i': initrd = optarg; break;
		case 'j': json = true; break;
		default:
			fprintf(stderr, "usage: vmctl-bench [--runs N] [--dir D] [--initrd F] [--json]\n");
			return 64;
		}
	}
	if (runs < 1 || runs > 100) {
		fprintf(stderr, "vmctl-bench: --runs must be 1..100\n");
		return 64;
	}
	double boot[100], restore[100];
	char dir[4096], snap[4096];
	struct vm_config cfg;
	struct vm *vm;

	mkdir(base, 0755);
	snprintf(dir, sizeof(dir), "%s/vm", base);
	snprintf(snap, sizeof(snap), "%s/ready.snap", base);
	vm_config_init(&cfg, dir);
	if (initrd)
		cfg.initrd = initrd;

	for (int i = 0; i < runs; i++) {
		double t0 = mono();

		if (vm_boot(&cfg, &vm) < 0) {
			fprintf(stderr, "vmctl-bench: boot %d: %s\n", i + 1, vm_error());
			return 1;
		}
		boot[i] = mono() - t0;
		fprintf(stderr, "cold boot %d: %.3f s\n", i + 1, boot[i]);
		if (i == 0) {
			double s0 = mono();

			if (vm_snapshot_save(vm, snap) < 0) {
				fprintf(stderr, "vmctl-bench: snapshot: %s\n", vm_error());
				vm_destroy(vm);
				return 1;
			}
			struct stat st = { 0 };

			stat(snap, &st);
			fprintf(stderr, "snapshot save: %.3f s, %lld bytes\n", mono() - s0,
				(long long)st.st_size);
		}
		vm_destroy(vm);
	}
	for (int i = 0; i < runs; i++) {
		struct vm_cmd_result res;
		double t0 = mono();

		if (vm_restore(&cfg, snap, &vm) < 0) {
			fprintf(stderr, "vmctl-bench: restore %d: %s\n", i + 1, vm_error());
			return 1;
		}
		restore[i] = mono() - t0;
		if (vm_agent(vm, 10000, NULL, NULL, &res, "ping") != VM_CMD_OK) {
			fprintf(stderr, "vmctl-bench: restored guest does not answer ping: %s\n",
				vm_error());
			vm_destroy(vm);
			return 1;
		}
		fprintf(stderr, "restore %d: %.3f s\n", i + 1, restore[i]);
		vm_destroy(vm);
	}
	double bmin = boot[0], bmax = boot[0], rmin = restore[0], rmax = restore[0];

	for (int i = 1; i < runs; i++) {
		bmin = boot[i] < bmin ? boot[i] : bmin;
		bmax = boot[i] > bmax ? boot[i] : bmax;
		rmin = restore[i] < rmin ? restore[i] : rmin;
		rmax = restore[i] > rmax ? restore[i] : rmax;
	}
	double bm = median(boot, runs), rm = median(restore, runs);

	if (json) {
		printf("{\"runs\":%d,\"boot_median_s\":%.4f,\"boot_min_s\":%.4f,\"boot_max_s\":%.4f,"
		       "\"restore_median_s\":%.4f,\"restore_min_s\":%.4f,\"restore_max_s\":%.4f,"
		       "\"ratio\":%.1f}\n", runs, bm, bmin, bmax, rm, rmin, rmax, bm / rm);
	} else {
		printf("%-28s %12s %12s\n", "to agent READY (TCG)", "cold boot", "restore");
		printf("%-28s %11.3fs %11.3fs\n", "median", bm, rm);
		printf("%-28s %11.3fs %11.3fs\n", "min", bmin, rmin);
		printf("%-28s %11.3fs %11.3fs\n", "max", bmax, rmax);
		printf("%-28s %12d %12d\n", "runs", runs, runs);
		printf("restore is %.1fx faster than a cold boot\n", bm / rm);
	}
	remove(snap);
	return 0;
}
