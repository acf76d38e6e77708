/*
 * Stable report signatures and address-free titles, so the same bug found
 * in two trials (different addresses, PIDs, times) dedups to one row.
 */
#include <stdio.h>
#include <string.h>

#include "classify_internal.h"

uint64_t classify_fnv1a64(uint64_t hash, const void *data, size_t len)
{
	const unsigned char *p = data;

	for (size_t i = 0; i < len; i++) {
		hash ^= p[i];
		hash *= 0x100000001b3ULL;
	}
	return hash;
}

static bool is_hex(char c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') ||
	       (c >= 'A' && c <= 'F');
}

/* An address: "0x" + hex digits, or 8+ bare hex digits. */
static size_t address_len(const char *s)
{
	size_t n = 0;

	if (s[0] == '0' && s[1] == 'x' && is_hex(s[2])) {
		n = 2;
		while (is_hex(s[n]))
			n++;
		return n;
	}
	while (is_hex(s[n]))
		n++;
	return n >= 8 ? n : 0;
}

void classify_sanitize_title(char *dst, size_t dst_size, const char *src)
{
	size_t out = 0;
	bool word_start = true;

	while (*src && out + 1 < dst_size) {
		size_t n = word_start ? address_len(src) : 0;

		if (n) {
			int w = snprintf(dst + out, dst_size - out, "ADDR");

			out += (size_t)w < dst_size - out ? (size_t)w :
							   dst_size - out - 1;
			src += n;
			word_start = false;
			continue;
		}
		word_start = !(is_hex(*src) || *src == '_' ||
			       (*src >= 'g' && *src <= 'z') ||
			       (*src >= 'G' && *src <= 'Z'));
		dst[out++] = *src++;
	}
	dst[out] = '\0';
}

void classify_report_sign(struct classify_report *report)
{
	const char *cat = classify_category_name(report->category);
	uint64_t h = classify_fnv1a64(FNV1A64_INIT, cat, strlen(cat) + 1);

	if (report->guilty_function[0]) {
		h = classify_fnv1a64(h, report->guilty_function,
			    strlen(report->guilty_function) + 1);
		h = classify_fnv1a64(h, report->guilty_module,
			    strlen(report->guilty_module));
	} else {
		char clean[CLASSIFY_TITLE_MAX];

		classify_sanitize_title(clean, sizeof(clean), report->title);
		h = classify_fnv1a64(h, clean, strlen(clean));
	}
	snprintf(report->signature, sizeof(report->signature), "%016llx",
		 (unsigned long long)h);
}
