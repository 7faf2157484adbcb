/* initcycle: a -> b -> c -> a; the runtime must refuse with a message
 * naming the cycle and exit 2, before main. */
#include <stdio.h>
#include <gort.h>
static void f(void) { printf("task ran\n"); }
GORT_INIT(alpha, f, gamma);
GORT_INIT(beta, f, alpha);
GORT_INIT(gamma, f, beta);
GORT_INIT(free_task, f);
int main(void) { printf("main ran\n"); return 0; }
