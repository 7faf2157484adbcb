/* flight100k.c: 100,000 goroutines for 10 s under GORT_TRACE_FLIGHT, then
 * the recorder written to flight100k.pftrace (bench/observe/flight.sh
 * reads how much of the end it kept). Each goroutine wakes once a second
 * (timers spread over the second), works a few microseconds and sends on
 * a channel a collector drains: 100,000 wake-ups a second. */
#include <fcntl.h>
#include <gort.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define N 100000
static gort_chan *c;
static int64_t until;
static volatile uint64_t sink;

static void worker(void *arg)
{
	long i = (long)arg;
	gort_sleep((i % 1000) * 1000 * 1000); /* spread over the first second */
	while (gort_nanotime() < until) {
		gort_sleep(1000 * 1000 * 1000);
		uint64_t x = sink;
		for (int k = 0; k < 1000; k++) x = x * 6364136223846793005ull + 1;
		sink = x;
		gort_chan_trysend(c, &i);
	}
}

static void collector(void *arg)
{
	(void)arg;
	long v;
	for (;;) gort_chan_recv(c, &v);
}

int main(void)
{
	c = gort_chan_make(sizeof(long), 1024);
	until = gort_nanotime() + 10ll * 1000 * 1000 * 1000;
	gort_go(collector, NULL);
	for (long i = 0; i < N; i++) gort_go(worker, (void *)i);
	gort_sleep(10ll * 1000 * 1000 * 1000);
	int fd = open("flight100k.pftrace", O_WRONLY | O_CREAT | O_TRUNC, 0644);
	int64_t t0 = gort_nanotime();
	int r = gort_trace_flight_write(fd);
	printf("write=%d in %.0f ms, at t=%.3f s\n", r, (gort_nanotime() - t0) / 1e6, t0 / 1e9);
	close(fd);
	FILE *f = fopen("/proc/self/status", "r");
	char l[256];
	while (f && fgets(l, sizeof l, f))
		if (!strncmp(l, "VmHWM", 5) || !strncmp(l, "VmRSS", 5)) fputs(l, stdout);
	if (f) fclose(f);
	return 0;
}
