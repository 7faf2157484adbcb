/* debug_gdb.c: gdb with tools/gdb/gort-gdb.py on parked goroutines
 * (test/debug/progs/parked.c), musl static and glibc dynamic: the script
 * auto-loads from the program's .debug_gdb_scripts section, `info
 * goroutines` lists each goroutine with its status, wait reason and
 * function, `goroutine N bt` starts at the saved context and ends at the
 * goroutine's entry, `goroutine N p x` reads the goroutine's own locals,
 * registers are restored afterwards, the pretty printers show channels,
 * mutexes, WaitGroups and G/M/P, and a core file works (list, bt and
 * locals). */
#include "dbg.h"

/* gdb runs parked to at_breakpoint, then cmds (-ex ...); the script is
 * auto-loaded, the program's directory being made safe. */
static struct result gdb_at_breakpoint(const char *v, const char *cmds)
{
	cr_skip_test_if(!have("gdb"), "gdb is not installed");
	char dir[512], prog[600];
	snprintf(dir, sizeof dir, "%s/test/debug/%s", BUILD_DIR, v);
	snprintf(prog, sizeof prog, "%s/parked", dir);
	struct result r = shell("cd /tmp && gdb -nx -q -batch -iex 'add-auto-load-safe-path %s' "
				"-ex 'break at_breakpoint' -ex run -ex 'echo ==BEGIN==\\n' %s "
				"-ex 'echo ==END==\\n' %s 2>&1",
				dir, cmds, prog);
	cr_assert(!r.timedout, "gdb timed out:\n%s", r.out);
	assert_contains(r.out, "hit Breakpoint 1, at_breakpoint");
	return r;
}

/* The ids of parked's goroutines, from `info goroutines`. */
struct ids {
	long fn[NPARKED_ROWS];
};
static struct ids gdb_ids(const char *v)
{
	struct result r = gdb_at_breakpoint(v, "-ex 'info goroutines'");
	char *list = section(r.out, "==BEGIN==", "==END==");
	struct ids ids;
	for (size_t i = 0; i < NPARKED_ROWS; i++) {
		ids.fn[i] = find_row(list, parked_rows[i][1], parked_rows[i][0], NULL);
		cr_assert(ids.fn[i] > 1, "no %s row in:\n%s", parked_rows[i][0], list);
	}
	free(list);
	return ids;
}
enum { RECV, SEND, SLEEP, READ, LOCK, NESTED, WG };

static void autoload(const char *v)
{
	struct result r = gdb_at_breakpoint(v, "-ex 'info auto-load python-scripts'");
	char *s = section(r.out, "==BEGIN==", "==END==");
	cr_assert(strstr(s, "Yes") && strstr(s, "gort-gdb.py"), "script not auto-loaded:\n%s", r.out);
	free(s);
	/* Without auto-load, no command: they come from the program. */
	r = shell("gdb -nx -q -batch -iex 'set auto-load python-scripts off' -ex 'info goroutines' %s 2>&1",
		  PARKED_PATH(v));
	assert_contains(r.out, "Undefined info command: \"goroutines\"");
}

static void info_goroutines(const char *v)
{
	struct result r = gdb_at_breakpoint(v, "-ex 'info goroutines'");
	char *list = section(r.out, "==BEGIN==", "==END==");
	cr_assert_eq(goroutine_rows(list), PARKED_COUNT, "expected %d goroutines in:\n%s", PARKED_COUNT, list);
	for (size_t i = 0; i < NPARKED_ROWS; i++)
		cr_assert(find_row(list, parked_rows[i][1], parked_rows[i][0], NULL) > 1,
			  "no row \"%s ... %s\" in:\n%s", parked_rows[i][1], parked_rows[i][0], list);
	int cur = 0;
	cr_assert_eq(find_row(list, "running", "at_breakpoint", &cur), 1, "main not running in:\n%s", list);
	cr_assert(cur, "main is not marked current (*) in:\n%s", list);
	free(list);
}

static void goroutine_bt(const char *v)
{
	struct ids ids = gdb_ids(v);
	char cmds[1024];
	snprintf(cmds, sizeof cmds,
		 "-ex 'goroutine %ld bt' -ex 'echo ==SLEEP==\\n' -ex 'goroutine %ld bt' "
		 "-ex 'echo ==READ==\\n' -ex 'goroutine %ld bt' -ex 'echo ==LOCK==\\n' -ex 'goroutine %ld bt' "
		 "-ex 'echo ==FRAME==\\n' -ex 'goroutine %ld frame 2' -ex 'goroutine 1 bt' "
		 "-ex 'echo ==AFTER==\\n' -ex 'bt 1' -ex 'info goroutines' -ex 'show backtrace past-main'",
		 ids.fn[NESTED], ids.fn[SLEEP], ids.fn[READ], ids.fn[LOCK], ids.fn[NESTED]);
	struct result r = gdb_at_breakpoint(v, cmds);
	char *s = section(r.out, "==BEGIN==", "==SLEEP==");
	assert_frames(s, (const char *[]){"gopark", "gort_chan_recv", "nested_c", "nested_b", "nested_a"}, 5);
	free(s);
	s = section(r.out, "==SLEEP==", "==READ==");
	assert_frames(s, (const char *[]){"gopark", "gort_sleep", "sleeper"}, 3);
	free(s);
	s = section(r.out, "==READ==", "==LOCK==");
	assert_frames(s, (const char *[]){"gopark", "gort_read", "reader"}, 3);
	free(s);
	s = section(r.out, "==LOCK==", "==FRAME==");
	assert_frames(s, (const char *[]){"gopark", "gort_mutex_lock", "locker"}, 3);
	free(s);
	/* The thread's own registers are back, also after a command that
	 * selected an outer frame (only frame 0's registers can be written). */
	s = section(r.out, "==AFTER==", "==END==");
	cr_assert(!strncmp(s, "#0  at_breakpoint", 17), "registers not restored:\n%s", s);
	cr_assert_eq(find_row(s, "running", "at_breakpoint", NULL), 1, "after bt:\n%s", s);
	assert_contains(s, "past \"main\" is off"); /* the user's setting is back */
	free(s);
}

/* goroutine N CMD runs CMD in the goroutine's own frame (its innermost
 * outside the runtime): its locals by name, without `frame N` first. */
static void goroutine_locals(const char *v)
{
	struct ids ids = gdb_ids(v);
	char cmds[1024];
	snprintf(cmds, sizeof cmds,
		 "-ex 'goroutine %ld p answer' -ex 'echo ==LOCALS==\\n' -ex 'goroutine %ld info locals' "
		 "-ex 'echo ==DEPTH==\\n' -ex 'goroutine %ld p depth' -ex 'echo ==AFTER==\\n' -ex 'bt 1'",
		 ids.fn[NESTED], ids.fn[NESTED], ids.fn[NESTED]);
	struct result r = gdb_at_breakpoint(v, cmds);
	char *s = section(r.out, "==BEGIN==", "==LOCALS==");
	assert_contains(s, "$1 = 42");
	free(s);
	s = section(r.out, "==LOCALS==", "==DEPTH==");
	assert_contains(s, "answer = 42");
	free(s);
	s = section(r.out, "==DEPTH==", "==AFTER==");
	assert_contains(s, "$2 = 2");
	free(s);
	s = section(r.out, "==AFTER==", "==END==");
	cr_assert(!strncmp(s, "#0  at_breakpoint", 17), "registers not restored:\n%s", s);
	free(s);
}

static void goroutine_all_bt(const char *v)
{
	struct result r = gdb_at_breakpoint(v, "-ex 'goroutine all bt'");
	char *s = section(r.out, "==BEGIN==", "==END==");
	/* One section per goroutine, each ending at the goroutine's entry. */
	int n = 0;
	for (char *h = strstr(s, "goroutine "); h; h = strstr(h + 1, "\ngoroutine ")) {
		if (*h == '\n') h++;
		char *next = strstr(h, "\ngoroutine ");
		char *one = strndup(h, next ? (size_t)(next - h) : strlen(h));
		if (strstr(one, "[running]")) /* past main, down to the entry */
			assert_frames(one, (const char *[]){"at_breakpoint", "main", "runtime_main"}, 3);
		else
			assert_frames(one, (const char *[]){"gopark"}, 1);
		free(one);
		n++;
	}
	cr_assert_eq(n, PARKED_COUNT, "expected %d goroutines in:\n%s", PARKED_COUNT, s);
	free(s);
}

static void printers(const char *v)
{
	struct ids ids = gdb_ids(v);
	struct result r = gdb_at_breakpoint(v, "-ex 'p fullchan' -ex 'p recvchan' -ex 'p *(struct gort_chan *)fullchan' "
					       "-ex 'p *allgs' -ex 'p m0' -ex 'p *allp[0]' -ex 'p mu' -ex 'p wg'");
	char *s = section(r.out, "==BEGIN==", "==END==");
	assert_lacks(s, "Python Exception"); /* p *allgs: struct g's anonymous union */
	assert_contains(s, "asan_fakestack = ");
	char want[128];
	snprintf(want, sizeof want, "len=3 cap=3 elemsize=4 closed=false recv-waiting=[] send-waiting=[%ld]",
		 ids.fn[SEND]);
	assert_contains(s, want);
	assert_contains(s, "= chan len=3 cap=3"); /* struct gort_chan itself */
	/* The gort_mutex main holds, with the locker goroutine waiting. */
	snprintf(want, sizeof want, "= mutex locked waiters=[%ld]", ids.fn[LOCK]);
	assert_contains(s, want);
	/* The WaitGroup's counter (1), not the word that packs it with the
	 * number of waiters. */
	snprintf(want, sizeof want, "= waitgroup count=1 waiters=[%ld]", ids.fn[WG]);
	assert_contains(s, want);
	assert_contains(s, "len=0 cap=0 elemsize=4 closed=false recv-waiting=[");
	snprintf(want, sizeof want, "%ld", ids.fn[NESTED]);
	char *recv = strstr(s, "len=0 cap=0");
	cr_assert(recv && strstr(recv, want), "goroutine %s not waiting on recvchan in:\n%s", want, s);
	assert_contains(s, "= goroutine ");
	assert_contains(s, "= m0 tid=");
	assert_contains(s, "= p0 [");
	free(s);
}

/* On a core file: the list, and bt by the frame-pointer walk. */
static void core(const char *v)
{
	cr_skip_test_if(!have("gdb"), "gdb is not installed");
	const char *why = NULL;
	char prog[512];
	snprintf(prog, sizeof prog, "%s/test/debug/%s/parked", BUILD_DIR, v);
	char *c = core_of(prog, &why);
	cr_skip_test_if(!c, "%s", why);
	struct result r = shell("gdb -nx -q -batch -iex 'set auto-load safe-path /' -ex 'echo ==BEGIN==\\n' "
				"-ex 'info goroutines' -ex 'echo ==END==\\n' %s %s 2>&1", prog, c);
	char *list = section(r.out, "==BEGIN==", "==END==");
	cr_assert_eq(goroutine_rows(list), PARKED_COUNT, "in:\n%s", r.out);
	for (size_t i = 0; i < NPARKED_ROWS; i++)
		cr_assert(find_row(list, parked_rows[i][1], parked_rows[i][0], NULL) > 1,
			  "no row \"%s ... %s\" in:\n%s", parked_rows[i][1], parked_rows[i][0], list);
	long nested = find_row(list, "chan receive", "nested_c", NULL);
	free(list);
	r = shell("gdb -nx -q -batch -iex 'set auto-load safe-path /' -ex 'echo ==BEGIN==\\n' "
		  "-ex 'goroutine %ld bt' -ex 'echo ==LOCAL==\\n' -ex 'goroutine %ld p answer' "
		  "-ex 'goroutine %ld info locals' -ex 'echo ==END==\\n' %s %s 2>&1", nested, nested, nested, prog, c);
	char *s = section(r.out, "==BEGIN==", "==LOCAL==");
	/* gdb's unwinder from the saved context: the inlined and tail-called
	 * frames too, numbered from 0 as on a live process. */
	assert_frames(s, (const char *[]){"gopark", "gort_chan_recv", "nested_c", "nested_b", "nested_a"}, 5);
	cr_assert(!strncmp(s, "#0  ", 4), "the goroutine's frames are not numbered from 0:\n%s", s);
	free(s);
	/* Its locals, though the core's registers cannot be written. */
	s = section(r.out, "==LOCAL==", "==END==");
	assert_contains(s, "$1 = 42");
	assert_contains(s, "answer = 42");
	free(s);
	core_free(c);
}

#define VARIANT_TESTS(v)                                                   \
	Test(gdb_##v, autoload, .timeout = 120) { autoload(#v); }          \
	Test(gdb_##v, info_goroutines, .timeout = 120) { info_goroutines(#v); } \
	Test(gdb_##v, goroutine_bt, .timeout = 120) { goroutine_bt(#v); }  \
	Test(gdb_##v, goroutine_locals, .timeout = 120) { goroutine_locals(#v); } \
	Test(gdb_##v, goroutine_all_bt, .timeout = 120) { goroutine_all_bt(#v); } \
	Test(gdb_##v, printers, .timeout = 120) { printers(#v); }          \
	Test(gdb_##v, core, .timeout = 120) { core(#v); }
VARIANT_TESTS(musl)
VARIANT_TESTS(glibc)
