/* races: process-wide calls made from several goroutines at once
 * (test/e2e/e2e_races.c, issue #20 items 1 and 2).
 *
 *   races fork N       two goroutines each fork N times; the child
 *                      _exit(0)s (odd rounds) or execs /bin/true (even);
 *                      the parent waits for it; a third keeps yielding
 *   races gomaxprocs N two goroutines each change GOMAXPROCS N times
 *                      (between 1 and 4) while others run
 *   races preempt N    GOMAXPROCS 2 -> 1 -> 2 -> 1 by gort_gomaxprocs, then
 *                      a goroutine spins without yielding while main
 *                      sleeps 10 ms N times: main must get its P back;
 *                      then two goroutines spin until each has seen the
 *                      other run N times (no timer helps them: only
 *                      sysmon's preemption lets the other run)
 *   races apiloop N    a goroutine loops on gort calls that never block
 *                      (gort_nanotime, gort_goid, gort_chan_len/cap,
 *                      trysend/tryrecv) while main sleeps 10 ms N times:
 *                      main gets the P back because those calls yield
 *                      when sysmon asked (issue #15 4c), in every build,
 *                      also the plain static one (no asynchronous
 *                      preemption) and with GODEBUG=asyncpreemptoff=1.
 *                      A 20 s alarm ends a hang with status 142.
 *   races accept N     8 goroutines in plain accept on one blocking
 *                      listening socket, 2 goroutines connecting N times
 *                      in all: every accept returns a connection (one
 *                      accept's temporary O_NONBLOCK, read by another as
 *                      the program's, made ~3/4 of them fail with EAGAIN)
 *                      and the socket is blocking again at the end.
 *   races pollintr N   a goroutine polls 3,000 descriptors (none ready)
 *                      N times (timeout 0, each 64th 1 ms), while
 *                      another spins: the runtime's preemption SIGURGs
 *                      land in those polls; the program installed no
 *                      handler, so poll must never fail with EINTR
 *   races fatalrace N  a goroutine closes a closed channel (a fatal
 *                      error) just as main returns 0: run by the test
 *                      many times, a run that printed the fatal error
 *                      must exit 2 (it exited 0 in 1-2 of 10)
 *   races emfile N     RLIMIT_NOFILE 64, every descriptor used before the
 *                      netpoller exists: plain read, poll, select, sleep,
 *                      accept and connect from goroutines work (the
 *                      blocking calls, the P handed off) instead of
 *                      "fatal error: netpoll: epoll_create1/eventfd
 *                      failed: errno 24"; then descriptors are freed and
 *                      the poller comes (N round trips through a pipe)
 *   races foreign N    main waits on a channel that a pthread (not a
 *                      goroutine) sends to with gort_chan_trysend after
 *                      N ms: no deadlock report meanwhile ("all
 *                      goroutines are asleep" came at once); N < 0: the
 *                      pthread exits without sending, and the deadlock
 *                      is reported once it is gone
 *   races sigsend N    a SIGUSR1 handler calls gort_chan_trysend on a
 *                      channel a goroutine receives from; a pthread sends
 *                      N signals while goroutines ping-pong and park (the
 *                      handler lands in scheduler code): no crash (was
 *                      "pidleput: P has non-empty run queue"), and what
 *                      was sent is received
 *   races hugetimeouts N  gort_sleep, gort_after, a ticker, gort_poll and a
 *                      recv with SO_RCVTIMEO of 10^10 s, each with a
 *                      timeout near INT64_MAX: none may end within N ms
 *                      (each wrapped into the past and ended at once)
 * Prints "ok forks=F" / "ok changes=C" / "ok sleeps=N" and exits 0. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <sys/resource.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/select.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>
#include <gort.h>

static gort_waitgroup wg = GORT_WAITGROUP_INIT;
static _Atomic int stop;
static _Atomic long forks, changes, spins;
static long n;

static void forker(void *arg)
{
	(void)arg;
	for (long i = 0; i < n; i++) {
		pid_t pid = fork();
		if (pid < 0) {
			perror("fork");
			exit(1);
		}
		if (pid == 0) {
			if (i % 2) _exit(0);
			execl("/bin/true", "true", (char *)NULL);
			_exit(127);
		}
		int st;
		if (waitpid(pid, &st, 0) != pid || !WIFEXITED(st) || WEXITSTATUS(st) != 0) {
			fprintf(stderr, "child %d: status %#x\n", (int)pid, st);
			exit(1);
		}
		forks++;
	}
	gort_wg_done(&wg);
}

static void changer(void *arg)
{
	long seed = (long)arg;
	for (long i = 0; i < n; i++) {
		int want = (int)((seed + i) % 4) + 1;
		gort_gomaxprocs(want);
		changes++;
	}
	gort_wg_done(&wg);
}

static void spinner(void *arg)
{
	(void)arg;
	while (!stop) {
		spins++;
		gort_yield();
	}
	gort_wg_done(&wg);
}

static _Atomic long spun;
static void hotloop(void *arg)
{
	(void)arg;
	while (!stop) spun++;
	gort_wg_done(&wg);
}

static void apiloop(void *arg)
{
	gort_chan *c = arg;
	long v = 0, sum = 0;
	while (!stop) {
		sum += gort_nanotime() & 1;
		sum += gort_goid() + (long)gort_chan_len(c) + (long)gort_chan_cap(c);
		if (!gort_chan_trysend(c, &v)) gort_chan_tryrecv(c, &v);
	}
	spun += sum != 0;
	gort_wg_done(&wg);
}

/* Each waits until the other's turn count has moved N times. */
static _Atomic long turns[2];
static void taker(void *arg)
{
	long me = (long)arg, seen = turns[!me], moves = 0;
	while (moves < n) {
		turns[me]++;
		long t = turns[!me];
		if (t != seen) {
			seen = t;
			moves++;
			while (turns[!me] == t && moves < n) turns[me]++; /* until it runs again */
		}
	}
	gort_wg_done(&wg);
}

/* accept: acceptors take connections until one says "stop". */
static int lfd;
static struct sockaddr_in laddr;
static _Atomic long accepted;
static void acceptor(void *arg)
{
	(void)arg;
	for (;;) {
		int c = accept(lfd, NULL, NULL);
		if (c < 0) {
			printf("FAIL accept: %s after %ld accepted\n", strerror(errno), (long)accepted);
			exit(1);
		}
		char b = 0;
		ssize_t r = read(c, &b, 1);
		close(c);
		if (r == 1 && b == 'q') break;
		accepted++;
	}
	gort_wg_done(&wg);
}
static void connector(void *arg)
{
	long k = (long)arg;
	for (long i = 0; i < k; i++) {
		int c = socket(AF_INET, SOCK_STREAM, 0);
		if (c < 0 || connect(c, (struct sockaddr *)&laddr, sizeof laddr) < 0) {
			perror("connect");
			exit(1);
		}
		write(c, "x", 1);
		close(c);
	}
	gort_wg_done(&wg);
}

static int accepts(void)
{
	alarm(20);
	lfd = socket(AF_INET, SOCK_STREAM, 0);
	laddr.sin_family = AF_INET;
	laddr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	socklen_t l = sizeof laddr;
	if (lfd < 0 || bind(lfd, (struct sockaddr *)&laddr, l) || listen(lfd, 128) ||
	    getsockname(lfd, (struct sockaddr *)&laddr, &l)) {
		perror("listen");
		return 1;
	}
	gort_wg_add(&wg, 8);
	for (int i = 0; i < 8; i++) gort_go(acceptor, NULL);
	gort_wg_add(&wg, 2);
	gort_go(connector, (void *)(n / 2));
	gort_go(connector, (void *)(n - n / 2));
	while (accepted < n) gort_sleep(1000000);
	for (int i = 0; i < 8; i++) {
		int c = socket(AF_INET, SOCK_STREAM, 0);
		connect(c, (struct sockaddr *)&laddr, sizeof laddr);
		write(c, "q", 1);
		close(c);
	}
	gort_wg_wait(&wg);
	int fl = fcntl(lfd, F_GETFL);
	printf("ok accepted=%ld blocking=%d\n", (long)accepted, !(fl & O_NONBLOCK));
	return 0;
}

static int pollintr(void)
{
	alarm(60);
	struct rlimit rl;
	getrlimit(RLIMIT_NOFILE, &rl);
	rl.rlim_cur = rl.rlim_max;
	setrlimit(RLIMIT_NOFILE, &rl);
	enum { NP = 1500 };
	static struct pollfd fds[2 * NP];
	for (int i = 0; i < NP; i++) {
		int p[2];
		if (pipe(p)) return perror("pipe"), 1;
		fds[2 * i] = (struct pollfd){p[0], POLLIN, 0};
		fds[2 * i + 1] = (struct pollfd){p[1], 0, 0}; /* a write end, asked nothing */
	}
	gort_wg_add(&wg, 1);
	gort_go(spinner, NULL);
	long eintr = 0, other = 0;
	for (long i = 0; i < n; i++) {
		int r = poll(fds, 2 * NP, i % 64 == 63);
		if (r < 0 && errno == EINTR) eintr++;
		else if (r != 0) other++;
	}
	stop = 1;
	gort_wg_wait(&wg);
	printf("%s polls=%ld eintr=%ld other=%ld\n", eintr || other ? "FAIL" : "ok", n, eintr, other);
	return 0;
}

static _Atomic int go_now;
static void closer(void *arg)
{
	while (!go_now) gort_yield();
	gort_chan_close(arg);
}

static int efp[2], efq[2];
static void efwriter(void *arg)
{
	(void)arg;
	gort_sleep(20000000);
	write(efp[1], "a", 1);
	gort_sleep(20000000);
	write(efq[1], "b", 1);
	gort_wg_done(&wg);
}

static int emfile(void)
{
	alarm(20);
	struct rlimit rl = {64, 64};
	if (setrlimit(RLIMIT_NOFILE, &rl) || pipe(efp) || pipe(efq)) return perror("setup"), 1;
	int lst = socket(AF_INET, SOCK_STREAM, 0);
	struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	socklen_t al = sizeof a;
	if (lst < 0 || bind(lst, (struct sockaddr *)&a, al) || listen(lst, 8) ||
	    getsockname(lst, (struct sockaddr *)&a, &al))
		return perror("listen"), 1;
	int cli = socket(AF_INET, SOCK_STREAM, 0);
	int filler[64], nf = 0;
	while (nf < 64 && (filler[nf] = dup(0)) >= 0) nf++;
	int ok = 0;
	gort_wg_add(&wg, 1);
	gort_go(efwriter, NULL);
	char c = 0;
	if (read(efp[0], &c, 1) == 1 && c == 'a') ok |= 1; /* a plain read, nobody ready yet */
	struct pollfd p = {efq[0], POLLIN, 0};
	if (poll(&p, 1, 5000) == 1 && read(efq[0], &c, 1) == 1 && c == 'b') ok |= 2;
	fd_set rd;
	FD_ZERO(&rd);
	FD_SET(efp[0], &rd);
	struct timeval tv = {0, 20000};
	if (select(efp[0] + 1, &rd, NULL, NULL, &tv) == 0) ok |= 4; /* a 20 ms timeout */
	int64_t t0 = gort_nanotime();
	gort_sleep(10000000);
	if (gort_nanotime() - t0 >= 10000000) ok |= 8;
	gort_wg_wait(&wg);
	if (connect(cli, (struct sockaddr *)&a, al) == 0) ok |= 16;
	close(filler[--nf]); /* accept needs a descriptor for the connection */
	int s2 = accept(lst, NULL, NULL);
	if (s2 >= 0) ok |= 32, close(s2);
	/* Descriptors free again: the poller comes, goroutines park on I/O. */
	while (nf > 0) close(filler[--nf]);
	gort_wg_add(&wg, 1);
	gort_go(efwriter, NULL);
	if (read(efp[0], &c, 1) == 1 && read(efq[0], &c, 1) == 1) ok |= 64;
	gort_wg_wait(&wg);
	printf("%s emfile: checks=%d of 127\n", ok == 127 ? "ok" : "FAIL", ok);
	return 0;
}

static gort_chan *fch;
static void *foreigner(void *arg)
{
	long ms = (long)arg;
	struct timespec ts = {(ms < 0 ? -ms : ms) / 1000, (ms < 0 ? -ms : ms) % 1000 * 1000000};
	nanosleep(&ts, NULL);
	long v = 42;
	if (ms >= 0 && !gort_chan_trysend(fch, &v)) printf("trysend found no receiver\n");
	return NULL;
}

static gort_chan *sigc, *pingc, *pongc;
static _Atomic long sigsent, sigrecv, sigdone;
static void onusr1(int sig)
{
	(void)sig;
	long v = 1;
	if (gort_chan_trysend(sigc, &v)) sigsent++;
}
static void sigreceiver(void *arg)
{
	(void)arg;
	long v;
	while (gort_chan_recv(sigc, &v) && v) sigrecv++;
	gort_wg_done(&wg);
}
static void pinger(void *arg)
{
	(void)arg;
	long v = 0;
	while (!sigdone) {
		gort_chan_send(pingc, &v);
		gort_chan_recv(pongc, &v);
		if (v % 64 == 0) gort_sleep(10000);
	}
	v = -1;
	gort_chan_send(pingc, &v);
	gort_wg_done(&wg);
}
static void ponger(void *arg)
{
	(void)arg;
	long v;
	while (gort_chan_recv(pingc, &v) && v >= 0) {
		v++;
		gort_chan_send(pongc, &v);
	}
	gort_wg_done(&wg);
}
/* The signaller sends to every thread in turn (tgkill), so the handler
 * lands on Ms in the middle of scheduling, parking and idling. */
static int tids(pid_t *t, int max)
{
	int k = 0;
	DIR *d = opendir("/proc/self/task");
	struct dirent *e;
	while (d && (e = readdir(d)) && k < max)
		if (e->d_name[0] != '.') t[k++] = (pid_t)atoi(e->d_name);
	if (d) closedir(d);
	return k;
}
static void *signaller(void *arg)
{
	(void)arg;
	pid_t t[64], self = (pid_t)syscall(SYS_gettid);
	int k = 0;
	for (long i = 0; i < n; i++) {
		if (i % 256 == 0) k = tids(t, 64);
		pid_t to = t[i % k];
		if (to == self) continue;
		syscall(SYS_tgkill, getpid(), to, SIGUSR1);
		if (i % 16 == 0) usleep(20);
	}
	sigdone = 1;
	return NULL;
}

static _Atomic int hugedone;
static int hugepipe[2], hugesock[2];
static void huge_sleep(void *a) { (void)a; gort_sleep(INT64_MAX); hugedone |= 1; }
static void huge_after(void *a) { (void)a; gort_chan_recv(gort_after(INT64_MAX), NULL); hugedone |= 2; }
static void huge_ticker(void *a)
{
	(void)a;
	gort_ticker *t = gort_ticker_new(INT64_MAX);
	gort_chan_recv(gort_ticker_chan(t), NULL);
	hugedone |= 4;
}
static void huge_poll(void *a) { (void)a; gort_poll(hugepipe[0], POLLIN, INT64_MAX); hugedone |= 8; }
static void huge_recv(void *a)
{
	(void)a;
	struct timeval tv = {10000000000L, 0};
	setsockopt(hugesock[0], SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
	char c;
	recv(hugesock[0], &c, 1, 0);
	hugedone |= 16;
}

int main(int argc, char **argv)
{
	if (argc != 3) {
		fprintf(stderr, "usage: races fork|gomaxprocs N\n");
		return 2;
	}
	n = atol(argv[2]);
	if (!strcmp(argv[1], "accept")) return accepts();
	if (!strcmp(argv[1], "pollintr")) return pollintr();
	if (!strcmp(argv[1], "emfile")) return emfile();
	if (!strcmp(argv[1], "hugetimeouts")) {
		if (pipe(hugepipe) || socketpair(AF_UNIX, SOCK_STREAM, 0, hugesock)) return perror("setup"), 1;
		void (*fs[])(void *) = {huge_sleep, huge_after, huge_ticker, huge_poll, huge_recv};
		for (int i = 0; i < 5; i++) gort_go(fs[i], NULL);
		gort_sleep(n * 1000000);
		printf("%s hugetimeouts: ended=%d\n", hugedone ? "FAIL" : "ok", (int)hugedone);
		exit(0);
	}
	if (!strcmp(argv[1], "sigsend")) {
		alarm(30);
		sigc = gort_chan_make(sizeof(long), 0);
		pingc = gort_chan_make(sizeof(long), 0);
		pongc = gort_chan_make(sizeof(long), 0);
		struct sigaction sa = {.sa_handler = onusr1, .sa_flags = SA_RESTART};
		sigemptyset(&sa.sa_mask);
		sigaction(SIGUSR1, &sa, NULL);
		gort_wg_add(&wg, 5);
		gort_go(sigreceiver, NULL);
		for (int i = 0; i < 2; i++) gort_go(pinger, NULL), gort_go(ponger, NULL);
		pthread_t t;
		pthread_create(&t, NULL, signaller, NULL);
		pthread_join(t, NULL); /* main's thread: the handler lands on Ms */
		gort_sleep(50000000);
		long zero = 0;
		gort_chan_send(sigc, &zero);
		gort_wg_wait(&wg);
		printf("%s sigsend: sent=%d received_all=%d\n", sigsent > 0 && sigsent == sigrecv ? "ok" : "FAIL",
		       sigsent > 0, sigsent == sigrecv);
		return 0;
	}
	if (!strcmp(argv[1], "foreign")) {
		alarm(20);
		fch = gort_chan_make(sizeof(long), 0);
		pthread_t t;
		pthread_create(&t, NULL, foreigner, (void *)n);
		pthread_detach(t);
		long v = 0;
		gort_chan_recv(fch, &v);
		printf("ok received=%ld\n", v);
		return 0;
	}
	if (!strcmp(argv[1], "fatalrace")) {
		gort_chan *c = gort_chan_make(1, 0);
		gort_chan_close(c);
		for (long i = 0; i < n; i++) gort_go(closer, c);
		gort_sleep(1000000);
		go_now = 1;
		for (volatile int i = 0; i < (int)(n * 1000); i++) {
		}
		return 0;
	}
	if (!strcmp(argv[1], "apiloop")) {
		alarm(20);
		gort_chan *c = gort_chan_make(sizeof(long), 1);
		gort_wg_add(&wg, 1);
		gort_go(apiloop, c);
		for (long i = 0; i < n; i++) gort_sleep(10000000);
		stop = 1;
		gort_wg_wait(&wg);
		printf("ok sleeps=%ld\n", n);
		return 0;
	}
	if (!strcmp(argv[1], "preempt")) {
		gort_gomaxprocs(2);
		gort_gomaxprocs(1);
		gort_gomaxprocs(2);
		gort_gomaxprocs(1);
		gort_wg_add(&wg, 1);
		gort_go(hotloop, NULL);
		for (long i = 0; i < n; i++) gort_sleep(10000000);
		stop = 1;
		gort_wg_wait(&wg);
		gort_wg_add(&wg, 2);
		gort_go(taker, (void *)0L);
		gort_go(taker, (void *)1L);
		gort_wg_wait(&wg);
		printf("ok sleeps=%ld\n", n);
		return 0;
	}
	gort_waitgroup spin = GORT_WAITGROUP_INIT;
	(void)spin;
	void (*fn)(void *) = !strcmp(argv[1], "fork") ? forker : changer;
	gort_wg_add(&wg, 2);
	gort_go(fn, (void *)1L);
	gort_go(fn, (void *)2L);
	gort_wg_wait(&wg);
	gort_wg_add(&wg, 1);
	stop = 0;
	gort_go(spinner, NULL);
	stop = 1;
	gort_wg_wait(&wg);
	if (fn == forker) printf("ok forks=%ld\n", (long)forks);
	else printf("ok changes=%ld\n", (long)changes);
	return 0;
}
