/* namespace: a program that defines, for its own use, names the runtime
 * uses internally (check, debug, lock, sched, args, fatal, throw, cpu,
 * osinit, schedinit). Only gort's API is global (issue #14): the program
 * links, the runtime calls its own functions and never the program's, and
 * the program's calls reach its own. Prints what each side did. */
#include <stdio.h>
#include <string.h>
#include <gort.h>

int debug = 7;
long sched[4] = {1, 2, 3, 4};
const char *cpu = "my cpu";
char args[32] = "my args";
static int calls[6]; /* check, lock, fatal, throw, osinit, schedinit */

void check(void) { calls[0]++; }
int lock(int *l) { calls[1]++; return ++*l; }
void fatal(const char *msg) { calls[2]++; printf("my fatal: %s\n", msg); }
void throw(const char *msg) { calls[3]++; printf("my throw: %s\n", msg); }
void osinit(void) { calls[4]++; }
void schedinit(void) { calls[5]++; }

static gort_waitgroup wg = GORT_WAITGROUP_INIT;
static void worker(void *arg)
{
	gort_chan *c = arg;
	long v;
	while (gort_chan_recv(c, &v)) __atomic_fetch_add(&sched[v % 4], v, __ATOMIC_RELAXED);
	gort_wg_done(&wg);
}

int main(void)
{
	/* Before the program's own calls: the runtime called none of them. */
	printf("before: check=%d lock=%d fatal=%d throw=%d osinit=%d schedinit=%d\n", calls[0], calls[1],
	       calls[2], calls[3], calls[4], calls[5]);
	int l = 0;
	check();
	lock(&l);
	fatal("not fatal");
	throw("not thrown");
	osinit();
	schedinit();
	printf("after: check=%d lock=%d fatal=%d throw=%d osinit=%d schedinit=%d\n", calls[0], calls[1],
	       calls[2], calls[3], calls[4], calls[5]);
	/* The runtime intact: goroutines on several threads, a channel, a sleep. */
	gort_chan *c = gort_chan_make(sizeof(long), 4);
	gort_wg_add(&wg, 4);
	for (int i = 0; i < 4; i++) gort_go(worker, c);
	for (long v = 1; v <= 1000; v++) gort_chan_send(c, &v);
	gort_chan_close(c);
	gort_wg_wait(&wg);
	gort_sleep(1000000);
	long sum = sched[0] + sched[1] + sched[2] + sched[3];
	printf("debug=%d cpu=%s args=%s l=%d sum=%ld gomaxprocs>0=%d\n", debug, cpu, args, l, sum,
	       gort_gomaxprocs(0) > 0);
	return 0;
}
