/* cpuhog.c: spends about 80% of its CPU time in hot() and 20% in warm(),
 * in two goroutines, for the CPU profile tests (test/observe/t_pprof.c).
 * With the argument "goroutines" it instead parks goroutines in known
 * places and writes a goroutine profile to goroutines.pprof. */
#include <fcntl.h>
#include <gort.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static volatile uint64_t sink;

/* Work, not time: the split of CPU time stays 80/20 however loaded the
 * machine is (a loop until a deadline gets less CPU in its window). */
__attribute__((noinline, noclone)) static void hot(long iters)
{
	uint64_t x = sink;
	for (long i = 0; i < iters; i++) x = x * 6364136223846793005ull + 1442695040888963407ull;
	sink = x;
}

__attribute__((noinline, noclone)) static void warm(long iters)
{
	uint64_t x = sink;
	for (long i = 0; i < iters; i++) x = x * 2862933555777941757ull + 3037000493ull;
	sink = x;
}

static gort_waitgroup wg = GORT_WAITGROUP_INIT;

static void worker(void *arg)
{
	(void)arg;
	/* A cycle of about 1.2 ms, not a divisor of the 10 ms sampling
	 * period: a cycle of 10 ms would put every sample at the same point of
	 * it. */
	for (int i = 0; i < 500; i++) {
		hot(730000);
		warm(182500);
	}
	gort_wg_done(&wg);
}

static gort_chan *never;

__attribute__((noinline)) static void parked_in_recv(void *arg)
{
	(void)arg;
	int v;
	gort_chan_recv(never, &v);
}

int main(int argc, char **argv)
{
	if (argc > 1 && !strcmp(argv[1], "goroutines")) {
		never = gort_chan_make(sizeof(int), 0);
		for (int i = 0; i < 5; i++) gort_go(parked_in_recv, NULL);
		gort_sleep(10 * 1000 * 1000);
		int fd = open("goroutines.pprof", O_WRONLY | O_CREAT | O_TRUNC, 0644);
		printf("write=%d\n", gort_profile_write("goroutine", fd));
		printf("bad=%d\n", gort_profile_write("nonsense", fd));
		close(fd);
		return 0;
	}
	gort_wg_add(&wg, 2);
	gort_go(worker, NULL);
	gort_go(worker, NULL);
	gort_wg_wait(&wg);
	printf("done\n");
	return 0;
}
