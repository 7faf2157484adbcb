/* deadlock.c: runs a while, then deadlocks, for the flight recorder tests
 * (test/observe/t_trace.c). Two pairs ping-pong for 200 ms (enough events
 * to wrap a small ring many times), then one goroutine waits to receive on
 * a channel nobody sends on, one to send on another nobody receives from, one
 * for a gort_mutex main holds, and main for a WaitGroup: "all goroutines
 * are asleep". With the argument "write" it first writes the recorder to
 * flight.pftrace itself (gort_trace_flight_write) and prints the result. */
#include <fcntl.h>
#include <gort.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static gort_chan *a, *b, *never1, *never2;
static gort_mutex mu = GORT_MUTEX_INIT;
static gort_waitgroup wg = GORT_WAITGROUP_INIT;
static int64_t until;

static void pinger(void *arg)
{
	(void)arg;
	int v = 0;
	while (gort_nanotime() < until) {
		gort_chan_send(a, &v);
		gort_chan_recv(b, &v);
	}
	v = -1;
	gort_chan_send(a, &v);
	gort_chan_recv(never1, &v);   /* waiting: chan receive, forever */
}

static void ponger(void *arg)
{
	(void)arg;
	int v;
	for (;;) {
		gort_chan_recv(a, &v);
		if (v < 0) break;
		gort_chan_send(b, &v);
	}
	gort_chan_send(never2, &v);   /* waiting: chan send, forever */
}

static void locker(void *arg)
{
	(void)arg;
	gort_mutex_lock(&mu);        /* waiting: sync.Mutex.Lock, forever */
}

int main(int argc, char **argv)
{
	a = gort_chan_make(sizeof(int), 0);
	b = gort_chan_make(sizeof(int), 0);
	never1 = gort_chan_make(sizeof(int), 0);
	never2 = gort_chan_make(sizeof(int), 0);
	until = gort_nanotime() + 200 * 1000 * 1000;
	gort_mutex_lock(&mu);
	gort_wg_add(&wg, 1);
	gort_go(pinger, NULL);
	gort_go(ponger, NULL);
	gort_go(locker, NULL);
	gort_sleep(250 * 1000 * 1000);
	if (argc > 1 && !strcmp(argv[1], "write")) {
		int fd = open("flight.pftrace", O_WRONLY | O_CREAT | O_TRUNC, 0644);
		printf("write=%d\n", gort_trace_flight_write(fd));
		close(fd);
		fflush(stdout);
	}
	gort_wg_wait(&wg);           /* waiting: sync.WaitGroup.Wait: deadlock */
	return 0;
}
