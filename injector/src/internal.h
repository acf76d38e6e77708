/* Internal interface between the injector's files. */
#ifndef NOOKS_INJECT_INTERNAL_H
#define NOOKS_INJECT_INTERNAL_H

#include <capstone/capstone.h>
#include <gelf.h>
#include <stdarg.h>
#include <stdbool.h>
#include "../inject.h"

struct inj_reloc {
	uint64_t offset;
	uint32_t type;
	uint32_t sym;
	int64_t addend;
	size_t index;		/* entry index in its .rela section */
	unsigned size;		/* bytes the relocation writes */
};

struct inj_symbol {
	const char *name;
	uint16_t shndx;
	uint64_t value, size;
	unsigned char type;
};

struct inj_section {
	const char *name;
	size_t elf_index;
	uint32_t type;
	uint64_t flags, size;
	const uint8_t *data;		/* NULL for NOBITS */
	bool exec;
	bool unique_name;		/* plans name sections: only these can hold faults */
	int rela;			/* index of the .rela section that patches it, or -1 */
	struct inj_reloc *relocs;	/* sorted by offset */
	size_t nrelocs;
	uint8_t *reloc_map;		/* 1 where a relocation writes (exec and data sections) */
	uint8_t *protected_map;		/* 1 where kernel patching/tables need the bytes intact */
	uint8_t *branch_target;		/* 1 at offsets something may jump to */
};

/* A decoded instruction, light enough to keep all of them. */
struct inj_insn {
	int sec;
	uint64_t off;
	uint8_t len;
	int func;			/* index into syms */
	uint32_t nth;			/* position inside its function */
};

struct inj_module {
	uint8_t *buf;			/* the ELF part of the file (signature excluded) */
	size_t size;
	size_t file_size;
	bool signed_file;
	Elf *elf;
	struct inj_identity id;
	struct inj_section *secs;
	size_t nsecs;
	struct inj_symbol *syms;
	size_t nsyms;
	csh cs;
	cs_insn *scratch;		/* detail buffer for one decode */
	struct inj_insn *insns;		/* every instruction of every function */
	size_t ninsns;
	bool decoded;
};

void inj_err(struct inj_error *err, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* module.c */
const char *inj_reloc_symbol(const struct inj_module *m, const struct inj_reloc *r);
const struct inj_reloc *inj_reloc_at(const struct inj_section *s, uint64_t off, uint64_t len);
bool inj_range_has(const uint8_t *map, uint64_t off, uint64_t len);

/* decode.c */
int inj_decode_all(struct inj_module *m, struct inj_error *err);
/* Decode one instruction from bytes as if at addr=off; result in m->scratch. */
bool inj_decode_bytes(struct inj_module *m, const uint8_t *bytes, size_t len, uint64_t off);
bool inj_decode_insn(struct inj_module *m, const struct inj_insn *in);
bool inj_decodes_exactly(struct inj_module *m, const uint8_t *bytes, size_t len, uint64_t off);
void inj_nop_fill(uint8_t *dst, size_t len);
int inj_reg_family(unsigned reg);	/* canonical 64-bit GPR, or 0 */
bool inj_is_jcc(unsigned id);
/* Name of the function called by the call insn at sec+off (reloc or direct), or NULL. */
const char *inj_call_target(struct inj_module *m, const struct inj_insn *in);

#endif

/* callees.c */
bool inj_callee_in(enum inj_type t, const char *name);
unsigned inj_copy_len_reg(const char *name);

/* variants.c: every valid new encoding of the site's bytes, in a fixed order */
#define INJ_MAX_VARIANTS 256
struct inj_variant {
	uint8_t bytes[INJ_MAX_INSN];
	unsigned bit;		/* bit flipped, where the type flips one */
};
/* Fills up to max variants (max may be 1 to test existence); returns count. */
size_t inj_site_variants(struct inj_module *m, const struct inj_site *s,
			 struct inj_variant *out, size_t max);
const struct inj_insn *inj_insn_find(const struct inj_module *m, int sec, uint64_t off);
/* Walk back from the call at insns[ci] within its basic block (<= 8 insns);
 * returns the index of the last explicit writer of register family reg, or -1. */
long inj_block_writer(struct inj_module *m, size_t ci, unsigned reg);
