/* tracebuf.c: the execution tracer's per-M event buffers (Go's traceBuf).
 *
 * Each M appends its events (trace.h, struct tev) to a buffer of its own,
 * made at its first event: no lock, no atomic read-modify-write, one
 * release store of the count per event (a reader of another thread sees
 * whole events only).
 *
 * Two modes, chosen once at start-up (trace_init):
 *   - whole run (GORT_TRACE): one contiguous array per M, doubled when
 *     full into a new mapping (the old one is kept: a reader at exit or at
 *     a fatal error may still be copying from it while the M appends),
 *     read at exit;
 *   - flight recorder (GORT_TRACE_FLIGHT=SIZE): a ring of a fixed power of
 *     two of events per M; an append overwrites the oldest whole event
 *     (events are fixed-size, so the ring never holds half of one). A reader
 *     snapshots the ring while its M may go on writing: it reads the count,
 *     copies, reads the count again and keeps only the events no append can
 *     have touched meanwhile.
 *
 * Locking: tb->cap is the owner's; tb->ev is written by the owner
 * (release, before any count that needs the new array) and read by anyone
 * after tb->n; tb->n is written by the owner (release) and read by anyone
 * (acquire); the list of buffers is prepend-only (CAS) and never shrinks.
 *
 * Rejected: one global buffer with an atomic cursor (every event a
 * contended cache line, across CPUs); variable-length encoded events (Go's
 * format: half the size, but a ring of them needs a reader that finds event
 * boundaries, and overwriting needs to know where the oldest ends); mremap
 * to grow (it may move the array under a reader: a fault in the exit
 * path); memory from malloc (the buffer is made on g0, maybe inside malloc's own lock in a
 * hook, and read at a fatal error).
 */
#include <sys/mman.h>
#include "trace.h"

struct tracebuf {
	struct tracebuf *next; /* all buffers, prepend-only */
	int64_t mid;
	pid_t tid;
	bool ring;
	struct tev *_Atomic ev; /* the array, or the ring */
	uint64_t cap;          /* owner: events ev holds (ring: a power of two) */
	_Atomic uint64_t n;    /* events appended since the start */
	_Atomic uint64_t dropped; /* events lost (no memory to grow) */
};

static struct tracebuf *_Atomic allbufs;
static uint64_t ringcap; /* events per M's ring; 0 = whole run; set before any M traces */

void tracebuf_setflight(size_t bytes_per_m)
{
	uint64_t n = bytes_per_m / sizeof(struct tev), c = 64;
	if (!bytes_per_m) {
		ringcap = 0;
		return;
	}
	while (c * 2 <= n) c *= 2;
	ringcap = c;
}

static void *mapmem(size_t bytes)
{
	void *p = sys_mmap(NULL, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	return sys_mmap_failed(p) ? NULL : p;
}

/* tracebuf_new makes mp's buffer; on g0 or a goroutine of mp. */
static struct tracebuf *tracebuf_new(struct m *mp)
{
	struct tracebuf *tb = mapmem(sizeof *tb);
	if (!tb) return NULL;
	tb->mid = mp->id;
	tb->tid = (pid_t)sys_gettid(); /* mp is the calling M */
	tb->ring = ringcap != 0;
	tb->cap = ringcap ? ringcap : 16384;
	struct tev *ev = mapmem(tb->cap * sizeof(struct tev));
	atomic_store_explicit(&tb->ev, ev, memory_order_relaxed);
	if (!ev) {
		sys_munmap(tb, sizeof *tb);
		return NULL;
	}
	struct tracebuf *old = atomic_load(&allbufs);
	do tb->next = old;
	while (!atomic_compare_exchange_weak(&allbufs, &old, tb));
	return tb;
}

/* grow doubles a whole-run buffer; false when the kernel says no. The old
 * array stays mapped (see the top): the total is at most twice the last. */
static bool grow(struct tracebuf *tb)
{
	size_t old = tb->cap * sizeof(struct tev);
	struct tev *p = mapmem(old * 2);
	if (!p) return false;
	__builtin_memcpy(p, atomic_load_explicit(&tb->ev, memory_order_relaxed), old);
	atomic_store_explicit(&tb->ev, p, memory_order_release);
	tb->cap *= 2;
	return true;
}

void tracebuf_append(struct m *mp, const struct tev *ev, int k)
{
	struct tracebuf *tb = mp->tracebuf;
	if (unlikely(!tb)) {
		tb = mp->tracebuf = tracebuf_new(mp);
		if (!tb) return;
	}
	uint64_t n = atomic_load_explicit(&tb->n, memory_order_relaxed);
	if (tb->ring) {
		struct tev *r = atomic_load_explicit(&tb->ev, memory_order_relaxed);
		for (int i = 0; i < k; i++) r[(n + i) & (tb->cap - 1)] = ev[i];
	} else {
		if (unlikely(n + k > tb->cap) && !grow(tb)) {
			atomic_fetch_add(&tb->dropped, 1);
			return;
		}
		struct tev *r = atomic_load_explicit(&tb->ev, memory_order_relaxed);
		for (int i = 0; i < k; i++) r[n + i] = ev[i];
	}
	atomic_store_explicit(&tb->n, n + k, memory_order_release);
}

size_t tracebuf_snapshot(struct tracesnap *out, size_t max)
{
	size_t k = 0;
	for (struct tracebuf *tb = atomic_load(&allbufs); tb && k < max; tb = tb->next) {
		struct tracesnap *s = &out[k];
		uint64_t n = atomic_load_explicit(&tb->n, memory_order_acquire);
		s->mid = tb->mid;
		s->tid = tb->tid;
		s->mem = NULL;
		s->memsz = 0;
		if (!tb->ring) {
			s->ev = atomic_load_explicit(&tb->ev, memory_order_acquire);
			s->n = n;
			k++;
			continue;
		}
		uint64_t cap = tb->cap;
		struct tev *snap = mapmem(cap * sizeof *snap);
		if (!snap) continue;
		__builtin_memcpy(snap, atomic_load_explicit(&tb->ev, memory_order_relaxed), cap * sizeof *snap);
		uint64_t n2 = atomic_load_explicit(&tb->n, memory_order_acquire);
		/* Index i lives in slot i % cap until index i + cap is written;
		 * the owner may be writing indexes n2 and n2 + 1 now. */
		uint64_t lo = n2 >= cap ? n2 - cap + 2 : 0; /* the owner may be writing two */
		if (lo >= n) {
			sys_munmap(snap, cap * sizeof *snap);
			continue;
		}
		/* Unroll the ring: [lo, n) in order, in a second mapping. */
		uint64_t cnt = n - lo, st = lo & (cap - 1);
		struct tev *lin = mapmem(cnt * sizeof *lin);
		if (!lin) {
			sys_munmap(snap, cap * sizeof *snap);
			continue;
		}
		uint64_t first = cap - st < cnt ? cap - st : cnt;
		__builtin_memcpy(lin, snap + st, first * sizeof *lin);
		__builtin_memcpy(lin + first, snap, (cnt - first) * sizeof *lin);
		sys_munmap(snap, cap * sizeof *snap);
		s->ev = lin;
		s->n = cnt;
		s->mem = lin;
		s->memsz = cnt * sizeof *lin;
		k++;
	}
	return k;
}

void tracebuf_release(struct tracesnap *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (s[i].mem) sys_munmap(s[i].mem, s[i].memsz);
}
