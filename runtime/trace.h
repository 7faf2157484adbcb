/* trace.h: the execution tracer's event API, as the scheduler calls it
 * (Go's trace.go/traceEvent). The buffers are tracebuf.c's, the writer that
 * turns them into a Perfetto trace is trace.c's.
 *
 * Every call site is one line, TRACE(ev, g, x, a): an inline test of
 * trace_on, false unless GORT_TRACE or GORT_TRACE_FLIGHT is set, so that
 * tracing compiled in and off costs a load and a predicted branch (bench
 * spawn, yield and pingpong in bench/README.md). When on, traceev appends a
 * fixed 16-byte record (two for an event with an argument) to the calling
 * M's own buffer, without a lock: only the owning M writes its buffer.
 *
 * An event says what happened to goroutine g (0: none) on the calling M at
 * nanotime(); x and a are per event (below). The writer derives the rest:
 * which G ran on which M and P, who woke whom (the G running on the waker's
 * M), how long a G was runnable.
 *
 * Invariants: an event is recorded only on an M (getm() != NULL); events of
 * one M are in time order. Never called from a signal handler: the handler
 * could interrupt an append to the same buffer.
 */
#ifndef GORT_TRACE_H
#define GORT_TRACE_H

#include "runtime.h"

enum traceev_type {
	EvNone,
	EvGoCreate,   /* g new goroutine, a its fn */
	EvGoStart,    /* g starts running here, x P id, a its fn */
	EvGoStop,     /* g stops, still runnable: x 0 yield, 1 preempted, 2 no P after a syscall */
	EvGoBlock,    /* g parks, x waitreason */
	EvGoUnblock,  /* g made runnable by whoever runs on this M */
	EvGoEnd,      /* g exits */
	EvGoSysCall,  /* g enters a blocking call (gort_entersyscall, hooks), x P id */
	EvGoSysExit,  /* g's blocking call returned */
	EvProcStart,  /* this M takes P x */
	EvProcStop,   /* this M gives up P x */
	EvHandoff,    /* sysmon takes P x from a blocked system call */
	EvSteal,      /* this M stole g from P x */
	EvPreemptReq, /* sysmon asks P x's goroutine to yield */
	EvSpin,       /* this M starts (x 1) or stops (x 0) spinning */
	EvMPark,      /* this M sleeps (x 1) or wakes (x 0) */
	EvRegionBegin,/* user region: x interned name id (trace.c) */
	EvRegionEnd,
	EvLog,        /* user log: a category id, x message id */
	EvArg,        /* the 64-bit argument a of the event before it (EvGoCreate, EvLog) */
	EvTypeCount,
};

/* One buffered record: 16 bytes, a power of two, so that a flight ring
 * holds whole records and never splits one. w0: the time since
 * trace_t0 (56 bits: two years) and the type (8); w1: g (40 bits: a
 * trillion goroutines) and x (24). An event with an argument a (a
 * function, a category) takes a second record, EvArg, whose w1 is a;
 * GoStart, the commonest, carries none: the writer names goroutines from
 * their EvGoCreate or, in a flight recording that lost it, from the live G.
 * Half of the first format's 32 bytes: twice the history in a recorder. */
struct tev {
	uint64_t w0, w1;
};
_Static_assert(sizeof(struct tev) == 16, "struct tev must stay 16 bytes");
#define TEV_TSBITS 56
#define TEV_GBITS 40
/* The decoded form, as the writer reads it. */
struct tevd {
	int64_t ts;
	uint32_t type;
	uint32_t x;
	int64_t g;
	uint64_t a;
};
extern int64_t trace_t0; /* nanotime at trace_init: records hold times since */

/* obs_on: what the scheduler's hooks must do, one word that every hook
 * tests first, so that with everything off a hook is one load and one
 * predicted branch. Bits set and cleared atomically by trace_init,
 * gort_profile_set_rate and the latency sampler (metrics.c); read relaxed. */
enum {
	OBS_TRACE = 1,    /* events to the trace buffers */
	OBS_BLOCK = 2,    /* block or mutex profile on: time parks */
	OBS_LATWANT = 4,  /* sysmon asks for a latency sample: the next G made runnable */
	OBS_LATPEND = 8,  /* a latency sample is in flight (latg) */
};
extern _Atomic uint32_t obs_on;
/* trace_on, trace_flight: the trace's state, for trace.c's writer and API. */
extern bool trace_on;
extern bool trace_flight;

void traceev(uint32_t type, int64_t g, uint32_t x, uint64_t a) __attribute__((cold));
#define TRACE(ev, g, x, a)                                                                   \
	do {                                                                                 \
		if (unlikely(atomic_load_explicit(&obs_on, memory_order_relaxed) & OBS_TRACE)) \
			traceev((ev), (g), (x), (uint64_t)(a));                              \
	} while (0)

/* ---- tracebuf.c ---- */
struct tracebuf;
/* tracebuf_append adds n (1 or 2) records to mp's buffer (made on first
 * use), published together. */
void tracebuf_append(struct m *mp, const struct tev *ev, int n);
/* tracebuf_snapshot fills out[0..max) with every M's events, oldest
 * first, one run each (a ring's is a copy, freed by tracebuf_release);
 * returns the count. Callers are serialised (trace.c). */
struct tracesnap {
	int64_t mid;
	pid_t tid;
	const struct tev *ev;
	size_t n;
	void *mem;     /* the copy, or NULL */
	size_t memsz;
};
size_t tracebuf_snapshot(struct tracesnap *out, size_t max);
void tracebuf_release(struct tracesnap *s, size_t n);
void tracebuf_setflight(size_t bytes_per_m); /* 0: grow without bound */

/* ---- trace.c ---- */
void trace_init(void);        /* reads GORT_TRACE, GORT_TRACE_FLIGHT */
void trace_libc_ready(void);  /* runtime_main, the libc up: exit hooks (atexit) */
/* trace_atfatal writes the trace (whole run, or the flight recorder's)
 * when the process is about to die: a fatal error, a crash signal, SIGQUIT. */
void trace_atfatal(void);

/* ---- metrics.c: scheduling latency, block and mutex profiles ----
 * The hooks that replace a TRACE where the latency sampler or the block
 * profile also look (one test of obs_on for all of them):
 *   obs_gostart   gp starts running on pp (execute, mcall_direct);
 *   obs_park      gp parks for reason (gopark);
 *   obs_ready     gp became runnable (newproc: ev EvGoCreate, goready:
 *                 EvGoUnblock, gosched_m: EvNone, the stop traced before).
 * Latency: sysmon sets OBS_LATWANT at most once a millisecond
 * (obs_sysmon); the next G made runnable is stamped (latg, latwhen); the
 * M that runs it next records the wait. Block: when on, a G parking for a
 * channel, select, WaitGroup or gort_mutex stamps gp->obswhen (its M
 * writes it before the park, the M that runs it next reads it: the run
 * queue orders them). Rejected: a stamp in every G checked at every run
 * (the G's third cache line, a miss per cold G: bench spawn +50%); a
 * sampling test of the P's schedtick in every ready (bench yield +7%). */
void obs_gostart_slow(struct g *gp, struct p *pp);
void obs_park_slow(struct g *gp, uint32_t reason);
void obs_ready_slow(struct g *gp, uint32_t ev);
void obs_sysmon(int64_t now);
/* Each hook tests only the bits it serves: a latency sample is in flight
 * (OBS_LATPEND) most of the time on a busy machine (sysmon asks every
 * millisecond and the stamped G may wait that long in a queue), and with
 * one test for all three, every park, ready and start took the slow call
 * meanwhile (bench/sleepers: 4% of the instructions). obs_latg: the G
 * being timed (metrics.c), read here only to compare. */
extern struct g *_Atomic obs_latg;
static inline void obs_gostart(struct g *gp, struct p *pp)
{
	uint32_t on = atomic_load_explicit(&obs_on, memory_order_relaxed);
	if (unlikely(on & (OBS_TRACE | OBS_BLOCK)) ||
	    unlikely((on & OBS_LATPEND) && atomic_load_explicit(&obs_latg, memory_order_relaxed) == gp))
		obs_gostart_slow(gp, pp);
}
static inline void obs_park(struct g *gp, uint32_t reason)
{
	if (unlikely(atomic_load_explicit(&obs_on, memory_order_relaxed) & (OBS_TRACE | OBS_BLOCK)))
		obs_park_slow(gp, reason);
}
static inline void obs_ready(struct g *gp, uint32_t ev)
{
	if (unlikely(atomic_load_explicit(&obs_on, memory_order_relaxed) & (OBS_TRACE | OBS_LATWANT)))
		obs_ready_slow(gp, ev);
}
/* blockprof_record adds one wait of ns on gp's stack (pprof.c). */
void blockprof_record(struct g *gp, int64_t ns);

/* ---- pprof.c: profiles (the CPU profiler's per-thread timers) ---- */
void cpuprof_init(void);          /* reads GORT_CPUPROFILE (from trace_init) */
void cpuprof_minit(struct m *mp); /* on each new M's thread: arm its CPU timer */
void cpuprof_libc_ready(void);    /* registers the exit hook (from trace_libc_ready) */

#endif /* GORT_TRACE_H */
