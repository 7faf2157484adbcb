/* traced.c: a program whose scheduling is known, for the trace tests
 * (test/observe/t_trace.c): PAIRS pairs of goroutines ping-pong ROUNDS
 * times on unbuffered channels, one goroutine sleeps 20 ms, one waits in a
 * hooked read() on a pipe that main writes to 30 ms later, one waits to
 * receive from a channel main sends on, one makes a 5 ms blocking system
 * call inside gort_entersyscall, one spins until sysmon preempts it, and
 * main marks a region and a log line. */
#include <gort.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#define PAIRS 2
#define ROUNDS 50

static gort_chan *ping[PAIRS], *pong[PAIRS], *late;
static gort_waitgroup wg = GORT_WAITGROUP_INIT;
static int pfd[2];
static volatile int stop_spin;

static void pinger(void *arg)
{
	long i = (long)arg;
	for (int r = 0; r < ROUNDS; r++) {
		int v = r;
		gort_chan_send(ping[i], &v);
		gort_chan_recv(pong[i], &v);
	}
	gort_wg_done(&wg);
}

static void ponger(void *arg)
{
	long i = (long)arg;
	for (int r = 0; r < ROUNDS; r++) {
		int v;
		gort_chan_recv(ping[i], &v);
		gort_chan_send(pong[i], &v);
	}
	gort_wg_done(&wg);
}

static void sleeper(void *arg)
{
	(void)arg;
	gort_sleep(20 * 1000 * 1000);
	gort_wg_done(&wg);
}

static void reader(void *arg)
{
	(void)arg;
	char c;
	if (read(pfd[0], &c, 1) != 1) abort();
	gort_wg_done(&wg);
}

static void receiver(void *arg)
{
	(void)arg;
	int v;
	gort_chan_recv(late, &v);
	gort_wg_done(&wg);
}

static void blocker(void *arg)
{
	(void)arg;
	struct timespec ts = {0, 5 * 1000 * 1000};
	gort_entersyscall();
	syscall(SYS_nanosleep, &ts, NULL); /* not hooked: blocks the thread */
	gort_exitsyscall();
	gort_wg_done(&wg);
}

/* spinner never calls the runtime: only sysmon's preemption lets others
 * run on its P, until main tells it to stop. */
__attribute__((noinline)) static void spinner(void *arg)
{
	(void)arg;
	while (!stop_spin) __asm__ volatile("" ::: "memory");
	gort_wg_done(&wg);
}

/* straggler is still asleep when main reaches its WaitGroup wait, so
 * that the trace always has that wait (the others may all be done by
 * then: the spinner stops as soon as main says so, on the other P). */
static void straggler(void *arg)
{
	(void)arg;
	gort_sleep(20 * 1000 * 1000);
	gort_wg_done(&wg);
}

int main(void)
{
	if (pipe(pfd)) return 1;
	gort_wg_add(&wg, 2 * PAIRS + 6);
	late = gort_chan_make(sizeof(int), 0);
	for (long i = 0; i < PAIRS; i++) {
		ping[i] = gort_chan_make(sizeof(int), 0);
		pong[i] = gort_chan_make(sizeof(int), 0);
		gort_go(pinger, (void *)i);
		gort_go(ponger, (void *)i);
	}
	gort_go(sleeper, NULL);
	gort_go(reader, NULL);
	gort_go(receiver, NULL);
	gort_go(blocker, NULL);
	gort_go(spinner, NULL);
	gort_trace_region_begin("main-region");
	gort_trace_log("phase", "started");
	gort_sleep(30 * 1000 * 1000);
	if (write(pfd[1], "x", 1) != 1) return 1;
	int v = 1;
	gort_chan_send(late, &v);
	stop_spin = 1;
	gort_trace_region_end("main-region");
	gort_go(straggler, NULL);
	gort_wg_wait(&wg);
	printf("done\n");
	return 0;
}
