/* t_show.c: gortload --show against what the program reads from its own
 * initial stack. Both print addresses, so this is exact: the same argc, the
 * same argv and envp pointers to the same strings, the same auxv entries in
 * the same order with the same values, the same AT_RANDOM bytes, the entry
 * and break gortload announced; and for a static program (whose libc
 * changes no protections) the mappings --show listed are the program's
 * /proc/self/maps, with gortload's old stack gone. */
#include <criterion/criterion.h>
#include <elf.h>
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>
#include <stdlib.h>
#include <string.h>

#include "run.h"

static char *const ENV[] = {"A=1", "B=two words", "EMPTY=", NULL};

/* has_map: the program's maps (lines "maps <start>-<end> <perms> <off> ...")
 * has exactly this mapping. */
static bool has_map(const char *out, uint64_t s, uint64_t e, const char *perms, uint64_t off)
{
	for (const char *l = strstr(out, "maps "); l; l = strstr(l + 1, "\nmaps ")) {
		if (*l == '\n') l++;
		unsigned long a, b, o;
		char p[8];
		if (sscanf(l, "maps %lx-%lx %7s %lx", &a, &b, p, &o) == 4 && a == s && b == e &&
		    strncmp(p, perms, 4) == 0 && o == off)
			return true;
	}
	return false;
}

static bool overlaps_any(const char *out, uint64_t s, uint64_t e)
{
	for (const char *l = strstr(out, "maps "); l; l = strstr(l + 1, "\nmaps ")) {
		if (*l == '\n') l++;
		unsigned long a, b;
		if (sscanf(l, "maps %lx-%lx", &a, &b) == 2 && a < e && s < b) return true;
	}
	return false;
}

static void check_show(const char *variant, bool exact_brk, bool check_maps)
{
	const char *p = prog(variant);
	if (!have(p)) cr_skip_test("%s was not built (tools/gortcc cannot link yet?)", p);
	char *argv[] = {GORTLOAD, "--show", (char *)p, "one", "two words", "--maps", NULL};
	struct result r = run(argv, ENV);
	cr_assert(r.exited && r.code == 0, "%s: status %d sig %d\n%s", variant, r.code, r.sig, r.err);
	struct stackview s, g;
	parse_show(r.err, &s);
	parse_showstack(r.out, &g);

	cr_assert_eq(s.argc, 4, "%s: --show argc %d\n%s", variant, s.argc, r.err);
	cr_assert_eq(g.argc, s.argc, "%s: the program sees argc %d", variant, g.argc);
	cr_assert_eq(g.argvaddr, s.argvaddr, "%s: argv at %#lx, --show said %#lx", variant,
	             (unsigned long)g.argvaddr, (unsigned long)s.argvaddr);
	for (int i = 0; i < s.argc; i++) {
		cr_assert_eq(g.argv[i], s.argv[i], "%s: argv[%d] pointer", variant, i);
		cr_assert_str_eq(g.args[i], s.args[i], "%s: argv[%d] string", variant, i);
	}
	cr_assert_eq(s.nenv, 3);
	cr_assert_eq(g.nenv, s.nenv, "%s: envc", variant);
	for (int i = 0; i < s.nenv; i++) {
		cr_assert_eq(g.envp[i], s.envp[i], "%s: envp[%d] pointer", variant, i);
		cr_assert_str_eq(g.envs[i], s.envs[i], "%s: envp[%d] string", variant, i);
		cr_assert_str_eq(s.envs[i], ENV[i]);
	}
	cr_assert_eq(g.naux, s.naux, "%s: %d auxv entries, --show listed %d", variant, g.naux, s.naux);
	for (int i = 0; i < s.naux; i++) {
		cr_assert_str_eq(g.auxname[i], s.auxname[i], "%s: auxv[%d]", variant, i);
		cr_assert_eq(g.auxval[i], s.auxval[i], "%s: %s is %#lx, --show said %#lx", variant, s.auxname[i],
		             (unsigned long)g.auxval[i], (unsigned long)s.auxval[i]);
	}
	cr_assert_str_eq(g.auxname[g.naux - 1], "AT_NULL");
	cr_assert_str_eq(g.random, s.random, "%s: AT_RANDOM bytes", variant);
	cr_assert_str_eq(g.execfn, s.execfn);
	cr_assert_str_eq(g.execfn, p);
	cr_assert_str_eq(g.platform, s.platform);
	uint64_t entry;
	cr_assert(aux_get(&g, "AT_ENTRY", &entry));
	cr_assert_eq(entry, s.entry, "%s: entry", variant);
	cr_assert(s.brk, "%s: --show printed no program break", variant);
	if (exact_brk)
		cr_assert_eq(g.brk, s.brk, "%s: break %#lx, --show said %#lx", variant, (unsigned long)g.brk,
		             (unsigned long)s.brk);
	else
		cr_assert_geq(g.brk, s.brk, "%s: break", variant);

	/* The new stack is the one the kernel calls [stack]. */
	cr_assert(s.stack_lo && s.stack_hi > s.stack_lo);
	cr_assert(has_map(r.out, s.stack_lo, s.stack_hi, "rw-p", 0), "%s: no [stack] %#lx-%#lx in\n%s", variant,
	          (unsigned long)s.stack_lo, (unsigned long)s.stack_hi, r.out);
	cr_assert(g.argvaddr > s.stack_lo && g.argvaddr < s.stack_hi);
	if (check_maps) {
		for (int i = 0; i < s.nmaps; i++)
			cr_assert(has_map(r.out, s.maps[i].start, s.maps[i].end, s.maps[i].perms, s.maps[i].off),
			          "%s: --show mapping %#lx-%#lx %s %#lx is not in the program's maps:\n%s", variant,
			          (unsigned long)s.maps[i].start, (unsigned long)s.maps[i].end, s.maps[i].perms,
			          (unsigned long)s.maps[i].off, r.out);
	}
	/* gortload's own stack was unmapped at the jump. */
	const char *old = strstr(r.err, "gortload's stack: unmapped at the jump");
	cr_assert(old, "%s: --show did not name gortload's stack:\n%s", variant, r.err);
	while (old > r.err && old[-1] != '\n') old--;
	unsigned long a, b;
	cr_assert(sscanf(old, " %lx-%lx", &a, &b) == 2);
	cr_assert(!overlaps_any(r.out, a, b), "%s: gortload's stack %#lx-%#lx is still mapped", variant, a, b);
	result_free(&r);
}

Test(show, musl_static) { check_show("musl-static", true, true); }
/* musl's ld.so may take memory from brk before main (it donates
 * what is left of its pages to malloc, and allocates for libraries). */
Test(show, musl_dynamic) { check_show("musl-dyn", false, false); }
Test(show, musl_static_pie) { check_show("musl-spie", true, true); }
Test(show, glibc_dynamic_pie) { check_show("glibc-dyn", true, false); }
Test(show, glibc_dynamic_nopie) { check_show("glibc-nopie", true, false); }
Test(show, glibc_static) { check_show("glibc-static", false, false); }
Test(show, glibc_static_pie) { check_show("glibc-spie", false, false); }
Test(show, gort_musl_static) { check_show("gort", false, true); }
Test(show, gort_musl_static_pie) { check_show("gort-spie", false, false); }
Test(show, gort_musl_dynamic) { check_show("gort-mdyn", false, false); }
Test(show, gort_glibc_dynamic) { check_show("gort-glibc", false, false); }

/* --show names the entry symbol when the file has one, and --dry-run stops
 * before the jump. */
Test(show, entry_symbol_and_dry_run)
{
	char *argv[] = {GORTLOAD, "--show", "--dry-run", (char *)prog("musl-static"), NULL};
	struct result r = run(argv, ENV);
	cr_assert(r.exited && r.code == 0, "status %d: %s", r.code, r.err);
	cr_assert_str_eq(r.out, "", "the program ran: %s", r.out);
	cr_assert(strstr(r.err, "entry: 0x"), "%s", r.err);
	cr_assert(strstr(r.err, " _start in "), "%s", r.err);
	cr_assert(strstr(r.err, "<- %rsp"), "%s", r.err);
	result_free(&r);
	if (have(prog("gort"))) {
		argv[3] = (char *)prog("gort");
		r = run(argv, ENV);
		cr_assert(strstr(r.err, " _rt0_amd64_linux in "), "%s", r.err);
		result_free(&r);
	}
	argv[3] = (char *)prog("musl-dyn");
	r = run(argv, ENV);
	cr_assert(strstr(r.err, "interpreter /lib/ld-musl-x86_64.so.1"), "%s", r.err);
	cr_assert(strstr(r.err, "jump:  0x"), "%s", r.err);
	result_free(&r);
}

/* Without ASLR (setarch -R, gdb's default) the layout is the kernel's
 * deterministic one: PIE at ELF_ET_DYN_BASE, no random gaps, so two runs
 * show the same addresses. */
Test(show, no_randomization_is_deterministic)
{
	char *argv[] = {GORTLOAD, "--show", "--dry-run", (char *)prog("glibc-dyn"), NULL};
	struct result a = runf(argv, ENV, RUN_NORANDOM), b = runf(argv, ENV, RUN_NORANDOM);
	cr_assert(a.exited && a.code == 0, "%s", a.err);
	cr_assert(strstr(a.err, "  0000555555554000-"), "PIE not at ELF_ET_DYN_BASE:\n%s", a.err);
	struct stackview x, y;
	parse_show(a.err, &x);
	parse_show(b.err, &y);
	cr_assert_eq(x.entry, y.entry);
	cr_assert_eq(x.argvaddr, y.argvaddr);
	cr_assert_eq(x.brk, y.brk);
	result_free(&a);
	result_free(&b);
}

/* PT_GNU_STACK decides whether the stack is executable: a copy of the
 * static program with PF_X set there gets an rwx [stack]. */
Test(show, pt_gnu_stack_makes_the_stack_executable)
{
	FILE *f = fopen(prog("musl-static"), "rb");
	cr_assert(f);
	static unsigned char buf[4 << 20];
	size_t n = fread(buf, 1, sizeof buf, f);
	fclose(f);
	Elf64_Ehdr *eh = (Elf64_Ehdr *)buf;
	Elf64_Phdr *ph = (Elf64_Phdr *)(buf + eh->e_phoff);
	int found = 0;
	for (int i = 0; i < eh->e_phnum; i++)
		if (ph[i].p_type == PT_GNU_STACK) ph[i].p_flags |= PF_X, found = 1;
	cr_assert(found);
	char *d = tmpdir(), path[512];
	snprintf(path, sizeof path, "%s/execstack", d);
	f = fopen(path, "wb");
	cr_assert(f && fwrite(buf, 1, n, f) == n);
	fclose(f);
	chmod(path, 0755);
	char *argv[] = {GORTLOAD, "--show", path, "--maps", NULL};
	struct result r = run(argv, ENV);
	cr_assert(r.exited && r.code == 0, "%s", r.err);
	cr_assert(strstr(r.err, "rwxp 00000000 [stack]") && strstr(r.err, "executable (PT_GNU_STACK)"), "%s", r.err);
	struct stackview s;
	parse_show(r.err, &s);
	cr_assert(has_map(r.out, s.stack_lo, s.stack_hi, "rwxp", 0), "%s", r.out);
	result_free(&r);
	tmpdir_remove(d);
}
