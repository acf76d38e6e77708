/*
 * Edge cases of the classifier on small hand-written logs: empty and
 * garbage input, truncation, several reports, consequential panics,
 * reboots, nooks containment, prefixes and signature stability.  Real
 * console output is covered by test_corpus.c.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "classify.h"
#include "classify_internal.h"

static struct classify_result classify_str(const char *log)
{
	struct classify_result res;

	assert_int_equal(classify_log(log, strlen(log), &res), 0);
	return res;
}

#define GPF_E1000(ts, addr, extra)					\
	"[" ts "] general protection fault, probably for non-canonical address " addr ": 0000 [#1] PREEMPT SMP NOPTI\n" \
	"[" ts "] CPU: 0 PID: 1234 Comm: ping Not tainted 6.1.0-56-amd64 #1\n" \
	"[" ts "] RIP: 0010:e1000_clean_rx_irq+0x1c/0x3a0 [e1000]\n"	\
	"[" ts "] RSP: 0018:ffffd1b200013d58 EFLAGS: 00000246\n"	\
	"[" ts "] Call Trace:\n"					\
	"[" ts "]  <IRQ>\n"						\
	"[" ts "]  ? die_addr+0x36/0x90\n"				\
	"[" ts "]  e1000_clean+0x2a1/0x8b0 [e1000]\n"			\
	"[" ts "]  __napi_poll+0x2b/0x160\n"				\
	"[" ts "]  </IRQ>\n"						\
	extra								\
	"[" ts "] ---[ end trace 0000000000000000 ]---\n"

static const char banner[] =
	"[    0.000000] Linux version 6.1.0-56-amd64 (debian-kernel@lists.debian.org)\n"
	"[    0.000000] Command line: console=ttyS0\n";

static void test_empty_log_is_no_output(void **state)
{
	struct classify_result res = classify_str("");

	(void)state;
	assert_int_equal(res.nr_reports, 1);
	assert_non_null(res.worst);
	assert_int_equal(res.worst->category, CLASSIFY_NO_OUTPUT);
	assert_string_equal(classify_category_name(res.worst->category),
			    "no-output");
	assert_false(res.kernel_output);
	classify_result_free(&res);
}

static void test_null_arguments_are_rejected(void **state)
{
	struct classify_result res;

	(void)state;
	assert_int_equal(classify_log(NULL, 5, &res), -1);
	assert_int_equal(classify_log("x", 1, NULL), -1);
	assert_int_equal(classify_log(NULL, 0, &res), 0);
	assert_int_equal(res.worst->category, CLASSIFY_NO_OUTPUT);
	classify_result_free(&res);
}

static void test_binary_garbage_does_not_crash(void **state)
{
	char buf[1 << 16];
	uint32_t x = 12345;
	struct classify_result res;

	(void)state;
	for (size_t i = 0; i < sizeof(buf); i++) {
		x = x * 1103515245 + 12345;
		buf[i] = (char)(x >> 16);
	}
	assert_int_equal(classify_log(buf, sizeof(buf), &res), 0);
	assert_non_null(res.worst);
	for (size_t i = 0; i < res.nr_reports; i++)
		assert_true(res.reports[i].end <= sizeof(buf));
	classify_result_free(&res);
}

static void test_clean_boot_has_no_report(void **state)
{
	struct classify_result res = classify_str(
		"[    0.000000] Linux version 6.1.0-56-amd64 (gcc)\n"
		"[    1.000000] e1000: Intel(R) PRO/1000 Network Driver\n"
		"[    2.000000] reboot: Power down\n");

	(void)state;
	assert_true(res.kernel_output);
	assert_int_equal(res.nr_reports, 0);
	assert_null(res.worst);
	classify_result_free(&res);
}

static void test_truncated_report(void **state)
{
	struct classify_result res = classify_str(
		"[    5.000000] BUG: kernel NULL pointer dereference, address: 0000000000000008\n"
		"[    5.000001] #PF: supervisor read access in kernel mode\n");

	(void)state;
	assert_int_equal(res.nr_reports, 1);
	assert_int_equal(res.worst->category, CLASSIFY_PAGE_FAULT);
	assert_true(res.worst->truncated);
	assert_string_equal(res.worst->title,
			    "BUG: kernel NULL pointer dereference");
	assert_string_equal(res.worst->guilty_function, "");
	classify_result_free(&res);
}

static void test_gpf_guilty_frame_and_module(void **state)
{
	struct classify_result res = classify_str(
		GPF_E1000("   12.345678", "0xdead000000000000", ""));
	const struct classify_report *r;

	(void)state;
	assert_int_equal(res.nr_reports, 1);
	r = res.worst;
	assert_int_equal(r->category, CLASSIFY_GPF);
	assert_string_equal(r->title,
			    "general protection fault in e1000_clean_rx_irq");
	assert_string_equal(r->guilty_function, "e1000_clean_rx_irq");
	assert_string_equal(r->guilty_module, "e1000");
	assert_false(r->kernel_died);
	assert_false(r->truncated);
	assert_int_equal(strlen(r->signature), CLASSIFY_SIGNATURE_LEN);
	assert_true(r->printk_time > 12.3456 && r->printk_time < 12.3457);
	classify_result_free(&res);
}

static void test_signature_ignores_addresses_times_pids(void **state)
{
	struct classify_result a = classify_str(
		GPF_E1000("   12.345678", "0xdead000000000000", ""));
	struct classify_result b = classify_str(
		GPF_E1000("  999.000001", "0xbeef000000000123", ""));
	struct classify_result c;
	char other[4096];

	(void)state;
	assert_string_equal(a.worst->signature, b.worst->signature);
	snprintf(other, sizeof(other), "%s",
		 GPF_E1000("   12.345678", "0xdead000000000000", ""));
	memcpy(strstr(other, "e1000_clean_rx_irq"), "e1000_clean_tx_irq", 18);
	c = classify_str(other);
	assert_string_not_equal(a.worst->signature, c.worst->signature);
	classify_result_free(&a);
	classify_result_free(&b);
	classify_result_free(&c);
}

static void test_crlf_nul_and_host_prefix_change_nothing(void **state)
{
	const char *plain = GPF_E1000("   12.345678", "0xdead000000000000", "");
	char messy[8192];
	size_t n = 0;
	struct classify_result a = classify_str(plain), b;

	(void)state;
	/* Host time stamp, CR before LF, a NUL and a BEL inside each line. */
	for (const char *line = plain; *line;) {
		const char *nl = strchr(line, '\n');
		size_t len = (size_t)(nl - line);

		n += (size_t)snprintf(messy + n, sizeof(messy) - n,
				      "[2026-11-25T13:26:33.381942] ");
		memcpy(messy + n, line, 1);
		messy[n + 1] = '\0';
		messy[n + 2] = '\a';
		memcpy(messy + n + 3, line + 1, len - 1);
		n += len + 2;
		messy[n++] = '\r';
		messy[n++] = '\n';
		line = nl + 1;
	}
	assert_int_equal(classify_log(messy, n, &b), 0);
	assert_int_equal(b.nr_reports, 1);
	assert_string_equal(a.worst->title, b.worst->title);
	assert_string_equal(a.worst->signature, b.worst->signature);
	assert_true(b.worst->printk_time > 12.3);
	classify_result_free(&a);
	classify_result_free(&b);
}

static void test_host_prefix_that_looks_like_printk_time(void **state)
{
	struct classify_result res = classify_str(
		"[1764077401.123456] [    7.250000] WARNING: CPU: 0 PID: 1 at drivers/net/x.c:1 e1000_probe+0x10/0x200 [e1000]\n"
		"[1764077401.123457] [    7.250001] ---[ end trace 0000000000000000 ]---\n");

	(void)state;
	assert_int_equal(res.nr_reports, 1);
	assert_int_equal(res.worst->category, CLASSIFY_WARNING);
	assert_string_equal(res.worst->title, "WARNING in e1000_probe");
	assert_true(res.worst->printk_time > 7.24 && res.worst->printk_time < 7.26);
	classify_result_free(&res);
}

/*
 * vmctl's own prefix is "[%12.6f] ", just like a printk time: once a line
 * shows both, a lone bracket is vmctl's, on a line the kernel did not
 * print, and such lines never open reports.
 */
static void test_vmctl_prefix_is_told_from_printk_time(void **state)
{
	struct classify_result res = classify_str(
		"[    1.500000] [    0.000000] Linux version 6.1.0-56-amd64\n"
		"[    2.000000] BUG: printed by a user space program\n"
		"[    2.050000] nooks: e1000: fault spoofed by user space\n"
		"[    2.100000] [    3.250000] BUG: scheduling while atomic: sh/1/0x2\n");

	(void)state;
	assert_true(res.kernel_output);
	assert_int_equal(res.nr_reports, 1);
	assert_int_equal(res.nr_events, 0);
	assert_string_equal(res.worst->title, "BUG: scheduling while atomic");
	assert_true(res.worst->printk_time > 3.2 &&
		    res.worst->printk_time < 3.3);
	classify_result_free(&res);
}

/* A kernel record glued to an unfinished line of another writer. */
static void test_interleaved_kernel_record_is_found(void **state)
{
	struct classify_result res = classify_str(
		"[    1.000000] e1000: eth0 up\n"
		"crashme-init: trigger nu[    5.000000] BUG: kernel NULL pointer dereference, address: 0000000000000000\n"
		"[    5.000001] RIP: 0010:e1000_clean+0x10/0x20 [e1000]\n"
		"[    5.000002] Call Trace:[    5.000003]  e1000_intr+0x1/0x2 [e1000]\n"
		"[    5.000004] ---[ end trace 0000000000000000 ]---\n");

	(void)state;
	assert_int_equal(res.nr_reports, 1);
	assert_string_equal(res.worst->title,
			    "BUG: kernel NULL pointer dereference in e1000_clean");
	assert_true(res.worst->printk_time > 4.9);
	/* The range and line numbers are those of the raw log. */
	assert_int_equal(res.worst->start, strlen("[    1.000000] e1000: eth0 up\n"));
	assert_int_equal(res.worst->first_line, 1);
	assert_int_equal(res.worst->last_line, 4);
	assert_int_equal(res.nr_lines, 5);
	classify_result_free(&res);
}

static void test_two_reports_in_one_log(void **state)
{
	static const char log[] =
		"[    3.000000] ------------[ cut here ]------------\n"
		"[    3.000001] WARNING: CPU: 0 PID: 9 at net/core/dev.c:1 dev_watchdog+0x21e/0x230\n"
		"[    3.000002] Call Trace:\n"
		"[    3.000003]  call_timer_fn+0x27/0x130\n"
		"[    3.000004] ---[ end trace 0000000000000000 ]---\n"
		"[    4.000000] e1000 0000:00:03.0 eth0: Reset adapter\n"
		GPF_E1000("    5.000000", "0xdead000000000000", "");
	struct classify_result res = classify_str(log);

	(void)state;
	assert_int_equal(res.nr_reports, 2);
	assert_int_equal(res.reports[0].category, CLASSIFY_WARNING);
	assert_string_equal(res.reports[0].title, "WARNING in dev_watchdog");
	assert_int_equal(res.reports[1].category, CLASSIFY_GPF);
	assert_ptr_equal(res.worst, &res.reports[1]);
	assert_true(res.reports[0].end <= res.reports[1].start);
	assert_memory_equal(log + res.reports[1].start, "[    5.000000] general", 22);
	classify_result_free(&res);
}

static void test_consequential_panic_marks_oops_as_fatal(void **state)
{
	struct classify_result res = classify_str(
		GPF_E1000("    5.000000", "0xdead000000000000", "")
		"[    5.100000] Kernel panic - not syncing: Fatal exception in interrupt\n"
		"[    5.100001] Kernel Offset: 0x33400000 from 0xffffffff81000000\n"
		"[    5.100002] Rebooting in 1 seconds..\n"
		"[    0.000000] Linux version 6.1.0-56-amd64 (gcc)\n");

	(void)state;
	assert_int_equal(res.nr_reports, 1);
	assert_int_equal(res.worst->category, CLASSIFY_GPF);
	assert_true(res.worst->kernel_died);
	classify_result_free(&res);
}

static void test_standalone_panic(void **state)
{
	struct classify_result res = classify_str(
		"[    2.0] Kernel panic - not syncing: VFS: Unable to mount root fs on unknown-block(0,0)\n"
		"[    2.1] Call Trace:\n"
		"[    2.1]  dump_stack_lvl+0x44/0x5c\n"
		"[    2.1]  panic+0x118/0x2f4\n"
		"[    2.1]  mount_block_root+0x1d5/0x1e4\n");

	(void)state;
	assert_int_equal(res.nr_reports, 1);
	assert_int_equal(res.worst->category, CLASSIFY_PANIC);
	assert_true(res.worst->kernel_died);
	assert_string_equal(res.worst->title,
			    "kernel panic: VFS: Unable to mount root fs on unknown-block(0,0) in mount_block_root");
	classify_result_free(&res);
}

static void test_second_banner_without_death_is_a_reboot(void **state)
{
	char log[1024];
	struct classify_result res;

	(void)state;
	snprintf(log, sizeof(log), "%s[    9.0] e1000: eth0 up\n%s", banner,
		 banner);
	res = classify_str(log);
	assert_int_equal(res.nr_reports, 1);
	assert_int_equal(res.worst->category, CLASSIFY_REBOOT);
	assert_string_equal(res.worst->title, "unexpected reboot");
	assert_true(res.worst->kernel_died);
	classify_result_free(&res);
}

static void test_restart_after_panic_is_not_another_report(void **state)
{
	char log[2048];
	struct classify_result res;

	(void)state;
	snprintf(log, sizeof(log),
		 "%s[    3.0] Kernel panic - not syncing: sysrq triggered crash\n"
		 "[    3.0]  sysrq_handle_crash+0x16/0x20\n"
		 "[    3.1] reboot: Restarting system\n%s", banner, banner);
	res = classify_str(log);
	assert_int_equal(res.nr_reports, 1);
	assert_int_equal(res.worst->category, CLASSIFY_PANIC);
	assert_string_equal(res.worst->guilty_function, "sysrq_handle_crash");
	classify_result_free(&res);
}

static void test_clean_restart_is_a_reboot(void **state)
{
	struct classify_result res = classify_str(
		"[    0.000000] Linux version 6.1.0-56-amd64 (gcc)\n"
		"[    4.000000] reboot: Restarting system\n");

	(void)state;
	assert_int_equal(res.nr_reports, 1);
	assert_int_equal(res.worst->category, CLASSIFY_REBOOT);
	assert_false(res.worst->truncated);
	classify_result_free(&res);
}

static void test_nooks_fault_right_after_oops_is_contained(void **state)
{
	struct classify_result res = classify_str(
		GPF_E1000("    5.000000", "0xdead000000000000", "")
		"[    5.000100] nooks: e1000: fault general protection at e1000_clean_rx_irq+0x1c\n"
		"[    5.200000] nooks: e1000: recovered in 180 ms\n");

	(void)state;
	assert_int_equal(res.nr_reports, 1);
	assert_true(res.worst->contained);
	assert_int_equal(res.nr_events, 2);
	assert_int_equal(res.events[0].kind, CLASSIFY_EVENT_FAULT);
	assert_string_equal(res.events[0].driver, "e1000");
	assert_int_equal(res.events[0].report, 0);
	assert_int_equal(res.events[1].kind, CLASSIFY_EVENT_RECOVERED);
	assert_int_equal(res.events[1].report, -1);
	assert_string_equal(res.events[1].detail, "in 180 ms");
	classify_result_free(&res);
}

static void test_nooks_fault_inside_oops_is_contained(void **state)
{
	struct classify_result res = classify_str(GPF_E1000(
		"    5.000000", "0xdead000000000000",
		"[    5.000000] nooks: e1000: fault trap 13\n"));

	(void)state;
	assert_int_equal(res.nr_reports, 1);
	assert_true(res.worst->contained);
	classify_result_free(&res);
}

static void test_far_nooks_fault_does_not_contain(void **state)
{
	char log[8192];
	size_t n;
	struct classify_result res;

	(void)state;
	n = (size_t)snprintf(log, sizeof(log), "%s",
			     GPF_E1000("    5.000000", "0xdead000000000000", ""));
	for (int i = 0; i < CLASSIFY_CONTAINED_LINES + 1; i++)
		n += (size_t)snprintf(log + n, sizeof(log) - n,
				      "[    6.000000] eth0: link up %d\n", i);
	snprintf(log + n, sizeof(log) - n,
		 "[    7.000000] nooks: e1000: fault late\n");
	res = classify_str(log);
	/* The late fault is a fault of its own, not the GPF's containment. */
	assert_int_equal(res.nr_reports, 2);
	assert_false(res.reports[0].contained);
	assert_int_equal(res.reports[1].category, CLASSIFY_NOOKS_FAULT);
	assert_string_equal(res.reports[1].title, "nooks: fault");
	assert_true(res.reports[1].contained);
	assert_int_equal(res.nr_events, 1);
	assert_int_equal(res.events[0].report, 1);
	classify_result_free(&res);
}

/* nooks stops #GP before the kernel prints anything: only its line shows. */
static void test_lone_nooks_fault_is_a_contained_report(void **state)
{
	struct classify_result native = classify_str(
		GPF_E1000("    5.000000", "0xdead000000000000", ""));
	struct classify_result res = classify_str(
		"[    5.000000] e1000 0000:00:03.0 eth0: up\n"
		"[    5.000100] nooks: e1000: fault #GP at e1000_clean_rx_irq+0x1c/0x3a0 [e1000] addr=0 ctx=softirq entry=e1000_clean\n"
		"[    5.200000] nooks: e1000: recovered in 180 ms\n"
		"[    6.000000] nooks: e1000: fault param at pci_set_master addr=0 ctx=process entry=e1000_open (NULL dev)\n");

	(void)state;
	assert_int_equal(res.nr_reports, 2);
	assert_int_equal(res.reports[0].category, CLASSIFY_GPF);
	assert_string_equal(res.reports[0].title,
			    "general protection fault in e1000_clean_rx_irq");
	assert_true(res.reports[0].contained);
	assert_false(res.reports[0].kernel_died);
	/* Same bug, same signature, with or without nooks. */
	assert_string_equal(res.reports[0].signature, native.worst->signature);
	assert_int_equal(res.reports[1].category, CLASSIFY_NOOKS_FAULT);
	assert_string_equal(res.reports[1].title,
			    "nooks: bad parameter in pci_set_master");
	assert_int_equal(res.events[0].report, 0);
	assert_int_equal(res.events[2].report, 1);
	classify_result_free(&res);
	classify_result_free(&native);
}

/* nooks saw the fault but did not stop it: the oops kills the task. */
static void test_not_contained_fault_line(void **state)
{
	struct classify_result res = classify_str(GPF_E1000(
		"    5.000000", "0xdead000000000000",
		"[    5.000000] nooks: e1000: fault at e1000_clean_rx_irq+0x1c/0x3a0 [e1000] outside any nooks entry: not contained\n"));

	(void)state;
	assert_int_equal(res.nr_reports, 1);
	assert_false(res.worst->contained);
	assert_int_equal(res.events[0].report, -1);
	classify_result_free(&res);
}

/* A contained #PF: the die notifier stops the oops after its header. */
static void test_contained_page_fault_takes_guilty_from_nooks_line(void **state)
{
	struct classify_result res = classify_str(
		"[    5.0] BUG: unable to handle page fault for address: ffffc90000400000\n"
		"[    5.0] #PF: supervisor read access in kernel mode\n"
		"[    5.0] PGD 0 P4D 0\n"
		"[    5.0] Oops: 0000 [#1] PREEMPT SMP NOPTI\n"
		"[    5.0] nooks: e1000: fault #PF at e1000_xmit_frame+0x45/0x9f0 [e1000] addr=0xffffc90000400000 ctx=process entry=e1000_xmit_frame\n"
		"[    5.1] nooks: e1000: recovered in 90 ms\n");

	(void)state;
	assert_int_equal(res.nr_reports, 1);
	assert_string_equal(res.worst->title,
			    "BUG: unable to handle page fault in e1000_xmit_frame");
	assert_string_equal(res.worst->guilty_module, "e1000");
	assert_true(res.worst->contained);
	classify_result_free(&res);
}

static void test_nooks_event_lines(void **state)
{
	struct classify_event ev;

	(void)state;
	assert_true(classify_nooks_event_parse("nooks: e1000: disabled after 3 faults", &ev));
	assert_int_equal(ev.kind, CLASSIFY_EVENT_DISABLED);
	assert_true(classify_nooks_event_parse("nooks: e1000: restart-failed -12", &ev));
	assert_int_equal(ev.kind, CLASSIFY_EVENT_RESTART_FAILED);
	assert_string_equal(ev.detail, "-12");
	assert_true(classify_nooks_event_parse("nooks: my_drv2: fault", &ev));
	assert_string_equal(ev.driver, "my_drv2");
	assert_false(classify_nooks_event_parse("nooks: e1000: faulty", &ev));
	assert_false(classify_nooks_event_parse("nooks: E1000: fault", &ev));
	assert_false(classify_nooks_event_parse("nooks: e1000 fault", &ev));
	assert_false(classify_nooks_event_parse("xnooks: e1000: fault", &ev));
	assert_false(classify_nooks_event_parse("nooks: : fault", &ev));
}

static void test_frame_parsing(void **state)
{
	struct frame f;

	(void)state;
	assert_true(classify_frame_parse(" e1000_xmit_frame+0x45/0x9f0 [e1000]", &f));
	assert_string_equal(f.function, "e1000_xmit_frame");
	assert_string_equal(f.module, "e1000");
	assert_false(f.unreliable);
	assert_true(classify_frame_parse(" ? crashme_trigger_write.cold+0x3d/0x54 [nooks_crashme]", &f));
	assert_string_equal(f.function, "crashme_trigger_write");
	assert_true(f.unreliable);
	assert_true(classify_frame_parse("RIP: 0010:__list_add_valid.cold+0x5/0x10", &f));
	assert_string_equal(f.function, "__list_add_valid");
	assert_string_equal(f.module, "");
	assert_false(classify_frame_parse("RIP: 0033:0x47b7a0", &f));
	assert_false(classify_frame_parse("x+0x/0x10", &f));
	assert_false(classify_frame_parse("+0x10/0x20", &f));
	assert_true(classify_frame_is_skipped("asm_exc_page_fault", NULL));
	assert_true(classify_frame_is_skipped("panic", NULL));
	assert_false(classify_frame_is_skipped("panic_handler", NULL));
	assert_false(classify_frame_is_skipped("e1000_clean", NULL));
}

static void test_very_long_line(void **state)
{
	size_t len = 4 << 20;
	char *log = malloc(len);
	static const char head[] = "[    1.0] BUG: scheduling while atomic: sh/1/0x00000002 ";
	struct classify_result res;

	(void)state;
	assert_non_null(log);
	memset(log, 'A', len);
	memcpy(log, head, sizeof(head) - 1);
	log[len - 1] = '\n';
	assert_int_equal(classify_log(log, len, &res), 0);
	assert_int_equal(res.nr_reports, 1);
	assert_int_equal(res.worst->category, CLASSIFY_BUG);
	assert_string_equal(res.worst->title, "BUG: scheduling while atomic");
	assert_true(res.worst->end <= len);
	classify_result_free(&res);
	free(log);
}

static void test_header_inside_open_report_is_absorbed(void **state)
{
	struct classify_result res = classify_str(
		"[    2.0] list_del corruption, ffff888004c1b000->next is LIST_POISON1 (dead000000000100)\n"
		"[    2.0] ------------[ cut here ]------------\n"
		"[    2.0] kernel BUG at lib/list_debug.c:56!\n"
		"[    2.0] invalid opcode: 0000 [#1] PREEMPT SMP NOPTI\n"
		"[    2.0] RIP: 0010:__list_del_entry_valid.cold+0x4b/0x6f\n"
		"[    2.0] Call Trace:\n"
		"[    2.0]  e1000_remove+0x80/0x140 [e1000]\n"
		"[    2.0] ---[ end trace 0000000000000000 ]---\n");

	(void)state;
	assert_int_equal(res.nr_reports, 1);
	assert_int_equal(res.worst->category, CLASSIFY_LIST_CORRUPTION);
	assert_string_equal(res.worst->title, "list_del corruption in e1000_remove");
	classify_result_free(&res);
}

static void test_bug_variants_and_rcu_titles(void **state)
{
	struct classify_result res = classify_str(
		"[    1.0] BUG: Bad page state in process swapper  pfn:0a123\n"
		"[    1.0]  bad_page+0xcf/0xe0\n"
		"[    1.0]  e1000_alloc_rx_buffers+0x1/0x2 [e1000]\n"
		"[    2.0] ---[ end trace 0000000000000000 ]---\n"
		"[    3.0] BUG: spinlock recursion on CPU#0, swapper/0\n"
		"[    3.0]  do_raw_spin_lock+0x1/0x2\n"
		"[    3.0] ---[ end trace 0000000000000000 ]---\n"
		"[    4.0] rcu: INFO: rcu_sched detected stalls on CPUs/tasks:\n"
		"[    4.0] NMI backtrace for cpu 0\n"
		"[    4.0] RIP: 0010:delay_tsc+0x30/0x50\n"
		"[    4.0]  e1000_watchdog+0x1/0x2 [e1000]\n");

	(void)state;
	assert_int_equal(res.nr_reports, 3);
	assert_string_equal(res.reports[0].title, "BUG: Bad page state in bad_page");
	assert_string_equal(res.reports[1].title, "BUG: spinlock recursion in do_raw_spin_lock");
	assert_int_equal(res.reports[2].category, CLASSIFY_RCU_STALL);
	assert_string_equal(res.reports[2].title, "INFO: rcu detected stall in e1000_watchdog");
	classify_result_free(&res);
}

static void test_category_names_are_unique(void **state)
{
	(void)state;
	for (int i = 0; i < CLASSIFY_CATEGORY_COUNT; i++) {
		const char *a = classify_category_name((enum classify_category)i);

		assert_non_null(a);
		assert_string_not_equal(a, "unknown");
		for (int j = 0; j < i; j++)
			assert_string_not_equal(a, classify_category_name(
					(enum classify_category)j));
	}
	assert_string_equal(classify_category_name(CLASSIFY_CATEGORY_COUNT),
			    "unknown");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_empty_log_is_no_output),
		cmocka_unit_test(test_null_arguments_are_rejected),
		cmocka_unit_test(test_binary_garbage_does_not_crash),
		cmocka_unit_test(test_clean_boot_has_no_report),
		cmocka_unit_test(test_truncated_report),
		cmocka_unit_test(test_gpf_guilty_frame_and_module),
		cmocka_unit_test(test_signature_ignores_addresses_times_pids),
		cmocka_unit_test(test_crlf_nul_and_host_prefix_change_nothing),
		cmocka_unit_test(test_host_prefix_that_looks_like_printk_time),
		cmocka_unit_test(test_vmctl_prefix_is_told_from_printk_time),
		cmocka_unit_test(test_interleaved_kernel_record_is_found),
		cmocka_unit_test(test_two_reports_in_one_log),
		cmocka_unit_test(test_consequential_panic_marks_oops_as_fatal),
		cmocka_unit_test(test_standalone_panic),
		cmocka_unit_test(test_second_banner_without_death_is_a_reboot),
		cmocka_unit_test(test_restart_after_panic_is_not_another_report),
		cmocka_unit_test(test_clean_restart_is_a_reboot),
		cmocka_unit_test(test_nooks_fault_right_after_oops_is_contained),
		cmocka_unit_test(test_nooks_fault_inside_oops_is_contained),
		cmocka_unit_test(test_far_nooks_fault_does_not_contain),
		cmocka_unit_test(test_lone_nooks_fault_is_a_contained_report),
		cmocka_unit_test(test_not_contained_fault_line),
		cmocka_unit_test(test_contained_page_fault_takes_guilty_from_nooks_line),
		cmocka_unit_test(test_nooks_event_lines),
		cmocka_unit_test(test_frame_parsing),
		cmocka_unit_test(test_very_long_line),
		cmocka_unit_test(test_header_inside_open_report_is_absorbed),
		cmocka_unit_test(test_bug_variants_and_rcu_titles),
		cmocka_unit_test(test_category_names_are_unique),
	};

	return cmocka_run_group_tests_name("classify_edge", tests, NULL, NULL);
}
