/* bench/sleepers/sleepers.c: N goroutines each sleep 1 ms K times (the
 * timers workload of issue #4: 10,000 x 10 x 1 ms); prints the wall time
 * of the whole, REPS times, best and median. Ideal: K ms plus the cost of
 * running N*K timers. GOMAXPROCS from the environment.
 *
 *   sleepers [N=10000] [K=10] [REPS=3]
 *
 * The Go twin is bench/sleepers/go/main.go (time.Sleep). */
#include <gort.h>
#include "../common/bench.h"

static gort_waitgroup wg = GORT_WAITGROUP_INIT;
static long k;

static void sleeper(void *arg)
{
	(void)arg;
	for (long i = 0; i < k; i++) gort_sleep(1000000);
	gort_wg_done(&wg);
}

int main(int argc, char **argv)
{
	long n = bench_arg(argc, argv, 1, 10000);
	k = bench_arg(argc, argv, 2, 10);
	int reps = (int)bench_arg(argc, argv, 3, 3);
	double ms[64];
	if (reps > 64) reps = 64;
	for (int r = 0; r < reps; r++) {
		gort_wg_add(&wg, n);
		int64_t t0 = bench_now();
		for (long i = 0; i < n; i++) gort_go(sleeper, NULL);
		gort_wg_wait(&wg);
		ms[r] = (double)(bench_now() - t0) / 1e6;
		printf("rep=%d wall_ms=%.2f\n", r, ms[r]);
	}
	bench_sort(ms, reps);
	printf("sleepers n=%ld k=%ld reps=%d gomaxprocs=%d best_ms=%.2f median_ms=%.2f\n", n, k, reps,
	       gort_gomaxprocs(0), ms[0], ms[reps / 2]);
	return 0;
}
