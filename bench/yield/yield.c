/* bench/yield/yield.c: the cost of a goroutine switch through the
 * scheduler. Two goroutines call gort_yield ITERS times each on
 * GOMAXPROCS=1, so they alternate: every gort_yield is one switch from one
 * goroutine to the other (through the scheduler's g0). Prints ns per
 * switch for each of REPS repetitions, the best and the median.
 *
 *   yield [ITERS=2000000] [REPS=5] [YIELDERS=2] [PROCS=1]
 *
 * YIELDERS=1 measures a lone yield: one goroutine with nothing else to
 * run (PROCS=2: the other P idle), the cost of asking.
 *
 * The Go twin is bench/yield/go/main.go (runtime.Gosched); the floor, a
 * bare register swap, is bench/yield/switch.c. */
#include <gort.h>
#include "../common/bench.h"

static gort_waitgroup wg = GORT_WAITGROUP_INIT;
static long iters;

static void yielder(void *arg)
{
	(void)arg;
	for (long i = 0; i < iters; i++) gort_yield();
	gort_wg_done(&wg);
}

int main(int argc, char **argv)
{
	iters = bench_arg(argc, argv, 1, 2000000);
	int reps = (int)bench_arg(argc, argv, 2, 5);
	double ns[64];
	int yielders = (int)bench_arg(argc, argv, 3, 2);
	int procs = (int)bench_arg(argc, argv, 4, 1);
	if (reps > 64) reps = 64;
	gort_gomaxprocs(procs);
	for (int r = 0; r < reps; r++) {
		gort_wg_add(&wg, yielders);
		int64_t t0 = bench_now();
		for (int y = 0; y < yielders; y++) gort_go(yielder, NULL);
		gort_wg_wait(&wg);
		ns[r] = (double)(bench_now() - t0) / (double)(yielders * iters);
		printf("rep=%d ns_per_switch=%.1f\n", r, ns[r]);
	}
	bench_sort(ns, reps);
	printf("yield iters=%ld reps=%d yielders=%d gomaxprocs=%d best_ns=%.2f median_ns=%.2f\n", iters, reps,
	       yielders, gort_gomaxprocs(0), ns[0], ns[reps / 2]);
	return 0;
}
