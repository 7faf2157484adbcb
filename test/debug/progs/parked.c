/* parked.c: the program the debugger tests (test/debug/) look at. It parks
 * goroutines in known places, then main calls at_breakpoint(), where the
 * debugger stops:
 *   waiter_recv  receives on an unbuffered channel nobody sends on
 *   waiter_send  sends on a full channel of capacity 3 (len 3)
 *   sleeper      gort_sleep for an hour
 *   reader       gort_read on a pipe nobody writes
 *   locker       gort_mutex_lock on a mutex main holds
 *   wg_waiter    gort_wg_wait on a WaitGroup whose count is 1
 *   nested_*     receives three calls deep (a longer backtrace); nested_c
 *                has a local, `answer` (42), for `goroutine N p answer`
 * and `spare` goroutines (argv[1], default 2) blocked in waiter_recv, for a
 * longer list. With argv[2] "abort" main then aborts (a core file); with
 * "traceback" it prints every goroutine's traceback (file:line test).
 * Each goroutine counts itself in `parked` just before it blocks; main
 * waits for the count, then a little longer, so that each has parked. */
#include <gort.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

gort_chan *recvchan;  /* unbuffered, never sent on */
gort_chan *fullchan;  /* capacity 3, full */
static int pipefd[2];
static gort_mutex mu = GORT_MUTEX_INIT;
static gort_waitgroup wg = GORT_WAITGROUP_INIT;
static _Atomic int parked;

/* After the blocking call: no tail call, so that the caller's frame stays
 * on the stack (a tail call would make gort_sleep's caller gort_gostart). */
#define NOTAIL() __asm__ volatile("" ::: "memory")

__attribute__((noinline)) void waiter_recv(void *arg)
{
	(void)arg;
	int v;
	atomic_fetch_add(&parked, 1);
	gort_chan_recv(recvchan, &v);
	NOTAIL();
}

__attribute__((noinline)) void waiter_send(void *arg)
{
	(void)arg;
	int v = 4;
	atomic_fetch_add(&parked, 1);
	gort_chan_send(fullchan, &v);
	NOTAIL();
}

__attribute__((noinline)) void sleeper(void *arg)
{
	(void)arg;
	atomic_fetch_add(&parked, 1);
	gort_sleep(3600LL * 1000000000LL);
	NOTAIL();
}

__attribute__((noinline)) void reader(void *arg)
{
	(void)arg;
	char c;
	atomic_fetch_add(&parked, 1);
	gort_read(pipefd[0], &c, 1);
	NOTAIL();
}

__attribute__((noinline)) void locker(void *arg)
{
	(void)arg;
	atomic_fetch_add(&parked, 1);
	gort_mutex_lock(&mu);
	NOTAIL();
}

__attribute__((noinline)) void wg_waiter(void *arg)
{
	(void)arg;
	atomic_fetch_add(&parked, 1);
	gort_wg_wait(&wg);
	NOTAIL();
}

__attribute__((noinline)) void nested_c(int depth)
{
	volatile int answer = 40 + depth; /* in the frame, for the debuggers: 42 */
	int v;
	atomic_fetch_add(&parked, 1);
	gort_chan_recv(recvchan, &v);
	__asm__ volatile("" ::"r"(depth), "r"(answer) : "memory"); /* no tail call */
}

__attribute__((noinline)) void nested_b(int depth)
{
	nested_c(depth + 1);
	__asm__ volatile("" ::"r"(depth) : "memory");
}

__attribute__((noinline)) void nested_a(void *arg)
{
	(void)arg;
	nested_b(1);
	__asm__ volatile("" ::: "memory");
}

/* The debugger's breakpoint. */
__attribute__((noinline)) void at_breakpoint(gort_chan *c)
{
	__asm__ volatile("" ::"r"(c) : "memory");
}

int main(int argc, char **argv)
{
	int spare = argc > 1 ? atoi(argv[1]) : 2;
	recvchan = gort_chan_make(sizeof(int), 0);
	fullchan = gort_chan_make(sizeof(int), 3);
	for (int i = 1; i <= 3; i++) gort_chan_send(fullchan, &i);
	if (pipe(pipefd) != 0) return 1;
	gort_mutex_lock(&mu);
	gort_wg_add(&wg, 1);
	int n = 0;
	gort_go(waiter_recv, NULL), n++;
	gort_go(waiter_send, NULL), n++;
	gort_go(sleeper, NULL), n++;
	gort_go(reader, NULL), n++;
	gort_go(locker, NULL), n++;
	gort_go(nested_a, NULL), n++;
	gort_go(wg_waiter, NULL), n++;
	for (int i = 0; i < spare; i++) gort_go(waiter_recv, NULL), n++;
	while (atomic_load(&parked) < n) gort_sleep(1000000);
	gort_sleep(50000000);
	printf("parked %d\n", n);
	fflush(stdout);
	at_breakpoint(fullchan);
	if (argc > 2 && !strcmp(argv[2], "abort")) abort(); /* for a core file */
	if (argc > 2 && !strcmp(argv[2], "traceback")) gort_traceback_all(2);
	gort_mutex_unlock(&mu);
	gort_wg_done(&wg);
	return 0;
}
