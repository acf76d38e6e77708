/* base64 decoding and the `put` receiver: good, corrupt and short input. */
#include "testutil.h"

#include <errno.h>
#include <sys/stat.h>
#include <zlib.h>

#include "base64.h"
#include "put.h"

static const char b64chars[] =
	"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/* Reference encoder for the tests (the agent only decodes). */
static char *encode(const uint8_t *data, size_t len)
{
	char *out = malloc((len + 2) / 3 * 4 + 1);
	size_t o = 0;

	assert_non_null(out);
	for (size_t i = 0; i < len; i += 3) {
		uint32_t v = (uint32_t)data[i] << 16;

		if (i + 1 < len)
			v |= (uint32_t)data[i + 1] << 8;
		if (i + 2 < len)
			v |= data[i + 2];
		out[o++] = b64chars[v >> 18 & 63];
		out[o++] = b64chars[v >> 12 & 63];
		out[o++] = i + 1 < len ? b64chars[v >> 6 & 63] : '=';
		out[o++] = i + 2 < len ? b64chars[v & 63] : '=';
	}
	out[o] = '\0';
	return out;
}

static void test_b64_known_vectors(void **state)
{
	static const struct { const char *in, *out; } v[] = {
		{ "", "" }, { "Zg==", "f" }, { "Zm8=", "fo" }, { "Zm9v", "foo" },
		{ "Zm9vYg==", "foob" }, { "Zm9vYmE=", "fooba" }, { "Zm9vYmFy", "foobar" },
	};
	(void)state;
	for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		struct b64_dec d;
		uint8_t out[16];
		long n;

		b64_init(&d);
		n = b64_decode(&d, v[i].in, strlen(v[i].in), out);
		assert_int_equal(n, (long)strlen(v[i].out));
		assert_memory_equal(out, v[i].out, (size_t)n);
		assert_true(b64_at_boundary(&d));
	}
}

static void test_b64_quads_across_lines(void **state)
{
	struct b64_dec d;
	uint8_t out[16];
	long n1, n2;

	(void)state;
	b64_init(&d);
	n1 = b64_decode(&d, "Zm9vY", 5, out);
	assert_int_equal(n1, 3);
	assert_false(b64_at_boundary(&d));
	n2 = b64_decode(&d, "mFy", 3, out + n1);
	assert_int_equal(n2, 3);
	assert_memory_equal(out, "foobar", 6);
}

static void test_b64_rejects_garbage(void **state)
{
	static const char *bad[] = { "Zm9v!A==", "Z===", "Zg==Zg==", "Zm=v" };
	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct b64_dec d;
		uint8_t out[16];

		b64_init(&d);
		assert_int_equal(b64_decode(&d, bad[i], strlen(bad[i]), out), -1);
	}
}

/* Sends data through a put_rx in 76-char lines; returns put_finish's rc. */
struct put_case {
	char *dir;
	char path[512];
	struct put_rx rx;
	char msg[256];
};

static int begin(struct put_case *c, size_t size, uint32_t crc)
{
	char sz[32], crchex[16];

	snprintf(c->path, sizeof(c->path), "%s/sub/dir/file.bin", c->dir);
	snprintf(sz, sizeof(sz), "%zu", size);
	snprintf(crchex, sizeof(crchex), "%08x", crc);
	return put_begin(&c->rx, c->path, sz, crchex, c->msg, sizeof(c->msg));
}

static enum put_feed feed_lines(struct put_case *c, const char *enc)
{
	enum put_feed st = PUT_MORE;
	size_t len = strlen(enc);

	for (size_t off = 0; off < len; off += 76) {
		size_t n = len - off < 76 ? len - off : 76;

		st = put_feed_line(&c->rx, enc + off, n);
		if (off + n < len)
			assert_int_equal(st, PUT_MORE);
	}
	return st;
}

static void test_put_round_trip(void **state)
{
	struct put_case c = { .dir = tu_tempdir() };
	size_t len = 200 * 1000 + 1;   /* not a multiple of 3 */
	uint8_t *data = malloc(len);
	char *enc, *back;
	size_t back_len;
	uint32_t crc;

	(void)state;
	for (size_t i = 0; i < len; i++)
		data[i] = (uint8_t)(i * 131 + (i >> 7));
	crc = (uint32_t)crc32(0, data, (uInt)len);
	enc = encode(data, len);

	assert_int_equal(begin(&c, len, crc), 0);
	assert_int_equal(feed_lines(&c, enc), PUT_COMPLETE);
	assert_int_equal(put_finish(&c.rx, c.msg, sizeof(c.msg)), 0);
	assert_non_null(strstr(c.msg, "size=200001"));

	{
		FILE *f = fopen(c.path, "rb");

		assert_non_null(f);
		back = malloc(len + 1);
		back_len = fread(back, 1, len + 1, f);
		fclose(f);
	}
	assert_int_equal(back_len, len);
	assert_memory_equal(back, data, len);
	free(back);
	free(enc);
	free(data);
	tu_rmtree(c.dir);
}

static void test_put_crc_mismatch_keeps_nothing(void **state)
{
	struct put_case c = { .dir = tu_tempdir() };
	const char *data = "hello, guest";
	char *enc = encode((const uint8_t *)data, strlen(data));

	(void)state;
	assert_int_equal(begin(&c, strlen(data), 0x12345678u), 0);
	assert_int_equal(feed_lines(&c, enc), PUT_COMPLETE);
	assert_int_equal(put_finish(&c.rx, c.msg, sizeof(c.msg)), EBADMSG);
	assert_non_null(strstr(c.msg, "crc mismatch"));
	assert_int_equal(access(c.path, F_OK), -1);
	assert_int_equal(access(c.rx.tmp_path, F_OK), -1);
	free(enc);
	tu_rmtree(c.dir);
}

static void test_put_corrupt_line_consumes_all_data(void **state)
{
	struct put_case c = { .dir = tu_tempdir() };
	uint8_t data[300];
	char *enc;

	(void)state;
	for (size_t i = 0; i < sizeof(data); i++)
		data[i] = (uint8_t)i;
	enc = encode(data, sizeof(data));
	enc[10] = '*';   /* corrupt the first line */
	assert_int_equal(begin(&c, sizeof(data), (uint32_t)crc32(0, data, sizeof(data))), 0);
	/* Every data line is still consumed (none is taken for a command). */
	assert_int_equal(feed_lines(&c, enc), PUT_COMPLETE);
	assert_int_equal(put_finish(&c.rx, c.msg, sizeof(c.msg)), EBADMSG);
	assert_non_null(strstr(c.msg, "invalid base64"));
	assert_int_equal(access(c.path, F_OK), -1);
	free(enc);
	tu_rmtree(c.dir);
}

static void test_put_short_data_then_command(void **state)
{
	struct put_case c = { .dir = tu_tempdir() };
	const char *data = "0123456789abcdef0123456789";
	char *enc = encode((const uint8_t *)data, strlen(data));

	(void)state;
	assert_int_equal(begin(&c, 1000, (uint32_t)crc32(0, (const Bytef *)data, 26)), 0);
	assert_int_equal(put_feed_line(&c.rx, enc, strlen(enc)), PUT_MORE);
	/* The host gave up and sent a command: the transfer ends short. */
	assert_int_equal(put_feed_line(&c.rx, "9 ping", 6), PUT_INTERRUPTED);
	assert_int_equal(put_finish(&c.rx, c.msg, sizeof(c.msg)), EBADMSG);
	assert_non_null(strstr(c.msg, "short data: 26 of 1000"));
	free(enc);
	tu_rmtree(c.dir);
}

static void test_put_more_data_than_announced(void **state)
{
	struct put_case c = { .dir = tu_tempdir() };

	(void)state;
	/* "Zm9vYmFy" is 6 bytes; announce 4 ("foob" needs 6 symbols). */
	assert_int_equal(begin(&c, 4, (uint32_t)crc32(0, (const Bytef *)"foob", 4)), 0);
	assert_int_equal(put_feed_line(&c.rx, "Zm9vYmFy", 8), PUT_COMPLETE);
	assert_int_equal(put_finish(&c.rx, c.msg, sizeof(c.msg)), EBADMSG);
	assert_non_null(strstr(c.msg, "more data"));
	tu_rmtree(c.dir);
}

static void test_put_missing_padding(void **state)
{
	struct put_case c = { .dir = tu_tempdir() };

	(void)state;
	assert_int_equal(begin(&c, 1, (uint32_t)crc32(0, (const Bytef *)"f", 1)), 0);
	/* Two symbols reach the size but the quad is never closed. */
	assert_int_equal(put_feed_line(&c.rx, "Zg", 2), PUT_COMPLETE);
	assert_int_equal(put_finish(&c.rx, c.msg, sizeof(c.msg)), EBADMSG);
	assert_non_null(strstr(c.msg, "padding"));
	tu_rmtree(c.dir);
}

static void test_put_empty_file(void **state)
{
	struct put_case c = { .dir = tu_tempdir() };
	struct stat st;

	(void)state;
	assert_int_equal(begin(&c, 0, 0), 0);
	assert_true(put_needs_no_data(&c.rx));
	assert_int_equal(put_finish(&c.rx, c.msg, sizeof(c.msg)), 0);
	assert_int_equal(stat(c.path, &st), 0);
	assert_int_equal(st.st_size, 0);
	tu_rmtree(c.dir);
}

static void test_put_bad_arguments(void **state)
{
	struct put_rx rx;
	char msg[256];

	(void)state;
	assert_int_equal(put_begin(&rx, "relative/path", "1", "0", msg, sizeof(msg)), EINVAL);
	assert_int_equal(put_begin(&rx, "/tmp/x", "-1", "0", msg, sizeof(msg)), EINVAL);
	assert_int_equal(put_begin(&rx, "/tmp/x", "999999999999", "0", msg, sizeof(msg)), EINVAL);
	assert_int_equal(put_begin(&rx, "/tmp/x", "1", "nothex", msg, sizeof(msg)), EINVAL);
	assert_non_null(strstr(msg, "bad crc32"));
	assert_int_equal(put_begin(&rx, "/tmp/x", NULL, "0", msg, sizeof(msg)), EINVAL);
	assert_int_equal(put_begin(&rx, "/proc/nonexistent/dir/x", "1", "0", msg, sizeof(msg)) != 0, 1);
}

/* ---- the zlib form: `put <path> <size> <crc> zlib <wire-bytes>` ---------- */

static uint8_t *zdeflate(const uint8_t *data, size_t len, size_t *zlen)
{
	uLongf n = compressBound((uLong)len);
	uint8_t *z = malloc(n);

	assert_non_null(z);
	assert_int_equal(compress2(z, &n, data, (uLong)len, 9), Z_OK);
	*zlen = n;
	return z;
}

/* A module-like payload: compressible, but not trivially. */
static uint8_t *sample(size_t len)
{
	uint8_t *d = malloc(len);

	assert_non_null(d);
	for (size_t i = 0; i < len; i++)
		d[i] = (uint8_t)((i % 251) ^ (i >> 9) ^ (i % 7 == 0 ? 0x5a : 0));
	return d;
}

static int begin_zlib(struct put_case *c, size_t size, uint32_t crc, size_t wire)
{
	char sz[32], crchex[16], w[32];
	const char *argv[5] = { c->path, sz, crchex, "zlib", w };

	snprintf(c->path, sizeof(c->path), "%s/sub/dir/file.bin", c->dir);
	snprintf(sz, sizeof(sz), "%zu", size);
	snprintf(crchex, sizeof(crchex), "%08x", crc);
	snprintf(w, sizeof(w), "%zu", wire);
	return put_begin_args(&c->rx, 5, argv, c->msg, sizeof(c->msg));
}

static void assert_file_is(const char *path, const uint8_t *data, size_t len)
{
	FILE *f = fopen(path, "rb");
	uint8_t *back = malloc(len + 1);
	size_t n;

	assert_non_null(f);
	assert_non_null(back);
	n = fread(back, 1, len + 1, f);
	fclose(f);
	assert_int_equal(n, len);
	assert_memory_equal(back, data, len);
	free(back);
}

static void test_put_zlib_round_trip(void **state)
{
	struct put_case c = { .dir = tu_tempdir() };
	size_t len = 330 * 1000 + 2, zlen;
	uint8_t *data = sample(len);
	uint8_t *z = zdeflate(data, len, &zlen);
	char *enc = encode(z, zlen);

	(void)state;
	assert_true(zlen < len / 2);
	assert_int_equal(begin_zlib(&c, len, (uint32_t)crc32(0, data, (uInt)len), zlen), 0);
	assert_false(put_needs_no_data(&c.rx));
	assert_int_equal(feed_lines(&c, enc), PUT_COMPLETE);
	assert_int_equal(put_finish(&c.rx, c.msg, sizeof(c.msg)), 0);
	assert_non_null(strstr(c.msg, "size=330002"));
	assert_file_is(c.path, data, len);
	assert_int_equal(access(c.rx.tmp_path, F_OK), -1);
	free(enc);
	free(z);
	free(data);
	tu_rmtree(c.dir);
}

/* Output larger than one inflate buffer from the very last input line. */
static void test_put_zlib_highly_compressible(void **state)
{
	struct put_case c = { .dir = tu_tempdir() };
	size_t len = 1 << 20, zlen;
	uint8_t *data = calloc(1, len);
	uint8_t *z = zdeflate(data, len, &zlen);
	char *enc = encode(z, zlen);

	(void)state;
	assert_int_equal(begin_zlib(&c, len, (uint32_t)crc32(0, data, (uInt)len), zlen), 0);
	assert_int_equal(feed_lines(&c, enc), PUT_COMPLETE);
	assert_int_equal(put_finish(&c.rx, c.msg, sizeof(c.msg)), 0);
	assert_file_is(c.path, data, len);
	free(enc);
	free(z);
	free(data);
	tu_rmtree(c.dir);
}

static void test_put_zlib_corrupt_stream(void **state)
{
	struct put_case c = { .dir = tu_tempdir() };
	size_t len = 20000, zlen;
	uint8_t *data = sample(len);
	uint8_t *z = zdeflate(data, len, &zlen);
	char *enc;

	(void)state;
	z[0] ^= 0xff;   /* a header zlib refuses outright */
	enc = encode(z, zlen);
	assert_int_equal(begin_zlib(&c, len, (uint32_t)crc32(0, data, (uInt)len), zlen), 0);
	/* Every line is still consumed as data. */
	assert_int_equal(feed_lines(&c, enc), PUT_COMPLETE);
	assert_int_equal(put_finish(&c.rx, c.msg, sizeof(c.msg)), EBADMSG);
	assert_non_null(strstr(c.msg, "corrupt zlib stream"));
	assert_int_equal(access(c.path, F_OK), -1);
	assert_int_equal(access(c.rx.tmp_path, F_OK), -1);
	free(enc);
	free(z);
	free(data);
	tu_rmtree(c.dir);
}

/* A flipped byte inside the deflate data: caught by the stream's own
 * checks or, at the latest, by the CRC; never a success. */
static void test_put_zlib_corrupt_body(void **state)
{
	struct put_case c = { .dir = tu_tempdir() };
	size_t len = 20000, zlen;
	uint8_t *data = sample(len);
	uint8_t *z = zdeflate(data, len, &zlen);
	char *enc;

	(void)state;
	z[zlen / 2] ^= 0x10;
	enc = encode(z, zlen);
	assert_int_equal(begin_zlib(&c, len, (uint32_t)crc32(0, data, (uInt)len), zlen), 0);
	assert_int_equal(feed_lines(&c, enc), PUT_COMPLETE);
	assert_int_equal(put_finish(&c.rx, c.msg, sizeof(c.msg)), EBADMSG);
	assert_int_equal(access(c.path, F_OK), -1);
	free(enc);
	free(z);
	free(data);
	tu_rmtree(c.dir);
}

/* The host announces fewer wire bytes than the stream has: all announced
 * data arrives, but the stream never reaches its end. */
static void test_put_zlib_truncated_stream(void **state)
{
	struct put_case c = { .dir = tu_tempdir() };
	size_t len = 20000, zlen;
	uint8_t *data = sample(len);
	uint8_t *z = zdeflate(data, len, &zlen);
	char *enc = encode(z, zlen - 10);

	(void)state;
	assert_int_equal(begin_zlib(&c, len, (uint32_t)crc32(0, data, (uInt)len), zlen - 10), 0);
	assert_int_equal(feed_lines(&c, enc), PUT_COMPLETE);
	assert_int_equal(put_finish(&c.rx, c.msg, sizeof(c.msg)), EBADMSG);
	assert_non_null(strstr(c.msg, "truncated zlib stream"));
	assert_int_equal(access(c.path, F_OK), -1);
	free(enc);
	free(z);
	free(data);
	tu_rmtree(c.dir);
}

/* A stream holding more than `size` bytes: refused, and the file never
 * grows past size. */
static void test_put_zlib_inflates_beyond_size(void **state)
{
	struct put_case c = { .dir = tu_tempdir() };
	size_t len = 100000, zlen, announced = 4096;
	uint8_t *data = calloc(1, len);
	uint8_t *z = zdeflate(data, len, &zlen);
	char *enc = encode(z, zlen);
	struct stat st;

	(void)state;
	assert_int_equal(begin_zlib(&c, announced, (uint32_t)crc32(0, data, (uInt)announced),
				    zlen), 0);
	assert_int_equal(feed_lines(&c, enc), PUT_COMPLETE);
	assert_true(c.rx.written <= announced);
	assert_int_equal(fstat(c.rx.fd, &st), 0);
	assert_true(st.st_size <= (off_t)announced);
	assert_int_equal(put_finish(&c.rx, c.msg, sizeof(c.msg)), EBADMSG);
	assert_non_null(strstr(c.msg, "inflates beyond the announced size of 4096"));
	assert_int_equal(access(c.path, F_OK), -1);
	free(enc);
	free(z);
	free(data);
	tu_rmtree(c.dir);
}

/* A complete stream followed by more bytes (counted in wire-bytes). */
static void test_put_zlib_trailing_garbage(void **state)
{
	struct put_case c = { .dir = tu_tempdir() };
	size_t len = 5000, zlen;
	uint8_t *data = sample(len);
	uint8_t *z = zdeflate(data, len, &zlen);
	uint8_t *zz = malloc(zlen + 3);
	char *enc;

	(void)state;
	memcpy(zz, z, zlen);
	memcpy(zz + zlen, "xyz", 3);
	enc = encode(zz, zlen + 3);
	assert_int_equal(begin_zlib(&c, len, (uint32_t)crc32(0, data, (uInt)len), zlen + 3), 0);
	assert_int_equal(feed_lines(&c, enc), PUT_COMPLETE);
	assert_int_equal(put_finish(&c.rx, c.msg, sizeof(c.msg)), EBADMSG);
	assert_non_null(strstr(c.msg, "trailing data"));
	assert_int_equal(access(c.path, F_OK), -1);
	free(enc);
	free(zz);
	free(z);
	free(data);
	tu_rmtree(c.dir);
}

/* The stream is intact but the file it holds is not the one announced. */
static void test_put_zlib_crc_mismatch(void **state)
{
	struct put_case c = { .dir = tu_tempdir() };
	size_t len = 20000, zlen;
	uint8_t *data = sample(len);
	uint8_t *z = zdeflate(data, len, &zlen);
	char *enc = encode(z, zlen);

	(void)state;
	assert_int_equal(begin_zlib(&c, len, 0x12345678u, zlen), 0);
	assert_int_equal(feed_lines(&c, enc), PUT_COMPLETE);
	assert_int_equal(put_finish(&c.rx, c.msg, sizeof(c.msg)), EBADMSG);
	assert_non_null(strstr(c.msg, "crc mismatch"));
	assert_int_equal(access(c.path, F_OK), -1);
	free(enc);
	free(z);
	free(data);
	tu_rmtree(c.dir);
}

/* The stream ends before `size` bytes: a size mismatch. */
static void test_put_zlib_inflates_short_of_size(void **state)
{
	struct put_case c = { .dir = tu_tempdir() };
	size_t len = 20000, zlen;
	uint8_t *data = sample(len);
	uint8_t *z = zdeflate(data, len, &zlen);
	char *enc = encode(z, zlen);

	(void)state;
	assert_int_equal(begin_zlib(&c, len + 1, (uint32_t)crc32(0, data, (uInt)len), zlen), 0);
	assert_int_equal(feed_lines(&c, enc), PUT_COMPLETE);
	assert_int_equal(put_finish(&c.rx, c.msg, sizeof(c.msg)), EBADMSG);
	assert_non_null(strstr(c.msg, "size mismatch: got 20000 of 20001"));
	free(enc);
	free(z);
	free(data);
	tu_rmtree(c.dir);
}

static void test_put_zlib_empty_file(void **state)
{
	struct put_case c = { .dir = tu_tempdir() };
	size_t zlen;
	uint8_t *z = zdeflate((const uint8_t *)"", 0, &zlen);
	char *enc = encode(z, zlen);
	struct stat st;

	(void)state;
	assert_int_equal(begin_zlib(&c, 0, 0, zlen), 0);
	assert_false(put_needs_no_data(&c.rx));
	assert_int_equal(feed_lines(&c, enc), PUT_COMPLETE);
	assert_int_equal(put_finish(&c.rx, c.msg, sizeof(c.msg)), 0);
	assert_int_equal(stat(c.path, &st), 0);
	assert_int_equal(st.st_size, 0);
	free(enc);
	free(z);
	tu_rmtree(c.dir);
}

static void test_put_args_forms(void **state)
{
	struct put_rx rx;
	char msg[256];
	const char *raw[] = { "/tmp/x", "10", "abc" };
	const char *zl[] = { "/tmp/x", "10", "abc", "zlib", "7" };
	const char *badenc[] = { "/tmp/x", "10", "abc", "gzip", "7" };
	const char *badwire[] = { "/tmp/x", "10", "abc", "zlib", "-1" };
	const char *four[] = { "/tmp/x", "10", "abc", "zlib" };

	(void)state;
	assert_int_equal(put_wire_bytes_of_args(3, raw), 10);
	assert_int_equal(put_wire_bytes_of_args(5, zl), 7);
	assert_int_equal(put_wire_bytes_of_args(5, badenc), 0);
	assert_int_equal(put_wire_bytes_of_args(5, badwire), 0);
	assert_int_equal(put_wire_bytes_of_args(4, four), 0);
	assert_int_equal(put_begin_args(&rx, 5, badenc, msg, sizeof(msg)), EINVAL);
	assert_non_null(strstr(msg, "unknown put encoding 'gzip'"));
	assert_int_equal(put_begin_args(&rx, 5, badwire, msg, sizeof(msg)), EINVAL);
	assert_non_null(strstr(msg, "bad zlib wire size"));
	assert_int_equal(put_begin_args(&rx, 4, four, msg, sizeof(msg)), EINVAL);
	assert_non_null(strstr(msg, "usage"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_b64_known_vectors),
		cmocka_unit_test(test_b64_quads_across_lines),
		cmocka_unit_test(test_b64_rejects_garbage),
		cmocka_unit_test(test_put_round_trip),
		cmocka_unit_test(test_put_crc_mismatch_keeps_nothing),
		cmocka_unit_test(test_put_corrupt_line_consumes_all_data),
		cmocka_unit_test(test_put_short_data_then_command),
		cmocka_unit_test(test_put_more_data_than_announced),
		cmocka_unit_test(test_put_missing_padding),
		cmocka_unit_test(test_put_empty_file),
		cmocka_unit_test(test_put_bad_arguments),
		cmocka_unit_test(test_put_zlib_round_trip),
		cmocka_unit_test(test_put_zlib_highly_compressible),
		cmocka_unit_test(test_put_zlib_corrupt_stream),
		cmocka_unit_test(test_put_zlib_corrupt_body),
		cmocka_unit_test(test_put_zlib_truncated_stream),
		cmocka_unit_test(test_put_zlib_inflates_beyond_size),
		cmocka_unit_test(test_put_zlib_trailing_garbage),
		cmocka_unit_test(test_put_zlib_crc_mismatch),
		cmocka_unit_test(test_put_zlib_inflates_short_of_size),
		cmocka_unit_test(test_put_zlib_empty_file),
		cmocka_unit_test(test_put_args_forms),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
