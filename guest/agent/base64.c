/* Streaming base64 decoder; see base64.h. */
#include "base64.h"

#include <string.h>

static int b64_value(char c)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (c >= '0' && c <= '9')
		return c - '0' + 52;
	if (c == '+')
		return 62;
	if (c == '/')
		return 63;
	return -1;
}

void b64_init(struct b64_dec *d)
{
	memset(d, 0, sizeof(*d));
}

long b64_decode(struct b64_dec *d, const char *in, size_t n, uint8_t *out)
{
	long o = 0;

	for (size_t i = 0; i < n; i++) {
		char c = in[i];
		int v;

		if (c == ' ' || c == '\t' || c == '\r' || c == '\n')
			continue;
		if (d->finished)
			return -1;
		if (c == '=') {
			/* Padding only fills the last one or two symbols. */
			if (d->nquad < 2)
				return -1;
			d->npad++;
			d->quad[d->nquad++] = 0;
		} else {
			v = b64_value(c);
			if (v < 0 || d->npad > 0)
				return -1;
			d->quad[d->nquad++] = (uint8_t)v;
		}
		if (d->nquad == 4) {
			uint32_t bits = (uint32_t)d->quad[0] << 18 |
					(uint32_t)d->quad[1] << 12 |
					(uint32_t)d->quad[2] << 6 | d->quad[3];

			out[o++] = (uint8_t)(bits >> 16);
			if (d->npad < 2)
				out[o++] = (uint8_t)(bits >> 8);
			if (d->npad < 1)
				out[o++] = (uint8_t)bits;
			if (d->npad > 0)
				d->finished = true;
			d->nquad = 0;
			d->npad = 0;
		}
	}
	return o;
}

bool b64_at_boundary(const struct b64_dec *d)
{
	return d->nquad == 0;
}

unsigned long long b64_symbols_for(unsigned long long bytes)
{
	return (bytes * 4 + 2) / 3;
}
