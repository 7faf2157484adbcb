/* hooks/io.c: read, write, readv, writev, close, dup2, dup3 for gort programs
 * (libgort_hooks.a).
 *
 * The libc's own functions, by name, defined in the program: a static link
 * takes these instead of the libc archive's (libgort.a names them with
 * EXTERN, so they are in before any library asks), and in a dynamic link
 * the executable's definition comes before the shared libc's for every
 * caller. Inside a goroutine they park only the goroutine; elsewhere they
 * are the plain system call (runtime/iohooks.h, README "libc call hooks"). */
#include <unistd.h>
#include "../runtime/iohooks.h"

#define HOOK __attribute__((visibility("default")))

/* The libc's stdio (hooks/stdio.c, runtime/stdio.c) comes with read: a
 * link that takes read from elsewhere (a sanitizer's interceptors) keeps
 * the libc's stdio too. This reference pulls stdio.c's object in with
 * this one. */
extern const char gort_hooked_stdio;
__attribute__((used)) static const char *const with_stdio = &gort_hooked_stdio;

HOOK ssize_t read(int fd, void *buf, size_t n) { return gort_hook_rw(fd, buf, n, false); }
HOOK ssize_t write(int fd, const void *buf, size_t n) { return gort_hook_rw(fd, (void *)buf, n, true); }
HOOK ssize_t readv(int fd, const struct iovec *iov, int n) { return gort_hook_rwv(fd, iov, n, false); }
HOOK ssize_t writev(int fd, const struct iovec *iov, int n) { return gort_hook_rwv(fd, iov, n, true); }

/* close, dup2 and dup3 end what a descriptor number refers to: goroutines
 * waiting on it wake with EBADF (as gort_close), and the runtime forgets its
 * epoll registration, so a descriptor that reuses the number is registered
 * afresh. Always, in a goroutine or not. gort_hooked_close tells the runtime
 * that closes are seen (netpoll.c: no re-arming system call per wait). */
HOOK const char gort_hooked_close = 1;
HOOK int close(int fd) { return gort_hook_close(fd); }
HOOK int dup2(int old, int fd) { return gort_hook_dup3(old, fd, 0, true); }
HOOK int dup3(int old, int fd, int flags) { return gort_hook_dup3(old, fd, flags, false); }

#ifdef GORT_GLIBC
/* glibc 2.34's close_range and closefrom end numbers too. closefrom falls
 * back to one close per number where the kernel has no close_range (before
 * 5.9), as glibc's does through /proc/self/fd. */
HOOK int close_range(unsigned first, unsigned last, int flags) { return gort_hook_close_range(first, last, flags); }
HOOK void closefrom(int low)
{
	if (low < 0) low = 0;
	if (gort_hook_close_range((unsigned)low, ~0u, 0) == 0) return;
	struct rlimit rl;
	int top = getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < (1u << 20) ? (int)rl.rlim_cur : 1 << 20;
	for (int fd = low; fd < top; fd++) gort_hook_close(fd);
}

/* _FORTIFY_SOURCE turns read into __read_chk when the buffer's size is
 * known: the same call, after the same check the libc makes. */
HOOK ssize_t __read_chk(int fd, void *buf, size_t n, size_t buflen)
{
	if (n > buflen) __chk_fail();
	return gort_hook_rw(fd, buf, n, false);
}
#endif
