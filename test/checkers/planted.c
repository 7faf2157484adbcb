/* planted: one bug per subcommand, each inside a goroutine that has
 * switched and (at GOMAXPROCS > 1) probably migrated before it hits it, for
 * the checkers to catch (test/checkers/t_checkers.c); "clean" has none.
 *
 *   uaf        a heap block freed by one goroutine, read by another
 *   overflow   a write one past a stack array in a goroutine
 *   race       two goroutines increment a shared counter without a lock,
 *              one after the other, ordered by nothing TSan can see
 *   intoverflow a signed integer overflow in a goroutine (UBSan)
 *   clean      goroutines hand values and ownership over channels, a
 *              mutex and a WaitGroup: correctly synchronised */
#include <poll.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <gort.h>

static gort_waitgroup wg = GORT_WAITGROUP_INIT;
static gort_chan *ch;
static long counter;
static gort_mutex mu = GORT_MUTEX_INIT;

static void freer(void *arg)
{
	long *p = arg;
	gort_yield();
	free(p);
	gort_chan_send(ch, &p);
	gort_wg_done(&wg);
}

static void user(void *arg)
{
	(void)arg;
	long *p;
	gort_chan_recv(ch, &p);
	gort_yield();
	printf("read %ld\n", *(volatile long *)p); /* use after free */
	gort_wg_done(&wg);
}

static volatile int idx = 16;
static __attribute__((noinline)) void smash(void)
{
	char buf[16];
	memset(buf, 'x', sizeof buf);
	buf[idx] = 0; /* one past the end */
	printf("%c\n", buf[3]);
}
static void overflower(void *arg)
{
	(void)arg;
	gort_yield();
	smash();
	gort_wg_done(&wg);
}

static volatile int big = 2147483600;
static void overflowint(void *arg)
{
	(void)arg;
	gort_yield();
	int x = big;
	for (int i = 0; i < 100; i++) x += 1; /* past INT_MAX */
	printf("x=%d\n", x);
	gort_wg_done(&wg);
}

/* The two writes happen in a fixed order, both goroutines alive: each
 * waits on a relaxed atomic, which orders nothing for TSan (nor for the C
 * memory model). A version where each goroutine incremented 1000 times
 * with a yield every 100 went unreported 1 run in 90 under load: when one
 * ran all its increments before the other started on the stack it had
 * left, the stack's hand-over (checkers.c: the new owner starts after the
 * old one) ordered every access of the first before the second's. */
static _Atomic int racestep;
static void racer(void *arg)
{
	(void)arg;
	counter++; /* no lock */
	atomic_store_explicit(&racestep, 1, memory_order_relaxed);
	while (atomic_load_explicit(&racestep, memory_order_relaxed) != 2) gort_yield();
	gort_wg_done(&wg);
}
static void racer_second(void *arg)
{
	(void)arg;
	while (atomic_load_explicit(&racestep, memory_order_relaxed) != 1) gort_yield();
	counter++; /* races with racer's */
	atomic_store_explicit(&racestep, 2, memory_order_relaxed);
	gort_wg_done(&wg);
}

static void producer(void *arg)
{
	(void)arg;
	for (long i = 0; i < 1000; i++) {
		long *p = malloc(sizeof *p); /* ownership goes with the value */
		*p = i;
		gort_chan_send(ch, &p);
	}
	gort_chan_close(ch);
	gort_wg_done(&wg);
}
static void consumer(void *arg)
{
	long sum = 0, *p;
	(void)arg;
	while (gort_chan_recv(ch, &p)) {
		sum += *p;
		free(p);
		gort_mutex_lock(&mu);
		counter++;
		gort_mutex_unlock(&mu);
	}
	gort_mutex_lock(&mu);
	counter += sum;
	gort_mutex_unlock(&mu);
	gort_wg_done(&wg);
}

/* pipesync: a plain variable handed over through pipes, 1,000 times, by
 * plain read and write (the libc call hooks), with an acknowledgement
 * back: each write happens before the read that sees its byte, as
 * ThreadSanitizer must know (no report). */
static int there[2], back[2];
static int oneproc; /* GOMAXPROCS=1, read once by main */
static long handed;
/* Wait for a byte without parking on the pipe (a park and wake-up would
 * give ThreadSanitizer an edge of its own): only the pipe orders the two,
 * which run side by side on two threads (at GOMAXPROCS=1 they must take
 * turns: there a yield lets the other one run). */
static void spinready(int fd)
{
	struct pollfd p = {fd, POLLIN, 0};
	for (long k = 0; poll(&p, 1, 0) == 0; k++)
		if (oneproc || k > 1000000) gort_yield();
}
static void handwriter(void *arg)
{
	(void)arg;
	char c;
	gort_lockosthread(); /* each on a thread of its own, side by side */
	for (long i = 1; i <= 1000; i++) {
		handed = i;
		if (write(there[1], "x", 1) != 1) abort();
		spinready(back[0]);
		if (read(back[0], &c, 1) != 1) abort();
	}
	gort_wg_done(&wg);
}
static void handreader(void *arg)
{
	(void)arg;
	char c;
	gort_lockosthread();
	for (long i = 1; i <= 1000; i++) {
		spinready(there[0]);
		if (read(there[0], &c, 1) != 1) abort();
		counter += handed;
		if (write(back[1], "y", 1) != 1) abort();
	}
	gort_wg_done(&wg);
}

int main(int argc, char **argv)
{
	const char *cmd = argc > 1 ? argv[1] : "";
	if (!strcmp(cmd, "uaf")) {
		ch = gort_chan_make(sizeof(long *), 0);
		gort_wg_add(&wg, 2);
		gort_go(user, NULL);
		gort_go(freer, malloc(sizeof(long)));
	} else if (!strcmp(cmd, "overflow")) {
		gort_wg_add(&wg, 1);
		gort_go(overflower, NULL);
	} else if (!strcmp(cmd, "intoverflow")) {
		gort_wg_add(&wg, 1);
		gort_go(overflowint, NULL);
	} else if (!strcmp(cmd, "race")) {
		gort_wg_add(&wg, 2);
		gort_go(racer, NULL);
		gort_go(racer_second, NULL);
	} else if (!strcmp(cmd, "pipesync")) {
		if (pipe(there) || pipe(back)) abort();
		oneproc = gort_gomaxprocs(0) == 1;
		gort_wg_add(&wg, 2);
		gort_go(handreader, NULL);
		gort_go(handwriter, NULL);
	} else if (!strcmp(cmd, "clean")) {
		ch = gort_chan_make(sizeof(long *), 4);
		gort_wg_add(&wg, 4);
		gort_go(producer, NULL);
		for (int i = 0; i < 3; i++) gort_go(consumer, NULL);
	} else {
		fprintf(stderr, "usage: planted uaf|overflow|intoverflow|race|clean|pipesync\n");
		return 2;
	}
	gort_wg_wait(&wg);
	printf("%s done counter=%ld\n", cmd, counter);
	return 0;
}
