/* The TCP echo service of the peer namespace and its client, used by the
 * net-basic `echo` step to check a payload byte for byte. */
#ifndef NOOKS_AGENT_ECHO_H
#define NOOKS_AGENT_ECHO_H

#include <stddef.h>
#include <stdint.h>

#define ECHO_PORT 7

/* Serves forever on addr:port (one child process per connection).
 * Returns only on a setup error. */
int echo_server_run(const char *addr, int port);

struct echo_stats {
	size_t sent, received;
	long long ms;
	long long mismatch_at;   /* first differing offset, -1 when none */
	const char *error;       /* NULL when the exchange completed */
};

/* Fills buf with a deterministic pseudo-random pattern (xorshift64). */
void echo_fill_pattern(uint8_t *buf, size_t len, uint64_t seed);

/* Sends len pattern bytes to dst:port, reads the echo back and compares.
 * Returns 0 when every byte came back identical. */
int echo_roundtrip(const char *dst, int port, size_t len, uint64_t seed,
		   long timeout_ms, struct echo_stats *st);

#endif
