/* main.c: gortload's command line and the order of the load, which is
 * execve's: open and check the program (and its interpreter) completely
 * before mapping anything, map the program, then the interpreter, build the
 * stack, tell the kernel about the new layout, print it (--show), let go of
 * everything gortload no longer needs, and jump.
 *
 * Invariant: until the jump, any failure is one line on stderr and exit
 * status 127, never a signal; after the jump gortload is gone and the
 * process is the program's, with the program's exit status.
 */
#include "gortload.h"

#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <unistd.h>

void die(const char *fmt, ...)
{
	char msg[1024];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	out_flush(); /* whatever --show had printed so far comes first */
	dprintf(2, "gortload: %s\n", msg);
	_exit(EXIT_CANNOT);
}

static const char usage[] =
	"usage: gortload [options] PROGRAM [ARGS...]\n"
	"Load and run PROGRAM in this process, as execve would: map its segments\n"
	"(and its interpreter's), build argc, argv, envp and auxv, and jump.\n"
	"\n"
	"  --show              print the mappings, the initial stack and the entry\n"
	"                      on stderr before the jump\n"
	"  --dry-run           do everything but the jump, then exit 0 (with --show:\n"
	"                      look without running)\n"
	"  --argv0 NAME        argv[0] is NAME instead of PROGRAM\n"
	"  --empty-argv        argc 0 and argv[0] NULL (no ARGS allowed)\n"
	"  --no-env            an empty environment\n"
	"  --drop-auxv AT_X    leave auxv entry AT_X out (a name, RANDOM or AT_RANDOM,\n"
	"                      or a number); repeatable\n"
	"  --stack-align N     start with %rsp = N mod 16 (0..15; the ABI says 0)\n"
	"  --help              this text\n"
	"\n"
	"PROGRAM without a '/' is looked up in PATH. Failures to load print one\n"
	"line and exit with status 127; otherwise the exit status is PROGRAM's.\n";

/* find_in_path does what a shell does with a command name. */
static const char *find_in_path(const char *name, char *buf, size_t n)
{
	if (strchr(name, '/')) return name;
	const char *path = getenv("PATH");
	if (!path) path = "/usr/local/bin:/usr/bin:/bin";
	while (1) {
		const char *end = strchrnul(path, ':');
		int len = end - path;
		struct stat st;
		snprintf(buf, n, "%.*s%s%s", len, path, len ? "/" : "", name);
		if (stat(buf, &st) == 0 && S_ISREG(st.st_mode) && access(buf, X_OK) == 0) return buf;
		if (!*end) break;
		path = end + 1;
	}
	die("%s: not found (not a path, and not in PATH)", name);
}

static unsigned long parse_num(const char *opt, const char *s, unsigned long max)
{
	char *end;
	errno = 0;
	unsigned long v = strtoul(s, &end, 0);
	if (!*s || *end || errno || v > max)
		die("%s: '%s' is not a number from 0 to %lu", opt, s, max);
	return v;
}

enum { O_SHOW = 256, O_DRY, O_ARGV0, O_EMPTY, O_NOENV, O_DROP, O_ALIGN, O_HELP };

int main(int argc, char **argv, char **envp)
{
	/* gortload's own auxiliary vector: after envp's NULL, on the stack the
	 * kernel built for gortload. */
	char **e = envp;
	while (*e) e++;
	const uint64_t *myauxv = (const uint64_t *)(e + 1);

	static const struct option opts[] = {
		{"show", no_argument, 0, O_SHOW},
		{"dry-run", no_argument, 0, O_DRY},
		{"argv0", required_argument, 0, O_ARGV0},
		{"empty-argv", no_argument, 0, O_EMPTY},
		{"no-env", no_argument, 0, O_NOENV},
		{"drop-auxv", required_argument, 0, O_DROP},
		{"stack-align", required_argument, 0, O_ALIGN},
		{"help", no_argument, 0, O_HELP},
		{0, 0, 0, 0},
	};
	static struct stackspec spec;
	bool do_show = false, dry = false, empty = false, noenv = false;
	const char *argv0 = NULL;
	char drops[256] = "";
	opterr = 0;
	int c;
	while ((c = getopt_long(argc, argv, "+", opts, NULL)) != -1) {
		switch (c) {
		case O_SHOW: do_show = true; break;
		case O_DRY: dry = true; break;
		case O_ARGV0: argv0 = optarg; break;
		case O_EMPTY: empty = true; break;
		case O_NOENV: noenv = true; break;
		case O_DROP: {
			long t = aux_parse(optarg);
			if (t < 0)
				die("--drop-auxv: unknown auxv entry '%s' (a name such as AT_RANDOM, or a number)", optarg);
			if (t == AT_NULL)
				die("--drop-auxv: AT_NULL ends the vector; it cannot be dropped");
			if (spec.ndrop < MAXAUX) spec.drop[spec.ndrop++] = t;
			size_t l = strlen(drops);
			snprintf(drops + l, sizeof drops - l, "%s%s", l ? " " : "", aux_name(t) ? aux_name(t) : optarg);
			break;
		}
		case O_ALIGN: spec.align = parse_num("--stack-align", optarg, 15); break;
		case O_HELP:
			fputs(usage, stdout);
			return 0;
		default: /* '?': getopt sets optopt to the option's value or character */
			if (optopt >= O_SHOW)
				die("option '%s' needs an argument (see gortload --help)", argv[optind - 1]);
			if (optopt)
				die("unknown option '-%c' (see gortload --help)", optopt);
			die("unknown option '%s' (see gortload --help)", argv[optind - 1]);
		}
	}
	if (optind >= argc)
		die("no program to run (usage: gortload [options] PROGRAM [ARGS...]; see --help)");
	if (empty && optind + 1 < argc)
		die("--empty-argv runs PROGRAM with argc 0: it takes no ARGS");
	if (empty && argv0)
		die("--empty-argv and --argv0 contradict each other");

	const char *name = argv[optind];
	static char pathbuf[PATH_MAX];
	const char *path = find_in_path(name, pathbuf, sizeof pathbuf);

	/* Check both files completely before mapping anything. */
	static struct image prog, interp;
	image_open(&prog, path, name, false);
	bool has_interp = prog.interp[0] != 0;
	if (has_interp) image_open(&interp, prog.interp, name, true);

	bool randomize = aslr_enabled();
	image_map(&prog, prog.eh->e_type == ET_DYN && has_interp, randomize);
	if (has_interp) image_map(&interp, false, randomize);

	if (empty) {
		spec.argc = 0;
		spec.argv = argv + argc; /* an empty list */
	} else {
		spec.argc = argc - optind;
		spec.argv = argv + optind;
		if (argv0) spec.argv[0] = (char *)argv0;
	}
	spec.envp = noenv ? e : envp;
	spec.envc = noenv ? 0 : (int)(e - envp);
	spec.execfn = path;
	spec.loader_auxv = myauxv;
	spec.execstack = prog.execstack;
	spec.randomize = randomize;
	spec.phdr = prog.phdr;
	spec.phent = prog.eh->e_phentsize;
	spec.phnum = prog.eh->e_phnum;
	spec.entry = prog.entry;
	spec.base = has_interp ? interp.bias : 0;
	static struct stack st;
	stack_build(&spec, &st);

	static struct mmstate mm;
	mm_update(&prog, &st, randomize, &mm);

	uintptr_t target = has_interp ? interp.entry : prog.entry;
	if (do_show) {
		struct loadinfo li = {&prog, has_interp ? &interp : NULL, &st, &mm, target, drops};
		show(&li);
	}
	image_release(&prog);
	if (has_interp) image_release(&interp);
	if (dry) {
		out_flush();
		return 0;
	}

	/* gortload's own stack (the one we stand on) goes once the stub stands
	 * on the new one, if the kernel now points /proc at the new one. */
	struct area here;
	int local;
	if (mm.moved && maps_overlap((uintptr_t)&local, (uintptr_t)&local + 1, &here))
		jump_unmap_later(here.start, here.end);
	/* The name the kernel gives a process at exec: the file's basename. */
	const char *base = strrchr(path, '/');
	prctl(PR_SET_NAME, base ? base + 1 : path, 0, 0, 0);
	out_flush();
	jump_prepare(st.sp, target);
	jump();
}
