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
 * Rejected: liburing (a library the program would link; the few structures
 * are the kernel's stable ABI, declared here as <linux/io_uring.h> is not
 * on musl-gcc's path); SQPOLL (a kernel thread spinning per ring);
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

/* The kernel's ABI (include/uapi/linux/io_uring.h). */
struct sqoff {
	uint32_t head, tail, ring_mask, ring_entries, flags, dropped, array, resv1;
	uint64_t user_addr;
};
struct cqoff {
	uint32_t head, tail, ring_mask, ring_entries, overflow, cqes, flags, resv1;
	uint64_t user_addr;
};
struct uparams {
	uint32_t sq_entries, cq_entries, flags, sq_thread_cpu, sq_thread_idle, features, wq_fd, resv[3];
	struct sqoff sq_off;
	struct cqoff cq_off;
};
struct sqe {
	uint8_t opcode, flags;
	uint16_t ioprio;
	int32_t fd;
	uint64_t off, addr;
	uint32_t len, rw_flags;
	uint64_t user_data;
	uint64_t pad[3];
};
struct cqe {
	uint64_t user_data;
	int32_t res;
	uint32_t flags;
};
_Static_assert(sizeof(struct uparams) == 120, "io_uring_params");
_Static_assert(sizeof(struct sqe) == 64, "io_uring_sqe");
_Static_assert(sizeof(struct cqe) == 16, "io_uring_cqe");

enum {
	SYS_io_uring_setup_ = 425, SYS_io_uring_enter_ = 426, SYS_io_uring_register_ = 427,
	SETUP_CQSIZE = 1u << 3, SETUP_CLAMP = 1u << 4,
	FEAT_SINGLE_MMAP = 1u << 0, FEAT_NODROP = 1u << 1, FEAT_RW_CUR_POS = 1u << 3,
	OP_READV = 1, ENTER_GETEVENTS = 1, REGISTER_IOWQ_MAX_WORKERS = 19,
	SQ_ENTRIES = 256, CQ_ENTRIES = 4096,
};
#define OFF_SQ_RING 0ULL
#define OFF_CQ_RING 0x8000000ULL
#define OFF_SQES 0x10000000ULL

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
	int fd;
	void *sqmap; /* both queues (one mapping) */
	size_t sqmapsz, sqesz;
	_Atomic uint32_t *sqhead, *sqtail, *cqhead, *cqtail;
	uint32_t *sqarray, sqmask, cqmask;
	struct sqe *sqes;
	struct cqe *cqes;
	_Atomic int32_t inflight;
} ring;

static void *map(size_t sz, int fd, uint64_t off)
{
	long p = rawsyscall6(SYS_mmap, 0, (long)sz, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_POPULATE, fd, (long)off);
	return p < 0 && p > -4096 ? NULL : (void *)p;
}

static void unmap_close(void)
{
	rawsyscall(SYS_munmap, (long)ring.sqmap, (long)ring.sqmapsz, 0);
	rawsyscall(SYS_munmap, (long)ring.sqes, (long)ring.sqesz, 0);
	rawsyscall(SYS_close, ring.fd, 0, 0);
	ring.sqmap = NULL;
}

/* setup: under ring.lk. Returns whether the ring is ready. */
static bool setup(void)
{
	/* valgrind cannot see the kernel write the buffer through the ring:
	 * every byte read would be "uninitialised" to it. */
	if (debug.iouringoff || checkers_valgrind()) return false;
	struct uparams p;
	__builtin_memset(&p, 0, sizeof p);
	p.flags = SETUP_CQSIZE | SETUP_CLAMP;
	p.cq_entries = CQ_ENTRIES;
	long fd = rawsyscall(SYS_io_uring_setup_, SQ_ENTRIES, (long)&p, 0);
	if (fd < 0) return false;
	/* Needed: one mapping for both queues (5.4), reads at the file
	 * position (5.6), no dropped completions (5.5). */
	if ((p.features & (FEAT_SINGLE_MMAP | FEAT_NODROP | FEAT_RW_CUR_POS)) !=
	    (FEAT_SINGLE_MMAP | FEAT_NODROP | FEAT_RW_CUR_POS))
		goto fail;
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
	ring.fd = (int)fd;
	ring.sqmap = q;
	ring.sqmapsz = sz;
	ring.sqesz = p.sq_entries * sizeof(struct sqe);
	ring.sqhead = (_Atomic uint32_t *)(q + p.sq_off.head);
	ring.sqtail = (_Atomic uint32_t *)(q + p.sq_off.tail);
	ring.sqmask = *(uint32_t *)(q + p.sq_off.ring_mask);
	ring.sqarray = (uint32_t *)(q + p.sq_off.array);
	ring.cqhead = (_Atomic uint32_t *)(q + p.cq_off.head);
	ring.cqtail = (_Atomic uint32_t *)(q + p.cq_off.tail);
	ring.cqmask = *(uint32_t *)(q + p.cq_off.ring_mask);
	ring.cqes = (struct cqe *)(q + p.cq_off.cqes);
	ring.sqes = sqes;
	/* io_uring's own workers, where the file system cannot wait without
	 * one: no more than the pool would start (5.15; older kernels say
	 * EINVAL and have no cap to set). */
	uint32_t max[2] = {(uint32_t)blockpool_max(), (uint32_t)blockpool_max()};
	rawsyscall6(SYS_io_uring_register_, fd, REGISTER_IOWQ_MAX_WORKERS, (long)max, 2, 0, 0);
	if (!netpoll_add_ring((int)fd)) {
		unmap_close();
		return false;
	}
	return true;
fail:
	rawsyscall(SYS_close, fd, 0, 0);
	return false;
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
	uint32_t tail = atomic_load_explicit(ring.sqtail, memory_order_relaxed);
	uint32_t i = tail & ring.sqmask;
	struct sqe *e = &ring.sqes[i];
	__builtin_memset(e, 0, sizeof *e);
	e->opcode = OP_READV;
	e->fd = r->fd;
	e->off = (uint64_t)r->off;
	e->addr = (uint64_t)(uintptr_t)r->iov;
	e->len = (uint32_t)r->niov;
	e->user_data = (uint64_t)(uintptr_t)r;
	ring.sqarray[i] = i;
	atomic_store_explicit(ring.sqtail, tail + 1, memory_order_release);
	long n;
	do n = rawsyscall6(SYS_io_uring_enter_, ring.fd, 1, 0, 0, 0, 0);
	while (n == -EINTR);
	if (n != 1) {
		/* Not consumed (EAGAIN, EBUSY: no memory for it now): take the
		 * entry back; the caller goes to the pool. */
		if (atomic_load_explicit(ring.sqhead, memory_order_acquire) == tail) {
			atomic_store_explicit(ring.sqtail, tail, memory_order_release);
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
	uint32_t head = atomic_load_explicit(ring.cqhead, memory_order_relaxed);
	for (;;) {
		uint32_t tail = atomic_load_explicit(ring.cqtail, memory_order_acquire);
		if (head == tail) break;
		for (; head != tail; head++) {
			struct cqe *c = &ring.cqes[head & ring.cqmask];
			struct ureq *r = (struct ureq *)(uintptr_t)c->user_data;
			r->ret = c->res;
			struct g *gp = r->gp;
			atomic_fetch_sub(&ring.inflight, 1);
			gp->schedlink = list;
			list = gp;
		}
		atomic_store_explicit(ring.cqhead, head, memory_order_release);
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
	if (ring.sqmap) unmap_close();
	__builtin_memset(&ring, 0, sizeof ring);
}
