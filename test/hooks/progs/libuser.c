/* libuser: goroutines that block inside libblocking.a (blocking_lib.c) at
 * GOMAXPROCS=1. 200 goroutines nap 300 ms each in the library's nanosleep
 * and one waits in its read for a byte main writes after 100 ms: with the
 * hooks, about 300 ms in all; without, a minute. Prints
 * "naps=N read=C elapsed_ms=E". */
#include <stdio.h>
#include <unistd.h>
#include <gort.h>

int blocking_nap_ms(int ms);
long blocking_read_byte(int fd);

static gort_waitgroup wg = GORT_WAITGROUP_INIT;
static _Atomic int naps;
static long readc;
static int p[2];

static void napper(void *arg)
{
	(void)arg;
	if (blocking_nap_ms(300) == 0) naps++;
	gort_wg_done(&wg);
}

static void reader(void *arg)
{
	(void)arg;
	readc = blocking_read_byte(p[0]);
	gort_wg_done(&wg);
}

int main(void)
{
	int64_t t0 = gort_nanotime();
	pipe(p);
	gort_wg_add(&wg, 201);
	gort_go(reader, NULL);
	for (int i = 0; i < 200; i++) gort_go(napper, NULL);
	gort_sleep(100000000);
	write(p[1], "R", 1);
	gort_wg_wait(&wg);
	printf("naps=%d read=%c elapsed_ms=%lld\n", naps, (int)readc, (long long)((gort_nanotime() - t0) / 1000000));
	return 0;
}
