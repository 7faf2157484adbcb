/* trace.c: the execution tracer's set-up, its public API and the writer
 * that turns the buffered events (tracebuf.c) into a Perfetto trace (Go's
 * trace.go and internal/trace; the format is Perfetto's, not Go's, so that
 * ui.perfetto.dev and trace_processor open it with no viewer of ours).
 *
 * Set-up (trace_init, from schedinit; ignored in set-user-ID programs):
 *   GORT_TRACE=FILE          record the whole run, write FILE at exit(), at a
 *                            fatal error and at a crash signal or SIGQUIT;
 *   GORT_TRACE_FLIGHT=SIZE   keep the last SIZE bytes of events (per M:
 *                            SIZE / (GOMAXPROCS + 2)), write them on
 *                            gort_trace_flight_write(fd), SIGQUIT or a fatal
 *                            error, into GORT_TRACE or gort-flight-PID.pftrace.
 * Bad values: a one-line warning, and the program runs untraced.
 *
 * The output: a protobuf `Trace` (field 1: repeated TracePacket), with
 *   - a track per M (a thread track: pid, tid): a slice per goroutine run,
 *     named "G12 worker", syscall slices nested inside, "spinning" and
 *     "parked" slices between runs;
 *   - a track per P: the same runs, "syscall G12" while the P waits in a
 *     system call, instants for steals, sysmon's hand-offs and preemption
 *     requests;
 *   - a track per goroutine: its states one after the other (runnable,
 *     running, syscall, "waiting: chan receive"...), with a flow from the
 *     instant on the waker's track ("unblock G12", "go G12") to the start of
 *     the G's next run; under it a track of the program's own regions and
 *     logs (gort_trace_region_begin/end, gort_trace_log).
 * Every slice the writer opens it closes, in nesting order, even where the
 * events miss a beginning or an end (a ring that wrapped): a per-track
 * stack of open slices decides.
 *
 * Algorithm: a k-way merge of the Ms' runs by timestamp (each run is in
 * order; nanotime is one clock across CPUs), twice: a first pass learns
 * every goroutine's function (for track names, which the descriptors need
 * before the events), the second writes the events. Then the state of every
 * live goroutine at the moment of writing (from allgs), so that a trace
 * written at a deadlock ends with each goroutine's last wait, and the open
 * slices are closed.
 *
 * Locking: one writer at a time (`writing`, an atomic flag); the writer
 * allocates nothing from the libc (mmap only), since it runs at fatal
 * errors, maybe with the libc's or the scheduler's locks held. The interned
 * strings of the user API are under `strlk`, a spinlock.
 *
 * Rejected: Go's own trace format (go tool trace needs Go's parser to agree
 * with our events version by version, and the Go UI needs a Go install);
 * Chrome's JSON format (several times the size, and no nested tracks for
 * goroutines under a group); writing the trace while the program runs (a
 * thread of our own, competing with the program).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <sys/mman.h>
#include "trace.h"
#include "pbenc.h"

bool trace_on;
bool trace_flight;
int64_t trace_t0;

static const char *tracepath;  /* GORT_TRACE */
static int tracefd = -1;       /* whole run: opened at start, so a bad path warns at once */
static _Atomic int writing;
static _Atomic bool written;   /* whole run: written once */
static long tracepid;          /* the process that opened it: a fork's child writes nothing */

/* ---- events ---- */

void traceev(uint32_t type, int64_t g, uint32_t x, uint64_t a)
{
	if (!scheduler_started) return; /* no TLS before the libc: no M to ask */
	struct m *mp = getm();
	if (!mp) return;
	uint64_t ts = (uint64_t)(nanotime() - trace_t0) & ((1ull << TEV_TSBITS) - 1);
	struct tev e[2] = {
		{ts | (uint64_t)type << TEV_TSBITS, ((uint64_t)g & ((1ull << TEV_GBITS) - 1)) | (uint64_t)x << TEV_GBITS},
		{ts | (uint64_t)EvArg << TEV_TSBITS, a},
	};
	tracebuf_append(mp, e, type == EvGoCreate || type == EvLog ? 2 : 1);
}

/* ---- interned strings of the user API ---- */

enum { STRPOOL = 1 << 20, NSTR = 8192 };
static struct spinlock strlk;
static char *strpool;          /* under strlk: NUL-terminated strings */
static uint32_t strpool_n;
static COLDBSS uint32_t strtab[NSTR]; /* under strlk: hash -> offset + 1 */

/* intern returns an id for s (its offset + 1 in the pool), 0 when full. */
static uint64_t intern(const char *s)
{
	if (!s) s = "";
	size_t len = __builtin_strlen(s);
	if (len > 255) len = 255;
	uint32_t h = 2166136261u;
	for (size_t i = 0; i < len; i++) h = (h ^ (uint8_t)s[i]) * 16777619u;
	uint64_t id = 0;
	spin_lock(&strlk);
	if (!strpool) {
		void *p = sys_mmap(NULL, STRPOOL, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (sys_mmap_failed(p)) goto out;
		strpool = p;
	}
	for (uint32_t i = 0; i < NSTR; i++) {
		uint32_t *slot = &strtab[(h + i) % NSTR];
		if (!*slot) {
			if (strpool_n + len + 1 > STRPOOL) goto out;
			__builtin_memcpy(strpool + strpool_n, s, len);
			strpool[strpool_n + len] = 0;
			*slot = strpool_n + 1;
			strpool_n += len + 1;
			id = *slot;
			goto out;
		}
		const char *t = strpool + *slot - 1;
		if (__builtin_strncmp(t, s, len) == 0 && t[len] == 0) {
			id = *slot;
			goto out;
		}
	}
out:
	spin_unlock(&strlk);
	return id;
}

static const char *interned(uint64_t id)
{
	return id && strpool && id <= strpool_n ? strpool + id - 1 : "?";
}

void gort_trace_region_begin(const char *name)
{
	if (!trace_on || !ingoroutine()) return;
	TRACE(EvRegionBegin, getg()->goid, (uint32_t)intern(name), 0);
}

void gort_trace_region_end(const char *name)
{
	if (!trace_on || !ingoroutine()) return;
	TRACE(EvRegionEnd, getg()->goid, (uint32_t)intern(name), 0);
}

void gort_trace_log(const char *category, const char *message)
{
	if (!trace_on || !ingoroutine()) return;
	TRACE(EvLog, getg()->goid, (uint32_t)intern(message), intern(category));
}

int gort_trace_enabled(void)
{
	return trace_on ? (trace_flight ? 2 : 1) : 0;
}

/* ---- text without the libc ---- */

struct sbuf {
	char s[256];
	size_t n;
};
static void sb_str(struct sbuf *b, const char *s)
{
	while (*s && b->n < sizeof b->s - 1) b->s[b->n++] = *s++;
	b->s[b->n] = 0;
}
static void sb_int(struct sbuf *b, int64_t v)
{
	char t[24];
	int k = 0;
	uint64_t u = v < 0 ? -(uint64_t)v : (uint64_t)v;
	do t[k++] = (char)('0' + u % 10);
	while (u /= 10);
	if (v < 0) t[k++] = '-';
	while (k && b->n < sizeof b->s - 1) b->s[b->n++] = t[--k];
	b->s[b->n] = 0;
}
static void sb_fn(struct sbuf *b, uint64_t pc)
{
	uintptr_t off;
	const char *f = pc ? funcname(pc, &off) : NULL;
	if (f) {
		sb_str(b, f);
		return;
	}
	static const char hex[] = "0123456789abcdef";
	sb_str(b, "0x");
	int sh = 60;
	while (sh > 0 && !(pc >> sh)) sh -= 4;
	for (; sh >= 0 && b->n < sizeof b->s - 1; sh -= 4) b->s[b->n++] = hex[(pc >> sh) & 15];
	b->s[b->n] = 0;
}

/* ---- the writer's state ---- */

/* Track uuids: one range per kind (0x1..0x3 are the process and the two
 * groups). */
#define UUID_PROC 1
#define UUID_PGROUP 2
#define UUID_GGROUP 3
#define UUID_M(id) (0x100000000ull + (uint64_t)(id))
#define UUID_P(id) (0x200000000ull + (uint64_t)(id))
#define UUID_G(id) (0x1000000000ull + (uint64_t)(id) * 2)
#define UUID_R(id) (0x1000000000ull + (uint64_t)(id) * 2 + 1)

enum { K_RUN = 1, K_SYS, K_SPIN, K_PARK, K_STATE, K_REGION };
#define TSTACK 16
struct tstack {
	uint8_t k[TSTACK];
	uint8_t depth;
};

struct mstate {
	struct tstack st;
	int64_t curg;   /* running here, 0 none */
	int32_t curp;   /* P held, -1 none */
	int32_t sysp;   /* P held when curg entered its syscall */
};
struct pstate {
	struct tstack st;
};
struct gstate {
	int64_t goid;   /* 0: empty slot */
	uint64_t fn;
	uint64_t flow;  /* pending flow into its next run */
	struct tstack st, rst; /* its state track, its regions track */
	bool described;
};

enum { MAXSTREAMS = 4096 };
struct writer {
	struct pbout out;
	bool first;
	uint64_t nflow;
	struct tracesnap snap[MAXSTREAMS];
	size_t nsnap, pos[MAXSTREAMS];
	struct mstate ms[MAXSTREAMS];
	struct pstate ps[MAXPROCS];
	bool pdescribed[MAXPROCS];
	struct gstate *gt;   /* open addressing by goid */
	size_t gcap, gn;
	int64_t lastts;
};

static void *wmap(size_t n)
{
	void *p = sys_mmap(NULL, n, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	return sys_mmap_failed(p) ? NULL : p;
}

static struct gstate *gfind(struct writer *w, int64_t goid, bool add);

static bool grehash(struct writer *w)
{
	size_t ocap = w->gcap, ncap = ocap ? ocap * 2 : 4096;
	struct gstate *old = w->gt, *nt = wmap(ncap * sizeof *nt);
	if (!nt) return false;
	w->gt = nt;
	w->gcap = ncap;
	w->gn = 0;
	for (size_t i = 0; i < ocap; i++)
		if (old[i].goid) *gfind(w, old[i].goid, true) = old[i];
	if (old) sys_munmap(old, ocap * sizeof *old);
	return true;
}

static struct gstate *gfind(struct writer *w, int64_t goid, bool add)
{
	if (goid <= 0) return NULL;
	if (add && (w->gn + 1) * 10 > w->gcap * 7 && !grehash(w)) return NULL;
	if (!w->gcap) return NULL;
	for (size_t i = (uint64_t)goid * 0x9e3779b97f4a7c15ull % w->gcap;; i = (i + 1) % w->gcap) {
		struct gstate *s = &w->gt[i];
		if (s->goid == goid) return s;
		if (!s->goid) {
			if (!add) return NULL;
			s->goid = goid;
			w->gn++;
			return s;
		}
	}
}

/* ---- packets ---- */

static void packet(struct writer *w, int64_t ts, uint32_t field, const struct pbuf *body)
{
	uint8_t pk[1024];
	struct pbuf p = PBUF(pk);
	if (ts >= 0) pb_varint(&p, 8, (uint64_t)ts);  /* timestamp */
	pb_varint(&p, 10, 1);                         /* trusted_packet_sequence_id */
	if (w->first) {
		pb_varint(&p, 13, 1);                 /* SEQ_INCREMENTAL_STATE_CLEARED */
		w->first = false;
	}
	pb_msg(&p, field, body);
	if (!p.overflow) pbout_msg(&w->out, 1, &p);
}

static void describe(struct writer *w, uint64_t uuid, uint64_t parent, const char *name, int64_t tid)
{
	uint8_t b[512], t[320];
	struct pbuf d = PBUF(b), th = PBUF(t);
	pb_varint(&d, 1, uuid);
	if (parent) pb_varint(&d, 5, parent);
	if (tid) {
		pb_varint(&th, 1, (uint64_t)sys_getpid());
		pb_varint(&th, 2, (uint64_t)tid);
		pb_str(&th, 5, name);
		pb_msg(&d, 4, &th);
	} else if (uuid == UUID_PROC) {
		pb_varint(&th, 1, (uint64_t)sys_getpid());
		pb_str(&th, 6, name);
		pb_msg(&d, 3, &th);
	} else {
		pb_str(&d, 2, name);
	}
	packet(w, -1, 60, &d);
}

/* tevent writes one TrackEvent: type 1 begin, 2 end, 3 instant. */
static void tevent(struct writer *w, int64_t ts, uint64_t track, int type, const char *name, uint64_t flow,
		   uint64_t endflow)
{
	uint8_t b[512];
	struct pbuf e = PBUF(b);
	pb_varint(&e, 9, (uint64_t)type);
	pb_varint(&e, 11, track);
	if (name) pb_str(&e, 23, name);
	if (flow) pb_fixed64(&e, 47, flow);
	if (endflow) pb_fixed64(&e, 48, endflow);
	packet(w, ts, 11, &e);
}

static void sopen(struct writer *w, struct tstack *s, uint64_t track, int64_t ts, int kind, const char *name,
		  uint64_t endflow)
{
	if (s->depth == TSTACK) return;
	s->k[s->depth++] = (uint8_t)kind;
	tevent(w, ts, track, 1, name, 0, endflow);
}

/* sclose closes the innermost open slice of this kind, and any opened
 * inside it (their ends were lost); nothing if none is open. */
static void sclose(struct writer *w, struct tstack *s, uint64_t track, int64_t ts, int kind)
{
	int i = s->depth - 1;
	while (i >= 0 && s->k[i] != kind) i--;
	if (i < 0) return;
	while (s->depth > i) {
		s->depth--;
		tevent(w, ts, track, 2, NULL, 0, 0);
	}
}

static void sclose_all(struct writer *w, struct tstack *s, uint64_t track, int64_t ts)
{
	while (s->depth) {
		s->depth--;
		tevent(w, ts, track, 2, NULL, 0, 0);
	}
}

/* ---- from events to slices ---- */

static void gname(struct sbuf *b, struct gstate *gs)
{
	sb_str(b, "G");
	sb_int(b, gs->goid);
	if (gs->fn) {
		sb_str(b, " ");
		sb_fn(b, gs->fn);
	}
}

static void gdescribe(struct writer *w, struct gstate *gs)
{
	if (gs->described) return;
	gs->described = true;
	struct sbuf n = {.n = 0};
	gname(&n, gs);
	describe(w, UUID_G(gs->goid), UUID_GGROUP, n.s, 0);
	sb_str(&n, " regions");
	describe(w, UUID_R(gs->goid), UUID_G(gs->goid), n.s, 0);
}

static void pdescribe(struct writer *w, int32_t p)
{
	if (p < 0 || p >= MAXPROCS || w->pdescribed[p]) return;
	w->pdescribed[p] = true;
	struct sbuf n = {.n = 0};
	sb_str(&n, "P");
	sb_int(&n, p);
	describe(w, UUID_P(p), UUID_PGROUP, n.s, 0);
}

/* gstate_set ends g's current state slice and begins the next. */
static void gstate_set(struct writer *w, struct gstate *gs, int64_t ts, const char *name, uint64_t endflow)
{
	if (!gs) return;
	gdescribe(w, gs);
	sclose(w, &gs->st, UUID_G(gs->goid), ts, K_STATE);
	if (name) sopen(w, &gs->st, UUID_G(gs->goid), ts, K_STATE, name, endflow);
}

/* waker_instant marks, on the track of whatever runs on M ms (its G, or
 * the M itself on g0), that it made g runnable, as the source of a flow
 * that ends at g's next run. */
static void waker_instant(struct writer *w, struct mstate *ms, int64_t mid, int64_t ts, const char *verb,
			  struct gstate *gs)
{
	struct sbuf n = {.n = 0};
	sb_str(&n, verb);
	sb_str(&n, " G");
	sb_int(&n, gs->goid);
	gs->flow = ++w->nflow;
	struct gstate *wg = gfind(w, ms->curg, false);
	uint64_t track = wg ? UUID_G(wg->goid) : UUID_M(mid);
	if (wg) gdescribe(w, wg);
	tevent(w, ts, track, 3, n.s, gs->flow, 0);
}

static const char *const stopname[] = {"runnable (yield)", "runnable (preempted)", "runnable (no P)"};

static void pclose_run(struct writer *w, int32_t p, int64_t ts)
{
	if (p >= 0 && p < MAXPROCS) sclose(w, &w->ps[p].st, UUID_P(p), ts, K_RUN);
}

static void onevent(struct writer *w, size_t si, const struct tevd *e)
{
	struct mstate *ms = &w->ms[si];
	int64_t mid = w->snap[si].mid, ts = e->ts;
	uint64_t mt = UUID_M(mid);
	struct gstate *gs = gfind(w, e->g, true);
	struct sbuf n = {.n = 0};
	w->lastts = ts;
	switch (e->type) {
	case EvGoCreate:
		if (!gs) break;
		gs->fn = e->a;
		waker_instant(w, ms, mid, ts, "go", gs);
		gstate_set(w, gs, ts, "runnable", 0);
		break;
	case EvGoStart: {
		if (!gs) break;
		if (!gs->fn) gs->fn = e->a;
		sclose(w, &ms->st, mt, ts, K_RUN);
		gname(&n, gs);
		sopen(w, &ms->st, mt, ts, K_RUN, n.s, 0);
		ms->curg = gs->goid;
		ms->curp = (int32_t)e->x;
		if (ms->curp >= 0 && ms->curp < MAXPROCS) {
			pdescribe(w, ms->curp);
			sclose(w, &w->ps[ms->curp].st, UUID_P(ms->curp), ts, K_RUN);
			sopen(w, &w->ps[ms->curp].st, UUID_P(ms->curp), ts, K_RUN, n.s, 0);
		}
		gstate_set(w, gs, ts, "running", gs->flow);
		gs->flow = 0;
		break;
	}
	case EvGoStop:
	case EvGoBlock:
	case EvGoEnd:
		sclose(w, &ms->st, mt, ts, K_RUN);
		pclose_run(w, ms->curp, ts);
		ms->curg = 0;
		if (!gs) break;
		if (e->type == EvGoStop) {
			gstate_set(w, gs, ts, stopname[e->x < 3 ? e->x : 0], 0);
		} else if (e->type == EvGoBlock) {
			sb_str(&n, "waiting: ");
			sb_str(&n, e->x < waitReasonCount ? waitreason_strings[e->x] : "?");
			gstate_set(w, gs, ts, n.s, 0);
		} else {
			gstate_set(w, gs, ts, NULL, 0);
			sclose_all(w, &gs->rst, UUID_R(gs->goid), ts);
		}
		break;
	case EvGoUnblock:
		if (!gs) break;
		waker_instant(w, ms, mid, ts, "unblock", gs);
		gstate_set(w, gs, ts, "runnable", 0);
		break;
	case EvGoSysCall:
		sopen(w, &ms->st, mt, ts, K_SYS, "syscall", 0);
		pclose_run(w, ms->curp, ts);
		ms->sysp = ms->curp;
		ms->curp = -1;
		if (ms->sysp >= 0 && ms->sysp < MAXPROCS) {
			sb_str(&n, "syscall G");
			sb_int(&n, e->g);
			sopen(w, &w->ps[ms->sysp].st, UUID_P(ms->sysp), ts, K_SYS, n.s, 0);
		}
		gstate_set(w, gs, ts, "syscall", 0);
		break;
	case EvGoSysExit: {
		sclose(w, &ms->st, mt, ts, K_SYS);
		int32_t p = ms->sysp;
		ms->sysp = -1;
		if (p >= 0 && p < MAXPROCS) {
			struct tstack *st = &w->ps[p].st;
			if (st->depth && st->k[st->depth - 1] == K_SYS) {
				/* Not handed off: the G goes on with its P. */
				sclose(w, st, UUID_P(p), ts, K_SYS);
				if (gs) {
					gname(&n, gs);
					sopen(w, st, UUID_P(p), ts, K_RUN, n.s, 0);
				}
				ms->curp = p;
			}
		}
		gstate_set(w, gs, ts, "running", 0);
		break;
	}
	case EvProcStart:
		ms->curp = (int32_t)e->x;
		pdescribe(w, ms->curp);
		if (ms->curg && ms->curp < MAXPROCS) {
			struct gstate *cg = gfind(w, ms->curg, false);
			if (cg) {
				gname(&n, cg);
				sopen(w, &w->ps[ms->curp].st, UUID_P(ms->curp), ts, K_RUN, n.s, 0);
			}
		}
		break;
	case EvProcStop:
		pclose_run(w, (int32_t)e->x, ts);
		ms->curp = -1;
		break;
	case EvHandoff:
		if (e->x < MAXPROCS) {
			pdescribe(w, (int32_t)e->x);
			sclose(w, &w->ps[e->x].st, UUID_P(e->x), ts, K_SYS);
			tevent(w, ts, UUID_P(e->x), 3, "handoff (sysmon)", 0, 0);
		}
		break;
	case EvPreemptReq:
		if (e->x < MAXPROCS) {
			pdescribe(w, (int32_t)e->x);
			tevent(w, ts, UUID_P(e->x), 3, "preempt request (sysmon)", 0, 0);
		}
		break;
	case EvSteal:
		sb_str(&n, "steal G");
		sb_int(&n, e->g);
		sb_str(&n, " from P");
		sb_int(&n, e->x);
		if (ms->curp >= 0 && ms->curp < MAXPROCS) tevent(w, ts, UUID_P(ms->curp), 3, n.s, 0, 0);
		else tevent(w, ts, mt, 3, n.s, 0, 0);
		break;
	case EvSpin:
		if (e->x) sopen(w, &ms->st, mt, ts, K_SPIN, "spinning", 0);
		else sclose(w, &ms->st, mt, ts, K_SPIN);
		break;
	case EvMPark:
		if (e->x) sopen(w, &ms->st, mt, ts, K_PARK, "parked", 0);
		else sclose(w, &ms->st, mt, ts, K_PARK);
		break;
	case EvRegionBegin:
		if (!gs) break;
		gdescribe(w, gs);
		sopen(w, &gs->rst, UUID_R(gs->goid), ts, K_REGION, interned(e->x), 0);
		break;
	case EvRegionEnd:
		if (gs && gs->rst.depth) {
			gs->rst.depth--;
			tevent(w, ts, UUID_R(gs->goid), 2, NULL, 0, 0);
		}
		break;
	case EvLog:
		if (!gs) break;
		gdescribe(w, gs);
		sb_str(&n, interned(e->a));
		sb_str(&n, ": ");
		sb_str(&n, interned(e->x));
		tevent(w, ts, UUID_R(gs->goid), 3, n.s, 0, 0);
		break;
	}
}

/* tdecode reads the record at stream si's position into d, with its
 * EvArg if one follows; false at the end. An EvArg whose event the ring
 * overwrote is skipped. */
static bool tdecode(struct writer *w, size_t si, struct tevd *d, size_t *adv)
{
	const struct tev *ev = w->snap[si].ev;
	size_t p = w->pos[si], n = w->snap[si].n;
	while (p < n && ev[p].w0 >> TEV_TSBITS == EvArg) p++;
	w->pos[si] = p;
	if (p >= n) return false;
	d->ts = trace_t0 + (int64_t)(ev[p].w0 & ((1ull << TEV_TSBITS) - 1));
	d->type = (uint32_t)(ev[p].w0 >> TEV_TSBITS);
	d->g = (int64_t)(ev[p].w1 & ((1ull << TEV_GBITS) - 1));
	d->x = (uint32_t)(ev[p].w1 >> TEV_GBITS);
	d->a = 0;
	*adv = 1;
	if (p + 1 < n && ev[p + 1].w0 >> TEV_TSBITS == EvArg) {
		d->a = ev[p + 1].w1;
		*adv = 2;
	}
	return true;
}

/* merge calls f for every event of every stream in timestamp order. */
static void merge(struct writer *w, void (*f)(struct writer *, size_t, const struct tevd *))
{
	for (size_t i = 0; i < w->nsnap; i++) w->pos[i] = 0;
	for (;;) {
		size_t best = MAXSTREAMS, adv = 0, badv = 0;
		struct tevd d, bd;
		for (size_t i = 0; i < w->nsnap; i++) {
			if (!tdecode(w, i, &d, &adv)) continue;
			if (best == MAXSTREAMS || d.ts < bd.ts) {
				best = i;
				bd = d;
				badv = adv;
			}
		}
		if (best == MAXSTREAMS) return;
		w->pos[best] += badv;
		f(w, best, &bd);
	}
}

static void learn(struct writer *w, size_t si, const struct tevd *e)
{
	(void)si;
	if (e->type != EvGoCreate && e->type != EvGoStart) return;
	struct gstate *gs = gfind(w, e->g, true);
	if (gs && !gs->fn) gs->fn = e->a;
}

/* finish writes every live goroutine's state now and closes what is open. */
static void finish(struct writer *w, int64_t now)
{
	for (struct g *gp = __atomic_load_n(&allgs, __ATOMIC_ACQUIRE); gp; gp = gp->alllink) {
		uint32_t s = atomic_load(&gp->status);
		if (s == Gdead || s == Gidle || gp->goid <= 0) continue;
		struct gstate *gs = gfind(w, gp->goid, true);
		if (!gs) continue;
		if (!gs->fn) gs->fn = (uintptr_t)gp->fn;
		struct sbuf n = {.n = 0};
		if (s == Gwaiting) {
			uint32_t r = atomic_load(&gp->waitreason);
			sb_str(&n, "waiting: ");
			sb_str(&n, r < waitReasonCount ? waitreason_strings[r] : "?");
		} else {
			static const char *const sn[] = {"idle", "runnable", "running", "syscall", "waiting", "dead",
							  "runnable (preempted)"};
			sb_str(&n, s < 7 ? sn[s] : "?");
		}
		sb_str(&n, " (at end)");
		gstate_set(w, gs, now, n.s, 0);
	}
	for (size_t i = 0; i < w->gcap; i++) {
		struct gstate *gs = &w->gt[i];
		if (!gs->goid) continue;
		if (gs->st.depth) sclose_all(w, &gs->st, UUID_G(gs->goid), now);
		if (gs->rst.depth) sclose_all(w, &gs->rst, UUID_R(gs->goid), now);
	}
	for (size_t i = 0; i < w->nsnap; i++) sclose_all(w, &w->ms[i].st, UUID_M(w->snap[i].mid), now);
	for (int32_t p = 0; p < MAXPROCS; p++)
		if (w->ps[p].st.depth) sclose_all(w, &w->ps[p].st, UUID_P(p), now);
}

/* trace_write writes the trace to fd; false if a write failed. Serialised
 * by the caller (`writing`). */
static bool trace_write(int fd)
{
	struct writer *w = wmap(sizeof *w);
	if (!w) return false;
	pbout_init(&w->out, fd);
	w->first = true;
	w->nsnap = tracebuf_snapshot(w->snap, MAXSTREAMS);
	for (size_t i = 0; i < w->nsnap; i++) {
		w->ms[i].curp = -1;
		w->ms[i].sysp = -1;
	}
	merge(w, learn);
	/* A flight recording may have lost a G's creation: the live G knows. */
	for (struct g *gp = __atomic_load_n(&allgs, __ATOMIC_ACQUIRE); gp; gp = gp->alllink) {
		struct gstate *gs = gfind(w, gp->goid, false);
		if (gs && !gs->fn && atomic_load(&gp->status) != Gdead) gs->fn = (uintptr_t)gp->fn;
	}

	const char *name = gort_argc > 0 && gort_argv[0] ? gort_argv[0] : "gort";
	for (const char *q = name; *q; q++)
		if (*q == '/') name = q + 1;
	describe(w, UUID_PROC, 0, name, 0);
	describe(w, UUID_PGROUP, UUID_PROC, "Ps", 0);
	describe(w, UUID_GGROUP, UUID_PROC, "goroutines", 0);
	for (size_t i = 0; i < w->nsnap; i++) {
		struct sbuf n = {.n = 0};
		sb_str(&n, "M");
		sb_int(&n, w->snap[i].mid);
		describe(w, UUID_M(w->snap[i].mid), 0, n.s, w->snap[i].tid); /* a thread track: its pid places it */
	}
	for (size_t i = 0; i < w->gcap; i++)
		if (w->gt[i].goid) gdescribe(w, &w->gt[i]);

	merge(w, onevent);
	int64_t now = nanotime();
	finish(w, now > w->lastts ? now : w->lastts);
	pbout_flush(&w->out);
	bool ok = !w->out.err;
	tracebuf_release(w->snap, w->nsnap);
	if (w->gt) sys_munmap(w->gt, w->gcap * sizeof *w->gt);
	sys_munmap(w, sizeof *w);
	return ok;
}

static bool lockwriter(bool wait)
{
	int z = 0;
	while (!atomic_compare_exchange_strong(&writing, &z, 1)) {
		if (!wait) return false;
		z = 0;
		osyield();
	}
	return true;
}

static void warn_write(const char *what)
{
	printf_raw("gort: could not write the trace to %s\n", what);
}

/* ---- when to write ---- */

/* trace_flush_whole writes the whole-run trace once (exit, fatal). */
static void trace_flush_whole(void)
{
	if (trace_flight || tracefd < 0 || sys_getpid() != tracepid || atomic_exchange(&written, true)) return;
	if (!lockwriter(false)) return;
	trace_on = false; /* no more events: the Ms' arrays stay put (tracebuf.c grows them) */
	atomic_fetch_and(&obs_on, ~(uint32_t)OBS_TRACE);
	if (!trace_write(tracefd)) warn_write(tracepath);
	sys_close(tracefd);
	tracefd = -1;
	atomic_store(&writing, 0);
}

static int openout(const char *path)
{
	return (int)rawsyscall6(SYS_openat, AT_FDCWD, (long)path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644, 0, 0);
}

/* flight_dump writes the flight recorder to GORT_TRACE or the default path. */
static void flight_dump(void)
{
	if (!trace_flight || sys_getpid() != tracepid || !lockwriter(false)) return;
	char def[64];
	struct sbuf n = {.n = 0};
	const char *path = tracepath;
	if (!path) {
		sb_str(&n, "gort-flight-");
		sb_int(&n, sys_getpid());
		sb_str(&n, ".pftrace");
		__builtin_memcpy(def, n.s, n.n + 1);
		path = def;
	}
	int fd = openout(path);
	if (fd < 0 || !trace_write(fd)) warn_write(path);
	else printf_raw("gort: flight recorder written to %s\n", path);
	if (fd >= 0) sys_close(fd);
	atomic_store(&writing, 0);
}

void trace_atfatal(void)
{
	if (trace_flight) flight_dump();
	else trace_flush_whole();
}

int gort_trace_flight_write(int fd)
{
	if (!trace_on || !trace_flight) {
		errno = EINVAL;
		return -1;
	}
	gort_entersyscall();
	lockwriter(true);
	bool ok = trace_write(fd);
	atomic_store(&writing, 0);
	gort_exitsyscall();
	if (!ok) {
		errno = EIO;
		return -1;
	}
	return 0;
}

static void trace_atexit(void)
{
	trace_flush_whole();
}

/* trace_libc_ready: the libc is up (runtime_main): the exit hooks of the
 * trace and the CPU profile. Not a runtime init task: their list is part
 * of what gortdump and the boot tests check. */
void trace_libc_ready(void)
{
	if (trace_on && !trace_flight) atexit(trace_atexit);
	cpuprof_libc_ready();
}

void trace_init(void)
{
	cpuprof_init(); /* GORT_CPUPROFILE: the same secure-mode rule (pprof.c) */
	const char *path = gogetenv("GORT_TRACE");
	const char *fl = gogetenv("GORT_TRACE_FLIGHT");
	if (path && !*path) path = NULL;
	tracepath = path;
	if (!path && !(fl && *fl)) return; /* off: no system call (bench/startup) */
	tracepid = sys_getpid();
	trace_t0 = nanotime();
	if (fl && *fl) {
		int64_t sz = parse_size(fl);
		if (sz < 4096) {
			printf_raw("gort: ignoring GORT_TRACE_FLIGHT=%s: not a size of at least 4k (e.g. 8m); no trace\n", fl);
			return;
		}
		int32_t nm = atomic_load(&allplen) + 2;
		tracebuf_setflight((size_t)sz / (size_t)(nm < 4 ? 4 : nm));
		trace_flight = true;
		trace_on = true;
		atomic_fetch_or(&obs_on, OBS_TRACE);
		return;
	}
	if (!path) return;
	tracefd = openout(path);
	if (tracefd < 0) {
		printf_raw("gort: ignoring GORT_TRACE=%s: cannot create it (errno %d); no trace\n", path, -tracefd);
		tracefd = -1;
		return;
	}
	tracebuf_setflight(0);
	trace_on = true;
	atomic_fetch_or(&obs_on, OBS_TRACE);
}
