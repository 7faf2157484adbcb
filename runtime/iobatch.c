/* iobatch.c: the socket and pipe reads and writes of a busy P's
 * goroutines, gathered and made in one io_uring_enter (issue #18: servers
 * at event-loop speed). Go has no counterpart: each goroutine's read is
 * its own system call there.
 *
 * What: fdio.c makes a read, write, readv, writev, recv or send (and a
 * recvfrom or sendto without an address) of a registered socket as a
 * receive or send with MSG_DONTWAIT, and a read, readv, write or writev of
 * a registered pipe as preadv2/pwritev2 with RWF_NOWAIT. When the
 * goroutine its P runs next is one that I/O readied (partner), or the P
 * already holds a batch, the call instead becomes an IORING_OP_RECV or
 * IORING_OP_SEND entry (RECVMSG and SENDMSG for a vector; READ, READV,
 * WRITE or WRITEV for a pipe) with the same flags in the P's own
 * submission queue, and the goroutine parks.
 * The batch goes to the kernel in one io_uring_enter when the P runs out
 * of ready goroutines (findrunnable), when its queue is full, before the
 * P runs a goroutine that I/O did not ready (execute, directnext: one
 * that computes, or yields in a loop waiting for what a batched write
 * makes happen, would otherwise hold the batch for as long: g_ioready),
 * and before the M can lose the P (entersyscall, a stop of the world, the
 * hand-over to a locked M; handoffp as the last chance before a P goes
 * idle): so no P that is idle, stopped or held by a
 * thread in a system call has calls waiting in its queue (pidleput
 * checks), and a call waits only while goroutines that I/O readied run.
 * MSG_DONTWAIT makes the kernel complete every entry inside that
 * io_uring_enter, as the system call would (REQ_F_NOWAIT: a socket with
 * nothing to read answers -EAGAIN instead of waiting in the ring), so all
 * the completions are in the queue when it returns: no task work, no ring
 * descriptor in the netpoller, nothing in flight between two calls. Each
 * goroutine is readied with its result and goes on exactly as after the
 * system call (EAGAIN: it waits in the netpoller, as before).
 *
 * Why: on a server with many connections a scheduling round runs many
 * goroutines, each making two or three such calls (the read that gets
 * the request, the write of the answer, the read that says EAGAIN), and
 * the way into the kernel and out is a large share of each call on a
 * virtual machine: one io_uring_enter for a round's calls took the echo
 * server's CPU per request to below the hand-written epoll loop's, which
 * makes a system call each (bench/README.md, seventh session).
 *
 * Where it differs from the system call, and what is done about it:
 *  - io_uring sends with MSG_NOSIGNAL: an EPIPE raises SIGPIPE on the
 *    calling thread (tgkill), as the kernel's send would have, unless the
 *    caller passed MSG_NOSIGNAL itself;
 *  - the call reaches the kernel later than asked: a descriptor closed
 *    meanwhile (pd_forget bumps the pollDesc's fdgen) answers EBADF
 *    without reaching the kernel, so a number reused meanwhile is never
 *    read or written by mistake (the entry becomes a no-op);
 *  - a kernel that does not honour MSG_DONTWAIT in the ring would leave
 *    a receive waiting there: the first ring is probed with a receive on
 *    an empty socket pair, which must answer -EAGAIN inside the call, or
 *    no ring is used (and with a read of an empty pipe and a write to a
 *    full one, or pipes stay out);
 *  - a pipe write's EPIPE: the kernel raises SIGPIPE itself (there is no
 *    MSG_NOSIGNAL for pipes) on the thread that submits the batch, which
 *    is the one the write was made on: the batch goes on the M that owns
 *    the P before the P can change hands (above), and the goroutine made
 *    its call on that M. Its handler runs when io_uring_enter returns,
 *    before the writer sees EPIPE, as before the write's return.
 * Not batched: a P with nothing I/O-readied to run next (a round trip
 * through the scheduler costs more than the system call it saves, and the
 * batch would go at once), a goroutine locked
 * to its thread, calls with an address or control data (recvmsg's
 * msg_flags and names are not reported by the ring's receive), calls
 * the caller made with MSG_DONTWAIT, and everything under valgrind (it cannot
 * see the kernel write through the ring), GODEBUG=iobatch=0 or
 * iouringoff=1, or where io_uring is refused (seccomp, io_uring_disabled).
 *
 * Latency: a call waits in the batch while the I/O-readied goroutines
 * ahead of it run, each until it parks or its time slice ends (sysmon's
 * preemption), as any ready goroutine waits for those ahead of it; at
 * most a queue's worth (64) of calls wait.
 *
 * Producers: a goroutine that writes to many descriptors one after the
 * other (one writer feeding 1,000 readers, a broadcast) would get one
 * call per scheduling round, each a round of every I/O-readied goroutine
 * long, where its system calls go one after the other: the whole
 * program waits on it (one goroutine writing to 1,000 socket pairs whose
 * other ends their own goroutines read, GOMAXPROCS=2: 303-485 ms batched,
 * 219-282 ms without). So a goroutine's calls join batches only until
 * IOBRUN of them did since it last waited (g->iobrun, reset by gopark for
 * any wait but the batch's own, and at the goroutine's end); a server's
 * goroutine makes two or three (the read, the write, the read that says
 * EAGAIN) before it waits in the netpoller, a worker fed by a channel one
 * or two before its next receive. Rejected: a P's moving average of
 * entries per submission, below which batches are started rarely (small
 * batches cost more than they save, in theory): the one-writer case has
 * batches of 4 to 7, and at GOMAXPROCS=1 it took 1,000 socket pairs from
 * 244-267 to 292-377 ms.
 *
 * Shared state: p->iob (the ring, its entries and requests) belongs to the
 * P's owner, who alone fills and submits it; set up at the P's first
 * batched call, kept while the P exists, dropped in a fork child (the
 * queues are shared memory with the parent). state: set up once, atomic.
 * A request (struct iobreq) lives on its goroutine's stack, parked.
 *
 * Rejected: the ring's own waiting (a receive without MSG_DONTWAIT arms a
 * poll and completes later through task work): slower than the batches
 * unless IORING_SETUP_DEFER_TASKRUN, which ties a ring to one thread that
 * alone can complete it: a goroutine's read would wait for that M to come
 * back from whatever it blocks in.
 * Inferring "the socket is empty" from a short read, to skip the read that
 * says EAGAIN: TCP stops short before urgent data and a FIN, AF_UNIX at
 * passed descriptors, credentials and out-of-band data. A batch flushed
 * by time as well: it waits only while goroutines that I/O readied run,
 * whose slices preemption already bounds. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include "runtime.h"
#include "netpoll.h"
#include "uring.h"


enum { IOB_SQ = 64, IOB_CQ = 128 };
/* A goroutine's calls join batches until IOBRUN of them did without its
 * waiting between (then system calls until it waits); see "Producers". */
enum { IOBRUN = 8 };

struct iobreq {
	struct g *g;
	struct pollDesc *pd;
	uint32_t gen; /* pd->fdgen when queued */
	int32_t res;  /* the kernel's answer (-errno) */
	bool closed;  /* the descriptor closed before the batch went */
};

struct iobatch {
	struct uring q;
	uint32_t n;    /* entries filled since the last submission */
	uint32_t tail; /* our submission tail (published at the flush) */
	struct iobreq *req[IOB_SQ];
};

/* 0 not tried, 1 usable, -1 refused (decided with the first ring);
 * pipes: whether pipe reads and writes may join (probed with it). */
static _Atomic int state;
static _Atomic bool pipes_ok;

/* probe: does a call that cannot go on complete inside io_uring_enter,
 * with -EAGAIN? PROBE_SOCK: a receive with MSG_DONTWAIT on an empty
 * socket; PROBE_PIPE_READ: a read with RWF_NOWAIT of an empty pipe;
 * PROBE_PIPE_WRITE: a write with RWF_NOWAIT to a full one (blocking
 * mode, so that only RWF_NOWAIT says "do not wait"). */
enum { PROBE_SOCK, PROBE_PIPE_READ, PROBE_PIPE_WRITE };
static bool probe(struct uring *q, int kind)
{
	int sv[2];
	long made = kind == PROBE_SOCK
			    ? rawsyscall6(SYS_socketpair, AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, (long)sv, 0, 0)
			    : rawsyscall(SYS_pipe2, (long)sv, O_CLOEXEC | O_NONBLOCK, 0);
	if (made < 0) return false;
	char c = 0;
	bool ok = false;
	if (kind == PROBE_PIPE_WRITE) {
		static const char fill[512];
		rawsyscall(SYS_fcntl, sv[1], F_SETPIPE_SZ, 4096); /* fewer writes to fill it */
		for (int i = 0; i < 1024 && rawsyscall(SYS_write, sv[1], (long)fill, sizeof fill) > 0; i++) {}
		if (rawsyscall(SYS_fcntl, sv[1], F_SETFL, 0) < 0) goto out;
	} else if (kind == PROBE_PIPE_READ && rawsyscall(SYS_fcntl, sv[0], F_SETFL, 0) < 0) {
		goto out;
	}
	uint32_t t = atomic_load_explicit(q->sqtail, memory_order_relaxed);
	struct sqe *e = &q->sqes[t & q->sqmask];
	__builtin_memset(e, 0, sizeof *e);
	e->opcode = kind == PROBE_SOCK ? OP_RECV : kind == PROBE_PIPE_READ ? OP_READ : OP_WRITE;
	e->fd = kind == PROBE_PIPE_WRITE ? sv[1] : sv[0];
	e->off = kind == PROBE_SOCK ? 0 : ~(uint64_t)0;
	e->addr = (uint64_t)(uintptr_t)&c;
	e->len = 1;
	e->rw_flags = kind == PROBE_SOCK ? MSG_DONTWAIT : RWF_NOWAIT;
	e->user_data = 1;
	q->sqarray[t & q->sqmask] = t & q->sqmask;
	atomic_store_explicit(q->sqtail, t + 1, memory_order_release);
	long r;
	do r = rawsyscall6(SYS_io_uring_enter_, q->fd, 1, 0, 0, 0, 0);
	while (r == -EINTR);
	uint32_t h = atomic_load_explicit(q->cqhead, memory_order_relaxed);
	if (r == 1 && atomic_load_explicit(q->cqtail, memory_order_acquire) != h) {
		struct cqe *c1 = &q->cqes[h & q->cqmask];
		ok = c1->user_data == 1 && c1->res == -EAGAIN;
		atomic_store_explicit(q->cqhead, h + 1, memory_order_release);
	}
out:
	rawsyscall(SYS_close, sv[0], 0, 0);
	rawsyscall(SYS_close, sv[1], 0, 0);
	return ok;
}

/* get: pp's batch, set up on first use; NULL if there is none to have. */
static struct iobatch *get(struct p *pp)
{
	int s = atomic_load_explicit(&state, memory_order_acquire);
	if (s < 0) return NULL;
	if (!s && (!debug.iobatch || debug.iouringoff || checkers_valgrind())) {
		atomic_store(&state, -1);
		return NULL;
	}
	struct iobatch *b = sys_mmap(NULL, sizeof *b, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (sys_mmap_failed(b)) return NULL;
	/* SUBMIT_ALL (5.18): an entry that fails early does not stop the
	 * ones behind it; the flush loops over partial submissions anyway. */
	if (!uring_open(&b->q, IOB_SQ, IOB_CQ, SETUP_SUBMIT_ALL, FEAT_NODROP) &&
	    !uring_open(&b->q, IOB_SQ, IOB_CQ, 0, FEAT_NODROP))
		goto refused;
	if (!s) {
		bool ok = probe(&b->q, PROBE_SOCK);
		atomic_store_explicit(&pipes_ok, ok && probe(&b->q, PROBE_PIPE_READ) && probe(&b->q, PROBE_PIPE_WRITE),
				      memory_order_relaxed);
		atomic_store_explicit(&state, ok ? 1 : -1, memory_order_release);
		if (!ok) {
			uring_close(&b->q);
			goto refused;
		}
	}
	b->tail = atomic_load_explicit(b->q.sqtail, memory_order_relaxed);
	pp->iob = b;
	return b;
refused:
	if (!s) atomic_store(&state, -1);
	rawsyscall(SYS_munmap, (long)b, sizeof *b, 0);
	return NULL;
}

/* partner: is the goroutine pp runs next one that I/O readied (so that
 * it will likely add a call of its own before the batch must go)? Its
 * runnext, else the head of its queue (read without claiming it: a thief
 * may take it meanwhile, which only makes the guess stale), else anything
 * in the global queue, where netpoll's findings go. A G readied otherwise
 * (a channel, a new or preempted G) makes the batch go before it runs
 * (execute, directnext): batching in front of it would only add a trip
 * through the scheduler. */
static bool partner(struct p *pp)
{
	struct g *nx = atomic_load_explicit(&pp->runnext, memory_order_relaxed);
	if (!nx) {
		uint32_t h = atomic_load_explicit(&pp->runqhead, memory_order_acquire);
		if (h != atomic_load_explicit(&pp->runqtail, memory_order_acquire))
			nx = atomic_load_explicit(&pp->runq[h % RUNQSIZE], memory_order_relaxed);
	}
	if (nx) return g_ioready(nx);
	return atomic_load_explicit(&sched.runqsize, memory_order_relaxed) != 0;
}

/* joinable: may gp's call join pp's batch now (gp runs on pp)? Not for
 * a locked goroutine or a producer (IOBRUN); otherwise when a batch waits
 * already, or partner says one is worth starting. */
static bool joinable(struct g *gp, struct p *pp)
{
	if (gp->lockedm || gp->iobrun >= IOBRUN) return false;
	return (pp->iob && pp->iob->n) || partner(pp);
}

/* iobatch_would: would a call of the current goroutine join its P's batch
 * now (fdio.c: worth learning what a descriptor is)? */
bool iobatch_would(void)
{
	struct g *gp = getg();
	struct p *pp = gp->m->p;
	return pp && atomic_load_explicit(&state, memory_order_relaxed) >= 0 && joinable(gp, pp);
}

/* iobatch_flush submits pp's batch (the caller owns pp) and readies its
 * goroutines, each with its answer, on pp's queue. */
void iobatch_flush(struct p *pp)
{
	struct iobatch *b = pp ? pp->iob : NULL;
	uint32_t n = b ? b->n : 0;
	if (!n) return;
	/* Descriptors closed since their call was queued: no-ops. */
	for (uint32_t i = 0; i < n; i++) {
		struct iobreq *r = b->req[i];
		if (atomic_load_explicit(&r->pd->fdgen, memory_order_acquire) == r->gen) continue;
		r->closed = true;
		struct sqe *e = &b->q.sqes[(b->tail - n + i) & b->q.sqmask];
		uint64_t ud = e->user_data;
		__builtin_memset(e, 0, sizeof *e);
		e->opcode = OP_NOP;
		e->user_data = ud;
	}
	atomic_store_explicit(b->q.sqtail, b->tail, memory_order_release);
	uint32_t sent = 0;
	while (sent < n) {
		long r = rawsyscall6(SYS_io_uring_enter_, b->q.fd, n - sent, 0, 0, 0, 0);
		if (r > 0) sent += (uint32_t)r;
		else if (r != -EINTR && r != -EAGAIN && r != -EBUSY)
			fatal("iobatch: io_uring_enter failed: errno %ld", -r);
	}
	b->n = 0;
	uint32_t h = atomic_load_explicit(b->q.cqhead, memory_order_relaxed);
	uint32_t t = atomic_load_explicit(b->q.cqtail, memory_order_acquire);
	if (t - h != n) fatal("iobatch: %u completions for %u calls", t - h, n);
	/* In the order they were queued. r is on its goroutine's stack:
	 * not touched once the goroutine is ready (another P may run it). */
	for (; h != t; h++) {
		struct cqe *c = &b->q.cqes[h & b->q.cqmask];
		struct iobreq *r = (struct iobreq *)(uintptr_t)c->user_data;
		struct g *gp = r->g;
		r->res = r->closed ? -EBADF : c->res;
		goready(gp, false);
	}
	atomic_store_explicit(b->q.cqhead, h, memory_order_release);
}

/* iobatch_rw: a receive (wr: send) on pd's socket into (from) the n
 * buffers of iov, with flags (MSG_DONTWAIT among them), from a goroutine:
 * recv/send for one buffer, recvmsg/sendmsg without address or control
 * data for several. For a pipe (pd->ispipe, flags 0): read, readv, write
 * or writev with RWF_NOWAIT. Returns false when the call should be the system
 * call (see above); otherwise true, with the kernel's answer (-errno or
 * bytes) in *ret. */
bool iobatch_rw(struct pollDesc *pd, const struct iovec *iov, int n, int flags, bool wr, long *ret)
{
	struct g *gp = getg();
	struct p *pp = gp->m->p;
	if (!pp || (n == 1 && iov[0].iov_len > INT32_MAX) || !joinable(gp, pp)) return false;
	bool pipe = !pd->issock;
	struct iobatch *b = pp->iob;
	if (!b && !(b = get(pp))) return false;
	/* Decided with the first ring, before pp->iob was set. */
	if (pipe && !atomic_load_explicit(&pipes_ok, memory_order_relaxed)) return false;
	if (b->n == IOB_SQ) iobatch_flush(pp);
	struct iobreq r = {.g = gp, .pd = pd, .gen = atomic_load_explicit(&pd->fdgen, memory_order_acquire)};
	struct msghdr mh = {.msg_iov = (struct iovec *)iov, .msg_iovlen = (size_t)n}; /* read while parked */
	uint32_t i = b->tail & b->q.sqmask;
	struct sqe *e = &b->q.sqes[i];
	__builtin_memset(e, 0, sizeof *e);
	e->fd = pd->fd;
	if (pipe) {
		/* At the file's position (-1), as read and readv. */
		e->opcode = n == 1 ? (wr ? OP_WRITE : OP_READ) : (wr ? OP_WRITEV : OP_READV);
		e->off = ~(uint64_t)0;
		e->addr = (uint64_t)(uintptr_t)(n == 1 ? iov[0].iov_base : (void *)iov);
		e->len = n == 1 ? (uint32_t)iov[0].iov_len : (uint32_t)n;
		flags = RWF_NOWAIT;
	} else if (n == 1) {
		e->opcode = wr ? OP_SEND : OP_RECV;
		e->addr = (uint64_t)(uintptr_t)iov[0].iov_base;
		e->len = (uint32_t)iov[0].iov_len;
	} else {
		e->opcode = wr ? OP_SENDMSG : OP_RECVMSG;
		e->addr = (uint64_t)(uintptr_t)&mh;
		e->len = 1;
	}
	e->rw_flags = (uint32_t)flags;
	e->user_data = (uint64_t)(uintptr_t)&r;
	b->q.sqarray[i] = i;
	b->tail++;
	b->req[b->n++] = &r;
	uint8_t run = gp->iobrun; /* gopark resets it: this park is no wait */
	gopark(NULL, NULL, waitIOWait);
	gp->iobrun = (uint8_t)(run + 1);
	if (wr && !pipe && r.res == -EPIPE && !(flags & MSG_NOSIGNAL))
		rawsyscall(SYS_tgkill, rawsyscall(SYS_getpid, 0, 0, 0), gettid_raw(), SIGPIPE);
	*ret = r.res;
	return true;
}

/* iobatch_pending: pp has calls waiting to be submitted (pidleput's check). */
bool iobatch_pending(struct p *pp) { return pp->iob && pp->iob->n; }

/* iobatch_forkchild: a fork child's Ps drop their rings (the queues are
 * the parent's too; the goroutines that had calls there are dead in the
 * child) and set up new ones when next needed. */
void iobatch_forkchild(void)
{
	for (int32_t i = 0; i < atomic_load(&allplen); i++) {
		struct p *pp = allp[i];
		if (!pp || !pp->iob) continue;
		uring_close(&pp->iob->q);
		rawsyscall(SYS_munmap, (long)pp->iob, sizeof *pp->iob, 0);
		pp->iob = NULL;
	}
}
