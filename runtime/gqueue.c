/* gqueue.c: growable rings of G pointers, for the scheduler's global lists
 * (the global run queue and the global free G list, under sched.lock).
 *
 * Go links these lists through the Gs themselves (g.schedlink). Here they
 * are arrays of pointers: moving a batch between a P and a global list
 * then copies pointers instead of walking the Gs, and a G that waits long
 * in a list is cold: walking a linked list of them costs one serial cache
 * miss per G (bench spawn: a third of its time, on a million queued Gs).
 *
 * Invariants: buf holds cap slots (a power of two, or 0 before first use);
 * the elements are buf[head % cap] .. buf[(tail - 1) % cap]; head <= tail
 * and tail - head <= cap. The ring grows (doubles) when a push finds it
 * full, so a push never fails but with a fatal "out of memory": a G is on
 * at most one list, so the rings never hold more than the Gs ever made.
 * Every function is called with sched.lock held (gqueue has no lock of its
 * own); gq_len may be read racily for statistics. */
#include <string.h>
#include <sys/mman.h>
#include "runtime.h"

static void gq_grow(struct gqueue *q, uint64_t need)
{
	uint64_t len = q->tail - q->head;
	uint64_t cap = q->cap ? q->cap : 512;
	while (cap < len + need) cap *= 2;
	struct g **nb = sys_mmap(NULL, cap * sizeof *nb, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (sys_mmap_failed(nb)) fatal("out of memory growing the scheduler's G lists to %lu entries", (unsigned long)cap);
	for (uint64_t i = 0; i < len; i++) nb[i] = q->buf[(q->head + i) & (q->cap - 1)];
	if (q->buf) sys_munmap(q->buf, q->cap * sizeof *q->buf);
	q->buf = nb;
	q->cap = cap;
	q->head = 0;
	q->tail = len;
}

void gq_pushn(struct gqueue *q, struct g *const *gs, uint32_t n)
{
	if (q->tail - q->head + n > q->cap) gq_grow(q, n);
	for (uint32_t i = 0; i < n; i++) q->buf[(q->tail + i) & (q->cap - 1)] = gs[i];
	q->tail += n;
}

void gq_push(struct gqueue *q, struct g *gp)
{
	gq_pushn(q, &gp, 1);
}

uint32_t gq_popheadn(struct gqueue *q, struct g **out, uint32_t n)
{
	uint64_t len = q->tail - q->head;
	if (n > len) n = (uint32_t)len;
	for (uint32_t i = 0; i < n; i++) out[i] = q->buf[(q->head + i) & (q->cap - 1)];
	q->head += n;
	return n;
}

uint32_t gq_poptailn(struct gqueue *q, struct g **out, uint32_t n)
{
	uint64_t len = q->tail - q->head;
	if (n > len) n = (uint32_t)len;
	q->tail -= n;
	for (uint32_t i = 0; i < n; i++) out[i] = q->buf[(q->tail + i) & (q->cap - 1)];
	return n;
}

void gq_clear(struct gqueue *q)
{
	q->head = q->tail = 0;
}
