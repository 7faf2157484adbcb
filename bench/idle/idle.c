/* bench/idle/idle.c: what a blocked goroutine costs. Starts N goroutines
 * that each check in (gort_wg_done on `started`) and then block on a
 * WaitGroup that main releases only after measuring; so all N are alive
 * and parked at once. Prints:
 *   create_ns   time per goroutine from the first gort_go until all N have
 *               checked in (creation, first run, stack, parking);
 *   rss_bytes   VmRSS growth per goroutine (/proc/self/status), read once
 *               all are parked (after a 20 ms pause for the last ones);
 *   pte_bytes   VmPTE growth per goroutine: the kernel's page tables for
 *               those pages, which VmRSS does not count;
 *   release_ns  time per goroutine to wake them all and see them exit.
 *
 *   idle [N=1000000]
 *
 * The Go twin is bench/idle/go/main.go. */
#include <gort.h>
#include "../common/bench.h"

static gort_waitgroup started = GORT_WAITGROUP_INIT;
static gort_waitgroup release = GORT_WAITGROUP_INIT;
static gort_waitgroup finished = GORT_WAITGROUP_INIT;

static void blocker(void *arg)
{
	(void)arg;
	gort_wg_done(&started);
	gort_wg_wait(&release);
	gort_wg_done(&finished);
}

int main(int argc, char **argv)
{
	long n = bench_arg(argc, argv, 1, 1000000);
	long long rss0 = bench_status_bytes("VmRSS"), pte0 = bench_status_bytes("VmPTE");
	gort_wg_add(&release, 1);
	gort_wg_add(&started, n);
	gort_wg_add(&finished, n);
	int64_t t0 = bench_now();
	for (long i = 0; i < n; i++) gort_go(blocker, NULL);
	gort_wg_wait(&started);
	int64_t t1 = bench_now();
	gort_sleep(20 * 1000 * 1000);
	long long rss1 = bench_status_bytes("VmRSS"), pte1 = bench_status_bytes("VmPTE");
	int64_t live = gort_numgoroutine();
	int64_t t2 = bench_now();
	gort_wg_done(&release);
	gort_wg_wait(&finished);
	int64_t t3 = bench_now();
	if (live != n + 1) {
		fprintf(stderr, "idle: %lld goroutines alive, want %ld\n", (long long)live, n + 1);
		return 1;
	}
	printf("idle n=%ld gomaxprocs=%d create_ns=%.1f rss_bytes=%.0f pte_bytes=%.0f release_ns=%.1f "
	       "rss_total_mib=%.1f\n",
	       n, gort_gomaxprocs(0), (double)(t1 - t0) / (double)n, (double)(rss1 - rss0) / (double)n,
	       (double)(pte1 - pte0) / (double)n, (double)(t3 - t2) / (double)n,
	       (double)rss1 / 1048576.0);
	return 0;
}
