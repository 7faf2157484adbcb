/* lock_futex.c: the runtime's mutex and note on Linux futexes (Go's
 * lock_futex.go). Neither is held across a goroutine switch: they protect
 * runtime structures for short critical sections, and a note parks an M
 * (a whole thread), never a goroutine.
 *
 * mutex.key: 0 unlocked, 1 locked, 2 locked and a thread may be sleeping.
 * note.key: 0 clear, 1 woken; one sleeper and one waker per clear.
 * struct spinlock (runtime.h): a lock whose unlock is a plain store; waiters
 * spin, then nap (below). */
#include "runtime.h"

void lock(struct mutex *l)
{
	/* Counted once the thread pointer is set up (libc_ready): before, one
	 * thread runs and nothing asks. */
	if (likely(libc_is_ready)) gort_rt_locks++;
	uint32_t c = 0;
	if (atomic_compare_exchange_strong_explicit(&l->key, &c, 1, memory_order_acquire,
						    memory_order_relaxed))
		return;
	/* Spin briefly: critical sections are short and another CPU may be
	 * about to release. Then sleep, marking the lock contended. */
	for (int i = 0; i < 4; i++) {
		for (int k = 0; k < 30; k++) __builtin_ia32_pause();
		c = 0;
		if (atomic_compare_exchange_weak_explicit(&l->key, &c, 1, memory_order_acquire,
							  memory_order_relaxed))
			return;
	}
	while (atomic_exchange_explicit(&l->key, 2, memory_order_acquire) != 0)
		futexsleep(&l->key, 2, -1);
}

void unlock(struct mutex *l)
{
	if (likely(libc_is_ready)) gort_rt_locks--;
	if (atomic_exchange_explicit(&l->key, 0, memory_order_release) == 2)
		futexwakeup(&l->key, 1);
}

/* spin_lock_slow: a short spin (16 pauses: about as long as a channel
 * operation holds the lock), then naps of 20 us (a timed futex wait on the
 * key: the unlock, a plain store, wakes nobody, so the nap ends by its
 * timeout or a spurious wake-up), then tries again. The naps are what make
 * it hold up under contention (many senders and receivers on one channel):
 * waiters that only spin and yield keep the lock's line moving between
 * their CPUs and ran slower than the futex mutex; with the naps a napping
 * thread leaves the other to run alone, where the futex mutex wakes it at
 * every unlock, and they run faster than it (bench/README.md, "Figures
 * behind the code"). 20 us is of the order of a futex wake-up
 * (findrunnable's spinpark). */
void spin_lock_slow(struct spinlock *l)
{
	for (int spins = 0;;) {
		while (atomic_load_explicit(&l->key, memory_order_relaxed) != 0) {
			if (spins++ < 16) __builtin_ia32_pause();
			else futexsleep(&l->key, 1, 20000);
		}
		uint32_t z = 0;
		if (atomic_compare_exchange_weak_explicit(&l->key, &z, 1, memory_order_acquire, memory_order_relaxed))
			return;
	}
}

void noteclear(struct note *n) { atomic_store(&n->key, 0); }

void notewakeup(struct note *n)
{
	if (atomic_exchange(&n->key, 1) != 0) throw("notewakeup: double wakeup");
	futexwakeup(&n->key, 1);
}

void notesleep(struct note *n)
{
	while (atomic_load(&n->key) == 0) futexsleep(&n->key, 0, -1);
}

/* notetsleep sleeps at most ns; returns whether the note was woken. */
bool notetsleep(struct note *n, int64_t ns)
{
	if (ns < 0) {
		notesleep(n);
		return true;
	}
	int64_t deadline = nanotime() + ns;
	while (atomic_load(&n->key) == 0) {
		futexsleep(&n->key, 0, ns);
		if (atomic_load(&n->key) != 0) break;
		ns = deadline - nanotime();
		if (ns <= 0) return false;
	}
	return true;
}
