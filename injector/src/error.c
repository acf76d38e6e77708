/* The one way every part of the injector reports a failure to its caller. */
#include <stdio.h>
#include "internal.h"

void inj_err(struct inj_error *err, const char *fmt, ...)
{
	va_list ap;

	if (!err)
		return;
	va_start(ap, fmt);
	vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
	va_end(ap);
}
