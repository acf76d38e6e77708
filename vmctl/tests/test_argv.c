// SPDX-License-Identifier: MIT
/* test_argv.c — the QEMU command line: exactly the team's shared line, the
 * gdbstub and -incoming additions, and the refusals. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>
#include <cmocka.h>

#include "vmctl.h"

static const char *const shared[] = {
	"qemu-system-x86_64", "-accel", "tcg", "-m", "256M", "-smp", "1", "-nodefaults",
	"-no-user-config", "-display", "none", "-no-reboot",
	"-kernel", "/boot/vmlinuz-X", "-initrd", "/img.cpio.gz",
	"-append", "console=ttyS0,115200 loglevel=8 panic=1 printk.time=1",
	"-chardev", "socket,id=con,path=/d/console.sock,server=on,wait=off", "-serial", "chardev:con",
	"-chardev", "socket,id=agent,path=/d/agent.sock,server=on,wait=off", "-serial", "chardev:agent",
	"-netdev", "hubport,id=n0,hubid=0", "-device", "e1000,netdev=n0,mac=52:54:00:12:34:56",
	"-netdev", "hubport,id=n1,hubid=0", "-device", "virtio-net-pci,netdev=n1,mac=52:54:00:12:34:57",
	"-qmp", "unix:/d/qmp.sock,server=on,wait=off",
	NULL,
};

static void config(struct vm_config *cfg)
{
	vm_config_init(cfg, "/d");
	cfg->kernel = "/boot/vmlinuz-X";
	cfg->initrd = "/img.cpio.gz";
}

static size_t count(char **v)
{
	size_t n = 0;

	while (v[n])
		n++;
	return n;
}

static void test_shared_command_line(void **state)
{
	(void)state;
	struct vm_config cfg;

	config(&cfg);
	cfg.gdb = false;
	char **v = vm_argv_build(&cfg, false);

	assert_non_null(v);
	for (size_t i = 0; shared[i]; i++)
		assert_string_equal(v[i], shared[i]);
	assert_int_equal(count(v), sizeof(shared) / sizeof(shared[0]) - 1);
	vm_argv_free(v);
}

static void test_gdb_and_incoming(void **state)
{
	(void)state;
	struct vm_config cfg;

	config(&cfg);
	char **v = vm_argv_build(&cfg, true);
	size_t n = count(v), base = sizeof(shared) / sizeof(shared[0]) - 1;

	assert_int_equal(n, base + 6);
	assert_string_equal(v[base], "-chardev");
	assert_string_equal(v[base + 1], "socket,id=gdb,path=/d/gdb.sock,server=on,wait=off");
	assert_string_equal(v[base + 3], "chardev:gdb");
	assert_string_equal(v[n - 2], "-incoming");
	assert_string_equal(v[n - 1], "defer");
	vm_argv_free(v);
}

static void test_kvm_and_sizes(void **state)
{
	(void)state;
	struct vm_config cfg;

	config(&cfg);
	cfg.kvm = true;
	cfg.mem_mb = 512;
	cfg.smp = 2;
	char **v = vm_argv_build(&cfg, false);

	assert_string_equal(v[2], "kvm");
	assert_string_equal(v[4], "512M");
	assert_string_equal(v[6], "2");
	vm_argv_free(v);
}

static void test_refusals(void **state)
{
	(void)state;
	static const char *const user[] = { "-netdev", "user,id=u0", NULL };
	static const char *const tap[] = { "--netdev", "tap,id=t0", NULL };
	static const char *const nic[] = { "-nic", "user", NULL };
	static const char *const net[] = { "-net", "nic", NULL };
	static const char *const dangling[] = { "-netdev", NULL };
	static const char *const incoming[] = { "-incoming", "tcp:127.0.0.1:4444", NULL };
	static const char *const ok[] = { "-netdev", "hubport,id=n2,hubid=0", "-device", "e1000,netdev=n2", NULL };
	const char *const *bad[] = { user, tap, nic, net, dangling, incoming };
	struct vm_config cfg;

	config(&cfg);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		cfg.extra_args = bad[i];
		assert_null(vm_argv_build(&cfg, false));
		assert_non_null(strstr(vm_error(), "refused"));
	}
	cfg.extra_args = ok;
	char **v = vm_argv_build(&cfg, false);

	assert_non_null(v);
	assert_string_equal(v[count(v) - 1], "e1000,netdev=n2");
	vm_argv_free(v);
	cfg.dir = NULL;
	assert_null(vm_argv_build(&cfg, false));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_shared_command_line),
		cmocka_unit_test(test_gdb_and_incoming),
		cmocka_unit_test(test_kvm_and_sizes),
		cmocka_unit_test(test_refusals),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
