/* hooks/poll.c: poll, ppoll, select and pselect for gort programs (libgort_hooks.a; how
 * the hooks take the libc's place: hooks/io.c). */
#include <sys/select.h>
#include <unistd.h>
#include "../runtime/iohooks.h"

#define HOOK __attribute__((visibility("default")))

HOOK int poll(struct pollfd *fds, nfds_t n, int timeout) { return gort_hook_poll(fds, n, timeout); }
HOOK int ppoll(struct pollfd *fds, nfds_t n, const struct timespec *ts, const sigset_t *mask)
{
	return gort_hook_ppoll(fds, n, ts, mask);
}

HOOK int select(int nfds, fd_set *rd, fd_set *wr, fd_set *ex, struct timeval *tv)
{
	return gort_hook_select(nfds, rd, wr, ex, tv);
}
HOOK int pselect(int nfds, fd_set *rd, fd_set *wr, fd_set *ex, const struct timespec *ts, const sigset_t *mask)
{
	return gort_hook_pselect(nfds, rd, wr, ex, ts, mask);
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
