/* bench/pipeecho/pipeecho.c: goroutine pairs talking over pipes. Each of
 * PAIRS pairs has two pipes; its client writes a 64-byte message and
 * reads the reply, ROUNDS times; its server reads and writes back what it
 * read, until EOF. All pairs at once. Prints the wall time per round trip
 * (the total over PAIRS x ROUNDS), REPS times, best and median.
 * GOMAXPROCS from the environment.
 *
 *   pipeecho [PAIRS=100] [ROUNDS=2000] [REPS=3]
 *
 * What it shows: a busy P's pipe reads going to the kernel in one
 * io_uring_enter (runtime/iobatch.c); the writes stay system calls. The Go
 * twin is bench/pipeecho/go/main.go (os.Pipe: reads and writes park in
 * Go's netpoller as plain read/write do in gort's). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <gort.h>
#include "../common/bench.h"

enum { MSG = 64 };
static gort_waitgroup wg = GORT_WAITGROUP_INIT;
struct pair {
	int cw, sr, sw, cr; /* client writes cw, server reads sr, writes sw, client reads cr */
	long rounds;
	int bad;
};

static void server(void *arg)
{
	struct pair *p = arg;
	char b[256];
	ssize_t n;
	while ((n = read(p->sr, b, sizeof b)) > 0)
		if (write(p->sw, b, (size_t)n) != n) p->bad = 1;
	gort_wg_done(&wg);
}

static void client(void *arg)
{
	struct pair *p = arg;
	char m[MSG], r[MSG];
	for (long i = 0; i < p->rounds; i++) {
		for (int j = 0; j < MSG; j++) m[j] = (char)(i + j);
		if (write(p->cw, m, MSG) != MSG) p->bad = 1;
		size_t got = 0;
		while (got < MSG) {
			ssize_t n = read(p->cr, r + got, MSG - got);
			if (n <= 0) {
				p->bad = 1;
				break;
			}
			got += (size_t)n;
		}
		if (memcmp(m, r, MSG)) p->bad = 1;
	}
	close(p->cw); /* the server's EOF */
	gort_wg_done(&wg);
}

int main(int argc, char **argv)
{
	long pairs = bench_arg(argc, argv, 1, 100);
	long rounds = bench_arg(argc, argv, 2, 2000);
	int reps = (int)bench_arg(argc, argv, 3, 3);
	double ns[64];
	if (reps > 64) reps = 64;
	struct pair *ps = calloc(pairs, sizeof *ps);
	for (int r = 0; r < reps; r++) {
		for (long i = 0; i < pairs; i++) {
			int up[2], down[2];
			if (pipe(up) < 0 || pipe(down) < 0) {
				perror("pipeecho: pipe");
				return 1;
			}
			ps[i] = (struct pair){up[1], up[0], down[1], down[0], rounds, 0};
		}
		int64_t t0 = bench_now();
		gort_wg_add(&wg, 2 * pairs);
		for (long i = 0; i < pairs; i++) {
			gort_go(server, &ps[i]);
			gort_go(client, &ps[i]);
		}
		gort_wg_wait(&wg);
		ns[r] = (double)(bench_now() - t0) / (double)(pairs * rounds);
		for (long i = 0; i < pairs; i++) {
			if (ps[i].bad) {
				fprintf(stderr, "pipeecho: pair %ld: a reply differed\n", i);
				return 1;
			}
			close(ps[i].sr);
			close(ps[i].sw);
			close(ps[i].cr);
		}
		printf("rep=%d ns_per_round_trip=%.0f\n", r, ns[r]);
	}
	bench_sort(ns, reps);
	printf("pipeecho pairs=%ld rounds=%ld reps=%d gomaxprocs=%d best_ns=%.0f median_ns=%.0f\n", pairs, rounds,
	       reps, gort_gomaxprocs(0), ns[0], ns[reps / 2]);
	return 0;
}
