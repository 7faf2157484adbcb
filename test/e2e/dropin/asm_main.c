/* asm_main.c: calls the assembly in asm_add.S (and asm_sub.s, plain
 * assembler). */
#include <stdio.h>
#include <unistd.h>
long asm_add(long, long);
long asm_sub(long, long);
long asm_sys_getpid(void);
int main(void)
{
	if (asm_add(40, 2) != 42 || asm_sub(44, 2) != 42 || asm_sys_getpid() != getpid()) return 1;
	puts("asm ok");
	return 0;
}
