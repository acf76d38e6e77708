// SPDX-License-Identifier: MIT
/* common.c — option and output helpers shared by the subcommands. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#include "cli.h"

bool cli_json;

int cli_seconds_ms(const char *s)
{
	char *end;
	double v;

	errno = 0;
	v = strtod(s, &end);
	if (errno || end == s || *end || v < 0 || v > 86400)
		return -1;
	return (int)(v * 1000);
}

static int positive(const char *s)
{
	char *end;
	long v = strtol(s, &end, 10);

	return (end == s || *end || v <= 0 || v > 65536) ? -1 : (int)v;
}

bool cli_vm_option(int opt, const char *arg, struct vm_config *cfg)
{
	switch (opt) {
	case 'd': cfg->dir = arg; return true;
	case 'K': cfg->kernel = arg; return true;
	case 'I': cfg->initrd = arg; return true;
	case 'A': cfg->append = arg; return true;
	case 'Q': cfg->qemu = arg; return true;
	case 'M': cfg->mem_mb = positive(arg); return true;
	case 'S': cfg->smp = positive(arg); return true;
	case 'k': cfg->kvm = true; return true;
	case 'G': cfg->gdb = false; return true;
	case 'R': cfg->ready_timeout_ms = cli_seconds_ms(arg); return true;
	case 'H': cfg->hang_timeout_ms = cli_seconds_ms(arg); return true;
	case 'j': cli_json = true; return true;
	}
	return false;
}

int cli_error(const char *cmd, const char *fmt, ...)
{
	char msg[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (cli_json)
		cli_print_json(json_pack("{s:s,s:s}", "command", cmd, "error", msg));
	fprintf(stderr, "vmctl %s: %s\n", cmd, msg);
	return EXIT_FAIL;
}

void cli_print_json(json_t *v)
{
	char *s = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY);

	if (s)
		printf("%s\n", s);
	free(s);
	json_decref(v);
	fflush(stdout);
}
