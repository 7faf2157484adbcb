/* runq.c: run queues (Go's runqput/runqget/runqsteal/globrunqput/get).
 *
 * Each P has a bounded ring of RUNQSIZE Gs plus a runnext slot:
 *   - runqtail is written only by the P's owner (release store);
 *   - runqhead is advanced by the owner and by thieves with a CAS, so a
 *     slot is consumed exactly once;
 *   - runnext holds a G readied by the running G (a receiver woken by a
 *     sender, say); it runs next on this P, inheriting the time slice, and
 *     thieves take it only after a pause (it is likely to be scheduled
 *     right away by the owner).
 * When the ring is full, half of it moves to the global queue in one batch
 * (runqputslow). The global queue is a ring of G pointers under sched.lock
 * (gqueue.c); the scheduler checks it every 61st tick so that it cannot
 * starve.
 *
 * One P (GOMAXPROCS=1): no thief exists, and the owner takes runnext and
 * advances runqhead with plain stores instead of a CAS each (sched.multip,
 * set by procresize with the world stopped). What the M:N design costs a
 * single-threaded program then is only what a thread gort did not create
 * may still touch: the channel's lock, the WaitGroup's count, the global
 * queue. The CASes were one per yield, two per goroutine started and four
 * per channel round trip, each a full barrier that waits for the stores
 * before it (the G's, the channel's); without them, at GOMAXPROCS=1 on an
 * AMD EPYC VM: gort_yield 20-22 -> 15-18 ns, an unbuffered round trip
 * 93-112 -> 72-100 ns, spawn 66-74 -> 62-67 ns (bench/README, ninth
 * session).
 *
 * Invariant: a G is on at most one queue, and only in status Grunnable. */
#include "runtime.h"

/* globrunqput puts gp on the global queue. Caller holds sched.lock. */
void globrunqput(struct g *gp)
{
	gq_push(&sched.runq, gp);
	atomic_fetch_add(&sched.runqsize, 1);
}

/* globrunqputbatch puts gs[0..n) on the global queue, in that order.
 * Caller holds sched.lock. */
void globrunqputbatch(struct g *const *gs, int32_t n)
{
	gq_pushn(&sched.runq, gs, (uint32_t)n);
	atomic_fetch_add(&sched.runqsize, n);
}

/* globrunqget takes a batch from the global queue into pp's ring and returns
 * one G to run (Go's globrunqget). max 0 means no limit beyond fairness.
 * Caller holds sched.lock. Only pointers move: the Gs themselves (cold, if
 * they waited long) are not touched here. */
struct g *globrunqget(struct p *pp, int32_t max)
{
	int32_t size = atomic_load(&sched.runqsize);
	if (size == 0) return NULL;
	int32_t n = size / atomic_load(&allplen) + 1;
	if (n > size) n = size;
	if (max > 0 && n > max) n = max;
	if (n > RUNQSIZE / 2) n = RUNQSIZE / 2;
	struct g *batch[RUNQSIZE / 2];
	n = (int32_t)gq_popheadn(&sched.runq, batch, (uint32_t)n);
	atomic_fetch_sub(&sched.runqsize, n);
	for (int32_t i = 1; i < n; i++) runqput(pp, batch[i], false);
	return batch[0];
}

/* runqputslow moves half of pp's ring and gp to the global queue. Returns
 * false if a thief emptied the ring meanwhile (the caller retries). */
static bool runqputslow(struct p *pp, struct g *gp, uint32_t h, uint32_t t)
{
	struct g *batch[RUNQSIZE / 2 + 1];
	uint32_t n = (t - h) / 2;
	if (n != RUNQSIZE / 2) throw("runqputslow: queue is not full");
	for (uint32_t i = 0; i < n; i++)
		batch[i] = atomic_load_explicit(&pp->runq[(h + i) % RUNQSIZE], memory_order_relaxed);
	if (!atomic_compare_exchange_strong_explicit(&pp->runqhead, &h, h + n, memory_order_release,
						     memory_order_relaxed))
		return false;
	batch[n] = gp;
	lock(&sched.lock);
	globrunqputbatch(batch, n + 1);
	unlock(&sched.lock);
	return true;
}

/* runqput puts gp on pp's local queue; with next, in the runnext slot
 * (kicking the previous occupant to the tail). Only pp's owner calls it,
 * or anyone before the scheduler starts. */
void runqput(struct p *pp, struct g *gp, bool next)
{
	if (next) {
		struct g *old = atomic_load(&pp->runnext);
		atomic_store_explicit(&pp->runnextgen, atomic_load_explicit(&pp->runnextgen, memory_order_relaxed) + 1,
				      memory_order_relaxed);
		/* Only the owner stores a G here; a thief only takes one
		 * (a CAS from that G to NULL). Found empty, it stays empty
		 * until this store: no CAS needed. That is the usual case
		 * in a hand-off (the G readying this one took runnext when it
		 * started), so a channel round trip at GOMAXPROCS>1 pays two
		 * CASes on runnext instead of four. */
		if (!old || !sched.multip)
			atomic_store_explicit(&pp->runnext, gp, memory_order_release);
		else
			while (!atomic_compare_exchange_weak(&pp->runnext, &old, gp))
				;
		if (!old) return;
		gp = old;
	}
	for (;;) {
		uint32_t h = atomic_load_explicit(&pp->runqhead, memory_order_acquire);
		uint32_t t = atomic_load_explicit(&pp->runqtail, memory_order_relaxed);
		if (t - h < RUNQSIZE) {
			atomic_store_explicit(&pp->runq[t % RUNQSIZE], gp, memory_order_relaxed);
			atomic_store_explicit(&pp->runqtail, t + 1, memory_order_release);
			return;
		}
		if (runqputslow(pp, gp, h, t)) return;
	}
}

/* runqget's prefetch distances, in Gs: the G RUNQAHEAD places on (its
 * first two lines), the frames of the next FRAMESBATCH (every FRAMESBATCH
 * takes). RUNQAHEAD is FRAMESBATCH + 1 so that the batch reads lines
 * fetched at earlier takes (at 4, the batch's last G would be the one
 * just asked for, its line not yet here). */
enum { RUNQAHEAD = 5, FRAMESBATCH = 4 };
_Static_assert((FRAMESBATCH & (FRAMESBATCH - 1)) == 0, "runqget tests take counts against FRAMESBATCH - 1");

/* frames_ahead starts the page walks to the stacks of the Gs behind the
 * one runqget takes, and the fetch of their frames (prefetch_frames):
 * gogo_switch asks for them again, too late to overlap with anything, as
 * the G runs next. A G parked long ago (a sleeper behind thousands) has
 * its stack on a page no TLB entry covers any more, and a prefetch whose
 * walk is not done holds up every instruction after it: walks asked for
 * four at a time overlap, and with the Gs that run meanwhile. A G that
 * never ran (stack_lo 0, on its first line) has no stack yet: its second
 * line is not read. */
static inline void frames_ahead(const struct g *gp)
{
	if (__atomic_load_n(&gp->stack_lo, __ATOMIC_RELAXED)) prefetch_frames(gp, 3);
}

/* runqget takes a G from pp's local queue, runnext first. Owner only.
 * *inherit says whether the G should inherit the time slice. */
struct g *runqget(struct p *pp, bool *inherit)
{
	bool multip = sched.multip;
	struct g *next = atomic_load(&pp->runnext);
	if (next) {
		if (!multip) {
			atomic_store_explicit(&pp->runnext, NULL, memory_order_relaxed);
			*inherit = true;
			return next;
		}
		if (atomic_compare_exchange_strong(&pp->runnext, &next, NULL)) {
			*inherit = true;
			return next;
		}
	}
	*inherit = false;
	for (;;) {
		uint32_t h = atomic_load_explicit(&pp->runqhead, memory_order_acquire);
		uint32_t t = atomic_load_explicit(&pp->runqtail, memory_order_relaxed);
		if (t == h) return NULL;
		struct g *gp = atomic_load_explicit(&pp->runq[h % RUNQSIZE], memory_order_relaxed);
		if (!multip) atomic_store_explicit(&pp->runqhead, h + 1, memory_order_release);
		if (!multip || atomic_compare_exchange_weak_explicit(&pp->runqhead, &h, h + 1, memory_order_release,
								     memory_order_relaxed)) {
			/* The Gs behind it run next, most likely: start fetching
			 * their first two lines (the third is seldom used:
			 * runtime.h), the next one's and, in a long queue, the one
			 * RUNQAHEAD places on. A G that waited behind many others
			 * is cold, and when this P stole it, in the cache of the
			 * CPU that made it: fetching one G ahead hid less than
			 * half of that (a transfer between CPUs takes longer here
			 * than running a short goroutine). Only slots within the
			 * queue: a stale one may name a G running on another CPU,
			 * whose lines a PREFETCHW would take away from it. */
			for (uint32_t ahead = 1; ahead <= RUNQAHEAD; ahead += RUNQAHEAD - 1) {
				if (t - h <= ahead) break;
				const char *g = (const char *)atomic_load_explicit(&pp->runq[(h + ahead) % RUNQSIZE],
										  memory_order_relaxed);
				prefetch_write(g);
				prefetch_write(g + 64);
			}
			if ((h & (FRAMESBATCH - 1)) == 0 && t - h > FRAMESBATCH)
				for (uint32_t a = 1; a <= FRAMESBATCH; a++)
					frames_ahead(atomic_load_explicit(&pp->runq[(h + a) % RUNQSIZE],
									  memory_order_relaxed));
			return gp;
		}
	}
}

bool runqempty(struct p *pp)
{
	/* Read tail, runnext, head, tail again: a consistent snapshot (Go). */
	for (;;) {
		uint32_t h = atomic_load(&pp->runqhead);
		uint32_t t = atomic_load(&pp->runqtail);
		struct g *next = atomic_load(&pp->runnext);
		if (atomic_load(&pp->runqtail) == t) return h == t && !next;
	}
}

/* runqgrab copies up to half of pp's queue into batch[batchhead...] and
 * returns the count. stealnext allows taking runnext. */
static uint32_t runqgrab(struct p *pp, struct g **batch, uint32_t batchhead, bool stealnext)
{
	for (;;) {
		uint32_t h = atomic_load_explicit(&pp->runqhead, memory_order_acquire);
		uint32_t t = atomic_load_explicit(&pp->runqtail, memory_order_acquire);
		uint32_t n = t - h;
		n = n - n / 2;
		if (n == 0) {
			if (stealnext) {
				uint32_t gen = atomic_load(&pp->runnextgen);
				struct g *next = atomic_load(&pp->runnext);
				if (next) {
					/* The owner is likely about to run it: give it a
					 * moment. A new goroutine (never run: newproc put
					 * it there) is fair game after that, as in Go. A
					 * woken one whose P stored runnext again meanwhile
					 * (even the same G: a ping-pong alternates two Gs
					 * there) belongs to a pair handing work back and
					 * forth on that P: taking it would split the pair
					 * across threads. Leave it, and stay out of the way
					 * a while (Go's usleep(3)), still spinning, so the
					 * pair's goready does not wake us every round. */
					if (atomic_load(&pp->status) == Prunning) {
						for (int i = 0; i < 300; i++) __builtin_ia32_pause();
						if (atomic_load(&pp->runnextgen) != gen &&
						    __atomic_load_n(&next->stack_lo, __ATOMIC_RELAXED)) {
							usleep_raw(3);
							return 0;
						}
					}
					if (!atomic_compare_exchange_strong(&pp->runnext, &next, NULL))
						continue;
					batch[batchhead % RUNQSIZE] = next;
					return 1;
				}
			}
			return 0;
		}
		if (n > RUNQSIZE / 2) continue; /* read an inconsistent h and t */
		for (uint32_t i = 0; i < n; i++)
			batch[(batchhead + i) % RUNQSIZE] =
				atomic_load_explicit(&pp->runq[(h + i) % RUNQSIZE], memory_order_relaxed);
		if (atomic_compare_exchange_strong_explicit(&pp->runqhead, &h, h + n,
							    memory_order_release, memory_order_relaxed))
			return n;
	}
}

/* runqsteal steals half of p2's queue into pp's and returns one G.
 * Runs on pp's owner. */
struct g *runqsteal(struct p *pp, struct p *p2, bool stealnext)
{
	uint32_t t = atomic_load_explicit(&pp->runqtail, memory_order_relaxed);
	struct g *tmp[RUNQSIZE];
	uint32_t n = runqgrab(p2, tmp, 0, stealnext);
	if (n == 0) return NULL;
	struct g *gp = tmp[--n];
	if (n == 0) return gp;
	uint32_t h = atomic_load_explicit(&pp->runqhead, memory_order_acquire);
	if (t - h + n >= RUNQSIZE) throw("runqsteal: runq overflow");
	for (uint32_t i = 0; i < n; i++)
		atomic_store_explicit(&pp->runq[(t + i) % RUNQSIZE], tmp[i], memory_order_relaxed);
	atomic_store_explicit(&pp->runqtail, t + n, memory_order_release);
	return gp;
}

/* runqdrain empties pp's queue onto the global queue (procresize).
 * Caller holds sched.lock; pp has no running owner. */
void runqdrain(struct p *pp)
{
	bool inherit;
	struct g *gp;
	while ((gp = runqget(pp, &inherit))) globrunqput(gp);
}
