/* debug_readme.c: the README's gdb and lldb walkthroughs ("Debugging
 * goroutines in gdb and lldb", between the <!-- walkthrough gdb --> and
 * <!-- walkthrough lldb --> markers) stay true: their commands are run on
 * test/debug/progs/parked.c (musl) and each command's output must keep the
 * README's shape: every list row, value line and message it shows (with
 * addresses and M numbers left out), and the frames it names, in order.
 * A line "..." elides lines; a line holding "..." is checked up to it. */
#include <ctype.h>
#include "dbg.h"

struct step {
	char cmd[256];
	char *want; /* the README's output lines for cmd */
};

/* walkthrough reads the README's session between the markers into steps:
 * a line "(gdb) CMD" (prompt) starts a step, the lines up to the next one
 * are its output. */
static int walkthrough(const char *marker, const char *prompt, struct step *steps, int max)
{
	struct result r = shell("cat %s/README.md", SRC_DIR);
	char begin[64], end[64];
	snprintf(begin, sizeof begin, "<!-- walkthrough %s -->", marker);
	snprintf(end, sizeof end, "<!-- end walkthrough %s -->", marker);
	char *s = section(r.out, begin, end);
	int n = 0;
	size_t plen = strlen(prompt);
	for (char *l = strtok(s, "\n"); l; l = strtok(NULL, "\n")) {
		if (!strncmp(l, prompt, plen)) {
			cr_assert(n < max, "too many steps");
			cr_assert(!strchr(l, '\''), "a quote in \"%s\"", l);
			snprintf(steps[n].cmd, sizeof steps[n].cmd, "%s", l + plen);
			steps[n].want = calloc(1, 1);
			n++;
		} else if (n > 0 && strncmp(l, "```", 3)) {
			size_t a = strlen(steps[n - 1].want), b = strlen(l);
			steps[n - 1].want = realloc(steps[n - 1].want, a + b + 2);
			memcpy(steps[n - 1].want + a, l, b);
			memcpy(steps[n - 1].want + a + b, "\n", 2);
		}
	}
	free(s);
	cr_assert(n > 3, "no walkthrough between %s and %s", begin, end);
	return n;
}

/* normalize: s without what changes from run to run: each 0x... address
 * becomes 0x?, each M name (m0, m2) m?. */
static char *normalize(const char *s)
{
	char *o = malloc(strlen(s) + 1), *p = o;
	for (const char *c = s; *c;) {
		if (c[0] == '0' && c[1] == 'x') {
			*p++ = '0', *p++ = 'x', *p++ = '?';
			for (c += 2; isxdigit((unsigned char)*c); c++) {}
		} else if (*c == 'm' && isdigit((unsigned char)c[1]) && (c == s || !isalnum((unsigned char)c[-1]))) {
			*p++ = 'm', *p++ = '?';
			for (c++; isdigit((unsigned char)*c); c++) {}
		} else {
			*p++ = *c++;
		}
	}
	*p = 0;
	return o;
}

/* frame_name: the function a frame line names ("#3  0x... in gopark (",
 * "#0  gogo_switch (", "frame #2: 0x... parked`gopark at"), or 0. */
static int frame_name(const char *line, char *name, size_t size)
{
	const char *f = NULL;
	if (line[0] == '#' && isdigit((unsigned char)line[1])) {
		f = strstr(line, " in ");
		f = f && f < strchr(line, '(') ? f + 4 : line + strcspn(line, " ") + strspn(line + strcspn(line, " "), " ");
	} else if (strstr(line, "frame #") && strchr(line, '`')) {
		f = strchr(line, '`') + 1;
	}
	if (!f) return 0;
	size_t n = strcspn(f, " (");
	snprintf(name, size, "%.*s", (int)(n < size ? n : size - 1), f);
	return 1;
}

/* check_step: got (a command's output) keeps the shape of want. */
static void check_step(const char *cmd, const char *want, const char *got)
{
	char *ngot = normalize(got);
	const char *at = got;
	char *copy = strdup(want);
	for (char *l = strtok(copy, "\n"); l; l = strtok(NULL, "\n")) {
		char name[128];
		if (!strcmp(l, "...")) continue;
		if (frame_name(l, name, sizeof name)) {
			const char *f = strstr(at, name);
			cr_assert(f, "%s: frame %s missing or out of order in:\n%s", cmd, name, got);
			at = f + strlen(name);
			continue;
		}
		char *dots = strstr(l, "...");
		if (dots) *dots = 0;
		char *nl = normalize(l);
		cr_assert(strstr(ngot, nl), "%s: the README shows\n%s\nbut the output is:\n%s", cmd, l, got);
		free(nl);
	}
	free(copy);
	free(ngot);
}

/* Commands whose output depends on the run (thread numbers...). */
static int unchecked(const char *cmd)
{
	static const char *const skip[] = {"break ", "b ", "run", "process ", "continue"};
	for (size_t i = 0; i < sizeof skip / sizeof skip[0]; i++)
		if (!strncmp(cmd, skip[i], strlen(skip[i]))) return 1;
	return 0;
}

static void check_all(struct step *steps, int n, const char *out, const char *fmt)
{
	assert_lacks(out, "Python Exception");
	assert_lacks(out, "Traceback");
	assert_lacks(out, "no such goroutine");
	for (int i = 0; i < n; i++) {
		char from[64], to[64];
		snprintf(from, sizeof from, fmt, i);
		snprintf(to, sizeof to, fmt, i + 1);
		char *got = section(out, from, i + 1 < n ? to : "==END==");
		if (!unchecked(steps[i].cmd)) check_step(steps[i].cmd, steps[i].want, got);
		free(got);
		free(steps[i].want);
	}
}

Test(readme, gdb, .timeout = 120)
{
	cr_skip_test_if(!have("gdb"), "gdb is not installed");
	struct step steps[64];
	int n = walkthrough("gdb", "(gdb) ", steps, 64);
	char cmds[6144] = "";
	for (int i = 0; i < n; i++) {
		size_t k = strlen(cmds);
		int w = snprintf(cmds + k, sizeof cmds - k, "-ex 'echo ==STEP %d==\\n' -ex '%s' ", i, steps[i].cmd);
		cr_assert(w > 0 && (size_t)w < sizeof cmds - k, "walkthrough too long");
	}
	struct result r = shell("cd %s && gdb -nx -q -batch -iex 'add-auto-load-safe-path %s' %s -ex 'echo ==END==\\n' "
				"build/test/debug/musl/parked 2>&1",
				SRC_DIR, BUILD_DIR, cmds);
	cr_assert(!r.timedout, "gdb timed out:\n%s", r.out);
	check_all(steps, n, r.out, "==STEP %d==");
}

Test(readme, lldb, .timeout = 120)
{
	cr_skip_test_if(!have("lldb"), "lldb is not installed");
	const char *py = lldb_pythonpath();
	cr_skip_test_if(!py, "lldb has no Python scripting (python3-lldb)");
	struct step steps[64];
	int n = walkthrough("lldb", "(lldb) ", steps, 64);
	char cmds[6144] = "";
	for (int i = 0; i < n; i++) {
		size_t k = strlen(cmds);
		int w = snprintf(cmds + k, sizeof cmds - k, "-o 'script print(\"==STEP %d==\")' -o '%s' ", i, steps[i].cmd);
		cr_assert(w > 0 && (size_t)w < sizeof cmds - k, "walkthrough too long");
	}
	struct result r = shell("cd %s && PYTHONPATH=%s lldb -x -b -o 'command script import tools/lldb/gort_lldb.py' "
				"%s -o 'script print(\"==END==\")' build/test/debug/musl/parked 2>&1",
				SRC_DIR, py, cmds);
	cr_assert(!r.timedout, "lldb timed out:\n%s", r.out);
	check_all(steps, n, r.out, "==STEP %d==");
}
