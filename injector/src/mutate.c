/*
 * From a site to a concrete fault: draw one variant, record old and new
 * bytes, the relocations the new bytes make meaningless (removed: only ever
 * when a whole instruction is blanked), and the equivalent run-time action.
 */
#include <stdio.h>
#include <string.h>
#include "internal.h"

static int note_removed_relocs(struct inj_module *m, const struct inj_site *s,
			       struct inj_fault *f)
{
	const struct inj_section *sec = &m->secs[s->sec];

	for (size_t i = 0; i < sec->nrelocs; i++) {
		const struct inj_reloc *r = &sec->relocs[i];
		bool hit = false;

		if (!r->size)
			continue;
		for (uint64_t b = r->offset; b < r->offset + r->size; b++)
			if (b >= s->off && b < s->off + s->len &&
			    f->old_bytes[b - s->off] != f->new_bytes[b - s->off])
				hit = true;
		if (!hit)
			continue;
		if (f->nrelocs == INJ_MAX_RELOCS)
			return -1;
		f->relocs[f->nrelocs++] = (struct inj_reloc_ref){
			.rela_sec = sec->rela, .index = r->index, .r_offset = r->offset,
			.r_type = r->type };
		snprintf(f->relocs[f->nrelocs - 1].symbol, sizeof(f->relocs[0].symbol), "%s",
			 inj_reloc_symbol(m, r));
	}
	return 0;
}

static void runtime_form(struct inj_module *m, const struct inj_site *s,
			 const struct inj_variant *v, uint64_t *rng, struct inj_fault *f)
{
	const struct inj_section *sec = &m->secs[s->sec];

	f->rt_kind = INJ_RT_PATCH;
	if (s->type == INJ_DATA_BITFLIP && !sec->exec) {
		f->rt_kind = INJ_RT_FLIP;
		f->bit = v->bit;
	} else if (s->type == INJ_DATA_BITFLIP) {
		const cs_x86 *x;

		f->rt_kind = INJ_RT_MEMFLIP;
		f->bit = v->bit;
		if (!inj_decode_bytes(m, f->old_bytes, f->len, f->off))
			return;
		x = &m->scratch->detail->x86;
		for (int k = 0; k < x->op_count; k++)
			if (x->operands[k].type == X86_OP_MEM) {
				const x86_op_mem *mem = &x->operands[k].mem;
				snprintf(f->reg, sizeof(f->reg), "%s",
					 mem->base ? cs_reg_name(m->cs, mem->base) : "");
				snprintf(f->index_reg, sizeof(f->index_reg), "%s",
					 mem->index ? cs_reg_name(m->cs, mem->index) : "");
				f->scale = mem->scale;
				f->disp = mem->disp;
				break;
			}
	} else if (s->type == INJ_INTERFACE) {
		f->rt_kind = INJ_RT_REGFAULT;
		if (inj_decode_bytes(m, f->old_bytes, f->len, f->off)) {
			unsigned fam = inj_reg_family(m->scratch->detail->x86.operands[0].reg);
			snprintf(f->reg, sizeof(f->reg), "%s", fam ? cs_reg_name(m->cs, fam) : "");
		}
		f->xor_mask = 1ull << inj_rng_below(rng, 64);
	}
}

int inj_site_mutate(struct inj_module *m, const struct inj_site *s, uint64_t *rng,
		    struct inj_fault *f)
{
	struct inj_variant v[INJ_MAX_VARIANTS];
	const struct inj_section *sec = &m->secs[s->sec];
	size_t n = inj_site_variants(m, s, v, INJ_MAX_VARIANTS), k;
	const char *fn;

	if (n == 0)
		return -1;
	k = inj_rng_below(rng, n);
	memset(f, 0, sizeof(*f));
	f->type = s->type;
	snprintf(f->section, sizeof(f->section), "%s", sec->name);
	f->off = s->off;
	f->len = s->len;
	f->modes = s->modes;
	f->call_off = s->call_off;
	if (s->callee)
		snprintf(f->callee, sizeof(f->callee), "%s", s->callee);
	if (sec->data)
		memcpy(f->old_bytes, sec->data + s->off, s->len);
	memcpy(f->new_bytes, v[k].bytes, s->len);
	for (unsigned i = 0; i < s->len; i++)
		f->old_known[i] = !sec->reloc_map[s->off + i] && sec->data;
	fn = inj_module_function_at(m, s->sec, s->off, &f->func_off);
	snprintf(f->function, sizeof(f->function), "%s", fn);
	if (note_removed_relocs(m, s, f))
		return -1;
	runtime_form(m, s, &v[k], rng, f);
	if (sec->exec) {
		inj_disasm(m, f->old_bytes, f->len, f->off, f->before, sizeof(f->before));
		inj_disasm(m, f->new_bytes, f->len, f->off, f->after, sizeof(f->after));
	}
	return 0;
}
