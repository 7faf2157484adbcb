	.text
	.globl asm_sub
	.type asm_sub, @function
asm_sub:
	.cfi_startproc
	mov %rdi, %rax
	sub %rsi, %rax
	ret
	.cfi_endproc
	.size asm_sub, . - asm_sub
	.section .note.GNU-stack, "", @progbits
