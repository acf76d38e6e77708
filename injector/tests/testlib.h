/* Shared fixtures for the injector's unit tests: the real Debian modules of
 * the guest kernel (found through KVER, never hard-coded). */
#ifndef INJECT_TESTLIB_H
#define INJECT_TESTLIB_H

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include "../src/internal.h"

static inline const char *kver(void)
{
	static char buf[128];
	const char *k = getenv("KVER");
	FILE *p;

	if (k && *k)
		return k;
	p = popen("../tools/guest-kver 2>/dev/null || $TOP/tools/guest-kver", "r");
	if (p && fgets(buf, sizeof(buf), p))
		buf[strcspn(buf, "\n")] = 0;
	if (p)
		pclose(p);
	return buf;
}

static inline const char *module_path(const char *rel)
{
	static char buf[2][512];
	static int k;

	k ^= 1;
	snprintf(buf[k], sizeof(buf[k]), "/lib/modules/%s/kernel/drivers/net/ethernet/%s",
		 kver(), rel);
	return buf[k];
}

#define E1000 "intel/e1000/e1000.ko"
#define PCNET32 "amd/pcnet32.ko"

static inline uint8_t *slurp(const char *path, size_t *n)
{
	FILE *f = fopen(path, "rb");
	uint8_t *b;
	long sz;

	assert_non_null(f);
	fseek(f, 0, SEEK_END);
	sz = ftell(f);
	rewind(f);
	b = malloc(sz + 1);
	assert_int_equal(fread(b, 1, sz, f), (size_t)sz);
	fclose(f);
	*n = (size_t)sz;
	return b;
}

#endif
