/* e2e_boot.c: the boot path, end to end: entry symbol, argv/envp/auxv
 * passthrough, exit status and stdio, init tasks, bad input, unchanged C
 * programs against the libc's own crt1, and the debuggers' view. */
#include "run.h"

/* ---- the entry point ---- */

static unsigned long entry_of(const char *path)
{
	struct result r = shell("readelf -h '%s'", path);
	const char *e = strstr(r.out, "Entry point address:");
	cr_assert(e, "readelf -h %s:\n%s", path, r.out);
	return strtoul(e + strlen("Entry point address:"), NULL, 16);
}

Test(entry, readelf_entry_is_rt0_amd64_linux_in_every_build)
{
	for (size_t i = 0; i < NVARIANTS; i++) {
		const char *p = bin(gort_variants[i], "showargs");
		unsigned long entry = entry_of(p);
		/* Every symbol at the entry address: exactly one, ours. */
		struct result r = shell("nm '%s' | grep -i '^0*%lx ' | awk '{ print $3 }' | sort -u", p, entry);
		cr_assert_str_eq(r.out, "_rt0_amd64_linux\n", "%s: symbols at entry 0x%lx: %s", p, entry, r.out);
		/* No _start defined anywhere. (ld leaves an undefined _start
		 * from its default script's ENTRY(_start) when no -e is given:
		 * plain -nostartfiles -lgort links; gortcc passes -e.) */
		r = shell("nm --defined-only '%s' | grep -w _start", p);
		cr_assert_eq(r.outlen, 0, "%s has a _start symbol: %s", p, r.out);
		if (strcmp(gort_variants[i], "plain") && strcmp(gort_variants[i], "glibc")) {
			r = shell("nm '%s' | grep -w _start", p);
			cr_assert_eq(r.outlen, 0, "%s: %s", p, r.out);
		}
	}
}

Test(entry, gdb_breaks_at_entry_and_names_it)
{
	cr_skip_test_if(!have("gdb"), "gdb not installed");
	const char *p = bin("musl", "showargs");
	unsigned long entry = entry_of(p);
	struct result r = shell("gdb -q -batch -ex 'info files' -ex 'break *0x%lx' -ex run "
				"-ex 'info symbol $pc' -ex bt '%s' 2>&1", entry, p);
	assert_contains(r.out, "Entry point: 0x");
	assert_contains(r.out, "_rt0_amd64_linux in section");
	assert_contains(r.out, "#0  _rt0_amd64_linux () at crt/rt0_linux_amd64.S");
	assert_lacks(r.out, "#1 ");
}

Test(entry, gdb_backtraces_end_cleanly)
{
	cr_skip_test_if(!have("gdb"), "gdb not installed");
	for (size_t i = 0; i < NVARIANTS; i++) {
		const char *p = bin(gort_variants[i], "showargs");
		/* In main: main <- runtime_main <- gort_gostart, and nothing after. */
		struct result r = shell("gdb -q -batch -ex 'set backtrace past-main on' -ex 'break main' -ex run "
					"-ex bt '%s' 2>&1", p);
		assert_contains(r.out, "in runtime_main");
		assert_contains(r.out, "in gort_gostart () at runtime/asm_amd64.S");
		assert_lacks(r.out, "?? ()");
		assert_lacks(r.out, "Backtrace stopped");
		assert_lacks(r.out, "corrupt stack");
		/* In the boot path: schedinit <- rt0_go <- _rt0_amd64_linux. */
		r = shell("gdb -q -batch -ex 'break schedinit' -ex run -ex bt '%s' 2>&1", p);
		assert_contains(r.out, "in rt0_go");
		assert_contains(r.out, "in _rt0_amd64_linux () at crt/rt0_linux_amd64.S");
		assert_lacks(r.out, "?? ()");
		assert_lacks(r.out, "Backtrace stopped");
	}
}

Test(entry, lldb_names_entry_with_file_and_line)
{
	cr_skip_test_if(!have("lldb"), "lldb not installed");
	const char *p = bin("musl", "showargs");
	unsigned long entry = entry_of(p);
	struct result r = shell("lldb -b -o 'image lookup -v --address 0x%lx' "
				"-o 'process launch --stop-at-entry' -o bt '%s' 2>&1", entry, p);
	assert_contains(r.out, "Summary: showargs`_rt0_amd64_linux");
	assert_contains(r.out, "rt0_linux_amd64.S:");
	assert_contains(r.out, "frame #0: 0x");
	assert_contains(r.out, "showargs`_rt0_amd64_linux at rt0_linux_amd64.S");
}

/* ---- argv, envp, auxv ---- */

Test(args, passthrough_in_every_build)
{
	const char *env[] = {"SHOWARGS_X=hello world", NULL};
	for (size_t i = 0; i < NVARIANTS; i++) {
		const char *p = bin(gort_variants[i], "showargs");
		struct result r = runE(env, p, "one", "", "three four");
		cr_assert(r.exited && r.code == 0, "%s: status %d sig %d\n%s", p, r.code, r.sig, r.err);
		assert_contains(r.out, "goid=1\n");
		assert_contains(r.out, "argc=4\n");
		assert_contains(r.out, "argv[1]=one\nargv[2]=\nargv[3]=three four\n");
		assert_contains(r.out, "argv[argc]=NULL\n");
		assert_contains(r.out, "environ_matches=1");
		assert_contains(r.out, "SHOWARGS_X=hello world\n");
		assert_contains(r.out, "pagesz=4096 random=yes\n");
		cr_assert_eq(r.errlen, 0, "%s stderr: %s", p, r.err);
	}
}

Test(args, empty_environment)
{
	char *argv[] = {(char *)bin("musl", "showargs"), NULL};
	char *envp[] = {NULL};
	struct result r = runv(argv, envp, 30);
	cr_assert(r.exited && r.code == 0);
	assert_contains(r.out, "envc=0 envbytes=0");
}

Test(args, hundred_thousand_arguments)
{
	static char *argv[100002];
	argv[0] = (char *)bin("musl", "showargs");
	for (int i = 1; i <= 100000; i++) argv[i] = "ab";
	argv[100001] = NULL;
	struct result r = runv(argv, NULL, 60);
	cr_assert(r.exited && r.code == 0, "status %d sig %d", r.code, r.sig);
	assert_contains(r.out, "argc=100001\n");
}

Test(args, one_mebibyte_environment)
{
	char *envp[11];
	for (int i = 0; i < 10; i++) {
		envp[i] = malloc(100 * 1024 + 16);
		int k = sprintf(envp[i], "BIG%d=", i);
		memset(envp[i] + k, 'x', 100 * 1024 - k);
		envp[i][100 * 1024] = 0;
	}
	envp[10] = NULL;
	char *argv[] = {(char *)bin("glibc", "showargs"), NULL};
	struct result r = runv(argv, envp, 30);
	cr_assert(r.exited && r.code == 0, "status %d sig %d", r.code, r.sig);
	assert_contains(r.out, "envc=10 envbytes=1024000");
}

Test(args, argc_zero_execve)
{
	/* execve with argv = {NULL}: Linux 5.18+ passes argc 1 and an empty
	 * argv[0]; older kernels argc 0. Either way the program runs main.
	 * (gortload --empty-argv produces a real argc 0: test/gortload.) */
	char *argv[] = {NULL};
	pid_t pid = fork();
	if (pid == 0) {
		int fd = open("/dev/null", O_WRONLY);
		dup2(fd, 1);
		execve(bin("musl", "showargs"), argv, environ);
		_exit(99);
	}
	int st;
	waitpid(pid, &st, 0);
	cr_assert(WIFEXITED(st) && WEXITSTATUS(st) == 0, "status %x", st);
}

/* ---- environment variables ---- */

Test(env, bad_gomaxprocs_values_warn_and_run)
{
	struct { const char *v, *used; } cases[] = {
		{"GOMAXPROCS=abc", "not a number"},
		{"GOMAXPROCS=-1", "must be at least 1"},
		{"GOMAXPROCS=0", "must be at least 1"},
		{"GOMAXPROCS=1000000", "larger than 1024; using 1024"},
	};
	struct result ref = run(bin("musl", "showargs"));
	const char *dflt = strstr(ref.out, "gomaxprocs=");
	cr_assert(dflt);
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		const char *env[] = {cases[i].v, NULL};
		struct result r = runE(env, bin("musl", "showargs"));
		cr_assert(r.exited && r.code == 0, "%s: status %d", cases[i].v, r.code);
		char want[128];
		snprintf(want, sizeof want, "gort: ignoring %s: %s", cases[i].v, cases[i].used);
		assert_contains(r.err, want);
		/* exactly one line on stderr */
		cr_assert_eq(strchr(r.err, '\n'), r.err + r.errlen - 1, "more than one line: %s", r.err);
		if (i < 3) assert_contains(r.out, dflt);
		else assert_contains(r.out, "gomaxprocs=1024\n");
	}
	const char *env[] = {"GOMAXPROCS=3", NULL};
	struct result r = runE(env, bin("glibc", "showargs"));
	assert_contains(r.out, "gomaxprocs=3\n");
	cr_assert_eq(r.errlen, 0);
}

Test(env, malformed_godebug_warns_unknown_keys_are_silent)
{
	const char *env[] = {"GODEBUG=inittrace", NULL};
	struct result r = runE(env, bin("musl", "showargs"));
	cr_assert(r.exited && r.code == 0);
	assert_contains(r.err, "gort: ignoring GODEBUG=inittrace: not of the form key=value");
	const char *env2[] = {"GODEBUG=futurekey=7,inittrace=yes", NULL};
	r = runE(env2, bin("musl", "showargs"));
	cr_assert(r.exited && r.code == 0);
	assert_contains(r.err, "GODEBUG=inittrace=yes");
	assert_lacks(r.err, "futurekey");
	const char *env3[] = {"GODEBUG=futurekey=7", NULL};
	r = runE(env3, bin("musl", "showargs"));
	cr_assert_eq(r.errlen, 0, "%s", r.err);
}

Test(env, setuid_program_ignores_godebug_and_gomaxprocs)
{
	cr_skip_test_if(geteuid() != 0 || !have("setpriv"), "needs root and setpriv");
	char dir[] = "/tmp/gort-suid-XXXXXX";
	cr_assert(mkdtemp(dir));
	chmod(dir, 0755);
	struct result r = shell("cp '%s' %s/showargs && chmod 4755 %s/showargs", bin("musl", "showargs"), dir, dir);
	cr_assert(r.exited && r.code == 0);
	r = shell("cd / && GOMAXPROCS=7 GODEBUG=inittrace=1 setpriv --reuid=65534 --regid=65534 --clear-groups "
		  "%s/showargs", dir);
	shell("rm -rf %s", dir);
	cr_skip_test_if(strstr(r.out, "secure=1") == NULL, "no AT_SECURE here (nosuid mount?): %s %s", r.out, r.err);
	assert_lacks(r.out, "gomaxprocs=7\n");
	assert_lacks(r.err, "init ");
}

/* ---- init tasks ---- */

Test(init, order_dependencies_and_constructors)
{
	const char *want = "constructor (goid 0)\n"
			   "init first\n"
			   "init second\n"
			   "init config\n"
			   "init log (goid 1)\n"
			   "init cache\n"
			   "init db\n"
			   "init server\n"
			   "main goid=1 ctor_ran=1\n";
	for (size_t i = 0; i < NVARIANTS; i++) {
		struct result r = run(bin(gort_variants[i], "inittasks"));
		cr_assert(r.exited && r.code == 0, "%s: %d", gort_variants[i], r.code);
		cr_assert_str_eq(r.out, want, "%s", gort_variants[i]);
	}
}

Test(init, inittrace_lines_in_go_form)
{
	const char *env[] = {"GODEBUG=inittrace=1", NULL};
	struct result r = runE(env, bin("musl", "inittasks"));
	cr_assert(r.exited && r.code == 0);
	const char *names[] = {"runtime.signals", "first", "second", "config", "log", "cache", "db", "server"};
	const char *prev = r.err;
	for (size_t i = 0; i < 8; i++) {
		char pat[64];
		snprintf(pat, sizeof pat, "init %s @", names[i]);
		const char *at = strstr(r.err, pat);
		cr_assert(at && at >= prev, "missing or out of order: %s in\n%s", pat, r.err);
		double start, dur;
		cr_assert(sscanf(at + strlen(pat), "%lf ms, %lf ms clock", &start, &dur) == 2, "%s", at);
		prev = at;
	}
}

Test(init, cycle_is_a_fatal_error_naming_the_tasks)
{
	struct result r = run(bin("musl", "initcycle"));
	cr_assert(r.exited && r.code == 2, "status %d sig %d", r.code, r.sig);
	assert_contains(r.err, "fatal error: init task cycle: alpha -> gamma -> beta -> alpha");
	assert_lacks(r.out, "main ran");
	assert_lacks(r.out, "task ran");
}

Test(init, missing_dependency_fails_at_link_time)
{
	struct result r = shell("cd %s && tools/gortcc test/e2e/progs/initmissing.c -o %s/test/initmissing 2>&1",
				SRC_DIR, BUILD_DIR);
	cr_assert(r.exited && r.code != 0, "linked: %s", r.out);
	assert_contains(r.out, "gort_inittask__nosuchtask");
}

Test(init, constructor_may_start_goroutines)
{
	struct result r = run(bin("musl", "ctorgo"));
	cr_assert(r.exited && r.code == 0, "%d %s", r.code, r.err);
	cr_assert_str_eq(r.out, "constructor started goroutine 2, own goid 0\n"
				"early goroutine 2 ran, arg=ctor\n"
				"main done, goid 1\n");
}

/* Waiting in a constructor for a goroutine it started cannot end: a
 * WaitGroup hung there without a word, a channel said so. Now both. */
Test(init, waiting_in_a_constructor_is_a_fatal_error)
{
	const char *what[] = {"CTORWAIT=wg", "CTORWAIT=chan"};
	const char *msg[] = {"fatal error: gort_wg_wait would block outside a goroutine, before the scheduler runs",
			     "fatal error: gort_chan_recv would block outside a goroutine"};
	for (size_t v = 0; v < NVARIANTS; v++)
		for (int i = 0; i < 2; i++) {
			const char *env[] = {what[i], NULL};
			struct result r = runE(env, bin(gort_variants[v], "ctorgo"));
			cr_assert(r.exited && r.code == 2, "%s %s: exit %d sig %d timedout %d %s", gort_variants[v],
				  what[i], r.code, r.sig, r.timedout, r.err);
			assert_contains(r.err, msg[i]);
		}
}

/* ---- unchanged C programs behave as with the libc's own crt1 ---- */

static void same_as_crt1(const char *prog, const char *arg)
{
	for (size_t i = 0; i < NVARIANTS; i++) {
		const char *ref = bin(!strcmp(gort_variants[i], "glibc") ? "crt1-glibc" : "crt1-musl", prog);
		struct result a = arg ? run(ref, arg) : run(ref);
		struct result b = arg ? run(bin(gort_variants[i], prog), arg) : run(bin(gort_variants[i], prog));
		cr_assert_str_eq(b.out, a.out, "%s %s (%s): stdout differs", prog, arg ? arg : "", gort_variants[i]);
		cr_assert_str_eq(b.err, a.err, "%s %s (%s): stderr differs", prog, arg ? arg : "", gort_variants[i]);
		cr_assert(a.exited == b.exited && a.code == b.code && a.sig == b.sig,
			  "%s %s (%s): crt1 %d/%d/%d, gort %d/%d/%d", prog, arg ? arg : "", gort_variants[i],
			  a.exited, a.code, a.sig, b.exited, b.code, b.sig);
	}
}

Test(unchanged, exit_status_stdio_atexit) { same_as_crt1("plain_exit", NULL); }
Test(unchanged, exit_from_exit) { same_as_crt1("plain_exit", "exit"); }
Test(unchanged, exit_from__Exit) { same_as_crt1("plain_exit", "_exit"); }
Test(unchanged, signal_handlers_and_masks) { same_as_crt1("plain_signals", NULL); }
Test(unchanged, death_by_uncaught_signal) { same_as_crt1("plain_signals", "term"); }
Test(unchanged, deep_recursion_and_big_frames_on_main_stack) { same_as_crt1("plain_deep", NULL); }
Test(unchanged, pthreads_and_tls) { same_as_crt1("plain_threads", NULL); }
Test(unchanged, locale_and_environment) { same_as_crt1("plain_env", NULL); }

Test(unchanged, abort_prints_a_traceback_and_exits_2)
{
	/* The one documented difference: a crash signal prints a goroutine
	 * traceback and exits 2, as Go; GOTRACEBACK=crash keeps the signal. */
	struct result r = run(bin("musl", "plain_signals"), "abort");
	cr_assert(r.exited && r.code == 2, "status %d sig %d", r.code, r.sig);
	assert_contains(r.err, "SIGABRT: abort");
	assert_contains(r.err, "sigcode=-6 sent by pid "); /* abort: tkill by this process */
	assert_contains(r.err, "goroutine 1 [running]:");
	const char *env[] = {"GOTRACEBACK=crash", NULL};
	r = runE(env, bin("musl", "plain_signals"), "abort");
	cr_assert(!r.exited && r.sig == SIGABRT, "status %d sig %d", r.code, r.sig);
}

/* ---- the demo ---- */

Test(demo, make_run_program_works)
{
	char p[512];
	snprintf(p, sizeof p, "%s/demo", BUILD_DIR);
	struct result r = run(p, "20000");
	cr_assert(r.exited && r.code == 0, "%d %s", r.code, r.err);
	assert_contains(r.out, "main runs as goroutine 1");
	assert_contains(r.out, "sum of squares 1..20000 = 2666866670000 (correct)");
}
