/* bench/pingpong/pingpong.c: two goroutines exchange a value over two
 * unbuffered channels, ITERS round trips (a round trip = one send each
 * way), REPS times; prints ns per round trip, best and median. GOMAXPROCS
 * from the environment.
 *
 *   pingpong [ITERS=1000000] [REPS=5]
 *
 * The Go twin is bench/pingpong/go/main.go. */
#include <gort.h>
#include "../common/bench.h"

static gort_chan *ping, *pong;
static long iters;
static gort_waitgroup wg = GORT_WAITGROUP_INIT;

static void ponger(void *arg)
{
	(void)arg;
	long v;
	for (long i = 0; i < iters; i++) {
		gort_chan_recv(ping, &v);
		v++;
		gort_chan_send(pong, &v);
	}
	gort_wg_done(&wg);
}

int main(int argc, char **argv)
{
	iters = bench_arg(argc, argv, 1, 1000000);
	int reps = (int)bench_arg(argc, argv, 2, 5);
	double ns[64];
	if (reps > 64) reps = 64;
	ping = gort_chan_make(sizeof(long), 0);
	pong = gort_chan_make(sizeof(long), 0);
	for (int r = 0; r < reps; r++) {
		gort_wg_add(&wg, 1);
		int64_t t0 = bench_now();
		gort_go(ponger, NULL);
		long v = 0;
		for (long i = 0; i < iters; i++) {
			gort_chan_send(ping, &v);
			gort_chan_recv(pong, &v);
		}
		gort_wg_wait(&wg);
		ns[r] = (double)(bench_now() - t0) / (double)iters;
		if (v != iters) {
			fprintf(stderr, "pingpong: value %ld after %ld round trips\n", v, iters);
			return 1;
		}
		printf("rep=%d ns_per_roundtrip=%.1f\n", r, ns[r]);
	}
	bench_sort(ns, reps);
	printf("pingpong iters=%ld reps=%d gomaxprocs=%d best_ns=%.1f median_ns=%.1f\n", iters, reps,
	       gort_gomaxprocs(0), ns[0], ns[reps / 2]);
	return 0;
}
