/* stack.c: the initial stack, laid out as Linux lays it out in execve
 * (fs/exec.c, binfmt_elf.c create_elf_tables) and as the x86-64 System V
 * ABI describes it (3.4.1):
 *
 *     top of the mapping
 *       8 zero bytes            the end marker
 *       AT_EXECFN string        the path given to execve
 *       envp strings            envp[0] lowest
 *       argv strings            argv[0] lowest; arg_start..arg_end
 *       0..8 KiB random gap     arch_align_stack, only with ASLR
 *       AT_PLATFORM string      "x86_64"
 *       AT_RANDOM bytes         16 fresh bytes
 *       padding to 16
 *       auxv pairs, AT_NULL     last
 *       NULL, envp[]
 *       NULL, argv[]
 *     %rsp -> argc              16-byte aligned (unless --stack-align)
 *
 * The mapping is fresh: RLIMIT_STACK bytes (128 KiB at least, 1 GiB at
 * most), read-write, executable only when PT_GNU_STACK asks, placed a guard
 * gap below gortload's own stack, where the kernel would have put the
 * program's stack. It is MAP_GROWSDOWN, so the kernel keeps its 1 MiB guard
 * gap free below it, and since it is already as large as RLIMIT_STACK, a
 * deeper access faults exactly as an overflowing process stack does.
 *
 * The auxiliary vector is gortload's own, in the kernel's order, with the
 * entries that describe the program replaced: the vDSO, hardware
 * capabilities, clock tick, ids and rseq sizes are the ones the kernel gave
 * gortload, so the program sees the values a direct exec would give it.
 */
#include "gortload.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/mman.h>
#include <sys/resource.h>

static const char *const aux_names[] = {
	[AT_NULL] = "AT_NULL", [AT_IGNORE] = "AT_IGNORE", [AT_EXECFD] = "AT_EXECFD",
	[AT_PHDR] = "AT_PHDR", [AT_PHENT] = "AT_PHENT", [AT_PHNUM] = "AT_PHNUM",
	[AT_PAGESZ] = "AT_PAGESZ", [AT_BASE] = "AT_BASE", [AT_FLAGS] = "AT_FLAGS",
	[AT_ENTRY] = "AT_ENTRY", [AT_NOTELF] = "AT_NOTELF", [AT_UID] = "AT_UID",
	[AT_EUID] = "AT_EUID", [AT_GID] = "AT_GID", [AT_EGID] = "AT_EGID",
	[AT_PLATFORM] = "AT_PLATFORM", [AT_HWCAP] = "AT_HWCAP", [AT_CLKTCK] = "AT_CLKTCK",
	[AT_SECURE] = "AT_SECURE", [AT_BASE_PLATFORM] = "AT_BASE_PLATFORM", [AT_RANDOM] = "AT_RANDOM",
	[AT_HWCAP2] = "AT_HWCAP2", [27] = "AT_RSEQ_FEATURE_SIZE", [28] = "AT_RSEQ_ALIGN",
	[29] = "AT_HWCAP3", [30] = "AT_HWCAP4", [AT_EXECFN] = "AT_EXECFN",
	[AT_SYSINFO] = "AT_SYSINFO", [AT_SYSINFO_EHDR] = "AT_SYSINFO_EHDR",
	[51] = "AT_MINSIGSTKSZ",
};

const char *aux_name(uint64_t type)
{
	if (type < sizeof aux_names / sizeof aux_names[0] && aux_names[type])
		return aux_names[type];
	return NULL;
}

long aux_parse(const char *s)
{
	if (*s >= '0' && *s <= '9') {
		char *end;
		errno = 0;
		unsigned long v = strtoul(s, &end, 0);
		return *end || errno || v > 1000 ? -1 : (long)v;
	}
	for (size_t t = 0; t < sizeof aux_names / sizeof aux_names[0]; t++) {
		const char *n = aux_names[t];
		if (n && (strcasecmp(s, n) == 0 || strcasecmp(s, n + 3) == 0))
			return t;
	}
	return -1;
}

static bool dropped(const struct stackspec *spec, uint64_t type)
{
	for (int i = 0; i < spec->ndrop; i++)
		if (spec->drop[i] == type) return true;
	return false;
}

static uint64_t loader_aux(const struct stackspec *spec, uint64_t type, bool *found)
{
	for (const uint64_t *a = spec->loader_auxv; a && a[0] != AT_NULL; a += 2)
		if (a[0] == type) {
			if (found) *found = true;
			return a[1];
		}
	if (found) *found = false;
	return 0;
}

/* Stores go through memcpy: --stack-align may put the vectors at any byte. */
static void put64(uintptr_t at, uint64_t v) { memcpy((void *)at, &v, sizeof v); }

static uintptr_t put_string(uintptr_t p, const char *s)
{
	size_t n = strlen(s) + 1;
	p -= n;
	memcpy((void *)p, s, n);
	return p;
}

static void map_stack(const struct stackspec *spec, struct stack *st)
{
	struct rlimit rl;
	size_t size = 8ul << 20;
	if (getrlimit(RLIMIT_STACK, &rl) == 0)
		size = rl.rlim_cur == RLIM_INFINITY || rl.rlim_cur > (1ul << 30) ? 1ul << 30 : rl.rlim_cur;
	if (size < (128ul << 10)) size = 128ul << 10;
	size = PAGE_UP(size);
	st->prot = PROT_READ | PROT_WRITE | (spec->execstack ? PROT_EXEC : 0);
	int flags = MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE | MAP_GROWSDOWN | MAP_STACK;
	void *p = MAP_FAILED;
	struct area old;
	/* Where the kernel would have put it: at the top, under gortload's own
	 * stack and a guard gap (1 MiB, the kernel's stack_guard_gap). */
	if (maps_named("[stack]", &old) && old.start > size + (2ul << 20)) {
		uintptr_t top = old.start - (1ul << 20);
		p = mmap((void *)(top - size), size, st->prot, flags | MAP_FIXED_NOREPLACE, -1, 0);
		if (p != MAP_FAILED && (uintptr_t)p != top - size) {
			munmap(p, size);
			p = MAP_FAILED;
		}
	}
	if (p == MAP_FAILED)
		p = mmap(NULL, size, st->prot, flags, -1, 0);
	if (p == MAP_FAILED)
		die("cannot map a %zu KiB stack: %s", size >> 10, strerror(errno));
	st->lo = (uintptr_t)p;
	st->hi = st->lo + size;
}

void stack_build(const struct stackspec *spec, struct stack *st)
{
	memset(st, 0, sizeof *st);
	map_stack(spec, st);

	/* execve's limit (fs/exec.c): strings and their pointers may take a
	 * quarter of RLIMIT_STACK, at least 128 KiB (ARG_MAX), at most 6 MiB;
	 * beyond that it fails with E2BIG. And all of it must fit, with room
	 * for the program to run. */
	size_t size = st->hi - st->lo, strbytes = strlen(spec->execfn) + 1, items;
	for (int i = 0; i < spec->argc; i++) strbytes += strlen(spec->argv[i]) + 1;
	for (int i = 0; i < spec->envc; i++) strbytes += strlen(spec->envp[i]) + 1;
	size_t limit = size / 4 < (6ul << 20) ? size / 4 : 6ul << 20;
	if (limit < 128ul << 10) limit = 128ul << 10;
	items = 1 + spec->argc + 1 + spec->envc + 1 + 2 * MAXAUX;
	if (strbytes + 8 * (size_t)(spec->argc + spec->envc) > limit || strbytes + 8 * items + 8192 + 64 > size - PAGE)
		die("argument list too long (%zu bytes of arguments and environment for a %zu KiB stack)",
		    strbytes, size >> 10);

	/* The strings, from the top down: end marker, AT_EXECFN, envp, argv. */
	uintptr_t p = st->hi - 8;
	put64(p, 0);
	p = st->execfn = put_string(p, spec->execfn);
	st->env_end = p;
	for (int i = spec->envc - 1; i >= 0; i--) p = put_string(p, spec->envp[i]);
	st->env_start = st->arg_end = p;
	for (int i = spec->argc - 1; i >= 0; i--) p = put_string(p, spec->argv[i]);
	st->arg_start = st->strings_lo = p;

	/* Then, below a random gap, what the auxiliary vector points to. */
	st->gap_hi = p;
	if (spec->randomize) p -= random64() % 8192;
	p &= ~15ul;
	st->gap_lo = p;
	bool have;
	const char *plat = (const char *)loader_aux(spec, AT_PLATFORM, &have);
	if (have && plat && !dropped(spec, AT_PLATFORM)) p = st->platform = put_string(p, plat);
	const char *bplat = (const char *)loader_aux(spec, AT_BASE_PLATFORM, &have);
	if (have && bplat && !dropped(spec, AT_BASE_PLATFORM)) p = st->base_platform = put_string(p, bplat);
	if (!dropped(spec, AT_RANDOM)) {
		p -= 16;
		fill_random((void *)p, 16);
		st->random = p;
	}

	/* The auxiliary vector: gortload's own, in its order, with what
	 * describes the program replaced. */
	uint64_t aux[2 * MAXAUX + 2];
	int n = 0;
	bool seen[64] = {0};
	for (const uint64_t *a = spec->loader_auxv; a && a[0] != AT_NULL && n < MAXAUX - 12; a += 2) {
		uint64_t t = a[0], v = a[1];
		switch (t) {
		case AT_PHDR: v = spec->phdr; break;
		case AT_PHENT: v = spec->phent; break;
		case AT_PHNUM: v = spec->phnum; break;
		case AT_BASE: v = spec->base; break;
		case AT_ENTRY: v = spec->entry; break;
		case AT_FLAGS: v = 0; break;
		case AT_SECURE: v = 0; break;
		case AT_RANDOM: v = st->random; break;
		case AT_EXECFN: v = st->execfn; break;
		case AT_PLATFORM: v = st->platform; break;
		case AT_BASE_PLATFORM: v = st->base_platform; break;
		case AT_EXECFD: continue; /* binfmt_misc's; not ours to pass on */
		}
		if (t < 64) seen[t] = true;
		aux[2 * n] = t;
		aux[2 * n + 1] = v;
		n++;
	}
	/* What the program needs even if gortload itself was started without
	 * it (by gortload --drop-auxv, say), in the kernel's order. */
	const uint64_t need[][2] = {
		{AT_PHDR, spec->phdr}, {AT_PHENT, spec->phent}, {AT_PHNUM, spec->phnum},
		{AT_PAGESZ, PAGE}, {AT_BASE, spec->base}, {AT_FLAGS, 0}, {AT_ENTRY, spec->entry},
		{AT_SECURE, 0}, {AT_RANDOM, st->random}, {AT_EXECFN, st->execfn},
	};
	for (size_t i = 0; i < sizeof need / sizeof need[0]; i++)
		if (!seen[need[i][0]]) {
			aux[2 * n] = need[i][0];
			aux[2 * n + 1] = need[i][1];
			n++;
		}
	int k = 0;
	for (int i = 0; i < n; i++)
		if (!dropped(spec, aux[2 * i]) && !((aux[2 * i] == AT_PLATFORM && !st->platform) ||
		                                    (aux[2 * i] == AT_BASE_PLATFORM && !st->base_platform))) {
			aux[2 * k] = aux[2 * i];
			aux[2 * k + 1] = aux[2 * i + 1];
			k++;
		}
	aux[2 * k] = AT_NULL;
	aux[2 * k + 1] = 0;
	st->naux = k;

	/* The vectors: argc, argv, NULL, envp, NULL, auxv, AT_NULL; argc at a
	 * 16-byte boundary, or where --stack-align wants it. */
	items = 1 + spec->argc + 1 + spec->envc + 1 + 2 * (k + 1);
	uintptr_t sp = (p - 8 * items) & ~15ul;
	if (spec->align) sp -= 16 - spec->align;
	st->sp = sp;
	st->argc = spec->argc;
	st->envc = spec->envc;
	uintptr_t w = sp;
	put64(w, (uint64_t)spec->argc), w += 8;
	st->argv = (char **)w;
	/* Each string's address, recomputed in the order they were placed. */
	uintptr_t s = st->arg_start;
	for (int i = 0; i < spec->argc; i++) {
		put64(w, s), w += 8;
		s += strlen(spec->argv[i]) + 1;
	}
	put64(w, 0), w += 8;
	st->envp = (char **)w;
	s = st->env_start;
	for (int i = 0; i < spec->envc; i++) {
		put64(w, s), w += 8;
		s += strlen(spec->envp[i]) + 1;
	}
	put64(w, 0), w += 8;
	st->auxv = (uint64_t *)w;
	memcpy((void *)w, aux, 16 * (k + 1));
}
