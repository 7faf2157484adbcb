/* t_checkers.c: AddressSanitizer, ThreadSanitizer and valgrind on gort
 * programs. Each checker must stay silent on the end-to-end programs
 * (goroutines switching and migrating, channels, select, mutexes, I/O) and
 * must catch the bug planted in a goroutine (test/checkers/planted.c). */
#include "run.h"

static const char *chk(const char *kind, const char *prog)
{
	static char buf[8][512];
	static int k;
	char *b = buf[k++ % 8];
	snprintf(b, 512, "%s/test/checkers/%s/%s", BUILD_DIR, kind, prog);
	return b;
}

/* The clean workloads: program, subcommand, argument. `make test` runs
 * the quick ones (valgrind makes each take seconds); `make check-tools`
 * (CHECKERS_FULL=1) runs them all. */
static bool full(void) { return getenv("CHECKERS_FULL") != NULL; }
static bool slow(size_t i);
static const char *const clean[][3] = {
	{"planted", "clean", NULL}, {"planted", "pipesync", NULL}, {"chans", "pingpong", NULL}, {"chans", "fifo", NULL},
	{"chans", "closewakes", NULL}, {"chans", "selectmix", NULL}, {"sched", "forkjoin", NULL},
	/* 5,000 goroutines: each is a TSan fiber, whose creation clears a
	 * thread state of its own (1.3 ms of page faults on this VM): 20,000
	 * took 25 s alone, past the 60 s limit under make test's --jobs=2. */
	{"sched", "mutex", NULL}, {"sched", "spawn", "5000"}, {"io", "pipes", NULL},
	{"io", "semantics", NULL}, {"io", "sockets", NULL},
	/* The demo sleeps: TSan saw the libc's clock_gettime write on an
	 * exiting goroutine's stack, every run (issue #20 item 13). */
	{"demo", NULL, NULL},
};
#define NCLEAN (sizeof clean / sizeof clean[0])
static bool slow(size_t i)
{
	const char *p = clean[i][0], *c = clean[i][1];
	return !strcmp(p, "sched") || (c && (!strcmp(c, "pipes") || !strcmp(c, "fifo") || !strcmp(c, "closewakes")));
}

static const char *const asan_env[] = {"ASAN_OPTIONS=detect_leaks=0:detect_stack_use_after_return=1", "GOMAXPROCS=2",
				       NULL};

Test(asan, end_to_end_programs_are_clean)
{
	for (size_t i = 0; i < NCLEAN; i++) {
		struct result r = runE(asan_env, chk("asan", clean[i][0]), clean[i][1], clean[i][2]);
		cr_assert(r.exited && r.code == 0, "%s %s: exit %d sig %d\n%s", clean[i][0], clean[i][1], r.code, r.sig,
			  r.err);
		assert_lacks(r.err, "ERROR: AddressSanitizer");
	}
}

Test(asan, catches_use_after_free_in_a_goroutine)
{
	struct result r = runE(asan_env, chk("asan", "planted"), "uaf");
	cr_assert(r.exited && r.code != 0);
	assert_contains(r.err, "ERROR: AddressSanitizer: heap-use-after-free");
	assert_contains(r.err, " in user ");  /* where it was read */
	assert_contains(r.err, " in freer "); /* where it was freed */
}

Test(asan, catches_stack_overflow_on_a_goroutine_stack)
{
	struct result r = runE(asan_env, chk("asan", "planted"), "overflow");
	cr_assert(r.exited && r.code != 0);
	assert_contains(r.err, "ERROR: AddressSanitizer: stack-buffer-overflow");
	assert_contains(r.err, " in smash ");
}

Test(ubsan, catches_signed_overflow_in_a_goroutine_and_is_clean_otherwise)
{
	const char *env[] = {"UBSAN_OPTIONS=halt_on_error=1", "GOMAXPROCS=2", NULL};
	struct result r = runE(env, chk("ubsan", "planted"), "intoverflow");
	cr_assert(r.exited && r.code != 0, "exit %d\n%s", r.code, r.err);
	assert_contains(r.err, "runtime error: signed integer overflow");
	assert_contains(r.err, "planted.c");
	r = runE(env, chk("ubsan", "planted"), "clean");
	cr_assert(r.exited && r.code == 0, "exit %d\n%s", r.code, r.err);
	assert_lacks(r.err, "runtime error");
}

Test(tsan, end_to_end_programs_are_clean)
{
	const char *procs[] = {"GOMAXPROCS=1", "GOMAXPROCS=2"};
	for (int p = 0; p < 2; p++)
		for (size_t i = 0; i < NCLEAN; i++) {
			if (p == 0 && slow(i) && !full()) continue;
			const char *env[] = {procs[p], NULL};
			struct result r = runE(env, chk("tsan", clean[i][0]), clean[i][1], clean[i][2]);
			cr_assert(r.exited && r.code == 0, "%s %s %s: exit %d\n%s", procs[p], clean[i][0], clean[i][1],
				  r.code, r.err);
			assert_lacks(r.err, "WARNING: ThreadSanitizer");
		}
}

Test(tsan, catches_a_race_between_two_goroutines)
{
	/* At GOMAXPROCS=1 both goroutines share one thread: the race is
	 * still a race (a switch orders nothing). */
	const char *procs[] = {"GOMAXPROCS=1", "GOMAXPROCS=2"};
	for (int p = 0; p < 2; p++) {
		const char *env[] = {procs[p], NULL};
		struct result r = runE(env, chk("tsan", "planted"), "race");
		cr_assert(r.exited && r.code == 66, "%s: exit %d\n%s", procs[p], r.code, r.err);
		assert_contains(r.err, "WARNING: ThreadSanitizer: data race");
		assert_contains(r.err, " racer ");
	}
}

static struct result vg(const char *prog, const char *a1, const char *a2)
{
	return shell("GOMAXPROCS=2 valgrind -q --error-exitcode=99 %s %s %s 2>&1", prog, a1, a2 ? a2 : "");
}

Test(valgrind, end_to_end_programs_are_clean, .timeout = 600)
{
	cr_skip_test_if(!have("valgrind"), "valgrind not installed");
	const char *vars[] = {"musl", "glibc"};
	for (int v = 0; v < 2; v++)
		for (size_t i = 0; i < NCLEAN; i++) {
			if ((slow(i) && !full()) || !strcmp(clean[i][0], "demo")) continue; /* the sanitizers' only */
			const char *prog = !strcmp(clean[i][0], "planted") ? chk(vars[v], "planted")
									    : bin(vars[v], clean[i][0]);
			struct result r = vg(prog, clean[i][1], clean[i][2]);
			cr_assert(r.exited && r.code == 0, "%s %s %s: exit %d\n%s", vars[v], clean[i][0], clean[i][1],
				  r.code, r.out);
			assert_lacks(r.out, "Invalid ");
			assert_lacks(r.out, "uninitialised");
		}
}

Test(valgrind, catches_use_after_free_in_a_goroutine)
{
	/* glibc only: memcheck finds heap errors by replacing malloc, which it
	 * cannot do in a static binary (musl's default build) and does not do
	 * for musl's libc.so (README, "Checkers"). */
	cr_skip_test_if(!have("valgrind"), "valgrind not installed");
	struct result r = vg(chk("glibc", "planted"), "uaf", NULL);
	cr_assert(r.exited && r.code == 99, "exit %d\n%s", r.code, r.out);
	assert_contains(r.out, "Invalid read of size 8");
	assert_contains(r.out, "at 0x"); assert_contains(r.out, ": user (planted.c:");
	assert_contains(r.out, "free'd");
}
