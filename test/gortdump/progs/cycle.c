/* cycle: init tasks that cannot run (alpha -> gamma -> beta -> alpha);
 * gortdump must name the cycle as the runtime does. */
#include <stdio.h>
#include <gort.h>
static void f(void) { printf("task ran\n"); }
GORT_INIT(alpha, f, gamma);
GORT_INIT(beta, f, alpha);
GORT_INIT(gamma, f, beta);
GORT_INIT(bystander, f);
int main(void) { printf("main ran\n"); return 0; }
