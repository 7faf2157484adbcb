/* fuzz_startup.c: libFuzzer target for what the runtime reads from an
 * untrusted process start, before anything else runs: the initial stack
 * (argv, envp, the auxiliary vector: any execve, or gortload, can put
 * anything there) and the runtime's environment variables (GODEBUG,
 * GOMAXPROCS, GOTRACEBACK, GORT_STACKSIZE, GORT_MAXTHREADS).
 *
 * The input is split at 0xff bytes into fields: the first becomes argv
 * strings (split at '\n'), the second envp strings (split at '\n'), the
 * third raw auxv words (an arbitrary (type, value) list, terminated by the
 * harness), the rest values for the parsers. The harness lays them out as
 * the kernel does (argc, argv..., NULL, envp..., NULL, auxv..., AT_NULL)
 * and runs args() (envp_after, parse_auxv, executable_path), gogetenv and
 * every parser on what it finds. Properties checked beyond "no crash, no
 * overread" (ASan, UBSan): gogetenv returns a pointer inside the matching
 * environment string; parse_gomaxprocs stays within 1..1024 or the default;
 * parse_gotraceback within 0..4 or the default; the debug variables stay
 * non-negative.
 *
 *   make fuzz-short     10 s per target (part of make test)
 *   make fuzz           5 minutes per target */
#include <elf.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "runtime.h"

static void nowarn(const char *var, const char *val, const char *used, void *ctx)
{
	(void)var, (void)val, (void)used;
	++*(int *)ctx;
}

enum { MAXV = 256 };

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* Fields, each a NUL-terminated copy (heap: ASan sees overreads). */
	char *copy = malloc(size + 1);
	memcpy(copy, data, size);
	copy[size] = 0;
	char *field[4] = {copy, NULL, NULL, NULL};
	size_t flen[4] = {0};
	int nf = 1;
	for (size_t i = 0; i < size; i++)
		if ((uint8_t)copy[i] == 0xff && nf < 4) {
			copy[i] = 0;
			field[nf++] = copy + i + 1;
		}
	for (int f = 0; f < 4; f++) flen[f] = field[f] ? strlen(field[f]) : 0;

	/* The initial stack: argc, argv, NULL, envp, NULL, auxv, AT_NULL. */
	uintptr_t *stk = calloc(2 * MAXV + 8 + 2 * MAXV, sizeof *stk);
	size_t k = 1;
	int argc = 0;
	for (char *s = field[0], *t; s && *s && argc < MAXV; s = t) {
		t = strchr(s, '\n');
		if (t) *t++ = 0;
		else t = s + strlen(s);
		stk[k++] = (uintptr_t)s;
		argc++;
	}
	stk[0] = (uintptr_t)argc;
	k++; /* argv's NULL */
	char **envp = (char **)&stk[k];
	int nenv = 0;
	for (char *s = field[1], *t; s && *s && nenv < MAXV; s = t) {
		t = strchr(s, '\n');
		if (t) *t++ = 0;
		else t = s + strlen(s);
		stk[k++] = (uintptr_t)s;
		nenv++;
	}
	k++; /* envp's NULL */
	uintptr_t *auxv = &stk[k];
	size_t nw = flen[2] / sizeof(uintptr_t);
	if (nw > 2 * MAXV - 2) nw = 2 * MAXV - 2;
	nw &= ~(size_t)1;
	for (size_t i = 0; i < nw; i++) {
		uintptr_t w;
		memcpy(&w, field[2] + i * sizeof w, sizeof w);
		/* Pointer-valued entries point at a string the harness owns, as
		 * the kernel's do; others keep the fuzzer's value. */
		if (i % 2 == 1 && (auxv[i - 1] == AT_EXECFN || auxv[i - 1] == AT_PLATFORM ||
				   auxv[i - 1] == AT_RANDOM))
			w = (uintptr_t)"0123456789abcdef/fuzz";
		auxv[i] = w;
		if (i % 2 == 0 && w == AT_NULL) {
			auxv[i + 1] = 0;
			break;
		}
	}
	/* AT_NULL is there: the calloc'd rest is zero. */

	char **argv = (char **)&stk[1];
	if (envp_after(argv, argc) != envp) abort();
	args(argc, argv, envp, auxv);

	static const char *const vars[] = {"GODEBUG", "GOMAXPROCS", "GOTRACEBACK", "GORT_STACKSIZE",
					   "GORT_MAXTHREADS", "PATH", ""};
	for (size_t v = 0; v < sizeof vars / sizeof vars[0]; v++) {
		const char *val = gogetenv(vars[v]);
		if (!val) continue;
		/* It must point just past "NAME=" inside one of the strings. */
		bool inside = false;
		for (int e = 0; e < nenv; e++) {
			size_t l = strlen(envp[e]);
			if (val > envp[e] && val <= envp[e] + l && val[-1] == '=' &&
			    !strncmp(envp[e], vars[v], strlen(vars[v])))
				inside = true;
		}
		if (!inside) abort();
	}

	/* The parsers, on the environment's values and on the fourth field. */
	const char *inputs[] = {gogetenv("GODEBUG"), gogetenv("GOMAXPROCS"), gogetenv("GOTRACEBACK"),
				gogetenv("GORT_STACKSIZE"), field[3]};
	for (size_t i = 0; i < sizeof inputs / sizeof inputs[0]; i++) {
		const char *s = inputs[i];
		if (!s) continue;
		int warned = 0;
		struct debugvars d = {0};
		parse_godebug(s, &d, nowarn, &warned);
		for (size_t o = 0; o < sizeof d / sizeof(int32_t); o++)
			if (((int32_t *)&d)[o] < 0) abort();
		int n = parse_gomaxprocs(s, 7, nowarn, &warned);
		if (n != 7 && (n < 1 || n > 1024)) abort();
		int t = parse_gotraceback(s, 1, nowarn, &warned);
		if (t != 1 && (t < 0 || t > 4)) abort();
		int64_t z = parse_size(s);
		if (z < -1) abort();
	}
	free(stk);
	free(copy);
	return 0;
}
