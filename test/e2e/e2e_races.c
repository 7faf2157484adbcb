/* e2e_races.c: process-wide calls from several goroutines at once (issue
 * #20 items 1 and 2: fork and gort_gomaxprocs), preemption after
 * gort_gomaxprocs (issue #15), and system calls gort does not hook that
 * block in the kernel (issue #17 item 0: sysblock.c), in every build at
 * GOMAXPROCS 1, 2 and 8 (the blocking ones at 1, where they used to freeze
 * the only P). */
#include "run.h"

static const char *const procs[] = {"GOMAXPROCS=1", "GOMAXPROCS=2", "GOMAXPROCS=8"};

static void each(const char *prog, const char *a1, const char *a2, const char *want)
{
	for (size_t v = 0; v < NVARIANTS; v++)
		for (int p = 0; p < 3; p++) {
			const char *env[] = {procs[p], NULL};
			struct result r = runE(env, bin(gort_variants[v], prog), a1, a2);
			cr_assert(r.exited && r.code == 0, "%s %s %s: exit %d sig %d timedout %d\n%s%s",
				  gort_variants[v], procs[p], a1, r.code, r.sig, r.timedout, r.out, r.err);
			cr_assert(strstr(r.out, want), "%s %s: %s", gort_variants[v], procs[p], r.out);
		}
}

/* musl: the second fork slept on musl's atfork lock, which the first held
 * while its prepare handler stopped the world, waiting for the second's P:
 * a hang, every run. glibc: "stopm spinning" (a spinning M handed its P to
 * a locked goroutine). */
Test(races, two_goroutines_fork_at_once)
{
	each("races", "fork", "150", "ok forks=300\n");
}

/* Crashed with SIGSEGV at addr 0x4: the second stopper waited with its M
 * read before, and resumed on another thread. */
Test(races, two_goroutines_change_gomaxprocs_at_once)
{
	each("races", "gomaxprocs", "300", "ok changes=600\n");
}

Test(races, preemption_works_after_gort_gomaxprocs)
{
	each("races", "preempt", "20", "ok sleeps=20\n");
}

/* A goroutine that loops on gort calls that never block (gort_nanotime,
 * gort_chan_len, trysend...) yields at its next call once sysmon asked,
 * as Go's function prologues do: main's 10 ms sleeps end. Also where
 * asynchronous preemption is off or absent (plain static): it hung there. */
Test(races, a_loop_of_runtime_calls_is_preempted)
{
	each("races", "apiloop", "10", "ok sleeps=10\n");
	for (size_t v = 0; v < NVARIANTS; v++) {
		const char *env[] = {"GOMAXPROCS=1", "GODEBUG=asyncpreemptoff=1", NULL};
		struct result r = runE(env, bin(gort_variants[v], "races"), "apiloop", "10");
		cr_assert(r.exited && r.code == 0 && strstr(r.out, "ok sleeps=10\n"),
			  "%s asyncpreemptoff: exit %d sig %d timedout %d\n%s%s", gort_variants[v], r.code, r.sig,
			  r.timedout, r.out, r.err);
	}
}

static void blocking_env(const char *godebug, const char *mode, const char *n, const char *want, double maxs)
{
	for (size_t v = 0; v < NVARIANTS; v++) {
		const char *env[] = {"GOMAXPROCS=1", godebug, NULL};
		struct result r = runE(env, bin(gort_variants[v], "blocking"), mode, n);
		cr_assert(r.exited && r.code == 0, "%s %s: exit %d sig %d timedout %d\n%s%s", gort_variants[v],
			  mode, r.code, r.sig, r.timedout, r.out, r.err);
		cr_assert(strstr(r.out, want), "%s: %s", gort_variants[v], r.out);
		double s = atof(strstr(r.out, "seconds=") + 8);
		cr_assert(s < maxs, "%s %s: %.2f s", gort_variants[v], mode, s);
	}
}
static void blocking(const char *mode, const char *n, const char *want, double maxs)
{
	blocking_env(NULL, mode, n, want, maxs);
}

/* 300 goroutines in fgets at GOMAXPROCS=1, main writes after 100 ms: hung
 * forever (the first fgets's read held the only P). Now stdio's reads park
 * the goroutine (runtime/stdio.c); with GODEBUG=gorthooks=0 they are the
 * libc's own read again, which sysblock.c takes the P from. */
Test(races, fgets_in_300_goroutines_at_gomaxprocs_1)
{
	blocking("fgets", "300", "good=300 of 300", 20);
	blocking_env("GODEBUG=gorthooks=0", "fgets", "300", "good=300 of 300", 20);
}

/* 100 goroutines fork+exec `sleep 0.2` and waitpid: 20 s one after the
 * other; now about the 0.2 s plus the forks. The bound is loose (a loaded
 * machine); the figure is in the README. */
Test(races, waitpid_in_100_goroutines_at_gomaxprocs_1)
{
	blocking("waitpid", "100", "good=100 of 100", 10);
}

/* A raw syscall(SYS_read) blocks: a ticker on the same P keeps ticking. */
Test(races, raw_read_syscall_leaves_the_p_to_a_ticker)
{
	blocking("raw", "5", "good=1 of 1", 20);
}

/* The same while every descriptor is in use: sysmon could not open the
 * blocked threads' /proc files and left the P to the first read for as
 * long as the descriptors were held, by a goroutine that waited for the
 * P: hung for good (and test/stress now and then, its fork's world stop
 * waiting on a thread asleep on the libc's atfork lock). */
Test(races, raw_reads_leave_the_p_while_every_descriptor_is_in_use)
{
	blocking("rawfull", "4", "good=4 of 4", 20);
}

/* The test can fail: with the mechanism off, the fgets program hangs (its
 * reads the libc's own: gorthooks=0, else stdio parks the goroutine). */
Test(races, sysblockoff_brings_the_hang_back)
{
	char *argv[] = {(char *)bin("musl", "blocking"), "fgets", "50", NULL};
	char *envp[] = {"GOMAXPROCS=1", "GODEBUG=gorthooks=0,sysblockoff=1", NULL};
	struct result r = runv(argv, envp, 3);
	cr_assert(r.timedout, "exit %d: %s", r.code, r.out);
}

/* 300 goroutines each posix_spawn a 0.3 s sleep and wait for it (waitpid,
 * wait4, waitid in turn) at GOMAXPROCS=1: each waits on a pidfd in the
 * netpoller, no thread blocks (issue #17 item 3). Before: a thread per
 * waiter as sysmon took the P from each blocked wait4 in turn, 42 s. */
Test(races, waiting_for_children_parks_only_the_goroutine)
{
	for (size_t v = 0; v < NVARIANTS; v++) {
		const char *env[] = {"GOMAXPROCS=1", NULL};
		struct result r = runE(env, bin(gort_variants[v], "blocking"), "spawnwait", "300");
		cr_assert(r.exited && r.code == 0, "%s: exit %d sig %d timedout %d\n%s%s", gort_variants[v], r.code,
			  r.sig, r.timedout, r.out, r.err);
		assert_contains(r.out, "good=300 of 300");
		long t = atol(strstr(r.out, "threads=") + 8);
		cr_assert(t > 0 && t <= 4, "%s: %ld threads for 300 waits at GOMAXPROCS=1\n%s", gort_variants[v], t, r.out);
	}
}

/* 8 goroutines in plain accept on one blocking listening socket: one
 * accept's temporary O_NONBLOCK was read by another as the program's
 * flag, and that accept failed with EAGAIN (GOMAXPROCS 2 and 8, within
 * the first ~60 connections). */
Test(races, eight_goroutines_accept_on_one_blocking_socket)
{
	each("races", "accept", "3000", "ok accepted=3000 blocking=1\n");
}

/* 20 goroutines probe an unmapped address under a SIGSEGV handler that
 * siglongjmps back, then read a pipe main writes to after 50 ms. The
 * handler's count stayed on the thread: hooks off, each read blocked its
 * thread, and the program hung (GOMAXPROCS 1, 2 and 8). */
Test(races, a_handler_left_by_siglongjmp_leaves_the_hooks_on)
{
	for (size_t v = 0; v < NVARIANTS; v++)
		for (int p = 0; p < 3; p++) {
			const char *env[] = {procs[p], NULL};
			struct result r = runE(env, bin(gort_variants[v], "blocking"), "longjmp", "20");
			cr_assert(r.exited && r.code == 0, "%s %s: exit %d sig %d timedout %d\n%s%s", gort_variants[v],
				  procs[p], r.code, r.sig, r.timedout, r.out, r.err);
			assert_contains(r.out, "good=20 of 20");
		}
}

/* poll of 3,000 descriptors, none ready, in a loop that runs long enough
 * to be preempted: the runtime's SIGURG landed in the hook's own poll(2)
 * with timeout 0, and the program, which installed no handler, got EINTR
 * (at GOMAXPROCS=1, 1-2 in 5,000 polls). */
Test(races, preemption_signals_never_make_poll_fail_with_eintr)
{
	each("races", "pollintr", "6000", "ok polls=6000 eintr=0 other=0\n");
}

/* A goroutine's fatal error (close of a closed channel) racing main's
 * return 0: a run that printed "fatal error" exited 0 in up to 12 of 20
 * runs. Now either the report wins (status 2) or main's exit came first
 * and nothing is printed (status 0). Half the runs race closely (main
 * spins 1,000 iterations after the start signal), half give the closers
 * 40,000: with the suite's other tests on both CPUs, the close race alone
 * left the other P off the CPU in all 48 runs once. */
Test(races, a_fatal_error_racing_mains_return_exits_2)
{
	int fatals = 0;
	for (size_t v = 0; v < NVARIANTS; v++)
		for (int p = 0; p < 3; p++)
			for (int i = 0; i < 8; i++) {
				const char *env[] = {procs[p], NULL};
				struct result r = runE(env, bin(gort_variants[v], "races"), "fatalrace", i & 1 ? "40" : "1");
				bool printed = strstr(r.err, "fatal error: close of closed channel") != NULL;
				fatals += printed;
				cr_assert(r.exited && r.code == (printed ? 2 : 0), "%s %s run %d: exit %d sig %d\n%s",
					  gort_variants[v], procs[p], i, r.code, r.sig, r.err);
			}
	cr_assert(fatals > 0, "no run reported the fatal error: the race was not exercised");
}

/* RLIMIT_NOFILE 64 and every descriptor used before the netpoller exists:
 * read, poll, select, sleep, connect and accept from goroutines are the
 * blocking calls with the P handed off, then the poller comes when
 * descriptors are free. Was: "fatal error: netpoll: epoll_create1/eventfd
 * failed: errno 24" at the first read. */
Test(races, running_out_of_descriptors_leaves_the_program_running)
{
	each("races", "emfile", "1", "ok emfile: checks=127 of 127\n");
}

/* main waits on a channel a pthread sends to with gort_chan_trysend 100 ms
 * later: "all goroutines are asleep - deadlock!" came at once. Threads
 * gort did not create may still act: no report while one exists; once it
 * is gone (the second run: it exits without sending), the report comes. */
Test(races, no_deadlock_report_while_threads_gort_did_not_create_exist)
{
	each("races", "foreign", "100", "ok received=42\n");
	for (size_t v = 0; v < NVARIANTS; v++) {
		struct result r = run(bin(gort_variants[v], "races"), "foreign", "-100");
		cr_assert(r.exited && r.code == 2, "%s: exit %d sig %d\n%s", gort_variants[v], r.code, r.sig, r.err);
		assert_contains(r.err, "fatal error: all goroutines are asleep - deadlock!");
	}
}

/* A SIGUSR1 handler calls gort_chan_trysend while a pthread sends 20,000
 * signals to every thread in turn and goroutines ping-pong: the handler
 * readied the receiver onto the P of an M half-way through idling, "fatal
 * error: pidleput: P has non-empty run queue" (or a hang) in most runs. */
Test(races, gort_chan_trysend_from_a_signal_handler)
{
	each("races", "sigsend", "20000", "ok sigsend: sent=1 received_all=1\n");
}

/* Timeouts near INT64_MAX (gort_sleep, gort_after, a ticker, gort_poll, a
 * recv with SO_RCVTIMEO of 10^10 s) wrapped into the past: they ended at
 * once (the ticker then fired without end and the program hung). Capped
 * at "never", as Go's when(). */
Test(races, huge_timeouts_mean_never)
{
	each("races", "hugetimeouts", "300", "ok hugetimeouts: ended=0\n");
}
