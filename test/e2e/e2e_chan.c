/* e2e_chan.c: channels, select and timers: semantics, fairness, close,
 * NULL channels, Go's panics as fatal errors, and sleep accuracy. */
#include "run.h"

static struct result chans(const char *procs, const char *cmd)
{
	const char *env[] = {procs, NULL};
	return runE(env, bin("musl", "chans"), cmd);
}

Test(chan, unbuffered_pingpong)
{
	const char *ps[] = {"GOMAXPROCS=1", "GOMAXPROCS=2", "GOMAXPROCS=8"};
	for (int i = 0; i < 3; i++) {
		struct result r = chans(ps[i], "pingpong");
		cr_assert(r.exited && r.code == 0, "%s %d %s", ps[i], r.code, r.err);
		cr_assert_str_eq(r.out, "sum=4999950000\n");
	}
}

Test(chan, buffered_order_len_cap_close_drain)
{
	struct result r = chans("GOMAXPROCS=2", "buffered");
	cr_assert_str_eq(r.out, "len=5 cap=5 trysend_full=0\n0 1 2 3 4 then ok=0 v=0 tryrecv=0\n");
}

Test(chan, close_wakes_every_receiver)
{
	struct result r = chans("GOMAXPROCS=2", "closewakes");
	cr_assert(r.exited && r.code == 0);
	cr_assert_str_eq(r.out, "receiver woke ok=0 v=0\nreceiver woke ok=0 v=0\nreceiver woke ok=0 v=0\n");
}

Test(chan, many_producers_keep_their_order)
{
	const char *ps[] = {"GOMAXPROCS=1", "GOMAXPROCS=2", "GOMAXPROCS=8"};
	for (int i = 0; i < 3; i++) {
		struct result r = chans(ps[i], "fifo");
		cr_assert_str_eq(r.out, "received=200000 out_of_order=0\n", "%s", ps[i]);
	}
}

Test(chan, select_is_fair)
{
	/* 4 always-ready cases, 100,000 rounds: each expected 25,000 times,
	 * standard deviation about 137; allow 6 sigma. */
	struct result r = chans("GOMAXPROCS=2", "selectfair");
	long h[4];
	cr_assert(sscanf(r.out, "%ld %ld %ld %ld", &h[0], &h[1], &h[2], &h[3]) == 4, "%s", r.out);
	for (int i = 0; i < 4; i++) cr_assert(h[i] > 25000 - 820 && h[i] < 25000 + 820, "case %d: %ld", i, h[i]);
}

Test(chan, select_blocks_skips_nil_and_times_out)
{
	struct result r = chans("GOMAXPROCS=2", "selectmix");
	cr_assert(r.exited && r.code == 0, "%d %s", r.code, r.err);
	cr_assert_str_eq(r.out, "case=2 got=5 ok=1 nonblocking=-1\ntimeout case=1 after>=3ms=1\n");
}

Test(chan, ticker_ticks_and_stops)
{
	struct result r = chans("GOMAXPROCS=2", "ticker");
	cr_assert_str_eq(r.out, "ticks=10 early=0\n");
}

Test(chan, ten_thousand_sleepers_never_wake_early)
{
	const char *ps[] = {"GOMAXPROCS=1", "GOMAXPROCS=2"};
	for (int i = 0; i < 2; i++) {
		struct result r = chans(ps[i], "sleepers");
		cr_assert(r.exited && r.code == 0, "%d %s", r.code, r.err);
		cr_assert_str_eq(r.out, "sleepers done in 10 ms to 1 s\n", "%s: %s", ps[i], r.err);
	}
}

Test(chan, blocked_forever_is_a_deadlock)
{
	struct result r = chans("GOMAXPROCS=2", "nilblock");
	cr_assert(r.exited && r.code == 2);
	assert_contains(r.err, "fatal error: all goroutines are asleep - deadlock!");
	assert_contains(r.err, "goroutine 1 [chan receive (nil chan)]:");
	r = chans("GOMAXPROCS=2", "recvdeadlock");
	cr_assert(r.exited && r.code == 2);
	assert_contains(r.err, "goroutine 1 [chan receive]:");
}

Test(chan, go_panics_are_fatal_errors)
{
	const char *cmds[] = {"sendclosed", "closeclosed", "closenil"};
	const char *msgs[] = {"fatal error: send on closed channel", "fatal error: close of closed channel",
			      "fatal error: close of nil channel"};
	for (int i = 0; i < 3; i++) {
		struct result r = chans("GOMAXPROCS=2", cmds[i]);
		cr_assert(r.exited && r.code == 2, "%s: %d", cmds[i], r.code);
		assert_contains(r.err, msgs[i]);
		assert_contains(r.err, "goroutine 1 [running]:");
	}
}
/* Sleeps, read deadlines met or missed, tickers started and stopped, from
 * 400 goroutines while GOMAXPROCS changes (runtime/time.c: the heap and
 * the FIFO beside it, timers stopped in the middle, moved between Ps): no
 * wait ends before its time, every one ends. */
Test(chan, timers_of_every_kind_fire_in_time_under_a_mix, .timeout = 120)
{
	for (size_t v = 0; v < NVARIANTS; v++) {
		const char *env[] = {"GOMAXPROCS=2", NULL};
		struct result r = runE(env, bin(gort_variants[v], "timeouts"), "mix");
		cr_assert(r.exited && r.code == 0, "%s: exit %d sig %d timedout %d\n%s%s", gort_variants[v], r.code,
			  r.sig, r.timedout, r.out, r.err);
		cr_assert_str_eq(r.out, "mix: ok=1 early=0 n=16000\n", "%s: %s", gort_variants[v], r.err);
	}
}
Test(chan, huge_timeouts_wait_instead_of_firing_at_once)
{
	const char *ps[] = {"GOMAXPROCS=1", "GOMAXPROCS=2", "GOMAXPROCS=8"};
	const char *modes[] = {"plain", "handler"};
	for (size_t v = 0; v < NVARIANTS; v++)
		for (int p = 0; p < 3; p++)
			for (int m = 0; m < 2; m++) {
				const char *env[] = {ps[p], NULL};
				struct result r = runE(env, bin(gort_variants[v], "timeouts"), modes[m]);
				cr_assert(r.exited && r.code == 0 && !strcmp(r.out, "still waiting: 19 calls\n"),
					  "%s %s %s: exit %d sig %d timedout %d\n%s%s", gort_variants[v], ps[p],
					  modes[m], r.code, r.sig, r.timedout, r.out, r.err);
			}
}
