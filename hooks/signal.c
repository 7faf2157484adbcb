/* hooks/signal.c: sigaction and signal for gort programs (libgort_hooks.a;
 * how the hooks take the libc's place: hooks/io.c). The runtime records
 * the program's handlers so that a signal it handles interrupts blocked
 * hooked calls with EINTR as the kernel would (runtime/signal_linux.c). */
#include <unistd.h>
#include "../runtime/iohooks.h"

#define HOOK __attribute__((visibility("default")))

HOOK int sigaction(int sig, const struct sigaction *restrict act, struct sigaction *restrict old)
{
	return gort_hook_sigaction(sig, act, old);
}
HOOK void (*signal(int sig, void (*h)(int)))(int) { return gort_hook_signal(sig, h); }
