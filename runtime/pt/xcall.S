/* SPDX-License-Identifier: GPL-2.0 */
/*
 * unsigned long nooks_xcall(struct nooks_ctx *c, void *fn,
 *                           const unsigned long args[6]);
 *
 * Calls fn(args[0..5]) on c's dedicated domain stack (pt/stack.c) with
 * the domain root loaded, and comes back to the kernel root and stack.
 * Called by NOOKS_CALL (nooks_internal.h) after the recovery context is
 * saved, on the kernel root and stack: from here on the driver can write
 * neither its caller's frames nor c. Returns fn's %rax.
 *
 * The kernel stack pointer is kept in c (read-only to the driver), every
 * callee-saved register is restored from the kernel stack, whatever the
 * driver left in them. The driver must give back the stack pointer it got
 * and c in %rbx (both are checked against the domain stack's top word and
 * c->x_top, once back on the kernel root): a return that broke the calling
 * convention lands on a #UD in the fault gadgets' range, so it is a driver
 * fault, recovered as one.
 */
#include <linux/linkage.h>
#include <asm/nospec-branch.h>
#include <asm/percpu.h>
#include <asm/unwind_hints.h>

/* struct nooks_ctx: the four words after the eight nooks_ctx_save() fills */
#define X_TOP	64
#define X_CR3	72
#define X_PREV	80
#define X_KSP	88

	.text
SYM_CODE_START(nooks_xcall)
	UNWIND_HINT_EMPTY
	pushq	%rbp
	movq	%rsp, %rbp
	pushq	%rbx
	pushq	%r12
	pushq	%r13
	pushq	%r14
	pushq	%r15
	movq	%rdi, %rbx
	movq	%rsp, X_KSP(%rbx)
	movq	%rsi, %rax			/* fn */
	movq	%rdx, %r10			/* args */
	movq	X_TOP(%rbx), %rsp		/* the domain stack */
	pushq	%rbx				/* top - 8: c, checked on return */
	pushq	$0				/* keeps %rsp 16-byte aligned */
	movq	0(%r10), %rdi
	movq	8(%r10), %rsi
	movq	16(%r10), %rdx
	movq	24(%r10), %rcx
	movq	32(%r10), %r8
	movq	40(%r10), %r9
	/*
	 * Interrupts off from reading the kernel CR3 to loading the root: a
	 * handler in between may change this CPU's kernel CR3 (lazy TLB).
	 */
	pushfq
	cli
	cmpq	$0, X_PREV(%rbx)
	jne	1f
	movq	%cr3, %r11
	movq	%r11, PER_CPU_VAR(nooks_pt_kcr3)
1:	movq	X_CR3(%rbx), %r11
	movq	%r11, %cr3
	popfq
	CALL_NOSPEC rax
	/*
	 * Back on the domain root. Nothing but the domain stack and the
	 * per-CPU area is read here: a private page table may still map a
	 * reused vmalloc address (a task or IRQ stack, where c lives) to the
	 * page it had when the table was copied (see pgtable.c).
	 */
	pushfq
	cli
	/* kept current by nooks_idt_reenter if an interrupt came in between */
	movq	PER_CPU_VAR(nooks_pt_kcr3), %rcx
	movq	%rcx, %cr3
	popfq
	/* Did the driver keep the calling convention? */
	cmpq	%rbx, 8(%rsp)
	jne	nooks_gadget_xcall_bad
	leaq	16(%rsp), %rcx
	cmpq	X_TOP(%rbx), %rcx
	jne	nooks_gadget_xcall_bad
	/* Nested in another domain call: back to its root. */
	movq	X_PREV(%rbx), %rcx
	testq	%rcx, %rcx
	jz	2f
	movq	%rcx, %cr3
2:
	movq	X_KSP(%rbx), %rsp
	popq	%r15
	popq	%r14
	popq	%r13
	popq	%r12
	popq	%rbx
	popq	%rbp
	RET
SYM_CODE_END(nooks_xcall)
