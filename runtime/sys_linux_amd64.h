/* sys_linux_amd64.h: raw Linux system calls, usable before the C library is
 * initialised and from signal handlers (Go's sys_linux_amd64.s). They return
 * -errno on failure and never touch errno. */
#ifndef GORT_SYS_LINUX_AMD64_H
#define GORT_SYS_LINUX_AMD64_H

#include <sys/syscall.h>

/* preadv2/pwritev2's flag and io_uring's (linux/fs.h): musl 1.2.3's headers
 * lack it (glibc's define it the same). */
#ifndef RWF_NOWAIT
#define RWF_NOWAIT 0x00000008
#endif

static inline long rawsyscall6(long n, long a, long b, long c, long d, long e, long f)
{
	long ret;
	register long r10 __asm__("r10") = d;
	register long r8 __asm__("r8") = e;
	register long r9 __asm__("r9") = f;
	__asm__ volatile("syscall"
			 : "=a"(ret)
			 : "a"(n), "D"(a), "S"(b), "d"(c), "r"(r10), "r"(r8), "r"(r9)
			 : "rcx", "r11", "memory");
	return ret;
}
#define rawsyscall(n, a, b, c) rawsyscall6((n), (long)(a), (long)(b), (long)(c), 0, 0, 0)

static inline long sys_write(int fd, const void *p, size_t n) { return rawsyscall(SYS_write, fd, p, n); }
static inline long sys_read(int fd, void *p, size_t n) { return rawsyscall(SYS_read, fd, p, n); }
static inline long sys_openat(int dfd, const char *path, int flags) { return rawsyscall(SYS_openat, dfd, path, flags); }
static inline long sys_close(int fd) { return rawsyscall(SYS_close, fd, 0, 0); }
static inline void *sys_mmap(void *a, size_t n, int prot, int flags, int fd, long off)
{
	return (void *)rawsyscall6(SYS_mmap, (long)a, (long)n, prot, flags, fd, off);
}
static inline long sys_munmap(void *a, size_t n) { return rawsyscall(SYS_munmap, a, n, 0); }
static inline long sys_mprotect(void *a, size_t n, int prot) { return rawsyscall(SYS_mprotect, a, n, prot); }
static inline long sys_madvise(void *a, size_t n, int advice) { return rawsyscall(SYS_madvise, a, n, advice); }
static inline long sys_getpid(void) { return rawsyscall(SYS_getpid, 0, 0, 0); }
static inline long sys_gettid(void) { return rawsyscall(SYS_gettid, 0, 0, 0); }
static inline long sys_tgkill(long pid, long tid, int sig) { return rawsyscall(SYS_tgkill, pid, tid, sig); }
static inline _Noreturn void sys_exit_group(int code)
{
	for (;;) rawsyscall(SYS_exit_group, code, 0, 0);
}
#define sys_mmap_failed(p) ((uintptr_t)(p) > (uintptr_t)-4096)

#endif
