/*
 * Every fault type against the real e1000.ko and pcnet32.ko: the site list
 * is non-empty; each mutation decodes to valid instructions of the intended
 * kind; the written module differs from the original only in the faults'
 * bytes and the removed relocation entries; the relocation rule holds; a
 * plan is reproducible from its seed and survives a JSON round trip.
 */
#include "testlib.h"
#include <libelf.h>

struct fixture {
	struct inj_module *m;
	const char *path;
};

static int setup_e1000(void **state)
{
	static struct fixture f;
	struct inj_error err = { "" };

	f.path = module_path(E1000);
	f.m = inj_module_open(f.path, &err);
	if (!f.m)
		fprintf(stderr, "%s\n", err.msg);
	*state = &f;
	return f.m ? 0 : -1;
}

static int setup_pcnet32(void **state)
{
	static struct fixture f;
	struct inj_error err = { "" };

	f.path = module_path(PCNET32);
	f.m = inj_module_open(f.path, &err);
	*state = &f;
	return f.m ? 0 : -1;
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	inj_module_close(f->m);
	return 0;
}

static bool all_nops(struct inj_module *m, const uint8_t *b, size_t len, uint64_t off)
{
	size_t pos = 0;

	while (pos < len) {
		if (!inj_decode_bytes(m, b + pos, len - pos, off + pos) ||
		    m->scratch->id != X86_INS_NOP)
			return false;
		pos += m->scratch->size;
	}
	return true;
}

static int popcount_diff(const uint8_t *a, const uint8_t *b, size_t n)
{
	int c = 0;

	for (size_t i = 0; i < n; i++)
		c += __builtin_popcount(a[i] ^ b[i]);
	return c;
}

struct dec {
	unsigned id;
	uint8_t size;
	cs_detail d;
};

static void decode(struct inj_module *m, const uint8_t *b, size_t len, uint64_t off,
		   struct dec *out)
{
	assert_true(inj_decode_bytes(m, b, len, off));
	out->id = m->scratch->id;
	out->size = (uint8_t)m->scratch->size;
	out->d = *m->scratch->detail;
}

static const struct inj_reloc *reloc_in(struct inj_module *m, const struct inj_fault *f)
{
	int si = inj_module_section_index(m, f->section);
	return inj_reloc_at(&m->secs[si], f->off, f->len);
}

static void check_kind(struct inj_module *m, const struct inj_fault *f)
{
	int si = inj_module_section_index(m, f->section);
	bool exec = m->secs[si].exec;
	struct dec o, n;

	assert_memory_not_equal(f->old_bytes, f->new_bytes, f->len);
	if (exec)
		assert_true(inj_decodes_exactly(m, f->new_bytes, f->len, f->off));
	if (f->type == INJ_DATA_BITFLIP) {
		if (!exec)
			assert_int_equal(popcount_diff(f->old_bytes, f->new_bytes, f->len), 1);
		return;
	}
	decode(m, f->old_bytes, f->len, f->off, &o);
	assert_int_equal(o.size, f->len);
	switch (f->type) {
	case INJ_TEXT_BITFLIP:
		assert_int_equal(popcount_diff(f->old_bytes, f->new_bytes, f->len), 1);
		decode(m, f->new_bytes, f->len, f->off, &n);
		assert_int_equal(n.size, f->len);
		break;
	case INJ_DST_REG:
		decode(m, f->new_bytes, f->len, f->off, &n);
		assert_int_equal(n.id, o.id);
		assert_int_equal(n.d.x86.operands[0].type, X86_OP_REG);
		assert_true(o.d.x86.operands[0].access & CS_AC_WRITE);
		assert_int_not_equal(n.d.x86.operands[0].reg, o.d.x86.operands[0].reg);
		break;
	case INJ_SRC_REG: {
		int diffs = 0;
		decode(m, f->new_bytes, f->len, f->off, &n);
		assert_int_equal(n.id, o.id);
		for (int k = 0; k < o.d.x86.op_count; k++)
			if (o.d.x86.operands[k].type == X86_OP_REG &&
			    o.d.x86.operands[k].reg != n.d.x86.operands[k].reg) {
				assert_int_equal(o.d.x86.operands[k].access, CS_AC_READ);
				diffs++;
			}
		assert_int_equal(diffs, 1);
		break;
	}
	case INJ_POINTER: {
		bool changed = false;
		decode(m, f->new_bytes, f->len, f->off, &n);
		assert_int_equal(n.id, o.id);
		for (int k = 0; k < o.d.x86.op_count; k++)
			if (o.d.x86.operands[k].type == X86_OP_MEM)
				changed |= o.d.x86.operands[k].mem.base != n.d.x86.operands[k].mem.base ||
					   o.d.x86.operands[k].mem.index != n.d.x86.operands[k].mem.index;
		assert_true(changed);
		break;
	}
	case INJ_DELETE_BRANCH:
		assert_true(inj_is_jcc(o.id));
		assert_true(all_nops(m, f->new_bytes, f->len, f->off));
		break;
	case INJ_INVERT_BRANCH:
	case INJ_OFF_BY_ONE:
		decode(m, f->new_bytes, f->len, f->off, &n);
		assert_true(inj_is_jcc(o.id) && inj_is_jcc(n.id));
		assert_int_not_equal(n.id, o.id);
		assert_int_equal(n.d.x86.operands[0].imm, o.d.x86.operands[0].imm);
		if (f->type == INJ_INVERT_BRANCH) {	/* opposite: condition code ^ 1 */
			assert_int_equal(popcount_diff(f->old_bytes, f->new_bytes, f->len), 1);
		} else {
			static const unsigned strict[] = { X86_INS_JL, X86_INS_JG, X86_INS_JB,
							   X86_INS_JA };
			static const unsigned loose[] = { X86_INS_JLE, X86_INS_JGE, X86_INS_JBE,
							  X86_INS_JAE };
			bool pair = false;
			for (int k = 0; k < 4; k++)
				pair |= (o.id == strict[k] && n.id == loose[k]) ||
					(o.id == loose[k] && n.id == strict[k]);
			assert_true(pair);
		}
		break;
	case INJ_DELETE_INSN:
		assert_int_not_equal(o.id, X86_INS_NOP);
		assert_true(all_nops(m, f->new_bytes, f->len, f->off));
		break;
	case INJ_INIT:
		assert_int_equal(o.d.x86.operands[0].type, X86_OP_MEM);
		assert_int_equal(o.d.x86.operands[0].mem.base, X86_REG_RSP);
		assert_true(all_nops(m, f->new_bytes, f->len, f->off));
		break;
	case INJ_ALLOC:
		assert_int_equal(o.id, X86_INS_CALL);
		assert_true(inj_callee_in(INJ_ALLOC, f->callee));
		decode(m, f->new_bytes, f->len, f->off, &n);
		assert_int_equal(n.id, X86_INS_XOR);	/* xor eax, eax */
		assert_int_equal(n.d.x86.operands[0].reg, X86_REG_EAX);
		assert_int_equal(n.d.x86.operands[1].reg, X86_REG_EAX);
		assert_true(all_nops(m, f->new_bytes + 2, f->len - 2, f->off + 2));
		break;
	case INJ_SYNC:
	case INJ_LEAK:
		assert_int_equal(o.id, X86_INS_CALL);
		assert_true(inj_callee_in(f->type, f->callee));
		assert_true(all_nops(m, f->new_bytes, f->len, f->off));
		break;
	case INJ_COPY_OVERRUN: {
		int64_t a, b;
		decode(m, f->new_bytes, f->len, f->off, &n);
		assert_int_equal(n.id, o.id);
		a = o.d.x86.operands[1].type == X86_OP_IMM ? o.d.x86.operands[1].imm
							    : o.d.x86.operands[1].mem.disp;
		b = n.d.x86.operands[1].type == X86_OP_IMM ? n.d.x86.operands[1].imm
							    : n.d.x86.operands[1].mem.disp;
		assert_true(b > a);
		assert_true(inj_copy_len_reg(f->callee) != 0);
		break;
	}
	case INJ_INTERFACE:
		assert_true(f->call_off > f->off);
		decode(m, f->new_bytes, f->len, f->off, &n);
		if (n.id != X86_INS_NOP) {
			assert_int_equal(n.id, o.id);
			assert_int_equal(n.d.x86.operands[1].type, X86_OP_IMM);
			assert_int_not_equal(n.d.x86.operands[1].imm, o.d.x86.operands[1].imm);
		}
		assert_string_not_equal(f->reg, "");
		break;
	default:
		fail();
	}
	/* the relocation rule: only blanked instructions lose relocations */
	if (f->nrelocs)
		assert_true(f->type == INJ_DELETE_BRANCH || f->type == INJ_DELETE_INSN ||
			    f->type == INJ_INIT || f->type == INJ_ALLOC || f->type == INJ_SYNC ||
			    f->type == INJ_LEAK || f->type == INJ_INTERFACE);
	if (f->type == INJ_ALLOC || f->type == INJ_SYNC || f->type == INJ_LEAK) {
		assert_non_null(reloc_in(m, f));
		assert_int_equal(f->nrelocs, 1);
		assert_int_equal(f->relocs[0].r_offset, f->off + 1);
	}
}

/* bytes of the written image may differ only inside faults and removed rela entries */
static void check_image(struct inj_module *m, const struct inj_plan *p, const uint8_t *img,
			size_t n)
{
	uint8_t *allowed = calloc(m->size, 1);

	assert_int_equal(n, m->size);
	for (size_t i = 0; i < p->nfaults; i++) {
		const struct inj_fault *f = &p->faults[i];
		const struct inj_section *s = &m->secs[inj_module_section_index(m, f->section)];
		size_t base = (size_t)(s->data - m->buf) + f->off;
		memset(allowed + base, 1, f->len);
		for (size_t r = 0; r < f->nrelocs; r++) {
			const struct inj_section *rs = &m->secs[f->relocs[r].rela_sec];
			size_t e = (size_t)(rs->data - m->buf) + f->relocs[r].index * sizeof(Elf64_Rela);
			memset(allowed + e + 8, 1, 16);	/* r_info and r_addend */
		}
	}
	for (size_t i = 0; i < n; i++)
		if (img[i] != m->buf[i] && !allowed[i])
			fail_msg("byte %#zx changed outside any fault", i);
	free(allowed);
}

static void one_type(struct fixture *fx, enum inj_type t)
{
	struct inj_error err = { "" };
	struct inj_site_list l;
	struct inj_plan p, q;
	uint8_t *img = NULL;
	size_t n, loadable = 0;
	unsigned k;
	json_t *a, *b;
	char *sa, *sb;

	assert_int_equal(inj_sites_find(fx->m, 1u << t, &l, &err), 0);
	for (size_t i = 0; i < l.n; i++) {
		assert_int_equal(l.v[i].type, t);
		loadable += !!(l.v[i].modes & INJ_MODE_LOAD);
	}
	print_message("  %-14s %6zu sites (%zu load-time) in %s\n", inj_type_name(t), l.n,
		      loadable, fx->m->id.name);
	assert_true(loadable > 0);
	inj_site_list_free(&l);

	k = loadable < 5 ? (unsigned)loadable : 5;
	assert_int_equal(inj_plan_make(fx->m, 1000 + t, k, 1u << t, INJ_MODE_LOAD, &p, &err), 0);
	assert_int_equal(p.nfaults, k);
	for (size_t i = 0; i < p.nfaults; i++)
		check_kind(fx->m, &p.faults[i]);
	if (inj_apply_image(fx->m, &p, &img, &n, &err))
		fail_msg("apply: %s", err.msg);
	check_image(fx->m, &p, img, n);
	{	/* the relocation checker on the written module */
		struct inj_module *mut = inj_module_open_mem(img, n, "mut", &err);
		assert_non_null(mut);
		assert_int_equal(inj_check_relocs(fx->m, mut, &err), 0);
		assert_false(inj_module_has_signature(mut));
		inj_module_close(mut);
	}
	free(img);

	/* same seed, same plan; JSON round trip is exact */
	assert_int_equal(inj_plan_make(fx->m, 1000 + t, k, 1u << t, INJ_MODE_LOAD, &q, &err), 0);
	a = inj_plan_to_json(&p);
	b = inj_plan_to_json(&q);
	assert_true(json_equal(a, b));
	inj_plan_free(&q);
	assert_int_equal(inj_plan_from_json(a, &q, &err), 0);
	json_decref(b);
	b = inj_plan_to_json(&q);
	sa = json_dumps(a, JSON_SORT_KEYS);
	sb = json_dumps(b, JSON_SORT_KEYS);
	assert_string_equal(sa, sb);
	free(sa);
	free(sb);
	json_decref(a);
	json_decref(b);
	inj_plan_free(&q);
	inj_plan_free(&p);
}

#define TYPE_TEST(fn, t) \
	static void fn(void **state) { one_type(*state, t); }
TYPE_TEST(t_text_bitflip, INJ_TEXT_BITFLIP)
TYPE_TEST(t_dst_reg, INJ_DST_REG)
TYPE_TEST(t_src_reg, INJ_SRC_REG)
TYPE_TEST(t_pointer, INJ_POINTER)
TYPE_TEST(t_delete_branch, INJ_DELETE_BRANCH)
TYPE_TEST(t_invert_branch, INJ_INVERT_BRANCH)
TYPE_TEST(t_delete_insn, INJ_DELETE_INSN)
TYPE_TEST(t_init, INJ_INIT)
TYPE_TEST(t_off_by_one, INJ_OFF_BY_ONE)
TYPE_TEST(t_alloc, INJ_ALLOC)
TYPE_TEST(t_copy_overrun, INJ_COPY_OVERRUN)
TYPE_TEST(t_sync, INJ_SYNC)
TYPE_TEST(t_leak, INJ_LEAK)
TYPE_TEST(t_interface, INJ_INTERFACE)
TYPE_TEST(t_data_bitflip, INJ_DATA_BITFLIP)

/* A mixed 5-fault plan (as Nooks used): reproducible, seed-sensitive. */
static void t_mixed_plan_seeded(void **state)
{
	struct fixture *fx = *state;
	struct inj_error err = { "" };
	struct inj_plan p, q, r;
	unsigned all = (1u << INJ_NTYPES) - 1;
	json_t *a, *b, *c;
	uint8_t *img;
	size_t n;

	assert_int_equal(inj_plan_make(fx->m, 7, 5, all, INJ_MODE_LOAD, &p, &err), 0);
	assert_int_equal(inj_plan_make(fx->m, 7, 5, all, INJ_MODE_LOAD, &q, &err), 0);
	assert_int_equal(inj_plan_make(fx->m, 8, 5, all, INJ_MODE_LOAD, &r, &err), 0);
	a = inj_plan_to_json(&p);
	b = inj_plan_to_json(&q);
	c = inj_plan_to_json(&r);
	assert_true(json_equal(a, b));
	assert_false(json_equal(a, c));
	assert_int_equal(inj_apply_image(fx->m, &p, &img, &n, &err), 0);
	check_image(fx->m, &p, img, n);
	free(img);
	json_decref(a);
	json_decref(b);
	json_decref(c);
	inj_plan_free(&p);
	inj_plan_free(&q);
	inj_plan_free(&r);
}

/* Run-time plans: every entry has a run-time form a controller can apply. */
static void t_runtime_plan(void **state)
{
	struct fixture *fx = *state;
	struct inj_error err = { "" };
	struct inj_plan p;
	unsigned all = (1u << INJ_NTYPES) - 1;

	assert_int_equal(inj_plan_make(fx->m, 99, 20, all, INJ_MODE_RUN, &p, &err), 0);
	for (size_t i = 0; i < p.nfaults; i++) {
		const struct inj_fault *f = &p.faults[i];
		assert_true(f->modes & INJ_MODE_RUN);
		assert_string_not_equal(f->section, ".init.text");
		if (f->rt_kind == INJ_RT_REGFAULT)
			assert_int_equal(__builtin_popcountll(f->xor_mask), 1);
	}
	inj_plan_free(&p);
}

/* The kernel-patched bytes (ftrace, retpolines, return thunks, jump labels,
 * static calls) are never sites. */
static void t_protected_never_sites(void **state)
{
	struct fixture *fx = *state;
	struct inj_error err = { "" };
	struct inj_site_list l;
	size_t prot = 0;

	assert_int_equal(inj_sites_find(fx->m, (1u << INJ_NTYPES) - 1, &l, &err), 0);
	for (size_t i = 0; i < l.n; i++) {
		const struct inj_section *s = &fx->m->secs[l.v[i].sec];
		if (s->exec)
			assert_false(inj_range_has(s->protected_map, l.v[i].off, l.v[i].len));
	}
	for (size_t i = 0; i < fx->m->nsecs; i++)
		if (fx->m->secs[i].exec)
			for (uint64_t b = 0; b < fx->m->secs[i].size; b++)
				prot += fx->m->secs[i].protected_map[b];
	assert_true(prot > 100);	/* e1000 has hundreds of __fentry__/thunk sites */
	inj_site_list_free(&l);
}

/* Where a relocation fills bytes of an instruction, every re-encoding keeps
 * those bytes a whole disp/imm field at the same place: what the loader
 * writes can never become opcode or ModRM bytes. */
static void t_reloc_fields_kept(void **state)
{
	struct fixture *fx = *state;
	struct inj_error err = { "" };
	struct inj_site_list l;
	unsigned mask = 1u << INJ_TEXT_BITFLIP | 1u << INJ_DST_REG | 1u << INJ_SRC_REG |
			1u << INJ_POINTER;
	size_t checked = 0, variants = 0;
	static struct inj_variant v[INJ_MAX_VARIANTS];

	assert_int_equal(inj_sites_find(fx->m, mask, &l, &err), 0);
	for (size_t i = 0; i < l.n && checked < 300; i++) {
		const struct inj_site *s = &l.v[i];
		const struct inj_section *sec = &fx->m->secs[s->sec];
		struct dec o;
		size_t n;

		if (!inj_range_has(sec->reloc_map, s->off, s->len))
			continue;
		checked++;
		decode(fx->m, sec->data + s->off, s->len, s->off, &o);
		n = inj_site_variants(fx->m, s, v, INJ_MAX_VARIANTS);
		for (size_t k = 0; k < n; k++) {
			struct dec d;
			const cs_x86_encoding *a = &o.d.x86.encoding, *b;
			decode(fx->m, v[k].bytes, s->len, s->off, &d);
			b = &d.d.x86.encoding;
			variants++;
			for (unsigned pos = 0; pos < s->len; pos++) {
				if (!sec->reloc_map[s->off + pos])
					continue;
				assert_int_equal(v[k].bytes[pos], sec->data[s->off + pos]);
				{	/* the field holding it: same place and size as before */
					bool in_disp = a->disp_size && pos >= a->disp_offset &&
						       pos < (unsigned)a->disp_offset + a->disp_size;
					unsigned at = in_disp ? a->disp_offset : a->imm_offset;
					unsigned sz = in_disp ? a->disp_size : a->imm_size;
					assert_true(sz > 0);
					assert_true((b->disp_offset == at && b->disp_size == sz) ||
						    (b->imm_offset == at && b->imm_size == sz));
				}
			}
		}
	}
	print_message("  %zu relocated instructions, %zu variants checked\n", checked, variants);
	assert_true(checked > 50);
	inj_site_list_free(&l);
}

/* Plans are the same on any machine: a plan drawn now equals the one stored
 * in the repository for this exact Debian build (skipped for other builds). */
static void t_golden_plan(void **state)
{
	struct fixture *fx = *state;
	struct inj_error err = { "" };
	struct inj_plan p, g;
	char path[512];
	json_t *a, *b;

	snprintf(path, sizeof(path), "tests/golden/%s-seed1.json", fx->m->id.name);
	if (inj_plan_load(path, &g, &err))
		skip();
	if (strcmp(g.binary.sha256, fx->m->id.sha256)) {
		inj_plan_free(&g);
		skip();	/* another build of the module */
	}
	assert_int_equal(inj_plan_make(fx->m, 1, 5, (1u << INJ_NTYPES) - 1, INJ_MODE_LOAD, &p,
				       &err), 0);
	a = inj_plan_to_json(&p);
	b = inj_plan_to_json(&g);
	assert_true(json_equal(a, b));
	json_decref(a);
	json_decref(b);
	inj_plan_free(&p);
	inj_plan_free(&g);
}

int main(void)
{
#define BOTH(fn) cmocka_unit_test(fn)
	const struct CMUnitTest tests[] = {
		BOTH(t_text_bitflip), BOTH(t_dst_reg), BOTH(t_src_reg), BOTH(t_pointer),
		BOTH(t_delete_branch), BOTH(t_invert_branch), BOTH(t_delete_insn), BOTH(t_init),
		BOTH(t_off_by_one), BOTH(t_alloc), BOTH(t_copy_overrun), BOTH(t_sync),
		BOTH(t_leak), BOTH(t_interface), BOTH(t_data_bitflip), BOTH(t_mixed_plan_seeded),
		BOTH(t_runtime_plan), BOTH(t_protected_never_sites), BOTH(t_reloc_fields_kept),
		BOTH(t_golden_plan),
	};
	int rc = 0;

	rc |= cmocka_run_group_tests_name("e1000.ko", tests, setup_e1000, teardown);
	rc |= cmocka_run_group_tests_name("pcnet32.ko", tests, setup_pcnet32, teardown);
	return rc;
}
