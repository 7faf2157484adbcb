/* traceback.c: goroutine tracebacks (Go's traceback.go), printed on fatal
 * errors, crash signals, SIGQUIT and on demand (gort_traceback_all).
 *
 * Frames are walked through the frame-pointer chain (the runtime keeps
 * frame pointers; gortcc compiles programs with -fno-omit-frame-pointer).
 * Every frame pointer is checked to lie inside the goroutine's stack and to
 * grow upwards before it is read, so a corrupt chain ends the walk instead
 * of faulting. A parked goroutine's walk starts from its saved context;
 * one running on another thread cannot be walked safely and is said so.
 * Runtime-internal frames are hidden unless GOTRACEBACK=system; the public
 * gort_* frames are kept, so a parked goroutine shows which call it waits in.
 * A walk that would print no frame at all is done again with them (Go's
 * traceback1), and a g0's (a signal on an idle M or sysmon: "goroutine 0
 * [idle]:", as Go) always shows them.
 * Each frame gives file:line where the executable's DWARF line table has
 * it (dwarfline.c), then the pc and the offset in the function.
 * The header is Go's goroutineheader: the wait reason and, after a minute,
 * ", N minutes" (g->waitsince, sched.c's wait clock). After "created by",
 * GODEBUG=tracebackancestors adds the creators' stacks (proc.c).
 * Nothing here allocates or takes a lock other than printlock. */
#include <ucontext.h>
#include "runtime.h"
#include "unwind.h"

/* print_srcpos prints "file:line " for pc (the address inside the call for
 * a return address), when the executable's line table knows it. A crash
 * traceback of many goroutines asks for the same few pcs (where they
 * block) again and again, and each pcline runs line programs: a small
 * direct-mapped cache, under printlock (every caller holds it), answers
 * those. */
static void print_srcpos(uintptr_t pc)
{
	static struct {
		uintptr_t pc;
		bool ok;
		struct srcpos pos;
	} cache[256] COLDBSS;
	unsigned k = (unsigned)((pc >> 2) ^ (pc >> 10)) & 255;
	if (cache[k].pc != pc) {
		cache[k].ok = pcline(pc, &cache[k].pos);
		cache[k].pc = pc;
	}
	if (!cache[k].ok) return;
	const struct srcpos *p = &cache[k].pos;
	bool first = true;
	for (int i = 0; i < 3; i++) {
		if (!p->part[i]) continue;
		printf_raw("%s%s", first ? "" : "/", p->part[i]);
		first = false;
	}
	printf_raw(":%u ", p->line);
}

bool pc_in_runtime(uintptr_t pc)
{
	return __start_gort_text && pc >= (uintptr_t)__start_gort_text &&
	       pc < (uintptr_t)__stop_gort_text;
}

static const char *gstatus_str(struct g *gp)
{
	if (gp->goid == 0) return "idle"; /* a g0: Go's g0 is always _Gidle */
	static const char *const names[] = {"idle", "runnable", "running", "syscall",
					    "waiting", "dead", "preempted"};
	uint32_t s = atomic_load(&gp->status);
	if (s == Gwaiting) {
		uint32_t r = atomic_load(&gp->waitreason);
		if (r > waitNone && r < waitReasonCount) return waitreason_strings[r];
	}
	return s < 7 ? names[s] : "???";
}

/* print_frame prints one frame; pc is exact for the first frame, a return
 * address (so pc-1 is inside the call) for the others. all: runtime frames
 * too. Returns FRAME_END at the outermost frame of a goroutine
 * (gort_gostart), FRAME_HIDDEN for a runtime frame it did not print. */
enum { FRAME_END, FRAME_PRINTED, FRAME_HIDDEN };
static int print_frame(uintptr_t pc, bool exact, bool all)
{
	uintptr_t off = 0, look = exact ? pc : pc - 1, liboff = 0;
	const char *libn = NULL;
	const char *name = funcname(look, &off);
	if (!exact) off++;
	if (name && __builtin_strcmp(name, "gort_gostart") == 0) return FRAME_END;
	bool rt = pc_in_runtime(look);
	/* The public gort_* calls show where a goroutine waits; the
	 * preemption trampoline and its C half are the runtime's own. */
	bool public = name && name[0] == 'g' && __builtin_strncmp(name, "gort_", 5) == 0 &&
		      __builtin_strncmp(name, "gort_asyncpreempt", 17) != 0;
	if (rt && !public && gotraceback_level < 3 && !all) return FRAME_HIDDEN;
	if (name) {
		printf_raw("%s(...)\n\t", name);
		print_srcpos(look);
		printf_raw("pc=0x%lx +0x%lx\n", (unsigned long)pc, (unsigned long)off);
	} else if (unwind_libname(look, &libn, &liboff, &name, &off)) {
		/* A shared object: its exported name where one covers pc. */
		if (!exact) off++, liboff++;
		if (name) printf_raw("%s(...)\n\t%s+0x%lx pc=0x%lx +0x%lx\n", name, libn, (unsigned long)liboff,
				     (unsigned long)pc, (unsigned long)off);
		else printf_raw("?? (%s+0x%lx)\n\tpc=0x%lx\n", libn, (unsigned long)liboff, (unsigned long)pc);
	} else {
		char lib[128];
		long o = mapname(look, lib, sizeof lib);
		if (o >= 0) printf_raw("?? (%s+0x%lx)\n\tpc=0x%lx\n", lib, (unsigned long)o, (unsigned long)pc);
		else printf_raw("??\n\tpc=0x%lx\n", (unsigned long)pc);
	}
	return FRAME_PRINTED;
}

/* print_walk prints the frames of a walk (unwind.c: call frame
 * information, then frame pointers, then a stack scan where neither is
 * there), up to the goroutine's start function. Runtime frames are left
 * out unless all; if that leaves nothing, the walk is done again with them
 * (Go's traceback1): a section is never empty. */
static void print_walk(struct unwinder *u, bool all)
{
	unwind_modules();
	struct unwinder start = *u;
	int printed = 0;
	for (;;) {
		int r = print_frame(unwind_pc(u), u->exact, all);
		if (r == FRAME_END) break;
		printed += r == FRAME_PRINTED;
		if (!unwind_next(u)) break;
		if (u->nframes >= UNWIND_MAXFRAMES - 1) {
			printf_raw("...additional frames elided...\n");
			return;
		}
	}
	if (!printed && !all) {
		*u = start;
		print_walk(u, true);
	}
}

/* print_frames walks from a pc, sp and frame pointer within [lo, hi). */
void print_frames(uintptr_t pc, uintptr_t sp, uintptr_t bp, uintptr_t lo, uintptr_t hi)
{
	struct unwinder u;
	unwind_init(&u, pc, sp, bp);
	unwind_addstack(&u, lo, hi);
	print_walk(&u, false);
}

/* wait_minutes: how long gp has waited, in whole minutes (Go's waitfor,
 * goroutineheader), for a goroutine that waits or is in a system call and
 * whose wait start is known (sched.c, the wait clock). Rounded down, and
 * one clock unit (67 ms) less than the stamps say, since the stamp may be
 * that much older than the park: never more than the wait. */
static int64_t wait_minutes(struct g *gp)
{
	uint32_t s = atomic_load(&gp->status);
	if (s != Gwaiting && s != Gsyscall) return 0;
	uint32_t since = atomic_load_explicit(&gp->waitsince, memory_order_relaxed);
	if (!since) return 0;
	uint32_t now = waitclock_of(nanotime() + (int64_t)debug.waitshift * 1000000000);
	uint32_t d = now - since; /* modulo 2^32 units: 9 years */
	if (d) d--;
	return (int64_t)(((uint64_t)d << WAITCLOCK_SHIFT) / 60000000000ull);
}

/* print_header: Go's goroutineheader, "goroutine 5 [chan receive, 2
 * minutes, locked to thread]:". */
static void print_header(struct g *gp)
{
	printf_raw("goroutine %ld [%s", (long)gp->goid, gstatus_str(gp));
	int64_t min = wait_minutes(gp);
	if (min >= 1) printf_raw(", %ld minutes", (long)min);
	printf_raw("%s]:\n", gp->lockedm ? ", locked to thread" : "");
}

static void print_createdby_pc(uintptr_t gopc)
{
	if (!gopc) return;
	uintptr_t off;
	const char *name = funcname(gopc - 1, &off);
	printf_raw("created by %s\n\t", name ? name : "??");
	print_srcpos(gopc - 1);
	printf_raw("pc=0x%lx +0x%lx\n", (unsigned long)gopc, (unsigned long)off + 1);
}

/* print_ancestors: GODEBUG=tracebackancestors, the stacks gp's creators
 * had when they created it (Go's printAncestorTraceback): a section
 * "[originating from goroutine N]:" each, and what created that one
 * unless it is goroutine 1. The block (proc.c save_ancestors) may be
 * rewritten under a reader whose G dies and is reused meanwhile: every
 * index is checked against the block's size, so the worst is a wrong
 * frame, never a read outside it. */
static void print_ancestors(struct g *gp)
{
	struct ancestors *an = gp->ancestors;
	if (!an || debug.tracebackancestors <= 0) return;
	size_t size = an->size, n = an->n, head = sizeof *an + n * sizeof(struct ancestor);
	if (head > size) return;
	size_t cap = (size - head) / sizeof(uintptr_t);
	const uintptr_t *pcs = ancestors_pcs(an);
	unwind_modules();
	for (size_t i = 0; i < n; i++) {
		struct ancestor e = an->a[i];
		printf_raw("[originating from goroutine %ld]:\n", (long)e.goid);
		if (e.first > cap || e.npcs > cap - e.first) continue;
		for (uint32_t k = 0; k < e.npcs; k++)
			if (print_frame(pcs[e.first + k], false, false) == FRAME_END) break;
		if (e.npcs >= UNWIND_MAXFRAMES) printf_raw("...additional frames elided...\n");
		if (e.goid != 1) print_createdby_pc(e.gopc);
	}
}

static void print_createdby(struct g *gp)
{
	print_createdby_pc(gp->gopc);
	print_ancestors(gp);
}

/* traceback_ctx prints gp's stack starting at an interrupted context (a
 * signal's ucontext_t: every register, so the first frames of code without
 * frame pointers unwind too). */
void traceback_ctx(struct g *gp, const void *ucv)
{
	const ucontext_t *uc = ucv;
	uintptr_t sp = uc->uc_mcontext.gregs[REG_RSP];
	printlock();
	print_header(gp);
	struct unwinder u;
	unwind_init_uc(&u, uc);
	/* Reads stay within the stack: after an overflow sp is in the guard
	 * or below it, where nothing is mapped; the first frame's CFA (or
	 * frame pointer) leads back into the stack. */
	if (gp->stack_lo) unwind_addstack(&u, gp->stack_lo, gp->stack_hi);
	else unwind_addstack(&u, sp, sp + 65536);
	/* A thread's g0 (the scheduler, sysmon, an idle M): its frames are
	 * all the runtime's, shown, as Go's SIGQUIT shows goroutine 0's. */
	print_walk(&u, gp->goid == 0);
	print_createdby(gp);
	printunlock();
}

/* traceback_g prints one goroutine. current: gp is the caller itself. */
void traceback_g(struct g *gp, int fd, bool current)
{
	(void)fd;
	printlock();
	print_header(gp);
	uint32_t s = atomic_load(&gp->status);
	if (current) {
		uintptr_t bp = (uintptr_t)__builtin_frame_address(0);
		uintptr_t lo = gp->stack_lo, hi = gp->stack_hi;
		if (!(bp >= lo && bp < hi)) {
			/* Called on g0 on behalf of gp: walk g0's stack. */
			struct g *g0p = gp->m ? gp->m->g0 : &g0;
			lo = g0p->stack_lo;
			hi = g0p->stack_hi;
		}
		/* From this function's caller: its return address, the
		 * stack pointer above it, its saved frame pointer. */
		struct unwinder u;
		unwind_init(&u, (uintptr_t)__builtin_return_address(0), bp + 16, ((uintptr_t *)bp)[0]);
		u.exact = false;
		unwind_addstack(&u, lo, hi);
		print_walk(&u, false);
	} else if ((s == Grunning || s == Gsyscall) && gp->m && gp->m->g0 == getg() &&
		   gp->sched.sp >= gp->stack_lo && gp->sched.sp < gp->stack_hi) {
		/* This thread's goroutine, switched to g0 (a crash or SIGQUIT
		 * handled there): its context is saved (Go's tracebackothers
		 * shows curg from its gobuf). */
		print_frames(gp->sched.pc, gp->sched.sp, gp->sched.bp, gp->stack_lo, gp->stack_hi);
	} else if (s == Grunning || s == Gsyscall) {
		printf_raw("\tgoroutine running on other thread; stack unavailable\n");
	} else if (!gp->stack_lo) {
		printf_raw("\tnot yet started\n");
	} else {
		print_frames(gp->sched.pc, gp->sched.sp, gp->sched.bp, gp->stack_lo, gp->stack_hi);
	}
	print_createdby(gp);
	printunlock();
}

/* traceback_all prints cur first, then every other live goroutine. */
void traceback_all(int fd, struct g *cur)
{
	printlock();
	if (cur && cur->goid) {
		traceback_g(cur, fd, cur == getg() || (cur->m && cur->m->curg == cur && getg() == cur->m->g0));
	}
	int64_t shown = cur && cur->goid;
	for (struct g *gp = __atomic_load_n(&allgs, __ATOMIC_ACQUIRE); gp; gp = gp->alllink) {
		if (gp == cur || atomic_load(&gp->status) == Gdead || gp->goid == 0) continue;
		if (shown >= 10000) {
			printf_raw("...additional goroutines elided...\n");
			break;
		}
		if (shown++) print_str("\n");
		traceback_g(gp, fd, false);
	}
	printunlock();
}

void gort_traceback_all(int fd)
{
	printlock();
	int old = printfd;
	printfd = fd;
	struct g *gp = scheduler_started ? getg() : NULL;
	if (gp && gp->m && gp == gp->m->g0) gp = NULL;
	traceback_all(fd, gp);
	print_flush();
	printfd = old;
	printunlock();
}
