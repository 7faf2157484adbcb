/* hooks/fcntl.c: fcntl (and glibc's fcntl64) and ioctl for gort programs
 * (libgort_hooks.a; how the hooks take the libc's place: hooks/io.c).
 *
 * Not to park anything: to see every change of a descriptor's file status
 * flags the program makes (F_SETFL, FIONBIO). The runtime then remembers
 * that a descriptor is in blocking mode instead of asking the kernel with
 * F_GETFL before each wait (runtime/netpoll.c pd_blocking). Both calls are
 * the system call, with what the libcs add on x86-64: F_GETOWN through
 * F_GETOWN_EX (a process group comes back negative), as musl and glibc do.
 * As every hook, they are not pthread cancellation points (fcntl with
 * F_SETLKW is one in the libc: README, "libc call hooks"). */
#include <fcntl.h>
#include <stdarg.h>
#include <sys/ioctl.h>
#include "../runtime/iohooks.h"

#define HOOK __attribute__((visibility("default")))

/* What runtime/netpoll.c looks for to trust its memory of flags. */
HOOK const char gort_hooked_fcntl = 1;

/* The third argument is read as the libcs read it, whatever the command
 * (an int, a pointer or nothing: the register's value is passed on). */
HOOK int fcntl(int fd, int cmd, ...)
{
	va_list ap;
	va_start(ap, cmd);
	unsigned long arg = va_arg(ap, unsigned long);
	va_end(ap);
	return gort_hook_fcntl(fd, cmd, arg);
}

#ifdef GORT_GLIBC
/* glibc 2.28's name, which its headers call with _FILE_OFFSET_BITS=64. */
#undef fcntl64
HOOK int fcntl64(int, int, ...) __attribute__((alias("fcntl")));
HOOK int ioctl(int fd, unsigned long req, ...)
#else
HOOK int ioctl(int fd, int req, ...)
#endif
{
	va_list ap;
	va_start(ap, req);
	void *arg = va_arg(ap, void *);
	va_end(ap);
	return gort_hook_ioctl(fd, (unsigned long)req, arg);
}
