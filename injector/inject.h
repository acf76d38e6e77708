/*
 * libinject: SWIFI fault sites, seeded fault plans and their application to
 * a kernel module binary (.ko, x86-64 ET_REL). See injector/README.md for
 * each fault type's rule and the relocation rule.
 *
 * Life of a plan:  inj_module_open() -> inj_sites_find() -> inj_plan_make()
 *   -> inj_plan_to_json() (stored with the trial) -> inj_plan_from_json()
 *   -> inj_apply_write() (load time) or the plan's "runtime" entries (run time).
 */
#ifndef NOOKS_INJECT_H
#define NOOKS_INJECT_H

#include <stddef.h>
#include <stdint.h>
#include <jansson.h>

#define INJ_PLAN_FORMAT "nooks-fault-plan"
#define INJ_PLAN_VERSION 1
#define INJ_MAX_INSN 15		/* longest x86 instruction */
#define INJ_MAX_RELOCS 4	/* relocations one fault may remove */

enum inj_type {
	INJ_TEXT_BITFLIP,
	INJ_DST_REG,
	INJ_SRC_REG,
	INJ_POINTER,
	INJ_DELETE_BRANCH,
	INJ_INVERT_BRANCH,
	INJ_DELETE_INSN,
	INJ_INIT,
	INJ_OFF_BY_ONE,
	INJ_ALLOC,
	INJ_COPY_OVERRUN,
	INJ_SYNC,
	INJ_LEAK,
	INJ_INTERFACE,
	INJ_DATA_BITFLIP,
	INJ_NTYPES
};

/* Where a fault can be applied: written into the .ko, or patched live. */
enum inj_mode { INJ_MODE_LOAD = 1, INJ_MODE_RUN = 2 };

/* What a run-time fault asks the controller to do in the paused guest. */
enum inj_rt_kind {
	INJ_RT_PATCH,	/* write new bytes at section+offset (old bytes under old_mask must match) */
	INJ_RT_FLIP,	/* xor one bit of the byte at section+offset */
	INJ_RT_REGFAULT,/* breakpoint at section+offset, then xor a register */
	INJ_RT_MEMFLIP,	/* breakpoint at section+offset, flip a bit of the insn's memory operand */
};

struct inj_module;		/* an opened .ko; opaque */

struct inj_site {
	enum inj_type type;
	int sec;		/* index into the module's section table */
	uint64_t off;		/* first byte that the fault rewrites */
	uint8_t len;		/* bytes spanned (instruction length or data word) */
	uint64_t call_off;	/* call-based types: offset of the call instruction */
	const char *callee;	/* call-based types: the resolved target name */
	uint8_t modes;		/* INJ_MODE_* */
};

struct inj_site_list {
	struct inj_site *v;
	size_t n, cap;
};

struct inj_reloc_ref {
	int rela_sec;		/* section index of the .rela.* section */
	size_t index;		/* entry index in it */
	uint64_t r_offset;
	uint32_t r_type;
	char symbol[64];
};

struct inj_fault {
	enum inj_type type;
	char section[64];
	uint64_t off;		/* first rewritten byte in the section */
	uint8_t len;
	uint8_t old_bytes[INJ_MAX_INSN];
	uint8_t new_bytes[INJ_MAX_INSN];
	uint8_t old_known[INJ_MAX_INSN]; /* 0 where a relocation fills the byte at load */
	uint8_t modes;
	char function[128];
	uint64_t func_off;
	uint64_t call_off;	/* call-based types */
	char callee[64];
	size_t nrelocs;		/* relocations removed (set to R_X86_64_NONE) */
	struct inj_reloc_ref relocs[INJ_MAX_RELOCS];
	/* the run-time form */
	enum inj_rt_kind rt_kind;
	unsigned bit;		/* INJ_RT_FLIP / INJ_RT_MEMFLIP: bit number */
	char reg[8];		/* INJ_RT_REGFAULT: register; MEMFLIP: base register */
	char index_reg[8];	/* INJ_RT_MEMFLIP */
	int scale;
	int64_t disp;
	uint64_t xor_mask;	/* INJ_RT_REGFAULT */
	char before[160], after[160];	/* disassembly, for people */
};

struct inj_identity {
	char name[64];		/* basename of the file */
	char sha256[65];
	char build_id[65];	/* hex, "" when absent */
};

struct inj_plan {
	struct inj_identity binary;
	uint64_t seed;
	unsigned types_mask;	/* 1u << enum inj_type */
	uint8_t mode;		/* INJ_MODE_LOAD or INJ_MODE_RUN */
	char functions[256];	/* comma-separated fnmatch globs the sites were limited to; "" = all */
	size_t nfaults;
	struct inj_fault *faults;
};

/* Every entry point that can fail writes a human message here. */
struct inj_error {
	char msg[512];
};

/* types.c */
const char *inj_type_name(enum inj_type t);
const char *inj_type_rule(enum inj_type t);
int inj_type_parse(const char *name);		/* -1 if unknown */
int inj_types_parse(const char *csv, unsigned *mask, struct inj_error *err);

/* module.c */
struct inj_module *inj_module_open(const char *path, struct inj_error *err);
struct inj_module *inj_module_open_mem(const uint8_t *buf, size_t size,
				       const char *name, struct inj_error *err);
void inj_module_close(struct inj_module *m);
const struct inj_identity *inj_module_identity(const struct inj_module *m);
const char *inj_module_section_name(const struct inj_module *m, int sec);
int inj_module_section_index(const struct inj_module *m, const char *name);
/* The section's bytes as in the file (NULL for NOBITS); *size gets its size. */
const uint8_t *inj_module_section_bytes(const struct inj_module *m, int sec, uint64_t *size);
/* The function containing sec+off ("" if none) and the offset into it. */
const char *inj_module_function_at(const struct inj_module *m, int sec, uint64_t off,
				   uint64_t *func_off);
int inj_module_has_signature(const struct inj_module *m);

/* sites.c */
int inj_sites_find(struct inj_module *m, unsigned types_mask, struct inj_site_list *out,
		   struct inj_error *err);
void inj_site_list_free(struct inj_site_list *l);

/* mutate.c: turn a site into a concrete fault; the choice among its variants
 * (which bit, which register, ...) comes from *rng. Returns 0, or -1 if the
 * site has no valid variant. */
int inj_site_mutate(struct inj_module *m, const struct inj_site *s, uint64_t *rng,
		    struct inj_fault *out);

/* disasm of one instruction at sec+off in the given bytes (for show/sites). */
int inj_disasm(struct inj_module *m, const uint8_t *bytes, size_t len, uint64_t addr,
	       char *out, size_t outlen);

/* plan.c */
uint64_t inj_rng_next(uint64_t *state);			/* splitmix64 */
uint64_t inj_rng_below(uint64_t *state, uint64_t n);	/* unbiased, n > 0 */
int inj_plan_make(struct inj_module *m, uint64_t seed, unsigned nfaults, unsigned types_mask,
		  uint8_t mode, struct inj_plan *out, struct inj_error *err);
/* Same, limited to sites inside functions (or data objects) whose names match
 * one of the comma-separated fnmatch(3) globs in funcs ("!glob" excludes). */
int inj_plan_make_in(struct inj_module *m, uint64_t seed, unsigned nfaults, unsigned types_mask,
		     uint8_t mode, const char *funcs, struct inj_plan *out, struct inj_error *err);
void inj_plan_free(struct inj_plan *p);
int inj_plan_check_binary(const struct inj_plan *p, const struct inj_module *m,
			  struct inj_error *err);

/* plan_json.c */
json_t *inj_plan_to_json(const struct inj_plan *p);
int inj_plan_from_json(const json_t *j, struct inj_plan *out, struct inj_error *err);
int inj_plan_load(const char *path, struct inj_plan *out, struct inj_error *err);
json_t *inj_fault_to_json(const struct inj_fault *f);

/* apply.c: the mutated image (signature stripped) in memory or on disk. */
int inj_apply_image(struct inj_module *m, const struct inj_plan *p, uint8_t **img,
		    size_t *img_size, struct inj_error *err);
int inj_apply_write(struct inj_module *m, const struct inj_plan *p, const char *out_path,
		    struct inj_error *err);
/* The relocation rule on a mutated image: no live relocation overlaps a byte
 * that differs from the original. Returns the number of violations. */
int inj_check_relocs(struct inj_module *orig, struct inj_module *mutated,
		     struct inj_error *err);

#endif
