/* hooks/epoll.c: epoll_wait and epoll_pwait for gort programs (libgort_hooks.a;
 * how the hooks take the libc's place: hooks/io.c). musl keeps all of
 * epoll's calls in one archive member: a program that calls epoll_create1
 * would pull it in beside these, two definitions of epoll_wait. So this
 * object defines the whole family; the others are the plain system calls,
 * as the libc's. */
#include <sys/epoll.h>
#include <sys/syscall.h>
#include "../runtime/iohooks.h"

#define HOOK __attribute__((visibility("default")))

static int ret(long r)
{
	if (r < 0 && r > -4096) {
		errno = (int)-r;
		return -1;
	}
	return (int)r;
}

HOOK int epoll_create(int size)
{
	if (size <= 0) {
		errno = EINVAL;
		return -1;
	}
	return ret(rawsyscall(SYS_epoll_create1, 0, 0, 0));
}
HOOK int epoll_create1(int flags) { return ret(rawsyscall(SYS_epoll_create1, flags, 0, 0)); }
HOOK int epoll_ctl(int epfd, int op, int fd, struct epoll_event *ev)
{
	return ret(rawsyscall6(SYS_epoll_ctl, epfd, op, fd, (long)ev, 0, 0));
}
HOOK int epoll_wait(int epfd, struct epoll_event *ev, int max, int timeout)
{
	return gort_hook_epoll_pwait(epfd, ev, max, timeout, NULL);
}
HOOK int epoll_pwait(int epfd, struct epoll_event *ev, int max, int timeout, const sigset_t *mask)
{
	return gort_hook_epoll_pwait(epfd, ev, max, timeout, mask);
}
