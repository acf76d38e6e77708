/* nooks-agent: the guest side of the host ↔ guest protocol
 * (guest/PROTOCOL.md). One static binary with a few subcommands, so that
 * /init can use the same module loader and namespace code at boot. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "agent.h"
#include "modload.h"
#include "peer.h"
#include "serial.h"

#define DEFAULT_TTY "/dev/ttyS1"

static int usage(FILE *f, int rc)
{
	fprintf(f,
		"usage: nooks-agent serve [DEVICE|-]   protocol on DEVICE (default %s;\n"
		"                                      '-' = stdin/stdout)\n"
		"       nooks-agent load NAME|PATH [param=value...]\n"
		"                                      load a module, modules.dep deps first\n"
		"       nooks-agent peer-setup         create netns 'peer' with the virtio_net NIC\n"
		"                                      and start its iperf3 and echo servers\n"
		"       nooks-agent help\n", DEFAULT_TTY);
	return rc;
}

static int do_serve(int argc, char **argv)
{
	const char *dev = argc > 2 ? argv[2] : DEFAULT_TTY;
	int fd;

	if (argc > 3)
		return usage(stderr, 2);
	if (strcmp(dev, "-") == 0)
		return agent_serve(0, 1) == 0 ? 0 : 1;
	fd = serial_open_raw(dev);
	if (fd < 0) {
		perror(dev);
		return 1;
	}
	return agent_serve(fd, fd) == 0 ? 0 : 1;
}

static int do_load(int argc, char **argv)
{
	struct moddep_dirs dirs;
	struct modload_result res;
	char kdir[256], msg[512], params[1024] = "";
	size_t used = 0;
	int err;

	if (argc < 3)
		return usage(stderr, 2);
	for (int i = 3; i < argc; i++) {
		int n = snprintf(params + used, sizeof(params) - used, "%s%s",
				 used ? " " : "", argv[i]);

		if (n < 0 || (size_t)n >= sizeof(params) - used) {
			fprintf(stderr, "nooks-agent load: parameters too long\n");
			return 2;
		}
		used += (size_t)n;
	}
	modload_default_dirs(&dirs, kdir, sizeof(kdir));
	err = modload_load(&dirs, argv[2], params, &res, msg, sizeof(msg));
	if (err) {
		fprintf(stderr, "nooks-agent load %s: %s\n", argv[2], msg);
		return 1;
	}
	fprintf(stderr, "nooks-agent: loaded %s from %s (+%d deps)\n", res.name,
		res.path, res.deps_loaded);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc < 2)
		return usage(stderr, 2);
	if (strcmp(argv[1], "serve") == 0)
		return do_serve(argc, argv);
	if (strcmp(argv[1], "load") == 0)
		return do_load(argc, argv);
	if (strcmp(argv[1], "peer-setup") == 0)
		return argc == 2 ? (peer_setup() == 0 ? 0 : 1) : usage(stderr, 2);
	if (strcmp(argv[1], "help") == 0 || strcmp(argv[1], "--help") == 0)
		return usage(stdout, 0);
	fprintf(stderr, "nooks-agent: unknown command '%s'\n", argv[1]);
	return usage(stderr, 2);
}
