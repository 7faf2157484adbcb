/* bench/common/bench.h: helpers shared by the C benchmarks (gort programs
 * and plain ones alike): a monotonic clock, sorting of samples, the
 * process's memory figures from /proc/self/status, and argument parsing.
 * Every benchmark prints its results as `key=value` words on one line per
 * measurement; the drivers (bench/<name>/run.sh) pick the words they need. */
#ifndef BENCH_H
#define BENCH_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static inline int64_t bench_now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static inline int bench_cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

/* bench_sort sorts v[0..n) ascending: v[0] is the best, v[n/2] the median. */
static inline void bench_sort(double *v, int n)
{
	qsort(v, (size_t)n, sizeof *v, bench_cmp_double);
}

/* bench_status_kb returns the value of a "Key:   123 kB" line of
 * /proc/self/status (VmRSS, VmPTE...), in bytes; -1 if absent. */
static inline long long bench_status_bytes(const char *key)
{
	FILE *f = fopen("/proc/self/status", "r");
	if (!f) return -1;
	char line[256];
	size_t kl = strlen(key);
	long long v = -1;
	while (fgets(line, sizeof line, f)) {
		if (strncmp(line, key, kl) == 0 && line[kl] == ':') {
			v = strtoll(line + kl + 1, NULL, 10) * 1024;
			break;
		}
	}
	fclose(f);
	return v;
}

/* bench_arg returns argv[i] as a number (k and M suffixes allowed), or def. */
static inline long bench_arg(int argc, char **argv, int i, long def)
{
	if (i >= argc) return def;
	char *end;
	long v = strtol(argv[i], &end, 10);
	if (*end == 'k' || *end == 'K') v *= 1000;
	else if (*end == 'M' || *end == 'm') v *= 1000000;
	if (v <= 0) {
		fprintf(stderr, "%s: bad argument '%s'\n", argv[0], argv[i]);
		exit(2);
	}
	return v;
}

#endif /* BENCH_H */
