/* Network interfaces seen through sysfs: find the NIC a driver owns, wait
 * for it and for its carrier. */
#ifndef NOOKS_AGENT_NETIF_H
#define NOOKS_AGENT_NETIF_H

#include <stddef.h>

#define IFNAME_CAP 32

/* The first interface whose device is bound to `driver` (basename of
 * /sys/class/net/<if>/device/driver). Returns 0 or -1 (none). */
int netif_find_by_driver(const char *driver, char *ifname, size_t cap);

/* Polls netif_find_by_driver until timeout_ms. */
int netif_wait_by_driver(const char *driver, char *ifname, size_t cap,
			 long timeout_ms);

/* Waits until the interface is gone (e.g. after its module was removed). */
int netif_wait_gone(const char *ifname, long timeout_ms);

/* 1 carrier up, 0 down, -1 unknown (interface down or gone). */
int netif_carrier(const char *ifname);

/* Waits until netif_carrier() == want. Returns elapsed ms or -1. */
long netif_wait_carrier(const char *ifname, int want, long timeout_ms);

/* The module that owns the interface's driver (.../driver/module). */
int netif_driver_module(const char *ifname, char *mod, size_t cap);

#endif
