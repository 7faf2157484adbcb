/* debug_lldb.c: lldb with tools/lldb/gort_lldb.py on parked goroutines
 * (test/debug/progs/parked.c), musl static and glibc dynamic: `goroutine
 * list` lists each goroutine with its status, wait reason and function,
 * `goroutine bt N` walks from the saved context to the goroutine's entry,
 * `goroutine exec N CMD` runs CMD in the goroutine's frame, the summaries
 * show channels, mutexes, WaitGroups and G/M/P, and a core file works. */
#include "dbg.h"

#define LLDB_IMPORT "-o 'command script import " SRC_DIR "/tools/lldb/gort_lldb.py' "

static struct result lldb_cmd(const char *args)
{
	cr_skip_test_if(!have("lldb"), "lldb is not installed");
	const char *py = lldb_pythonpath();
	cr_skip_test_if(!py, "lldb has no Python scripting (python3-lldb)");
	struct result r = shell("cd /tmp && PYTHONPATH=%s lldb -x -b " LLDB_IMPORT "%s 2>&1", py, args);
	cr_assert(!r.timedout, "lldb timed out:\n%s", r.out);
	assert_lacks(r.out, "Traceback");
	assert_lacks(r.out, "gort_lldb: ");
	return r;
}

/* lldb runs parked (variant v) to at_breakpoint, then cmds (-o ...). */
static struct result lldb_at_breakpoint(const char *v, const char *cmds)
{
	char args[4096];
	snprintf(args, sizeof args,
		 "-o 'b at_breakpoint' -o 'process launch --stop-at-entry' "
		 "-o 'process handle SIGURG -s false -p false -n false' -o continue "
		 "-o 'script print(\"==BEGIN==\")' %s -o 'script print(\"==END==\")' %s",
		 cmds, PARKED_PATH(v));
	struct result r = lldb_cmd(args);
	assert_contains(r.out, "stop reason = breakpoint 1");
	return r;
}

enum { RECV, SEND, SLEEP, READ, LOCK, NESTED, WG };
struct ids {
	long fn[NPARKED_ROWS];
};

static void check_list(const char *list, int want_current)
{
	cr_assert_eq(goroutine_rows(list), PARKED_COUNT, "expected %d goroutines in:\n%s", PARKED_COUNT, list);
	for (size_t i = 0; i < NPARKED_ROWS; i++)
		cr_assert(find_row(list, parked_rows[i][1], parked_rows[i][0], NULL) > 1,
			  "no row \"%s ... %s\" in:\n%s", parked_rows[i][1], parked_rows[i][0], list);
	if (want_current) {
		int cur = 0;
		cr_assert_eq(find_row(list, "running", "at_breakpoint", &cur), 1, "main not running in:\n%s", list);
		cr_assert(cur, "main is not marked current (*) in:\n%s", list);
	}
}

static struct ids ids_of(const char *list)
{
	struct ids ids;
	for (size_t i = 0; i < NPARKED_ROWS; i++) {
		ids.fn[i] = find_row(list, parked_rows[i][1], parked_rows[i][0], NULL);
		cr_assert(ids.fn[i] > 1, "no %s row in:\n%s", parked_rows[i][0], list);
	}
	return ids;
}

static void list(const char *v)
{
	struct result r = lldb_at_breakpoint(v, "-o 'goroutine list'");
	char *s = section(r.out, "==BEGIN==", "==END==");
	check_list(s, 1);
	free(s);
}

static void bt(const char *v)
{
	struct result r = lldb_at_breakpoint(v, "-o 'goroutine list'");
	char *s = section(r.out, "==BEGIN==", "==END==");
	struct ids ids = ids_of(s);
	free(s);
	char cmds[1024];
	snprintf(cmds, sizeof cmds,
		 "-o 'goroutine bt %ld' -o 'script print(\"==SLEEP==\")' -o 'goroutine bt %ld' "
		 "-o 'script print(\"==READ==\")' -o 'goroutine bt %ld' -o 'script print(\"==LOCK==\")' "
		 "-o 'goroutine bt %ld'",
		 ids.fn[NESTED], ids.fn[SLEEP], ids.fn[READ], ids.fn[LOCK]);
	r = lldb_at_breakpoint(v, cmds);
	s = section(r.out, "==BEGIN==", "==SLEEP==");
	assert_frames(s, (const char *[]){"gopark", "nested_c", "nested_b", "nested_a"}, 4);
	free(s);
	s = section(r.out, "==SLEEP==", "==READ==");
	assert_frames(s, (const char *[]){"gopark", "gort_sleep", "sleeper"}, 3);
	free(s);
	s = section(r.out, "==READ==", "==LOCK==");
	assert_frames(s, (const char *[]){"gopark", "gort_read", "reader"}, 3);
	free(s);
	s = section(r.out, "==LOCK==", "==END==");
	assert_frames(s, (const char *[]){"gopark", "gort_mutex_lock", "locker"}, 3);
	free(s);
}

static void bt_all(const char *v)
{
	struct result r = lldb_at_breakpoint(v, "-o 'goroutine bt all'");
	char *s = section(r.out, "==BEGIN==", "==END==");
	int n = 0;
	for (char *h = strstr(s, "\ngoroutine "); h; h = strstr(h + 1, "\ngoroutine ")) {
		char *next = strstr(h + 1, "\ngoroutine ");
		char *one = strndup(h + 1, next ? (size_t)(next - h - 1) : strlen(h + 1));
		if (strstr(one, "[running]"))
			assert_frames(one, (const char *[]){"at_breakpoint", "main", "runtime_main"}, 3);
		else
			assert_frames(one, (const char *[]){"gopark"}, 1);
		free(one);
		n++;
	}
	cr_assert_eq(n, PARKED_COUNT, "expected %d goroutines in:\n%s", PARKED_COUNT, s);
	free(s);
}

static void summaries(const char *v)
{
	struct result r = lldb_at_breakpoint(v, "-o 'goroutine list' -o 'script print(\"==PRINT==\")' "
						"-o 'p fullchan' -o 'p recvchan' -o 'p *(struct gort_chan *)fullchan' "
						"-o 'p *allgs' -o 'p m0' -o 'p *allp[0]' -o 'p mu' -o 'p wg'");
	char *s = section(r.out, "==BEGIN==", "==PRINT==");
	struct ids ids = ids_of(s);
	free(s);
	s = section(r.out, "==PRINT==", "==END==");
	char want[128];
	snprintf(want, sizeof want, "chan len=3 cap=3 elemsize=4 closed=false recv-waiting=[] send-waiting=[%ld]",
		 ids.fn[SEND]);
	assert_contains(s, want);
	assert_contains(s, "gort_chan) $2 = chan len=3 cap=3"); /* struct gort_chan itself */
	assert_contains(s, "chan len=0 cap=0 elemsize=4 closed=false recv-waiting=[");
	snprintf(want, sizeof want, "%ld", ids.fn[NESTED]);
	char *recv = strstr(s, "len=0 cap=0");
	cr_assert(recv && strstr(recv, want), "goroutine %s not waiting on recvchan in:\n%s", want, s);
	assert_contains(s, "= goroutine ");
	assert_contains(s, "= m0 tid=");
	assert_contains(s, "= p0 [");
	snprintf(want, sizeof want, "(gort_mutex) $6 = mutex locked waiters=[%ld]", ids.fn[LOCK]);
	assert_contains(s, want);
	snprintf(want, sizeof want, "(gort_waitgroup) $7 = waitgroup count=1 waiters=[%ld]", ids.fn[WG]);
	assert_contains(s, want);
	free(s);
}

/* goroutine exec N CMD: CMD in the goroutine's own frame (nested_c's
 * locals), the thread's registers back afterwards. */
static void exec_locals(const char *v)
{
	struct result r = lldb_at_breakpoint(v, "-o 'goroutine list'");
	char *s = section(r.out, "==BEGIN==", "==END==");
	struct ids ids = ids_of(s);
	free(s);
	char cmds[1024];
	snprintf(cmds, sizeof cmds,
		 "-o 'goroutine exec %ld frame variable' -o 'script print(\"==P==\")' -o 'goroutine exec %ld p answer' "
		 "-o 'script print(\"==AFTER==\")' -o 'bt 1'",
		 ids.fn[NESTED], ids.fn[NESTED]);
	r = lldb_at_breakpoint(v, cmds);
	s = section(r.out, "==BEGIN==", "==P==");
	assert_contains(s, "answer = 42");
	assert_contains(s, "depth = 2");
	free(s);
	s = section(r.out, "==P==", "==AFTER==");
	assert_contains(s, "= 42");
	free(s);
	s = section(r.out, "==AFTER==", "==END==");
	assert_contains(s, "frame #0: 0x"); /* the thread's own registers are back */
	assert_contains(s, "`at_breakpoint(");
	free(s);
}

static void core(const char *v)
{
	cr_skip_test_if(!have("lldb"), "lldb is not installed");
	const char *why = NULL;
	char prog[512];
	snprintf(prog, sizeof prog, "%s/test/debug/%s/parked", BUILD_DIR, v);
	char *c = core_of(prog, &why);
	cr_skip_test_if(!c, "%s", why);
	char args[2048];
	snprintf(args, sizeof args, "-o 'script print(\"==BEGIN==\")' -o 'goroutine list' -o 'script print(\"==END==\")' -c %s %s",
		 c, prog);
	struct result r = lldb_cmd(args);
	char *s = section(r.out, "==BEGIN==", "==END==");
	check_list(s, 0);
	struct ids ids = ids_of(s);
	free(s);
	snprintf(args, sizeof args, "-o 'script print(\"==BEGIN==\")' -o 'goroutine bt %ld' -o 'script print(\"==END==\")' -c %s %s",
		 ids.fn[NESTED], c, prog);
	r = lldb_cmd(args);
	s = section(r.out, "==BEGIN==", "==END==");
	assert_frames(s, (const char *[]){"gopark", "nested_c", "nested_b", "nested_a"}, 4);
	free(s);
	core_free(c);
}

#define VARIANT_TESTS(v)                                                  \
	Test(lldb_##v, goroutine_list, .timeout = 120) { list(#v); }      \
	Test(lldb_##v, goroutine_bt, .timeout = 120) { bt(#v); }          \
	Test(lldb_##v, goroutine_bt_all, .timeout = 120) { bt_all(#v); }  \
	Test(lldb_##v, summaries, .timeout = 120) { summaries(#v); }      \
	Test(lldb_##v, exec_locals, .timeout = 120) { exec_locals(#v); }  \
	Test(lldb_##v, core, .timeout = 120) { core(#v); }
VARIANT_TESTS(musl)
VARIANT_TESTS(glibc)
