/*
 * Variants: the concrete new encodings a site admits. The register-changing
 * and branch-changing types never construct an encoding by hand; they try
 * small edits (one bit, or one 3-bit register field, in a byte that no
 * relocation writes) and keep exactly the edits that Capstone decodes back to
 * the intended instruction: same length, same opcode, and only the intended
 * operand changed. So every variant is valid x86-64 by construction, and
 * never touches relocated bytes.
 */
#include <string.h>
#include "internal.h"

struct search {
	struct inj_module *m;
	const struct inj_site *site;
	uint8_t orig[INJ_MAX_INSN];
	uint8_t len;
	const uint8_t *relmap;		/* reloc map at the site's first byte */
	unsigned oid;
	cs_detail od;
	bool (*ok)(struct search *s, const cs_insn *n);
	struct inj_variant *out;
	size_t max, n;
	unsigned bit;
};

static bool op_eq(const cs_x86_op *a, const cs_x86_op *b)
{
	if (a->type != b->type || a->size != b->size)
		return false;
	switch (a->type) {
	case X86_OP_REG: return a->reg == b->reg;
	case X86_OP_IMM: return a->imm == b->imm;
	case X86_OP_MEM:
		return a->mem.segment == b->mem.segment && a->mem.base == b->mem.base &&
		       a->mem.index == b->mem.index && a->mem.scale == b->mem.scale &&
		       a->mem.disp == b->mem.disp;
	default: return true;
	}
}

/* index of the single operand that differs, -1 if none or several */
static int one_diff(const cs_detail *o, const cs_insn *n)
{
	const cs_x86 *nx = &n->detail->x86;
	int diff = -1;

	if (nx->op_count != o->x86.op_count)
		return -1;
	for (int k = 0; k < nx->op_count; k++)
		if (!op_eq(&o->x86.operands[k], &nx->operands[k])) {
			if (diff >= 0)
				return -1;
			diff = k;
		}
	return diff;
}

/* Bytes a relocation fills at load must stay a whole displacement or
 * immediate field, at the same place and of the same size, in the new
 * encoding; otherwise the loaded value could turn into opcode or ModRM bytes
 * and the instruction would decode differently from what was checked here. */
static bool field_of(const cs_x86_encoding *e, unsigned pos, unsigned *at, unsigned *size)
{
	if (e->disp_size && pos >= e->disp_offset && pos < (unsigned)e->disp_offset + e->disp_size) {
		*at = e->disp_offset;
		*size = e->disp_size;
		return true;
	}
	if (e->imm_size && pos >= e->imm_offset && pos < (unsigned)e->imm_offset + e->imm_size) {
		*at = e->imm_offset;
		*size = e->imm_size;
		return true;
	}
	return false;
}

static bool relocated_fields_kept(struct search *s, const cs_insn *n)
{
	for (unsigned pos = 0; pos < s->len; pos++) {
		unsigned oa, os, na, ns;

		if (!s->relmap[pos])
			continue;
		if (!field_of(&s->od.x86.encoding, pos, &oa, &os) ||
		    !field_of(&n->detail->x86.encoding, pos, &na, &ns) || oa != na || os != ns)
			return false;
	}
	return true;
}

static void try_bytes(struct search *s, const uint8_t *b)
{
	const cs_insn *n;

	if (s->n >= s->max || !memcmp(b, s->orig, s->len))
		return;
	if (!inj_decode_bytes(s->m, b, s->len, s->site->off))
		return;
	n = s->m->scratch;
	if (n->size != s->len || !relocated_fields_kept(s, n) || !s->ok(s, n))
		return;
	memcpy(s->out[s->n].bytes, b, s->len);
	s->out[s->n].bit = s->bit;
	s->n++;
}

/* one bit at a time, in bytes [0, limit) that no relocation writes */
static void search_bits(struct search *s, unsigned limit)
{
	uint8_t b[INJ_MAX_INSN];

	for (unsigned pos = 0; pos < limit && pos < s->len; pos++) {
		if (s->relmap[pos])
			continue;
		for (unsigned bit = 0; bit < 8; bit++) {
			memcpy(b, s->orig, s->len);
			b[pos] ^= 1u << bit;
			s->bit = pos * 8 + bit;
			try_bytes(s, b);
		}
	}
}

/* every other value of each 3-bit field (ModRM.reg, ModRM.rm, SIB.index,
 * SIB.base, opcode+r) in the first bytes, where register numbers live */
static void search_fields(struct search *s)
{
	uint8_t b[INJ_MAX_INSN];

	for (unsigned pos = 0; pos < 6 && pos < s->len; pos++) {
		if (s->relmap[pos])
			continue;
		for (unsigned shift = 0; shift <= 3; shift += 3)
			for (unsigned v = 0; v < 8; v++) {
				memcpy(b, s->orig, s->len);
				b[pos] = (uint8_t)((b[pos] & ~(7u << shift)) | (v << shift));
				try_bytes(s, b);
			}
	}
}

static bool same_frame(struct search *s, const cs_insn *n)
{
	return n->id == s->oid;
}

static bool ok_any(struct search *s, const cs_insn *n)
{
	(void)s;
	(void)n;
	return true;
}

static bool ok_dst(struct search *s, const cs_insn *n)
{
	const cs_x86_op *o = &s->od.x86.operands[0], *w = &n->detail->x86.operands[0];

	return o->type == X86_OP_REG && (o->access & CS_AC_WRITE) && inj_reg_family(o->reg) &&
	       same_frame(s, n) && one_diff(&s->od, n) == 0 && w->type == X86_OP_REG &&
	       inj_reg_family(w->reg) && w->size == o->size;
}

static bool ok_src(struct search *s, const cs_insn *n)
{
	int k = one_diff(&s->od, n);
	const cs_x86_op *o, *w;

	if (!same_frame(s, n) || k < 0)
		return false;
	o = &s->od.x86.operands[k];
	w = &n->detail->x86.operands[k];
	return o->type == X86_OP_REG && o->access == CS_AC_READ && inj_reg_family(o->reg) &&
	       w->type == X86_OP_REG && inj_reg_family(w->reg);
}

static bool ok_ptr(struct search *s, const cs_insn *n)
{
	int k = one_diff(&s->od, n);
	const x86_op_mem *o, *w;

	if (!same_frame(s, n) || k < 0 || s->od.x86.operands[k].type != X86_OP_MEM ||
	    n->detail->x86.operands[k].type != X86_OP_MEM)
		return false;
	o = &s->od.x86.operands[k].mem;
	w = &n->detail->x86.operands[k].mem;
	if (o->segment != w->segment || o->scale != w->scale || o->disp != w->disp)
		return false;
	if (o->index == w->index)
		return inj_reg_family(o->base) && inj_reg_family(w->base);
	if (o->base == w->base)
		return inj_reg_family(o->index) && inj_reg_family(w->index);
	return false;
}

/* The other member of id's pair, or 0 when id is in none. */
static unsigned partner_of(const unsigned (*pairs)[2], size_t n, unsigned id)
{
	for (size_t i = 0; i < n; i++) {
		if (pairs[i][0] == id)
			return pairs[i][1];
		if (pairs[i][1] == id)
			return pairs[i][0];
	}
	return 0;
}

static unsigned invert_of(unsigned id)
{
	static const unsigned pairs[][2] = {
		{ X86_INS_JE, X86_INS_JNE }, { X86_INS_JL, X86_INS_JGE },
		{ X86_INS_JLE, X86_INS_JG }, { X86_INS_JB, X86_INS_JAE },
		{ X86_INS_JBE, X86_INS_JA }, { X86_INS_JS, X86_INS_JNS },
		{ X86_INS_JP, X86_INS_JNP }, { X86_INS_JO, X86_INS_JNO },
	};
	return partner_of(pairs, sizeof(pairs) / sizeof(pairs[0]), id);
}

static unsigned off_by_one_of(unsigned id)
{
	static const unsigned pairs[][2] = {
		{ X86_INS_JL, X86_INS_JLE }, { X86_INS_JG, X86_INS_JGE },
		{ X86_INS_JB, X86_INS_JBE }, { X86_INS_JA, X86_INS_JAE },
	};
	return partner_of(pairs, sizeof(pairs) / sizeof(pairs[0]), id);
}

static bool same_target(struct search *s, const cs_insn *n)
{
	return n->detail->x86.op_count == 1 && s->od.x86.op_count == 1 &&
	       n->detail->x86.operands[0].type == X86_OP_IMM &&
	       n->detail->x86.operands[0].imm == s->od.x86.operands[0].imm;
}

static bool ok_invert(struct search *s, const cs_insn *n)
{
	return invert_of(s->oid) && n->id == invert_of(s->oid) && same_target(s, n);
}

static bool ok_obo(struct search *s, const cs_insn *n)
{
	return off_by_one_of(s->oid) && n->id == off_by_one_of(s->oid) && same_target(s, n);
}

/* interface: same instruction, only the immediate differs */
static bool ok_imm_flip(struct search *s, const cs_insn *n)
{
	int k = one_diff(&s->od, n);

	return same_frame(s, n) && k >= 1 && s->od.x86.operands[k].type == X86_OP_IMM &&
	       n->detail->x86.operands[k].type == X86_OP_IMM;
}

static size_t nop_variant(struct search *s, bool zero_eax)
{
	if (s->max == 0)
		return 0;
	inj_nop_fill(s->out[0].bytes, s->len);
	if (zero_eax) {	/* xor %eax,%eax: rax = 0 (NULL), then NOPs */
		s->out[0].bytes[0] = 0x31;
		s->out[0].bytes[1] = 0xc0;
		inj_nop_fill(s->out[0].bytes + 2, s->len - 2);
	}
	s->out[0].bit = 0;
	return s->n = 1;
}

/* copy-overrun: write value v into the field at [at, at+size) little-endian */
static void put_le(uint8_t *b, unsigned at, unsigned size, uint64_t v)
{
	for (unsigned i = 0; i < size; i++)
		b[at + i] = (uint8_t)(v >> (8 * i));
}

static size_t grow_variants(struct search *s)
{
	const cs_x86 *x = &s->od.x86;
	/* only operations for which a bigger constant means a bigger length */
	bool grows = s->oid == X86_INS_MOV || s->oid == X86_INS_ADD || s->oid == X86_INS_SHL ||
		     s->oid == X86_INS_SAL;
	bool is_imm = grows && x->op_count == 2 && x->operands[1].type == X86_OP_IMM;
	bool is_lea = s->oid == X86_INS_LEA && x->op_count == 2 &&
		      x->operands[1].type == X86_OP_MEM;
	unsigned at = is_imm ? x->encoding.imm_offset : x->encoding.disp_offset;
	unsigned size = is_imm ? x->encoding.imm_size : x->encoding.disp_size;
	int64_t old = is_imm ? x->operands[1].imm : is_lea ? x->operands[1].mem.disp : 0;
	int64_t limit = old > 1 ? (old < 256 ? old : 256) : 1;
	uint8_t b[INJ_MAX_INSN];

	if ((!is_imm && !is_lea) || !size || at + size > s->len ||
	    inj_range_has(s->relmap, at, size))
		return 0;
	for (int64_t d = 1; d <= limit && s->n < s->max; d++) {
		const cs_x86 *nx;

		memcpy(b, s->orig, s->len);
		put_le(b, at, size, (uint64_t)(old + d));
		if (!inj_decode_bytes(s->m, b, s->len, s->site->off) ||
		    s->m->scratch->size != s->len || s->m->scratch->id != s->oid)
			continue;
		nx = &s->m->scratch->detail->x86;
		if (!op_eq(&nx->operands[0], &x->operands[0]) ||
		    (is_imm && nx->operands[1].imm != old + d) ||
		    (is_lea && nx->operands[1].mem.disp != old + d))
			continue;
		memcpy(s->out[s->n].bytes, b, s->len);
		s->out[s->n++].bit = (unsigned)d;
	}
	return s->n;
}

static size_t data_variants(struct search *s, bool live, unsigned opsize)
{
	unsigned nbits = live ? (opsize && opsize < 8 ? opsize * 8 : 64) : s->len * 8u;

	for (unsigned b = 0; b < nbits && s->n < s->max; b++) {
		if (!live && s->relmap && s->relmap[b / 8])
			continue;
		memcpy(s->out[s->n].bytes, s->orig, s->len);
		if (!live)
			s->out[s->n].bytes[b / 8] ^= 1u << (b % 8);
		s->out[s->n++].bit = b;
	}
	return s->n;
}

size_t inj_site_variants(struct inj_module *m, const struct inj_site *site,
			 struct inj_variant *out, size_t max)
{
	struct inj_section *sec = &m->secs[site->sec];
	struct search s = { .m = m, .site = site, .len = site->len, .out = out, .max = max };
	static const uint8_t zeros[INJ_MAX_INSN];

	if (site->len == 0 || site->len > INJ_MAX_INSN || site->off + site->len > sec->size)
		return 0;
	memcpy(s.orig, sec->data ? sec->data + site->off : zeros, site->len);
	s.relmap = sec->reloc_map + site->off;
	if (site->type == INJ_DATA_BITFLIP && !sec->exec)
		return data_variants(&s, false, 0);
	if (!sec->exec || !inj_decode_bytes(m, s.orig, s.len, site->off) ||
	    m->scratch->size != s.len)
		return 0;
	s.oid = m->scratch->id;
	s.od = *m->scratch->detail;

	switch (site->type) {
	case INJ_TEXT_BITFLIP: s.ok = ok_any; search_bits(&s, s.len); break;
	case INJ_DST_REG: s.ok = ok_dst; search_fields(&s); break;
	case INJ_SRC_REG: s.ok = ok_src; search_fields(&s); break;
	case INJ_POINTER: s.ok = ok_ptr; search_fields(&s); break;
	case INJ_INVERT_BRANCH: s.ok = ok_invert; search_bits(&s, 3); break;
	case INJ_OFF_BY_ONE: s.ok = ok_obo; search_bits(&s, 3); break;
	case INJ_DELETE_BRANCH: case INJ_DELETE_INSN: case INJ_INIT:
	case INJ_SYNC: case INJ_LEAK:
		return nop_variant(&s, false);
	case INJ_ALLOC:
		return s.len == 5 ? nop_variant(&s, true) : 0;
	case INJ_COPY_OVERRUN:
		return grow_variants(&s);
	case INJ_INTERFACE:
		s.ok = ok_imm_flip;
		if (s.od.x86.op_count == 2 && s.od.x86.operands[1].type == X86_OP_IMM &&
		    s.od.x86.encoding.imm_size &&
		    !inj_range_has(s.relmap, s.od.x86.encoding.imm_offset,
				   s.od.x86.encoding.imm_size))
			search_bits(&s, s.len);
		return s.n ? s.n : nop_variant(&s, false);
	case INJ_DATA_BITFLIP: {
		unsigned opsize = 0;
		for (int k = 0; k < s.od.x86.op_count; k++)
			if (s.od.x86.operands[k].type == X86_OP_MEM)
				opsize = s.od.x86.operands[k].size;
		return data_variants(&s, true, opsize);
	}
	default:
		return 0;
	}
	return s.n;
}

const struct inj_insn *inj_insn_find(const struct inj_module *m, int sec, uint64_t off)
{
	size_t lo = 0, hi = m->ninsns;

	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		const struct inj_insn *in = &m->insns[mid];
		if (in->sec == sec && in->off == off)
			return in;
		if (in->sec < sec || (in->sec == sec && in->off < off))
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

static bool writes_family(struct inj_module *m, unsigned reg)
{
	cs_regs rd, wr;
	uint8_t nr = 0, nw = 0;

	if (cs_regs_access(m->cs, m->scratch, rd, &nr, wr, &nw) != CS_ERR_OK)
		return true;	/* unknown: be conservative */
	for (unsigned i = 0; i < nw; i++)
		if ((unsigned)inj_reg_family(wr[i]) == reg)
			return true;
	return false;
}

long inj_block_writer(struct inj_module *m, size_t ci, unsigned reg)
{
	const struct inj_insn *call = &m->insns[ci];

	for (size_t back = 1; back <= 8 && back <= ci; back++) {
		const struct inj_insn *in = &m->insns[ci - back];
		const struct inj_insn *next = &m->insns[ci - back + 1];
		const cs_x86_op *o0;

		if (in->func != call->func || in->sec != call->sec)
			return -1;
		/* something may jump between this insn and the call */
		if (m->secs[in->sec].branch_target[next->off])
			return -1;
		if (!inj_decode_insn(m, in))
			return -1;
		if (cs_insn_group(m->cs, m->scratch, X86_GRP_JUMP) ||
		    cs_insn_group(m->cs, m->scratch, X86_GRP_CALL) ||
		    cs_insn_group(m->cs, m->scratch, X86_GRP_RET))
			return -1;
		if (!writes_family(m, reg))
			continue;
		o0 = &m->scratch->detail->x86.operands[0];
		if (m->scratch->detail->x86.op_count >= 1 && o0->type == X86_OP_REG &&
		    (o0->access & CS_AC_WRITE) && (unsigned)inj_reg_family(o0->reg) == reg)
			return (long)(ci - back);
		return -1;	/* an implicit writer (mul, cqo, ...): not ours to change */
	}
	return -1;
}
