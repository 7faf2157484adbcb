/* time.c: timers and sleeping (Go 1.14's timer design).
 *
 * Every P has a 4-ary min-heap of timers ordered by `when`. A timer is added
 * to the current P's heap; the scheduler runs due timers of its own P in
 * findrunnable, and a spinning M runs the due timers of the Ps it steals
 * from. No timer thread exists: an M with nothing to do sleeps in the
 * netpoller until the earliest timer of any P (timers_earliest), and adding
 * an earlier timer wakes it (netpollbreak). A sleeping goroutine costs a
 * timer on its own stack and no thread.
 *
 * Beside the heap, NFIFO FIFOs: a timer whose when is no earlier than that
 * of the last timer a FIFO took is appended to it instead (a ring, in order
 * of when, removed from its head in O(1)). Timers of one duration started
 * one after the other (sleeps in a loop, read deadlines, retries) arrive
 * in that order: they skip the heap's siftup and, more costly, the
 * siftdown of each removal. A timer goes to the FIFO whose last when is
 * the latest one not after its own (best fit: each FIFO keeps one
 * duration's timers), else to an empty FIFO, else to the heap; the
 * earliest timer is the earliest of the heap's root and the FIFOs' heads.
 * With one FIFO, one long timer (a 3 s sleep behind a thousand 1 ms ones)
 * sent every shorter timer to the heap until it fired (bench/keepup:
 * siftdown 9% of the samples). A stopped timer in a FIFO's middle leaves a
 * hole (t NULL), skipped at the head. t->idx: >= 0 its heap index, < 0 its
 * ring slot and FIFO (-1 - (slot * NFIFO + k)).
 *
 * Locking: struct timers.lock protects a P's heap and the pp/idx fields of
 * the timers on it. `first` (the heap's earliest when, 0 if empty) is also
 * readable atomically without the lock. Timer functions run with no timer
 * lock held, on g0 with a P, and must not block. */
#include <stdlib.h>
#include <sys/mman.h>
#include <time.h>
#include "runtime.h"
#include "netpoll.h"
#include "iohooks.h"

/* A heap slot carries the timer's when beside the pointer: ordering the
 * heap reads only this array. With `when` read through the pointer, each
 * comparison was a load from the timer, which for a sleep lives on its
 * goroutine's cold stack: 10,000 sleepers made every siftdown level four
 * cache misses (bench/sleepers). A timer's when does not change while it
 * is on a heap (runtimers re-adds a periodic one after moving it). */
struct timerslot {
	int64_t when;
	struct timer *t;
};

enum { NFIFO = 4 };
struct timers {
	struct mutex lock;
	struct timerslot *heap;
	int32_t n, cap;
	struct fifo {
		struct timerslot *ring; /* cap slots (a power of 2): [head, tail) */
		uint32_t head, tail, cap;
		int32_t live;           /* timers in the ring (holes not counted) */
		int64_t last;           /* when of the last timer appended */
	} fifo[NFIFO];
	uint32_t fmask;                 /* bit k: fifo[k] is not empty */
	_Atomic int32_t flive;          /* timers in all the FIFOs (timers_len) */
	_Atomic int64_t first;
};

static inline int32_t fifoidx(uint32_t slot, int k) { return -1 - (int32_t)(slot * NFIFO + (uint32_t)k); }

static struct timers *timers_of(struct p *pp)
{
	if (!pp->timers) {
		struct timers *ts = sys_mmap(NULL, sizeof *ts, PROT_READ | PROT_WRITE,
					     MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (sys_mmap_failed(ts)) throw("timers: out of memory");
		struct timers *expect = NULL;
		if (!__atomic_compare_exchange_n(&pp->timers, &expect, ts, false, __ATOMIC_ACQ_REL,
						 __ATOMIC_ACQUIRE))
			sys_munmap(ts, sizeof *ts);
	}
	return pp->timers;
}

static void siftup(struct timers *ts, int32_t i)
{
	struct timerslot x = ts->heap[i];
	while (i > 0) {
		int32_t parent = (i - 1) / 4;
		if (x.when >= ts->heap[parent].when) break;
		ts->heap[i] = ts->heap[parent];
		ts->heap[i].t->idx = i;
		i = parent;
	}
	ts->heap[i] = x;
	x.t->idx = i;
}

static void siftdown(struct timers *ts, int32_t i)
{
	struct timerslot x = ts->heap[i];
	for (;;) {
		int32_t c = 4 * i + 1, best = -1;
		int64_t w = x.when;
		for (int32_t k = c; k < c + 4 && k < ts->n; k++)
			if (ts->heap[k].when < w) w = ts->heap[k].when, best = k;
		if (best < 0) break;
		ts->heap[i] = ts->heap[best];
		ts->heap[i].t->idx = i;
		i = best;
	}
	ts->heap[i] = x;
	x.t->idx = i;
}

/* earliestk: the timer that fires first (the heap's root or a FIFO's
 * head), or NULL; *k says where: the FIFO's number, or -1 (the heap). */
static struct timerslot *earliestk(struct timers *ts, int *k)
{
	struct timerslot *e = ts->n ? &ts->heap[0] : NULL;
	*k = -1;
	for (uint32_t m = ts->fmask; m; m &= m - 1) {
		int i = __builtin_ctz(m);
		struct fifo *f = &ts->fifo[i];
		struct timerslot *h = &f->ring[f->head & (f->cap - 1)];
		if (!e || h->when < e->when) e = h, *k = i;
	}
	return e;
}

static struct timerslot *earliest(struct timers *ts)
{
	int k;
	return earliestk(ts, &k);
}

/* updatefirst publishes the earliest when after a removal (an add only
 * lowers it: heapadd). Sequentially consistent (an xchg) where it
 * changes: addtimer's store must be seen before its load of
 * sched.pollUntil, as a blocking M's store of pollUntil before its loads
 * of `first`; where it does not change, no store. */
static void updatefirst(struct timers *ts)
{
	struct timerslot *e = earliest(ts);
	int64_t v = e ? e->when : 0;
	if (atomic_load_explicit(&ts->first, memory_order_relaxed) != v) atomic_store(&ts->first, v);
}

/* fifoadd appends t to the FIFO that keeps its order best (see above);
 * returns whether one took it. Caller holds ts->lock. */
static bool fifoadd(struct timers *ts, struct p *pp, struct timer *t)
{
	int k = -1;
	for (uint32_t m = ts->fmask; m; m &= m - 1) {
		int i = __builtin_ctz(m);
		if (t->when >= ts->fifo[i].last && (k < 0 || ts->fifo[i].last > ts->fifo[k].last)) k = i;
	}
	if (k < 0) {
		if (ts->fmask == (1u << NFIFO) - 1) return false;
		k = __builtin_ctz(~ts->fmask);
	}
	struct fifo *f = &ts->fifo[k];
	if (f->tail - f->head == f->cap) {
		/* Full: copied without its holes into a ring twice as large,
		 * or as large when holes are most of it (timers stopped behind
		 * a long one at the head: read deadlines met one after the
		 * other) so that the ring stays bounded by the live timers. */
		uint32_t nc = !f->cap ? 64 : (uint32_t)f->live * 2 + 64 > f->cap ? f->cap * 2 : f->cap;
		struct timerslot *nf = malloc(nc * sizeof *nf);
		if (!nf) return false; /* the heap takes it */
		uint32_t n = 0;
		for (uint32_t q = f->head; q != f->tail; q++) {
			struct timerslot x = f->ring[q & (f->cap - 1)];
			if (!x.t) continue;
			x.t->idx = fifoidx(n, k);
			nf[n++] = x;
		}
		free(f->ring);
		f->ring = nf;
		f->cap = nc;
		f->head = 0;
		f->tail = n;
	}
	uint32_t slot = f->tail++ & (f->cap - 1);
	f->ring[slot] = (struct timerslot){t->when, t};
	t->idx = fifoidx(slot, k);
	t->pp = pp;
	f->last = t->when;
	f->live++;
	ts->fmask |= 1u << k;
	atomic_store_explicit(&ts->flive, ts->flive + 1, memory_order_relaxed);
	return true;
}

/* fifodel removes t from its FIFO, leaving a hole unless it was the head
 * (holes reaching the head are dropped). Caller holds ts->lock. */
static void fifodel(struct timers *ts, struct timer *t)
{
	uint32_t x = (uint32_t)(-1 - t->idx);
	struct fifo *f = &ts->fifo[x % NFIFO];
	f->ring[x / NFIFO].t = NULL;
	f->live--;
	atomic_store_explicit(&ts->flive, ts->flive - 1, memory_order_relaxed);
	while (f->head != f->tail && !f->ring[f->head & (f->cap - 1)].t) f->head++;
	if (f->head == f->tail) ts->fmask &= ~(1u << (x % NFIFO));
}

static void heapgrow(struct timers *ts)
{
	if (ts->n == ts->cap) {
		int32_t nc = ts->cap ? ts->cap * 2 : 64;
		struct timerslot *nh = realloc(ts->heap, nc * sizeof *nh);
		if (!nh) throw("timers: out of memory");
		ts->heap = nh;
		ts->cap = nc;
	}
}

/* heapadd puts t on ts: on the FIFO if it keeps its order, else on the
 * heap. Caller holds ts->lock. */
static void heapadd(struct timers *ts, struct p *pp, struct timer *t)
{
	if (!fifoadd(ts, pp, t)) {
		heapgrow(ts);
		t->pp = pp;
		ts->heap[ts->n] = (struct timerslot){t->when, t};
		siftup(ts, ts->n++);
	}
	/* `first` is the earliest when or earlier (never later: runtimers'
	 * and heapdetach's publications are exact, the rest only lower
	 * it), so an added timer can only lower it: no need to look at
	 * every queue's head again (updatefirst after each add was 5% of
	 * bench/sleepers' instructions). Sequentially consistent where it
	 * changes, as updatefirst. */
	int64_t f = atomic_load_explicit(&ts->first, memory_order_relaxed);
	if (f == 0 || t->when < f) atomic_store(&ts->first, t->when);
}

/* heapdetach_quiet removes t from ts (the FIFO or the heap), t->pp and
 * `first` unchanged (so stale early: the caller publishes it). Caller
 * holds ts->lock. */
static void heapdetach_quiet(struct timers *ts, struct timer *t)
{
	if (t->idx < 0) {
		fifodel(ts, t);
		return;
	}
	int32_t i = t->idx;
	struct timerslot last = ts->heap[--ts->n];
	if (i != ts->n) {
		ts->heap[i] = last;
		last.t->idx = i;
		siftup(ts, i);
		siftdown(ts, last.t->idx);
	}
}

/* heapdetach: heapdetach_quiet and `first` published. */
static void heapdetach(struct timers *ts, struct timer *t)
{
	heapdetach_quiet(ts, t);
	updatefirst(ts);
}

/* heapdel: heapdetach, and t is on no P (deltimer reads t->pp without the
 * lock: a periodic timer that runtimers re-adds has running set first). */
static void heapdel(struct timers *ts, struct timer *t)
{
	heapdetach(ts, t);
	__atomic_store_n(&t->pp, NULL, __ATOMIC_RELEASE);
}

/* addtimer starts t on the current P. Runs with a P (user G or g0). */
void addtimer(struct timer *t)
{
	struct m *mp = getm();
	struct p *pp = mp->p ? mp->p : allp[0];
	struct timers *ts = timers_of(pp);
	lock(&ts->lock);
	heapadd(ts, pp, t);
	unlock(&ts->lock);
	/* An M asleep in the netpoller until later must wake to see it. */
	int64_t pu = atomic_load(&sched.pollUntil);
	if (pu == 0 || t->when < pu) netpollbreak_if_blocked();
}

/* deltimer stops t; returns whether it was pending. The timer may be moved
 * between Ps by procresize meanwhile: re-check pp under its lock. */
bool deltimer(struct timer *t)
{
	for (;;) {
		struct p *pp = __atomic_load_n(&t->pp, __ATOMIC_ACQUIRE);
		if (!pp) {
			/* Off every P: done, or a periodic timer between its
			 * removal and its re-adding in runtimers, which sets
			 * running first. Returning then ("not pending") let
			 * gort_ticker_stop free a ticker runtimers was about to
			 * re-add and run (SIGFPE in runtimers, 1 run in 8 of
			 * test/e2e timeouts mix). */
			if (!atomic_load(&t->running)) return false;
			while (atomic_load(&t->running)) osyield();
			continue;
		}
		struct timers *ts = pp->timers;
		lock(&ts->lock);
		if (t->pp == pp) {
			heapdel(ts, t);
			unlock(&ts->lock);
			/* A periodic timer's function may be running on another M:
			 * the caller may free t once we return. */
			while (atomic_load(&t->running)) osyield();
			return true;
		}
		unlock(&ts->lock);
	}
}

/* timers_foreach calls fn on every pending timer of every P, each heap
 * under its lock (fn must not add or delete timers). The netpoller uses
 * it to find the sleeps a signal interrupts (netpoll.c). */
void timers_foreach(void (*fn)(struct timer *t, void *ctx), void *ctx)
{
	for (int32_t i = 0; i < atomic_load(&allplen); i++) {
		struct timers *ts = allp[i]->timers;
		if (!ts) continue;
		lock(&ts->lock);
		for (int32_t k = 0; k < ts->n; k++) fn(ts->heap[k].t, ctx);
		for (int k = 0; k < NFIFO; k++) {
			struct fifo *f = &ts->fifo[k];
			for (uint32_t q = f->head; q != f->tail; q++)
				if (f->ring[q & (f->cap - 1)].t) fn(f->ring[q & (f->cap - 1)].t, ctx);
		}
		unlock(&ts->lock);
	}
}

/* timers_len: how many timers pp's heap holds, read without its lock (for
 * GODEBUG=scheddetail's timerslen, which Go reads the same way). */
int32_t timers_len(struct p *pp)
{
	struct timers *ts = __atomic_load_n(&pp->timers, __ATOMIC_ACQUIRE);
	return ts ? __atomic_load_n(&ts->n, __ATOMIC_RELAXED) + __atomic_load_n(&ts->flive, __ATOMIC_RELAXED) : 0;
}

bool pp_has_timers(struct p *pp)
{
	return pp->timers && atomic_load(&pp->timers->first) != 0;
}

int64_t timers_next(struct p *pp)
{
	return pp->timers ? atomic_load(&pp->timers->first) : 0;
}

/* runtimers runs the due timers of pp (on the current M, which has a P).
 * Returns -1 if it ran any, else the next when (0 if none).
 *
 * Due timers are taken off in batches of up to RUNTIMERS_BATCH under one
 * hold of the lock, `first` published once per batch, and their functions
 * then run with the lock released. Go (and this file before) unlocked and
 * relocked around each function: with 10,000 sleepers due together that
 * was two atomic operations and a sequentially consistent store of
 * `first` per timer, 10% of bench/sleepers' samples at GOMAXPROCS=1. A
 * timer taken off is no longer pending, to deltimer, as before: its
 * function may still run after a stop that returned false (Go's rule);
 * only the window is a batch long. `first` is stale early meanwhile,
 * which costs a reader at most a look under the lock. */
enum { RUNTIMERS_PREFETCH = 4, RUNTIMERS_BATCH = 32 };
_Static_assert((RUNTIMERS_PREFETCH & (RUNTIMERS_PREFETCH - 1)) == 0, "runtimers tests FIFO heads against RUNTIMERS_PREFETCH - 1");
static int64_t runtimers(struct p *pp, int64_t now)
{
	struct timers *ts = pp->timers;
	if (!ts) return 0;
	int64_t first = atomic_load(&ts->first);
	if (first == 0 || first > now) return first;
	struct {
		void (*f)(void *, int64_t);
		void *arg;
		struct timer *periodic; /* its running count to drop after f */
	} due[RUNTIMERS_BATCH];
	bool ran = false;
	int n;
	int64_t next;
	do {
		n = 0;
		lock(&ts->lock);
		struct timerslot *e;
		int k;
		while (n < RUNTIMERS_BATCH && (e = earliestk(ts, &k)) && e->when <= now) {
			struct timer *t = e->t;
			/* A due timer's first load is a cache miss: sleepers'
			 * timers live on their goroutines' cold stacks (97% of
			 * runtimers' samples in bench/sleepers were the load of
			 * t->period). The FIFO says which timers come next:
			 * start their lines now, RUNTIMERS_PREFETCH of them at
			 * once every RUNTIMERS_PREFETCH timers. Each is on its
			 * own page, and a prefetch whose page walk is not done
			 * holds up every instruction after it: one at a time,
			 * each walk was waited for alone; asked together, the
			 * walks overlap. */
			if (k >= 0 && (ts->fifo[k].head & (RUNTIMERS_PREFETCH - 1)) == 0) {
				struct fifo *f = &ts->fifo[k];
				for (uint32_t a = RUNTIMERS_PREFETCH; a < 2 * RUNTIMERS_PREFETCH && a < f->tail - f->head; a++) {
					struct timer *pt = f->ring[(f->head + a) & (f->cap - 1)].t;
					if (pt) __builtin_prefetch(pt, 1);
				}
			}
			bool periodic = t->period > 0;
			/* Before it leaves the heap: deltimer must wait, not
			 * call a periodic timer that is off its P for a moment
			 * stopped. A count: the P's owner and a stealer
			 * (timers_steal) may both be in f for one ticker, the
			 * second popping it again once due (with a flag, the
			 * first to finish cleared it while the other still sent
			 * on the ticker's channel: gort_ticker_stop freed it
			 * under that send, which landed in the next ticker's
			 * channel at the same address: "early" ticks in
			 * timeouts mix, 7 runs in 60 at GOMAXPROCS=2). */
			if (periodic) atomic_fetch_add(&t->running, 1);
			heapdetach_quiet(ts, t);
			__atomic_store_n(&t->pp, NULL, __ATOMIC_RELEASE);
			if (periodic) {
				int64_t k = 1 + (now - t->when) / t->period;
				/* Saturated: a period of years is "never again". */
				t->when = t->period > (INT64_MAX - t->when) / k ? INT64_MAX : t->when + t->period * k;
				heapadd(ts, pp, t);
			}
			/* After f, t may be freed (a woken sleeper's timer). */
			due[n].f = t->f;
			due[n].arg = t->arg;
			due[n].periodic = periodic ? t : NULL;
			n++;
		}
		e = earliest(ts);
		next = e ? e->when : 0;
		if (n) atomic_store_explicit(&ts->first, next, memory_order_release);
		unlock(&ts->lock);
		/* The functions' first loads, asked for together: a woken
		 * sleeper's G (goready's CAS of its status), a channel. Not
		 * always a pointer, which a prefetch does not mind. */
		for (int i = 0; i < n; i++) __builtin_prefetch(due[i].arg, 1);
		for (int i = 0; i < n; i++) {
			due[i].f(due[i].arg, now);
			if (due[i].periodic) atomic_fetch_sub(&due[i].periodic->running, 1);
		}
		ran |= n > 0;
	} while (n == RUNTIMERS_BATCH);
	return ran ? -1 : next;
}

int64_t timers_check(struct p *pp, int64_t now)
{
	int64_t r = runtimers(pp, now);
	return r == -1 ? timers_next(pp) : r;
}

int64_t timers_steal(struct p *pp, struct p *victim, int64_t now)
{
	(void)pp;
	return runtimers(victim, now);
}

/* timers_earliest: the earliest when over every P, 0 if none. */
int64_t timers_earliest(void)
{
	int64_t e = 0;
	for (int32_t i = 0; i < atomic_load(&allplen); i++) {
		int64_t w = timers_next(allp[i]);
		if (w && (!e || w < e)) e = w;
	}
	return e;
}

/* timers_move moves every timer of a dying P to another (procresize). */
void timers_move(struct p *from, struct p *to)
{
	struct timers *fs = from->timers;
	if (!fs) return;
	struct timers *ts = timers_of(to);
	lock(&fs->lock);
	lock(&ts->lock);
	struct timerslot *e;
	while ((e = earliest(fs))) {
		struct timer *t = e->t;
		/* Never NULL in between: deltimer would take the timer for
		 * stopped and its owner free it while it is re-added here (a
		 * ticker stopped while GOMAXPROCS shrank: the freed timer on a
		 * heap, twice once its memory held the next ticker). Pointing
		 * at `to` (whose lock is held) makes deltimer wait for it. */
		__atomic_store_n(&t->pp, to, __ATOMIC_RELEASE);
		heapdetach(fs, t);
		heapadd(ts, to, t);
	}
	unlock(&ts->lock);
	unlock(&fs->lock);
}

/* ---- sleeping ---- */

static void goready_timer(void *arg, int64_t now)
{
	(void)now;
	goready((struct g *)arg, wakenext());
}

static int sleep_unlock(struct g *gp, void *arg)
{
	(void)gp;
	addtimer(arg);
	return 1;
}

/* gosleep parks the goroutine gp (the caller) for ns > 0. */
static inline __attribute__((always_inline)) void gosleep(struct g *gp, int64_t ns)
{
	int64_t now = nanotime();
	struct timer t = {.when = ns > INT64_MAX - now ? INT64_MAX : now + ns, .f = goready_timer, .arg = gp};
	/* The timer is added on g0 once gp is parked, so it cannot fire before
	 * gp is Gwaiting. The park's timer check reuses now (mcall_direct). */
	gp->m->parknow = now;
	gopark(sleep_unlock, &t, waitSleep);
}

void gort_sleep(int64_t ns)
{
	if (ns <= 0) {
		gort_yield();
		return;
	}
	struct g *gp = scheduler_started ? getg() : NULL;
	if (!gp || !gp->m || gp == gp->m->g0 || !gp->m->p) {
		/* Not in a goroutine (a constructor, a foreign thread). */
		struct timespec ts = {ns / 1000000000, ns % 1000000000};
		while (rawsyscall(SYS_nanosleep, &ts, &ts, 0) == -EINTR)
			;
		return;
	}
	gosleep(gp, ns);
}

/* ---- the sleeping libc calls' hooks (iohooks.h) ----
 * In a goroutine they park it on a timer. A handler the program installed
 * (whatever its SA_RESTART) ends the sleep early with EINTR and the time
 * left, as the kernel does (signal(7): sleeps are never restarted). */

void isleep_fire(void *arg, int64_t now)
{
	(void)now;
	struct isleep *s = arg;
	struct g *gp = s->g;
	uint32_t zero = 0;
	bool won = atomic_compare_exchange_strong(&s->done, &zero, 1);
	atomic_store(&s->timerdone, 1); /* the last access to s */
	if (won) goready(gp, wakenext());
}

static int isleep_commit(struct g *gp, void *arg)
{
	(void)gp;
	addtimer(arg); /* gp is Gwaiting: the timer or a signal may ready it */
	return 1;
}

/* isleep parks the caller until deadline or a handler of the program
 * runs (netpoll.c, "interrupts"): 0 or EINTR. */
static inline __attribute__((always_inline)) int isleep(int64_t deadline)
{
	netpoll_init(); /* the eventfd carries the signal */
	struct isleep s = {.t = {.when = deadline, .f = isleep_fire}, .g = getg(), .gen_any = atomic_load(&sigintr_gen)};
	s.t.arg = &s;
	gopark(isleep_commit, &s, waitSleep);
	if (atomic_load(&s.done) != 2) return 0;
	if (!deltimer(&s.t))
		while (!atomic_load(&s.timerdone)) osyield();
	return EINTR;
}

/* sleepfor parks the calling goroutine for ns: 0, or EINTR (with the time
 * left in *rem) if a handler of the program ran meanwhile. Inlined into
 * each hook: no more frames on the goroutine's stack than gort_sleep has
 * (10,000 sleeping goroutines are 10,000 cold stacks, and each frame more
 * is a cache miss more per wake-up; bench/hooks). */
static inline __attribute__((always_inline)) int sleepfor(int64_t ns, struct timespec *rem)
{
	if (ns <= 0) {
		gort_yield();
		return 0;
	}
	if (likely(!netpoll_intr_possible())) {
		/* No handler of the program can interrupt it: the plain sleep. */
		gosleep(getg(), ns);
		return 0;
	}
	int64_t deadline = when_after(ns);
	if (isleep(deadline) != EINTR) return 0;
	if (rem) {
		int64_t left = deadline - nanotime();
		if (left < 0) left = 0;
		*rem = (struct timespec){left / 1000000000, left % 1000000000};
	}
	return EINTR;
}

static bool badtime(const struct timespec *ts)
{
	return ts->tv_sec < 0 || ts->tv_nsec < 0 || ts->tv_nsec >= 1000000000L;
}

/* A century or more: a sleep for ever, as far as nanotime can tell. */
#define FOREVER (INT64_MAX / 2)
static int64_t tons(const struct timespec *ts)
{
	if (ts->tv_sec > 100LL * 365 * 86400) return FOREVER;
	return ts->tv_sec * 1000000000LL + ts->tv_nsec;
}

int gort_hook_nanosleep(const struct timespec *req, struct timespec *rem)
{
	if (!hooks_active()) {
		long r = rawsyscall(SYS_nanosleep, req, rem, 0);
		if (r < 0) {
			errno = (int)-r;
			return -1;
		}
		return 0;
	}
	if (badtime(req)) {
		errno = EINVAL;
		return -1;
	}
	if (sleepfor(tons(req), rem)) {
		errno = EINTR;
		return -1;
	}
	return 0;
}

/* clock_nanosleep returns the error, errno untouched. Relative sleeps on
 * CLOCK_MONOTONIC or CLOCK_REALTIME park; absolute ones on CLOCK_MONOTONIC
 * too (nanotime is that clock). Other clocks, and absolute wall-clock
 * times (which follow clock changes), are the system call itself, with
 * the P handed off. */
int gort_hook_clock_nanosleep(clockid_t clk, int flags, const struct timespec *req, struct timespec *rem)
{
	bool active = hooks_active();
	bool abs = flags & TIMER_ABSTIME;
	if (!active || !(clk == CLOCK_MONOTONIC || (clk == CLOCK_REALTIME && !abs))) {
		if (active) gort_entersyscall();
		long r = rawsyscall6(SYS_clock_nanosleep, clk, flags, (long)req, (long)rem, 0, 0);
		if (active) gort_exitsyscall();
		return (int)-r;
	}
	if (badtime(req)) return EINVAL;
	int64_t ns = tons(req);
	if (abs) ns -= nanotime();
	return sleepfor(ns, abs ? NULL : rem);
}

int gort_hook_usleep(unsigned long us)
{
	if (!hooks_active()) {
		struct timespec ts = {us / 1000000, (us % 1000000) * 1000};
		return gort_hook_nanosleep(&ts, NULL);
	}
	if (sleepfor(us > FOREVER / 1000 ? FOREVER : (int64_t)us * 1000, NULL)) {
		errno = EINTR;
		return -1;
	}
	return 0;
}

unsigned gort_hook_sleep(unsigned s)
{
	struct timespec ts = {s, 0};
	if (gort_hook_nanosleep(&ts, &ts) == 0) return 0;
	return ts.tv_sec;
}

int64_t gort_nanotime(void)
{
	preemptcheck();
	return nanotime();
}

/* ---- timer channels ---- */

struct aftertimer {
	struct timer t;
	gort_chan *c;
};

static void sendtime(void *arg, int64_t now)
{
	struct aftertimer *a = arg;
	gort_chan_trysend(a->c, &now); /* never blocks: capacity 1, one send */
	free(a);
}

gort_chan *gort_after(int64_t ns)
{
	gort_chan *c = gort_chan_make(sizeof(int64_t), 1);
	struct aftertimer *a = malloc(sizeof *a);
	if (!a) fatal("gort_after: out of memory");
	*a = (struct aftertimer){.t = {.when = when_after(ns), .f = sendtime}, .c = c};
	a->t.arg = a;
	if (!scheduler_started) fatal("gort_after called before the scheduler started");
	addtimer(&a->t);
	return c;
}

struct gort_ticker {
	struct timer t;
	gort_chan *c;
};

static void sendtick(void *arg, int64_t now)
{
	struct gort_ticker *tk = arg;
	gort_chan_trysend(tk->c, &now); /* a slow receiver misses ticks */
}

gort_ticker *gort_ticker_new(int64_t period)
{
	if (period <= 0) fatal("gort_ticker_new: non-positive period %ld", (long)period);
	if (!scheduler_started) fatal("gort_ticker_new called before the scheduler started");
	struct gort_ticker *tk = malloc(sizeof *tk);
	if (!tk) fatal("gort_ticker_new: out of memory");
	tk->c = gort_chan_make(sizeof(int64_t), 1);
	tk->t = (struct timer){.when = when_after(period), .period = period, .f = sendtick, .arg = tk};
	addtimer(&tk->t);
	return tk;
}

gort_chan *gort_ticker_chan(const gort_ticker *t) { return t->c; }

void gort_ticker_stop(gort_ticker *t)
{
	if (!t) return;
	deltimer(&t->t);
	gort_chan_free(t->c);
	free(t);
}

/* forkkeeps: a timer a fork child keeps (a channel's: gort_after, tickers). */
static bool forkkeeps(const struct timer *t) { return t->f == sendtime || t->f == sendtick; }

/* timers_atfork (fork.c): the prepare handler takes every P's timers lock,
 * after the world stopped and the scheduler's locks, and the parent and the
 * child release them. A thread without a P takes them while the world is
 * stopped: sysmon's netpoll, whose scan for the sleeps a signal interrupts
 * (netpoll.c, timers_foreach) locks each P's timers in turn, and an M
 * waiting in the netpoller. One held at the fork was held in the child by a
 * thread the child does not have, and the child hung in timers_forkchild
 * (test/stress, whose signal storm makes that scan every 300 us: a fork's
 * child in futexsleep under timers_forkchild, its parent in waitpid for
 * it). Every P's timers are made here if a P has none yet, so that none
 * is made, and locked, meanwhile. Lock order: after sched.lock and the
 * other runtime locks fork.c takes; nothing holding a timers lock takes
 * another runtime lock. */
void timers_atfork(int phase)
{
	int32_t np = atomic_load(&allplen);
	for (int32_t i = 0; i < np; i++) {
		if (phase == ATFORK_PREPARE) lock(&timers_of(allp[i])->lock);
		else unlock(&allp[i]->timers->lock);
	}
}

/* timers_forkchild (fork.c, in the child of a fork, with the lock held
 * since the prepare handler): keeps the timers of channels (gort_after,
 * tickers), which the forking goroutine may own, and drops every other
 * (sleeps and I/O deadlines of goroutines that do not exist in the child).
 * Nothing else runs. */
void timers_forkchild(struct p *pp)
{
	struct timers *ts = pp->timers;
	if (!ts) return;
	int32_t n = 0;
	for (int32_t i = 0; i < ts->n; i++) {
		struct timer *t = ts->heap[i].t;
		if (forkkeeps(t)) ts->heap[n++] = ts->heap[i];
		else t->pp = NULL;
	}
	ts->n = n;
	/* The FIFOs': dropped, or appended to the heap's array (heapified
	 * below with the rest). */
	for (int k = 0; k < NFIFO; k++) {
		struct fifo *f = &ts->fifo[k];
		uint32_t q0 = f->head, q1 = f->tail, mask = f->cap - 1;
		f->head = f->tail = 0;
		f->live = 0;
		for (uint32_t q = q0; q != q1; q++) {
			struct timer *t = f->ring[q & mask].t;
			if (!t) continue;
			if (forkkeeps(t)) {
				heapgrow(ts);
				ts->heap[ts->n++] = (struct timerslot){t->when, t};
			} else {
				t->pp = NULL;
			}
		}
	}
	ts->flive = 0;
	ts->fmask = 0;
	n = ts->n;
	for (int32_t i = 0; i < n; i++) ts->heap[i].t->idx = i;
	for (int32_t i = n / 4 + 1; i-- > 0;)
		if (i < n) siftdown(ts, i);
	/* A ticker whose function ran on another thread at the fork kept
	 * that run's count: deltimer (gort_ticker_stop) would wait for it
	 * without end. No function runs in the child now. */
	for (int32_t i = 0; i < n; i++) atomic_store(&ts->heap[i].t->running, 0);
	updatefirst(ts);
}
