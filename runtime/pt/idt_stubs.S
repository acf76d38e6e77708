/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The private IDT's stubs (idt.c installs them in a copy of the kernel's
 * IDT). Every vector enters here first. If CR3 is not a domain root the
 * stub jumps to the kernel's handler with the stack exactly as the CPU
 * left it. If CR3 is a domain root (the driver was interrupted or
 * faulted):
 *   #PF (14)    switch to the kernel root, build pt_regs, call
 *               nooks_pt_page_fault(regs, cr2, domain cr3); it either
 *               retries (a stale private table was refreshed) or rewrites
 *               regs to return into nooks_pt_landing, which reports the
 *               fault and resumes the entry's recovery context;
 *   0..31       switch to the kernel root and jump to the kernel handler:
 *               (#GP/#UD/#DE are then caught by fault.c as in v1; after
 *               NMI/#DB/#BP/#MC the driver goes on unprotected until its
 *               next crossing);
 *   32..255     switch to the kernel root and enter the kernel handler
 *               with a second iret frame that returns into
 *               nooks_idt_reenter, which loads the domain root again and
 *               returns into the driver.
 * Without this the kernel would take a driver write to a page it maps
 * writable for a spurious fault and retry forever, and an interrupt in the
 * domain would fault on its first per-CPU write.
 */
#include <linux/linkage.h>
#include <asm/nospec-branch.h>
#include <asm/percpu.h>
#include <asm/segment.h>
#include <asm/unwind_hints.h>

#define NOOKS_PT_ROOTS_BYTES	(4096 << 2)

	.text

/* %rax = CR3 page - domain roots base; jb: CR3 is a domain root. */
.macro NOOKS_CR3_IN_DOMAIN
	movq	%cr3, %rax
	andq	$-4096, %rax
	subq	nooks_pt_roots_pa(%rip), %rax
	cmpq	$NOOKS_PT_ROOTS_BYTES, %rax
.endm

.macro NOOKS_IDT_STUB hi lo
	v = \hi * 16 + \lo
SYM_CODE_START_LOCAL(nooks_idt_stub_\hi\()_\lo)
	UNWIND_HINT_EMPTY
	ANNOTATE_NOENDBR
	pushq	%rax
	NOOKS_CR3_IN_DOMAIN
	jb	1f
	popq	%rax
	ANNOTATE_RETPOLINE_SAFE
	jmp	*nooks_idt_orig+8*v(%rip)
1:
.if v == 14
	popq	%rax
	jmp	nooks_idt_pf_domain
.elseif v < 32
	movq	PER_CPU_VAR(nooks_pt_kcr3), %rax
	movq	%rax, %cr3
	popq	%rax
	ANNOTATE_RETPOLINE_SAFE
	jmp	*nooks_idt_orig+8*v(%rip)
.else
	pushq	$v
	jmp	nooks_idt_irq_domain
.endif
SYM_CODE_END(nooks_idt_stub_\hi\()_\lo)
.endm

.irp hi, 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15
.irp lo, 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15
	NOOKS_IDT_STUB \hi \lo
.endr
.endr

/*
 * #PF in a domain: stack = [error code][iret frame], all registers the
 * driver's. The error code sits where pt_regs->orig_ax goes.
 */
SYM_CODE_START_LOCAL(nooks_idt_pf_domain)
	UNWIND_HINT_EMPTY
	pushq	%rdi
	pushq	%rsi
	pushq	%rdx
	pushq	%rcx
	pushq	%rax
	pushq	%r8
	pushq	%r9
	pushq	%r10
	pushq	%r11
	pushq	%rbx
	pushq	%rbp
	pushq	%r12
	pushq	%r13
	pushq	%r14
	pushq	%r15
	movq	%cr3, %rdx
	movq	PER_CPU_VAR(nooks_pt_kcr3), %rax
	movq	%rax, %cr3
	movq	%rsp, %rdi
	movq	%cr2, %rsi
	call	nooks_pt_page_fault
	testl	%eax, %eax
	popq	%r15
	popq	%r14
	popq	%r13
	popq	%r12
	popq	%rbp
	popq	%rbx
	popq	%r11
	popq	%r10
	popq	%r9
	popq	%r8
	popq	%rax
	popq	%rcx
	popq	%rdx
	popq	%rsi
	popq	%rdi
	jz	2f
	addq	$8, %rsp
	iretq
2:
	ANNOTATE_RETPOLINE_SAFE
	jmp	*nooks_idt_orig+8*14(%rip)
SYM_CODE_END(nooks_idt_pf_domain)

/*
 * Interrupt in a domain: stack = [vector][saved rax][iret frame]. Keep the
 * domain's CR3 on the stack, switch to the kernel root and enter the
 * kernel's handler with a fake iret frame (same flags) returning into
 * nooks_idt_reenter on this stack.
 */
SYM_CODE_START_LOCAL(nooks_idt_irq_domain)
	UNWIND_HINT_EMPTY
	movq	%cr3, %rax
	pushq	%rax			/* [dcr3][v][rax][frame] at S */
	movq	PER_CPU_VAR(nooks_pt_kcr3), %rax
	movq	%rax, %cr3
	movq	%rsp, %rax
	pushq	$__KERNEL_DS		/* ss */
	pushq	%rax			/* sp = S */
	pushq	56(%rsp)		/* flags: S + 40 */
	pushq	$__KERNEL_CS		/* cs */
	pushq	$nooks_idt_reenter	/* ip */
	movq	48(%rsp), %rax		/* vector: S + 8 */
	movq	nooks_idt_orig(,%rax,8), %rax
	pushq	%rax
	movq	64(%rsp), %rax		/* the driver's rax: S + 16 */
	ANNOTATE_UNRET_SAFE
	ret				/* to the kernel's handler */
SYM_CODE_END(nooks_idt_irq_domain)

/*
 * Back from the kernel's handler: [dcr3][v][rax][frame]. The handler may
 * have loaded another kernel CR3 (a lazy-TLB CPU switching to init_mm in
 * a flush IPI, the old mm then freed): that one is what the domain must
 * go back to, so remember it before loading the domain root again.
 */
SYM_CODE_START(nooks_idt_reenter)
	UNWIND_HINT_EMPTY
	ANNOTATE_NOENDBR
	cli
	movq	%rax, 16(%rsp)
	movq	%cr3, %rax
	movq	%rax, PER_CPU_VAR(nooks_pt_kcr3)
	popq	%rax
	movq	%rax, %cr3
	popq	%rax
	popq	%rax
	iretq
SYM_CODE_END(nooks_idt_reenter)

/*
 * Where a domain #PF returns (kernel root, interrupts off, on the faulting
 * stack): report it, then resume the innermost entry's recovery context.
 */
SYM_CODE_START(nooks_pt_landing)
	UNWIND_HINT_EMPTY
	ANNOTATE_NOENDBR
	andq	$-16, %rsp
	call	nooks_pt_report
	movq	%rax, %rdi
	jmp	nooks_resume_stub
SYM_CODE_END(nooks_pt_landing)

	.section .rodata
	.balign 8
.macro NOOKS_IDT_STUB_ADDR hi lo
	.quad	nooks_idt_stub_\hi\()_\lo
.endm
SYM_DATA_START(nooks_idt_stub_table)
.irp hi, 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15
.irp lo, 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15
	NOOKS_IDT_STUB_ADDR \hi \lo
.endr
.endr
SYM_DATA_END(nooks_idt_stub_table)
