/* plain_exit: stdio buffering, atexit order, exit status; no gort calls. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
static void first(void) { printf("atexit first-registered (runs last)\n"); }
static void second(void) { printf("atexit second-registered (runs first)\n"); }
int main(int argc, char **argv)
{
	atexit(first);
	atexit(second);
	fprintf(stderr, "to stderr\n");
	printf("buffered without newline");
	if (argc > 1 && !strcmp(argv[1], "exit")) exit(7);
	if (argc > 1 && !strcmp(argv[1], "_exit")) { fflush(stdout); _Exit(9); }
	return 42;
}
