/*
 * run-campaign --driver e1000 [options]: paired fault-injection trials in
 * parallel QEMU guests, one row per (trial, mode) in the results database.
 * Defaults come from campaigns/<driver>.conf; options override them.
 */
#include <dirent.h>
#include <errno.h>
#include <getopt.h>
#include <libgen.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include <jansson.h>

#include "inject.h"
#include "runner.h"
#include "vmctl.h"

#define RUN_CAMPAIGN_VERSION "1"

static volatile sig_atomic_t stop_requested;

static void on_signal(int sig)
{
	if (stop_requested)	/* second Ctrl-C: leave now; VMs die with us */
		_exit(128 + sig);
	stop_requested = 1;
}

static void usage(FILE *f)
{
	fputs("usage: run-campaign --driver NAME [options]\n"
	      "  --modes native,nooks[,nooks-pt]  modes to run (paired: same faults in each)\n"
	      "  --trials N                trial indices 0..N-1\n"
	      "  --faults-per-trial K      faults injected per trial\n"
	      "  --types T1,T2|all         fault types (trial i uses types[i mod n])\n"
	      "  --seed S                  campaign seed\n"
	      "  --jobs J                  parallel VMs (0 = number of cores)\n"
	      "  --db PATH                 results database\n"
	      "  --name NAME               campaign name in the database\n"
	      "  --resume                  continue a campaign already in the database\n"
	      "  --shard i/N               run only trial indices with index mod N = i-1\n"
	      "  --workload NAME           guest workload (net-basic)\n"
	      "  --budget SECONDS          workload budget\n"
	      "  --retries R               retries of a harness failure\n"
	      "  --activation gdb|off      fault-site breakpoints for the activated column\n"
	      "  --config FILE             campaign file (default campaigns/<driver>.conf)\n"
	      "  --set KEY=VALUE           any campaign-file key\n"
	      "  --dry-run                 print this shard's (trial, mode, type, plan) as JSON lines\n"
	      "  --mode-info               print each mode's setup and whether build/kmod/nooks.ko\n"
	      "                            supports it, as JSON lines; run nothing\n"
	      "  -v, --verbose             one line per trial even on a terminal\n", f);
}

/* The repository root: $TOP, else the parent of the directory of this program. */
static void find_top(char *top, size_t size)
{
	char exe[PATH_MAX];
	ssize_t n;
	const char *env = getenv("TOP");

	if (env && *env) {
		snprintf(top, size, "%s", env);
		return;
	}
	n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	if (n <= 0) {
		snprintf(top, size, ".");
		return;
	}
	exe[n] = '\0';
	snprintf(top, size, "%s", dirname(dirname(exe)));
}

/* First line of a program's stdout (argv, no shell). */
static int command_line_output(char *const argv[], char *out, size_t size)
{
	int fds[2], status;
	pid_t pid;
	ssize_t n;

	if (pipe(fds) != 0)
		return -1;
	pid = fork();
	if (pid < 0)
		return -1;
	if (pid == 0) {
		dup2(fds[1], STDOUT_FILENO);
		close(fds[0]);
		close(fds[1]);
		execv(argv[0], argv);
		_exit(127);
	}
	close(fds[1]);
	n = read(fds[0], out, size - 1);
	close(fds[0]);
	waitpid(pid, &status, 0);
	if (n <= 0 || !WIFEXITED(status) || WEXITSTATUS(status) != 0)
		return -1;
	out[n] = '\0';
	out[strcspn(out, "\n")] = '\0';
	return 0;
}

static void list_drivers(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	int n = 0;

	fprintf(stderr, "run-campaign: known drivers:");
	while (d && (e = readdir(d))) {
		size_t len = strlen(e->d_name);

		if (len > 5 && strcmp(e->d_name + len - 5, ".conf") == 0) {
			fprintf(stderr, " %.*s", (int)(len - 5), e->d_name);
			n++;
		}
	}
	fprintf(stderr, "%s\n", n ? "" : " none");
	if (d)
		closedir(d);
}

static void set_defaults(struct campaign_cfg *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	snprintf(cfg->workload, sizeof(cfg->workload), "net-basic");
	cfg->trials = 100;
	cfg->faults_per_trial = 5;
	cfg->all_types = true;
	cfg->seed = 1;
	cfg->budget_s = 120;
	cfg->retries = 2;
	cfg->activation = true;
	cfg->shard_index = cfg->shard_count = 1;
	snprintf(cfg->modes[0], sizeof(cfg->modes[0]), "native");
	snprintf(cfg->modes[1], sizeof(cfg->modes[1]), "nooks");
	cfg->n_modes = 2;
	campaign_modes_init(cfg);
}

/*
 * Drops the fault types the injector cannot plan for this module at load
 * time (no sites, or run-time only). Explicitly requested types that cannot
 * be planned are an error; with "all" they are skipped with a note.
 */
static int resolve_types(struct campaign_cfg *cfg, char *err, size_t errlen)
{
	struct inj_error ierr = { { 0 } };
	struct inj_module *m = inj_module_open(cfg->module, &ierr);
	char names[CAMPAIGN_MAX_TYPES][32];
	size_t n = 0, n_names = 0;

	if (!m) {
		snprintf(err, errlen, "%s: %s", cfg->module, ierr.msg);
		return -1;
	}
	if (cfg->all_types) {
		for (int t = 0; t < INJ_NTYPES && n_names < CAMPAIGN_MAX_TYPES; t++)
			snprintf(names[n_names++], sizeof(names[0]), "%s", inj_type_name((enum inj_type)t));
	} else {
		for (size_t i = 0; i < cfg->n_types; i++) {
			if (inj_type_parse(cfg->types[i]) < 0) {
				snprintf(err, errlen, "unknown fault type '%s'", cfg->types[i]);
				inj_module_close(m);
				return -1;
			}
			snprintf(names[n_names++], sizeof(names[0]), "%s", cfg->types[i]);
		}
	}
	for (size_t i = 0; i < n_names; i++) {
		struct inj_plan plan;
		int t = inj_type_parse(names[i]);

		if (inj_plan_make(m, cfg->seed, (unsigned)cfg->faults_per_trial, 1u << t, INJ_MODE_LOAD,
				  &plan, &ierr) < 0) {
			if (!cfg->all_types) {
				snprintf(err, errlen, "fault type '%s' cannot be injected into %s: %s",
					 names[i], cfg->module, ierr.msg);
				inj_module_close(m);
				return -1;
			}
			fprintf(stderr, "run-campaign: note: skipping fault type %s (%s)\n", names[i], ierr.msg);
			continue;
		}
		inj_plan_free(&plan);
		snprintf(cfg->types[n++], sizeof(cfg->types[0]), "%s", names[i]);
	}
	cfg->n_types = n;
	inj_module_close(m);
	if (n == 0) {
		snprintf(err, errlen, "no fault type can be injected into %s", cfg->module);
		return -1;
	}
	return 0;
}

static int prepare_snapshots(struct campaign_run *run, char *err, size_t errlen)
{
	struct campaign_cfg *cfg = run->cfg;
	char cache[1200], dir[1200], append[1024], prep_buf[512];

	snprintf(cache, sizeof(cache), "%s/build/snapshots", cfg->top);
	mkdir(cache, 0755);
	for (size_t m = 0; m < cfg->n_modes; m++) {
		struct vm_config vcfg;
		const char *prep[2];

		snprintf(dir, sizeof(dir), "%s/snap-%s", cfg->work_dir, cfg->modes[m]);
		mode_vm_config(cfg, cfg->modes[m], dir, &vcfg, append, sizeof(append));
		mode_prep(cfg, cfg->modes[m], prep_buf, sizeof(prep_buf), prep);
		fprintf(stderr, "run-campaign: ready snapshot for %s (%s%s%s; cached in %s; the first one boots a guest)\n",
			cfg->modes[m], prep[0] ? prep[0] : "no runtime",
			vcfg.append == append ? ", kernel command line + " : "",
			vcfg.append == append ? campaign_mode_setup(cfg, cfg->modes[m])->kernel_args : "", cache);
		if (vm_ready_snapshot(&vcfg, cache, prep, run->snapshot[m], sizeof(run->snapshot[m])) < 0) {
			snprintf(err, errlen, "cannot make the %s snapshot: %s", cfg->modes[m], vm_error());
			remove_tree(dir);
			return -1;
		}
		remove_tree(dir);
		if (mode_verify_snapshot(cfg, cfg->modes[m], run->snapshot[m], dir, err, errlen) < 0) {
			remove_tree(dir);
			return -1;
		}
		remove_tree(dir);
	}
	return 0;
}

/* The nooks modes need the runtime in the guest image, one that knows their parameters, and the isolator. */
static int check_mode_tools(struct campaign_cfg *cfg, char *err, size_t errlen)
{
	char path[1200], why[1024];

	for (size_t m = 0; m < cfg->n_modes; m++) {
		const struct mode_setup *s = campaign_mode_setup(cfg, cfg->modes[m]);

		if (!s->runtime)
			continue;
		snprintf(path, sizeof(path), "%s/build/kmod/nooks.ko", cfg->top);
		if (access(path, R_OK) != 0) {
			snprintf(err, errlen, "mode %s needs %s (the nooks runtime), which is missing; "
				 "build it or run with --modes native", cfg->modes[m], path);
			return -1;
		}
		if (campaign_mode_supported(s, path, why, sizeof(why)) != 1) {
			snprintf(err, errlen, "mode %s: %s", cfg->modes[m], why);
			return -1;
		}
		snprintf(path, sizeof(path), "%s/bin/nooks-isolate", cfg->top);
		if (s->isolate && access(path, X_OK) != 0) {
			snprintf(err, errlen, "mode %s needs %s, which is missing; build it or run with "
				 "--modes native", cfg->modes[m], path);
			return -1;
		}
	}
	return 0;
}

/* --mode-info: one JSON line per selected mode, for scripts (bench/run-modes). */
static int print_mode_info(struct campaign_cfg *cfg)
{
	char ko[1200], why[1024], append[1024];

	snprintf(ko, sizeof(ko), "%s/build/kmod/nooks.ko", cfg->top);
	for (size_t m = 0; m < cfg->n_modes; m++) {
		const struct mode_setup *s = campaign_mode_setup(cfg, cfg->modes[m]);
		int ok = 1;
		json_t *o;
		char *text;

		why[0] = '\0';
		if (s->runtime && access(ko, R_OK) != 0) {
			ok = 0;
			snprintf(why, sizeof(why), "%s (the nooks runtime) is missing", ko);
		} else {
			ok = campaign_mode_supported(s, ko, why, sizeof(why)) == 1;
		}
		if (mode_append_line(cfg, s->name, append, sizeof(append)) < 0)
			append[0] = '\0';
		o = json_pack("{s:s, s:b, s:b, s:s, s:s, s:s, s:b, s:s}", "mode", s->name,
			      "isolate", s->isolate, "runtime", s->runtime, "nooks_params", s->nooks_params,
			      "kernel_args", s->kernel_args, "append", append, "supported", ok,
			      "why", why);
		text = o ? json_dumps(o, JSON_COMPACT) : NULL;
		if (!text) {
			json_decref(o);
			return 1;
		}
		printf("%s\n", text);
		free(text);
		json_decref(o);
	}
	return 0;
}

static int64_t count_trials(struct results_db *db, int64_t campaign_id)
{
	sqlite3_stmt *st;
	int64_t n = 0;

	if (sqlite3_prepare_v2(results_sqlite(db),
			       "SELECT count(*) FROM trials WHERE campaign_id = ?", -1, &st, NULL) != SQLITE_OK)
		return -1;
	sqlite3_bind_int64(st, 1, campaign_id);
	if (sqlite3_step(st) == SQLITE_ROW)
		n = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return n;
}

/* One JSON line per job of this shard: what a real run would store as keys and plans. */
static int dry_run(const struct campaign_cfg *cfg, struct inj_module *mod, const char *config_json)
{
	char err[512];

	printf("{\"config\":%s}\n", config_json);
	for (int64_t i = 0; i < cfg->trials; i++) {
		char *plan;

		if (!campaign_in_shard(i, cfg->shard_index, cfg->shard_count))
			continue;
		plan = trial_plan_json(mod, cfg, i, err, sizeof(err));
		if (!plan) {
			fprintf(stderr, "run-campaign: %s\n", err);
			return 1;
		}
		for (size_t m = 0; m < cfg->n_modes; m++)
			printf("{\"trial_index\":%lld,\"mode\":\"%s\",\"fault_type\":\"%s\",\"plan\":%s}\n",
			       (long long)i, cfg->modes[m],
			       cfg->n_types ? campaign_trial_type(cfg, i) : "mixed", plan);
		free(plan);
	}
	return 0;
}

enum {
	OPT_MODES = 256, OPT_TRIALS, OPT_FAULTS, OPT_TYPES, OPT_SEED, OPT_JOBS, OPT_DB, OPT_NAME,
	OPT_RESUME, OPT_SHARD, OPT_WORKLOAD, OPT_BUDGET, OPT_RETRIES, OPT_ACTIVATION, OPT_CONFIG,
	OPT_SET, OPT_DRIVER, OPT_WORKDIR, OPT_DRY_RUN, OPT_MODE_INFO,
};

/* Command-line settings, applied after the campaign file. */
struct override {
	const char *key;
	char *value;
};

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "driver", required_argument, NULL, OPT_DRIVER },
		{ "modes", required_argument, NULL, OPT_MODES },
		{ "trials", required_argument, NULL, OPT_TRIALS },
		{ "faults-per-trial", required_argument, NULL, OPT_FAULTS },
		{ "types", required_argument, NULL, OPT_TYPES },
		{ "seed", required_argument, NULL, OPT_SEED },
		{ "jobs", required_argument, NULL, OPT_JOBS },
		{ "db", required_argument, NULL, OPT_DB },
		{ "name", required_argument, NULL, OPT_NAME },
		{ "resume", no_argument, NULL, OPT_RESUME },
		{ "shard", required_argument, NULL, OPT_SHARD },
		{ "workload", required_argument, NULL, OPT_WORKLOAD },
		{ "budget", required_argument, NULL, OPT_BUDGET },
		{ "retries", required_argument, NULL, OPT_RETRIES },
		{ "activation", required_argument, NULL, OPT_ACTIVATION },
		{ "config", required_argument, NULL, OPT_CONFIG },
		{ "set", required_argument, NULL, OPT_SET },
		{ "work-dir", required_argument, NULL, OPT_WORKDIR },
		{ "dry-run", no_argument, NULL, OPT_DRY_RUN },
		{ "mode-info", no_argument, NULL, OPT_MODE_INFO },
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	static struct campaign_cfg cfg;
	static struct campaign_run run;
	struct override ov[64];
	size_t n_ov = 0;
	const char *driver = NULL, *config = NULL;
	char conf_path[1200], err[1024], cwd[PATH_MAX], kver_tool[1200];
	struct results_db *db;
	struct inj_error ierr = { { 0 } };
	struct inj_module *mod;
	char *config_json;
	int opt, rc;

	set_defaults(&cfg);
	find_top(cfg.top, sizeof(cfg.top));
	if (!getcwd(cwd, sizeof(cwd)))
		snprintf(cwd, sizeof(cwd), ".");
	while ((opt = getopt_long(argc, argv, "vh", opts, NULL)) != -1) {
		const char *key = NULL;

		switch (opt) {
		case OPT_DRIVER: driver = optarg; break;
		case OPT_CONFIG: config = optarg; break;
		case OPT_RESUME: cfg.resume = true; break;
		case OPT_DRY_RUN: cfg.dry_run = true; break;
		case OPT_MODE_INFO: cfg.mode_info = true; break;
		case OPT_WORKDIR: snprintf(cfg.work_dir, sizeof(cfg.work_dir), "%s", optarg); break;
		case 'v': cfg.verbose = true; break;
		case 'h': usage(stdout); return 0;
		case OPT_SHARD:
			if (conf_parse_shard(optarg, &cfg.shard_index, &cfg.shard_count) < 0) {
				fprintf(stderr, "run-campaign: --shard wants i/N with 1 <= i <= N, not '%s'\n", optarg);
				return 2;
			}
			break;
		case OPT_MODES: key = "modes"; break;
		case OPT_TRIALS: key = "trials"; break;
		case OPT_FAULTS: key = "faults_per_trial"; break;
		case OPT_TYPES: key = "types"; break;
		case OPT_SEED: key = "seed"; break;
		case OPT_JOBS: key = "jobs"; break;
		case OPT_DB: key = "db"; break;
		case OPT_NAME: key = "name"; break;
		case OPT_WORKLOAD: key = "workload"; break;
		case OPT_BUDGET: key = "budget_s"; break;
		case OPT_RETRIES: key = "retries"; break;
		case OPT_ACTIVATION: key = "activation"; break;
		case OPT_SET: {
			char *eq = strchr(optarg, '=');

			if (!eq) {
				fprintf(stderr, "run-campaign: --set wants KEY=VALUE, not '%s'\n", optarg);
				return 2;
			}
			*eq = '\0';
			key = optarg;
			optarg = eq + 1;
			break;
		}
		default: usage(stderr); return 2;
		}
		if (key) {
			if (n_ov == sizeof(ov) / sizeof(ov[0])) {
				fprintf(stderr, "run-campaign: too many options\n");
				return 2;
			}
			ov[n_ov++] = (struct override){ key, optarg };
		}
	}
	if (optind != argc || !driver) {
		fprintf(stderr, optind != argc ? "run-campaign: unexpected argument '%s'\n"
					       : "run-campaign: --driver is required%s\n",
			optind != argc ? argv[optind] : "");
		usage(stderr);
		return 2;
	}

	/* campaign file, then the command line */
	if (config) {
		snprintf(conf_path, sizeof(conf_path), "%s", config);
	} else {
		if (strchr(driver, '/') || driver[0] == '.') {
			fprintf(stderr, "run-campaign: invalid driver name '%s'\n", driver);
			return 2;
		}
		snprintf(conf_path, sizeof(conf_path), "%s/campaigns/%s.conf", cfg.top, driver);
		if (access(conf_path, R_OK) != 0) {
			fprintf(stderr, "run-campaign: unknown driver '%s': no campaign file %s\n", driver, conf_path);
			snprintf(conf_path, sizeof(conf_path), "%s/campaigns", cfg.top);
			list_drivers(conf_path);
			return 2;
		}
	}
	if (conf_load(conf_path, cfg.top, &cfg, err, sizeof(err)) < 0) {
		fprintf(stderr, "run-campaign: %s\n", err);
		return 2;
	}
	for (size_t i = 0; i < n_ov; i++)
		if (conf_set(&cfg, ov[i].key, ov[i].value, cwd, err, sizeof(err)) < 0) {
			fprintf(stderr, "run-campaign: option %s: %s\n", ov[i].key, err);
			return 2;
		}
	if (!cfg.driver[0])
		snprintf(cfg.driver, sizeof(cfg.driver), "%s", driver);
	if (strcmp(cfg.driver, driver) != 0) {
		fprintf(stderr, "run-campaign: %s is a campaign file for driver '%s', not '%s'\n",
			conf_path, cfg.driver, driver);
		return 2;
	}
	if (cfg.mode_info)
		return print_mode_info(&cfg);
	if (!cfg.name[0])
		snprintf(cfg.name, sizeof(cfg.name), "%s", cfg.driver);
	if (!cfg.db[0])
		snprintf(cfg.db, sizeof(cfg.db), "%s/results/%s.db", cfg.top, cfg.driver);
	if (cfg.jobs == 0)
		cfg.jobs = (int)sysconf(_SC_NPROCESSORS_ONLN);
	if (cfg.jobs < 1)
		cfg.jobs = 1;

	/* the guest kernel and the clean driver */
	if (getenv("KVER") && *getenv("KVER")) {
		snprintf(cfg.kver, sizeof(cfg.kver), "%s", getenv("KVER"));
	} else {
		snprintf(kver_tool, sizeof(kver_tool), "%s/tools/guest-kver", cfg.top);
		char *kargv[] = { kver_tool, NULL };

		if (command_line_output(kargv, cfg.kver, sizeof(cfg.kver)) < 0) {
			fprintf(stderr, "run-campaign: %s failed: no guest kernel\n", kver_tool);
			return 1;
		}
	}
	if (!cfg.module[0]) {
		fprintf(stderr, "run-campaign: %s: no 'module' (path of %s.ko) given\n", conf_path, cfg.driver);
		return 2;
	}
	if (cfg.module[0] != '/') {
		char rel[1024];

		snprintf(rel, sizeof(rel), "%s", cfg.module);
		snprintf(cfg.module, sizeof(cfg.module), "/lib/modules/%s/%s", cfg.kver, rel);
	}
	if (access(cfg.module, R_OK) != 0) {
		fprintf(stderr, "run-campaign: driver module %s: %s\n", cfg.module, strerror(errno));
		return 1;
	}
	if ((!cfg.dry_run && check_mode_tools(&cfg, err, sizeof(err)) < 0) ||
	    resolve_types(&cfg, err, sizeof(err)) < 0) {
		fprintf(stderr, "run-campaign: %s\n", err);
		return 1;
	}
	mod = inj_module_open(cfg.module, &ierr);
	if (!mod) {
		fprintf(stderr, "run-campaign: %s: %s\n", cfg.module, ierr.msg);
		return 1;
	}
	snprintf(run.module_sha256, sizeof(run.module_sha256), "%s", inj_module_identity(mod)->sha256);
	struct results_campaign camp = {
		.name = cfg.name, .driver = cfg.driver, .kernel_version = cfg.kver,
		.driver_sha256 = run.module_sha256,
		.driver_build_id = inj_module_identity(mod)->build_id[0] ? inj_module_identity(mod)->build_id : NULL,
	};
	char tools[256];

	snprintf(tools, sizeof(tools), "{\"run-campaign\":\"%s\",\"plan_format\":\"%s/%d\",\"results_schema\":%d}",
		 RUN_CAMPAIGN_VERSION, INJ_PLAN_FORMAT, INJ_PLAN_VERSION, RESULTS_SCHEMA_VERSION);
	camp.tool_versions_json = tools;
	config_json = campaign_config_json(&cfg, run.module_sha256);
	camp.config_json = config_json;
	if (cfg.dry_run) {
		rc = dry_run(&cfg, mod, config_json);
		inj_module_close(mod);
		free(config_json);
		return rc;
	}
	inj_module_close(mod);

	/* the database: clear errors for unwritable paths and newer schemas */
	db = results_open(cfg.db, RESULTS_OPEN_CREATE, err, sizeof(err));
	if (!db) {
		fprintf(stderr, "run-campaign: %s\n", err);
		free(config_json);
		return 1;
	}
	run.campaign_id = results_campaign_ensure(db, &camp);
	free(config_json);
	if (run.campaign_id < 0) {
		fprintf(stderr, "run-campaign: %s\n", results_errmsg(db));
		results_close(db);
		return 1;
	}
	int64_t existing = count_trials(db, run.campaign_id);

	if (existing > 0 && !cfg.resume) {
		fprintf(stderr, "run-campaign: campaign '%s' in %s already has %lld trial rows; "
			"use --resume to continue it, or another --db / --name\n",
			cfg.name, cfg.db, (long long)existing);
		results_close(db);
		return 1;
	}

	/* the jobs: every (trial, mode) of this shard not yet in the database */
	run.cfg = &cfg;
	run.stop = &stop_requested;
	run.jobs = calloc((size_t)cfg.trials * cfg.n_modes, sizeof(*run.jobs));
	if (!run.jobs) {
		fprintf(stderr, "run-campaign: out of memory\n");
		return 1;
	}
	for (int64_t i = 0; i < cfg.trials; i++) {
		if (!campaign_in_shard(i, cfg.shard_index, cfg.shard_count))
			continue;
		for (size_t m = 0; m < cfg.n_modes; m++) {
			int done = results_trial_done(db, run.campaign_id, i, cfg.modes[m]);

			if (done < 0) {
				fprintf(stderr, "run-campaign: %s\n", results_errmsg(db));
				return 1;
			}
			if (done)
				run.skipped++;
			else
				run.jobs[run.n_jobs++] = (struct job){ i, (int)m };
		}
	}
	results_close(db);
	fprintf(stderr, "run-campaign: campaign '%s' (id %lld) in %s: %zu trials to run, %zu already done, "
		"%d parallel VMs, modes", cfg.name, (long long)run.campaign_id, cfg.db, run.n_jobs,
		run.skipped, cfg.jobs);
	for (size_t m = 0; m < cfg.n_modes; m++)
		fprintf(stderr, " %s", cfg.modes[m]);
	fprintf(stderr, ", %zu fault types, K=%d\n", cfg.n_types, cfg.faults_per_trial);
	if (run.n_jobs == 0) {
		free(run.jobs);
		return 0;
	}

	if (!cfg.work_dir[0]) {
		/* short: unix socket paths in the VM dirs must stay under 108 bytes */
		snprintf(cfg.work_dir, sizeof(cfg.work_dir), "/tmp/nooks-campaign.XXXXXX");
		if (!mkdtemp(cfg.work_dir)) {
			fprintf(stderr, "run-campaign: mkdtemp: %s\n", strerror(errno));
			return 1;
		}
	} else if (mkdir(cfg.work_dir, 0755) != 0 && errno != EEXIST) {
		fprintf(stderr, "run-campaign: %s: %s\n", cfg.work_dir, strerror(errno));
		return 1;
	}

	struct sigaction sa = { .sa_handler = on_signal };
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);

	rc = prepare_snapshots(&run, err, sizeof(err));
	if (rc < 0) {
		fprintf(stderr, "run-campaign: %s\n", err);
	} else if (!stop_requested) {
		int workers = cfg.jobs < (int)run.n_jobs ? cfg.jobs : (int)run.n_jobs;

		rc = scheduler_run(&run, workers);
	}
	remove_tree(cfg.work_dir);
	free(run.jobs);
	fprintf(stderr, "run-campaign: %zu of %zu trials recorded this run, %zu harness retries%s\n",
		(size_t)atomic_load(&run.done), run.n_jobs, (size_t)atomic_load(&run.harness_errors),
		stop_requested ? "; interrupted: rerun with --resume" : "");
	if (stop_requested)
		return 130;
	return rc < 0 ? 1 : 0;
}
