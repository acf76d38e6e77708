/* SPDX-License-Identifier: GPL-2.0 */
/*
 * nooks_ctx_save(ctx): setjmp for domain entries. Saves the callee-saved
 * registers, the caller's stack pointer and the return address into the
 * first eight words of struct nooks_ctx and returns 0. It "returns" a
 * second time, with 1, when the die notifier (fault.c) rewrites the
 * faulting pt_regs from these words and the exception returns there.
 */
#include <linux/linkage.h>
#include <asm/nospec-branch.h>
#include <asm/unwind_hints.h>

	.text
SYM_FUNC_START(nooks_ctx_save)
	movq	%rbx, 0(%rdi)
	movq	%rbp, 8(%rdi)
	movq	%r12, 16(%rdi)
	movq	%r13, 24(%rdi)
	movq	%r14, 32(%rdi)
	movq	%r15, 40(%rdi)
	leaq	8(%rsp), %rdx		/* the caller's sp after our ret */
	movq	%rdx, 48(%rdi)
	movq	(%rsp), %rdx		/* the resume point: our return address */
	movq	%rdx, 56(%rdi)
	xorl	%eax, %eax
	RET
SYM_FUNC_END(nooks_ctx_save)

/*
 * nooks_resume_stub: where a faulting context continues once the fault
 * handler (fault.c) has rewritten its exception frame: %rdi = the entry's
 * struct nooks_ctx, interrupts off, still on the faulting stack. Restores
 * the entry-time preempt count, RCU and page-fault-disable depth and
 * interrupt flag (nooks_resume_state(), in the resumed context itself, so
 * nothing the exception path does afterwards can undo it), then the saved
 * registers, and "returns" 1 from nooks_ctx_save().
 */
SYM_CODE_START(nooks_resume_stub)
	UNWIND_HINT_EMPTY
	ANNOTATE_NOENDBR
	movq	%rdi, %rbx
	andq	$-16, %rsp
	call	nooks_resume_state
	movq	%rbx, %rdi
	movq	0(%rdi), %rbx
	movq	8(%rdi), %rbp
	movq	16(%rdi), %r12
	movq	24(%rdi), %r13
	movq	32(%rdi), %r14
	movq	40(%rdi), %r15
	movq	48(%rdi), %rsp
	movq	56(%rdi), %rdx
	movl	$1, %eax
	JMP_NOSPEC rdx
SYM_CODE_END(nooks_resume_stub)

/* Where a kprobe sends page_fault_oops() to skip it (fault.c). */
SYM_FUNC_START(nooks_just_return)
	RET
SYM_FUNC_END(nooks_just_return)
