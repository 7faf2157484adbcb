/* dbg.h: what the debugger suites (debug_gdb.c, debug_lldb.c) share: the
 * program under test (test/debug/progs/parked.c, per libc), and readers of
 * the debuggers' output: a section between two markers, a goroutine list's
 * rows, a backtrace's frame lines; where lldb's Python module is. */
#ifndef GORT_TEST_DBG_H
#define GORT_TEST_DBG_H

#include <glob.h>
#include <libgen.h>
#include "../e2e/run.h"

/* run.h's runenv is used through run(), which these suites do not call. */
static struct result runenv(const char *const *env, const char *prog, ...) __attribute__((unused));

/* PARKED_PATH: parked's path for variant v (musl, glibc). */
__attribute__((unused)) static const char *PARKED_PATH(const char *v)
{
	static char buf[4][512];
	static int k;
	char *b = buf[k++ % 4];
	snprintf(b, 512, "%s/test/debug/%s/parked", BUILD_DIR, v);
	return b;
}

/* The goroutines parked.c parks, by function and status (as `info
 * goroutines` prints them; runtime.h's waitreason_strings). */
static const char *const parked_rows[][2] = {
	{"waiter_recv", "waiting chan receive"},
	{"waiter_send", "waiting chan send"},
	{"sleeper", "waiting sleep"},
	{"reader", "waiting IO wait"},
	{"locker", "waiting sync.Mutex.Lock"},
	{"nested_c", "waiting chan receive"},
	{"wg_waiter", "waiting sync.WaitGroup.Wait"},
};
#define NPARKED_ROWS (sizeof parked_rows / sizeof parked_rows[0])
/* parked.c's goroutines with 2 spare waiters: main, the seven above, two
 * more in waiter_recv. */
#define PARKED_COUNT 10

/* section returns a copy of out between the line holding `from` and the
 * next line holding `to` (to NULL: the end). cr_asserts both exist. */
__attribute__((unused)) static char *section(const char *out, const char *from, const char *to)
{
	const char *a = strstr(out, from);
	cr_assert(a, "no \"%s\" in:\n%s", from, out);
	a = strchr(a, '\n');
	a = a ? a + 1 : out + strlen(out);
	const char *b = to ? strstr(a, to) : NULL;
	if (to) cr_assert(b, "no \"%s\" after \"%s\" in:\n%s", to, from, out);
	if (!b) b = a + strlen(a);
	while (b > a && b[-1] != '\n') b--; /* drop the marker's line */
	return strndup(a, b - a);
}

/* last_word is true if line (up to its end) ends with word as a whole word. */
static int ends_with_word(const char *line, size_t len, const char *word)
{
	while (len && (line[len - 1] == ' ' || line[len - 1] == '\r')) len--;
	size_t n = strlen(word);
	return len >= n && !memcmp(line + len - n, word, n) && (len == n || line[len - n - 1] == ' ');
}

/* goroutine_rows counts the rows of a goroutine list (lines "[* ] ID ..."). */
__attribute__((unused)) static int goroutine_rows(const char *list)
{
	int n = 0;
	for (const char *l = list; *l; l = strchr(l, '\n') ? strchr(l, '\n') + 1 : l + strlen(l)) {
		if ((l[0] == ' ' || l[0] == '*') && l[1] == ' ') {
			const char *p = l + 2;
			while (*p == ' ') p++;
			if (*p >= '0' && *p <= '9') n++;
		}
	}
	return n;
}

/* find_row returns the id of the first row of list whose function column
 * is fn and whose status column holds status, or -1. */
__attribute__((unused)) static long find_row(const char *list, const char *status, const char *fn, int *current)
{
	for (const char *l = list; *l;) {
		const char *e = strchr(l, '\n');
		size_t len = e ? (size_t)(e - l) : strlen(l);
		char line[512];
		snprintf(line, sizeof line, "%.*s", (int)len, l);
		if (ends_with_word(l, len, fn) && strstr(line, status) && (line[0] == ' ' || line[0] == '*')) {
			if (current) *current = line[0] == '*';
			return strtol(line + 1, NULL, 10);
		}
		l = e ? e + 1 : l + len;
	}
	return -1;
}

/* assert_frames checks a backtrace: its frame lines (those with "#N")
 * name names[] in this order (other frames may come between), the last
 * frame is `last` (gort_gostart: the goroutine's entry, nothing after it),
 * and no frame is unknown. */
__attribute__((unused)) static void assert_frames_to(const char *bt, const char *const *names, size_t n,
						      const char *lastfn)
{
	size_t k = 0;
	int frames = 0;
	char last[512] = "";
	for (const char *l = bt; *l;) {
		const char *e = strchr(l, '\n');
		size_t len = e ? (size_t)(e - l) : strlen(l);
		char line[512];
		snprintf(line, sizeof line, "%.*s", (int)len, l);
		const char *h = strchr(line, '#');
		if (h && h[1] >= '0' && h[1] <= '9') {
			frames++;
			cr_assert(!strstr(line, "??"), "unknown frame \"%s\" in:\n%s", line, bt);
			if (k < n && strstr(line, names[k])) k++;
			snprintf(last, sizeof last, "%s", line);
		}
		l = e ? e + 1 : l + len;
	}
	cr_assert(frames > 0, "no frames in:\n%s", bt);
	cr_assert(k == n, "frame %s missing or out of order in:\n%s", names[k], bt);
	cr_assert(strstr(last, lastfn), "last frame is not %s in:\n%s", lastfn, bt);
	assert_lacks(bt, "Backtrace stopped");
}
__attribute__((unused)) static void assert_frames(const char *bt, const char *const *names, size_t n)
{
	assert_frames_to(bt, names, n, "gort_gostart");
}

/* core_dir makes a temporary directory and leaves there a core file of
 * parked (variant v) aborting after it parked its goroutines; NULL (and
 * *why set) when this system does not write core files to the current
 * directory. */
__attribute__((unused)) static char *core_of(const char *prog, const char **why)
{
	char pat[256] = "";
	FILE *f = fopen("/proc/sys/kernel/core_pattern", "r");
	if (f) {
		if (!fgets(pat, sizeof pat, f)) pat[0] = 0;
		fclose(f);
	}
	if (pat[0] == '|' || strchr(pat, '/')) {
		*why = "core files are not written to the current directory (core_pattern)";
		return NULL;
	}
	char tmpl[] = "/tmp/gort-debug-XXXXXX";
	char *d = mkdtemp(tmpl);
	cr_assert(d);
	struct result r = shell("cd %s && ulimit -c unlimited && GOTRACEBACK=crash %s 2 abort >/dev/null 2>&1;"
				" ls core* 2>/dev/null | head -1", d, prog);
	if (!strstr(r.out, "core")) {
		shell("rm -rf %s", d);
		*why = "no core file written (ulimit -c?)";
		return NULL;
	}
	r.out[strcspn(r.out, "\n")] = 0;
	char *path = malloc(512);
	snprintf(path, 512, "%s/%s", d, r.out);
	return path;
}

__attribute__((unused)) static void core_free(char *path)
{
	char *slash = strrchr(path, '/');
	*slash = 0;
	shell("rm -rf %s", path);
	free(path);
}

/* lldb_pythonpath: the directory holding lldb's Python module (lldb -P,
 * or, where that is wrong as in Debian 12's lldb 14, the llvm tree's), or
 * NULL when lldb has no Python scripting installed. */
__attribute__((unused)) static const char *lldb_pythonpath(void)
{
	static char dir[512];
	char f[600];
	struct result r = shell("lldb -P 2>/dev/null");
	r.out[strcspn(r.out, "\n")] = 0;
	snprintf(f, sizeof f, "%s/lldb/embedded_interpreter.py", r.out);
	if (r.out[0] && access(f, R_OK) == 0) {
		snprintf(dir, sizeof dir, "%s", r.out);
		return dir;
	}
	glob_t g;
	if (glob("/usr/lib/llvm-*/lib/python3*/dist-packages/lldb/embedded_interpreter.py", 0, NULL, &g) != 0)
		return NULL;
	snprintf(dir, sizeof dir, "%s", dirname(dirname(g.gl_pathv[0])));
	globfree(&g);
	return dir;
}

#endif
