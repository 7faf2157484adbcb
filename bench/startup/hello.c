/* bench/startup/hello.c: the program whose start-up and exit bench/startup
 * times. The same source is built four ways: gort (musl static), musl's own
 * crt1 (static), gort (glibc dynamic) and glibc's own crt1 (dynamic). */
#include <stdio.h>

int main(void)
{
	printf("hello, world\n");
	return 0;
}
