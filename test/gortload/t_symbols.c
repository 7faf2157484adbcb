/* t_symbols.c: a gort program's tracebacks name its own functions when it
 * runs under gortload, where /proc/self/exe is gortload: the runtime finds
 * its file through AT_EXECFN (gortload's is the program's path, t_bend.c)
 * and checks it against the program headers in memory. selfquit's
 * worker_loop is named in a SIGQUIT traceback (a parked goroutine) and in
 * a fatal one (a NULL dereference in worker_loop), every gort build. */
#include <criterion/criterion.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "run.h"

static const char *const GORT[] = {"gort", "gort-spie", "gort-mdyn", "gort-glibc", NULL};

static void named_under_gortload(const char *mode)
{
	int ran = 0;
	for (int i = 0; GORT[i]; i++) {
		char p[512];
		snprintf(p, sizeof p, "%s/%s/selfquit", PROGS, GORT[i]);
		if (!have(p)) continue;
		ran++;
		char *argv[] = {GORTLOAD, p, (char *)mode, NULL};
		struct result r = run(argv, (char *[]){"GOTRACEBACK=all", NULL});
		cr_assert(r.exited && r.code == 2, "%s %s: status %d sig %d\n%s", GORT[i], mode, r.code, r.sig, r.err);
		cr_assert(strstr(r.err, "\nworker_loop(...)\n\t"), "%s %s: worker_loop not named:\n%s", GORT[i],
		          mode, r.err);
		cr_assert(strstr(r.err, "\ncreated by main\n\t"), "%s %s: creator not named:\n%s", GORT[i], mode,
		          r.err);
		cr_assert(strstr(r.err, "selfquit.c:"), "%s %s: no file:line:\n%s", GORT[i], mode, r.err);
		result_free(&r);
	}
	if (!ran) cr_skip_test("selfquit was not built (tools/gortcc cannot link yet?)");
}

Test(symbols, sigquit_traceback_names_the_program_s_functions) { named_under_gortload("quit"); }
Test(symbols, fatal_traceback_names_the_program_s_functions) { named_under_gortload("crash"); }
