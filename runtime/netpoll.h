/* netpoll.h: the pollDesc and the waits shared by netpoll.c, the I/O layer
 * (fdio.c) and the libc call hooks (hooks/).
 *
 * A goroutine waits on one or more (pollDesc, direction) pairs at once:
 * one for gort_read, many for a hooked poll(2). Each pair is a pdlink on
 * that pollDesc's reader or writer queue. The first of an event on any of
 * them, the deadline timer, close, or a signal the program handles (see
 * "interrupts" in netpoll.c) to claim the waiter's `done` wakes it; the
 * others find `done` taken and leave it alone. */
#ifndef GORT_NETPOLL_H
#define GORT_NETPOLL_H
#include "runtime.h"

struct pdlink;

struct pollDesc {
	int fd;
	bool registered;      /* written under pdtab.lock; read without it by pd_get (atomic) */
	bool issock;          /* set at registration: SO_RCVTIMEO/SO_SNDTIMEO apply */
	bool ispipe;          /* set at registration: a pipe or FIFO (iobatch.c) */
	bool refused;         /* epoll refused fd (a regular file): under pdtab.lock, read
			       * without it by pd_refused (atomic); cleared by pd_forget */
	_Atomic int closing;  /* set by pd_forget */
	_Atomic uint32_t fdgen; /* bumped when the number stops meaning this descriptor
			       * (pd_forget, a reuse found at registration): iobatch.c */
	struct mutex lk;      /* protects the fields below */
	bool rready, wready;  /* an event arrived with nobody waiting */
	struct pdlink *rq, *wq; /* waiters, most recent first */
	/* netpoll_rearm_stale (sysmon): since when someone has been waiting,
	 * and after how long the registration is re-armed next. */
	int64_t waitsince, rearmafter;
	/* fdio.c accept_wait: callers inside an accept4 with O_NONBLOCK set
	 * for them, and the program's own file status flags to restore. */
	int32_t nbusers;
	int32_t nbfl;
	/* fdio.c would_block: the program's flags said "blocking" (F_GETFL
	 * without O_NONBLOCK) at file-status epoch blkepoch - 1; 0 = not
	 * known. Written by any waiter, cleared at (re)registration and by
	 * pd_forget; atomic. Trusted only where the hooks see every close and
	 * every F_SETFL/FIONBIO (pd_blocking). */
	_Atomic uint64_t blkepoch;
};

struct pdwaiter;

struct pdlink {
	struct pollDesc *pd;
	struct pdwaiter *w;
	struct pdlink *next, *prev;
	bool wr;       /* the writer queue */
	bool queued;   /* under pd->lk */
};

/* Why a wait ended. */
enum { PDW_EVENT, PDW_TIMEOUT, PDW_CLOSED, PDW_INTR };

/* Interruption by a signal the program handles (hooked calls only):
 * PDI_NONE never; PDI_NORESTART by a handler installed without
 * SA_RESTART (read, write, accept... as the kernel restarts them);
 * PDI_ANY by any handler (poll, sleeps, sockets with a timeout, which
 * the kernel never restarts; signal(7)). */
enum { PDI_NONE, PDI_NORESTART, PDI_ANY };

struct pdwaiter {
	struct g *g;
	struct pdlink *links;
	int nlinks;
	int64_t deadline;          /* absolute nanotime, 0 = none */
	int intr;                  /* PDI_* */
	_Atomic uint32_t done;     /* claimed by whoever wakes; says why (netpoll.c) */
	bool parked;               /* false: an event raced in, did not park */
	/* the interruptible lists (netpoll.c), under intrq[ishard].lk */
	int ishard;
	struct pdwaiter *inext, *iprev;
	uint64_t gen_any, gen_norestart;
	bool inlist;
};

struct pollDesc *pd_get(int fd);
bool pd_refused(int fd); /* known not pollable (hooks see closes): no system call */
bool pd_closes_seen(void);
/* a registered socket, every close seen (no system call): its pollDesc or NULL */
struct pollDesc *pd_sockdesc(int fd);
/* a registered pipe or FIFO (learn: register fd first if never seen): its pollDesc or NULL */
struct pollDesc *pd_pipedesc(int fd, bool learn);
void pd_forget(int fd);
void pd_forget_range(unsigned first, unsigned last); /* close_range */
/* The program's blocking mode, remembered (fdio.c would_block): pd_blocking
 * returns fd's registered pollDesc if F_GETFL said "blocking" since the last
 * change of any descriptor's file status flags the hooks saw, else NULL;
 * pd_flags_epoch is read before an F_GETFL whose "blocking" is stored with
 * pd_set_blocking; pd_flags_changed is the hooks' F_SETFL and FIONBIO. */
struct pollDesc *pd_blocking(int fd);
uint64_t pd_flags_epoch(void);
void pd_set_blocking(struct pollDesc *pd, uint64_t epoch);
void pd_flags_changed(void);
void netpoll_rearm_stale(int64_t now);
/* pd_waitlinks parks until one of the n links is ready, the deadline
 * passes, an fd closes or (intr) a program's handler runs. Returns 0
 * (ready, or a stale edge: the caller retries its operation), ETIMEDOUT,
 * EBADF or EINTR. */
int pd_waitlinks(struct pdlink *links, int n, int64_t deadline, int intr);
/* pd_wait1: the same on one direction of one descriptor. */
int pd_wait1(struct pollDesc *pd, bool wr, int64_t deadline, int intr);
/* An interruptible sleep (time.c: a hooked sleep while the program has
 * handlers). Lean on purpose: one timer and a few words on the
 * goroutine's stack, found by netpoll.c's intr_collect through the timer
 * heaps (timers_foreach), with no list to join on the way in. */
struct isleep {
	struct timer t;            /* f = isleep_fire, arg = this */
	struct g *g;
	uint64_t gen_any;          /* signals after this one interrupt it */
	_Atomic uint32_t done;     /* 0, 1 the timer fired, 2 interrupted */
	_Atomic int timerdone;     /* isleep_fire's last store */
};
void isleep_fire(void *arg, int64_t now);
extern _Atomic uint64_t sigintr_gen; /* bumped by every handler of the program */

/* Signals the program handles (signal_linux.c's trampoline for handlers
 * installed through the hooked sigaction). Async-signal-safe. */
void netpoll_sigintr(bool restart);
bool netpoll_intr_possible(void);
void netpoll_intr_enable(void);

#endif
