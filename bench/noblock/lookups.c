/* lookups.c: bench/noblock's name-lookup workload (issue #17 item 1): N
 * resolvers each getaddrinfo a name of their own, all at once, against the
 * DNS server the driver starts (test/hooks/progs/dnsd.c, answering after
 * 100 ms), REPS rounds (distinct names each round: no cache helps).
 *   lookups gort N REPS      N goroutines (gortcc: musl's resolver parks in
 *                            the hooked poll; glibc's runs on the pool)
 *   lookups pthread N REPS   N pthreads (plain libc)
 * Prints "lookups mode=M n=N best_ms=B median_ms=D threads=T". */
#include <netdb.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "common.h"
#ifdef GORT
#include <gort.h>
#endif

static _Atomic long bad, peak, round_;

static void one(long i)
{
	char name[64];
	snprintf(name, sizeof name, "r%ld-h%ld.gort.test", (long)round_, i);
	struct addrinfo hints = {.ai_family = AF_INET, .ai_socktype = SOCK_STREAM}, *res = NULL;
	if (getaddrinfo(name, NULL, &hints, &res) != 0 || !res) bad++;
	else freeaddrinfo(res);
	long t = threads();
	if (t > peak) peak = t;
}

#ifdef GORT
static gort_waitgroup wg = GORT_WAITGROUP_INIT;
static void gres(void *arg)
{
	one((long)arg);
	gort_wg_done(&wg);
}
#endif
static void *tres(void *arg)
{
	one((long)arg);
	return NULL;
}

int main(int argc, char **argv)
{
	if (argc != 4) return fprintf(stderr, "usage: lookups gort|pthread N REPS\n"), 2;
	int gort = !strcmp(argv[1], "gort");
	long n = atol(argv[2]), reps = atol(argv[3]);
	double *t = calloc((size_t)reps, sizeof *t);
	pthread_t *th = calloc((size_t)n, sizeof *th);
	for (long r = 0; r < reps; r++) {
		round_ = r;
		double t0 = now_ms();
		if (gort) {
#ifdef GORT
			gort_wg_add(&wg, n);
			for (long i = 0; i < n; i++) gort_go(gres, (void *)i);
			gort_wg_wait(&wg);
#else
			return fprintf(stderr, "lookups: built without gort\n"), 2;
#endif
		} else {
			pthread_attr_t at;
			pthread_attr_init(&at);
			pthread_attr_setstacksize(&at, 256 * 1024);
			for (long i = 0; i < n; i++)
				if (pthread_create(&th[i], &at, tres, (void *)i)) return perror("pthread_create"), 1;
			for (long i = 0; i < n; i++) pthread_join(th[i], NULL);
		}
		t[r] = now_ms() - t0;
	}
	if (bad) return fprintf(stderr, "lookups: %ld failed\n", (long)bad), 1;
	qsort(t, (size_t)reps, sizeof *t, cmpd);
	printf("lookups mode=%s n=%ld best_ms=%.1f median_ms=%.1f threads=%ld\n", argv[1], n, t[0], t[reps / 2],
	       (long)peak);
	return 0;
}
