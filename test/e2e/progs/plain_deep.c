/* plain_deep: deep recursion and a large buffer on main's stack, as
 * unchanged C programs do; needs a main stack as large as RLIMIT_STACK. */
#include <stdio.h>
#include <string.h>
static long depth(long n) { volatile char pad[256]; pad[0] = (char)n; return n == 0 ? pad[0] : 1 + depth(n - 1) + (pad[0] & 0); }
int main(void)
{
	char big[2 << 20];
	memset(big, 1, sizeof big);
	long d = depth(20000); /* about 6 MiB with the buffer */
	printf("depth=%ld big=%d\n", d, big[sizeof big - 1]);
	return 0;
}
