/* hooks/sleep.c: sleep, usleep, nanosleep, clock_nanosleep for gort
 * programs (libgort_hooks.a; how the hooks take the libc's place:
 * hooks/io.c). */
#include <unistd.h>
#include "../runtime/iohooks.h"

#define HOOK __attribute__((visibility("default")))

HOOK unsigned sleep(unsigned s) { return gort_hook_sleep(s); }
HOOK int usleep(useconds_t us) { return gort_hook_usleep(us); }
HOOK int nanosleep(const struct timespec *req, struct timespec *rem) { return gort_hook_nanosleep(req, rem); }
HOOK int clock_nanosleep(clockid_t clk, int flags, const struct timespec *req, struct timespec *rem)
{
	return gort_hook_clock_nanosleep(clk, flags, req, rem);
}
