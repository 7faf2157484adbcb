/* sysmon.c: the system monitor (Go's sysmon): an M with no P that wakes
 * every 20 us, backing off to 10 ms when there is nothing to do, and
 *   - retakes the P of a goroutine blocked in a system call for more than a
 *     tick, so the other goroutines keep running (handoffp);
 *   - asks a goroutine that has run for 10 ms without a switch to yield
 *     (preemptone: a flag, and SIGURG for asynchronous preemption);
 *   - polls the network if nobody has for 10 ms;
 *   - starts an M when a timer is overdue on a P that nobody runs;
 *   - once a second, gives the pages of surplus free stacks back;
 *   - prints GODEBUG=schedtrace lines;
 *   - keeps the wait clock (sched.c) current.
 * It starts when the program first needs it (the first gort_go, the first
 * gort_entersyscall, or schedtrace): a program that never needs a second
 * thread does not pay for one. */
#include <time.h>
#include "runtime.h"
#include "netpoll.h"
#include "trace.h"

#define FORCEPREEMPTNS (10 * 1000 * 1000)

static void schedtrace(bool detailed);

/* retake takes Ps from long syscalls and preempts long-running Gs.
 * Returns how many Ps it retook. */
static int retake(int64_t now)
{
	int n = 0;
	for (int32_t i = 0; i < atomic_load(&allplen); i++) {
		struct p *pp = allp[i];
		uint32_t s = atomic_load(&pp->status);
		if (s == Prunning) {
			uint32_t t = pp->schedtick;
			if (pp->sysmontick != t) {
				pp->sysmontick = t;
				pp->sysmonwhen = now;
			} else {
				int64_t since = pp->sysmonwhen;
				/* No tick for a while: perhaps a system call gort
				 * does not see holds the P (sysblock.c). Counts as
				 * work: sysmon keeps its short period meanwhile.
				 * Probed before the preemption request: its signal
				 * wakes the thread, and until the thread has run
				 * the handler (long, on a loaded machine) /proc
				 * says "running". Probed after it, a call was
				 * never seen at sysmon's 10 ms period under load:
				 * the request came first every time. */
				if (sysblock_probe(pp, now, since)) {
					n++;
				} else if (since + FORCEPREEMPTNS <= now) {
					TRACE(EvPreemptReq, 0, pp->id, 0);
					preemptone(pp);
					pp->sysmonwhen = now; /* ask again in another slice */
				}
			}
		} else if (s == Psyscall) {
			uint32_t t = atomic_load(&pp->syscalltick);
			if (pp->sysmonsyscalltick != t) {
				pp->sysmonsyscalltick = t;
				pp->sysmonwhen = now;
				continue; /* give the syscall one tick */
			}
			/* Keep the P if there is nothing else to run and the call
			 * is short: retaking costs a thread wake-up. */
			if (runqempty(pp) && !pp_has_timers(pp) &&
			    atomic_load(&sched.nmspinning) + atomic_load(&sched.npidle) > 0 &&
			    pp->sysmonwhen + FORCEPREEMPTNS > now && !atomic_load(&sched.runqsize))
				continue;
			uint32_t e = Psyscall;
			if (atomic_compare_exchange_strong(&pp->status, &e, Pidle)) {
				n++;
				atomic_fetch_add(&pp->syscalltick, 1);
				TRACE(EvHandoff, 0, pp->id, 0);
				handoffp(pp);
			}
		}
	}
	return n;
}

static void sysmon(void)
{
	int64_t delay = 20, idle = 0, lasttrace = nanotime(), lastscavenge = lasttrace;
	sysblock_init();
	for (;;) {
		if (idle == 0) delay = 20;
		else if (idle > 50) delay *= 2;
		if (delay > 10000) delay = 10000;
		struct timespec ts = {0, delay * 1000};
		rawsyscall(SYS_nanosleep, &ts, NULL, 0);
		int64_t now = nanotime();
		uint32_t wc = waitclock_of(now); /* sched.c: the wait clock */
		if (atomic_load_explicit(&waitclock, memory_order_relaxed) != wc)
			atomic_store_explicit(&waitclock, wc, memory_order_relaxed);
		/* Poll the network if nobody has for 10 ms. */
		int64_t lp = atomic_load(&sched.lastpoll);
		if (netpoll_inited() && lp != 0 && lp + 10 * 1000 * 1000 < now &&
		    atomic_compare_exchange_strong(&sched.lastpoll, &lp, now)) {
			struct g *list = netpoll(0);
			if (list) {
				injectglist(list);
				idle = 0;
			}
		}
		/* An overdue timer on a P that no M is running. */
		int64_t next = timers_earliest();
		if (next && next < now && atomic_load(&sched.npidle) > 0 &&
		    atomic_load(&sched.nmspinning) == 0)
			wakep();
		obs_sysmon(now); /* the latency sampler's clock (metrics.c) */
		sigready_drain(); /* readied by a handler while no M looked */
		if (retake(now)) idle = 0;
		else idle++;
		if (now - lastscavenge >= 1000 * 1000 * 1000) {
			lastscavenge = now;
			stack_scavenge();
			netpoll_rearm_stale(now);
		}
		if (debug.schedtrace > 0 && now - lasttrace >= (int64_t)debug.schedtrace * 1000000) {
			lasttrace = now;
			schedtrace(debug.scheddetail > 0);
		}
	}
}

void sysmon_start(void)
{
	bool expect = false;
	if (!atomic_compare_exchange_strong(&sysmon_started, &expect, true)) return;
	symtab_preload(); /* before initsig_preempt: unwind_preload reads the file */
	/* The wait clock runs from here: main's park right after its first
	 * gort_go is stamped (sched.c). */
	atomic_store_explicit(&waitclock, waitclock_of(nanotime()), memory_order_relaxed);
	initsig_preempt();
	forkinit();
	lock(&sched.lock);
	sched.nmsys++;
	unlock(&sched.lock);
	newm(sysmon, NULL, false);
}

/* ---- GODEBUG=schedtrace ---- */

static void schedtrace(bool detailed)
{
	int64_t now = nanotime();
	int32_t np = atomic_load(&allplen);
	printlock();
	printf_raw("SCHED %ldms: gomaxprocs=%d idleprocs=%d threads=%ld spinningthreads=%d "
		   "idlethreads=%d runqueue=%d",
		   (long)((now - runtime_inittime) / 1000000), np, atomic_load(&sched.npidle),
		   (long)(sched.mnext + 1 - sched.mgone), atomic_load(&sched.nmspinning), sched.nmidle,
		   atomic_load(&sched.runqsize));
	if (detailed) {
		printf_raw(" gcwaiting=%u nmidlelocked=%d stopwait=%d sysmonwait=0\n",
			   atomic_load(&sched.gcwaiting), sched.nmidlelocked, sched.stopwait);
	}
	for (int32_t i = 0; i < np; i++) {
		struct p *pp = allp[i];
		uint32_t h = atomic_load(&pp->runqhead), t = atomic_load(&pp->runqtail);
		if (detailed) {
			struct m *mp = pp->m;
			/* Go 1.19's P line, field for field. */
			printf_raw("  P%d: status=%u schedtick=%u syscalltick=%u m=%ld runqsize=%u gfreecnt=%d timerslen=%d\n",
				   pp->id, atomic_load(&pp->status), pp->schedtick,
				   atomic_load(&pp->syscalltick), mp ? (long)mp->id : -1L, t - h,
				   pp->gfreecnt, timers_len(pp));
		} else {
			printf_raw("%s%u", i == 0 ? " [" : " ", t - h);
			if (i == np - 1) printf_raw("]\n");
		}
	}
	if (detailed) {
		for (struct m *mp = __atomic_load_n(&allm, __ATOMIC_ACQUIRE); mp; mp = mp->alllink) {
			struct p *pp = mp->p;
			struct g *cg = mp->curg;
			/* Go's M line without the fields of Go's allocator and
			 * panics (mallocing, throwing, preemptoff, locks, dying),
			 * which gort's Ms do not have; booleans as Go prints them. */
			printf_raw("  M%ld: p=%d curg=%ld spinning=%s blocked=%s lockedg=%ld\n",
				   (long)mp->id, pp ? pp->id : -1, cg ? (long)cg->goid : -1L,
				   mp->spinning ? "true" : "false", atomic_load(&mp->blocked) ? "true" : "false",
				   mp->lockedg ? (long)mp->lockedg->goid : -1L);
		}
		/* Go's form: the wait reason in the parentheses, empty for a
		 * goroutine that does not wait; dead Gs too, as Go's forEachG. */
		for (struct g *gp = __atomic_load_n(&allgs, __ATOMIC_ACQUIRE); gp; gp = gp->alllink) {
			uint32_t s = atomic_load(&gp->status);
			uint32_t r = atomic_load(&gp->waitreason);
			struct m *mp = gp->m;
			printf_raw("  G%ld: status=%u(%s) m=%ld lockedm=%ld\n", (long)gp->goid, s,
				   s == Gwaiting && r < waitReasonCount ? waitreason_strings[r] : "",
				   (s == Grunning || s == Gsyscall) && mp ? (long)mp->id : -1L,
				   gp->lockedm ? (long)gp->lockedm->id : -1L);
		}
	}
	printunlock();
}
