/* blocking: system calls gort does not hook, from goroutines at
 * GOMAXPROCS=1 (test/e2e/e2e_races.c, issue #17 item 0): none may hold the
 * only P while it waits in the kernel.
 *
 *   blocking fgets N    N goroutines each fgets a line from its own pipe
 *                       (stdio's read is the libc's internal call); main
 *                       writes the lines after 100 ms
 *   blocking waitpid N  N goroutines each fork+exec `sleep 0.2` and
 *                       waitpid for it; prints the wall time
 *   blocking spawnwait N  N goroutines each posix_spawn `sleep 0.3` and
 *                       waitpid/wait4/waitid (in turn) for it: parks only
 *                       the goroutine (pidfd, issue #17 item 3); prints
 *                       the threads the process has at the end
 *   blocking raw N      a goroutine in syscall(SYS_read) on an empty pipe
 *                       while a ticker must tick N times (10 ms period);
 *                       then main writes and the read returns its byte
 *   blocking rawfull N  N goroutines in syscall(SYS_read) while another
 *                       holds every descriptor the limit (64) allows for
 *                       200 ms, then writes to their pipes
 *   blocking longjmp N  N goroutines each probe an unmapped address under
 *                       a SIGSEGV handler that siglongjmps back (the
 *                       handler never returns), then read a pipe main
 *                       writes to after 50 ms: the reads park only the
 *                       goroutine (they blocked the thread, hooks off,
 *                       and at GOMAXPROCS=1 hung)
 * Prints "ok ..." and exits 0. */
#include <errno.h>
#include <setjmp.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <gort.h>

static gort_waitgroup wg = GORT_WAITGROUP_INIT;
static long n;
static FILE **files;
static _Atomic long good;

static void liner(void *arg)
{
	long i = (long)arg;
	char line[64], want[64];
	snprintf(want, sizeof want, "line %ld\n", i);
	if (fgets(line, sizeof line, files[i]) && !strcmp(line, want)) good++;
	gort_wg_done(&wg);
}

static void waiter(void *arg)
{
	(void)arg;
	pid_t pid = fork();
	if (pid == 0) {
		execl("/bin/sleep", "sleep", "0.2", (char *)NULL);
		_exit(127);
	}
	int st;
	if (pid > 0 && waitpid(pid, &st, 0) == pid && WIFEXITED(st) && WEXITSTATUS(st) == 0) good++;
	gort_wg_done(&wg);
}

extern char **environ;
static void spawnwaiter(void *arg)
{
	long i = (long)arg;
	char *argv[] = {"sleep", "0.3", NULL};
	pid_t pid;
	if (posix_spawn(&pid, "/bin/sleep", NULL, NULL, argv, environ) != 0) goto out;
	int st = -1;
	if (i % 3 == 0) {
		if (waitpid(pid, &st, 0) != pid) goto out;
	} else if (i % 3 == 1) {
		struct rusage ru;
		if (wait4(pid, &st, 0, &ru) != pid) goto out;
	} else {
		siginfo_t si;
		if (waitid(P_PID, (id_t)pid, &si, WEXITED) != 0 || si.si_pid != pid || si.si_code != CLD_EXITED)
			goto out;
		st = si.si_status << 8;
	}
	if (WIFEXITED(st) && WEXITSTATUS(st) == 0) good++;
out:
	gort_wg_done(&wg);
}

static long threads(void)
{
	FILE *f = fopen("/proc/self/status", "r");
	char line[256];
	long t = -1;
	while (f && fgets(line, sizeof line, f))
		if (!strncmp(line, "Threads:", 8)) t = atol(line + 8);
	if (f) fclose(f);
	return t;
}

static int rawp[2];
static char rawbyte;
static void rawreader(void *arg)
{
	(void)arg;
	long r = syscall(SYS_read, rawp[0], &rawbyte, 1);
	if (r == 1) good++;
	gort_wg_done(&wg);
}

static int ljp[2];
static __thread sigjmp_buf *probejb; /* the probing goroutine's, while it probes (one thread) */
static void onsegv(int sig)
{
	(void)sig;
	siglongjmp(*probejb, 1);
}

/* probe: is addr readable? A fault jumps back from the handler. */
static int probe(volatile const char *addr)
{
	sigjmp_buf jb;
	gort_lockosthread(); /* the handler finds jb through this thread */
	probejb = &jb;
	volatile int ok = 0;
	if (sigsetjmp(jb, 1) == 0) {
		(void)*addr;
		ok = 1;
	}
	probejb = NULL;
	gort_unlockosthread();
	return ok;
}

static void prober(void *arg)
{
	(void)arg;
	static const char *volatile unmapped = (const char *)16;
	int bad = probe(unmapped);
	char c = 0;
	ssize_t r = read(ljp[0], &c, 1);
	if (!bad && r == 1 && c == 'x') good++;
	gort_wg_done(&wg);
}

/* rawfull: a goroutine takes every descriptor the limit allows, starts N
 * goroutines that block in raw reads, holds the descriptors 200 ms, closes
 * them and writes to the readers' pipes. sysmon cannot open the threads'
 * /proc files meanwhile (sysblock.c asks blind). */
static int (*fullp)[2];
static int hogfull;
static void fullreader(void *arg)
{
	long i = (long)arg;
	char c = 0;
	if (syscall(SYS_read, fullp[i][0], &c, 1) == 1 && c == 'x') good++;
	gort_wg_done(&wg);
}
static void hog(void *arg)
{
	(void)arg;
	int fds[256], k = 0;
	while (k + 2 <= 256 && pipe(fds + k) == 0) k += 2;
	hogfull = errno == EMFILE;
	gort_wg_add(&wg, n);
	for (long i = 0; i < n; i++) gort_go(fullreader, (void *)i);
	gort_sleep(200000000);
	while (k > 0) close(fds[--k]);
	for (long i = 0; i < n; i++)
		if (write(fullp[i][1], "x", 1) != 1) perror("write");
	gort_wg_done(&wg);
}

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
	if (argc != 3) {
		fprintf(stderr, "usage: blocking fgets|waitpid|spawnwait|raw|rawfull|longjmp N\n");
		return 2;
	}
	n = atol(argv[2]);
	double t0 = now_s();
	if (!strcmp(argv[1], "fgets")) {
		files = calloc((size_t)n, sizeof *files);
		int *wfd = calloc((size_t)n, sizeof *wfd);
		for (long i = 0; i < n; i++) {
			int p[2];
			if (pipe(p)) return perror("pipe"), 1;
			files[i] = fdopen(p[0], "r");
			wfd[i] = p[1];
		}
		gort_wg_add(&wg, n);
		for (long i = 0; i < n; i++) gort_go(liner, (void *)i);
		gort_sleep(100000000);
		for (long i = 0; i < n; i++) {
			char line[64];
			int k = snprintf(line, sizeof line, "line %ld\n", i);
			if (write(wfd[i], line, (size_t)k) != k) return perror("write"), 1;
		}
		gort_wg_wait(&wg);
	} else if (!strcmp(argv[1], "waitpid")) {
		gort_wg_add(&wg, n);
		for (long i = 0; i < n; i++) gort_go(waiter, NULL);
		gort_wg_wait(&wg);
	} else if (!strcmp(argv[1], "spawnwait")) {
		gort_wg_add(&wg, n);
		for (long i = 0; i < n; i++) gort_go(spawnwaiter, (void *)i);
		gort_wg_wait(&wg);
		printf("threads=%ld\n", threads());
	} else if (!strcmp(argv[1], "longjmp")) {
		struct sigaction sa = {.sa_handler = onsegv};
		sigemptyset(&sa.sa_mask);
		if (sigaction(SIGSEGV, &sa, NULL) || pipe(ljp)) return perror("setup"), 1;
		gort_wg_add(&wg, n);
		for (long i = 0; i < n; i++) gort_go(prober, NULL);
		gort_sleep(50000000);
		for (long i = 0; i < n; i++)
			if (write(ljp[1], "x", 1) != 1) return perror("write"), 1;
		gort_wg_wait(&wg);
	} else if (!strcmp(argv[1], "rawfull")) {
		struct rlimit rl = {64, 64};
		if (setrlimit(RLIMIT_NOFILE, &rl)) return perror("setrlimit"), 1;
		fullp = calloc((size_t)n, sizeof *fullp);
		for (long i = 0; i < n; i++)
			if (pipe(fullp[i])) return perror("pipe"), 1;
		gort_wg_add(&wg, 1);
		gort_go(hog, NULL);
		gort_wg_wait(&wg);
		if (!hogfull) printf("the hog did not reach EMFILE\n"), good = -1;
	} else if (!strcmp(argv[1], "raw")) {
		if (pipe(rawp)) return perror("pipe"), 1;
		gort_wg_add(&wg, 1);
		gort_go(rawreader, NULL);
		gort_ticker *tk = gort_ticker_new(10000000);
		int64_t v;
		for (long i = 0; i < n; i++) gort_chan_recv(gort_ticker_chan(tk), &v);
		gort_ticker_stop(tk);
		if (write(rawp[1], "x", 1) != 1) return perror("write"), 1;
		gort_wg_wait(&wg);
		n = 1;
	} else {
		return 2;
	}
	printf("ok %s good=%ld of %ld seconds=%.2f\n", argv[1], (long)good, n, now_s() - t0);
	return good == n ? 0 : 1;
}
