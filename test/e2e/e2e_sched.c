/* e2e_sched.c: the scheduler under GOMAXPROCS 1, 2 and 8 on this machine:
 * no lost goroutines, fork-join results, resizing under load, work
 * stealing, locked threads, errno across migration, deadlock and stack
 * overflow reports, preemption of tight loops, syscalls handing off. */
#include "run.h"

static const char *const procs[] = {"GOMAXPROCS=1", "GOMAXPROCS=2", "GOMAXPROCS=8"};

Test(sched, million_goroutines_spawned_and_joined, .timeout = 120)
{
	for (int i = 0; i < 3; i++) {
		const char *env[] = {procs[i], NULL};
		struct result r = runE(env, bin("musl", "sched"), "spawn", "1000000");
		cr_assert(r.exited && r.code == 0, "%s: %d %s", procs[i], r.code, r.err);
		cr_assert_str_eq(r.out, "spawned=1000000 ran=1000000 live<=1\n", "%s", procs[i]);
	}
}

Test(sched, goroutine_ids_never_repeat_and_the_count_is_exact)
{
	for (int i = 0; i < 3; i++) {
		const char *env[] = {procs[i], NULL};
		struct result r = runE(env, bin("musl", "sched"), "ids");
		cr_assert(r.exited && r.code == 0, "%s: %d %s", procs[i], r.code, r.err);
		cr_assert_str_eq(r.out, "ids: n=40008 unique=1 main=1 live=40001 after=1\n", "%s", procs[i]);
	}
}

Test(sched, waitgroup_on_the_waiters_stack_is_not_touched_after_wait_returns, .timeout = 60)
{
	for (int i = 0; i < 3; i++) {
		const char *env[] = {procs[i], NULL};
		struct result r = runE(env, bin("musl", "sched"), "wgreuse");
		cr_assert(r.exited && r.code == 0, "%s: %d %s", procs[i], r.code, r.err);
		cr_assert_str_eq(r.out, "wgreuse: rounds=200000\n", "%s", procs[i]);
	}
}

Test(sched, fork_join_results)
{
	for (int i = 0; i < 3; i++) {
		const char *env[] = {procs[i], NULL};
		for (size_t v = 0; v < NVARIANTS; v++) {
			struct result r = runE(env, bin(gort_variants[v], "sched"), "forkjoin");
			cr_assert(r.exited && r.code == 0, "%s %s: %d %s", procs[i], gort_variants[v], r.code, r.err);
			cr_assert_str_eq(r.out, "fib(27)=196418 want=196418\n");
		}
	}
}

Test(sched, resizing_ps_under_load)
{
	for (int i = 0; i < 3; i++) {
		const char *env[] = {procs[i], NULL};
		struct result r = runE(env, bin("musl", "sched"), "resize");
		cr_assert(r.exited && r.code == 0, "%s: %d %s", procs[i], r.code, r.err);
		assert_contains(r.out, "total=200000 gomaxprocs=4\n");
	}
}

Test(sched, work_is_stolen_by_the_other_p)
{
	/* Main creates every goroutine on its own P; with two Ps, the other
	 * one must steal some: they run on two threads. */
	const char *env[] = {"GOMAXPROCS=2", NULL};
	struct result r = runE(env, bin("musl", "sched"), "steal");
	cr_assert(r.exited && r.code == 0);
	cr_assert_str_eq(r.out, "threads=2\n");
	const char *env1[] = {"GOMAXPROCS=1", NULL};
	r = runE(env1, bin("musl", "sched"), "steal");
	cr_assert_str_eq(r.out, "threads=1\n");
}

Test(sched, lockosthread_keeps_the_thread)
{
	for (int i = 0; i < 3; i++) {
		const char *env[] = {procs[i], NULL};
		struct result r = runE(env, bin("musl", "sched"), "lockos");
		cr_assert(r.exited && r.code == 0, "%s: %d %s", procs[i], r.code, r.err);
		cr_assert_str_eq(r.out, "locked goroutine moved 0 times\n");
	}
}

Test(sched, errno_follows_the_goroutine_across_threads)
{
	/* Built -O2 with musl (static and dynamic) and glibc. */
	const char *env[] = {"GOMAXPROCS=2", NULL};
	for (size_t v = 0; v < NVARIANTS; v++) {
		struct result r = runE(env, bin(gort_variants[v], "errno_mig"));
		cr_assert(r.exited && r.code == 0, "%s: %d", gort_variants[v], r.code);
		cr_assert_str_eq(r.out, "wrong errno=0 migrations=yes\n", "%s", gort_variants[v]);
	}
}

Test(sched, deadlock_is_reported)
{
	for (int i = 0; i < 3; i++) {
		const char *env[] = {procs[i], NULL};
		struct result r = runE(env, bin("musl", "sched"), "deadlock");
		cr_assert(r.exited && r.code == 2, "%s: status %d sig %d", procs[i], r.code, r.sig);
		assert_contains(r.err, "fatal error: all goroutines are asleep - deadlock!\n");
		assert_contains(r.err, "goroutine 1 [sync.WaitGroup.Wait]:");
	}
}

Test(sched, main_goexit_then_no_goroutines)
{
	struct result r = run(bin("musl", "sched"), "goexitmain");
	cr_assert(r.exited && r.code == 2, "status %d sig %d", r.code, r.sig);
	cr_assert_str_eq(r.out, "child done\n");
	assert_contains(r.err, "fatal error: no goroutines (main called gort_goexit) - deadlock!");
}

Test(sched, gort_go_stack_gives_the_size_asked_and_takes_it_back)
{
	/* 300 goroutines with 4 MiB stacks each use 3 MiB (the default is
	 * 256 KiB); their mappings are gone once they end. */
	for (size_t v = 0; v < NVARIANTS; v++) {
		struct result r = run(bin(gort_variants[v], "sched"), "bigstack");
		cr_assert(r.exited && r.code == 0, "%s: %d %s", gort_variants[v], r.code, r.err);
		cr_assert_str_eq(r.out, "bigstack: ok=300 maps_grew_by_10_or_more=0\n", "%s: %s %s", gort_variants[v], r.out, r.err);
	}
}

/* Recursion in main when no goroutine ever started: m0 had no alternate
 * signal stack yet, and the program died of a bare SIGSEGV (139). */
Test(sched, stack_overflow_in_main_without_goroutines_is_reported)
{
	for (size_t v = 0; v < NVARIANTS; v++) {
		struct result r = run(bin(gort_variants[v], "sched"), "mainoverflow");
		cr_assert(r.exited && r.code == 2, "%s: status %d sig %d %s", gort_variants[v], r.code, r.sig, r.err);
		assert_contains(r.err, "fatal error: stack overflow");
		assert_contains(r.err, "runtime: goroutine 1 stack exceeds");
	}
}

/* goroutine 1 runs on the process's own stack (runtime/stack.c,
 * stack_os_region) down to RLIMIT_STACK, or on a mapping of that size
 * where too little of the process's stack would remain or the limit is
 * not one the kernel keeps: an overflow is reported under each. With
 * the limit unlimited the kernel grows the process's stack past any
 * bound, and the overflow ran on until the test's timeout before the
 * mapping was kept for that case (musl only: 1 GiB of stack is touched). */
Test(sched, stack_overflow_in_main_is_reported_under_every_stack_limit)
{
	const char *limits[] = {"64", "256", "2048", "16384", "unlimited"};
	for (size_t v = 0; v < NVARIANTS; v++)
		for (size_t l = 0; l < sizeof limits / sizeof *limits; l++) {
			if (!strcmp(limits[l], "unlimited") && strcmp(gort_variants[v], "musl")) continue;
			char *argv[] = {"/bin/sh", "-c", "ulimit -s $1 && exec \"$0\" mainoverflow",
					(char *)bin(gort_variants[v], "sched"), (char *)limits[l], NULL};
			struct result r = runv(argv, NULL, 60);
			cr_assert(r.exited && r.code == 2, "%s ulimit -s %s: status %d sig %d timedout %d %s",
				  gort_variants[v], limits[l], r.code, r.sig, r.timedout, r.err);
			assert_contains(r.err, "fatal error: stack overflow");
			assert_contains(r.err, "runtime: goroutine 1 stack exceeds");
		}
}

/* A 322 KiB frame on a 256 KiB stack: gortcc's -fstack-clash-protection
 * makes its first touch the guard. It jumped the guard into another
 * goroutine's stack before. (The plain-flags builds here do not add the
 * flag: pkg-config's do.) */
Test(sched, a_frame_larger_than_the_guard_is_reported)
{
	const char *vs[] = {"musl", "mdyn", "spie"};
	for (size_t v = 0; v < 3; v++) {
		struct result r = run(bin(vs[v], "sched"), "bigframe");
		cr_assert(r.exited && r.code == 2, "%s: status %d sig %d %s", vs[v], r.code, r.sig, r.err);
		assert_contains(r.err, "fatal error: stack overflow");
		assert_contains(r.err, " [running]:\nbigframe(...)");
	}
}

/* A 64 MiB frame built without stack clash protection (the plain flags):
 * sp and the fault far below the goroutine's stack. It was headed
 * "goroutine 0 [running]" with no "stack overflow". */
Test(sched, a_frame_that_jumps_far_below_the_stack_is_reported_as_its_goroutines)
{
	const char *vs[] = {"plain", "glibc"};
	for (size_t v = 0; v < 2; v++) {
		struct result r = run(bin(vs[v], "sched"), "hugeframe");
		cr_assert(r.exited && r.code == 2, "%s: status %d sig %d %s", vs[v], r.code, r.sig, r.err);
		assert_contains(r.err, "fatal error: stack overflow");
		assert_contains(r.err, " [running]:\nhugeframe(...)");
		cr_assert(!strstr(r.err, "goroutine 0 "), "%s: %s", vs[v], r.err);
	}
}

Test(sched, overflowing_a_stack_of_a_chosen_size_is_reported)
{
	/* The guard sits below a gort_go_stack stack too. */
	struct result r = run(bin("musl", "sched"), "bigoverflow");
	cr_assert(r.exited && r.code == 2, "exit %d: %s", r.code, r.err);
	assert_contains(r.err, "fatal error: stack overflow");
}

Test(sched, stack_overflow_is_reported)
{
	for (size_t v = 0; v < NVARIANTS; v++) {
		struct result r = run(bin(gort_variants[v], "sched"), "overflow");
		cr_assert(r.exited && r.code == 2, "%s: status %d sig %d", gort_variants[v], r.code, r.sig);
		assert_contains(r.err, "fatal error: stack overflow");
		assert_contains(r.err, "runtime: goroutine 2 stack exceeds 262144-byte limit");
		assert_contains(r.err, "goroutine 2 [running]:\nrec(...)");
	}
	const char *env[] = {"GORT_STACKSIZE=64k", NULL};
	struct result r = runE(env, bin("musl", "sched"), "overflow");
	assert_contains(r.err, "stack exceeds 65536-byte limit");
}

Test(sched, tight_loop_does_not_starve_a_ticker)
{
	/* Asynchronous preemption: needs the libc's code told apart, which
	 * gortcc's linker script does for static programs, the dynamic
	 * linker for dynamic ones, and call frame information for the bare
	 * static musl link (README: "Preemption"). */
	const char *env[] = {"GOMAXPROCS=1", NULL};
	const char *vs[] = {"musl", "mdyn", "glibc", "spie", "plain"};
	for (size_t v = 0; v < 5; v++) {
		struct result r = runE(env, bin(vs[v], "sched"), "tightloop");
		cr_assert(r.exited && r.code == 0, "%s: %d %s", vs[v], r.code, r.err);
		cr_assert_str_eq(r.out, "ticks=20\n", "%s", vs[v]);
	}
}

Test(sched, a_sleep_behind_cpu_bound_goroutines_ends_within_a_slice_or_two, .timeout = 60)
{
	/* The woken goroutine goes to runnext, as in Go: it runs when the
	 * running goroutine's 10 ms slice ends; the same for a poll whose
	 * timeout passed. Queued at the tail it waited
	 * for 20 slices (median 150-200 ms late). 80 ms leaves room for a
	 * machine shared with make test's other suite. */
	const char *env[] = {"GOMAXPROCS=2", NULL};
	const char *vs[] = {"musl", "glibc"};
	const char *how[] = {"sleep", "poll"}; /* a timer; an I/O deadline */
	for (size_t v = 0; v < 2; v++)
		for (int h = 0; h < 2; h++) {
			struct result r = runE(env, bin(vs[v], "sched"), "sleepbehind", how[h]);
			cr_assert(r.exited && r.code == 0, "%s %s: %d %s", vs[v], how[h], r.code, r.err);
			long late = -1;
			cr_assert(sscanf(r.out, "median late %ld", &late) == 1, "%s %s: %s", vs[v], how[h], r.out);
			cr_log_info("%s %s: %s", vs[v], how[h], r.out);
			cr_assert(late < 80, "%s %s: %s", vs[v], how[h], r.out);
		}
}

Test(sched, rounding_mode_belongs_to_the_goroutine)
{
	/* 8 goroutines in 4 rounding modes yield 20,000 times each: each
	 * keeps its own mode (MXCSR and x87) and its own arithmetic, and main
	 * keeps round-to-nearest. Then 300 goroutines change the mode and end,
	 * each followed by one that checks it starts in round-to-nearest (the
	 * M switches from an ending goroutine straight to a new one). */
	for (size_t v = 0; v < NVARIANTS; v++)
		for (int i = 0; i < 3; i++) {
			const char *env[] = {procs[i], NULL};
			struct result r = runE(env, bin(gort_variants[v], "sched"), "fenv");
			cr_assert(r.exited && r.code == 0, "%s %s: %d %s", gort_variants[v], procs[i], r.code, r.err);
			cr_assert_str_eq(r.out, "fenv: wrong=0 main_nearest=1\n", "%s %s: %s", gort_variants[v], procs[i], r.out);
		}
}

Test(sched, goroutines_start_in_the_entrys_rounding_mode_on_every_thread)
{
	/* main rounds up while it starts 32 goroutines on idle Ps: the
	 * threads its wakeps make inherit its mode from pthread_create, and
	 * every goroutine that started on them started rounding up (one run
	 * of rounding_mode_belongs_to_the_goroutine in 12 failed). */
	for (size_t v = 0; v < NVARIANTS; v++)
		for (int i = 1; i < 3; i++) {
			const char *env[] = {procs[i], NULL};
			struct result r = runE(env, bin(gort_variants[v], "sched"), "fenvnewm");
			cr_assert(r.exited && r.code == 0, "%s %s: %d %s", gort_variants[v], procs[i], r.code, r.err);
			cr_assert_str_eq(r.out, "fenvnewm: wrong=0 main_up=1 threads>1=1\n", "%s %s: %s", gort_variants[v],
					 procs[i], r.out);
		}
}

Test(sched, async_preemption_keeps_the_whole_vector_state)
{
	/* The upper halves of the AVX registers too, also on CPUs whose
	 * XSAVE area is larger than the trampoline's (AMX: 11 KB). */
	const char *env[] = {"GOMAXPROCS=1", NULL};
	for (size_t v = 0; v < NVARIANTS; v++) {
		struct result r = runE(env, bin(gort_variants[v], "sched"), "vecregs");
		cr_assert(r.exited && r.code == 0, "%s: %d %s", gort_variants[v], r.code, r.err);
		cr_assert(!strncmp(r.out, "vecregs: ok=1", 13), "%s: %s", gort_variants[v], r.out);
	}
}

Test(sched, stdio_and_malloc_from_goroutines_on_many_threads)
{
	/* 100 goroutines x 500 printf lines with malloc/free churn, at
	 * GOMAXPROCS 2 and 8: every line whole and present, no block damaged. */
	const char *ps[] = {"GOMAXPROCS=2", "GOMAXPROCS=8"};
	for (size_t v = 0; v < NVARIANTS; v++)
		for (int p = 0; p < 2; p++) {
			const char *env[] = {ps[p], NULL};
			struct result r = runE(env, bin(gort_variants[v], "sched"), "libc");
			cr_assert(r.exited && r.code == 0, "%s %s: %d %s", gort_variants[v], ps[p], r.code, r.err);
			cr_assert_str_eq(r.err, "malloc blocks damaged: 0\n");
			static char seen[100][500];
			memset(seen, 0, sizeof seen);
			long lines = 0, bad = 0;
			for (char *l = r.out; *l;) {
				char *e = strchr(l, '\n');
				cr_assert(e, "last line cut: %s", l);
				*e = 0;
				long g;
				int i, n = -1;
				if (sscanf(l, "g%ld line %d 0123456789abcdefghijklmnopqrstuvwxyz%n", &g, &i, &n) == 2 &&
				    n == (int)strlen(l) && g >= 0 && g < 100 && i >= 0 && i < 500 && !seen[g][i])
					seen[g][i] = 1, lines++;
				else
					bad++;
				l = e + 1;
			}
			cr_assert(lines == 50000 && bad == 0, "%s %s: %ld good lines, %ld bad", gort_variants[v], ps[p],
				  lines, bad);
		}
}

Test(sched, thread_exhaustion_is_fatal)
{
	/* 40 goroutines each block in a system call (entersyscall), so each
	 * needs a thread: past GORT_MAXTHREADS=16 that is Go's fatal error. */
	const char *env[] = {"GOMAXPROCS=1", "GORT_MAXTHREADS=16", NULL};
	struct result r = runE(env, bin("musl", "sched"), "threads");
	cr_assert(r.exited && r.code == 2, "exit %d sig %d: %s", r.code, r.sig, r.err);
	assert_contains(r.err, "fatal error: thread exhaustion: program exceeds 16-thread limit");
	assert_lacks(r.out, "done");
	/* Under a higher limit the same program completes. */
	const char *env2[] = {"GOMAXPROCS=1", "GORT_MAXTHREADS=100", NULL};
	r = runE(env2, bin("musl", "sched"), "threads");
	cr_assert(r.exited && r.code == 0, "%d %s", r.code, r.err);
	cr_assert_str_eq(r.out, "40 blocking calls done\n");
}

Test(sched, blocking_syscall_hands_off_the_p)
{
	const char *env[] = {"GOMAXPROCS=1", NULL};
	struct result r = runE(env, bin("musl", "sched"), "syscall");
	cr_assert(r.exited && r.code == 0, "%d %s", r.code, r.err);
	cr_assert_str_eq(r.out, "main ran on while the other goroutine slept in a syscall\n");
}

Test(sched, mutex_excludes_and_never_loses_a_wakeup)
{
	for (int i = 0; i < 3; i++) {
		const char *env[] = {procs[i], NULL};
		for (int k = 0; k < 5; k++) {
			struct result r = runE(env, bin("musl", "sched"), "mutex");
			cr_assert(r.exited && r.code == 0, "%s: %d %.300s", procs[i], r.code, r.err);
			cr_assert_str_eq(r.out, "shared=400000\n");
		}
	}
}

Test(sched, misuse_of_sync_is_a_fatal_error)
{
	struct result r = run(bin("musl", "sched"), "mutexabuse");
	cr_assert(r.exited && r.code == 2);
	assert_contains(r.err, "fatal error: sync: unlock of unlocked mutex");
	r = run(bin("musl", "sched"), "negwg");
	cr_assert(r.exited && r.code == 2);
	assert_contains(r.err, "fatal error: sync: negative WaitGroup counter");
}

Test(sched, schedtrace_lines)
{
	const char *env[] = {"GODEBUG=schedtrace=10", "GOMAXPROCS=2", NULL};
	struct result r = runE(env, bin("musl", "sched"), "syscall");
	cr_assert(r.exited && r.code == 0);
	const char *l = strstr(r.err, "SCHED ");
	cr_assert(l, "%s", r.err);
	int ms, gmp, idle, threads, spin, idlet, rq;
	cr_assert(sscanf(l, "SCHED %dms: gomaxprocs=%d idleprocs=%d threads=%d spinningthreads=%d "
			    "idlethreads=%d runqueue=%d [", &ms, &gmp, &idle, &threads, &spin, &idlet, &rq) == 7, "%s", l);
	cr_assert_eq(gmp, 2);
}

/* scheddetail's G lines in Go's form: the wait reason in the parentheses
 * ("G5: status=4(chan receive) m=-1 lockedm=-1"), empty when the G does
 * not wait; they said "(waiting)" for every reason. */
Test(sched, scheddetail_lines_give_the_wait_reason)
{
	const char *env[] = {"GODEBUG=schedtrace=100,scheddetail=1", NULL};
	struct result r = runE(env, bin("musl", "signals"), "quitwait");
	cr_assert(r.exited && r.code == 2, "exit %d: %s", r.code, r.err);
	assert_contains(r.err, ": status=4(chan receive) m=-1 lockedm=-1\n");
	assert_contains(r.err, ": status=4(sleep) m=-1 lockedm=-1\n");
	assert_lacks(r.err, "(waiting)");
	/* P and M lines as Go 1.19 prints them (M: the fields gort has). */
	assert_contains(r.err, "  P0: status=");
	assert_contains(r.err, " timerslen=");
	assert_lacks(r.err, "status=0(idle)");
	assert_contains(r.err, " spinning=false blocked=");
}

/* Under an address-space limit of 12 MB: stacks were reserved 64 at a
 * time (20 MiB), so not one goroutine could start ("out of memory
 * allocating a 262144-byte goroutine stack"). Now 8, then 1, at a time. */
Test(sched, goroutines_start_under_a_small_address_space_limit)
{
	const char *vs[] = {"musl", "plain", "spie"};
	for (size_t v = 0; v < 3; v++) {
		char cmd[512];
		snprintf(cmd, sizeof cmd, "ulimit -v 12000 && exec %s pingpong", bin(vs[v], "chans"));
		char *argv[] = {"/bin/sh", "-c", cmd, NULL};
		struct result r = runv(argv, NULL, 30);
		cr_assert(r.exited && r.code == 0, "%s: exit %d sig %d\n%s", vs[v], r.code, r.sig, r.err);
		assert_contains(r.out, "sum=4999950000");
	}
}
