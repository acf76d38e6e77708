/* "HB <seq> <uptime_ms>" every second from its own thread, so that the host
 * can tell a hung guest from a slow command. */
#ifndef NOOKS_AGENT_HEARTBEAT_H
#define NOOKS_AGENT_HEARTBEAT_H

#include "reply.h"

/* Starts the thread; it writes through `sink` (whose lock it shares with
 * every response writer). Returns 0 or an errno value. */
int heartbeat_start(struct reply_sink *sink);

/* Stops heartbeats until heartbeat_resume (used by `quiesce`, so that a
 * snapshot never holds a half-sent HB line). Once this returns no HB line
 * is being written. */
void heartbeat_pause(void);
void heartbeat_resume(void);

#endif
