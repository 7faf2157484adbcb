/* errno_other.c: see errno_main.c. No gort.h here, on purpose. */
#include <errno.h>

int errno_roundtrip(int v, void (*sw)(int), int rounds);

int errno_roundtrip(int v, void (*sw)(int), int rounds)
{
	int bad = 0;
	for (int i = 0; i < rounds; i++) {
		errno = v;
		sw(i);
		if (errno != v) bad++;
	}
	return bad;
}
