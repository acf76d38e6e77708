/* SPDX-License-Identifier: MIT */
/* gdbremote.h — a GDB remote serial protocol client for QEMU's gdbstub.
 *
 * Framing: "$<payload>#<2 hex checksum>", the checksum being the sum of the
 * payload bytes mod 256; '#', '$', '}' and '*' in a payload are escaped as
 * '}' followed by the byte XOR 0x20; a reply may use run-length encoding
 * ("X*<n+29>"). Each packet is acknowledged with '+' (or '-' to resend).
 * Stop replies ("S.."/"T..") arrive asynchronously whenever the guest stops
 * while a debugger is attached; they are handed to a callback. */
#ifndef VMCTL_GDBREMOTE_H
#define VMCTL_GDBREMOTE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define GDB_PACKET_MAX 8192

/* ---- framing (pure functions, unit tested) ---- */

/* Encode payload into out as a full packet. Returns its length, or -1 if
 * out is too small. */
long gdb_encode(const char *payload, size_t len, char *out, size_t size);

/* Find one packet at the start of in (leading '+'/'-' acks are skipped and
 * reported via acks, if not NULL). Returns bytes consumed and writes the
 * decoded payload (NUL-terminated) to out / *out_len; 0 if in holds no
 * complete packet yet; -EBADMSG for a checksum mismatch (the bad packet is
 * consumed: the caller sends '-'); -ENOBUFS if out is too small. */
long gdb_decode(const char *in, size_t len, char *out, size_t size, size_t *out_len,
		int *acks);

/* hex helpers */
int gdb_hex_to_bytes(const char *hex, void *out, size_t len);
void gdb_bytes_to_hex(const void *in, size_t len, char *hex);

/* ---- client ---- */

typedef void (*gdb_stop_fn)(void *arg, const char *stop_reply);

struct gdb {
	int fd;
	char in[GDB_PACKET_MAX * 2];
	size_t in_len;
	gdb_stop_fn on_stop;
	void *stop_arg;
};

void gdb_init(struct gdb *g, int fd, gdb_stop_fn fn, void *arg);
void gdb_close(struct gdb *g);

/* Send payload, wait for its acknowledgement and, if reply is not NULL,
 * the reply packet (stop replies in between go to the callback unless the
 * command expects one: '?', 'c', 's'). Returns the reply length or <0. */
long gdb_transact(struct gdb *g, const char *payload, char *reply, size_t size,
		  int timeout_ms);

/* Send a packet without waiting for a reply ('c' continue). */
int gdb_send(struct gdb *g, const char *payload, int timeout_ms);

/* Send the 0x03 interrupt (stops a running guest; a stop reply follows). */
int gdb_interrupt(struct gdb *g);

/* Process whatever arrived (stop replies). Returns <0 when the peer is gone. */
int gdb_pump(struct gdb *g, int timeout_ms);

/* Wait for one stop reply (after gdb_interrupt or 'c'), copying it to out. */
int gdb_wait_stop(struct gdb *g, char *out, size_t size, int timeout_ms);

/* Memory and registers (x86-64 little-endian register encoding). */
int gdb_read_mem(struct gdb *g, uint64_t addr, void *buf, size_t len, int timeout_ms);
int gdb_write_mem(struct gdb *g, uint64_t addr, const void *buf, size_t len, int timeout_ms);
int gdb_read_reg(struct gdb *g, int regno, uint64_t *value, int timeout_ms);
int gdb_write_reg(struct gdb *g, int regno, uint64_t value, int timeout_ms);
int gdb_breakpoint(struct gdb *g, bool insert, uint64_t addr, int timeout_ms);

#endif
