/* hooks/vfork.c: vfork for gort programs (libgort_hooks.a; how the hooks
 * take the libc's place: hooks/io.c).
 *
 * A vfork child runs on its parent's memory, with the parent's thread
 * pointer, until it execs or exits, while the calling thread waits. Every
 * hooked call the child makes (close before exec, a write of an error
 * message) would run the runtime's side on the parent's state: a close
 * would forget the parent's epoll registration and wake the parent's
 * goroutines waiting on that descriptor with EBADF. So the parent marks
 * its thread before the system call (runtime/fork.c gort_hook_vfork_enter:
 * the child sees the mark, and hooks there are the plain system call, as
 * in a signal handler), hands its P off as for any blocking system call
 * (the wait for the child's exec is the thread's, not the P's), and clears
 * the mark when the call returns in the parent.
 *
 * Assembly, because C cannot return twice from one frame: the child and
 * the parent come back on the same stack, and the child's calls overwrite
 * whatever this function kept there. As musl's vfork, the return address
 * is kept in a register across the system call and pushed again after. */
#include "../runtime/iohooks.h"

__asm__(".text\n"
	".globl vfork\n"
	".type vfork,@function\n"
	"vfork:\n"
	".cfi_startproc\n"
	"	sub $8, %rsp\n"
	".cfi_adjust_cfa_offset 8\n"
	"	call gort_hook_vfork_enter\n"
	"	add $8, %rsp\n"
	".cfi_adjust_cfa_offset -8\n"
	"	pop %rdx\n"
	".cfi_adjust_cfa_offset -8\n"
	".cfi_register %rip, %rdx\n"
	"	mov $58, %eax\n" /* SYS_vfork */
	"	syscall\n"
	"	push %rdx\n"
	".cfi_adjust_cfa_offset 8\n"
	".cfi_offset %rip, -8\n"
	"	test %eax, %eax\n"
	"	jz 1f\n" /* the child: 0, and nothing of the runtime's */
	"	mov %rax, %rdi\n"
	"	sub $8, %rsp\n"
	".cfi_adjust_cfa_offset 8\n"
	"	call gort_hook_vfork_leave\n"
	"	add $8, %rsp\n"
	".cfi_adjust_cfa_offset -8\n"
	"1:	ret\n"
	".cfi_endproc\n"
	".size vfork, .-vfork\n");
