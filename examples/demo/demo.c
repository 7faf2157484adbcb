/* demo: what `make run` shows. A C program booted by gort: init tasks run
 * before main, main is goroutine 1, and a fan-out of goroutines sums the
 * squares of 1..N while others sleep, all on GOMAXPROCS threads.
 *
 *   GODEBUG=inittrace=1,boottrace=1 build/demo     shows where start-up goes */
#include <stdio.h>
#include <stdlib.h>
#include <gort.h>

static long config_n;
static void config_init(void) { config_n = 100000; }
GORT_INIT(config, config_init);

static gort_waitgroup wg = GORT_WAITGROUP_INIT;
static gort_mutex mu = GORT_MUTEX_INIT;
static long long total;

struct part { long lo, hi; };

static void sum_squares(void *arg)
{
	struct part *p = arg;
	long long s = 0;
	for (long i = p->lo; i < p->hi; i++) s += (long long)i * i;
	gort_sleep(1000000); /* 1 ms: sleeping costs no thread */
	gort_mutex_lock(&mu);
	total += s;
	gort_mutex_unlock(&mu);
	gort_wg_done(&wg);
}

int main(int argc, char **argv)
{
	long n = argc > 1 ? atol(argv[1]) : config_n;
	enum { PARTS = 1000 };
	static struct part parts[PARTS];
	printf("main runs as goroutine %ld on %d Ps\n", (long)gort_goid(), gort_gomaxprocs(0));
	int64_t t0 = gort_nanotime();
	gort_wg_add(&wg, PARTS);
	for (int i = 0; i < PARTS; i++) {
		parts[i].lo = 1 + n * i / PARTS;
		parts[i].hi = 1 + n * (i + 1) / PARTS;
		gort_go(sum_squares, &parts[i]);
	}
	printf("%ld goroutines running\n", (long)gort_numgoroutine());
	gort_wg_wait(&wg);
	long long want = (long long)n * (n + 1) * (2 * n + 1) / 6;
	printf("sum of squares 1..%ld = %lld (%s), %d goroutines, %.1f ms\n", n, total,
	       total == want ? "correct" : "WRONG", PARTS, (gort_nanotime() - t0) / 1e6);
	return total == want ? 0 : 1;
}
