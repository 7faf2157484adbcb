/* ctorgo: a C constructor starts a goroutine before the scheduler runs;
 * it runs once main lets it (documented: gort_go works from constructors). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <gort.h>
static gort_waitgroup wg = GORT_WAITGROUP_INIT;
static void early(void *arg) { printf("early goroutine %ld ran, arg=%s\n", (long)gort_goid(), (char *)arg); gort_wg_done(&wg); }
__attribute__((constructor)) static void ctor(void)
{
	gort_wg_add(&wg, 1);
	long id = gort_go(early, "ctor");
	printf("constructor started goroutine %ld, own goid %ld\n", id, (long)gort_goid());
	/* CTORWAIT=wg|chan: then wait for it in the constructor, which
	 * cannot work (no goroutine runs before main): a fatal error, the
	 * same for both (the WaitGroup hung without a word). */
	const char *w = getenv("CTORWAIT");
	fflush(stdout);
	if (w && !strcmp(w, "wg")) gort_wg_wait(&wg);
	if (w && !strcmp(w, "chan")) gort_chan_recv(gort_chan_make(1, 0), NULL);
}
int main(void)
{
	gort_wg_wait(&wg);
	printf("main done, goid %ld\n", (long)gort_goid());
	return 0;
}
