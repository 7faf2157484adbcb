/* calls: every hooked libc call, in a goroutine at GOMAXPROCS=1, checked
 * for two things (test/hooks/t_hooks.c):
 *   - it parks only the goroutine: a ticker goroutine keeps running while
 *     the call waits (the waits are ended by a plain pthread, so that the
 *     same program also shows the opposite with the hooks off);
 *   - it behaves as the libc's: return values, errno, EAGAIN, EINTR,
 *     SO_RCVTIMEO, EINPROGRESS, EOF, EPIPE, partial reads...
 * Prints one line per check: "<name> ok" or "<name> FAIL: why".
 *
 *   calls progress   the waits (ticks while each call blocks)
 *   calls semantics  the libc's behaviour
 *   calls outside    the calls before the scheduler and in a signal handler
 *   calls stdio      stdio's reads park the goroutine (runtime/stdio.c); with
 *                    GODEBUG=gorthooks=0 sysblock.c takes the P of their
 *                    blocked read
 *   calls batch      socket reads and writes of a busy P gathered into one
 *                    io_uring_enter (runtime/iobatch.c): the data through
 *                    read/write, recv/send and readv/writev, EBADF for a
 *                    descriptor closed while its read waited in the batch,
 *                    SIGPIPE (none with MSG_NOSIGNAL), a fork child,
 *                    GOMAXPROCS changes; prints how many calls went
 *                    through rings */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <dirent.h>
#include <sys/ioctl.h>
#include <sys/select.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <gort.h>

static _Atomic long ticks;
static _Atomic int stopticker;
static int failures;

static void ticker(void *arg)
{
	(void)arg;
	while (!stopticker) {
		gort_sleep(1000000);
		ticks++;
	}
}

#define CHECK(name, cond, ...)                                                                   \
	do {                                                                                     \
		if (cond) printf("%s ok\n", name);                                               \
		else {                                                                           \
			printf("%s FAIL: ", name);                                               \
			printf(__VA_ARGS__);                                                     \
			printf("\n");                                                            \
			failures++;                                                              \
		}                                                                                \
	} while (0)

/* ---- a plain thread that acts after a delay ---- */
struct later {
	int ms;
	void (*fn)(void *);
	void *arg;
};
static void *later_main(void *a)
{
	struct later *l = a;
	struct timespec ts = {l->ms / 1000, (l->ms % 1000) * 1000000L};
	/* This thread is not a goroutine: the hooked nanosleep is the plain one. */
	nanosleep(&ts, NULL);
	l->fn(l->arg);
	free(l);
	return NULL;
}
static pthread_t pending[64];
static int npending;
static void after(int ms, void (*fn)(void *), void *arg)
{
	struct later *l = malloc(sizeof *l);
	*l = (struct later){ms, fn, arg};
	pthread_create(&pending[npending++], NULL, later_main, l);
}
/* settle: the helpers are done (a drain still running would empty the
 * next check's full pipe before its call could block). */
static void settle(void)
{
	while (npending) pthread_join(pending[--npending], NULL);
}
static void write1(void *fdp) { (void)!write((int)(long)fdp, "x", 1); }
static void drain(void *fdp)
{
	char b[65536];
	int fd = (int)(long)fdp;
	int fl = fcntl(fd, F_GETFL);
	fcntl(fd, F_SETFL, fl | O_NONBLOCK);
	while (read(fd, b, sizeof b) > 0)
		;
	fcntl(fd, F_SETFL, fl);
}
/* readbig: read 300,000 bytes, blocking (a plain thread). */
static _Atomic int bigdone;
static void readbig(void *fdp)
{
	static char b[65536];
	long left = 300000;
	while (left > 0) {
		ssize_t n = read((int)(long)fdp, b, left < (long)sizeof b ? left : (long)sizeof b);
		if (n <= 0) break;
		left -= n;
	}
	bigdone = 1;
}
static void connectto(void *portp)
{
	int s = socket(AF_INET, SOCK_STREAM, 0);
	struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((int)(long)portp),
				.sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	connect(s, (struct sockaddr *)&a, sizeof a);
	/* left open: the accepting side checks it got a connection */
}
static void sendudp(void *portp)
{
	int s = socket(AF_INET, SOCK_DGRAM, 0);
	struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((int)(long)portp),
				.sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	sendto(s, "udp", 3, 0, (struct sockaddr *)&a, sizeof a);
	close(s);
}

static int fillpipe(int fd)
{
	int fl = fcntl(fd, F_GETFL);
	fcntl(fd, F_SETFL, fl | O_NONBLOCK);
	char b[4096] = {0};
	while (write(fd, b, sizeof b) > 0)
		;
	fcntl(fd, F_SETFL, fl);
	return 0;
}

static int listener(int *port)
{
	int s = socket(AF_INET, SOCK_STREAM, 0);
	struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	socklen_t l = sizeof a;
	bind(s, (struct sockaddr *)&a, sizeof a);
	listen(s, 16);
	getsockname(s, (struct sockaddr *)&a, &l);
	*port = ntohs(a.sin_port);
	return s;
}

static int udpsock(int *port)
{
	int s = socket(AF_INET, SOCK_DGRAM, 0);
	struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	socklen_t l = sizeof a;
	bind(s, (struct sockaddr *)&a, sizeof a);
	getsockname(s, (struct sockaddr *)&a, &l);
	*port = ntohs(a.sin_port);
	return s;
}

/* ---- progress: each call waits ~150 ms; the ticker must run meanwhile ---- */
#define WAITMS 150
static long t0;
static void begin(void) { t0 = ticks; }
static void end(const char *name, long r, long want)
{
	long n = ticks - t0;
	settle();
	/* 1 ms ticks over 150 ms: at least 30 even on a loaded machine, and 0
	 * when the thread is blocked (GOMAXPROCS=1: nobody else runs them). */
	char what[64];
	snprintf(what, sizeof what, "%s", name);
	CHECK(what, r == want && n >= 30, "result %ld (want %ld), %ld ticks while it waited", r, want, n);
}

static void progress(void)
{
	int p[2], sv[2], port;
	char b[8];

	pipe(p);
	after(WAITMS, write1, (void *)(long)p[1]);
	begin();
	end("read", read(p[0], b, sizeof b), 1);

	struct iovec iv = {b, sizeof b};
	after(WAITMS, write1, (void *)(long)p[1]);
	begin();
	end("readv", readv(p[0], &iv, 1), 1);

	fillpipe(p[1]);
	after(WAITMS, drain, (void *)(long)p[0]);
	begin();
	end("write", write(p[1], "abc", 3), 3);
	drain((void *)(long)p[0]);

	fillpipe(p[1]);
	after(WAITMS, drain, (void *)(long)p[0]);
	struct iovec wv[2] = {{"ab", 2}, {"cd", 2}};
	begin();
	end("writev", writev(p[1], wv, 2), 4);
	close(p[0]);
	close(p[1]);

	socketpair(AF_UNIX, SOCK_STREAM, 0, sv);
	after(WAITMS, write1, (void *)(long)sv[1]);
	begin();
	end("recv", recv(sv[0], b, sizeof b, 0), 1);

	after(WAITMS, write1, (void *)(long)sv[1]);
	begin();
	end("recvfrom", recvfrom(sv[0], b, sizeof b, 0, NULL, NULL), 1);

	after(WAITMS, write1, (void *)(long)sv[1]);
	struct msghdr mh = {.msg_iov = &iv, .msg_iovlen = 1};
	begin();
	end("recvmsg", recvmsg(sv[0], &mh, 0), 1);

	/* Fill the socket: send until it would block, then let a thread drain. */
	int fl = fcntl(sv[0], F_GETFL);
	fcntl(sv[0], F_SETFL, fl | O_NONBLOCK);
	static char big[1 << 16];
	while (send(sv[0], big, sizeof big, 0) > 0)
		;
	fcntl(sv[0], F_SETFL, fl);
	after(WAITMS, drain, (void *)(long)sv[1]);
	begin();
	end("send", send(sv[0], "abc", 3, 0), 3);
	drain((void *)(long)sv[1]);

	fcntl(sv[0], F_SETFL, fl | O_NONBLOCK);
	while (send(sv[0], big, sizeof big, 0) > 0)
		;
	fcntl(sv[0], F_SETFL, fl);
	after(WAITMS, drain, (void *)(long)sv[1]);
	begin();
	end("sendto", sendto(sv[0], "abc", 3, 0, NULL, 0), 3);
	drain((void *)(long)sv[1]);

	fcntl(sv[0], F_SETFL, fl | O_NONBLOCK);
	while (send(sv[0], big, sizeof big, 0) > 0)
		;
	fcntl(sv[0], F_SETFL, fl);
	after(WAITMS, drain, (void *)(long)sv[1]);
	struct iovec sv2 = {"abc", 3};
	struct msghdr smh = {.msg_iov = &sv2, .msg_iovlen = 1};
	begin();
	end("sendmsg", sendmsg(sv[0], &smh, 0), 3);
	drain((void *)(long)sv[1]);

	int ls = listener(&port);
	after(WAITMS, connectto, (void *)(long)port);
	begin();
	int a = accept(ls, NULL, NULL);
	end("accept", a >= 0, 1);
	close(a);
	after(WAITMS, connectto, (void *)(long)port);
	begin();
	a = accept4(ls, NULL, NULL, SOCK_CLOEXEC);
	end("accept4", a >= 0 && (fcntl(a, F_GETFD) & FD_CLOEXEC), 1);
	close(a);
	close(ls);

	/* connect: the handshake on loopback is immediate; what matters is
	 * that the result is the libc's (semantics), and that it works. */
	ls = listener(&port);
	int c = socket(AF_INET, SOCK_STREAM, 0);
	struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons(port),
				 .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	CHECK("connect", connect(c, (struct sockaddr *)&sa, sizeof sa) == 0, "errno %d", errno);
	close(c);
	close(ls);

	int us = udpsock(&port);
	after(WAITMS, sendudp, (void *)(long)port);
	struct sockaddr_in from;
	socklen_t fl2 = sizeof from;
	begin();
	end("recvfrom-udp", recvfrom(us, b, sizeof b, 0, (struct sockaddr *)&from, &fl2), 3);
	close(us);

	struct pollfd pf[2];
	int q[2];
	pipe(q);
	pf[0] = (struct pollfd){sv[0], POLLIN, 0};
	pf[1] = (struct pollfd){q[0], POLLIN, 0};
	after(WAITMS, write1, (void *)(long)q[1]);
	begin();
	int pr = poll(pf, 2, -1);
	end("poll", pr == 1 && pf[1].revents == POLLIN && pf[0].revents == 0, 1);
	read(q[0], b, 1);

	after(WAITMS, write1, (void *)(long)q[1]);
	struct timespec ten = {10, 0};
	begin();
	pr = ppoll(pf, 2, &ten, NULL);
	end("ppoll", pr == 1 && pf[1].revents == POLLIN, 1);
	read(q[0], b, 1);

	begin();
	end("poll-timeout", poll(pf, 2, WAITMS), 0);

	/* select, pselect, epoll_wait (issue #17 item 4). */
	fd_set rs;
	FD_ZERO(&rs);
	FD_SET(sv[0], &rs);
	FD_SET(q[0], &rs);
	after(WAITMS, write1, (void *)(long)q[1]);
	begin();
	int sr = select((q[0] > sv[0] ? q[0] : sv[0]) + 1, &rs, NULL, NULL, NULL);
	end("select", sr == 1 && FD_ISSET(q[0], &rs) && !FD_ISSET(sv[0], &rs), 1);
	read(q[0], b, 1);

	FD_ZERO(&rs);
	FD_SET(q[0], &rs);
	after(WAITMS, write1, (void *)(long)q[1]);
	begin();
	sr = pselect(q[0] + 1, &rs, NULL, NULL, &ten, NULL);
	end("pselect", sr == 1 && FD_ISSET(q[0], &rs), 1);
	read(q[0], b, 1);

	int ep = epoll_create1(EPOLL_CLOEXEC);
	struct epoll_event ee = {.events = EPOLLIN, .data.fd = q[0]}, got[4];
	epoll_ctl(ep, EPOLL_CTL_ADD, q[0], &ee);
	after(WAITMS, write1, (void *)(long)q[1]);
	begin();
	int er = epoll_wait(ep, got, 4, -1);
	end("epoll_wait", er == 1 && got[0].data.fd == q[0] && (got[0].events & EPOLLIN), 1);
	read(q[0], b, 1);
	begin();
	end("epoll_wait-timeout", epoll_wait(ep, got, 4, WAITMS), 0);
	close(ep);

	FD_ZERO(&rs);
	FD_SET(q[0], &rs);
	struct timeval tv = {0, WAITMS * 1000};
	begin();
	sr = select(q[0] + 1, &rs, NULL, NULL, &tv);
	end("select-timeout", sr == 0 && !FD_ISSET(q[0], &rs) && tv.tv_sec == 0 && tv.tv_usec == 0, 1);
	int dead[2];
	pipe(dead);
	close(dead[0]);
	FD_ZERO(&rs);
	FD_SET(dead[0], &rs);
	struct timeval z = {0, 0};
	errno = 0;
	sr = select(dead[0] + 1, &rs, NULL, NULL, &z);
	CHECK("select-ebadf", sr == -1 && errno == EBADF, "result %d errno %d", sr, errno);
	close(dead[1]);

	begin();
	end("usleep", usleep(WAITMS * 1000), 0);
	struct timespec ts = {0, WAITMS * 1000000L};
	begin();
	end("nanosleep", nanosleep(&ts, NULL), 0);
	begin();
	end("clock_nanosleep", clock_nanosleep(CLOCK_MONOTONIC, 0, &ts, NULL), 0);
	struct timespec now;
	clock_gettime(CLOCK_MONOTONIC, &now);
	now.tv_nsec += WAITMS * 1000000L;
	if (now.tv_nsec >= 1000000000L) now.tv_sec++, now.tv_nsec -= 1000000000L;
	begin();
	end("clock_nanosleep-abs", clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &now, NULL), 0);
	begin();
	settle();
	long s = sleep(1);
	long n = ticks - t0;
	CHECK("sleep", s == 0 && n >= 200, "result %ld, %ld ticks", s, n);
	close(sv[0]);
	close(sv[1]);
	close(q[0]);
	close(q[1]);
}

/* ---- semantics ---- */
static _Atomic int caught;
static void onalrm(int sig) { (void)sig; caught++; }

static void alarm_in(int ms)
{
	struct itimerval it = {{0, 0}, {ms / 1000, (ms % 1000) * 1000}};
	setitimer(ITIMER_REAL, &it, NULL);
}

static void handler(int flags)
{
	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = onalrm;
	sa.sa_flags = flags;
	sigaction(SIGALRM, &sa, NULL);
}

static void semantics(void)
{
	int p[2], sv[2], port;
	char b[100];
	ssize_t r;

	pipe(p);
	/* EAGAIN on a descriptor the program made non-blocking */
	fcntl(p[0], F_SETFL, O_NONBLOCK);
	errno = 0;
	r = read(p[0], b, sizeof b);
	CHECK("eagain-read", r == -1 && errno == EAGAIN, "r=%zd errno=%d", r, errno);
	CHECK("flags-untouched", fcntl(p[0], F_GETFL) & O_NONBLOCK, "O_NONBLOCK lost");
	fcntl(p[0], F_SETFL, 0);
	CHECK("flags-untouched-blocking", !(fcntl(p[0], F_GETFL) & O_NONBLOCK), "O_NONBLOCK appeared");
	fcntl(p[1], F_SETFL, O_NONBLOCK);
	fillpipe(p[1]);
	errno = 0;
	r = write(p[1], "x", 1);
	CHECK("eagain-write", r == -1 && errno == EAGAIN, "r=%zd errno=%d", r, errno);
	fcntl(p[1], F_SETFL, 0);
	drain((void *)(long)p[0]);

	/* partial read: 10 bytes there, 100 asked */
	write(p[1], "0123456789", 10);
	r = read(p[0], b, sizeof b);
	CHECK("partial-read", r == 10 && memcmp(b, "0123456789", 10) == 0, "r=%zd", r);
	/* a length the compiler cannot see (with _FORTIFY_SOURCE: __read_chk) */
	volatile size_t len = sizeof b;
	write(p[1], "abc", 3);
	r = read(p[0], b, len);
	CHECK("read-runtime-length", r == 3 && memcmp(b, "abc", 3) == 0, "r=%zd", r);

	/* a blocking write larger than the pipe writes everything */
	static char big[300000];
	memset(big, 'z', sizeof big);
	after(50, readbig, (void *)(long)p[0]);
	r = write(p[1], big, sizeof big);
	while (!bigdone) gort_sleep(1000000); /* the pipe is empty again */
	CHECK("write-all", r == (ssize_t)sizeof big, "r=%zd", r);

	/* EINTR: a handler without SA_RESTART interrupts read */
	handler(0);
	caught = 0;
	alarm_in(100);
	errno = 0;
	r = read(p[0], b, sizeof b);
	CHECK("eintr-read", r == -1 && errno == EINTR && caught == 1, "r=%zd errno=%d caught=%d", r, errno, caught);
	/* ... and with SA_RESTART the read goes on until data comes */
	handler(SA_RESTART);
	caught = 0;
	alarm_in(50);
	after(200, write1, (void *)(long)p[1]);
	r = read(p[0], b, sizeof b);
	CHECK("restart-read", r == 1 && caught == 1, "r=%zd errno=%d caught=%d", r, errno, caught);
	/* sleeps and poll are never restarted (signal(7)) */
	caught = 0;
	alarm_in(50);
	struct timespec req = {5, 0}, rem = {0, 0};
	errno = 0;
	int ir = nanosleep(&req, &rem);
	CHECK("eintr-nanosleep", ir == -1 && errno == EINTR && rem.tv_sec >= 3 && rem.tv_sec < 5 && caught == 1,
	      "r=%d errno=%d rem=%ld caught=%d", ir, errno, (long)rem.tv_sec, caught);
	caught = 0;
	alarm_in(50);
	unsigned left = sleep(5);
	CHECK("eintr-sleep", left >= 3 && left <= 5 && caught == 1, "left=%u caught=%d", left, caught);
	caught = 0;
	alarm_in(50);
	errno = 0;
	ir = usleep(5000000);
	CHECK("eintr-usleep", ir == -1 && errno == EINTR, "r=%d errno=%d", ir, errno);
	caught = 0;
	alarm_in(50);
	ir = clock_nanosleep(CLOCK_MONOTONIC, 0, &req, &rem);
	CHECK("eintr-clock_nanosleep", ir == EINTR && rem.tv_sec >= 3, "r=%d rem=%ld", ir, (long)rem.tv_sec);
	caught = 0;
	alarm_in(50);
	struct pollfd pf = {p[0], POLLIN, 0};
	errno = 0;
	ir = poll(&pf, 1, 5000);
	CHECK("eintr-poll", ir == -1 && errno == EINTR, "r=%d errno=%d", ir, errno);
	signal(SIGALRM, SIG_DFL);
	struct sigaction cur;
	sigaction(SIGALRM, NULL, &cur);
	CHECK("sigaction-query", cur.sa_handler == SIG_DFL, "handler %p", (void *)cur.sa_handler);
	handler(SA_RESTART);
	sigaction(SIGALRM, NULL, &cur);
	CHECK("sigaction-query-program", cur.sa_handler == onalrm && (cur.sa_flags & SA_RESTART),
	      "handler %p flags %#x", (void *)cur.sa_handler, cur.sa_flags);
	signal(SIGALRM, SIG_DFL);

	/* EOF */
	close(p[1]);
	r = read(p[0], b, sizeof b);
	CHECK("eof", r == 0, "r=%zd", r);
	close(p[0]);

	/* EPIPE, with SIGPIPE ignored */
	signal(SIGPIPE, SIG_IGN);
	pipe(p);
	close(p[0]);
	errno = 0;
	r = write(p[1], "x", 1);
	CHECK("epipe-write", r == -1 && errno == EPIPE, "r=%zd errno=%d", r, errno);
	close(p[1]);
	socketpair(AF_UNIX, SOCK_STREAM, 0, sv);
	close(sv[1]);
	errno = 0;
	r = send(sv[0], "x", 1, 0);
	CHECK("epipe-send", r == -1 && errno == EPIPE, "r=%zd errno=%d", r, errno);
	close(sv[0]);

	/* SO_RCVTIMEO / SO_SNDTIMEO */
	socketpair(AF_UNIX, SOCK_STREAM, 0, sv);
	struct timeval tv = {0, 100000};
	setsockopt(sv[0], SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
	int64_t t = gort_nanotime();
	errno = 0;
	r = recv(sv[0], b, sizeof b, 0);
	int64_t el = gort_nanotime() - t;
	CHECK("so_rcvtimeo-recv", r == -1 && errno == EAGAIN && el >= 90000000 && el < 2000000000,
	      "r=%zd errno=%d after %lld ms", r, errno, (long long)(el / 1000000));
	errno = 0;
	r = read(sv[0], b, sizeof b);
	CHECK("so_rcvtimeo-read", r == -1 && errno == EAGAIN, "r=%zd errno=%d", r, errno);
	setsockopt(sv[0], SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
	static char blk[1 << 16];
	ssize_t total = 0;
	errno = 0;
	while ((r = send(sv[0], blk, sizeof blk, 0)) > 0) total += r;
	CHECK("so_sndtimeo-send", r == -1 && errno == EAGAIN && total > 0, "r=%zd errno=%d total=%zd", r, errno, total);
	close(sv[0]);
	close(sv[1]);

	/* connect: EINPROGRESS on a non-blocking socket, ECONNREFUSED blocking */
	int ls = listener(&port);
	int c = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
	struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons(port),
				 .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	errno = 0;
	ir = connect(c, (struct sockaddr *)&sa, sizeof sa);
	CHECK("einprogress", ir == -1 && errno == EINPROGRESS, "r=%d errno=%d", ir, errno);
	close(c);
	close(ls);
	c = socket(AF_INET, SOCK_STREAM, 0);
	errno = 0;
	ir = connect(c, (struct sockaddr *)&sa, sizeof sa); /* nobody listens any more */
	CHECK("econnrefused", ir == -1 && errno == ECONNREFUSED, "r=%d errno=%d", ir, errno);
	CHECK("connect-flags-untouched", !(fcntl(c, F_GETFL) & O_NONBLOCK), "O_NONBLOCK left on");
	close(c);

	/* accept on a non-blocking listener: EAGAIN */
	ls = listener(&port);
	fcntl(ls, F_SETFL, O_NONBLOCK);
	errno = 0;
	ir = accept(ls, NULL, NULL);
	CHECK("eagain-accept", ir == -1 && errno == EAGAIN, "r=%d errno=%d", ir, errno);
	close(ls);

	/* recv with MSG_DONTWAIT stays non-blocking; MSG_WAITALL waits for all */
	socketpair(AF_UNIX, SOCK_STREAM, 0, sv);
	errno = 0;
	r = recv(sv[0], b, 4, MSG_DONTWAIT);
	CHECK("msg_dontwait", r == -1 && errno == EAGAIN, "r=%zd errno=%d", r, errno);
	write(sv[1], "ab", 2);
	after(50, write1, (void *)(long)sv[1]);
	after(100, write1, (void *)(long)sv[1]);
	r = recv(sv[0], b, 4, MSG_WAITALL);
	CHECK("msg_waitall", r == 4, "r=%zd", r);
	close(sv[0]);
	close(sv[1]);

	/* bad arguments are the kernel's answers */
	errno = 0;
	r = read(-1, b, 1);
	CHECK("ebadf", r == -1 && errno == EBADF, "r=%zd errno=%d", r, errno);
	struct timespec bad = {0, 2000000000L};
	errno = 0;
	ir = nanosleep(&bad, NULL);
	CHECK("einval-nanosleep", ir == -1 && errno == EINVAL, "r=%d errno=%d", ir, errno);

	/* a regular file: read under entersyscall, right content */
	FILE *f = tmpfile();
	fputs("regular", f);
	fflush(f);
	int fd = fileno(f);
	lseek(fd, 0, SEEK_SET);
	r = read(fd, b, sizeof b);
	CHECK("regular-file", r == 7 && memcmp(b, "regular", 7) == 0, "r=%zd", r);
	fclose(f);
}

/* ---- outside a goroutine ---- */
static int ctorpipe[2];
static long ctor_read = -2, ctor_sleep = -2;
__attribute__((constructor)) static void early(void)
{
	/* Before the scheduler: the plain calls. */
	pipe(ctorpipe);
	write(ctorpipe[1], "c", 1);
	char c;
	ctor_read = read(ctorpipe[0], &c, 1);
	ctor_sleep = usleep(1000);
}
static int sigpipefd[2];
static void onusr1(int sig)
{
	(void)sig;
	/* In a handler: the plain write (it must not park the goroutine it
	 * interrupted). */
	write(sigpipefd[1], "h", 1);
}
static void outside(void)
{
	CHECK("constructor", ctor_read == 1 && ctor_sleep == 0, "read %ld usleep %ld", ctor_read, ctor_sleep);
	pipe(sigpipefd);
	signal(SIGUSR1, onusr1);
	raise(SIGUSR1);
	char c = 0;
	ssize_t r = read(sigpipefd[0], &c, 1);
	CHECK("in-handler", r == 1 && c == 'h', "r=%zd", r);
	/* a thread gort did not create */
	int p[2];
	pipe(p);
	after(50, write1, (void *)(long)p[1]);
	char b;
	CHECK("plain-thread-helper", read(p[0], &b, 1) == 1, "read failed");
	/* Between gort_entersyscall and gort_exitsyscall the program asked
	 * for the thread to block: the plain read, while sysmon hands the P
	 * to another thread (the ticker goes on). */
	after(150, write1, (void *)(long)p[1]);
	begin();
	gort_entersyscall();
	ssize_t n = read(p[0], &b, 1);
	gort_exitsyscall();
	long t = ticks - t0;
	settle();
	CHECK("in-entersyscall", n == 1 && t >= 30, "read %zd, %ld ticks", n, t);
}

/* ---- stdio's reads park only the goroutine (runtime/stdio.c), even
 * with GODEBUG=sysblockoff=1; with GODEBUG=gorthooks=0 they are the libc's
 * own system calls: the blocked read loses its P (sysblock.c), so the
 * ticker runs, unless sysblockoff=1 too (then the thread holds the only
 * P) ---- */
static void stdio_reads(void)
{
	int p[2];
	pipe(p);
	FILE *f = fdopen(p[0], "r");
	after(WAITMS, write1, (void *)(long)p[1]);
	begin();
	int c = fgetc(f);
	long n = ticks - t0;
	const char *dbg = getenv("GODEBUG") ? getenv("GODEBUG") : "";
	if (strstr(dbg, "gorthooks=0") && strstr(dbg, "sysblockoff=1")) {
		/* The thread holds the only P while blocked: no ticks. */
		CHECK("stdio-blocks-thread", c == 'x' && n <= 2, "c=%d ticks=%ld", c, n);
	} else if (strstr(dbg, "gorthooks=0")) {
		/* The read lost its P after 1-10 ms (more on a loaded machine). */
		CHECK("stdio-leaves-the-p", c == 'x' && n >= 30, "c=%d ticks=%ld", c, n);
	} else {
		CHECK("stdio-parks-the-goroutine", c == 'x' && n >= 30, "c=%d ticks=%ld", c, n);
	}
	fclose(f);
	close(p[1]);
}

/* ---- descriptor numbers that end and come back ----
 * close (or dup2 onto it) ends what a number refers to; a descriptor that
 * gets the number next must still wake the goroutines that wait on it. With
 * the hooks, close/dup2 tell the runtime; without them (the nohooks build)
 * the runtime re-arms its epoll registration at every wait. */
static _Atomic int reuse_done, reuse_got;
static void reuse_reader(void *fdp)
{
	char c = 0;
	ssize_t r = gort_read((int)(long)fdp, &c, 1);
	reuse_got = r == 1 && c == 'x';
	reuse_done = 1;
}
static void closer(void *fdp)
{
	gort_sleep(50000000);
	close((int)(long)fdp);
}
/* registered_pipe: a pipe whose read end the runtime has registered (a
 * goroutine waited on it). */
static int registered_pipe(int p[2])
{
	char c;
	(void)!pipe(p);
	after(30, write1, (void *)(long)p[1]);
	ssize_t r = gort_read(p[0], &c, 1);
	settle();
	return r == 1;
}

/* wait_at(num, ms): a new pipe whose read end is number num; a goroutine
 * reads it, a byte is written 30 ms later: whether the read got it within
 * ms milliseconds. */
static int wait_at(int num, int ms)
{
	int q[2];
	reuse_done = reuse_got = 0;
	(void)!pipe(q);
	/* num may be the write end's: the first pipe got higher numbers when
	 * sysmon had a /proc file open (sysblock.c), and dup2 onto it would
	 * close the only writer (the read then saw end of file). */
	if (q[1] == num) {
		int w = dup(q[1]);
		close(q[1]);
		q[1] = w;
	}
	if (q[0] != num) {
		dup2(q[0], num);
		close(q[0]);
		q[0] = num;
	}
	after(30, write1, (void *)(long)q[1]);
	gort_go(reuse_reader, (void *)(long)q[0]);
	for (int i = 0; i < ms / 10 && !reuse_done; i++) gort_sleep(10000000);
	settle();
	close(q[0]);
	close(q[1]);
	return reuse_done && reuse_got;
}

static void reuse(void)
{
	int p[2];
	int ok = registered_pipe(p);
	CHECK("reuse-first-read", ok, "errno=%d", errno);
	close(p[0]);
	close(p[1]);
	ok = wait_at(p[0], 3000);
	CHECK("reuse-same-number", ok, "done=%d got=%d (a wait on the reused number was never woken)", (int)reuse_done,
	      (int)reuse_got);

	/* The libc closes it (fclose calls the system call itself: no hook
	 * sees it). sysmon re-arms a registration that has had waiters for
	 * 1 s (netpoll_rearm_stale), so the wait ends within a few seconds. */
	registered_pipe(p);
	fclose(fdopen(p[0], "r"));
	close(p[1]);
	ok = wait_at(p[0], 6000);
	CHECK("reuse-after-fclose", ok, "done=%d got=%d after 6 s", (int)reuse_done, (int)reuse_got);
}

/* With the hooks, close and dup2 wake the goroutines waiting on the
 * descriptor they end, with EBADF (as gort_close; a thread blocked in the
 * kernel's read would not wake). Without them (nohooks), nothing tells the
 * runtime: a goroutine parked on a descriptor that the program closes with
 * the libc's close stays parked (README: use gort_close there). */
static void duper(void *fds)
{
	int *f = fds;
	gort_sleep(50000000);
	dup2(f[1], f[0]);
}
static void closewakes(void)
{
	int p[2], q[2];
	char c;
	(void)!pipe(p);
	gort_go(closer, (void *)(long)p[0]);
	errno = 0;
	ssize_t r = read(p[0], &c, 1);
	CHECK("close-wakes-read", r == -1 && errno == EBADF, "r=%zd errno=%d", r, errno);
	close(p[1]);

	(void)!pipe(p);
	(void)!pipe(q);
	int f[2] = {p[0], q[0]};
	gort_go(duper, f);
	errno = 0;
	r = read(p[0], &c, 1);
	CHECK("dup2-wakes-read", r == -1 && errno == EBADF, "r=%zd errno=%d", r, errno);
	r = write(q[1], "y", 1);
	r = read(p[0], &c, 1); /* p[0] is q's read end now */
	CHECK("dup2-then-read", r == 1 && c == 'y', "r=%zd errno=%d", r, errno);
	close(p[0]);
	close(p[1]);
	close(q[0]);
	close(q[1]);
}

/* ---- the program's blocking mode, remembered ----
 * A wait remembers that a descriptor is in blocking mode (netpoll.c
 * pd_blocking: no F_GETFL per wait); every way the program changes that,
 * or ends the number, must be seen: the next read returns EAGAIN at once
 * (a byte written to peer 2 s later ends a read that parked by mistake). */
static int nbsp[2];
/* waited_pair: a socketpair whose first end a goroutine has waited on. */
static int waited_pair(void)
{
	char c;
	socketpair(AF_UNIX, SOCK_STREAM, 0, nbsp);
	after(30, write1, (void *)(long)nbsp[1]);
	ssize_t r = read(nbsp[0], &c, 1);
	settle();
	return r == 1;
}
static _Atomic int guard_stop, guard_running;
static void guard(void *peer)
{
	for (int i = 0; i < 200 && !guard_stop; i++) gort_sleep(10000000);
	if (!guard_stop) write1(peer);
	guard_running = 0;
}
static void eagain_now(const char *name, int fd, int peer)
{
	char c;
	guard_stop = 0;
	guard_running = 1;
	gort_go(guard, (void *)(long)peer);
	errno = 0;
	ssize_t r = read(fd, &c, 1);
	CHECK(name, r == -1 && errno == EAGAIN, "r=%zd errno=%d (parked: blocking mode remembered)", r, errno);
	guard_stop = 1;
	while (guard_running) gort_sleep(1000000);
}
static void closepair(void)
{
	close(nbsp[0]);
	close(nbsp[1]);
}
static int handler_from, handler_to;
static void duping_handler(int sig)
{
	(void)sig;
	dup2(handler_from, handler_to);
}
static void nbflags(void)
{
	int ok = waited_pair();
	fcntl(nbsp[0], F_SETFL, fcntl(nbsp[0], F_GETFL) | O_NONBLOCK);
	eagain_now("nbflags-fcntl", nbsp[0], nbsp[1]);
	/* and back: the read waits for the byte again */
	fcntl(nbsp[0], F_SETFL, fcntl(nbsp[0], F_GETFL) & ~O_NONBLOCK);
	char c = 0;
	long t0 = ticks;
	after(100, write1, (void *)(long)nbsp[1]);
	ssize_t r = read(nbsp[0], &c, 1);
	settle();
	CHECK("nbflags-fcntl-back", ok && r == 1 && ticks - t0 >= 30, "first=%d r=%zd ticks=%ld", ok, r, ticks - t0);
	closepair();

	waited_pair();
	int on = 1;
	ioctl(nbsp[0], FIONBIO, &on);
	eagain_now("nbflags-ioctl-fionbio", nbsp[0], nbsp[1]);
	closepair();

	/* a dup shares the open file description, and its flags */
	waited_pair();
	int d = dup(nbsp[0]);
	fcntl(d, F_SETFL, O_NONBLOCK);
	eagain_now("nbflags-dup-shares-flags", nbsp[0], nbsp[1]);
	close(d);
	closepair();

	/* the number ends and comes back non-blocking: by close... */
	int q[2];
	waited_pair();
	close(nbsp[0]);
	socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0, q);
	if (q[0] != nbsp[0]) {
		dup2(q[0], nbsp[0]);
		close(q[0]);
	}
	eagain_now("nbflags-close-reuse", nbsp[0], q[1]);
	close(q[1]);
	closepair();

	/* ... and by a dup2 in a signal handler, which the runtime sees but
	 * cannot act on there */
	waited_pair();
	socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0, q);
	handler_from = q[0];
	handler_to = nbsp[0];
	signal(SIGUSR1, duping_handler);
	raise(SIGUSR1);
	signal(SIGUSR1, SIG_DFL);
	eagain_now("nbflags-handler-reuse", nbsp[0], q[1]);
	close(q[0]);
	close(q[1]);
	closepair();

	/* a socket's number comes back, unseen, as a pipe: reads of a known
	 * socket are recvfrom (fdio.c nowait_rw), which must fall back */
	waited_pair();
	(void)!pipe(q);
	handler_from = q[0];
	handler_to = nbsp[0];
	signal(SIGUSR1, duping_handler);
	raise(SIGUSR1);
	signal(SIGUSR1, SIG_DFL);
	(void)!write(q[1], "z", 1);
	c = 0;
	errno = 0;
	r = read(nbsp[0], &c, 1);
	CHECK("nbflags-socket-number-now-a-pipe", r == 1 && c == 'z', "r=%zd errno=%d", r, errno);
	close(q[0]);
	close(q[1]);
	closepair();

	/* F_GETOWN as the libcs make it: a process group comes back negative */
	waited_pair();
	fcntl(nbsp[0], F_SETOWN, -getpgrp());
	int own = fcntl(nbsp[0], F_GETOWN);
	fcntl(nbsp[0], F_SETOWN, getpid());
	int own2 = fcntl(nbsp[0], F_GETOWN);
	CHECK("nbflags-getown", own == -getpgrp() && own2 == getpid(), "pgrp %d -> %d, pid %d -> %d", (int)getpgrp(),
	      own, (int)getpid(), own2);
	closepair();
}


/* ---- batch: runtime/iobatch.c ---- */

/* ring_completions: the completions of every io_uring instance of the
 * process, from /proc/self/fdinfo (CqTail); -1 if none is open. */
static long ring_completions(void)
{
	DIR *d = opendir("/proc/self/fd");
	long total = -1;
	struct dirent *e;
	while (d && (e = readdir(d))) {
		char path[300], link[64], info[4096];
		snprintf(path, sizeof path, "/proc/self/fd/%s", e->d_name);
		ssize_t n = readlink(path, link, sizeof link - 1);
		if (n <= 0) continue;
		link[n] = 0;
		if (!strstr(link, "io_uring")) continue;
		snprintf(path, sizeof path, "/proc/self/fdinfo/%s", e->d_name);
		int fd = open(path, O_RDONLY);
		n = fd < 0 ? -1 : read(fd, info, sizeof info - 1);
		if (fd >= 0) close(fd);
		if (n <= 0) continue;
		info[n] = 0;
		char *t = strstr(info, "CqTail:");
		if (t) total = (total < 0 ? 0 : total) + strtol(t + 7, NULL, 10);
	}
	if (d) closedir(d);
	return total;
}

static _Atomic long bcalls; /* reads and writes the exchange made */

/* bread/bwrite: a read or write the pair's way. */
static ssize_t bread(int mode, int fd, char *b, size_t n)
{
	if (mode == 1) return recv(fd, b, n, 0);
	if (mode == 2 && n > 1) {
		struct iovec v[2] = {{b, n / 2}, {b + n / 2, n - n / 2}};
		return readv(fd, v, 2);
	}
	return read(fd, b, n);
}
static ssize_t bwrite(int mode, int fd, const char *b, size_t n)
{
	if (mode == 1) return send(fd, b, n, 0);
	if (mode == 2 && n > 1) {
		struct iovec v[2] = {{(char *)b, n / 2}, {(char *)b + n / 2, n - n / 2}};
		return writev(fd, v, 2);
	}
	return write(fd, b, n);
}

/* readfull: what a blocking stream socket promises (MSG_WAITALL). */
static int readfull(int mode, int fd, char *b, size_t n)
{
	while (n) {
		ssize_t r = bread(mode, fd, b, n);
		bcalls++;
		if (r <= 0) return -1;
		b += r;
		n -= (size_t)r;
	}
	return 0;
}

enum { BPAIRS = 40, BROUNDS = 150 };
struct bpair {
	int a, b;          /* the two ends (pipes: where each end reads) */
	int aw, bw;        /* where each end writes (sockets: a and b) */
	int mode;          /* 0 read/write, 1 recv/send, 2 readv/writev */
	_Atomic int bad;   /* a reply that was not the request */
	gort_waitgroup *wg;
};

/* The message of round i of pair k: 1 to 3,000 bytes of a pattern. */
static size_t bmsg(char *m, int k, int i)
{
	size_t n = 1 + (size_t)((k * 131 + i * 977) % 3000);
	for (size_t j = 0; j < n; j++) m[j] = (char)(k + i + j * 7);
	return n;
}
static void bclient(void *arg)
{
	struct bpair *p = arg;
	char m[3000], r[3000];
	for (int i = 0; i < BROUNDS; i++) {
		size_t n = bmsg(m, p->a, i);
		bcalls++;
		if (bwrite(p->mode, p->aw, m, n) != (ssize_t)n || readfull(p->mode, p->a, r, n) || memcmp(m, r, n))
			p->bad++;
	}
	gort_wg_done(p->wg);
}
static void bserver(void *arg)
{
	struct bpair *p = arg;
	char b[4096];
	ssize_t n;
	while ((n = bread(p->mode, p->b, b, sizeof b)) > 0) {
		bcalls += 2; /* the read and the write */
		if (bwrite(p->mode, p->bw, b, (size_t)n) != n) p->bad++;
	}
	gort_wg_done(p->wg);
}
/* batch_exchange: npairs pairs (socketpairs, and every fourth a TCP
 * connection on loopback; pipes: two pipes each, read/write and
 * readv/writev), each a client and an echoing server goroutine; returns
 * the replies that were wrong. gomaxprocs: a goroutine changes GOMAXPROCS
 * meanwhile. */
static _Atomic int flipping;
static void flipper(void *arg)
{
	(void)arg;
	for (int i = 0; flipping; i++) {
		gort_gomaxprocs(1 + i % 2);
		gort_sleep(2000000);
	}
}
static int batch_exchange(int npairs, bool flip, bool pipes)
{
	static struct bpair ps[BPAIRS];
	gort_waitgroup wg = GORT_WAITGROUP_INIT, swg = GORT_WAITGROUP_INIT;
	int port, l = listener(&port);
	for (int k = 0; k < npairs; k++) {
		int sv[2];
		if (pipes) {
			int up[2], down[2];
			pipe(up);
			pipe(down);
			ps[k] = (struct bpair){.a = down[0], .aw = up[1], .b = up[0], .bw = down[1],
					       .mode = k % 2 ? 2 : 0, .wg = &swg};
			continue;
		}
		if (k % 4 == 3) {
			struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port),
						.sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
			sv[0] = socket(AF_INET, SOCK_STREAM, 0);
			connect(sv[0], (struct sockaddr *)&a, sizeof a);
			sv[1] = accept(l, NULL, NULL);
		} else {
			socketpair(AF_UNIX, SOCK_STREAM, 0, sv);
		}
		ps[k] = (struct bpair){.a = sv[0], .b = sv[1], .aw = sv[0], .bw = sv[1], .mode = k % 3, .wg = &swg};
	}
	close(l);
	gort_wg_add(&swg, npairs);
	for (int k = 0; k < npairs; k++) gort_go(bserver, &ps[k]);
	flipping = flip;
	if (flip) gort_go(flipper, NULL);
	gort_wg_add(&wg, npairs);
	for (int k = 0; k < npairs; k++) {
		ps[k].wg = &wg;
		gort_go(bclient, &ps[k]);
	}
	gort_wg_wait(&wg);
	flipping = 0;
	for (int k = 0; k < npairs; k++) {
		ps[k].wg = &swg;
		if (pipes) close(ps[k].aw);
		else shutdown(ps[k].a, SHUT_WR);
	}
	gort_wg_wait(&swg);
	int bad = 0;
	for (int k = 0; k < npairs; k++) {
		bad += ps[k].bad;
		close(ps[k].a);
		close(ps[k].b);
		if (pipes) close(ps[k].bw);
	}
	gort_sleep(5000000); /* the flipper's last round */
	return bad;
}

static int closed_fd, closed_reused;
static void closer_reuser(void *arg)
{
	(void)arg;
	int sv[2];
	close(closed_fd);
	socketpair(AF_UNIX, SOCK_STREAM, 0, sv);
	closed_reused = sv[0] == closed_fd;
	(void)!write(sv[1], "WRONG", 5);
	gort_sleep(50000000);
	close(sv[0]);
	close(sv[1]);
}
static _Atomic int pipes;
static void onpipe(int sig) { (void)sig; pipes++; }
static void yielder(void *arg)
{
	(void)arg;
	gort_yield();
}

/* A goroutine that waits, spinning or yielding, for what another
 * goroutine's batched write makes happen: the batch must go although the
 * waiter keeps the P busy (flushed only when the P runs out of work, it
 * would never go: the waiter is always ready). Both are readied by one
 * event (a poll on one pipe), the writer first: its write then joins the
 * batch, since the next goroutine is one I/O readied. The reader at the
 * socket's other end is a plain thread. */
static _Atomic int arrived;
static void *plain_reader(void *fdp)
{
	char c;
	if (read((int)(long)fdp, &c, 1) == 1) arrived = 1;
	return NULL;
}
static int wakepipe[2];
static _Atomic int waiter_saw, writer_wrote, writer_done;
static void pollwake(void)
{
	struct pollfd p = {wakepipe[0], POLLIN, 0};
	poll(&p, 1, 5000);
}
static void bwriter(void *arg)
{
	(void)arg;
	pollwake();
	writer_wrote = (int)write(nbsp[0], "x", 1);
	writer_done = 1;
}
static void waiter(void *yield)
{
	pollwake();
	struct timespec t0, t;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	do {
		if (yield) gort_yield();
		clock_gettime(CLOCK_MONOTONIC, &t);
	} while (!arrived && (t.tv_sec - t0.tv_sec) * 1000 + (t.tv_nsec - t0.tv_nsec) / 1000000 < 3000);
	waiter_saw = arrived ? 1 : -1;
}
static void write_under_waiter(const char *name, bool yield)
{
	int ok = waited_pair();
	pthread_t th;
	arrived = 0;
	waiter_saw = writer_wrote = writer_done = 0;
	pipe(wakepipe);
	pthread_create(&th, NULL, plain_reader, (void *)(long)nbsp[1]);
	gort_go(bwriter, NULL);
	gort_sleep(5000000); /* the writer polls first */
	gort_go(waiter, yield ? (void *)1 : NULL);
	gort_sleep(5000000);
	write1((void *)(long)wakepipe[1]);
	/* Both must have finished: the byte can arrive (and the waiter see
	 * it) before the writer, readied by the batch, runs again. */
	while (!waiter_saw || !writer_done) gort_sleep(1000000);
	pthread_join(th, NULL);
	CHECK(name, ok && writer_wrote == 1 && waiter_saw == 1, "write %d, the waiter %s", (int)writer_wrote,
	      waiter_saw == 1 ? "saw it" : "waited 3 s in vain");
	closepair();
	close(wakepipe[0]);
	close(wakepipe[1]);
}

/* A pipe write in a batch to a pipe with no reader: EPIPE, and the
 * kernel's SIGPIPE (raised on the thread that submits the batch: the
 * writer's). The writer and a partner are readied by one poll, as above,
 * so that the write joins the batch. */
static int epipe_fd;
static _Atomic int epipe_r, epipe_e, epipe_done;
static void epipe_writer(void *arg)
{
	(void)arg;
	pollwake();
	errno = 0;
	epipe_r = (int)write(epipe_fd, "x", 1);
	epipe_e = errno;
	epipe_done = 1;
}
static void poll_partner(void *arg)
{
	(void)arg;
	pollwake();
}
static void pipe_epipe(void)
{
	int pp[2];
	char big[8192] = {0};
	pipe(pp);
	fcntl(pp[1], F_SETPIPE_SZ, 4096);
	/* The write end waits once (registered), the drain makes room. */
	after(30, drain, (void *)(long)pp[0]);
	ssize_t w = write(pp[1], big, sizeof big);
	settle();
	close(pp[0]);
	epipe_fd = pp[1];
	epipe_done = 0;
	pipe(wakepipe);
	long before = ring_completions();
	gort_go(epipe_writer, NULL);
	gort_sleep(5000000); /* the writer polls first */
	gort_go(poll_partner, NULL);
	gort_sleep(5000000);
	write1((void *)(long)wakepipe[1]);
	while (!epipe_done) gort_sleep(1000000);
	long ring = ring_completions() - before;
	const char *off = getenv("GODEBUG");
	bool batching = !off || !strstr(off, "iobatch=0");
	CHECK("batch-pipe-sigpipe", w == (ssize_t)sizeof big && epipe_r == -1 && epipe_e == EPIPE && pipes == 2 &&
					   (batching ? ring >= 1 : ring <= 0),
	      "write %zd, then %d errno %d, %d SIGPIPE, %ld through a ring", w, (int)epipe_r, (int)epipe_e,
	      (int)pipes, ring);
	close(pp[1]);
	close(wakepipe[0]);
	close(wakepipe[1]);
}

static void batch(void)
{
	const char *off = getenv("GODEBUG");
	bool batching = !off || !strstr(off, "iobatch=0");
	bcalls = 0;
	int bad = batch_exchange(BPAIRS, false, false);
	long done = ring_completions();
	CHECK("batch-data", bad == 0, "%d replies differ", bad);
	/* At GOMAXPROCS=1 nearly every call is made with others ready:
	 * at least a quarter of them through the rings (about 90% here). */
	if (batching)
		CHECK("batch-used", done * 4 >= bcalls, "%ld of %ld calls through a ring", done, (long)bcalls);
	else
		CHECK("batch-used", done <= 0, "GODEBUG=iobatch=0, yet %ld calls through a ring", done);
	printf("batch: %ld of %ld calls through a ring\n", done, (long)bcalls);

	/* Pipes: reads and writes join (the write ends learnt at their first
	 * write that could): completions about 1.45 per counted call here
	 * (the reads that say EAGAIN are not counted), about 1.0 with the
	 * reads alone. */
	bcalls = 0;
	long before = done < 0 ? 0 : done;
	bad = batch_exchange(BPAIRS, false, true);
	done = ring_completions() - before;
	CHECK("batch-pipes-data", bad == 0, "%d replies differ", bad);
	if (batching)
		CHECK("batch-pipes-used", done * 5 >= bcalls * 6, "%ld of %ld calls through a ring", done, (long)bcalls);
	else
		CHECK("batch-pipes-used", done <= 0, "GODEBUG=iobatch=0, yet %ld calls through a ring", done);
	printf("batch pipes: %ld of %ld calls through a ring\n", done, (long)bcalls);

	/* A read waiting in the batch when another goroutine closes its
	 * descriptor and gets the number back for a new socket: EBADF, not
	 * the new socket's data. On one P, so that the closer runs after the
	 * read was queued: on two it may run first, and the read then races
	 * the close as it would with threads. */
	int procs = gort_gomaxprocs(1);
	int ok = waited_pair();
	closed_fd = nbsp[0];
	gort_go(closer_reuser, NULL); /* ready: the read below joins the batch */
	char b[16];
	errno = 0;
	ssize_t r = read(closed_fd, b, sizeof b);
	int e = errno;
	CHECK("batch-closed", ok && closed_reused && r == -1 && e == EBADF,
	      "waited %d, number reused %d, read %zd errno %d", ok, closed_reused, r, e);
	gort_sleep(60000000);
	close(nbsp[1]);
	gort_gomaxprocs(procs);

	/* A write to a socket whose peer is gone: EPIPE and SIGPIPE, as the
	 * kernel's write (io_uring's sends never raise it). */
	ok = waited_pair();
	signal(SIGPIPE, onpipe);
	close(nbsp[1]);
	gort_go(yielder, NULL);
	errno = 0;
	r = write(nbsp[0], "x", 1);
	e = errno;
	CHECK("batch-sigpipe", ok && r == -1 && e == EPIPE && pipes == 1, "waited %d, write %zd errno %d, %d SIGPIPE",
	      ok, r, e, (int)pipes);
	gort_go(yielder, NULL);
	errno = 0;
	r = send(nbsp[0], "x", 1, MSG_NOSIGNAL);
	e = errno;
	CHECK("batch-nosignal", r == -1 && e == EPIPE && pipes == 1, "send %zd errno %d, %d SIGPIPE", r, e, (int)pipes);
	close(nbsp[0]);
	procs = gort_gomaxprocs(1);
	pipe_epipe();
	gort_gomaxprocs(procs);
	signal(SIGPIPE, SIG_DFL);

	procs = gort_gomaxprocs(1);
	write_under_waiter("batch-yielding-waiter", true);
	write_under_waiter("batch-spinning-waiter", false);
	gort_gomaxprocs(procs);

	/* A fork child (its rings were the parent's) exchanges on its own. */
	pid_t pid = fork();
	if (pid == 0) _exit(batch_exchange(8, false, false) == 0 && batch_exchange(8, false, true) == 0 ? 0 : 3);
	int st = 0;
	waitpid(pid, &st, 0);
	CHECK("batch-fork", WIFEXITED(st) && WEXITSTATUS(st) == 0, "child status %#x", st);

	/* GOMAXPROCS changing under the exchange (a stop of the world). */
	bad = batch_exchange(BPAIRS, true, false) + batch_exchange(BPAIRS, true, true);
	gort_gomaxprocs(1);
	CHECK("batch-gomaxprocs", bad == 0, "%d replies differ", bad);
}

int main(int argc, char **argv)
{
	const char *what = argc > 1 ? argv[1] : "progress";
	setvbuf(stdout, NULL, _IOLBF, 0); /* a line per check, even if killed */
	printf("calls %s\n", what);
	gort_go(ticker, NULL);
	gort_sleep(5000000);
	if (!strcmp(what, "progress")) progress();
	else if (!strcmp(what, "semantics")) semantics();
	else if (!strcmp(what, "outside")) outside();
	else if (!strcmp(what, "stdio")) stdio_reads();
	else if (!strcmp(what, "reuse")) reuse();
	else if (!strcmp(what, "closewakes")) closewakes();
	else if (!strcmp(what, "nbflags")) nbflags();
	else if (!strcmp(what, "batch")) batch();
	else {
		fprintf(stderr, "calls: unknown check %s\n", what);
		return 2;
	}
	stopticker = 1;
	printf("done failures=%d\n", failures);
	return failures != 0;
}
