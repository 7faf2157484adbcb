/* e2e_symbols.c: only gort's API is global (issue #14). The archives gort
 * installs define, as global symbols, only the documented API and the names
 * it reserves (gort_*), the entry, the libc functions the hooks replace, and
 * what the linker needs (__dso_handle, which -nostartfiles leaves out); a
 * program that uses names the runtime uses inside links and runs with both
 * its own functions and the runtime intact. And the runtime's own symbols
 * for tracebacks (issue #15): selfsym's functions are named after chroot,
 * without /proc and with every descriptor in use. */
#include "run.h"

/* The libc archive the variant links, to tell a hooked libc name (defined
 * by the libc too) from a runtime name that escaped: the libc.a a static
 * link with cc takes (ld's trace). Not `cc -print-file-name=libc.a`:
 * musl-gcc's specs do not redirect it, so it named glibc's archive, which
 * lacks musl's own internal names (__stdio_read...). */
static const char *libc_archive(const char *cc)
{
	struct result r = shell("printf 'int main(void){return 0;}' | %s -static -x c - -o /dev/null -Wl,-t 2>/dev/null "
				"| grep '/libc\\.a$' | head -n 1",
				cc);
	cr_assert(r.exited && r.code == 0 && r.outlen > 1, "%s -static -Wl,-t: no libc.a: %s", cc, r.err);
	r.out[strcspn(r.out, "\n")] = 0;
	return r.out;
}

/* check_globals: every global name nm (with opts) lists in file is gort_*,
 * the entry, __dso_handle or a name the libc archive defines too. */
static void check_globals(const char *opts, const char *archive, const char *libc)
{
	struct result r = shell("nm %s --defined-only '%s' | awk 'NF == 3 { sub(/@.*/, \"\", $3); print $3 }' | sort -u",
				opts, archive);
	cr_assert(r.exited && r.code == 0 && r.outlen > 0, "nm %s: %s", archive, r.err);
	struct result l = shell("nm -g --defined-only '%s' 2>/dev/null | awk 'NF == 3 { print $3 }' | sort -u", libc);
	cr_assert(l.outlen > 0, "no symbols in %s", libc);
	char bad[4096] = "";
	size_t nbad = 0, n = 0;
	for (char *s = strtok(r.out, "\n"); s; s = strtok(NULL, "\n"), n++) {
		if (!strncmp(s, "gort_", 5) || !strcmp(s, "_rt0_amd64_linux") || !strcmp(s, "__dso_handle"))
			continue;
		char key[256];
		snprintf(key, sizeof key, "\n%s\n", s);
		char *all = malloc(l.outlen + 2);
		snprintf(all, l.outlen + 2, "\n%s", l.out);
		bool inlibc = strstr(all, key) != NULL;
		free(all);
		if (inlibc) continue;
		if (nbad++ < 40) snprintf(bad + strlen(bad), sizeof bad - strlen(bad), " %s", s);
	}
	cr_assert(n > 0, "%s defines no global symbol", archive);
	cr_assert_eq(nbad, 0, "%s: %zu global symbols outside gort_*, the entry and the libc's names:%s", archive,
		     nbad, bad);
}

Test(symbols, archives_define_only_the_api_as_global)
{
	const char *musl = libc_archive("musl-gcc"), *glibc = libc_archive("gcc");
	const char *arch[][2] = {
		{BUILD_DIR "/libgort_rt.a", musl},
		{BUILD_DIR "/libgort_hooks.a", musl},
		{BUILD_DIR "/libgort_dynhooks.a", musl},
		{BUILD_DIR "/glibc/libgort_rt.a", glibc},
		{BUILD_DIR "/glibc/libgort_hooks.a", glibc},
	};
	for (size_t i = 0; i < sizeof arch / sizeof arch[0]; i++) check_globals("-g", arch[i][0], arch[i][1]);
}

/* A dynamic program exports (.dynsym) the hooks and the libc's copy
 * relocations (environ), nothing of the runtime. */
Test(symbols, dynamic_programs_export_only_the_api)
{
	check_globals("-D", bin("mdyn", "namespace"), libc_archive("musl-gcc"));
	check_globals("-D", bin("glibc", "namespace"), libc_archive("gcc"));
}

Test(symbols, program_names_do_not_meet_the_runtime_s)
{
	for (size_t i = 0; i < NVARIANTS; i++) {
		const char *p = bin(gort_variants[i], "namespace");
		struct result r = run(p);
		cr_assert(r.exited && r.code == 0, "%s: status %d sig %d\n%s%s", p, r.code, r.sig, r.out, r.err);
		cr_assert_str_eq(r.out,
				 "before: check=0 lock=0 fatal=0 throw=0 osinit=0 schedinit=0\n"
				 "my fatal: not fatal\n"
				 "my throw: not thrown\n"
				 "after: check=1 lock=1 fatal=1 throw=1 osinit=1 schedinit=1\n"
				 "debug=7 cpu=my cpu args=my args l=1 sum=500510 gomaxprocs>0=1\n",
				 "%s:\n%s%s", p, r.out, r.err);
	}
}

/* Symbols wherever the program runs (issue #15): a traceback names the
 * program's functions though the executable can no longer be opened by
 * name when it is printed. selfsym's worker_loop goroutine does the damage,
 * then shows its traceback; the runtime mapped the executable when that
 * goroutine started (sysmon_start), from AT_EXECFN. */
static void assert_names_own(const char *v, const struct result *r)
{
	cr_assert(strstr(r->err, "\nworker_loop(...)\n"), "%s: worker_loop not named:\n%s", v, r->err);
	cr_assert(strstr(r->err, "\ncreated by main\n"), "%s: creator not named:\n%s", v, r->err);
	cr_assert(!strstr(r->err, "??"), "%s: an unnamed frame:\n%s", v, r->err);
}

Test(symbols, fatal_traceback_after_chroot_names_the_program_s_functions)
{
	cr_skip_test_if(geteuid() != 0, "chroot needs root");
	for (size_t i = 0; i < NVARIANTS; i++) {
		char dir[] = "/tmp/gort-selfsym-XXXXXX";
		cr_assert(mkdtemp(dir));
		struct result r = run(bin(gort_variants[i], "selfsym"), "chroot", dir);
		rmdir(dir);
		cr_assert(r.exited && r.code == 2, "%s: status %d sig %d\n%s%s", gort_variants[i], r.code, r.sig,
			  r.out, r.err);
		cr_assert_str_eq(r.out, "in the chroot\n", "%s", gort_variants[i]);
		assert_contains(r.err, "SIGSEGV");
		assert_names_own(gort_variants[i], &r);
	}
}

Test(symbols, traceback_with_every_descriptor_in_use_names_the_program_s_functions)
{
	for (size_t i = 0; i < NVARIANTS; i++) {
		struct result r = run(bin(gort_variants[i], "selfsym"), "nofile");
		cr_assert(r.exited && r.code == 0, "%s: status %d sig %d\n%s%s", gort_variants[i], r.code, r.sig,
			  r.out, r.err);
		cr_assert(!strncmp(r.out, "open: EMFILE after ", 19), "%s: %s", gort_variants[i], r.out);
		assert_names_own(gort_variants[i], &r);
	}
}

Test(symbols, traceback_without_proc_names_the_program_s_functions)
{
	cr_skip_test_if(geteuid() != 0, "unmounting /proc needs root");
	for (size_t i = 0; i < NVARIANTS; i++) {
		struct result r = run(bin(gort_variants[i], "selfsym"), "noproc");
		if (r.exited && r.code == 77) cr_skip_test("%s", r.out);
		cr_assert(r.exited && r.code == 0, "%s: status %d sig %d\n%s%s", gort_variants[i], r.code, r.sig,
			  r.out, r.err);
		assert_names_own(gort_variants[i], &r);
	}
}
