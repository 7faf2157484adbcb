/* fork.c: fork() without exec in a gort program.
 *
 * POSIX gives a child of a threaded process one thread: the one that
 * called fork. Go does not support fork without exec at all; gort does, for
 * the forking goroutine: the child keeps that goroutine, running on a fresh
 * scheduler with one M (more are started as the child's goroutines need
 * them, up to GOMAXPROCS), and can keep using gort: sleep, timers,
 * channels, I/O, new goroutines. Everything else of the parent's scheduler
 * is gone in the child: its other goroutines (marked dead, never run),
 * their timers (sleeps, I/O deadlines), the other threads, sysmon
 * (restarted on demand), the netpoller's registrations (the epoll instance
 * would be shared with the parent: the child gets its own, and descriptors
 * are registered again on their next wait).
 *
 * How (pthread_atfork handlers, registered when the first goroutine besides
 * main starts):
 *   prepare  in a goroutine: stop the world (every other P parks at a
 *            safe point, so no goroutine is half-way through a run queue
 *            or a channel), then take the runtime's global locks in lock
 *            order, so that sysmon, a thread returning from a system call
 *            or a thread gort did not create cannot hold one at the fork;
 *   parent   release them and start the world again;
 *   child    rebuild the scheduler around the forking goroutine (below),
 *            release the locks, start the child's world.
 * A fork from outside a goroutine (a C constructor before the scheduler,
 * a thread gort did not create) stops nothing: its child should only
 * exec, as POSIX requires of any threaded program. vfork, posix_spawn,
 * system and popen run no atfork handler and need none: their child
 * execs at once. A vfork child runs on the parent's memory until then:
 * hooks/vfork.c marks the thread (vforking, below), so that what the
 * child calls through the hooks (close before exec) is the plain system
 * call and leaves the parent's runtime alone.
 *
 * Not carried over: a channel whose lock another thread held at the fork
 * (impossible with the world stopped, unless a thread gort did not create
 * was using it), goroutines' tickers and gort_after timers survive (they
 * belong to channels, not goroutines). */
#include <pthread.h>
#include "iohooks.h"

static bool forking; /* the prepare handler stopped the world; owner: the forking thread */

static void fork_prepare(void)
{
	if (!ingoroutine()) return;
	stoptheworld();
	lock(&sched.lock);
	lock(&allglock);
	stack_atfork(ATFORK_PREPARE);
	galloc_atfork(ATFORK_PREPARE);
	netpoll_atfork(ATFORK_PREPARE);
	timers_atfork(ATFORK_PREPARE);
	forking = true;
}

static void fork_unlock(int phase)
{
	timers_atfork(phase);
	netpoll_atfork(phase);
	galloc_atfork(phase);
	stack_atfork(phase);
	unlock(&allglock);
	unlock(&sched.lock);
}

static void fork_parent(void)
{
	if (!forking) return;
	forking = false;
	fork_unlock(ATFORK_PARENT);
	starttheworld(sched.gomaxprocs);
}

/* fork_child: the locks are held by this thread (the same one, in the
 * child); nothing else runs. */
static void fork_child(void)
{
	if (!forking) return;
	forking = false;
	struct g *me = getg();
	struct m *mp = me->m;
	struct p *mypp = mp->p;

	/* Threads: this one is all that is left. */
	sysblock_forkchild(allm);
	mp->tid = gettid_raw();
	mp->pthread = (uintptr_t)pthread_self();
	mp->alllink = NULL;
	mp->spinning = false;
	allm = mp;
	sched.midle = NULL;
	sched.nmidle = 0;
	sched.nmidlelocked = 0;
	sched.nmsys = 0;
	sched.mgone = sched.mnext; /* Ms made so far, minus this one */
	atomic_store(&sched.nmspinning, 0);
	/* sysmon_start runs again at the child's next gort_go; of what it
	 * does, only the thread is missing here: the signal handlers and the
	 * pthread_atfork handlers are inherited and set up once per process
	 * (initsig_preempt, forkinit). */
	atomic_store(&sysmon_started, false);
	atomic_store(&sched.sysmonwait, 0);
	noteclear(&sched.sysmonnote);

	/* Goroutines: this one is all that is left. */
	int64_t gone = 0;
	for (struct g *gp = allgs; gp; gp = gp->alllink) {
		if (gp == me || atomic_load(&gp->status) == Gdead) continue;
		atomic_store_explicit(&gp->status, Gdead, memory_order_relaxed);
		gp->m = NULL;
		gp->lockedm = NULL;
		gone++;
	}
	atomic_fetch_sub(&sched.nglive, gone);
	gq_clear(&sched.runq);
	atomic_store(&sched.runqsize, 0);

	/* Ps: every run queue emptied (what was on them is dead), every P
	 * but this M's idle. */
	sched.pidle = NULL;
	atomic_store(&sched.npidle, 0);
	for (int32_t i = 0; i < atomic_load(&allplen); i++) {
		struct p *pp = allp[i];
		atomic_store(&pp->runqhead, atomic_load(&pp->runqtail));
		atomic_store(&pp->runnext, NULL);
		timers_forkchild(pp);
		if (pp == mypp) continue;
		pp->m = NULL;
		atomic_store_explicit(&pp->status, Pidle, memory_order_release);
		pidleput(pp);
	}
	atomic_store(&sched.lastpoll, nanotime() | 1);
	atomic_store(&sched.pollUntil, 0);
	blockpool_forkchild(); /* its workers are the parent's */
	uring_forkchild();    /* its ring's queues are shared with the parent */
	iobatch_forkchild();  /* so are the Ps' batches' */
	fork_unlock(ATFORK_CHILD); /* netpoll_atfork makes a new epoll set */
	atomic_store_explicit(&mypp->status, Prunning, memory_order_release);
	atomic_store(&sched.gcwaiting, 0);
	sched.stopwait = 0;
	worldsema_forkchild(); /* held by this goroutine, waited for by dead ones */
}

/* forkinit registers the handlers when the first goroutine besides main
 * starts (sysmon_start) or the netpoller is first used (netpoll_init):
 * until then the process has one thread, one goroutine and no epoll set,
 * and a fork needs no help. Not at boot: pthread_atfork
 * allocates, and the first malloc is a visible part of a hello world's
 * start-up (bench/startup). */
void forkinit(void)
{
	static _Atomic bool done; /* sysmon_start runs again in a forked child */
	if (atomic_exchange(&done, true)) return;
	if (pthread_atfork(fork_prepare, fork_parent, fork_child) != 0)
		fatal("pthread_atfork failed: fork() without exec would leave the child's scheduler broken");
}

/* vforking: this thread is in hooks/vfork.c's system call, so code running
 * on it is a vfork child (the parent's thread waits until the child execs
 * or exits). Per thread (the child has the parent's thread pointer);
 * written only by the thread itself. */
static __thread int vforking;
static __thread bool vforksyscall; /* enter handed the P off: leave takes it back */

bool in_vfork_child(void) { return vforking != 0; }

void gort_hook_vfork_enter(void)
{
	if (vforking++) return; /* a vfork child's vfork: nothing of the runtime's */
	struct g *gp = ingoroutine() ? getg() : NULL;
	int32_t nest = gp ? gp->syscallnest : 0;
	gort_entersyscall();
	vforksyscall = gp && gp->syscallnest > nest;
}

int gort_hook_vfork_leave(long r)
{
	if (--vforking == 0 && vforksyscall) {
		vforksyscall = false;
		gort_exitsyscall();
	}
	return (int)sret(r);
}
