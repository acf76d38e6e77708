/* The fault taxonomy (Rio/SWIFI as used by Nooks; Ng & Chen, FTCS'99): one
 * row per type, with the exact rule the site finder and mutator implement. */
#include <string.h>
#include "internal.h"

struct type_row {
	const char *name;
	const char *rule;
};

static const struct type_row types[INJ_NTYPES] = {
	[INJ_TEXT_BITFLIP] = { "text-bitflip",
		"flip one bit, chosen uniformly among the instruction's bytes that no relocation "
		"writes, such that the result still decodes as one valid instruction of the same "
		"length" },
	[INJ_DST_REG] = { "dst-reg",
		"an instruction whose first operand is a general register it writes is re-encoded "
		"(one 3-bit register field of its ModRM/SIB/opcode changed) so that it writes another "
		"general register of the same width; every other operand, the opcode and the length "
		"stay the same" },
	[INJ_SRC_REG] = { "src-reg",
		"an instruction with a general register operand that it only reads is re-encoded so "
		"that operand names another general register of the same width; everything else "
		"stays the same" },
	[INJ_POINTER] = { "pointer",
		"an instruction with a memory operand [base + index*scale + disp] (not RIP-relative) "
		"is re-encoded so the base or the index is another general register; scale, "
		"displacement, opcode and length stay the same" },
	[INJ_DELETE_BRANCH] = { "delete-branch",
		"a conditional branch (jcc) is replaced by NOPs of the same length, so execution "
		"always falls through" },
	[INJ_INVERT_BRANCH] = { "invert-branch",
		"a conditional branch's condition is negated (the low bit of the condition code: "
		"je<->jne, jl<->jge, ...), same target and length" },
	[INJ_DELETE_INSN] = { "delete-insn",
		"one instruction (not a NOP, int3 or endbr64) is replaced by NOPs of the same length" },
	[INJ_INIT] = { "init",
		"a MOV-family store to a stack slot ([rsp+...]; the kernel is built without frame pointers so %rbp is not a frame base) among the first 32 "
		"instructions of a function is replaced by NOPs, leaving the local uninitialised" },
	[INJ_OFF_BY_ONE] = { "off-by-one",
		"a jcc comparing for order swaps strictness: jl<->jle, jg<->jge, jb<->jbe, "
		"ja<->jae; same target and length" },
	[INJ_ALLOC] = { "alloc",
		"a call rel32 to an allocator (kmalloc family, vmalloc/vzalloc, alloc_pages, "
		"dma_alloc_attrs, __netdev_alloc_skb, napi alloc, ...) becomes xor %eax,%eax plus "
		"a 3-byte NOP: the allocation returns NULL; the call's relocation is removed" },
	[INJ_COPY_OVERRUN] = { "copy-overrun",
		"for a call to a memcpy/memset-family function, the instruction that last sets the "
		"length register in the same basic block (at most 8 instructions back) -- mov, add "
		"or shl with an immediate, or lea with a displacement -- gets that constant grown by d, d uniform in "
		"[1, min(max(len,1),256)] and representable in the field" },
	[INJ_SYNC] = { "sync",
		"a call rel32 to a lock acquire or release (spin locks, rwlocks, mutexes, "
		"semaphores) is replaced by a 5-byte NOP; its relocation is removed" },
	[INJ_LEAK] = { "leak",
		"a call rel32 to a release function (kfree, vfree, dev_kfree_skb*, consume_skb, "
		"dma_free_attrs, free_pages, ...) is replaced by a 5-byte NOP; its relocation is "
		"removed" },
	[INJ_INTERFACE] = { "interface",
		"for a call to an external kernel function, the instruction that last sets one "
		"argument register (rdi, rsi, rdx, rcx, r8, r9) in the same basic block (at most 8 "
		"instructions back) is corrupted: an immediate source gets one bit flipped, any "
		"other source is replaced by NOPs (the register keeps a stale value); run time: "
		"break at the call and xor the register with one random bit" },
	[INJ_DATA_BITFLIP] = { "data-bitflip",
		"load time: flip one bit of an 8-byte word of .data/.data..read_mostly/.data.once "
		"that no relocation writes; run time: also .bss words, and live objects: break at an "
		"instruction that reads memory [base+index*scale+disp] and flip one bit of the "
		"operand it is about to read" },
};

const char *inj_type_name(enum inj_type t)
{
	return t < INJ_NTYPES ? types[t].name : "?";
}

const char *inj_type_rule(enum inj_type t)
{
	return t < INJ_NTYPES ? types[t].rule : "?";
}

int inj_type_parse(const char *name)
{
	for (int t = 0; t < INJ_NTYPES; t++)
		if (!strcmp(types[t].name, name))
			return t;
	return -1;
}

int inj_types_parse(const char *csv, unsigned *mask, struct inj_error *err)
{
	char buf[512], *save = NULL;

	*mask = 0;
	if (!csv || !*csv || !strcmp(csv, "all")) {
		*mask = (1u << INJ_NTYPES) - 1;
		return 0;
	}
	if (strlen(csv) >= sizeof(buf)) {
		inj_err(err, "type list too long");
		return -1;
	}
	strcpy(buf, csv);
	for (char *t = strtok_r(buf, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
		int k = inj_type_parse(t);
		if (k < 0) {
			inj_err(err, "unknown fault type '%s' (see `inject types`)", t);
			return -1;
		}
		*mask |= 1u << k;
	}
	if (!*mask) {
		inj_err(err, "empty type list");
		return -1;
	}
	return 0;
}
