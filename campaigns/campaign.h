/* run-campaign: shared types of the campaign runner. */
#ifndef NOOKS_CAMPAIGN_H
#define NOOKS_CAMPAIGN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define CAMPAIGN_MAX_MODES 3
#define CAMPAIGN_MAX_TYPES 32

/* What a mode does to a trial (modes.c); the known modes have defaults. */
struct mode_setup {
	char name[16];
	bool isolate;		/* the mutated .ko goes through nooks-isolate */
	bool runtime;		/* the ready snapshot has nooks.ko loaded */
	char nooks_params[256];	/* nooks.ko parameters ("isolation=pagetable"), "" = none */
	char kernel_args[256];	/* added to the guest kernel command line, "" = none */
};

struct campaign_cfg {
	char name[128];
	char driver[64];
	char module[1024];		/* path of the unmodified driver .ko */
	size_t n_modes;
	char modes[CAMPAIGN_MAX_MODES][16];
	struct mode_setup setups[CAMPAIGN_MAX_MODES];	/* every known mode, see modes.c */
	int64_t trials;
	int faults_per_trial;
	size_t n_types;
	char types[CAMPAIGN_MAX_TYPES][32];	/* empty + all_types = every type */
	bool all_types;
	uint64_t seed;
	int jobs;
	char db[1024];
	char workload[64];
	int budget_s;
	int retries;
	bool activation;		/* breakpoints at fault sites via gdbstub */
	/* command line only */
	bool resume;
	int shard_index, shard_count;	/* 1-based index of N; 1/1 = everything */
	char top[1024];			/* repository root */
	char work_dir[1024];		/* scratch: VM dirs, mutated modules */
	char kver[128];
	bool verbose;
	bool dry_run;			/* print the shard's jobs and plans, run nothing */
	bool mode_info;			/* print each mode's setup and support, run nothing */
};

/* ---- modes.c: the modes and their setups ---- */

/* Fills cfg->setups with the built-in setup of every known mode. */
void campaign_modes_init(struct campaign_cfg *cfg);
const char *campaign_known_modes(void);
/* The built-in setup of a known mode (NULL if unknown). */
const struct mode_setup *campaign_mode_default(const char *mode);
/* The setup of a known mode, NULL if the name is unknown. */
struct mode_setup *campaign_mode_setup(struct campaign_cfg *cfg, const char *mode);
const struct mode_setup *campaign_mode_setup_c(const struct campaign_cfg *cfg, const char *mode);
/* `<mode>.nooks_params` / `<mode>.kernel_args` ("none" = empty); -1 with a reason. */
int campaign_mode_key(struct campaign_cfg *cfg, const char *key, const char *value,
		      char *err, size_t errlen);
/* Does a .modinfo blob (NUL-separated key=value) declare module parameter name? */
int modinfo_declares_param(const char *modinfo, size_t len, const char *name);
/*
 * Can nooks_ko run this mode? 1 yes, 0 no (why says so, starting with
 * "unsupported by this nooks.ko"), -1 the module cannot be read (why).
 * Every parameter of the mode must be declared in the module's .modinfo.
 */
int campaign_mode_supported(const struct mode_setup *s, const char *nooks_ko, char *why, size_t whylen);

/* ---- conf.c: the campaign file ---- */

/*
 * Reads `key = value` lines into cfg (only the keys present). Relative paths
 * are resolved against base_dir. Returns 0, or -1 with "FILE:LINE: why" in err.
 */
int conf_load(const char *path, const char *base_dir, struct campaign_cfg *cfg,
	      char *err, size_t errlen);
/* One key=value setting (shared by the file and --set); -1 with a reason. */
int conf_set(struct campaign_cfg *cfg, const char *key, const char *value,
	     const char *base_dir, char *err, size_t errlen);
int conf_parse_modes(const char *list, struct campaign_cfg *cfg, char *err, size_t errlen);
int conf_parse_types(const char *list, struct campaign_cfg *cfg, char *err, size_t errlen);
int conf_parse_shard(const char *s, int *index, int *count);

/* ---- seeds and shards (trial_plan.c) ---- */

/* The plan seed of trial i: independent of mode, shard and job count. */
uint64_t campaign_trial_seed(uint64_t campaign_seed, int64_t trial_index);
/* Does trial i belong to shard index/count (1-based)? */
bool campaign_in_shard(int64_t trial_index, int index, int count);
/* The fault type trial i injects (round robin over the selected types). */
const char *campaign_trial_type(const struct campaign_cfg *cfg, int64_t trial_index);
/* Canonical JSON of everything that makes two runs the same experiment. Malloc'd. */
char *campaign_config_json(const struct campaign_cfg *cfg, const char *module_sha256);

#endif
