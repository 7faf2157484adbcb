/* tasks_b: the second file of gortdump's test program (tasks_a.c). */
#include <stdio.h>
#include <gort.h>

static void server_init(void) { printf("task server\n"); }
static void store_init(void) { printf("task store\n"); }
static void tls_init(void) { printf("task tls\n"); }

GORT_INIT(server, server_init, store, metrics, tls);
GORT_INIT(store, store_init, config);
GORT_INIT(tls, tls_init);
