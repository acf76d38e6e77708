/* Receiving a file sent with `put`: base64 lines until `size` bytes are
 * decoded, checked against the size and the CRC-32 (zlib) the host gave.
 * The data goes to "<path>.put-tmp" and is renamed over <path> only when
 * it is complete and its CRC matches. */
#ifndef NOOKS_AGENT_PUT_H
#define NOOKS_AGENT_PUT_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base64.h"

#define PUT_SIZE_MAX (128ull << 20)   /* the guest has 256 MiB of RAM */

enum put_feed {
	PUT_MORE,         /* line consumed, more data expected */
	PUT_COMPLETE,     /* last data line consumed: call put_finish */
	PUT_INTERRUPTED,  /* the line is not base64 data (it contains a blank):
			   * the transfer is short; the caller replies with
			   * put_finish and then handles the line as a command */
};

struct put_rx {
	char path[PATH_MAX];
	char tmp_path[PATH_MAX + 16];
	int fd;
	unsigned long long size;        /* announced */
	unsigned long long written;     /* decoded and written */
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

/* A transfer that is refused already (bad path or CRC argument, file not
 * creatable) but whose data lines must still be consumed: put_finish
 * reports err with msg. */
void put_begin_drain(struct put_rx *p, unsigned long long size, int err,
		     const char *msg);

/* True when the announced size is reached before any data line (size 0). */
bool put_needs_no_data(const struct put_rx *p);

enum put_feed put_feed_line(struct put_rx *p, const char *line, size_t len);

/* Checks size and CRC, renames into place or removes the temporary file.
 * Returns 0 or an errno value with msg filled. Always releases p. */
int put_finish(struct put_rx *p, char *msg, size_t msglen);

/* Gives up (e.g. the host went quiet): removes the temporary file. */
void put_abort(struct put_rx *p);

#endif
