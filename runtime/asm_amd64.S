/* runtime/asm_amd64.S: the goroutine switch and the first frame of every
 * goroutine. The only other assembly is the entry (crt/rt0_linux_amd64.S) and
 * the preemption trampoline below. struct gobuf's offsets (GOBUF_*) come
 * from gobuf.h, which runtime.h includes too and checks against the struct. */

#include "gobuf.h"

	.text

/* void gort_swapctx(struct gobuf *from, const struct gobuf *to)
 *
 * Saves what the ABI says a callee must preserve and resumes *to: rbx and
 * r12-r15 are pushed on the current stack, below the return address; the
 * stack pointer (as it will be after the return), the return address, rbp
 * and the floating-point control words go to *from (gobuf.h, struct
 * gobuf). Then it loads *to's stack, pops its five registers and returns
 * into it. Keeping the registers on the goroutine's own stack keeps
 * struct g small (bench/idle: bytes per parked goroutine).
 *
 * Why ret: the call into gort_swapctx pushed an entry on the CPU's
 * return-stack buffer; the ret pops it. Almost every switch is made from the
 * same few call sites (gogo_switch is inlined into mcall_direct, mcall_switch
 * and execute), so the return address of the G we resume is usually the very
 * address that entry predicts, and the buffer stays aligned for every return
 * above: two goroutines yielding or parking through the same path resume
 * with no mispredicted return at all. An indirect jmp leaves that entry on
 * the buffer, and every return after the switch is then predicted one frame
 * off: gort_yield takes about twice as long with a jmp (bench/yield, and
 * bench/yield/switch.c on a bare switch; figures in bench/README.md, "Figures
 * behind the code"). A jmp only wins when the switches are made from
 * different call sites, which gort's are not.
 *
 * Floating-point control state is per goroutine, at the least cost:
 *   - MXCSR is always saved (stmxcsr); the control words are reloaded only
 *     when the control bits (6-15; 0-5 are sticky status flags, which would
 *     otherwise make every comparison differ) of from and to differ: ldmxcsr
 *     and fldcw are slow.
 *   - The x87 control word travels with MXCSR: it is saved (fnstcw, which
 *     costs as much as the rest of the save) only when MXCSR's control bits
 *     are not the default 0x1f80, otherwise the default 0x037f is recorded,
 *     and it is reloaded whenever MXCSR is. fesetround and fesetenv change
 *     both words together, so rounding modes stay per goroutine; a goroutine
 *     that changes only the x87 word (fldcw, _FPU_SETCW) with a default MXCSR
 *     changes it for its thread (README, "Floating-point environment").
 *
 * No CFI describes the pushes: between its first push and its ret this
 * function is a dozen instructions that nothing stops in but a debugger's
 * stepi; the saved contexts that debuggers read are described in gobuf.
 */
	.globl	gort_swapctx
	.type	gort_swapctx, @function
	.hidden	gort_swapctx
gort_swapctx:
	.cfi_startproc
	pushq	%rbx
	pushq	%r12
	pushq	%r13
	pushq	%r14
	pushq	%r15
	movq	40(%rsp), %rax			/* our return address */
	leaq	GOBUF_PUSHED(%rsp), %rcx	/* the caller's sp after ret */
	movq	%rcx, GOBUF_SP(%rdi)
	movq	%rax, GOBUF_PC(%rdi)
	movq	%rbp, GOBUF_BP(%rdi)
	stmxcsr	GOBUF_MXCSR(%rdi)
	movl	GOBUF_MXCSR(%rdi), %eax
	movl	%eax, %ecx
	andl	$0xffc0, %ecx
	cmpl	$0x1f80, %ecx			/* default control bits? */
	jne	.Lsavecw
	movw	$0x037f, GOBUF_FPUCW(%rdi)	/* then the default x87 word */
.Lcompare:
	xorl	GOBUF_MXCSR(%rsi), %eax
	testl	$0xffc0, %eax			/* control bits; 0-5 are status */
	jnz	.Lloadfp
.Lload:
	movq	GOBUF_SP(%rsi), %rsp
	subq	$GOBUF_PUSHED, %rsp		/* to's five registers and return address */
	movq	GOBUF_BP(%rsi), %rbp
	popq	%r15
	popq	%r14
	popq	%r13
	popq	%r12
	popq	%rbx
	ret
.Lsavecw:
	fnstcw	GOBUF_FPUCW(%rdi)
	jmp	.Lcompare
.Lloadfp:
	ldmxcsr	GOBUF_MXCSR(%rsi)
	fldcw	GOBUF_FPUCW(%rsi)
	jmp	.Lload
	.cfi_endproc
	.size	gort_swapctx, .-gort_swapctx

/* gort_gostart: the first pc of every goroutine; gstart_prepare (sched.c)
 * sets rbx = fn, r12 = arg. Calls fn(arg), then gort_goexit1(). Its CFI
 * marks it as the outermost frame, so debuggers' backtraces of a goroutine
 * end here. */
	.globl	gort_gostart
	.type	gort_gostart, @function
	.hidden	gort_gostart
gort_gostart:
	.cfi_startproc
	.cfi_undefined rip
	.cfi_def_cfa rsp, 0
	xorl	%ebp, %ebp
	call	gort_gostart1			/* finish the switch (sched.c) */
	movq	%r12, %rdi
	call	*%rbx
	call	gort_goexit1			/* never returns */
	ud2
	.cfi_endproc
	.size	gort_gostart, .-gort_gostart

/* gort_asyncpreempt: where a preempted goroutine resumes (signal_linux.c
 * points the interrupted context here). The signal handler has already moved
 * the stack pointer below the interrupted code's red zone and pushed the
 * interrupted pc and the original rsp:
 *
 *     0(%rsp)  interrupted pc
 *     8(%rsp)  interrupted rsp
 *
 * Saves every register the interrupted code may be using (general-purpose,
 * flags and the full extended state with xsave, or fxsave without it), calls
 * gort_asyncpreempt2() to yield, restores everything and resumes.
 *
 * For debuggers and tracebacks it is a signal frame (.cfi_signal_frame:
 * the interrupted pc is exact, not a return address) whose CFI gives back
 * every register of the interrupted code, and %rbp is pushed first, so that
 * %rbp, the interrupted %rbp and the interrupted pc form a frame-pointer
 * record: frame-pointer walks (pprof, gdb without CFI) also see the
 * interrupted function itself, which they used to skip. */
	.globl	gort_asyncpreempt
	.type	gort_asyncpreempt, @function
	.hidden	gort_asyncpreempt
gort_asyncpreempt:
	.cfi_startproc
	.cfi_signal_frame
	.cfi_def_cfa rsp, 8			/* CFA: the slot of the interrupted rsp */
	.cfi_offset rip, -8			/* the interrupted pc is at 0(%rsp) */
	.cfi_offset rsp, 0			/* the interrupted rsp at 8(%rsp) */
	pushq	%rbp
	.cfi_adjust_cfa_offset 8
	.cfi_offset rbp, -16
	movq	%rsp, %rbp
	.cfi_def_cfa_register rbp
	pushfq
	pushq	%rax
	.cfi_offset rax, -32
	pushq	%rcx
	.cfi_offset rcx, -40
	pushq	%rdx
	.cfi_offset rdx, -48
	pushq	%rsi
	.cfi_offset rsi, -56
	pushq	%rdi
	.cfi_offset rdi, -64
	pushq	%r8
	.cfi_offset r8, -72
	pushq	%r9
	.cfi_offset r9, -80
	pushq	%r10
	.cfi_offset r10, -88
	pushq	%r11
	.cfi_offset r11, -96
	pushq	%rbx
	.cfi_offset rbx, -104
	movq	%rsp, %rbx			/* the saved registers; callee-saved */
	subq	$4096, %rsp			/* xsave area; cpuinit checks its size */
	andq	$-64, %rsp			/* xsave needs 64-byte alignment */
	cmpb	$0, gort_have_xsave(%rip)
	je	1f
	xorl	%eax, %eax			/* xrstor faults on a dirty header */
	movl	$8, %ecx
0:	movq	%rax, 504(%rsp,%rcx,8)
	decl	%ecx
	jnz	0b
	movl	gort_xsave_mask(%rip), %eax	/* the components cpuinit chose */
	movl	gort_xsave_mask+4(%rip), %edx
	xsave64	(%rsp)
	jmp	2f
1:	fxsave64 (%rsp)
2:	movq	%rbx, %rdi			/* the saved registers (sysblock.c) */
	call	gort_asyncpreempt2
	cmpb	$0, gort_have_xsave(%rip)
	je	3f
	movl	gort_xsave_mask(%rip), %eax
	movl	gort_xsave_mask+4(%rip), %edx
	xrstor64 (%rsp)
	jmp	4f
3:	fxrstor64 (%rsp)
4:
	movq	%rbx, %rsp
	popq	%rbx
	popq	%r11
	popq	%r10
	popq	%r9
	popq	%r8
	popq	%rdi
	popq	%rsi
	popq	%rdx
	popq	%rcx
	popq	%rax
	popfq
	popq	%rbp
	.cfi_def_cfa rsp, 8
	.cfi_same_value rbp
	/* 0(%rsp) = pc, 8(%rsp) = original rsp. The handler placed these 16
	 * bytes below the interrupted code's 128-byte red zone, so the original
	 * rsp is rsp + 16 + 128: ret pops the pc and skips the rest, touching
	 * no register. */
	ret	$(8 + 128)
	.cfi_endproc
	.size	gort_asyncpreempt, .-gort_asyncpreempt

/* gort_sigreturn: the restorer of every handler the runtime installs with
 * the raw rt_sigaction (signal_linux.c), as the libc's __restore_rt. The
 * exact bytes "mov $15,%rax; syscall" are what unwinders without CFI look
 * for; the CFI below (the same as glibc's __restore_rt carries) is what gdb
 * and libgcc use: a signal frame ('S') whose registers are in the
 * ucontext_t that %rsp points to when the handler returns here (struct
 * rt_sigframe: the return address popped, then uc; uc_mcontext.gregs at
 * offset 40, in <sys/ucontext.h>'s REG_* order). The FDE covers the nop
 * before the entry: unwinders look up the return address minus one. With
 * it, gdb shows the faulting frame and its callers above a crash handler
 * in GOTRACEBACK=crash cores (issue #15 item 3). */
	.text
	.globl	gort_sigreturn
	.type	gort_sigreturn, @function
	.cfi_startproc simple
	.cfi_signal_frame
	.cfi_escape 0x0f, 4, 0x77, 0xa0, 0x01, 0x06	/* CFA = uc_mcontext.gregs[REG_RSP] */
	.cfi_escape 0x10, 0, 3, 0x77, 0x90, 0x01	/* rax */
	.cfi_escape 0x10, 1, 3, 0x77, 0x88, 0x01	/* rdx */
	.cfi_escape 0x10, 2, 3, 0x77, 0x98, 0x01	/* rcx */
	.cfi_escape 0x10, 3, 3, 0x77, 0x80, 0x01	/* rbx */
	.cfi_escape 0x10, 4, 3, 0x77, 0xf0, 0x00	/* rsi */
	.cfi_escape 0x10, 5, 3, 0x77, 0xe8, 0x00	/* rdi */
	.cfi_escape 0x10, 6, 3, 0x77, 0xf8, 0x00	/* rbp */
	.cfi_escape 0x10, 8, 2, 0x77, 0x28	/* r8 */
	.cfi_escape 0x10, 9, 2, 0x77, 0x30	/* r9 */
	.cfi_escape 0x10, 10, 2, 0x77, 0x38	/* r10 */
	.cfi_escape 0x10, 11, 3, 0x77, 0xc0, 0x00	/* r11 */
	.cfi_escape 0x10, 12, 3, 0x77, 0xc8, 0x00	/* r12 */
	.cfi_escape 0x10, 13, 3, 0x77, 0xd0, 0x00	/* r13 */
	.cfi_escape 0x10, 14, 3, 0x77, 0xd8, 0x00	/* r14 */
	.cfi_escape 0x10, 15, 3, 0x77, 0xe0, 0x00	/* r15 */
	.cfi_escape 0x10, 16, 3, 0x77, 0xa8, 0x01	/* rip */
	nop
gort_sigreturn:
	movq	$15, %rax	/* SYS_rt_sigreturn */
	syscall
	.cfi_endproc
	.size	gort_sigreturn, .-gort_sigreturn

	.section .note.GNU-stack,"",@progbits
