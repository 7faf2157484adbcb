/* bench/yield/swap_amd64.S: the floor for a goroutine switch: the least a
 * user-space context switch can do on x86-64 (System V ABI), used by
 * bench/yield/switch.c. Not gort's code: written here for the comparison.
 *
 *   struct ctx { sp, pc, rbp, rbx, r12, r13, r14, r15 }  (8 words)
 *
 * bench_swap_jmp(from, to): saves the callee-saved registers, the stack
 * pointer after return and the return address into *from, loads *to and
 * resumes it with an indirect jmp (no call/ret pair to unbalance the
 * return-stack buffer).
 *
 * bench_swap_jmp_fp(from, to): the same plus what gort_swapctx adds: saving
 * the MXCSR and x87 control words (stmxcsr, fnstcw) and reloading them only
 * when their control bits differ (here they never do). The context then has
 * a ninth word: mxcsr at 64, x87 control word at 68.
 *
 * bench_swap_pushret(from, to): saves as bench_swap_jmp does, resumes with
 * push + ret: the ret pops the entry the caller's call pushed, so when both
 * sides switch from the same call site (as two goroutines parking or
 * yielding through the same runtime path do) the buffer stays aligned and
 * every return above the switch is predicted. gort_swapctx resumes with a
 * ret too (its registers and return address on the goroutine's stack).
 *
 * bench_swap_ret(from, to): the classic variant (boost.context style):
 * pushes the registers on the old stack, saves sp, loads the new sp, pops
 * and returns: the ret goes where the return-stack buffer does not expect. */
	.text

/* SAVE: the caller's sp after return, the return pc and the callee-saved
 * registers into *rdi. LOAD: *rsi's sp and registers (not its pc). */
.macro SAVE
	movq	(%rsp), %rax
	leaq	8(%rsp), %rcx
	movq	%rcx, 0(%rdi)
	movq	%rax, 8(%rdi)
	movq	%rbp, 16(%rdi)
	movq	%rbx, 24(%rdi)
	movq	%r12, 32(%rdi)
	movq	%r13, 40(%rdi)
	movq	%r14, 48(%rdi)
	movq	%r15, 56(%rdi)
.endm
.macro LOAD
	movq	0(%rsi), %rsp
	movq	16(%rsi), %rbp
	movq	24(%rsi), %rbx
	movq	32(%rsi), %r12
	movq	40(%rsi), %r13
	movq	48(%rsi), %r14
	movq	56(%rsi), %r15
.endm

	.globl	bench_swap_jmp
	.type	bench_swap_jmp, @function
bench_swap_jmp:
	SAVE
	LOAD
	jmp	*8(%rsi)
	.size	bench_swap_jmp, .-bench_swap_jmp

	.globl	bench_swap_jmp_fp
	.type	bench_swap_jmp_fp, @function
bench_swap_jmp_fp:
	SAVE
	stmxcsr	64(%rdi)
	fnstcw	68(%rdi)
	movl	64(%rsi), %eax
	xorl	64(%rdi), %eax
	testl	$0xffc0, %eax
	jnz	.Lldmxcsr
.Lfpucw:
	movzwl	68(%rsi), %eax
	cmpw	68(%rdi), %ax
	jne	.Lfldcw
.Lload:
	LOAD
	jmp	*8(%rsi)
.Lldmxcsr:
	ldmxcsr	64(%rsi)
	jmp	.Lfpucw
.Lfldcw:
	fldcw	68(%rsi)
	jmp	.Lload
	.size	bench_swap_jmp_fp, .-bench_swap_jmp_fp

	.globl	bench_swap_pushret
	.type	bench_swap_pushret, @function
bench_swap_pushret:
	SAVE
	LOAD
	pushq	8(%rsi)
	ret
	.size	bench_swap_pushret, .-bench_swap_pushret

	.globl	bench_swap_ret
	.type	bench_swap_ret, @function
bench_swap_ret:
	pushq	%rbp
	pushq	%rbx
	pushq	%r12
	pushq	%r13
	pushq	%r14
	pushq	%r15
	movq	%rsp, 0(%rdi)
	movq	0(%rsi), %rsp
	popq	%r15
	popq	%r14
	popq	%r13
	popq	%r12
	popq	%rbx
	popq	%rbp
	ret
	.size	bench_swap_ret, .-bench_swap_ret

	.section .note.GNU-stack,"",@progbits
