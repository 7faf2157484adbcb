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
 * Beside the heap, a FIFO: a timer whose when is no earlier than that of
 * the last timer the FIFO took is appended to it instead (a ring, in order
 * of when, removed from its head in O(1)). Timers of one duration started
 * one after the other (sleeps in a loop, read deadlines, retries) arrive
 * in that order: they skip the heap's siftup and, more costly, the
 * siftdown of each removal. Any other timer goes on the heap; the earliest
 * timer is the earlier of the heap's root and the FIFO's head. A stopped
 * timer in the FIFO's middle leaves a hole (t NULL), skipped at the head.
 * t->idx: >= 0 its heap index, < 0 its ring slot (-1 - slot).
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

struct timers {
	struct mutex lock;
	struct timerslot *heap;
	int32_t n, cap;
	struct timerslot *fifo; /* ring of fcap (a power of 2): [fhead, ftail) */
	uint32_t fhead, ftail, fcap;
	int32_t flive;          /* timers in the ring (holes not counted) */
	int64_t flast;          /* when of the last timer appended */
	_Atomic int64_t first;
};

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

/* fifohead: the FIFO's earliest timer's slot, or NULL if it is empty. */
static struct timerslot *fifohead(struct timers *ts)
{
	return ts->fhead != ts->ftail ? &ts->fifo[ts->fhead & (ts->fcap - 1)] : NULL;
}

/* earliest: the timer that fires first (the heap's root or the FIFO's
 * head), or NULL. */
static struct timerslot *earliest(struct timers *ts)
{
	struct timerslot *f = fifohead(ts), *h = ts->n ? &ts->heap[0] : NULL;
	if (!f) return h;
	if (!h) return f;
	return h->when < f->when ? h : f;
}

static void updatefirst(struct timers *ts)
{
	struct timerslot *e = earliest(ts);
	atomic_store(&ts->first, e ? e->when : 0);
}

/* fifoadd appends t to ts's FIFO if it keeps it in order; returns whether
 * it did. Caller holds ts->lock. */
static bool fifoadd(struct timers *ts, struct p *pp, struct timer *t)
{
	if (ts->fhead != ts->ftail && t->when < ts->flast) return false;
	if (ts->ftail - ts->fhead == ts->fcap) {
		/* Full: copied without its holes into a ring twice as large,
		 * or as large when holes are most of it (timers stopped behind
		 * a long one at the head: read deadlines met one after the
		 * other) so that the ring stays bounded by the live timers. */
		uint32_t nc = !ts->fcap ? 64 : (uint32_t)ts->flive * 2 + 64 > ts->fcap ? ts->fcap * 2 : ts->fcap;
		struct timerslot *nf = malloc(nc * sizeof *nf);
		if (!nf) return false; /* the heap takes it */
		uint32_t k = 0;
		for (uint32_t q = ts->fhead; q != ts->ftail; q++) {
			struct timerslot x = ts->fifo[q & (ts->fcap - 1)];
			if (!x.t) continue;
			x.t->idx = -1 - (int32_t)k;
			nf[k++] = x;
		}
		free(ts->fifo);
		ts->fifo = nf;
		ts->fcap = nc;
		ts->fhead = 0;
		ts->ftail = k;
	}
	uint32_t slot = ts->ftail++ & (ts->fcap - 1);
	ts->fifo[slot] = (struct timerslot){t->when, t};
	t->idx = -1 - (int32_t)slot;
	t->pp = pp;
	ts->flast = t->when;
	ts->flive++;
	return true;
}

/* fifodel removes t from ts's FIFO, leaving a hole unless it was the head
 * (holes reaching the head are dropped). Caller holds ts->lock. */
static void fifodel(struct timers *ts, struct timer *t)
{
	ts->fifo[-1 - t->idx].t = NULL;
	ts->flive--;
	while (ts->fhead != ts->ftail && !ts->fifo[ts->fhead & (ts->fcap - 1)].t) ts->fhead++;
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
	if (fifoadd(ts, pp, t)) {
		updatefirst(ts);
		return;
	}
	heapgrow(ts);
	t->pp = pp;
	ts->heap[ts->n] = (struct timerslot){t->when, t};
	siftup(ts, ts->n++);
	updatefirst(ts);
}

/* heapdetach removes t from ts (the FIFO or the heap), t->pp unchanged.
 * Caller holds ts->lock. */
static void heapdetach(struct timers *ts, struct timer *t)
{
	if (t->idx < 0) {
		fifodel(ts, t);
		updatefirst(ts);
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
		for (uint32_t q = ts->fhead; q != ts->ftail; q++)
			if (ts->fifo[q & (ts->fcap - 1)].t) fn(ts->fifo[q & (ts->fcap - 1)].t, ctx);
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
 * Returns -1 if it ran any, else the next when (0 if none). */
#define RUNTIMERS_PREFETCH 4
static int64_t runtimers(struct p *pp, int64_t now)
{
	struct timers *ts = pp->timers;
	if (!ts) return 0;
	int64_t first = atomic_load(&ts->first);
	if (first == 0 || first > now) return first;
	bool ran = false;
	lock(&ts->lock);
	struct timerslot *e;
	while ((e = earliest(ts)) && e->when <= now) {
		struct timer *t = e->t;
		/* A due timer's first load is a cache miss: sleepers' timers
		 * live on their goroutines' cold stacks (97% of runtimers'
		 * samples in bench/sleepers were the load of t->period). The
		 * FIFO says which timers come next: start their lines now. */
		uint32_t ahead = ts->fhead + RUNTIMERS_PREFETCH;
		if (ahead - ts->fhead < ts->ftail - ts->fhead && ts->fifo[ahead & (ts->fcap - 1)].t)
			__builtin_prefetch(ts->fifo[ahead & (ts->fcap - 1)].t, 1);
		bool periodic = t->period > 0;
		/* Before it leaves the heap: deltimer must wait, not call a
		 * periodic timer that is off its P for a moment stopped. A
		 * count: the P's owner and a stealer (timers_steal) may both
		 * be in f for one ticker, the second popping it again once due
		 * (with a flag, the first to finish cleared it while the other
		 * still sent on the ticker's channel: gort_ticker_stop freed
		 * it under that send, which landed in the next ticker's
		 * channel at the same address: "early" ticks in timeouts mix,
		 * 7 runs in 60 at GOMAXPROCS=2). */
		if (periodic) atomic_fetch_add(&t->running, 1);
		heapdel(ts, t);
		if (periodic) {
			int64_t n = 1 + (now - t->when) / t->period;
			/* Saturated: a period of years is "never again". */
			t->when = t->period > (INT64_MAX - t->when) / n ? INT64_MAX : t->when + t->period * n;
			heapadd(ts, pp, t);
		}
		void (*f)(void *, int64_t) = t->f;
		void *arg = t->arg;
		unlock(&ts->lock);
		f(arg, now); /* may free t (a one-shot timer of a woken sleeper) */
		if (periodic) atomic_fetch_sub(&t->running, 1);
		ran = true;
		lock(&ts->lock);
	}
	e = earliest(ts);
	int64_t next = e ? e->when : 0;
	unlock(&ts->lock);
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
	goready((struct g *)arg, false);
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
	if (won) goready(gp, false);
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

/* timers_forkchild (fork.c, in the child of a fork): keeps the timers of
 * channels (gort_after, tickers), which the forking goroutine may own, and
 * drops every other (sleeps and I/O deadlines of goroutines that do not
 * exist in the child). Nothing else runs. */
void timers_forkchild(struct p *pp)
{
	struct timers *ts = pp->timers;
	if (!ts) return;
	lock(&ts->lock);
	int32_t n = 0;
	for (int32_t i = 0; i < ts->n; i++) {
		struct timer *t = ts->heap[i].t;
		if (forkkeeps(t)) ts->heap[n++] = ts->heap[i];
		else t->pp = NULL;
	}
	ts->n = n;
	/* The FIFO's: dropped, or appended to the heap's array (heapified
	 * below with the rest). */
	uint32_t q0 = ts->fhead, q1 = ts->ftail;
	struct timerslot *ring = ts->fifo;
	uint32_t mask = ts->fcap - 1;
	ts->fhead = ts->ftail = 0;
	ts->flive = 0;
	for (uint32_t q = q0; q != q1; q++) {
		struct timer *t = ring[q & mask].t;
		if (!t) continue;
		if (forkkeeps(t)) {
			heapgrow(ts);
			ts->heap[ts->n++] = (struct timerslot){t->when, t};
		} else {
			t->pp = NULL;
		}
	}
	n = ts->n;
	for (int32_t i = 0; i < n; i++) ts->heap[i].t->idx = i;
	for (int32_t i = n / 4 + 1; i-- > 0;)
		if (i < n) siftdown(ts, i);
	updatefirst(ts);
	unlock(&ts->lock);
}
