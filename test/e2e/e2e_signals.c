/* e2e_signals.c: the program's signal handlers next to gort's own
 * (SIGURG preemption, crash handlers), in goroutines. Static programs
 * linked with the plain flags are preempted only cooperatively (README,
 * "Preemption"), so the tests that need a spinning goroutine preempted
 * skip that build. */
#include "run.h"

static const char *const preemptible[] = {"musl", "mdyn", "glibc", "spie"};

Test(signals, program_handlers_see_every_signal_while_goroutines_are_preempted)
{
	/* 200 SIGUSR1s to a handler installed after goroutines started, while
	 * CPU-bound goroutines on every P are preempted with SIGURG: none is
	 * lost, none waits a second. */
	const char *procs[] = {"GOMAXPROCS=1", "GOMAXPROCS=2"};
	for (size_t v = 0; v < 4; v++)
		for (int p = 0; p < 2; p++) {
			const char *env[] = {procs[p], NULL};
			struct result r = runE(env, bin(preemptible[v], "signals"), "deliver");
			cr_assert(r.exited && r.code == 0, "%s %s: %d %s", preemptible[v], procs[p], r.code, r.err);
			cr_assert_str_eq(r.out, "delivered=200 late=0\n", "%s %s", preemptible[v], procs[p]);
		}
}

Test(signals, program_sigurg_handler_installed_first_is_still_called)
{
	const char *env[] = {"GOMAXPROCS=1", NULL};
	for (size_t v = 0; v < 4; v++) {
		struct result r = runE(env, bin(preemptible[v], "signals"), "urgfirst");
		cr_assert(r.exited && r.code == 0, "%s: %d %s", preemptible[v], r.code, r.err);
		cr_assert_str_eq(r.out, "main ran: yes; program's SIGURG handler called: yes\n", "%s", preemptible[v]);
	}
}

Test(signals, program_sigurg_handler_installed_later_is_called_and_preemption_goes_on)
{
	const char *env[] = {"GOMAXPROCS=1", NULL};
	for (size_t v = 0; v < 4; v++) {
		struct result r = runE(env, bin(preemptible[v], "signals"), "urglater");
		cr_assert(r.exited && r.code == 0, "%s: %d %s", preemptible[v], r.code, r.err);
		cr_assert_str_eq(r.out, "main ran: yes; program's SIGURG handler called: yes\n", "%s", preemptible[v]);
	}
}

Test(signals, sigquit_prints_every_goroutine_and_exits_2)
{
	for (size_t v = 0; v < NVARIANTS; v++) {
		struct result r = run(bin(gort_variants[v], "signals"), "quit");
		cr_assert(r.exited && r.code == 2, "%s: exit %d sig %d", gort_variants[v], r.code, r.sig);
		cr_assert(!strncmp(r.err, "SIGQUIT: quit\nPC=", 17), "%s: %s", gort_variants[v], r.err);
		/* kill(getpid(), SIGQUIT): the sender is named, not an addr. */
		assert_contains(r.err, "sigcode=0 sent by pid ");
		assert_contains(r.err, ", this process\n");
		assert_lacks(r.err, "addr=");
		assert_lacks(r.err, "fatal error");
		assert_contains(r.err, "goroutine 1 ["); /* whichever thread the kernel picked */
		assert_contains(r.err, "[chan receive]:\ngort_chan_recv(");
		assert_contains(r.err, "waiter(");
		assert_contains(r.err, "[sleep]:\ngort_sleep(");
		assert_contains(r.err, "napper(");
		assert_lacks(r.out, "still running");
	}
}

/* Go's goroutineheader: ", N minutes" (rounded down) once a goroutine has
 * waited a minute. GODEBUG=waitshift=59 (test-only) counts every wait 59 s
 * longer, so a wait of 1.5 s shows and one of 10 ms does not. */
Test(signals, sigquit_shows_how_many_minutes_a_goroutine_has_waited)
{
	const char *env[] = {"GODEBUG=waitshift=59", NULL};
	const char *vs[] = {"musl", "glibc"};
	for (size_t v = 0; v < 2; v++) {
		struct result r = runE(env, bin(vs[v], "signals"), "quitwait");
		cr_assert(r.exited && r.code == 2, "%s: exit %d sig %d", vs[v], r.code, r.sig);
		assert_contains(r.err, " [chan receive, 1 minutes]:\ngort_chan_recv(");
		assert_contains(r.err, " [sleep]:\ngort_sleep(");
		assert_lacks(r.err, "[sleep, ");
	}
	/* Without the shift nobody has waited a minute. */
	struct result r = run(bin("musl", "signals"), "quitwait");
	assert_contains(r.err, " [chan receive]:\ngort_chan_recv(");
	assert_lacks(r.err, "minutes");
}

/* GODEBUG=tracebackancestors=N: each goroutine's section ends with the
 * stacks of up to N creators when they created it (Go's
 * printAncestorTraceback), with what created each but goroutine 1. */
/* SIGQUIT on a thread running no goroutine (an idle M, sysmon): Go's
 * "goroutine 0 [idle]:" with the thread's runtime frames. It was
 * "goroutine 0 [running]:" with those frames hidden: empty, or one libc
 * frame. Every goroutine still follows. */
Test(signals, sigquit_on_an_idle_thread_shows_goroutine_0_idle_with_its_frames)
{
	for (size_t v = 0; v < NVARIANTS; v++) {
		struct result r = run(bin(gort_variants[v], "signals"), "quitidle");
		cr_assert(r.exited && r.code == 2, "%s: exit %d sig %d %s %s", gort_variants[v], r.code, r.sig,
			  r.out, r.err);
		assert_contains(r.err, "sent by pid ");
		assert_contains(r.err, ", this process\n");
		const char *g0 = strstr(r.err, "\n\ngoroutine 0 [idle]:\n");
		cr_assert(g0, "%s: %s", gort_variants[v], r.err);
		/* A frame, not the next section. */
		const char *l = g0 + strlen("\n\ngoroutine 0 [idle]:\n");
		cr_assert(strncmp(l, "\n", 1) && strncmp(l, "goroutine ", 10), "%s: %s", gort_variants[v], r.err);
		assert_contains(l, "(...)\n");
		assert_lacks(r.err, "goroutine 0 [running]");
		assert_contains(r.err, "goroutine 1 [");
		assert_contains(r.err, "[chan receive]:\ngort_chan_recv(");
		assert_lacks(r.out, "still running");
	}
}

/* The section of the goroutine waiting in a channel receive. */
static char *waiter_section(const char *err)
{
	const char *w = strstr(err, " [chan receive]:\ngort_chan_recv(");
	cr_assert(w, "%s", err);
	const char *end = strstr(w, "\n\n");
	return strndup(w, end ? (size_t)(end - w) : strlen(w));
}

Test(signals, tracebackancestors_shows_the_creators_stacks)
{
	const char *env[] = {"GODEBUG=tracebackancestors=2", NULL};
	for (size_t v = 0; v < NVARIANTS; v++) {
		struct result r = runE(env, bin(gort_variants[v], "signals"), "quitancestors");
		cr_assert(r.exited && r.code == 2, "%s: exit %d sig %d", gort_variants[v], r.code, r.sig);
		/* The waiter: created by spawner, itself created by level1
		 * in goroutine 1. */
		char *sec = waiter_section(r.err);
		assert_contains(sec, "\ncreated by spawner\n");
		assert_contains(sec, "]:\nspawner(...)\n");
		assert_contains(sec, "\ncreated by level1\n");
		assert_contains(sec, "[originating from goroutine 1]:\nlevel1(...)\n");
		assert_contains(sec, "\nmain(...)\n");
		cr_assert(strstr(sec, "[originating from goroutine ") < strstr(sec, "[originating from goroutine 1]:"),
			  "%s: %s", gort_variants[v], sec);
		free(sec);
	}
	/* At most N: with 1, only the creator; off by default. */
	const char *env1[] = {"GODEBUG=tracebackancestors=1", NULL};
	struct result r = runE(env1, bin("musl", "signals"), "quitancestors");
	char *sec = waiter_section(r.err);
	assert_contains(sec, "]:\nspawner(...)\n");
	assert_lacks(sec, "[originating from goroutine 1]:");
	free(sec);
	r = run(bin("musl", "signals"), "quitancestors");
	assert_contains(r.err, "\ncreated by spawner\n");
	assert_lacks(r.err, "originating");
}

Test(signals, sigprocmask_in_a_locked_goroutine_stays)
{
	for (size_t v = 0; v < NVARIANTS; v++) {
		struct result r = run(bin(gort_variants[v], "signals"), "mask");
		cr_assert(r.exited && r.code == 0, "%s: %d %s", gort_variants[v], r.code, r.err);
		cr_assert_str_eq(r.out, "blocked after yields: 1\n", "%s", gort_variants[v]);
	}
}
