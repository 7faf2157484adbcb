/* files.c: bench/noblock's regular-file workload (issue #17 item 2): N
 * readers each read their own SIZE KiB file with read() in 64 KiB pieces,
 * all at once, REPS rounds; before each round every file's pages are
 * dropped (posix_fadvise DONTNEED after fsync: a cold read without root).
 * Prints the wall time of the best and median round and the peak thread
 * count.
 *
 *   files gort DIR N SIZE_KIB REPS     N goroutines (built with gortcc: a
 *                                      cold read parks the goroutine, the
 *                                      blocking pool's threads wait)
 *   files pthread DIR N SIZE_KIB REPS  N pthreads (plain libc: each blocks)
 * Prints "files mode=M n=N best_ms=B median_ms=D threads=T". */
#include <fcntl.h>
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

static const char *dir;
static long size;
static _Atomic long bad, peak;

static void one(long i)
{
	char p[512];
	snprintf(p, sizeof p, "%s/bf%ld", dir, i);
	int fd = open(p, O_RDONLY);
	char *buf = malloc(65536);
	long got = 0;
	ssize_t r;
	while (fd >= 0 && (r = read(fd, buf, 65536)) > 0) got += r;
	if (got != size) bad++;
	if (fd >= 0) close(fd);
	free(buf);
	long t = threads();
	if (t > peak) peak = t;
}

static void drop(long n)
{
	char p[512];
	for (long i = 0; i < n; i++) {
		snprintf(p, sizeof p, "%s/bf%ld", dir, i);
		int fd = open(p, O_RDONLY);
		if (fd < 0) continue;
		posix_fadvise(fd, 0, 0, POSIX_FADV_DONTNEED);
		close(fd);
	}
}

int main(int argc, char **argv)
{
	if (argc != 6) return fprintf(stderr, "usage: files gort|pthread DIR N SIZE_KIB REPS\n"), 2;
	int gort = !strcmp(argv[1], "gort");
	dir = argv[2];
	long n = atol(argv[3]), reps = atol(argv[5]);
	size = atol(argv[4]) * 1024;
	char p[512], *buf = malloc(size);
	memset(buf, 'f', size);
	for (long i = 0; i < n; i++) {
		snprintf(p, sizeof p, "%s/bf%ld", dir, i);
		int fd = open(p, O_RDONLY);
		if (fd >= 0 && lseek(fd, 0, SEEK_END) == size) {
			close(fd);
			continue; /* made by an earlier process of this run */
		}
		if (fd >= 0) close(fd);
		fd = open(p, O_WRONLY | O_CREAT | O_TRUNC, 0644);
		if (fd < 0 || write(fd, buf, size) != size || fsync(fd) != 0) return perror("files: setup"), 1;
		close(fd);
	}
	double *t = calloc((size_t)reps, sizeof *t);
	pthread_t *th = calloc((size_t)n, sizeof *th);
	for (long r = 0; r < reps; r++) {
		drop(n);
		double t0 = now_ms();
		int e = run_readers(gort, n, one, th);
		if (e) return e;
		t[r] = now_ms() - t0;
	}
	if (bad) return fprintf(stderr, "files: %ld reads came up short\n", (long)bad), 1;
	qsort(t, (size_t)reps, sizeof *t, cmpd);
	printf("files mode=%s n=%ld best_ms=%.1f median_ms=%.1f threads=%ld\n", argv[1], n, t[0], t[reps / 2],
	       (long)peak);
	return 0;
}
