/* uring.c: reads of regular files that must wait for the disk, through
 * io_uring, the goroutine parked and no thread waiting (issue #17 item 2).
 * Go has no counterpart (an M per blocking read); this is the backend
 * blockpool.c's opening comment left for later, behind the same call.
 *
 * Who uses it: blockpool_syscall (blockpool.c), for the read calls fdio.c
 * sends there: readv at the file position and preadv at an offset, made
 * after RWF_NOWAIT said the pages are not in memory. Anything else, and
 * every call when the ring cannot be had, goes to the pool's threads.
 *
 * How: one ring per process, set up at the first such read (256
 * submission entries, 4,096 completion entries). The goroutine parks; in
 * the park's commit (on g0, after the goroutine is off its stack, so that
 * no completion can ready it before it is parked) an IORING_OP_READV entry
 * is filled under ring.lk and submitted with io_uring_enter. The request
 * (on the goroutine's stack, as the iovec and buffer are) is the entry's
 * user_data. The ring's descriptor sits in the netpoller's epoll set,
 * edge-triggered (data 1); netpoll drains the completion queue whenever it
 * fires and returns the goroutines with the rest of the I/O-ready ones. On
 * file systems with asynchronous buffered reads (ext4, xfs, btrfs) the
 * kernel waits for the pages with a wait-queue callback: no thread at all;
 * elsewhere io_uring's own workers (threads of this process) block, capped
 * at the pool's size with IORING_REGISTER_IOWQ_MAX_WORKERS.
 *
 * Limits: at most 4,096 reads in flight (more go to the pool); a read is
 * not interrupted by a signal (a disk wait never was); GODEBUG=iouringoff=1
 * a kernel or seccomp profile that refuses io_uring_setup (docker's
 * default, kernel.io_uring_disabled) and valgrind (which cannot see what
 * the kernel writes through the ring) mean the pool. A fork child drops the
 * parent's ring (its pages are shared with the parent) and sets up its own
 * when it first needs one.
 *
 * Shared state: ring (the mapped queues, fd, inflight) set up once under
 * ring.lk (state: 0 not tried, 1 ready, -1 refused, read with an acquire
 * load); submissions under ring.lk; the completion queue's head under
 * ring.cqlk (the Ms in netpoll); inflight atomic.
 *
 * Also here: uring_open and uring_close (uring.h), the set-up and mapping
 * of a ring, which iobatch.c's per-P rings share.
 *
 * Rejected: liburing (uring.h says why); SQPOLL (a kernel thread spinning per ring);
 * harvesting by the submitting goroutines (each completion would wake every
 * waiter on the ring descriptor); IORING_SETUP_COOP_TASKRUN (a completion
 * would wait until its submitting thread next entered the kernel). */
#include <errno.h>
#include <stdlib.h>
#include <sys/epoll.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include "runtime.h"
#include "netpoll.h"
#include "uring.h"

enum { SQ_ENTRIES = 256, CQ_ENTRIES = 4096 };

struct ureq {
	struct g *gp;
	long ret;
	int fd, niov;
	const struct iovec *iov;
	int64_t off;
};

static struct {
	struct mutex lk;   /* set-up and submissions */
	struct mutex cqlk; /* the completion queue's head */
	_Atomic int state; /* 0 not tried, 1 ready, -1 refused */
	struct uring q;
	_Atomic int32_t inflight;
} ring;

#define OFF_SQ_RING 0ULL
#define OFF_SQES 0x10000000ULL

static void *map(size_t sz, int fd, uint64_t off)
{
	long p = rawsyscall6(SYS_mmap, 0, (long)sz, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_POPULATE, fd, (long)off);
	return p < 0 && p > -4096 ? NULL : (void *)p;
}

bool uring_open(struct uring *r, uint32_t sq, uint32_t cq, uint32_t flags, uint32_t need)
{
	struct uring_params p;
	__builtin_memset(&p, 0, sizeof p);
	p.flags = flags | SETUP_CQSIZE | SETUP_CLAMP;
	p.cq_entries = cq;
	long fd = rawsyscall(SYS_io_uring_setup_, sq, (long)&p, 0);
	if (fd < 0) return false;
	need |= FEAT_SINGLE_MMAP;
	if ((p.features & need) != need) goto fail;
	size_t sqsz = p.sq_off.array + p.sq_entries * sizeof(uint32_t);
	size_t cqsz = p.cq_off.cqes + p.cq_entries * sizeof(struct cqe);
	size_t sz = sqsz > cqsz ? sqsz : cqsz;
	char *q = map(sz, (int)fd, OFF_SQ_RING);
	if (!q) goto fail;
	struct sqe *sqes = map(p.sq_entries * sizeof(struct sqe), (int)fd, OFF_SQES);
	if (!sqes) {
		rawsyscall(SYS_munmap, (long)q, (long)sz, 0);
		goto fail;
	}
	r->fd = (int)fd;
	r->map = q;
	r->mapsz = sz;
	r->sqesz = p.sq_entries * sizeof(struct sqe);
	r->sqhead = (_Atomic uint32_t *)(q + p.sq_off.head);
	r->sqtail = (_Atomic uint32_t *)(q + p.sq_off.tail);
	r->sqmask = *(uint32_t *)(q + p.sq_off.ring_mask);
	r->sqarray = (uint32_t *)(q + p.sq_off.array);
	r->cqhead = (_Atomic uint32_t *)(q + p.cq_off.head);
	r->cqtail = (_Atomic uint32_t *)(q + p.cq_off.tail);
	r->cqmask = *(uint32_t *)(q + p.cq_off.ring_mask);
	r->cqes = (struct cqe *)(q + p.cq_off.cqes);
	r->sqes = sqes;
	return true;
fail:
	rawsyscall(SYS_close, fd, 0, 0);
	return false;
}

void uring_close(struct uring *r)
{
	if (!r->map) return;
	rawsyscall(SYS_munmap, (long)r->map, (long)r->mapsz, 0);
	rawsyscall(SYS_munmap, (long)r->sqes, (long)r->sqesz, 0);
	rawsyscall(SYS_close, r->fd, 0, 0);
	r->map = NULL;
}

/* setup: under ring.lk. Returns whether the ring is ready. */
static bool setup(void)
{
	/* valgrind cannot see the kernel write the buffer through the ring:
	 * every byte read would be "uninitialised" to it. */
	if (debug.iouringoff || checkers_valgrind()) return false;
	/* Needed: reads at the file position (5.6), no dropped completions
	 * (5.5). */
	if (!uring_open(&ring.q, SQ_ENTRIES, CQ_ENTRIES, 0, FEAT_NODROP | FEAT_RW_CUR_POS)) return false;
	/* io_uring's own workers, where the file system cannot wait without
	 * one: no more than the pool would start (5.15; older kernels say
	 * EINVAL and have no cap to set). */
	uint32_t max[2] = {(uint32_t)blockpool_max(), (uint32_t)blockpool_max()};
	rawsyscall6(SYS_io_uring_register_, ring.q.fd, REGISTER_IOWQ_MAX_WORKERS, (long)max, 2, 0, 0);
	if (!netpoll_add_ring(ring.q.fd)) {
		uring_close(&ring.q);
		return false;
	}
	return true;
}

static bool ready(void)
{
	int s = atomic_load_explicit(&ring.state, memory_order_acquire);
	if (s) return s > 0;
	lock(&ring.lk);
	s = atomic_load_explicit(&ring.state, memory_order_relaxed);
	if (!s) {
		s = setup() ? 1 : -1;
		atomic_store_explicit(&ring.state, s, memory_order_release);
	}
	unlock(&ring.lk);
	return s > 0;
}

/* commit: on g0, gp parked: submit the read. Returns 0 (gp goes on) if
 * the submission failed, with the error in ret. */
static int commit(struct g *gp, void *arg)
{
	(void)gp;
	struct ureq *r = arg;
	lock(&ring.lk);
	uint32_t tail = atomic_load_explicit(ring.q.sqtail, memory_order_relaxed);
	uint32_t i = tail & ring.q.sqmask;
	struct sqe *e = &ring.q.sqes[i];
	__builtin_memset(e, 0, sizeof *e);
	e->opcode = OP_READV;
	e->fd = r->fd;
	e->off = (uint64_t)r->off;
	e->addr = (uint64_t)(uintptr_t)r->iov;
	e->len = (uint32_t)r->niov;
	e->user_data = (uint64_t)(uintptr_t)r;
	ring.q.sqarray[i] = i;
	atomic_store_explicit(ring.q.sqtail, tail + 1, memory_order_release);
	long n;
	do n = rawsyscall6(SYS_io_uring_enter_, ring.q.fd, 1, 0, 0, 0, 0);
	while (n == -EINTR);
	if (n != 1) {
		/* Not consumed (EAGAIN, EBUSY: no memory for it now): take the
		 * entry back; the caller goes to the pool. */
		if (atomic_load_explicit(ring.q.sqhead, memory_order_acquire) == tail) {
			atomic_store_explicit(ring.q.sqtail, tail, memory_order_release);
			unlock(&ring.lk);
			r->ret = n < 0 ? n : -EAGAIN;
			r->gp = NULL;
			atomic_fetch_sub(&ring.inflight, 1);
			return 0;
		}
	}
	unlock(&ring.lk);
	return 1;
}

/* uring_read: a readv (off -1: at the file position) or preadv from a
 * goroutine. Returns false if the ring cannot take it (the caller uses the
 * pool); otherwise true, the raw result in *ret. */
bool uring_read(int fd, const struct iovec *iov, int niov, int64_t off, long *ret)
{
	if (!ready()) return false;
	if (atomic_fetch_add(&ring.inflight, 1) >= CQ_ENTRIES) {
		atomic_fetch_sub(&ring.inflight, 1);
		return false;
	}
	struct ureq r = {getg(), 0, fd, niov, iov, off};
	gopark(commit, &r, waitIOWait);
	if (!r.gp) return false; /* not submitted: commit undid it */
	/* The ring's own refusals, not the file's answer: nothing was read,
	 * the pool makes the call. */
	if (r.ret == -EAGAIN || r.ret == -ECANCELED || r.ret == -EOPNOTSUPP || r.ret == -EINTR) return false;
	*ret = r.ret;
	return true;
}

/* uring_reap: netpoll, the ring's descriptor fired: every completion's
 * goroutine onto list. */
struct g *uring_reap(struct g *list)
{
	lock(&ring.cqlk);
	uint32_t head = atomic_load_explicit(ring.q.cqhead, memory_order_relaxed);
	for (;;) {
		uint32_t tail = atomic_load_explicit(ring.q.cqtail, memory_order_acquire);
		if (head == tail) break;
		for (; head != tail; head++) {
			struct cqe *c = &ring.q.cqes[head & ring.q.cqmask];
			struct ureq *r = (struct ureq *)(uintptr_t)c->user_data;
			r->ret = c->res;
			struct g *gp = r->gp;
			atomic_fetch_sub(&ring.inflight, 1);
			gp->schedlink = list;
			list = gp;
		}
		atomic_store_explicit(ring.q.cqhead, head, memory_order_release);
	}
	unlock(&ring.cqlk);
	return list;
}

/* uring_inflight: reads submitted and not yet reaped (checkdead: their
 * goroutines will wake). */
int32_t uring_inflight(void) { return atomic_load_explicit(&ring.inflight, memory_order_acquire); }

/* uring_forkchild: the child of a fork must not touch the parent's ring
 * (its queues are shared memory): unmapped, closed, tried again at the
 * next read. */
void uring_forkchild(void)
{
	uring_close(&ring.q);
	__builtin_memset(&ring, 0, sizeof ring);
}
