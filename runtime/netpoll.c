/* netpoll.c: the network poller on epoll (Go's netpoll_epoll.go), and the
 * way an idle M sleeps until I/O or the next timer.
 *
 * Initialised lazily, on the first descriptor registered or the first time
 * an M must sleep until a timer: a program that does neither never opens an
 * epoll instance. An eventfd registered in the set lets any thread interrupt
 * a blocked netpoll (netpollbreak), for example when a timer earlier than the
 * sleeper's deadline is added.
 *
 * Descriptors: each registered fd has a pollDesc (pd) with a queue of
 * waiting readers and one of writers (any number of goroutines: unchanged C
 * code may have several blocked in accept on one socket, and a hooked
 * poll(2) waits on many descriptors at once). epoll is edge-triggered: an
 * event wakes every waiter of its direction, and one that arrives with
 * nobody waiting sets rready/wready, consumed by the next wait. Woken
 * goroutines retry their operation, so a wake-up that finds nothing (a
 * stale edge, another reader first) only costs a retry.
 *
 * Interrupts: a signal whose handler the program installed through the
 * hooked sigaction (signal_linux.c) makes the waits that the kernel would
 * interrupt end with EINTR. The handler bumps generation counters and
 * breaks netpoll; the M that sees the break wakes the waiters registered
 * before the signal.
 *
 * Locking: pdtab.lock protects the table of pollDescs (grown, never
 * shrunk); pd->lk a pollDesc's queues and ready flags; intrq[].lk the lists
 * of interruptible waiters. A waiter (on its goroutine's stack) is claimed
 * by CAS on its `done`; it leaves every queue, under the queue's lock,
 * before its frame goes away.
 *
 * Without descriptors (RLIMIT_NOFILE reached when the poller is first
 * needed: epoll_create1 or eventfd fail with EMFILE/ENFILE), the program
 * goes on, as a C program would: pd_get says "not pollable" (EPERM), so
 * I/O is the blocking system call with the P handed off (fdio.c), and an
 * idle M sleeps until its timer on a futex (fallbackseq) that
 * netpollbreak wakes. Each later netpoll_init from the program's own
 * calls tries again (an idle M's does not: netpoll_init_idle). */
#include <errno.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>
#include "runtime.h"
#include "netpoll.h"

static int epfd = -1;
static int breakfd = -1;
static _Atomic bool inited;
static struct mutex initlock;
static _Atomic uint32_t breakpending;
static _Atomic int64_t nwaiters; /* goroutines parked on descriptors */
static bool have_pwait2 = true;  /* epoll_pwait2: Linux 5.11+, ns timeouts */

/* The netpoller's own system calls are raw: its descriptors are the
 * runtime's business, invisible to the libc's wrappers, to sanitizer
 * interceptors (which would report the runtime's descriptor use as races
 * between goroutines) and to any hook a program puts on read or write. */
static int sysret(long r)
{
	if (r < 0) {
		errno = (int)-r;
		return -1;
	}
	return (int)r;
}
static int ep_create(void) { return sysret(rawsyscall(SYS_epoll_create1, EPOLL_CLOEXEC, 0, 0)); }
static int ev_create(void) { return sysret(rawsyscall(SYS_eventfd2, 0, EFD_CLOEXEC | EFD_NONBLOCK, 0)); }
static int ep_ctl(int op, int fd, struct epoll_event *ev)
{
	return sysret(rawsyscall6(SYS_epoll_ctl, epfd, op, fd, (long)ev, 0, 0));
}

bool netpoll_inited(void) { return atomic_load_explicit(&inited, memory_order_acquire); }
/* Goroutines the netpoller will wake: those parked on descriptors and
 * the reads in flight on the io_uring ring (uring.c), whose completions
 * netpoll reaps: an idle M must block in netpoll for them too. */
int64_t netpoll_waiters(void) { return atomic_load(&nwaiters) + uring_inflight(); }

static _Atomic bool initrefused; /* an attempt failed for want of descriptors */

bool netpoll_init(void)
{
	if (netpoll_inited()) return true;
	lock(&initlock);
	if (!netpoll_inited()) {
		int ep = ep_create();
		int br = ep < 0 ? -1 : ev_create();
		int e = errno;
		if (ep >= 0 && br >= 0) {
			epfd = ep;
			struct epoll_event ev = {.events = EPOLLIN, .data.u64 = 0};
			if (ep_ctl(EPOLL_CTL_ADD, br, &ev) < 0)
				fatal("netpoll: cannot register eventfd: errno %d", errno);
			breakfd = br;
			atomic_store_explicit(&inited, true, memory_order_release);
		} else {
			if (ep >= 0) rawsyscall(SYS_close, ep, 0, 0);
			if (e != EMFILE && e != ENFILE && e != ENOMEM)
				fatal("netpoll: epoll_create1/eventfd failed: errno %d", e);
			atomic_store(&initrefused, true);
			unlock(&initlock);
			errno = e;
			return false;
		}
	}
	unlock(&initlock);
	forkinit(); /* a forked child will need its own epoll set */
	return true;
}

/* netpoll_init_idle: netpoll_init for an M about to sleep (findrunnable),
 * which tries only until an attempt has failed for want of descriptors;
 * after that only the program's own calls (I/O, interruptible sleeps)
 * try again. An attempt holds the lowest free descriptor for a moment
 * (epoll_create1 succeeds, eventfd fails, the first is closed): an idle
 * M's retries took the one descriptor the program had just freed, and
 * its accept failed with EMFILE (races/emfile, glibc at GOMAXPROCS=2, once
 * in a make test run). The M sleeps on the fallback futex meanwhile. */
bool netpoll_init_idle(void)
{
	if (!netpoll_inited() && atomic_load_explicit(&initrefused, memory_order_relaxed)) return false;
	return netpoll_init();
}

/* netpoll_add_ring: uring.c's ring descriptor into the set, edge-triggered
 * (event data 1): netpoll reaps its completions when it fires. */
bool netpoll_add_ring(int fd)
{
	if (!netpoll_init()) return false;
	struct epoll_event ev = {.events = EPOLLIN | EPOLLET, .data.u64 = 1};
	return ep_ctl(EPOLL_CTL_ADD, fd, &ev) == 0;
}

/* netpollbreak interrupts an M blocked in netpoll (at most one write
 * pending at a time). */
static _Atomic uint32_t fallbackseq; /* no poller: idle Ms sleep on it (netpoll) */

void netpollbreak(void)
{
	if (!netpoll_inited()) {
		atomic_fetch_add(&fallbackseq, 1);
		futexwakeup(&fallbackseq, 1);
		return;
	}
	uint32_t zero = 0;
	if (!atomic_compare_exchange_strong(&breakpending, &zero, 1)) return;
	uint64_t one = 1;
	while (sys_write(breakfd, &one, 8) == -EINTR)
		;
}

/* netpollbreak_if_blocked: break only if some M sleeps in netpoll. */
void netpollbreak_if_blocked(void)
{
	if (atomic_load(&sched.lastpoll) == 0) netpollbreak();
}

static struct g *pd_event(struct pollDesc *pd, bool wr, struct g *list);
static struct g *intr_collect(struct g *list);
static _Atomic uint32_t intrpending;

/* netpoll returns the goroutines made runnable by I/O, waiting up to delay
 * ns (0: poll, < 0: until something happens). */
struct g *netpoll(int64_t delay)
{
	if (!netpoll_inited()) {
		/* No descriptors for a poller: sleep until the timer or a
		 * netpollbreak; nothing can be ready by I/O. At most 10 ms
		 * at a time: a break just before the sleep is not lost for
		 * longer, and the caller tries again (and netpoll_init). */
		if (delay < 0 || delay > 10000000) delay = 10000000;
		if (delay != 0) futexsleep(&fallbackseq, atomic_load(&fallbackseq), delay);
		return NULL;
	}
	struct epoll_event evs[128];
	int n;
	for (;;) {
		struct timespec ts = {delay / 1000000000, delay % 1000000000};
		n = have_pwait2 ? (int)rawsyscall6(441 /* epoll_pwait2 */, epfd, (long)evs, 128,
						    delay < 0 ? 0 : (long)&ts, 0, 8)
				 : -ENOSYS;
		if (n < 0) {
			errno = -n;
			n = -1;
		}
		if (n < 0 && errno == ENOSYS) {
			have_pwait2 = false;
			int ms = delay < 0 ? -1 : (int)((delay + 999999) / 1000000);
			n = sysret(rawsyscall6(SYS_epoll_pwait, epfd, (long)evs, 128, ms, 0, 8));
		}
		if (n >= 0) break;
		if (errno != EINTR) fatal("netpoll: epoll_wait failed: errno %d", errno);
		if (delay > 0) return NULL; /* let the caller recompute */
	}
	struct g *list = NULL;
	for (int i = 0; i < n; i++) {
		if (evs[i].data.u64 == 0) {
			uint64_t v;
			while (sys_read(breakfd, &v, 8) == -EINTR)
				;
			atomic_store(&breakpending, 0);
			continue;
		}
		if (evs[i].data.u64 == 1) { /* the io_uring ring: completions */
			list = uring_reap(list);
			continue;
		}
		struct pollDesc *pd = (struct pollDesc *)(uintptr_t)evs[i].data.u64;
		uint32_t e = evs[i].events;
		if (e & (EPOLLIN | EPOLLPRI | EPOLLRDHUP | EPOLLHUP | EPOLLERR)) list = pd_event(pd, false, list);
		if (e & (EPOLLOUT | EPOLLHUP | EPOLLERR)) list = pd_event(pd, true, list);
	}
	if (atomic_load_explicit(&intrpending, memory_order_relaxed) &&
	    atomic_exchange(&intrpending, 0))
		list = intr_collect(list);
	return list;
}

/* ---- pollDesc management, used by the I/O layer (fdio.c) ---- */

static struct {
	struct mutex lock;
	struct pollDesc **tab; /* indexed by fd */
	int32_t cap;
} pdtab;

/* pd_lookup: fd's pollDesc, or NULL, read without the lock. cap before
 * tab: pd_get publishes a grown table before its size, and a table is
 * never shorter than the size read. */
static struct pollDesc *pd_lookup(int fd)
{
	int32_t cap = __atomic_load_n(&pdtab.cap, __ATOMIC_ACQUIRE);
	struct pollDesc **tab = __atomic_load_n(&pdtab.tab, __ATOMIC_ACQUIRE);
	return tab && fd >= 0 && fd < cap ? __atomic_load_n(&tab[fd], __ATOMIC_ACQUIRE) : NULL;
}

/* pd_registered: fd's pollDesc if it is registered with epoll, lock-free. */
static struct pollDesc *pd_registered(int fd)
{
	struct pollDesc *pd = pd_lookup(fd);
	return pd && __atomic_load_n(&pd->registered, __ATOMIC_ACQUIRE) ? pd : NULL;
}

/* Defined by the hooks (hooks/io.c) when close, dup2 and dup3 are
 * intercepted: then every end of a descriptor number the program makes
 * through the libc calls pd_forget, and a registered pollDesc is still the
 * kernel's. Without them, a program may close() a descriptor and get the
 * number back for a new one that epoll does not know: pd_get then re-arms
 * (EPOLL_CTL_MOD, ADD if that fails) on every wait, a system call each. */
extern const char gort_hooked_close __attribute__((weak));

/* pd_epev: how a pollDesc is registered: every event, edge-triggered. */
static struct epoll_event pd_epev(struct pollDesc *pd)
{
	return (struct epoll_event){.events = EPOLLIN | EPOLLOUT | EPOLLPRI | EPOLLRDHUP | EPOLLET,
				    .data.u64 = (uintptr_t)pd};
}

/* netpoll_rearm_stale: sysmon's safety net for the registrations nobody
 * saw end. With the hooks, pd_get trusts a registered pollDesc; a number
 * that the libc closed internally (fclose of an fdopen'ed descriptor,
 * close_range) and that came back for a new descriptor is unknown to epoll,
 * and a goroutine waiting on it would never wake. So a pollDesc that has
 * had waiters for 1 s is re-armed (MOD, ADD if the kernel forgot it; either
 * reports the current readiness), then after 2 s, 4 s... more of waiting:
 * at most a system call per waited-on descriptor per doubling, none for a
 * descriptor nobody waits on. Called about once a second. */
void netpoll_rearm_stale(int64_t now)
{
	if (!netpoll_inited() || !&gort_hooked_close) return; /* without the hooks pd_get re-arms */
	lock(&pdtab.lock);
	for (int32_t fd = 0; fd < pdtab.cap; fd++) {
		struct pollDesc *pd = pdtab.tab[fd];
		if (!pd || !pd->registered) continue;
		if (!__atomic_load_n(&pd->rq, __ATOMIC_RELAXED) && !__atomic_load_n(&pd->wq, __ATOMIC_RELAXED)) {
			pd->waitsince = 0;
			continue;
		}
		if (!pd->waitsince) {
			pd->waitsince = now;
			pd->rearmafter = 1000000000;
			continue;
		}
		if (now - pd->waitsince < pd->rearmafter) continue;
		pd->rearmafter *= 2;
		struct epoll_event ev = pd_epev(pd);
		if (ep_ctl(EPOLL_CTL_MOD, fd, &ev) < 0 && errno == ENOENT) ep_ctl(EPOLL_CTL_ADD, fd, &ev);
	}
	unlock(&pdtab.lock);
}

/* pd_get returns fd's pollDesc, registering fd with epoll on first use.
 * NULL with errno EPERM if fd cannot be polled (a regular file). */
struct pollDesc *pd_get(int fd)
{
	if (fd < 0) {
		errno = EBADF;
		return NULL;
	}
	if (!netpoll_init()) {
		errno = EPERM; /* no poller: as a descriptor epoll refuses */
		return NULL;
	}
	if (&gort_hooked_close) {
		struct pollDesc *pd = pd_registered(fd);
		if (pd) return pd;
	}
	lock(&pdtab.lock);
	if (fd >= pdtab.cap) {
		int32_t nc = pdtab.cap ? pdtab.cap : 1024;
		while (nc <= fd) nc *= 2;
		struct pollDesc **nt = sys_mmap(NULL, nc * sizeof *nt, PROT_READ | PROT_WRITE,
						MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (sys_mmap_failed(nt)) throw("netpoll: out of memory");
		if (pdtab.tab) memcpy(nt, pdtab.tab, pdtab.cap * sizeof *nt);
		/* The old table is not unmapped: readers may hold it. */
		__atomic_store_n(&pdtab.tab, nt, __ATOMIC_RELEASE);
		__atomic_store_n(&pdtab.cap, nc, __ATOMIC_RELEASE);
	}
	struct pollDesc *pd = pdtab.tab[fd];
	if (!pd) {
		pd = sys_mmap(NULL, sizeof *pd, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (sys_mmap_failed(pd)) throw("netpoll: out of memory");
		__atomic_store_n(&pdtab.tab[fd], pd, __ATOMIC_RELEASE);
	}
	struct epoll_event ev = pd_epev(pd);
	if (pd->registered) {
		/* Re-arm. If the program closed fd with close() rather than
		 * gort_close and the number was reused, the kernel dropped the
		 * old registration: MOD fails with ENOENT and we add afresh. */
		if (ep_ctl(EPOLL_CTL_MOD, fd, &ev) == 0) {
			unlock(&pdtab.lock);
			return pd;
		}
		pd->registered = false;
		atomic_fetch_add(&pd->fdgen, 1);
	}
	pd->fd = fd;
	atomic_store(&pd->blkepoch, 0);
	lock(&pd->lk);
	pd->rready = pd->wready = false;
	unlock(&pd->lk);
	atomic_store(&pd->closing, 0);
	int type;
	socklen_t tl = sizeof type;
	pd->issock = rawsyscall6(SYS_getsockopt, fd, SOL_SOCKET, SO_TYPE, (long)&type, (long)&tl, 0) == 0;
	/* A pipe's reads and writes may go in a P's batch (iobatch.c): asked
	 * only where the answer stays true (every close seen) and of
	 * non-sockets, one fstat per registration. */
	pd->ispipe = false;
	if (!pd->issock && pd_closes_seen()) {
		struct stat st;
		pd->ispipe = rawsyscall(SYS_fstat, fd, (long)&st, 0) == 0 && S_ISFIFO(st.st_mode);
	}
	if (ep_ctl(EPOLL_CTL_ADD, fd, &ev) < 0) {
		int e = errno;
		if (e != EEXIST || ep_ctl(EPOLL_CTL_MOD, fd, &ev) < 0) {
			/* Remembered only where every close is seen (the hooks):
			 * the number cannot come back as something else unseen. */
			if (e == EPERM && pd_closes_seen()) __atomic_store_n(&pd->refused, true, __ATOMIC_RELEASE);
			unlock(&pdtab.lock);
			errno = e;
			return NULL;
		}
	}
	__atomic_store_n(&pd->registered, true, __ATOMIC_RELEASE);
	unlock(&pdtab.lock);
	return pd;
}

/* A waiter's `done`: W_COMMITTING while pd_commit publishes it (from the
 * start of the wait), W_OPEN once parked, then claimed exactly once by
 * the first waker, which stores why it woke: W_CLAIMED|why if the waiter
 * was parked (the claimer readies it), W_EARLY|why if it was still being
 * committed (pd_commit sees it, undoes and does not park). */
enum { W_OPEN = 0, W_COMMITTING = 1, W_CLAIMED = 0x10, W_EARLY = 0x20 };

/* claim: returns whether the caller must goready w->g. */
static bool claim(struct pdwaiter *w, int why, bool *claimed)
{
	*claimed = false;
	for (;;) {
		uint32_t v = atomic_load(&w->done);
		uint32_t nv;
		if (v == W_OPEN) nv = W_CLAIMED | why;
		else if (v == W_COMMITTING) nv = W_EARLY | why;
		else return false;
		if (atomic_compare_exchange_weak(&w->done, &v, nv)) {
			*claimed = true;
			return v == W_OPEN;
		}
	}
}

/* pd_wakeq takes every link off a queue (pd->lk held) and claims their
 * waiters for reason why; returns the claimed goroutines pushed on list,
 * and whether any was claimed. */
static struct g *pd_wakeq(struct pdlink **q, int why, struct g *list, bool *woke)
{
	while (*q) {
		struct pdlink *l = *q;
		*q = l->next;
		if (*q) (*q)->prev = NULL;
		l->queued = false;
		struct pdwaiter *w = l->w;
		struct g *gp = w->g;
		bool claimed;
		if (claim(w, why, &claimed)) {
			gp->schedlink = list;
			list = gp;
		}
		*woke |= claimed;
	}
	return list;
}

/* pd_event: an epoll event for one direction of pd. */
static struct g *pd_event(struct pollDesc *pd, bool wr, struct g *list)
{
	bool woke = false;
	lock(&pd->lk);
	list = pd_wakeq(wr ? &pd->wq : &pd->rq, PDW_EVENT, list, &woke);
	if (!woke) *(wr ? &pd->wready : &pd->rready) = true;
	unlock(&pd->lk);
	return list;
}

static void readylist(struct g *list)
{
	while (list) {
		struct g *next = list->schedlink;
		goready(list, false);
		list = next;
	}
}

/* pd_closes_seen: the hooks see every close (so pd_refused can remember). */
bool pd_closes_seen(void) { return &gort_hooked_close != NULL; }

/* pd_refused: fd is one epoll refused (a regular file), known from an
 * earlier pd_get: a cold read of it goes to the blocking pool without the
 * F_GETFL, getsockopt and epoll_ctl that would find it out again. */
bool pd_refused(int fd)
{
	if (!pd_closes_seen()) return false;
	struct pollDesc *pd = pd_lookup(fd);
	return pd && __atomic_load_n(&pd->refused, __ATOMIC_ACQUIRE);
}

/* Defined by the hooks (hooks/fcntl.c) when fcntl and ioctl are
 * intercepted: every F_SETFL and FIONBIO the program makes through the
 * libc bumps flepoch, after the system call. */
extern const char gort_hooked_fcntl __attribute__((weak));
static _Atomic uint64_t flepoch;

/* pd_blocking: the F_GETFL an I/O wait needs (fdio.c would_block: return
 * EAGAIN, or park?) was one system call per wait, 0.8 per request of a
 * goroutine-per-connection echo server. A "blocking" answer is kept until
 * the program changes any descriptor's flags through the libc, or closes
 * the descriptor. Kept only when the hooks see both (a raw
 * syscall(SYS_fcntl, ...) setting O_NONBLOCK is not seen: the goroutine
 * would wait as in blocking mode). Not seen either: another process that
 * shares the open file description (fork, SCM_RIGHTS) and sets O_NONBLOCK
 * on it; a program that did not ask for non-blocking I/O then waits, as
 * it expects, where the libc's read would return EAGAIN. "Non-blocking" is
 * not kept: such descriptors are not registered (would_block returns
 * EAGAIN before pd_get). Rejected: re-reading the flags from
 * /proc/self/fdinfo (three system calls). */
struct pollDesc *pd_blocking(int fd)
{
	if (!&gort_hooked_fcntl || !pd_closes_seen()) return NULL;
	struct pollDesc *pd = pd_registered(fd);
	return pd && atomic_load(&pd->blkepoch) == atomic_load(&flepoch) + 1 ? pd : NULL;
}
uint64_t pd_flags_epoch(void) { return atomic_load(&flepoch); }
void pd_set_blocking(struct pollDesc *pd, uint64_t epoch) { atomic_store(&pd->blkepoch, epoch + 1); }
void pd_flags_changed(void) { atomic_fetch_add(&flepoch, 1); }

/* pd_sockdesc: fd's pollDesc if fd is a registered socket (pd_get asked
 * SO_TYPE), known where every close is seen; else NULL. fdio.c reads and
 * writes such a socket with recvfrom and sendto, which take a buffer, not
 * a vector to copy in, or in the P's batch (iobatch.c, which also keeps
 * the pollDesc to see a close while the call waits). */
struct pollDesc *pd_sockdesc(int fd)
{
	if (!pd_closes_seen()) return NULL;
	struct pollDesc *pd = pd_registered(fd);
	return pd && pd->issock ? pd : NULL;
}

/* pd_pipedesc: the same for a registered pipe or FIFO (fdio.c: its reads
 * and writes may join the P's batch). learn: register fd now if it never
 * was (nor was refused): a pipe's write end seldom waits, which is when a
 * descriptor is registered otherwise. Three system calls, once per
 * descriptor (SO_TYPE, fstat, epoll_ctl); a regular file is remembered as
 * refused, which spares its later writes the RWF_NOWAIT try. */
struct pollDesc *pd_pipedesc(int fd, bool learn)
{
	if (!pd_closes_seen()) return NULL;
	struct pollDesc *pd = pd_lookup(fd);
	if (pd && __atomic_load_n(&pd->registered, __ATOMIC_ACQUIRE)) return pd->ispipe ? pd : NULL;
	if (!learn || (pd && __atomic_load_n(&pd->refused, __ATOMIC_ACQUIRE))) return NULL;
	int e = errno;
	pd = pd_get(fd);
	errno = e;
	return pd && pd->ispipe ? pd : NULL;
}

/* pd_forget is called when fd is closed: wakes every goroutine waiting on
 * it (they see EBADF) and drops the registration. */
void pd_forget(int fd)
{
	if (!netpoll_inited() || fd < 0) return;
	lock(&pdtab.lock);
	struct pollDesc *pd = fd < pdtab.cap ? pdtab.tab[fd] : NULL;
	if (pd) __atomic_store_n(&pd->refused, false, __ATOMIC_RELEASE);
	if (!pd || !pd->registered) {
		unlock(&pdtab.lock);
		return;
	}
	__atomic_store_n(&pd->registered, false, __ATOMIC_RELEASE);
	atomic_fetch_add(&pd->fdgen, 1);
	atomic_store(&pd->blkepoch, 0);
	atomic_store(&pd->closing, 1);
	ep_ctl(EPOLL_CTL_DEL, fd, NULL);
	unlock(&pdtab.lock);
	bool woke = false;
	struct g *list = NULL;
	lock(&pd->lk);
	list = pd_wakeq(&pd->rq, PDW_CLOSED, list, &woke);
	list = pd_wakeq(&pd->wq, PDW_CLOSED, list, &woke);
	unlock(&pd->lk);
	readylist(list);
}

/* pd_forget_range: pd_forget for every registered number from first to
 * last, and every "blocking" forgotten (the range may hold numbers the
 * table does not). */
void pd_forget_range(unsigned first, unsigned last)
{
	pd_flags_changed();
	if (!netpoll_inited()) return;
	int32_t cap = __atomic_load_n(&pdtab.cap, __ATOMIC_ACQUIRE);
	for (int64_t fd = first; fd <= last && fd < cap; fd++) {
		struct pollDesc *pd = pd_lookup((int)fd);
		if (pd && (__atomic_load_n(&pd->registered, __ATOMIC_ACQUIRE) ||
			   __atomic_load_n(&pd->refused, __ATOMIC_ACQUIRE)))
			pd_forget((int)fd);
	}
}

/* ---- interrupts by the program's signal handlers ---- */

_Atomic uint64_t sigintr_gen;             /* every handler of the program (time.c reads it) */
static _Atomic uint64_t sigintr_gen_norestart; /* those without SA_RESTART */
static _Atomic bool intr_possible;                /* a program handler exists */
/* The interruptible waiters, in shards by P (a goroutine registers on its
 * P's): 10,000 goroutines sleeping at once do not contend on one lock. */
#define INTRSHARDS 64
static struct intrshard {
	struct mutex lk;
	struct pdwaiter *head; /* under lk */
} __attribute__((aligned(64))) intrq[INTRSHARDS] COLDBSS;

bool netpoll_intr_possible(void) { return atomic_load_explicit(&intr_possible, memory_order_relaxed); }

/* netpoll_sigintr runs in a signal handler (async-signal-safe: atomics
 * and one write to the eventfd). restart: the handler has SA_RESTART. */
void netpoll_sigintr(bool restart)
{
	atomic_store(&intr_possible, true);
	atomic_fetch_add(&sigintr_gen, 1);
	if (!restart) atomic_fetch_add(&sigintr_gen_norestart, 1);
	atomic_store(&intrpending, 1);
	netpollbreak();
}

/* netpoll_intr_enable: called when the program installs a handler, so that
 * waits from then on register as interruptible. */
void netpoll_intr_enable(void) { atomic_store(&intr_possible, true); }

/* listed: the waiter joins an interruptible list. A sleep with a deadline
 * does not: intr_collect finds it through its timer. */
static bool listed(const struct pdwaiter *w)
{
	return w->intr != PDI_NONE && (w->nlinks || !w->deadline);
}

static void intr_unlink(struct pdwaiter *w)
{
	if (!w->inlist) return;
	if (w->iprev) w->iprev->inext = w->inext;
	else intrq[w->ishard].head = w->inext;
	if (w->inext) w->inext->iprev = w->iprev;
	w->inlist = false;
}

/* intr_leave: the waiter leaves its list (taking the list's lock). */
static void intr_leave(struct pdwaiter *w)
{
	lock(&intrq[w->ishard].lk);
	intr_unlink(w);
	unlock(&intrq[w->ishard].lk);
}

static void pd_timeout(void *arg, int64_t now);
static bool intr_hit(struct pdwaiter *w, uint64_t ga, uint64_t gn)
{
	return w->intr == PDI_ANY ? w->gen_any != ga : w->gen_norestart != gn;
}

/* intr_wake: a signal interrupts w's wait, if nothing else ended it first:
 * its goroutine joins *list, to be made runnable. */
static void intr_wake(struct pdwaiter *w, struct g **list)
{
	struct g *gp = w->g;
	bool claimed;
	if (claim(w, PDW_INTR, &claimed)) {
		gp->schedlink = *list;
		*list = gp;
	}
}

/* A sleep with a deadline is found through its timer (no list to join
 * on the way in: a hooked usleep costs what gort_sleep does). */
struct intrscan {
	uint64_t ga, gn;
	struct g *list;
};
static void intr_timer(struct timer *t, void *ctx)
{
	struct intrscan *sc = ctx;
	if (t->f == isleep_fire) {
		struct isleep *is = t->arg;
		uint32_t zero = 0;
		if (is->gen_any != sc->ga && atomic_compare_exchange_strong(&is->done, &zero, 2)) {
			is->g->schedlink = sc->list;
			sc->list = is->g;
		}
		return;
	}
	if (t->f != pd_timeout) return;
	struct pdwaiter *w = t->arg; /* first member of its struct pdwait */
	if (w->intr == PDI_NONE || w->nlinks || !intr_hit(w, sc->ga, sc->gn)) return;
	intr_wake(w, &sc->list);
}

static struct g *intr_collect(struct g *list)
{
	struct intrscan sc = {atomic_load(&sigintr_gen), atomic_load(&sigintr_gen_norestart), list};
	timers_foreach(intr_timer, &sc);
	list = sc.list;
	for (int sh = 0; sh < INTRSHARDS; sh++) {
		lock(&intrq[sh].lk);
		for (struct pdwaiter *w = intrq[sh].head, *next; w; w = next) {
			next = w->inext;
			if (!intr_hit(w, sc.ga, sc.gn)) continue;
			intr_unlink(w);
			intr_wake(w, &list);
		}
		unlock(&intrq[sh].lk);
	}
	return list;
}

/* ---- waiting ---- */

struct pdwait {
	struct pdwaiter w;
	struct timer t;
	_Atomic int timerdone; /* pd_timeout is done with w: its last store */
};

/* A one-shot timer's function may still be running when deltimer says it
 * was not pending: wait until it no longer touches the waiter. */
static void pd_stoptimer(struct pdwait *pw)
{
	if (!deltimer(&pw->t))
		while (!atomic_load(&pw->timerdone)) osyield();
}

static void pd_timeout(void *arg, int64_t now)
{
	(void)now;
	struct pdwait *pw = arg;
	struct g *gp = pw->w.g;
	bool claimed;
	bool ready = claim(&pw->w, PDW_TIMEOUT, &claimed);
	atomic_store(&pw->timerdone, 1); /* the last access to pw */
	if (ready) goready(gp, wakenext());
}

static void pd_unqueue(struct pdwaiter *w, int n)
{
	for (int k = 0; k < n; k++) {
		struct pdlink *l = &w->links[k];
		struct pollDesc *pd = l->pd;
		lock(&pd->lk);
		if (l->queued) {
			if (l->prev) l->prev->next = l->next;
			else *(l->wr ? &pd->wq : &pd->rq) = l->next;
			if (l->next) l->next->prev = l->prev;
			l->queued = false;
		}
		unlock(&pd->lk);
	}
}

/* pd_commit runs once the goroutine is switched out (gopark's unlock
 * function): arm the timer and the interrupt, queue the waiter on each
 * descriptor unless one is ready already, then open it to wakers. If a
 * descriptor was ready, or a waker came during the commit, it undoes all
 * and does not park. */
static int pd_commit(struct g *gp, void *arg)
{
	(void)gp;
	struct pdwait *pw = arg;
	struct pdwaiter *w = &pw->w;
	if (listed(w)) {
		struct p *pp = getm()->p;
		w->ishard = pp ? (int)(pp->id % INTRSHARDS) : 0;
		struct intrshard *q = &intrq[w->ishard];
		lock(&q->lk);
		w->iprev = NULL;
		w->inext = q->head;
		if (q->head) q->head->iprev = w;
		q->head = w;
		w->inlist = true;
		unlock(&q->lk);
	}
	if (w->deadline) addtimer(&pw->t);
	int k = 0, why = -1;
	for (; k < w->nlinks; k++) {
		struct pdlink *l = &w->links[k];
		struct pollDesc *pd = l->pd;
		lock(&pd->lk);
		bool *ready = l->wr ? &pd->wready : &pd->rready;
		if (atomic_load(&pd->closing)) why = PDW_CLOSED;
		else if (*ready) {
			*ready = false;
			why = PDW_EVENT;
		} else {
			struct pdlink **q = l->wr ? &pd->wq : &pd->rq;
			l->prev = NULL;
			l->next = *q;
			if (*q) (*q)->prev = l;
			*q = l;
			l->queued = true;
		}
		unlock(&pd->lk);
		if (why >= 0) break;
	}
	uint32_t v = W_COMMITTING;
	if (why < 0 && atomic_compare_exchange_strong(&w->done, &v, W_OPEN)) return 1;
	/* Not parking: ready here, or claimed early by a waker. */
	if (why >= 0) atomic_compare_exchange_strong(&w->done, &v, W_EARLY | why);
	pd_unqueue(w, k);
	if (w->deadline) pd_stoptimer(pw);
	if (listed(w)) intr_leave(w);
	w->parked = false;
	return 0;
}

int pd_waitlinks(struct pdlink *links, int n, int64_t deadline, int intr)
{
	for (int k = 0; k < n; k++)
		if (atomic_load(&links[k].pd->closing)) return EBADF;
	/* (A sleep's deadline is its timer's: one clock read, in the caller.) */
	if (n && deadline && nanotime() >= deadline) return ETIMEDOUT;
	if (intr != PDI_NONE && !netpoll_intr_possible()) intr = PDI_NONE;
	if (intr != PDI_NONE) netpoll_init(); /* the eventfd carries the signal */
	struct pdwait pw = {.w = {.g = getg(), .links = links, .nlinks = n, .deadline = deadline,
				  .intr = intr, .done = W_COMMITTING, .parked = true},
			    .t = {.when = deadline, .f = pd_timeout}};
	pw.t.arg = &pw;
	/* Signals from now on interrupt this wait. */
	pw.w.gen_any = atomic_load(&sigintr_gen);
	pw.w.gen_norestart = atomic_load(&sigintr_gen_norestart);
	for (int k = 0; k < n; k++) {
		links[k].w = &pw.w;
		links[k].queued = false;
	}
	/* A sleep (no descriptor) is seen by the scheduler through its timer. */
	if (n) atomic_fetch_add(&nwaiters, 1);
	gopark(pd_commit, &pw, n ? waitIOWait : waitSleep);
	if (n) atomic_fetch_sub(&nwaiters, 1);
	if (pw.w.parked) {
		pd_unqueue(&pw.w, n);
		if (deadline) pd_stoptimer(&pw);
		if (listed(&pw.w)) intr_leave(&pw.w);
	}
	switch (atomic_load(&pw.w.done) & 0xf) {
	case PDW_TIMEOUT: return ETIMEDOUT;
	case PDW_CLOSED: return EBADF;
	case PDW_INTR: return EINTR;
	}
	return 0;
}

int pd_wait1(struct pollDesc *pd, bool wr, int64_t deadline, int intr)
{
	struct pdlink l = {.pd = pd, .wr = wr};
	return pd_waitlinks(&l, 1, deadline, intr);
}

/* netpoll_atfork (fork.c): the table's lock is held across fork. In the
 * child the epoll set would be the parent's (an epoll instance is shared
 * by fork, and events consumed by one process are lost to the other): the
 * child gets its own set and wake-up eventfd, and every descriptor is
 * registered afresh on its next wait. The waiters (goroutines of the
 * parent) do not exist in the child. */
void netpoll_atfork(int phase)
{
	if (phase == ATFORK_PREPARE) {
		lock(&initlock);
		lock(&pdtab.lock);
		return;
	}
	if (phase == ATFORK_CHILD && netpoll_inited()) {
		sys_close(epfd);
		sys_close(breakfd);
		epfd = ep_create();
		breakfd = ev_create();
		struct epoll_event ev = {.events = EPOLLIN, .data.u64 = 0};
		if (epfd < 0 || breakfd < 0 || ep_ctl(EPOLL_CTL_ADD, breakfd, &ev) < 0)
			fatal("netpoll: cannot make the child's epoll set after fork: errno %d", errno);
		for (int32_t fd = 0; fd < pdtab.cap; fd++) {
			struct pollDesc *pd = pdtab.tab[fd];
			if (!pd) continue;
			pd->registered = false;
			pd->rq = pd->wq = NULL;
			pd->rready = pd->wready = false;
			pd->lk = (struct mutex){0};
			atomic_store(&pd->closing, 0);
		}
		atomic_store(&nwaiters, 0);
		atomic_store(&breakpending, 0);
		for (int sh = 0; sh < INTRSHARDS; sh++) intrq[sh] = (struct intrshard){0};
		atomic_store(&intrpending, 0);
	}
	unlock(&pdtab.lock);
	unlock(&initlock);
}
