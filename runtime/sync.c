/* sync.c: goroutine-aware WaitGroup and Mutex (Go's sync package). Waiting
 * parks the goroutine, never the thread.
 *
 * Both keep their waiters in a FIFO list of nodes on the waiters' own
 * stacks, under a small runtime lock (the `lock` word, a struct mutex);
 * their fast paths (a Done that does not reach zero, an uncontended Lock
 * and Unlock) are one atomic operation and take no lock.
 * Mutex: state 0 unlocked, 1 locked, 2 locked with waiters. Unlock hands
 * the mutex directly to the first waiter (state stays locked), so a waiter
 * cannot be starved by goroutines that keep re-locking on the fast path.
 * Called outside a goroutine (a C constructor, a thread gort did not
 * create) they fall back to sleeping the thread (1 ms steps). */
#include <time.h>
#include "runtime.h"

struct syncwaiter {
	struct g *g;
	struct syncwaiter *next;
};

_Static_assert(sizeof(((gort_mutex *)0)->lock) == sizeof(struct mutex), "lock word");

static int unlockf(struct g *gp, void *l)
{
	(void)gp;
	unlock(l);
	return 1;
}

static void threadsleep(void)
{
	struct timespec ts = {0, 1000000};
	rawsyscall(SYS_nanosleep, &ts, NULL, 0);
}

static void push(void **head, void **tail, struct syncwaiter *w)
{
	w->next = NULL;
	if (*tail) ((struct syncwaiter *)*tail)->next = w;
	else *head = w;
	*tail = w;
}

static struct syncwaiter *pop(void **head, void **tail)
{
	struct syncwaiter *w = *head;
	if (w) {
		*head = w->next;
		if (!*head) *tail = NULL;
	}
	return w;
}

/* WaitGroup (Go's sync.WaitGroup): wg->count holds two counters in one
 * atomic word, the WaitGroup's counter in the high 32 bits and the number
 * of parked waiters in the low 32, so that Add and Done are one atomic add
 * and decide, in that same step, whether anyone must be woken:
 *   - a Done that leaves the counter above zero, or finds no waiter, is
 *     done, and touches the WaitGroup no more: a waiter that saw zero may
 *     already have returned and freed it (a WaitGroup on its stack);
 *   - the Done that brings the counter to zero with waiters takes the lock
 *     and wakes them all. They cannot leave before it wakes them, so the
 *     WaitGroup is alive while it does.
 * A waiter counts itself in and queues itself under the lock, in one
 * critical section, so the waker (which takes the lock after seeing the
 * waiter count) finds it on the list. */
#define WG_COUNTER(s) ((int32_t)((uint64_t)(s) >> 32))
#define WG_WAITERS(s) ((uint32_t)(s))

void gort_wg_add(gort_waitgroup *wg, int64_t delta)
{
	if (delta < 0) racerelease(wg); /* gort_wg_done: what we did is seen by the waiters */
	if (delta > INT32_MAX || delta < -(int64_t)INT32_MAX) fatal("sync: WaitGroup delta %ld out of range", (long)delta);
	int64_t s = __atomic_add_fetch(&wg->count, (int64_t)((uint64_t)delta << 32), __ATOMIC_ACQ_REL);
	int32_t v = WG_COUNTER(s);
	uint32_t w = WG_WAITERS(s);
	if (v < 0) fatal("sync: negative WaitGroup counter");
	if (v > 0 || w == 0) return;
	struct mutex *l = (struct mutex *)&wg->lock;
	lock(l);
	struct syncwaiter *list = wg->waiters;
	wg->waiters = wg->tail = NULL;
	/* Only the waiters go: an Add for the next round, racing (Go calls
	 * that a misuse), keeps its count. */
	__atomic_sub_fetch(&wg->count, (int64_t)w, __ATOMIC_RELAXED);
	unlock(l);
	while (list) {
		struct syncwaiter *next = list->next; /* list lives on the waiter's stack */
		goready(list->g, false);
		list = next;
	}
}

void gort_wg_done(gort_waitgroup *wg) { gort_wg_add(wg, -1); }

void gort_wg_wait(gort_waitgroup *wg)
{
	if (WG_COUNTER(__atomic_load_n(&wg->count, __ATOMIC_ACQUIRE)) == 0) {
		raceacquire(wg);
		return;
	}
	if (!ingoroutine()) {
		/* A thread gort did not create waits (a goroutine ends the
		 * wait); before the scheduler runs (a C constructor) none can:
		 * the same fatal error as a channel's. */
		if (!scheduler_started) fatal("gort_wg_wait would block outside a goroutine, before the scheduler runs");
		while (WG_COUNTER(__atomic_load_n(&wg->count, __ATOMIC_ACQUIRE)) != 0) threadsleep();
		raceacquire(wg);
		return;
	}
	struct mutex *l = (struct mutex *)&wg->lock;
	lock(l);
	int64_t s = __atomic_load_n(&wg->count, __ATOMIC_ACQUIRE);
	do {
		if (WG_COUNTER(s) == 0) {
			unlock(l);
			raceacquire(wg);
			return;
		}
	} while (!__atomic_compare_exchange_n(&wg->count, &s, s + 1, false, __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE));
	struct syncwaiter w = {getg(), NULL};
	push(&wg->waiters, &wg->tail, &w);
	gopark(unlockf, l, waitWaitGroup);
	raceacquire(wg);
}

void gort_mutex_lock(gort_mutex *mu)
{
	uint32_t zero = 0;
	if (__atomic_compare_exchange_n(&mu->state, &zero, 1, false, __ATOMIC_ACQUIRE, __ATOMIC_RELAXED)) {
		raceacquire(mu);
		return;
	}
	if (!ingoroutine()) {
		if (!scheduler_started) fatal("gort_mutex_lock would block outside a goroutine, before the scheduler runs");
		for (;;) {
			zero = 0;
			if (__atomic_compare_exchange_n(&mu->state, &zero, 1, false, __ATOMIC_ACQUIRE,
							__ATOMIC_RELAXED)) {
				raceacquire(mu);
				return;
			}
			threadsleep();
		}
	}
	struct mutex *l = (struct mutex *)&mu->lock;
	lock(l);
	/* Mark it contended in the same step that checks it: an unlock on the
	 * fast path (1 -> 0) may happen right now, and a plain store of 2
	 * would then lock a mutex that nobody owns. If it was free, it is ours
	 * (in state 2, which only costs the next unlock the slow path). */
	if (__atomic_exchange_n(&mu->state, 2, __ATOMIC_ACQUIRE) == 0) {
		unlock(l);
		raceacquire(mu);
		return;
	}
	struct syncwaiter w = {getg(), NULL};
	push(&mu->waiters, &mu->tail, &w);
	gopark(unlockf, l, waitMutex);
	/* Handed over: we own the mutex. */
	__atomic_thread_fence(__ATOMIC_ACQUIRE);
	raceacquire(mu);
}

int gort_mutex_trylock(gort_mutex *mu)
{
	uint32_t zero = 0;
	return __atomic_compare_exchange_n(&mu->state, &zero, 1, false, __ATOMIC_ACQUIRE, __ATOMIC_RELAXED);
}

void gort_mutex_unlock(gort_mutex *mu)
{
	racerelease(mu);
	uint32_t one = 1;
	if (__atomic_compare_exchange_n(&mu->state, &one, 0, false, __ATOMIC_RELEASE, __ATOMIC_RELAXED))
		return;
	if (one == 0) fatal("sync: unlock of unlocked mutex");
	struct mutex *l = (struct mutex *)&mu->lock;
	lock(l);
	struct syncwaiter *w = pop(&mu->waiters, &mu->tail);
	if (!w) {
		/* A waiter that could not park (outside a goroutine) polls. */
		__atomic_store_n(&mu->state, 0, __ATOMIC_RELEASE);
		unlock(l);
		return;
	}
	if (!mu->waiters) __atomic_store_n(&mu->state, 1, __ATOMIC_RELAXED);
	struct g *gp = w->g;
	unlock(l);
	__atomic_thread_fence(__ATOMIC_RELEASE);
	goready(gp, false);
}
