/* selfquit: a gort program whose traceback must name its own functions
 * when it runs under gortload, where /proc/self/exe is gortload
 * (t_symbols.c). worker_loop parks in gort_sleep; once it has, main sends
 * the process SIGQUIT, whose traceback lists every goroutine (exit 2).
 * With argument "crash", worker_loop dereferences NULL instead (a fatal
 * traceback, exit 2). */
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <gort.h>

static _Atomic int started;
static const char *mode = "";

__attribute__((noinline)) void worker_loop(void *arg)
{
	(void)arg;
	if (!strcmp(mode, "crash")) {
		volatile int *p = NULL;
		*p = 1;
	}
	for (;;) {
		atomic_store(&started, 1);
		gort_sleep(60 * 1000000000LL);
		printf("worker_loop woke\n"); /* no tail call */
	}
}

int main(int argc, char **argv)
{
	if (argc > 1) mode = argv[1];
	gort_go(worker_loop, NULL);
	while (!atomic_load(&started)) gort_sleep(1000000);
	gort_sleep(20000000); /* until worker_loop is parked */
	raise(SIGQUIT);
	gort_sleep(5 * 1000000000LL);
	printf("still running\n");
	return 1;
}
