/* unwind.c: four levels of user functions compiled without frame pointers
 * (the suite builds this file with -fomit-frame-pointer, every way), in a
 * goroutine that parks, spins until preempted or crashes, and in main,
 * which parks too: every traceback must show all four and reach the
 * goroutine's start function (worker) or, for goroutine 1, main
 * (test/debug/debug_unwind.c, issue #15 item 1).
 *   unwind MODE   park | spin | segv | doublefree | assert */
#include <assert.h>
#include <gort.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define LEVEL __attribute__((noinline, noclone))
static const char *mode;
static gort_chan *never;
volatile int sink, stop;

LEVEL static void level4(int x)
{
	if (!strcmp(mode, "park")) {
		long v;
		gort_chan_recv(never, &v);
	} else if (!strcmp(mode, "spin")) {
		while (!stop) sink++;
	} else if (!strcmp(mode, "segv")) {
		*(volatile int *)(long)(x - x - sink) = 1;
	} else if (!strcmp(mode, "doublefree")) {
		/* Through a volatile pointer: the compiler would refuse to
		 * build an obvious double free. */
		char *volatile p = malloc(32 + sink);
		p[0] = (char)x;
		free(p);
		free(p);
	} else if (!strcmp(mode, "assert")) {
		assert(x == 12345);
	}
	sink += x;
}
LEVEL static void level3(int x) { level4(x + sink + 1); sink++; }
LEVEL static void level2(int x) { level3(x + sink + 1); sink++; }
LEVEL static void level1(int x) { level2(x + sink + 1); sink++; }
static void worker(void *a)
{
	level1((int)(long)a + sink);
	sink++; /* no tail call: worker keeps its frame */
}

LEVEL static void mlevel4(int x) { gort_sleep(3600LL * 1000000000LL); sink += x; }
LEVEL static void mlevel3(int x) { mlevel4(x + sink + 1); sink++; }
LEVEL static void mlevel2(int x) { mlevel3(x + sink + 1); sink++; }
LEVEL static void mlevel1(int x) { mlevel2(x + sink + 1); sink++; }

static void reporter(void *a)
{
	(void)a;
	gort_sleep(50 * 1000000LL);
	gort_traceback_all(2);
	stop = 1;
	fflush(stdout);
	exit(0);
}

int main(int argc, char **argv)
{
	mode = argc > 1 ? argv[1] : "park";
	never = gort_chan_make(sizeof(long), 0);
	gort_go(worker, (void *)1L);
	gort_go(reporter, NULL);
	mlevel1(1);
	return 0;
}
