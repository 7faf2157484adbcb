/* proc.c: the boot path (rt0_go and its phases, in Go's order), the main
 * goroutine, and the life of a goroutine (newproc, goexit). The scheduler
 * loop and M/P management are in sched.c, run queues in runq.c.
 *
 * Boot, from the entry to main (README has the table):
 *
 *   _rt0_amd64_linux          crt/rt0_linux_amd64.S: argc/argv off the stack
 *   rt0_go                    here; no libc, no TLS yet: raw syscalls only
 *     reloc_self                static-PIE only: apply our own relocations
 *     g0/m0                     the OS stack's top becomes g0's; m0 is the first M
 *     cpuinit, check            CPUID; self-checks
 *     args, osinit, schedinit   argv/envp/auxv; CPUs, pages; Ps, GODEBUG...
 *     newproc(runtime_main)     goroutine 1, queued on P0, its stack the rest
 *                               of the OS stack (stack_os_region, stack.c)
 *     __libc_start_main         the libc's own initialisation: TLS, stack
 *                               protector, stdio, atexit, C constructors
 *   libc_ready                  called by the libc as "main": TLS check
 *     mstart -> schedule        m0 runs goroutine 1
 *   runtime_main (goroutine 1)  runtime init tasks, program init tasks, main
 *
 * Everything before __libc_start_main must not touch TLS (%fs is not set up
 * in a static musl program), must not call the libc, and must not read a
 * pointer that a static-PIE relocation would fix before reloc_self ran.
 * Those functions are noinline so a debugger can stop at each phase.
 *
 * G lifecycle: a G is allocated from a slab (never freed: tracebacks and
 * gdb walk allgs), gets an id that is never reused, is queued Grunnable, is
 * given a stack when it first runs (execute in sched.c), and when it exits
 * returns its stack to the P's cache and itself to a free list for reuse. */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>
#include "runtime.h"
#include "trace.h"
#include "unwind.h"

/* Cache-line aligned, not page aligned: page alignment left most of a page
 * empty before it and its tail on a third page; packed with the rest of the
 * runtime's start-up data (cold tables are COLDBSS), a hello world touches
 * three pages of the runtime's .bss instead of five (bench/startup). */
struct bootarena bootarena __attribute__((aligned(64)));
struct m m0;
struct g g0;
struct g *allgs;
struct mutex allglock;
_Atomic int64_t allgcount;
__thread struct g *gort_tls_g;
__thread int32_t gort_rt_locks;
struct debugvars debug = {.gorthooks = 1, .spinpark = 20, .iobatch = 1};
int32_t gotraceback_level = 1;
int64_t runtime_inittime;
uint32_t boot_mxcsr;
uint16_t boot_fpucw;

/* The program's main, called with the libc's three arguments. */
extern int main(int, char **, char **);

/* The libc's documented crt1 entry. musl takes six arguments and ignores a
 * seventh; glibc takes seven (the last is the stack end). */
extern int __libc_start_main(int (*)(int, char **, char **), int, char **, void (*)(void),
			     void (*)(void), void (*)(void), void *);

/* crtbegin.o defines __dso_handle, which -nostartfiles drops; glibc's
 * atexit (libc_nonshared.a) passes it to __cxa_atexit. It lives here,
 * in an object every gort program links. */
__attribute__((weak, visibility("hidden"))) void *__dso_handle = &__dso_handle;

/* Which libc this runtime was built for, for the link-time check in
 * libgort.a's script (ldscripts/libgort.a.in): a weak reference to a name
 * that only that libc defines (exported by its shared library and defined,
 * in its static archive, in a member every program links). Linked with the
 * other libc (or statically, for glibc) the script's ASSERT says so in
 * one line, instead of a program that starts and fails later (a musl
 * runtime under glibc: sigaction(SIGRTMIN) fails with EINVAL). */
#ifdef __GLIBC__
extern const char *gnu_get_libc_version(void) __attribute__((weak));
extern char __libc_start_main_impl[] __attribute__((weak)); /* static glibc only */
__attribute__((used)) static const void *const libc_mark[] = {(const void *)gnu_get_libc_version,
							      __libc_start_main_impl};
#else
extern char **___environ __attribute__((weak)); /* musl: __environ's alias */
__attribute__((used)) static char ***const libc_mark = &___environ;
#endif

static void libc_ready(void);

/* ---- boottrace ---- */

void boottrace(const char *step)
{
	if (!debug.boottrace) return;
	int64_t t = nanotime() - runtime_inittime;
	printf_raw("boot %s @%ld.%03ld ms\n", step, (long)(t / 1000000), (long)(t / 1000 % 1000));
}

/* ---- rt0_go ---- */

/* bootdebug reads GODEBUG before anything else, so boottrace can time every
 * phase; schedinit parses it again and warns about bad values. */
static noinline void bootdebug(char **envp, uintptr_t *auxv)
{
	for (uintptr_t *a = auxv; a[0]; a += 2)
		if (a[0] == 23 /* AT_SECURE */ && a[1]) return;
	gort_envp = envp;
	parse_godebug(gogetenv("GODEBUG"), &debug, NULL, NULL);
}

/* g0m0init: the OS stack becomes g0's stack; m0 is the first M. The low
 * bound is set after osinit: G0STACK below the initial stack pointer when
 * goroutine 1 takes the rest, else the stack limit. */
static noinline void g0m0init(uintptr_t *sp)
{
	g0.stack_hi = (uintptr_t)sp;
	g0.stack_lo = (uintptr_t)sp - 64 * 1024; /* refined after osinit */
	g0.m = &m0;
	g0.goid = 0;
	atomic_store(&g0.status, Grunning);
	m0.g0 = &g0;
	m0.id = 0;
	m0.fastrand[0] = 0x9e3779b9;
	m0.fastrand[1] = 0x7f4a7c15;
	__asm__ volatile("stmxcsr %0" : "=m"(boot_mxcsr));
	__asm__ volatile("fnstcw %0" : "=m"(boot_fpucw));
	allm = &m0;
}

noinline void rt0_go(uintptr_t *sp, void (*rtld_fini)(void))
{
	int argc = (int)sp[0];
	char **argv = (char **)(sp + 1);
	char **envp = envp_after(argv, argc);
	uintptr_t *auxv = (uintptr_t *)envp;
	while (*auxv) auxv++;
	auxv++;

	reloc_self(auxv); /* first: nothing relocated may be read before */
	checkers_init();  /* before any goroutine stack (stack_os_region asks) */
	bootdebug(envp, auxv);
	/* Before the libc is ready the clock is a system call: pay it here
	 * only to time the boot; otherwise libc_ready reads the vDSO clock. */
	if (debug.boottrace) runtime_inittime = nanotime();
	boottrace("rt0_go");
	g0m0init(sp);
	cpuinit();
	check();
	boottrace("check");
	args(argc, argv, envp, auxv);
	boottrace("args");
	osinit();
	/* goroutine 1: its stack is as large as the process's stack limit, as
	 * unchanged C programs expect of main's stack: the process's own below
	 * g0's part where it can be (stack_os_region), else a mapping. */
	uintptr_t g1hi = stack_os_region((uintptr_t)sp);
	g0.stack_lo = g1hi ? g1hi : (uintptr_t)sp - stack_rlimit + 64 * 1024;
	boottrace("osinit");
	schedinit();
	boottrace("schedinit");

	newproc(runtime_main, NULL, g1hi ? STACK_OS_REQ : stack_rlimit, 0);
	boottrace("newproc");

	__asm__ volatile("" ::: "memory");
	__libc_start_main((int (*)(int, char **, char **))libc_ready, argc, argv, NULL, NULL,
			  rtld_fini, sp);
	throw("__libc_start_main returned");
}

/* libc_ready is what the libc calls as "main" once it is initialised:
 * from here on TLS, stdio, malloc and atexit work. */
static noinline void libc_ready(void)
{
	libc_is_ready = true;
	__asm__ volatile("" ::: "memory"); /* nothing TLS-related moves above */
	/* The clock's first read faults in the vDSO's pages: read it now only
	 * if a trace will print times relative to the start. */
	if (!runtime_inittime && (debug.inittrace || debug.schedtrace)) runtime_inittime = nanotime();
	boottrace("libc init");
	/* The current-g slot: store a known value, read it back (Go's 0x123
	 * check in rt0_go), then make g0 current. */
	setg((struct g *)0x123);
	if (getg() != (struct g *)0x123) throw("TLS check: the current-g slot does not work");
	setg(&g0);
	mstart();
}

/* ---- schedinit ---- */

noinline void schedinit(void)
{
	sched.maxmcount = 10000;
	stackinit();
	/* Random seed from the kernel's 16 bytes (AT_RANDOM); fall back to the
	 * clock and the stack address when a loader left it out. */
	uint64_t seed[2] = {(uint64_t)runtime_inittime, (uintptr_t)&seed};
	if (auxv_info.have_random) __builtin_memcpy(seed, (void *)auxv_info.random, 16);
	m0.fastrand[0] = (uint32_t)seed[0] | 1;
	m0.fastrand[1] = (uint32_t)(seed[0] >> 32) ^ (uint32_t)seed[1];

	/* The runtime's environment variables are ignored in a secure
	 * (set-user-ID) program, as Go ignores GODEBUG there. */
	bool secure = auxv_info.secure != 0;
	if (!secure) {
		parse_godebug(gogetenv("GODEBUG"), &debug, warn_env, NULL);
		gotraceback_level = parse_gotraceback(gogetenv("GOTRACEBACK"), 1, warn_env, NULL);
		const char *ss = gogetenv("GORT_STACKSIZE");
		if (ss) {
			int64_t v = parse_size(ss);
			if (v >= 16 * 1024 && v <= (1ll << 30))
				default_stacksize = (v + physpagesize - 1) & ~(physpagesize - 1);
			else
				warn_env("GORT_STACKSIZE", ss, "not a size from 16k to 1g; using 256k", NULL);
		}
		const char *mt = gogetenv("GORT_MAXTHREADS");
		if (mt) {
			int64_t v = parse_size(mt);
			if (v >= 4 && v <= 1000000) sched.maxmcount = v;
			else warn_env("GORT_MAXTHREADS", mt, "not a number from 4 to 1000000; using 10000", NULL);
		}
	}
	atomic_store(&sched.lastpoll, 1); /* nonzero: nobody is blocked in netpoll */
	int32_t procs = ncpu;
	if (!secure && gogetenv("GOMAXPROCS")) {
		procs = parse_gomaxprocs(gogetenv("GOMAXPROCS"), ncpu, warn_env, NULL);
		sched.gomaxprocs_fromenv = true;
	}
	lock(&sched.lock);
	procresize(procs);
	unlock(&sched.lock);
	if (!secure) trace_init(); /* GORT_TRACE, GORT_TRACE_FLIGHT (trace.c) */
}

uint32_t fastrand(void)
{
	/* xorshift64+ over the M's state (Go's fastrand). */
	struct m *mp = scheduler_started ? getm() : &m0;
	if (!mp) mp = &m0;
	uint32_t s1 = mp->fastrand[0], s0 = mp->fastrand[1];
	s1 ^= s1 << 17;
	s1 = s1 ^ s0 ^ s1 >> 7 ^ s0 >> 16;
	mp->fastrand[0] = s0;
	mp->fastrand[1] = s1;
	return s0 + s1;
}

/* ---- G allocation ---- */

static struct {
	struct mutex lock;
	char *next, *end;
	int chunks; /* mapped so far */
} gslab;

/* gslab_map maps the slab's next chunk. The first is 1 MiB of small pages
 * (5,400 Gs, one page fault per 21 of them). The next ones are huge-page
 * aligned and marked MADV_HUGEPAGE: a program with that many goroutines
 * wakes them in no particular order, and each wake-up touches the G; in
 * small pages that is a TLB miss per wake-up on top of the one for the
 * goroutine's stack, in one huge page it is none (and one page fault per
 * 10,900 Gs instead of 520). Go's Gs live in its heap, which is huge-page
 * backed where the kernel allows it. Without transparent huge pages the
 * chunk is 2 MiB of small pages. HUGEPAGE is x86-64's PMD size, a constant
 * (reading /sys/kernel/mm/transparent_hugepage/hpage_pmd_size here would
 * open a descriptor at a moment the program does not choose). */
enum { HUGEPAGE = 2 << 20 };
static char *gslab_map(size_t *np)
{
	size_t huge = gslab.chunks ? HUGEPAGE : 0;
	size_t n = huge ? huge : 1 << 20;
	char *p = sys_mmap(NULL, huge ? 2 * n : n, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (sys_mmap_failed(p)) return NULL;
	if (huge) {
		char *a = (char *)(((uintptr_t)p + n - 1) & ~(uintptr_t)(n - 1));
		if (a > p) sys_munmap(p, (size_t)(a - p));
		if (a + n < p + 2 * n) sys_munmap(a + n, (size_t)(p + 2 * n - (a + n)));
		sys_madvise(a, n, MADV_HUGEPAGE);
		p = a;
	}
	gslab.chunks++;
	*np = n;
	return p;
}

/* galloc_atfork (fork.c): the slab's lock is held across fork. */
void galloc_atfork(int phase)
{
	if (phase == ATFORK_PREPARE) lock(&gslab.lock);
	else unlock(&gslab.lock);
}

/* galloc returns a zeroed G from the slab. G structures are never freed:
 * dead ones are reused from the free lists. */
static struct g *galloc(void)
{
	/* The first Gs come from the boot arena: no system call at boot. */
	lock(&gslab.lock);
	if (!gslab.end) {
		gslab.next = bootarena.gslab;
		gslab.end = bootarena.gslab + sizeof bootarena.gslab;
	}
	if (gslab.next + sizeof(struct g) > gslab.end) {
		size_t n;
		char *p = gslab_map(&n);
		if (!p) {
			unlock(&gslab.lock);
			return NULL;
		}
		gslab.next = p;
		gslab.end = p + n;
	}
	struct g *gp = (struct g *)gslab.next;
	gslab.next += (sizeof(struct g) + 63) & ~(size_t)63;
	unlock(&gslab.lock);
	return gp;
}

void allgadd(struct g *gp)
{
	lock(&allglock);
	gp->alllink = allgs;
	__atomic_store_n(&allgs, gp, __ATOMIC_RELEASE); /* readers walk without the lock */
	atomic_fetch_add(&allgcount, 1);
	unlock(&allglock);
}

enum { GFREEAHEAD = 4 }; /* gfget's prefetch distance, in newproc calls */

/* gfget takes a dead G from pp's free G cache, refilling half of it from
 * the global list when it is empty. The lists hold pointers (gqueue.c):
 * refilling does not touch the Gs. */
static struct g *gfget(struct p *pp)
{
	if (!pp) return NULL;
	if (pp->gfreecnt == 0) {
		if (!__atomic_load_n(&sched.gfree.tail, __ATOMIC_RELAXED)) return NULL; /* never had any */
		lock(&sched.lock);
		pp->gfreecnt = (int32_t)gq_poptailn(&sched.gfree, pp->gfree, GFREECACHE / 2);
		unlock(&sched.lock);
		if (pp->gfreecnt == 0) return NULL;
	}
	struct g *gp = pp->gfree[--pp->gfreecnt];
	/* A later newproc's G: fetch its first line (all newproc writes) a
	 * few calls ahead, so that it is here when newproc writes it: the
	 * run queue's lock cmpxchg after those writes waits for them. */
	if (pp->gfreecnt >= GFREEAHEAD) prefetch_write(pp->gfree[pp->gfreecnt - GFREEAHEAD]);
	return gp;
}

/* gfput puts a dead G in pp's free G cache, moving half of it to the global
 * list when it is full. */
void gfput(struct p *pp, struct g *gp)
{
	if (!pp) {
		lock(&sched.lock);
		gq_push(&sched.gfree, gp);
		unlock(&sched.lock);
		return;
	}
	if (pp->gfreecnt == GFREECACHE) {
		/* The older half goes (the bottom of the stack: the coldest). */
		lock(&sched.lock);
		gq_pushn(&sched.gfree, pp->gfree, GFREECACHE / 2);
		unlock(&sched.lock);
		memmove(pp->gfree, pp->gfree + GFREECACHE / 2, sizeof pp->gfree[0] * (GFREECACHE / 2));
		pp->gfreecnt = GFREECACHE / 2;
	}
	pp->gfree[pp->gfreecnt++] = gp;
}

/* ---- newproc ---- */

/* newgoid returns a goroutine id never used before. Each P takes ids from
 * sched.goidgen in batches (Go's goidcache), so creating a goroutine costs
 * no atomic read-modify-write: on some CPUs one costs as much as the rest
 * of newproc, as it waits for the stores to the cold G to complete. Ids are
 * unique and increase on each P, not across Ps. */
#define GOIDBATCH 16
static int64_t newgoid(struct p *pp)
{
	if (!pp) return atomic_fetch_add(&sched.goidgen, 1) + 1;
	if (pp->goidcache == pp->goidcacheend) {
		pp->goidcache = atomic_fetch_add(&sched.goidgen, GOIDBATCH) + 1;
		pp->goidcacheend = pp->goidcache + GOIDBATCH;
	}
	return pp->goidcache++;
}

/* nglive_add counts goroutines born (+1) and dead (-1) on pp's counter,
 * or on the global one without a P; gort_numgoroutine sums them. Only
 * pp's owner writes pp->nglive: a load and a store, no lock prefix. */
static inline void nglive_add(struct p *pp, int64_t d)
{
	if (!pp) {
		atomic_fetch_add(&sched.nglive, d);
		return;
	}
	atomic_store_explicit(&pp->nglive, atomic_load_explicit(&pp->nglive, memory_order_relaxed) + d,
			      memory_order_relaxed);
}

/* ---- GODEBUG=tracebackancestors ---- */

/* save_ancestors records in gp, being created by self at callerpc, self's
 * stack from the gort_go call up, then self's own ancestors, at most
 * debug.tracebackancestors in all (Go's saveAncestors). Only for a creator
 * that is a goroutine (Go skips goroutine 0) outside a signal handler: it
 * mallocs. The walk is the tracebacks' (unwind.c), under printlock, which
 * guards the unwinder's module table. gp is Gdead here, so no traceback
 * reads the block it replaces. */
static noinline void save_ancestors(struct g *gp, struct g *self, uintptr_t callerpc)
{
	struct ancestors *old = gp->ancestors, *ca;
	if (old) old->n = 0;
	if (!self || self->goid == 0 || !self->m || self == self->m->g0 || insighandler(self)) return;
	uintptr_t pcs[UNWIND_MAXFRAMES];
	uint32_t np = 0;
	uintptr_t bp = (uintptr_t)__builtin_frame_address(0);
	if (bp >= self->stack_lo && bp < self->stack_hi) {
		printlock();
		unwind_modules();
		struct unwinder u;
		unwind_init(&u, (uintptr_t)__builtin_return_address(0), bp + 16, ((uintptr_t *)bp)[0]);
		u.exact = false;
		unwind_addstack(&u, self->stack_lo, self->stack_hi);
		bool found = false; /* frames from the one that called gort_go */
		do {
			uintptr_t pc = unwind_pc(&u);
			if (pc == callerpc) found = true;
			if (found) pcs[np++] = pc;
		} while (np < UNWIND_MAXFRAMES && unwind_next(&u));
		printunlock();
	}
	if (!np) pcs[np++] = callerpc;
	ca = self->ancestors;
	uint32_t n = 1 + (ca ? ca->n : 0);
	if (n > (uint32_t)debug.tracebackancestors) n = (uint32_t)debug.tracebackancestors;
	size_t total = np;
	for (uint32_t i = 0; i + 1 < n; i++) total += ca->a[i].npcs;
	size_t size = sizeof *old + n * sizeof(struct ancestor) + total * sizeof(uintptr_t);
	struct ancestors *an = old;
	if (!an || an->size < size) {
		an = malloc(size);
		if (!an) return; /* a debugging aid: the goroutine starts without it */
		an->size = size;
	}
	an->n = n;
	uintptr_t *to = ancestors_pcs(an);
	an->a[0] = (struct ancestor){self->goid, self->gopc, 0, np};
	memcpy(to, pcs, np * sizeof *pcs);
	uint32_t at = np;
	for (uint32_t i = 1; i < n; i++) {
		struct ancestor e = ca->a[i - 1];
		memcpy(to + at, ancestors_pcs(ca) + e.first, e.npcs * sizeof *to);
		e.first = at;
		at += e.npcs;
		an->a[i] = e;
	}
	if (an != old) {
		gp->ancestors = an;
		free(old);
	}
}

/* newproc creates a goroutine running fn(arg) and queues it on the current
 * P (in runnext: it likely runs soon and shares caches with its creator).
 * Callable before the scheduler starts (from rt0_go and C constructors) and
 * from threads that are not Ms (they queue globally). */
int64_t newproc(void (*fn)(void *), void *arg, size_t stacksize, uintptr_t callerpc)
{
	struct g *self = scheduler_started ? getg() : NULL;
	struct m *mp = self ? self->m : NULL;
	struct p *pp = mp ? mp->p : (scheduler_started ? NULL : allp[0]);
	if (!fn) fatal("go of nil func value");

	struct g *gp = gfget(pp);
	if (!gp) {
		gp = galloc();
		if (!gp) fatal("out of memory allocating a goroutine");
		atomic_store_explicit(&gp->status, Gdead, memory_order_release);
		allgadd(gp);
	}
	/* Only the G's first cache line (runtime.h): goexit0 and galloc left
	 * the rest reset. */
	gp->fn = fn;
	gp->arg = arg;
	gp->stackreq_kb = (uint32_t)((stacksize + 1023) >> 10);
	gp->gopc = callerpc;
	gp->goid = newgoid(pp);
	if (unlikely(debug.tracebackancestors > 0)) save_ancestors(gp, self, callerpc);
	atomic_store_explicit(&gp->waitreason, waitNone, memory_order_relaxed);
	nglive_add(pp, 1);
	racerelease(gp); /* the new goroutine sees what its creator did */
	atomic_store_explicit(&gp->status, Grunnable, memory_order_release);
	obs_ready(gp, EvGoCreate); /* trace, latency sample (trace.h) */

	if (pp) {
		runqput(pp, gp, true);
	} else {
		lock(&sched.lock);
		globrunqput(gp);
		unlock(&sched.lock);
	}
	if (scheduler_started) {
		if (!atomic_load(&sysmon_started)) sysmon_start();
		wakep();
	}
	return gp->goid;
}

/* goexit0 runs after gp's function returned or it called gort_goexit, once
 * the M has left gp's stack: on g0, or first thing in the G the M switched
 * to directly (mcall_direct). gp becomes dead, its stack goes back to the
 * cache (where a new G starting next on this P finds it). */
static int goexit0(struct g *gp, void *arg)
{
	(void)arg;
	struct m *mp = getm();
	atomic_store_explicit(&gp->status, Gdead, memory_order_release);
	nglive_add(mp->p, -1);
	checkers_tsan_exit(gp);
	gp->m = NULL;
	if (gp->lockedm) {
		/* Exiting while locked releases the thread (documented). */
		gp->lockedm = NULL;
		gp->lockedcount = 0;
		mp->lockedg = NULL;
	}
	gp->fn = NULL;
	gp->arg = NULL;
	/* What newproc does not write (it touches only the first line); the
	 * third line only where this G used it (runtime.h). */
	gp->saved_errno = 0;
	if (mp->cxaglobals) gp->cxa_caught = NULL, gp->cxa_uncaught = 0;
	gp->preempt = false;
	gp->exiting = false;
	gp->iobrun = 0;
	if (checkers_asan()) gp->asan_fakestack = NULL;
	stackfree(gp);
	gfput(mp->p, gp);
	return 0;
}

/* gort_goexit1 is where gort_gostart goes when the goroutine's function
 * returns. */
__attribute__((used, noreturn)) void gort_goexit1(void)
{
	struct g *gp = getg();
	if (gp->goid == 1 && !sched.mainexited) {
		/* runtime_main calls exit: it never returns. */
		throw("main goroutine returned");
	}
	gp->exiting = true;
	TRACE(EvGoEnd, gp->goid, 0, 0);
	racerelease((void *)gp->stack_lo); /* the stack's next owner starts after us */
	mcall_direct(goexit0, NULL, true);
	throw("goexit0 returned");
}

_Noreturn void gort_goexit(void)
{
	struct g *gp = getg();
	if (!gp || gp == gp->m->g0) fatal("gort_goexit called outside a goroutine");
	if (gp->goid == 1) sched.mainexited = true;
	gort_goexit1();
}

/* ---- the main goroutine ---- */

/* doinit runs n init tasks in dependency order (inittask.c), each once.
 * Runs in goroutine 1, locked to m0. */
static void doinit(const struct gort_inittask *t, size_t n)
{
	if (n == 0) return;
	uint32_t order_s[2 * 64];
	uint8_t state_s[64];
	bool heap = n > 64;
	uint32_t *order = heap ? malloc(n * sizeof *order * 2) : order_s;
	uint8_t *state = heap ? malloc(n) : state_s;
	if (!order || !state) fatal("out of memory ordering %zu init tasks", n);
	size_t ncycle;
	int r = order_inittasks(t, n, order, state, order + n, &ncycle);
	if (r == -2) fatal("init task %s (%s:%d) depends on a task outside the init-task table",
			   t[order[0]].name, t[order[0]].file, t[order[0]].line);
	if (r < 0) {
		char msg[1024];
		size_t k = 0;
		for (size_t i = 0; i <= ncycle && k < sizeof msg - 80; i++) {
			const char *nm = t[order[i % ncycle]].name;
			if (i) k += snprintf(msg + k, sizeof msg - k, " -> ");
			k += snprintf(msg + k, sizeof msg - k, "%.64s", nm);
		}
		fatal("init task cycle: %s", msg);
	}
	for (size_t i = 0; i < n; i++) {
		const struct gort_inittask *it = &t[order[i]];
		int64_t start = debug.inittrace ? nanotime() : 0;
		it->fn();
		if (debug.inittrace) {
			int64_t end = nanotime(), s = start - runtime_inittime, d = end - start;
			printf_raw("init %s @%ld.%03ld ms, %ld.%03ld ms clock\n", it->name,
				   (long)(s / 1000000), (long)(s / 1000 % 1000), (long)(d / 1000000),
				   (long)(d / 1000 % 1000));
		}
	}
	if (heap) {
		free(order);
		free(state);
	}
}

/* runtime_main is goroutine 1 (Go's runtime.main). */
void runtime_main(void *arg)
{
	(void)arg;
	struct g *gp = getg();
	struct m *mp = gp->m;
	boottrace("runtime_main");
	/* Init tasks run on the main thread, as Go runs package inits locked. */
	gp->lockedm = mp;
	mp->lockedg = gp;
	doinit(__start_gort_rtinittask, __stop_gort_rtinittask - __start_gort_rtinittask);
	stdio_init(); /* the FILEs read and write through the runtime (stdio.c) */
	trace_libc_ready(); /* GORT_TRACE, GORT_CPUPROFILE: written at exit (trace.c) */
	/* Registered before the program's own: runs after them, last. An
	 * exit() anywhere while a fatal error is being reported waits for
	 * it (its status 2, not the exit's). */
	atexit(fatal_waitexit);
	size_t n = __stop_gort_inittask - __start_gort_inittask;
	doinit(__start_gort_inittask, n);
	boottrace("init tasks");
	if (gp->lockedcount == 0) {
		gp->lockedm = NULL;
		mp->lockedg = NULL;
	}
	boottrace("main");
	int ret = main(gort_argc, gort_argv, gort_envp);
	/* As in Go: when main returns the process exits, whatever other
	 * goroutines are doing, unless one is reporting a fatal error.
	 * exit() runs atexit handlers and flushes stdio. */
	fatal_waitexit();
	exit(ret);
}

/* ---- public API ---- */

int64_t gort_go(void (*fn)(void *), void *arg)
{
	if (unlikely(!atomic_load(&sysmon_started)) && scheduler_started) gomaxprocs_refine();
	return newproc(fn, arg, 0, (uintptr_t)__builtin_return_address(0));
}

int64_t gort_go_stack(void (*fn)(void *), void *arg, size_t stacksize)
{
	if (stacksize > ((size_t)1 << 36)) {
		errno = EINVAL;
		return -1;
	}
	if (unlikely(!atomic_load(&sysmon_started)) && scheduler_started) gomaxprocs_refine();
	return newproc(fn, arg, stacksize, (uintptr_t)__builtin_return_address(0));
}

int64_t gort_goid(void)
{
	preemptcheck();
	if (!scheduler_started) return 0;
	struct g *gp = getg();
	if (!gp || !gp->m || gp == gp->m->g0) return 0;
	return gp->goid;
}

/* nglive_total: goroutines alive, the sum of the per-P counts and the
 * global one. Exact when nothing is starting or ending goroutines (the
 * deadlock check, a program between phases); a snapshot otherwise, as Go's
 * NumGoroutine. Ps that procresize destroyed have folded their count into
 * sched.nglive. */
int64_t nglive_total(void)
{
	int64_t n = atomic_load(&sched.nglive);
	int32_t np = atomic_load(&allplen);
	struct p **pa = __atomic_load_n(&allp, __ATOMIC_ACQUIRE);
	for (int32_t i = 0; pa && i < np; i++) n += atomic_load_explicit(&pa[i]->nglive, memory_order_relaxed);
	return n;
}

int64_t gort_numgoroutine(void)
{
	int64_t n = nglive_total();
	return n < 0 ? 0 : n; /* a racing snapshot can undercount */
}

int *gort_errno_location(void)
{
	return __errno_location();
}
