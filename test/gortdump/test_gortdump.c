/* test_gortdump.c: gortdump's suite. Reads the binaries test/gortdump/rules.mk
 * builds (gort programs linked every way, plain glibc and musl programs, tiny
 * hand-made ones), checks the report against what the programs do when run
 * (the init-task order against GODEBUG=inittrace=1, a cycle against the
 * runtime's fatal error), and feeds corrupted images to the analysis, in
 * process, by the thousand: the only acceptable outcomes are a report or a
 * one-line error. */
#include <criterion/criterion.h>
#include <errno.h>
#include <fcntl.h>
#include <sys/mman.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include <gelf.h>
#include "gortdump.h"

#define GORTDUMP BUILD_DIR "/gortdump"
#define IN BUILD_DIR "/test/gortdump-inputs/"

/* ---- running things ---- */

struct run {
	int status; /* exit status, or 128 + signal */
	char *out, *err;
};

static char *slurp_fd(int fd)
{
	size_t cap = 4096, n = 0;
	char *b = malloc(cap);
	lseek(fd, 0, SEEK_SET);
	for (;;) {
		if (n + 1 >= cap) b = realloc(b, cap *= 2);
		ssize_t r = read(fd, b + n, cap - n - 1);
		if (r <= 0) break;
		n += (size_t)r;
	}
	b[n] = 0;
	close(fd);
	return b;
}

static int tmpfd(void)
{
	char path[] = "/tmp/gortdump-test-XXXXXX";
	int fd = mkstemp(path);
	cr_assert(fd >= 0);
	unlink(path);
	return fd;
}

/* run: argv[0] is a path; input (may be NULL) is its stdin; godebug (may be
 * NULL) is set as GODEBUG. */
static struct run run(const char *const argv[], const char *input, const char *godebug)
{
	int in = tmpfd(), out = tmpfd(), err = tmpfd();
	if (input) cr_assert_eq(write(in, input, strlen(input)), (ssize_t)strlen(input));
	lseek(in, 0, SEEK_SET);
	pid_t pid = fork();
	cr_assert(pid >= 0);
	if (pid == 0) {
		dup2(in, 0);
		dup2(out, 1);
		dup2(err, 2);
		if (godebug) setenv("GODEBUG", godebug, 1);
		else unsetenv("GODEBUG");
		execv(argv[0], (char *const *)argv);
		_exit(127);
	}
	int st;
	cr_assert_eq(waitpid(pid, &st, 0), pid);
	close(in);
	struct run r = {WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st), slurp_fd(out), slurp_fd(err)};
	return r;
}

static void run_free(struct run *r)
{
	free(r->out);
	free(r->err);
}

static struct run gortdump(const char *path, bool json)
{
	const char *argv[] = {GORTDUMP, json ? "--json" : path, json ? path : NULL, NULL};
	return run(argv, NULL, NULL);
}

static struct run python(const char *script, const char *input)
{
	const char *argv[] = {"/usr/bin/env", "python3", "-c", script, NULL};
	return run(argv, input, NULL);
}

/* The task names of a JSON report, runtime tasks first, in run order: what
 * GODEBUG=inittrace=1 must show. Also checks the object's keys. */
static const char order_py[] =
	"import json, sys\n"
	"d = json.load(sys.stdin)\n"
	"keys = {'file', 'elf', 'gort', 'libc', 'relocations', 'stack_executable', 'debug_gdb_scripts',\n"
	"        'runtime_init_tasks', 'init_tasks', 'segments', 'sections'}\n"
	"assert set(d) == keys, set(d) ^ keys\n"
	"def names(t):\n"
	"    if not t: return []\n"
	"    assert t['status'] == 'ok', t['error']\n"
	"    assert [x['run'] for x in t['tasks']] == list(range(1, len(t['tasks']) + 1))\n"
	"    return [x['name'] for x in t['tasks']]\n"
	"print(' '.join(names(d['runtime_init_tasks']) + names(d['init_tasks'])))\n";

static char *json_order(const char *path)
{
	struct run j = gortdump(path, true);
	cr_assert_eq(j.status, 0, "%s: %s", path, j.err);
	struct run p = python(order_py, j.out);
	cr_assert_eq(p.status, 0, "%s: bad JSON: %s", path, p.err);
	char *s = strdup(p.out);
	s[strcspn(s, "\n")] = 0;
	run_free(&j);
	run_free(&p);
	return s;
}

/* Words of each line that starts with prefix, the word right after it,
 * joined with spaces: "init NAME @..." lines give the names. */
static char *collect(const char *text, const char *prefix)
{
	char *o = calloc(1, strlen(text) + 1);
	for (const char *l = text; *l; l = strchr(l, '\n') ? strchr(l, '\n') + 1 : l + strlen(l)) {
		if (strncmp(l, prefix, strlen(prefix)) != 0) continue;
		const char *w = l + strlen(prefix);
		size_t n = strcspn(w, " \n");
		if (*o) strcat(o, " ");
		strncat(o, w, n);
	}
	return o;
}

static bool contains(const char *hay, const char *needle)
{
	return strstr(hay, needle) != NULL;
}

/* ---- the report agrees with the running program ---- */

/* gortdump's order (runtime tasks, then the program's) must be the order
 * the runtime prints under GODEBUG=inittrace=1 and the order in which the
 * tasks print their names. */
static void order_matches_runtime(const char *bin)
{
	char *dumped = json_order(bin);
	const char *argv[] = {bin, NULL};
	struct run r = run(argv, NULL, "inittrace=1");
	cr_assert_eq(r.status, 0, "%s exited %d: %s", bin, r.status, r.err);
	char *traced = collect(r.err, "init ");
	char *printed = collect(r.out, "task ");
	cr_assert_str_eq(dumped, traced, "%s: gortdump says\n  %s\nthe runtime ran\n  %s", bin, dumped, traced);
	cr_assert(contains(traced, "runtime.signals first second config log store cache metrics tls server"), "%s",
		  traced);
	cr_assert(contains(dumped, printed) && strlen(printed) > 0, "%s vs %s", dumped, printed);
	free(dumped);
	free(traced);
	free(printed);
	run_free(&r);
}

Test(order, musl_static) { order_matches_runtime(IN "musl/tasks"); }
Test(order, musl_static_stripped) { order_matches_runtime(IN "musl/tasks.stripped"); }
Test(order, musl_static_pie) { order_matches_runtime(IN "spie/tasks"); }
Test(order, musl_dynamic) { order_matches_runtime(IN "mdyn/tasks"); }
Test(order, glibc_dynamic) { order_matches_runtime(IN "glibc/tasks"); }
Test(order, glibc_dynamic_relr) { order_matches_runtime(IN "glibc/tasks-relr"); }

Test(order, cycle_named_as_the_runtime_names_it)
{
	const char *argv[] = {IN "musl/cycle", NULL};
	struct run r = run(argv, NULL, NULL);
	cr_assert_eq(r.status, 2);
	char *fatal = strstr(r.err, "fatal error: ");
	cr_assert(fatal, "%s", r.err);
	fatal += strlen("fatal error: ");
	fatal[strcspn(fatal, "\n")] = 0;
	cr_assert(contains(fatal, "init task cycle: "), "%s", fatal);

	struct run d = gortdump(IN "musl/cycle", false);
	cr_assert_eq(d.status, 0, "%s", d.err);
	cr_assert(contains(d.out, fatal), "runtime: %s\ngortdump:\n%s", fatal, d.out);
	cr_assert(contains(d.out, "CANNOT RUN"));
	struct run j = gortdump(IN "musl/cycle", true);
	struct run p = python("import json,sys; t = json.load(sys.stdin)['init_tasks']\n"
			      "print(t['status']); print(t['error']); print(' '.join(t['cycle']))",
			      j.out);
	cr_assert_eq(p.status, 0, "%s", p.err);
	char want[512];
	snprintf(want, sizeof want, "cycle\n%s\n", fatal);
	cr_assert(strncmp(p.out, want, strlen(want)) == 0, "%s", p.out);
	cr_assert(contains(p.out, "alpha") && contains(p.out, "beta") && contains(p.out, "gamma"));
	run_free(&r);
	run_free(&d);
	run_free(&j);
	run_free(&p);
}

/* ---- what the report says about each kind of binary ---- */

static void says(const char *bin, const char *const *want)
{
	struct run r = gortdump(bin, false);
	cr_assert_eq(r.status, 0, "%s: %s", bin, r.err);
	cr_assert_str_eq(r.err, "");
	for (; *want; want++) cr_assert(contains(r.out, *want), "%s: no \"%s\" in\n%s", bin, *want, r.out);
	run_free(&r);
	/* and the JSON parses */
	struct run j = gortdump(bin, true);
	cr_assert_eq(j.status, 0);
	struct run p = python("import json,sys; json.load(sys.stdin)", j.out);
	cr_assert_eq(p.status, 0, "%s: invalid JSON: %s", bin, p.err);
	run_free(&j);
	run_free(&p);
}

Test(report, musl_static)
{
	says(IN "musl/tasks",
	     (const char *[]){"entry         0x", " _rt0_amd64_linux\n", "gort program  yes (entry is _rt0_amd64_linux",
			      "libc          musl (symbols __init_libc, __libc)", "linking       statically linked",
			      "Init tasks: section gort_inittask, 9 records",
			      "Runtime init tasks: section gort_rtinittask, 1 record",
			      "9  8    server   store, metrics, tls  server_init   test/gortdump/progs/tasks_b.c:",
			      "GNU_STACK", "stack not executable", "TLS", "gort_text", "gort_systext",
			      ".init_array         INIT_ARRAY", "1 entry: constructors, run before init tasks",
			      "9 records: init tasks", "gdb scripts   yes (.debug_gdb_scripts)",
			      ".debug_gdb_scripts  PROGBITS", NULL});
}

Test(report, musl_static_stripped)
{
	says(IN "musl/tasks.stripped",
	     (const char *[]){"(no symbol: stripped)", "gort program  yes (section gort_text, section gort_rtinittask)",
			      "probably musl", "9 records", NULL});
}

Test(report, musl_static_pie)
{
	says(IN "spie/tasks", (const char *[]){"DYN (position-independent)", "linking       static PIE",
					       "libc          musl (symbols", "DYNAMIC", "relocates itself", NULL});
	struct run j = gortdump(IN "spie/tasks", true);
	struct run p = python("import json,sys; d = json.load(sys.stdin)\n"
			      "assert d['relocations']['relative'] > 20, d['relocations']\n"
			      "assert d['libc'] == dict(name='musl', linking='static-pie', pie=True, interpreter=None,\n"
			      "    needed=[], evidence='symbols __init_libc, __libc'), d['libc']\n",
			      j.out);
	cr_assert_eq(p.status, 0, "%s", p.err);
	run_free(&j);
	run_free(&p);
}

Test(report, musl_dynamic)
{
	says(IN "mdyn/tasks",
	     (const char *[]){"libc          musl (interpreter /lib/ld-musl-x86_64.so.1, needs libc.so)",
			      "linking       dynamically linked PIE", "INTERP", "loader: /lib/ld-musl-x86_64.so.1",
			      "PHDR", NULL});
}

Test(report, glibc_dynamic)
{
	says(IN "glibc/tasks",
	     (const char *[]){"libc          glibc (interpreter /lib64/ld-linux-x86-64.so.2, needs libc.so.6)",
			      "needs         libc.so.6", "GNU_RELRO", "gort program  yes", NULL});
}

Test(report, glibc_relr) { says(IN "glibc/tasks-relr", (const char *[]){"packed relative (RELR)", ".relr.dyn", NULL}); }

Test(report, bin_true_is_not_gort)
{
	says("/bin/true", (const char *[]){"gort program  no\n", "libc          glibc",
					   "Init tasks: none (no gort_inittask section)", NULL});
	struct run j = gortdump("/bin/true", true);
	struct run p = python("import json,sys; d = json.load(sys.stdin)\n"
			      "assert d['gort'] == dict(program=False, evidence=''), d['gort']\n"
			      "assert d['init_tasks'] is None and d['runtime_init_tasks'] is None\n"
			      "assert any(s['type'] == 'INTERP' for s in d['segments'])\n",
			      j.out);
	cr_assert_eq(p.status, 0, "%s", p.err);
	run_free(&j);
	run_free(&p);
}

Test(report, glibc_static)
{
	says(IN "hello-glibc-static", (const char *[]){"gort program  no\n", "libc          glibc (symbols",
						       "linking       statically linked", NULL});
	says(IN "hello-glibc-static.stripped",
	     (const char *[]){"libc          glibc (sections __libc_", "GLIBC_TUNABLES", NULL});
}

Test(report, musl_static_not_gort)
{
	says(IN "hello-musl-static", (const char *[]){"gort program  no\n", "libc          musl (symbols", NULL});
}

Test(report, no_libc)
{
	says(IN "seed/static", (const char *[]){"gort program  yes (entry is _rt0_amd64_linux)\n",
						"libc          none", "3  0    three  two, one", NULL});
	says(IN "seed/static-pie", (const char *[]){"linking       static PIE", "3  0    three  two, one", NULL});
	says(IN "seed/static-pie-relr", (const char *[]){"3  0    three  two, one", NULL});
	says(IN "seed/cycle", (const char *[]){"init task cycle: ", NULL});
}

/* ---- errors ---- */

static char tmpdir[64];

static void mktmp(void)
{
	strcpy(tmpdir, "/tmp/gortdump-test-XXXXXX");
	cr_assert(mkdtemp(tmpdir));
}

static void rmtmp(void)
{
	char cmd[128];
	snprintf(cmd, sizeof cmd, "rm -rf %s", tmpdir);
	cr_assert_eq(system(cmd), 0);
}

static unsigned char *load(const char *path, size_t *n)
{
	int fd = open(path, O_RDONLY);
	cr_assert(fd >= 0, "%s: %s", path, strerror(errno));
	struct stat st;
	fstat(fd, &st);
	*n = (size_t)st.st_size;
	unsigned char *b = malloc(*n + 1);
	cr_assert_eq(read(fd, b, *n), (ssize_t)*n);
	close(fd);
	return b;
}

static char *save(const char *name, const void *data, size_t n)
{
	char *path;
	cr_assert(asprintf(&path, "%s/%s", tmpdir, name) > 0);
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	cr_assert(fd >= 0);
	cr_assert_eq(write(fd, data, n), (ssize_t)n);
	close(fd);
	return path;
}

/* The CLI refuses path with exactly "gortdump: PATH: why\n", exit 1, no report. */
static void refuses(const char *path, const char *why)
{
	struct run r = gortdump(path, false);
	char want[512];
	snprintf(want, sizeof want, "gortdump: %s: %s\n", path, why);
	cr_assert_eq(r.status, 1, "%s: status %d", path, r.status);
	cr_assert_str_eq(r.err, want);
	cr_assert_str_eq(r.out, "");
	run_free(&r);
	r = gortdump(path, true);
	cr_assert_eq(r.status, 1);
	cr_assert_str_eq(r.err, want);
	cr_assert_str_eq(r.out, "");
	run_free(&r);
}

Test(errors, not_elf, .init = mktmp, .fini = rmtmp)
{
	refuses(save("empty", "", 0), "not an ELF file (empty)");
	refuses(save("text", "#!/bin/sh\necho hi\n", 18), "not an ELF file");
	unsigned char rnd[4096];
	srand(1);
	for (size_t i = 0; i < sizeof rnd; i++) rnd[i] = (unsigned char)rand();
	rnd[0] = 'x';
	refuses(save("random", rnd, sizeof rnd), "not an ELF file");
	refuses(tmpdir, "Is a directory");
	char *missing;
	cr_assert(asprintf(&missing, "%s/no-such-file", tmpdir) > 0);
	refuses(missing, "No such file or directory");
	refuses("/dev/null", "not an ELF file (empty)");
	refuses("/dev/zero", "not an ELF file");
	refuses(save("magic-only", "\177ELF", 4), "truncated ELF file");
}

Test(errors, usage)
{
	const char *a1[] = {GORTDUMP, NULL};
	struct run r = run(a1, NULL, NULL);
	cr_assert_eq(r.status, 2);
	cr_assert(contains(r.err, "usage: gortdump [--json] BINARY"));
	run_free(&r);
	const char *a2[] = {GORTDUMP, "--bogus", "/bin/true", NULL};
	r = run(a2, NULL, NULL);
	cr_assert_eq(r.status, 2);
	run_free(&r);
	const char *a3[] = {GORTDUMP, "--help", NULL};
	r = run(a3, NULL, NULL);
	cr_assert_eq(r.status, 0);
	cr_assert(contains(r.out, "usage"));
	run_free(&r);
}

Test(errors, truncated_at_many_lengths, .init = mktmp, .fini = rmtmp)
{
	size_t n;
	unsigned char *b = load(IN "musl/tasks", &n);
	size_t cuts[] = {1, 3, 4, 5, 16, 17, 19, 20, 63, 64, 65, 0x100, 0x1000, n / 3, n / 2, n - 64, n - 1};
	for (size_t i = 0; i < sizeof cuts / sizeof *cuts; i++) {
		char name[32];
		snprintf(name, sizeof name, "cut%zu", cuts[i]);
		char *p = save(name, b, cuts[i]);
		refuses(p, "truncated ELF file");
		free(p);
	}
	free(b);
}

Test(errors, other_machines, .init = mktmp, .fini = rmtmp)
{
	size_t n;
	unsigned char *b = load(IN "musl/tasks", &n);
	b[18] = EM_AARCH64, b[19] = 0;
	refuses(save("aarch64", b, n), "ELF for another machine (ARM aarch64), gortdump reads x86-64");
	b[18] = EM_RISCV;
	refuses(save("riscv", b, n), "ELF for another machine (RISC-V), gortdump reads x86-64");
	b[18] = EM_386, b[EI_CLASS] = ELFCLASS32;
	refuses(save("i386", b, n), "32-bit ELF (Intel 80386), gortdump reads x86-64");
	b[18] = EM_ARM;
	refuses(save("arm", b, n), "32-bit ELF (ARM), gortdump reads x86-64");
	b[EI_CLASS] = ELFCLASS64, b[EI_DATA] = ELFDATA2MSB, b[18] = 0, b[19] = EM_PPC64;
	refuses(save("ppc64", b, n), "ELF for another machine (PowerPC64), gortdump reads x86-64");
	free(b);
}

Test(errors, not_a_program, .init = mktmp, .fini = rmtmp)
{
	size_t n;
	unsigned char *b = load(IN "musl/tasks", &n);
	b[16] = ET_REL;
	refuses(save("obj", b, n), "relocatable object file (ET_REL), not a program: link it first");
	b[16] = ET_CORE;
	refuses(save("core", b, n), "core dump (ET_CORE), not a program");
	free(b);
}

/* ---- corrupted images, analysed in process ---- */

/* analyze: gortdump_analyze on a read-only copy of d[0..n), so that a write
 * to the image (ours or libelf's) is a crash, not a silent change. */
static int analyze(const void *d, size_t n, int json, char **out, char *err)
{
	size_t len, maplen = n ? n : 1;
	void *ro = mmap(NULL, maplen, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	cr_assert(ro != MAP_FAILED);
	memcpy(ro, d, n);
	cr_assert_eq(mprotect(ro, maplen, PROT_READ), 0);
	FILE *m = open_memstream(out, &len);
	cr_assert(m);
	err[0] = 0;
	int r = gortdump_analyze(ro, n, "image", json, m, err, 512);
	fclose(m);
	munmap(ro, maplen);
	return r;
}

/* Where a section's header and contents are in the file. */
struct where {
	size_t shdr; /* file offset of its header */
	GElf_Shdr sh;
};

static struct where find_section(const unsigned char *b, size_t n, const char *name)
{
	elf_version(EV_CURRENT);
	Elf *e = elf_memory((char *)b, n);
	size_t shstrndx;
	cr_assert(e && elf_getshdrstrndx(e, &shstrndx) == 0);
	GElf_Ehdr eh;
	gelf_getehdr(e, &eh);
	for (Elf_Scn *s = NULL; (s = elf_nextscn(e, s));) {
		struct where w;
		gelf_getshdr(s, &w.sh);
		const char *nm = elf_strptr(e, shstrndx, w.sh.sh_name);
		if (nm && strcmp(nm, name) == 0) {
			w.shdr = eh.e_shoff + elf_ndxscn(s) * sizeof(Elf64_Shdr);
			elf_end(e);
			return w;
		}
	}
	cr_assert_fail("no section %s", name);
	__builtin_unreachable();
}

static void put64(unsigned char *b, size_t off, uint64_t v)
{
	memcpy(b + off, &v, 8);
}

static uint64_t get64(const unsigned char *b, size_t off)
{
	uint64_t v;
	memcpy(&v, b + off, 8);
	return v;
}

/* File offset of a virtual address in a non-PIE binary's gort_inittask or
 * .data.rel.ro (where the records and dependency lists are). */
static size_t vaddr_off(const unsigned char *b, size_t n, uint64_t a)
{
	const char *secs[] = {"gort_inittask", ".data.rel.ro"};
	for (size_t i = 0; i < 2; i++) {
		struct where w = find_section(b, n, secs[i]);
		if (a >= w.sh.sh_addr && a < w.sh.sh_addr + w.sh.sh_size) return w.sh.sh_offset + (a - w.sh.sh_addr);
	}
	cr_assert_fail("0x%llx not found", (unsigned long long)a);
	__builtin_unreachable();
}

/* A record of the non-PIE musl program, and its index, by name. */
static size_t record(const unsigned char *b, size_t n, const char *name)
{
	struct where w = find_section(b, n, "gort_inittask");
	for (size_t i = 0; i < w.sh.sh_size / GD_RECSIZE; i++) {
		size_t off = w.sh.sh_offset + i * GD_RECSIZE;
		uint64_t na = get64(b, off);
		/* names are in .rodata: find them through the loadable segments */
		GElf_Ehdr eh;
		memcpy(&eh, b, sizeof(Elf64_Ehdr));
		for (size_t k = 0; k < eh.e_phnum; k++) {
			Elf64_Phdr p;
			memcpy(&p, b + eh.e_phoff + k * sizeof p, sizeof p);
			if (p.p_type == PT_LOAD && na >= p.p_vaddr && na < p.p_vaddr + p.p_filesz &&
			    strcmp((const char *)b + p.p_offset + (na - p.p_vaddr), name) == 0)
				return off;
		}
	}
	cr_assert_fail("no record %s", name);
	__builtin_unreachable();
}

static char *report_of(const unsigned char *b, size_t n, int want_status)
{
	char *out, err[512];
	int r = analyze(b, n, 0, &out, err);
	cr_assert_eq(r, want_status, "status %d (%s)", r, err);
	return out;
}

Test(corrupt, record_pointers_outside_the_image)
{
	size_t n;
	unsigned char *b = load(IN "musl/tasks", &n);
	size_t rec = record(b, n, "log");
	put64(b, rec + 0, 0xdead0000beefULL);  /* name */
	put64(b, rec + 24, 0x7fff00000000ULL); /* file */
	char *out = report_of(b, n, 0);
	cr_assert(contains(out, "name pointer 0xdead0000beef leads outside the image"), "%s", out);
	cr_assert(contains(out, "file pointer 0x7fff00000000 leads outside the image"), "%s", out);
	cr_assert(contains(out, "run in this order"), "%s", out); /* still ordered: names do not matter */
	free(out);
	free(b);
}

Test(corrupt, dependency_list_outside_the_image)
{
	size_t n;
	unsigned char *b = load(IN "musl/tasks", &n);
	size_t rec = record(b, n, "server");
	put64(b, rec + 16, 0xffffffffffffff00ULL);
	char *out = report_of(b, n, 0);
	cr_assert(contains(out, "(server): dependency list at 0xffffffffffffff00 runs outside the image"), "%s", out);
	free(out);
	free(b);
}

Test(corrupt, dependency_not_a_task)
{
	size_t n;
	unsigned char *b = load(IN "musl/tasks", &n);
	size_t rec = record(b, n, "cache");
	size_t deps = vaddr_off(b, n, get64(b, rec + 16));
	put64(b, deps, 0x401000); /* code, not a record */
	char *out = report_of(b, n, 0);
	cr_assert(contains(out, "init task cache (test/gortdump/progs/tasks_a.c:"), "%s", out);
	cr_assert(contains(out, ") depends on a task outside the init-task table"), "%s", out);
	cr_assert(contains(out, "0x401000 (not a task)"), "%s", out);
	free(out);
	/* a pointer into the middle of a record is not a record either */
	struct where w = find_section(b, n, "gort_inittask");
	put64(b, deps, w.sh.sh_addr + 8);
	out = report_of(b, n, 0);
	cr_assert(contains(out, "depends on a task outside the init-task table"), "%s", out);
	free(out);
	free(b);
}

Test(corrupt, self_dependency_is_a_cycle)
{
	size_t n;
	unsigned char *b = load(IN "musl/tasks", &n);
	size_t store = record(b, n, "store");
	size_t deps = vaddr_off(b, n, get64(b, store + 16)); /* store's list: {config, NULL} */
	struct where w = find_section(b, n, "gort_inittask");
	put64(b, deps, w.sh.sh_addr + (store - w.sh.sh_offset)); /* store -> store */
	char *out = report_of(b, n, 0);
	cr_assert(contains(out, "init task cycle: store -> store\n"), "%s", out);
	free(out);
	free(b);
}

Test(corrupt, huge_and_misplaced_tables)
{
	size_t n;
	unsigned char *b = load(IN "musl/tasks", &n);
	struct where w = find_section(b, n, "gort_inittask");
	unsigned char *c = malloc(n);

	/* contents past the end of the file: the file is cut short */
	memcpy(c, b, n);
	put64(c, w.shdr + offsetof(Elf64_Shdr, sh_size), 1ULL << 40);
	char *out, err[512];
	cr_assert_eq(analyze(c, n, 0, &out, err), 1);
	cr_assert_str_eq(err, "truncated ELF file");
	free(out);

	/* a zero-filled table of 2^40 records: too many to read */
	uint32_t nobits = SHT_NOBITS;
	memcpy(c + w.shdr + offsetof(Elf64_Shdr, sh_type), &nobits, 4);
	out = report_of(c, n, 0);
	cr_assert(contains(out, "cannot read the table: 27487790694 records: more than gortdump reads"), "%s", out);
	free(out);

	/* a NOBITS table of a sane size: read where it says it is */
	put64(c, w.shdr + offsetof(Elf64_Shdr, sh_size), 3 * GD_RECSIZE);
	out = report_of(c, n, 0);
	cr_assert(contains(out, "3 records"), "%s", out);
	free(out);

	/* records at an address nothing maps */
	memcpy(c, b, n);
	put64(c, w.shdr + offsetof(Elf64_Shdr, sh_addr), 0x10);
	out = report_of(c, n, 0);
	cr_assert(contains(out, "cannot read the table: record 0 at 0x10 is not in the image"), "%s", out);
	free(out);

	/* an address range that wraps around */
	put64(c, w.shdr + offsetof(Elf64_Shdr, sh_addr), ~0ULL - 8);
	out = report_of(c, n, 0);
	cr_assert(contains(out, "wraps around"), "%s", out);
	free(out);

	/* a size that is not a whole number of records */
	memcpy(c, b, n);
	put64(c, w.shdr + offsetof(Elf64_Shdr, sh_size), w.sh.sh_size - 1);
	out = report_of(c, n, 0);
	cr_assert(contains(out, "is not a multiple of the record size"), "%s", out);
	free(out);
	free(c);
	free(b);
}

/* Random damage: a few thousand images, each with a few bytes or fields
 * changed where they matter most (headers, section headers, the records),
 * analysed as text and JSON. A crash fails the test; so does an error that
 * is not one line. The JSON of every image that still gets a report is
 * checked by one python run at the end. */
static uint64_t rng = 88172645463325252ULL;
static uint64_t next(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

static void mutate_many(const char *bin, int iterations)
{
	size_t n;
	unsigned char *b = load(bin, &n);
	unsigned char *c = malloc(n);
	Elf64_Ehdr eh;
	memcpy(&eh, b, sizeof eh);
	struct where w = find_section(b, n, "gort_inittask");
	size_t jlen;
	char *jall;
	FILE *jf = open_memstream(&jall, &jlen);
	fputc('[', jf);
	int reports = 0;
	for (int it = 0; it < iterations; it++) {
		memcpy(c, b, n);
		int k = 1 + (int)(next() % 4);
		for (int m = 0; m < k; m++) {
			uint64_t r = next();
			size_t at;
			switch (r % 6) {
			case 0: at = r / 8 % sizeof eh; break;
			case 1: at = eh.e_phoff + r / 8 % (eh.e_phnum * sizeof(Elf64_Phdr) + 1); break;
			case 2: at = eh.e_shoff + r / 8 % (eh.e_shnum * sizeof(Elf64_Shdr) + 1); break;
			case 3: at = w.sh.sh_offset + r / 8 % w.sh.sh_size; break;
			case 4: at = w.shdr + r / 8 % sizeof(Elf64_Shdr); break;
			default: at = r / 8 % n; break;
			}
			at %= n;
			uint64_t v = next();
			static const uint64_t extreme[] = {0, 1, ~0ULL, 1ULL << 63, 0x7fffffff, 40, 0x400000};
			if (v % 3 == 0 && at + 8 <= n) put64(c, at & ~7ULL, extreme[v / 3 % 7]);
			else c[at] ^= (unsigned char)(1 + v / 3 % 255);
		}
		char *out, err[512];
		int r = analyze(c, n, it & 1, &out, err);
		cr_assert(r == 0 || r == 1);
		if (r) cr_assert(err[0] && !strchr(err, '\n'), "iteration %d: error \"%s\"", it, err);
		else cr_assert(strlen(out) > 0);
		if (r == 0 && (it & 1) && reports < 400) {
			fputs(reports++ ? "," : "", jf);
			fputs(out, jf);
		}
		free(out);
	}
	fputc(']', jf);
	fclose(jf);
	struct run p = python("import json,sys; print(len(json.load(sys.stdin)))", jall);
	cr_assert_eq(p.status, 0, "%s: the JSON of a damaged image is invalid: %s", bin, p.err);
	free(jall);
	run_free(&p);
	free(c);
	free(b);
}

Test(corrupt, random_damage_musl_static) { mutate_many(IN "musl/tasks", 3000); }
Test(corrupt, random_damage_static_pie) { mutate_many(IN "spie/tasks", 2000); }
Test(corrupt, random_damage_glibc) { mutate_many(IN "glibc/tasks", 2000); }
Test(corrupt, random_damage_stripped) { mutate_many(IN "musl/tasks.stripped", 2000); }
Test(corrupt, random_damage_tiny) { mutate_many(IN "seed/static-pie", 5000); }

Test(corrupt, random_bytes_after_an_elf_header)
{
	size_t n;
	unsigned char *b = load(IN "seed/static", &n);
	unsigned char img[8192];
	for (int it = 0; it < 3000; it++) {
		for (size_t i = 0; i < sizeof img; i += 8) put64(img, i, next());
		size_t keep = it % 3 == 0 ? 16 : it % 3 == 1 ? 20 : 64; /* ident, machine, whole header */
		memcpy(img, b, keep);
		size_t len = 1 + next() % sizeof img;
		char *out, err[512];
		int r = analyze(img, len, it & 1, &out, err);
		cr_assert(r == 0 || r == 1);
		free(out);
	}
	free(b);
}
