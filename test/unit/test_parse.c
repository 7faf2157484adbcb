/* test_parse.c: GODEBUG, GOMAXPROCS, GOTRACEBACK and size parsing, and the
 * reading of the initial stack (argv, envp, auxv). */
#include <criterion/criterion.h>
#include <elf.h>
#include <stdio.h>
#include <string.h>
#include "runtime.h"

struct warns {
	int n;
	char last[256];
};

static void collect(const char *var, const char *val, const char *used, void *ctx)
{
	struct warns *w = ctx;
	w->n++;
	snprintf(w->last, sizeof w->last, "%s=%s: %s", var, val, used);
}

Test(godebug, known_keys_set)
{
	struct debugvars d = {0};
	struct warns w = {0};
	parse_godebug("inittrace=1,schedtrace=1000,scheddetail=1,asyncpreemptoff=1", &d, collect, &w);
	cr_assert_eq(d.inittrace, 1);
	cr_assert_eq(d.schedtrace, 1000);
	cr_assert_eq(d.scheddetail, 1);
	cr_assert_eq(d.asyncpreemptoff, 1);
	cr_assert_eq(w.n, 0);
	struct debugvars e = {.gorthooks = 1, .spinpark = 20};
	parse_godebug("spinpark=0,gorthooks=0", &e, collect, &w);
	cr_assert_eq(e.spinpark, 0);
	cr_assert_eq(e.gorthooks, 0);
	parse_godebug("spinpark=100", &e, collect, &w);
	cr_assert_eq(e.spinpark, 100);
	cr_assert_eq(w.n, 0);
	parse_godebug("tracebackancestors=2,waitshift=59", &e, collect, &w);
	cr_assert_eq(e.tracebackancestors, 2);
	cr_assert_eq(e.waitshift, 59);
	cr_assert_eq(w.n, 0);
	struct debugvars f = {.iobatch = 1};
	parse_godebug("iobatch=0,iouringoff=1", &f, collect, &w);
	cr_assert_eq(f.iobatch, 0);
	cr_assert_eq(f.iouringoff, 1);
	cr_assert_eq(w.n, 0);
}

/* netdns takes Go's words (runtime/dnsclient.c): go (the default, 1)
 * and cgo (2, every lookup the libc's); anything else warns. */
Test(godebug, netdns_go_and_cgo)
{
	struct debugvars d = {0};
	struct warns w = {0};
	parse_godebug("netdns=cgo", &d, collect, &w);
	cr_assert_eq(d.netdns, 2);
	parse_godebug("inittrace=1,netdns=go", &d, collect, &w);
	cr_assert_eq(d.netdns, 1);
	cr_assert_eq(d.inittrace, 1);
	cr_assert_eq(w.n, 0);
	parse_godebug("netdns=cgo+1,netdns=", &d, collect, &w);
	cr_assert_eq(w.n, 2);
	cr_assert_str_eq(w.last, "GODEBUG=netdns=: value is not go or cgo; keeping the default");
	cr_assert_eq(d.netdns, 1);
}

Test(godebug, unknown_keys_silent_later_wins)
{
	struct debugvars d = {0};
	struct warns w = {0};
	parse_godebug("madvdontneed=1,inittrace=1,,inittrace=0,http2debug=2", &d, collect, &w);
	cr_assert_eq(d.inittrace, 0);
	cr_assert_eq(w.n, 0);
}

Test(godebug, malformed_items_warn_and_keep_defaults)
{
	struct debugvars d = {.gorthooks = 1};
	struct warns w = {0};
	parse_godebug("inittrace", &d, collect, &w);
	cr_assert_eq(w.n, 1);
	cr_assert_str_eq(w.last, "GODEBUG=inittrace: not of the form key=value");
	parse_godebug("gorthooks=off,schedtrace=-5,boottrace=99999999999", &d, collect, &w);
	cr_assert_eq(w.n, 4);
	cr_assert_eq(d.gorthooks, 1);
	cr_assert_eq(d.schedtrace, 0);
	cr_assert_eq(d.boottrace, 0);
	parse_godebug(NULL, &d, collect, &w);
	parse_godebug("", &d, collect, &w);
	parse_godebug("=,=1,a=", &d, collect, &w);
	cr_assert_eq(w.n, 4);
}

Test(gomaxprocs, values)
{
	struct warns w = {0};
	cr_assert_eq(parse_gomaxprocs("4", 2, collect, &w), 4);
	cr_assert_eq(parse_gomaxprocs(NULL, 2, collect, &w), 2);
	cr_assert_eq(parse_gomaxprocs("", 2, collect, &w), 2);
	cr_assert_eq(w.n, 0);
	cr_assert_eq(parse_gomaxprocs("abc", 2, collect, &w), 2);
	cr_assert_str_eq(w.last, "GOMAXPROCS=abc: not a number; using the number of CPUs");
	cr_assert_eq(parse_gomaxprocs("-1", 3, collect, &w), 3);
	cr_assert_eq(parse_gomaxprocs("0", 3, collect, &w), 3);
	cr_assert_eq(parse_gomaxprocs("1000000", 3, collect, &w), 1024);
	cr_assert_eq(parse_gomaxprocs("99999999999999999999", 3, collect, &w), 1024);
	cr_assert_eq(parse_gomaxprocs("4x", 3, collect, &w), 3);
	cr_assert_eq(w.n, 6);
}

Test(gotraceback, names_and_numbers)
{
	struct warns w = {0};
	cr_assert_eq(parse_gotraceback("none", 1, collect, &w), 0);
	cr_assert_eq(parse_gotraceback("single", 1, collect, &w), 1);
	cr_assert_eq(parse_gotraceback("all", 1, collect, &w), 2);
	cr_assert_eq(parse_gotraceback("system", 1, collect, &w), 3);
	cr_assert_eq(parse_gotraceback("crash", 1, collect, &w), 4);
	cr_assert_eq(parse_gotraceback("2", 1, collect, &w), 3);
	cr_assert_eq(w.n, 0);
	cr_assert_eq(parse_gotraceback("loud", 1, collect, &w), 1);
	cr_assert_eq(w.n, 1);
}

Test(size, parse)
{
	cr_assert_eq(parse_size("65536"), 65536);
	cr_assert_eq(parse_size("64k"), 65536);
	cr_assert_eq(parse_size("8M"), 8 << 20);
	cr_assert_eq(parse_size("1g"), 1 << 30);
	cr_assert_eq(parse_size("256KB"), 256 << 10);
	cr_assert_eq(parse_size("x"), -1);
	cr_assert_eq(parse_size("12q"), -1);
	cr_assert_eq(parse_size("-5"), -1);
	cr_assert_eq(parse_size("99999999999999999"), -1);
	cr_assert_eq(parse_size(NULL), -1);
	/* Scaled past 2^40 (the fuzzer's find: the shift overflowed). */
	cr_assert_eq(parse_size("99999999998g"), -1);
	cr_assert_eq(parse_size("1024g"), (int64_t)1 << 40);
	cr_assert_eq(parse_size("1025g"), -1);
}

Test(auxv, parse_and_count)
{
	static char rnd[16];
	uintptr_t v[] = {AT_PAGESZ, 4096, AT_RANDOM, (uintptr_t)rnd, AT_SECURE, 1, AT_PHNUM, 9,
			 AT_EXECFN, (uintptr_t)"/x", 999, 5, AT_NULL, 0};
	struct auxinfo ai = {0};
	cr_assert_eq(parse_auxv(v, &ai), 6);
	cr_assert_eq(ai.pagesz, 4096);
	cr_assert(ai.have_pagesz && ai.have_random);
	cr_assert_eq(ai.random, (uintptr_t)rnd);
	cr_assert_eq(ai.secure, 1);
	cr_assert_eq(ai.phnum, 9);
	cr_assert_str_eq((char *)ai.execfn, "/x");
	uintptr_t empty[] = {AT_NULL, 0};
	struct auxinfo z = {0};
	cr_assert_eq(parse_auxv(empty, &z), 0);
	cr_assert(!z.have_random && !z.have_pagesz);
}

Test(stack, envp_after_argv_walks_to_null)
{
	char *vec[] = {"prog", "a", NULL, "E=1", NULL};
	cr_assert_eq(envp_after(vec, 2), &vec[3]);
	/* argc 0: argv[0] is the NULL, envp follows it */
	char *vec0[] = {NULL, "E=1", NULL};
	cr_assert_eq(envp_after(vec0, 0), &vec0[1]);
	/* a lying argc does not make it overrun */
	cr_assert_eq(envp_after(vec, 1000), &vec[3]);
}

Test(stack, args_and_gogetenv)
{
	char *argv[] = {"prog", NULL};
	char *envp[] = {"A=1", "GODEBUG=inittrace=1", "EMPTY=", "AB=2", NULL};
	uintptr_t auxv[] = {AT_EXECFN, (uintptr_t)"/bin/prog", AT_NULL, 0};
	args(1, argv, envp, auxv);
	cr_assert_str_eq(executable_path, "/bin/prog");
	cr_assert_str_eq(gogetenv("A"), "1");
	cr_assert_str_eq(gogetenv("AB"), "2");
	cr_assert_str_eq(gogetenv("EMPTY"), "");
	cr_assert_str_eq(gogetenv("GODEBUG"), "inittrace=1");
	cr_assert_null(gogetenv("GODEBU"));
	cr_assert_null(gogetenv("B"));
}
