/* vm.c: the address space as gortload sees it and leaves it: reading
 * /proc/self/maps (to name what a program clashes with, and to find
 * gortload's own stack), deciding whether to randomize as the kernel would,
 * and telling the kernel where the new program's break, stack, arguments and
 * environment are.
 *
 * That last step is prctl(PR_SET_MM, PR_SET_MM_MAP), the interface CRIU
 * restores processes with; it needs no privilege as long as the executable
 * file is left alone. It moves the program break after the program's bss
 * (the kernel does that at exec, and musl's and glibc's malloc use brk), makes
 * /proc/PID/cmdline and /proc/PID/environ show the new argv and envp, labels
 * the new stack [stack] in /proc/PID/maps and gives /proc/PID/auxv the new
 * auxiliary vector. When the kernel refuses (no CONFIG_CHECKPOINT_RESTORE, a
 * seccomp filter), the program keeps gortload's break: brk then fails or
 * grows from there, and both libcs fall back to mmap.
 */
#include "gortload.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/personality.h>
#include <sys/prctl.h>
#include <sys/random.h>
#include <unistd.h>

/* read_small reads a short /proc or /sys file into buf; -1 on failure. */
static long read_small(const char *path, char *buf, size_t n)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) return -1;
	ssize_t r = read(fd, buf, n - 1);
	close(fd);
	if (r < 0) return -1;
	buf[r] = 0;
	return r;
}

static bool parse_line(char *line, struct area *a)
{
	unsigned long s, e, off;
	char perms[8];
	int pos = 0;
	if (sscanf(line, "%lx-%lx %7s %lx %*s %*s %n", &s, &e, perms, &off, &pos) < 4)
		return false;
	a->start = s;
	a->end = e;
	memcpy(a->perms, perms, 4);
	a->perms[4] = 0;
	a->off = off;
	const char *name = pos ? line + pos : "";
	while (*name == ' ') name++;
	snprintf(a->name, sizeof a->name, "%s", name);
	return true;
}

void maps_each(bool (*fn)(const struct area *, void *), void *arg)
{
	int fd = open("/proc/self/maps", O_RDONLY | O_CLOEXEC);
	if (fd < 0) return;
	static char buf[16384 + PATH_MAX];
	static struct area a;
	size_t have = 0;
	for (;;) {
		ssize_t r = read(fd, buf + have, sizeof buf - 1 - have);
		if (r <= 0) break;
		have += r;
		buf[have] = 0;
		char *line = buf, *nl;
		while ((nl = strchr(line, '\n'))) {
			*nl = 0;
			if (parse_line(line, &a) && !fn(&a, arg)) {
				close(fd);
				return;
			}
			line = nl + 1;
		}
		have = buf + have - line;
		memmove(buf, line, have);
		if (have == sizeof buf - 1) have = 0; /* a line longer than the buffer: drop it */
	}
	close(fd);
}

struct find { uintptr_t lo, hi; const char *name; struct area *out; bool found; };

static bool find_overlap(const struct area *a, void *arg)
{
	struct find *f = arg;
	if (a->start < f->hi && f->lo < a->end) {
		*f->out = *a;
		f->found = true;
		return false;
	}
	return true;
}

static bool find_named(const struct area *a, void *arg)
{
	struct find *f = arg;
	if (strcmp(a->name, f->name) == 0) {
		*f->out = *a;
		f->found = true;
		return false;
	}
	return true;
}

bool maps_overlap(uintptr_t lo, uintptr_t hi, struct area *out)
{
	struct find f = {lo, hi, NULL, out, false};
	maps_each(find_overlap, &f);
	return f.found;
}

bool maps_named(const char *name, struct area *out)
{
	struct find f = {0, 0, name, out, false};
	maps_each(find_named, &f);
	return f.found;
}

int randomize_level(void)
{
	static int level = -1;
	if (level < 0) {
		char buf[16];
		level = read_small("/proc/sys/kernel/randomize_va_space", buf, sizeof buf) > 0 ? atoi(buf) : 2;
	}
	return level;
}

/* The kernel randomizes a new program's layout unless the personality says
 * ADDR_NO_RANDOMIZE (setarch -R; gdb sets it by default) or the sysctl is 0. */
bool aslr_enabled(void)
{
	int pers = personality(0xffffffff);
	if (pers != -1 && (pers & ADDR_NO_RANDOMIZE)) return false;
	return randomize_level() != 0;
}

uintptr_t mmap_min_addr(void)
{
	static uintptr_t v;
	if (!v) {
		char buf[32];
		v = read_small("/proc/sys/vm/mmap_min_addr", buf, sizeof buf) > 0 ? strtoul(buf, NULL, 10) : 65536;
		if (v < PAGE) v = PAGE; /* page 0 is never ours */
	}
	return v;
}

void fill_random(void *p, size_t n)
{
	unsigned char *c = p;
	while (n) {
		ssize_t r = getrandom(c, n, 0);
		if (r < 0) {
			if (errno == EINTR) continue;
			die("cannot get random bytes: %s", strerror(errno));
		}
		c += r;
		n -= r;
	}
}

uint64_t random64(void)
{
	uint64_t v;
	fill_random(&v, sizeof v);
	return v;
}

void mm_update(const struct image *prog, const struct stack *st, bool randomize, struct mmstate *mm)
{
	/* The break, where the kernel would put it: right after the bss (plus
	 * a page and up to 1 GiB at random with full randomization); for a
	 * static-PIE, whose image is in the mmap area, at ELF_ET_DYN_BASE, so
	 * that it can grow (binfmt_elf's rule since Linux 5.18). */
	bool full = randomize && randomize_level() > 1;
	uintptr_t brk = PAGE_UP(prog->end_bss);
	if (full) {
		if (prog->eh->e_type == ET_DYN && !prog->interp[0]) brk = ET_DYN_BASE;
		else brk += PAGE;
		brk += (random64() % ((1ul << 30) / PAGE)) * PAGE;
	}
	struct area a;
	if (brk != PAGE_UP(prog->end_bss) && maps_overlap(brk, brk + (1ul << 20), &a))
		brk = PAGE_UP(prog->end_bss); /* taken: no room to grow there */

	struct prctl_mm_map m = {
		.start_code = prog->start_code,
		.end_code = prog->end_code,
		.start_data = prog->start_data,
		.end_data = prog->end_data,
		.start_brk = brk,
		.brk = brk,
		.start_stack = st->sp,
		.arg_start = st->arg_start,
		.arg_end = st->arg_end,
		.env_start = st->env_start,
		.env_end = st->env_end,
		.auxv = st->auxv,
		.auxv_size = (st->naux + 1) * 2 * sizeof(uint64_t),
		.exe_fd = (uint32_t)-1, /* changing /proc/self/exe needs CAP_CHECKPOINT_RESTORE */
	};
	if (m.start_data > m.end_data) m.start_data = m.end_data;
	int r = prctl(PR_SET_MM, PR_SET_MM_MAP, &m, sizeof m, 0);
	if (r < 0 && errno == EINVAL) {
		/* The kernel keeps a fixed number of auxv entries (AT_VECTOR_SIZE);
		 * a longer vector is refused: keep the old /proc copy then. */
		m.auxv = NULL;
		m.auxv_size = 0;
		r = prctl(PR_SET_MM, PR_SET_MM_MAP, &m, sizeof m, 0);
	}
	mm->moved = r == 0;
	mm->err = r == 0 ? 0 : errno;
	mm->brk = r == 0 ? brk : (uintptr_t)sbrk(0);
}
