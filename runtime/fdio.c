/* fdio.c: goroutine-aware I/O (Go's internal/poll): gort_read, gort_write,
 * gort_readv/writev, gort_recv/send/recvfrom/sendto, gort_accept,
 * gort_connect, gort_poll and gort_close, with the libc calls' return
 * values and errno, plus deadline variants that fail with ETIMEDOUT; and
 * the same machinery behind the libc call hooks (hooks/, iohooks.h).
 *
 * Each call first tries the operation without blocking, then, if it would
 * block, parks the goroutine in the netpoller (netpoll.c) until the
 * descriptor is ready, and tries again. The thread is never blocked.
 *
 * The descriptor's blocking mode stays the user's:
 *   - reads and writes ask "do not block" per call (preadv2/pwritev2 with
 *     RWF_NOWAIT, MSG_DONTWAIT for the socket calls), leaving O_NONBLOCK
 *     untouched; for a descriptor without RWF_NOWAIT support (a terminal,
 *     timerfd, ext4's writes) a poll(2) with timeout 0 comes first, and
 *     the call itself then runs under entersyscall;
 *   - when the operation would block, F_GETFL tells whether the user set
 *     O_NONBLOCK: then the call returns EAGAIN, exactly as the libc's;
 *   - a blocking write writes everything (looping over partial writes), as
 *     a blocking write(2) does; a write of up to PIPE_BUF bytes to a pipe
 *     stays atomic (RWF_NOWAIT never splits it);
 *   - accept4 and connect have no per-call flag: on a blocking socket,
 *     O_NONBLOCK is set for the duration of that one system call and
 *     restored right after (for accept, once for all the goroutines in
 *     accept on the socket at once: nb_begin). A thread gort did not
 *     create, calling fcntl(F_GETFL) or accept on the same socket in that
 *     window, would see it (README, "I/O").
 * Regular files cannot be polled: a read that RWF_NOWAIT says would wait
 * for the disk goes to the blocking pool (blockpool.c: the goroutine
 * parks, one of a bounded set of threads waits); writes run under
 * entersyscall/exitsyscall while few do, then on the pool too; so do the
 * positional calls (gort_hook_prwv) and fsync. Called outside a goroutine,
 * every call is the plain system call.
 * gort_close wakes the goroutines waiting on the descriptor with EBADF.
 *
 * Hooked calls (iohooks.h) differ from the gort_* API in what the libc
 * does and Go does not: SO_RCVTIMEO/SO_SNDTIMEO time out with EAGAIN, and
 * a signal handler the program installed interrupts a wait with EINTR as
 * the kernel would (netpoll.c, "interrupts").
 *
 * Every system call here is raw (sys_linux_amd64.h): the libc's wrappers
 * may be the hooks themselves. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/ioctl.h>
#include <sys/select.h>
#include <sys/stat.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <time.h>
#include "netpoll.h"
#include "iohooks.h"


enum { NOTPOLLABLE = -1 };
/* <linux/close_range.h>, not on musl-gcc's path. */
enum { SYS_close_range_ = 436, CLOSE_RANGE_CLOEXEC_ = 1 << 2 };

/* poll_now is poll(2) with timeout 0: what is ready now. The kernel still
 * answers EINTR when a signal with a handler arrives while it scans (a
 * poll of 3,000 descriptors takes long enough for the runtime's own
 * preemption SIGURG): retried, as the answer is "now" either way; a
 * handler of the program interrupts the waits (pd_waitlinks), not this. */
static long poll_now(struct pollfd *fds, nfds_t n)
{
	long r;
	do r = rawsyscall(SYS_poll, fds, n, 0);
	while (r == -EINTR);
	return r;
}

/* poll_blocking is poll(2) until deadline (0: none) on the thread, the P
 * handed off: the wait when there is no poller (netpoll.c: no descriptors
 * were left to make one). */
static long poll_blocking(struct pollfd *fds, nfds_t n, int64_t deadline)
{
	long r;
	do {
		int ms = -1;
		if (deadline) {
			int64_t d = deadline - nanotime();
			ms = d <= 0 ? 0 : d / 1000000 >= INT_MAX ? INT_MAX : (int)((d + 999999) / 1000000);
		}
		gort_entersyscall();
		r = rawsyscall(SYS_poll, fds, n, ms);
		gort_exitsyscall();
	} while (r == -EINTR && !netpoll_intr_possible());
	return r;
}


/* How one call waits: its deadline, whether signals interrupt it, and
 * whether it honours the socket timeouts (hooked calls). */
struct iowait {
	int64_t deadline;  /* absolute nanotime, 0 = none */
	int intr;          /* PDI_* */
	bool hooked;
	bool timeo_read;   /* SO_RCVTIMEO/SO_SNDTIMEO read */
	int64_t timeo;     /* deadline from it, 0 = none */
};

/* fd_wait parks until pd is ready in one direction: 0 to retry, or an
 * errno value. A hooked call on a socket also honours SO_RCVTIMEO or
 * SO_SNDTIMEO (read once per call): EAGAIN when it runs out. */
static int fd_wait(struct pollDesc *pd, bool wr, struct iowait *st)
{
	int fd = pd->fd;
	int64_t dl = st->deadline;
	int intr = st->intr;
	if (st->hooked && pd->issock) {
		if (!st->timeo_read) {
			struct timeval tv = {0, 0};
			socklen_t l = sizeof tv;
			st->timeo_read = true;
			if (rawsyscall6(SYS_getsockopt, fd, SOL_SOCKET, wr ? SO_SNDTIMEO : SO_RCVTIMEO, (long)&tv,
					(long)&l, 0) == 0 &&
			    (tv.tv_sec || tv.tv_usec))
				st->timeo = when_after(sec_to_ns(tv.tv_sec, tv.tv_usec * 1000LL));
		}
		if (st->timeo) {
			if (!dl || st->timeo < dl) dl = st->timeo;
			intr = PDI_ANY; /* signal(7): never restarted with a timeout */
		}
	}
	int e = pd_wait1(pd, wr, dl, intr);
	if (e == ETIMEDOUT && st->timeo && dl == st->timeo) return EAGAIN;
	return e;
}

/* would_block: the operation on fd returned EAGAIN. Returns 0 to retry
 * (the descriptor became ready), an errno value to fail with, or
 * NOTPOLLABLE if the descriptor cannot be waited for. */
static int would_block(int fd, bool wr, struct iowait *st)
{
	struct pollDesc *pd = pd_blocking(fd);
	if (pd) return fd_wait(pd, wr, st);
	if (pd_refused(fd)) return NOTPOLLABLE;
	uint64_t epoch = pd_flags_epoch();
	long fl = rawsyscall(SYS_fcntl, fd, F_GETFL, 0);
	if (fl < 0) return (int)-fl;
	if (fl & O_NONBLOCK) {
		/* The user asked for EAGAIN: on what can be waited for. A
		 * regular file ignores O_NONBLOCK (the libc's read waits for
		 * the disk): RWF_NOWAIT's EAGAIN is not the program's then. */
		struct stat sb;
		if (rawsyscall(SYS_fstat, fd, &sb, 0) == 0 && (S_ISREG(sb.st_mode) || S_ISBLK(sb.st_mode)))
			return NOTPOLLABLE;
		return EAGAIN;
	}
	pd = pd_get(fd);
	if (!pd) return errno == EPERM ? NOTPOLLABLE : errno;
	pd_set_blocking(pd, epoch);
	return fd_wait(pd, wr, st);
}

/* blocking_rw: a read or write that may block on something no poller can
 * wait for. pool: a regular file's disk may be behind it: in a goroutine a
 * read goes to the blocking pool (blockpool.c: the goroutine parks, a pool
 * thread waits), a write runs here under entersyscall while few do (the
 * page cache takes it at once, as a rule), else on the pool too. Without
 * pool (a terminal that poll found ready), or outside a goroutine, the
 * call runs here. */
static ssize_t blocking_rw(int fd, const struct iovec *iov, int n, bool wr, bool pool)
{
	long nr = wr ? SYS_writev : SYS_readv, r;
	if (!ingoroutine() || in_vfork_child()) {
		r = rawsyscall(nr, fd, iov, n);
	} else if (pool) {
		r = (wr ? blockpool_direct : blockpool_syscall)(nr, fd, (long)iov, n, 0, 0, 0);
	} else {
		gort_entersyscall();
		r = rawsyscall(nr, fd, iov, n);
		gort_exitsyscall();
	}
	return sret(r);
}

static size_t iovlen(const struct iovec *iov, int n);

/* nowait_rw does one vectored read or write that does not block. */
static ssize_t nowait_rw(int fd, const struct iovec *iov, int n, bool wr)
{
	/* A write to a descriptor epoll refused (a regular file, known from
	 * an earlier call): no RWF_NOWAIT try and no poll, which on ext4
	 * (no RWF_NOWAIT for buffered writes) cost two failing system calls
	 * per write (SQLite's workload: 83,544 of each). */
	if (wr && pd_refused(fd)) return blocking_rw(fd, iov, n, true, true);
	/* A socket already registered, one buffer: recvfrom and sendto with
	 * MSG_DONTWAIT are read and write on a socket (sock_read_iter and
	 * sock_write_iter make the same sock_recvmsg/sock_sendmsg call, and
	 * a write still raises SIGPIPE), without the vector the kernel copies
	 * in for preadv2/pwritev2 and the position lock it takes for them.
	 * Not for 0 bytes (sock_read_iter returns 0 before the protocol sees
	 * an empty read; recvfrom would not: left to preadv2, both ways).
	 * ENOTSOCK: the number was reused unseen (test hooks/a_remembered_...). */
	struct pollDesc *pd;
	if (n == 1 && iov[0].iov_len && (pd = pd_sockdesc(fd))) {
		/* When the P runs an I/O-readied goroutine next, the call
		 * joins the P's batch (iobatch.c): the same call, in one
		 * io_uring_enter with the others'. */
		long r;
		if (!iobatch_rw(pd, iov, 1, MSG_DONTWAIT, wr, &r))
			r = rawsyscall6(wr ? SYS_sendto : SYS_recvfrom, fd, (long)iov[0].iov_base,
					(long)iov[0].iov_len, MSG_DONTWAIT, 0, 0);
		if (r != -ENOTSOCK) return sret(r);
	} else if (n > 1 && (pd = pd_sockdesc(fd)) && iovlen(iov, n)) {
		/* A vector: recvmsg/sendmsg in the batch (readv and writev of
		 * a socket are those calls); alone, preadv2/pwritev2 below. */
		long r;
		if (iobatch_rw(pd, iov, n, MSG_DONTWAIT, wr, &r) && r != -ENOTSOCK) return sret(r);
	} else if (iovlen(iov, n) && (pd = pd_pipedesc(fd, wr && iobatch_would()))) {
		/* A pipe's read or write joins the batch as the call below,
		 * with RWF_NOWAIT. A write end is learnt at a write that could
		 * join (pd_pipedesc). */
		long r;
		if (iobatch_rw(pd, iov, n, 0, wr, &r)) return sret(r);
	}
	/* Offset -1: the file position, as readv/writev. */
	long r = rawsyscall6(wr ? SYS_pwritev2 : SYS_preadv2, fd, (long)iov, n, -1, 0, RWF_NOWAIT);
	if (r != -EOPNOTSUPP) return sret(r);
	/* Remember a regular file for the next write (pd_get's refusal is
	 * what pd_refused reads; a descriptor epoll takes is registered
	 * now rather than at its first wait). */
	if (wr && pd_closes_seen()) {
		int e = errno;
		pd_get(fd);
		errno = e;
	}
	/* No RWF_NOWAIT for this descriptor: ask poll first. */
	struct pollfd p = {fd, wr ? POLLOUT : POLLIN, 0};
	r = poll_now(&p, 1);
	if (r == 0) {
		errno = EAGAIN;
		return -1;
	}
	if (r < 0) return sret(r);
	/* Ready: a terminal answers at once; a regular file on a file system
	 * without RWF_NOWAIT (ext4 writes) may still wait for the disk: the P
	 * is handed off meanwhile, and beyond a few such writes at once they
	 * queue for the pool's threads. */
	return blocking_rw(fd, iov, n, wr, wr);
}

static size_t iovlen(const struct iovec *iov, int n)
{
	size_t t = 0;
	for (int i = 0; i < n; i++) t += iov[i].iov_len;
	return t;
}

/* iovskip advances a copy of an iovec array past `skip` bytes; returns
 * the new count (the array is copied into buf on first use). */
static int iovskip(struct iovec **iov, int n, const struct iovec *orig, struct iovec *buf, int bufn,
		   size_t skip)
{
	if (*iov != buf) {
		if (n > bufn) return -1;
		for (int i = 0; i < n; i++) buf[i] = orig[i];
		*iov = buf;
	}
	struct iovec *v = *iov;
	int i = 0;
	while (i < n && skip >= v[i].iov_len) skip -= v[i++].iov_len;
	for (int j = i; j < n; j++) v[j - i] = v[j];
	n -= i;
	if (n > 0) {
		v[0].iov_base = (char *)v[0].iov_base + skip;
		v[0].iov_len -= skip;
	}
	return n;
}

/* rwv is read/readv/write/writev in a goroutine. */
static ssize_t rwv(int fd, const struct iovec *iov0, int n, bool wr, struct iowait *st)
{
	if (n < 0 || n > IOV_MAX) {
		errno = EINVAL;
		return -1;
	}
	struct iovec iovbuf[64];
	struct iovec *iov = (struct iovec *)iov0;
	size_t want = wr ? iovlen(iov0, n) : 0, done = 0;
	for (;;) {
		ssize_t r = nowait_rw(fd, iov, n, wr);
		if (r >= 0) {
			done += r;
			if (!wr || done == want || r == 0) return done;
			/* A partial write on a blocking descriptor: go on with the
			 * rest, as a blocking write would. */
			n = iovskip(&iov, n, iov0, iovbuf, 64, r);
			if (n < 0) return done;
			continue;
		}
		if (errno != EAGAIN) return done ? (ssize_t)done : -1;
		int e = would_block(fd, wr, st);
		if (e == NOTPOLLABLE) {
			r = blocking_rw(fd, iov, n, wr, true);
			return r < 0 ? (done ? (ssize_t)done : -1) : (ssize_t)(done + r);
		}
		if (e) {
			if (done) return done;
			errno = e;
			return -1;
		}
	}
}

static ssize_t api_rwv(int fd, const struct iovec *iov, int n, bool wr, int64_t deadline)
{
	if (!ingoroutine()) return sret(rawsyscall(wr ? SYS_writev : SYS_readv, fd, iov, n));
	struct iowait st = {.deadline = deadline};
	return rwv(fd, iov, n, wr, &st);
}

ssize_t gort_read_deadline(int fd, void *buf, size_t n, int64_t deadline)
{
	struct iovec v = {buf, n};
	return api_rwv(fd, &v, 1, false, deadline);
}
ssize_t gort_write_deadline(int fd, const void *buf, size_t n, int64_t deadline)
{
	struct iovec v = {(void *)buf, n};
	return api_rwv(fd, &v, 1, true, deadline);
}
ssize_t gort_read(int fd, void *buf, size_t n) { return gort_read_deadline(fd, buf, n, 0); }
ssize_t gort_write(int fd, const void *buf, size_t n) { return gort_write_deadline(fd, buf, n, 0); }
ssize_t gort_readv(int fd, const struct iovec *iov, int n) { return api_rwv(fd, iov, n, false, 0); }
ssize_t gort_writev(int fd, const struct iovec *iov, int n) { return api_rwv(fd, iov, n, true, 0); }

/* ---- sockets ---- */

static long sock_raw(int fd, struct msghdr *m, int flags, bool wr)
{
	return rawsyscall(wr ? SYS_sendmsg : SYS_recvmsg, fd, m, flags);
}

/* sock_try is sock_raw with MSG_DONTWAIT; a call without address or
 * control data (plain: recv, send, and recvfrom/sendto without one) on a
 * known socket may join the P's batch (iobatch.c). */
static long sock_try(int fd, struct msghdr *m, int flags, bool wr, bool plain)
{
	struct pollDesc *pd;
	long r;
	if (plain && !m->msg_control && iovlen(m->msg_iov, (int)m->msg_iovlen) && (pd = pd_sockdesc(fd)) &&
	    iobatch_rw(pd, m->msg_iov, (int)m->msg_iovlen, flags | MSG_DONTWAIT, wr, &r))
		return r;
	return sock_raw(fd, m, flags | MSG_DONTWAIT, wr);
}

static bool isstream(int fd)
{
	int type = 0;
	socklen_t tl = sizeof type;
	return rawsyscall6(SYS_getsockopt, fd, SOL_SOCKET, SO_TYPE, (long)&type, (long)&tl, 0) == 0 &&
	       type == SOCK_STREAM;
}

/* sockmsg is recvmsg/sendmsg (and through them recv, recvfrom, send,
 * sendto) in a goroutine. A blocking stream socket sends everything, and
 * MSG_WAITALL receives everything, as the kernel's blocking calls do.
 * plain: no address, and nothing to report in the header (sock_try). */
static ssize_t sockmsg(int fd, struct msghdr *m0, int flags, bool wr, struct iowait *st, bool plain)
{
	if (flags & MSG_DONTWAIT) return sret(sock_raw(fd, m0, flags, wr));
	struct msghdr mh = *m0, *m = m0;
	struct iovec iovbuf[64];
	size_t want = iovlen(m0->msg_iov, (int)m0->msg_iovlen), done = 0;
	bool all = wr || (flags & MSG_WAITALL);
	for (;;) {
		long r = sock_try(fd, m, flags, wr, plain);
		if (r >= 0) {
			done += r;
			if (m != m0) { /* report what the kernel said in the caller's header */
				m0->msg_flags = m->msg_flags;
				m0->msg_namelen = m->msg_namelen;
				m0->msg_controllen = m->msg_controllen;
			}
			if (!all || done == want || r == 0 || !isstream(fd)) return done;
			/* Partial: go on with the rest, without the address and the
			 * control data, which went with the first part. */
			struct iovec *iov = m->msg_iov;
			int n = iovskip(&iov, (int)m->msg_iovlen, m->msg_iov, iovbuf, 64, r);
			if (n < 0) return done;
			mh = *m;
			mh.msg_iov = iov;
			mh.msg_iovlen = n;
			if (wr) {
				mh.msg_control = NULL;
				mh.msg_controllen = 0;
			}
			m = &mh;
			continue;
		}
		if (r != -EAGAIN) {
			if (done) return done;
			errno = (int)-r;
			return -1;
		}
		int e = would_block(fd, wr, st);
		if (e) {
			if (done) return done;
			errno = e == NOTPOLLABLE ? EAGAIN : e;
			return -1;
		}
	}
}

static ssize_t sockop(int fd, void *buf, size_t n, int flags, struct sockaddr *sa, socklen_t *salen,
		      const struct sockaddr *dst, socklen_t dstlen, bool wr, struct iowait *st)
{
	struct iovec v = {buf, n};
	struct msghdr m = {.msg_iov = &v, .msg_iovlen = 1};
	if (wr) {
		m.msg_name = (void *)dst;
		m.msg_namelen = dst ? dstlen : 0;
	} else if (sa && salen) {
		m.msg_name = sa;
		m.msg_namelen = *salen;
	}
	ssize_t r;
	if (!st) {
		/* Not in a goroutine: the plain system call. */
		r = wr ? sret(rawsyscall6(SYS_sendto, fd, (long)buf, n, flags, (long)dst, dstlen))
		       : sret(rawsyscall6(SYS_recvfrom, fd, (long)buf, n, flags, (long)sa, (long)salen));
		return r;
	}
	r = sockmsg(fd, &m, flags, wr, st, !m.msg_name);
	if (r >= 0 && !wr && sa && salen) *salen = m.msg_namelen;
	return r;
}

static ssize_t api_sock(int fd, void *buf, size_t n, int flags, struct sockaddr *sa, socklen_t *salen,
			const struct sockaddr *dst, socklen_t dstlen, bool wr, int64_t deadline)
{
	struct iowait st = {.deadline = deadline};
	return sockop(fd, buf, n, flags, sa, salen, dst, dstlen, wr, ingoroutine() ? &st : NULL);
}

ssize_t gort_recv(int fd, void *buf, size_t n, int flags)
{
	return api_sock(fd, buf, n, flags, NULL, NULL, NULL, 0, false, 0);
}
ssize_t gort_send(int fd, const void *buf, size_t n, int flags)
{
	return api_sock(fd, (void *)buf, n, flags, NULL, NULL, NULL, 0, true, 0);
}
ssize_t gort_recvfrom(int fd, void *buf, size_t n, int flags, struct sockaddr *sa, socklen_t *salen)
{
	return api_sock(fd, buf, n, flags, sa, salen, NULL, 0, false, 0);
}
ssize_t gort_sendto(int fd, const void *buf, size_t n, int flags, const struct sockaddr *sa, socklen_t salen)
{
	return api_sock(fd, (void *)buf, n, flags, NULL, NULL, sa, salen, true, 0);
}
ssize_t gort_recv_deadline(int fd, void *buf, size_t n, int flags, int64_t deadline)
{
	return api_sock(fd, buf, n, flags, NULL, NULL, NULL, 0, false, deadline);
}
ssize_t gort_send_deadline(int fd, const void *buf, size_t n, int flags, int64_t deadline)
{
	return api_sock(fd, (void *)buf, n, flags, NULL, NULL, NULL, 0, true, deadline);
}

/* setnb sets O_NONBLOCK on fd for one call if the user's descriptor is
 * blocking (*userblocking tells); returns the flags to restore, or -1. */
static int setnb(int fd, bool *userblocking)
{
	long fl = rawsyscall(SYS_fcntl, fd, F_GETFL, 0);
	if (fl < 0) return (int)sret(fl);
	*userblocking = !(fl & O_NONBLOCK);
	if (*userblocking) {
		long r = rawsyscall(SYS_fcntl, fd, F_SETFL, fl | O_NONBLOCK);
		if (r < 0) return (int)sret(r);
	}
	return (int)fl;
}

static void restorefl(int fd, int fl, bool userblocking)
{
	if (userblocking) rawsyscall(SYS_fcntl, fd, F_SETFL, fl);
}

/* nb_begin and nb_end bracket one accept4 on a blocking socket with
 * O_NONBLOCK, shared by every goroutine in accept on that socket at once
 * (8 goroutines in accept on one listening socket: each one's temporary
 * flag, read as the program's by another, made that one fail with
 * EAGAIN). The first sets the flag and keeps the program's flags, the
 * others find them kept, the last restores them; under pd->lk. Returns
 * whether the program's socket is blocking, or -1 with errno. */
static int nb_begin(struct pollDesc *pd, int fd)
{
	lock(&pd->lk);
	if (pd->nbusers == 0) {
		long fl = rawsyscall(SYS_fcntl, fd, F_GETFL, 0);
		if (fl >= 0 && !(fl & O_NONBLOCK)) {
			long r = rawsyscall(SYS_fcntl, fd, F_SETFL, fl | O_NONBLOCK);
			if (r < 0) fl = r;
		}
		if (fl < 0) {
			unlock(&pd->lk);
			return (int)sret(fl);
		}
		pd->nbfl = (int32_t)fl;
	}
	pd->nbusers++;
	int blocking = !(pd->nbfl & O_NONBLOCK);
	unlock(&pd->lk);
	return blocking;
}

static void nb_end(struct pollDesc *pd, int fd)
{
	lock(&pd->lk);
	if (--pd->nbusers == 0 && !(pd->nbfl & O_NONBLOCK)) rawsyscall(SYS_fcntl, fd, F_SETFL, pd->nbfl);
	unlock(&pd->lk);
}

static int accept_wait(int fd, struct sockaddr *sa, socklen_t *salen, int flags, struct iowait *st)
{
	struct pollDesc *pd = pd_get(fd);
	if (!pd) {
		/* Not pollable (not a socket: accept4 says what it is). */
		if (errno != EPERM) return -1;
		gort_entersyscall();
		long r = rawsyscall6(SYS_accept4, fd, (long)sa, (long)salen, flags, 0, 0);
		gort_exitsyscall();
		return (int)sret(r);
	}
	for (;;) {
		int blocking = nb_begin(pd, fd);
		if (blocking < 0) return -1;
		long r = rawsyscall6(SYS_accept4, fd, (long)sa, (long)salen, flags, 0, 0);
		nb_end(pd, fd);
		if (r >= 0 || r != -EAGAIN || !blocking) return (int)sret(r);
		int e = fd_wait(pd, false, st);
		if (e) {
			errno = e;
			return -1;
		}
	}
}

int gort_accept4_deadline(int fd, struct sockaddr *sa, socklen_t *salen, int flags, int64_t deadline)
{
	if (!ingoroutine()) return (int)sret(rawsyscall6(SYS_accept4, fd, (long)sa, (long)salen, flags, 0, 0));
	struct iowait st = {.deadline = deadline};
	return accept_wait(fd, sa, salen, flags, &st);
}

int gort_accept(int fd, struct sockaddr *sa, socklen_t *salen)
{
	return gort_accept4_deadline(fd, sa, salen, 0, 0);
}

static int connect_wait(int fd, const struct sockaddr *sa, socklen_t salen, struct iowait *st)
{
	bool blocking;
	int fl = setnb(fd, &blocking);
	if (fl < 0) return -1;
	long r = rawsyscall(SYS_connect, fd, sa, salen);
	restorefl(fd, fl, blocking);
	if (r == 0 || !blocking || (r != -EINPROGRESS && r != -EAGAIN)) return (int)sret(r);
	/* In progress: wait until writable, then read the outcome. */
	struct pollDesc *pd = pd_get(fd);
	if (!pd && (errno != EPERM || netpoll_inited())) return -1;
	for (;;) {
		int e;
		if (pd) {
			e = fd_wait(pd, true, st);
		} else { /* no poller (netpoll.c): on the thread */
			struct pollfd p = {fd, POLLOUT, 0};
			long r = poll_blocking(&p, 1, st->deadline);
			e = r < 0 ? (int)-r : r == 0 ? (st->hooked ? EINPROGRESS : ETIMEDOUT) : 0;
		}
		/* A blocking connect that times out on SO_SNDTIMEO says EINPROGRESS. */
		if (e == EAGAIN) e = EINPROGRESS;
		if (e) {
			errno = e;
			return -1;
		}
		struct pollfd p = {fd, POLLOUT, 0};
		if (poll_now(&p, 1) == 0) continue; /* a stale edge */
		int soerr = 0;
		socklen_t l = sizeof soerr;
		long g = rawsyscall6(SYS_getsockopt, fd, SOL_SOCKET, SO_ERROR, (long)&soerr, (long)&l, 0);
		if (g < 0) return (int)sret(g);
		if (soerr) {
			errno = soerr;
			return -1;
		}
		return 0;
	}
}

int gort_connect_deadline(int fd, const struct sockaddr *sa, socklen_t salen, int64_t deadline)
{
	if (!ingoroutine()) return (int)sret(rawsyscall(SYS_connect, fd, sa, salen));
	struct iowait st = {.deadline = deadline};
	return connect_wait(fd, sa, salen, &st);
}

int gort_connect(int fd, const struct sockaddr *sa, socklen_t salen)
{
	return gort_connect_deadline(fd, sa, salen, 0);
}

/* ---- poll ---- */

/* pollwait is poll(2) over n descriptors in a goroutine, with an absolute
 * deadline (0: none). The first try does not block; then the goroutine
 * waits on every descriptor at once and asks poll(2) again when woken. */
static int pollwait(struct pollfd *fds, nfds_t n, int64_t deadline, int intr, bool nodeadline_is_zero)
{
	long r = poll_now(fds, n);
	if (r != 0) return (int)sret(r);
	if (nodeadline_is_zero) return 0;
	struct pdlink stackl[16], *links = stackl;
	size_t cap = 16;
	if (2 * n > cap) {
		cap = 2 * n;
		links = malloc(cap * sizeof *links);
		if (!links) {
			errno = ENOMEM;
			return -1;
		}
	}
	int ret;
	for (;;) {
		int k = 0;
		for (nfds_t i = 0; i < n; i++) {
			if (fds[i].fd < 0) continue;
			short ev = fds[i].events;
			bool rd = ev & (POLLIN | POLLPRI | POLLRDNORM | POLLRDBAND | POLLRDHUP);
			bool wr = ev & (POLLOUT | POLLWRNORM | POLLWRBAND);
			struct pollDesc *pd = pd_get(fds[i].fd);
			if (!pd && !netpoll_inited()) {
				/* No poller at all: the plain poll(2). */
				ret = (int)sret(poll_blocking(fds, n, deadline));
				goto out;
			}
			if (!pd) continue; /* not pollable by epoll: poll(2) says ready, or never */
			if (rd || !wr) links[k++] = (struct pdlink){.pd = pd, .wr = false};
			if (wr) links[k++] = (struct pdlink){.pd = pd, .wr = true};
		}
		/* With nothing that can become ready (no descriptor, no deadline,
		 * no handler of the program), this parks for ever, as poll(2)
		 * sleeps for ever. */
		int e = pd_waitlinks(links, k, deadline, intr);
		r = poll_now(fds, n);
		if (r != 0) {
			ret = (int)sret(r);
			break;
		}
		if (e == ETIMEDOUT) {
			ret = 0;
			break;
		}
		if (e == EINTR) {
			errno = EINTR;
			ret = -1;
			break;
		}
		/* 0 or EBADF (closed by gort_close): poll(2) again, then wait again. */
	}
out:
	if (links != stackl) free(links);
	return ret;
}

/* fdio_pollone parks until fd has one of events: 0, or an errno value
 * (EINTR as intr allows; poll(2)'s errors). For the runtime's own waits
 * on a descriptor it made (childwait.c: a pidfd). */
int fdio_pollone(int fd, short events, int intr)
{
	struct pollfd p = {fd, events, 0};
	return pollwait(&p, 1, 0, intr, false) < 0 ? errno : 0;
}

/* gort_poll waits until fd has one of events (POLLIN, POLLOUT), at most
 * timeout_ns (< 0: no limit). Returns poll(2)'s revents, 0 on timeout, or
 * -1 with errno. */
int gort_poll(int fd, short events, int64_t timeout_ns)
{
	struct pollfd p = {fd, events, 0};
	if (!ingoroutine()) {
		/* ppoll's timespec: milliseconds in an int wrapped (2^32 ms
		 * became 0, INT64_MAX ns overflowed the rounding). */
		struct timespec ts = {timeout_ns / 1000000000, timeout_ns % 1000000000};
		long r = rawsyscall6(SYS_ppoll, (long)&p, 1, timeout_ns < 0 ? 0 : (long)&ts, 0, 8, 0);
		return r <= 0 ? (int)sret(r) : p.revents;
	}
	int64_t deadline = timeout_ns <= 0 ? 0 : when_after(timeout_ns);
	int r = pollwait(&p, 1, deadline, PDI_NONE, timeout_ns == 0);
	return r <= 0 ? r : p.revents;
}

int gort_close(int fd)
{
	pd_forget(fd);
	return (int)sret(rawsyscall(SYS_close, fd, 0, 0));
}

/* ---- the libc call hooks' side (iohooks.h) ---- */

ssize_t gort_hook_rwv(int fd, const struct iovec *iov, int n, bool wr)
{
	if (!hooks_active()) return sret(rawsyscall(wr ? SYS_writev : SYS_readv, fd, iov, n));
	struct iowait st = {.intr = PDI_NORESTART, .hooked = true};
	return rwv(fd, iov, n, wr, &st);
}

/* fdio_stdio_rwv: readv or writev for the libc's stdio (stdio.c), which
 * decided the calling goroutine may park: the hooks' semantics, the
 * libc's FILE code around it. */
ssize_t fdio_stdio_rwv(int fd, const struct iovec *iov, int n, bool wr)
{
	struct iowait st = {.intr = PDI_NORESTART, .hooked = true};
	return rwv(fd, iov, n, wr, &st);
}

/* in_program_handler: running one of the program's signal handlers on an
 * M (the trampoline counts them): pd_forget takes locks that the code the
 * signal interrupted may hold, and close is async-signal-safe. There the
 * number is only closed; sysmon's netpoll_rearm_stale covers a number that
 * comes back. */
static bool in_program_handler(void)
{
	if (!scheduler_started) return false;
	struct g *gp = getg();
	return gp && gp->m && insighandler(gp);
}

/* can_forget: the runtime's state may be changed here (not in a handler
 * of the program, not in a vfork child, which shares the parent's memory). */
static bool can_forget(void) { return !in_program_handler() && !in_vfork_child(); }

/* fdio_forget: fd is about to be closed (the close hook, a FILE's close
 * in stdio.c): goroutines waiting on it wake with EBADF and the runtime
 * forgets its registration, unless that is not safe here. */
void fdio_forget(int fd)
{
	if (can_forget()) pd_forget(fd);
	else pd_flags_changed(); /* the number may come back unseen: forget every "blocking" */
}

int gort_hook_close(int fd)
{
	fdio_forget(fd);
	return (int)sret(rawsyscall(SYS_close, fd, 0, 0));
}

int gort_hook_dup3(int old, int fd, int flags, bool isdup2)
{
	if (isdup2 && old == fd) {
		/* dup2 onto itself only checks that old is open. */
		long r = rawsyscall(SYS_fcntl, old, F_GETFD, 0);
		return r < 0 ? (int)sret(r) : fd;
	}
	if (old != fd) fdio_forget(fd);
	return (int)sret(rawsyscall(SYS_dup3, old, fd, flags));
}

/* close_range and closefrom (glibc 2.34; musl has neither): every number
 * in the range is forgotten, as by the close hook (with
 * CLOSE_RANGE_CLOEXEC nothing is closed). */
int gort_hook_close_range(unsigned first, unsigned last, int flags)
{
	if (!(flags & CLOSE_RANGE_CLOEXEC_)) {
		if (can_forget()) pd_forget_range(first, last);
		else pd_flags_changed();
	}
	return (int)sret(rawsyscall(SYS_close_range_, first, last, flags));
}

/* The positional calls (pread, pwrite and their vector forms) work on
 * seekable descriptors only: regular files and block devices, which no
 * poller can wait for. A read the page cache can answer (RWF_NOWAIT) is
 * made at once; one that would wait for the disk goes to the blocking pool,
 * and so does a write beyond the few that run on their own threads
 * (blockpool.c). Pipes and sockets fail with ESPIPE at once, as always. */
ssize_t gort_hook_prwv(int fd, const struct iovec *iov, int n, off_t off, bool wr)
{
	long nr = wr ? SYS_pwritev : SYS_preadv;
	if (!hooks_active()) return sret(rawsyscall6(nr, fd, (long)iov, n, off, 0, 0));
	if (!wr) {
		long r = rawsyscall6(SYS_preadv2, fd, (long)iov, n, off, 0, RWF_NOWAIT);
		if (r != -EAGAIN && r != -EOPNOTSUPP) return sret(r);
		if (off < 0) return sret(rawsyscall6(nr, fd, (long)iov, n, off, 0, 0)); /* EINVAL */
		return sret(blockpool_syscall(nr, fd, (long)iov, n, off, 0, 0));
	}
	return sret(blockpool_direct(nr, fd, (long)iov, n, off, 0, 0));
}
ssize_t gort_hook_prw(int fd, void *buf, size_t n, off_t off, bool wr)
{
	if (!hooks_active()) return sret(rawsyscall6(wr ? SYS_pwrite64 : SYS_pread64, fd, (long)buf, n, off, 0, 0));
	struct iovec v = {buf, n};
	return gort_hook_prwv(fd, &v, 1, off, wr);
}
/* open and openat may wait for a slow file system (NFS), the disk (a cold
 * directory) or a FIFO's other end. First openat2 with RESOLVE_CACHED
 * (Linux 5.12), which answers from the dentry cache or says EAGAIN: the
 * usual open costs what the plain one does (a round trip through the pool
 * is about 27 us here, the plain open 0.5 us). On EAGAIN a lookup needs
 * the disk: the pool, so that goroutines opening files cost a bounded
 * number of threads (run on their own threads under entersyscall, each
 * open that blocked made sysmon start another M: 34 threads in
 * bench/noblock files). A create or truncate (which RESOLVE_CACHED always
 * refuses) runs as writes do. EINVAL (openat2 is stricter about flags than
 * openat) and ENOSYS: the plain call, as before. */
struct openhow {
	uint64_t flags, mode, resolve;
};
int gort_hook_openat(int dirfd, const char *path, int flags, mode_t mode)
{
	if (!hooks_active()) return (int)sret(rawsyscall6(SYS_openat, dirfd, (long)path, flags, mode, 0, 0));
	struct openhow how = {(uint64_t)(unsigned)flags, mode, 0x20 /* RESOLVE_CACHED */};
	if (!(flags & (O_CREAT | O_TRUNC)) && (flags & O_TMPFILE) != O_TMPFILE) {
		long r = rawsyscall6(437 /* SYS_openat2 */, dirfd, (long)path, (long)&how, sizeof how, 0, 0);
		if (r != -EAGAIN && r != -EINVAL && r != -ENOSYS && r != -E2BIG) return (int)sret(r);
		if (r == -EAGAIN) return (int)sret(blockpool_syscall(SYS_openat, dirfd, (long)path, flags, mode, 0, 0));
	}
	return (int)sret(blockpool_direct(SYS_openat, dirfd, (long)path, flags, mode, 0, 0));
}

/* fsync and fdatasync wait for the disk: always on the pool. */
int gort_hook_fsync(int fd, bool data)
{
	long nr = data ? SYS_fdatasync : SYS_fsync;
	if (!hooks_active()) return (int)sret(rawsyscall(nr, fd, 0, 0));
	return (int)sret(blockpool_syscall(nr, fd, 0, 0, 0, 0, 0));
}
/* fcntl and ioctl, in or out of a goroutine: the system call as the libcs
 * make it on x86-64, and netpoll.c told of a change of file status flags
 * after the call (pd_blocking: an F_GETFL that ran before it and saw
 * "blocking" is not trusted after). F_SETLKW may wait long: sysblock
 * hands the P off, as for any system call that blocks. */
int gort_hook_fcntl(int fd, int cmd, unsigned long arg)
{
	if (cmd == F_GETOWN) {
		struct f_owner_ex ex;
		long r = rawsyscall(SYS_fcntl, fd, F_GETOWN_EX, (long)&ex);
		if (r == -EINVAL) return (int)sret(rawsyscall(SYS_fcntl, fd, F_GETOWN, 0));
		if (r < 0) return (int)sret(r);
		return ex.type == F_OWNER_PGRP ? -ex.pid : ex.pid;
	}
	long r = rawsyscall(SYS_fcntl, fd, cmd, arg);
	if (cmd == F_SETFL && r >= 0) pd_flags_changed();
	return (int)sret(r);
}
int gort_hook_ioctl(int fd, unsigned long req, void *arg)
{
	long r = rawsyscall(SYS_ioctl, fd, (unsigned)req, (long)arg);
	if ((unsigned)req == FIONBIO && r >= 0) pd_flags_changed();
	return (int)sret(r);
}

ssize_t gort_hook_rw(int fd, void *buf, size_t n, bool wr)
{
	if (!hooks_active()) return sret(rawsyscall(wr ? SYS_write : SYS_read, fd, buf, n));
	struct iovec v = {buf, n};
	struct iowait st = {.intr = PDI_NORESTART, .hooked = true};
	return rwv(fd, &v, 1, wr, &st);
}

ssize_t gort_hook_sock(int fd, void *buf, size_t n, int flags, struct sockaddr *sa, socklen_t *salen,
		       const struct sockaddr *dst, socklen_t dstlen, bool wr)
{
	struct iowait st = {.intr = PDI_NORESTART, .hooked = true};
	return sockop(fd, buf, n, flags, sa, salen, dst, dstlen, wr, hooks_active() ? &st : NULL);
}

ssize_t gort_hook_msg(int fd, struct msghdr *m, int flags, bool wr)
{
	if (!hooks_active()) return sret(sock_raw(fd, m, flags, wr));
	struct iowait st = {.intr = PDI_NORESTART, .hooked = true};
	return sockmsg(fd, m, flags, wr, &st, false); /* recvmsg reports msg_flags: not batched */
}

int gort_hook_accept4(int fd, struct sockaddr *sa, socklen_t *salen, int flags)
{
	if (!hooks_active()) return (int)sret(rawsyscall6(SYS_accept4, fd, (long)sa, (long)salen, flags, 0, 0));
	struct iowait st = {.intr = PDI_NORESTART, .hooked = true};
	return accept_wait(fd, sa, salen, flags, &st);
}

int gort_hook_connect(int fd, const struct sockaddr *sa, socklen_t salen)
{
	if (!hooks_active()) return (int)sret(rawsyscall(SYS_connect, fd, sa, salen));
	struct iowait st = {.intr = PDI_NORESTART, .hooked = true};
	return connect_wait(fd, sa, salen, &st);
}

static bool badts(const struct timespec *ts)
{
	return ts->tv_sec < 0 || ts->tv_nsec < 0 || ts->tv_nsec >= 1000000000L;
}

int gort_hook_ppoll(struct pollfd *fds, nfds_t n, const struct timespec *ts, const sigset_t *mask)
{
	if (!hooks_active() || mask) {
		/* A signal mask for the wait is the thread's business: the
		 * system call itself, with the P handed off if it blocks. */
		struct timespec t, *tp = NULL;
		if (ts) t = *ts, tp = &t; /* the libc's ppoll does not write back */
		bool sys = hooks_active();
		if (sys) gort_entersyscall();
		long r = rawsyscall6(SYS_ppoll, (long)fds, n, (long)tp, (long)mask, mask ? 8 : 0, 0);
		if (sys) gort_exitsyscall();
		return (int)sret(r);
	}
	if (ts && badts(ts)) {
		errno = EINVAL;
		return -1;
	}
	int64_t dl = 0;
	if (ts) {
		int64_t ns = ts->tv_sec * 1000000000LL + ts->tv_nsec;
		if (ts->tv_sec > 100LL * 365 * 86400) ts = NULL; /* a century: no deadline */
		else dl = nanotime() + ns;
	}
	return pollwait(fds, n, dl, PDI_ANY, ts && ts->tv_sec == 0 && ts->tv_nsec == 0);
}

int gort_hook_poll(struct pollfd *fds, nfds_t n, int timeout_ms)
{
	if (!hooks_active_libc_ok()) return (int)sret(rawsyscall(SYS_poll, fds, n, timeout_ms));
	int64_t dl = timeout_ms > 0 ? nanotime() + timeout_ms * 1000000LL : 0;
	return pollwait(fds, n, dl, PDI_ANY, timeout_ms == 0);
}

/* ---- select, pselect, epoll_wait (issue #17 item 4) ----
 * select's descriptor sets become a pollfd array for pollwait and back:
 * readable is POLLIN, POLLHUP or POLLERR, writable POLLOUT or POLLERR,
 * exceptional POLLPRI, as the kernel's select decides; a descriptor that
 * is not open (POLLNVAL) fails the call with EBADF. Linux's select writes
 * the time left back into the timeval; so does this. A signal mask
 * (pselect's, epoll_pwait's) is the thread's business: the system call
 * itself with the P handed off, as ppoll. */

static int selectwait(int nfds, fd_set *rd, fd_set *wr, fd_set *ex, int64_t dl, bool zero)
{
	struct pollfd stackp[64], *p = stackp;
	int k = 0;
	for (int fd = 0; fd < nfds; fd++) {
		short ev = (rd && FD_ISSET(fd, rd) ? POLLIN : 0) | (wr && FD_ISSET(fd, wr) ? POLLOUT : 0) |
			   (ex && FD_ISSET(fd, ex) ? POLLPRI : 0);
		if (!ev) continue;
		if (p == stackp && k == 64) {
			p = malloc((size_t)nfds * sizeof *p);
			if (!p) {
				errno = ENOMEM;
				return -1;
			}
			memcpy(p, stackp, sizeof stackp);
		}
		p[k++] = (struct pollfd){fd, ev, 0};
	}
	int r = pollwait(p, (nfds_t)k, dl, PDI_ANY, zero);
	if (r > 0) {
		for (int i = 0; i < k; i++)
			if (p[i].revents & POLLNVAL) {
				errno = EBADF;
				r = -1;
				goto out;
			}
		if (rd) FD_ZERO(rd);
		if (wr) FD_ZERO(wr);
		if (ex) FD_ZERO(ex);
		r = 0;
		for (int i = 0; i < k; i++) {
			short re = p[i].revents, ev = p[i].events;
			if ((ev & POLLIN) && (re & (POLLIN | POLLHUP | POLLERR))) FD_SET(p[i].fd, rd), r++;
			if ((ev & POLLOUT) && (re & (POLLOUT | POLLERR))) FD_SET(p[i].fd, wr), r++;
			if ((ev & POLLPRI) && (re & POLLPRI)) FD_SET(p[i].fd, ex), r++;
		}
	} else if (r == 0) {
		if (rd) FD_ZERO(rd);
		if (wr) FD_ZERO(wr);
		if (ex) FD_ZERO(ex);
	}
out:
	if (p != stackp) free(p);
	return r;
}

/* deadline_of: the absolute deadline of a relative timeout (0: none, for a
 * century or more). */
static int64_t deadline_of(int64_t sec, int64_t nsec)
{
	if (sec > 100LL * 365 * 86400) return 0;
	return nanotime() + sec * 1000000000LL + nsec;
}

int gort_hook_select(int nfds, fd_set *rd, fd_set *wr, fd_set *ex, struct timeval *tv)
{
	if (!hooks_active() || nfds < 0 || nfds > FD_SETSIZE ||
	    (tv && (tv->tv_sec < 0 || tv->tv_usec < 0 || tv->tv_usec >= 1000000)))
		return (int)sret(rawsyscall6(SYS_select, nfds, (long)rd, (long)wr, (long)ex, (long)tv, 0));
	bool zero = tv && tv->tv_sec == 0 && tv->tv_usec == 0;
	int64_t dl = tv ? deadline_of(tv->tv_sec, tv->tv_usec * 1000LL) : 0;
	int r = selectwait(nfds, rd, wr, ex, dl, zero);
	if (tv && dl) { /* Linux writes back the time left */
		int64_t left = dl - nanotime();
		if (left < 0 || r == 0) left = 0;
		tv->tv_sec = left / 1000000000LL;
		tv->tv_usec = (left % 1000000000LL) / 1000;
	}
	return r;
}

int gort_hook_pselect(int nfds, fd_set *rd, fd_set *wr, fd_set *ex, const struct timespec *ts,
		      const sigset_t *mask)
{
	if (!hooks_active() || mask || nfds < 0 || nfds > FD_SETSIZE || (ts && badts(ts))) {
		struct timespec t, *tp = NULL;
		if (ts) t = *ts, tp = &t; /* the libc's pselect does not write back */
		struct { const sigset_t *ss; size_t len; } m = {mask, 8};
		bool sys = hooks_active();
		if (sys) gort_entersyscall();
		long r = rawsyscall6(SYS_pselect6, nfds, (long)rd, (long)wr, (long)ex, (long)tp, mask ? (long)&m : 0);
		if (sys) gort_exitsyscall();
		return (int)sret(r);
	}
	bool zero = ts && ts->tv_sec == 0 && ts->tv_nsec == 0;
	return selectwait(nfds, rd, wr, ex, ts ? deadline_of(ts->tv_sec, ts->tv_nsec) : 0, zero);
}

/* epoll_wait: the epoll descriptor is itself pollable (readable while it
 * has events), so the goroutine asks without waiting, then parks on the
 * epoll descriptor in gort's own poller and asks again when woken. */
int gort_hook_epoll_pwait(int epfd, struct epoll_event *ev, int max, int timeout_ms, const sigset_t *mask)
{
	if (!hooks_active() || mask || max <= 0) {
		bool sys = hooks_active() && timeout_ms != 0;
		if (sys) gort_entersyscall();
		long r = rawsyscall6(SYS_epoll_pwait, epfd, (long)ev, max, timeout_ms, (long)mask, 8);
		if (sys) gort_exitsyscall();
		return (int)sret(r);
	}
	long r = rawsyscall6(SYS_epoll_pwait, epfd, (long)ev, max, 0, 0, 8);
	if (r != 0 || timeout_ms == 0) return (int)sret(r);
	int64_t dl = timeout_ms > 0 ? nanotime() + timeout_ms * 1000000LL : 0;
	for (;;) {
		struct pollfd p = {epfd, POLLIN, 0};
		int w = pollwait(&p, 1, dl, PDI_ANY, false);
		if (w <= 0) return w; /* timed out, or EINTR */
		if (p.revents & POLLNVAL) {
			errno = EBADF;
			return -1;
		}
		r = rawsyscall6(SYS_epoll_pwait, epfd, (long)ev, max, 0, 0, 8);
		if (r != 0) return (int)sret(r);
		/* Another thread took the events: wait again. */
		if (dl && nanotime() >= dl) return 0;
	}
}
