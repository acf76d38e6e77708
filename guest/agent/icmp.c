/* ICMP echo; see icmp.h. A raw socket sees every ICMP packet of the host,
 * so replies are matched by identifier and sequence number. */
#include "icmp.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/ip.h>
#include <netinet/ip_icmp.h>
#include <poll.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "fsutil.h"

unsigned short icmp_checksum(const void *buf, int len)
{
	const unsigned char *p = buf;
	unsigned long sum = 0;

	for (; len > 1; len -= 2, p += 2)
		sum += (unsigned)(p[0] << 8 | p[1]);
	if (len == 1)
		sum += (unsigned)(p[0] << 8);
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return htons((unsigned short)~sum);
}

static long long now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

/* Waits for the reply to (id, seq). Returns its RTT in µs or -1. */
static long wait_reply(int fd, unsigned short id, unsigned short seq,
		       long long sent_us, long timeout_ms)
{
	long long end = sent_us + timeout_ms * 1000LL;

	for (;;) {
		long long left = end - now_us();
		struct pollfd p = { .fd = fd, .events = POLLIN };
		unsigned char buf[1500];
		struct icmphdr *icmp;
		struct iphdr *ip;
		ssize_t n;

		if (left <= 0 || poll(&p, 1, (int)(left / 1000) + 1) <= 0)
			return -1;
		n = recv(fd, buf, sizeof(buf), 0);
		if (n < (ssize_t)sizeof(struct iphdr))
			continue;
		ip = (struct iphdr *)buf;
		if (n < ip->ihl * 4 + (ssize_t)sizeof(*icmp))
			continue;
		icmp = (struct icmphdr *)(buf + ip->ihl * 4);
		if (icmp->type == ICMP_ECHOREPLY && ntohs(icmp->un.echo.id) == id &&
		    ntohs(icmp->un.echo.sequence) == seq)
			return (long)(now_us() - sent_us);
	}
}

int icmp_ping(const char *dst, int count, long interval_ms, long timeout_ms,
	      struct ping_stats *st)
{
	struct sockaddr_in to = { .sin_family = AF_INET };
	unsigned short id = (unsigned short)(getpid() & 0xffff);
	long long total = 0;
	int fd;

	memset(st, 0, sizeof(*st));
	st->rtt_min_us = -1;
	if (inet_pton(AF_INET, dst, &to.sin_addr) != 1) {
		errno = EINVAL;
		return -1;
	}
	fd = socket(AF_INET, SOCK_RAW | SOCK_CLOEXEC, IPPROTO_ICMP);
	if (fd < 0)
		return -1;
	for (int i = 0; i < count; i++) {
		unsigned char pkt[64] = { 0 };
		struct icmphdr *h = (struct icmphdr *)pkt;
		long long t0;
		long rtt;

		if (i > 0)
			sleep_ms(interval_ms);
		h->type = ICMP_ECHO;
		h->un.echo.id = htons(id);
		h->un.echo.sequence = htons((unsigned short)(i + 1));
		for (size_t b = sizeof(*h); b < sizeof(pkt); b++)
			pkt[b] = (unsigned char)b;
		h->checksum = icmp_checksum(pkt, sizeof(pkt));
		t0 = now_us();
		if (sendto(fd, pkt, sizeof(pkt), 0, (struct sockaddr *)&to,
			   sizeof(to)) < 0)
			continue;   /* counted as lost: e.g. no route while down */
		st->sent++;
		rtt = wait_reply(fd, id, (unsigned short)(i + 1), t0, timeout_ms);
		if (rtt < 0)
			continue;
		st->received++;
		total += rtt;
		if (st->rtt_min_us < 0 || rtt < st->rtt_min_us)
			st->rtt_min_us = rtt;
		if (rtt > st->rtt_max_us)
			st->rtt_max_us = rtt;
	}
	close(fd);
	st->rtt_avg_us = st->received ? (long)(total / st->received) : -1;
	return 0;
}
