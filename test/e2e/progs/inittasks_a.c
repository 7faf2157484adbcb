/* inittasks_a: init tasks across two files; see inittasks_b.c. The
 * expected order is the depth-first walk in table (link) order:
 * config, log (declared first here, but after config: it depends on it),
 * cache, db, server. */
#include <stdio.h>
#include <gort.h>

static void first_init(void) { printf("init first\n"); }
static void second_init(void) { printf("init second\n"); }
GORT_INIT(first, first_init);
GORT_INIT(second, second_init);

static void log_init(void) { printf("init log (goid %ld)\n", (long)gort_goid()); }
static void config_init(void) { printf("init config\n"); }
static void cache_init(void) { printf("init cache\n"); }

GORT_INIT(log, log_init, config);
GORT_INIT(config, config_init);
GORT_INIT(cache, cache_init, config, log);

static int ctor_ran;
__attribute__((constructor)) static void ctor(void)
{
	ctor_ran = 1;
	printf("constructor (goid %ld)\n", (long)gort_goid());
}

int main(void)
{
	printf("main goid=%ld ctor_ran=%d\n", (long)gort_goid(), ctor_ran);
	return 0;
}
