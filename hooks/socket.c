/* hooks/socket.c: the blocking socket calls for gort programs
 * (libgort_hooks.a; how the hooks take the libc's place: hooks/io.c). */
#include <unistd.h>
#include "../runtime/iohooks.h"

#define HOOK __attribute__((visibility("default")))

HOOK ssize_t recv(int fd, void *buf, size_t n, int flags)
{
	return gort_hook_sock(fd, buf, n, flags, NULL, NULL, NULL, 0, false);
}
HOOK ssize_t recvfrom(int fd, void *restrict buf, size_t n, int flags, struct sockaddr *restrict sa,
		      socklen_t *restrict salen)
{
	return gort_hook_sock(fd, buf, n, flags, sa, salen, NULL, 0, false);
}
HOOK ssize_t recvmsg(int fd, struct msghdr *m, int flags) { return gort_hook_msg(fd, m, flags, false); }
HOOK ssize_t send(int fd, const void *buf, size_t n, int flags)
{
	return gort_hook_sock(fd, (void *)buf, n, flags, NULL, NULL, NULL, 0, true);
}
HOOK ssize_t sendto(int fd, const void *buf, size_t n, int flags, const struct sockaddr *sa, socklen_t salen)
{
	return gort_hook_sock(fd, (void *)buf, n, flags, NULL, NULL, sa, salen, true);
}
HOOK ssize_t sendmsg(int fd, const struct msghdr *m, int flags)
{
	return gort_hook_msg(fd, (struct msghdr *)m, flags, true);
}
HOOK int accept(int fd, struct sockaddr *restrict sa, socklen_t *restrict salen)
{
	return gort_hook_accept4(fd, sa, salen, 0);
}
HOOK int accept4(int fd, struct sockaddr *restrict sa, socklen_t *restrict salen, int flags)
{
	return gort_hook_accept4(fd, sa, salen, flags);
}
HOOK int connect(int fd, const struct sockaddr *sa, socklen_t salen) { return gort_hook_connect(fd, sa, salen); }

#ifdef GORT_GLIBC
HOOK ssize_t __recv_chk(int fd, void *buf, size_t n, size_t buflen, int flags)
{
	if (n > buflen) __chk_fail();
	return gort_hook_sock(fd, buf, n, flags, NULL, NULL, NULL, 0, false);
}
HOOK ssize_t __recvfrom_chk(int fd, void *restrict buf, size_t n, size_t buflen, int flags,
			    struct sockaddr *restrict sa, socklen_t *restrict salen)
{
	if (n > buflen) __chk_fail();
	return gort_hook_sock(fd, buf, n, flags, sa, salen, NULL, 0, false);
}
#endif
