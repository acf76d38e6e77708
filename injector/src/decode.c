/*
 * Capstone glue: every function of every executable section is decoded once
 * (from the symbol table's STT_FUNC ranges, so inter-function padding is never
 * mistaken for code), and single instructions are re-decoded with full detail
 * on demand. Also: the canonical NOP encodings used to blank instructions.
 */
#include <stdlib.h>
#include <string.h>
#include "internal.h"

/* Intel SDM's recommended multi-byte NOPs (Vol. 2B, NOP), index = length. */
static const uint8_t nops[10][9] = {
	{ 0 },
	{ 0x90 },
	{ 0x66, 0x90 },
	{ 0x0f, 0x1f, 0x00 },
	{ 0x0f, 0x1f, 0x40, 0x00 },
	{ 0x0f, 0x1f, 0x44, 0x00, 0x00 },
	{ 0x66, 0x0f, 0x1f, 0x44, 0x00, 0x00 },
	{ 0x0f, 0x1f, 0x80, 0x00, 0x00, 0x00, 0x00 },
	{ 0x0f, 0x1f, 0x84, 0x00, 0x00, 0x00, 0x00, 0x00 },
	{ 0x66, 0x0f, 0x1f, 0x84, 0x00, 0x00, 0x00, 0x00, 0x00 },
};

void inj_nop_fill(uint8_t *dst, size_t len)
{
	while (len) {
		size_t n = len > 9 ? 9 : len;
		memcpy(dst, nops[n], n);
		dst += n;
		len -= n;
	}
}

bool inj_is_jcc(unsigned id)
{
	switch (id) {
	case X86_INS_JAE: case X86_INS_JA: case X86_INS_JBE: case X86_INS_JB:
	case X86_INS_JE: case X86_INS_JGE: case X86_INS_JG: case X86_INS_JLE:
	case X86_INS_JL: case X86_INS_JNE: case X86_INS_JNO: case X86_INS_JNP:
	case X86_INS_JNS: case X86_INS_JO: case X86_INS_JP: case X86_INS_JS:
		return true;
	default:
		return false;
	}
}

static const unsigned gpr_family[][6] = {
	{ X86_REG_RAX, X86_REG_EAX, X86_REG_AX, X86_REG_AL, X86_REG_AH },
	{ X86_REG_RBX, X86_REG_EBX, X86_REG_BX, X86_REG_BL, X86_REG_BH },
	{ X86_REG_RCX, X86_REG_ECX, X86_REG_CX, X86_REG_CL, X86_REG_CH },
	{ X86_REG_RDX, X86_REG_EDX, X86_REG_DX, X86_REG_DL, X86_REG_DH },
	{ X86_REG_RSI, X86_REG_ESI, X86_REG_SI, X86_REG_SIL },
	{ X86_REG_RDI, X86_REG_EDI, X86_REG_DI, X86_REG_DIL },
	{ X86_REG_RBP, X86_REG_EBP, X86_REG_BP, X86_REG_BPL },
	{ X86_REG_RSP, X86_REG_ESP, X86_REG_SP, X86_REG_SPL },
	{ X86_REG_R8, X86_REG_R8D, X86_REG_R8W, X86_REG_R8B },
	{ X86_REG_R9, X86_REG_R9D, X86_REG_R9W, X86_REG_R9B },
	{ X86_REG_R10, X86_REG_R10D, X86_REG_R10W, X86_REG_R10B },
	{ X86_REG_R11, X86_REG_R11D, X86_REG_R11W, X86_REG_R11B },
	{ X86_REG_R12, X86_REG_R12D, X86_REG_R12W, X86_REG_R12B },
	{ X86_REG_R13, X86_REG_R13D, X86_REG_R13W, X86_REG_R13B },
	{ X86_REG_R14, X86_REG_R14D, X86_REG_R14W, X86_REG_R14B },
	{ X86_REG_R15, X86_REG_R15D, X86_REG_R15W, X86_REG_R15B },
};

int inj_reg_family(unsigned reg)
{
	for (size_t f = 0; f < sizeof(gpr_family) / sizeof(gpr_family[0]); f++)
		for (size_t k = 0; k < 6 && gpr_family[f][k]; k++)
			if (gpr_family[f][k] == reg)
				return gpr_family[f][0];
	return 0;
}

bool inj_decode_bytes(struct inj_module *m, const uint8_t *bytes, size_t len, uint64_t off)
{
	const uint8_t *p = bytes;
	size_t n = len;
	uint64_t a = off;

	return cs_disasm_iter(m->cs, &p, &n, &a, m->scratch);
}

bool inj_decode_insn(struct inj_module *m, const struct inj_insn *in)
{
	const struct inj_section *s = &m->secs[in->sec];

	return inj_decode_bytes(m, s->data + in->off, in->len, in->off) &&
	       m->scratch->size == in->len;
}

/* True if bytes decode as a sequence of valid instructions ending exactly at len. */
bool inj_decodes_exactly(struct inj_module *m, const uint8_t *bytes, size_t len, uint64_t off)
{
	size_t pos = 0;

	while (pos < len) {
		if (!inj_decode_bytes(m, bytes + pos, len - pos, off + pos))
			return false;
		pos += m->scratch->size;
	}
	return pos == len;
}

static int cmp_sym_value(const void *a, const void *b)
{
	const struct inj_symbol *x = *(const struct inj_symbol *const *)a;
	const struct inj_symbol *y = *(const struct inj_symbol *const *)b;
	if (x->value != y->value)
		return x->value < y->value ? -1 : 1;
	return strcmp(x->name, y->name);
}

static int push_insn(struct inj_module *m, size_t *cap, struct inj_insn in)
{
	if (m->ninsns == *cap) {
		size_t nc = *cap ? *cap * 2 : 4096;
		struct inj_insn *v = realloc(m->insns, nc * sizeof(*v));
		if (!v)
			return -1;
		m->insns = v;
		*cap = nc;
	}
	m->insns[m->ninsns++] = in;
	return 0;
}

static void note_direct_target(struct inj_module *m, int sec, const cs_insn *ci)
{
	const cs_x86 *x = &ci->detail->x86;
	struct inj_section *s = &m->secs[sec];

	if (!cs_insn_group(m->cs, ci, X86_GRP_JUMP) || x->op_count != 1 ||
	    x->operands[0].type != X86_OP_IMM)
		return;
	/* a rel32 that a relocation fills points elsewhere; its target was
	 * marked from the relocation itself */
	if (inj_range_has(s->reloc_map, ci->address, ci->size))
		return;
	if ((uint64_t)x->operands[0].imm < s->size)
		s->branch_target[x->operands[0].imm] = 1;
}

int inj_decode_all(struct inj_module *m, struct inj_error *err)
{
	size_t cap = 0;
	const struct inj_symbol **funcs;

	if (m->decoded)
		return 0;
	funcs = calloc(m->nsyms + 1, sizeof(*funcs));
	if (!funcs) {
		inj_err(err, "out of memory");
		return -1;
	}
	for (size_t sec = 0; sec < m->nsecs; sec++) {
		struct inj_section *s = &m->secs[sec];
		size_t nf = 0;
		uint64_t end = 0;

		if (!s->exec || !s->data)
			continue;
		for (size_t i = 0; i < m->nsyms; i++)
			if (m->syms[i].shndx == sec && m->syms[i].type == STT_FUNC &&
			    m->syms[i].size && m->syms[i].value < s->size &&
			    m->syms[i].size <= s->size - m->syms[i].value)
				funcs[nf++] = &m->syms[i];
		qsort(funcs, nf, sizeof(*funcs), cmp_sym_value);
		for (size_t f = 0; f < nf; f++) {
			const uint8_t *p;
			size_t n;
			uint64_t a;
			uint32_t nth = 0;

			if (funcs[f]->value < end)
				continue;	/* alias or overlap: decoded already */
			p = s->data + funcs[f]->value;
			n = funcs[f]->size;
			a = funcs[f]->value;
			end = a + n;
			while (n && cs_disasm_iter(m->cs, &p, &n, &a, m->scratch)) {
				struct inj_insn in = { (int)sec, m->scratch->address,
						       (uint8_t)m->scratch->size,
						       (int)(funcs[f] - m->syms), nth++ };
				note_direct_target(m, (int)sec, m->scratch);
				if (push_insn(m, &cap, in)) {
					free(funcs);
					inj_err(err, "out of memory");
					return -1;
				}
			}
		}
	}
	free(funcs);
	m->decoded = true;
	return 0;
}

const char *inj_call_target(struct inj_module *m, const struct inj_insn *in)
{
	const struct inj_section *s = &m->secs[in->sec];
	const struct inj_reloc *r;
	uint64_t fo;

	if (in->len != 5 || s->data[in->off] != 0xe8)
		return NULL;
	r = inj_reloc_at(s, in->off + 1, 4);
	if (r) {
		const struct inj_symbol *sym = &m->syms[r->sym];
		if (r->offset != in->off + 1)
			return NULL;
		if (sym->type == STT_SECTION) {
			int64_t t = (int64_t)sym->value + r->addend + 4;
			const char *f = t >= 0 ? inj_module_function_at(m, sym->shndx, t, &fo) : "";
			return *f && fo == 0 ? f : NULL;
		}
		return sym->name;
	}
	/* intra-section call: rel32 is final in the file */
	{
		int32_t rel;
		int64_t t;
		const char *f;

		memcpy(&rel, s->data + in->off + 1, 4);
		t = (int64_t)in->off + 5 + rel;
		if (t < 0 || (uint64_t)t >= s->size)
			return NULL;
		f = inj_module_function_at(m, in->sec, t, &fo);
		return *f && fo == 0 ? f : NULL;
	}
}

int inj_disasm(struct inj_module *m, const uint8_t *bytes, size_t len, uint64_t addr,
	       char *out, size_t outlen)
{
	size_t pos = 0, used = 0;

	out[0] = 0;
	while (pos < len) {
		int w;
		if (!inj_decode_bytes(m, bytes + pos, len - pos, addr + pos)) {
			snprintf(out + used, outlen - used, "%s(bad)", used ? "; " : "");
			return -1;
		}
		w = snprintf(out + used, outlen - used, "%s%s%s%s", used ? "; " : "",
			     m->scratch->mnemonic, *m->scratch->op_str ? " " : "",
			     m->scratch->op_str);
		if (w < 0 || (size_t)w >= outlen - used)
			return 0;
		used += w;
		pos += m->scratch->size;
	}
	return 0;
}
