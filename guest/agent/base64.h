/* Streaming base64 decoder (RFC 4648 alphabet). `put` data arrives as many
 * lines, so a quad may straddle two lines: the decoder keeps its state. */
#ifndef NOOKS_AGENT_BASE64_H
#define NOOKS_AGENT_BASE64_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct b64_dec {
	uint8_t quad[4];
	int nquad;      /* symbols collected for the current quad */
	int npad;       /* '=' seen in the current quad */
	bool finished;  /* padding ended the stream */
};

void b64_init(struct b64_dec *d);

/* Decodes n input chars, writing at most (n / 4 + 1) * 3 bytes to out.
 * Blanks and CR/LF are skipped. Returns the number of bytes written, or -1
 * on a character outside the alphabet, misplaced padding or data after
 * the padding. */
long b64_decode(struct b64_dec *d, const char *in, size_t n, uint8_t *out);

/* True when no partial quad is pending (the stream can end here). */
bool b64_at_boundary(const struct b64_dec *d);

/* Number of base64 symbols (without padding) that encode `bytes` bytes. */
unsigned long long b64_symbols_for(unsigned long long bytes);

#endif
