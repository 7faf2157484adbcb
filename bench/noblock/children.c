/* children.c: bench/noblock's child-process workload (issue #17 item 3):
 * N waiters each start `/bin/true` with posix_spawn and wait for it with
 * waitpid, all at once, REPS times; prints the wall time of each round and
 * the threads the process had at its peak.
 *
 *   children gort N REPS      N goroutines (the program is built with gortcc:
 *                             waitpid parks the goroutine on a pidfd)
 *   children pthread N REPS   N pthreads (built with the plain libc: each
 *                             blocks in waitpid)
 * Prints "children mode=M n=N best_ms=B median_ms=D threads=T". */
#include <pthread.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include "common.h"
#ifdef GORT
#include <gort.h>
#endif

extern char **environ;
static _Atomic long bad, peak;

static void one(void)
{
	char *argv[] = {"true", NULL};
	pid_t pid;
	int st;
	if (posix_spawn(&pid, "/bin/true", NULL, NULL, argv, environ) != 0 || waitpid(pid, &st, 0) != pid ||
	    !WIFEXITED(st) || WEXITSTATUS(st) != 0)
		bad++;
}

#ifdef GORT
static gort_waitgroup wg = GORT_WAITGROUP_INIT;
static void gwaiter(void *arg)
{
	(void)arg;
	one();
	gort_wg_done(&wg);
}
#endif
static void *twaiter(void *arg)
{
	(void)arg;
	one();
	return NULL;
}

int main(int argc, char **argv)
{
	if (argc != 4) return fprintf(stderr, "usage: children gort|pthread N REPS\n"), 2;
	int gort = !strcmp(argv[1], "gort");
	long n = atol(argv[2]), reps = atol(argv[3]);
	double *t = calloc((size_t)reps, sizeof *t);
	pthread_t *th = calloc((size_t)n, sizeof *th);
	for (long r = 0; r < reps; r++) {
		double t0 = now_ms();
		if (gort) {
#ifdef GORT
			gort_wg_add(&wg, n);
			for (long i = 0; i < n; i++) gort_go(gwaiter, NULL);
			long th_now = threads();
			if (th_now > peak) peak = th_now;
			gort_wg_wait(&wg);
#else
			return fprintf(stderr, "children: built without gort\n"), 2;
#endif
		} else {
			for (long i = 0; i < n; i++)
				if (pthread_create(&th[i], NULL, twaiter, NULL)) return perror("pthread_create"), 1;
			long th_now = threads();
			if (th_now > peak) peak = th_now;
			for (long i = 0; i < n; i++) pthread_join(th[i], NULL);
		}
		t[r] = now_ms() - t0;
		long th_now = threads();
		if (th_now > peak) peak = th_now;
	}
	if (bad) return fprintf(stderr, "children: %ld waits failed\n", (long)bad), 1;
	qsort(t, (size_t)reps, sizeof *t, cmpd);
	printf("children mode=%s n=%ld best_ms=%.1f median_ms=%.1f threads=%ld\n", argv[1], n, t[0], t[reps / 2],
	       (long)peak);
	return 0;
}
