/* initmissing: names a dependency that does not exist: a link error. */
#include <gort.h>
static void f(void) {}
GORT_INIT(orphan, f, nosuchtask);
int main(void) { return 0; }
