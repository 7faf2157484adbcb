/* runtime.h: gort's internal types (G, M, P, sched) and the functions the
 * runtime files share. Nothing here is public; see include/gort.h.
 *
 * Glossary (as Go's proc.go):
 *   G  a goroutine: a stack, a saved context and a status.
 *   M  an OS thread (a pthread, so the libc knows it). An M runs Go code
 *      only while it holds a P. Every M has a g0, whose stack the scheduler
 *      runs on (for m0, g0's stack is the process's initial stack).
 *   P  a processor: the right to run goroutines, with a local run queue,
 *      free-G and stack caches. GOMAXPROCS Ps exist.
 *
 * Every goroutine switch goes through one function, gogo_switch() in sched.c,
 * which wraps the assembly gort_swapctx: errno hand-over, sanitizer fiber
 * annotations and valgrind stack ids live there and nowhere else.
 *
 * The one declaration point: every function and variable that more than one
 * file uses is declared here (or in chan.h, netpoll.h, iohooks.h for their
 * subsystems), in the section of the file that defines it; the build's
 * -Wmissing-prototypes -Wredundant-decls keeps it so. Types come first,
 * then the sections in the order a program boots (runtime/HACKING.md).
 */
#ifndef GORT_RUNTIME_H
#define GORT_RUNTIME_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "../include/gort.h"

#define noinline __attribute__((noinline))
#define likely(x) __builtin_expect(!!(x), 1)
#define unlikely(x) __builtin_expect(!!(x), 0)
/* COLDBSS: zeroed data that start-up does not touch (tables used only
 * once a program installs handlers, prints a traceback...). gortcc's
 * ldscripts/gort.ld puts .bss.gort_cold after all of .bss, the libc's
 * included (a plain -lgort link keeps it after the runtime's other .bss),
 * so what boot touches packs into fewer pages: each is a page fault
 * (1.6 us on a Xeon host, 10 us on a PVM guest) in every process start
 * (bench/startup). */
#define COLDBSS __attribute__((section(".bss.gort_cold")))

/* ---- saved context (gobuf.h: one layout for C and asm_amd64.S) ---- */
#include "gobuf.h"

/* gort_swapctx saves the callee-saved state into *from and resumes *to.
 * gort_gostart is the first pc of every new goroutine (bx = fn, r12 = arg). */
void gort_swapctx(struct gobuf *from, const struct gobuf *to);
void gort_gostart(void);
void gort_asyncpreempt(void);

/* ---- locks (lock_futex.c) ---- */

/* A futex-based mutex (Go's lock_futex.go). Never held across a goroutine
 * switch. Lock order, outermost first: sched.lock > allglock > stackpool.lock
 * (the whole order, and which primitive to use when: runtime/HACKING.md). */
struct mutex {
	_Atomic uint32_t key; /* 0 unlocked, 1 locked, 2 locked with waiters */
};
void lock(struct mutex *l);
void unlock(struct mutex *l);

/* A lock for critical sections of a few dozen instructions that never
 * block (channel locks): unlocking is a plain release store, where the
 * futex mutex needs an atomic exchange to learn whether someone sleeps. A
 * waiter spins briefly, then naps 20 us at a time (timed futex waits that
 * no unlock wakes): lock_futex.c, spin_lock_slow. */
struct spinlock {
	_Atomic uint32_t key; /* 0 unlocked, 1 locked */
};
void spin_lock_slow(struct spinlock *l);
static inline void spin_lock(struct spinlock *l)
{
	uint32_t z = 0;
	if (__builtin_expect(atomic_compare_exchange_strong_explicit(&l->key, &z, 1, memory_order_acquire,
								     memory_order_relaxed), 1))
		return;
	spin_lock_slow(l);
}
static inline void spin_unlock(struct spinlock *l)
{
	atomic_store_explicit(&l->key, 0, memory_order_release);
}

/* A one-shot event for parking an M (Go's note). */
struct note {
	_Atomic uint32_t key;
};
void noteclear(struct note *n);
void notewakeup(struct note *n);
void notesleep(struct note *n);
bool notetsleep(struct note *n, int64_t ns); /* false on timeout */

/* ---- G ----
 * Status values; the gdb and lldb scripts (tools/gdb/gort-gdb.py,
 * tools/lldb/gort_lldb.py) read them by name from the debug info, and fall
 * back to a copy of this order (_G_STATUS there): keep it in step.
 *   Gidle      just allocated, not yet initialised.
 *   Grunnable  on a run queue; not running; stack owned by nobody running.
 *   Grunning   may execute user code; owns its stack; has an M and a P.
 *   Gsyscall   in a blocking call (gort_entersyscall); has an M, not a P
 *              once sysmon retakes it.
 *   Gwaiting   parked (gopark); on some wait queue; readied by goready.
 *   Gdead      unused, on a free list (its stack may be kept).
 *   Gpreempted stopped by async preemption, waiting to be requeued.
 */
enum {
	Gidle,
	Grunnable,
	Grunning,
	Gsyscall,
	Gwaiting,
	Gdead,
	Gpreempted,
};

/* Why a G waits (Go's waitReason); printed by tracebacks and by the gdb and
 * lldb scripts' goroutine lists, which read waitreason_strings from the
 * program (sched.c; no copy to keep in step). */
enum waitreason {
	waitNone,
	waitYield,
	waitSleep,
	waitChanSend,
	waitChanRecv,
	waitSelect,
	waitSelectNoCases,
	waitChanNil,
	waitChanNilRecv,
	waitIOWait,
	waitWaitGroup,
	waitMutex,
	waitLockOSThread,
	waitGoexitMain,
	waitPreempted,
	waitReasonCount,
};
struct m;
/* The C++ ABI's per-thread exception state (libstdc++, libc++abi:
 * __cxa_get_globals()): the stack of exceptions caught and not yet ended,
 * and how many are thrown and not yet caught. It belongs to the goroutine,
 * as errno does: gogo_switch moves it (sched.c). */
struct cxa_eh_globals {
	void *caughtExceptions;
	unsigned int uncaughtExceptions;
};
struct p;
struct sudog;
struct freestack;
struct timer;
struct timers;
struct tracebuf;

struct g {
	/* Kept within 192 bytes (the G slab's unit, see galloc): a parked
	 * goroutine costs its G plus one stack page (4096 + 192 bytes), which
	 * bench/idle compares with Go's bytes per goroutine.
	 *
	 * Laid out by when the fields are touched, so that a short goroutine's
	 * whole life touches two of the three cache lines. A G that waits long
	 * in a queue (bench spawn's million) is cold, and on another CPU than
	 * the one that made it when a thief runs it: each line it touches is
	 * a miss, a transfer between CPUs at worst.
	 * Line 1: what newproc writes and the run queues and directnext read
	 * first. Line 2: what starting, switching and ending a goroutine
	 * read and write. Line 3: what only some goroutines use (channels,
	 * locked threads, syscalls, the checkers), which goexit0 resets only
	 * where it was used. */
	struct g *schedlink;    /* run queue link (owner / sched.lock) */
	void (*fn)(void *);
	void *arg;
	uintptr_t gopc;         /* pc of the gort_go call that created it */
	uint32_t stackreq_kb;   /* requested stack size in KiB, rounded up; 0 = default
				 * (gort_go_stack's limit, 2^36 bytes, is 2^26 KiB) */
	/* Written by the owner, read by anyone (tracebacks, sysmon, gdb). */
	_Atomic uint32_t waitsince; /* waitclock when it last parked or entered a system
				     * call, 0 = unknown (sched.c: waitclock_now) */
	uintptr_t stack_lo;     /* lowest usable address (0: never ran) */
	int64_t goid;
	_Atomic uint32_t status;
	_Atomic uint32_t waitreason;

	/* Owner-only (the M running this G, or the scheduler holding it). */
	struct gobuf sched;     /* saved context while not running */
	uintptr_t stack_hi;     /* one past the highest usable address */
	struct m *m;            /* M running it, when running */
	struct m *lockedm;      /* gort_lockosthread */
	int saved_errno;        /* errno while switched out */
	bool preempt;           /* asked to yield at the next chance */
	bool preempt_global;    /* requeue on the global queue when yielding */
	/* Owner-only bits (written by the M that runs the G only: a byte
	 * shared by bit-fields is written whole). */
	bool exiting : 1;       /* in gort_goexit1: its stack is about to be freed */
	bool stack_own : 1;     /* its stack is a mapping of its own (a size other than the
				 * default): [stack_lo - stackguard_size, stack_hi) */
	uint8_t iobrun;         /* its batched calls since it last waited (gopark; iobatch.c
				 * IOBRUN; owner-only) */

	void *param;            /* passed by the waker (chan.c) */
	int lockedcount;        /* nonzero only while lockedm is set */
	int32_t syscallnest;    /* gort_entersyscall nesting */
	int64_t obswhen;        /* block profile on: nanotime it parked, 0 none (metrics.c) */
	uint32_t vg_stackid;    /* valgrind's id for the stack (checkers.c) */
	uint32_t cxa_uncaught;  /* C++ programs: uncaught exceptions while switched out */
	struct ancestors *ancestors; /* GODEBUG=tracebackancestors: its creators' stacks
				      * (proc.c); the block stays with the G for its next lives */
	void *cxa_caught;       /* C++ programs: the caught-exception stack while switched out */
	union {                 /* a build has one sanitizer at most (checkers.c) */
		void *asan_fakestack; /* AddressSanitizer's fake stack while switched out */
		void *tsan_fiber;     /* ThreadSanitizer's fiber for this G */
	};

	/* Under allglock: the list of all Gs ever made (dead ones included). */
	struct g *alllink;
};
_Static_assert(sizeof(struct g) <= 192, "struct g outgrew its 192-byte slab unit");
_Static_assert(offsetof(struct g, waitreason) < 64, "struct g's first line outgrew 64 bytes");
_Static_assert(offsetof(struct g, iobrun) < 128, "struct g's second line outgrew 64 bytes");

/* ---- M ---- */
struct m {
	/* Owner-only. */
	struct g *g0;           /* scheduling stack */
	struct g *curg;         /* current user G, or NULL */
	struct p *p;            /* attached P, or NULL */
	struct p *nextp;        /* P to take when woken */
	struct p *oldp;         /* P held before a syscall */
	int64_t id;
	int64_t parknow;        /* nanotime the parking G just read (gosleep), or 0: mcall_direct's timer check */
	struct g *prevg;        /* the last G this M switched away from (gogo_switch's prefetch); only compared */
	int *errnop;            /* this thread's errno slot */
	struct cxa_eh_globals *cxaglobals; /* this thread's C++ exception state (libstdc++'s
				 * __cxa_get_globals()), NULL in a program without C++ */
	pid_t tid;
	bool spinning;          /* looking for work */
	uint32_t fastrand[2];
	void *gsignal_stack;    /* sigaltstack for this thread */
	int32_t sigdepth;       /* the program's signal handlers running here (hooks);
				 * may be stale: read it through insighandler() */
	uintptr_t sigsp;        /* the outermost one's trampoline frame (signal_linux.c) */
	bool needaltstack;      /* install one at the next schedule (m0) */
	struct g *lockedg;      /* gort_lockosthread */
	int (*switchf)(struct g *, void *); /* run on g0 after a G switched out */
	void *switcharg;
	struct g *switchg;
	struct note park;       /* where an idle M sleeps */
	struct g *nextg;        /* locked G handed over by startlockedm */
	void (*mstartfn)(void); /* run instead of schedule (sysmon) */
	uintptr_t pthread;      /* pthread_t */

	/* Under sched.lock. */
	struct m *schedlink;    /* idle M list */
	/* Written once, read by anyone. */
	struct m *alllink;      /* all Ms (tracebacks, gdb) */
	_Atomic uint32_t blocked; /* in notesleep, for schedtrace */
	_Atomic int32_t preemptgen; /* async preemption requests (signal_linux.c) */
	_Atomic uint32_t insyscall; /* 1 while curg is in a syscall */
	/* Written by the owner, read by the trace writer (trace.c). */
	struct tracebuf *tracebuf;  /* its trace events (tracebuf.c), or NULL */
	/* sysblock.c: a blocking call sysmon asked this M's thread to re-issue
	 * without its P. sbstate: SB_ASKED set by sysmon after sbnr/sbargs
	 * (SB_BLIND without them: the handler writes them), SB_ARMED by the
	 * thread's SIGURG handler, cleared by the thread. */
	_Atomic uint32_t sbstate;
	long sbnr;
	uintptr_t sbargs[6];
	/* sysmon's descriptor of /proc/self/task/TID/syscall for this thread,
	 * plus one (0: none yet). sysmon only (and fork's child). */
	int sbprobefd1;
};

/* ---- P ---- */
/* Pidle: no M, on the idle list. Prunning: owned by an M running user code
 * or the scheduler. Psyscall: its M is in a system call; sysmon or a
 * stopping world may take it (CAS). Pgcstop: stopped by stoptheworld or not
 * yet started. Pdead: beyond GOMAXPROCS; kept for readers of old allp.
 * The gdb and lldb scripts (tools/) read these by name, and fall back to a
 * copy of this order (_P_STATUS there): keep it in step. */
enum { Pidle, Prunning, Psyscall, Pgcstop, Pdead };

#define RUNQSIZE 256
#define GFREECACHE 256 /* a P's free G cache; half moves to or from the global list */
#define STACK_PCACHE 32 /* a P's free stack cache (stack.c); half moves to or from the global pool */
#define MAXPROCS 1024   /* GOMAXPROCS's upper bound */

/* Laid out by who writes (as struct schedt below): the thieves' CAS on
 * runqhead and runnext must not take away the line of what the owner
 * reads at every switch (schedtick, its timers), and P1 must not share a
 * line with P0's tail (they are neighbours in the boot arena). With
 * schedtick beside runqhead and P0's timers pointer in P1's first line,
 * bench/sleepers spent 1.8x the CPU per sleep at GOMAXPROCS=2 that it
 * spent at 1: misses on pp->schedtick and pp->timers at every park. */
struct p {
	/* The owner's, read by sysmon and stats now and then. */
	_Alignas(64) int32_t id;
	_Atomic uint32_t status;
	struct m *m;                 /* owning M, or NULL */
	struct p *link;              /* idle P list, under sched.lock */
	uint32_t schedtick;          /* incremented on every schedule */
	_Atomic uint32_t syscalltick;/* incremented on every syscall */
	int64_t sysmonwhen;          /* sysmon's view: when schedtick last changed */
	uint32_t sysmontick;
	int64_t sysblockwhen;        /* sysmon's last /proc probe of this P's M (sysblock.c) */
	uint32_t sysmonsyscalltick;
	/* The local run queue: a lock-free ring. runqhead is advanced by
	 * consumers (owner and thieves, CAS), runqtail only by the owner. */
	_Alignas(64) _Atomic uint32_t runqhead;
	_Atomic uint32_t runqtail;
	struct g *_Atomic runq[RUNQSIZE];
	/* A G readied by the current G that runs next, inheriting the time
	 * slice (Go's runnext). Set by the owner, stolen by CAS. */
	struct g *_Atomic runnext;
	/* Bumped by the owner at every runnext store, so that a thief that
	 * waited can tell "the same G is still there" from "the same G is
	 * there again" (in a ping-pong the two alternate in runnext). */
	_Atomic uint32_t runnextgen;
	/* Owner-only caches (nglive and timers are read by others). */
	_Alignas(64) int64_t goidcache, goidcacheend; /* goroutine ids taken from sched.goidgen */
	_Atomic int64_t nglive;      /* goroutines born minus died here (owner writes, anyone reads) */
	struct g *gfree[GFREECACHE]; /* dead Gs (no stack), a stack: gfree[gfreecnt - 1] is next */
	int32_t gfreecnt;
	int32_t nstackcache;
	struct freestack *stackcache[STACK_PCACHE]; /* free default-size stacks: [0, nstackcache), newest last */
	struct timers *timers;       /* this P's timer heap (time.c) */
	struct iobatch *iob;         /* socket calls gathered for one io_uring_enter (iobatch.c) */
};
_Static_assert(_Alignof(struct p) == 64 && sizeof(struct p) % 64 == 0, "struct p: whole cache lines");

/* ---- the boot arena ----
 * What every program touches at boot, kept together so that it costs as
 * few page faults as possible: P0, the first allp array and the first G
 * structures (goroutine 1 among them). It lies among the rest of the
 * runtime's hot .bss (COLDBSS keeps the cold tables out of the way). */
#define BOOTPROCS 64
struct bootarena {
	struct p *allp[BOOTPROCS];
	char gslab[4096 - BOOTPROCS * sizeof(void *)] __attribute__((aligned(64)));
	struct p p0;
	struct p p1; /* the second P of a 2-CPU machine: no mmap at boot */
};

/* ---- the scheduler's global state (Go's schedt) ---- */

/* A growable ring of G pointers (gqueue.c), under sched.lock. */
struct gqueue {
	struct g **buf;
	uint64_t head, tail;
	uint64_t cap;
};
void gq_push(struct gqueue *q, struct g *gp);
void gq_pushn(struct gqueue *q, struct g *const *gs, uint32_t n);
uint32_t gq_popheadn(struct gqueue *q, struct g **out, uint32_t n);
uint32_t gq_poptailn(struct gqueue *q, struct g **out, uint32_t n);
void gq_clear(struct gqueue *q);
static inline uint64_t gq_len(const struct gqueue *q) { return q->tail - q->head; }

struct schedt {
	/* Grouped by who writes and who reads, one cache line each (as Go
	 * pads its hot shared words): a word every goroutine creation or
	 * switch reads must not share a line with the lock, which moves
	 * between CPUs at every acquisition (npidle beside the lock cost a
	 * miss in each newproc's wakep while another P took the lock). */

	/* The lock and what it protects. */
	struct mutex lock;
	struct m *midle;
	int32_t nmidle;
	int32_t nmsys;          /* Ms that do not count (sysmon) */
	int64_t mnext;          /* next M id; also the number of Ms made */
	int64_t mgone;          /* Ms left behind by fork (fork.c): mcount = mnext + 1 - mgone */
	struct p *pidle;
	struct gqueue runq;            /* global run queue (FIFO) */
	_Atomic int32_t runqsize;      /* its length; read racily as a hint */
	struct gqueue gfree;           /* global free Gs (LIFO: the warmest first) */
	int32_t gomaxprocs;            /* read racily by stats */
	int32_t nmidlelocked;          /* Ms waiting for their locked G */
	int32_t stopwait;              /* Ps still to stop */

	/* Read by every wakep (each creation and wake-up); written when a P
	 * goes idle or an M starts or stops spinning. */
	_Alignas(64) _Atomic int32_t npidle;
	_Atomic int32_t nmspinning;

	/* Read at every switch and schedule, written rarely. */
	_Alignas(64) _Atomic uint32_t gcwaiting; /* stop the world (GOMAXPROCS changes) */
	bool multip;                   /* more than one P: thieves exist (runq.c); procresize, stopped world */
	int32_t maxmcount;
	bool mainexited;               /* main called gort_goexit */
	_Atomic bool deadrecheck;      /* checkdead deferred (threads gort did not create): sysmon asks again */
	bool gomaxprocs_fromenv;       /* GOMAXPROCS was set */

	/* Counters and sysmon's state, written by any thread now and then. */
	_Alignas(64) _Atomic int64_t goidgen;
	_Atomic int64_t ngsys;         /* system goroutines (not counted) */
	_Atomic int64_t nglive;        /* goroutines alive (not dead), with the Ps' counts (nglive_total) */
	_Atomic uint32_t sysmonwait;
	_Atomic int64_t lastpoll;
	_Atomic int64_t pollUntil;     /* when the M blocked in netpoll wakes, 0 = none */
	struct note stopnote;
	struct note sysmonnote;
};

/* ---- the current G ----
 * The libc owns the thread pointer (%fs); gort keeps the current G in a
 * thread-local slot of its own (defined in proc.c). Accessed through asm
 * volatile so that the compiler never caches the slot's address across a
 * switch to another thread (a G may resume on another M). */
extern __thread struct g *gort_tls_g;
/* Runtime mutexes (lock()) this thread holds: sysblock.c never makes a
 * thread that holds one wait for a P. Written by its own thread only. */
extern __thread int32_t gort_rt_locks;
static inline struct g *getg(void)
{
	struct g *gp;
	__asm__ volatile("movq %%fs:gort_tls_g@tpoff, %0" : "=r"(gp));
	return gp;
}
static inline void setg(struct g *gp)
{
	__asm__ volatile("movq %0, %%fs:gort_tls_g@tpoff" : : "r"(gp) : "memory");
}
static inline struct m *getm(void)
{
	struct g *gp = getg();
	return gp ? gp->m : NULL;
}

/* ---- types of later sections ---- */

/* debugvars.c parses GODEBUG into this; the runtime's copy is `debug` (proc.c). */
struct debugvars {
	int32_t inittrace;
	int32_t boottrace;
	int32_t schedtrace;    /* ms, 0 = off */
	int32_t scheddetail;
	int32_t asyncpreemptoff;
	int32_t gorthooks;     /* 1 = libc call hooks on (issue: unchanged C code) */
	int32_t tracebackancestors;
	int32_t spinpark;      /* us an idle spinning M watches before it parks (findrunnable) */
	int32_t sysblockoff;   /* 1: sysmon does not take Ps from unknown blocking calls */
	int32_t iouringoff;    /* 1: no io_uring (cold file reads go to the blocking pool; no iobatch) */
	int32_t iobatch;       /* 0: a busy P's socket reads and writes are each a system call (iobatch.c) */
	int32_t waitshift;     /* test-only: tracebacks count every wait S seconds longer */
	int32_t netdns;        /* name lookups: 0 default, 1 go (the same), 2 cgo: always the libc's (dnsclient.c) */
};

/* args.c: what the kernel handed over */
struct auxinfo {
	uintptr_t pagesz, random, execfn, hwcap, hwcap2, secure, sysinfo_ehdr;
	uintptr_t phdr, phnum, phent, base, entry, clktck, platform, uid, euid, gid, egid;
	bool have_random, have_pagesz;
};

/* cpuflags.c */
struct cpuinfo {
	char vendor[13];
	uint32_t family, model, stepping;
	bool sse2, sse3, ssse3, sse41, sse42, popcnt, avx, avx2, bmi2, fsgsbase, erms, prefetchw;
	bool intel, amd;
};

/* time.c: per-P timer heaps (Go 1.14's design) */
struct timer {
	int64_t when;             /* nanotime when it fires */
	int64_t period;           /* > 0: fire again every period */
	void (*f)(void *arg, int64_t now); /* runs on g0 with a P; must not block */
	void *arg;
	struct p *pp;             /* heap it is on, or NULL; under pp->timers->lock */
	int32_t idx;              /* index in that heap */
	_Atomic int running;      /* periodic: how many Ms run f (deltimer waits for 0) */
};

/* dwarfline.c: a source position: path parts joined by '/' (NULL parts
 * skipped), line. */
struct srcpos {
	const char *part[3];
	uint32_t line;
};

/* ---- symbols the linker defines (ldscripts/gort.ld, ld's defaults) ----
 * Weak: a program linked without them (no record, no script) sees NULL. */
extern const struct gort_inittask __start_gort_inittask[] __attribute__((weak));
extern const struct gort_inittask __stop_gort_inittask[] __attribute__((weak));
extern const struct gort_inittask __start_gort_rtinittask[] __attribute__((weak));
extern const struct gort_inittask __stop_gort_rtinittask[] __attribute__((weak));
extern char __start_gort_text[] __attribute__((weak));    /* the runtime's code */
extern char __stop_gort_text[] __attribute__((weak));
extern char __start_gort_systext[] __attribute__((weak)); /* the libc's, static links */
extern char __stop_gort_systext[] __attribute__((weak));
extern char __executable_start[] __attribute__((weak));
extern char etext[] __attribute__((weak));

/* The runtime's own init tasks run before the program's, in section
 * gort_rtinittask. */
#define GORT_RTINIT(name, fn)                                                     \
	__attribute__((used, section("gort_rtinittask"), aligned(8)))             \
	const struct gort_inittask gort_rtinittask__##name = {"runtime." #name, fn, NULL, __FILE__, __LINE__}

/* ---- asm_amd64.S (the switch: also above, with struct gobuf) ---- */
void gort_asyncpreempt2(uintptr_t *regs); /* called by gort_asyncpreempt (signal_linux.c) */
void gort_sigreturn(void);      /* the restorer of the runtime's signal handlers */

/* ---- reloc.c ---- */
void reloc_self(uintptr_t *auxv); /* static-PIE only: before anything reads a pointer */

/* ---- proc.c: the boot path, goroutine 1, the life of a G ---- */
extern struct bootarena bootarena;
extern struct m m0;
extern struct g g0;
extern struct g *allgs;        /* list through alllink, under allglock */
extern struct mutex allglock;
extern _Atomic int64_t allgcount;
extern struct debugvars debug;
extern int32_t gotraceback_level; /* 0 none, 1 single, 2 all, 3 system, 4 crash */
extern int64_t runtime_inittime;  /* nanotime at the entry */
/* The floating-point control state at the entry (g0m0init writes it once,
 * before any other thread): every M's g0 runs in it, whichever goroutine
 * made the M's thread, so a goroutine that starts on any M starts in it. */
extern uint32_t boot_mxcsr;
extern uint16_t boot_fpucw;
/* In Go's order. */
void rt0_go(uintptr_t *sp, void (*rtld_fini)(void));
void schedinit(void);
void runtime_main(void *);
void boottrace(const char *step); /* GODEBUG=boottrace=1 */
int64_t newproc(void (*fn)(void *), void *arg, size_t stacksize, uintptr_t callerpc);
int64_t nglive_total(void);
uint32_t fastrand(void);
void allgadd(struct g *gp);
void gfput(struct p *pp, struct g *gp);
void galloc_atfork(int phase);
_Noreturn void gort_goexit1(void); /* also the return address of a goroutine's fn (asm_amd64.S) */

/* ---- sched.c: the scheduler loop, Ms and Ps ---- */
extern struct schedt sched;
extern struct p **allp;        /* [gomaxprocs], replaced under sched.lock */
extern _Atomic int32_t allplen;
extern struct m *allm;         /* list through alllink, prepend-only */
extern bool scheduler_started; /* mstart ran on m0 */
extern _Atomic bool sysmon_started;
extern const char *const waitreason_strings[waitReasonCount];
/* GODEBUG=tracebackancestors (Go's ancestorInfo, proc.c save_ancestors):
 * one malloc'd block per G, reused while large enough. a[0] is the
 * creator, a[1] the creator's creator...; each one's pcs are
 * pcs[first, first + npcs), the pcs following a[n]. Read by tracebacks
 * (traceback.c), which check every bound against size. */
struct ancestor {
	int64_t goid;    /* the creator's id when it called gort_go */
	uintptr_t gopc;  /* where the creator itself was created */
	uint32_t first, npcs;
};
struct ancestors {
	size_t size;     /* bytes in the block */
	uint32_t n;      /* ancestors recorded, at most debug.tracebackancestors */
	struct ancestor a[];
};
static inline uintptr_t *ancestors_pcs(struct ancestors *an) { return (uintptr_t *)&an->a[an->n]; }

/* The wait clock (Go's g.waitsince, sched.c): nanotime in units of 2^26 ns
 * (67 ms), never 0; sysmon keeps waitclock current, gopark and entersyscall
 * copy it into g->waitsince. 0 until sysmon starts (unknown). */
#define WAITCLOCK_SHIFT 26
extern _Atomic uint32_t waitclock;
static inline uint32_t waitclock_of(int64_t ns)
{
	uint32_t c = (uint32_t)((uint64_t)ns >> WAITCLOCK_SHIFT);
	return c ? c : 1;
}
void mstart(void) __attribute__((noreturn));
void schedule(void) __attribute__((noreturn));
void gopark(int (*unlockf)(struct g *, void *), void *lock, enum waitreason reason);
void goready(struct g *gp, bool next);
bool wakenext(void); /* a timer readies a G: into runnext? (sched.c) */
/* goready_fromsignal: goready for a program's signal handler (chan.c's
 * trysend there): async-signal-safe, a lock-free push and a netpollbreak;
 * the scheduler (findrunnable, sysmon) makes gp runnable. */
void goready_fromsignal(struct g *gp);
void sigready_drain(void);
void gopreempt(void);
void injectglist(struct g *list);
void procresize(int32_t nprocs);
void wakep(void);
void startm(struct p *pp, bool spinning);
void handoffp(struct p *pp);
struct p *pidleget(void);
void pidleput(struct p *pp);      /* caller holds sched.lock */
void checkdead(void);             /* caller holds sched.lock */
void stoptheworld(void);          /* in a goroutine */
void starttheworld(int32_t nprocs);
void worldsema_forkchild(void);     /* fork.c, in the child */
void acquirep_m0(void);
void gomaxprocs_refine(void);
struct m *newm(void (*fn)(void), struct p *pp, bool spinning);
void mcall_switch(int (*fn)(struct g *, void *), void *arg);
void mcall_direct(int (*fn)(struct g *, void *), void *arg, bool exiting);
void gort_gostart1(void);
void entersyscall(void);
void exitsyscall(void);

/* ingoroutine: the caller is a user goroutine with a P, so it may park.
 * False before the scheduler starts (C constructors), on g0 and on
 * threads gort did not create: there the API falls back to the thread. */
static inline bool ingoroutine(void)
{
	if (!scheduler_started) return false;
	struct g *gp = getg();
	return gp && gp->m && gp != gp->m->g0 && gp->m->p;
}

/* preemptcheck: at the entry of the API calls a goroutine may make in a
 * tight loop (gort_nanotime, gort_goid, gort_chan_len/cap, the try forms
 * of send and receive), yield if sysmon asked, as Go's function prologues
 * do. Asynchronous preemption never stops a goroutine inside the runtime,
 * and a loop that is mostly runtime calls was rarely caught outside one;
 * in a plain static program (no asynchronous preemption) it never was.
 * The fast path is a TLS load and a byte test. */
void preemptcheck_slow(struct g *gp);
static inline void preemptcheck(void)
{
	if (!scheduler_started) return;
	struct g *gp = getg();
	if (__builtin_expect(gp != NULL && gp->preempt, 0)) preemptcheck_slow(gp);
}

/* ---- runq.c ---- */
void globrunqput(struct g *gp);
void globrunqputbatch(struct g *const *gs, int32_t n);
struct g *globrunqget(struct p *pp, int32_t max);
void runqput(struct p *pp, struct g *gp, bool next);
struct g *runqget(struct p *pp, bool *inherit);
bool runqempty(struct p *pp);
struct g *runqsteal(struct p *pp, struct p *p2, bool stealnext);
void runqdrain(struct p *pp);

/* ---- cpuflags.c ---- */
extern struct cpuinfo cpu;
void cpuinit(void);
void cpu_detect(void);

/* prefetch_write asks for the line at p in a state that lets this CPU
 * write it (PREFETCHW, where the CPU has it): a line another CPU wrote last
 * (a G made on one P and run on another) then comes over once, where a
 * plain prefetch brings a shared copy and the first store asks again.
 * __builtin_prefetch(p, 1) emits PREFETCHW only when the compiler may
 * assume it (-mprfchw); the baseline x86-64 build may not. */
static inline void prefetch_write(const void *p)
{
	if (cpu.prefetchw) __asm__ volatile("prefetchw %0" : : "m"(*(const char *)p));
	else __builtin_prefetch(p, 1);
}

/* prefetch_frames asks for the first `lines` lines above gp's saved sp:
 * what gort_swapctx pops and the functions it returns to read when gp
 * resumes. Never above the stack's top (the next slot's guard: a page
 * walk that finds no page is never cached, and would be paid at every
 * call), and for a G whose first run is next (its sp the stack's top, pc
 * gort_gostart) only the line its first frame is popped from. Used by
 * gogo_switch for the G it switches to and by runqget for the Gs behind
 * it; the loads are relaxed because runqget's G may be running elsewhere
 * meanwhile (a stale sp costs a useless prefetch; Gs are never freed). */
static inline void prefetch_frames(const struct g *gp, int lines)
{
	const char *sp = (const char *)__atomic_load_n(&gp->sched.sp, __ATOMIC_RELAXED);
	if (!sp) return;
	if (__atomic_load_n(&gp->sched.pc, __ATOMIC_RELAXED) == (uintptr_t)gort_gostart) {
		__builtin_prefetch(sp - 64);
		return;
	}
	const char *hi = (const char *)__atomic_load_n(&gp->stack_hi, __ATOMIC_RELAXED);
	for (int i = 0; i < lines && sp + 64 * i < hi; i++) __builtin_prefetch(sp + 64 * i);
}

/* ---- selfcheck.c ---- */
void check(void);

/* ---- args.c ---- */
extern int gort_argc;
extern char **gort_argv;
extern char **gort_envp;
extern uintptr_t *gort_auxv;
extern struct auxinfo auxv_info;
extern const char *executable_path;
void args(int argc, char **argv, char **envp, uintptr_t *auxv);
/* parse_auxv is pure: fills *ai from the vector, returns the entry count. */
size_t parse_auxv(const uintptr_t *auxv, struct auxinfo *ai);
/* gogetenv searches the environment handed to the process (not the libc's
 * copy, which may not exist yet). */
const char *gogetenv(const char *name);
/* envp_after finds envp (and after it auxv) after an argv vector. */
char **envp_after(char **argv, int argc);

/* ---- os_linux.c ---- */
extern int32_t ncpu;
extern uintptr_t physpagesize;
extern uintptr_t stack_rlimit;   /* RLIMIT_STACK soft limit, capped */
extern bool stack_rlimit_kernel; /* stack_rlimit is the limit the kernel grows the process's
				  * stack to (not unlimited, capped or raised): written by osinit */
extern bool have_madv_guard;
extern bool libc_is_ready;       /* set by libc_ready (proc.c): clock_gettime may be used */
void osinit(void);
int32_t getproccount(void);
bool ncpu_refine(void);
int32_t cgroup_cpu_limit(int32_t n); /* caps n by cpu.max; pure syscalls */
int64_t nanotime(void);
int64_t walltime(void);
void osyield(void);
void usleep_raw(int64_t us);
pid_t gettid_raw(void);
void futexsleep(_Atomic uint32_t *addr, uint32_t val, int64_t ns);
void futexwakeup(_Atomic uint32_t *addr, uint32_t cnt);

/* raw syscalls usable before the libc is initialised (sys_linux_amd64.h) */
#include "sys_linux_amd64.h"

/* ---- print.c: output that never allocates and never takes a lock, usable
 * in signal handlers and before the libc is ready ---- */
extern int printfd;              /* where print_* write, 2; under printlock */
void print_str(const char *s);
void print_int(int64_t v);
void print_uint(uint64_t v);
void print_hex(uint64_t v);
void print_flush(void);
void printf_raw(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void printlock(void);
void printunlock(void);
_Noreturn void throw(const char *s);
_Noreturn void fatal(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void warn_env(const char *var, const char *val, const char *used, void *ctx);
_Noreturn void exit_raw(int code);
/* A fatal error (throw, fatal, a crash) is being reported: fatal_begin
 * says so before the first byte; the exits of a returning main wait for it
 * (fatal_waitexit), so that its status 2 wins the race with main's 0. */
void fatal_begin(void);
void fatal_waitexit(void);

/* ---- debugvars.c: pure parsers, also used by unit tests and fuzzers ----
 * warn(name, value, used) is called for each ignored setting. */
typedef void (*warnfn)(const char *var, const char *val, const char *used, void *ctx);
void parse_godebug(const char *s, struct debugvars *d, warnfn warn, void *ctx);
int parse_gomaxprocs(const char *s, int32_t dflt, warnfn warn, void *ctx);
int parse_gotraceback(const char *s, int dflt, warnfn warn, void *ctx);
int64_t parse_size(const char *s); /* "64k", "8M", ...; -1 if malformed */

/* ---- inittask.c ----
 * order_inittasks is pure: writes a run order of the n tasks into order[]
 * (indices), using state[] (n bytes) as scratch. On a cycle returns -1 and
 * stores the tasks of the cycle in order[0..*ncycle). */
int order_inittasks(const struct gort_inittask *t, size_t n, uint32_t *order,
		    uint8_t *state, uint32_t *stack, size_t *ncycle);

/* ---- stack.c ---- */
extern size_t default_stacksize;
/* The g0 stack's size: the scheduler and signal-free runtime code only
 * (every M's thread stack; m0's part of the process's stack). */
enum { G0STACK = 256 << 10 };
/* newproc's stack size for goroutine 1 on the process's own stack (the
 * part stack_os_region found; stackreq_kb UINT32_MAX, far above
 * gort_go_stack's limit of 2^26 KiB). */
#define STACK_OS_REQ ((size_t)UINT32_MAX << 10)
uintptr_t stack_os_region(uintptr_t sp);
extern size_t stackguard_size;
bool stackalloc(struct g *gp, size_t size);
void stackfree(struct g *gp);
void stackinit(void);
void stackcache_flush(struct p *pp);
void stack_scavenge(void);
bool stack_isguard(struct g *gp, uintptr_t addr);
void stack_atfork(int phase);

/* ---- fork.c: pthread_atfork phases, passed to each file's atfork hook,
 * which takes (PREPARE) and releases (PARENT, CHILD) its own global lock and,
 * in the child, drops what belonged to the parent's other goroutines ---- */
enum { ATFORK_PREPARE, ATFORK_PARENT, ATFORK_CHILD };
void forkinit(void);

/* ---- checkers.c: valgrind, AddressSanitizer and ThreadSanitizer ---- */
extern bool checkers_vg;       /* running under valgrind: set by checkers_init at boot */
void checkers_init(void);
void checkers_vg_register(struct g *gp);
void checkers_vg_deregister(struct g *gp);
static inline bool checkers_valgrind(void) { return checkers_vg; }
static inline void checkers_stack_register(struct g *gp)
{
	if (unlikely(checkers_vg)) checkers_vg_register(gp);
}
static inline void checkers_stack_deregister(struct g *gp)
{
	if (unlikely(checkers_vg)) checkers_vg_deregister(gp);
}
void checkers_switch_begin(struct g *from, struct g *to);
void checkers_switch_end(struct g *self);
void checkers_tsan_switch(struct m *mp, struct g *to);
void checkers_tsan_exit(struct g *gp);
void checkers_tsan_minit(struct m *mp);
void gort_gostart_checkers(void);
/* Whether the program links a sanitizer runtime: weak references, resolved
 * (or not) at link time; inline because gogo_switch asks at every switch. */
extern void __sanitizer_start_switch_fiber(void **fake_stack_save, const void *bottom, size_t size)
	__attribute__((weak));
extern void __tsan_switch_to_fiber(void *fiber, unsigned flags) __attribute__((weak));
static inline bool checkers_asan(void) { return __sanitizer_start_switch_fiber != NULL; }
static inline bool checkers_tsan(void) { return __tsan_switch_to_fiber != NULL; }

/* raceacquire/racerelease (Go's names): the happens-before edges that gort's
 * synchronisation creates between goroutines (gort_go, channels, mutexes,
 * WaitGroups), told to ThreadSanitizer, which cannot see the runtime's own
 * (uninstrumented) atomics and futexes. No-ops without -fsanitize=thread. */
extern void __tsan_acquire(void *addr) __attribute__((weak));
extern void __tsan_release(void *addr) __attribute__((weak));
static inline void raceacquire(void *addr)
{
	if (__tsan_acquire) __tsan_acquire(addr);
}
static inline void racerelease(void *addr)
{
	if (__tsan_release) __tsan_release(addr);
}

/* ---- time.c ---- */
bool pp_has_timers(struct p *pp);
void timers_foreach(void (*fn)(struct timer *t, void *ctx), void *ctx);
int64_t timers_check(struct p *pp, int64_t now); /* runs due timers; next when or 0 */
int32_t timers_len(struct p *pp);                 /* scheddetail's timerslen */
int64_t timers_steal(struct p *pp, struct p *victim, int64_t now); /* -1 if ran some */
/* when_after: the absolute time ns from now, at most INT64_MAX (Go's
 * when() and maxWhen): a huge duration is "never", not a wrapped past. */
static inline int64_t when_after(int64_t ns)
{
	int64_t now = nanotime();
	if (ns <= 0) return now;
	return ns > INT64_MAX - now ? INT64_MAX : now + ns;
}
/* sec_to_ns: seconds and nanoseconds (a timespec, a timeval's), saturated. */
static inline int64_t sec_to_ns(int64_t sec, int64_t nsec)
{
	if (sec >= INT64_MAX / 1000000000LL - 1) return INT64_MAX;
	return sec * 1000000000LL + nsec;
}
int64_t timers_next(struct p *pp);
int64_t timers_earliest(void);
void timers_move(struct p *from, struct p *to);
void timers_forkchild(struct p *pp); /* drops timers of goroutines (sleeps, deadlines) */
void timers_atfork(int phase);         /* every P's timers lock, around fork */
void addtimer(struct timer *t);
bool deltimer(struct timer *t);

/* ---- netpoll.c: the epoll-based network poller (more in netpoll.h) ---- */
bool netpoll_inited(void);
bool netpoll_init(void); /* false: no descriptors left (EMFILE...): the sleep fallback, retried later */
bool netpoll_init_idle(void); /* netpoll_init for an idle M: no retry after a refusal */
bool netpoll_add_ring(int fd); /* uring.c: the ring descriptor, reaped by netpoll */
struct g *netpoll(int64_t delay_ns); /* list of ready Gs through schedlink */
void netpollbreak(void);
void netpollbreak_if_blocked(void);
int64_t netpoll_waiters(void);
void netpoll_atfork(int phase);

/* ---- sysmon.c ---- */
void sysmon_start(void);

/* ---- signal_linux.c ---- */
void initsig(void);
void initsig_preempt(void);
void saveinitmask(void);
void minitsignals(struct m *mp);
void preemptone(struct p *pp);
/* insighandler: gp's thread is running one of the program's signal
 * handlers (m->sigdepth), one that has not left by siglongjmp. */
bool insighandler_slow(struct g *gp);
static inline bool insighandler(struct g *gp)
{
	return __builtin_expect(gp->m->sigdepth != 0, 0) && insighandler_slow(gp);
}

/* ---- traceback.c ---- */
void traceback_g(struct g *gp, int fd, bool current);
void traceback_all(int fd, struct g *cur);
void traceback_ctx(struct g *gp, const void *uc); /* a signal's context (ucontext_t) */
void print_frames(uintptr_t pc, uintptr_t sp, uintptr_t bp, uintptr_t stack_lo, uintptr_t stack_hi);
bool pc_in_runtime(uintptr_t pc);

/* ---- stdio.c: the libc's stdio parks only the goroutine ---- */
void stdio_init(void); /* runtime_main, before the init tasks */

/* ---- sysblock.c: unknown blocking calls lose their P ---- */
void sysblock_init(void);                            /* sysmon, at its start */
bool sysblock_probe(struct p *pp, int64_t now, int64_t sincetick); /* sysmon */
void sysblock_forkchild(struct m *all);              /* fork's child: the Ms' probe descriptors */
bool sysblock_signal(struct g *gp, void *ctx);       /* SIGURG handler: a ucontext_t */
bool sysblock_reissue(uintptr_t *regs);              /* gort_asyncpreempt2 */

/* ---- symtab.c: the executable's ELF symbols ---- */
/* exe_image: the executable's file image mapped read-only, for
 * dwarfline.c; false if it could not be mapped. */
bool exe_image(const char **base, size_t *size, uintptr_t *bias);
const char *funcname(uintptr_t pc, uintptr_t *off); /* NULL if unknown */
long mapname(uintptr_t pc, char *buf, size_t bufsize);
/* blockpool.c: a bounded thread pool for blocking file calls */
long blockpool_syscall(long nr, long a0, long a1, long a2, long a3, long a4, long a5);
long blockpool_direct(long nr, long a0, long a1, long a2, long a3, long a4, long a5);
void blockpool_call(void (*fn)(void *), void *arg);
int64_t blockpool_pending(void);
int32_t blockpool_threads(void);
void blockpool_forkchild(void);
int32_t blockpool_max(void);

/* uring.c: cold file reads through io_uring */
struct iovec;
bool uring_read(int fd, const struct iovec *iov, int niov, int64_t off, long *ret);
struct g *uring_reap(struct g *list);
int32_t uring_inflight(void);
void uring_forkchild(void);

/* iobatch.c: a busy P's socket and pipe calls in one io_uring_enter */
struct pollDesc;
bool iobatch_rw(struct pollDesc *pd, const struct iovec *iov, int n, int flags, bool wr, long *ret);
bool iobatch_would(void);
void iobatch_flush(struct p *pp);
bool iobatch_pending(struct p *pp);
void iobatch_forkchild(void);
/* g_ioready: gp, runnable, was readied from an I/O wait (the netpoller,
 * a batch, a ring or the blocking pool): its wait reason stays until it
 * runs (gopark clears it on return). Such a G may run while its P's batch
 * waits; another makes the batch go first (execute, directnext). */
static inline bool g_ioready(struct g *gp)
{
	return atomic_load_explicit(&gp->waitreason, memory_order_relaxed) == waitIOWait;
}
void symtab_preload(void); /* sysmon_start: map the executable while its path opens */

/* ---- dwarfline.c ---- */
bool pcline(uintptr_t pc, struct srcpos *pos);

#endif /* GORT_RUNTIME_H */
