/* Heartbeat thread; see heartbeat.h. */
#include "heartbeat.h"

#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <time.h>

#include "fsutil.h"

static struct reply_sink *hb_sink;
static bool hb_paused;            /* guarded by hb_sink->lock */
static unsigned long long hb_seq;

static void *heartbeat_main(void *arg)
{
	struct timespec next;

	(void)arg;
	clock_gettime(CLOCK_MONOTONIC, &next);
	for (;;) {
		next.tv_sec += 1;
		while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &next, NULL))
			;
		pthread_mutex_lock(hb_sink->lock);
		if (!hb_paused) {
			struct reply_sink unlocked = { .fd = hb_sink->fd };

			reply_line(&unlocked, "HB %llu %lld", ++hb_seq, uptime_ms());
		}
		pthread_mutex_unlock(hb_sink->lock);
	}
	return NULL;
}

int heartbeat_start(struct reply_sink *sink)
{
	pthread_t th;
	int rc;

	hb_sink = sink;
	rc = pthread_create(&th, NULL, heartbeat_main, NULL);
	if (rc == 0)
		pthread_detach(th);
	return rc;
}

void heartbeat_pause(void)
{
	pthread_mutex_lock(hb_sink->lock);
	hb_paused = true;
	pthread_mutex_unlock(hb_sink->lock);
}

void heartbeat_resume(void)
{
	pthread_mutex_lock(hb_sink->lock);
	hb_paused = false;
	pthread_mutex_unlock(hb_sink->lock);
}
