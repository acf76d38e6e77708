/* SPDX-License-Identifier: GPL-2.0 */
#ifndef NOOKSSTAT_H
#define NOOKSSTAT_H
#include <stdio.h>

/* Read <root>/<drv>/<attr> into @out without the trailing newline. */
int nooksstat_read_attr(const char *root, const char *drv, const char *attr,
			char *out, size_t len);
/* One driver: a summary line, or "drv.attr value" lines when verbose. */
int nooksstat_print(FILE *out, const char *root, const char *drv, int verbose);
#endif
