/* chan.h: channel internals shared by chan.c and select.c (Go's hchan,
 * sudog and waitq). The channel is struct gort_chan, the tag gort.h's
 * gort_chan names: programs hold pointers to it, the runtime reads it
 * without casts, debuggers print it by that name. */
#ifndef GORT_CHAN_H
#define GORT_CHAN_H
#include <string.h>
#include "runtime.h"

/* A sudog is a goroutine waiting on one channel (a G may wait on several:
 * select). It lives on the waiting goroutine's stack for the length of the
 * wait. */
struct sudog {
	struct g *g;
	void *elem;            /* where to copy to (recv) or from (send) */
	struct sudog *next, *prev;
	struct gort_chan *c;
	bool success;          /* woken by a value (true) or by close (false) */
	bool isselect;
	int32_t caseidx;       /* select: which case */
	_Atomic uint32_t *selectdone; /* select: set once by the first waker */
	struct sudog *waitlink;/* g->waiting list, for select's cleanup */
};

struct waitq {
	struct sudog *first, *last;
};

/* Invariants (Go's chan.go): at least one of sendq and recvq is empty,
 * except for an unbuffered channel with a single goroutine blocked on both
 * sides in a select; for buffered channels, qcount > 0 implies recvq is
 * empty and qcount < cap implies sendq is empty.
 * Locking: every field below `lock` is under it. */
struct gort_chan { /* Go's hchan */
	struct spinlock lock;
	size_t elemsize;
	size_t cap;
	size_t qcount;          /* values in buf */
	size_t sendx, recvx;    /* buf indices */
	bool closed;
	struct waitq recvq, sendq;
	char *buf;              /* cap * elemsize bytes, after the struct */
};

void waitq_enqueue(struct waitq *q, struct sudog *s);
struct sudog *waitq_dequeue(struct waitq *q);
void waitq_remove(struct waitq *q, struct sudog *s);

/* Operations with the lock held; they unlock (Go's send/recv). */
void chan_send_to(struct gort_chan *c, struct sudog *sg, const void *elem);
void chan_recv_from(struct gort_chan *c, struct sudog *sg, void *elem);
_Noreturn void chan_panic(const char *what);


/* chanlock/chanunlock: c->lock, plus the ordering every channel operation
 * implies for ThreadSanitizer (raceacquire/racerelease: as if the channel
 * were a mutex; a goroutine woken by a peer's operation calls raceacquire
 * itself once it resumes). */
static inline void chanlock(struct gort_chan *c)
{
	spin_lock(&c->lock);
	raceacquire(c);
}
static inline void chanunlock(struct gort_chan *c)
{
	racerelease(c);
	spin_unlock(&c->lock);
}

/* elemcopy copies a channel element. Most elements are a pointer or a
 * number: those sizes are copied inline, without a call to the libc's
 * memcpy, a visible part of an unbuffered round trip (bench/pingpong). */
static inline void elemcopy(void *dst, const void *src, size_t n)
{
	switch (n) {
	case 0: return;
	case 1: *(uint8_t *)dst = *(const uint8_t *)src; return;
	case 2: __builtin_memcpy(dst, src, 2); return;
	case 4: __builtin_memcpy(dst, src, 4); return;
	case 8: __builtin_memcpy(dst, src, 8); return;
	case 16: __builtin_memcpy(dst, src, 16); return;
	default: memcpy(dst, src, n);
	}
}

#endif
