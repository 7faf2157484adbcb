/* showargs: prints what the program was given: argc, argv, the environment
 * and a few auxv entries, and which goroutine main runs in. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/auxv.h>
#include <gort.h>

extern char **environ;

int main(int argc, char **argv, char **envp)
{
	printf("goid=%ld\n", (long)gort_goid());
	printf("argc=%d\n", argc);
	size_t total = 0;
	for (int i = 0; i < argc; i++) {
		total += strlen(argv[i]);
		if (argc <= 20) printf("argv[%d]=%s\n", i, argv[i]);
	}
	printf("argbytes=%zu\n", total);
	printf("argv[argc]=%s\n", argv[argc] ? "non-NULL" : "NULL");
	int n = 0;
	size_t envbytes = 0;
	for (char **e = envp; *e; e++, n++) envbytes += strlen(*e);
	printf("envc=%d envbytes=%zu environ_matches=%d\n", n, envbytes, environ == envp);
	const char *x = getenv("SHOWARGS_X");
	printf("SHOWARGS_X=%s\n", x ? x : "(unset)");
	printf("pagesz=%lu random=%s\n", getauxval(AT_PAGESZ), getauxval(AT_RANDOM) ? "yes" : "no");
	printf("secure=%lu\n", getauxval(AT_SECURE));
	printf("gomaxprocs=%d\n", gort_gomaxprocs(0));
	return 0;
}
