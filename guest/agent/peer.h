/* The peer side of net-basic: a network namespace "peer" holding the
 * virtio_net NIC (10.77.0.2/24), with an iperf3 server and a TCP echo
 * server inside it. Set up once at boot (`nooks-agent peer-setup` from
 * /init); the workload only checks the servers and restarts them. */
#ifndef NOOKS_AGENT_PEER_H
#define NOOKS_AGENT_PEER_H

#include <stdbool.h>
#include <stddef.h>

#define PEER_NETNS     "/run/netns/peer"
#define PEER_IFNAME    "peer0"
#define PEER_DRIVER    "virtio_net"
#define PEER_ADDR      "10.77.0.2"
#define PEER_CIDR      "10.77.0.2/24"
#define TARGET_CIDR    "10.77.0.1/24"
#define IPERF_PORT     5201
#define NOOKS_RUN_DIR  "/run/nooks"

/* Creates the namespace, moves and configures the peer NIC, starts the
 * servers. Messages go to stderr (the kernel console at boot). */
int peer_setup(void);

/* Makes sure both servers run and listen; with restart_iperf the iperf3
 * server is replaced by a fresh one (a previous trial may have left it
 * stuck in a test). Returns 0, or -1 with a reason in why. */
int peer_servers_ensure(bool restart_iperf, char *why, size_t cap);

/* Runs `ip <args...>` inside the peer namespace (NULL: this namespace).
 * Returns the exit code, or -1 when ip could not run. out may be NULL. */
int run_ip(const char *netns, char *out, size_t cap, const char *arg0, ...);

#endif
