/* crt/rt0_linux_amd64.S: _rt0_amd64_linux, the ELF entry point of every gort
 * program (Go's rt0_linux_amd64.s + _rt0_amd64; musl's crt_arch.h _start).
 *
 * The kernel, or the dynamic loader, jumps here with the initial stack:
 *
 *     high  ...  argument and environment strings, AT_RANDOM bytes
 *           0, 0                 AT_NULL ends the auxiliary vector
 *           type, value          auxv entries (AT_PHDR, AT_PAGESZ, ...)
 *           NULL                 ends envp
 *           envp[0..]            environment pointers
 *           NULL                 argv[argc]
 *           argv[0..argc-1]      argument pointers
 *     %rsp  argc
 *
 * %rdx holds a function the dynamic loader wants called at exit (0 when the
 * kernel started us directly); every other register is undefined, and the ABI
 * asks that %rbp be zeroed to mark the outermost frame. We do only what C
 * cannot: mark the frame, pass the stack and %rdx, align, and call rt0_go.
 *
 * This is the only symbol at the entry address (no _start alias), so gdb,
 * lldb, readelf and nm all name it _rt0_amd64_linux.
 */
	.text
	.globl	_rt0_amd64_linux
	.type	_rt0_amd64_linux, @function
_rt0_amd64_linux:
	.cfi_startproc
	.cfi_undefined rip		/* outermost frame: no caller to unwind to */
	.cfi_def_cfa rsp, 0
	xorl	%ebp, %ebp		/* frame-pointer chains end here too */
	movq	%rsp, %rdi		/* arg 1: the initial stack, argc at 0(%rdi) */
	movq	%rdx, %rsi		/* arg 2: the loader's fini function, or 0 */
	movq	%rsp, %r12		/* keep the CFA in a callee-saved register */
	.cfi_def_cfa r12, 0
	andq	$-16, %rsp		/* the ABI wants 16-byte alignment at a call */
	call	rt0_go			/* void rt0_go(uintptr_t *sp, void (*fini)(void)) */
	ud2				/* rt0_go never returns */
	.cfi_endproc
	.size	_rt0_amd64_linux, .-_rt0_amd64_linux

	.section .note.GNU-stack,"",@progbits
