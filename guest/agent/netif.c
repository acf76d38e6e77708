/* sysfs view of network interfaces; see netif.h. */
#include "netif.h"

#include <dirent.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "fsutil.h"

static int link_basename(const char *link, char *out, size_t cap)
{
	char target[PATH_MAX];
	ssize_t n = readlink(link, target, sizeof(target) - 1);
	const char *base;

	if (n < 0)
		return -1;
	target[n] = '\0';
	base = strrchr(target, '/');
	snprintf(out, cap, "%s", base ? base + 1 : target);
	return 0;
}

int netif_find_by_driver(const char *driver, char *ifname, size_t cap)
{
	DIR *d = opendir("/sys/class/net");
	struct dirent *de;
	int rc = -1;

	if (!d)
		return -1;
	while ((de = readdir(d))) {
		char link[PATH_MAX], drv[64];

		if (de->d_name[0] == '.')
			continue;
		snprintf(link, sizeof(link), "/sys/class/net/%s/device/driver",
			 de->d_name);
		if (link_basename(link, drv, sizeof(drv)) == 0 &&
		    strcmp(drv, driver) == 0) {
			snprintf(ifname, cap, "%s", de->d_name);
			rc = 0;
			break;
		}
	}
	closedir(d);
	return rc;
}

int netif_wait_by_driver(const char *driver, char *ifname, size_t cap,
			 long timeout_ms)
{
	long long end = now_ms() + timeout_ms;

	for (;;) {
		if (netif_find_by_driver(driver, ifname, cap) == 0)
			return 0;
		if (now_ms() >= end)
			return -1;
		sleep_ms(50);
	}
}

int netif_wait_gone(const char *ifname, long timeout_ms)
{
	long long end = now_ms() + timeout_ms;
	char path[PATH_MAX];

	snprintf(path, sizeof(path), "/sys/class/net/%s", ifname);
	while (access(path, F_OK) == 0) {
		if (now_ms() >= end)
			return -1;
		sleep_ms(50);
	}
	return 0;
}

int netif_carrier(const char *ifname)
{
	char path[PATH_MAX], val[16];

	snprintf(path, sizeof(path), "/sys/class/net/%s/carrier", ifname);
	if (fs_read_line(path, val, sizeof(val)) < 0)
		return -1;
	return val[0] == '1' ? 1 : 0;
}

long netif_wait_carrier(const char *ifname, int want, long timeout_ms)
{
	long long start = now_ms();

	for (;;) {
		int c = netif_carrier(ifname);

		if (c == want || (want == 0 && c < 0))
			return (long)(now_ms() - start);
		if (now_ms() - start >= timeout_ms)
			return -1;
		sleep_ms(20);
	}
}

int netif_driver_module(const char *ifname, char *mod, size_t cap)
{
	char link[PATH_MAX];

	snprintf(link, sizeof(link), "/sys/class/net/%s/device/driver/module",
		 ifname);
	return link_basename(link, mod, cap);
}
