/* asm_add.S: a hand-written assembly source with the C preprocessor, as
 * compression and crypto projects have; it includes a libc header that
 * assembly may include, and must build through gortcc as through cc. */
#include <sys/syscall.h>
#define ARG0 %rdi
#define ARG1 %rsi
	.text
	.globl asm_add
	.type asm_add, @function
asm_add:
	.cfi_startproc
	lea (ARG0, ARG1), %rax
	ret
	.cfi_endproc
	.size asm_add, . - asm_add
	.globl asm_sys_getpid
	.type asm_sys_getpid, @function
asm_sys_getpid:
	.cfi_startproc
	mov $SYS_getpid, %eax
	syscall
	ret
	.cfi_endproc
	.size asm_sys_getpid, . - asm_sys_getpid
	.section .note.GNU-stack, "", @progbits
