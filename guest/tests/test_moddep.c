/* Module-name resolution against fake modules.dep trees (moddep.c), the
 * load registry, and modinfo reading from a real .ko (modload.c). */
#include "testutil.h"

#include <errno.h>
#include <sys/stat.h>
#include <sys/utsname.h>

#include "loadreg.h"
#include "moddep.h"
#include "modload.h"

struct tree {
	char *root;
	char kdir[512], ndir[512];
	struct moddep_dirs dirs;
};

static void make_tree(struct tree *t, const char *kernel_dep, const char *nooks_dep)
{
	char path[2048];

	t->root = tu_tempdir();
	snprintf(t->kdir, sizeof(t->kdir), "%s/lib/modules/6.1.0-test", t->root);
	snprintf(t->ndir, sizeof(t->ndir), "%s/lib/modules/nooks", t->root);
	snprintf(path, sizeof(path), "mkdir -p '%s' '%s'", t->kdir, t->ndir);
	assert_int_equal(system(path), 0);
	snprintf(path, sizeof(path), "%s/modules.dep", t->kdir);
	tu_write_file(path, kernel_dep);
	if (nooks_dep) {
		snprintf(path, sizeof(path), "%s/modules.dep", t->ndir);
		tu_write_file(path, nooks_dep);
	}
	t->dirs.kernel_dir = t->kdir;
	t->dirs.nooks_dir = t->ndir;
}

static const char *kernel_dep =
	"kernel/drivers/virtio/virtio.ko: kernel/drivers/virtio/virtio_ring.ko\n"
	"kernel/drivers/virtio/virtio_ring.ko:\n"
	"kernel/drivers/net/virtio_net.ko: kernel/drivers/net/net_failover.ko "
	"kernel/net/core/failover.ko kernel/drivers/virtio/virtio.ko "
	"kernel/drivers/virtio/virtio_ring.ko\n"
	"kernel/drivers/net/net_failover.ko: kernel/net/core/failover.ko\n"
	"kernel/net/core/failover.ko:\n"
	"kernel/drivers/net/ethernet/intel/e1000/e1000.ko:\n"
	"kernel/drivers/a/mod-with-dash.ko:\n";

/* Index of the plan entry ending in suffix, or -1. */
static int plan_index(const struct modplan *p, const char *suffix)
{
	size_t sl = strlen(suffix);

	for (int i = 0; i < p->n; i++) {
		size_t l = strlen(p->path[i]);

		if (l >= sl && strcmp(p->path[i] + l - sl, suffix) == 0)
			return i;
	}
	return -1;
}

static void test_dependencies_come_first(void **state)
{
	struct tree t;
	struct modplan plan;
	char msg[256];

	(void)state;
	make_tree(&t, kernel_dep, NULL);
	assert_int_equal(moddep_plan_name(&t.dirs, "virtio_net", &plan, msg, sizeof(msg)), 0);
	assert_int_equal(plan.n, 5);
	/* Each module after everything it needs; the module itself last. */
	assert_true(plan_index(&plan, "/virtio_ring.ko") < plan_index(&plan, "/virtio.ko"));
	assert_true(plan_index(&plan, "/failover.ko") < plan_index(&plan, "/net_failover.ko"));
	assert_int_equal(plan_index(&plan, "/virtio_net.ko"), 4);
	/* Paths are absolute, under the kernel directory. */
	assert_int_equal(strncmp(plan.path[4], t.kdir, strlen(t.kdir)), 0);
	tu_rmtree(t.root);
}

static void test_module_without_deps_and_dash_names(void **state)
{
	struct tree t;
	struct modplan plan;
	char msg[256];

	(void)state;
	make_tree(&t, kernel_dep, NULL);
	assert_int_equal(moddep_plan_name(&t.dirs, "e1000", &plan, msg, sizeof(msg)), 0);
	assert_int_equal(plan.n, 1);
	assert_int_equal(plan_index(&plan, "/e1000/e1000.ko"), 0);
	/* '-' and '_' name the same module. */
	assert_int_equal(moddep_plan_name(&t.dirs, "mod_with_dash", &plan, msg, sizeof(msg)), 0);
	assert_int_equal(plan_index(&plan, "/mod-with-dash.ko"), 0);
	tu_rmtree(t.root);
}

static void test_unknown_module(void **state)
{
	struct tree t;
	struct modplan plan;
	char msg[256];

	(void)state;
	make_tree(&t, kernel_dep, NULL);
	assert_int_equal(moddep_plan_name(&t.dirs, "e1001", &plan, msg, sizeof(msg)), ENOENT);
	assert_non_null(strstr(msg, "e1001"));
	tu_rmtree(t.root);
}

static void test_nooks_dir_first_and_cross_references(void **state)
{
	struct tree t;
	struct modplan plan;
	char msg[256], nooks_dep[2048], path[1024];

	(void)state;
	t.root = NULL;
	make_tree(&t, kernel_dep, "");
	/* nooks_wrap needs nooks (relative) and virtio (absolute, kernel). */
	snprintf(nooks_dep, sizeof(nooks_dep),
		 "nooks_wrap.ko: nooks.ko %s/kernel/drivers/virtio/virtio.ko\n"
		 "nooks.ko:\n"
		 "e1000.ko:\n", t.kdir);
	snprintf(path, sizeof(path), "%s/modules.dep", t.ndir);
	tu_write_file(path, nooks_dep);
	/* A .ko with no modules.dep line is still found by name. */
	snprintf(path, sizeof(path), "%s/lonely.ko", t.ndir);
	tu_write_file(path, "");

	assert_int_equal(moddep_plan_name(&t.dirs, "nooks_wrap", &plan, msg, sizeof(msg)), 0);
	assert_int_equal(plan.n, 4);
	assert_true(plan_index(&plan, "/virtio_ring.ko") < plan_index(&plan, "/virtio.ko"));
	assert_true(plan_index(&plan, "nooks/nooks.ko") < plan_index(&plan, "nooks/nooks_wrap.ko"));
	assert_int_equal(plan_index(&plan, "nooks/nooks_wrap.ko"), 3);

	/* A project e1000 shadows the kernel's. */
	assert_int_equal(moddep_plan_name(&t.dirs, "e1000", &plan, msg, sizeof(msg)), 0);
	assert_int_equal(plan.n, 1);
	assert_int_equal(strncmp(plan.path[0], t.ndir, strlen(t.ndir)), 0);

	assert_int_equal(moddep_plan_name(&t.dirs, "lonely", &plan, msg, sizeof(msg)), 0);
	assert_int_equal(plan.n, 1);
	tu_rmtree(t.root);
}

static void test_dependency_cycle(void **state)
{
	struct tree t;
	struct modplan plan;
	char msg[256];

	(void)state;
	make_tree(&t, "a.ko: b.ko\nb.ko: c.ko\nc.ko: a.ko\n", NULL);
	assert_int_equal(moddep_plan_name(&t.dirs, "a", &plan, msg, sizeof(msg)), ELOOP);
	assert_non_null(strstr(msg, "cycle"));
	tu_rmtree(t.root);
}

static void test_plan_for_a_file(void **state)
{
	struct tree t;
	struct modplan plan;
	char msg[256];

	(void)state;
	make_tree(&t, kernel_dep, NULL);
	assert_int_equal(moddep_plan_file(&t.dirs, "/tmp/mutant.ko", "virtio,failover",
					  &plan, msg, sizeof(msg)), 0);
	assert_int_equal(plan.n, 4);
	assert_string_equal(plan.path[3], "/tmp/mutant.ko");
	assert_int_equal(moddep_plan_file(&t.dirs, "/tmp/mutant.ko", "", &plan, msg,
					  sizeof(msg)), 0);
	assert_int_equal(plan.n, 1);
	assert_int_equal(moddep_plan_file(&t.dirs, "/tmp/m.ko", "nosuch", &plan, msg,
					  sizeof(msg)), ENOENT);
	tu_rmtree(t.root);
}

static void test_missing_dep_files(void **state)
{
	struct moddep_dirs dirs = { "/nonexistent/nooks", "/nonexistent/kernel" };
	struct modplan plan;
	char msg[256];

	(void)state;
	assert_int_equal(moddep_plan_name(&dirs, "e1000", &plan, msg, sizeof(msg)), ENOENT);
}

static void test_names_and_paths(void **state)
{
	char name[64];

	(void)state;
	moddep_name_of("/a/b/virtio-net.ko", name, sizeof(name));
	assert_string_equal(name, "virtio_net");
	moddep_name_of("e1000", name, sizeof(name));
	assert_string_equal(name, "e1000");
	assert_true(moddep_is_path("/tmp/e1000"));
	assert_true(moddep_is_path("e1000.ko"));
	assert_false(moddep_is_path("e1000"));
}

static void test_load_registry(void **state)
{
	const struct loadrec *r;

	(void)state;
	assert_null(loadreg_find("e1000"));
	loadreg_record("e1000", "/lib/modules/x/e1000.ko", "");
	loadreg_record("e1000", "/tmp/e1000-mutant.ko", "debug=16");
	r = loadreg_find("e1000");
	assert_non_null(r);
	assert_string_equal(r->path, "/tmp/e1000-mutant.ko");
	assert_string_equal(r->params, "debug=16");
	loadreg_record("virtio-net", "/v.ko", NULL);
	assert_non_null(loadreg_find("virtio_net"));
}

/* modinfo from the real e1000.ko of the guest kernel, when installed. */
static void test_modinfo_of_a_real_module(void **state)
{
	char path[512], value[256], kver[128];
	FILE *p = popen("../tools/guest-kver 2>/dev/null || ../../tools/guest-kver", "r");

	(void)state;
	assert_non_null(p);
	if (!fgets(kver, sizeof(kver), p)) {
		pclose(p);
		skip();
	}
	pclose(p);
	kver[strcspn(kver, "\n")] = '\0';
	snprintf(path, sizeof(path),
		 "/lib/modules/%s/kernel/drivers/net/ethernet/intel/e1000/e1000.ko", kver);
	if (access(path, R_OK) != 0)
		skip();
	assert_int_equal(modinfo_get(path, "name", value, sizeof(value)), 0);
	assert_string_equal(value, "e1000");
	assert_int_equal(modinfo_get(path, "depends", value, sizeof(value)), 0);
	assert_string_equal(value, "");
	assert_int_equal(modinfo_get(path, "license", value, sizeof(value)), 0);
	assert_string_equal(value, "GPL v2");
	assert_int_equal(modinfo_get(path, "nosuchkey", value, sizeof(value)), 0);
	assert_string_equal(value, "");
	/* Not an ELF file. */
	assert_int_equal(modinfo_get("/etc/hostname", "name", value, sizeof(value)), EINVAL);
	assert_int_equal(modinfo_get("/nonexistent.ko", "name", value, sizeof(value)), ENOENT);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_dependencies_come_first),
		cmocka_unit_test(test_module_without_deps_and_dash_names),
		cmocka_unit_test(test_unknown_module),
		cmocka_unit_test(test_nooks_dir_first_and_cross_references),
		cmocka_unit_test(test_dependency_cycle),
		cmocka_unit_test(test_plan_for_a_file),
		cmocka_unit_test(test_missing_dep_files),
		cmocka_unit_test(test_names_and_paths),
		cmocka_unit_test(test_load_registry),
		cmocka_unit_test(test_modinfo_of_a_real_module),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
