/* run-campaign's pure parts: campaign file, seeds, shards, outcome rules. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "campaign.h"
#include "outcome.h"

static char conf_file[] = "/tmp/test_campaign.XXXXXX";

static int load_text(const char *text, struct campaign_cfg *cfg, char *err, size_t errlen)
{
	FILE *f = fopen(conf_file, "w");

	assert_non_null(f);
	fputs(text, f);
	fclose(f);
	memset(cfg, 0, sizeof(*cfg));
	return conf_load(conf_file, "/repo", cfg, err, errlen);
}

static void test_shipped_e1000_conf_parses(void **state)
{
	struct campaign_cfg cfg = { 0 };
	char err[512];

	(void)state;
	/* make test runs in campaigns/tests */
	assert_int_equal(conf_load("../e1000.conf", "/repo", &cfg, err, sizeof(err)), 0);
	assert_string_equal(cfg.driver, "e1000");
	assert_int_equal(cfg.n_modes, 3);
	assert_string_equal(cfg.modes[0], "native");
	assert_string_equal(cfg.modes[1], "nooks");
	assert_string_equal(cfg.modes[2], "nooks-pt");
	assert_int_equal(cfg.faults_per_trial, 5);
	assert_int_equal(cfg.jobs, 0);
	assert_string_equal(cfg.db, "/repo/results/e1000.db");
	assert_true(cfg.all_types);
	/* the page-table mode's setup is spelt out in the file */
	assert_string_equal(campaign_mode_setup(&cfg, "nooks-pt")->nooks_params, "isolation=pagetable");
	assert_string_equal(campaign_mode_setup(&cfg, "nooks-pt")->kernel_args, "clearcpuid=13");
	assert_string_equal(campaign_mode_setup(&cfg, "nooks")->nooks_params, "");
}

static void test_conf_values(void **state)
{
	struct campaign_cfg cfg;
	char err[512];

	(void)state;
	assert_int_equal(load_text("# comment\n\n  trials = 8   # trailing\nmodes=native\n"
				   "types = text-bitflip, pointer\nseed = 0x10\ndb = /abs/x.db\n",
				   &cfg, err, sizeof(err)), 0);
	assert_int_equal(cfg.trials, 8);
	assert_int_equal(cfg.n_modes, 1);
	assert_int_equal(cfg.n_types, 2);
	assert_string_equal(cfg.types[1], "pointer");
	assert_int_equal(cfg.seed, 16);
	assert_string_equal(cfg.db, "/abs/x.db");
}

static void expect_error(const char *text, const char *fragment)
{
	struct campaign_cfg cfg;
	char err[512];

	assert_int_equal(load_text(text, &cfg, err, sizeof(err)), -1);
	if (!strstr(err, fragment))
		fail_msg("error '%s' lacks '%s'", err, fragment);
}

static void test_conf_errors_name_the_line(void **state)
{
	(void)state;
	expect_error("trials = 8\nbogus = 1\n", ":2: unknown key 'bogus'");
	expect_error("trials = 8\ntrials = 9\n", ":2: key 'trials' set twice");
	expect_error("\n\njust words\n", ":3: expected 'key = value'");
	expect_error("trials = eight\n", ":1: trials must be an integer");
	expect_error("trials = 0\n", ":1: trials must be an integer >= 1");
	expect_error("trials =\n", ":1: key 'trials' has no value");
	expect_error(" = 3\n", ":1: missing key");
	expect_error("modes = native, xen\n", "unknown mode 'xen'");
	expect_error("modes = native,,nooks\n", "empty item");
	expect_error("modes = nooks, nooks\n", "listed twice");
	expect_error("modes = native, nooks-pt, nooks-pt\n", "listed twice");
	expect_error("nooks-pt.nooks_params = isolation\n", ":1: nooks-pt.nooks_params: 'isolation' is not name=value");
	expect_error("nooks-pt.nooks_params = isolation=\n", "is not name=value");
	expect_error("nooks-pt.nooks_params = a-b=1\n", "is not name=value");
	expect_error("nooks-pt.kernel_args = \"quoted\"\n", "without quotes");
	expect_error("native.nooks_params = contain=0\n", "mode native does not load nooks.ko");
	expect_error("xen.kernel_args = nopti\n", "unknown mode 'xen' in key 'xen.kernel_args'");
	expect_error("nooks-pt.colour = red\n", "per-mode keys: nooks-pt.nooks_params, nooks-pt.kernel_args");
	expect_error("nooks-pt.kernel_args = a\nnooks-pt.kernel_args = b\n", ":2: key 'nooks-pt.kernel_args' set twice");
	expect_error("seed = -1\n", "seed must be an unsigned integer");
	expect_error("workload = web\n", "unknown workload");
	expect_error("activation = maybe\n", "activation must be");
	assert_int_equal(conf_load("/nonexistent/x.conf", NULL, &(struct campaign_cfg){ 0 },
				   (char[64]){ 0 }, 64), -1);
}

static void test_modes_three_and_setups(void **state)
{
	struct campaign_cfg cfg;
	const struct mode_setup *pt, *nooks, *native;
	char err[512];

	(void)state;
	assert_int_equal(load_text("modes = native, nooks, nooks-pt\n"
				   "nooks-pt.nooks_params = isolation=pagetable  extra=1\n"
				   "nooks-pt.kernel_args = clearcpuid=13 nopti\n"
				   "nooks.kernel_args = none\n", &cfg, err, sizeof(err)), 0);
	assert_int_equal(cfg.n_modes, 3);
	assert_string_equal(cfg.modes[2], "nooks-pt");
	pt = campaign_mode_setup(&cfg, "nooks-pt");
	nooks = campaign_mode_setup(&cfg, "nooks");
	native = campaign_mode_setup(&cfg, "native");
	assert_non_null(pt);
	assert_null(campaign_mode_setup(&cfg, "nooks-pt2"));
	assert_string_equal(pt->nooks_params, "isolation=pagetable  extra=1");
	assert_string_equal(pt->kernel_args, "clearcpuid=13 nopti");
	assert_string_equal(nooks->kernel_args, "");
	/* the same isolated driver in both nooks modes, the runtime only there */
	assert_true(pt->isolate && pt->runtime && nooks->isolate && nooks->runtime);
	assert_false(native->isolate || native->runtime);
	/* --modes (conf_set) replaces the list; the setups stay */
	assert_int_equal(conf_set(&cfg, "modes", "nooks-pt,native", NULL, err, sizeof(err)), 0);
	assert_int_equal(cfg.n_modes, 2);
	assert_string_equal(cfg.modes[0], "nooks-pt");
	assert_string_equal(campaign_mode_setup(&cfg, "nooks-pt")->kernel_args, "clearcpuid=13 nopti");
	/* a failed --modes leaves the list as it was */
	assert_int_equal(conf_set(&cfg, "modes", "native,pt", NULL, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "unknown mode 'pt' (known: native, nooks, nooks-pt)"));
	assert_int_equal(cfg.n_modes, 2);
	/* a zeroed cfg answers with the built-in setups, const or not */
	struct campaign_cfg zero = { 0 };
	assert_string_equal(campaign_mode_setup_c(&zero, "nooks-pt")->nooks_params, "isolation=pagetable");
	assert_null(campaign_mode_setup_c(&zero, "bogus"));
}

static void test_modinfo_params(void **state)
{
	static const char blob[] = "license=GPL\0parm=contain:contain faults (bool)\0parmtype=contain:bool\0"
				   "description=parm=isolation:not a parameter\0parmtype=isolation_x:charp\0"
				   "parm=max_restarts:restarts";

	(void)state;
	assert_true(modinfo_declares_param(blob, sizeof(blob) - 1, "contain"));
	assert_true(modinfo_declares_param(blob, sizeof(blob) - 1, "max_restarts"));
	assert_false(modinfo_declares_param(blob, sizeof(blob) - 1, "isolation"));
	assert_false(modinfo_declares_param(blob, sizeof(blob) - 1, "max"));
	assert_false(modinfo_declares_param(blob, sizeof(blob) - 1, "license"));
	/* a truncated blob (no final NUL) is not read past its end */
	assert_false(modinfo_declares_param(blob, 5, "contain"));
}

/* The real .modinfo of a real module: the stock e1000.ko declares TxDescriptors and debug. */
static void test_mode_supported_on_a_real_module(void **state)
{
	struct mode_setup s = { "nooks-pt", true, true, "TxDescriptors=256 debug=1", "" };
	const char *kver = getenv("KVER");
	char ko[512], why[1024];

	(void)state;
	snprintf(ko, sizeof(ko), "/lib/modules/%s/kernel/drivers/net/ethernet/intel/e1000/e1000.ko",
		 kver ? kver : "");
	if (!kver || access(ko, R_OK) != 0)
		skip();
	assert_int_equal(campaign_mode_supported(&s, ko, why, sizeof(why)), 1);
	strcpy(s.nooks_params, "debug=1 isolation=pagetable");
	assert_int_equal(campaign_mode_supported(&s, ko, why, sizeof(why)), 0);
	assert_non_null(strstr(why, "unsupported by this nooks.ko"));
	assert_non_null(strstr(why, "no module parameter 'isolation'"));
	assert_int_equal(campaign_mode_supported(&s, "/nonexistent.ko", why, sizeof(why)), -1);
	assert_int_equal(campaign_mode_supported(&s, "../e1000.conf", why, sizeof(why)), -1);
	assert_non_null(strstr(why, "not an ELF module"));
	/* no parameters: nothing to check, not even the file */
	s.nooks_params[0] = '\0';
	assert_int_equal(campaign_mode_supported(&s, "/nonexistent.ko", why, sizeof(why)), 1);
}

static void test_shard_parse_and_partition(void **state)
{
	int i, n;

	(void)state;
	assert_int_equal(conf_parse_shard("2/3", &i, &n), 0);
	assert_int_equal(i, 2);
	assert_int_equal(n, 3);
	assert_int_equal(conf_parse_shard("0/3", &i, &n), -1);
	assert_int_equal(conf_parse_shard("4/3", &i, &n), -1);
	assert_int_equal(conf_parse_shard("1/0", &i, &n), -1);
	assert_int_equal(conf_parse_shard("1/2x", &i, &n), -1);
	/* every index is in exactly one shard */
	for (int64_t t = 0; t < 100; t++) {
		int owners = 0;

		for (int s = 1; s <= 3; s++)
			owners += campaign_in_shard(t, s, 3);
		assert_int_equal(owners, 1);
		assert_true(campaign_in_shard(t, 1, 1));
	}
}

static void test_trial_seeds(void **state)
{
	(void)state;
	/* deterministic, and different across trials and campaigns */
	assert_true(campaign_trial_seed(1, 0) == campaign_trial_seed(1, 0));
	assert_true(campaign_trial_seed(1, 0) != campaign_trial_seed(1, 1));
	assert_true(campaign_trial_seed(1, 5) != campaign_trial_seed(2, 5));
	/* seed s trial i+1 must not equal seed s+1 trial i (no sliding overlap) */
	assert_true(campaign_trial_seed(1, 1) != campaign_trial_seed(2, 0));
}

static void test_trial_type_round_robin_and_config_json(void **state)
{
	struct campaign_cfg cfg = { .n_types = 3, .faults_per_trial = 5, .seed = 18446744073709551615ULL,
				    .budget_s = 60 };
	char *a, *b;

	(void)state;
	strcpy(cfg.types[0], "a");
	strcpy(cfg.types[1], "b");
	strcpy(cfg.types[2], "c");
	strcpy(cfg.driver, "e1000");
	strcpy(cfg.workload, "net-basic");
	assert_string_equal(campaign_trial_type(&cfg, 0), "a");
	assert_string_equal(campaign_trial_type(&cfg, 4), "b");
	a = campaign_config_json(&cfg, "abcd");
	/* the seed survives beyond 2^53, keys are sorted, trials/jobs are not part of it */
	assert_non_null(strstr(a, "\"seed\":\"18446744073709551615\""));
	assert_true(strstr(a, "\"budget_s\"") < strstr(a, "\"driver\""));
	assert_null(strstr(a, "jobs"));
	cfg.trials = 99;
	cfg.jobs = 7;
	b = campaign_config_json(&cfg, "abcd");
	assert_string_equal(a, b);
	free(b);
	/* built-in mode setups are not spelt out (older campaigns keep their identity) */
	assert_null(strstr(a, "mode_setups"));
	campaign_modes_init(&cfg);
	b = campaign_config_json(&cfg, "abcd");
	assert_string_equal(a, b);
	free(b);
	/* a changed setup is another experiment */
	strcpy(campaign_mode_setup(&cfg, "nooks-pt")->kernel_args, "nopti");
	b = campaign_config_json(&cfg, "abcd");
	assert_non_null(strstr(b, "\"mode_setups\":{\"nooks-pt\":{\"kernel_args\":\"nopti\","));
	free(b);
	campaign_modes_init(&cfg);
	cfg.faults_per_trial = 4;
	b = campaign_config_json(&cfg, "abcd");
	assert_string_not_equal(a, b);
	free(a);
	free(b);
}

/* ---- outcome rules ---- */

static const char *decide(const struct trial_obs *o, char *reason)
{
	struct trial_verdict v;
	bool harness;

	outcome_decide(o, &v, &harness);
	if (reason)
		strcpy(reason, v.sub_reason);
	return v.outcome;
}

static struct trial_obs all_good(void)
{
	return (struct trial_obs){ .load = PHASE_OK, .run = PHASE_OK, .alive_check = PHASE_OK,
				   .steps_pass = 9, .run_ok_all_passed = true };
}

static void test_outcome_rules(void **state)
{
	struct trial_obs o;
	char why[96];

	(void)state;
	o = all_good();
	assert_string_equal(decide(&o, NULL), "no-effect");

	o = all_good();
	o.run = PHASE_EXITED;
	o.kernel_died = true;
	assert_string_equal(decide(&o, why), "crash");
	assert_string_equal(why, "panic-during-run");

	o = all_good();
	o.run = PHASE_HUNG;
	assert_string_equal(decide(&o, why), "crash");
	assert_string_equal(why, "hang-during-run");

	o = all_good();
	o.kernel_died = true;	/* panic printed, QEMU not gone yet */
	assert_string_equal(decide(&o, NULL), "crash");

	o = all_good();
	o.uncontained_oopses = 1;
	o.run_ok_all_passed = false;
	assert_string_equal(decide(&o, NULL), "oops-survived");

	o = all_good();
	o.nooks_faults = 1;
	o.nooks_recoveries = 1;
	o.contained_oopses = 1;
	assert_string_equal(decide(&o, NULL), "recovered");

	o.run_ok_all_passed = false;
	o.steps_fail = 1;
	o.first_failed_step = "tcp-rx";
	assert_string_equal(decide(&o, why), "recovered-degraded");
	assert_string_equal(why, "step-failed:tcp-rx");

	o = all_good();
	o.load = PHASE_ERR;
	o.run = PHASE_NOT_RUN;
	o.run_ok_all_passed = false;
	assert_string_equal(decide(&o, why), "driver-failure");
	assert_string_equal(why, "load-err");

	o = all_good();
	o.run_ok_all_passed = false;
	o.steps_fail = 2;
	o.first_failed_step = "ping";
	assert_string_equal(decide(&o, why), "driver-failure");
	assert_string_equal(why, "step-failed:ping");

	o = all_good();
	o.warnings = 1;
	assert_string_equal(decide(&o, NULL), "driver-failure");

	o = all_good();
	o.nooks_faults = 1;
	o.nooks_disabled = 1;
	assert_string_equal(decide(&o, why), "driver-failure");
	assert_string_equal(why, "nooks-disabled-driver");

	/* an oops nooks did not contain outranks a recovery */
	o = all_good();
	o.nooks_faults = 1;
	o.nooks_recoveries = 1;
	o.uncontained_oopses = 1;
	assert_string_equal(decide(&o, NULL), "oops-survived");

	/* host trouble is never a driver outcome */
	o = all_good();
	o.run = PHASE_IO;
	struct trial_verdict v;
	bool harness;
	outcome_decide(&o, &v, &harness);
	assert_true(harness);
	assert_string_equal(v.outcome, "harness-error");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_shipped_e1000_conf_parses),
		cmocka_unit_test(test_conf_values),
		cmocka_unit_test(test_conf_errors_name_the_line),
		cmocka_unit_test(test_modes_three_and_setups),
		cmocka_unit_test(test_modinfo_params),
		cmocka_unit_test(test_mode_supported_on_a_real_module),
		cmocka_unit_test(test_shard_parse_and_partition),
		cmocka_unit_test(test_trial_seeds),
		cmocka_unit_test(test_trial_type_round_robin_and_config_json),
		cmocka_unit_test(test_outcome_rules),
	};
	int fd = mkstemp(conf_file), rc;

	if (fd < 0)
		return 1;
	close(fd);
	rc = cmocka_run_group_tests(tests, NULL, NULL);
	unlink(conf_file);
	return rc;
}
