// SPDX-License-Identifier: MIT
/* config.c — defaults of struct vm_config: the guest kernel the build uses
 * (same rule as tools/guest-kver) and the image the guest/ build makes. */
#include <dirent.h>
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "vmctl.h"

#ifndef NOOKS_TOP
#define NOOKS_TOP "."
#endif

/* Worked out once per process: campaign workers call vm_config_init from
 * several threads, and the strings must outlive all of them. */
static pthread_once_t defaults_once = PTHREAD_ONCE_INIT;
static char default_kernel_path[PATH_MAX];
static char default_initrd_path[PATH_MAX];

/* The newest /boot/vmlinuz-<ver> with /lib/modules/<ver>/build, or $KVER. */
static const char *default_kernel(void)
{
	char *path = default_kernel_path;
	const size_t size = sizeof(default_kernel_path);
	char best[256] = "";
	const char *kver = getenv("KVER");
	DIR *d;
	struct dirent *e;

	if (kver && *kver) {
		snprintf(path, size, "/boot/vmlinuz-%s", kver);
		return path;
	}
	d = opendir("/boot");
	while (d && (e = readdir(d))) {
		char headers[PATH_MAX];
		struct stat st;
		const char *ver = e->d_name + strlen("vmlinuz-");

		if (strncmp(e->d_name, "vmlinuz-", 8) != 0)
			continue;
		snprintf(headers, sizeof(headers), "/lib/modules/%s/build", ver);
		if (stat(headers, &st) == 0 && strverscmp(ver, best) > 0)
			snprintf(best, sizeof(best), "%s", ver);
	}
	if (d)
		closedir(d);
	if (!best[0])
		return NULL;
	snprintf(path, size, "/boot/vmlinuz-%s", best);
	return path;
}

const char *vm_top_dir(void)
{
	const char *top = getenv("TOP");

	return top && *top ? top : NOOKS_TOP;
}

static void find_defaults(void)
{
	if (!default_kernel())
		default_kernel_path[0] = '\0';
	snprintf(default_initrd_path, sizeof(default_initrd_path),
		 "%s/build/guest/initramfs.cpio.gz", vm_top_dir());
}

void vm_config_init(struct vm_config *cfg, const char *dir)
{
	pthread_once(&defaults_once, find_defaults);
	memset(cfg, 0, sizeof(*cfg));
	cfg->dir = dir;
	cfg->kernel = default_kernel_path[0] ? default_kernel_path : NULL;
	cfg->initrd = default_initrd_path;
	cfg->gdb = true;
	cfg->mem_mb = 256;
	cfg->smp = 1;
	cfg->ready_timeout_ms = 120000;
	cfg->hang_timeout_ms = 20000; /* TCG on a loaded host stalls for seconds */
}
