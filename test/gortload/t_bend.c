/* t_bend.c: the options that bend the start, each observed by showstack
 * (what a crt0 reads), and gort's boot path under each: --argv0,
 * --empty-argv (argc 0, argv[0] NULL: what execve cannot produce since
 * Linux 5.18), --no-env, --drop-auxv, --stack-align. */
#include <criterion/criterion.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "run.h"

static char *const ENV[] = {"A=1", "B=2", NULL};

static struct result bent(const char *variant, char *const opts[], char *const args[], struct stackview *v)
{
	const char *p = prog(variant);
	if (!have(p)) cr_skip_test("%s was not built (tools/gortcc cannot link yet?)", p);
	char *argv[32] = {GORTLOAD};
	int n = 1;
	for (int i = 0; opts && opts[i]; i++) argv[n++] = opts[i];
	argv[n++] = (char *)p;
	for (int i = 0; args && args[i]; i++) argv[n++] = args[i];
	argv[n] = NULL;
	struct result r = run(argv, ENV);
	parse_showstack(r.out, v);
	return r;
}

#define OK(r, what) cr_assert((r).exited && (r).code == 0, "%s: status %d sig %d\n%s", what, (r).code, (r).sig, (r).err)

static const char *const ALL[] = {"musl-static", "musl-dyn", "musl-spie", "glibc-dyn", "glibc-static", "gort",
                                  "gort-spie", "gort-glibc", NULL};

Test(bend, argv0)
{
	for (int i = 0; ALL[i]; i++) {
		if (!have(prog(ALL[i]))) continue;
		struct stackview v;
		struct result r = bent(ALL[i], (char *[]){"--argv0", "renamed", NULL}, (char *[]){"x", NULL}, &v);
		OK(r, ALL[i]);
		cr_assert_eq(v.argc, 2);
		cr_assert_str_eq(v.args[0], "renamed", "%s", ALL[i]);
		cr_assert_str_eq(v.args[1], "x");
		cr_assert_str_eq(v.execfn, prog(ALL[i]), "%s: AT_EXECFN is the file, not argv[0]", ALL[i]);
		result_free(&r);
	}
}

Test(bend, empty_argv)
{
	for (int i = 0; ALL[i]; i++) {
		if (!have(prog(ALL[i]))) continue;
		struct stackview v;
		struct result r = bent(ALL[i], (char *[]){"--empty-argv", NULL}, NULL, &v);
		OK(r, ALL[i]);
		cr_assert_eq(v.argc, 0, "%s: argc %d", ALL[i], v.argc);
		cr_assert(strstr(r.out, "argv[0]=0x0\n"), "%s: argv[0] is not NULL:\n%s", ALL[i], r.out);
		cr_assert_eq(v.nenv, 2, "%s: the environment follows argv's NULL", ALL[i]);
		cr_assert_str_eq(v.envs[0], "A=1");
		result_free(&r);
	}
}

Test(bend, no_env)
{
	for (int i = 0; ALL[i]; i++) {
		if (!have(prog(ALL[i]))) continue;
		struct stackview v;
		struct result r = bent(ALL[i], (char *[]){"--no-env", NULL}, (char *[]){"x", NULL}, &v);
		OK(r, ALL[i]);
		cr_assert_eq(v.nenv, 0, "%s", ALL[i]);
		cr_assert(strstr(r.out, "envc=0\n"));
		cr_assert_eq(v.argc, 2);
		cr_assert_str_eq(v.auxname[v.naux - 1], "AT_NULL");
		result_free(&r);
	}
}

Test(bend, drop_auxv)
{
	const char *v2[] = {"musl-static", "musl-dyn", "musl-spie", "gort", "gort-spie", NULL};
	for (int i = 0; v2[i]; i++) {
		if (!have(prog(v2[i]))) continue;
		struct stackview v, ref;
		struct result r0 = bent(v2[i], NULL, NULL, &ref);
		struct result r = bent(v2[i], (char *[]){"--drop-auxv", "AT_RANDOM", "--drop-auxv", "hwcap2", "--drop-auxv", "15",
		                                        NULL}, NULL, &v);
		OK(r, v2[i]);
		cr_assert(!aux_get(&v, "AT_RANDOM", NULL), "%s", v2[i]);
		cr_assert(!aux_get(&v, "AT_HWCAP2", NULL));
		cr_assert(!aux_get(&v, "AT_PLATFORM", NULL));
		cr_assert(!strstr(r.out, "random="));
		cr_assert_eq(v.naux, ref.naux - 3, "%s: %d entries, %d without dropping", v2[i], v.naux, ref.naux);
		cr_assert(aux_get(&v, "AT_PHDR", NULL) && aux_get(&v, "AT_ENTRY", NULL) && aux_get(&v, "AT_EXECFN", NULL));
		result_free(&r);
		result_free(&r0);
	}
}

/* A misaligned start: musl's crt1 and ld.so, glibc's static start and
 * gort's _rt0_amd64_linux all realign %rsp themselves; glibc's ld.so does not
 * (it relies on the ABI) and dies of SIGSEGV in its first aligned SSE store,
 * taking glibc-dynamic gort programs with it. */
Test(bend, stack_align)
{
	const char *v3[] = {"musl-static", "musl-dyn", "musl-spie", "glibc-static", "glibc-spie", "gort", "gort-spie",
	                    "gort-mdyn", "glibc-dyn", "gort-glibc", NULL};
	for (int i = 0; v3[i]; i++) {
		if (!have(prog(v3[i]))) continue;
		bool ldso_glibc = strcmp(v3[i], "glibc-dyn") == 0 || strcmp(v3[i], "gort-glibc") == 0;
		for (int n = 0; n < 16; n += 4) {
			char num[8];
			snprintf(num, sizeof num, "%d", n);
			struct stackview v;
			struct result r = bent(v3[i], (char *[]){"--stack-align", num, NULL}, (char *[]){"x", NULL}, &v);
			if (ldso_glibc && n) {
				cr_assert(!r.exited && r.sig == SIGSEGV, "%s --stack-align %d: status %d sig %d", v3[i], n,
				          r.code, r.sig);
				result_free(&r);
				continue;
			}
			OK(r, v3[i]);
			cr_assert_eq(v.sp_mod16, n, "%s: --stack-align %d gave %%rsp mod 16 = %d", v3[i], n, v.sp_mod16);
			cr_assert_eq(v.argc, 2);
			cr_assert_str_eq(v.args[1], "x");
			result_free(&r);
		}
	}
}

/* gort's boot path under each bend, as runtime/args.c documents it: argc 0
 * with argv[0] NULL runs main with argc 0; an empty environment runs with
 * the defaults; no AT_RANDOM seeds from the clock; main is goroutine 1. */
static void gort_survives(const char *variant)
{
	if (!have(prog(variant))) cr_skip_test("%s was not built (tools/gortcc cannot link yet?)", prog(variant));
	struct stackview v;
	struct result r = bent(variant, (char *[]){"--empty-argv", NULL}, NULL, &v);
	OK(r, "--empty-argv");
	cr_assert_eq(v.argc, 0);
	cr_assert(strstr(r.out, "goid=1\n"), "%s", r.out);
	result_free(&r);

	r = bent(variant, (char *[]){"--no-env", NULL}, NULL, &v);
	OK(r, "--no-env");
	cr_assert_eq(v.nenv, 0);
	cr_assert(strstr(r.out, "goid=1\n"));
	result_free(&r);

	r = bent(variant, (char *[]){"--drop-auxv", "AT_RANDOM", NULL}, (char *[]){"--malloc", NULL}, &v);
	OK(r, "--drop-auxv AT_RANDOM");
	cr_assert(!aux_get(&v, "AT_RANDOM", NULL));
	cr_assert(strstr(r.out, "goid=1\n") && strstr(r.out, "malloc=ok\n"));
	result_free(&r);

	r = bent(variant, (char *[]){"--empty-argv", "--no-env", "--drop-auxv", "AT_RANDOM", "--drop-auxv", "AT_EXECFN",
	                             "--stack-align", "8", NULL}, NULL, &v);
	OK(r, "all at once");
	cr_assert_eq(v.argc, 0);
	cr_assert_eq(v.sp_mod16, 8);
	result_free(&r);
}

Test(gort, musl_static_survives_bending) { gort_survives("gort"); }
Test(gort, musl_static_pie_survives_bending) { gort_survives("gort-spie"); }
Test(gort, musl_dynamic_survives_bending) { gort_survives("gort-mdyn"); }

/* Each auxv entry alone may go missing from a gort program's start, and
 * the outcome is clear: main runs, or (only for the entries listed) the
 * program dies of SIGSEGV before main, in code that needs that entry:
 *   static:      AT_PHDR: musl's TLS setup (__init_tls, inside
 *                __libc_start_main) walks the program headers through it;
 *   static-PIE:  AT_PHDR, AT_PHNUM: gort's reloc_self finds PT_DYNAMIC
 *                through them; without them the program runs unrelocated;
 *   dynamic:     AT_PHDR, AT_PHENT, AT_PHNUM, AT_BASE, AT_ENTRY: musl's
 *                ld.so finds the program and itself through them. */
static void gort_each_drop(const char *variant, const char *const needed[])
{
	if (!have(prog(variant))) cr_skip_test("%s was not built", prog(variant));
	struct stackview ref;
	struct result r0 = bent(variant, NULL, NULL, &ref);
	OK(r0, "reference");
	for (int i = 0; i < ref.naux - 1; i++) {
		const char *a = ref.auxname[i];
		bool need = false;
		for (int k = 0; needed[k]; k++) need |= strcmp(needed[k], a) == 0;
		struct stackview v;
		struct result r = bent(variant, (char *[]){"--drop-auxv", (char *)a, NULL}, NULL, &v);
		if (need && !r.exited) {
			cr_assert_eq(r.sig, SIGSEGV, "%s without %s: signal %d", variant, a, r.sig);
			cr_assert_str_eq(r.out, "", "%s without %s: main ran", variant, a);
		} else {
			cr_assert(r.exited && r.code == 0, "%s without %s: status %d sig %d\n%s", variant, a, r.code, r.sig,
			          r.err);
			cr_assert(strstr(r.out, "goid=1\n"), "%s without %s: %s", variant, a, r.out);
			cr_assert(!aux_get(&v, a, NULL));
		}
		result_free(&r);
	}
	result_free(&r0);
}

Test(gort, static_survives_each_dropped_auxv_entry)
{
	gort_each_drop("gort", (const char *[]){"AT_PHDR", NULL});
}
Test(gort, static_pie_survives_each_dropped_auxv_entry)
{
	gort_each_drop("gort-spie", (const char *[]){"AT_PHDR", "AT_PHNUM", NULL});
}
Test(gort, dynamic_survives_each_dropped_auxv_entry)
{
	gort_each_drop("gort-mdyn", (const char *[]){"AT_PHDR", "AT_PHENT", "AT_PHNUM", "AT_BASE", "AT_ENTRY", NULL});
}

/* A glibc program cannot start without AT_RANDOM (its stack protector
 * reads the 16 bytes unconditionally): a clear crash, SIGSEGV, before main. */
Test(bend, glibc_without_at_random_crashes_clearly)
{
	struct stackview v;
	struct result r = bent("glibc-dyn", (char *[]){"--drop-auxv", "AT_RANDOM", NULL}, NULL, &v);
	cr_assert(!r.exited && r.sig == SIGSEGV, "status %d sig %d", r.code, r.sig);
	cr_assert_str_eq(r.out, "");
	result_free(&r);
}
