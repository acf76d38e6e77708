/* Seeds, shards and the campaign's identity: pure functions, unit tested. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <jansson.h>

#include "campaign.h"

/* splitmix64's finaliser: consecutive inputs give unrelated outputs. */
static uint64_t mix64(uint64_t z)
{
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

uint64_t campaign_trial_seed(uint64_t campaign_seed, int64_t trial_index)
{
	return mix64(campaign_seed + 0x9e3779b97f4a7c15ULL * (uint64_t)(trial_index + 1));
}

bool campaign_in_shard(int64_t trial_index, int index, int count)
{
	return count <= 1 || trial_index % count == index - 1;
}

const char *campaign_trial_type(const struct campaign_cfg *cfg, int64_t trial_index)
{
	if (cfg->n_types == 0)
		return "all";
	return cfg->types[trial_index % (int64_t)cfg->n_types];
}

char *campaign_config_json(const struct campaign_cfg *cfg, const char *module_sha256)
{
	json_t *types = json_array();
	char seed[32];
	char *text;

	for (size_t i = 0; i < cfg->n_types; i++)
		json_array_append_new(types, json_string(cfg->types[i]));
	/* The seed as a string: JSON numbers lose precision above 2^53. */
	snprintf(seed, sizeof(seed), "%" PRIu64, cfg->seed);
	json_t *o = json_pack("{s:s, s:s, s:i, s:o, s:s, s:s, s:i, s:s, s:s}",
			      "driver", cfg->driver,
			      "seed", seed,
			      "faults_per_trial", cfg->faults_per_trial,
			      "types", types,
			      "workload", cfg->workload,
			      "inject_mode", "load",
			      "budget_s", cfg->budget_s,
			      "module_sha256", module_sha256 ? module_sha256 : "",
			      "seed_derivation", "splitmix64(seed + golden*(i+1)); type = types[i mod n]");
	if (!o)
		return NULL;
	/*
	 * A mode set up differently (campaign file, --set) is another
	 * experiment. Only differences from the built-in setups are listed, so
	 * the identity of campaigns made before modes were configurable stays
	 * the same and they can be resumed, e.g. with nooks-pt added.
	 */
	json_t *setups = json_object();

	for (size_t i = 0; i < CAMPAIGN_MAX_MODES; i++) {
		const struct mode_setup *s = &cfg->setups[i];
		const struct mode_setup *d = s->name[0] ? campaign_mode_default(s->name) : NULL;

		if (d && (strcmp(s->nooks_params, d->nooks_params) != 0 ||
			  strcmp(s->kernel_args, d->kernel_args) != 0))
			json_object_set_new(setups, s->name, json_pack("{s:s, s:s}", "nooks_params",
								       s->nooks_params, "kernel_args",
								       s->kernel_args));
	}
	if (json_object_size(setups))
		json_object_set_new(o, "mode_setups", setups);
	else
		json_decref(setups);
	text = json_dumps(o, JSON_SORT_KEYS | JSON_COMPACT);
	json_decref(o);
	return text;
}
