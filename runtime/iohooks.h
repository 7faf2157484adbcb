/* iohooks.h: what the libc call hooks (hooks/, archive libgort_hooks.a)
 * call in the runtime. Each gort_hook_* is the libc call of the same name, with
 * its return value and errno: in a goroutine it parks only the goroutine
 * (fdio.c, time.c); elsewhere (before the scheduler, on threads gort did
 * not create, in a signal handler, or with GODEBUG=gorthooks=0) it is the
 * plain system call. */
#ifndef GORT_IOHOOKS_H
#define GORT_IOHOOKS_H
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/select.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <time.h>
#include "runtime.h"

/* sret: a raw system call's result as the libc returns it (-1 and errno). */
static inline long sret(long r)
{
	if (r < 0 && r > -4096) {
		errno = (int)-r;
		return -1;
	}
	return r;
}

/* hooks_active: the calling code may park: a goroutine, not inside one of
 * the program's signal handlers (m->sigdepth) nor between its own
 * gort_entersyscall and gort_exitsyscall (there it asked for the thread to
 * block, and the P may be gone already), and not the libc calling its own
 * `read` or `waitpid` by name (a static program linked with gort.ld, where
 * the libc's code is gort_systext): the libc may hold one of its locks
 * around the call (popen holds the stdio list lock across posix_spawn,
 * whose read of its error pipe waits for the child's exec), and a
 * goroutine parked holding one deadlocked a concurrent fork, which takes
 * those locks with the world stopped (test/stress). There the call is the
 * plain one; sysblock hands the P off if it blocks. Must be inlined into
 * the gort_hook_* function that hooks/ calls: return address 1 is then the
 * hook's caller (frame pointers: hooks and runtime are built with them). */
#define hooks_active() hooks_active_(false)
/* hooks_active_libc_ok: the same, but the libc's own calls park too: for
 * poll, which musl calls only from its resolver (res_msend), holding no lock
 * of its own: there parking is what lets 1,000 lookups share one thread
 * (test hooks/name_lookups_park_only_the_goroutine). */
#define hooks_active_libc_ok() hooks_active_(true)
static inline __attribute__((always_inline)) bool hooks_active_(bool libc_ok)
{
	if (!debug.gorthooks || !ingoroutine()) return false;
	struct g *gp = getg();
	if (gp->syscallnest != 0 || insighandler(gp)) return false;
	if (__start_gort_systext && !libc_ok) {
		const uintptr_t *fp = __builtin_frame_address(0);
		const uintptr_t *hookfp = (const uintptr_t *)fp[0]; /* the hook's frame */
		uintptr_t ra = hookfp ? hookfp[1] : 0;
		if (ra >= (uintptr_t)__start_gort_systext && ra < (uintptr_t)__stop_gort_systext) return false;
	}
	return true;
}

ssize_t gort_hook_rw(int fd, void *buf, size_t n, bool wr);
/* fork.c: around hooks/vfork.c's system call. enter marks the thread (the
 * child's hooks are plain system calls, gort_hook_close leaves the
 * runtime's state alone) and hands the P off; leave, in the parent only,
 * undoes both and turns the kernel's result into the libc's. */
void gort_hook_vfork_enter(void);
int gort_hook_vfork_leave(long r);
bool in_vfork_child(void);
int gort_hook_close(int fd);
int gort_hook_dup3(int old, int fd, int flags, bool isdup2);
int gort_hook_close_range(unsigned first, unsigned last, int flags);
ssize_t gort_hook_rwv(int fd, const struct iovec *iov, int n, bool wr);
ssize_t gort_hook_prwv(int fd, const struct iovec *iov, int n, off_t off, bool wr);
ssize_t gort_hook_prw(int fd, void *buf, size_t n, off_t off, bool wr);
int gort_hook_fsync(int fd, bool data);
/* fcntl and ioctl: the system calls, telling netpoll.c of F_SETFL and
 * FIONBIO (hooks/fcntl.c). */
int gort_hook_fcntl(int fd, int cmd, unsigned long arg);
int gort_hook_ioctl(int fd, unsigned long req, void *arg);
int gort_hook_openat(int dirfd, const char *path, int flags, mode_t mode);
/* resolv.c: the name lookups hooks/resolv.c hooks, by number (LK_*). */
enum { LK_GAI, LK_GNI, LK_GHBN, LK_GHBN_R, LK_GHBN2, LK_GHBN2_R, LK_GHBA, LK_GHBA_R, LK_N };
long gort_hook_lookup(int which, long a0, long a1, long a2, long a3, long a4, long a5, long a6, long a7);
/* dnsclient.c (glibc build), dnsmusl.c (musl): the lookups gort's stub
 * resolver answers; the configuration files as both read them. */
bool dns_answer(int which, const long *a, long *ret, int *err, int *herr, bool *herrset);
struct fstamp {
	bool exists;
	int64_t mtime;
	uint64_t ino, size;
};
struct fstamp dns_fstamp(const char *path);
char *dns_readfile(const char *path, bool *big);
ssize_t gort_hook_sock(int fd, void *buf, size_t n, int flags, struct sockaddr *sa, socklen_t *salen,
		       const struct sockaddr *dst, socklen_t dstlen, bool wr);
ssize_t gort_hook_msg(int fd, struct msghdr *m, int flags, bool wr);
int gort_hook_accept4(int fd, struct sockaddr *sa, socklen_t *salen, int flags);
int gort_hook_connect(int fd, const struct sockaddr *sa, socklen_t salen);
int gort_hook_poll(struct pollfd *fds, nfds_t n, int timeout_ms);
int gort_hook_ppoll(struct pollfd *fds, nfds_t n, const struct timespec *ts, const sigset_t *mask);
int gort_hook_select(int nfds, fd_set *rd, fd_set *wr, fd_set *ex, struct timeval *tv);
int gort_hook_pselect(int nfds, fd_set *rd, fd_set *wr, fd_set *ex, const struct timespec *ts,
		      const sigset_t *mask);
struct epoll_event;
int gort_hook_epoll_pwait(int epfd, struct epoll_event *ev, int max, int timeout_ms, const sigset_t *mask);
int fdio_pollone(int fd, short events, int intr);
ssize_t fdio_stdio_rwv(int fd, const struct iovec *iov, int n, bool wr);
void fdio_forget(int fd);
/* stdio.c: the FILE read and write functions (musl: hooks/stdio.c's
 * __stdio_read and __stdio_write call them in a static program; musl
 * dynamic: the FILEs' pointers; glibc has its own, in the vtables), and a
 * FILE the hooks' fopen, fdopen, freopen or popen returned (musl dynamic). */
size_t gort_stdio_read(void *f, unsigned char *buf, size_t len);
size_t gort_stdio_write(void *f, const unsigned char *buf, size_t len);
int gort_stdio_close(void *f);
void gort_stdio_patch(void *f);
struct _IO_FILE;
int gort_stdio_flushall(int (*libc_fflush)(struct _IO_FILE *));
/* childwait.c */
pid_t gort_hook_wait4(pid_t pid, int *status, int options, struct rusage *ru);
int gort_hook_waitid(int idtype, id_t id, siginfo_t *info, int options);
/* time.c */
int gort_hook_nanosleep(const struct timespec *req, struct timespec *rem);
int gort_hook_clock_nanosleep(clockid_t clk, int flags, const struct timespec *req, struct timespec *rem);
unsigned gort_hook_sleep(unsigned s);
int gort_hook_usleep(unsigned long us);
/* signal_linux.c */
int gort_hook_sigaction(int sig, const struct sigaction *act, struct sigaction *old);
void (*gort_hook_signal(int sig, void (*h)(int)))(int);

#ifdef GORT_GLIBC
/* glibc's _FORTIFY_SOURCE entry points the hooks define (hooks/io.c, poll.c,
 * socket.c; glibc declares them only in a fortified build), and the libc's
 * failure of their check. */
ssize_t __read_chk(int fd, void *buf, size_t n, size_t buflen);
int __poll_chk(struct pollfd *fds, nfds_t n, int timeout, size_t fdslen);
int __ppoll_chk(struct pollfd *fds, nfds_t n, const struct timespec *ts, const sigset_t *mask,
		size_t fdslen);
ssize_t __recv_chk(int fd, void *buf, size_t n, size_t buflen, int flags);
ssize_t __recvfrom_chk(int fd, void *restrict buf, size_t n, size_t buflen, int flags,
		       struct sockaddr *restrict sa, socklen_t *restrict salen);
void __chk_fail(void) __attribute__((noreturn));
#endif
#endif
