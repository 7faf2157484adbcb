/* t_refuse.c: what gortload must not load, and bad command lines: each is
 * one line on stderr starting "gortload: ", nothing on stdout, exit status
 * 127, never a signal. Corrupt inputs are made in a temporary directory from
 * /bin/true and our own programs; a few hundred random corruptions of
 * headers are loaded with --dry-run (so that what does load is not run). */
#include <criterion/criterion.h>
#include <elf.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "run.h"

static char *const ENV[] = {"A=1", NULL};

static void *slurp(const char *path, size_t *n)
{
	FILE *f = fopen(path, "rb");
	cr_assert(f, "%s", path);
	fseek(f, 0, SEEK_END);
	*n = ftell(f);
	fseek(f, 0, SEEK_SET);
	void *b = malloc(*n);
	cr_assert(fread(b, 1, *n, f) == *n);
	fclose(f);
	return b;
}

static char *put(const char *dir, const char *name, const void *data, size_t n, mode_t mode)
{
	char *p;
	cr_assert(asprintf(&p, "%s/%s", dir, name) > 0);
	int fd = open(p, O_WRONLY | O_CREAT | O_TRUNC, mode);
	cr_assert(fd >= 0);
	cr_assert(write(fd, data, n) == (ssize_t)n);
	close(fd);
	chmod(p, mode);
	return p;
}

static void refused(char *const argv[], const char *want)
{
	int n = 0;
	while (argv[n]) n++;
	struct result r = run(argv, ENV);
	cr_assert(r.exited, "%s: killed by signal %d", argv[n - 1], r.sig);
	cr_assert_eq(r.code, 127, "%s: status %d, stderr %s", argv[n - 1], r.code, r.err);
	cr_assert(one_line(r.err, "gortload: "), "not one line: [%s]", r.err);
	if (want) cr_assert(strstr(r.err, want), "expected '%s' in: %s", want, r.err);
	cr_assert_str_eq(r.out, "");
	result_free(&r);
}

static void refuse_file(const char *path, const char *want)
{
	refused((char *[]){GORTLOAD, (char *)path, "arg", NULL}, want);
	refused((char *[]){GORTLOAD, "--show", (char *)path, NULL}, want);
}

Test(refuse, text_file)
{
	char *d = tmpdir();
	refuse_file(put(d, "text", "hello, world\n", 13, 0755), "not an ELF file");
	refuse_file(put(d, "script", "#!/bin/sh\necho hi\n", 18, 0755), "#! script");
	refuse_file(put(d, "empty", "", 0, 0755), "not an ELF file");
	refuse_file(put(d, "elf", "\177ELF", 4, 0755), "truncated");
	tmpdir_remove(d);
}

Test(refuse, truncated)
{
	char *d = tmpdir();
	size_t n;
	unsigned char *t = slurp("/bin/true", &n);
	refuse_file(put(d, "true100", t, 100, 0755), "truncated ELF file");
	refuse_file(put(d, "true40", t, 40, 0755), "truncated ELF file");
	refuse_file(put(d, "truehalf", t, n / 2, 0755), "truncated ELF file");
	free(t);
	t = slurp(prog("musl-static"), &n);
	refuse_file(put(d, "muslhalf", t, n / 3, 0755), "truncated ELF file");
	free(t);
	tmpdir_remove(d);
}

Test(refuse, other_machine_and_class)
{
	char *d = tmpdir();
	size_t n;
	unsigned char *t = slurp("/bin/true", &n);
	Elf64_Ehdr *eh = (Elf64_Ehdr *)t;
	eh->e_machine = EM_AARCH64;
	refuse_file(put(d, "arm64", t, n, 0755), "ELF file for another machine (AArch64)");
	eh->e_machine = 0x1234;
	refuse_file(put(d, "weird", t, n, 0755), "another machine (e_machine 4660)");
	eh->e_machine = EM_X86_64;
	t[EI_CLASS] = ELFCLASS32;
	refuse_file(put(d, "class32", t, n, 0755), "32-bit ELF file");
	t[EI_CLASS] = ELFCLASS64;
	t[EI_DATA] = ELFDATA2MSB;
	refuse_file(put(d, "bigendian", t, n, 0755), "big-endian");
	t[EI_DATA] = ELFDATA2LSB;
	eh->e_type = ET_REL;
	refuse_file(put(d, "object", t, n, 0755), "relocatable object");
	eh->e_type = ET_CORE;
	refuse_file(put(d, "core", t, n, 0755), "core dump");
	/* The version found is the one printed (e_version 2 was reported
	 * as "unknown ELF version 1", e_ident's). */
	eh->e_version = 2;
	refuse_file(put(d, "version2", t, n, 0755), "unknown ELF version 2 in e_version");
	eh->e_version = EV_CURRENT;
	t[EI_VERSION] = 3;
	refuse_file(put(d, "identversion3", t, n, 0755), "unknown ELF version 3 in e_ident");
	t[EI_VERSION] = EV_CURRENT;
	eh->e_type = ET_DYN;
	eh->e_phentsize = 32;
	refuse_file(put(d, "phentsize", t, n, 0755), "program header size");
	free(t);
	tmpdir_remove(d);
}

Test(refuse, not_a_file)
{
	char *d = tmpdir();
	refuse_file(d, "is a directory");
	refuse_file("/nonexistent/gortload-test", "No such file or directory");
	refuse_file("/dev/null", "not a regular file");
	refused((char *[]){GORTLOAD, "no-such-command-gortload", NULL}, "not found");
	size_t n;
	unsigned char *t = slurp("/bin/true", &n);
	refuse_file(put(d, "noexec", t, n, 0644), "Permission denied");
	free(t);
	tmpdir_remove(d);
}

Test(refuse, missing_interpreter)
{
	char *d = tmpdir();
	size_t n;
	unsigned char *t = slurp(prog("musl-dyn"), &n);
	unsigned char *i = memmem(t, n, "/lib/ld-musl-x86_64.so.1", 24);
	cr_assert(i);
	memcpy(i, "/lib/ld-none-x86_64.so.1", 24);
	refuse_file(put(d, "nointerp", t, n, 0755), "interpreter /lib/ld-none-x86_64.so.1: No such file or directory");
	/* A newline and a control character in the path: escaped, so the
	 * error stays one line (it was printed raw and split). */
	memcpy(i, "/lib/ld-\n\001ne-x86_64.so.1", 24);
	refuse_file(put(d, "nlinterp", t, n, 0755), "interpreter /lib/ld-\\n\\x01ne-x86_64.so.1: No such file");
	/* An interpreter that is not ELF, and one that is a directory: the
	 * path is written over the old one, NUL-padded (as the kernel reads
	 * PT_INTERP: up to its first NUL). */
	char *sd = strdup("/tmp/glXXXXXX");
	cr_assert(mkdtemp(sd));
	char *fake = put(sd, "ld", "not an ELF file at all", 22, 0755);
	cr_assert(strlen(fake) < 24);
	memset(i, 0, 24);
	memcpy(i, fake, strlen(fake));
	refuse_file(put(d, "fakeinterp", t, n, 0755), "interpreter /tmp/gl");
	refuse_file(put(d, "fakeinterp", t, n, 0755), "/ld: not an ELF file");
	memset(i, 0, 24);
	memcpy(i, sd, strlen(sd));
	refuse_file(put(d, "dirinterp", t, n, 0755), "is a directory");
	/* An interpreter with an interpreter of its own (a dynamic program,
	 * /bin/true) cannot work: nobody would load the second one. */
	memset(i, 0, 24);
	memcpy(i, "/bin/true", 9);
	refuse_file(put(d, "interpinterp", t, n, 0755), "has an interpreter of its own");
	unlink(fake);
	rmdir(sd);
	free(t);
	tmpdir_remove(d);
}

/* Clashes: a program whose bss covers the mmap area, where gortload lives. */
Test(refuse, does_not_fit)
{
	char bigbss[512];
	snprintf(bigbss, sizeof bigbss, "%s/bigbss", PROGS);
	refuse_file(bigbss, "does not fit: its segments at 0x400000-");
	refused((char *[]){GORTLOAD, bigbss, NULL}, "overlap gortload's own mapping");
	/* Linked below vm.mmap_min_addr: page 0. */
	char *d = tmpdir();
	size_t n;
	unsigned char *t = slurp(prog("musl-static"), &n);
	Elf64_Ehdr *eh = (Elf64_Ehdr *)t;
	Elf64_Phdr *ph = (Elf64_Phdr *)(t + eh->e_phoff);
	for (int i = 0; i < eh->e_phnum; i++)
		if (ph[i].p_type == PT_LOAD) ph[i].p_vaddr -= 0x400000;
	eh->e_entry -= 0x400000;
	refuse_file(put(d, "page0", t, n, 0755), "below vm.mmap_min_addr");
	/* Linked beyond the user address space. */
	free(t);
	t = slurp(prog("musl-static"), &n);
	eh = (Elf64_Ehdr *)t;
	ph = (Elf64_Phdr *)(t + eh->e_phoff);
	for (int i = 0; i < eh->e_phnum; i++)
		if (ph[i].p_type == PT_LOAD) ph[i].p_vaddr += 0x7ffffff00000ul;
	refuse_file(put(d, "toohigh", t, n, 0755), "above the user address space");
	free(t);
	tmpdir_remove(d);
}

Test(refuse, bad_entry_and_segments)
{
	char *d = tmpdir();
	size_t n;
	unsigned char *t = slurp(prog("musl-static"), &n);
	Elf64_Ehdr *eh = (Elf64_Ehdr *)t;
	uint64_t entry = eh->e_entry;
	eh->e_entry = 0x10;
	refuse_file(put(d, "entry", t, n, 0755), "entry point 0x10 is outside every loadable segment");
	eh->e_entry = entry;
	Elf64_Phdr *ph = (Elf64_Phdr *)(t + eh->e_phoff);
	for (int i = 0; i < eh->e_phnum; i++)
		if (ph[i].p_type == PT_LOAD && ph[i].p_filesz) {
			ph[i].p_offset += 8;
			break;
		}
	refuse_file(put(d, "misaligned", t, n, 0755), "differ within a page");
	free(t);
	t = slurp(prog("musl-static"), &n);
	eh = (Elf64_Ehdr *)t;
	ph = (Elf64_Phdr *)(t + eh->e_phoff);
	for (int i = 0; i < eh->e_phnum; i++)
		if (ph[i].p_type == PT_LOAD) ph[i].p_type = PT_NULL;
	refuse_file(put(d, "noload", t, n, 0755), "no loadable segments");
	free(t);
	tmpdir_remove(d);
}

Test(refuse, bad_command_lines)
{
	refused((char *[]){GORTLOAD, NULL}, "no program to run");
	refused((char *[]){GORTLOAD, "--show", NULL}, "no program to run");
	refused((char *[]){GORTLOAD, "--frobnicate", "/bin/true", NULL}, "--frobnicate");
}

Test(refuse, bad_options)
{
	refused((char *[]){GORTLOAD, "--argv0", NULL}, "needs an argument");
	refused((char *[]){GORTLOAD, "--stack-align", "16", "/bin/true", NULL}, "--stack-align");
	refused((char *[]){GORTLOAD, "--stack-align", "x", "/bin/true", NULL}, "--stack-align");
	refused((char *[]){GORTLOAD, "--drop-auxv", "AT_NOPE", "/bin/true", NULL}, "unknown auxv entry");
	refused((char *[]){GORTLOAD, "--drop-auxv", "AT_NULL", "/bin/true", NULL}, "AT_NULL");
	refused((char *[]){GORTLOAD, "--empty-argv", "/bin/true", "x", NULL}, "takes no ARGS");
	refused((char *[]){GORTLOAD, "--empty-argv", "--argv0", "x", "/bin/true", NULL}, "contradict");
}

/* Random corruption of the ELF header and program headers of a static
 * and a dynamic program: gortload refuses cleanly or loads (--dry-run:
 * without running what it loaded), and never dies of a signal. */
Test(refuse, random_corruption_never_crashes)
{
	char *d = tmpdir();
	const char *srcs[] = {prog("musl-static"), "/bin/true"};
	uint64_t seed = 0x9e3779b97f4a7c15ull;
	int refusedn = 0, loaded = 0;
	for (int s = 0; s < 2; s++) {
		size_t n;
		unsigned char *orig = slurp(srcs[s], &n);
		unsigned char *t = malloc(n);
		Elf64_Ehdr *eh0 = (Elf64_Ehdr *)orig;
		size_t hdrs = eh0->e_phoff + eh0->e_phnum * sizeof(Elf64_Phdr);
		for (int k = 0; k < 150; k++) {
			memcpy(t, orig, n);
			int flips = 1 + k % 4;
			for (int f = 0; f < flips; f++) {
				seed = seed * 6364136223846793005ull + 1442695040888963407ull;
				size_t at = (seed >> 33) % hdrs;
				t[at] ^= 1u << ((seed >> 20) % 8);
				if (k % 5 == 0) t[at] = seed >> 40; /* sometimes a whole random byte */
			}
			char *p = put(d, "fuzz", t, n, 0755);
			struct result r = run((char *[]){GORTLOAD, "--dry-run", "--show", p, NULL}, ENV);
			cr_assert(r.exited, "corruption %d of %s: killed by signal %d\n%s", k, srcs[s], r.sig, r.err);
			cr_assert(r.code == 0 || r.code == 127, "corruption %d: status %d", k, r.code);
			if (r.code == 127) {
				const char *last = r.err + r.errlen - 1;
				while (last > r.err && last[-1] != '\n') last--;
				cr_assert(strncmp(last, "gortload: ", 10) == 0, "corruption %d: %s", k, r.err);
				refusedn++;
			} else {
				loaded++;
			}
			result_free(&r);
			free(p);
		}
		free(orig);
		free(t);
	}
	cr_log_info("random corruption: %d refused, %d loaded", refusedn, loaded);
	cr_assert(refusedn > 50);
	tmpdir_remove(d);
}
