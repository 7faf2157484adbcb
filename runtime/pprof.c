/* pprof.c: profiles in pprof's format (profile.proto, as Go's
 * runtime/pprof writes them; `go tool pprof`, pprof's web UI, Perfetto and
 * speedscope read them): the CPU profile (GORT_CPUPROFILE=FILE), and the
 * goroutine, block and mutex profiles (gort_profile_write; the block and
 * mutex waits are timed by metrics.c's hooks).
 *
 * CPU profile (Go's cpuprof.go and setThreadCPUProfiler): each M arms a
 * timer on its own thread's CPU clock (timer_create with
 * CLOCK_THREAD_CPUTIME_ID and SIGEV_THREAD_ID, in minit), firing SIGPROF
 * every 10 ms of CPU time the thread uses (100 Hz). The handler, on the
 * thread that used the time, walks the frame pointers of what it
 * interrupted (the goroutine's stack, or g0's) within that stack's bounds
 * and stores the pcs into a preallocated array of fixed-size records: one
 * atomic add reserves a record, one release store publishes it, no lock,
 * no allocation. At exit the records are counted by stack and symbolized
 * with the binary's own tables (symtab.c for functions, dwarfline.c for
 * file:line) into locations and functions. The runtime's frames are kept:
 * time in the scheduler or the libc shows as theirs.
 *
 * Rejected: setitimer(ITIMER_PROF) (one timer per process: the signal goes
 * to any thread, Go's old bias); perf_event_open (often forbidden in
 * containers); walking with DWARF CFI in the handler (slow, and gort keeps
 * frame pointers everywhere it can: gortcc, the runtime's own flags);
 * symbolizing in the handler.
 *
 * Locking: `samples` is written by signal handlers only through a reserved
 * index; read at exit once cpuprof_on is cleared. The writer runs on one
 * thread (exit).
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <ucontext.h>
#include "trace.h"
#include "pbenc.h"

#define PERIOD_NS 10000000 /* 100 Hz */
#define MAXFRAMES 62

struct psample {
	_Atomic uint32_t n;  /* frames; 0 until published */
	uint32_t pad;
	int64_t goid;
	uint64_t pc[MAXFRAMES];
};

static bool cpuprof_on;
static int cpuproffd = -1;
static const char *cpuprofpath;
static struct psample *samples;
static uint64_t samplecap;
static _Atomic uint64_t nsample;
static _Atomic int handler_installed;
static int64_t cpuprof_start;
static long cpuprofpid;

/* ---- sampling ---- */

/* leafcaller finds the caller of a function that keeps no frame pointer
 * (gcc omits it in leaf functions that use no stack, even with
 * -fno-omit-frame-pointer: the hot loops a profile is for), or of one
 * interrupted before it pushed %rbp: then the return address is at %rsp
 * and %rbp is still the caller's, whose own caller the walk finds next.
 * Taken only when it is certain: a return address into the executable's
 * code, just after a direct call to a function starting at or before pc,
 * and not the one the frame-pointer walk would find anyway. */
static uintptr_t leafcaller(uintptr_t pc, uintptr_t sp, uintptr_t bp, uintptr_t hi)
{
	uintptr_t tlo = (uintptr_t)__executable_start, thi = (uintptr_t)etext;
	uintptr_t r = *(uintptr_t *)sp;
	if (!tlo || !thi || r < tlo + 5 || r >= thi || *(const uint8_t *)(r - 5) != 0xe8) return 0;
	int32_t rel;
	__builtin_memcpy(&rel, (const void *)(r - 4), 4);
	uintptr_t target = r + (intptr_t)rel;
	if (target > pc || pc - target >= (1u << 20)) return 0;
	if (bp >= sp && bp + 16 <= hi && ((uintptr_t *)bp)[1] == r) return 0;
	return r;
}

/* sigprof: a signal handler: atomics and the stack walk only. */
static void sigprof(int sig, siginfo_t *si, void *ctx)
{
	(void)sig;
	(void)si;
	if (!cpuprof_on) return;
	ucontext_t *uc = ctx;
	uint64_t i = atomic_fetch_add_explicit(&nsample, 1, memory_order_relaxed);
	if (i >= samplecap) return;
	struct psample *s = &samples[i];
	uintptr_t pc = uc->uc_mcontext.gregs[REG_RIP];
	uintptr_t sp = uc->uc_mcontext.gregs[REG_RSP];
	uintptr_t bp = uc->uc_mcontext.gregs[REG_RBP];
	struct g *gp = scheduler_started ? getg() : NULL;
	uintptr_t lo = gp ? gp->stack_lo : 0, hi = gp ? gp->stack_hi : 0;
	s->goid = gp && gp->m && gp != gp->m->g0 ? gp->goid : 0;
	/* A preemption signal delivered just before this one redirected the
	 * context to gort_asyncpreempt's first instruction (injectcall): the
	 * time is the interrupted function's, whose pc and sp it saved. */
	if (pc == (uintptr_t)gort_asyncpreempt && lo && sp >= lo && sp + 16 <= hi) {
		pc = ((uintptr_t *)sp)[0];
		sp = ((uintptr_t *)sp)[1];
	}
	uint32_t n = 0;
	s->pc[n++] = pc;
	/* Only within the stack the pc runs on (a switch half done sets g
	 * before the stack: then the leaf alone). */
	if (lo && sp >= lo && sp + 8 <= hi) {
		uintptr_t r = leafcaller(pc, sp, bp, hi);
		if (r) s->pc[n++] = r;
		while (n < MAXFRAMES && bp >= sp && bp >= lo && bp + 16 <= hi && !(bp & 7)) {
			uintptr_t next = ((uintptr_t *)bp)[0], ret = ((uintptr_t *)bp)[1];
			if (!ret) break;
			s->pc[n++] = ret;
			if (next <= bp) break;
			bp = next;
		}
	}
	atomic_store_explicit(&s->n, n, memory_order_release);
}

/* The kernel's struct sigevent, with SIGEV_THREAD_ID's target (not every
 * libc names the field). */
struct ksigevent {
	uint64_t value;
	int signo;
	int notify;
	int tid;
	int pad[11];
};

void cpuprof_minit(struct m *mp)
{
	(void)mp;
	if (!cpuprof_on) return;
	int z = 0;
	if (atomic_compare_exchange_strong(&handler_installed, &z, 1)) {
		struct sigaction sa;
		memset(&sa, 0, sizeof sa);
		sa.sa_sigaction = sigprof;
		sa.sa_flags = SA_SIGINFO | SA_RESTART | SA_ONSTACK;
		sigfillset(&sa.sa_mask);
		sigaction(SIGPROF, &sa, NULL);
	}
	struct ksigevent sev = {0, SIGPROF, 4 /* SIGEV_THREAD_ID */, (int)sys_gettid(), {0}};
	int timerid;
	if (rawsyscall(SYS_timer_create, CLOCK_THREAD_CPUTIME_ID, &sev, &timerid) < 0) return;
	struct itimerspec its = {{0, PERIOD_NS}, {0, PERIOD_NS}};
	rawsyscall6(SYS_timer_settime, timerid, 0, (long)&its, 0, 0, 0);
}

/* ---- the profile.proto writer ---- */

/* Strings: the table every other message refers to by index. */
struct strtab {
	char **s;
	size_t n, cap;
	size_t *h;   /* open addressing: index + 1 */
	size_t hcap;
};

static uint64_t strhash(const char *s)
{
	uint64_t h = 1469598103934665603ull;
	for (; *s; s++) h = (h ^ (uint8_t)*s) * 1099511628211ull;
	return h;
}

static int64_t str_id(struct strtab *t, const char *s)
{
	if ((t->n + 1) * 2 > t->hcap) {
		size_t nc = t->hcap ? t->hcap * 2 : 1024;
		size_t *nh = calloc(nc, sizeof *nh);
		if (!nh) return 0;
		for (size_t i = 0; i < t->n; i++) {
			size_t k = strhash(t->s[i]) % nc;
			while (nh[k]) k = (k + 1) % nc;
			nh[k] = i + 1;
		}
		free(t->h);
		t->h = nh;
		t->hcap = nc;
	}
	size_t k = strhash(s) % t->hcap;
	for (; t->h[k]; k = (k + 1) % t->hcap)
		if (!strcmp(t->s[t->h[k] - 1], s)) return (int64_t)(t->h[k] - 1);
	if (t->n == t->cap) {
		size_t nc = t->cap ? t->cap * 2 : 256;
		char **ns = realloc(t->s, nc * sizeof *ns);
		if (!ns) return 0;
		t->s = ns;
		t->cap = nc;
	}
	t->s[t->n] = strdup(s);
	if (!t->s[t->n]) return 0;
	t->h[k] = ++t->n;
	return (int64_t)(t->n - 1);
}

/* One stack, counted. */
struct pstack {
	const uint64_t *pc;
	uint32_t n;
	int64_t count, v2; /* the second value: CPU or wait nanoseconds */
};
/* One pc: a location; its function's id. */
struct ploc {
	uint64_t pc;
	uint64_t fn;   /* function id */
	int64_t line;
};
struct pfunc {
	int64_t name, file;
};

struct pwriter {
	struct strtab st;
	struct pstack *stacks;
	size_t nstacks, stackcap;
	size_t *sh;
	size_t shcap;
	struct ploc *locs;
	size_t nlocs, loccap;
	size_t *lh;
	size_t lhcap;
	struct pfunc *fns;
	size_t nfns, fncap;
	int64_t *fnbyname; /* string id -> function id, 0 none */
	size_t fnbynamecap;
};

static uint64_t stackhash(const uint64_t *pc, uint32_t n)
{
	uint64_t h = n;
	for (uint32_t i = 0; i < n; i++) h = (h ^ pc[i]) * 0x100000001b3ull;
	return h;
}

/* stack_add counts one more of pc[0..n); false when out of memory. */
static bool stack_add(struct pwriter *w, const uint64_t *pc, uint32_t n, int64_t count, int64_t v2)
{
	if ((w->nstacks + 1) * 2 > w->shcap) {
		size_t nc = w->shcap ? w->shcap * 2 : 1024;
		size_t *nh = calloc(nc, sizeof *nh);
		if (!nh) return false;
		for (size_t i = 0; i < w->nstacks; i++) {
			size_t k = stackhash(w->stacks[i].pc, w->stacks[i].n) % nc;
			while (nh[k]) k = (k + 1) % nc;
			nh[k] = i + 1;
		}
		free(w->sh);
		w->sh = nh;
		w->shcap = nc;
	}
	size_t k = stackhash(pc, n) % w->shcap;
	for (; w->sh[k]; k = (k + 1) % w->shcap) {
		struct pstack *s = &w->stacks[w->sh[k] - 1];
		if (s->n == n && !memcmp(s->pc, pc, n * sizeof *pc)) {
			s->count += count;
			s->v2 += v2;
			return true;
		}
	}
	if (w->nstacks == w->stackcap) {
		size_t nc = w->stackcap ? w->stackcap * 2 : 256;
		struct pstack *ns = realloc(w->stacks, nc * sizeof *ns);
		if (!ns) return false;
		w->stacks = ns;
		w->stackcap = nc;
	}
	w->stacks[w->nstacks] = (struct pstack){pc, n, count, v2};
	w->sh[k] = ++w->nstacks;
	return true;
}

/* func_id: the function named name (a string id), made on first use. */
static uint64_t func_id(struct pwriter *w, int64_t name, int64_t file)
{
	if ((size_t)name >= w->fnbynamecap) {
		size_t nc = w->fnbynamecap ? w->fnbynamecap : 256;
		while (nc <= (size_t)name) nc *= 2;
		int64_t *nb = realloc(w->fnbyname, nc * sizeof *nb);
		if (!nb) return 0;
		memset(nb + w->fnbynamecap, 0, (nc - w->fnbynamecap) * sizeof *nb);
		w->fnbyname = nb;
		w->fnbynamecap = nc;
	}
	if (w->fnbyname[name]) return (uint64_t)w->fnbyname[name];
	if (w->nfns == w->fncap) {
		size_t nc = w->fncap ? w->fncap * 2 : 256;
		struct pfunc *nf = realloc(w->fns, nc * sizeof *nf);
		if (!nf) return 0;
		w->fns = nf;
		w->fncap = nc;
	}
	w->fns[w->nfns++] = (struct pfunc){name, file};
	w->fnbyname[name] = (int64_t)w->nfns;
	return w->nfns;
}

/* loc_id: the location of pc (already the call's address for a caller). */
static uint64_t loc_id(struct pwriter *w, uint64_t pc)
{
	if ((w->nlocs + 1) * 2 > w->lhcap) {
		size_t nc = w->lhcap ? w->lhcap * 2 : 1024;
		size_t *nh = calloc(nc, sizeof *nh);
		if (!nh) return 0;
		for (size_t i = 0; i < w->nlocs; i++) {
			size_t k = w->locs[i].pc * 0x9e3779b97f4a7c15ull % nc;
			while (nh[k]) k = (k + 1) % nc;
			nh[k] = i + 1;
		}
		free(w->lh);
		w->lh = nh;
		w->lhcap = nc;
	}
	size_t k = pc * 0x9e3779b97f4a7c15ull % w->lhcap;
	for (; w->lh[k]; k = (k + 1) % w->lhcap)
		if (w->locs[w->lh[k] - 1].pc == pc) return w->lh[k];
	if (w->nlocs == w->loccap) {
		size_t nc = w->loccap ? w->loccap * 2 : 256;
		struct ploc *nl = realloc(w->locs, nc * sizeof *nl);
		if (!nl) return 0;
		w->locs = nl;
		w->loccap = nc;
	}
	/* Symbolize: function, file:line from the binary. */
	uintptr_t off;
	const char *fname = funcname(pc, &off);
	char buf[512];
	if (!fname) {
		char lib[128];
		long o = mapname(pc, lib, sizeof lib);
		if (o >= 0) snprintf(buf, sizeof buf, "%s+0x%lx", lib, (unsigned long)o);
		else snprintf(buf, sizeof buf, "0x%lx", (unsigned long)pc);
		fname = buf;
	}
	int64_t name = str_id(&w->st, fname), file = 0, line = 0;
	struct srcpos pos;
	if (pcline(pc, &pos)) {
		char path[1024];
		size_t n = 0;
		for (int i = 0; i < 3; i++) {
			if (!pos.part[i]) continue;
			n += (size_t)snprintf(path + n, sizeof path - n, "%s%s", n ? "/" : "", pos.part[i]);
			if (n >= sizeof path) n = sizeof path - 1;
		}
		file = str_id(&w->st, path);
		line = pos.line;
	}
	w->locs[w->nlocs] = (struct ploc){pc, func_id(w, name, file), line};
	w->lh[k] = ++w->nlocs;
	return w->nlocs;
}

static void valuetype(struct pbout *o, uint32_t field, int64_t type, int64_t unit)
{
	uint8_t b[32];
	struct pbuf v = PBUF(b);
	pb_sint(&v, 1, type);
	pb_sint(&v, 2, unit);
	pbout_msg(o, field, &v);
}

/* pprof_emit writes the counted stacks as a profile: values [count], or
 * [count, v2] when ptype is not empty (a period > 0 makes it a CPU profile). */
static bool pprof_emit(struct pwriter *w, int fd, const char *type, const char *unit, const char *ptype,
		       const char *punit, int64_t period, int64_t duration)
{
	struct pbout *o = malloc(sizeof *o);
	if (!o) return false;
	pbout_init(o, fd);
	str_id(&w->st, "");
	int64_t t1 = str_id(&w->st, type), u1 = str_id(&w->st, unit);
	int64_t pt = str_id(&w->st, ptype), pu = str_id(&w->st, punit);
	valuetype(o, 1, t1, u1);
	if (*ptype) valuetype(o, 1, pt, pu);
	uint8_t b[1024];
	for (size_t i = 0; i < w->nstacks; i++) {
		struct pstack *s = &w->stacks[i];
		struct pbuf m = PBUF(b);
		for (uint32_t k = 0; k < s->n; k++) {
			/* A caller's pc is a return address: the call is before it. */
			uint64_t pc = k ? s->pc[k] - 1 : s->pc[k];
			pb_varint(&m, 1, loc_id(w, pc));
		}
		pb_sint(&m, 2, s->count);
		if (*ptype) pb_sint(&m, 2, s->v2);
		pbout_msg(o, 2, &m);
	}
	/* One mapping, the executable; the profile carries its symbols. */
	struct pbuf m = PBUF(b);
	pb_varint(&m, 1, 1);
	pb_varint(&m, 2, 0);
	pb_varint(&m, 3, 0x7fffffffffffull);
	pb_sint(&m, 5, str_id(&w->st, executable_path ? executable_path : ""));
	pb_varint(&m, 7, 1);
	pb_varint(&m, 8, 1);
	pb_varint(&m, 9, 1);
	pbout_msg(o, 3, &m);
	for (size_t i = 0; i < w->nlocs; i++) {
		uint8_t lb[32];
		struct pbuf l = PBUF(b), ln = PBUF(lb);
		pb_varint(&l, 1, i + 1);
		pb_varint(&l, 2, 1);
		pb_varint(&l, 3, w->locs[i].pc);
		pb_varint(&ln, 1, w->locs[i].fn);
		pb_sint(&ln, 2, w->locs[i].line);
		pb_msg(&l, 4, &ln);
		pbout_msg(o, 4, &l);
	}
	for (size_t i = 0; i < w->nfns; i++) {
		struct pbuf f = PBUF(b);
		pb_varint(&f, 1, i + 1);
		pb_sint(&f, 2, w->fns[i].name);
		pb_sint(&f, 3, w->fns[i].name);
		pb_sint(&f, 4, w->fns[i].file);
		pbout_msg(o, 5, &f);
	}
	if (period) {
		struct pbuf t = PBUF(b);
		pb_sint(&t, 9, walltime() - duration);
		pb_sint(&t, 10, duration);
		pbout_write(o, t.p, t.n);
		valuetype(o, 11, pt, pu);
		t = PBUF(b);
		pb_sint(&t, 12, period);
		pbout_write(o, t.p, t.n);
	}
	for (size_t i = 0; i < w->st.n; i++) {
		struct pbuf s = {(uint8_t *)w->st.s[i], strlen(w->st.s[i]), strlen(w->st.s[i]), false};
		pbout_msg(o, 6, &s);
	}
	pbout_flush(o);
	bool ok = !o->err;
	free(o);
	return ok;
}

static void pwriter_free(struct pwriter *w)
{
	for (size_t i = 0; i < w->st.n; i++) free(w->st.s[i]);
	free(w->st.s);
	free(w->st.h);
	free(w->stacks);
	free(w->sh);
	free(w->locs);
	free(w->lh);
	free(w->fns);
	free(w->fnbyname);
}

static void cpuprof_atexit(void)
{
	if (!cpuprof_on || sys_getpid() != cpuprofpid) return; /* a fork's child writes nothing */
	cpuprof_on = false;
	struct pwriter w;
	memset(&w, 0, sizeof w);
	uint64_t n = atomic_load(&nsample);
	if (n > samplecap) {
		printf_raw("gort: CPU profile: %lu samples lost (buffer full)\n", (unsigned long)(n - samplecap));
		n = samplecap;
	}
	bool ok = true;
	for (uint64_t i = 0; i < n && ok; i++) {
		uint32_t k = atomic_load_explicit(&samples[i].n, memory_order_acquire);
		if (k) ok = stack_add(&w, samples[i].pc, k, 1, PERIOD_NS);
	}
	if (!ok || !pprof_emit(&w, cpuproffd, "samples", "count", "cpu", "nanoseconds", PERIOD_NS,
			       nanotime() - cpuprof_start))
		printf_raw("gort: could not write the CPU profile to %s\n", cpuprofpath);
	sys_close(cpuproffd);
	cpuproffd = -1;
	pwriter_free(&w);
}

void cpuprof_libc_ready(void)
{
	if (cpuprof_on) atexit(cpuprof_atexit);
}

/* cpuprof_init reads GORT_CPUPROFILE (from trace_init: not in secure mode). */
void cpuprof_init(void)
{
	const char *path = gogetenv("GORT_CPUPROFILE");
	if (!path || !*path) return;
	int fd = (int)rawsyscall6(SYS_openat, AT_FDCWD, (long)path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644, 0, 0);
	if (fd < 0) {
		printf_raw("gort: ignoring GORT_CPUPROFILE=%s: cannot create it (errno %d); no profile\n", path, -fd);
		return;
	}
	size_t bytes = 64u << 20; /* reserved, touched as samples arrive: 2 hours of one busy thread */
	void *p = sys_mmap(NULL, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (sys_mmap_failed(p)) {
		printf_raw("gort: ignoring GORT_CPUPROFILE=%s: no memory for samples; no profile\n", path);
		sys_close(fd);
		return;
	}
	samples = p;
	samplecap = bytes / sizeof *samples;
	cpuproffd = fd;
	cpuprofpath = path;
	cpuprof_start = nanotime();
	cpuprofpid = sys_getpid();
	cpuprof_on = true;
}

/* ---- gort_profile_write ---- */

/* The goroutine profile: every live goroutine's stack, counted by stack
 * (Go's pprof.Lookup("goroutine")). A snapshot without stopping the world:
 * a goroutine running on another thread is shown where it last switched. */
static bool goroutine_profile(int fd)
{
	struct pwriter w;
	memset(&w, 0, sizeof w);
	size_t cap = 1024, n = 0;
	uint64_t *pcs = malloc(cap * MAXFRAMES * sizeof *pcs);
	uint32_t *lens = malloc(cap * sizeof *lens);
	bool ok = pcs && lens;
	struct g *self = getg();
	lock(&allglock);
	for (struct g *gp = allgs; gp && ok; gp = gp->alllink) {
		uint32_t s = atomic_load(&gp->status);
		if (s == Gdead || s == Gidle || gp->goid <= 0 || !gp->stack_lo) continue;
		if (n == cap) {
			cap *= 2;
			uint64_t *np = realloc(pcs, cap * MAXFRAMES * sizeof *pcs);
			uint32_t *nl = realloc(lens, cap * sizeof *lens);
			if (np) pcs = np;
			if (nl) lens = nl;
			if (!np || !nl) {
				ok = false;
				break;
			}
		}
		uint64_t *pc = pcs + n * MAXFRAMES;
		uint32_t k = 0;
		uintptr_t bp, lo = gp->stack_lo, hi = gp->stack_hi;
		if (gp == self) {
			/* This function's caller and up (frame pointers kept). */
			bp = *(uintptr_t *)__builtin_frame_address(0);
			pc[k++] = (uintptr_t)__builtin_return_address(0);
		} else {
			/* Where the switch returns, then the frames above it. */
			pc[k++] = gp->sched.pc;
			bp = gp->sched.bp;
		}
		while (k < MAXFRAMES && bp >= lo && bp + 16 <= hi && !(bp & 7)) {
			uintptr_t next = ((uintptr_t *)bp)[0], ret = ((uintptr_t *)bp)[1];
			if (!ret) break;
			pc[k++] = ret;
			if (next <= bp) break;
			bp = next;
		}
		lens[n++] = k;
	}
	unlock(&allglock);
	for (size_t i = 0; i < n && ok; i++) ok = stack_add(&w, pcs + i * MAXFRAMES, lens[i], 1, 0);
	if (ok) ok = pprof_emit(&w, fd, "goroutine", "count", "", "", 0, 0);
	pwriter_free(&w);
	free(pcs);
	free(lens);
	return ok;
}

/* ---- block and mutex profiles ----
 * Waits recorded by the M that runs the waiter next (obs_gostart_slow,
 * metrics.c): the waiter's stack is where it parked, its saved context.
 * A table of stacks under a spinlock, in memory that is never freed (a
 * bounded number of distinct stacks: past it, waits are dropped). */
enum { BPMAX = 4096, BPFRAMES = 32 };
struct bpentry {
	uint32_t n;
	uint64_t pc[BPFRAMES];
	int64_t count, ns;
};
struct bptable {
	struct spinlock lk;
	struct bpentry *e; /* BPMAX entries, open addressing */
	size_t used;
};
static struct bptable blocktab, mutextab;
static int64_t blockrate, mutexrate;

static void bp_add(struct bptable *t, const uint64_t *pc, uint32_t n, int64_t ns)
{
	spin_lock(&t->lk);
	if (!t->e) {
		void *p = sys_mmap(NULL, BPMAX * sizeof *t->e, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (sys_mmap_failed(p)) goto out;
		t->e = p;
	}
	uint64_t h = stackhash(pc, n);
	for (size_t i = 0; i < BPMAX; i++) {
		struct bpentry *e = &t->e[(h + i) % BPMAX];
		if (e->n == n && !memcmp(e->pc, pc, n * sizeof *pc)) {
			e->count++;
			e->ns += ns;
			goto out;
		}
		if (!e->n) {
			if (t->used * 10 >= BPMAX * 9) goto out;
			t->used++;
			e->n = n;
			memcpy(e->pc, pc, n * sizeof *pc);
			e->count = 1;
			e->ns = ns;
			goto out;
		}
	}
out:
	spin_unlock(&t->lk);
}

void blockprof_record(struct g *gp, int64_t ns)
{
	/* Sampling: Go's rule, one wait per rate ns waited. */
	int64_t br = blockrate, mr = mutexrate;
	bool inblock = br > 0 && (br <= 1 || ns >= br || (int64_t)(fastrand() % (uint64_t)br) < ns);
	bool inmutex = mr > 0 && atomic_load_explicit(&gp->waitreason, memory_order_relaxed) == waitMutex &&
		       (mr <= 1 || fastrand() % (uint64_t)mr == 0);
	if (!inblock && !inmutex) return;
	uint64_t pc[BPFRAMES];
	uint32_t n = 0;
	uintptr_t bp = gp->sched.bp, lo = gp->stack_lo, hi = gp->stack_hi;
	pc[n++] = gp->sched.pc;
	while (n < BPFRAMES && bp >= lo && bp + 16 <= hi && !(bp & 7)) {
		uintptr_t next = ((uintptr_t *)bp)[0], ret = ((uintptr_t *)bp)[1];
		if (!ret) break;
		pc[n++] = ret;
		if (next <= bp) break;
		bp = next;
	}
	if (inblock) bp_add(&blocktab, pc, n, ns);
	if (inmutex) bp_add(&mutextab, pc, n, ns);
}

int64_t gort_profile_set_rate(const char *kind, int64_t rate)
{
	int64_t *r = !kind ? NULL : !strcmp(kind, "block") ? &blockrate : !strcmp(kind, "mutex") ? &mutexrate : NULL;
	if (!r) {
		errno = EINVAL;
		return -1;
	}
	int64_t old = *r;
	*r = rate < 0 ? 0 : rate;
	if (blockrate > 0 || mutexrate > 0) atomic_fetch_or(&obs_on, OBS_BLOCK);
	else atomic_fetch_and(&obs_on, ~(uint32_t)OBS_BLOCK);
	return old;
}

static bool bp_profile(struct bptable *t, int fd)
{
	struct pwriter w;
	memset(&w, 0, sizeof w);
	struct bpentry *copy = malloc(BPMAX * sizeof *copy);
	if (!copy) return false;
	size_t n = 0;
	spin_lock(&t->lk);
	for (size_t i = 0; t->e && i < BPMAX; i++)
		if (t->e[i].n) copy[n++] = t->e[i];
	spin_unlock(&t->lk);
	bool ok = true;
	for (size_t i = 0; i < n && ok; i++) ok = stack_add(&w, copy[i].pc, copy[i].n, copy[i].count, copy[i].ns);
	if (ok) ok = pprof_emit(&w, fd, "contentions", "count", "delay", "nanoseconds", 0, 0);
	pwriter_free(&w);
	free(copy);
	return ok;
}

int gort_profile_write(const char *kind, int fd)
{
	if (!kind) {
		errno = EINVAL;
		return -1;
	}
	bool ok;
	if (!strcmp(kind, "goroutine")) {
		gort_entersyscall();
		ok = goroutine_profile(fd);
		gort_exitsyscall();
	} else if (!strcmp(kind, "block") || !strcmp(kind, "mutex")) {
		gort_entersyscall();
		ok = bp_profile(kind[0] == 'b' ? &blocktab : &mutextab, fd);
		gort_exitsyscall();
	} else {
		errno = EINVAL;
		return -1;
	}
	if (!ok) {
		errno = EIO;
		return -1;
	}
	return 0;
}
