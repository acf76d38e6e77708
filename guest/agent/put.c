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

int put_begin(struct put_rx *p, const char *path, const char *size_arg,
	      const char *crc_arg, char *msg, size_t msglen)
{
	memset(p, 0, sizeof(*p));
	p->fd = -1;
	if (!path || !size_arg || !crc_arg) {
		snprintf(msg, msglen, "usage: put <guest-path> <size> <crc32-hex>");
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
	snprintf(p->path, sizeof(p->path), "%s", path);
	snprintf(p->tmp_path, sizeof(p->tmp_path), "%s.put-tmp", path);
	if (fs_mkdir_parents(p->path) < 0) {
		snprintf(msg, msglen, "cannot create parent of %s: %s", path,
			 strerror(errno));
		return errno;
	}
	p->fd = open(p->tmp_path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0755);
	if (p->fd < 0) {
		int err = errno;

		snprintf(msg, msglen, "cannot create %s: %s", p->tmp_path,
			 strerror(err));
		return err;
	}
	p->crc = (uint32_t)crc32(0L, Z_NULL, 0);
	b64_init(&p->dec);
	return 0;
}

void put_begin_drain(struct put_rx *p, unsigned long long size, int err,
		     const char *msg)
{
	memset(p, 0, sizeof(*p));
	p->fd = -1;
	p->size = size;
	put_fail(p, err, msg);
}

bool put_needs_no_data(const struct put_rx *p)
{
	return p->size == 0;
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
	unsigned long long need = b64_symbols_for(p->size);
	uint8_t out[PROTO_LINE_MAX];   /* 3/4 of the line at most */
	long n;

	if (memchr(line, ' ', len) || memchr(line, '\t', len)) {
		char msg[96];

		snprintf(msg, sizeof(msg), "short data: %llu of %llu bytes, then a command line",
			 p->written, p->size);
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
		} else if (p->written + (unsigned long long)n > p->size) {
			put_fail(p, EBADMSG, "more data than the announced size");
		} else {
			p->crc = (uint32_t)crc32(p->crc, out, (uInt)n);
			if (fs_write_all(p->fd, out, (size_t)n) < 0) {
				char msg[96];

				snprintf(msg, sizeof(msg), "write failed: %s",
					 strerror(errno));
				put_fail(p, errno, msg);
			}
			p->written += (unsigned long long)n;
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
	if (p->fd >= 0)
		put_release(p, p->err == 0);
	if (p->err)
		snprintf(msg, msglen, "%s", p->errmsg);
	else
		snprintf(msg, msglen, "size=%llu crc32=%08x", p->written, p->crc);
	return p->err;
}

void put_abort(struct put_rx *p)
{
	if (p->fd >= 0)
		put_release(p, false);
}
