/* The `net-basic` workload (guest/PROTOCOL.md): exercises the target NIC
 * (the one driven by e1000) against the peer namespace, one STEP line per
 * step with its figures. Steps never stop the run: a failed step is
 * reported and the next one tries anyway, so a trial shows which functions
 * of the driver still work. The whole run stays inside its budget: every
 * wait is capped by the time left, and a step that cannot start in time
 * fails with reason=budget. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "echo.h"
#include "fsutil.h"
#include "icmp.h"
#include "loadreg.h"
#include "modload.h"
#include "netif.h"
#include "peer.h"
#include "spawn.h"
#include "toolout.h"
#include "workload.h"

#define TARGET_DRIVER   "e1000"
#define ECHO_BYTES      (256 * 1024)
#define IPERF_SECONDS   "3"
/* net-basic-quick: the same steps with 1 s iperf3 runs, for tests that run
 * the workload after each of many faults. */
#define IPERF_SECONDS_QUICK "1"
#define CARRIER_WAIT_MS 20000   /* TCG on a busy host: guest time crawls */

struct nb {
	struct reply_sink *out;
	unsigned long long tag;
	long long deadline_ms;
	char ifname[IFNAME_CAP];
	bool have_if;
	bool restart_iperf;    /* a failed iperf3 test may leave the server stuck */
	const char *iperf_seconds;
	int pass, fail;
};

/* key=value pairs of one STEP line. */
struct kv {
	char buf[1024];
	size_t len;
};

static void kv_add(struct kv *kv, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void kv_add(struct kv *kv, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (kv->len >= sizeof(kv->buf) - 2)
		return;
	if (kv->len)
		kv->buf[kv->len++] = ' ';
	va_start(ap, fmt);
	n = vsnprintf(kv->buf + kv->len, sizeof(kv->buf) - kv->len, fmt, ap);
	va_end(ap);
	if (n > 0)
		kv->len += (size_t)n;
	if (kv->len >= sizeof(kv->buf))
		kv->len = sizeof(kv->buf) - 1;
}

/* reason=<text> with the text made one token. */
static void kv_reason(struct kv *kv, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void kv_reason(struct kv *kv, const char *fmt, ...)
{
	char text[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(text, sizeof(text), fmt, ap);
	va_end(ap);
	reply_sanitize_value(text);
	kv_add(kv, "reason=%s", text);
}

static long time_left(const struct nb *nb)
{
	long long left = nb->deadline_ms - now_ms();

	return left > 0 ? (long)left : 0;
}

static long capped(const struct nb *nb, long want)
{
	long left = time_left(nb);

	return left < want ? left : want;
}

/* Runs a helper program with a capped timeout; output in r. */
static int run_tool(struct nb *nb, char *const argv[], long timeout_ms,
		    struct spawn_result *r)
{
	struct spawn_opts o = { .timeout_ms = capped(nb, timeout_ms) };

	return spawn_run(argv, &o, r);
}

/* Sends `count` pings to the peer; PASS needs every reply. */
static bool ping_peer(struct nb *nb, struct kv *kv, int count)
{
	struct ping_stats st;

	if (icmp_ping(PEER_ADDR, count, 200, capped(nb, 3000), &st) < 0) {
		kv_reason(kv, "ping-socket:%s", strerror(errno));
		return false;
	}
	kv_add(kv, "received=%d/%d rtt_us=%ld rtt_max_us=%ld", st.received, count,
	       st.rtt_avg_us, st.rtt_max_us);
	if (st.received != count)
		kv_reason(kv, "lost-%d-of-%d", count - st.received, count);
	return st.received == count;
}

static bool configure_target(struct nb *nb, struct kv *kv)
{
	char out[256];

	if (run_ip(NULL, out, sizeof(out), "addr", "flush", "dev", nb->ifname,
		   NULL) != 0 ||
	    run_ip(NULL, out, sizeof(out), "addr", "add", TARGET_CIDR, "dev",
		   nb->ifname, NULL) != 0 ||
	    run_ip(NULL, out, sizeof(out), "link", "set", nb->ifname, "up",
		   NULL) != 0) {
		kv_reason(kv, "ip:%s", out);
		return false;
	}
	return true;
}

static bool wait_carrier_up(struct nb *nb, struct kv *kv)
{
	long ms = netif_wait_carrier(nb->ifname, 1, capped(nb, CARRIER_WAIT_MS));

	if (ms < 0) {
		kv_reason(kv, "no-carrier");
		return false;
	}
	kv_add(kv, "carrier_ms=%ld", ms);
	return true;
}

static bool need_if(struct nb *nb, struct kv *kv)
{
	if (!nb->have_if)
		kv_reason(kv, "no-target-interface");
	return nb->have_if;
}

/* ---- steps ------------------------------------------------------------- */

static bool step_link_up(struct nb *nb, struct kv *kv)
{
	if (netif_wait_by_driver(TARGET_DRIVER, nb->ifname, sizeof(nb->ifname),
				 capped(nb, 10000)) < 0) {
		kv_reason(kv, "no-interface-driven-by-%s", TARGET_DRIVER);
		return false;
	}
	nb->have_if = true;
	kv_add(kv, "iface=%s", nb->ifname);
	return configure_target(nb, kv) && wait_carrier_up(nb, kv);
}

static bool step_ping(struct nb *nb, struct kv *kv)
{
	return need_if(nb, kv) && ping_peer(nb, kv, 5);
}

static bool iperf_attempt(struct nb *nb, struct kv *kv, bool reverse)
{
	char *argv[] = { "iperf3", "-c", PEER_ADDR, "-p", "5201", "-t",
			 (char *)nb->iperf_seconds, "-J", "--connect-timeout", "3000",
			 reverse ? "-R" : NULL, NULL };
	struct iperf_summary s;
	struct spawn_result r;
	char why[160];
	bool ok = false;

	if (nb->restart_iperf && peer_servers_ensure(true, why, sizeof(why)) < 0) {
		kv_reason(kv, "peer:%s", why);
		return false;
	}
	if (run_tool(nb, argv, 30000, &r) < 0) {
		kv_reason(kv, "cannot-run-iperf3:%s", strerror(errno));
		return false;
	}
	if (r.timed_out) {
		kv_reason(kv, "iperf3-timeout");
	} else if (iperf_parse_json(r.output, &s, why, sizeof(why)) < 0) {
		kv_add(kv, "rc=%d", r.exit_code);
		kv_reason(kv, "%s", why);
	} else {
		kv_add(kv, "mbps=%.1f sent_mbps=%.1f bytes=%lld retransmits=%lld",
		       s.received_mbps, s.sent_mbps, s.bytes, s.retransmits);
		ok = r.exit_code == 0 && s.bytes > 0;
		if (!ok)
			kv_reason(kv, "rc-%d-bytes-%lld", r.exit_code, s.bytes);
	}
	nb->restart_iperf = !ok;
	spawn_result_free(&r);
	return ok;
}

/*
 * iperf3's server takes one test at a time and needs a moment to tear the
 * last one down: a client that comes back within ~0.2 s of the previous
 * test (1 s runs, one step after another) can be refused or reset before
 * any data flows. Such a setup failure is retried once, after a pause and
 * a server restart, and the first reason is kept in the STEP line
 * (`retried=`). A failure during the transfer is never retried.
 */
static bool iperf_setup_refused(const struct kv *kv)
{
	/* reasons are sanitized: blanks became '_' */
	return strstr(kv->buf, "Connection_refused") ||
	       strstr(kv->buf, "Connection_reset") ||
	       strstr(kv->buf, "server_is_busy");
}

static bool iperf_step(struct nb *nb, struct kv *kv, bool reverse)
{
	struct kv first = { .len = 0 };
	const char *why;
	bool ok;

	if (!need_if(nb, kv))
		return false;
	ok = iperf_attempt(nb, &first, reverse);
	if (ok || !iperf_setup_refused(&first) || time_left(nb) < 10000) {
		if (first.len)
			kv_add(kv, "%s", first.buf);
		return ok;
	}
	why = strstr(first.buf, "reason=");
	kv_add(kv, "retried=%.*s", (int)strcspn(why + 7, " "), why + 7);
	sleep_ms(500);
	return iperf_attempt(nb, kv, reverse);
}

static bool step_tcp_tx(struct nb *nb, struct kv *kv)
{
	return iperf_step(nb, kv, false);
}

static bool step_tcp_rx(struct nb *nb, struct kv *kv)
{
	return iperf_step(nb, kv, true);
}

static bool step_echo(struct nb *nb, struct kv *kv)
{
	struct echo_stats st;
	int rc;

	if (!need_if(nb, kv))
		return false;
	rc = echo_roundtrip(PEER_ADDR, ECHO_PORT, ECHO_BYTES,
			    0x6e6f6f6b73ull ^ nb->tag, capped(nb, 20000), &st);
	kv_add(kv, "bytes=%zu sent=%zu received=%zu ms=%lld", (size_t)ECHO_BYTES,
	       st.sent, st.received, st.ms);
	if (rc == 0 && st.ms > 0)
		kv_add(kv, "mbps=%.1f", ECHO_BYTES * 8.0 / 1000.0 / (double)st.ms);
	if (st.mismatch_at >= 0)
		kv_add(kv, "mismatch_at=%lld", st.mismatch_at);
	if (rc != 0)
		kv_reason(kv, "%s", st.error ? st.error : "unknown");
	return rc == 0;
}

/* Runs `ethtool <opt> <if>`; on failure adds a reason. */
static bool ethtool_run(struct nb *nb, struct kv *kv, const char *opt,
			const char *arg1, const char *arg2,
			struct spawn_result *r)
{
	char *argv[] = { "ethtool", (char *)opt, nb->ifname, (char *)arg1,
			 (char *)arg2, NULL };

	if (run_tool(nb, argv, 10000, r) < 0) {
		kv_reason(kv, "cannot-run-ethtool:%s", strerror(errno));
		return false;
	}
	if (r->timed_out || r->exit_code != 0) {
		kv_reason(kv, "ethtool%s-%s:%.80s", opt,
			  r->timed_out ? "timeout" : "failed", r->output);
		spawn_result_free(r);
		return false;
	}
	return true;
}

static bool step_ethtool_query(struct nb *nb, struct kv *kv)
{
	struct spawn_result r;
	char driver[64];
	long long rx_packets;
	int features, stats;

	if (!need_if(nb, kv))
		return false;
	if (!ethtool_run(nb, kv, "-i", NULL, NULL, &r))
		return false;
	if (ethtool_parse_driver(r.output, driver, sizeof(driver)) < 0)
		snprintf(driver, sizeof(driver), "?");
	spawn_result_free(&r);
	kv_add(kv, "driver=%s", driver);

	if (!ethtool_run(nb, kv, "-k", NULL, NULL, &r))
		return false;
	features = ethtool_count_features(r.output);
	spawn_result_free(&r);
	kv_add(kv, "features=%d", features);

	if (!ethtool_run(nb, kv, "-S", NULL, NULL, &r))
		return false;
	stats = ethtool_count_stats(r.output, "rx_packets", &rx_packets);
	spawn_result_free(&r);
	kv_add(kv, "stats=%d rx_packets=%lld", stats, rx_packets);

	if (strcmp(driver, TARGET_DRIVER) != 0) {
		kv_reason(kv, "driver-is-not-%s", TARGET_DRIVER);
		return false;
	}
	if (features == 0 || stats == 0 || rx_packets <= 0) {
		kv_reason(kv, "empty-report");
		return false;
	}
	return true;
}

static bool read_rx_ring(struct nb *nb, struct kv *kv, long *cur, long *max)
{
	struct spawn_result r;
	bool ok;

	if (!ethtool_run(nb, kv, "-g", NULL, NULL, &r))
		return false;
	ok = ethtool_parse_rx_ring(r.output, cur, max) == 0;
	spawn_result_free(&r);
	if (!ok)
		kv_reason(kv, "ethtool-g-unparsable");
	return ok;
}

static bool set_rx_ring(struct nb *nb, struct kv *kv, long value)
{
	struct spawn_result r;
	char num[24];

	snprintf(num, sizeof(num), "%ld", value);
	if (!ethtool_run(nb, kv, "-G", "rx", num, &r))
		return false;
	spawn_result_free(&r);
	return true;
}

/* Changes the RX ring size (the driver reallocates its rings and resets the
 * NIC), reads it back, restores it, and checks that traffic still flows. */
static bool step_ethtool_set(struct nb *nb, struct kv *kv)
{
	long before, max, now, want;

	if (!need_if(nb, kv) || !read_rx_ring(nb, kv, &before, &max))
		return false;
	want = before == 512 ? 256 : 512;
	if (want > max)
		want = max;
	kv_add(kv, "rx_before=%ld rx_max=%ld", before, max);
	if (!set_rx_ring(nb, kv, want) || !read_rx_ring(nb, kv, &now, &max))
		return false;
	kv_add(kv, "rx_set=%ld", now);
	if (now != want) {
		kv_reason(kv, "rx-ring-reads-back-%ld-not-%ld", now, want);
		return false;
	}
	if (!set_rx_ring(nb, kv, before) || !read_rx_ring(nb, kv, &now, &max))
		return false;
	kv_add(kv, "rx_restored=%ld", now);
	if (now != before) {
		kv_reason(kv, "rx-ring-not-restored");
		return false;
	}
	return wait_carrier_up(nb, kv) && ping_peer(nb, kv, 3);
}

static bool step_link_cycle(struct nb *nb, struct kv *kv)
{
	char out[256];
	long ms;

	if (!need_if(nb, kv))
		return false;
	if (run_ip(NULL, out, sizeof(out), "link", "set", nb->ifname, "down",
		   NULL) != 0) {
		kv_reason(kv, "ip-down:%s", out);
		return false;
	}
	ms = netif_wait_carrier(nb->ifname, 0, capped(nb, 5000));
	if (ms < 0) {
		kv_reason(kv, "carrier-stays-up");
		return false;
	}
	kv_add(kv, "down_ms=%ld", ms);
	if (run_ip(NULL, out, sizeof(out), "link", "set", nb->ifname, "up",
		   NULL) != 0) {
		kv_reason(kv, "ip-up:%s", out);
		return false;
	}
	return wait_carrier_up(nb, kv) && ping_peer(nb, kv, 3);
}

/* Unloads the module behind the target NIC and loads it again from the
 * file `load` used last (falling back to the module's name), then brings
 * the new interface up and pings. */
static bool step_reload(struct nb *nb, struct kv *kv)
{
	struct moddep_dirs dirs;
	struct modload_result res;
	const struct loadrec *rec;
	char module[64], kdir[256], msg[512];
	long long t0, end;
	int err;

	if (!nb->have_if || netif_driver_module(nb->ifname, module, sizeof(module)) < 0)
		snprintf(module, sizeof(module), "%s", TARGET_DRIVER);
	kv_add(kv, "module=%s", module);
	rec = loadreg_find(module);

	t0 = now_ms();
	end = t0 + capped(nb, 10000);
	while (modload_is_loaded(module)) {
		err = modload_unload(module);
		if (err && err != EAGAIN && err != EBUSY && err != ENOENT) {
			kv_reason(kv, "unload:%s", strerror(err));
			return false;
		}
		if (err && now_ms() >= end) {
			kv_reason(kv, "unload:%s", strerror(err));
			return false;
		}
		if (err)
			sleep_ms(100);
	}
	if (nb->have_if && netif_wait_gone(nb->ifname, capped(nb, 5000)) < 0) {
		kv_reason(kv, "interface-stays-after-unload");
		return false;
	}
	nb->have_if = false;
	kv_add(kv, "unload_ms=%lld", now_ms() - t0);

	modload_default_dirs(&dirs, kdir, sizeof(kdir));
	err = modload_load(&dirs, rec ? rec->path : module,
			   rec ? rec->params : "", &res, msg, sizeof(msg));
	kv_add(kv, "from=%s", rec ? rec->path : "modules.dep");
	if (err) {
		kv_reason(kv, "load:%s", msg);
		return false;
	}
	kv_add(kv, "load_ms=%lld", res.ms);
	if (netif_wait_by_driver(TARGET_DRIVER, nb->ifname, sizeof(nb->ifname),
				 capped(nb, 10000)) < 0) {
		kv_reason(kv, "no-interface-after-load");
		return false;
	}
	nb->have_if = true;
	kv_add(kv, "iface=%s", nb->ifname);
	return configure_target(nb, kv) && wait_carrier_up(nb, kv) &&
	       ping_peer(nb, kv, 3);
}

/* ---- driver ------------------------------------------------------------ */

struct nb_step {
	const char *name;
	bool (*run)(struct nb *nb, struct kv *kv);
	long min_ms;   /* not started with less time than this left */
};

static const struct nb_step steps[] = {
	{ "link-up", step_link_up, 1000 },
	{ "ping", step_ping, 1000 },
	{ "tcp-tx", step_tcp_tx, 6000 },
	{ "tcp-rx", step_tcp_rx, 6000 },
	{ "echo", step_echo, 2000 },
	{ "ethtool-query", step_ethtool_query, 1000 },
	{ "ethtool-set", step_ethtool_set, 3000 },
	{ "link-cycle", step_link_cycle, 3000 },
	{ "reload", step_reload, 5000 },
};

static void net_basic(struct reply_sink *out, unsigned long long tag,
		      unsigned budget_s, const char *iperf_seconds)
{
	long long start = now_ms();
	struct nb nb = {
		.out = out,
		.tag = tag,
		.iperf_seconds = iperf_seconds,
		/* Finish a little before the main loop's hard kill. */
		.deadline_ms = start + (long long)budget_s * 1000 - 500,
	};
	char why[160];

	spawn_set_deadline(nb.deadline_ms);
	if (netif_find_by_driver(TARGET_DRIVER, nb.ifname, sizeof(nb.ifname)) == 0)
		nb.have_if = true;
	if (peer_servers_ensure(true, why, sizeof(why)) < 0) {
		reply_err(out, tag, EHOSTUNREACH, "peer namespace not ready: %s", why);
		return;
	}
	for (size_t i = 0; i < sizeof(steps) / sizeof(steps[0]); i++) {
		struct kv kv = { .len = 0 };
		long long t0 = now_ms();
		bool pass;

		if (time_left(&nb) < steps[i].min_ms) {
			kv_reason(&kv, "budget");
			pass = false;
		} else {
			pass = steps[i].run(&nb, &kv);
			kv_add(&kv, "step_ms=%lld", now_ms() - t0);
		}
		kv.buf[kv.len] = '\0';
		reply_step(out, tag, steps[i].name, pass, "%s", kv.buf);
		if (pass)
			nb.pass++;
		else
			nb.fail++;
	}
	reply_ok(out, tag, "pass=%d fail=%d ms=%lld", nb.pass, nb.fail,
		 now_ms() - start);
}

void workload_net_basic(struct reply_sink *out, unsigned long long tag,
			unsigned budget_s)
{
	net_basic(out, tag, budget_s, IPERF_SECONDS);
}

void workload_net_basic_quick(struct reply_sink *out, unsigned long long tag,
			      unsigned budget_s)
{
	net_basic(out, tag, budget_s, IPERF_SECONDS_QUICK);
}
