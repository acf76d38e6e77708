// SPDX-License-Identifier: MIT
/* agent.c — see agent.h. */
#include "agent.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <openssl/evp.h>
#include <zlib.h>

#include "util.h"

#define AGENT_LINE_MAX 4096

void agent_init(struct agent *a, int fd, int hang_timeout_ms)
{
	memset(a, 0, sizeof(*a));
	a->fd = fd;
	a->next_tag = 1;
	a->hang_timeout_ms = hang_timeout_ms;
	a->tick_ms = 100;
	a->last_alive_ms = now_ms();
	linebuf_init(&a->lb);
}

void agent_close(struct agent *a)
{
	if (a->fd >= 0)
		close(a->fd);
	a->fd = -1;
}

/* READY and HB lines; true if the line was one of them. */
static bool agent_unsolicited(struct agent *a, const char *line)
{
	uint64_t seq, up;

	if (strncmp(line, "READY ", 6) == 0) {
		char name[64], rel[128];
		int ver;

		if (sscanf(line, "READY %63s %d %127s", name, &ver, rel) == 3)
			snprintf(a->release, sizeof(a->release), "%s", rel);
		a->ready = true;
		a->last_alive_ms = now_ms();
		return true;
	}
	if (sscanf(line, "HB %" SCNu64 " %" SCNu64, &seq, &up) == 2 && strncmp(line, "HB ", 3) == 0) {
		int64_t now = now_ms();

		if (now - a->last_alive_ms > a->max_gap_ms)
			a->max_gap_ms = (int)(now - a->last_alive_ms);
		a->hb_seq = seq;
		a->hb_uptime_ms = up;
		a->last_alive_ms = now;
		return true;
	}
	return false;
}

bool agent_parse_reply(char *body, struct vm_reply *r)
{
	static const struct { const char *word; enum vm_reply_kind kind; } kinds[] = {
		{ "STEP", VM_REPLY_STEP }, { "DATA", VM_REPLY_DATA },
		{ "OK", VM_REPLY_OK }, { "ERR", VM_REPLY_ERR },
	};
	size_t wl = strcspn(body, " ");

	memset(r, 0, sizeof(*r));
	for (size_t i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++) {
		if (strlen(kinds[i].word) != wl || strncmp(body, kinds[i].word, wl) != 0)
			continue;
		r->kind = kinds[i].kind;
		r->text = body[wl] ? body + wl + 1 : body + wl;
		if (r->kind != VM_REPLY_STEP)
			return true;
		/* STEP <name> PASS|FAIL [k=v...]: the name is cut out in place
		 * and text becomes the key=value part after the verdict. */
		char *name = (char *)r->text;
		char *sp = strchr(name, ' ');

		if (!sp || sp == name)
			return false;
		*sp = '\0';
		char *verdict = sp + 1;
		size_t vl = strcspn(verdict, " ");

		if (vl == 4 && strncmp(verdict, "PASS", 4) == 0)
			r->pass = true;
		else if (vl == 4 && strncmp(verdict, "FAIL", 4) == 0)
			r->pass = false;
		else
			return false;
		r->step = name;
		r->text = verdict[vl] ? verdict + vl + 1 : verdict + vl;
		return true;
	}
	return false;
}

/* Read once (waiting up to timeout_ms). 0 ok/timeout, <0 EOF or error. */
static int agent_fill(struct agent *a, int timeout_ms)
{
	if (a->lb.eof)
		return -ECONNRESET;
	int r = wait_readable(a->fd, timeout_ms);

	if (r <= 0)
		return r;
	long n = linebuf_fill(&a->lb, a->fd);

	if (n == 0)
		return -ECONNRESET;
	if (n < 0 && n != -EAGAIN)
		return (int)n;
	return 0;
}

int agent_pump(struct agent *a, int timeout_ms)
{
	char line[AGENT_LINE_MAX + 1];
	int r = agent_fill(a, timeout_ms);

	while (linebuf_take(&a->lb, line, sizeof(line)))
		agent_unsolicited(a, line);
	return r;
}

static bool hung(struct agent *a)
{
	return a->hang_timeout_ms > 0 && now_ms() - a->last_alive_ms > a->hang_timeout_ms;
}

int agent_wait_ready(struct agent *a, int timeout_ms)
{
	int64_t deadline = now_ms() + timeout_ms;
	char line[AGENT_LINE_MAX + 1];

	while (!a->ready) {
		while (!a->ready && linebuf_take(&a->lb, line, sizeof(line)))
			agent_unsolicited(a, line);
		if (a->ready)
			break;
		if (now_ms() >= deadline)
			return vm_fail(ETIMEDOUT, "agent: no READY within %d ms", timeout_ms);
		int r = agent_fill(a, ms_left(deadline) < a->tick_ms ? ms_left(deadline) : a->tick_ms);

		if (r < 0)
			return vm_fail(-r, "agent: channel closed before READY");
		if (a->check) {
			enum vm_cmd_status s = a->check(a->check_arg);

			if (s == VM_CMD_EXITED)
				return vm_fail(ECHILD, "agent: QEMU exited before READY");
		}
	}
	return 0;
}

int agent_hello(struct agent *a, int timeout_ms)
{
	struct vm_cmd_result res;

	a->ready = false;
	enum vm_cmd_status s = agent_command(a, "hello", NULL, 0, timeout_ms, NULL, NULL, &res);

	if (s != VM_CMD_OK)
		return vm_fail(s == VM_CMD_TIMEOUT ? ETIMEDOUT : EIO, "agent: hello failed (%s)",
			       vm_cmd_status_name(s));
	if (!a->ready)
		return vm_fail(EPROTO, "agent: hello answered OK without READY");
	return 0;
}

const char *vm_cmd_status_name(enum vm_cmd_status s)
{
	static const char *const names[] = {
		[VM_CMD_OK] = "OK", [VM_CMD_ERR] = "ERR", [VM_CMD_TIMEOUT] = "TIMEOUT",
		[VM_CMD_HUNG] = "HUNG", [VM_CMD_EXITED] = "EXITED", [VM_CMD_IO] = "IO",
	};
	if ((unsigned)s < sizeof(names) / sizeof(names[0]) && names[s])
		return names[s];
	return "?";
}

/* Handle one line for the running command; true when it was the final. */
static bool agent_command_line(struct agent *a, unsigned tag, char *line, vm_reply_fn fn,
			       void *arg, struct vm_cmd_result *res)
{
	char *end;
	unsigned long t;
	struct vm_reply r;

	if (agent_unsolicited(a, line))
		return false;
	t = strtoul(line, &end, 10);
	if (end == line || *end != ' ' || t != tag)
		return false; /* stale or garbage */
	if (!agent_parse_reply(end + 1, &r))
		return false;
	if (r.kind == VM_REPLY_STEP) {
		if (r.pass)
			res->steps_pass++;
		else
			res->steps_fail++;
	}
	if (fn)
		fn(&r, arg);
	if (r.kind == VM_REPLY_OK || r.kind == VM_REPLY_ERR) {
		res->status = r.kind == VM_REPLY_OK ? VM_CMD_OK : VM_CMD_ERR;
		snprintf(res->final, sizeof(res->final), "%s", r.text);
		return true;
	}
	return false;
}

static enum vm_cmd_status agent_command_once(struct agent *a, const char *cmdline,
					     const char *payload, size_t payload_len,
					     int timeout_ms, vm_reply_fn fn, void *arg,
					     struct vm_cmd_result *out)
{
	struct vm_cmd_result local;
	struct vm_cmd_result *res = out ? out : &local;
	double start = now_seconds();
	int64_t deadline = now_ms() + timeout_ms;
	unsigned tag = a->next_tag++;
	char head[AGENT_LINE_MAX + 32];
	char line[AGENT_LINE_MAX + 1];
	int n, r;

	memset(res, 0, sizeof(*res));
	res->status = VM_CMD_IO;
	n = snprintf(head, sizeof(head), "%u %s\n", tag, cmdline);
	if (n < 0 || n > AGENT_LINE_MAX || strchr(cmdline, '\n')) {
		vm_fail(EINVAL, "agent: command line too long or has a newline");
		return res->status;
	}
	r = write_all(a->fd, head, (size_t)n);
	if (r == 0 && payload)
		r = write_all(a->fd, payload, payload_len);
	if (r < 0) {
		vm_fail(-r, "agent: send: %s", strerror(-r));
		return res->status;
	}
	/* Nobody may have read the heartbeats while the caller was idle: the
	 * hang clock starts again with each command. */
	a->last_alive_ms = now_ms();
	a->max_gap_ms = 0;
	for (;;) {
		bool done = false;

		while (!done && linebuf_take(&a->lb, line, sizeof(line)))
			done = agent_command_line(a, tag, line, fn, arg, res);
		if (done)
			break;
		if (a->check) {
			enum vm_cmd_status s = a->check(a->check_arg);

			if (s != VM_CMD_OK) {
				res->status = s;
				vm_fail(EIO, "agent: command ended: %s", vm_cmd_status_name(s));
				break;
			}
		}
		if (hung(a)) {
			res->status = VM_CMD_HUNG;
			vm_fail(ETIMEDOUT, "agent: no heartbeat for %d ms", a->hang_timeout_ms);
			break;
		}
		if (now_ms() >= deadline) {
			res->status = VM_CMD_TIMEOUT;
			vm_fail(ETIMEDOUT, "agent: no final line within %d ms", timeout_ms);
			break;
		}
		int wait = ms_left(deadline);

		r = agent_fill(a, wait < a->tick_ms ? wait : a->tick_ms);
		if (r < 0) {
			/* Channel gone: let the check tell why. QEMU closes its
			 * sockets a moment before it can be reaped, so ask for
			 * up to a second before calling it a host-side error. */
			enum vm_cmd_status s = VM_CMD_OK;

			for (int i = 0; a->check && s == VM_CMD_OK && i < 10; i++) {
				s = a->check(a->check_arg);
				if (s == VM_CMD_OK)
					usleep(100000);
			}

			res->status = s != VM_CMD_OK ? s : VM_CMD_IO;
			vm_fail(-r, "agent: channel closed during command");
			break;
		}
	}
	res->seconds = now_seconds() - start;
	res->max_heartbeat_gap_ms = a->max_gap_ms;
	return res->status;
}

/* The agent sends a worker's final line before it has reaped the worker,
 * so a command sent right after (even by another vmctl process) can be
 * refused with "EBUSY <verb> (tag N) is still running" for a command that
 * has in fact finished. Such a refusal is retried for up to 3 s; an agent
 * that is really busy keeps refusing and the ERR is returned. */
static bool refused_busy(const struct vm_cmd_result *res)
{
	return res->status == VM_CMD_ERR && strncmp(res->final, "EBUSY ", 6) == 0 &&
	       strstr(res->final, "is still running") != NULL;
}

enum vm_cmd_status agent_command(struct agent *a, const char *cmdline, const char *payload,
				 size_t payload_len, int timeout_ms, vm_reply_fn fn, void *arg,
				 struct vm_cmd_result *out)
{
	struct vm_cmd_result local;
	struct vm_cmd_result *res = out ? out : &local;
	int64_t deadline = now_ms() + 3000;
	enum vm_cmd_status s;

	for (;;) {
		s = agent_command_once(a, cmdline, payload, payload_len, timeout_ms, fn, arg, res);
		if (!refused_busy(res) || now_ms() >= deadline)
			return s;
		usleep(50000);
	}
}

/* base64 lines of at most 76 characters (57 input bytes each), the
 * protocol's data line limit. */
static char *put_base64_lines(const unsigned char *p, size_t len, size_t *body_len)
{
	size_t lines = (len + 56) / 57;
	char *out = malloc(lines * 77 + 1);
	size_t o = 0;

	if (!out)
		return NULL;
	for (size_t i = 0; i < len; i += 57) {
		int chunk = (int)(len - i < 57 ? len - i : 57);

		o += (size_t)EVP_EncodeBlock((unsigned char *)out + o, p + i, chunk);
		out[o++] = '\n';
	}
	out[o] = '\0';
	*body_len = o;
	return out;
}

char *agent_put_body(const void *data, size_t len, size_t *body_len, uint32_t *crc)
{
	*crc = (uint32_t)crc32_z(crc32_z(0L, Z_NULL, 0), data, len);
	return put_base64_lines(data, len, body_len);
}

char *agent_put_zbody(const void *data, size_t len, size_t *body_len, size_t *wire_len,
		      uint32_t *crc)
{
	uLongf zlen = compressBound((uLong)len);
	unsigned char *z;
	char *body;

	if ((size_t)(uLong)len != len)
		return NULL;   /* beyond what one compress2 call takes */
	z = malloc(zlen);
	if (!z)
		return NULL;
	if (compress2(z, &zlen, data, (uLong)len, Z_BEST_COMPRESSION) != Z_OK) {
		free(z);
		return NULL;
	}
	*crc = (uint32_t)crc32_z(crc32_z(0L, Z_NULL, 0), data, len);
	*wire_len = zlen;
	body = put_base64_lines(z, zlen, body_len);
	free(z);
	return body;
}

bool agent_put_raw_requested(void)
{
	const char *v = getenv("VMCTL_PUT_RAW");

	return v && *v && strcmp(v, "0") != 0;
}
