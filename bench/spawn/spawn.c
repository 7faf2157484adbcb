/* bench/spawn/spawn.c: goroutine creation. Creates, runs and joins N
 * trivial goroutines (each only calls gort_wg_done on one WaitGroup), REPS
 * times in the same process; prints the time per goroutine of each
 * repetition's create+run+join, the best and the median.
 *
 *   spawn [N=1000000] [REPS=5]          GOMAXPROCS from the environment
 *
 * The Go twin is bench/spawn/go/main.go (go func() { wg.Done() }()). */
#include <gort.h>
#include "../common/bench.h"

static gort_waitgroup wg = GORT_WAITGROUP_INIT;

static void trivial(void *arg)
{
	(void)arg;
	gort_wg_done(&wg);
}

int main(int argc, char **argv)
{
	long n = bench_arg(argc, argv, 1, 1000000);
	int reps = (int)bench_arg(argc, argv, 2, 5);
	double ns[64];
	if (reps > 64) reps = 64;
	for (int r = 0; r < reps; r++) {
		int64_t t0 = bench_now();
		gort_wg_add(&wg, n);
		for (long i = 0; i < n; i++) gort_go(trivial, NULL);
		gort_wg_wait(&wg);
		ns[r] = (double)(bench_now() - t0) / (double)n;
		printf("rep=%d ns_per_goroutine=%.1f\n", r, ns[r]);
	}
	bench_sort(ns, reps);
	printf("spawn n=%ld reps=%d gomaxprocs=%d best_ns=%.1f median_ns=%.1f\n", n, reps,
	       gort_gomaxprocs(0), ns[0], ns[reps / 2]);
	return 0;
}
