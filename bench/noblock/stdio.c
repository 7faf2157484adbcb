/* stdio.c: bench/noblock's stdio workload (issue #17 item 5): N readers
 * each fgets one line from their own pipe (fdopen), all at once; a feeder
 * thread writes every line once the readers had 10 ms to start waiting.
 * REPS rounds; prints the best and median round's wall time (10 ms of
 * which is the feeder's pause) and the peak thread count (sampled by the
 * feeder before it writes, when every reader waits, and by each reader).
 *
 *   stdio gort N REPS     N goroutines (gortcc: fgets parks the goroutine)
 *   stdio pthread N REPS  N pthreads (plain libc: each blocks its thread)
 * Prints "stdio mode=M n=N best_ms=B median_ms=D threads=T";
 * STDIO_BENCH_ROUNDS=1 also prints each round's time on stderr. */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include "common.h"
#ifdef GORT
#include <gort.h>
#endif

static long n;
static int (*pipes)[2];
static _Atomic long bad, peak;

static void sample(void)
{
	long t = threads();
	if (t > peak) peak = t;
}

static void one(long i)
{
	FILE *f = fdopen(pipes[i][0], "r");
	char line[128], want[128];
	snprintf(want, sizeof want, "line %ld of the stdio benchmark\n", i);
	if (!f || !fgets(line, sizeof line, f) || strcmp(line, want)) bad++;
	if (f) fclose(f);
	if (i % 64 == 0) sample();
}

static void *feeder(void *arg)
{
	(void)arg;
	struct timespec ts = {0, 10000000};
	nanosleep(&ts, NULL);
	sample();
	for (long i = 0; i < n; i++) {
		char b[128];
		int k = snprintf(b, sizeof b, "line %ld of the stdio benchmark\n", i);
		if (write(pipes[i][1], b, k) != k) bad++;
		close(pipes[i][1]);
	}
	return NULL;
}

int main(int argc, char **argv)
{
	if (argc != 4) return fprintf(stderr, "usage: stdio gort|pthread N REPS\n"), 2;
	int gort = !strcmp(argv[1], "gort");
	n = atol(argv[2]);
	long reps = atol(argv[3]);
	pipes = calloc((size_t)n, sizeof *pipes);
	double *t = calloc((size_t)reps, sizeof *t);
	pthread_t *th = calloc((size_t)n, sizeof *th);
	for (long r = 0; r < reps; r++) {
		for (long i = 0; i < n; i++)
			if (pipe(pipes[i])) return perror("stdio: pipe"), 1;
		double t0 = now_ms();
		pthread_t ft;
		if (pthread_create(&ft, NULL, feeder, NULL)) return perror("pthread_create"), 1;
		int e = run_readers(gort, n, one, th);
		if (e) return e;
		pthread_join(ft, NULL);
		t[r] = now_ms() - t0;
		if (getenv("STDIO_BENCH_ROUNDS")) fprintf(stderr, "round %ld: %.1f ms\n", r, t[r]);
	}
	if (bad) return fprintf(stderr, "stdio: %ld lines wrong\n", (long)bad), 1;
	qsort(t, (size_t)reps, sizeof *t, cmpd);
	printf("stdio mode=%s n=%ld best_ms=%.1f median_ms=%.1f threads=%ld\n", argv[1], n, t[0], t[reps / 2],
	       (long)peak);
	return 0;
}
