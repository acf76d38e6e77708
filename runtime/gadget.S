/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Fault gadgets for the test-only fault trigger (inject.c). Each executes
 * one faulting instruction. They run inside a domain entry, after the
 * recovery context was saved and in place of the driver's callback; the
 * fault handler attributes a fault whose ip lies between
 * nooks_gadget_start and nooks_gadget_end to the innermost entry's domain,
 * exactly as it does for a fault in the driver's own text.
 */
#include <linux/linkage.h>
#include <asm/nospec-branch.h>
#include <asm/unwind_hints.h>

/* The start of the kernel half: canonical, never mapped (4-level). */
#define NOOKS_WILD_ADDR	0xffff800000000000

	.text
	.balign 16
SYM_CODE_START(nooks_gadget_start)
	ANNOTATE_NOENDBR
	int3
SYM_CODE_END(nooks_gadget_start)

/* #PF: load from an unmapped address near NULL. */
SYM_FUNC_START(nooks_gadget_pf)
	movq	$0x10, %rax
	movq	(%rax), %rax
	RET
SYM_FUNC_END(nooks_gadget_pf)

/* #GP: load through a non-canonical address. */
SYM_FUNC_START(nooks_gadget_gp)
	movabsq	$0xdead000000000100, %rax
	movq	(%rax), %rax
	RET
SYM_FUNC_END(nooks_gadget_gp)

/* #UD: an undefined opcode that is not a BUG() site. */
SYM_FUNC_START(nooks_gadget_ud)
	.byte	0x0f, 0x0b	/* ud2: never returns */
SYM_FUNC_END(nooks_gadget_ud)

/* #DE: divide by zero. */
SYM_FUNC_START(nooks_gadget_de)
	xorl	%ecx, %ecx
	movl	$1, %eax
	xorl	%edx, %edx
	divl	%ecx
	RET
SYM_FUNC_END(nooks_gadget_de)

/* A write to kernel memory: *%rdi = %rsi (faults only on a domain root). */
SYM_FUNC_START(nooks_gadget_write)
	movq	%rsi, (%rdi)
	RET
SYM_FUNC_END(nooks_gadget_write)

/* A jump through a wild pointer: to an address that is no code at all. */
SYM_FUNC_START(nooks_gadget_wild)
	movabsq	$NOOKS_WILD_ADDR, %rax
	ANNOTATE_RETPOLINE_SAFE
	jmp	*%rax
SYM_FUNC_END(nooks_gadget_wild)

/* A compiler-emitted memset() through a wild pointer: faults in memset. */
SYM_FUNC_START(nooks_gadget_memset)
	movabsq	$NOOKS_WILD_ADDR, %rdi
	xorl	%esi, %esi
	movl	$64, %edx
	call	memset
	RET
SYM_FUNC_END(nooks_gadget_memset)

/*
 * The driver's stack protector found its canary overwritten (custom.c's
 * __stack_chk_fail comes here): the kernel would panic.
 */
SYM_CODE_START(nooks_gadget_stack_chk_fail)
	UNWIND_HINT_EMPTY
	ANNOTATE_NOENDBR
	ud2
SYM_CODE_END(nooks_gadget_stack_chk_fail)

/*
 * Where nooks_xcall (pt/xcall.S) goes when the driver returned with a
 * stack pointer or %rbx other than it was given: a driver fault.
 */
SYM_CODE_START(nooks_gadget_xcall_bad)
	UNWIND_HINT_EMPTY
	ANNOTATE_NOENDBR
	ud2
SYM_CODE_END(nooks_gadget_xcall_bad)

SYM_CODE_START(nooks_gadget_end)
	ANNOTATE_NOENDBR
	int3
SYM_CODE_END(nooks_gadget_end)
