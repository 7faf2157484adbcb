/* debug_traceback.c: file:line in the runtime's own tracebacks
 * (runtime/dwarfline.c), on parked.c's goroutines, musl static and glibc
 * dynamic: each frame of a parked goroutine and each "created by" line
 * gives the source line of the call, as the program's source has it. */
#include "dbg.h"

/* line_after: the number of the first line of parked.c holding s after
 * the line holding anchor (NULL: from the start). */
static int line_after(const char *anchor, const char *s)
{
	FILE *f = fopen(SRC_DIR "/test/debug/progs/parked.c", "r");
	cr_assert(f);
	char buf[512];
	int n = 0, found = -1;
	bool after = !anchor;
	while (fgets(buf, sizeof buf, f)) {
		n++;
		if (after && strstr(buf, s)) {
			found = n;
			break;
		}
		if (anchor && strstr(buf, anchor)) after = true;
	}
	fclose(f);
	cr_assert(found > 0, "no \"%s\" in parked.c", s);
	return found;
}
#define line_of(s) line_after(NULL, s)

/* goroutine_section: the traceback of the goroutine whose first user
 * frame is fn. */
static char *goroutine_section(const char *tb, const char *fn)
{
	char want[128];
	snprintf(want, sizeof want, "\n%s(...)\n", fn);
	const char *f = strstr(tb, want);
	cr_assert(f, "no frame %s in:\n%s", fn, tb);
	const char *a = f;
	while (a > tb && strncmp(a, "\ngoroutine ", 11)) a--;
	const char *b = strstr(f, "\n\n");
	return strndup(a, b ? (size_t)(b - a) : strlen(a));
}

static void assert_line(const char *section, const char *fn, int line)
{
	char want[256];
	snprintf(want, sizeof want, "%s(...)\n\t%s/test/debug/progs/parked.c:%d pc=0x", fn, SRC_DIR, line);
	assert_contains(section, want);
}

static void file_line(const char *v)
{
	struct result r = runE((const char *[]){"GOTRACEBACK=all", NULL}, PARKED_PATH(v), "2", "traceback");
	cr_assert(r.exited && r.code == 0, "exit %d sig %d\n%s", r.code, r.sig, r.err);
	char *s = goroutine_section(r.err, "nested_c");
	assert_line(s, "nested_c", line_after("void nested_c(", "gort_chan_recv(recvchan, &v);"));
	assert_line(s, "nested_b", line_of("nested_c(depth + 1);"));
	assert_line(s, "nested_a", line_of("nested_b(1);"));
	char want[256];
	snprintf(want, sizeof want, "created by main\n\t%s/test/debug/progs/parked.c:%d pc=0x", SRC_DIR,
		 line_of("gort_go(nested_a, NULL)"));
	assert_contains(s, want);
	free(s);
	s = goroutine_section(r.err, "sleeper");
	assert_line(s, "sleeper", line_of("gort_sleep(3600LL"));
	/* the runtime's own frames too */
	snprintf(want, sizeof want, "gort_sleep(...)\n\t%s/runtime/time.c:", SRC_DIR);
	assert_contains(s, want);
	free(s);
	s = goroutine_section(r.err, "reader");
	assert_line(s, "reader", line_of("gort_read(pipefd[0]"));
	free(s);
}

Test(traceback, file_line_musl, .timeout = 60) { file_line("musl"); }
Test(traceback, file_line_glibc, .timeout = 60) { file_line("glibc"); }
