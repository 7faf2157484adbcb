/* t_load.c: loaded versus direct. Every kind of executable gortload must
 * load (static non-PIE, static-PIE, dynamic PIE and non-PIE; musl, glibc and
 * gort; ours and Debian's) is run both ways with the same arguments and
 * environment, and what it sees and does must match: its argv and envp, the
 * auxv entries and their values (but for addresses, which ASLR moves), its
 * output and its exit status or signal. */
#include <criterion/criterion.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "run.h"

static char *const ENV[] = {"A=1", "B=two words", "PATH=/usr/bin:/bin", NULL};

/* Values that do not depend on where things were put. */
static bool stable(const char *name, bool fixed_addresses)
{
	static const char *const addr[] = {"AT_SYSINFO_EHDR", "AT_RANDOM", "AT_EXECFN", "AT_PLATFORM",
	                                   "AT_BASE", "AT_PHDR", "AT_ENTRY", NULL};
	for (int i = 0; addr[i]; i++)
		if (strcmp(name, addr[i]) == 0)
			return fixed_addresses && (strcmp(name, "AT_PHDR") == 0 || strcmp(name, "AT_ENTRY") == 0);
	return true;
}

static void compare_variant(const char *variant, bool fixed)
{
	const char *p = prog(variant);
	if (!have(p)) cr_skip_test("%s was not built (tools/gortcc cannot link yet?)", p);
	char *direct[] = {(char *)p, "a", "b c", "--malloc", NULL};
	char *loaded[] = {GORTLOAD, (char *)p, "a", "b c", "--malloc", NULL};
	struct result d = run(direct, ENV), l = run(loaded, ENV);
	cr_assert(d.exited && d.code == 0, "%s direct: status %d sig %d\n%s", variant, d.code, d.sig, d.err);
	cr_assert(l.exited && l.code == 0, "%s loaded: status %d sig %d\n%s", variant, l.code, l.sig, l.err);
	cr_assert_str_eq(l.err, d.err, "%s: stderr differs", variant);
	struct stackview a, b;
	parse_showstack(d.out, &a);
	parse_showstack(l.out, &b);
	cr_assert_eq(b.argc, 4, "%s: argc %d", variant, b.argc);
	cr_assert_eq(a.argc, b.argc);
	for (int i = 0; i < a.argc; i++) cr_assert_str_eq(b.args[i], a.args[i], "%s argv[%d]", variant, i);
	cr_assert_eq(a.nenv, b.nenv, "%s: envc %d vs %d", variant, a.nenv, b.nenv);
	for (int i = 0; i < a.nenv; i++) cr_assert_str_eq(b.envs[i], a.envs[i], "%s envp[%d]", variant, i);
	cr_assert_eq(a.naux, b.naux, "%s: %d auxv entries directly, %d loaded", variant, a.naux, b.naux);
	for (int i = 0; i < a.naux; i++) {
		cr_assert_str_eq(b.auxname[i], a.auxname[i], "%s: auxv[%d]", variant, i);
		if (stable(a.auxname[i], fixed))
			cr_assert_eq(b.auxval[i], a.auxval[i], "%s: %s is %#lx directly, %#lx loaded", variant,
			             a.auxname[i], (unsigned long)a.auxval[i], (unsigned long)b.auxval[i]);
	}
	cr_assert_eq(strlen(b.random), 32, "%s: AT_RANDOM bytes", variant);
	cr_assert_str_neq(b.random, a.random, "%s: AT_RANDOM bytes are not fresh", variant);
	cr_assert_str_eq(b.execfn, a.execfn);
	cr_assert_str_eq(b.platform, a.platform);
	cr_assert_eq(b.sp_mod16, 0, "%s: %%rsp mod 16 at entry is %d", variant, b.sp_mod16);
	cr_assert(strstr(l.out, "malloc=ok\n"), "%s: malloc under gortload:\n%s", variant, l.out);
	cr_assert(strstr(d.out, "malloc=ok\n"));
	result_free(&d);
	result_free(&l);
}

Test(load, musl_static) { compare_variant("musl-static", true); }
Test(load, musl_dynamic) { compare_variant("musl-dyn", false); }
Test(load, musl_static_pie) { compare_variant("musl-spie", false); }
Test(load, glibc_dynamic_pie) { compare_variant("glibc-dyn", false); }
Test(load, glibc_dynamic_nopie) { compare_variant("glibc-nopie", true); }
Test(load, glibc_static) { compare_variant("glibc-static", true); }
Test(load, glibc_static_pie) { compare_variant("glibc-spie", false); }
Test(load, gort_musl_static) { compare_variant("gort", true); }
Test(load, gort_musl_static_pie) { compare_variant("gort-spie", false); }
Test(load, gort_musl_dynamic) { compare_variant("gort-mdyn", false); }
Test(load, gort_glibc_dynamic) { compare_variant("gort-glibc", false); }

/* The break moves after the bss: a static musl program's malloc grows it
 * (musl's mallocng takes its metadata from brk). */
Test(load, musl_static_malloc_uses_the_break)
{
	char *argv[] = {GORTLOAD, (char *)prog("musl-static"), "--malloc", NULL};
	struct result r = run(argv, ENV);
	cr_assert(r.exited && r.code == 0, "status %d sig %d: %s", r.code, r.sig, r.err);
	cr_assert(strstr(r.out, "malloc=ok\n"), "%s", r.out);
	cr_assert(strstr(r.out, "brk_grew=yes\n"), "the break did not move:\n%s", r.out);
	result_free(&r);
}

static void compare_system(char *const args[], char *const env[])
{
	char *loaded[16] = {GORTLOAD};
	int n = 0;
	while (args[n]) loaded[n + 1] = args[n], n++;
	loaded[n + 1] = NULL;
	struct result d = run(args, env), l = run(loaded, env);
	cr_assert_eq(l.exited, d.exited, "%s: exited %d vs %d", args[0], d.exited, l.exited);
	cr_assert_eq(l.code, d.code, "%s: status %d directly, %d loaded (%s)", args[0], d.code, l.code, l.err);
	cr_assert_eq(l.sig, d.sig, "%s: signal %d directly, %d loaded", args[0], d.sig, l.sig);
	cr_assert_str_eq(l.out, d.out, "%s: stdout differs", args[0]);
	cr_assert_str_eq(l.err, d.err, "%s: stderr differs", args[0]);
	result_free(&d);
	result_free(&l);
}

Test(system, bin_true) { compare_system((char *[]){"/bin/true", NULL}, ENV); }
Test(system, bin_false) { compare_system((char *[]){"/bin/false", NULL}, ENV); }
Test(system, bin_echo) { compare_system((char *[]){"/bin/echo", "hello", "world", NULL}, ENV); }
Test(system, usr_bin_env)
{
	compare_system((char *[]){"/usr/bin/env", NULL}, (char *[]){"A=1", NULL});
	compare_system((char *[]){"/usr/bin/env", NULL}, ENV);
	compare_system((char *[]){"/usr/bin/env", NULL}, (char *[]){NULL});
}
Test(system, sh_signal_and_status)
{
	compare_system((char *[]){"/bin/sh", "-c", "kill -TERM $$", NULL}, ENV);
	compare_system((char *[]){"/bin/sh", "-c", "echo out; echo err >&2; exit 42", NULL}, ENV);
}
/* Nothing of gortload's leaks into the program's process state: no open
 * file descriptors, no blocked, ignored or caught signals. */
Test(system, no_leaked_state)
{
	compare_system((char *[]){"/bin/ls", "/proc/self/fd", NULL}, ENV);
	compare_system((char *[]){"/bin/grep", "-E", "^(Sig(Blk|Ign|Cgt)|NoNewPrivs|Seccomp|Cpus_allowed_list|Threads):",
	                          "/proc/self/status", NULL}, ENV);
}

Test(system, ls_missing_file_stderr)
{
	compare_system((char *[]){"/bin/ls", "/nonexistent-gortload", NULL}, ENV);
}

Test(load, exit_status_is_the_programs)
{
	for (int i = 0; i < 3; i++) {
		const char *v[] = {"musl-static", "glibc-dyn", "gort"};
		if (!have(prog(v[i]))) continue;
		char *argv[] = {GORTLOAD, (char *)prog(v[i]), "--exit=42", NULL};
		struct result r = run(argv, ENV);
		cr_assert(r.exited && r.code == 42, "%s: status %d sig %d", v[i], r.code, r.sig);
		result_free(&r);
	}
}

Test(load, program_found_in_path)
{
	char *argv[] = {GORTLOAD, "echo", "hi", NULL};
	struct result r = run(argv, ENV);
	cr_assert(r.exited && r.code == 0, "status %d: %s", r.code, r.err);
	cr_assert_str_eq(r.out, "hi\n");
	result_free(&r);
}

/* /proc tells the program's story, not gortload's: name, command line,
 * environment, auxv, and the [stack] and [heap] labels. */
Test(load, proc_self_shows_the_program)
{
	struct result r = run((char *[]){GORTLOAD, "/bin/cat", "/proc/self/comm", NULL}, ENV);
	cr_assert_str_eq(r.out, "cat\n");
	result_free(&r);
	r = run((char *[]){GORTLOAD, "/bin/cat", "/proc/self/cmdline", NULL}, ENV);
	cr_assert_eq(r.outlen, sizeof "/bin/cat\0/proc/self/cmdline");
	cr_assert(memcmp(r.out, "/bin/cat\0/proc/self/cmdline", r.outlen) == 0);
	result_free(&r);
	r = run((char *[]){GORTLOAD, "/bin/cat", "/proc/self/environ", NULL}, (char *[]){"X=1", "Y=2", NULL});
	cr_assert_eq(r.outlen, 8);
	cr_assert(memcmp(r.out, "X=1\0Y=2", 8) == 0);
	result_free(&r);
	r = run((char *[]){GORTLOAD, "/bin/cat", "/proc/self/maps", NULL}, ENV);
	cr_assert(strstr(r.out, "[stack]"), "%s", r.out);
	cr_assert(strstr(r.out, "[heap]"), "%s", r.out);
	/* gortload's image stays (documented); its stack is checked in t_show.c. */
	cr_assert(strstr(r.out, "/gortload\n"), "%s", r.out);
	result_free(&r);
}

/* The registers at the entry point, before any libc code: every general
 * register, the flags, MXCSR, the x87 control word, the thread pointer and
 * the whole XSAVE state are what execve leaves. */
Test(load, registers_at_entry_match_execve)
{
	char *direct[] = {PROGS "/regs", NULL};
	char *loaded[] = {GORTLOAD, PROGS "/regs", NULL};
	struct result d = run(direct, ENV), l = run(loaded, ENV);
	cr_assert(d.exited && d.code == 0 && l.exited && l.code == 0, "status %d/%d sig %d/%d", d.code, l.code,
	          d.sig, l.sig);
	cr_assert(strstr(d.out, "rflags=0x202\n") && strstr(d.out, "mxcsr=0x1f80\n"), "%s", d.out);
	cr_assert_str_eq(l.out, d.out);
	result_free(&l);
	char *bent[] = {GORTLOAD, "--stack-align", "8", PROGS "/regs", NULL};
	l = run(bent, ENV);
	cr_assert(strstr(l.out, "rsp_mod16=0x8\n"), "%s", l.out);
	result_free(&d);
	result_free(&l);
}

/* Where the kernel refuses prctl(PR_SET_MM_MAP) (a seccomp filter here),
 * the break cannot move: --show says so, and programs run all the same:
 * the libcs' malloc grows gortload's (empty) break or falls back to mmap. */
Test(load, without_prctl_set_mm)
{
	const char *v[] = {"musl-static", "musl-dyn", "glibc-dyn", "glibc-static", "gort", NULL};
	for (int i = 0; v[i]; i++) {
		if (!have(prog(v[i]))) continue;
		char *argv[] = {GORTLOAD, "--show", (char *)prog(v[i]), "--malloc", NULL};
		struct result r = runf(argv, ENV, RUN_NO_SET_MM);
		cr_assert(r.exited && r.code == 0, "%s: status %d sig %d\n%s", v[i], r.code, r.sig, r.err);
		cr_assert(strstr(r.out, "malloc=ok\n"), "%s: %s", v[i], r.out);
		cr_assert(strstr(r.err, "cannot move it: prctl PR_SET_MM_MAP: Operation not permitted"), "%s", r.err);
		cr_assert(strstr(r.err, "gortload's stack: stays"), "%s", r.err);
		result_free(&r);
	}
	struct result r = runf((char *[]){GORTLOAD, "/bin/echo", "still", "works", NULL}, ENV, RUN_NO_SET_MM);
	cr_assert_str_eq(r.out, "still works\n");
	result_free(&r);
}
