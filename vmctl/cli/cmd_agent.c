// SPDX-License-Identifier: MIT
/* cmd_agent.c — `vmctl agent` (one agent command against a VM dir) and
 * `vmctl put`. Exit code follows the command's outcome: 0 OK, 1 ERR,
 * 2 timeout, 3 hung (QEMU is then killed), 4 QEMU exited, 5 host error. */
#include <stdio.h>
#include <stdlib.h>
#include <stdint.h>
#include <string.h>

#include "cli.h"

static const int status_exit[] = {
	[VM_CMD_OK] = 0, [VM_CMD_ERR] = 1, [VM_CMD_TIMEOUT] = 2,
	[VM_CMD_HUNG] = 3, [VM_CMD_EXITED] = 4, [VM_CMD_IO] = 5,
};

struct collected {
	json_t *steps, *data;
};

static void on_reply(const struct vm_reply *r, void *arg)
{
	struct collected *c = arg;

	if (cli_json) {
		if (r->kind == VM_REPLY_STEP)
			json_array_append_new(c->steps, json_pack("{s:s,s:b,s:s}", "name", r->step,
								  "pass", r->pass, "info", r->text));
		else if (r->kind == VM_REPLY_DATA)
			json_array_append_new(c->data, json_string(r->text));
		return;
	}
	switch (r->kind) {
	case VM_REPLY_STEP:
		printf("STEP %s %s%s%s\n", r->step, r->pass ? "PASS" : "FAIL", *r->text ? " " : "",
		       r->text);
		break;
	case VM_REPLY_DATA:
		printf("%s\n", r->text);
		break;
	default:
		break; /* the final line is printed once, below */
	}
	fflush(stdout);
}

static int finish(const char *cmd, struct vm *vm, enum vm_cmd_status s,
		  const struct vm_cmd_result *res, struct collected *c)
{
	bool killed = false;

	if (s == VM_CMD_HUNG) {
		vm_kill(vm); /* a hung guest is of no further use */
		killed = true;
	}
	if (cli_json) {
		json_t *o = json_pack("{s:s,s:s,s:s,s:i,s:i,s:f,s:b,s:i}", "command", cmd, "status",
				      vm_cmd_status_name(s), "final", res->final, "pass",
				      res->steps_pass, "fail", res->steps_fail, "seconds",
				      res->seconds, "killed", killed, "max_heartbeat_gap_ms",
				      res->max_heartbeat_gap_ms);

		json_object_set_new(o, "steps", c->steps);
		json_object_set_new(o, "data", c->data);
		if (s == VM_CMD_IO || s == VM_CMD_TIMEOUT || s == VM_CMD_HUNG || s == VM_CMD_EXITED)
			json_object_set_new(o, "error", json_string(vm_error()));
		cli_print_json(o);
	} else {
		json_decref(c->steps);
		json_decref(c->data);
		if (s == VM_CMD_OK || s == VM_CMD_ERR)
			printf("%s%s%s\n", vm_cmd_status_name(s), *res->final ? " " : "", res->final);
		else
			fprintf(stderr, "vmctl %s: %s: %s%s\n", cmd, vm_cmd_status_name(s), vm_error(),
				killed ? " (QEMU killed)" : "");
	}
	vm_destroy(vm);
	return status_exit[s];
}

static int hang_ms = 20000;

static int parse(const char *cmd, int argc, char **argv, const char **dir, int *timeout_ms)
{
	static const struct option longopts[] = {
		{ "dir", required_argument, NULL, 'd' },
		{ "timeout", required_argument, NULL, 't' },
		{ "hang-timeout", required_argument, NULL, 'H' },
		{ "json", no_argument, NULL, 'j' },
		{ NULL, 0, NULL, 0 },
	};
	int opt;

	while ((opt = getopt_long(argc, argv, "+", longopts, NULL)) != -1) {
		if (opt == 'd')
			*dir = optarg;
		else if (opt == 't')
			*timeout_ms = cli_seconds_ms(optarg);
		else if (opt == 'H')
			hang_ms = cli_seconds_ms(optarg);
		else if (opt == 'j')
			cli_json = true;
		else
			return EXIT_USAGE;
	}
	if (!*dir)
		return cli_error(cmd, "--dir is required"), EXIT_USAGE;
	if (*timeout_ms <= 0 || hang_ms < 0)
		return cli_error(cmd, "invalid --timeout or --hang-timeout"), EXIT_USAGE;
	return 0;
}

int cmd_agent(int argc, char **argv)
{
	const char *dir = NULL;
	int timeout_ms = 600000, r;
	char line[4096] = "";
	size_t len = 0;
	struct vm *vm;

	r = parse("agent", argc, argv, &dir, &timeout_ms);
	if (r)
		return r;
	if (optind >= argc)
		return cli_error("agent", "missing agent command (e.g. ping)"), EXIT_USAGE;
	for (int i = optind; i < argc; i++) {
		int n = snprintf(line + len, sizeof(line) - len, "%s%s", i > optind ? " " : "", argv[i]);

		if (n < 0 || (size_t)n >= sizeof(line) - len)
			return cli_error("agent", "command too long"), EXIT_USAGE;
		len += (size_t)n;
	}
	if (vm_attach(dir, &vm) < 0)
		return cli_error("agent", "%s", vm_error());
	vm_set_hang_timeout(vm, hang_ms);
	struct collected c = { json_array(), json_array() };
	struct vm_cmd_result res;
	enum vm_cmd_status s = vm_agent(vm, timeout_ms, on_reply, &c, &res, "%s", line);

	return finish("agent", vm, s, &res, &c);
}

int cmd_put(int argc, char **argv)
{
	const char *dir = NULL;
	int timeout_ms = 120000;
	struct vm *vm;
	int r = parse("put", argc, argv, &dir, &timeout_ms);

	if (r)
		return r;
	if (argc - optind != 2)
		return cli_error("put", "usage: put --dir D LOCAL GUEST_PATH"), EXIT_USAGE;
	if (vm_attach(dir, &vm) < 0)
		return cli_error("put", "%s", vm_error());
	struct collected c = { json_array(), json_array() };
	struct vm_cmd_result res;
	enum vm_cmd_status s = vm_agent_put(vm, argv[optind], argv[optind + 1], timeout_ms, &res);

	return finish("put", vm, s, &res, &c);
}

/* `vmctl bp --dir D ADDR[,ADDR...] <agent command...>`: arm execution
 * probes, run the command, report how often each address was executed. */
int cmd_bp(int argc, char **argv)
{
	const char *dir = NULL;
	int timeout_ms = 600000;
	uint64_t addrs[16];
	int naddr = 0;
	char line[4096] = "";
	size_t len = 0;
	struct vm *vm;
	int r = parse("bp", argc, argv, &dir, &timeout_ms);

	if (r)
		return r;
	if (argc - optind < 2)
		return cli_error("bp", "usage: bp --dir D ADDR[,ADDR...] <agent command...>"), EXIT_USAGE;
	for (char *p = argv[optind], *end; *p && naddr < 16; p = *end ? end + 1 : end) {
		addrs[naddr++] = strtoull(p, &end, 0);
		if (end == p || (*end && *end != ','))
			return cli_error("bp", "bad address list %s", argv[optind]), EXIT_USAGE;
	}
	for (int i = optind + 1; i < argc; i++) {
		int n = snprintf(line + len, sizeof(line) - len, "%s%s", i > optind + 1 ? " " : "",
				 argv[i]);

		if (n < 0 || (size_t)n >= sizeof(line) - len)
			return cli_error("bp", "command too long"), EXIT_USAGE;
		len += (size_t)n;
	}
	if (vm_attach(dir, &vm) < 0)
		return cli_error("bp", "%s", vm_error());
	vm_set_hang_timeout(vm, hang_ms);
	for (int i = 0; i < naddr; i++) {
		if (vm_bp_set(vm, addrs[i]) < 0) {
			cli_error("bp", "%s", vm_error());
			vm_destroy(vm);
			return EXIT_FAIL;
		}
	}
	struct collected c = { json_array(), json_array() };
	struct vm_cmd_result res;
	enum vm_cmd_status s = vm_agent(vm, timeout_ms, cli_json ? on_reply : NULL, &c, &res,
					"%s", line);
	json_t *hits = json_object();

	for (int i = 0; i < naddr; i++) {
		char key[32];
		int h = vm_bp_hits(vm, addrs[i]);

		snprintf(key, sizeof(key), "0x%llx", (unsigned long long)addrs[i]);
		json_object_set_new(hits, key, json_integer(h));
		if (!cli_json)
			printf("%s hits=%d\n", key, h);
	}
	if (cli_json) {
		json_decref(c.steps);
		json_decref(c.data);
		cli_print_json(json_pack("{s:s,s:s,s:o}", "command", "bp", "status",
					 vm_cmd_status_name(s), "hits", hits));
	} else {
		json_decref(hits);
		json_decref(c.steps);
		json_decref(c.data);
		printf("%s%s%s\n", vm_cmd_status_name(s), *res.final ? " " : "", res.final);
	}
	vm_destroy(vm); /* disarms what was not hit */
	return status_exit[s];
}
