/* timeouts: every call that waits with a timeout, given one too large to
 * reach (test/e2e/e2e_chan.c, issue #20 item 7). Each call runs in its own
 * goroutine (gort_poll once more on a thread gort did not create) on a
 * descriptor that never becomes ready; main waits 300 ms, prints "still
 * waiting: N calls" and exits. A call that returns prints "NAME returned
 * ...": now + timeout overflowed into the past and it timed out at once.
 *
 *   timeouts plain     as it is
 *   timeouts handler   with a SIGUSR1 handler installed, which sends the
 *                      sleeps and the waits with SO_RCVTIMEO through the
 *                      paths a signal can interrupt (netpoll.c)
 * A 10 s alarm ends a hang. */
#define _GNU_SOURCE
#include <errno.h>
#include <limits.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/select.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>
#include <gort.h>

#define HUGE_SEC 10000000000LL /* 10^10 s: 10^19 ns overflows an int64_t */

static int rd;       /* a pipe's read end: never readable */
static int sk[2];    /* a socket pair: sk[0] never readable */
static int full[2];  /* a socket pair: full[0] never writable */
static int lsn;      /* a listening socket: nobody connects */
static int64_t start;

static void returned(const char *name, long r)
{
	printf("%s returned %ld (%s) after %ld ms\n", name, r, r < 0 ? strerror(errno) : "-",
	       (long)((gort_nanotime() - start) / 1000000));
	fflush(stdout);
}

static void c_gort_sleep(void *a) { (void)a; gort_sleep(INT64_MAX); returned("gort_sleep", 0); }
static void c_gort_after(void *a)
{
	(void)a;
	int64_t t;
	gort_chan_recv(gort_after(INT64_MAX), &t);
	returned("gort_after", 0);
}
static void c_gort_ticker(void *a)
{
	(void)a;
	int64_t t;
	gort_chan_recv(gort_ticker_chan(gort_ticker_new(INT64_MAX)), &t);
	returned("gort_ticker_new", 0);
}
static void c_gort_poll(void *a) { (void)a; returned("gort_poll", gort_poll(rd, POLLIN, INT64_MAX)); }
static void c_nanosleep(void *a)
{
	(void)a;
	struct timespec ts = {LONG_MAX, 999999999};
	returned("nanosleep", nanosleep(&ts, NULL));
}
static void c_clock_nanosleep_rel(void *a)
{
	(void)a;
	struct timespec ts = {LONG_MAX, 999999999};
	returned("clock_nanosleep", -clock_nanosleep(CLOCK_MONOTONIC, 0, &ts, NULL));
}
static void c_clock_nanosleep_abs(void *a)
{
	(void)a;
	struct timespec ts = {LONG_MAX, 999999999};
	returned("clock_nanosleep TIMER_ABSTIME", -clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL));
}
static void c_sleep(void *a) { (void)a; returned("sleep", sleep(UINT_MAX)); }
static void c_usleep(void *a) { (void)a; returned("usleep", usleep(UINT_MAX)); }
static void c_poll(void *a)
{
	(void)a;
	struct pollfd p = {rd, POLLIN, 0};
	returned("poll", poll(&p, 1, INT_MAX));
}
static void c_ppoll(void *a)
{
	(void)a;
	struct pollfd p = {rd, POLLIN, 0};
	struct timespec ts = {HUGE_SEC, 0};
	returned("ppoll", ppoll(&p, 1, &ts, NULL));
}
static void c_select(void *a)
{
	(void)a;
	fd_set s;
	FD_ZERO(&s);
	FD_SET(rd, &s);
	struct timeval tv = {HUGE_SEC, 0};
	returned("select", select(rd + 1, &s, NULL, NULL, &tv));
}
static void c_pselect(void *a)
{
	(void)a;
	fd_set s;
	FD_ZERO(&s);
	FD_SET(rd, &s);
	struct timespec ts = {HUGE_SEC, 0};
	returned("pselect", pselect(rd + 1, &s, NULL, NULL, &ts, NULL));
}
static void c_epoll_wait(void *a)
{
	(void)a;
	int ep = epoll_create1(EPOLL_CLOEXEC);
	struct epoll_event ev = {.events = EPOLLIN, .data.fd = rd}, out;
	epoll_ctl(ep, EPOLL_CTL_ADD, rd, &ev);
	returned("epoll_wait", epoll_wait(ep, &out, 1, INT_MAX));
}
static void c_recv(void *a) { (void)a; char b; returned("recv SO_RCVTIMEO", recv(sk[0], &b, 1, 0)); }
static void c_read(void *a) { (void)a; char b; returned("read SO_RCVTIMEO", read(sk[0], &b, 1)); }
static void c_send(void *a) { (void)a; char b = 0; returned("send SO_SNDTIMEO", send(full[0], &b, 1, 0)); }
static void c_accept(void *a) { (void)a; returned("accept SO_RCVTIMEO", accept(lsn, NULL, NULL)); }

/* gort_poll where no goroutine runs: poll(2) in milliseconds, 2^32 of
 * them (49.7 days), which an int truncates to 0. */
static void *thread_gort_poll(void *a)
{
	(void)a;
	returned("gort_poll (thread)", gort_poll(rd, POLLIN, (1LL << 32) * 1000000));
	return NULL;
}

static void onusr1(int s) { (void)s; }

static void die(const char *what)
{
	perror(what);
	exit(1);
}

/* timeouts mix: 400 goroutines x 40 rounds of a random timed wait: a
 * sleep (0-3 ms), a read with a deadline on a pipe that another goroutine
 * writes to before or after it (the timer stopped from the middle of the
 * P's timers, or firing), or a ticker's three ticks and its stop; while
 * main changes GOMAXPROCS (timers moved between Ps). Every wait must last
 * at least what it asked for and every goroutine must finish: prints
 * "mix: ok=1 early=0 n=N". Timers of one duration started one after the
 * other go on the FIFOs beside the heap (runtime/time.c), the rest on the
 * heap: both, and the stops in between, are exercised. */
#define MIXG 400
#define MIXR 40
static _Atomic long mixearly, mixdone, mixops;
static gort_waitgroup mixwg = GORT_WAITGROUP_INIT;
static unsigned mixrand(unsigned *s) { return *s = *s * 1103515245u + 12345u, (*s >> 8) & 0xffff; }
struct mixw {
	int fd;
	int64_t ns;
};
static void mixwriter(void *a)
{
	struct mixw *w = a;
	gort_sleep(w->ns);
	(void)!write(w->fd, "x", 1);
	free(w);
}
static void mixer(void *a)
{
	unsigned seed = (unsigned)(long)a * 2654435761u;
	int p[2];
	if (pipe(p)) die("pipe");
	for (int r = 0; r < MIXR; r++) {
		unsigned k = mixrand(&seed) % 3;
		int64_t d = (int64_t)(mixrand(&seed) % 3000) * 1000 + 1000;
		int64_t t0 = gort_nanotime();
		if (k == 0) {
			gort_sleep(d);
			if (gort_nanotime() - t0 < d) {
				mixearly++;
				fprintf(stderr, "sleep: %ld ns of %ld\n", (long)(gort_nanotime() - t0), (long)d);
			}
		} else if (k == 1) {
			struct mixw *w = malloc(sizeof *w);
			w->fd = p[1];
			w->ns = (int64_t)(mixrand(&seed) % 4000) * 1000 + 1;
			gort_go(mixwriter, w);
			char c;
			ssize_t n = gort_read_deadline(p[0], &c, 1, t0 + d);
			if (n < 0 && gort_nanotime() - t0 < d) {
				mixearly++;
				fprintf(stderr, "deadline: %ld ns of %ld\n", (long)(gort_nanotime() - t0), (long)d);
			}
			if (n < 0) { /* the writer's byte is still to come: take it */
				if (gort_read(p[0], &c, 1) != 1) die("mix read");
			}
		} else {
			gort_ticker *t = gort_ticker_new(d / 4 + 1);
			int64_t v[3], at[3];
			for (int i = 0; i < 3; i++) gort_chan_recv(gort_ticker_chan(t), &v[i]), at[i] = gort_nanotime();
			if (gort_nanotime() - t0 < 3 * (d / 4 + 1)) {
				mixearly++;
				fprintf(stderr, "ticker: 3 ticks of %ld ns in %ld: sent at %ld %ld %ld, received at %ld %ld %ld\n",
					(long)(d / 4 + 1), (long)(gort_nanotime() - t0), (long)(v[0] - t0), (long)(v[1] - t0),
					(long)(v[2] - t0), (long)(at[0] - t0), (long)(at[1] - t0), (long)(at[2] - t0));
			}
			gort_ticker_stop(t);
		}
		mixops++;
	}
	close(p[0]);
	close(p[1]);
	mixdone++;
	gort_wg_done(&mixwg);
}
static int mix(void)
{
	gort_wg_add(&mixwg, MIXG);
	for (long i = 0; i < MIXG; i++) gort_go(mixer, (void *)i);
	for (int i = 0; mixdone < MIXG && i < 40; i++) {
		gort_sleep(5 * 1000000LL);
		gort_gomaxprocs(1 + i % 3);
	}
	gort_wg_wait(&mixwg);
	printf("mix: ok=%d early=%ld n=%ld\n", mixdone == MIXG && mixops == MIXG * MIXR, (long)mixearly, (long)mixops);
	return 0;
}

int main(int argc, char **argv)
{
	alarm(10);
	if (argc > 1 && !strcmp(argv[1], "mix")) return mix();
	if (argc > 1 && !strcmp(argv[1], "handler")) {
		struct sigaction sa = {.sa_handler = onusr1};
		if (sigaction(SIGUSR1, &sa, NULL)) die("sigaction");
	}
	int p[2];
	if (pipe(p)) die("pipe");
	rd = p[0];
	struct timeval huge = {HUGE_SEC, 0};
	if (socketpair(AF_UNIX, SOCK_STREAM, 0, sk) || socketpair(AF_UNIX, SOCK_STREAM, 0, full)) die("socketpair");
	if (setsockopt(sk[0], SOL_SOCKET, SO_RCVTIMEO, &huge, sizeof huge)) die("SO_RCVTIMEO");
	if (setsockopt(full[0], SOL_SOCKET, SO_SNDTIMEO, &huge, sizeof huge)) die("SO_SNDTIMEO");
	static char junk[65536];
	while (send(full[0], junk, sizeof junk, MSG_DONTWAIT) > 0)
		;
	lsn = socket(AF_UNIX, SOCK_STREAM, 0);
	struct sockaddr_un sun = {.sun_family = AF_UNIX};
	snprintf(sun.sun_path + 1, sizeof sun.sun_path - 1, "gort-timeouts-%d", (int)getpid()); /* abstract */
	if (bind(lsn, (struct sockaddr *)&sun, sizeof sun) || listen(lsn, 1)) die("listen");
	if (setsockopt(lsn, SOL_SOCKET, SO_RCVTIMEO, &huge, sizeof huge)) die("SO_RCVTIMEO");

	void (*calls[])(void *) = {c_gort_sleep, c_gort_after, c_gort_ticker, c_gort_poll, c_nanosleep,
				   c_clock_nanosleep_rel, c_clock_nanosleep_abs, c_sleep, c_usleep, c_poll,
				   c_ppoll, c_select, c_pselect, c_epoll_wait, c_recv, c_read, c_send, c_accept};
	int n = sizeof calls / sizeof calls[0];
	start = gort_nanotime();
	for (int i = 0; i < n; i++) gort_go(calls[i], NULL);
	pthread_t t;
	if (pthread_create(&t, NULL, thread_gort_poll, NULL)) die("pthread_create");
	gort_sleep(300 * 1000000LL);
	printf("still waiting: %d calls\n", n + 1);
	fflush(stdout);
	exit(0);
}
