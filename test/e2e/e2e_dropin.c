/* e2e_dropin.c: gort builds the world's programs as their compilers do
 * (issue #14): gortcc leaves a file's feature-test macros and assembly
 * alone, errno is the goroutine's in files that never include gort.h, C++
 * works (gortc++, and g++ with the plain flags), wrong builds are refused
 * in one line, and -nostartfiles or the place of -lgort do not matter.
 * The commands are the ones a user types, run here in a scratch folder. */
#include "run.h"

#define SRC SRC_DIR "/test/e2e/dropin"
#define OUT BUILD_DIR "/test/e2e/dropin-out"
#define GORTCC SRC_DIR "/tools/gortcc"
#define GORTCXX SRC_DIR "/tools/gortc++"
#define PLAIN_MUSL "musl-gcc -static -nostartfiles -I" SRC_DIR "/include -isystem " SRC_DIR "/include/gort"
#define PLAIN_GLIBC "gcc -nostartfiles -I" SRC_DIR "/include -isystem " SRC_DIR "/include/gort"

static void mkout(void)
{
	struct result r = shell("mkdir -p '%s'", OUT);
	cr_assert(r.exited && r.code == 0);
}

#define assert_ok(r, what) \
	cr_assert((r).exited && (r).code == 0, "%s: status %d sig %d\n%s%s", (what), (r).code, (r).sig, (r).out, (r).err)

static const char *const ftms[] = {"GNU", "POSIX", "XOPEN", "DEFAULT", "BSD"};

/* A file that defines _GNU_SOURCE (or another feature-test macro) at its
 * top gets what the macro declares, exactly as from the plain compiler:
 * the program builds and runs, and the macros the headers define are the
 * same set (but for errno's own, which gortcc's errno.h redefines). */
Test(dropin, a_files_feature_test_macros_are_its_own, .timeout = 120)
{
	mkout();
	const char *libcs[][2] = {{"musl", "musl-gcc"}, {"glibc", "gcc"}};
	for (size_t l = 0; l < 2; l++)
		for (size_t f = 0; f < sizeof ftms / sizeof ftms[0]; f++) {
			const char *flags = "-std=c11 -O2 -Wall -Werror=implicit-function-declaration";
			struct result r = shell("%s --gort-libc=%s %s -DFTM_%s %s/ftm.c -o %s/ftm-%s-%s && %s/ftm-%s-%s",
						GORTCC, libcs[l][0], flags, ftms[f], SRC, OUT, libcs[l][0], ftms[f], OUT,
						libcs[l][0], ftms[f]);
			assert_ok(r, ftms[f]);
			assert_contains(r.out, "ftm ok");
			const char *filter = "grep -v 'GORT__\\|define errno ' | sort";
			struct result a = shell("%s --gort-libc=%s -std=c11 -DFTM_%s -dM -E %s/ftm.c | %s", GORTCC,
						libcs[l][0], ftms[f], SRC, filter);
			struct result b = shell("%s -std=c11 -DFTM_%s -dM -E %s/ftm.c | %s", libcs[l][1], ftms[f], SRC,
						filter);
			assert_ok(a, "gortcc -dM -E");
			assert_ok(b, "cc -dM -E");
			cr_assert(a.outlen > 1000 && !strcmp(a.out, b.out),
				  "%s, _%s_SOURCE: the headers define other macros under gortcc than under %s", libcs[l][0],
				  ftms[f], libcs[l][1]);
		}
}

/* Hand-written assembly, preprocessed (.S, including a libc header) and
 * plain (.s), builds through gortcc and links with the C. */
Test(dropin, assembly_sources_build)
{
	mkout();
	const char *libcs[] = {"musl", "glibc"};
	for (size_t l = 0; l < 2; l++) {
		struct result r = shell("cd %s && %s --gort-libc=%s -O2 -c %s/asm_add.S -o asm_add-%s.o && "
					"%s --gort-libc=%s -c %s/asm_sub.s -o asm_sub-%s.o && "
					"%s --gort-libc=%s -O2 %s/asm_main.c asm_add-%s.o asm_sub-%s.o -o asm-%s && ./asm-%s",
					OUT, GORTCC, libcs[l], SRC, libcs[l], GORTCC, libcs[l], SRC, libcs[l], GORTCC,
					libcs[l], SRC, libcs[l], libcs[l], libcs[l], libcs[l]);
		assert_ok(r, libcs[l]);
		assert_contains(r.out, "asm ok");
	}
}

/* errno_other.c includes only <errno.h>: through gortcc (and the plain
 * flags' -isystem include/gort) its errno is still the goroutine's after a
 * park that moved the goroutine to another thread, at -O2. */
Test(dropin, errno_is_the_goroutines_in_files_without_gort_h)
{
	mkout();
	const char *cmds[][2] = {
		{"gortcc", GORTCC " -O2"},
		{"gortcc-glibc", GORTCC " --gort-libc=glibc -O2"},
		{"plain-musl", PLAIN_MUSL " -O2 -L" BUILD_DIR " -lgort"},
		{"plain-glibc", PLAIN_GLIBC " -O2 -L" BUILD_DIR "/glibc -lgort"},
	};
	for (size_t i = 0; i < sizeof cmds / sizeof cmds[0]; i++) {
		struct result r = shell("%s %s/errno_main.c %s/errno_other.c -o %s/errno-%s && GOMAXPROCS=2 %s/errno-%s",
					cmds[i][1], SRC, SRC, OUT, cmds[i][0], OUT, cmds[i][0]);
		assert_ok(r, cmds[i][0]);
		assert_contains(r.out, "wrong errno=0 migrations=yes");
	}
}

/* A program using gort.h's exact signatures: read-only calls take const
 * pointers, every struct has a tag. */
#define GORT_H_USER \
	"#include <gort.h>\\nstatic void f(void) {}\\nGORT_INIT(a, f);\\nGORT_INIT(b, f, a);\\n" \
	"size_t lens(const gort_chan *c, const gort_ticker *t) { return gort_chan_len(c) + gort_chan_cap(c) + " \
	"gort_chan_len(gort_ticker_chan(t)); }\\n" \
	"struct gort_case cs; struct gort_waitgroup wg; struct gort_mutex mu; struct gort_inittask it;\\n" \
	"int main(void) { gort_goexit(); }\\n"

/* gort.h compiles as C++ with g++ and clang++ in every standard from
 * C++11, and as C11/C17, warnings as errors. */
Test(dropin, gort_h_compiles_as_cxx_and_c)
{
	const char *stds[] = {"c++11", "c++14", "c++17", "c++20", "gnu++17"};
	const char *cxx[] = {"g++", "clang++"};
	for (size_t c = 0; c < 2; c++) {
		if (!have(cxx[c])) continue;
		for (size_t s = 0; s < sizeof stds / sizeof stds[0]; s++) {
			struct result r = shell("printf '" GORT_H_USER "' | "
						"%s -std=%s -Wall -Wextra -Werror -I%s/include -fsyntax-only -x c++ -",
						cxx[c], stds[s], SRC_DIR);
			assert_ok(r, stds[s]);
		}
	}
	const char *cstds[] = {"c11", "c17", "gnu11"};
	for (size_t s = 0; s < sizeof cstds / sizeof cstds[0]; s++) {
		struct result r = shell("printf '" GORT_H_USER "' | "
					"gcc -std=%s -Wall -Wextra -Werror -I%s/include -fsyntax-only -x c -", cstds[s], SRC_DIR);
		assert_ok(r, cstds[s]);
	}
}

static void check_cxx_run(const char *what, const char *cmd, const char *exe)
{
	struct result r = shell("%s -o %s/%s && %s/%s", cmd, OUT, exe, OUT, exe);
	assert_ok(r, what);
	cr_assert_str_eq(r.out,
			 "static constructor\niostream ok, init task 1\n"
			 "caught 64 wrong 0 migrated yes thread 1\nstatic destructor\n",
			 "%s:\n%s%s", what, r.out, r.err);
}

/* A C++ program: static constructors and destructors, iostream, new and
 * delete, containers, exceptions caught in goroutines that park in the
 * catch block, move to another thread and rethrow, std::thread. With
 * gortc++ (g++ and clang++), at -O0 and -O2, and with the plain flags and
 * no frame pointers. */
Test(dropin, cxx_programs_run, .timeout = 180)
{
	mkout();
	check_cxx_run("gortc++ c++11 -O0", GORTCXX " -std=c++11 -O0 " SRC "/cxx.cc", "cxx-11");
	check_cxx_run("gortc++ c++20 -O2", GORTCXX " -std=c++20 -O2 -Wall -Wextra -Werror " SRC "/cxx.cc", "cxx-20");
	check_cxx_run("g++ plain flags", "g++ -std=c++17 -O2 -fomit-frame-pointer -nostartfiles -I" SRC_DIR
					 "/include -isystem " SRC_DIR "/include/gort " SRC "/cxx.cc -L" BUILD_DIR
					 "/glibc -lgort",
		      "cxx-plain");
	if (have("clang++"))
		check_cxx_run("gortc++ with clang++", "GORT_CXX=clang++ " GORTCXX " -std=c++17 -O2 " SRC "/cxx.cc",
			      "cxx-clang");
	/* C++ needs the glibc build: a musl request is refused in one line. */
	struct result r = shell("%s --gort-libc=musl %s/cxx.cc -o %s/cxx-musl", GORTCXX, SRC, OUT);
	cr_assert(r.exited && r.code != 0);
	assert_contains(r.err, "gortc++: C++ programs need the glibc build");
}

/* An exception that leaves a goroutine's function ends the program as an
 * uncaught exception ends a thread: std::terminate prints its type and
 * what(), then gort's SIGABRT report; exit status 2. */
Test(dropin, cxx_exception_escaping_a_goroutine_is_reported)
{
	mkout();
	struct result r = shell("%s -std=c++17 -O2 %s/cxx.cc -o %s/cxx-esc && %s/cxx-esc escape", GORTCXX, SRC, OUT,
				OUT);
	cr_assert(r.exited && r.code == 2, "status %d sig %d\n%s", r.code, r.sig, r.err);
	assert_contains(r.err, "terminate called after throwing an instance of 'std::logic_error'");
	assert_contains(r.err, "what():  escaped from a goroutine");
	assert_contains(r.err, "SIGABRT: abort");
}

/* check_refused: the link fails, and the first thing the linker says is
 * the one line gort's scripts print (for static glibc, the libc's own
 * complaints about _start follow it). */
static void check_refused(const char *what, const char *cmd, const char *line)
{
	struct result r = shell("cd %s && %s 2>&1", OUT, cmd);
	cr_assert(r.exited && r.code != 0, "%s: linked (%s)", what, r.out);
	char first[512];
	snprintf(first, sizeof first, "%.*s", (int)strcspn(r.out, "\n"), r.out);
	cr_assert(strstr(first, line) != NULL, "%s: the first line is not gort's \"%s\":\n%s", what, line, r.out);
}

Test(dropin, wrong_builds_are_refused_in_one_line)
{
	mkout();
	const char *m = SRC_DIR "/test/e2e/progs/ctorgo.c";
	char cmd[2048];
	snprintf(cmd, sizeof cmd, "gcc -nostartfiles -I%s/include %s -L%s -lgort -o bad1", SRC_DIR, m, BUILD_DIR);
	check_refused("glibc's gcc with the musl build", cmd, "gort: this libgort.a is built for musl");
	snprintf(cmd, sizeof cmd, "musl-gcc -static -nostartfiles -I%s/include %s -L%s/glibc -lgort -o bad2",
		 SRC_DIR, m, BUILD_DIR);
	check_refused("musl-gcc with the glibc build", cmd, "gort: this libgort.a is built for glibc");
	snprintf(cmd, sizeof cmd, "gcc -static -nostartfiles -I%s/include %s -L%s/glibc -lgort -o bad3", SRC_DIR, m,
		 BUILD_DIR);
	check_refused("static glibc", cmd, "gort: the glibc build links dynamically only");
	snprintf(cmd, sizeof cmd, "%s --gort-libc=glibc -static-pie %s -o bad4", GORTCC, m);
	check_refused("static-pie glibc", cmd, "gort: the glibc build links dynamically only");
	snprintf(cmd, sizeof cmd, "gcc -nostartfiles -I%s/include %s -L%s -lgort_nohooks -o bad5", SRC_DIR, m,
		 BUILD_DIR);
	check_refused("glibc's gcc with the musl build, no hooks", cmd, "gort: this libgort.a is built for musl");
}

/* Forgetting -nostartfiles, or naming -lgort before the objects, still
 * makes a gort program: the constructor runs once, before main. */
Test(dropin, nostartfiles_and_library_order_do_not_matter)
{
	mkout();
	const char *m = SRC_DIR "/test/e2e/progs/ctorgo.c";
	const char *cmds[][2] = {
		{"musl, no -nostartfiles", "musl-gcc -static -I" SRC_DIR "/include %s -L" BUILD_DIR " -lgort -o ok1"},
		{"glibc, no -nostartfiles", "gcc -I" SRC_DIR "/include %s -L" BUILD_DIR "/glibc -lgort -o ok2"},
		{"musl, -lgort first", "musl-gcc -static -nostartfiles -L" BUILD_DIR " -lgort -I" SRC_DIR "/include %s -o ok3"},
		{"glibc, -lgort first", "gcc -nostartfiles -L" BUILD_DIR "/glibc -lgort -I" SRC_DIR "/include %s -o ok4"},
	};
	for (size_t i = 0; i < sizeof cmds / sizeof cmds[0]; i++) {
		char cmd[1024];
		snprintf(cmd, sizeof cmd, cmds[i][1], m);
		struct result r = shell("cd %s && %s && ./ok%zu", OUT, cmd, i + 1);
		assert_ok(r, cmds[i][0]);
		cr_assert_str_eq(r.out,
				 "constructor started goroutine 2, own goid 0\n"
				 "early goroutine 2 ran, arg=ctor\nmain done, goid 1\n",
				 "%s:\n%s%s", cmds[i][0], r.out, r.err);
	}
}
