/* Receiving a file sent with `put`: base64 lines until `size` bytes are
 * decoded, checked against the size and the CRC-32 (zlib) the host gave.
 * With the optional `zlib <wire-bytes>` form the lines carry a zlib stream
 * of wire-bytes bytes instead, inflated on the fly (the serial port is the
 * bottleneck, a module compresses ~4x); size and CRC still describe the
 * inflated file. The data goes to "<path>.put-tmp" and is renamed over
 * <path> only when it is complete and its CRC matches. */
#ifndef NOOKS_AGENT_PUT_H
#define NOOKS_AGENT_PUT_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <zlib.h>

#include "base64.h"

#define PUT_SIZE_MAX (128ull << 20)   /* the guest has 256 MiB of RAM */

enum put_feed {
	PUT_MORE,         /* line consumed, more data expected */
	PUT_COMPLETE,     /* last data line consumed: call put_finish */
	PUT_INTERRUPTED,  /* the line is not base64 data (it contains a blank):
			   * the transfer is short; the caller replies with
			   * put_finish and then handles the line as a command */
};

/* The data encodings of the wire. */
enum put_encoding {
	PUT_RAW,    /* base64 of the file itself */
	PUT_ZLIB,   /* base64 of a zlib stream (RFC 1950) of the file */
};

struct put_rx {
	char path[PATH_MAX];
	char tmp_path[PATH_MAX + 16];
	int fd;
	unsigned long long size;        /* announced */
	unsigned long long written;     /* file bytes written (inflated) */
	enum put_encoding enc;
	unsigned long long wire;        /* bytes the base64 carries (= size when raw) */
	unsigned long long decoded;     /* base64-decoded bytes so far */
	z_stream zs;                    /* PUT_ZLIB: the inflater */
	bool zs_live;                   /* zs needs inflateEnd */
	bool zs_ended;                  /* Z_STREAM_END reached */
	unsigned long long symbols;     /* base64 symbols seen, valid or not */
	uint32_t want_crc;
	uint32_t crc;
	struct b64_dec dec;
	int err;                        /* first error (errno value), 0 = none */
	char errmsg[160];
};

/* Validates the arguments and creates the temporary file. On failure
 * returns an errno value and fills msg. */
int put_begin(struct put_rx *p, const char *path, const char *size_arg,
	      const char *crc_arg, char *msg, size_t msglen);

/* The same from a command's arguments: <path> <size> <crc32> for the raw
 * form, <path> <size> <crc32> zlib <wire-bytes> for the compressed one. */
int put_begin_args(struct put_rx *p, int argc, const char *const argv[], char *msg,
		   size_t msglen);

/* How many bytes the base64 lines following a put with these arguments
 * carry (what to drain when the put is refused), 0 when unknown. */
unsigned long long put_wire_bytes_of_args(int argc, const char *const argv[]);

/* A transfer that is refused already (bad path or CRC argument, file not
 * creatable) but whose data lines (`size` decoded bytes) must still be
 * consumed: put_finish reports err with msg. */
void put_begin_drain(struct put_rx *p, unsigned long long size, int err,
		     const char *msg);

/* True when no data line follows (raw form of size 0, or zlib 0 bytes). */
bool put_needs_no_data(const struct put_rx *p);

enum put_feed put_feed_line(struct put_rx *p, const char *line, size_t len);

/* Checks size and CRC, renames into place or removes the temporary file.
 * Returns 0 or an errno value with msg filled. Always releases p. */
int put_finish(struct put_rx *p, char *msg, size_t msglen);

/* Gives up (e.g. the host went quiet): removes the temporary file. */
void put_abort(struct put_rx *p);

#endif
