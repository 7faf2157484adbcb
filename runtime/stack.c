/* stack.c: goroutine stacks (Go's stack.go, for stacks that never move).
 *
 * A stack is a fixed-size region of anonymous memory with a guard region
 * below it; the kernel commits pages as they are touched, so a goroutine that
 * uses 3 KiB of its 256 KiB stack costs one page. Stacks of the default size
 * are carved from chunks of STACKS_PER_CHUNK slots (one mmap, one VMA each):
 * a million goroutines must fit under vm.max_map_count (65530). Guards are
 * installed with MADV_GUARD_INSTALL (Linux 6.13+), which marks the pages
 * without splitting the VMA; older kernels get mprotect(PROT_NONE), which
 * costs a VMA per guard and so limits the count of live goroutines to about
 * 30,000 there (see README).
 *
 * A stack is bound to a G when the G first runs, not when it is created, and
 * returned to the P's cache when the G exits: a million goroutines created
 * before any runs cost a million G structures, not a million stacks.
 *
 * Caches: each P keeps up to PCACHE free default stacks (owner-only, no
 * lock); overflow and refill go through the global pool (stackpool.lock)
 * half a cache at a time. The pool keeps the free stacks with their pages
 * in a growing array, newest last; the scavenger (stack_scavenge, run by
 * sysmon about once a second) gives back the pages (MADV_DONTNEED) of all
 * but the newest GCACHE of them and moves those to the "bare" list.
 * Giving pages back at exit would cost a TLB shoot-down on every CPU per
 * goroutine exit in a burst; in the background it costs nothing on the
 * goroutines' path. Chunks are never unmapped.
 *
 * Locking: stackpool.lock protects the global pool and chunk carving. */
#include <string.h>
#include <sys/mman.h>
#include "runtime.h"

#ifndef MADV_GUARD_INSTALL
#define MADV_GUARD_INSTALL 102
#endif

size_t default_stacksize = 256 << 10;
size_t stackguard_size = 64 << 10;

enum { STACKS_PER_CHUNK = 64, PCACHE = STACK_PCACHE, GCACHE = 1024 };

/* A free stack is named by its top word, through which the bare list
 * links it. The P caches and the pool are arrays of these pointers: moving
 * half a cache between them is a copy of 16 pointers, where walking a list
 * through the stacks was 16 dependent cache misses under the lock (poolget
 * 7-9% of bench/sleepers' samples at GOMAXPROCS=2), and freeing a stack
 * writes nothing to it. */
struct freestack {
	struct freestack *next;
};

static struct {
	struct mutex lock;
	struct freestack **v;     /* v[0..n): free stacks with their pages, newest last */
	int64_t n, cap;           /* cap: mapped pointers (sys_mmap, grown x2) */
	struct freestack *bare;   /* pages given back; link page re-faulted on reuse */
	char *chunk, *chunkend;   /* carving position */
	char *popped;             /* slots below this one have their top page (stackcarve) */
	int popbatch;             /* how many slots the next population covers */
	int64_t nchunks;
} stackpool;

static struct freestack *fs_of(uintptr_t lo, size_t size)
{
	return (struct freestack *)(lo + size - sizeof(struct freestack));
}

/* guardstate: 0 unknown, 1 MADV_GUARD_INSTALL works, 2 it does not. */
static _Atomic int guardstate;

/* guard installs a guard on [p, p+n): pages that fault on any access. The
 * first call learns whether the kernel has guard regions. */
static void guard(void *p, size_t n)
{
	if (atomic_load(&guardstate) != 2) {
		if (sys_madvise(p, n, MADV_GUARD_INSTALL) == 0) {
			atomic_store(&guardstate, 1);
			have_madv_guard = true;
			return;
		}
		atomic_store(&guardstate, 2);
	}
	long e = sys_mprotect(p, n, PROT_NONE);
	if (e != 0)
		fatal("stack guard: mprotect failed: errno %ld%s", -e,
		      e == -ENOMEM ? " (the process has as many memory mappings as the kernel allows: "
				     "raise the sysctl vm.max_map_count, or use fewer goroutines)"
				   : "");
}

/* guardchunk installs the guards of a whole chunk. One process_madvise
 * call with a vector of the 64 ranges replaces 64 madvise calls, each of
 * which would cost a TLB shoot-down on every CPU running our threads. */
static void guardchunk(char *p, size_t slot, int nslots)
{
	if (nslots < STACKS_PER_CHUNK) {
		for (int i = 0; i < nslots; i++) guard(p + i * slot, stackguard_size);
		return;
	}
	struct { void *base; size_t len; } iov[STACKS_PER_CHUNK];
	for (int i = 0; i < STACKS_PER_CHUNK; i++) {
		iov[i].base = p + i * slot;
		iov[i].len = stackguard_size;
	}
	static _Atomic int vectored = 1; /* PIDFD_SELF: Linux 6.15+ */
	if (atomic_load(&vectored)) {
		long r = rawsyscall6(SYS_process_madvise, -10000 /* PIDFD_SELF */, (long)iov,
				     STACKS_PER_CHUNK, MADV_GUARD_INSTALL, 0, 0);
		if (r == (long)(STACKS_PER_CHUNK * stackguard_size)) return;
		atomic_store(&vectored, 0);
		/* Partly done or refused: (re)install each; guards are idempotent. */
	}
	for (int i = 0; i < STACKS_PER_CHUNK; i++) guard(p + i * slot, stackguard_size);
}

#ifndef MADV_POPULATE_WRITE
#define MADV_POPULATE_WRITE 23
#endif

/* populate: the top pages of the new slots from s on (in a burst of
 * carving, many: popbatch doubles up to a chunk), made present by one
 * process_madvise(MADV_POPULATE_WRITE) instead of one page fault each at
 * the goroutine's first switch. A fault is the dearer way in: 12-16 us on
 * this VM (PVM), against 0.8-1 us per page populated 64 at a time and a
 * 5-6 us first access after (bench/idle, bench/sleepers' first round,
 * bench/keepup's start: gstart_prepare's frame writes and the faults they
 * take were a quarter of the samples). A program that starts goroutines
 * one at a time populates 1, 2, 4... ahead: at most 31 pages that no
 * goroutine has touched yet. Kernels without PIDFD_SELF (before 6.15):
 * the faults, as before. Caller holds stackpool.lock. */
static void populate(char *s, size_t slot)
{
	static bool refused;
	if (refused || s < stackpool.popped) return;
	if (stackpool.popbatch < 1) stackpool.popbatch = 1;
	struct { void *base; size_t len; } iov[STACKS_PER_CHUNK];
	int n = 0;
	for (char *q = s; n < stackpool.popbatch && q < stackpool.chunkend; q += slot, n++) {
		iov[n].base = q + slot - physpagesize;
		iov[n].len = physpagesize;
	}
	stackpool.popped = s + (size_t)n * slot;
	if (stackpool.popbatch < STACKS_PER_CHUNK) stackpool.popbatch *= 2;
	long r = rawsyscall6(SYS_process_madvise, -10000 /* PIDFD_SELF */, (long)iov, n, MADV_POPULATE_WRITE, 0, 0);
	if (r < 0 && r != -ENOMEM && r != -EAGAIN && r != -EINTR) refused = true;
}

static bool guards_are_cheap(void)
{
	if (atomic_load(&guardstate) == 0) {
		/* Find out on a throw-away page. */
		void *p = sys_mmap(NULL, physpagesize, PROT_READ | PROT_WRITE,
				   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (!sys_mmap_failed(p)) {
			guard(p, physpagesize);
			sys_munmap(p, physpagesize);
		}
	}
	return atomic_load(&guardstate) == 1;
}

noinline void stackinit(void)
{
	/* Nothing to do at boot: chunks are mapped, and the kernel's support
	 * for guard regions learnt, on first use. */
}

/* stackmap maps a region of size usable bytes with a guard below it and
 * returns the lowest usable address, or 0. */
static uintptr_t stackmap(size_t size)
{
	size_t total = size + stackguard_size;
	char *p = sys_mmap(NULL, total, PROT_READ | PROT_WRITE,
			   MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE | MAP_STACK, -1, 0);
	if (sys_mmap_failed(p)) return 0;
	guard(p, stackguard_size);
	return (uintptr_t)p + stackguard_size;
}

/* stackcarve takes a new default-size slot from the current chunk.
 * Caller holds stackpool.lock. */
static uintptr_t stackcarve(void)
{
	size_t slot = default_stacksize + stackguard_size;
	if (stackpool.chunk == stackpool.chunkend) {
		/* 64 slots at a time; under an address-space limit (ulimit -v)
		 * that refuses them, 8, then 1: a program runs as long as its
		 * goroutines' stacks fit (it could not start one goroutine
		 * under ulimit -v 12000). */
		int nslots = STACKS_PER_CHUNK;
		size_t n;
		char *p;
		for (;;) {
			n = slot * (size_t)nslots;
			p = sys_mmap(NULL, n, PROT_READ | PROT_WRITE,
				     MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE | MAP_STACK, -1, 0);
			if (!sys_mmap_failed(p)) break;
			if (nslots == 1) return 0;
			nslots = nslots > 8 ? 8 : 1;
		}
		/* A touched byte must cost a page, never a 2 MiB huge page. */
		sys_madvise(p, n, MADV_NOHUGEPAGE);
		if (guards_are_cheap()) guardchunk(p, slot, nslots);
		stackpool.chunk = p;
		stackpool.chunkend = p + n;
		stackpool.popped = p;
		stackpool.nchunks++;
	}
	char *s = stackpool.chunk;
	stackpool.chunk += slot;
	if (!guards_are_cheap()) guard(s, stackguard_size);
	populate(s, slot);
	return (uintptr_t)s + stackguard_size;
}

/* Goroutine 1's part of the process's own stack, [lo, hi): found by
 * stack_os_region in rt0_go, given by the one STACK_OS_REQ request
 * (rt0_go's, made only when the region was found: goroutine 1's first
 * run), recognised by its hi in stackfree (no G has room for a flag).
 * Written at boot only, before any other M. */
static uintptr_t osstack_lo, osstack_hi;

/* stack_os_region decides where goroutine 1 runs. sp is the process's
 * initial stack pointer; g0 keeps the G0STACK bytes below it, as every
 * other M's g0 has. Returns the top of goroutine 1's part when it can run
 * on the rest of the process's stack, else 0 (rt0_go then asks for a
 * mapping of stack_rlimit bytes, as before).
 *
 * Why: a mapping of its own for goroutine 1 was the dearest thing of the
 * boot on a virtual machine: its first page and its guard each need page
 * tables in a fresh part of the address space (a hello world's mmap,
 * guard and first touch: +110 us of 1,140 on this VM's slow phase, where
 * gort started 280 us later than musl's crt1). The process's stack has
 * its page tables already, grows down by itself to RLIMIT_STACK, and the
 * kernel keeps the gap below it free: a fault there is the overflow, as
 * with the guard. The stack's top is where the kernel put AT_EXECFN's
 * string: it ends 8 bytes below the mapping's end (fs/exec.c, and
 * gortload's stack.c alike), and the kernel counts RLIMIT_STACK from that
 * end, so goroutine 1 may use [end - RLIMIT_STACK, sp - G0STACK).
 *
 * Not: without AT_EXECFN, with an end that is not a page boundary (a
 * loader that lays the stack out otherwise), where less than half the
 * limit would remain, with RLIMIT_STACK unlimited or above 1 GiB (the
 * kernel would grow the stack past stack_lo: an overflow ran on, into
 * the whole address space, instead of faulting), and under the checkers
 * (valgrind grows the stack it made only at faults near the stack
 * pointer; the sanitizers keep the mapping they were tested with). Go gives its main goroutine a small
 * stack of its own and the process's stack to g0; here main is a C main
 * that expects the process's stack limit. */
uintptr_t stack_os_region(uintptr_t sp)
{
	const char *fn = (const char *)auxv_info.execfn;
	if (!fn || (uintptr_t)fn <= sp || !stack_rlimit_kernel || checkers_valgrind() || checkers_asan() ||
	    checkers_tsan())
		return 0;
	size_t n = 0;
	while (fn[n]) n++;
	uintptr_t end = (uintptr_t)fn + n + 1 + sizeof(void *);
	if ((end & (physpagesize - 1)) || end - sp > stack_rlimit / 2 || end < stack_rlimit) return 0;
	uintptr_t hi = (sp - G0STACK) & ~(uintptr_t)(physpagesize - 1);
	uintptr_t lo = end - stack_rlimit;
	if (lo >= hi || hi - lo < stack_rlimit / 2) return 0;
	osstack_lo = lo;
	osstack_hi = hi;
	return hi;
}

static void setstack(struct g *gp, uintptr_t lo, size_t size, bool own)
{
	gp->stack_lo = lo;
	gp->stack_hi = lo + size;
	gp->stack_own = own;
	checkers_stack_register(gp);
}

/* poolget takes one free default stack from the global pool (the ones with
 * pages first), or NULL. Caller holds stackpool.lock. */
static struct freestack *poolget(void)
{
	struct freestack *fs;
	if (stackpool.n) {
		fs = stackpool.v[--stackpool.n];
	} else if ((fs = stackpool.bare)) {
		stackpool.bare = fs->next;
	}
	return fs;
}

/* poolput gives fs back to the global pool. Caller holds stackpool.lock. */
static void poolput(struct freestack *fs)
{
	if (stackpool.n == stackpool.cap) {
		int64_t nc = stackpool.cap ? stackpool.cap * 2 : 1024;
		struct freestack **nv = sys_mmap(NULL, (size_t)nc * sizeof *nv, PROT_READ | PROT_WRITE,
						 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (sys_mmap_failed(nv)) {
			/* No memory for the array: the list, as a bare one (its
			 * pages are not given back; nothing else differs). */
			fs->next = stackpool.bare;
			stackpool.bare = fs;
			return;
		}
		if (stackpool.n) memcpy(nv, stackpool.v, (size_t)stackpool.n * sizeof *nv);
		if (stackpool.v) sys_munmap(stackpool.v, (size_t)stackpool.cap * sizeof *nv);
		stackpool.v = nv;
		stackpool.cap = nc;
	}
	stackpool.v[stackpool.n++] = fs;
}

/* stackalloc gives gp a stack of at least size bytes (0: the default).
 * Runs on g0 or before the scheduler starts. Returns false when out of
 * address space (the caller reports it).
 *
 * A P's cache is refilled from the global pool and drained to it half a
 * cache at a time (Go's stackcacherefill/stackcacherelease): a burst of
 * goroutines starting or ending takes the pool's lock once per PCACHE/2
 * stacks, not once per stack (bench/sleepers at GOMAXPROCS=2: 4.4% of the
 * samples were this lock, taken at every start and exit beyond the cache,
 * its line moving between the two CPUs each time). */
bool stackalloc(struct g *gp, size_t size)
{
	size_t pg = physpagesize;
	if (unlikely(size == STACK_OS_REQ)) {
		setstack(gp, osstack_lo, osstack_hi - osstack_lo, false);
		return true;
	}
	if (size == 0 || size == default_stacksize) {
		struct p *pp = getg() ? getm()->p : NULL;
		struct freestack *fs = NULL;
		if (pp && !pp->nstackcache) {
			lock(&stackpool.lock);
			int32_t k = stackpool.n < PCACHE / 2 ? (int32_t)stackpool.n : PCACHE / 2;
			stackpool.n -= k;
			memcpy(pp->stackcache, &stackpool.v[stackpool.n], (size_t)k * sizeof *stackpool.v);
			while (k < PCACHE / 2 && (fs = poolget())) pp->stackcache[k++] = fs;
			pp->nstackcache = k;
			unlock(&stackpool.lock);
		}
		if (pp && pp->nstackcache) {
			fs = pp->stackcache[--pp->nstackcache];
			/* The next goroutine to start gets the next stack: its
			 * top lines (gstart_prepare writes the first frame
			 * there) are cold, untouched since it was freed. */
			if (pp->nstackcache) {
				const char *nx = (const char *)pp->stackcache[pp->nstackcache - 1];
				prefetch_write(nx);
				prefetch_write(nx - 64);
			}
		} else {
			lock(&stackpool.lock);
			fs = poolget();
			uintptr_t lo = 0;
			if (!fs) lo = stackcarve();
			unlock(&stackpool.lock);
			if (!fs) {
				if (!lo) return false;
				setstack(gp, lo, default_stacksize, false);
				return true;
			}
		}
		uintptr_t hi = (uintptr_t)fs + sizeof *fs;
		setstack(gp, hi - default_stacksize, default_stacksize, false);
		return true;
	}
	size = (size + pg - 1) & ~(pg - 1);
	uintptr_t lo = stackmap(size);
	if (!lo) return false;
	setstack(gp, lo, size, true);
	return true;
}

/* stackfree returns gp's stack; gp no longer runs on it. Runs on g0. */
void stackfree(struct g *gp)
{
	if (!gp->stack_lo) return;
	checkers_stack_deregister(gp);
	if (osstack_hi && gp->stack_hi == osstack_hi) {
		/* Goroutine 1 gone (gort_goexit): the process's stack stays. */
	} else if (gp->stack_own) {
		sys_munmap((void *)(gp->stack_lo - stackguard_size), gp->stack_hi - gp->stack_lo + stackguard_size);
	} else {
		struct freestack *fs = fs_of(gp->stack_lo, default_stacksize);
		struct p *pp = getm()->p;
		if (pp) {
			if (pp->nstackcache == PCACHE) {
				/* Full: the older half (the bottom of the array;
				 * the newest, warmest, stay) goes to the pool
				 * under one hold of its lock. */
				lock(&stackpool.lock);
				for (int i = 0; i < PCACHE / 2; i++) poolput(pp->stackcache[i]);
				unlock(&stackpool.lock);
				memmove(pp->stackcache, &pp->stackcache[PCACHE / 2], PCACHE / 2 * sizeof *pp->stackcache);
				pp->nstackcache = PCACHE / 2;
			}
			pp->stackcache[pp->nstackcache++] = fs;
		} else {
			lock(&stackpool.lock);
			poolput(fs);
			unlock(&stackpool.lock);
		}
	}
	gp->stack_lo = gp->stack_hi = 0;
	gp->stack_own = false;
}

/* stackcache_flush moves a P's cached stacks to the global pool (procresize
 * destroying a P). */
void stackcache_flush(struct p *pp)
{
	lock(&stackpool.lock);
	while (pp->nstackcache) poolput(pp->stackcache[--pp->nstackcache]);
	unlock(&stackpool.lock);
}

/* stack_isguard reports whether addr is in the guard region below gp's
 * stack (a stack overflow). */
bool stack_isguard(struct g *gp, uintptr_t addr)
{
	return gp && gp->stack_lo && addr < gp->stack_lo && addr >= gp->stack_lo - stackguard_size;
}

/* stack_scavenge gives back the pages of the free stacks beyond the
 * newest GCACHE (all but the page holding each stack's link) and moves
 * them to the bare list. Runs on sysmon. The oldest are taken out of the
 * array under the lock, given back without it, then linked. */
void stack_scavenge(void)
{
	if (__atomic_load_n(&stackpool.n, __ATOMIC_RELAXED) <= GCACHE) return;
	lock(&stackpool.lock);
	int64_t k = stackpool.n - GCACHE;
	struct freestack **old = NULL;
	if (k > 0) {
		old = sys_mmap(NULL, (size_t)k * sizeof *old, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (sys_mmap_failed(old)) {
			old = NULL;
		} else {
			memcpy(old, stackpool.v, (size_t)k * sizeof *old);
			memmove(stackpool.v, &stackpool.v[k], GCACHE * sizeof *old);
			stackpool.n = GCACHE;
		}
	}
	unlock(&stackpool.lock);
	if (!old) return;
	for (int64_t i = 0; i < k; i++) {
		uintptr_t lo = (uintptr_t)old[i] + sizeof *old[i] - default_stacksize;
		uintptr_t top = ((uintptr_t)old[i]) & ~(physpagesize - 1);
		sys_madvise((void *)lo, top - lo, MADV_DONTNEED);
	}
	lock(&stackpool.lock);
	for (int64_t i = 0; i < k; i++) {
		old[i]->next = stackpool.bare;
		stackpool.bare = old[i];
	}
	unlock(&stackpool.lock);
	sys_munmap(old, (size_t)k * sizeof *old);
}

/* stack_atfork (fork.c): the global pool's lock is held across fork, so
 * that sysmon's scavenger cannot leave it locked in the child. */
void stack_atfork(int phase)
{
	if (phase == ATFORK_PREPARE) lock(&stackpool.lock);
	else unlock(&stackpool.lock);
}
