/* blockpool.c: a bounded pool of threads for system calls that block on
 * something the netpoller cannot wait for: a read of a regular file whose
 * pages are not in memory (the disk, NFS), a write the page cache throttles
 * (issue #17 item 2). Go has no counterpart: Go blocks an M per such call
 * and sysmon hands its P to another M, so 1,000 goroutines reading cold
 * files make up to 1,000 threads. This is libuv's thread pool, for gort.
 *
 * How: the goroutine parks (waitreason "IO wait") and its request goes on
 * the pool's queue in the park's commit (so a worker cannot ready it
 * before it is parked); a worker makes the raw system call and readies the
 * goroutine (goready from a thread that is not an M: the global run queue,
 * then wakep). Workers are started on demand, up to GORT_BLOCKPOOL (16 by
 * default, 1-256), and stay (idle ones sleep on a futex). A goroutine
 * therefore costs no thread while it waits; at most GORT_BLOCKPOOL calls
 * wait in the kernel at once, the others queue in order.
 *
 * Who uses it (fdio.c): a read of a regular file that RWF_NOWAIT says would
 * block (pages not cached); writes to regular files are tried on the
 * goroutine's thread under entersyscall first (they usually end in the page
 * cache within microseconds: a hand-off to a worker per write would cost
 * more than the write), and go to the pool only while GORT_BLOCKPOOL such
 * direct writes are already in the kernel; fsync and fdatasync
 * (hooks/file.c) always.
 *
 * Shared state: the queue, nthreads, nidle and pending under pool.lk (the
 * runtime's futex mutex; workers take it too); pool.seq, the idle workers'
 * futex word, bumped under pool.lk. A fork child has no workers: its queue
 * is emptied (the waiting goroutines are the parent's, dead in the child).
 *
 * Reads go to io_uring first (uring.c) where the kernel allows it; the
 * pool takes them where it does not (seccomp profiles, io_uring_disabled).
 *
 * Rejected: a thread per waiting goroutine (what this replaces);
 * readahead/mincore probing before the read (racy, and still blocks). */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <stdlib.h>
#include "runtime.h"

struct bpreq {
	long nr, a[6];
	void (*fn)(void *);  /* or a function to call (blockpool_call) */
	void *arg;
	long ret;
	struct g *gp;
	struct bpreq *next;
};

static struct {
	struct mutex lk;
	struct bpreq *head, *tail;
	int32_t nthreads, nidle, max, starting, nqueued;
	int64_t pending;           /* queued or running: checkdead's "may yet wake" */
	_Atomic uint32_t seq;      /* futex word of idle workers */
} pool;
static _Atomic int32_t direct; /* file writes in the kernel on goroutines' threads */

static void *worker(void *arg)
{
	(void)arg;
	/* Signals for the process go to the program's threads, not here:
	 * a handler run on a worker would interrupt its call. */
	sigset_t all;
	sigfillset(&all);
	sigdelset(&all, SIGSEGV), sigdelset(&all, SIGBUS), sigdelset(&all, SIGFPE), sigdelset(&all, SIGILL);
	sigdelset(&all, SIGQUIT); /* a dump asked of this very thread still happens */
	pthread_sigmask(SIG_BLOCK, &all, NULL);
	/* Named, for ps, top and gdb (and for tests that look for Ms). */
	rawsyscall(SYS_prctl, PR_SET_NAME, (long)"gort-blockpool", 0);
	lock(&pool.lk);
	pool.starting--;
	for (;;) {
		while (!pool.head) {
			uint32_t s = atomic_load(&pool.seq);
			pool.nidle++;
			unlock(&pool.lk);
			futexsleep(&pool.seq, s, -1);
			lock(&pool.lk);
			pool.nidle--;
		}
		struct bpreq *r = pool.head;
		pool.nqueued--;
		pool.head = r->next;
		if (!pool.head) pool.tail = NULL;
		unlock(&pool.lk);
		if (r->fn) r->fn(r->arg);
		else r->ret = rawsyscall6(r->nr, r->a[0], r->a[1], r->a[2], r->a[3], r->a[4], r->a[5]);
		/* Ready first, count down after: checkdead must never see the
		 * goroutine waiting with nothing pending. r lives on gp's
		 * stack: not touched after the wake. */
		goready(r->gp, false);
		lock(&pool.lk);
		__atomic_store_n(&pool.pending, pool.pending - 1, __ATOMIC_RELEASE);
	}
	return NULL;
}

static int32_t poolmax(void)
{
	if (pool.max) return pool.max;
	int32_t n = 16;
	const char *s = gogetenv("GORT_BLOCKPOOL");
	if (s && *s) {
		long v = strtol(s, NULL, 10);
		if (v >= 1 && v <= 256) n = (int32_t)v;
	}
	pool.max = n;
	return n;
}

int32_t blockpool_max(void) { return poolmax(); }

/* commit: on g0, gp parked: queue the request, wake or start a worker. */
static int commit(struct g *gp, void *arg)
{
	(void)gp;
	struct bpreq *r = arg;
	lock(&pool.lk);
	r->next = NULL;
	if (pool.tail) pool.tail->next = r;
	else pool.head = r;
	pool.tail = r;
	pool.nqueued++;
	__atomic_store_n(&pool.pending, pool.pending + 1, __ATOMIC_RELEASE);
	/* Another thread while the queue holds more than the idle and the
	 * starting ones will take (a burst of 200 requests from goroutines
	 * at once started one thread and queued the rest behind it). */
	bool start = pool.nqueued > pool.nidle + pool.starting && pool.nthreads < poolmax();
	if (start) pool.nthreads++, pool.starting++;
	atomic_fetch_add(&pool.seq, 1);
	unlock(&pool.lk);
	futexwakeup(&pool.seq, 1);
	if (start) {
		pthread_attr_t at;
		pthread_t t;
		pthread_attr_init(&at);
		pthread_attr_setstacksize(&at, 64 * 1024);
		pthread_attr_setdetachstate(&at, PTHREAD_CREATE_DETACHED);
		int e = pthread_create(&t, &at, worker, NULL);
		pthread_attr_destroy(&at);
		if (e != 0) {
			lock(&pool.lk);
			pool.nthreads--, pool.starting--;
			bool none = pool.nthreads == 0;
			unlock(&pool.lk);
			/* No thread at all: nothing would ever run the request. */
			if (none) fatal("blockpool: cannot start a thread for a blocking file call");
		}
	}
	return 1;
}

/* blockpool_syscall makes system call nr from a goroutine on a pool
 * thread, the goroutine parked meanwhile; returns the raw result. */
long blockpool_syscall(long nr, long a0, long a1, long a2, long a3, long a4, long a5)
{
	/* Reads go through io_uring where the kernel allows it (uring.c):
	 * no thread waits for the disk. */
	long ret;
	if ((nr == SYS_readv || nr == SYS_preadv) &&
	    uring_read((int)a0, (const struct iovec *)a1, (int)a2, nr == SYS_readv ? -1 : a3, &ret))
		return ret;
	struct bpreq r = {nr, {a0, a1, a2, a3, a4, a5}, NULL, NULL, 0, getg(), NULL};
	gopark(commit, &r, waitIOWait);
	return r.ret;
}

/* blockpool_call runs fn(arg) on a pool thread, the goroutine parked
 * meanwhile (the libc's resolver: hooks/resolv.c). fn runs on a thread
 * that is no M: plain libc calls only, no gort_* that parks; what it
 * leaves in thread-local state (errno, h_errno) the caller copies back
 * through arg. */
void blockpool_call(void (*fn)(void *), void *arg)
{
	struct bpreq r = {0, {0}, fn, arg, 0, getg(), NULL};
	gopark(commit, &r, waitIOWait);
}

/* blockpool_write: a write-like call to a regular file: on this thread
 * (P handed off if it blocks) while few are, else on the pool. */
long blockpool_direct(long nr, long a0, long a1, long a2, long a3, long a4, long a5)
{
	if (atomic_fetch_add(&direct, 1) >= poolmax()) {
		atomic_fetch_sub(&direct, 1);
		return blockpool_syscall(nr, a0, a1, a2, a3, a4, a5);
	}
	gort_entersyscall();
	long r = rawsyscall6(nr, a0, a1, a2, a3, a4, a5);
	gort_exitsyscall();
	atomic_fetch_sub(&direct, 1);
	return r;
}

/* blockpool_pending: requests queued or running; caller holds sched.lock
 * (checkdead): a goroutine waiting for one is not deadlocked. Read without
 * pool.lk: a worker that is about to ready its goroutine has the count
 * still up until after it took the lock to lower it. */
int64_t blockpool_pending(void) { return __atomic_load_n(&pool.pending, __ATOMIC_ACQUIRE); }

/* blockpool_threads: the pool's threads, which checkdead does not count as
 * threads gort did not create. */
int32_t blockpool_threads(void) { return __atomic_load_n(&pool.nthreads, __ATOMIC_ACQUIRE); }

/* blockpool_forkchild: the child of a fork has none of the workers. */
void blockpool_forkchild(void)
{
	__builtin_memset(&pool.lk, 0, sizeof pool.lk);
	pool.head = pool.tail = NULL;
	pool.nthreads = pool.nidle = pool.starting = pool.nqueued = 0;
	pool.pending = 0;
	atomic_store(&direct, 0);
}
