/* hello: a plain C program (no gort), linked with each libc's own crt1, so
 * that gortdump's report on a non-gort binary can be checked. */
#include <stdio.h>
int main(void)
{
	puts("hello");
	return 0;
}
