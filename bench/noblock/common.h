/* common.h: what bench/noblock's workloads (children.c, files.c,
 * lookups.c, stdio.c) share: the thread count, a millisecond clock, and the sort
 * of round times. */
#ifndef GORT_BENCH_NOBLOCK_COMMON_H
#define GORT_BENCH_NOBLOCK_COMMON_H
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* threads: the process's thread count now (/proc/self/status). */
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

static double now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static int cmpd(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}
/* run_readers: n workers at once, each calling one(i) for its i, as
 * goroutines (a gort build only) or as pthreads with 128 KiB stacks (th
 * holding n); returns when all are done, 0 or an exit status. */
#ifdef GORT
#include <gort.h>
#endif
#include <pthread.h>
static void (*reader_one)(long);
#ifdef GORT
static gort_waitgroup reader_wg = GORT_WAITGROUP_INIT;
static void greader(void *arg)
{
	reader_one((long)arg);
	gort_wg_done(&reader_wg);
}
#endif
static void *treader(void *arg)
{
	reader_one((long)arg);
	return NULL;
}
static inline int run_readers(int gort, long n, void (*one)(long), pthread_t *th)
{
	reader_one = one;
	if (gort) {
#ifdef GORT
		gort_wg_add(&reader_wg, n);
		for (long i = 0; i < n; i++) gort_go(greader, (void *)i);
		gort_wg_wait(&reader_wg);
		return 0;
#else
		return fprintf(stderr, "built without gort\n"), 2;
#endif
	}
	pthread_attr_t at;
	pthread_attr_init(&at);
	pthread_attr_setstacksize(&at, 128 * 1024);
	for (long i = 0; i < n; i++)
		if (pthread_create(&th[i], &at, treader, (void *)i)) return perror("pthread_create"), 1;
	for (long i = 0; i < n; i++) pthread_join(th[i], NULL);
	return 0;
}
#endif
