/* `put` receiver; see put.h. */
#include "put.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include "fsutil.h"
#include "proto.h"

static void put_fail(struct put_rx *p, int err, const char *msg)
{
	if (p->err)
		return;   /* keep the first cause */
	p->err = err;
	snprintf(p->errmsg, sizeof(p->errmsg), "%s", msg);
}

#define PUT_USAGE "usage: put <guest-path> <size> <crc32-hex> [zlib <wire-bytes>]"

/* A zlib stream of an n-byte file is at most compressBound(n) bytes. */
static unsigned long long put_wire_max(void)
{
	return (unsigned long long)compressBound((uLong)PUT_SIZE_MAX);
}

static int put_start(struct put_rx *p, const char *path, const char *size_arg,
		     const char *crc_arg, enum put_encoding enc,
		     const char *wire_arg, char *msg, size_t msglen)
{
	memset(p, 0, sizeof(*p));
	p->fd = -1;
	if (!path || !size_arg || !crc_arg) {
		snprintf(msg, msglen, PUT_USAGE);
		return EINVAL;
	}
	if (path[0] != '/' || strlen(path) >= sizeof(p->path)) {
		snprintf(msg, msglen, "guest path must be absolute: %s", path);
		return EINVAL;
	}
	if (!proto_parse_size(size_arg, PUT_SIZE_MAX, &p->size)) {
		snprintf(msg, msglen, "bad size '%s' (0..%llu)", size_arg,
			 PUT_SIZE_MAX);
		return EINVAL;
	}
	if (!proto_parse_crc(crc_arg, &p->want_crc)) {
		snprintf(msg, msglen, "bad crc32 '%s' (1-8 hex digits)", crc_arg);
		return EINVAL;
	}
	p->enc = enc;
	p->wire = p->size;
	if (enc == PUT_ZLIB &&
	    (!wire_arg || !proto_parse_size(wire_arg, put_wire_max(), &p->wire))) {
		snprintf(msg, msglen, "bad zlib wire size '%s' (0..%llu)",
			 wire_arg ? wire_arg : "", put_wire_max());
		return EINVAL;
	}
	snprintf(p->path, sizeof(p->path), "%s", path);
	snprintf(p->tmp_path, sizeof(p->tmp_path), "%s.put-tmp", path);
	if (fs_mkdir_parents(p->path) < 0) {
		snprintf(msg, msglen, "cannot create parent of %s: %s", path,
			 strerror(errno));
		return errno;
	}
	if (enc == PUT_ZLIB) {
		if (inflateInit(&p->zs) != Z_OK) {
			snprintf(msg, msglen, "cannot start zlib inflate");
			return ENOMEM;
		}
		p->zs_live = true;
	}
	p->fd = open(p->tmp_path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0755);
	if (p->fd < 0) {
		int err = errno;

		snprintf(msg, msglen, "cannot create %s: %s", p->tmp_path,
			 strerror(err));
		if (p->zs_live)
			inflateEnd(&p->zs);
		p->zs_live = false;
		return err;
	}
	p->crc = (uint32_t)crc32(0L, Z_NULL, 0);
	b64_init(&p->dec);
	return 0;
}

int put_begin(struct put_rx *p, const char *path, const char *size_arg,
	      const char *crc_arg, char *msg, size_t msglen)
{
	return put_start(p, path, size_arg, crc_arg, PUT_RAW, NULL, msg, msglen);
}

int put_begin_args(struct put_rx *p, int argc, const char *const argv[],
		   char *msg, size_t msglen)
{
	if (argc == 3)
		return put_start(p, argv[0], argv[1], argv[2], PUT_RAW, NULL,
				 msg, msglen);
	if (argc == 5 && strcmp(argv[3], "zlib") == 0)
		return put_start(p, argv[0], argv[1], argv[2], PUT_ZLIB,
				 argv[4], msg, msglen);
	memset(p, 0, sizeof(*p));
	p->fd = -1;
	if (argc == 5)
		snprintf(msg, msglen, "unknown put encoding '%s' (only zlib)",
			 argv[3]);
	else
		snprintf(msg, msglen, PUT_USAGE);
	return EINVAL;
}

unsigned long long put_wire_bytes_of_args(int argc, const char *const argv[])
{
	unsigned long long n;

	if (argc == 3 && proto_parse_size(argv[1], PUT_SIZE_MAX, &n))
		return n;
	if (argc == 5 && strcmp(argv[3], "zlib") == 0 &&
	    proto_parse_size(argv[4], put_wire_max(), &n))
		return n;
	return 0;
}

void put_begin_drain(struct put_rx *p, unsigned long long size, int err,
		     const char *msg)
{
	memset(p, 0, sizeof(*p));
	p->fd = -1;
	p->size = size;
	p->wire = size;
	put_fail(p, err, msg);
}

bool put_needs_no_data(const struct put_rx *p)
{
	return p->wire == 0;
}

static void put_write(struct put_rx *p, const uint8_t *buf, size_t n)
{
	p->crc = (uint32_t)crc32(p->crc, buf, (uInt)n);
	if (fs_write_all(p->fd, buf, n) < 0) {
		char msg[96];

		snprintf(msg, sizeof(msg), "write failed: %s", strerror(errno));
		put_fail(p, errno, msg);
	}
	p->written += n;
}

/* Inflates n stream bytes into the file. Never writes past the announced
 * size: a stream that would is refused before its excess is written. */
static void put_inflate(struct put_rx *p, const uint8_t *in, size_t n)
{
	uint8_t out[16384];

	if (p->zs_ended) {
		if (n > 0)
			put_fail(p, EBADMSG, "trailing data after the end of the zlib stream");
		return;
	}
	p->zs.next_in = (Bytef *)in;
	p->zs.avail_in = (uInt)n;
	for (;;) {
		unsigned long long room = p->size - p->written;
		size_t got;
		int rc;

		/* One byte more than the room: inflating into it means the
		 * stream holds more than size bytes. */
		p->zs.next_out = out;
		p->zs.avail_out = (uInt)(room + 1 < sizeof(out) ? room + 1 : sizeof(out));
		rc = inflate(&p->zs, Z_NO_FLUSH);
		got = (size_t)(p->zs.next_out - out);
		if (rc != Z_OK && rc != Z_STREAM_END && rc != Z_BUF_ERROR) {
			char msg[128];

			snprintf(msg, sizeof(msg), "corrupt zlib stream: %s",
				 p->zs.msg ? p->zs.msg : zError(rc));
			put_fail(p, EBADMSG, msg);
			return;
		}
		if (got > room) {
			char msg[128];

			snprintf(msg, sizeof(msg),
				 "zlib stream inflates beyond the announced size of %llu bytes",
				 p->size);
			put_fail(p, EBADMSG, msg);
			return;
		}
		put_write(p, out, got);
		if (rc == Z_STREAM_END)
			p->zs_ended = true;
		/* A full output buffer may leave inflated bytes pending even
		 * when all input is consumed: go round until it is not full. */
		if (p->err || p->zs_ended || rc == Z_BUF_ERROR ||
		    (p->zs.avail_in == 0 && p->zs.avail_out > 0))
			break;
	}
	if (!p->err && p->zs_ended && p->zs.avail_in > 0)
		put_fail(p, EBADMSG, "trailing data after the end of the zlib stream");
}

static unsigned long long count_symbols(const char *line, size_t len)
{
	unsigned long long n = 0;

	for (size_t i = 0; i < len; i++)
		if (line[i] != '=' && line[i] != '\r')
			n++;
	return n;
}

enum put_feed put_feed_line(struct put_rx *p, const char *line, size_t len)
{
	unsigned long long need = b64_symbols_for(p->wire);
	uint8_t out[PROTO_LINE_MAX];   /* 3/4 of the line at most */
	long n;

	if (memchr(line, ' ', len) || memchr(line, '\t', len)) {
		char msg[96];

		snprintf(msg, sizeof(msg), "short data: %llu of %llu bytes, then a command line",
			 p->decoded, p->wire);
		put_fail(p, EBADMSG, msg);
		return PUT_INTERRUPTED;
	}
	if (len > PROTO_LINE_MAX)
		len = PROTO_LINE_MAX;
	/* Counting symbols, valid or not, tells where the data ends even when
	 * a line is corrupt, so no data line is ever read as a command. */
	p->symbols += count_symbols(line, len);

	if (!p->err) {
		n = b64_decode(&p->dec, line, len, out);
		if (n < 0) {
			put_fail(p, EBADMSG, "invalid base64 data");
		} else if (p->decoded + (unsigned long long)n > p->wire) {
			put_fail(p, EBADMSG, "more data than the announced size");
		} else {
			p->decoded += (unsigned long long)n;
			if (p->enc == PUT_ZLIB)
				put_inflate(p, out, (size_t)n);
			else
				put_write(p, out, (size_t)n);
		}
	}
	if (p->symbols < need)
		return PUT_MORE;
	if (p->symbols > need)
		put_fail(p, EBADMSG, "more data than the announced size");
	return PUT_COMPLETE;
}

static void put_release(struct put_rx *p, bool keep)
{
	if (p->zs_live)
		inflateEnd(&p->zs);
	p->zs_live = false;
	if (p->fd >= 0)
		close(p->fd);
	p->fd = -1;
	if (!keep)
		unlink(p->tmp_path);
}

int put_finish(struct put_rx *p, char *msg, size_t msglen)
{
	if (!p->err && !b64_at_boundary(&p->dec))
		put_fail(p, EBADMSG, "base64 data ends inside a quad (missing padding)");
	if (!p->err && p->enc == PUT_ZLIB && !p->zs_ended) {
		char m[128];

		snprintf(m, sizeof(m),
			 "truncated zlib stream: ends after %llu bytes, %llu bytes inflated",
			 p->decoded, p->written);
		put_fail(p, EBADMSG, m);
	}
	if (!p->err && p->written != p->size) {
		char m[96];

		snprintf(m, sizeof(m), "size mismatch: got %llu of %llu bytes",
			 p->written, p->size);
		put_fail(p, EBADMSG, m);
	}
	if (!p->err && p->crc != p->want_crc) {
		char m[96];

		snprintf(m, sizeof(m), "crc mismatch: want %08x got %08x",
			 p->want_crc, p->crc);
		put_fail(p, EBADMSG, m);
	}
	if (!p->err && fsync(p->fd) < 0)
		put_fail(p, errno, "fsync failed");
	if (!p->err && rename(p->tmp_path, p->path) < 0) {
		char m[96];

		snprintf(m, sizeof(m), "rename failed: %s", strerror(errno));
		put_fail(p, errno, m);
	}
	if (p->fd >= 0 || p->zs_live)
		put_release(p, p->err == 0);
	if (p->err)
		snprintf(msg, msglen, "%s", p->errmsg);
	else
		snprintf(msg, msglen, "size=%llu crc32=%08x", p->written, p->crc);
	return p->err;
}

void put_abort(struct put_rx *p)
{
	if (p->fd >= 0 || p->zs_live)
		put_release(p, false);
}
