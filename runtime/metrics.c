/* metrics.c: runtime metrics (Go's runtime/metrics, with Go's names where
 * Go has the quantity) and the sampling behind the scheduling-latency
 * histogram and the block and mutex profiles.
 *
 * gort_metrics_read fills the caller's samples by name (Go's
 * metrics.Read): counters from the scheduler's own state, and goroutine
 * counts by state from one walk of allgs without a lock (a snapshot, as
 * tracebacks read it): O(goroutines), about a millisecond per 100,000,
 * fine once a second.
 *
 * /sched/latencies:seconds, as Go: the time a goroutine spent runnable
 * before it ran. One G at a time is timed, at most one a millisecond
 * (trace.h: sysmon asks, the next G made runnable is stamped, the M that
 * runs it records the wait into an exponential histogram of atomic
 * counters). The goroutines the netpoller and injectglist make runnable
 * are not sampled.
 *
 * Rejected: timestamping every transition (two clock reads per channel
 * round trip: 5% of bench pingpong); a lock around the histogram (the
 * recording M contends with every other).
 */
#include <string.h>
#include "trace.h"

/* Buckets: [0, 1us), then [1us * 2^(k-1), 1us * 2^k) for k = 1..NBUCKET-2,
 * then [2^(NBUCKET-2) us, +Inf). */
#define NBUCKET 34
_Static_assert(NBUCKET <= GORT_METRIC_HIST_MAX, "gort.h: struct gort_metric_histogram is too small");
static COLDBSS _Atomic uint64_t latcounts[NBUCKET];
static COLDBSS double latbounds[NBUCKET + 1];

static int bucket(int64_t ns)
{
	if (ns < 1000) return 0;
	int k = 1;
	for (int64_t us = ns / 1000; us > 1 && k < NBUCKET - 1; us >>= 1) k++;
	return k;
}

_Atomic uint32_t obs_on;
struct g *_Atomic obs_latg;     /* the G whose latency is being timed (OBS_LATPEND) */
static _Atomic int64_t latwhen; /* when it became runnable; stored before obs_latg is published */
static int64_t latlast;         /* sysmon's: when it last asked for a sample */

/* obsclock: the samplers' clock, a raw system call, not nanotime: the
 * start hook may run on an exiting goroutine's stack after it told
 * ThreadSanitizer the stack is free (gort_goexit1), where the libc's
 * clock_gettime, which TSan intercepts, would write its result and be
 * reported as a race with the stack's next owner. At most a thousand
 * latency samples a second: the system call's cost does not matter. */
static int64_t obsclock(void)
{
	struct { long s, ns; } ts;
	rawsyscall(SYS_clock_gettime, 1 /* CLOCK_MONOTONIC */, &ts, 0);
	return (int64_t)ts.s * 1000000000 + ts.ns;
}

void obs_sysmon(int64_t now)
{
	if (now - latlast < 1000 * 1000) return;
	latlast = now;
	if (!(atomic_load(&obs_on) & (OBS_LATWANT | OBS_LATPEND))) atomic_fetch_or(&obs_on, OBS_LATWANT);
}

void obs_ready_slow(struct g *gp, uint32_t ev)
{
	uint32_t on = atomic_load_explicit(&obs_on, memory_order_relaxed);
	if ((on & OBS_TRACE) && ev != EvNone) traceev(ev, gp->goid, 0, ev == EvGoCreate ? (uintptr_t)gp->fn : 0);
	/* One taker: whoever clears OBS_LATWANT. */
	if (!(on & OBS_LATWANT) || !(atomic_fetch_and(&obs_on, ~(uint32_t)OBS_LATWANT) & OBS_LATWANT)) return;
	atomic_store_explicit(&latwhen, nanotime(), memory_order_relaxed);
	atomic_store_explicit(&obs_latg, gp, memory_order_release);
	atomic_fetch_or(&obs_on, OBS_LATPEND);
}

void obs_gostart_slow(struct g *gp, struct p *pp)
{
	uint32_t on = atomic_load_explicit(&obs_on, memory_order_relaxed);
	if (on & OBS_TRACE) traceev(EvGoStart, gp->goid, (uint32_t)pp->id, (uintptr_t)gp->fn);
	if ((on & OBS_LATPEND) && atomic_load_explicit(&obs_latg, memory_order_acquire) == gp) {
		int64_t d = obsclock() - atomic_load_explicit(&latwhen, memory_order_relaxed);
		struct g *self = gp;
		if (atomic_compare_exchange_strong(&obs_latg, &self, NULL)) {
			atomic_fetch_add_explicit(&latcounts[bucket(d < 0 ? 0 : d)], 1, memory_order_relaxed);
			atomic_fetch_and(&obs_on, ~(uint32_t)OBS_LATPEND);
		}
	}
	if ((on & OBS_BLOCK) && gp->obswhen) {
		int64_t d = obsclock() - gp->obswhen;
		gp->obswhen = 0;
		blockprof_record(gp, d < 0 ? 0 : d);
	}
}

void obs_park_slow(struct g *gp, uint32_t reason)
{
	uint32_t on = atomic_load_explicit(&obs_on, memory_order_relaxed);
	if (on & OBS_TRACE) traceev(EvGoBlock, gp->goid, reason, 0);
	if ((on & OBS_BLOCK) && (reason == waitChanSend || reason == waitChanRecv || reason == waitSelect ||
				 reason == waitWaitGroup || reason == waitMutex))
		gp->obswhen = nanotime();
}

static const double *latency_bounds(void)
{
	if (latbounds[NBUCKET] == 0) {
		latbounds[0] = 0;
		double b = 1e-6;
		for (int k = 1; k < NBUCKET; k++, b *= 2) latbounds[k] = b;
		latbounds[NBUCKET] = __builtin_inf();
	}
	return latbounds;
}

struct gcounts {
	uint64_t running, runnable, waiting, syscall;
};

static struct gcounts count_gs(void)
{
	struct gcounts c = {0, 0, 0, 0};
	for (struct g *gp = __atomic_load_n(&allgs, __ATOMIC_ACQUIRE); gp; gp = gp->alllink) {
		if (gp->goid <= 0) continue;
		switch (atomic_load_explicit(&gp->status, memory_order_relaxed)) {
		case Grunning: c.running++; break;
		case Grunnable:
		case Gpreempted: c.runnable++; break;
		case Gwaiting: c.waiting++; break;
		case Gsyscall: c.syscall++; break;
		}
	}
	return c;
}

static uint64_t created(void)
{
	/* Ids handed out, less those still in the Ps' caches (proc.c). */
	int64_t n = atomic_load(&sched.goidgen);
	for (int32_t i = 0; i < atomic_load(&allplen); i++) n -= allp[i]->goidcacheend - allp[i]->goidcache;
	return n < 0 ? 0 : (uint64_t)n;
}

static const struct gort_metric_desc descs[] = {
	{"/sched/goroutines:goroutines", "goroutines that exist (gort_numgoroutine)", GORT_METRIC_UINT64},
	{"/sched/goroutines-created:goroutines", "goroutines created since the start", GORT_METRIC_UINT64},
	{"/sched/goroutines/running:goroutines", "goroutines running now", GORT_METRIC_UINT64},
	{"/sched/goroutines/runnable:goroutines", "goroutines ready to run, waiting for a P", GORT_METRIC_UINT64},
	{"/sched/goroutines/waiting:goroutines", "goroutines parked: channels, I/O, sleeps, locks", GORT_METRIC_UINT64},
	{"/sched/goroutines/not-in-go:goroutines", "goroutines in a blocking call (gort_entersyscall)", GORT_METRIC_UINT64},
	{"/sched/gomaxprocs:threads", "GOMAXPROCS: goroutines that may run at once", GORT_METRIC_UINT64},
	{"/sched/threads/total:threads", "threads (Ms) the runtime made, sysmon's included", GORT_METRIC_UINT64},
	{"/sched/latencies:seconds", "time goroutines spent runnable before running (sampled)",
	 GORT_METRIC_HISTOGRAM},
};
#define NDESC (sizeof descs / sizeof descs[0])

const struct gort_metric_desc *gort_metrics_all(size_t *n)
{
	*n = NDESC;
	return descs;
}

void gort_metrics_read(struct gort_metric *m, size_t n)
{
	struct gcounts c;
	bool counted = false;
	for (size_t i = 0; i < n; i++) {
		const char *nm = m[i].name ? m[i].name : "";
		m[i].kind = GORT_METRIC_BAD;
		for (size_t k = 0; k < NDESC; k++)
			if (!strcmp(nm, descs[k].name)) m[i].kind = descs[k].kind;
		if (m[i].kind == GORT_METRIC_BAD) continue;
		if (!counted && !strncmp(nm, "/sched/goroutines/", 18)) {
			c = count_gs();
			counted = true;
		}
		uint64_t *v = &m[i].value.u64;
		if (!strcmp(nm, "/sched/goroutines:goroutines")) *v = (uint64_t)gort_numgoroutine();
		else if (!strcmp(nm, "/sched/goroutines-created:goroutines")) *v = created();
		else if (!strcmp(nm, "/sched/goroutines/running:goroutines")) *v = c.running;
		else if (!strcmp(nm, "/sched/goroutines/runnable:goroutines")) *v = c.runnable;
		else if (!strcmp(nm, "/sched/goroutines/waiting:goroutines")) *v = c.waiting;
		else if (!strcmp(nm, "/sched/goroutines/not-in-go:goroutines")) *v = c.syscall;
		else if (!strcmp(nm, "/sched/gomaxprocs:threads")) *v = (uint64_t)atomic_load(&allplen);
		else if (!strcmp(nm, "/sched/threads/total:threads")) *v = (uint64_t)(sched.mnext + 1 - sched.mgone);
		else if (!strcmp(nm, "/sched/latencies:seconds")) {
			struct gort_metric_histogram *h = &m[i].value.hist;
			h->n = NBUCKET;
			h->buckets = latency_bounds();
			for (int k = 0; k < NBUCKET; k++)
				h->counts[k] = atomic_load_explicit(&latcounts[k], memory_order_relaxed);
		}
	}
}
