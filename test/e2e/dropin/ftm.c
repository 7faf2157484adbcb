/* ftm.c: a file that sets a feature-test macro at its top, as real programs
 * do (Redis's setproctitle.c: _GNU_SOURCE), then uses what the macro
 * declares. Built with -std=c11 so that only the macro declares them, and
 * -Werror=implicit-function-declaration so that a missing declaration
 * fails. One macro per build: -DFTM_GNU, FTM_POSIX, FTM_XOPEN, FTM_DEFAULT
 * or FTM_BSD (the #define itself is in the file, where the bug was). */
#if defined FTM_GNU
#define _GNU_SOURCE
#elif defined FTM_POSIX
#define _POSIX_C_SOURCE 200809L
#elif defined FTM_XOPEN
#define _XOPEN_SOURCE 700
#elif defined FTM_DEFAULT
#define _DEFAULT_SOURCE
#elif defined FTM_BSD
#define _BSD_SOURCE
#endif
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	(void)argc;
#if defined FTM_GNU
	int p[2];
	if (pipe2(p, O_CLOEXEC)) return 1;
	const char *s = "abcabc";
	if (memrchr(s, 'a', 6) != s + 3) return 1;
	if (strcmp(program_invocation_name, argv[0])) return 1;
#elif defined FTM_POSIX
	if (strnlen("abcdef", 3) != 3) return 1;
	if (dprintf(1, "%s", "") != 0) return 1;
#elif defined FTM_XOPEN
	char *d = strdup(argv[0]);
	char buf[PATH_MAX];
	if (!d || !realpath("/", buf)) return 1;
	free(d);
#else /* _DEFAULT_SOURCE, _BSD_SOURCE */
	char line[] = "a,b", *lp = line;
	if (strcmp(strsep(&lp, ","), "a")) return 1;
#endif
	errno = ENOENT;
	if (errno != ENOENT) return 1;
	puts("ftm ok");
	return 0;
}
