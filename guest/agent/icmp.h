/* ICMP echo ("ping") over a raw socket, with per-reply round-trip times. */
#ifndef NOOKS_AGENT_ICMP_H
#define NOOKS_AGENT_ICMP_H

struct ping_stats {
	int sent, received;
	long rtt_min_us, rtt_avg_us, rtt_max_us;
};

/* Sends `count` echo requests to the IPv4 address `dst`, `interval_ms`
 * apart, waiting at most `timeout_ms` for each reply. Returns 0 when the
 * socket worked (check received), -1 with errno otherwise. */
int icmp_ping(const char *dst, int count, long interval_ms, long timeout_ms,
	      struct ping_stats *st);

/* The Internet checksum (RFC 1071). */
unsigned short icmp_checksum(const void *buf, int len);

#endif
