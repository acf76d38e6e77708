/* Protocol verbs; see commands.h and guest/PROTOCOL.md.
 *
 * Quick commands run in the main loop. Anything that can block on the
 * kernel or on other programs runs in a worker (agent_start_worker) with a
 * budget: its own argument for `run` and `exec`, a fixed one otherwise. */
#include "commands.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fsutil.h"
#include "heartbeat.h"
#include "modload.h"
#include "spawn.h"
#include "workload.h"

/* ---- inline commands -------------------------------------------------- */

static void cmd_hello(struct agent *a, const struct proto_cmd *cmd)
{
	agent_send_ready(a);
	reply_ok(&a->out, cmd->tag, NULL);
}

static void cmd_ping(struct agent *a, const struct proto_cmd *cmd)
{
	reply_ok(&a->out, cmd->tag, NULL);
}

static long long meminfo_kb(const char *key)
{
	char *text = fs_read_file("/proc/meminfo", 1 << 16, NULL);
	long long v = -1;
	char *p;

	if (!text)
		return -1;
	p = strstr(text, key);
	if (p)
		sscanf(p + strlen(key), ": %lld", &v);
	free(text);
	return v;
}

/* Module names from /proc/modules, comma separated, in list order. */
static void module_list(char *out, size_t cap)
{
	char *text = fs_read_file("/proc/modules", 1 << 20, NULL), *line, *save;
	size_t used = 0;

	out[0] = '\0';
	if (!text)
		return;
	for (line = strtok_r(text, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save)) {
		size_t n = strcspn(line, " ");

		if (used + n + 2 > cap)
			break;
		if (used)
			out[used++] = ',';
		memcpy(out + used, line, n);
		used += n;
		out[used] = '\0';
	}
	free(text);
}

static void cmd_status(struct agent *a, const struct proto_cmd *cmd)
{
	char mods[3000];

	module_list(mods, sizeof(mods));
	reply_ok(&a->out, cmd->tag, "uptime_ms=%lld mem_free_kb=%lld modules=%s",
		 uptime_ms(), meminfo_kb("MemFree"), mods);
}

static void cmd_quiesce(struct agent *a, const struct proto_cmd *cmd)
{
	if (agent_worker_busy(a)) {
		reply_err(&a->out, cmd->tag, EBUSY, "%s (tag %llu) is still running",
			  a->w.verb, a->w.tag);
		return;
	}
	sync();
	/* Heartbeats resume with the next line from the host. */
	heartbeat_pause();
	reply_ok(&a->out, cmd->tag, NULL);
}

static void cmd_put(struct agent *a, const struct proto_cmd *cmd)
{
	char msg[256];
	int err;

	if (a->put_active) {   /* cannot happen: lines go to the transfer */
		reply_err(&a->out, cmd->tag, EBUSY, "a put is in progress");
		return;
	}
	err = put_begin_args(&a->put, cmd->argc, cmd->argv, msg, sizeof(msg));
	if (err) {
		unsigned long long wire = put_wire_bytes_of_args(cmd->argc, cmd->argv);

		/* The host sends its data lines anyway. With a usable size they
		 * are drained and the error comes after them; without one they
		 * come back as "0 ERR EPROTO" lines. */
		if (wire > 0) {
			put_begin_drain(&a->put, wire, err, msg);
			a->put_active = true;
			a->put_tag = cmd->tag;
			a->put_last_ms = now_ms();
			return;
		}
		reply_err(&a->out, cmd->tag, err, "%s", msg);
		return;
	}
	a->put_active = true;
	a->put_tag = cmd->tag;
	a->put_last_ms = now_ms();
	if (put_needs_no_data(&a->put))
		agent_put_end(a);
}

/* ---- worker commands (run in a forked child) ---------------------------- */

static void work_load(const struct proto_cmd *cmd, struct reply_sink *out,
		      unsigned budget_s)
{
	struct moddep_dirs dirs;
	struct modload_result res;
	char kdir[256], msg[512];
	int err;

	(void)budget_s;
	modload_default_dirs(&dirs, kdir, sizeof(kdir));
	err = modload_load(&dirs, cmd->argv[0], proto_rest_after(cmd, 1), &res,
			   msg, sizeof(msg));
	if (err)
		reply_err(out, cmd->tag, err, "%s", msg);
	else
		reply_ok(out, cmd->tag, "name=%s path=%s deps_loaded=%d ms=%lld",
			 res.name, res.path, res.deps_loaded, res.ms);
}

static void work_unload(const struct proto_cmd *cmd, struct reply_sink *out,
			unsigned budget_s)
{
	long long t0 = now_ms();
	int err;

	(void)budget_s;
	err = modload_unload(cmd->argv[0]);
	if (err)
		reply_err(out, cmd->tag, err, "delete_module %s: %s", cmd->argv[0],
			  strerror(err));
	else
		reply_ok(out, cmd->tag, "ms=%lld", now_ms() - t0);
}

/* Reassembles a program's output into lines for DATA replies. */
struct data_stream {
	struct reply_sink *out;
	unsigned long long tag;
	char buf[DATA_CHUNK];
	size_t len;
};

static void data_stream_flush(struct data_stream *ds)
{
	if (ds->len)
		reply_data(ds->out, ds->tag, ds->buf, ds->len);
	ds->len = 0;
}

static void data_stream_feed(void *arg, const char *buf, size_t n)
{
	struct data_stream *ds = arg;

	for (size_t i = 0; i < n; i++) {
		if (buf[i] == '\n') {
			/* An empty line is still a DATA line. */
			if (ds->len == 0)
				reply_line(ds->out, "%llu DATA ", ds->tag);
			else
				data_stream_flush(ds);
			continue;
		}
		ds->buf[ds->len++] = buf[i];
		if (ds->len == sizeof(ds->buf))
			data_stream_flush(ds);
	}
}

static void work_exec(const struct proto_cmd *cmd, struct reply_sink *out,
		      unsigned budget_s)
{
	char *argv[] = { "/bin/sh", "-c", (char *)proto_rest_after(cmd, 1), NULL };
	struct data_stream *ds = calloc(1, sizeof(*ds));
	struct spawn_opts o = { .on_output = data_stream_feed, .arg = ds };
	struct spawn_result r;

	(void)budget_s;   /* the main loop kills the whole group on overrun */
	if (!ds) {
		reply_err(out, cmd->tag, ENOMEM, "out of memory");
		return;
	}
	ds->out = out;
	ds->tag = cmd->tag;
	if (spawn_run(argv, &o, &r) < 0) {
		reply_err(out, cmd->tag, errno, "cannot start /bin/sh: %s",
			  strerror(errno));
		free(ds);
		return;
	}
	data_stream_flush(ds);
	reply_ok(out, cmd->tag, "rc=%d", r.exit_code);
	spawn_result_free(&r);
	free(ds);
}

static void work_cat(const struct proto_cmd *cmd, struct reply_sink *out,
		     unsigned budget_s)
{
	size_t len;
	char *text;

	(void)budget_s;
	text = fs_read_file(cmd->argv[0], 64u << 20, &len);
	if (!text) {
		reply_err(out, cmd->tag, errno, "%s: %s", cmd->argv[0],
			  strerror(errno));
		return;
	}
	reply_data(out, cmd->tag, text, len);
	reply_ok(out, cmd->tag, "bytes=%zu", len);
	free(text);
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static void work_sections(const struct proto_cmd *cmd, struct reply_sink *out,
			  unsigned budget_s)
{
	char dir[256], name[64], *names[1024];
	struct dirent *de;
	int n = 0;
	DIR *d;

	(void)budget_s;
	moddep_name_of(cmd->argv[0], name, sizeof(name));
	snprintf(dir, sizeof(dir), "/sys/module/%s/sections", name);
	d = opendir(dir);
	if (!d) {
		reply_err(out, cmd->tag, errno, "%s: %s", dir, strerror(errno));
		return;
	}
	while ((de = readdir(d)) && n < 1024) {
		if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
			continue;
		names[n] = strdup(de->d_name);
		if (names[n])
			n++;
	}
	closedir(d);
	qsort(names, (size_t)n, sizeof(names[0]), cmp_str);
	for (int i = 0; i < n; i++) {
		char path[512], addr[64];

		snprintf(path, sizeof(path), "%s/%s", dir, names[i]);
		if (fs_read_line(path, addr, sizeof(addr)) == 0)
			reply_line(out, "%llu DATA %s %s", cmd->tag, names[i], addr);
		free(names[i]);
	}
	reply_ok(out, cmd->tag, "sections=%d", n);
}

static void work_run(const struct proto_cmd *cmd, struct reply_sink *out,
		     unsigned budget_s)
{
	workload_run(cmd->argv[0], out, cmd->tag, budget_s);
}

/* ---- the table ---------------------------------------------------------- */

enum cmd_kind { CMD_INLINE, CMD_WORKER };

struct cmd_def {
	const char *verb;
	enum cmd_kind kind;
	int min_args, max_args;       /* max -1: any */
	int budget_arg;               /* index of a budget argument, or -1 */
	unsigned fixed_budget_s;      /* when budget_arg is -1 */
	const char *usage;
	void (*inline_fn)(struct agent *a, const struct proto_cmd *cmd);
	worker_fn work_fn;
};

static const struct cmd_def commands[] = {
	{ "hello", CMD_INLINE, 0, 0, -1, 0, "hello", cmd_hello, NULL },
	{ "ping", CMD_INLINE, 0, 0, -1, 0, "ping", cmd_ping, NULL },
	{ "status", CMD_INLINE, 0, 0, -1, 0, "status", cmd_status, NULL },
	{ "quiesce", CMD_INLINE, 0, 0, -1, 0, "quiesce", cmd_quiesce, NULL },
	{ "put", CMD_INLINE, 3, 5, -1, 0,
	  "put <guest-path> <size> <crc32-hex> [zlib <wire-bytes>]",
	  cmd_put, NULL },
	{ "load", CMD_WORKER, 1, -1, -1, BUDGET_LOAD_S,
	  "load <path.ko|module> [param=value...]", NULL, work_load },
	{ "unload", CMD_WORKER, 1, 1, -1, BUDGET_UNLOAD_S, "unload <module>",
	  NULL, work_unload },
	{ "run", CMD_WORKER, 2, 2, 1, 0, "run <workload> <budget_s>", NULL,
	  work_run },
	{ "exec", CMD_WORKER, 2, -1, 0, 0, "exec <budget_s> <command line>",
	  NULL, work_exec },
	{ "cat", CMD_WORKER, 1, 1, -1, BUDGET_CAT_S, "cat <path>", NULL,
	  work_cat },
	{ "sections", CMD_WORKER, 1, 1, -1, BUDGET_SECTIONS_S,
	  "sections <module>", NULL, work_sections },
};

void commands_dispatch(struct agent *a, const struct proto_cmd *cmd)
{
	const struct cmd_def *def = NULL;
	unsigned budget;

	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		if (strcmp(commands[i].verb, cmd->verb) == 0)
			def = &commands[i];
	if (!def) {
		reply_err(&a->out, cmd->tag, ENOSYS, "unknown verb '%s'", cmd->verb);
		return;
	}
	if (cmd->argc < def->min_args ||
	    (def->max_args >= 0 && cmd->argc > def->max_args)) {
		reply_err(&a->out, cmd->tag, EINVAL, "usage: %s", def->usage);
		return;
	}
	if (def->kind == CMD_INLINE) {
		def->inline_fn(a, cmd);
		return;
	}
	budget = def->fixed_budget_s;
	if (def->budget_arg >= 0 &&
	    !proto_parse_budget(cmd->argv[def->budget_arg], &budget)) {
		reply_err(&a->out, cmd->tag, EINVAL,
			  "bad budget '%s' (whole seconds, 1..%u); usage: %s",
			  cmd->argv[def->budget_arg], PROTO_BUDGET_MAX, def->usage);
		return;
	}
	if (strcmp(def->verb, "run") == 0 && !workload_exists(cmd->argv[0])) {
		reply_err(&a->out, cmd->tag, ENOENT, "unknown workload '%s'",
			  cmd->argv[0]);
		return;
	}
	if (agent_worker_busy(a)) {
		reply_err(&a->out, cmd->tag, EBUSY, "%s (tag %llu) is still running",
			  a->w.verb, a->w.tag);
		return;
	}
	if (agent_start_worker(a, cmd, budget, def->work_fn) < 0)
		reply_err(&a->out, cmd->tag, errno, "cannot start a worker: %s",
			  strerror(errno));
}
