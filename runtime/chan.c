/* chan.c: channels (Go's chan.go).
 *
 * A channel is a struct gort_chan with an optional ring buffer after it. Send
 * and receive follow Go's three cases, in order:
 *   1. a goroutine is waiting on the other side: hand the value over
 *      directly, stack to stack (no copy through the buffer), and make the
 *      waiter runnable in runnext, so it runs next on this P;
 *   2. there is room (send) or a value (receive) in the buffer: use it;
 *   3. otherwise park on the channel's queue, on a sudog on our own stack.
 * Closing wakes every waiter: receivers get the zero value and ok = 0,
 * senders fail with a fatal error (Go panics). A NULL channel blocks
 * forever, which the deadlock detector sees.
 *
 * Go's panics are fatal errors here, with a traceback and exit status 2:
 * send on a closed channel, close of a closed channel, close of a NULL
 * channel, and freeing a channel that goroutines wait on.
 *
 * Locking: c->lock (a spinlock, runtime.h: never held across a park: gopark's
 * unlock function releases it on g0 once the goroutine is switched out). */
#include <stdlib.h>
#include <string.h>
#include "chan.h"

_Noreturn void chan_panic(const char *what)
{
	fatal("%s", what);
}

void waitq_enqueue(struct waitq *q, struct sudog *s)
{
	s->next = NULL;
	s->prev = q->last;
	if (q->last) q->last->next = s;
	else q->first = s;
	q->last = s;
}

void waitq_remove(struct waitq *q, struct sudog *s)
{
	if (s->prev) s->prev->next = s->next;
	else if (q->first == s) q->first = s->next;
	else return; /* not on the queue */
	if (s->next) s->next->prev = s->prev;
	else q->last = s->prev;
	s->next = s->prev = NULL;
}

/* waitq_dequeue takes the first waiter that can still be woken: a select
 * that another channel already won is skipped (and dropped). */
struct sudog *waitq_dequeue(struct waitq *q)
{
	for (;;) {
		struct sudog *s = q->first;
		if (!s) return NULL;
		q->first = s->next;
		if (q->first) q->first->prev = NULL;
		else q->last = NULL;
		s->next = s->prev = NULL;
		if (s->isselect) {
			uint32_t zero = 0;
			if (!atomic_compare_exchange_strong(s->selectdone, &zero, 1)) continue;
		}
		return s;
	}
}

static int unlockchan(struct g *gp, void *c)
{
	(void)gp;
	chanunlock(c);
	return 1;
}

static inline void *bufslot(struct gort_chan *c, size_t i)
{
	return c->buf + i * c->elemsize;
}

gort_chan *gort_chan_make(size_t elemsize, size_t cap)
{
	if (elemsize > (1 << 16)) fatal("makechan: element size %zu too large", elemsize);
	if (cap > ((size_t)1 << 40) / (elemsize ? elemsize : 1)) fatal("makechan: size out of range");
	struct gort_chan *c = calloc(1, sizeof *c + elemsize * cap);
	if (!c) fatal("makechan: out of memory");
	c->elemsize = elemsize;
	c->cap = cap;
	c->buf = (char *)(c + 1);
	return c;
}

void gort_chan_free(gort_chan *c)
{
	if (!c) return;
	chanlock(c);
	bool waiters = c->recvq.first || c->sendq.first;
	chanunlock(c);
	if (waiters) chan_panic("free of a channel that goroutines are waiting on");
	free(c);
}

size_t gort_chan_len(const gort_chan *c)
{
	preemptcheck();
	return c ? __atomic_load_n(&c->qcount, __ATOMIC_RELAXED) : 0;
}

size_t gort_chan_cap(const gort_chan *c)
{
	preemptcheck();
	return c ? c->cap : 0;
}

/* chan_send_to gives elem to the waiting receiver sg. c is locked; unlocks. */
void chan_send_to(struct gort_chan *c, struct sudog *sg, const void *elem)
{
	if (sg->elem) elemcopy(sg->elem, elem, c->elemsize);
	struct g *gp = sg->g;
	sg->success = true;
	gp->param = sg;
	chanunlock(c);
	goready(gp, true);
}

/* chan_recv_from takes a value from the waiting sender sg. For a buffered
 * (hence full) channel the receiver takes the head of the buffer and the
 * sender's value goes to the tail, keeping FIFO order. c is locked; unlocks. */
void chan_recv_from(struct gort_chan *c, struct sudog *sg, void *elem)
{
	if (c->cap == 0) {
		if (elem) elemcopy(elem, sg->elem, c->elemsize);
	} else {
		void *slot = bufslot(c, c->recvx);
		if (elem) elemcopy(elem, slot, c->elemsize);
		elemcopy(slot, sg->elem, c->elemsize);
		if (++c->recvx == c->cap) c->recvx = 0;
		c->sendx = c->recvx;
	}
	struct g *gp = sg->g;
	sg->success = true;
	gp->param = sg;
	chanunlock(c);
	goready(gp, true);
}

/* A try-send from one of the program's signal handlers (a handler that
 * tells a goroutine, as Go's signal.Notify does with a channel): the code
 * the signal interrupted may hold this channel's lock, or be half-way
 * through its P's run queue (goready there died with "pidleput: P has
 * non-empty run queue"). So the lock is only tried (busy: "would block",
 * 0), and a receiver is readied through goready_fromsignal (sched.c: a
 * lock-free list the scheduler drains), never through the P. */
static bool in_program_handler(void)
{
	if (!scheduler_started) return false;
	struct g *gp = getg();
	return gp && gp->m && insighandler(gp);
}

static int trysend_inhandler(struct gort_chan *c, const void *elem)
{
	uint32_t z = 0;
	if (!atomic_compare_exchange_strong_explicit(&c->lock.key, &z, 1, memory_order_acquire, memory_order_relaxed))
		return 0;
	raceacquire(c);
	if (c->closed) {
		chanunlock(c);
		chan_panic("send on closed channel");
	}
	struct sudog *sg = waitq_dequeue(&c->recvq);
	if (sg) {
		if (sg->elem) elemcopy(sg->elem, elem, c->elemsize);
		struct g *gp = sg->g;
		sg->success = true;
		gp->param = sg;
		chanunlock(c);
		goready_fromsignal(gp);
		return 1;
	}
	int sent = 0;
	if (c->qcount < c->cap) {
		elemcopy(bufslot(c, c->sendx), elem, c->elemsize);
		if (++c->sendx == c->cap) c->sendx = 0;
		__atomic_store_n(&c->qcount, c->qcount + 1, __ATOMIC_RELAXED);
		sent = 1;
	}
	chanunlock(c);
	return sent;
}

/* chansend: block = false makes it a try-send. Returns 1 if sent, 0 if it
 * would block. */
static int chansend(struct gort_chan *c, const void *elem, bool block)
{
	if (!c) {
		if (!block) return 0;
		gopark(NULL, NULL, waitChanNil);
		throw("unreachable: woke on a nil channel");
	}
	/* Fast path for a full try-send: no lock (Go's reasoning: the
	 * observations are each atomic, and a racing op is just ordered). */
	if (!block && !__atomic_load_n(&c->closed, __ATOMIC_RELAXED) &&
	    ((c->cap == 0 && !__atomic_load_n(&c->recvq.first, __ATOMIC_RELAXED)) ||
	     (c->cap > 0 && __atomic_load_n(&c->qcount, __ATOMIC_RELAXED) == c->cap)))
		return 0;
	if (!block && in_program_handler()) return trysend_inhandler(c, elem);
	chanlock(c);
	if (c->closed) {
		chanunlock(c);
		chan_panic("send on closed channel");
	}
	struct sudog *sg = waitq_dequeue(&c->recvq);
	if (sg) {
		chan_send_to(c, sg, elem);
		return 1;
	}
	if (c->qcount < c->cap) {
		elemcopy(bufslot(c, c->sendx), elem, c->elemsize);
		if (++c->sendx == c->cap) c->sendx = 0;
		__atomic_store_n(&c->qcount, c->qcount + 1, __ATOMIC_RELAXED);
		chanunlock(c);
		return 1;
	}
	if (!block) {
		chanunlock(c);
		return 0;
	}
	if (!ingoroutine()) {
		chanunlock(c);
		fatal("gort_chan_send would block outside a goroutine");
	}
	struct g *gp = getg();
	struct sudog me = {.g = gp, .elem = (void *)elem, .c = c};
	gp->param = NULL;
	waitq_enqueue(&c->sendq, &me);
	racerelease(c); /* here, on our own fiber: unlockchan runs on another */
	gopark(unlockchan, c, waitChanSend);
	raceacquire(c);
	if (!me.success) chan_panic("send on closed channel");
	return 1;
}

/* chanrecv: returns 1 with a value, 0 when closed and drained (elem
 * zeroed), -1 if it would block (try-receive only). */
static int chanrecv(struct gort_chan *c, void *elem, bool block)
{
	if (!c) {
		if (!block) return -1;
		gopark(NULL, NULL, waitChanNilRecv);
		throw("unreachable: woke on a nil channel");
	}
	if (!block) {
		bool empty = c->cap == 0 ? !__atomic_load_n(&c->sendq.first, __ATOMIC_RELAXED)
					 : __atomic_load_n(&c->qcount, __ATOMIC_RELAXED) == 0;
		if (empty && !__atomic_load_n(&c->closed, __ATOMIC_ACQUIRE)) return -1;
	}
	chanlock(c);
	if (c->closed && c->qcount == 0) {
		chanunlock(c);
		if (elem) memset(elem, 0, c->elemsize);
		return 0;
	}
	struct sudog *sg = waitq_dequeue(&c->sendq);
	if (sg) {
		chan_recv_from(c, sg, elem);
		return 1;
	}
	if (c->qcount > 0) {
		void *slot = bufslot(c, c->recvx);
		if (elem) elemcopy(elem, slot, c->elemsize);
		memset(slot, 0, c->elemsize);
		if (++c->recvx == c->cap) c->recvx = 0;
		__atomic_store_n(&c->qcount, c->qcount - 1, __ATOMIC_RELAXED);
		chanunlock(c);
		return 1;
	}
	if (!block) {
		chanunlock(c);
		return -1;
	}
	if (!ingoroutine()) {
		chanunlock(c);
		fatal("gort_chan_recv would block outside a goroutine");
	}
	struct g *gp = getg();
	struct sudog me = {.g = gp, .elem = elem, .c = c};
	gp->param = NULL;
	waitq_enqueue(&c->recvq, &me);
	racerelease(c); /* here, on our own fiber: unlockchan runs on another */
	gopark(unlockchan, c, waitChanRecv);
	raceacquire(c);
	if (!me.success && elem) memset(elem, 0, c->elemsize);
	return me.success ? 1 : 0;
}

int gort_chan_send(gort_chan *c, const void *elem) { return chansend(c, elem, true); }
int gort_chan_recv(gort_chan *c, void *elem) { return chanrecv(c, elem, true); }
int gort_chan_trysend(gort_chan *c, const void *elem)
{
	preemptcheck();
	return chansend(c, elem, false);
}

int gort_chan_tryrecv(gort_chan *c, void *elem)
{
	preemptcheck();
	return chanrecv(c, elem, false);
}

void gort_chan_close(gort_chan *c)
{
	if (!c) chan_panic("close of nil channel");
	chanlock(c);
	if (c->closed) {
		chanunlock(c);
		chan_panic("close of closed channel");
	}
	__atomic_store_n(&c->closed, true, __ATOMIC_RELEASE);
	/* Collect every waiter, then wake them without the lock. */
	struct g *list = NULL;
	struct sudog *sg;
	while ((sg = waitq_dequeue(&c->recvq))) {
		if (sg->elem) memset(sg->elem, 0, c->elemsize);
		sg->success = false;
		sg->g->param = sg;
		sg->g->schedlink = list;
		list = sg->g;
	}
	while ((sg = waitq_dequeue(&c->sendq))) {
		sg->success = false;
		sg->g->param = sg;
		sg->g->schedlink = list;
		list = sg->g;
	}
	chanunlock(c);
	while (list) {
		struct g *gp = list;
		list = gp->schedlink;
		goready(gp, false);
	}
}
