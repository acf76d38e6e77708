// SPDX-License-Identifier: MIT
/* gdbremote.c — see gdbremote.h. */
#include "gdbremote.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "util.h"
#include "vmctl.h"

/* Memory is moved in chunks whose hex form fits QEMU's packet buffer. */
#define GDB_MEM_CHUNK 1024

static bool needs_escape(char c)
{
	return c == '#' || c == '$' || c == '}' || c == '*';
}

long gdb_encode(const char *payload, size_t len, char *out, size_t size)
{
	unsigned sum = 0;
	size_t o = 0;

	if (size < 4)
		return -1;
	out[o++] = '$';
	for (size_t i = 0; i < len; i++) {
		char c = payload[i];

		if (o + 2 + 3 > size)
			return -1;
		if (needs_escape(c)) {
			out[o++] = '}';
			sum += '}';
			c ^= 0x20;
		}
		out[o++] = c;
		sum += (unsigned char)c;
	}
	if (o + 3 > size)
		return -1;
	snprintf(out + o, 4, "#%02x", sum & 0xff);
	return (long)o + 3;
}

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

long gdb_decode(const char *in, size_t len, char *out, size_t size, size_t *out_len,
		int *acks)
{
	size_t i = 0, o = 0;
	unsigned sum = 0;

	/* Acks and line noise before a packet start are skipped. */
	while (i < len && in[i] != '$') {
		if (acks && (in[i] == '+' || in[i] == '-'))
			*acks = in[i];
		i++;
	}
	if (i == len)
		return 0;
	i++;
	const char *hash = memchr(in + i, '#', len - i);

	if (!hash || (size_t)(hash - in) + 3 > len)
		return 0; /* incomplete */
	size_t end = (size_t)(hash - in);
	long consumed = (long)end + 3;
	int hi = hexval(hash[1]), lo = hexval(hash[2]);

	for (size_t j = i; j < end; j++) {
		char c = in[j];

		sum += (unsigned char)c;
		if (c == '}' && j + 1 < end) {
			c = in[++j] ^ 0x20;
			sum += (unsigned char)in[j];
		} else if (c == '*' && o > 0 && j + 1 < end) {
			/* run-length: repeat the previous byte (n - 29) times */
			int n = (unsigned char)in[++j] - 29;

			sum += (unsigned char)in[j];
			if (n < 0 || o + (size_t)n >= size)
				return -ENOBUFS;
			memset(out + o, out[o - 1], (size_t)n);
			o += (size_t)n;
			continue;
		}
		if (o + 1 >= size)
			return -ENOBUFS;
		out[o++] = c;
	}
	if (hi < 0 || lo < 0 || (unsigned)(hi * 16 + lo) != (sum & 0xff))
		return -EBADMSG;
	out[o] = '\0';
	if (out_len)
		*out_len = o;
	return consumed;
}

int gdb_hex_to_bytes(const char *hex, void *out, size_t len)
{
	unsigned char *p = out;

	for (size_t i = 0; i < len; i++) {
		int hi = hexval(hex[2 * i]), lo = hi < 0 ? -1 : hexval(hex[2 * i + 1]);

		if (hi < 0 || lo < 0)
			return -EBADMSG;
		p[i] = (unsigned char)(hi * 16 + lo);
	}
	return 0;
}

void gdb_bytes_to_hex(const void *in, size_t len, char *hex)
{
	static const char digits[] = "0123456789abcdef";
	const unsigned char *p = in;

	for (size_t i = 0; i < len; i++) {
		hex[2 * i] = digits[p[i] >> 4];
		hex[2 * i + 1] = digits[p[i] & 15];
	}
	hex[2 * len] = '\0';
}

void gdb_init(struct gdb *g, int fd, gdb_stop_fn fn, void *arg)
{
	memset(g, 0, sizeof(*g));
	g->fd = fd;
	g->on_stop = fn;
	g->stop_arg = arg;
}

void gdb_close(struct gdb *g)
{
	if (g->fd >= 0)
		close(g->fd);
	g->fd = -1;
}

static int gdb_fill(struct gdb *g, int timeout_ms)
{
	int r = wait_readable(g->fd, timeout_ms);

	if (r <= 0)
		return r == 0 ? -ETIMEDOUT : r;
	if (g->in_len == sizeof(g->in))
		g->in_len = 0; /* hopeless garbage: drop it */
	ssize_t n = read(g->fd, g->in + g->in_len, sizeof(g->in) - g->in_len);

	if (n == 0)
		return -ECONNRESET;
	if (n < 0)
		return errno == EINTR || errno == EAGAIN ? 0 : -errno;
	g->in_len += (size_t)n;
	return 0;
}

/* Next packet from the stream (acks recorded in *ack). 1 = packet in out,
 * 0 = only acks so far, <0 error. */
static int gdb_next(struct gdb *g, char *out, size_t size, size_t *out_len, int *ack)
{
	long n = gdb_decode(g->in, g->in_len, out, size, out_len, ack);

	if (n == 0) {
		/* keep an incomplete packet, drop the acks before it */
		char *dollar = memchr(g->in, '$', g->in_len);
		size_t skip = dollar ? (size_t)(dollar - g->in) : g->in_len;

		memmove(g->in, g->in + skip, g->in_len - skip);
		g->in_len -= skip;
		return 0;
	}
	if (n == -EBADMSG) {
		/* drop through the bad packet's checksum and ask for a resend */
		char *hash = memchr(g->in, '#', g->in_len);
		size_t skip = hash && (size_t)(hash - g->in) + 3 <= g->in_len ?
			(size_t)(hash - g->in) + 3 : g->in_len;

		memmove(g->in, g->in + skip, g->in_len - skip);
		g->in_len -= skip;
		write_all(g->fd, "-", 1);
		return 0;
	}
	if (n < 0)
		return (int)n;
	memmove(g->in, g->in + n, g->in_len - (size_t)n);
	g->in_len -= (size_t)n;
	write_all(g->fd, "+", 1);
	return 1;
}

static bool is_stop_reply(const char *p)
{
	return (p[0] == 'T' || p[0] == 'S') && hexval(p[1]) >= 0 && hexval(p[2]) >= 0;
}

static int gdb_write_packet(struct gdb *g, const char *payload)
{
	char pkt[GDB_PACKET_MAX * 2 + 8];
	long n = gdb_encode(payload, strlen(payload), pkt, sizeof(pkt));

	if (n < 0)
		return vm_fail(EMSGSIZE, "gdb: packet too large");
	int r = write_all(g->fd, pkt, (size_t)n);

	return r < 0 ? vm_fail(-r, "gdb: send: %s", strerror(-r)) : 0;
}

/* Wait until the peer acks our packet (resend on '-'); packets that
 * arrive meanwhile are stop replies (dispatched) or, if reply != NULL, the
 * reply itself (returned as 1). */
long gdb_transact(struct gdb *g, const char *payload, char *reply, size_t size,
		  int timeout_ms)
{
	int64_t deadline = now_ms() + timeout_ms;
	bool acked = false;
	bool wants_stop = payload[0] == '?' || payload[0] == 'c' || payload[0] == 's';
	char pkt[GDB_PACKET_MAX + 1];
	int r = gdb_write_packet(g, payload);

	if (r < 0)
		return r;
	for (;;) {
		int ack = 0;
		size_t len = 0;

		r = gdb_next(g, pkt, sizeof(pkt), &len, &ack);
		if (r < 0)
			return vm_fail(-r, "gdb: bad reply packet");
		if (ack == '-' && !acked) {
			r = gdb_write_packet(g, payload);
			if (r < 0)
				return r;
		} else if (ack == '+') {
			acked = true;
		}
		if (r == 1) {
			acked = true; /* a reply implies the ack */
			if (is_stop_reply(pkt) && !wants_stop) {
				if (g->on_stop)
					g->on_stop(g->stop_arg, pkt);
				continue;
			}
			if (!reply)
				continue;
			snprintf(reply, size, "%s", pkt);
			return (long)len;
		}
		if (acked && !reply)
			return 0;
		r = gdb_fill(g, ms_left(deadline));
		if (r < 0)
			return vm_fail(-r, "gdb: no reply to '%.20s' (%s)", payload, strerror(-r));
	}
}

int gdb_send(struct gdb *g, const char *payload, int timeout_ms)
{
	long r = gdb_transact(g, payload, NULL, 0, timeout_ms);

	return r < 0 ? (int)r : 0;
}

int gdb_interrupt(struct gdb *g)
{
	int r = write_all(g->fd, "\x03", 1);

	return r < 0 ? vm_fail(-r, "gdb: interrupt: %s", strerror(-r)) : 0;
}

int gdb_pump(struct gdb *g, int timeout_ms)
{
	char pkt[GDB_PACKET_MAX + 1];
	int64_t deadline = now_ms() + timeout_ms;

	for (;;) {
		size_t len;
		int r;

		while ((r = gdb_next(g, pkt, sizeof(pkt), &len, NULL)) == 1)
			if (is_stop_reply(pkt) && g->on_stop)
				g->on_stop(g->stop_arg, pkt);
		if (r < 0)
			return r;
		r = gdb_fill(g, ms_left(deadline));
		if (r == -ETIMEDOUT)
			return 0;
		if (r < 0)
			return r;
	}
}

int gdb_wait_stop(struct gdb *g, char *out, size_t size, int timeout_ms)
{
	char pkt[GDB_PACKET_MAX + 1];
	int64_t deadline = now_ms() + timeout_ms;

	for (;;) {
		size_t len;
		int r;

		while ((r = gdb_next(g, pkt, sizeof(pkt), &len, NULL)) == 1) {
			if (is_stop_reply(pkt)) {
				snprintf(out, size, "%s", pkt);
				return 0;
			}
		}
		if (r < 0)
			return r;
		r = gdb_fill(g, ms_left(deadline));
		if (r < 0)
			return vm_fail(-r, "gdb: no stop reply (%s)", strerror(-r));
	}
}

static int gdb_expect_ok(struct gdb *g, const char *payload, int timeout_ms)
{
	char reply[64];
	long n = gdb_transact(g, payload, reply, sizeof(reply), timeout_ms);

	if (n < 0)
		return (int)n;
	if (strcmp(reply, "OK") != 0)
		return vm_fail(EIO, "gdb: '%.24s' answered '%s'", payload, reply);
	return 0;
}

int gdb_read_mem(struct gdb *g, uint64_t addr, void *buf, size_t len, int timeout_ms)
{
	char cmd[64], reply[GDB_MEM_CHUNK * 2 + 1];
	unsigned char *p = buf;

	for (size_t off = 0; off < len; off += GDB_MEM_CHUNK) {
		size_t chunk = len - off < GDB_MEM_CHUNK ? len - off : GDB_MEM_CHUNK;

		snprintf(cmd, sizeof(cmd), "m%" PRIx64 ",%zx", addr + off, chunk);
		long n = gdb_transact(g, cmd, reply, sizeof(reply), timeout_ms);

		if (n < 0)
			return (int)n;
		if ((size_t)n != chunk * 2 || gdb_hex_to_bytes(reply, p + off, chunk) < 0)
			return vm_fail(EFAULT, "gdb: cannot read %zu bytes at 0x%" PRIx64 " (%s)",
				       chunk, addr + off, reply);
	}
	return 0;
}

int gdb_write_mem(struct gdb *g, uint64_t addr, const void *buf, size_t len, int timeout_ms)
{
	char cmd[GDB_MEM_CHUNK * 2 + 64];
	const unsigned char *p = buf;

	for (size_t off = 0; off < len; off += GDB_MEM_CHUNK) {
		size_t chunk = len - off < GDB_MEM_CHUNK ? len - off : GDB_MEM_CHUNK;
		int n = snprintf(cmd, sizeof(cmd), "M%" PRIx64 ",%zx:", addr + off, chunk);

		gdb_bytes_to_hex(p + off, chunk, cmd + n);
		int r = gdb_expect_ok(g, cmd, timeout_ms);

		if (r < 0)
			return vm_fail(EFAULT, "gdb: cannot write %zu bytes at 0x%" PRIx64 ": %s",
				       chunk, addr + off, vm_error());
	}
	return 0;
}

/*
 * Registers go through 'g'/'G' (all registers): QEMU answers 'p'/'P' only
 * after the client fetched the XML target description. Without it the
 * x86-64 layout is: 16 GPRs and rip as 8 bytes each, then eflags and the
 * six segment registers as 4 bytes each (little-endian throughout).
 */
static int reg_slot(int regno, size_t *off, size_t *size)
{
	if (regno < 0 || regno > 23)
		return vm_fail(EINVAL, "gdb: register %d not supported (0..23)", regno);
	*off = regno <= 16 ? (size_t)regno * 8 : 136 + (size_t)(regno - 17) * 4;
	*size = regno <= 16 ? 8 : 4;
	return 0;
}

int gdb_read_reg(struct gdb *g, int regno, uint64_t *value, int timeout_ms)
{
	char reply[GDB_PACKET_MAX + 1];
	unsigned char bytes[8] = { 0 };
	size_t off = 0, size = 0;
	long n;

	if (reg_slot(regno, &off, &size) < 0)
		return -EINVAL;
	n = gdb_transact(g, "g", reply, sizeof(reply), timeout_ms);
	if (n < 0)
		return (int)n;
	if ((size_t)n < 2 * (off + size) || gdb_hex_to_bytes(reply + 2 * off, bytes, size) < 0)
		return vm_fail(EIO, "gdb: register %d: short or bad 'g' reply (%ld chars)", regno, n);
	*value = 0;
	for (int i = (int)size - 1; i >= 0; i--)
		*value = (*value << 8) | bytes[i];
	return 0;
}

int gdb_write_reg(struct gdb *g, int regno, uint64_t value, int timeout_ms)
{
	char regs[GDB_PACKET_MAX + 1], cmd[GDB_PACKET_MAX + 2], hex[17];
	unsigned char bytes[8];
	size_t off = 0, size = 0;
	long n;

	if (reg_slot(regno, &off, &size) < 0)
		return -EINVAL;
	n = gdb_transact(g, "g", regs, sizeof(regs), timeout_ms);
	if (n < 0)
		return (int)n;
	if ((size_t)n < 2 * (off + size))
		return vm_fail(EIO, "gdb: short 'g' reply (%ld chars)", n);
	for (size_t i = 0; i < size; i++)
		bytes[i] = (unsigned char)(value >> (8 * i));
	gdb_bytes_to_hex(bytes, size, hex);
	memcpy(regs + 2 * off, hex, 2 * size);
	snprintf(cmd, sizeof(cmd), "G%s", regs);
	return gdb_expect_ok(g, cmd, timeout_ms);
}

int gdb_breakpoint(struct gdb *g, bool insert, uint64_t addr, int timeout_ms)
{
	char cmd[64];

	snprintf(cmd, sizeof(cmd), "%c0,%" PRIx64 ",1", insert ? 'Z' : 'z', addr);
	return gdb_expect_ok(g, cmd, timeout_ms);
}
