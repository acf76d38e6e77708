/* Kernel consoles are stored zlib-compressed: they are large and repetitive. */
#include <stdlib.h>
#include <zlib.h>

#include "results.h"

int results_console_pack(const char *text, size_t len, unsigned char **out,
			 size_t *out_len)
{
	uLongf cap = compressBound(len);
	unsigned char *buf = malloc(cap ? cap : 1);

	if (!buf)
		return -1;
	if (compress2(buf, &cap, (const Bytef *)text, len, Z_BEST_COMPRESSION) != Z_OK) {
		free(buf);
		return -1;
	}
	*out = buf;
	*out_len = cap;
	return 0;
}

int results_console_unpack(const unsigned char *blob, size_t blob_len,
			   size_t raw_len, char **out)
{
	uLongf got = raw_len;
	char *buf = malloc(raw_len + 1);

	if (!buf)
		return -1;
	if (uncompress((Bytef *)buf, &got, blob, blob_len) != Z_OK || got != raw_len) {
		free(buf);
		return -1;
	}
	buf[raw_len] = '\0';
	*out = buf;
	return 0;
}
