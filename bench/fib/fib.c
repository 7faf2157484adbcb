/* bench/fib/fib.c: fork-join parallelism. fib(N) where every call with
 * n > CUTOFF runs in its own goroutine: it starts a goroutine for each child
 * call above the cutoff (computing a child at or below it by plain
 * recursion) and joins them with a WaitGroup; 6,764 goroutines for fib(30)
 * with cutoff 12. Prints the wall time of each of REPS runs, the best and
 * the median, and the plain recursive fib(N) time for reference; exits 1
 * if a result is not fib(N) (832040 for 30).
 *
 *   fib [N=30] [REPS=50] [CUTOFF=12]     GOMAXPROCS from the environment
 *
 * The Go twin is bench/fib/go/main.go. */
#include <gort.h>
#include "../common/bench.h"

static int cutoff;

static __attribute__((noipa)) long fib(int n)
{
	return n < 2 ? n : fib(n - 1) + fib(n - 2);
}

/* calls(n): how many calls above the cutoff fib(n) makes: the goroutines. */
static long calls(int n)
{
	return n > cutoff ? 1 + calls(n - 1) + calls(n - 2) : 0;
}

struct job {
	int n;
	long r;
	gort_waitgroup *done;
};

static void pfib(void *arg)
{
	struct job *j = arg;
	gort_waitgroup wg = GORT_WAITGROUP_INIT;
	struct job c[2] = {{j->n - 1, 0, &wg}, {j->n - 2, 0, &wg}};
	for (int i = 0; i < 2; i++) {
		if (c[i].n > cutoff) {
			gort_wg_add(&wg, 1);
			gort_go(pfib, &c[i]);
		} else {
			c[i].r = fib(c[i].n);
		}
	}
	gort_wg_wait(&wg);
	j->r = c[0].r + c[1].r;
	if (j->done) gort_wg_done(j->done);
}

int main(int argc, char **argv)
{
	int n = (int)bench_arg(argc, argv, 1, 30);
	int reps = (int)bench_arg(argc, argv, 2, 50);
	cutoff = (int)bench_arg(argc, argv, 3, 12);
	double ms[256];
	if (reps > 256) reps = 256;
	long want = fib(n);
	for (int r = 0; r < reps; r++) {
		gort_waitgroup wg = GORT_WAITGROUP_INIT;
		struct job root = {n, 0, &wg};
		int64_t t0 = bench_now();
		if (n > cutoff) {
			gort_wg_add(&wg, 1);
			gort_go(pfib, &root);
			gort_wg_wait(&wg);
		} else {
			root.r = fib(n);
		}
		ms[r] = (double)(bench_now() - t0) / 1e6;
		if (root.r != want) {
			fprintf(stderr, "fib: fib(%d) = %ld, want %ld\n", n, root.r, want);
			return 1;
		}
	}
	double seq = 1e30;
	for (int r = 0; r < 5; r++) {
		int64_t t0 = bench_now();
		long v = fib(n);
		double t = (double)(bench_now() - t0) / 1e6;
		if (v != want) return 1;
		if (t < seq) seq = t;
	}
	bench_sort(ms, reps);
	printf("fib n=%d cutoff=%d reps=%d gomaxprocs=%d result=%ld goroutines=%ld best_ms=%.3f "
	       "median_ms=%.3f seq_ms=%.3f\n",
	       n, cutoff, reps, gort_gomaxprocs(0), want, calls(n), ms[0], ms[reps / 2], seq);
	return 0;
}
