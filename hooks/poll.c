/* hooks/poll.c: poll and ppoll for gort programs (libgort_hooks.a; how
 * the hooks take the libc's place: hooks/io.c). */
#include <unistd.h>
#include "../runtime/iohooks.h"

#define HOOK __attribute__((visibility("default")))

HOOK int poll(struct pollfd *fds, nfds_t n, int timeout) { return gort_hook_poll(fds, n, timeout); }
HOOK int ppoll(struct pollfd *fds, nfds_t n, const struct timespec *ts, const sigset_t *mask)
{
	return gort_hook_ppoll(fds, n, ts, mask);
}

#ifdef GORT_GLIBC
HOOK int __poll_chk(struct pollfd *fds, nfds_t n, int timeout, size_t fdslen)
{
	if (fdslen / sizeof *fds < n) __chk_fail();
	return gort_hook_poll(fds, n, timeout);
}
HOOK int __ppoll_chk(struct pollfd *fds, nfds_t n, const struct timespec *ts, const sigset_t *mask,
		     size_t fdslen)
{
	if (fdslen / sizeof *fds < n) __chk_fail();
	return gort_hook_ppoll(fds, n, ts, mask);
}
#endif
