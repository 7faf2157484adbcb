/* bench/pipeio/pipeio.c: N goroutines each blocked in gort_read on its own
 * pipe; one writer (main) feeds them in turn, one byte per pipe per round,
 * for ROUNDS rounds, then closes the pipes; each reader counts its bytes
 * until EOF. Prints the wall time from the first write to the last reader
 * done, REPS times, best and median. GOMAXPROCS from the environment.
 *
 *   pipeio [N=1000] [ROUNDS=100] [REPS=3]
 *
 * The Go twin is bench/pipeio/go/main.go (os.Pipe, whose reads park in
 * Go's netpoller as gort_read does in gort's). */
#include <unistd.h>
#include <gort.h>
#include "../common/bench.h"

static gort_waitgroup wg = GORT_WAITGROUP_INIT;
struct reader { int fd; long got; };

static void reader(void *arg)
{
	struct reader *r = arg;
	char buf[128];
	ssize_t n;
	while ((n = gort_read(r->fd, buf, sizeof buf)) > 0) r->got += n;
	gort_wg_done(&wg);
}

int main(int argc, char **argv)
{
	long n = bench_arg(argc, argv, 1, 1000);
	long rounds = bench_arg(argc, argv, 2, 100);
	int reps = (int)bench_arg(argc, argv, 3, 3);
	double ms[64];
	if (reps > 64) reps = 64;
	struct reader *rd = calloc(n, sizeof *rd);
	int *wfd = calloc(n, sizeof *wfd);
	for (int r = 0; r < reps; r++) {
		gort_wg_add(&wg, n);
		for (long i = 0; i < n; i++) {
			int p[2];
			if (pipe(p) < 0) {
				perror("pipeio: pipe");
				return 1;
			}
			rd[i] = (struct reader){p[0], 0};
			wfd[i] = p[1];
			gort_go(reader, &rd[i]);
		}
		gort_sleep(1000000); /* let every reader park */
		int64_t t0 = bench_now();
		for (long k = 0; k < rounds; k++)
			for (long i = 0; i < n; i++)
				if (gort_write(wfd[i], "x", 1) != 1) {
					perror("pipeio: write");
					return 1;
				}
		for (long i = 0; i < n; i++) close(wfd[i]);
		gort_wg_wait(&wg);
		ms[r] = (double)(bench_now() - t0) / 1e6;
		for (long i = 0; i < n; i++) {
			if (rd[i].got != rounds) {
				fprintf(stderr, "pipeio: reader %ld got %ld bytes, want %ld\n", i, rd[i].got, rounds);
				return 1;
			}
			close(rd[i].fd);
		}
		printf("rep=%d wall_ms=%.2f\n", r, ms[r]);
	}
	bench_sort(ms, reps);
	printf("pipeio n=%ld rounds=%ld reps=%d gomaxprocs=%d best_ms=%.2f median_ms=%.2f\n", n, rounds, reps,
	       gort_gomaxprocs(0), ms[0], ms[reps / 2]);
	return 0;
}
