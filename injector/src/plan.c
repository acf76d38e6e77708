/*
 * Plans: K faults drawn uniformly over the sites of the chosen types, from a
 * seeded splitmix64 stream (never rand(): the plan must be the same on every
 * machine and libc). Draw order is fixed: site index, then the site's variant,
 * then any extra choice the type makes; a site overlapping an earlier fault
 * is redrawn.
 */
#include <fnmatch.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "internal.h"

uint64_t inj_rng_next(uint64_t *state)
{
	uint64_t z = (*state += 0x9e3779b97f4a7c15ull);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

/* Lemire-free, plain rejection: unbiased for every n */
uint64_t inj_rng_below(uint64_t *state, uint64_t n)
{
	uint64_t threshold = -n % n, r;

	do
		r = inj_rng_next(state);
	while (r < threshold);
	return r % n;
}

static bool overlaps(const struct inj_plan *p, const char *sec, uint64_t off, uint64_t len)
{
	for (size_t i = 0; i < p->nfaults; i++) {
		const struct inj_fault *f = &p->faults[i];
		if (!strcmp(f->section, sec) && off < f->off + f->len && f->off < off + len)
			return true;
	}
	return false;
}

/* Does name pass the filter? Includes (if any) must match; excludes must not. */
static bool function_selected(const char *funcs, const char *name)
{
	char buf[256], *save = NULL;
	bool any_include = false, included = false;

	if (!funcs || !*funcs)
		return true;
	snprintf(buf, sizeof(buf), "%s", funcs);
	for (char *g = strtok_r(buf, ",", &save); g; g = strtok_r(NULL, ",", &save)) {
		if (*g == '!') {
			if (!fnmatch(g + 1, name, 0))
				return false;
			continue;
		}
		any_include = true;
		included |= !fnmatch(g, name, 0);
	}
	return !any_include || included;
}

int inj_plan_make(struct inj_module *m, uint64_t seed, unsigned nfaults, unsigned types_mask,
		  uint8_t mode, struct inj_plan *p, struct inj_error *err)
{
	return inj_plan_make_in(m, seed, nfaults, types_mask, mode, NULL, p, err);
}

int inj_plan_make_in(struct inj_module *m, uint64_t seed, unsigned nfaults, unsigned types_mask,
		     uint8_t mode, const char *funcs, struct inj_plan *p, struct inj_error *err)
{
	struct inj_site_list sites;
	size_t *pick, npick = 0;
	uint64_t rng = seed;
	unsigned tries = 0;

	memset(p, 0, sizeof(*p));
	p->binary = m->id;
	p->seed = seed;
	p->types_mask = types_mask;
	p->mode = mode;
	if (funcs && strlen(funcs) >= sizeof(p->functions)) {
		inj_err(err, "function filter too long");
		return -1;
	}
	snprintf(p->functions, sizeof(p->functions), "%s", funcs ? funcs : "");
	if (inj_sites_find(m, types_mask, &sites, err))
		return -1;
	pick = malloc((sites.n + 1) * sizeof(*pick));
	p->faults = calloc(nfaults + 1, sizeof(*p->faults));
	if (!pick || !p->faults) {
		free(pick);
		inj_site_list_free(&sites);
		inj_err(err, "out of memory");
		return -1;
	}
	for (size_t i = 0; i < sites.n; i++) {
		uint64_t fo;
		const char *fn = funcs && *funcs ? inj_module_function_at(m, sites.v[i].sec,
								       sites.v[i].off, &fo) : "";
		if ((sites.v[i].modes & mode) && function_selected(funcs, fn))
			pick[npick++] = i;
	}
	if (npick < nfaults) {
		inj_err(err, "only %zu sites of the chosen types for %s faults; asked for %u",
			npick, mode == INJ_MODE_RUN ? "run-time" : "load-time", nfaults);
		goto fail;
	}
	while (p->nfaults < nfaults) {
		const struct inj_site *s = &sites.v[pick[inj_rng_below(&rng, npick)]];

		if (++tries > 1000u * (nfaults + 1)) {
			inj_err(err, "could not place %u non-overlapping faults", nfaults);
			goto fail;
		}
		if (overlaps(p, m->secs[s->sec].name, s->off, s->len))
			continue;
		if (inj_site_mutate(m, s, &rng, &p->faults[p->nfaults]) == 0)
			p->nfaults++;
	}
	free(pick);
	inj_site_list_free(&sites);
	return 0;
fail:
	free(pick);
	inj_site_list_free(&sites);
	inj_plan_free(p);
	return -1;
}

void inj_plan_free(struct inj_plan *p)
{
	free(p->faults);
	p->faults = NULL;
	p->nfaults = 0;
}

int inj_plan_check_binary(const struct inj_plan *p, const struct inj_module *m,
			  struct inj_error *err)
{
	if (strcmp(p->binary.sha256, m->id.sha256) ||
	    (*p->binary.build_id && *m->id.build_id &&
	     strcmp(p->binary.build_id, m->id.build_id))) {
		inj_err(err, "plan is for another binary: plan has %s sha256 %.16s... build-id %.16s, "
			"file %s has sha256 %.16s... build-id %.16s", p->binary.name,
			p->binary.sha256, p->binary.build_id, m->id.name, m->id.sha256,
			m->id.build_id);
		return -1;
	}
	return 0;
}
