/* ctorgo: a C constructor starts a goroutine before the scheduler runs;
 * it runs once main lets it (documented: gort_go works from constructors). */
#include <stdio.h>
#include <gort.h>
static gort_waitgroup wg = GORT_WAITGROUP_INIT;
static void early(void *arg) { printf("early goroutine %ld ran, arg=%s\n", (long)gort_goid(), (char *)arg); gort_wg_done(&wg); }
__attribute__((constructor)) static void ctor(void)
{
	gort_wg_add(&wg, 1);
	long id = gort_go(early, "ctor");
	printf("constructor started goroutine %ld, own goid %ld\n", id, (long)gort_goid());
}
int main(void)
{
	gort_wg_wait(&wg);
	printf("main done, goid %ld\n", (long)gort_goid());
	return 0;
}
