/*
 * Site finders: which instructions (or data words) a fault type may hit.
 * A site is listed only if it has at least one valid variant, so a plan never
 * draws a site it cannot mutate. Instructions whose bytes the kernel patches
 * or checks at load (ftrace call sites, retpoline/return thunk sites, jump
 * labels, static calls, alternatives, lock prefixes) are never sites.
 */
#include <stdlib.h>
#include <string.h>
#include "internal.h"

static const unsigned arg_regs[] = {
	X86_REG_RDI, X86_REG_RSI, X86_REG_RDX, X86_REG_RCX, X86_REG_R8, X86_REG_R9,
};

static const char *const data_sections[] = {
	".data", ".data..read_mostly", ".data.once", ".bss", NULL,
};

static int push(struct inj_site_list *l, const struct inj_site *s)
{
	if (l->n == l->cap) {
		size_t nc = l->cap ? l->cap * 2 : 1024;
		struct inj_site *v = realloc(l->v, nc * sizeof(*v));
		if (!v)
			return -1;
		l->v = v;
		l->cap = nc;
	}
	l->v[l->n++] = *s;
	return 0;
}

void inj_site_list_free(struct inj_site_list *l)
{
	free(l->v);
	memset(l, 0, sizeof(*l));
}

/* push s if it has a valid variant */
static int offer(struct inj_module *m, struct inj_site_list *l, const struct inj_site *s)
{
	struct inj_variant v;

	if (inj_site_variants(m, s, &v, 1) == 0)
		return 0;
	return push(l, s);
}

static bool is_external_call(const struct inj_module *m, const struct inj_insn *in)
{
	const struct inj_reloc *r = inj_reloc_at(&m->secs[in->sec], in->off + 1, 4);

	return r && m->syms[r->sym].shndx == SHN_UNDEF && m->syms[r->sym].type != STT_SECTION;
}

static bool stack_store_init(const cs_insn *ci)
{
	const cs_x86 *x = &ci->detail->x86;
	const char *mn = ci->mnemonic;

	if (x->op_count != 2 || x->operands[0].type != X86_OP_MEM ||
	    !(x->operands[0].access & CS_AC_WRITE))
		return false;
	/* Debian builds with ORC, not frame pointers: %rbp is an ordinary
	 * register, so only %rsp-based slots are known to be locals */
	if (x->operands[0].mem.base != X86_REG_RSP)
		return false;
	return !strncmp(mn, "mov", 3) && strncmp(mn, "movs", 4);	/* not string moves */
}

static bool reads_memory(const cs_insn *ci, unsigned *base)
{
	const cs_x86 *x = &ci->detail->x86;

	if (ci->id == X86_INS_LEA || ci->id == X86_INS_NOP)
		return false;
	for (int k = 0; k < x->op_count; k++)
		if (x->operands[k].type == X86_OP_MEM && (x->operands[k].access & CS_AC_READ) &&
		    x->operands[k].mem.base != X86_REG_RIP) {
			*base = x->operands[k].mem.base;
			return true;
		}
	return false;
}

static int call_sites(struct inj_module *m, unsigned mask, size_t i, uint8_t modes,
		      struct inj_site_list *out)
{
	const struct inj_insn *in = &m->insns[i];
	const char *callee = inj_call_target(m, in);
	struct inj_site s = { .sec = in->sec, .off = in->off, .len = in->len,
			      .call_off = in->off, .callee = callee, .modes = modes };
	static const enum inj_type plain[] = { INJ_ALLOC, INJ_SYNC, INJ_LEAK };

	if (!callee)
		return 0;
	for (size_t k = 0; k < 3; k++) {
		s.type = plain[k];
		if ((mask & (1u << s.type)) && inj_callee_in(s.type, callee) && offer(m, out, &s))
			return -1;
	}
	if ((mask & (1u << INJ_COPY_OVERRUN)) && inj_callee_in(INJ_COPY_OVERRUN, callee)) {
		long j = inj_block_writer(m, i, inj_copy_len_reg(callee));
		if (j >= 0 && !inj_range_has(m->secs[in->sec].protected_map, m->insns[j].off,
					     m->insns[j].len)) {
			s.type = INJ_COPY_OVERRUN;
			s.off = m->insns[j].off;
			s.len = m->insns[j].len;
			if (offer(m, out, &s))
				return -1;
		}
	}
	if ((mask & (1u << INJ_INTERFACE)) && is_external_call(m, in) &&
	    inj_callee_in(INJ_INTERFACE, callee)) {
		for (size_t r = 0; r < sizeof(arg_regs) / sizeof(arg_regs[0]); r++) {
			long j = inj_block_writer(m, i, arg_regs[r]);
			if (j < 0 || inj_range_has(m->secs[in->sec].protected_map,
						   m->insns[j].off, m->insns[j].len))
				continue;
			s.type = INJ_INTERFACE;
			s.off = m->insns[j].off;
			s.len = m->insns[j].len;
			if (offer(m, out, &s))
				return -1;
		}
	}
	return 0;
}

static int insn_sites(struct inj_module *m, unsigned mask, size_t i, struct inj_site_list *out)
{
	const struct inj_insn *in = &m->insns[i];
	const struct inj_section *sec = &m->secs[in->sec];
	uint8_t modes = INJ_MODE_LOAD |
			(strcmp(sec->name, ".init.text") ? INJ_MODE_RUN : 0);
	struct inj_site s = { .sec = in->sec, .off = in->off, .len = in->len,
			      .call_off = in->off, .modes = modes };
	unsigned id, base = 0;
	bool jcc, call, nop, init, memread;
	const cs_x86 *x;

	if (!sec->unique_name || inj_range_has(sec->protected_map, in->off, in->len) ||
	    !inj_decode_insn(m, in))
		return 0;
	id = m->scratch->id;
	x = &m->scratch->detail->x86;
	jcc = inj_is_jcc(id);
	call = id == X86_INS_CALL;
	nop = id == X86_INS_NOP || id == X86_INS_INT3 || id == X86_INS_ENDBR64;
	init = in->nth < 32 && stack_store_init(m->scratch);
	memread = reads_memory(m->scratch, &base);
	(void)x;

	struct { enum inj_type t; bool applies; } simple[] = {
		{ INJ_TEXT_BITFLIP, !nop },
		{ INJ_DST_REG, !nop },
		{ INJ_SRC_REG, !nop },
		{ INJ_POINTER, !nop },
		{ INJ_DELETE_BRANCH, jcc },
		{ INJ_INVERT_BRANCH, jcc },
		{ INJ_DELETE_INSN, !nop },
		{ INJ_INIT, init },
		{ INJ_OFF_BY_ONE, jcc },
	};
	for (size_t k = 0; k < sizeof(simple) / sizeof(simple[0]); k++) {
		s.type = simple[k].t;
		if ((mask & (1u << s.type)) && simple[k].applies && offer(m, out, &s))
			return -1;
	}
	if ((mask & (1u << INJ_DATA_BITFLIP)) && memread) {
		s.type = INJ_DATA_BITFLIP;
		s.modes = INJ_MODE_RUN;
		if (offer(m, out, &s))
			return -1;
	}
	return call ? call_sites(m, mask, i, modes, out) : 0;
}

static int data_sites(struct inj_module *m, struct inj_site_list *out)
{
	for (size_t sec = 0; sec < m->nsecs; sec++) {
		const struct inj_section *d = &m->secs[sec];
		bool bss = d->type == SHT_NOBITS;
		bool listed = false;

		for (const char *const *n = data_sections; *n; n++)
			listed |= !strcmp(*n, d->name);
		if (!listed || !(d->flags & SHF_ALLOC) || !d->unique_name)
			continue;
		for (uint64_t off = 0; off < d->size; off += 8) {
			struct inj_site s = { .type = INJ_DATA_BITFLIP, .sec = (int)sec, .off = off,
					      .len = (uint8_t)(d->size - off < 8 ? d->size - off : 8),
					      .call_off = off,
					      .modes = bss ? INJ_MODE_RUN
							   : INJ_MODE_LOAD | INJ_MODE_RUN };
			if (offer(m, out, &s))
				return -1;
		}
	}
	return 0;
}

int inj_sites_find(struct inj_module *m, unsigned types_mask, struct inj_site_list *out,
		   struct inj_error *err)
{
	memset(out, 0, sizeof(*out));
	if (inj_decode_all(m, err))
		return -1;
	for (size_t i = 0; i < m->ninsns; i++)
		if (insn_sites(m, types_mask, i, out)) {
			inj_err(err, "out of memory");
			return -1;
		}
	if ((types_mask & (1u << INJ_DATA_BITFLIP)) && data_sites(m, out)) {
		inj_err(err, "out of memory");
		return -1;
	}
	return 0;
}
