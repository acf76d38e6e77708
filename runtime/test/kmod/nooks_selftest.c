// SPDX-License-Identifier: GPL-2.0
/*
 * nooks_selftest: a test-only extension for the timer entry, which e1000
 * does not have (its watchdog is delayed work). It calls nooks' wrapper
 * for timer_setup() directly, as an isolated driver would, so nooks gives
 * it a domain; its timer re-arms itself every 50 ms and counts ticks in
 * the "ticks" parameter (/sys/module/nooks_selftest/parameters/ticks).
 */
#include <linux/jiffies.h>
#include <linux/module.h>
#include <linux/timer.h>

void nooks_w_init_timer_key(struct timer_list *timer,
			    void (*func)(struct timer_list *),
			    unsigned int flags, const char *name,
			    struct lock_class_key *key);

static unsigned int ticks;
module_param(ticks, uint, 0444);
MODULE_PARM_DESC(ticks, "timer callbacks run since (re)start");

static struct timer_list selftest_timer;

static void selftest_tick(struct timer_list *t)
{
	ticks++;
	mod_timer(t, jiffies + msecs_to_jiffies(50));
}

/* Not __init: nooks runs init again to restart the extension. */
static int selftest_init(void)
{
	nooks_w_init_timer_key(&selftest_timer, selftest_tick, 0,
			       "nooks_selftest", NULL);
	mod_timer(&selftest_timer, jiffies + msecs_to_jiffies(50));
	return 0;
}

static void selftest_exit(void)
{
	del_timer_sync(&selftest_timer);
}

module_init(selftest_init);
module_exit(selftest_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("nooks test extension: a self-rearming timer");
