// SPDX-License-Identifier: MIT
/* cmd_mem.c — `vmctl mem read|write`: guest virtual memory of a running VM
 * through its gdbstub. The VM keeps its run state. */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

#define MEM_MAX (1 << 20)

static int parse_u64(const char *s, uint64_t *v)
{
	char *end;

	errno = 0;
	*v = strtoull(s, &end, 0);
	return errno || end == s || *end ? -1 : 0;
}

static int hex_digit(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c |= 0x20;
	return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

int cmd_mem(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "dir", required_argument, NULL, 'd' },
		{ "json", no_argument, NULL, 'j' },
		{ NULL, 0, NULL, 0 },
	};
	const char *dir = NULL;
	uint64_t addr, len = 0;
	unsigned char *buf = NULL;
	struct vm *vm;
	int opt, r;

	if (argc < 2 || (strcmp(argv[1], "read") != 0 && strcmp(argv[1], "write") != 0))
		return cli_error("mem", "usage: mem read|write --dir D ADDR LEN|HEXBYTES"), EXIT_USAGE;
	bool writing = argv[1][0] == 'w';

	optind = 2;
	while ((opt = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		if (opt == 'd')
			dir = optarg;
		else if (opt == 'j')
			cli_json = true;
		else
			return EXIT_USAGE;
	}
	if (!dir || argc - optind != 2 || parse_u64(argv[optind], &addr) < 0)
		return cli_error("mem", "usage: mem %s --dir D ADDR %s", argv[1],
				 writing ? "HEXBYTES" : "LEN"), EXIT_USAGE;
	if (writing) {
		const char *hex = argv[optind + 1];
		size_t hl = strlen(hex);

		if (hl == 0 || hl % 2 || hl / 2 > MEM_MAX)
			return cli_error("mem", "HEXBYTES must be an even number of hex digits"), EXIT_USAGE;
		len = hl / 2;
		buf = malloc(len);
		for (size_t i = 0; buf && i < len; i++) {
			int hi = hex_digit(hex[2 * i]), lo = hex_digit(hex[2 * i + 1]);

			if (hi < 0 || lo < 0) {
				free(buf);
				return cli_error("mem", "not a hex digit in %s", hex), EXIT_USAGE;
			}
			buf[i] = (unsigned char)(hi * 16 + lo);
		}
	} else {
		if (parse_u64(argv[optind + 1], &len) < 0 || len == 0 || len > MEM_MAX)
			return cli_error("mem", "LEN must be 1..%d", MEM_MAX), EXIT_USAGE;
		buf = malloc(len);
	}
	if (!buf)
		return cli_error("mem", "out of memory");
	if (vm_attach(dir, &vm) < 0) {
		free(buf);
		return cli_error("mem", "%s", vm_error());
	}
	r = writing ? vm_mem_write(vm, addr, buf, len) : vm_mem_read(vm, addr, buf, len);
	vm_destroy(vm);
	if (r < 0) {
		free(buf);
		return cli_error("mem", "%s", vm_error());
	}
	if (!writing) {
		char *hex = malloc(len * 2 + 1);

		for (size_t i = 0; hex && i < len; i++)
			sprintf(hex + 2 * i, "%02x", buf[i]);
		if (cli_json)
			cli_print_json(json_pack("{s:s,s:I,s:s}", "command", "mem read", "addr",
						 (json_int_t)addr, "hex", hex ? hex : ""));
		else
			printf("%s\n", hex ? hex : "");
		free(hex);
	} else if (cli_json) {
		cli_print_json(json_pack("{s:s,s:I,s:I}", "command", "mem write", "addr",
					 (json_int_t)addr, "bytes", (json_int_t)len));
	}
	free(buf);
	return EXIT_OK;
}
