/* showstack: prints what the program finds on its initial stack, read the
 * way a crt0 reads it: argc and argv from main, envp from main, the
 * auxiliary vector after envp's NULL. Built with musl (static, dynamic,
 * static-PIE), glibc (dynamic PIE and non-PIE, static, static-PIE) and gort,
 * and run directly and under gortload; test/gortload compares the outputs
 * with each other and with gortload --show.
 *
 * Arguments are printed, never interpreted, except these extra requests:
 *   --malloc   allocate and check memory (brk and mmap paths)
 *   --maps     print /proc/self/maps
 *   --exit=N   exit with status N
 * Output lines are "key=value"; strings are printed raw in double quotes. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>
#ifdef SHOWSTACK_GORT /* the gort builds (test/gortload/rules.mk) */
#include <gort.h>
#endif

static const char *auxname(unsigned long t)
{
	static const char *const n[] = {
		[0] = "AT_NULL", [1] = "AT_IGNORE", [2] = "AT_EXECFD", [3] = "AT_PHDR", [4] = "AT_PHENT",
		[5] = "AT_PHNUM", [6] = "AT_PAGESZ", [7] = "AT_BASE", [8] = "AT_FLAGS", [9] = "AT_ENTRY",
		[10] = "AT_NOTELF", [11] = "AT_UID", [12] = "AT_EUID", [13] = "AT_GID", [14] = "AT_EGID",
		[15] = "AT_PLATFORM", [16] = "AT_HWCAP", [17] = "AT_CLKTCK", [23] = "AT_SECURE",
		[24] = "AT_BASE_PLATFORM", [25] = "AT_RANDOM", [26] = "AT_HWCAP2",
		[27] = "AT_RSEQ_FEATURE_SIZE", [28] = "AT_RSEQ_ALIGN", [29] = "AT_HWCAP3", [30] = "AT_HWCAP4",
		[31] = "AT_EXECFN", [32] = "AT_SYSINFO", [33] = "AT_SYSINFO_EHDR", [51] = "AT_MINSIGSTKSZ",
	};
	return t < sizeof n / sizeof n[0] ? n[t] : NULL;
}

static int check_malloc(void)
{
	/* Small blocks (musl: brk-backed metadata and groups; glibc: the brk
	 * heap), then large ones (mmap). */
	enum { N = 2000 };
	static unsigned char *p[N];
	for (int i = 0; i < N; i++) {
		size_t n = 16 + (i * 37) % 3000;
		if (i % 100 == 0) n = 200 * 1024;
		p[i] = malloc(n);
		if (!p[i]) return 1;
		memset(p[i], i & 0xff, n);
	}
	for (int i = 0; i < N; i++) {
		size_t n = 16 + (i * 37) % 3000;
		if (i % 100 == 0) n = 200 * 1024;
		for (size_t k = 0; k < n; k += 97)
			if (p[i][k] != (i & 0xff)) return 2;
		free(p[i]);
	}
	return 0;
}

int main(int argc, char **argv, char **envp)
{
	/* First, before stdio allocates anything: the program break. */
	uintptr_t brk0 = (uintptr_t)syscall(SYS_brk, 0);
	int want_malloc = 0, want_maps = 0, code = 0;

	printf("argc=%d\n", argc);
	printf("argv=0x%lx\n", (unsigned long)argv);
	printf("entry_sp_mod16=%u\n", (unsigned)(((uintptr_t)argv - 8) % 16));
	int i;
	for (i = 0; i < argc; i++) {
		printf("argv[%d]=0x%lx \"%s\"\n", i, (unsigned long)argv[i], argv[i] ? argv[i] : "(null)");
		if (argv[i] && strcmp(argv[i], "--malloc") == 0) want_malloc = 1;
		if (argv[i] && strcmp(argv[i], "--maps") == 0) want_maps = 1;
		if (argv[i] && strncmp(argv[i], "--exit=", 7) == 0) code = atoi(argv[i] + 7);
	}
	printf("argv[%d]=0x%lx\n", argc, (unsigned long)argv[argc]);
	char **e = envp;
	for (i = 0; e[i]; i++) printf("envp[%d]=0x%lx \"%s\"\n", i, (unsigned long)e[i], e[i]);
	printf("envp[%d]=0x%lx\n", i, (unsigned long)e[i]);
	printf("envc=%d\n", i);
	unsigned long *aux = (unsigned long *)(e + i + 1);
	const unsigned char *rnd = NULL;
	const char *execfn = NULL, *platform = NULL;
	for (; aux[0]; aux += 2) {
		const char *n = auxname(aux[0]);
		if (n) printf("auxv %s 0x%lx\n", n, aux[1]);
		else printf("auxv AT_%lu 0x%lx\n", aux[0], aux[1]);
		if (aux[0] == 25) rnd = (const unsigned char *)aux[1];
		if (aux[0] == 31) execfn = (const char *)aux[1];
		if (aux[0] == 15) platform = (const char *)aux[1];
	}
	printf("auxv AT_NULL 0x0\n");
	if (rnd) {
		printf("random=");
		for (i = 0; i < 16; i++) printf("%02x", rnd[i]);
		printf("\n");
	}
	if (execfn) printf("execfn=\"%s\"\n", execfn);
	if (platform) printf("platform=\"%s\"\n", platform);
	printf("brk=0x%lx\n", (unsigned long)brk0);
#ifdef SHOWSTACK_GORT
	printf("goid=%ld\n", (long)gort_goid());
#endif
	if (want_malloc) {
		int r = check_malloc();
		uintptr_t brk1 = (uintptr_t)syscall(SYS_brk, 0);
		printf("malloc=%s\n", r ? "BAD" : "ok");
		printf("brk_grew=%s\n", brk1 > brk0 ? "yes" : "no");
	}
	if (want_maps) {
		fflush(stdout);
		FILE *f = fopen("/proc/self/maps", "r");
		char line[4096];
		while (f && fgets(line, sizeof line, f)) printf("maps %s", line);
		if (f) fclose(f);
	}
	return code;
}
