/* hooks/file.c: pread, pwrite, preadv, pwritev (and their 64 names),
 * fsync and fdatasync for gort programs (libgort_hooks.a; how the hooks
 * take the libc's place: hooks/io.c). A call that waits for the disk parks
 * only the goroutine: a bounded pool of threads makes it
 * (runtime/blockpool.c, issue #17 item 2). */
#include <sys/uio.h>
#include <unistd.h>
#include "../runtime/iohooks.h"

#define HOOK __attribute__((visibility("default")))

HOOK ssize_t pread(int fd, void *buf, size_t n, off_t off) { return gort_hook_prw(fd, buf, n, off, false); }
HOOK ssize_t pwrite(int fd, const void *buf, size_t n, off_t off)
{
	return gort_hook_prw(fd, (void *)buf, n, off, true);
}
HOOK ssize_t preadv(int fd, const struct iovec *iov, int n, off_t off) { return gort_hook_prwv(fd, iov, n, off, false); }
HOOK ssize_t pwritev(int fd, const struct iovec *iov, int n, off_t off) { return gort_hook_prwv(fd, iov, n, off, true); }
/* off_t is 64 bits on x86-64: the 64 names are the same calls
 * (_FILE_OFFSET_BITS=64 and glibc's LFS headers call them; musl's headers
 * make them macros for the plain names, and its archive defines them as
 * weak aliases). */
#undef pread64
#undef pwrite64
#undef preadv64
#undef pwritev64
#ifndef GORT_GLIBC
ssize_t pread64(int, void *, size_t, off_t);
ssize_t pwrite64(int, const void *, size_t, off_t);
ssize_t preadv64(int, const struct iovec *, int, off_t);
ssize_t pwritev64(int, const struct iovec *, int, off_t);
#endif
HOOK ssize_t pread64(int fd, void *buf, size_t n, off_t off) { return gort_hook_prw(fd, buf, n, off, false); }
HOOK ssize_t pwrite64(int fd, const void *buf, size_t n, off_t off)
{
	return gort_hook_prw(fd, (void *)buf, n, off, true);
}
HOOK ssize_t preadv64(int fd, const struct iovec *iov, int n, off_t off)
{
	return gort_hook_prwv(fd, iov, n, off, false);
}
HOOK ssize_t pwritev64(int fd, const struct iovec *iov, int n, off_t off)
{
	return gort_hook_prwv(fd, iov, n, off, true);
}
HOOK int fsync(int fd) { return gort_hook_fsync(fd, false); }
HOOK int fdatasync(int fd) { return gort_hook_fsync(fd, true); }

#ifdef GORT_GLIBC
/* _FORTIFY_SOURCE's forms of pread: the same call after the libc's check. */
ssize_t __pread_chk(int, void *, size_t, off_t, size_t);
ssize_t __pread64_chk(int, void *, size_t, off_t, size_t);
HOOK ssize_t __pread_chk(int fd, void *buf, size_t n, off_t off, size_t buflen)
{
	if (n > buflen) __chk_fail();
	return gort_hook_prw(fd, buf, n, off, false);
}
HOOK ssize_t __pread64_chk(int fd, void *buf, size_t n, off_t off, size_t buflen)
{
	if (n > buflen) __chk_fail();
	return gort_hook_prw(fd, buf, n, off, false);
}
#endif
