/* select.c: gort_select (Go's selectgo).
 *
 *   1. Order the cases randomly (poll order: a ready case is chosen
 *      uniformly at random) and by channel address (lock order: every
 *      select locks its channels in the same global order, so two selects
 *      cannot deadlock each other).
 *   2. With every channel locked, take the first ready case in poll order.
 *   3. None ready: return -1 if not blocking; otherwise enqueue a sudog on
 *      every channel, park, and let the first waker win: a waker claims
 *      the select by a CAS on `done`, so exactly one case fires.
 *   4. Woken: lock everything again and take the other sudogs off their
 *      queues.
 * NULL channels are skipped: they never become ready. */
#include <stdlib.h>
#include <string.h>
#include "chan.h"

static void sellock(gort_case *cases, const uint16_t *lockorder, size_t n)
{
	struct gort_chan *last = NULL;
	for (size_t i = 0; i < n; i++) {
		struct gort_chan *c = cases[lockorder[i]].c;
		if (c != last) chanlock(c);
		last = c;
	}
}

static void selunlock(gort_case *cases, const uint16_t *lockorder, size_t n)
{
	/* Reverse order; each channel once. */
	for (size_t i = n; i-- > 0;) {
		struct gort_chan *c = cases[lockorder[i]].c;
		if (i > 0 && cases[lockorder[i - 1]].c == c) continue;
		chanunlock(c);
	}
}

/* selunlock_except unlocks every channel but c, which the caller's
 * hand-off (chan_send_to / chan_recv_from) unlocks. */
static void selunlock_except(gort_case *cases, const uint16_t *lockorder, size_t n, struct gort_chan *keep)
{
	for (size_t i = n; i-- > 0;) {
		struct gort_chan *c = cases[lockorder[i]].c;
		if (i > 0 && cases[lockorder[i - 1]].c == c) continue;
		if (c != keep) chanunlock(c);
	}
}

struct selpark {
	gort_case *cases;
	const uint16_t *lockorder;
	size_t n;
};

static int selparkcommit(struct g *gp, void *arg)
{
	(void)gp;
	struct selpark *sp = arg;
	selunlock(sp->cases, sp->lockorder, sp->n);
	return 1;
}

/* sortbychan: heap sort of case indices by channel address (Go uses a heap
 * sort too: no allocation, no recursion, n log n). */
static void sortbychan(gort_case *cases, uint16_t *o, size_t n)
{
#define KEY(i) ((uintptr_t)cases[o[i]].c)
	for (size_t start = n / 2; start-- > 0;) {
		for (size_t r = start;;) {
			size_t c = 2 * r + 1;
			if (c >= n) break;
			if (c + 1 < n && KEY(c + 1) > KEY(c)) c++;
			if (KEY(r) >= KEY(c)) break;
			uint16_t t = o[r]; o[r] = o[c]; o[c] = t;
			r = c;
		}
	}
	for (size_t end = n; end-- > 1;) {
		uint16_t t = o[0]; o[0] = o[end]; o[end] = t;
		for (size_t r = 0;;) {
			size_t c = 2 * r + 1;
			if (c >= end) break;
			if (c + 1 < end && KEY(c + 1) > KEY(c)) c++;
			if (KEY(r) >= KEY(c)) break;
			t = o[r]; o[r] = o[c]; o[c] = t;
			r = c;
		}
	}
#undef KEY
}

int gort_select(gort_case *cases, size_t n, int block)
{
	if (n > 65535) fatal("gort_select: too many cases (%zu)", n);
	uint16_t pollbuf[64], lockbuf[64];
	struct sudog sgbuf[64];
	bool heap = n > 64;
	uint16_t *pollorder = heap ? malloc(n * sizeof *pollorder) : pollbuf;
	uint16_t *lockorder = heap ? malloc(n * sizeof *lockorder) : lockbuf;
	struct sudog *sgs = heap ? calloc(n, sizeof *sgs) : sgbuf;
	if (!pollorder || !lockorder || !sgs) fatal("gort_select: out of memory");
	int ret = -1;

	/* Poll order: a random permutation of the non-NULL cases. */
	size_t m = 0;
	for (size_t i = 0; i < n; i++) {
		cases[i].ok = 0;
		if (cases[i].dir != GORT_SEND && cases[i].dir != GORT_RECV)
			fatal("gort_select: case %zu has direction %d (GORT_SEND or GORT_RECV)", i, cases[i].dir);
		if (!cases[i].c) continue;
		size_t j = m ? fastrand() % (m + 1) : 0;
		pollorder[m] = pollorder[j];
		pollorder[j] = (uint16_t)i;
		m++;
	}
	if (m == 0) {
		if (!block) goto out;
		gopark(NULL, NULL, waitSelectNoCases); /* select {}: forever */
		throw("unreachable: woke from an empty select");
	}
	memcpy(lockorder, pollorder, m * sizeof *lockorder);
	sortbychan(cases, lockorder, m);
	sellock(cases, lockorder, m);

	/* Pass 1: the first ready case in poll order. */
	for (size_t k = 0; k < m; k++) {
		int i = pollorder[k];
		gort_case *cas = &cases[i];
		struct gort_chan *c = cas->c;
		struct sudog *sg;
		if (cas->dir == GORT_RECV) {
			if ((sg = waitq_dequeue(&c->sendq))) {
				selunlock_except(cases, lockorder, m, c);
				chan_recv_from(c, sg, cas->elem);
				cas->ok = 1;
				ret = i;
				goto out;
			}
			if (c->qcount > 0) {
				void *slot = c->buf + c->recvx * c->elemsize;
				if (cas->elem) elemcopy(cas->elem, slot, c->elemsize);
				memset(slot, 0, c->elemsize);
				if (++c->recvx == c->cap) c->recvx = 0;
				__atomic_store_n(&c->qcount, c->qcount - 1, __ATOMIC_RELAXED);
				selunlock(cases, lockorder, m);
				cas->ok = 1;
				ret = i;
				goto out;
			}
			if (c->closed) {
				selunlock(cases, lockorder, m);
				if (cas->elem) memset(cas->elem, 0, c->elemsize);
				cas->ok = 0;
				ret = i;
				goto out;
			}
		} else {
			if (c->closed) {
				selunlock(cases, lockorder, m);
				chan_panic("send on closed channel");
			}
			if ((sg = waitq_dequeue(&c->recvq))) {
				selunlock_except(cases, lockorder, m, c);
				chan_send_to(c, sg, cas->elem);
				ret = i;
				goto out;
			}
			if (c->qcount < c->cap) {
				elemcopy(c->buf + c->sendx * c->elemsize, cas->elem, c->elemsize);
				if (++c->sendx == c->cap) c->sendx = 0;
				__atomic_store_n(&c->qcount, c->qcount + 1, __ATOMIC_RELAXED);
				selunlock(cases, lockorder, m);
				ret = i;
				goto out;
			}
		}
	}
	if (!block) {
		selunlock(cases, lockorder, m);
		goto out;
	}

	/* Pass 2: wait on every channel. */
	struct g *gp = getg();
	if (!scheduler_started || !gp || gp == gp->m->g0) {
		selunlock(cases, lockorder, m);
		fatal("gort_select would block outside a goroutine");
	}
	_Atomic uint32_t done = 0;
	for (size_t k = 0; k < m; k++) {
		int i = lockorder[k];
		struct gort_chan *c = cases[i].c;
		struct sudog *sg = &sgs[i];
		*sg = (struct sudog){.g = gp, .elem = cases[i].elem, .c = c, .isselect = true,
				     .caseidx = i, .selectdone = &done};
		waitq_enqueue(cases[i].dir == GORT_RECV ? &c->recvq : &c->sendq, sg);
	}
	gp->param = NULL;
	struct selpark sp = {cases, lockorder, m};
	for (size_t k = 0; k < m; k++) racerelease(cases[lockorder[k]].c); /* our fiber, not selparkcommit's */
	gopark(selparkcommit, &sp, waitSelect);

	/* Pass 3: the winner is in gp->param; leave every other queue. */
	sellock(cases, lockorder, m);
	struct sudog *won = gp->param;
	for (size_t k = 0; k < m; k++) {
		int i = lockorder[k];
		struct gort_chan *c = cases[i].c;
		if (&sgs[i] != won) waitq_remove(cases[i].dir == GORT_RECV ? &c->recvq : &c->sendq, &sgs[i]);
	}
	selunlock(cases, lockorder, m);
	if (!won) throw("select: woken with no case");
	ret = won->caseidx;
	if (cases[ret].dir == GORT_RECV) {
		cases[ret].ok = won->success;
		if (!won->success && cases[ret].elem)
			memset(cases[ret].elem, 0, (cases[ret].c)->elemsize);
	} else if (!won->success) {
		chan_panic("send on closed channel");
	}
out:
	if (heap) {
		free(pollorder);
		free(lockorder);
		free(sgs);
	}
	return ret;
}
