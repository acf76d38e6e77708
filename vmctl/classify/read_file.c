/* Read a whole console log; logs are small (megabytes at most). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

#include "classify.h"

char *classify_read_file(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *buf = NULL;
	size_t cap = 0, n = 0;
	int saved;

	if (!f)
		return NULL;
	errno = 0;
	for (;;) {
		size_t got;

		if (n == cap) {
			char *p = realloc(buf, cap ? cap * 2 : 65536);

			if (!p) {
				errno = ENOMEM;
				goto fail;
			}
			buf = p;
			cap = cap ? cap * 2 : 65536;
		}
		got = fread(buf + n, 1, cap - n, f);
		n += got;
		if (got == 0)
			break;
	}
	if (ferror(f)) {
		if (errno == 0)
			errno = EIO;
		goto fail;
	}
	fclose(f);
	*len = n;
	return buf;
fail:
	saved = errno;
	free(buf);
	fclose(f);
	errno = saved;
	return NULL;
}
