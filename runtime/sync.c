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

struct waiter {
	struct g *g;
	struct waiter *next;
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

static void push(void **head, void **tail, struct waiter *w)
{
	w->next = NULL;
	if (*tail) ((struct waiter *)*tail)->next = w;
	else *head = w;
	*tail = w;
}

static struct waiter *pop(void **head, void **tail)
{
	struct waiter *w = *head;
	if (w) {
		*head = w->next;
		if (!*head) *tail = NULL;
	}
	return w;
}

/* WaitGroup: the count is atomic and Add/Done change it with one atomic
 * add, lock-free; only the change that brings it to zero takes the lock, to
 * wake the waiters. A waiter checks the count again under the lock before it
 * queues itself, so a Done that reaches zero after that check finds it on
 * the list (it takes the lock after the waiter released it, in gopark). */
void gort_wg_add(gort_waitgroup *wg, int64_t delta)
{
	struct mutex *l = (struct mutex *)&wg->lock;
	if (delta < 0) racerelease(wg); /* gort_wg_done: what we did is seen by the waiters */
	int64_t v = __atomic_add_fetch(&wg->count, delta, __ATOMIC_ACQ_REL);
	if (v < 0) fatal("sync: negative WaitGroup counter");
	if (v > 0 || delta == 0) return;
	lock(l);
	struct waiter *list = wg->waiters;
	wg->waiters = wg->tail = NULL;
	unlock(l);
	while (list) {
		struct waiter *next = list->next; /* list lives on the waiter's stack */
		goready(list->g, false);
		list = next;
	}
}

void gort_wg_done(gort_waitgroup *wg) { gort_wg_add(wg, -1); }

void gort_wg_wait(gort_waitgroup *wg)
{
	struct mutex *l = (struct mutex *)&wg->lock;
	if (__atomic_load_n(&wg->count, __ATOMIC_ACQUIRE) == 0) {
		raceacquire(wg);
		return;
	}
	if (!ingoroutine()) {
		while (__atomic_load_n(&wg->count, __ATOMIC_ACQUIRE) != 0) threadsleep();
		raceacquire(wg);
		return;
	}
	lock(l);
	if (__atomic_load_n(&wg->count, __ATOMIC_ACQUIRE) == 0) {
		unlock(l);
		raceacquire(wg);
		return;
	}
	struct waiter w = {getg(), NULL};
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
	struct waiter w = {getg(), NULL};
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
	struct waiter *w = pop(&mu->waiters, &mu->tail);
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
