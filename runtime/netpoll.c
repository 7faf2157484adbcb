/* netpoll.c: the network poller on epoll (Go's netpoll_epoll.go), and the
 * way an idle M sleeps until I/O or the next timer.
 *
 * Initialised lazily, on the first descriptor registered or the first time
 * an M must sleep until a timer: a program that does neither never opens an
 * epoll instance. An eventfd registered in the set lets any thread interrupt
 * a blocked netpoll (netpollbreak), for example when a timer earlier than the
 * sleeper's deadline is added.
 *
 * Descriptors: each registered fd has a pollDesc (pd) with one reader and one
 * writer slot. A slot is 0 (nothing), PD_READY (an event arrived with no
 * waiter) or a struct g * (a goroutine parked waiting). Slots change by CAS;
 * epoll is edge-triggered, so a ready event that arrives before the
 * goroutine parks is kept in the slot and consumed by the next wait.
 *
 * Locking: pdtab.lock protects the table of pollDescs (grown, never
 * shrunk); a pollDesc's slots are atomic; its deadline timers are owned by
 * the goroutine waiting. */
#include <errno.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
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
int64_t netpoll_waiters(void) { return atomic_load(&nwaiters); }

void netpoll_init(void)
{
	if (netpoll_inited()) return;
	lock(&initlock);
	if (!netpoll_inited()) {
		epfd = ep_create();
		breakfd = ev_create();
		if (epfd < 0 || breakfd < 0) fatal("netpoll: epoll_create1/eventfd failed: errno %d", errno);
		struct epoll_event ev = {.events = EPOLLIN, .data.u64 = 0};
		if (ep_ctl(EPOLL_CTL_ADD, breakfd, &ev) < 0)
			fatal("netpoll: cannot register eventfd: errno %d", errno);
		atomic_store_explicit(&inited, true, memory_order_release);
	}
	unlock(&initlock);
	forkinit(); /* a forked child will need its own epoll set */
}

/* netpollbreak interrupts an M blocked in netpoll (at most one write
 * pending at a time). */
void netpollbreak(void)
{
	if (!netpoll_inited()) return;
	uint32_t zero = 0;
	if (!atomic_compare_exchange_strong(&breakpending, &zero, 1)) return;
	uint64_t one = 1;
	while (sys_write(breakfd, &one, 8) == -EINTR)
		;
}

/* netpollbreak_if_blocked: break only if some M sleeps in netpoll. */
void netpollbreak_if_blocked(void)
{
	if (netpoll_inited() && atomic_load(&sched.lastpoll) == 0) netpollbreak();
}

/* pd_ready marks an event on a slot; returns the G to wake, if any (a
 * waiter parked on both slots is woken once: its `done` is claimed by CAS). */
static struct g *pd_ready(_Atomic uintptr_t *slot)
{
	for (;;) {
		uintptr_t old = atomic_load(slot);
		if (old == PD_READY) return NULL;
		uintptr_t nv = old == 0 ? PD_READY : 0;
		if (!atomic_compare_exchange_strong(slot, &old, nv)) continue;
		if (old <= PD_READY) return NULL;
		struct pdwaiter *w = (struct pdwaiter *)old;
		uint32_t zero = 0;
		if (!atomic_compare_exchange_strong(&w->done, &zero, 1)) return NULL;
		return w->g;
	}
}

/* netpoll returns the goroutines made runnable by I/O, waiting up to delay
 * ns (0: poll, < 0: until something happens). */
struct g *netpoll(int64_t delay)
{
	if (!netpoll_inited()) return NULL;
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
		struct pollDesc *pd = (struct pollDesc *)(uintptr_t)evs[i].data.u64;
		uint32_t e = evs[i].events;
		struct g *gp;
		if (e & (EPOLLIN | EPOLLRDHUP | EPOLLHUP | EPOLLERR)) {
			if ((gp = pd_ready(&pd->rg))) {
				gp->schedlink = list;
				list = gp;
			}
		}
		if (e & (EPOLLOUT | EPOLLHUP | EPOLLERR)) {
			if ((gp = pd_ready(&pd->wg))) {
				gp->schedlink = list;
				list = gp;
			}
		}
	}
	return list;
}

/* ---- pollDesc management, used by the I/O layer (iopoll.c) ---- */

static struct {
	struct mutex lock;
	struct pollDesc **tab; /* indexed by fd */
	int32_t cap;
} pdtab;

/* pd_get returns fd's pollDesc, registering fd with epoll on first use.
 * NULL with errno EPERM if fd cannot be polled (a regular file). */
struct pollDesc *pd_get(int fd)
{
	if (fd < 0) {
		errno = EBADF;
		return NULL;
	}
	netpoll_init();
	lock(&pdtab.lock);
	if (fd >= pdtab.cap) {
		int32_t nc = pdtab.cap ? pdtab.cap : 1024;
		while (nc <= fd) nc *= 2;
		struct pollDesc **nt = sys_mmap(NULL, nc * sizeof *nt, PROT_READ | PROT_WRITE,
						MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (sys_mmap_failed(nt)) throw("netpoll: out of memory");
		if (pdtab.tab) memcpy(nt, pdtab.tab, pdtab.cap * sizeof *nt);
		/* The old table is not unmapped: readers may hold it. */
		pdtab.tab = nt;
		pdtab.cap = nc;
	}
	struct pollDesc *pd = pdtab.tab[fd];
	if (!pd) {
		pd = sys_mmap(NULL, sizeof *pd, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (sys_mmap_failed(pd)) throw("netpoll: out of memory");
		pdtab.tab[fd] = pd;
	}
	struct epoll_event ev = {.events = EPOLLIN | EPOLLOUT | EPOLLRDHUP | EPOLLET,
				 .data.u64 = (uintptr_t)pd};
	if (pd->registered) {
		/* Re-arm. If the program closed fd with close() rather than
		 * gort_close and the number was reused, the kernel dropped the
		 * old registration: MOD fails with ENOENT and we add afresh. */
		if (ep_ctl(EPOLL_CTL_MOD, fd, &ev) == 0) {
			unlock(&pdtab.lock);
			return pd;
		}
		pd->registered = false;
	}
	pd->fd = fd;
	atomic_store(&pd->rg, 0);
	atomic_store(&pd->wg, 0);
	atomic_store(&pd->closing, 0);
	if (ep_ctl(EPOLL_CTL_ADD, fd, &ev) < 0) {
		int e = errno;
		if (e != EEXIST || ep_ctl(EPOLL_CTL_MOD, fd, &ev) < 0) {
			unlock(&pdtab.lock);
			errno = e;
			return NULL;
		}
	}
	pd->registered = true;
	unlock(&pdtab.lock);
	return pd;
}

/* pd_forget is called when fd is closed: wakes every goroutine waiting on
 * it (they see EBADF) and drops the registration. */
void pd_forget(int fd)
{
	if (!netpoll_inited() || fd < 0) return;
	lock(&pdtab.lock);
	struct pollDesc *pd = fd < pdtab.cap ? pdtab.tab[fd] : NULL;
	if (!pd || !pd->registered) {
		unlock(&pdtab.lock);
		return;
	}
	pd->registered = false;
	atomic_store(&pd->closing, 1);
	ep_ctl(EPOLL_CTL_DEL, fd, NULL);
	unlock(&pdtab.lock);
	struct g *gp;
	if ((gp = pd_ready(&pd->rg))) goready(gp, false);
	if ((gp = pd_ready(&pd->wg))) goready(gp, false);
}

/* pd_commit runs on g0 once the goroutine is switched out: publish the
 * waiter in its slots, unless an event raced in (PD_READY) on one of them,
 * in which case it does not park (and retracts what it published). */
static int pd_commit(struct g *gp, void *arg)
{
	(void)gp;
	struct pdwaiter *w = arg;
	bool ok = true;
	int k = 0;
	for (; k < 2 && w->slots[k]; k++) {
		uintptr_t old = 0;
		if (!atomic_compare_exchange_strong(w->slots[k], &old, (uintptr_t)w)) {
			ok = false;
			break;
		}
	}
	if (ok) return 1;
	/* Retract: claim done ourselves so no waker can wake us, then clear
	 * the slots we set. */
	uint32_t zero = 0;
	if (!atomic_compare_exchange_strong(&w->done, &zero, 1)) return 1; /* a waker won: it readies us */
	for (int j = 0; j < k; j++) {
		uintptr_t me = (uintptr_t)w;
		atomic_compare_exchange_strong(w->slots[j], &me, 0);
	}
	w->parked = false;
	return 0;
}

static void pd_timeout(void *arg, int64_t now)
{
	(void)now;
	struct pdwaiter *w = arg;
	uint32_t zero = 0;
	if (!atomic_compare_exchange_strong(&w->done, &zero, 1)) return; /* woken already */
	atomic_store(&w->timedout, 1);
	goready(w->g, false);
}

/* pd_waitmodes parks the current goroutine until fd is ready for reading
 * (r), writing (w) or either, the deadline (absolute nanotime, 0 = none)
 * passes, or fd is closed. Returns 0, ETIMEDOUT or EBADF. */
int pd_waitmodes(struct pollDesc *pd, bool r, bool wr, int64_t deadline)
{
	for (;;) {
		if (atomic_load(&pd->closing)) return EBADF;
		/* An event that arrived with nobody waiting is consumed here. */
		uintptr_t ready = PD_READY;
		if (r && atomic_compare_exchange_strong(&pd->rg, &ready, 0)) return 0;
		ready = PD_READY;
		if (wr && atomic_compare_exchange_strong(&pd->wg, &ready, 0)) return 0;
		if (deadline && nanotime() >= deadline) return ETIMEDOUT;
		struct pdwaiter w = {.g = getg(), .parked = true};
		int k = 0;
		if (r) w.slots[k++] = &pd->rg;
		if (wr) w.slots[k++] = &pd->wg;
		struct timer t = {.when = deadline, .f = pd_timeout, .arg = &w};
		if (deadline) addtimer(&t);
		atomic_fetch_add(&nwaiters, 1);
		gopark(pd_commit, &w, waitIOWait);
		atomic_fetch_sub(&nwaiters, 1);
		if (deadline) deltimer(&t);
		/* Leave any slot that still names us (woken through the other
		 * slot, by the timer or by close). */
		for (int j = 0; j < k; j++) {
			uintptr_t me = (uintptr_t)&w;
			atomic_compare_exchange_strong(w.slots[j], &me, 0);
		}
		if (!w.parked) continue; /* an event raced in: consume it */
		if (atomic_load(&w.timedout)) return ETIMEDOUT;
		if (atomic_load(&pd->closing)) return EBADF;
		return 0;
	}
}

int pd_wait(struct pollDesc *pd, int mode, int64_t deadline)
{
	return pd_waitmodes(pd, mode == 'r', mode == 'w', deadline);
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
			atomic_store(&pd->rg, 0);
			atomic_store(&pd->wg, 0);
			atomic_store(&pd->closing, 0);
		}
		atomic_store(&nwaiters, 0);
		atomic_store(&breakpending, 0);
	}
	unlock(&pdtab.lock);
	unlock(&initlock);
}
