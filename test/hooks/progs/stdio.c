/* stdio.c: the libc's stdio on pipes, sockets and terminals from
 * goroutines (issue #17 item 5, runtime/stdio.c). Plain C stdio; the
 * feeders and drainers that must run whatever the goroutines do are
 * pthreads (gort did not create them: their calls are the plain ones).
 *   stdio fgets N    N goroutines fgets a line each from their own pipe
 *                    (fdopen); a thread writes the lines after 100 ms:
 *                    "fgets: ok=1 n=N maxthreads=T ticks=K"
 *   stdio fullpipe   a goroutine printf's and fwrite's 256 KiB into a
 *                    pipe nobody reads for 200 ms: "fullpipe: ok=1
 *                    bytes=B ticks=K" (K: ticks while it waited)
 *   stdio semantics  getline, fread, fgets, fgetc on pipes and a
 *                    socketpair: EOF, ferror and errno, one line each;
 *                    EINTR with and without SA_RESTART
 *                    (the test compares them with GODEBUG=gorthooks=0)
 *   stdio shared N   N goroutines printf 200 lines each to stdout, a pipe
 *                    a thread drains slowly: "shared: ok=1 lines=L"
 *   stdio stdin      a goroutine fgets 3 lines of stdin, a pipe a thread
 *                    fills after 100 ms: "stdin: ok=1 ticks=K"
 *   stdio flushall   fflush(NULL) of a FILE whose pipe is full for 200 ms:
 *                    "flushall: ok=1 ticks=K" (flushone: fflush(f))
 *   stdio reuse      10 rounds of fgets on a pipe fed after 20 ms, then
 *                    fclose: each new pipe reuses the descriptor number:
 *                    "reuse: ok=1 ms=M"
 * The ticker goroutine ticks every millisecond: with GODEBUG=sysblockoff=1
 * it ticks through a wait only if the wait parked the goroutine alone. */
#include <errno.h>
#include <fcntl.h>
#include <gort.h>
#include "threads.h"
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

static gort_waitgroup wg = GORT_WAITGROUP_INIT;
static volatile int done;
static _Atomic long ticks, bad, maxthreads;


static void ticker(void *a)
{
	(void)a;
	while (!done) {
		gort_sleep(1000000);
		ticks++;
		long t = threads();
		if (t > maxthreads) maxthreads = t;
	}
}

static void ms_sleep(long ms)
{
	struct timespec ts = {ms / 1000, (ms % 1000) * 1000000};
	nanosleep(&ts, NULL);
}

/* ---- fgets N ---- */
static long nreaders;
static int (*pipes)[2];
static _Atomic long tickswait = -1;

static void fgets_reader(void *a)
{
	long i = (long)a;
	FILE *f = fdopen(pipes[i][0], "r");
	char line[64], want[64];
	snprintf(want, sizeof want, "line %ld\n", i);
	if (!f || !fgets(line, sizeof line, f) || strcmp(line, want)) bad++;
	if (f) fclose(f);
	gort_wg_done(&wg);
}

static void *fgets_feeder(void *a)
{
	(void)a;
	long t0 = ticks;
	ms_sleep(100);
	tickswait = ticks - t0;
	long th = threads(); /* the peak: every reader waits now */
	if (th > maxthreads) maxthreads = th;
	for (long i = 0; i < nreaders; i++) {
		char b[64];
		int n = snprintf(b, sizeof b, "line %ld\n", i);
		if (write(pipes[i][1], b, n) != n) bad++;
		close(pipes[i][1]);
	}
	return NULL;
}

static void run_fgets(long n)
{
	nreaders = n;
	pipes = calloc(n, sizeof *pipes);
	for (long i = 0; i < n; i++)
		if (pipe(pipes[i])) exit(3);
	gort_go(ticker, NULL);
	gort_wg_add(&wg, n);
	for (long i = 0; i < n; i++) gort_go(fgets_reader, (void *)i);
	pthread_t t;
	pthread_create(&t, NULL, fgets_feeder, NULL);
	gort_wg_wait(&wg);
	pthread_join(t, NULL);
	done = 1;
	printf("fgets: ok=%d n=%ld maxthreads=%ld ticks=%ld\n", bad == 0, n, (long)maxthreads, (long)tickswait);
}

/* ---- fullpipe ---- */
enum { FULLBYTES = 256 * 1024 };
static int fp[2];
static long drained;

static void pipe_writer(void *a)
{
	(void)a;
	FILE *w = fdopen(fp[1], "w");
	char chunk[1000];
	long k = 0;
	while (k < FULLBYTES) {
		if (k % 4 == 0) { /* a printf, then an fwrite */
			long n = FULLBYTES - k < 8 ? FULLBYTES - k : 8;
			char b[16];
			for (long j = 0; j < n; j++) b[j] = (char)('a' + (k + j) % 26);
			b[n] = 0;
			if (fprintf(w, "%s", b) != n) bad++;
			k += n;
			continue;
		}
		long n = FULLBYTES - k < (long)sizeof chunk ? FULLBYTES - k : (long)sizeof chunk;
		for (long j = 0; j < n; j++) chunk[j] = (char)('a' + (k + j) % 26);
		if (fwrite(chunk, 1, n, w) != (size_t)n) bad++;
		k += n;
	}
	if (fclose(w)) bad++;
	gort_wg_done(&wg);
}

static void *pipe_drainer(void *a)
{
	(void)a;
	long t0 = ticks;
	ms_sleep(200);
	tickswait = ticks - t0;
	char b[4096];
	ssize_t r;
	while ((r = read(fp[0], b, sizeof b)) > 0) {
		for (ssize_t j = 0; j < r; j++)
			if (b[j] != (char)('a' + (drained + j) % 26)) {
				bad++;
				break;
			}
		drained += r;
	}
	return NULL;
}

static void run_fullpipe(void)
{
	if (pipe(fp)) exit(3);
	gort_go(ticker, NULL);
	gort_sleep(5000000);
	gort_wg_add(&wg, 1);
	pthread_t t;
	pthread_create(&t, NULL, pipe_drainer, NULL);
	gort_go(pipe_writer, NULL);
	gort_wg_wait(&wg);
	pthread_join(t, NULL);
	done = 1;
	printf("fullpipe: ok=%d bytes=%ld ticks=%ld\n", bad == 0 && drained == FULLBYTES, drained, (long)tickswait);
}

/* ---- semantics ---- */
struct feed {
	int fd;
	const char *data;
	long delay_ms;
	bool shut; /* shutdown(SHUT_WR) rather than close */
};

static void feeder(void *a)
{
	struct feed *f = a;
	gort_sleep(f->delay_ms * 1000000);
	if (f->data && write(f->fd, f->data, strlen(f->data)) < 0) bad++;
	if (f->shut) shutdown(f->fd, SHUT_WR);
	else close(f->fd);
}

static void show(const char *what, long r, FILE *f, int err)
{
	printf("%s r=%ld eof=%d err=%d errno=%s\n", what, r, feof(f) != 0, ferror(f) != 0, err ? strerror(err) : "-");
}

/* A regular file: fread, ftell, fseek, fgets, appends and EOF, the file
 * offsets the libc keeps (reads go where read would send them). */
static void regular_file(void)
{
	char path[] = "/tmp/gort-stdio-XXXXXX";
	int fd = mkstemp(path);
	FILE *f = fdopen(fd, "w+");
	static char big[100000];
	for (size_t i = 0; i < sizeof big; i++) big[i] = (char)('A' + i % 23);
	size_t w = fwrite(big, 1, sizeof big, f);
	int fl = fflush(f);
	long pos = ftell(f);
	printf("file fwrite=%zu fflush=%d ftell=%ld lseek=%ld\n", w, fl, pos, (long)lseek(fd, 0, SEEK_CUR));
	rewind(f);
	static char back[100001];
	size_t r = fread(back, 1, sizeof back, f);
	printf("file fread=%zu same=%d ftell=%ld\n", r, r == sizeof big && !memcmp(back, big, r), ftell(f));
	show("  file", (long)r, f, 0);
	fseek(f, 46, SEEK_SET);
	char b[32];
	printf("file fgets at 46: %s\n", fgets(b, 10, f) ? b : "(null)");
	printf("file ftell=%ld lseek=%ld\n", ftell(f), (long)lseek(fd, 0, SEEK_CUR));
	fclose(f);
	f = fopen(path, "a+");
	fputs("tail\n", f);
	fflush(f);
	fseek(f, -5, SEEK_END);
	printf("file a+ fgets: %s", fgets(b, sizeof b, f) ? b : "(null)\n");
	int c = fgetc(f);
	printf("file a+ fgetc=%d feof=%d\n", c, feof(f) != 0);
	fclose(f);
	unlink(path);
}

/* A handler without SA_RESTART interrupts a waiting fgets (EINTR, the
 * FILE's error flag), one with it does not. The signal goes to the
 * reader's thread (the goroutine is locked to it): the libc's own read
 * must be the one interrupted when the hooks are off. */
static int ep[2];
static pthread_t reader_thread;
static volatile int caught;
static void on_usr1(int sig) { (void)sig; caught++; }
static void *eintr_feeder(void *a)
{
	(void)a;
	ms_sleep(60);
	pthread_kill(reader_thread, SIGUSR1);
	ms_sleep(60);
	if (write(ep[1], "late\n", 5) != 5) bad++;
	return NULL;
}
static void eintr(int flags)
{
	struct sigaction sa = {0};
	sa.sa_handler = on_usr1;
	sa.sa_flags = flags;
	sigaction(SIGUSR1, &sa, NULL);
	if (pipe(ep)) exit(3);
	FILE *f = fdopen(ep[0], "r");
	char b[64];
	gort_lockosthread();
	reader_thread = pthread_self();
	caught = 0;
	pthread_t t;
	pthread_create(&t, NULL, eintr_feeder, NULL);
	errno = 0;
	char *s = fgets(b, sizeof b, f);
	int e = errno;
	printf("eintr %s: %s", flags ? "SA_RESTART" : "no SA_RESTART", s ? b : "(null)\n");
	show("  eintr", s != NULL, f, s ? 0 : e);
	if (!s) {
		clearerr(f);
		s = fgets(b, sizeof b, f);
		printf("  then: %s", s ? b : "(null)\n");
	}
	printf("  caught=%d\n", caught);
	pthread_join(t, NULL);
	gort_unlockosthread();
	fclose(f);
	close(ep[1]);
	signal(SIGUSR1, SIG_DFL);
}

static void run_semantics(void)
{
	signal(SIGPIPE, SIG_IGN);
	int p[2];
	/* getline on a pipe: two lines, the second without newline, then EOF */
	pipe(p);
	struct feed f1 = {p[1], "abc\ndef", 50, false};
	gort_go(feeder, &f1);
	FILE *f = fdopen(p[0], "r");
	char *line = NULL;
	size_t cap = 0;
	for (int i = 0; i < 3; i++) {
		errno = 0;
		ssize_t r = getline(&line, &cap, f);
		int e = errno;
		if (r > 0 && line[r - 1] == '\n') line[r - 1] = 0;
		printf("getline %d: %s\n", i, r > 0 ? line : "(none)");
		show("  getline", r, f, r < 0 ? e : 0);
	}
	fclose(f);
	/* fread on a pipe: everything until EOF */
	pipe(p);
	struct feed f2 = {p[1], "0123456789abcdef", 50, false};
	gort_go(feeder, &f2);
	f = fdopen(p[0], "r");
	char buf[100] = "";
	size_t n = fread(buf, 1, sizeof buf, f);
	printf("fread: %.*s\n", (int)n, buf);
	show("  fread", (long)n, f, 0);
	fclose(f);
	/* fgets on a socketpair, then the peer's shutdown: EOF */
	int sv[2];
	socketpair(AF_UNIX, SOCK_STREAM, 0, sv);
	struct feed f3 = {sv[1], "hello\nworld\n", 50, true};
	gort_go(feeder, &f3);
	f = fdopen(sv[0], "r+");
	for (int i = 0; i < 3; i++) {
		char *s = fgets(buf, sizeof buf, f);
		printf("sock fgets %d: %s", i, s ? buf : "(null)\n");
		show("  sock", s != NULL, f, 0);
	}
	fclose(f);
	gort_sleep(60000000);
	close(sv[1]);
	/* fread on a socketpair that sends in two parts */
	socketpair(AF_UNIX, SOCK_STREAM, 0, sv);
	struct feed f4 = {sv[1], "part one, part two", 30, false};
	gort_go(feeder, &f4);
	f = fdopen(sv[0], "r");
	n = fread(buf, 1, 18, f);
	printf("sock fread: %.*s\n", (int)n, buf);
	show("  sock fread", (long)n, f, 0);
	fclose(f);
	/* O_NONBLOCK and empty: EAGAIN, ferror; clearerr, then data */
	pipe(p);
	fcntl(p[0], F_SETFL, O_NONBLOCK);
	f = fdopen(p[0], "r");
	errno = 0;
	int c = fgetc(f);
	show("nonblock fgetc", c, f, errno);
	clearerr(f);
	write(p[1], "z", 1);
	errno = 0;
	c = fgetc(f);
	show("nonblock again", c, f, errno);
	fclose(f);
	close(p[1]);
	/* a write to a pipe nobody can read: EPIPE, ferror */
	pipe(p);
	close(p[0]);
	f = fdopen(p[1], "w");
	errno = 0;
	int r = fputs("lost\n", f);
	int fl = fflush(f);
	int e = errno;
	printf("epipe fputs=%d fflush=%d\n", r >= 0, fl);
	show("  epipe", fl, f, e);
	fclose(f);
	/* a write to a full O_NONBLOCK pipe: EAGAIN, ferror */
	pipe(p);
	fcntl(p[1], F_SETFL, O_NONBLOCK);
	f = fdopen(p[1], "w");
	setvbuf(f, NULL, _IONBF, 0);
	static char big[200000];
	errno = 0;
	size_t w = fwrite(big, 1, sizeof big, f);
	e = errno;
	printf("nonblock fwrite short=%d\n", w < sizeof big);
	show("  nonblock fwrite", w > 0, f, e);
	fclose(f);
	close(p[0]);
	free(line);
	regular_file();
	eintr(0);
	eintr(SA_RESTART);
	printf("semantics: done bad=%ld\n", (long)bad);
}

/* ---- shared N ---- */
enum { LINES = 200, MAXG = 100 };
static int sp[2];
static long nwriters, lines;

static void shared_writer(void *a)
{
	long i = (long)a;
	for (int k = 0; k < LINES; k++)
		printf("g%02ld %04d %s\n", i, k, "the quick brown fox jumps over the lazy dog, twice over");
	gort_wg_done(&wg);
}

static void *shared_drainer(void *a)
{
	(void)a;
	int next[MAXG] = {0};
	char b[512], acc[1024];
	size_t have = 0;
	ssize_t r;
	ms_sleep(50);
	while ((r = read(sp[0], b, sizeof b)) > 0) {
		usleep(200); /* slowly: the writers fill the pipe */
		for (ssize_t j = 0; j < r; j++) {
			if (have == sizeof acc - 1) {
				bad++;
				have = 0;
			}
			acc[have++] = b[j];
			if (b[j] != '\n') continue;
			acc[have] = 0;
			long g;
			int k;
			char rest[200];
			if (sscanf(acc, "g%ld %d %199[^\n]", &g, &k, rest) != 3 || g < 0 || g >= nwriters ||
			    k != next[g] || strcmp(rest, "the quick brown fox jumps over the lazy dog, twice over")) {
				if (bad++ < 3) fprintf(stderr, "bad line: %s", acc);
			} else next[g]++;
			lines++;
			have = 0;
		}
	}
	return NULL;
}

static void run_shared(long n)
{
	nwriters = n > MAXG ? MAXG : n;
	fflush(stdout);
	int saved = dup(1);
	if (pipe(sp)) exit(3);
	dup2(sp[1], 1);
	close(sp[1]);
	pthread_t t;
	pthread_create(&t, NULL, shared_drainer, NULL);
	gort_wg_add(&wg, nwriters);
	for (long i = 0; i < nwriters; i++) gort_go(shared_writer, (void *)i);
	gort_wg_wait(&wg);
	fflush(stdout);
	dup2(saved, 1); /* the pipe's last writer is gone: the drainer sees EOF */
	pthread_join(t, NULL);
	printf("shared: ok=%d lines=%ld\n", bad == 0 && lines == nwriters * LINES, lines);
}

/* ---- stdin ---- */
static int ip[2];
static void *stdin_feeder(void *a)
{
	(void)a;
	long t0 = ticks;
	ms_sleep(100);
	tickswait = ticks - t0;
	const char *s = "one\ntwo\nthree\n";
	if (write(ip[1], s, strlen(s)) < 0) bad++;
	close(ip[1]);
	return NULL;
}
static void stdin_reader(void *a)
{
	(void)a;
	const char *want[] = {"one\n", "two\n", "three\n"};
	char b[64];
	for (int i = 0; i < 3; i++)
		if (!fgets(b, sizeof b, stdin) || strcmp(b, want[i])) bad++;
	if (fgets(b, sizeof b, stdin) || !feof(stdin)) bad++;
	gort_wg_done(&wg);
}
static void run_stdin(void)
{
	if (pipe(ip)) exit(3);
	dup2(ip[0], 0);
	close(ip[0]);
	gort_go(ticker, NULL);
	gort_sleep(5000000);
	gort_wg_add(&wg, 1);
	pthread_t t;
	pthread_create(&t, NULL, stdin_feeder, NULL);
	gort_go(stdin_reader, NULL);
	gort_wg_wait(&wg);
	pthread_join(t, NULL);
	done = 1;
	printf("stdin: ok=%d ticks=%ld\n", bad == 0, (long)tickswait);
}

/* ---- flushall ----
 * fflush(NULL) writes holding the libc's list of open files' lock, which a
 * fork takes with the world stopped: its writes must stay the plain calls
 * (the thread waits, no tick with sysblockoff=1), while fflush(f) parks. */
static FILE *fw;
static bool flush_all;
static void flusher(void *a)
{
	(void)a;
	static char big[100000];
	for (size_t j = 0; j < sizeof big; j++) big[j] = (char)('a' + j % 26); /* what pipe_drainer checks */
	if (fwrite(big, 1, sizeof big, fw) != sizeof big) bad++; /* buffered */
	if (fflush(flush_all ? NULL : fw)) bad++;
	gort_wg_done(&wg);
}
static void run_flush(bool all)
{
	static char vb[200000];
	flush_all = all;
	if (pipe(fp)) exit(3);
	fw = fdopen(fp[1], "w");
	setvbuf(fw, vb, _IOFBF, sizeof vb);
	gort_go(ticker, NULL);
	gort_sleep(5000000);
	gort_wg_add(&wg, 1);
	pthread_t t;
	pthread_create(&t, NULL, pipe_drainer, NULL);
	gort_go(flusher, NULL);
	gort_wg_wait(&wg);
	fclose(fw);
	pthread_join(t, NULL);
	done = 1;
	printf("%s: ok=%d ticks=%ld\n", all ? "flushall" : "flushone", bad == 0 && drained == 100000, (long)tickswait);
}

/* ---- reuse ----
 * fclose ends a descriptor the runtime waited on; the next pipe gets the
 * same number: its wait must see the new pipe at once. 10 rounds, each
 * fed after 20 ms. */
static int rp[2];
static void reuse_reader(void *a)
{
	FILE *f = a;
	char b[64];
	if (!fgets(b, sizeof b, f) || strcmp(b, "again\n")) bad++;
	if (fclose(f)) bad++;
	gort_wg_done(&wg);
}
static void *reuse_feeder(void *a)
{
	(void)a;
	ms_sleep(20);
	if (write(rp[1], "again\n", 6) != 6) bad++;
	close(rp[1]);
	return NULL;
}
static void run_reuse(void)
{
	struct timespec t0, t1;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	int first = -1;
	for (int k = 0; k < 10; k++) {
		if (pipe(rp)) exit(3);
		if (first < 0) first = rp[0];
		else if (rp[0] != first) bad++; /* the test needs the number back */
		FILE *f = fdopen(rp[0], "r");
		gort_wg_add(&wg, 1);
		pthread_t t;
		pthread_create(&t, NULL, reuse_feeder, NULL);
		gort_go(reuse_reader, f);
		gort_wg_wait(&wg);
		pthread_join(t, NULL);
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	long ms = (t1.tv_sec - t0.tv_sec) * 1000 + (t1.tv_nsec - t0.tv_nsec) / 1000000;
	printf("reuse: ok=%d ms=%ld\n", bad == 0, ms);
}

int main(int argc, char **argv)
{
	const char *what = argc > 1 ? argv[1] : "";
	long n = argc > 2 ? atol(argv[2]) : 0;
	if (!strcmp(what, "fgets")) run_fgets(n);
	else if (!strcmp(what, "fullpipe")) run_fullpipe();
	else if (!strcmp(what, "semantics")) run_semantics();
	else if (!strcmp(what, "shared")) run_shared(n);
	else if (!strcmp(what, "stdin")) run_stdin();
	else if (!strcmp(what, "flushall")) run_flush(true);
	else if (!strcmp(what, "reuse")) run_reuse();
	else if (!strcmp(what, "flushone")) run_flush(false);
	else {
		fprintf(stderr, "usage: stdio fgets N|fullpipe|semantics|shared N|stdin|flushall|flushone|reuse\n");
		return 2;
	}
	return 0;
}
