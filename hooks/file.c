/* hooks/file.c: pread, pwrite, preadv, pwritev, open, openat, creat (and
 * their 64 names), fsync and fdatasync for gort programs (libgort_hooks.a; how the hooks
 * take the libc's place: hooks/io.c). A call that waits for the disk parks
 * only the goroutine: a bounded pool of threads makes it
 * (runtime/blockpool.c, issue #17 item 2). */
#include <fcntl.h>
#include <stdarg.h>
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
/* The mode argument is there only with O_CREAT or O_TMPFILE, as the
 * libc's own open reads it. */
static mode_t modearg(int flags, va_list ap)
{
	return (flags & O_CREAT) || (flags & O_TMPFILE) == O_TMPFILE ? (mode_t)va_arg(ap, int) : 0;
}
HOOK int open(const char *path, int flags, ...)
{
	va_list ap;
	va_start(ap, flags);
	mode_t m = modearg(flags, ap);
	va_end(ap);
	return gort_hook_openat(AT_FDCWD, path, flags | O_LARGEFILE, m);
}
HOOK int openat(int dirfd, const char *path, int flags, ...)
{
	va_list ap;
	va_start(ap, flags);
	mode_t m = modearg(flags, ap);
	va_end(ap);
	return gort_hook_openat(dirfd, path, flags | O_LARGEFILE, m);
}
HOOK int creat(const char *path, mode_t mode)
{
	return gort_hook_openat(AT_FDCWD, path, O_CREAT | O_WRONLY | O_TRUNC | O_LARGEFILE, mode);
}
HOOK int fsync(int fd) { return gort_hook_fsync(fd, false); }
HOOK int fdatasync(int fd) { return gort_hook_fsync(fd, true); }

/* off_t is 64 bits on x86-64: the 64 names are the same functions
 * (_FILE_OFFSET_BITS=64 and glibc's LFS headers call them; musl's headers
 * make them macros for the plain names, and its archive defines them as
 * weak aliases, as here). */
#undef pread64
#undef pwrite64
#undef preadv64
#undef pwritev64
#undef open64
#undef openat64
#undef creat64
#define ALIAS64(ret, name, args) HOOK ret name##64 args __attribute__((alias(#name)));
ALIAS64(ssize_t, pread, (int, void *, size_t, off_t))
ALIAS64(ssize_t, pwrite, (int, const void *, size_t, off_t))
ALIAS64(ssize_t, preadv, (int, const struct iovec *, int, off_t))
ALIAS64(ssize_t, pwritev, (int, const struct iovec *, int, off_t))
ALIAS64(int, open, (const char *, int, ...))
ALIAS64(int, openat, (int, const char *, int, ...))
ALIAS64(int, creat, (const char *, mode_t))

#ifdef GORT_GLIBC
/* _FORTIFY_SOURCE's forms of pread: the same call after the libc's check. */
ssize_t __pread_chk(int, void *, size_t, off_t, size_t);
ssize_t __pread64_chk(int, void *, size_t, off_t, size_t);
int __open_2(const char *, int);
int __open64_2(const char *, int);
int __openat_2(int, const char *, int);
int __openat64_2(int, const char *, int);
/* The fortify forms of open without a mode argument (O_CREAT needs one:
 * the libc aborts, as here). */
HOOK int __open_2(const char *path, int flags)
{
	if (flags & O_CREAT) __chk_fail();
	return gort_hook_openat(AT_FDCWD, path, flags | O_LARGEFILE, 0);
}
HOOK int __openat_2(int dirfd, const char *path, int flags)
{
	if (flags & O_CREAT) __chk_fail();
	return gort_hook_openat(dirfd, path, flags | O_LARGEFILE, 0);
}
HOOK int __open64_2(const char *, int) __attribute__((alias("__open_2")));
HOOK int __openat64_2(int, const char *, int) __attribute__((alias("__openat_2")));
HOOK ssize_t __pread_chk(int fd, void *buf, size_t n, off_t off, size_t buflen)
{
	if (n > buflen) __chk_fail();
	return gort_hook_prw(fd, buf, n, off, false);
}
HOOK ssize_t __pread64_chk(int, void *, size_t, off_t, size_t) __attribute__((alias("__pread_chk")));
#endif
