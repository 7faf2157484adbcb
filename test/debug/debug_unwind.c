/* debug_unwind.c: tracebacks of code compiled without frame pointers
 * (issue #15 item 1, runtime/unwind.c). progs/unwind.c, built with
 * -fomit-frame-pointer as a musl static program (gortcc, -O2 and -O0), with
 * the plain flags (musl-gcc -static -nostartfiles ... -lgort: no
 * .eh_frame_hdr, so frame pointers and the stack scan), musl dynamic, glibc
 * dynamic with the plain gcc flags and musl static-PIE; progs/unwind_cxx.cc
 * with gortc++. Every report must show the four levels in order and reach
 * worker (and main for goroutine 1). */
#include "dbg.h"

static const char *const variants[] = {"musl", "musl-O0", "plain", "mdyn", "glibc", "spie"};

static const char *unwind_path(const char *v)
{
	static char buf[4][512];
	static int k;
	char *b = buf[k++ % 4];
	snprintf(b, 512, "%s/test/debug/unwind/%s", BUILD_DIR, v);
	return b;
}

/* assert_chain: in out, the goroutine section holding frame `first` lists
 * the frames of want[] in this order, each as "name(...)" at a line start
 * (a name may carry a compiler suffix: level4.constprop.0). */
static void assert_chain(const char *out, const char *const *want, const char *what)
{
	const char *p = out;
	for (int i = 0; want[i]; i++) {
		char pat[128];
		const char *q = p;
		for (;;) {
			snprintf(pat, sizeof pat, "\n%s", want[i]);
			q = strstr(q, pat);
			cr_assert(q, "%s: no frame %s after the frames before it in:\n%s", what, want[i], out);
			char c = q[1 + strlen(want[i])];
			if (c == '(' || c == '.') break;
			q++;
		}
		/* No goroutine header between two frames of the chain. */
		const char *h = strstr(p, "\ngoroutine ");
		cr_assert(i == 0 || !h || h > q, "%s: %s is in another goroutine's traceback:\n%s", what, want[i], out);
		p = q + 1;
	}
}

static const char *const worker_chain[] = {"level4", "level3", "level2", "level1", "worker", NULL};
static const char *const main_chain[] = {"mlevel4", "mlevel3", "mlevel2", "mlevel1", "main", NULL};

static void parked(const char *v)
{
	struct result r = run(unwind_path(v), "park");
	cr_assert(r.exited && r.code == 0, "%s: exit %d sig %d\n%s", v, r.code, r.sig, r.err);
	assert_chain(r.err, worker_chain, v);
	assert_chain(r.err, main_chain, v);
	assert_contains(r.err, "created by main");
}

static void crash(const char *v, const char *mode, const char *sig)
{
	struct result r = run(unwind_path(v), mode);
	cr_assert(r.exited && r.code == 2, "%s %s: exit %d sig %d\n%s", v, mode, r.code, r.sig, r.err);
	assert_contains(r.err, sig);
	assert_chain(r.err, worker_chain, mode);
}

Test(unwind, parked_chains_without_frame_pointers, .timeout = 120)
{
	for (size_t i = 0; i < sizeof variants / sizeof variants[0]; i++) parked(variants[i]);
}

Test(unwind, a_preempted_goroutine_shows_its_own_function, .timeout = 120)
{
	for (size_t i = 0; i < sizeof variants / sizeof variants[0]; i++) {
		struct result r = runE((const char *[]){"GOMAXPROCS=1", NULL}, unwind_path(variants[i]), "spin");
		cr_assert(r.exited && r.code == 0, "%s: exit %d sig %d\n%s", variants[i], r.code, r.sig, r.err);
		assert_contains(r.err, "[runnable]");
		assert_chain(r.err, worker_chain, variants[i]);
	}
}

Test(unwind, crashes_inside_the_program_and_the_libc, .timeout = 180)
{
	for (size_t i = 0; i < sizeof variants / sizeof variants[0]; i++) {
		const char *v = variants[i];
		crash(v, "segv", "SIGSEGV");
		crash(v, "assert", "SIGABRT");
		/* musl's free stops a double free with a fault, glibc's with abort. */
		crash(v, "doublefree", strcmp(v, "glibc") ? "SIGSEGV" : "SIGABRT");
	}
}

Test(unwind, an_uncaught_cxx_exception_shows_the_throwing_frames, .timeout = 60)
{
	struct result r = run(unwind_path("cxx"));
	cr_assert(r.exited && r.code == 2, "exit %d sig %d\n%s", r.code, r.sig, r.err);
	assert_contains(r.err, "what():  unwind test");
	const char *chain[] = {"__cxa_throw", "_ZL6throw4i", "_ZL6throw3i", "_ZL6throw2i", "_ZL6throw1i",
			       "_ZL6workerPv", NULL};
	assert_chain(r.err, chain, "c++");
}

/* A GOTRACEBACK=crash core of a segfault four levels down: gdb unwinds the
 * crashing thread from the handler through gort_sigreturn's signal frame
 * (its call frame information, issue #15 item 3) to the fault and up to
 * worker. Skipped where cores go to a helper program (core_pattern |...). */
Test(unwind, gdb_unwinds_a_crash_core_to_the_fault, .timeout = 120)
{
	cr_skip_test_if(!have("gdb"), "gdb is not installed");
	FILE *f = fopen("/proc/sys/kernel/core_pattern", "r");
	char pat[256] = "";
	if (f) {
		if (!fgets(pat, sizeof pat, f)) pat[0] = 0;
		fclose(f);
	}
	cr_skip_test_if(pat[0] == '|' || pat[0] == '/', "cores go elsewhere (core_pattern %s)", pat);
	const char *vs[] = {"musl", "glibc", "mdyn"};
	for (size_t i = 0; i < 3; i++) {
		struct result r = shell("d=$(mktemp -d) && cd $d && (ulimit -c unlimited; GOTRACEBACK=crash %s segv "
					">/dev/null 2>&1); c=$(ls $d | grep '^core' | head -1); "
					"[ -n \"$c\" ] && gdb -nx -batch -ex 'bt 20' %s $d/$c 2>&1; rm -rf $d",
					unwind_path(vs[i]), unwind_path(vs[i]));
		cr_assert(r.out, "%s: no output", vs[i]);
		cr_skip_test_if(!strstr(r.out, "#0"), "%s: no core written:\n%s", vs[i], r.out);
		const char *sh = strstr(r.out, "<signal handler called>");
		cr_assert(sh, "%s: gdb found no signal frame:\n%s", vs[i], r.out);
		const char *chain[] = {"level4", "level3", "level2", "level1", "worker", NULL};
		const char *p = sh;
		for (int k = 0; chain[k]; k++) {
			p = strstr(p, chain[k]);
			cr_assert(p, "%s: gdb's backtrace lacks %s after the signal frame:\n%s", vs[i], chain[k], r.out);
		}
	}
}
