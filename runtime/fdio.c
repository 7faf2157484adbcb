/* fdio.c: goroutine-aware I/O (Go's internal/poll): gort_read, gort_write,
 * gort_readv/writev, gort_recv/send/recvfrom/sendto, gort_accept,
 * gort_connect, gort_poll and gort_close, with the libc calls' return
 * values and errno, plus deadline variants that fail with ETIMEDOUT.
 *
 * Each call first tries the operation without blocking, then, if it would
 * block, parks the goroutine in the netpoller (netpoll.c) until the
 * descriptor is ready, and tries again. The thread is never blocked.
 *
 * The descriptor's blocking mode stays the user's:
 *   - reads and writes ask "do not block" per call (preadv2/pwritev2 with
 *     RWF_NOWAIT, MSG_DONTWAIT for the socket calls), leaving O_NONBLOCK
 *     untouched; on kernels without RWF_NOWAIT for a descriptor, a poll(2)
 *     with timeout 0 comes first;
 *   - when the operation would block, F_GETFL tells whether the user set
 *     O_NONBLOCK: then the call returns EAGAIN, exactly as the libc's;
 *   - a blocking write writes everything (looping over partial writes), as
 *     a blocking write(2) does; a write of up to PIPE_BUF bytes to a pipe
 *     stays atomic (RWF_NOWAIT never splits it);
 *   - accept4 and connect have no per-call flag: on a blocking socket,
 *     O_NONBLOCK is set for the duration of that one system call and
 *     restored right after. Another thread calling fcntl(F_GETFL) on the
 *     same socket in that window would see it (README, "I/O").
 * Regular files cannot be polled: their calls run under
 * entersyscall/exitsyscall, so the P is handed to another thread if they
 * block. Called outside a goroutine, every call is the plain libc call.
 * gort_close wakes the goroutines waiting on the descriptor with EBADF. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>
#include "netpoll.h"

#ifndef RWF_NOWAIT
#define RWF_NOWAIT 0x00000008
#endif

enum { NOTPOLLABLE = -1 };

static _Atomic bool no_rwf_nowait; /* kernel refused RWF_NOWAIT once */

/* would_block: the operation on fd returned EAGAIN. Returns 0 to retry
 * (the descriptor became ready), an errno value to fail with, or
 * NOTPOLLABLE if the descriptor cannot be waited for. */
static int would_block(int fd, int mode, int64_t deadline)
{
	int fl = fcntl(fd, F_GETFL);
	if (fl < 0) return errno;
	if (fl & O_NONBLOCK) return EAGAIN; /* the user asked for it */
	struct pollDesc *pd = pd_get(fd);
	if (!pd) return errno == EPERM ? NOTPOLLABLE : errno;
	return pd_wait(pd, mode, deadline);
}

/* nowait_rw does one vectored read or write that does not block. */
static ssize_t nowait_rw(int fd, const struct iovec *iov, int n, bool wr)
{
	if (!atomic_load_explicit(&no_rwf_nowait, memory_order_relaxed)) {
		/* Raw: musl has no preadv2 wrapper. Offset -1: the file position. */
		long r = rawsyscall6(wr ? SYS_pwritev2 : SYS_preadv2, fd, (long)iov, n, -1, 0, RWF_NOWAIT);
		if (r >= 0) return r;
		errno = -r;
		if (errno != EOPNOTSUPP && errno != EINVAL) return -1;
		if (errno == EOPNOTSUPP) atomic_store(&no_rwf_nowait, true);
		else return -1; /* EINVAL: a real error for this descriptor */
	}
	/* No RWF_NOWAIT here: ask poll first. */
	struct pollfd p = {fd, wr ? POLLOUT : POLLIN, 0};
	if (poll(&p, 1, 0) == 0) {
		errno = EAGAIN;
		return -1;
	}
	return wr ? writev(fd, iov, n) : readv(fd, iov, n);
}

static ssize_t blocking_rw(int fd, const struct iovec *iov, int n, bool wr)
{
	gort_entersyscall();
	ssize_t r = wr ? writev(fd, iov, n) : readv(fd, iov, n);
	int e = errno;
	gort_exitsyscall();
	errno = e;
	return r;
}

static size_t iovlen(const struct iovec *iov, int n)
{
	size_t t = 0;
	for (int i = 0; i < n; i++) t += iov[i].iov_len;
	return t;
}

/* rwv is read/readv/write/writev with an optional deadline. */
static ssize_t rwv(int fd, const struct iovec *iov0, int n, bool wr, int64_t deadline)
{
	if (!ingoroutine()) return wr ? writev(fd, iov0, n) : readv(fd, iov0, n);
	if (n < 0 || n > IOV_MAX) {
		errno = EINVAL;
		return -1;
	}
	struct iovec iovbuf[IOV_MAX > 64 ? 64 : IOV_MAX];
	struct iovec *iov = (struct iovec *)iov0;
	size_t want = wr ? iovlen(iov0, n) : 0, done = 0;
	for (;;) {
		ssize_t r = nowait_rw(fd, iov, n, wr);
		if (r >= 0) {
			done += r;
			if (!wr || done == want || r == 0) return done;
			/* A partial write on a blocking descriptor: go on with the
			 * rest, as a blocking write would. */
			if (n > (int)(sizeof iovbuf / sizeof iovbuf[0])) return done;
			if (iov != iovbuf) {
				for (int i = 0; i < n; i++) iovbuf[i] = iov0[i];
				iov = iovbuf;
			}
			size_t skip = r;
			while (n > 0 && skip >= iov->iov_len) skip -= iov->iov_len, iov++, n--;
			if (n > 0) {
				iov->iov_base = (char *)iov->iov_base + skip;
				iov->iov_len -= skip;
			}
			continue;
		}
		if (errno != EAGAIN) return done ? (ssize_t)done : -1;
		int e = would_block(fd, wr ? 'w' : 'r', deadline);
		if (e == NOTPOLLABLE) {
			r = blocking_rw(fd, iov, n, wr);
			return r < 0 ? (done ? (ssize_t)done : -1) : (ssize_t)(done + r);
		}
		if (e) {
			if (done) return done;
			errno = e;
			return -1;
		}
	}
}

ssize_t gort_read_deadline(int fd, void *buf, size_t n, int64_t deadline)
{
	struct iovec v = {buf, n};
	return rwv(fd, &v, 1, false, deadline);
}
ssize_t gort_write_deadline(int fd, const void *buf, size_t n, int64_t deadline)
{
	struct iovec v = {(void *)buf, n};
	return rwv(fd, &v, 1, true, deadline);
}
ssize_t gort_read(int fd, void *buf, size_t n) { return gort_read_deadline(fd, buf, n, 0); }
ssize_t gort_write(int fd, const void *buf, size_t n) { return gort_write_deadline(fd, buf, n, 0); }
ssize_t gort_readv(int fd, const struct iovec *iov, int n) { return rwv(fd, iov, n, false, 0); }
ssize_t gort_writev(int fd, const struct iovec *iov, int n) { return rwv(fd, iov, n, true, 0); }

/* ---- sockets ---- */

static ssize_t sockop(int fd, void *buf, size_t n, int flags, struct sockaddr *sa, socklen_t *salen,
		      const struct sockaddr *dst, socklen_t dstlen, bool wr, int64_t deadline)
{
	if (!ingoroutine() || (flags & MSG_DONTWAIT)) {
		return wr ? sendto(fd, buf, n, flags, dst, dstlen) : recvfrom(fd, buf, n, flags, sa, salen);
	}
	size_t done = 0;
	for (;;) {
		ssize_t r = wr ? sendto(fd, (char *)buf + done, n - done, flags | MSG_DONTWAIT, dst,
					dstlen)
			       : recvfrom(fd, buf, n, flags | MSG_DONTWAIT, sa, salen);
		if (r >= 0) {
			if (!wr) return r;
			done += r;
			int type = 0;
			socklen_t tl = sizeof type;
			/* A blocking stream socket sends everything. */
			if (done == n || getsockopt(fd, SOL_SOCKET, SO_TYPE, &type, &tl) != 0 ||
			    type != SOCK_STREAM)
				return done;
			continue;
		}
		if (errno != EAGAIN && errno != EWOULDBLOCK) return done ? (ssize_t)done : -1;
		int e = would_block(fd, wr ? 'w' : 'r', deadline);
		if (e) {
			if (done) return done;
			errno = e == NOTPOLLABLE ? EAGAIN : e;
			return -1;
		}
	}
}

ssize_t gort_recv(int fd, void *buf, size_t n, int flags)
{
	return sockop(fd, buf, n, flags, NULL, NULL, NULL, 0, false, 0);
}
ssize_t gort_send(int fd, const void *buf, size_t n, int flags)
{
	return sockop(fd, (void *)buf, n, flags, NULL, NULL, NULL, 0, true, 0);
}
ssize_t gort_recvfrom(int fd, void *buf, size_t n, int flags, struct sockaddr *sa, socklen_t *salen)
{
	return sockop(fd, buf, n, flags, sa, salen, NULL, 0, false, 0);
}
ssize_t gort_sendto(int fd, const void *buf, size_t n, int flags, const struct sockaddr *sa, socklen_t salen)
{
	return sockop(fd, (void *)buf, n, flags, NULL, NULL, sa, salen, true, 0);
}
ssize_t gort_recv_deadline(int fd, void *buf, size_t n, int flags, int64_t deadline)
{
	return sockop(fd, buf, n, flags, NULL, NULL, NULL, 0, false, deadline);
}
ssize_t gort_send_deadline(int fd, const void *buf, size_t n, int flags, int64_t deadline)
{
	return sockop(fd, (void *)buf, n, flags, NULL, NULL, NULL, 0, true, deadline);
}

/* setnb sets O_NONBLOCK on fd for one call if the user's descriptor is
 * blocking (*userblocking tells); returns the flags to restore, or -1. */
static int setnb(int fd, bool *userblocking)
{
	int fl = fcntl(fd, F_GETFL);
	if (fl < 0) return -1;
	*userblocking = !(fl & O_NONBLOCK);
	if (*userblocking && fcntl(fd, F_SETFL, fl | O_NONBLOCK) < 0) return -1;
	return fl;
}

static void restorefl(int fd, int fl, bool userblocking)
{
	int e = errno;
	if (userblocking) fcntl(fd, F_SETFL, fl);
	errno = e;
}

int gort_accept4_deadline(int fd, struct sockaddr *sa, socklen_t *salen, int flags, int64_t deadline)
{
	if (!ingoroutine()) return accept4(fd, sa, salen, flags);
	for (;;) {
		bool blocking;
		int fl = setnb(fd, &blocking);
		if (fl < 0) return -1;
		int r = accept4(fd, sa, salen, flags);
		restorefl(fd, fl, blocking);
		if (r >= 0 || (errno != EAGAIN && errno != EWOULDBLOCK)) return r;
		if (!blocking) return -1;
		struct pollDesc *pd = pd_get(fd);
		if (!pd) return -1;
		int e = pd_wait(pd, 'r', deadline);
		if (e) {
			errno = e;
			return -1;
		}
	}
}

int gort_accept(int fd, struct sockaddr *sa, socklen_t *salen)
{
	return gort_accept4_deadline(fd, sa, salen, 0, 0);
}

int gort_connect_deadline(int fd, const struct sockaddr *sa, socklen_t salen, int64_t deadline)
{
	if (!ingoroutine()) return connect(fd, sa, salen);
	bool blocking;
	int fl = setnb(fd, &blocking);
	if (fl < 0) return -1;
	int r = connect(fd, sa, salen);
	restorefl(fd, fl, blocking);
	if (r == 0 || !blocking || (errno != EINPROGRESS && errno != EAGAIN)) return r;
	/* In progress: wait until writable, then read the outcome. */
	struct pollDesc *pd = pd_get(fd);
	if (!pd) return -1;
	int e = pd_wait(pd, 'w', deadline);
	if (e) {
		errno = e;
		return -1;
	}
	int soerr = 0;
	socklen_t l = sizeof soerr;
	if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &soerr, &l) < 0) return -1;
	if (soerr) {
		errno = soerr;
		return -1;
	}
	return 0;
}

int gort_connect(int fd, const struct sockaddr *sa, socklen_t salen)
{
	return gort_connect_deadline(fd, sa, salen, 0);
}

/* gort_poll waits until fd has one of events (POLLIN, POLLOUT), at most
 * timeout_ns (< 0: no limit). Returns poll(2)'s revents, 0 on timeout, or
 * -1 with errno. */
int gort_poll(int fd, short events, int64_t timeout_ns)
{
	struct pollfd p = {fd, events, 0};
	int r = poll(&p, 1, 0);
	if (r != 0) return r < 0 ? -1 : p.revents;
	if (timeout_ns == 0) return 0;
	if (!ingoroutine()) {
		int ms = timeout_ns < 0 ? -1 : (int)((timeout_ns + 999999) / 1000000);
		r = poll(&p, 1, ms);
		return r <= 0 ? r : p.revents;
	}
	struct pollDesc *pd = pd_get(fd);
	if (!pd) {
		/* Not pollable by epoll (a regular file): always ready, as poll(2) says. */
		return (events & (POLLIN | POLLOUT));
	}
	int64_t deadline = timeout_ns < 0 ? 0 : nanotime() + timeout_ns;
	for (;;) {
		int e = pd_waitmodes(pd, events & POLLIN, events & POLLOUT, deadline);
		if (e == ETIMEDOUT) return 0;
		if (e) {
			errno = e;
			return -1;
		}
		p.revents = 0;
		r = poll(&p, 1, 0);
		if (r != 0) return r < 0 ? -1 : p.revents;
		/* Woken by a stale edge: wait again. */
	}
}

int gort_close(int fd)
{
	pd_forget(fd);
	return close(fd);
}
