// SPDX-License-Identifier: MIT
/* config.c — defaults of struct vm_config: the guest kernel the build uses
 * (same rule as tools/guest-kver) and the image the guest/ build makes. */
#include <dirent.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "vmctl.h"

#ifndef NOOKS_TOP
#define NOOKS_TOP "."
#endif

/* The newest /boot/vmlinuz-<ver> with /lib/modules/<ver>/build, or $KVER. */
static const char *default_kernel(void)
{
	static char path[PATH_MAX];
	char best[256] = "";
	const char *kver = getenv("KVER");
	DIR *d;
	struct dirent *e;

	if (kver && *kver) {
		snprintf(path, sizeof(path), "/boot/vmlinuz-%s", kver);
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
	snprintf(path, sizeof(path), "/boot/vmlinuz-%s", best);
	return path;
}

const char *vm_top_dir(void)
{
	const char *top = getenv("TOP");

	return top && *top ? top : NOOKS_TOP;
}

void vm_config_init(struct vm_config *cfg, const char *dir)
{
	static char initrd[PATH_MAX];

	memset(cfg, 0, sizeof(*cfg));
	snprintf(initrd, sizeof(initrd), "%s/build/guest/initramfs.cpio.gz", vm_top_dir());
	cfg->dir = dir;
	cfg->kernel = default_kernel();
	cfg->initrd = initrd;
	cfg->gdb = true;
	cfg->mem_mb = 256;
	cfg->smp = 1;
	cfg->ready_timeout_ms = 120000;
	cfg->hang_timeout_ms = 20000; /* TCG on a loaded host stalls for seconds */
}
