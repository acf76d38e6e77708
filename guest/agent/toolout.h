/* Reading the output of the helper programs net-basic runs: iperf3 -J
 * (with jansson) and ethtool's text reports. Pure functions, unit tested. */
#ifndef NOOKS_AGENT_TOOLOUT_H
#define NOOKS_AGENT_TOOLOUT_H

#include <stddef.h>

struct iperf_summary {
	double sent_mbps;        /* end.sum_sent.bits_per_second / 1e6 */
	double received_mbps;    /* end.sum_received.bits_per_second / 1e6 */
	long long retransmits;   /* end.sum_sent.retransmits, -1 if absent */
	long long bytes;         /* end.sum_received.bytes */
};

/* Returns 0, or -1 with a short reason (one token) in why: the JSON did not
 * parse, iperf3 reported an "error", or the summary is missing. */
int iperf_parse_json(const char *json, struct iperf_summary *s, char *why,
		     size_t cap);

/* `ethtool -i`: the value of "driver:". Returns 0 or -1. */
int ethtool_parse_driver(const char *text, char *driver, size_t cap);

/* `ethtool -S`: number of "name: value" statistics and the value of one of
 * them (-1 when absent). */
int ethtool_count_stats(const char *text, const char *name, long long *value);

/* `ethtool -k`: number of feature lines ("name: on|off ..."). */
int ethtool_count_features(const char *text);

/* `ethtool -g`: RX ring size under "Current hardware settings" and the
 * maximum under "Pre-set maximums". Returns 0 or -1. */
int ethtool_parse_rx_ring(const char *text, long *current, long *maximum);

#endif
