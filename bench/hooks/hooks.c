/* bench/hooks/hooks.c: the pipeio and sleepers workloads, written once with
 * gort's API and once with the plain libc calls that gort's hooks make
 * goroutine-aware (only the goroutine parks, not the thread). The hooks
 * work when the two reach the same figures. Goroutines are started with
 * gort_go and joined with a gort_waitgroup in every mode; only the blocking
 * calls differ.
 *
 *   hooks pipeio-gort|pipeio-libc     [N=1000]  [ROUNDS=100] [REPS=3]
 *   hooks sleepers-gort|sleepers-libc [N=10000] [K=10]       [REPS=3]
 *
 * pipeio (bench/pipeio/pipeio.c): N reader goroutines each read their own
 * pipe until EOF (gort_read, or read(2)); main writes one byte per pipe per
 * round for ROUNDS rounds (gort_write, or write(2)), then closes the pipes.
 * Wall time from the first write to the last reader done.
 * sleepers (bench/sleepers/sleepers.c): N goroutines each sleep 1 ms K
 * times (gort_sleep, or usleep(1000) and nanosleep(1 ms) in turn, so both
 * calls count). Wall time of the whole, floor K ms.
 *
 * Prints the wall time REPS times, then one result line
 * `hooks mode=... best_ms=... median_ms=...`. GOMAXPROCS from the
 * environment. Without the hooks the libc modes block threads: slow, or
 * stuck at GOMAXPROCS=1. A watchdog (alarm, HOOKS_TIMEOUT seconds, default
 * 30) then ends the process with status 124 and a message on stderr. */
#include <signal.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <gort.h>
#include "../common/bench.h"

static gort_waitgroup wg = GORT_WAITGROUP_INIT;
static int libc; /* 1: the plain libc calls */

/* ---- pipeio ---- */

struct reader { int fd; long got; };

static void reader(void *arg)
{
	struct reader *r = arg;
	char buf[128];
	ssize_t n;
	if (libc)
		while ((n = read(r->fd, buf, sizeof buf)) > 0) r->got += n;
	else
		while ((n = gort_read(r->fd, buf, sizeof buf)) > 0) r->got += n;
	gort_wg_done(&wg);
}

static int pipeio(long n, long rounds, int reps, double *ms)
{
	struct reader *rd = calloc(n, sizeof *rd);
	int *wfd = calloc(n, sizeof *wfd);
	if (!rd || !wfd) {
		perror("hooks: calloc");
		return 1;
	}
	for (int r = 0; r < reps; r++) {
		gort_wg_add(&wg, n);
		for (long i = 0; i < n; i++) {
			int p[2];
			if (pipe(p) < 0) {
				perror("hooks: pipe");
				return 1;
			}
			rd[i] = (struct reader){p[0], 0};
			wfd[i] = p[1];
			gort_go(reader, &rd[i]);
		}
		gort_sleep(1000000); /* let every reader park (not timed; both modes) */
		int64_t t0 = bench_now();
		for (long k = 0; k < rounds; k++)
			for (long i = 0; i < n; i++)
				if ((libc ? write(wfd[i], "x", 1) : gort_write(wfd[i], "x", 1)) != 1) {
					perror("hooks: write");
					return 1;
				}
		for (long i = 0; i < n; i++) close(wfd[i]);
		gort_wg_wait(&wg);
		ms[r] = (double)(bench_now() - t0) / 1e6;
		for (long i = 0; i < n; i++) {
			if (rd[i].got != rounds) {
				fprintf(stderr, "hooks: reader %ld got %ld bytes, want %ld\n", i, rd[i].got, rounds);
				return 1;
			}
			close(rd[i].fd);
		}
		printf("rep=%d wall_ms=%.2f\n", r, ms[r]);
		fflush(stdout);
	}
	free(rd);
	free(wfd);
	return 0;
}

/* ---- sleepers ---- */

static long k;

static void sleeper(void *arg)
{
	(void)arg;
	if (libc) {
		for (long i = 0; i < k; i++) {
			if (i & 1) {
				struct timespec ts = {0, 1000000};
				nanosleep(&ts, NULL);
			} else {
				usleep(1000);
			}
		}
	} else {
		for (long i = 0; i < k; i++) gort_sleep(1000000);
	}
	gort_wg_done(&wg);
}

static int sleepers(long n, int reps, double *ms)
{
	for (int r = 0; r < reps; r++) {
		gort_wg_add(&wg, n);
		int64_t t0 = bench_now();
		for (long i = 0; i < n; i++) gort_go(sleeper, NULL);
		gort_wg_wait(&wg);
		ms[r] = (double)(bench_now() - t0) / 1e6;
		printf("rep=%d wall_ms=%.2f\n", r, ms[r]);
		fflush(stdout);
	}
	return 0;
}

/* ---- watchdog ---- */

static char timeout_msg[160];
static size_t timeout_len;

/* Raw write and _exit: async-signal-safe, and whatever the hooks do with
 * write(2), this one never parks. */
static void on_alarm(int sig)
{
	(void)sig;
	syscall(SYS_write, 2, timeout_msg, timeout_len);
	_exit(124);
}

static void watchdog(const char *mode)
{
	const char *e = getenv("HOOKS_TIMEOUT");
	unsigned secs = e && *e ? (unsigned)strtoul(e, NULL, 10) : 30;
	if (secs == 0) return; /* HOOKS_TIMEOUT=0: no watchdog */
	int len = snprintf(timeout_msg, sizeof timeout_msg,
	                   "hooks: %s: timeout after %u s (threads blocked in libc calls?)\n", mode, secs);
	timeout_len = len < 0 ? 0 : (size_t)len < sizeof timeout_msg ? (size_t)len : sizeof timeout_msg - 1;
	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_alarm;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGALRM, &sa, NULL);
	alarm(secs);
}

int main(int argc, char **argv)
{
	const char *mode = argc > 1 ? argv[1] : "";
	int pipes;
	if (strcmp(mode, "pipeio-gort") == 0) pipes = 1, libc = 0;
	else if (strcmp(mode, "pipeio-libc") == 0) pipes = 1, libc = 1;
	else if (strcmp(mode, "sleepers-gort") == 0) pipes = 0, libc = 0;
	else if (strcmp(mode, "sleepers-libc") == 0) pipes = 0, libc = 1;
	else {
		fprintf(stderr, "usage: hooks pipeio-gort|pipeio-libc [N=1000] [ROUNDS=100] [REPS=3]\n"
		                "       hooks sleepers-gort|sleepers-libc [N=10000] [K=10] [REPS=3]\n");
		return 2;
	}
	long n = bench_arg(argc, argv, 2, pipes ? 1000 : 10000);
	long m = bench_arg(argc, argv, 3, pipes ? 100 : 10);
	int reps = (int)bench_arg(argc, argv, 4, 3);
	double ms[64];
	if (reps > 64) reps = 64;
	watchdog(mode);
	int rc;
	if (pipes) {
		rc = pipeio(n, m, reps, ms);
	} else {
		k = m;
		rc = sleepers(n, reps, ms);
	}
	if (rc) return rc;
	alarm(0);
	bench_sort(ms, reps);
	printf("hooks mode=%s n=%ld %s=%ld reps=%d gomaxprocs=%d best_ms=%.2f median_ms=%.2f\n", mode, n,
	       pipes ? "rounds" : "k", m, reps, gort_gomaxprocs(0), ms[0], ms[reps / 2]);
	return 0;
}
