/* t_trace.c: the execution trace and the flight recorder (issue #16):
 * traces of programs with known behaviour (progs/traced.c, progs/deadlock.c)
 * decoded with protoc against Perfetto's schema (ptrace.h), and bad input. */
#include "../e2e/run.h"
#include "ptrace.h"
#include <sys/stat.h>
#include <sys/statvfs.h>

#define OBS BUILD_DIR "/test/observe"

static char tmpdir[256];

static void mktmp(void)
{
	snprintf(tmpdir, sizeof tmpdir, "/tmp/gort-observe-XXXXXX");
	cr_assert(mkdtemp(tmpdir));
}

static const char *tmpfile_(const char *name)
{
	static char b[4][512];
	static int k;
	char *p = b[k++ % 4];
	snprintf(p, 512, "%s/%s", tmpdir, name);
	return p;
}

static struct ptrace traced_trace(const char *variant, struct result *r)
{
	mktmp();
	char env[600];
	snprintf(env, sizeof env, "GORT_TRACE=%s", tmpfile_("t.pftrace"));
	const char *e[] = {env, "GOMAXPROCS=2", NULL};
	char prog[512];
	snprintf(prog, sizeof prog, OBS "/%s/traced", variant);
	*r = runE(e, prog);
	cr_assert(r->exited && r->code == 0, "traced: %d %s", r->code, r->err);
	assert_contains(r->out, "done");
	return pt_load(tmpfile_("t.pftrace"));
}

/* What the program did, seen in the trace. */
static void check_traced(const struct ptrace *t)
{
	pt_check_wellformed(t);
	/* Tracks: the process's threads, GOMAXPROCS Ps, a track per goroutine
	 * named by its function. */
	cr_assert(pt_track_named(t, "M0"), "no track for M0");
	cr_assert(pt_track_named(t, "P0") && pt_track_named(t, "P1"), "no P tracks");
	cr_assert(!pt_track_named(t, "P2"), "a P beyond GOMAXPROCS=2");
	const char *fns[] = {"pinger", "ponger", "sleeper", "reader", "receiver", "blocker", "spinner"};
	for (size_t i = 0; i < sizeof fns / sizeof fns[0]; i++)
		cr_assert(pt_gtrack(t, fns[i]), "no goroutine track for %s", fns[i]);
	/* Ping-pong: each of the 2 x 50 round trips hands two values over an
	 * unbuffered channel, each a wait for one side. */
	int waits = pt_count(t, 0, 1, "waiting: chan send") + pt_count(t, 0, 1, "waiting: chan receive");
	cr_assert(waits >= 2 * 2 * 50, "only %d channel waits", waits);
	/* Each pinger ran at least once per round. */
	const struct ptrack *pg = pt_gtrack(t, "pinger");
	cr_assert(pt_count(t, pg->uuid, 1, "running") >= 50, "pinger ran %d times", pt_count(t, pg->uuid, 1, "running"));
	/* Wait reasons as tracebacks name them. */
	cr_assert(pt_count(t, pt_gtrack(t, "sleeper")->uuid, 1, "waiting: sleep") == 1);
	cr_assert(pt_count(t, pt_gtrack(t, "reader")->uuid, 1, "waiting: IO wait") == 1);
	cr_assert(pt_count(t, pt_gtrack(t, "receiver")->uuid, 1, "waiting: chan receive") == 1);
	cr_assert(pt_count(t, pt_gtrack(t, "runtime_main")->uuid, 1, "waiting: sync.WaitGroup.Wait") >= 1);
	/* The system call: a state of its goroutine, a slice on its thread. */
	cr_assert(pt_count(t, pt_gtrack(t, "blocker")->uuid, 1, "syscall") == 1);
	cr_assert(pt_count(t, 0, 1, "syscall") >= 2, "no syscall slice on a thread track");
	/* The spinner was preempted (sysmon asked, it yielded). */
	cr_assert(pt_count(t, pt_gtrack(t, "spinner")->uuid, 1, "runnable (preempted)") >= 1, "spinner never preempted");
	cr_assert(pt_count(t, 0, 3, "preempt request (sysmon)") >= 1);
	/* Runs on thread and P tracks, named by goroutine. */
	char run[160];
	snprintf(run, sizeof run, "%s", pt_gtrack(t, "pinger")->name);
	int onm = 0, onp = 0;
	for (size_t i = 0; i < t->nev; i++) {
		if (t->ev[i].type != 1 || strcmp(t->ev[i].name, run)) continue;
		for (size_t k = 0; k < t->ntracks; k++) {
			if (t->tracks[k].uuid != t->ev[i].track) continue;
			if (t->tracks[k].tid) onm++;
			else if (t->tracks[k].name[0] == 'P') onp++;
		}
	}
	cr_assert(onm >= 50 && onp >= 50, "%s: %d runs on threads, %d on Ps", run, onm, onp);
	/* Flows: the sleeper's wake-up (from a timer, on some track) ends at
	 * its next run; each pinger round trip is a wake-up with a flow. */
	char unb[160];
	snprintf(unb, sizeof unb, "unblock %.*s", (int)strcspn(pt_gtrack(t, "sleeper")->name, " "),
		 pt_gtrack(t, "sleeper")->name);
	uint64_t flow = 0;
	for (size_t i = 0; i < t->nev; i++)
		if (t->ev[i].type == 3 && !strcmp(t->ev[i].name, unb)) flow = t->ev[i].flow;
	cr_assert(flow, "no \"%s\" with a flow", unb);
	int ends = 0;
	for (size_t i = 0; i < t->nev; i++)
		if (t->ev[i].endflow == flow) {
			cr_assert(t->ev[i].track == pt_gtrack(t, "sleeper")->uuid && !strcmp(t->ev[i].name, "running"));
			ends++;
		}
	cr_assert(ends == 1, "the sleeper's flow ends %d times", ends);
	int flows = 0;
	for (size_t i = 0; i < t->nev; i++) flows += t->ev[i].endflow != 0;
	cr_assert(flows >= 2 * 2 * 50, "only %d flows", flows);
	/* The program's region and log, under main's track. */
	char rt[160];
	snprintf(rt, sizeof rt, "%s regions", pt_gtrack(t, "runtime_main")->name);
	const struct ptrack *rtk = pt_track_named(t, rt);
	cr_assert(rtk && rtk->parent == pt_gtrack(t, "runtime_main")->uuid, "no region track under main's");
	cr_assert(pt_count(t, rtk->uuid, 1, "main-region") == 1);
	cr_assert(pt_count(t, rtk->uuid, 3, "phase: started") == 1);
}

Test(trace, known_program_musl, .timeout = 60)
{
	struct result r;
	struct ptrace t = traced_trace("musl", &r);
	check_traced(&t);
	pt_free(&t);
}

Test(trace, known_program_glibc, .timeout = 60)
{
	struct result r;
	struct ptrace t = traced_trace("glibc", &r);
	check_traced(&t);
	pt_free(&t);
}

/* Tracing off: no file, no output beyond the program's. */
Test(trace, off_by_default)
{
	struct result r = run(OBS "/musl/traced");
	cr_assert(r.exited && r.code == 0);
	cr_assert_str_eq(r.err, "");
}

/* ---- the flight recorder ---- */

/* The last events show every goroutine's final wait. */
static void check_deadlock(const struct ptrace *t)
{
	pt_check_wellformed(t);
	struct {
		const char *fn, *wait;
	} want[] = {
		{"pinger", "waiting: chan receive (at end)"},
		{"ponger", "waiting: chan send (at end)"},
		{"locker", "waiting: sync.Mutex.Lock (at end)"},
		{"runtime_main", "waiting: sync.WaitGroup.Wait (at end)"},
	};
	for (size_t i = 0; i < sizeof want / sizeof want[0]; i++) {
		const struct ptrack *g = pt_gtrack(t, want[i].fn);
		cr_assert(g, "no track for %s", want[i].fn);
		const char *last = pt_last_begin(t, g->uuid);
		cr_assert(last && !strcmp(last, want[i].wait), "%s: last state %s, want %s", want[i].fn,
			  last ? last : "(none)", want[i].wait);
	}
}

Test(flight, deadlock_writes_last_moments, .timeout = 60)
{
	mktmp();
	char env[600];
	snprintf(env, sizeof env, "GORT_TRACE=%s", tmpfile_("f.pftrace"));
	const char *e[] = {env, "GORT_TRACE_FLIGHT=8m", NULL};
	struct result r = runE(e, OBS "/musl/deadlock");
	cr_assert(r.exited && r.code == 2, "status %d", r.code);
	assert_contains(r.err, "all goroutines are asleep - deadlock!");
	assert_contains(r.err, "flight recorder written to");
	struct ptrace t = pt_load(tmpfile_("f.pftrace"));
	check_deadlock(&t);
	/* 8 MiB kept the whole 200 ms of ping-pong: every round trip waits,
	 * in a send or a receive (which of the two depends on the load: send
	 * waits alone fell short in 3 runs of 8 on a busy machine). */
	long sends = pt_count(&t, 0, 1, "waiting: chan send"), recvs = pt_count(&t, 0, 1, "waiting: chan receive");
	cr_assert(sends + recvs > 1000, "%ld chan send and %ld chan receive waits", sends, recvs);
	pt_free(&t);
}

/* A 64 KiB recorder wraps many times in 200 ms of ping-pong; what it keeps
 * still decodes, well formed, ending with the final waits. The default path
 * is gort-flight-PID.pftrace in the working directory. */
Test(flight, wrapped_ring_decodes, .timeout = 60)
{
	mktmp();
	char cmd[1024];
	struct result r = shell("cd %s && GORT_TRACE_FLIGHT=64k %s/musl/deadlock write", tmpdir, OBS);
	cr_assert(r.exited && r.code == 2, "status %d: %s", r.code, r.err);
	assert_contains(r.out, "write=0");
	snprintf(cmd, sizeof cmd, "ls %s/gort-flight-*.pftrace", tmpdir);
	FILE *f = popen(cmd, "r");
	char path[512] = "";
	cr_assert(fgets(path, sizeof path, f), "no gort-flight-PID.pftrace");
	pclose(f);
	path[strcspn(path, "\n")] = 0;
	struct stat st;
	cr_assert(stat(path, &st) == 0 && st.st_size < 512 * 1024, "a 64k ring wrote %ld bytes", (long)st.st_size);
	struct ptrace t = pt_load(path);
	check_deadlock(&t);
	/* It wrapped: 4,096 records of 16 bytes fit in 64 KiB (a few more
	 * where Ms started after the recorder sized its rings: each has one),
	 * and the other records (running, runnable...) take at least half of
	 * them, where the unwrapped 200 ms of ping-pong holds tens of
	 * thousands of waits. (Send waits alone < 1,000 failed under load,
	 * when the split between send and receive waits moves.) */
	long waits = pt_count(&t, 0, 1, "waiting: chan send") + pt_count(&t, 0, 1, "waiting: chan receive");
	cr_assert(waits < 4096, "%ld channel waits in a 64k ring", waits);
	pt_free(&t);
	/* gort_trace_flight_write's file, written while the program ran. */
	snprintf(path, sizeof path, "%s/flight.pftrace", tmpdir);
	t = pt_load(path);
	pt_check_wellformed(&t);
	cr_assert(pt_gtrack(&t, "pinger") && pt_count(&t, 0, 1, "running") > 10);
	pt_free(&t);
}

/* ---- bad input: one line on stderr, the program runs on ---- */

static void runs_on(const char *const *env, const char *warn)
{
	struct result r = runE(env, OBS "/musl/traced");
	cr_assert(r.exited && r.code == 0, "status %d: %s", r.code, r.err);
	assert_contains(r.out, "done");
	if (warn) {
		assert_contains(r.err, warn);
		cr_assert(strchr(r.err, '\n') == r.err + strlen(r.err) - 1, "more than one line:\n%s", r.err);
	} else {
		cr_assert_str_eq(r.err, "");
	}
}

Test(badinput, unwritable_path)
{
	const char *e[] = {"GORT_TRACE=/nonexistent/dir/t.pftrace", NULL};
	runs_on(e, "gort: ignoring GORT_TRACE=/nonexistent/dir/t.pftrace");
}

Test(badinput, flight_garbage)
{
	const char *e[] = {"GORT_TRACE_FLIGHT=garbage", NULL};
	runs_on(e, "gort: ignoring GORT_TRACE_FLIGHT=garbage");
	const char *e2[] = {"GORT_TRACE_FLIGHT=12", NULL};
	runs_on(e2, "gort: ignoring GORT_TRACE_FLIGHT=12");
}

Test(badinput, full_disk)
{
	const char *e[] = {"GORT_TRACE=/dev/full", NULL};
	runs_on(e, "gort: could not write the trace to /dev/full");
}

Test(badinput, flight_write_without_recorder)
{
	mktmp();
	struct result r = shell("cd %s && %s/musl/deadlock write", tmpdir, OBS);
	cr_assert(r.exited && r.code == 2);
	assert_contains(r.out, "write=-1");
	assert_lacks(r.err, "flight recorder written");
}

/* A set-user-ID program ignores GORT_TRACE (AT_SECURE): run as root, the
 * program owned by nobody with the set-user-ID bit. */
Test(badinput, setuid_ignores)
{
	cr_skip_test_if(geteuid() != 0, "needs root to make a set-user-ID program of another user");
	mktmp();
	struct statvfs vfs;
	cr_skip_test_if(statvfs(tmpdir, &vfs) == 0 && (vfs.f_flag & ST_NOSUID), "/tmp is mounted nosuid");
	chmod(tmpdir, 0777);
	char prog[512];
	snprintf(prog, sizeof prog, "%s/traced", tmpdir);
	struct result c = shell("cp %s/musl/traced %s && chown nobody %s && chmod 4755 %s", OBS, prog, prog, prog);
	cr_assert(c.exited && c.code == 0);
	char env[600], env2[600];
	snprintf(env, sizeof env, "GORT_TRACE=%s", tmpfile_("suid.pftrace"));
	snprintf(env2, sizeof env2, "GORT_CPUPROFILE=%s", tmpfile_("suid.pprof"));
	const char *e[] = {env, env2, NULL};
	struct result r = runE(e, prog);
	cr_skip_test_if(r.exited && r.code == 126, "cannot run set-user-ID programs here");
	cr_assert(r.exited && r.code == 0, "status %d: %s", r.code, r.err);
	struct stat st;
	cr_assert(stat(tmpfile_("suid.pftrace"), &st) != 0, "a set-user-ID program wrote GORT_TRACE");
	cr_assert(stat(tmpfile_("suid.pprof"), &st) != 0, "a set-user-ID program wrote GORT_CPUPROFILE");
}

/* SIGQUIT: the goroutine dump, and the flight recorder beside it. */
Test(flight, sigquit_writes_recorder, .timeout = 60)
{
	mktmp();
	struct result r = shell("cd %s && GORT_TRACE_FLIGHT=1m %s/musl/deadlock & pid=$!; sleep 0.1; kill -QUIT $pid; wait $pid",
				tmpdir, OBS);
	cr_assert(r.exited && r.code == 2, "status %d: %s", r.code, r.err);
	assert_contains(r.err, "SIGQUIT: quit");
	assert_contains(r.err, "goroutine 1 [");
	assert_contains(r.err, "flight recorder written to gort-flight-");
	char cmd[600];
	snprintf(cmd, sizeof cmd, "ls %s/gort-flight-*.pftrace", tmpdir);
	FILE *f = popen(cmd, "r");
	char path[512] = "";
	cr_assert(fgets(path, sizeof path, f), "no gort-flight-PID.pftrace");
	pclose(f);
	path[strcspn(path, "\n")] = 0;
	struct ptrace t = pt_load(path);
	pt_check_wellformed(&t);
	cr_assert(pt_gtrack(&t, "pinger") && pt_count(&t, 0, 1, "running") > 10, "the ping-pong is not in it");
	pt_free(&t);
}
