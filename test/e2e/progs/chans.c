/* chans: channel, select and timer behaviours, one per subcommand (see
 * test/e2e/e2e_chan.c). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <gort.h>

static gort_waitgroup wg = GORT_WAITGROUP_INIT;

struct pp { gort_chan *a, *b; long n; };
static void pong(void *arg)
{
	struct pp *p = arg;
	long v;
	while (gort_chan_recv(p->a, &v) == 1) gort_chan_send(p->b, &v);
	gort_wg_done(&wg);
}

static void closer(void *arg) { gort_sleep(2000000); gort_chan_close(arg); }
static void receiver(void *arg)
{
	long v = 99;
	int ok = gort_chan_recv(arg, &v);
	printf("receiver woke ok=%d v=%ld\n", ok, v);
	gort_wg_done(&wg);
}

static void sender(void *arg) { long v = 5; gort_chan_send(arg, &v); }

static void sleep10(void *arg)
{
	(void)arg;
	for (int i = 0; i < 10; i++) {
		int64_t t = gort_nanotime();
		gort_sleep(1000000);
		if (gort_nanotime() - t < 1000000) printf("a sleep returned early\n");
	}
	gort_wg_done(&wg);
}

struct prod { gort_chan *c; long from, n; };
static void producer(void *arg)
{
	struct prod *p = arg;
	for (long i = 0; i < p->n; i++) {
		long v = p->from + i;
		gort_chan_send(p->c, &v);
	}
	gort_wg_done(&wg);
}

int main(int argc, char **argv)
{
	const char *cmd = argc > 1 ? argv[1] : "";
	if (!strcmp(cmd, "pingpong")) {
		struct pp p = {gort_chan_make(sizeof(long), 0), gort_chan_make(sizeof(long), 0), 100000};
		gort_wg_add(&wg, 1);
		gort_go(pong, &p);
		long sum = 0;
		for (long i = 0; i < p.n; i++) {
			long v;
			gort_chan_send(p.a, &i);
			gort_chan_recv(p.b, &v);
			sum += v;
		}
		gort_chan_close(p.a);
		gort_wg_wait(&wg);
		printf("sum=%ld\n", sum);
		return 0;
	}
	if (!strcmp(cmd, "buffered")) {
		gort_chan *c = gort_chan_make(sizeof(int), 5);
		for (int i = 0; i < 5; i++) gort_chan_send(c, &i);
		int extra = 9;
		printf("len=%zu cap=%zu trysend_full=%d\n", gort_chan_len(c), gort_chan_cap(c), gort_chan_trysend(c, &extra));
		gort_chan_close(c);
		int v, ok;
		while ((ok = gort_chan_recv(c, &v)) == 1) printf("%d ", v);
		printf("then ok=%d v=%d tryrecv=%d\n", ok, v, gort_chan_tryrecv(c, &v));
		return 0;
	}
	if (!strcmp(cmd, "closewakes")) {
		gort_chan *c = gort_chan_make(sizeof(long), 0);
		gort_wg_add(&wg, 3);
		for (int i = 0; i < 3; i++) gort_go(receiver, c);
		gort_go(closer, c);
		gort_wg_wait(&wg);
		return 0;
	}
	if (!strcmp(cmd, "fifo")) {
		/* 4 producers, 1 consumer: per-producer order is kept. */
		gort_chan *c = gort_chan_make(sizeof(long), 16);
		struct prod ps[4];
		gort_wg_add(&wg, 4);
		for (int i = 0; i < 4; i++) {
			ps[i] = (struct prod){c, i * 1000000L, 50000};
			gort_go(producer, &ps[i]);
		}
		long last[4] = {-1, -1, -1, -1}, bad = 0, n = 0;
		for (; n < 200000; n++) {
			long v;
			gort_chan_recv(c, &v);
			int p = v / 1000000;
			if (v % 1000000 != last[p] + 1) bad++;
			last[p] = v % 1000000;
		}
		gort_wg_wait(&wg);
		printf("received=%ld out_of_order=%ld\n", n, bad);
		return 0;
	}
	if (!strcmp(cmd, "selectfair")) {
		enum { K = 4, ROUNDS = 100000 };
		gort_chan *cs[K];
		gort_case cases[K];
		long hits[K] = {0};
		int v = 1;
		for (int i = 0; i < K; i++) {
			cs[i] = gort_chan_make(sizeof(int), 1);
			cases[i] = (gort_case){cs[i], GORT_RECV, &v, 0};
		}
		for (int r = 0; r < ROUNDS; r++) {
			for (int i = 0; i < K; i++) gort_chan_trysend(cs[i], &v); /* all ready */
			hits[gort_select(cases, K, 1)]++;
		}
		for (int i = 0; i < K; i++) printf("%ld ", hits[i]);
		printf("\n");
		return 0;
	}
	if (!strcmp(cmd, "selectmix")) {
		gort_chan *a = gort_chan_make(sizeof(long), 0), *b = gort_chan_make(sizeof(long), 0);
		gort_go(sender, b);
		long got = 0;
		gort_case cases[] = {{a, GORT_RECV, &got, 0}, {NULL, GORT_SEND, &got, 0}, {b, GORT_RECV, &got, 0}};
		int i = gort_select(cases, 3, 1);
		int ok = cases[2].ok;
		printf("case=%d got=%ld ok=%d nonblocking=%d\n", i, got, ok, gort_select(cases, 3, 0));
		int64_t t0 = gort_nanotime(); /* before the timer starts: it may fire 3 ms after gort_after */
		gort_chan *t = gort_after(3000000);
		gort_case tc[] = {{a, GORT_RECV, NULL, 0}, {t, GORT_RECV, &got, 0}};
		i = gort_select(tc, 2, 1);
		printf("timeout case=%d after>=3ms=%d\n", i, gort_nanotime() - t0 >= 3000000);
		return 0;
	}
	if (!strcmp(cmd, "ticker")) {
		/* The k-th tick received is never sent before k periods have
		 * passed (ticks a slow receiver misses only make it later).
		 * Two ticks may come closer than a period: a tick sends the
		 * time it fired, and one fired late is followed by one on the
		 * schedule, as in Go. */
		int64_t t0 = gort_nanotime(), t;
		gort_ticker *tk = gort_ticker_new(2000000);
		int early = 0;
		for (int i = 1; i <= 10; i++) {
			gort_chan_recv(gort_ticker_chan(tk), &t);
			if (t < t0 + i * 2000000LL) early++;
		}
		gort_ticker_stop(tk);
		printf("ticks=10 early=%d\n", early);
		return 0;
	}
	if (!strcmp(cmd, "sleepers")) {
		/* 10,000 goroutines each sleeping 1 ms ten times. */
		int64_t t0 = gort_nanotime();
		gort_wg_add(&wg, 10000);
		for (int i = 0; i < 10000; i++) gort_go(sleep10, NULL);
		gort_wg_wait(&wg);
		double ms = (gort_nanotime() - t0) / 1e6;
		printf("sleepers done in %s\n", ms >= 10 && ms < 1000 ? "10 ms to 1 s" : "WRONG TIME");
		fprintf(stderr, "sleepers: %.1f ms\n", ms);
		return 0;
	}
	if (!strcmp(cmd, "nilblock")) {
		gort_chan_recv(NULL, NULL);
		return 0;
	}
	if (!strcmp(cmd, "recvdeadlock")) {
		gort_chan *c = gort_chan_make(sizeof(int), 0);
		int v;
		gort_chan_recv(c, &v);
		return 0;
	}
	if (!strcmp(cmd, "sendclosed")) {
		gort_chan *c = gort_chan_make(sizeof(int), 1);
		gort_chan_close(c);
		int v = 1;
		gort_chan_send(c, &v);
	}
	if (!strcmp(cmd, "closeclosed")) {
		gort_chan *c = gort_chan_make(sizeof(int), 1);
		gort_chan_close(c);
		gort_chan_close(c);
	}
	if (!strcmp(cmd, "closenil")) gort_chan_close(NULL);
	fprintf(stderr, "usage: chans CMD\n");
	return 1;
}
