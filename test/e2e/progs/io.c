/* io: goroutine-aware I/O behaviours, one per subcommand (test/e2e/e2e_io.c). */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>
#include <gort.h>

static gort_waitgroup wg = GORT_WAITGROUP_INIT;

static int nthreads(void)
{
	int n = 0;
	DIR *d = opendir("/proc/self/task");
	struct dirent *e;
	while (d && (e = readdir(d)))
		if (e->d_name[0] != '.') n++;
	if (d) closedir(d);
	return n;
}

struct pipejob { int rfd; long got; };
static void pipereader(void *arg)
{
	struct pipejob *j = arg;
	char buf[64];
	ssize_t n;
	while ((n = gort_read(j->rfd, buf, sizeof buf)) > 0) j->got += n;
	gort_wg_done(&wg);
}

static int pfd[2];
static void closer(void *arg) { (void)arg; gort_sleep(5000000); gort_close(pfd[0]); }
static void writer(void *arg) { (void)arg; gort_sleep(3000000); gort_write(pfd[1], "late", 4); }

/* sockets: a loopback listener accepted by one goroutine while another
 * connects; the data goes both ways through recv/send and readv/writev. */
static int lsock;
static struct sockaddr_in laddr;
static void acceptor(void *arg)
{
	(void)arg;
	int c = gort_accept(lsock, NULL, NULL);
	char buf[32];
	ssize_t n = gort_recv(c, buf, sizeof buf, 0);
	gort_send(c, buf, n, 0);
	/* writev of three pieces, read back by the client with one readv. */
	struct iovec iov[3] = {{"ab", 2}, {"cde", 3}, {"f", 1}};
	gort_writev(c, iov, 3);
	gort_close(c);
	gort_wg_done(&wg);
}

static int udpsock(struct sockaddr_in *sa)
{
	int u = socket(AF_INET, SOCK_DGRAM, 0);
	*sa = (struct sockaddr_in){.sin_family = AF_INET, .sin_addr.s_addr = htonl(0x7f000001)};
	socklen_t l = sizeof *sa;
	bind(u, (struct sockaddr *)sa, l);
	getsockname(u, (struct sockaddr *)sa, &l);
	return u;
}

static int usock;
static struct sockaddr_in uaddr;
static void udpsender(void *arg)
{
	(void)arg;
	gort_sleep(2000000);
	struct sockaddr_in me;
	int s = udpsock(&me);
	gort_sendto(s, "datagram", 8, 0, (struct sockaddr *)&uaddr, sizeof uaddr);
	close(s);
}

int main(int argc, char **argv)
{
	const char *cmd = argc > 1 ? argv[1] : "";
	if (!strcmp(cmd, "sockets")) {
		lsock = socket(AF_INET, SOCK_STREAM, 0);
		laddr = (struct sockaddr_in){.sin_family = AF_INET, .sin_addr.s_addr = htonl(0x7f000001)};
		socklen_t l = sizeof laddr;
		bind(lsock, (struct sockaddr *)&laddr, l);
		listen(lsock, 16);
		getsockname(lsock, (struct sockaddr *)&laddr, &l);
		/* An accept with nobody connecting gives up at its deadline. */
		int64_t t0 = gort_nanotime();
		int a = gort_accept4_deadline(lsock, NULL, NULL, 0, t0 + 2000000);
		printf("accept deadline: r=%d etimedout=%d waited>=2ms=%d\n", a, a < 0 && errno == ETIMEDOUT,
		       gort_nanotime() - t0 >= 2000000);
		gort_wg_add(&wg, 1);
		gort_go(acceptor, NULL);
		int c = socket(AF_INET, SOCK_STREAM, 0);
		int cr = gort_connect(c, (struct sockaddr *)&laddr, sizeof laddr);
		ssize_t n = gort_send(c, "hello", 5, 0);
		char buf[32] = {0}, b1[3] = {0}, b2[8] = {0};
		ssize_t m = 0, r;
		while (m < 5 && (r = gort_recv(c, buf + m, 5 - m, 0)) > 0) m += r;
		printf("tcp: connect=%d sent=%zd echoed=%.*s\n", cr, n, (int)m, buf);
		struct iovec iov[2] = {{b1, 2}, {b2, 8}};
		ssize_t v = 0, k;
		while (v < 6 && (k = gort_readv(c, iov, 2)) > 0) {
			/* Advance the vector past what arrived (it may come in pieces). */
			v += k;
			for (int i = 0; i < 2 && k > 0; i++) {
				size_t t = (size_t)k < iov[i].iov_len ? (size_t)k : iov[i].iov_len;
				iov[i].iov_base = (char *)iov[i].iov_base + t;
				iov[i].iov_len -= t;
				k -= t;
			}
		}
		printf("readv: n=%zd first=%s second=%s\n", v, b1, b2);
		printf("recv after peer close: n=%zd\n", gort_recv(c, buf, sizeof buf, 0));
		gort_wg_wait(&wg);
		gort_close(c);
		/* A recv deadline on a socket nobody writes to. */
		int p2[2];
		socketpair(AF_UNIX, SOCK_STREAM, 0, p2);
		t0 = gort_nanotime();
		n = gort_recv_deadline(p2[0], buf, sizeof buf, 0, t0 + 2000000);
		printf("recv deadline: n=%zd etimedout=%d\n", n, n < 0 && errno == ETIMEDOUT);
		/* A send deadline on a full socket buffer. */
		static char big[1 << 16];
		ssize_t total = 0;
		t0 = gort_nanotime();
		while ((n = gort_send_deadline(p2[1], big, sizeof big, 0, t0 + 20000000)) > 0) total += n;
		printf("send deadline: n=%zd etimedout=%d some_sent=%d\n", n, n < 0 && errno == ETIMEDOUT, total > 0);
		/* UDP: recvfrom parks until a datagram arrives, and names its sender. */
		usock = udpsock(&uaddr);
		gort_go(udpsender, NULL);
		struct sockaddr_in from;
		socklen_t fl = sizeof from;
		n = gort_recvfrom(usock, buf, sizeof buf, 0, (struct sockaddr *)&from, &fl);
		printf("udp: n=%zd %.*s from_loopback=%d\n", n, (int)n, buf, from.sin_addr.s_addr == htonl(0x7f000001));
		return 0;
	}
	if (!strcmp(cmd, "pipes")) {
		/* 1000 goroutines each blocked reading its own pipe; one writer
		 * feeds them in turn for 100 rounds. */
		enum { N = 1000, ROUNDS = 100 };
		static struct pipejob jobs[N];
		static int wfd[N];
		gort_wg_add(&wg, N);
		for (int i = 0; i < N; i++) {
			int p[2];
			if (pipe(p) < 0) { perror("pipe"); return 1; }
			jobs[i].rfd = p[0];
			wfd[i] = p[1];
			gort_go(pipereader, &jobs[i]);
		}
		gort_sleep(1000000);
		int maxthreads = nthreads();
		for (int r = 0; r < ROUNDS; r++)
			for (int i = 0; i < N; i++) gort_write(wfd[i], "0123456789", 10);
		for (int i = 0; i < N; i++) close(wfd[i]);
		gort_wg_wait(&wg);
		long total = 0;
		for (int i = 0; i < N; i++) total += jobs[i].got;
		if (nthreads() > maxthreads) maxthreads = nthreads();
		printf("bytes=%ld threads<20=%d\n", total, maxthreads < 20);
		return 0;
	}
	if (!strcmp(cmd, "semantics")) {
		char buf[16];
		pipe(pfd);
		/* O_NONBLOCK stays the user's: EAGAIN, not a park. */
		fcntl(pfd[0], F_SETFL, O_NONBLOCK);
		ssize_t n = gort_read(pfd[0], buf, sizeof buf);
		printf("nonblock: n=%zd eagain=%d\n", n, n < 0 && errno == EAGAIN);
		fcntl(pfd[0], F_SETFL, 0);
		/* A blocking descriptor parks until data comes. */
		gort_go(writer, NULL);
		n = gort_read(pfd[0], buf, sizeof buf);
		printf("parked read: n=%zd %.*s flags_untouched=%d\n", n, (int)n, buf, !(fcntl(pfd[0], F_GETFL) & O_NONBLOCK));
		/* Deadline. */
		int64_t t0 = gort_nanotime();
		n = gort_read_deadline(pfd[0], buf, sizeof buf, t0 + 2000000);
		printf("deadline: n=%zd etimedout=%d waited>=2ms=%d\n", n, n < 0 && errno == ETIMEDOUT, gort_nanotime() - t0 >= 2000000);
		/* gort_poll timeout and readiness. */
		printf("poll timeout=%d\n", gort_poll(pfd[0], POLLIN, 1000000));
		gort_write(pfd[1], "x", 1);
		printf("poll ready=%d\n", gort_poll(pfd[0], POLLIN, -1) & POLLIN ? 1 : 0);
		gort_read(pfd[0], buf, 1);
		/* Close while another goroutine waits: EBADF. */
		gort_go(closer, NULL);
		n = gort_read(pfd[0], buf, sizeof buf);
		printf("closed while waiting: n=%zd ebadf=%d\n", n, n < 0 && errno == EBADF);
		/* EOF. */
		int q[2];
		pipe(q);
		close(q[1]);
		printf("eof: n=%zd\n", gort_read(q[0], buf, sizeof buf));
		/* Regular files: not pollable, read under entersyscall. */
		int f = open("/proc/self/exe", O_RDONLY);
		n = gort_read(f, buf, 4);
		printf("file: n=%zd elf=%d\n", n, n == 4 && !memcmp(buf, "\177ELF", 4));
		/* EPIPE. */
		int r[2];
		pipe(r);
		close(r[0]);
		signal(SIGPIPE, SIG_IGN);
		n = gort_write(r[1], "x", 1);
		printf("epipe: n=%zd epipe=%d\n", n, n < 0 && errno == EPIPE);
		/* Big write to a blocking pipe: all of it, the reader in turn. */
		int s[2];
		pipe(s);
		static char big[1 << 20];
		struct pipejob j = {s[0], 0};
		gort_wg_add(&wg, 1);
		gort_go(pipereader, &j);
		n = gort_write(s[1], big, sizeof big);
		close(s[1]);
		gort_wg_wait(&wg);
		printf("bigwrite: n=%zd read=%ld\n", n, j.got);
		/* A connect to a closed port: ECONNREFUSED, as the libc's. */
		int c = socket(AF_INET, SOCK_STREAM, 0);
		struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons(1), .sin_addr.s_addr = htonl(0x7f000001)};
		int cr = gort_connect(c, (struct sockaddr *)&sa, sizeof sa);
		printf("connect: r=%d econnrefused=%d\n", cr, cr < 0 && errno == ECONNREFUSED);
		return 0;
	}
	fprintf(stderr, "usage: io pipes|semantics|sockets\n");
	return 1;
}
