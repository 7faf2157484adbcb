/* inittasks_b: the second file of the inittasks program. */
#include <stdio.h>
#include <gort.h>

static void server_init(void) { printf("init server\n"); }
static void db_init(void) { printf("init db\n"); }

GORT_INIT(server, server_init, db, cache);
GORT_INIT(db, db_init, config);
