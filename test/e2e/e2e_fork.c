/* e2e_fork.c: fork() without exec from a goroutine while others run (the
 * child keeps only the forking goroutine and can use gort), and the
 * libc's process calls (system, popen, posix_spawn, fork+exec) from
 * goroutines, in every build at GOMAXPROCS 1, 2 and 8. */
#include "run.h"

static const char *const procs[] = {"GOMAXPROCS=1", "GOMAXPROCS=2", "GOMAXPROCS=8"};

Test(fork, child_keeps_only_the_forking_goroutine_and_can_use_gort)
{
	/* Parent: 20 yielding, 20 sleeping and 10 pipe-reading goroutines.
	 * Child: exactly 1 goroutine, sleeps no less than asked, runs 10,000
	 * channel round trips with a new goroutine, reads a pipe through the
	 * netpoller (its own epoll set), receives from gort_after. Parent:
	 * reaps the child (status 0: every check passed) and its goroutines
	 * all made progress afterwards. */
	const char *want = "child: goroutines=1 slept>=5ms=1 pingpong=10000 read=fromchild\n"
			   "parent: child reaped status 0\n"
			   "parent: busy_progressed=1 sleeps_progressed=1 readbytes=30\n";
	for (size_t v = 0; v < NVARIANTS; v++)
		for (int p = 0; p < 3; p++) {
			const char *env[] = {procs[p], NULL};
			struct result r = runE(env, bin(gort_variants[v], "forks"), "fork");
			cr_assert(r.exited && r.code == 0, "%s %s: %d sig %d %s", gort_variants[v], procs[p], r.code,
				  r.sig, r.err);
			cr_assert_str_eq(r.out, want, "%s %s:\n%s%s", gort_variants[v], procs[p], r.out, r.err);
		}
}

Test(fork, child_survives_preemption_signals)
{
	/* The child's goroutine spins 100 ms without yielding: the child's
	 * own sysmon sends it SIGURG. The child's handler once forwarded
	 * SIGURG to itself (installed a second time after fork) and recursed
	 * off its alternate stack. */
	const char *want = "child: spun 100ms\n"
			   "parent: child reaped status 0\n"
			   "parent: busy_progressed=1 sleeps_progressed=1 readbytes=30\n";
	for (size_t v = 0; v < NVARIANTS; v++)
		for (int p = 0; p < 3; p++) {
			const char *env[] = {procs[p], NULL};
			struct result r = runE(env, bin(gort_variants[v], "forks"), "forkspin");
			cr_assert(r.exited && r.code == 0, "%s %s: %d sig %d %s", gort_variants[v], procs[p], r.code,
				  r.sig, r.err);
			cr_assert_str_eq(r.out, want, "%s %s:\n%s%s", gort_variants[v], procs[p], r.out, r.err);
		}
}

Test(fork, system_popen_posix_spawn_and_exec_from_a_goroutine)
{
	for (size_t v = 0; v < NVARIANTS; v++)
		for (int p = 0; p < 2; p++) {
			const char *env[] = {procs[p], NULL};
			struct result r = runE(env, bin(gort_variants[v], "forks"), "spawn");
			cr_assert(r.exited && r.code == 0, "%s %s: %d %s", gort_variants[v], procs[p], r.code, r.err);
			cr_assert_str_eq(r.out,
					 "system-ok\nexec-ok\nsystem=0 popen=popen-ok spawn=7 exec=0\n"
					 "parent: busy_progressed=1 sleeps_progressed=1 readbytes=30\n",
					 "%s %s", gort_variants[v], procs[p]);
		}
}

Test(fork, vfork_and_spawn_children_leave_the_parents_runtime_alone)
{
	/* A goroutine parked in read on a pipe; vfork (20, one failing its
	 * exec), posix_spawn with a close action, popen and system children
	 * close that descriptor before exec. The vfork child's close once ran
	 * the hook on the parent's memory: the reader woke with EBADF. */
	for (size_t v = 0; v < NVARIANTS; v++)
		for (int p = 0; p < 3; p++) {
			const char *env[] = {procs[p], NULL};
			struct result r = runE(env, bin(gort_variants[v], "forks"), "vforkclose");
			cr_assert(r.exited && r.code == 0, "%s %s: %d sig %d %s", gort_variants[v], procs[p], r.code,
				  r.sig, r.err);
			cr_assert_str_eq(r.out,
					 "vfork: children_ok=1 reader_parked_throughout=1 reader=data\n"
					 "parent: busy_progressed=1 sleeps_progressed=1 readbytes=30\n",
					 "%s %s", gort_variants[v], procs[p]);
		}
}
