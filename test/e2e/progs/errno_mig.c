/* errno_mig: errno belongs to the goroutine. Each goroutine sets errno to
 * its own value, switches (yield, sleep) so that it resumes on other
 * threads, and checks errno each time. Built -O2: the compiler would keep
 * the libc's __errno_location() result (declared const) across the calls;
 * gort.h's errno reads it afresh. */
#include <errno.h>
#include <stdatomic.h>
#include <stdio.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <gort.h>

static gort_waitgroup wg = GORT_WAITGROUP_INIT;
static _Atomic long bad, migrations;

static void worker(void *arg)
{
	int mine = (int)(long)arg;
	long t = syscall(SYS_gettid);
	for (int i = 0; i < 200; i++) {
		errno = mine;
		/* Stay busy a little (20 us) so that the other P's thread finds
		 * this one's queue full and steals: goroutines then migrate. */
		for (int64_t t0 = gort_nanotime(); gort_nanotime() - t0 < 20000;)
			;
		if (i % 3) gort_yield(); else gort_sleep(20000);
		if (errno != mine) atomic_fetch_add(&bad, 1);
		long t2 = syscall(SYS_gettid);
		if (t2 != t) atomic_fetch_add(&migrations, 1), t = t2;
	}
	gort_wg_done(&wg);
}

int main(void)
{
	enum { N = 64 };
	gort_wg_add(&wg, N);
	for (long i = 0; i < N; i++) gort_go(worker, (void *)(i + 1000));
	gort_wg_wait(&wg);
	printf("wrong errno=%ld migrations=%s\n", atomic_load(&bad), atomic_load(&migrations) > 0 ? "yes" : "no");
	return 0;
}
