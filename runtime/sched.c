/* sched.c: the scheduler (Go's proc.go): the g0 loop, finding work, Ms and
 * Ps, park and ready, system calls, stopping the world and GOMAXPROCS.
 *
 * The loop. Every M runs schedule() on its g0 stack, forever:
 *
 *     for (;;) { gp = findrunnable(); execute(gp); run m->switchf(gp); }
 *
 * execute() switches to gp; when gp stops running (yield, park, exit,
 * preemption) it sets m->switchf and hands its M to whoever runs next: g0,
 * or, when its P has a G ready, that G directly (mcall_direct: one switch
 * instead of two, and no pass through findrunnable). Whoever runs next
 * finishes the job first thing, off gp's stack: puts gp on a run queue,
 * releases the lock gp parked under, frees gp and its stack. A G therefore
 * never touches a run queue or a wait queue while still running on its own
 * stack, which is what lets another M pick it up the moment it is
 * published.
 *
 * Spinning (Go's design comment, "Worker thread parking/unparking"): an M
 * looking for work is "spinning"; at most GOMAXPROCS/2 spin at once, and
 * whoever makes work available (newproc, goready) wakes an idle M only if
 * no M is spinning (wakep). A spinning M that finds work wakes another
 * (resetspinning), so bursts spread across idle Ps without a thundering herd.
 *
 * Locking: sched.lock protects the idle M and P lists, the global run queue
 * and free-G list, and stop-the-world state. P status changes from Psyscall
 * are CASes (sysmon and exitsyscall race for the P).
 *
 * Rejected: a dedicated scheduler thread (an extra switch per wake-up);
 * direct G-to-G switches that finish the job before the switch, on the
 * dying or parking G's own stack (the G would be published while its
 * stack is still in use). */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include "runtime.h"
#include "trace.h"

struct schedt sched;
struct p **allp;
_Atomic int32_t allplen;
struct m *allm;
bool scheduler_started;
_Atomic bool sysmon_started;

const char *const waitreason_strings[waitReasonCount] = {
	[waitNone] = "",
	[waitYield] = "yield",
	[waitSleep] = "sleep",
	[waitChanSend] = "chan send",
	[waitChanRecv] = "chan receive",
	[waitSelect] = "select",
	[waitSelectNoCases] = "select (no cases)",
	[waitChanNil] = "chan send (nil chan)",
	[waitChanNilRecv] = "chan receive (nil chan)",
	[waitIOWait] = "IO wait",
	[waitWaitGroup] = "sync.WaitGroup.Wait",
	[waitMutex] = "sync.Mutex.Lock",
	[waitLockOSThread] = "locked to thread",
	[waitGoexitMain] = "main goexit",
	[waitPreempted] = "preempted",
};

/* Weak: defined only in a program that links a C++ ABI library. */
extern struct cxa_eh_globals *__cxa_get_globals(void) __attribute__((weak));

static void stopm(void);
static void gcstopm(void);
static struct g *findrunnable(bool *inherit);
static void execute(struct g *gp, bool inherit);

/* ---- the one goroutine switch ---- */

/* gogo_switch saves `from` and runs `to` on this M. Every switch in the
 * runtime goes through here: errno hand-over now, the C++ exception state
 * in a program that has one, sanitizer and valgrind stack annotations where
 * they are enabled (see README, "Checkers"). */
enum { SWITCH_PREFETCH_LINES = 6 };
static inline void gogo_switch(struct m *mp, struct g *from, struct g *to)
{
	/* The G resuming returns through its frames (gort_swapctx's pops,
	 * mcall_direct's, gopark's, its own: about 300 bytes): on a G that
	 * waited behind thousands, each line a cache miss, and each miss
	 * found only when the return before it has its address (pops were
	 * a third of bench/sleepers' samples). Asked for together, they
	 * overlap. Not for g0 nor for the G this M ran just before `from`
	 * (two goroutines that yield to or wake each other: their stacks are
	 * in the cache, and the prefetches cost 1.1 ns of a 20 ns yield).
	 * A G that never ran has no frames: its sp is its stack's top, and
	 * the lines above are the next slot's guard, where each prefetch
	 * walked the page tables for nothing (spawn 1,000 at P=1: 28% of
	 * the samples on it, median rep 108 -> 88 ns without); it gets the
	 * one line gort_swapctx pops its first frame from. Nor above the
	 * stack's top: a goroutine parked near its top (bench/sleepers:
	 * sp is 320 bytes under it) had its sixth prefetch land in the next
	 * slot's guard, a page walk that finds no page and so is never
	 * cached, at every switch to it. */
	if (to != mp->prevg && to != mp->g0) prefetch_frames(to, SWITCH_PREFETCH_LINES);
	if (from != mp->g0) mp->prevg = from;
	int *ep = mp->errnop;
	from->saved_errno = *ep;
	*ep = to->saved_errno;
	struct cxa_eh_globals *eh = mp->cxaglobals;
	if (eh) {
		/* A goroutine that parks inside a catch block and rethrows
		 * (`throw;`) after it resumed, on this thread or another, must
		 * find its own exception, not the thread's last one. */
		from->cxa_caught = eh->caughtExceptions;
		from->cxa_uncaught = eh->uncaughtExceptions;
		eh->caughtExceptions = to->cxa_caught;
		eh->uncaughtExceptions = to->cxa_uncaught;
	}
	setg(to);
	bool asan = checkers_asan();
	if (unlikely(asan)) checkers_switch_begin(from, to);
	if (unlikely(checkers_tsan())) checkers_tsan_switch(mp, to);
	gort_swapctx(&from->sched, &to->sched);
	/* `from` resumes here, possibly on another M, which set g already. */
	if (unlikely(asan)) checkers_switch_end(from);
}

/* switch_finish runs on a G that has just resumed: if the G that switched
 * to it directly (mcall_direct) left work for "after the switch", do it now,
 * on this stack, the previous G's being fully saved. */
static inline void switch_finish(void)
{
	struct m *mp = getm(); /* not the M we left from: we may have moved */
	if (mp->switchf) {
		int (*f)(struct g *, void *) = mp->switchf;
		mp->switchf = NULL;
		f(mp->switchg, mp->switcharg);
	}
}

/* mcall_switch stops the current G and runs fn(gp, arg) on its M's g0
 * (Go's mcall). fn decides gp's fate; when gp runs again, mcall_switch
 * returns. */
void mcall_switch(int (*fn)(struct g *, void *), void *arg)
{
	struct g *gp = getg();
	struct m *mp = gp->m;
	if (gp == mp->g0) throw("mcall_switch on g0");
	mp->switchf = fn;
	mp->switcharg = arg;
	mp->switchg = gp;
	gogo_switch(mp, gp, mp->g0);
	switch_finish();
}

/* gstart_prepare gives gp, which has never run, a stack and the first frame
 * gort_swapctx returns through into gort_gostart. The G starts with the
 * floating-point control state given: g0's, the entry's (allocm). */
static void gstart_prepare(struct g *gp, uint32_t mxcsr, uint16_t fpucw)
{
	size_t req = (size_t)gp->stackreq_kb << 10;
	if (!stackalloc(gp, req))
		fatal("out of memory allocating a %zu-byte goroutine stack (goroutine %ld)",
		      req ? req : default_stacksize, (long)gp->goid);
	memset(&gp->sched, 0, sizeof gp->sched);
	gp->sched.sp = gp->stack_hi & ~(uintptr_t)15;
	gp->sched.pc = (uintptr_t)gort_gostart;
	/* What gort_swapctx pops and returns through (runtime.h):
	 * r15, r14, r13, r12 = arg, rbx = fn, return address. */
	uintptr_t *frame = (uintptr_t *)(gp->sched.sp - GOBUF_PUSHED);
	frame[0] = frame[1] = frame[2] = 0;
	frame[3] = (uintptr_t)gp->arg;
	frame[4] = (uintptr_t)gp->fn;
	frame[5] = (uintptr_t)gort_gostart;
	gp->sched.mxcsr = mxcsr;
	gp->sched.fpucw = fpucw;
}

/* directnext picks the G that gp's M can switch to straight from gp (a park,
 * a yield or an exit), skipping the scheduler loop on g0, or returns NULL
 * when the loop has something to do first: this M or a G is locked to a
 * thread, the world is stopping, the global queue's turn has come (every
 * 61st tick, as findrunnable), or a timer of this P is due. A G that has
 * never run needs a stack: only an exiting G hands over to one, as
 * its own stack goes back to the P's cache right after the switch; a park
 * or a yield leaves it to execute. */
enum { TIMERSLACK = 50 * 1000 };
static struct g *directnext(struct m *mp, struct g *gp, bool *inherit, bool exiting, int64_t now)
{
	struct p *pp = mp->p;
	if (!pp || mp->lockedg || gp->lockedm || mp->needaltstack ||
	    atomic_load_explicit(&sched.gcwaiting, memory_order_relaxed) ||
	    (exiting && checkers_tsan()) /* its fiber is destroyed from g0's (checkers_tsan_exit) */)
		return NULL;
	if (pp->schedtick % 61 == 0 && atomic_load_explicit(&sched.runqsize, memory_order_relaxed) > 0)
		return NULL;
	/* A timer due sends the M through the scheduler on g0 (timers run
	 * there, after the park). Not for one due less than TIMERSLACK ago:
	 * on a busy P, where timers fall due between any two parks, going
	 * through g0 at every other park ran one or two timers each time
	 * (bench/sleepers at P=2: findrunnable at 52% of parks); waiting up
	 * to the slack gathers them, and the kernel gives a thread's sleeps
	 * the same slack (50 us: prctl(2) PR_SET_TIMERSLACK). */
	int64_t when = timers_next(pp);
	if (when && when + TIMERSLACK <= (now ? now : nanotime())) return NULL;
	struct g *next = runqget(pp, inherit);
	if (!next) return NULL;
	if ((!next->stack_lo && !exiting) || next->lockedm ||
	    /* A batch must go before a G I/O did not ready: on g0
	     * (execute), once the parking G, whose call may be in it, is
	     * parked. */
	    (unlikely(pp->iob != NULL) && !g_ioready(next) && iobatch_pending(pp))) {
		/* Back in front: runqget emptied runnext (only the owner fills
		 * it), so this cannot displace anything. */
		runqput(pp, next, true);
		return NULL;
	}
	if (!next->stack_lo) {
		/* The thread's control state is g0's: this G's may differ. */
		gstart_prepare(next, mp->g0->sched.mxcsr, mp->g0->sched.fpucw);
	}
	return next;
}

/* mcall_direct is mcall_switch for the park, yield and exit paths: when the
 * P has a G ready (a receiver just made runnable in runnext, the other
 * yielder, the next of a batch of new goroutines), it switches to that G
 * directly, and fn(gp, arg) runs there, first thing (switch_finish, or
 * gort_gostart1 in a G that starts), instead of on g0: one switch instead
 * of two and no pass through findrunnable. fn must be short, must not
 * block, and must not rely on running on g0 (park_m, gosched_m and goexit0
 * qualify: they publish or free gp, which is safe once gp's context is
 * saved and the M has left its stack). exiting: gp is ending (and may
 * hand over to a G that never ran: directnext). */
/* lone_yield: a yield with nothing else to run returns at once, without
 * the two switches through g0 that would only find gp again. Go's Gosched
 * puts gp on the global queue, and schedule runs the P's due timers, then
 * takes the local queue, then the global queue (gp itself): neither netpoll
 * nor stealing is reached. The same outcome without the round trip holds
 * when the P's own queue and the global queue are empty, no timer of the
 * P is due and nothing needs this M on g0 (a stop-the-world, a locked G,
 * a signal stack to install). Only the owner fills its queue and runnext,
 * so finding them empty here cannot miss a G this P must run; a G another
 * P queues meanwhile is the same race as its arriving just after the
 * yield. Called when directnext found nothing (so the busy case pays
 * nothing); the tick still counts, as in execute, for sysmon. */
static bool lone_yield(struct m *mp, struct g *gp)
{
	struct p *pp = mp->p;
	if (!pp || atomic_load_explicit(&pp->runnext, memory_order_relaxed) ||
	    atomic_load_explicit(&pp->runqhead, memory_order_relaxed) !=
		    atomic_load_explicit(&pp->runqtail, memory_order_relaxed) ||
	    atomic_load_explicit(&sched.runqsize, memory_order_relaxed) ||
	    atomic_load_explicit(&sched.gcwaiting, memory_order_relaxed) ||
	    mp->lockedg || gp->lockedm || mp->needaltstack)
		return false;
	int64_t when = timers_next(pp);
	if (when && when <= nanotime()) return false;
	/* A yield in a loop, waiting for what a batched call makes happen,
	 * lets the batch go (execute flushes it before this G runs again). */
	if (unlikely(pp->iob != NULL) && iobatch_pending(pp)) return false;
	gp->preempt = false;
	pp->schedtick++;
	return true;
}

static int gosched_m(struct g *gp, void *arg);

void mcall_direct(int (*fn)(struct g *, void *), void *arg, bool exiting)
{
	struct g *gp = getg();
	struct m *mp = gp->m;
	bool inherit;
	/* A sleep read the clock a moment ago (mp->parknow): a timer due
	 * since then is the same as one due just after this check, run at
	 * the next one. Saves one clock read of the two per sleep, 25 ns of
	 * about 300 on this VM's kvm-clock. */
	int64_t now = mp->parknow;
	mp->parknow = 0;
	struct g *next = directnext(mp, gp, &inherit, exiting, now);
	if (!next) {
		if (fn == gosched_m && lone_yield(mp, gp)) return;
		mcall_switch(fn, arg);
		return;
	}
	mp->switchf = fn;
	mp->switcharg = arg;
	mp->switchg = gp;
	mp->curg = next;
	next->m = mp;
	atomic_store_explicit(&next->status, Grunning, memory_order_release);
	obs_gostart(next, mp->p); /* trace, latency and block samples (trace.h) */
	next->preempt = false;
	if (!inherit) mp->p->schedtick++;
	gogo_switch(mp, gp, next);
	switch_finish();
}

/* gort_gostart1: a goroutine's first C code (gort_gostart calls it before
 * its function). The checkers end the switch; then what the G that
 * switched here directly left to do (an exiting G's goexit0) is done. */
void gort_gostart1(void)
{
	if (unlikely(checkers_asan() || checkers_tsan())) gort_gostart_checkers();
	switch_finish();
}

/* ---- Ps ---- */

/* acquirep associates pp with the current M. */
static void acquirep(struct p *pp)
{
	struct m *mp = getm();
	if (mp->p || pp->m) throw("acquirep: invalid p state");
	mp->p = pp;
	pp->m = mp;
	atomic_store_explicit(&pp->status, Prunning, memory_order_release);
	TRACE(EvProcStart, 0, pp->id, 0);
}

/* releasep dissociates the current M's P and returns it. */
static struct p *releasep(void)
{
	struct m *mp = getm();
	struct p *pp = mp->p;
	if (!pp || pp->m != mp) throw("releasep: invalid p state");
	TRACE(EvProcStop, 0, pp->id, 0);
	mp->p = NULL;
	pp->m = NULL;
	atomic_store_explicit(&pp->status, Pidle, memory_order_release);
	return pp;
}

/* pidleput puts pp on the idle list. Caller holds sched.lock. */
void pidleput(struct p *pp)
{
	if (!runqempty(pp)) throw("pidleput: P has non-empty run queue");
	if (iobatch_pending(pp)) throw("pidleput: P has batched calls");
	atomic_store_explicit(&pp->status, Pidle, memory_order_release);
	pp->link = sched.pidle;
	sched.pidle = pp;
	atomic_fetch_add(&sched.npidle, 1);
}

/* pidleget takes an idle P. Caller holds sched.lock. */
struct p *pidleget(void)
{
	struct p *pp = sched.pidle;
	if (pp) {
		sched.pidle = pp->link;
		atomic_fetch_sub(&sched.npidle, 1);
	}
	return pp;
}

/* ---- Ms ---- */

/* mput puts mp on the idle list and checks for deadlock. Caller holds
 * sched.lock. */
static void mput(struct m *mp)
{
	mp->schedlink = sched.midle;
	sched.midle = mp;
	sched.nmidle++;
	checkdead();
}

static struct m *mget(void)
{
	struct m *mp = sched.midle;
	if (mp) {
		sched.midle = mp->schedlink;
		sched.nmidle--;
	}
	return mp;
}

/* minit: per-thread set-up, on the new thread (Go's minit). */
static void minit(struct m *mp)
{
	mp->errnop = &errno;
	/* A C++ program links libstdc++ (or libc++abi); then its per-thread
	 * exception state travels with the goroutine (gogo_switch). The
	 * address is the thread's for its whole life. */
	if (__cxa_get_globals) mp->cxaglobals = __cxa_get_globals();
	mp->pthread = (uintptr_t)pthread_self();
	if (mp != &m0) mp->tid = gettid_raw(); /* m0's is read when needed */
	minitsignals(mp);
	checkers_tsan_minit(mp);
	cpuprof_minit(mp); /* GORT_CPUPROFILE: this thread's CPU timer (pprof.c) */
}

static void *mstart_thread(void *arg)
{
	struct m *mp = arg;
	/* The libc made this stack; its bounds are estimated from here, as
	 * Go's mstart does on a stack the OS gave it. Above this frame lie
	 * only the libc's start routine, its thread descriptor and the
	 * static TLS; below, at most G0STACK bytes (the libc takes the TLS
	 * out of them, so lo may lie below the real base: the bounds only
	 * answer whether a stack pointer is on g0, and unwinding reads from
	 * a frame up to hi). pthread_getattr_np, which knows them exactly,
	 * reallocs a CPU set in glibc: the thread's first malloc, which
	 * gives every M an arena of its own (a 128 MiB reservation). */
	uintptr_t hi = (uintptr_t)__builtin_frame_address(0) + 16;
	mp->g0->stack_hi = hi;
	mp->g0->stack_lo = hi - G0STACK;
	setg(mp->g0);
	/* pthread_create gave this thread its creator's control state, which
	 * may be a goroutine's (allocm). */
	__asm__ volatile("ldmxcsr %0" : : "m"(mp->g0->sched.mxcsr));
	__asm__ volatile("fldcw %0" : : "m"(mp->g0->sched.fpucw));
	minit(mp);
	if (mp->mstartfn) {
		mp->mstartfn();
		return NULL;
	}
	acquirep(mp->nextp);
	mp->nextp = NULL;
	schedule();
}

/* allocm makes an M and its g0 (not yet running), in a mapping of their
 * own, never freed (Ms do not exit; fork's child forgets the others').
 *
 * Rejected: calloc, what gort did before. A runtime that takes memory from
 * the program's malloc in the middle of its run changes the program's heap:
 * the M and g0 filled a hole the program's next allocation would have
 * taken, and Debian's tinyxml2 test program, whose heap then made glibc
 * trim and regrow its top 24 times instead of 10, ran 1.38x slower than
 * with crt1 (1,277 more page faults). */
static struct m *allocm(void)
{
	size_t moff = (sizeof(struct m) + 63) / 64 * 64;
	char *mem = sys_mmap(NULL, moff + sizeof(struct g), PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (sys_mmap_failed(mem)) fatal("out of memory allocating an M");
	struct m *mp = (struct m *)mem;
	struct g *g0p = (struct g *)(mem + moff);
	g0p->m = mp;
	atomic_store_explicit(&g0p->status, Grunning, memory_order_release);
	mp->g0 = g0p;
	lock(&sched.lock);
	if (sched.mnext - sched.mgone >= sched.maxmcount) {
		unlock(&sched.lock);
		fatal("thread exhaustion: program exceeds %d-thread limit (GORT_MAXTHREADS)",
		      sched.maxmcount);
	}
	mp->id = ++sched.mnext;
	unlock(&sched.lock);
	mp->fastrand[0] = fastrand() | 1;
	mp->fastrand[1] = fastrand();
	/* g0's floating-point control state is the entry's, not that of the
	 * thread that makes this M's (mstart_thread loads it): the goroutine
	 * that called newm may have changed its own, and every goroutine
	 * that starts on this M would start in it
	 * (sched/rounding_mode_belongs_to_the_goroutine: one run in 12). */
	g0p->sched.mxcsr = boot_mxcsr;
	g0p->sched.fpucw = boot_fpucw;
	mp->alllink = allm;
	__atomic_store_n(&allm, mp, __ATOMIC_RELEASE);
	return mp;
}

/* newm starts a thread for a new M that will run pp (or fn, for sysmon). */
struct m *newm(void (*fn)(void), struct p *pp, bool spinning)
{
	struct m *mp = allocm();
	mp->mstartfn = fn;
	mp->nextp = pp;
	mp->spinning = spinning;
	pthread_attr_t attr;
	pthread_attr_init(&attr);
	pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
	pthread_attr_setstacksize(&attr, G0STACK);
	pthread_t t;
	saveinitmask();
	/* New threads start with every signal blocked; minit unblocks. */
	sigset_t all, old;
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	int err = pthread_create(&t, &attr, mstart_thread, mp);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	pthread_attr_destroy(&attr);
	if (err) fatal("pthread_create failed: %s (errno %d); %ld threads exist", strerror(err), err,
		       (long)sched.mnext);
	return mp;
}

/* mstart runs on m0 once the libc is ready: m0 starts scheduling. */
void mstart(void)
{
	struct m *mp = &m0;
	minit(mp);
	boottrace("mstart");
	acquirep_m0();
	scheduler_started = true;
	schedule();
}

/* startm runs pp (or an idle P if NULL) on an idle or new M. If there is no
 * P, it does nothing (and undoes the spinning count the caller took). */
void startm(struct p *pp, bool spinning)
{
	lock(&sched.lock);
	if (!pp) {
		pp = pidleget();
		if (!pp) {
			unlock(&sched.lock);
			if (spinning) atomic_fetch_sub(&sched.nmspinning, 1);
			return;
		}
	}
	struct m *nmp = mget();
	unlock(&sched.lock);
	if (!nmp) {
		newm(NULL, pp, spinning);
		return;
	}
	if (nmp->p || nmp->nextp) throw("startm: m has p");
	nmp->spinning = spinning;
	nmp->nextp = pp;
	notewakeup(&nmp->park);
}

/* wakep starts one more M to run Gs if a P is idle and nobody spins. */
void wakep(void)
{
	if (atomic_load(&sched.npidle) == 0) return;
	int32_t zero = 0;
	if (atomic_load(&sched.nmspinning) != 0 ||
	    !atomic_compare_exchange_strong(&sched.nmspinning, &zero, 1))
		return;
	startm(NULL, true);
}

/* handoffp gives away a P whose M is about to block (in a syscall, or
 * locked to a parked G): to a new M if it has work, otherwise to the idle
 * list. */
void handoffp(struct p *pp)
{
	/* The paths that give up a P flush its batch first (iobatch.c);
	 * this is the last chance before the P may go idle (pidleput
	 * throws). The goroutines go to the global queue: the caller has
	 * released the P. */
	if (iobatch_pending(pp)) iobatch_flush(pp);
	if (!runqempty(pp) || atomic_load(&sched.runqsize) || pp_has_timers(pp)) {
		startm(pp, false);
		return;
	}
	int32_t zero = 0;
	if (atomic_load(&sched.nmspinning) + atomic_load(&sched.npidle) == 0 &&
	    atomic_compare_exchange_strong(&sched.nmspinning, &zero, 1)) {
		startm(pp, true);
		return;
	}
	lock(&sched.lock);
	if (atomic_load(&sched.gcwaiting)) {
		atomic_store_explicit(&pp->status, Pgcstop, memory_order_release);
		if (--sched.stopwait == 0) notewakeup(&sched.stopnote);
		unlock(&sched.lock);
		return;
	}
	if (atomic_load(&sched.runqsize)) {
		unlock(&sched.lock);
		startm(pp, false);
		return;
	}
	pidleput(pp);
	unlock(&sched.lock);
	netpollbreak_if_blocked();
}

/* stopm parks the current M until startm hands it a P. */
/* mpark sleeps on mp->park until woken. While a deadlock report waits for
 * threads gort did not create to go (sched.deadrecheck, checkdead), an
 * idle M wakes every 100 ms to check again: the report comes once they
 * are gone, whether sysmon runs or not. */
static void mpark(struct m *mp)
{
	while (!notetsleep(&mp->park, atomic_load(&sched.deadrecheck) ? 100000000 : -1)) {
		lock(&sched.lock);
		checkdead(); /* does not return if it reports */
		unlock(&sched.lock);
	}
}

static void stopm(void)
{
	struct m *mp = getm();
	if (mp->p) throw("stopm holding p");
	if (mp->spinning) throw("stopm spinning");
	lock(&sched.lock);
	mput(mp);
	unlock(&sched.lock);
	atomic_store(&mp->blocked, 1);
	TRACE(EvMPark, 0, 1, 0);
	mpark(mp);
	TRACE(EvMPark, 0, 0, 0);
	atomic_store(&mp->blocked, 0);
	noteclear(&mp->park);
	acquirep(mp->nextp);
	mp->nextp = NULL;
}

/* resetspinning: a spinning M found work; if it was the last spinner,
 * wake another so the remaining work, if any, is found. */
static void resetspinning(void)
{
	struct m *mp = getm();
	if (!mp->spinning) return;
	mp->spinning = false;
	TRACE(EvSpin, 0, 0, 0);
	if (atomic_fetch_sub(&sched.nmspinning, 1) == 1) wakep();
}

/* ---- locked goroutines (gort_lockosthread) ---- */

/* startlockedm hands the current P to gp's locked M, which runs gp;
 * the current M stops. */
static void startlockedm(struct g *gp)
{
	struct m *mp = gp->lockedm;
	iobatch_flush(getm()->p); /* the batch's goroutines stay with the P */
	struct p *pp = releasep();
	mp->nextp = pp;
	__atomic_store_n(&mp->nextg, gp, __ATOMIC_RELEASE); /* nextp first: schedule reads them in this order */
	notewakeup(&mp->park);
	stopm();
}

/* stoplockedm: the current M's locked G is not runnable; give the P away
 * and sleep until the G is handed back. */
static void stoplockedm(void)
{
	struct m *mp = getm();
	if (mp->p) handoffp(releasep());
	lock(&sched.lock);
	sched.nmidlelocked++;
	checkdead();
	unlock(&sched.lock);
	atomic_store(&mp->blocked, 1);
	mpark(mp);
	atomic_store(&mp->blocked, 0);
	noteclear(&mp->park);
	lock(&sched.lock);
	sched.nmidlelocked--;
	unlock(&sched.lock);
	acquirep(mp->nextp);
	mp->nextp = NULL;
}

/* ---- stopping the world (GOMAXPROCS changes) ---- */

static void preemptall(void)
{
	for (int32_t i = 0; i < atomic_load(&allplen); i++) {
		struct p *pp = allp[i];
		if (atomic_load(&pp->status) == Prunning) preemptone(pp);
	}
}

/* worldsema serializes the stoppers of the world (Go's worldsema): held
 * from stoptheworld to the end of starttheworld. A goroutine waiting for
 * it parks, so it holds no P that the stopper would wait for, and it may
 * resume on another M: the stopper reads its M only once it owns the
 * sema. (It used to spin with gort_yield while gcwaiting was set, with its
 * M read before: resumed on another thread, it stopped a P it did not own
 * and crashed on a NULL P, issue #20 item 2.) fork_child resets it: the
 * waiters are the parent's goroutines. */
static gort_mutex worldsema = GORT_MUTEX_INIT;

void worldsema_forkchild(void)
{
	worldsema = (gort_mutex)GORT_MUTEX_INIT;
}

/* stoptheworld stops every P but the caller's. Runs on a user G. */
void stoptheworld(void)
{
	gort_mutex_lock(&worldsema);
	struct m *mp = getm();
	iobatch_flush(mp->p); /* procresize may end this P; nothing may wait in its batch */
	lock(&sched.lock);
	if (atomic_load(&sched.gcwaiting)) throw("stoptheworld: world already stopping");
	sched.stopwait = sched.gomaxprocs;
	atomic_store(&sched.gcwaiting, 1);
	noteclear(&sched.stopnote);
	atomic_store_explicit(&mp->p->status, Pgcstop, memory_order_release);
	sched.stopwait--;
	for (int32_t i = 0; i < atomic_load(&allplen); i++) {
		uint32_t s = Psyscall;
		if (atomic_compare_exchange_strong(&allp[i]->status, &s, Pgcstop)) sched.stopwait--;
	}
	struct p *pp;
	while ((pp = pidleget())) {
		atomic_store_explicit(&pp->status, Pgcstop, memory_order_release);
		sched.stopwait--;
	}
	bool wait = sched.stopwait > 0;
	unlock(&sched.lock);
	netpollbreak_if_blocked();
	while (wait) {
		preemptall();
		if (notetsleep(&sched.stopnote, 100000)) break;
	}
	lock(&sched.lock);
	if (sched.stopwait != 0) throw("stoptheworld: not stopped");
	unlock(&sched.lock);
}

/* starttheworld resizes to nprocs and restarts the Ps that have work. */
void starttheworld(int32_t nprocs)
{
	lock(&sched.lock);
	procresize(nprocs);
	atomic_store(&sched.gcwaiting, 0);
	struct p *runnable = NULL;
	struct m *mp = getm();
	/* The caller's own P was left in Pgcstop by stoptheworld: it runs
	 * again. (Left so, sysmon never preempted its goroutines again after a
	 * gort_gomaxprocs, issue #15.) */
	atomic_store_explicit(&mp->p->status, Prunning, memory_order_release);
	for (int32_t i = atomic_load(&allplen) - 1; i >= 0; i--) {
		struct p *pp = allp[i];
		if (pp == mp->p) continue;
		atomic_store_explicit(&pp->status, Pidle, memory_order_release);
		if (runqempty(pp) && !pp_has_timers(pp)) {
			pidleput(pp);
		} else {
			pp->link = runnable;
			runnable = pp;
		}
	}
	unlock(&sched.lock);
	while (runnable) {
		struct p *pp = runnable;
		runnable = pp->link;
		startm(pp, false);
	}
	wakep();
	gort_mutex_unlock(&worldsema);
}

/* gcstopm: the world is stopping; give up our P and park. */
static void gcstopm(void)
{
	struct m *mp = getm();
	iobatch_flush(mp->p); /* a stopped P holds no batch (pidleput, procresize) */
	if (mp->spinning) {
		mp->spinning = false;
		atomic_fetch_sub(&sched.nmspinning, 1);
	}
	struct p *pp = releasep();
	lock(&sched.lock);
	atomic_store_explicit(&pp->status, Pgcstop, memory_order_release);
	if (--sched.stopwait == 0) notewakeup(&sched.stopnote);
	unlock(&sched.lock);
	stopm();
}

/* procresize changes the number of Ps to nprocs (Go's procresize). Ps
 * beyond nprocs are destroyed: their queued Gs, free Gs, stacks and timers
 * move to the global lists or to P0. Called with sched.lock held, before
 * the scheduler starts or with the world stopped. The caller's P (if any)
 * stays its own if it survives; otherwise the caller takes allp[0]. */
void procresize(int32_t nprocs)
{
	int32_t old = atomic_load(&allplen);
	if (nprocs <= 0 || nprocs > MAXPROCS) throw("procresize: invalid arg");
	/* Readers of allp (gdb, tracebacks, thieves) take no lock: allp is
	 * replaced at most once (when GOMAXPROCS first exceeds BOOTPROCS) by
	 * an array of MAXPROCS that never moves again, and Ps are never freed.
	 * P0, P1 and the first array live in the boot arena: no system call
	 * at boot on one or two CPUs. */
	if (!allp) allp = bootarena.allp;
	if (nprocs > BOOTPROCS && allp == bootarena.allp) {
		struct p **np = sys_mmap(NULL, MAXPROCS * sizeof *np, 3, 0x22, -1, 0);
		if (sys_mmap_failed(np)) throw("procresize: out of memory");
		for (int32_t i = 0; i < BOOTPROCS; i++) np[i] = allp[i];
		__atomic_store_n(&allp, np, __ATOMIC_RELEASE); /* the old one stays valid */
	}
	for (int32_t i = old; i < nprocs; i++) {
		/* A P that died and comes back. (At boot they are all NULL:
		 * not reading first saves a page fault, as a write after a read
		 * of an untouched page costs two.) */
		if (old > 0 && allp[i]) continue;
		struct p *pp = i == 0 ? &bootarena.p0 : i == 1 ? &bootarena.p1 : sys_mmap(NULL, sizeof *pp, 3, 0x22, -1, 0);
		if (sys_mmap_failed(pp)) throw("procresize: out of memory");
		pp->id = i;
		atomic_store_explicit(&pp->status, Pgcstop, memory_order_release);
		allp[i] = pp;
	}
	struct m *mp = scheduler_started ? getm() : NULL;
	for (int32_t i = nprocs; i < old; i++) {
		struct p *pp = allp[i];
		runqdrain(pp);
		gq_pushn(&sched.gfree, pp->gfree, (uint32_t)pp->gfreecnt);
		pp->gfreecnt = 0;
		atomic_fetch_add(&sched.nglive, atomic_exchange(&pp->nglive, 0));
		unlock(&sched.lock);
		stackcache_flush(pp);
		timers_move(pp, allp[0]);
		lock(&sched.lock);
		atomic_store_explicit(&pp->status, Pdead, memory_order_release);
	}
	atomic_store(&allplen, nprocs);
	sched.multip = nprocs > 1;
	sched.gomaxprocs = nprocs;
	if (mp && mp->p && mp->p->id >= nprocs) {
		/* Our P is gone: take P0. */
		mp->p->m = NULL;
		mp->p = NULL;
		allp[0]->m = NULL;
		mp->p = allp[0];
		allp[0]->m = mp;
		atomic_store(&allp[0]->status, Prunning);
	}
	if (!scheduler_started) {
		/* At boot: P0 will be m0's, the others idle. */
		sched.pidle = NULL;
		atomic_store(&sched.npidle, 0);
		for (int32_t i = nprocs - 1; i >= 1; i--) pidleput(allp[i]);
		atomic_store(&allp[0]->status, Pgcstop);
	}
}

void acquirep_m0(void)
{
	acquirep(allp[0]);
}

/* gomaxprocs_refine applies the cgroup CPU quota to the default number of
 * Ps the first time the number matters (see ncpu_refine). */
void gomaxprocs_refine(void)
{
	if (!ncpu_refine() || sched.gomaxprocs_fromenv || ncpu >= sched.gomaxprocs) return;
	gort_gomaxprocs(ncpu);
}

int gort_gomaxprocs(int n)
{
	gomaxprocs_refine();
	int old = sched.gomaxprocs;
	if (n <= 0 || n == old) return old;
	if (n > 1024) n = 1024;
	struct g *gp = scheduler_started ? getg() : NULL;
	if (!gp || !gp->m || gp == gp->m->g0 || !gp->m->p) {
		if (scheduler_started) fatal("gort_gomaxprocs called outside a goroutine");
		/* From a C constructor, before the scheduler runs. */
		lock(&sched.lock);
		procresize(n);
		unlock(&sched.lock);
		return old;
	}
	stoptheworld();
	old = sched.gomaxprocs; /* another caller may have changed it meanwhile */
	starttheworld(n);
	return old;
}

/* ---- the scheduler loop ---- */

/* schedule runs on g0, forever: find a G, run it, finish its switch. */
void schedule(void)
{
	struct m *mp = getm();
	if (getg() != mp->g0) throw("schedule: not on g0");
	/* A program's handler that left by longjmp never said it ended. */
	mp->sigdepth = 0;
	for (;;) {
		if (unlikely(mp->needaltstack)) minitsignals(mp);
		if (mp->lockedg) {
			/* This M belongs to its locked G: wait until the G is
			 * handed over (startlockedm), then run it. The hand-over
			 * may come before this M gets here (exitsyscall0 queued
			 * the G, another M found it at once): then nextg is set
			 * but the P is still in nextp and the note woken, and
			 * stoplockedm takes both without sleeping. */
			struct g *ng = __atomic_load_n(&mp->nextg, __ATOMIC_ACQUIRE);
			if (!ng || !mp->p) {
				stoplockedm();
			} else if (mp->nextp) {
				/* Handed over by another M (startlockedm) before
				 * this one stopped, while it still held its own P:
				 * the P in nextp is one too many, and the note's
				 * wake-up is still to be taken (else the next
				 * stoplockedm returns at once, with no G and no
				 * P: "wrong locked g handed over", seen with a
				 * locked G whose call went to the blocking pool). */
				mpark(mp);
				noteclear(&mp->park);
				struct p *extra = mp->nextp;
				mp->nextp = NULL;
				handoffp(extra);
			}
			struct g *gp = mp->nextg;
			mp->nextg = NULL;
			if (gp != mp->lockedg) throw("schedule: wrong locked g handed over");
			execute(gp, false);
		} else {
			bool inherit;
			struct g *gp = findrunnable(&inherit);
			if (gp->lockedm && gp->lockedm != mp) {
				resetspinning(); /* stopm below: never spinning (Go's schedule) */
				startlockedm(gp);
				continue;
			}
			execute(gp, inherit);
		}
		if (mp->switchf) {
			int (*f)(struct g *, void *) = mp->switchf;
			mp->switchf = NULL;
			f(mp->switchg, mp->switcharg);
		}
	}
}

/* execute runs gp on the current M until gp switches back to g0. */
static void execute(struct g *gp, bool inherit)
{
	struct m *mp = getm();
	struct p *pp = mp->p;
	if (!gp->stack_lo) {
		/* First run: g0's control state, the entry's (allocm). */
		uint32_t mxcsr;
		uint16_t fpucw;
		__asm__ volatile("stmxcsr %0" : "=m"(mxcsr));
		__asm__ volatile("fnstcw %0" : "=m"(fpucw));
		gstart_prepare(gp, mxcsr, fpucw);
	}
	/* The P's batched calls go before a G that I/O did not ready
	 * (iobatch.c): it could keep the P, and the batch, for long. */
	if (unlikely(pp->iob != NULL) && !g_ioready(gp)) iobatch_flush(pp);
	mp->curg = gp;
	gp->m = mp;
	atomic_store_explicit(&gp->status, Grunning, memory_order_release);
	obs_gostart(gp, pp); /* trace, latency and block samples (trace.h) */
	gp->preempt = false;
	if (!inherit) pp->schedtick++;
	gogo_switch(mp, mp->g0, gp);
	mp->curg = NULL;
}

/* findrunnable finds a runnable G, blocking the M until there is one. */
static struct g *findrunnable(bool *inherit)
{
	struct m *mp = getm();
	struct g *gp;
top:;
	struct p *pp = mp->p;
	*inherit = false;
	if (atomic_load(&sched.gcwaiting)) {
		gcstopm();
		goto top;
	}
	sigready_drain();
	int64_t pollUntil = timers_next(pp);
	if (pollUntil) pollUntil = timers_check(pp, nanotime());
	/* Fairness: every 61st tick, look at the global queue first. */
	if (pp->schedtick % 61 == 0 && atomic_load(&sched.runqsize) > 0) {
		lock(&sched.lock);
		gp = globrunqget(pp, 1);
		unlock(&sched.lock);
		if (gp) {
			/* Here too: a spinning M that found work stops spinning
			 * (a locked G would otherwise stop this M spinning). */
			resetspinning();
			return gp;
		}
	}
	if ((gp = runqget(pp, inherit))) {
		resetspinning();
		return gp;
	}
	if (atomic_load(&sched.runqsize)) {
		lock(&sched.lock);
		gp = globrunqget(pp, 0);
		unlock(&sched.lock);
		if (gp) {
			resetspinning();
			return gp;
		}
	}
	/* Nothing else ready: the batched socket calls go (iobatch.c), and
	 * their goroutines run next. */
	if (iobatch_pending(pp)) {
		iobatch_flush(pp);
		if ((gp = runqget(pp, inherit))) {
			resetspinning();
			return gp;
		}
	}
	/* Ready network I/O, without blocking (netpoll.c). */
	if (netpoll_inited() && atomic_load(&sched.lastpoll) != 0) {
		struct g *list = netpoll(0);
		if (list) {
			gp = list;
			injectglist(list->schedlink);
			atomic_store_explicit(&gp->status, Grunnable, memory_order_release);
			TRACE(EvGoUnblock, gp->goid, 0, 0);
			resetspinning();
			return gp;
		}
	}
	/* Steal, if spinning is worth it: at most half the busy Ps' worth of
	 * spinning Ms. */
	int32_t nprocs = atomic_load(&allplen);
	if (mp->spinning ||
	    2 * atomic_load(&sched.nmspinning) < nprocs - atomic_load(&sched.npidle)) {
		if (!mp->spinning) {
			mp->spinning = true;
			atomic_fetch_add(&sched.nmspinning, 1);
			TRACE(EvSpin, 0, 1, 0);
		}
		for (int i = 0; i < 4; i++) {
			uint32_t start = fastrand();
			for (int32_t k = 0; k < nprocs; k++) {
				struct p *p2 = allp[(start + k) % nprocs];
				if (p2 == pp) continue;
				if (atomic_load(&sched.gcwaiting)) goto top;
				if ((gp = runqsteal(pp, p2, i == 3))) {
					TRACE(EvSteal, gp->goid, p2->id, 0);
					resetspinning();
					return gp;
				}
				if (i == 3 && p2->timers) {
					int64_t w = timers_steal(pp, p2, nanotime());
					if (w == -1) goto top; /* ran some timers: look again */
					if (w && (!pollUntil || w < pollUntil)) pollUntil = w;
				}
			}
		}
	}
	/* Before parking, a spinning M watches a while longer, if another P
	 * is running (only a running P, a timer or the netpoller can make
	 * work, and the last two are the parking path's): parking and being
	 * woken costs the waker a futex wake and this thread a reschedule
	 * (tens of microseconds on a virtual machine, where a halted virtual
	 * CPU needs an interrupt), so watching for about as long bounds the CPU spent
	 * spinning to that of one park (the ski-rental rule) while work that
	 * appears meanwhile is taken at once: fork-join (bench fib), where a
	 * parent's next goroutines arrive microseconds after the last were
	 * stolen. Reads only: runqempty and the global queue's size.
	 * GODEBUG=spinpark=US sets the time (default 20 us), 0 turns it off:
	 * the cost is CPU time in a lightly loaded program (bench/README.md,
	 * "Figures behind the code"). */
	if (mp->spinning && debug.spinpark > 0 && nprocs - atomic_load(&sched.npidle) > 1) {
		int64_t until = nanotime() + (int64_t)debug.spinpark * 1000;
		do {
			for (int32_t k = 0; k < nprocs; k++) {
				struct p *p2 = allp[k];
				if (p2 != pp && !runqempty(p2)) goto top;
			}
			if (atomic_load(&sched.runqsize) || atomic_load(&sched.gcwaiting)) goto top;
			for (int i = 0; i < 20; i++) __builtin_ia32_pause();
		} while (nanotime() < until);
	}
	/* Nothing: give up the P and sleep. Re-check under the lock first. */
	lock(&sched.lock);
	if (atomic_load(&sched.gcwaiting)) {
		unlock(&sched.lock);
		goto top;
	}
	if (atomic_load(&sched.runqsize)) {
		gp = globrunqget(pp, 0);
		unlock(&sched.lock);
		resetspinning();
		return gp;
	}
	if (pp_has_timers(pp)) {
		int64_t w = timers_next(pp);
		if (w && (!pollUntil || w < pollUntil)) pollUntil = w;
	}
	releasep();
	pidleput(pp);
	unlock(&sched.lock);

	if (mp->spinning) {
		mp->spinning = false;
		TRACE(EvSpin, 0, 0, 0);
		if (atomic_fetch_sub(&sched.nmspinning, 1) <= 0) throw("findrunnable: negative nmspinning");
		/* Work may have appeared after we looked but before we
		 * dropped spinning: a waker that saw this M spinning left the
		 * work to it (wakep). Look once more at the global queue (a
		 * thread that is no M readies onto it: the blocking pool's
		 * workers; without this check a G readied there while this M
		 * was giving up its P stayed queued with every M asleep:
		 * about 1 in 60,000 pool round trips at GOMAXPROCS=1 hung), then at
		 * every P (as Go's findRunnable). */
		if (atomic_load(&sched.runqsize)) {
			lock(&sched.lock);
			pp = atomic_load(&sched.runqsize) ? pidleget() : NULL;
			if (pp) {
				acquirep(pp);
				gp = globrunqget(pp, 0);
				unlock(&sched.lock);
				if (gp) {
					mp->spinning = true;
					atomic_fetch_add(&sched.nmspinning, 1);
					resetspinning();
					return gp;
				}
				goto top;
			}
			unlock(&sched.lock);
		}
		for (int32_t k = 0; k < nprocs; k++) {
			struct p *p2 = allp[k];
			if (!runqempty(p2)) {
				lock(&sched.lock);
				pp = pidleget();
				unlock(&sched.lock);
				if (pp) {
					acquirep(pp);
					mp->spinning = true;
					atomic_fetch_add(&sched.nmspinning, 1);
					TRACE(EvSpin, 0, 1, 0);
					goto top;
				}
				break;
			}
		}
	}
	/* Block in the netpoller until I/O or the next timer, if nobody else
	 * is doing so; otherwise park. */
	if (!pollUntil) pollUntil = timers_earliest();
	if ((netpoll_waiters() > 0 || pollUntil) && atomic_exchange(&sched.lastpoll, 0) != 0) {
		netpoll_init_idle();
		int64_t delay = -1;
		if (pollUntil) {
			delay = pollUntil - nanotime();
			if (delay < 0) delay = 0;
		}
		atomic_store(&sched.pollUntil, pollUntil);
		struct g *list = netpoll(delay);
		atomic_store(&sched.pollUntil, 0);
		atomic_store(&sched.lastpoll, nanotime());
		lock(&sched.lock);
		pp = pidleget();
		unlock(&sched.lock);
		if (!pp) {
			injectglist(list);
		} else {
			acquirep(pp);
			if (list) {
				gp = list;
				injectglist(list->schedlink);
				atomic_store_explicit(&gp->status, Grunnable, memory_order_release);
				TRACE(EvGoUnblock, gp->goid, 0, 0);
				return gp;
			}
			goto top;
		}
	}
	stopm();
	goto top;
}

/* Goroutines readied by the program's signal handlers (goready_fromsignal):
 * a Treiber stack through schedlink (a waiting G is on no run queue), pushed
 * by handlers with one CAS, emptied with one exchange by findrunnable and
 * sysmon, which make them runnable as netpoll's (injectglist). */
static _Atomic(struct g *) sigready;

void goready_fromsignal(struct g *gp)
{
	struct g *old = atomic_load_explicit(&sigready, memory_order_relaxed);
	do gp->schedlink = old;
	while (!atomic_compare_exchange_weak_explicit(&sigready, &old, gp, memory_order_release,
						      memory_order_relaxed));
	netpollbreak(); /* an M asleep in netpoll looks again; else sysmon's next tick */
}

void sigready_drain(void)
{
	if (!atomic_load_explicit(&sigready, memory_order_relaxed)) return;
	struct g *list = atomic_exchange_explicit(&sigready, NULL, memory_order_acquire);
	injectglist(list);
}

/* injectglist makes a list of Gs (linked through schedlink) runnable. */
void injectglist(struct g *list)
{
	if (!list) return;
	int n = 0;
	lock(&sched.lock);
	while (list) {
		struct g *next = list->schedlink;
		atomic_store_explicit(&list->status, Grunnable, memory_order_release);
		TRACE(EvGoUnblock, list->goid, 0, 0);
		globrunqput(list);
		list = next;
		n++;
	}
	unlock(&sched.lock);
	for (; n > 0 && atomic_load(&sched.npidle) > 0; n--) startm(NULL, false);
}

/* ---- park and ready ---- */

/* The wait clock: when a goroutine began its wait, for the ", N minutes"
 * of a traceback header (Go's g.waitsince, traceback.go goroutineheader).
 * Go stamps waitsince lazily: the first garbage collection that scans a
 * waiting goroutine's stack writes the collection's start time, and
 * execute and exitsyscall clear it. gort has no collection to piggyback
 * on, and a sysmon pass over every G to do the same would cost it
 * O(goroutines) each time. Reading the clock itself at each park would
 * cost a clock_gettime there (tens of ns on a channel round trip of
 * ~100). So sysmon, which wakes every 10 ms at most, keeps a coarse clock
 * in this word of its own, written when it changes (15 times a second),
 * and gopark copies it into a line of the G that it writes anyway: a load
 * and a store (bench/README.md, "Wait durations"). 0 until sysmon starts:
 * a program that never starts it (one goroutine, no system call) shows
 * no durations, as a Go program that never collects would not. */
_Atomic uint32_t waitclock __attribute__((aligned(64)));

struct parkarg {
	int (*unlockf)(struct g *, void *);
	void *lock;
};

static int park_m(struct g *gp, void *arg)
{
	struct parkarg *pa = arg;
	atomic_store_explicit(&gp->status, Gwaiting, memory_order_release);
	if (pa->unlockf && !pa->unlockf(gp, pa->lock)) {
		/* The wait is already over: run gp again right away. */
		atomic_store_explicit(&gp->status, Grunnable, memory_order_release);
		runqput(getm()->p, gp, true);
	}
	return 0;
}

/* gopark parks the current goroutine (Go's gopark). unlockf(gp, lock) runs
 * on g0 once gp is fully switched out and marked Gwaiting: it typically
 * releases the lock that makes gp's wait queue entry visible to wakers. If
 * it returns 0, gp is made runnable again at once. */
void gopark(int (*unlockf)(struct g *, void *), void *lock, enum waitreason reason)
{
	struct g *gp = getg();
	struct parkarg pa = {unlockf, lock};
	atomic_store_explicit(&gp->waitreason, reason, memory_order_relaxed);
	atomic_store_explicit(&gp->waitsince, atomic_load_explicit(&waitclock, memory_order_relaxed),
			      memory_order_relaxed);
	obs_park(gp, reason); /* trace, block profile (trace.h) */
	struct p *pp = gp->m->p;
	if (unlikely(gp->preempt) && pp) {
		/* sysmon found this P's time slice used up. Goroutines that
		 * ready each other (a producer and a consumer on one
		 * channel) go on in runnext, each inheriting the slice, and
		 * spend their time in the runtime, where no asynchronous
		 * preemption lands: at GOMAXPROCS=1 such a pair kept the P
		 * for good and main never ran again (test/stress). So the
		 * slice ends at this park, as Go ends it at the pair's next
		 * function prologue: the G in runnext goes behind the queue
		 * and the next one runs with a fresh slice. */
		gp->preempt = false;
		struct g *rn = atomic_exchange_explicit(&pp->runnext, NULL, memory_order_acq_rel);
		if (rn) runqput(pp, rn, false);
	}
	mcall_direct(park_m, &pa, false);
	atomic_store_explicit(&gp->waitreason, waitNone, memory_order_relaxed);
	gp->iobrun = 0; /* it waited: its calls may join batches again (iobatch.c "Producers") */
}

/* goready makes a parked gp runnable, on the current P's runnext if next. */
void goready(struct g *gp, bool next)
{
	/* Exactly one waker readies a parked G (the channel's lock, select's
	 * selectdone, the netpoller's claim decide which), so a check and a
	 * store suffice; a lock cmpxchg here was 5% of a channel round trip. */
	uint32_t s = atomic_load_explicit(&gp->status, memory_order_relaxed);
	if (s == Gwaiting) atomic_store_explicit(&gp->status, Grunnable, memory_order_release);
	else {
		printf_raw("goready: goroutine %ld has status %u\n", (long)gp->goid, s);
		throw("goready: bad g status");
	}
	obs_ready(gp, EvGoUnblock); /* trace, latency sample (trace.h) */
	struct g *self = scheduler_started ? getg() : NULL;
	struct m *mp = self ? self->m : NULL;
	if (mp && mp->p && !mp->insyscall) {
		runqput(mp->p, gp, next);
	} else {
		lock(&sched.lock);
		globrunqput(gp);
		unlock(&sched.lock);
	}
	wakep();
}

/* wakenext says where a goroutine a timer readies goes (a sleep that ended,
 * an I/O deadline that passed): the runnext slot of the P running the
 * timers if it is free, else the run queue's tail. Go readies it in runnext
 * always; either way it runs when the current goroutine's slice ends, not
 * after every goroutine in the queue has had its own (20 CPU-bound
 * goroutines on two Ps made a 100 ms sleep 67 ms late on average, Go 8 ms).
 * Unlike Go, a due timer does not push an earlier one's goroutine out of
 * runnext to the tail: a batch of due timers keeps its order. */
bool wakenext(void)
{
	struct g *self = getg();
	struct p *pp = self && self->m ? self->m->p : NULL;
	return pp && !atomic_load_explicit(&pp->runnext, memory_order_relaxed);
}

static int gosched_m(struct g *gp, void *arg)
{
	(void)arg;
	atomic_store_explicit(&gp->status, Grunnable, memory_order_release);
	struct m *mp = getm();
	obs_ready(gp, EvNone);
	if (gp->preempt_global || !mp->p) {
		gp->preempt_global = false;
		lock(&sched.lock);
		globrunqput(gp);
		unlock(&sched.lock);
	} else {
		runqput(mp->p, gp, false);
	}
	return 0;
}

void gort_yield(void)
{
	if (!scheduler_started) return;
	struct g *gp = getg();
	if (!gp || !gp->m || gp == gp->m->g0) return; /* not a goroutine: nothing to yield */
	TRACE(EvGoStop, gp->goid, 0, 0);
	mcall_direct(gosched_m, NULL, false);
}

/* preemptcheck_slow: preemptcheck's (runtime.h) decision. Only a user
 * goroutine with a P, on its own stack, outside a system call and a
 * signal handler, holding no runtime lock, yields: the API call it is entering then goes on when
 * the goroutine runs again. */
void preemptcheck_slow(struct g *gp)
{
	struct m *mp = gp->m;
	if (!mp || gp == mp->g0 || !mp->p || gp->syscallnest || gort_rt_locks || insighandler(gp)) return;
	/* On a signal stack (a handler gort did not wrap: gorthooks=0), not
	 * the goroutine's: never switch from there. */
	uintptr_t sp = (uintptr_t)__builtin_frame_address(0);
	if (sp < gp->stack_lo || sp > gp->stack_hi) return;
	gp->preempt = false;
	gopreempt();
}

/* gopreempt: yield because sysmon asked (time slice used up). The G goes
 * to the global queue, as Go's gopreempt_m, so that a P with a long local
 * queue still lets every G run. */
void gopreempt(void)
{
	struct g *gp = getg();
	gp->preempt_global = true;
	TRACE(EvGoStop, gp->goid, 1, 0);
	mcall_switch(gosched_m, NULL);
}

/* ---- system calls ---- */

/* entersyscall: the current G is about to block in the kernel or in a
 * library. Its P stays attached but in state Psyscall; sysmon retakes it
 * (handoffp) if the call lasts more than a tick (20 us to 10 ms). */
void entersyscall(void)
{
	struct g *gp = getg();
	struct m *mp = gp->m;
	struct p *pp = mp->p;
	/* The P may go to another M while this one is in the kernel: its
	 * batch goes first (iobatch.c). */
	if (unlikely(pp->iob != NULL)) iobatch_flush(pp);
	TRACE(EvGoSysCall, gp->goid, pp->id, 0);
	atomic_store_explicit(&gp->waitsince, atomic_load_explicit(&waitclock, memory_order_relaxed),
			      memory_order_relaxed);
	atomic_store_explicit(&gp->status, Gsyscall, memory_order_release);
	atomic_store(&mp->insyscall, 1);
	pp->m = NULL;
	mp->oldp = pp;
	mp->p = NULL;
	atomic_fetch_add(&pp->syscalltick, 1);
	atomic_store_explicit(&pp->status, Psyscall, memory_order_release);
	if (atomic_load(&sched.gcwaiting)) {
		uint32_t s = Psyscall;
		if (atomic_compare_exchange_strong(&pp->status, &s, Pgcstop)) {
			lock(&sched.lock);
			if (--sched.stopwait == 0) notewakeup(&sched.stopnote);
			unlock(&sched.lock);
		}
	}
	if (!atomic_load(&sysmon_started)) sysmon_start();
}

static int exitsyscall0(struct g *gp, void *arg)
{
	(void)arg;
	/* On g0 with no P: find one or queue gp globally and park. */
	struct m *mp = getm();
	atomic_store_explicit(&gp->status, Grunnable, memory_order_release);
	lock(&sched.lock);
	struct p *pp = atomic_load(&sched.gcwaiting) ? NULL : pidleget();
	if (!pp) globrunqput(gp);
	unlock(&sched.lock);
	if (pp) {
		/* The schedule loop runs gp next from runnext (or, if gp is
		 * locked to this M, hands it over). */
		acquirep(pp);
		if (mp->lockedg == gp) mp->nextg = gp;
		else runqput(pp, gp, true);
		return 0;
	}
	if (!mp->lockedg) stopm();
	return 0;
}

/* exitsyscall: the blocking call returned. Take back the old P if nobody
 * took it; else any idle P; else queue the G and park the M. */
void exitsyscall(void)
{
	struct g *gp = getg();
	struct m *mp = gp->m;
	struct p *pp = mp->oldp;
	TRACE(EvGoSysExit, gp->goid, 0, 0);
	mp->oldp = NULL;
	atomic_store(&mp->insyscall, 0);
	uint32_t s = Psyscall;
	if (pp && atomic_compare_exchange_strong(&pp->status, &s, Prunning)) {
		mp->p = pp;
		pp->m = mp;
		atomic_store_explicit(&gp->status, Grunning, memory_order_release);
		/* sysmon asked this G to end its time slice. A goroutine that
		 * only makes system calls (fork and wait4 in a loop: each
		 * returns within sysmon's 1 ms, before the P is retaken) is
		 * rarely at an asynchronous safe point and never parks: at
		 * GOMAXPROCS=1 it kept the P for good and main never ran again
		 * (test/stress, 1 run in 15). Go ends the slice at the next
		 * function prologue after the call; here, at the call's exit,
		 * unless a runtime lock is held. */
		if (unlikely(gp->preempt) && gort_rt_locks == 0) {
			gp->preempt = false;
			gopreempt();
		}
		return;
	}
	if (!atomic_load(&sched.gcwaiting)) {
		lock(&sched.lock);
		struct p *np = pidleget();
		unlock(&sched.lock);
		if (np) {
			acquirep(np);
			atomic_store_explicit(&gp->status, Grunning, memory_order_release);
			return;
		}
	}
	/* No P: from the G's view the call lasts until a P is free. */
	TRACE(EvGoStop, gp->goid, 2, 0);
	mcall_switch(exitsyscall0, NULL);
}

void gort_entersyscall(void)
{
	if (!scheduler_started) return;
	struct g *gp = getg();
	if (!gp || !gp->m || gp == gp->m->g0 || !gp->m->p) return;
	gp->syscallnest++;
	if (gp->syscallnest == 1) entersyscall();
}

void gort_exitsyscall(void)
{
	if (!scheduler_started) return;
	struct g *gp = getg();
	if (!gp || !gp->m || gp == gp->m->g0 || gp->syscallnest == 0) return;
	if (--gp->syscallnest == 0) exitsyscall();
}

/* ---- locking a goroutine to its thread ---- */

void gort_lockosthread(void)
{
	struct g *gp = getg();
	if (!scheduler_started || !gp || gp == gp->m->g0) return;
	gp->lockedcount++;
	gp->lockedm = gp->m;
	gp->m->lockedg = gp;
}

void gort_unlockosthread(void)
{
	struct g *gp = getg();
	if (!scheduler_started || !gp || gp == gp->m->g0 || gp->lockedcount == 0) return;
	if (--gp->lockedcount == 0) {
		gp->m->lockedg = NULL;
		gp->lockedm = NULL;
	}
}

/* ---- deadlock detection ---- */

/* foreign_threads: threads of the process that are not Ms (the program's
 * own pthreads, a libc's or a sanitizer's helper threads): /proc/self/stat's
 * num_threads (field 20) minus the Ms. 0 when /proc cannot tell. */
static long foreign_threads(void)
{
	long fd = rawsyscall(SYS_open, "/proc/self/stat", O_RDONLY | O_CLOEXEC, 0);
	if (fd < 0) return 0;
	char b[1024];
	long n = rawsyscall(SYS_read, fd, b, sizeof b - 1);
	rawsyscall(SYS_close, fd, 0, 0);
	if (n <= 0) return 0;
	b[n] = 0;
	char *p = strrchr(b, ')'); /* the command name may hold spaces */
	if (!p) return 0;
	for (int field = 2; field < 20 && *p; p++) /* field 2 ends at the ')' */
		if (*p == ' ') field++;
	long threads = atol(p);
	long ms = (long)(sched.mnext + 1 - sched.mgone) + blockpool_threads();
	return threads > ms ? threads - ms : 0;
}

/* checkdead reports a deadlock when no M is running Go code and nothing
 * can wake a G: all goroutines are asleep. Caller holds sched.lock
 * (Go's checkdead). */
void checkdead(void)
{
	if (!scheduler_started) return;
	atomic_store(&sched.deadrecheck, false);
	int64_t run = sched.mnext + 1 - sched.mgone - sched.nmidle - sched.nmidlelocked - sched.nmsys;
	if (run > 0) return;
	if (run < 0) {
		printf_raw("runtime: checkdead: nmidle=%d nmidlelocked=%d mcount=%ld nmsys=%d\n",
			   sched.nmidle, sched.nmidlelocked, (long)(sched.mnext + 1 - sched.mgone), sched.nmsys);
		throw("checkdead: inconsistent counts");
	}
	if (nglive_total() == 0) {
		unlock(&sched.lock);
		fatal("no goroutines (main called gort_goexit) - deadlock!");
	}
	/* A goroutine in a syscall may yet come back; a timer may fire; a
	 * descriptor may become ready. */
	for (struct g *gp = allgs; gp; gp = gp->alllink) {
		uint32_t s = atomic_load(&gp->status);
		if (s == Grunnable || s == Grunning || s == Gsyscall) return;
	}
	for (int32_t i = 0; i < atomic_load(&allplen); i++)
		if (pp_has_timers(allp[i])) return;
	if (netpoll_waiters() > 0) return;
	if (blockpool_pending() > 0) return; /* a file call's worker will ready its G */
	/* A thread gort did not create may still end a wait (a
	 * gort_chan_trysend, a close from a pthread): no report while one
	 * exists, as Go makes none while a C thread may call in. sysmon asks
	 * again at its next tick (sysmon.c), so the report comes once they
	 * are gone. */
	if (foreign_threads() > 0) {
		atomic_store(&sched.deadrecheck, true);
		return;
	}
	unlock(&sched.lock);
	if (sched.mainexited)
		fatal("no goroutines (main called gort_goexit) - deadlock!");
	fatal("all goroutines are asleep - deadlock!");
}
