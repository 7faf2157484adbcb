/* bench/mpmc/mpmc.c: many producers and consumers on one buffered channel
 * (contention on one channel's lock): PRODUCERS goroutines each send N
 * values into a channel of capacity 64, 8 consumers receive and sum them
 * until it is closed; REPS times; prints ns per value (send + receive),
 * best and median, and checks the sum. GOMAXPROCS from the environment.
 *
 *   mpmc [N=20000] [REPS=3] [PRODUCERS=100]
 *
 * The Go twin is bench/mpmc/go/main.go. */
#include <gort.h>
#include "../common/bench.h"

enum { CONSUMERS = 8 };
static gort_chan *c;
static long n;
static gort_waitgroup producers = GORT_WAITGROUP_INIT, consumers = GORT_WAITGROUP_INIT;
static long sums[CONSUMERS];

static void producer(void *arg)
{
	(void)arg;
	for (long i = 0; i < n; i++) gort_chan_send(c, &i);
	gort_wg_done(&producers);
}

static void consumer(void *arg)
{
	long *sum = arg, v, s = 0;
	while (gort_chan_recv(c, &v)) s += v;
	*sum = s;
	gort_wg_done(&consumers);
}

int main(int argc, char **argv)
{
	n = bench_arg(argc, argv, 1, 20000);
	int reps = (int)bench_arg(argc, argv, 2, 3);
	long np = bench_arg(argc, argv, 3, 100);
	double ns[64];
	if (reps > 64) reps = 64;
	for (int r = 0; r < reps; r++) {
		c = gort_chan_make(sizeof(long), 64);
		int64_t t0 = bench_now();
		gort_wg_add(&producers, np);
		gort_wg_add(&consumers, CONSUMERS);
		for (long i = 0; i < np; i++) gort_go(producer, NULL);
		for (int i = 0; i < CONSUMERS; i++) gort_go(consumer, &sums[i]);
		gort_wg_wait(&producers);
		gort_chan_close(c);
		gort_wg_wait(&consumers);
		ns[r] = (double)(bench_now() - t0) / (double)(np * n);
		long total = 0;
		for (int i = 0; i < CONSUMERS; i++) total += sums[i];
		if (total != np * (n * (n - 1) / 2)) {
			fprintf(stderr, "mpmc: sum %ld, want %ld\n", total, np * (n * (n - 1) / 2));
			return 1;
		}
		gort_chan_free(c);
		printf("rep=%d ns_per_value=%.1f\n", r, ns[r]);
	}
	bench_sort(ns, reps);
	printf("mpmc n=%ld producers=%ld consumers=%d reps=%d gomaxprocs=%d best_ns=%.1f median_ns=%.1f\n", n, np,
	       CONSUMERS, reps, gort_gomaxprocs(0), ns[0], ns[reps / 2]);
	return 0;
}
