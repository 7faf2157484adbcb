/* tasks_a: init tasks across two files (see tasks_b.c) for gortdump's
 * tests. Each task prints its name, so the suite can compare the order the
 * program runs them in with the order gortdump reads from the binary.
 * The graph has a task declared before its dependency (log), a diamond
 * (metrics), dependencies in the other file (cache on store), and a
 * choice the declaration order settles (first, second). */
#include <stdio.h>
#include <gort.h>

#define TASK(n) static void n##_init(void) { printf("task " #n "\n"); }
TASK(first)
TASK(second)
TASK(log)
TASK(config)
TASK(cache)
TASK(metrics)

GORT_INIT(first, first_init);
GORT_INIT(second, second_init);
GORT_INIT(log, log_init, config);
GORT_INIT(config, config_init);
GORT_INIT(cache, cache_init, store, log);
GORT_INIT(metrics, metrics_init, log, cache, config);

/* A constructor too: .init_array, run before the init tasks. */
__attribute__((constructor)) static void ctor(void) { printf("constructor\n"); }

int main(void)
{
	printf("main\n");
	return 0;
}
