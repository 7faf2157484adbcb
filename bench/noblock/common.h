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
#endif
