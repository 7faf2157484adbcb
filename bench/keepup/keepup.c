/* bench/keepup/keepup.c: do N sleepers keep up? N goroutines each sleep
 * 1 ms in a loop for S seconds; each wake-up's lateness (the time it woke
 * minus the time its sleep was due) goes into a histogram (10 us buckets,
 * the first 0.5 s, while the goroutines start, left out). Prints the
 * wake-ups per second and the lateness's p50, p99 and max. Issue #18:
 * 100,000 sleepers keep up at GOMAXPROCS=2 when p99 <= 2 ms.
 *
 *   keepup [N=100000] [S=3]          GOMAXPROCS from the environment
 *
 * The Go twin is bench/keepup/go/main.go (time.Sleep, time.Now). */
#include <gort.h>
#include <stdatomic.h>
#include "../common/bench.h"

enum { SHARDS = 16, BUCKETS = 10001, BUCKET_NS = 10000 }; /* the last: >= 100 ms */

static _Atomic uint32_t hist[SHARDS][BUCKETS];
static _Atomic int stop;
static int64_t recordfrom;
static gort_waitgroup wg = GORT_WAITGROUP_INIT;

static void sleeper(void *arg)
{
	_Atomic uint32_t *h = hist[(uintptr_t)arg % SHARDS];
	while (!atomic_load_explicit(&stop, memory_order_relaxed)) {
		int64_t due = bench_now() + 1000000;
		gort_sleep(1000000);
		int64_t now = bench_now();
		if (now < recordfrom) continue;
		int64_t b = (now - due) / BUCKET_NS;
		if (b < 0) b = 0;
		if (b >= BUCKETS) b = BUCKETS - 1;
		atomic_fetch_add_explicit(&h[b], 1, memory_order_relaxed);
	}
	gort_wg_done(&wg);
}

int main(int argc, char **argv)
{
	long n = bench_arg(argc, argv, 1, 100000);
	long s = bench_arg(argc, argv, 2, 3);
	int64_t t0 = bench_now();
	recordfrom = t0 + 500000000;
	gort_wg_add(&wg, n);
	for (long i = 0; i < n; i++) gort_go(sleeper, (void *)(uintptr_t)i);
	gort_sleep(s * 1000000000);
	int64_t t1 = bench_now();
	atomic_store(&stop, 1);
	gort_wg_wait(&wg);
	uint64_t total = 0, count[BUCKETS] = {0};
	for (int b = 0; b < BUCKETS; b++) {
		for (int k = 0; k < SHARDS; k++) count[b] += atomic_load(&hist[k][b]);
		total += count[b];
	}
	double q[3] = {0.5, 0.99, 1.0}, us[3] = {0};
	for (int i = 0; i < 3; i++) {
		uint64_t want = (uint64_t)(q[i] * (double)total), acc = 0;
		if (want == 0) want = 1;
		for (int b = 0; b < BUCKETS; b++) {
			acc += count[b];
			if (acc >= want) {
				us[i] = (double)(b + 1) * BUCKET_NS / 1000.0;
				break;
			}
		}
	}
	double secs = (double)(t1 - recordfrom) / 1e9;
	printf("keepup n=%ld gomaxprocs=%d seconds=%ld wakes_per_s=%.0f ideal_per_s=%.0f p50_us=%.0f p99_us=%.0f max_us=%.0f%s\n",
	       n, gort_gomaxprocs(0), s, (double)total / secs, (double)n * 1000.0, us[0], us[1], us[2],
	       count[BUCKETS - 1] ? " (max: 100 ms or more)" : "");
	return 0;
}
