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
