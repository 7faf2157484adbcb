/* errno_main.c + errno_other.c: errno belongs to the goroutine in a file
 * that never includes gort.h (errno_other.c: only <errno.h>). Each
 * goroutine sets errno in errno_other.c, parks there (through a function
 * pointer into this file) so that it resumes on other threads, and checks
 * errno there. Built -O2: without gortcc's errno.h the compiler keeps the
 * first thread's errno address across the call. */
#include <stdatomic.h>
#include <stdio.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <gort.h>

int errno_roundtrip(int v, void (*sw)(int), int rounds); /* errno_other.c */

static gort_waitgroup wg = GORT_WAITGROUP_INIT;
static _Atomic long bad, migrations;

static void sw(int i)
{
	static long lasttid[4096]; /* by goroutine id */
	long *last = &lasttid[gort_goid() % 4096];
	for (int64_t t0 = gort_nanotime(); gort_nanotime() - t0 < 20000;)
		;
	if (i % 3) gort_yield(); else gort_sleep(20000);
	long t = syscall(SYS_gettid);
	if (*last && t != *last) atomic_fetch_add(&migrations, 1);
	*last = t;
}

static void worker(void *arg)
{
	atomic_fetch_add(&bad, errno_roundtrip((int)(long)arg, sw, 200));
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
