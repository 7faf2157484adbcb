/* signal_linux.c: every signal the runtime handles, in one place (Go's
 * signal_unix.go): crash signals, SIGQUIT and SIGURG (preemption).
 *
 * Handlers run on a per-M alternate signal stack, so a goroutine that
 * overflows into its guard still gets a clear "fatal error: stack
 * overflow". Signals the program handles itself are left to it:
 *   - a crash signal (SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGABRT) or SIGQUIT
 *     that already has a handler when the runtime starts keeps it; a
 *     handler the program installs later replaces the runtime's, as in C;
 *   - SIGURG is shared: a handler that was installed before the runtime's
 *     is called after the preemption check (see README, "Signals").
 *
 * Asynchronous preemption (Go's asyncPreempt): sysmon sets gp->preempt
 * and sends SIGURG to the M. If the interrupted pc is a safe point, the
 * handler makes the interrupted context call gort_asyncpreempt, which saves
 * every register and yields. Safe points are pcs in the program's own code:
 * never in the runtime (gort_text) and never in the C library, which may
 * hold a lock that the next goroutine on this thread needs. In a dynamically
 * linked program the libc is a separate object, so "the executable's text
 * minus the runtime" is exact but for the PLT stubs, which the runtime
 * calls too (isasyncsafepoint); in a static program the libc's code is in
 * the executable and only gort.ld (gortcc) separates it (gort_systext):
 * static programs linked without it are preempted only cooperatively. */
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <ucontext.h>
#include "runtime.h"
#include "trace.h"
#include "netpoll.h"
#include "iohooks.h"
#include "unwind.h"

/* ---- the raw rt_sigaction ----
 * The runtime installs its handlers with the system call itself: in a
 * program linked with the hooks, `sigaction` is the hook below. The
 * kernel's struct differs from the libc's: the first 64 signals' mask,
 * and a restorer (asm_amd64.S) that every handler needs. */
struct ksigaction {
	void *handler;
	unsigned long flags;
	void (*restorer)(void);
	uint64_t mask;
};
#ifndef SA_RESTORER
#define SA_RESTORER 0x04000000
#endif
static int sys_sigaction(int sig, const struct sigaction *act, struct sigaction *old)
{
	struct ksigaction k, ko;
	if (act) {
		k.handler = (void *)act->sa_handler;
		k.flags = (unsigned long)act->sa_flags | SA_RESTORER;
		k.restorer = gort_sigreturn;
		memcpy(&k.mask, &act->sa_mask, sizeof k.mask);
	}
	long r = rawsyscall6(SYS_rt_sigaction, sig, act ? (long)&k : 0, old ? (long)&ko : 0, 8, 0, 0);
	if (r < 0) {
		errno = (int)-r;
		return -1;
	}
	if (old) {
		memset(old, 0, sizeof *old);
		old->sa_handler = (void (*)(int))ko.handler;
		old->sa_flags = (int)(ko.flags & ~(unsigned long)SA_RESTORER);
		memcpy(&old->sa_mask, &ko.mask, sizeof ko.mask);
	}
	return 0;
}

#define ALTSTACKSIZE (64 << 10)

static const int crashsigs[] = {SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGABRT, SIGQUIT};
/* Handlers found at install time, for the few signals we handle: kept
 * compact so that boot touches one page of it, not three. */
static struct {
	int sig;
	struct sigaction sa;
} fwd[8];

static struct sigaction *fwdof(int sig)
{
	for (size_t i = 0; i < sizeof fwd / sizeof fwd[0]; i++) {
		if (fwd[i].sig == sig) return &fwd[i].sa;
		if (fwd[i].sig == 0) {
			fwd[i].sig = sig;
			return &fwd[i].sa;
		}
	}
	throw("signal forwarding table full");
}
static sigset_t initmask;         /* m0's mask at start-up, given to new Ms */
static bool asyncpreempt_ok;      /* safe points can be told apart */
static bool fderule;              /* ... by call frame information (isasyncsafepoint) */

static const char *signame(int sig)
{
	switch (sig) {
	case SIGSEGV: return "SIGSEGV: segmentation violation";
	case SIGBUS: return "SIGBUS: bus error";
	case SIGFPE: return "SIGFPE: floating-point exception";
	case SIGILL: return "SIGILL: illegal instruction";
	case SIGABRT: return "SIGABRT: abort";
	case SIGQUIT: return "SIGQUIT: quit";
	}
	return "signal";
}

static bool isuserhandler(const struct sigaction *sa)
{
	return (sa->sa_flags & SA_SIGINFO) ? sa->sa_sigaction != NULL
					   : sa->sa_handler != SIG_DFL && sa->sa_handler != SIG_IGN;
}

/* The program's SIGURG handler when it installed one after gort's
 * (sigurg_reclaim): replaced whole by sysmon, read by handlers on any
 * thread, so a pointer to a copy that is never freed. */
static struct sigaction *_Atomic urgfwd;

static void forward(int sig, siginfo_t *info, void *ctx)
{
	struct sigaction *sa = fwdof(sig);
	if (sig == SIGURG) {
		struct sigaction *u = atomic_load_explicit(&urgfwd, memory_order_acquire);
		if (u) sa = u;
	}
	if (sa->sa_flags & SA_SIGINFO) sa->sa_sigaction(sig, info, ctx);
	else if (sa->sa_handler != SIG_DFL && sa->sa_handler != SIG_IGN) sa->sa_handler(sig);
}

/* at_stub: the instruction at pc (in the executable's code) is one a PLT
 * entry is made of: jmp *GOT(%rip) (maybe bnd), push $index then jmp
 * (lazy binding), push GOT+8(%rip) (the PLT's first entry), each maybe
 * after endbr64. */
static bool at_stub(uintptr_t pc)
{
	const uint8_t *c = (const uint8_t *)pc;
	if (pc + 16 > (uintptr_t)etext) return false;
	if (c[0] == 0xf3 && c[1] == 0x0f && c[2] == 0x1e && c[3] == 0xfa) c += 4; /* endbr64 */
	if (c[0] == 0xf2) c++;                                                    /* bnd */
	if (c[0] == 0xff && (c[1] == 0x25 || c[1] == 0x35)) return true;
	return c[0] == 0x68 && (c[5] == 0xe9 || (c[5] == 0xf2 && c[6] == 0xe9));
}

/* isasyncsafepoint: may gp be stopped at this context? */
static bool isasyncsafepoint(struct g *gp, ucontext_t *uc)
{
	uintptr_t pc = uc->uc_mcontext.gregs[REG_RIP];
	uintptr_t sp = uc->uc_mcontext.gregs[REG_RSP];
	if (!asyncpreempt_ok || !etext) return false;
	if (pc < (uintptr_t)__executable_start || pc >= (uintptr_t)etext) return false;
	if (pc_in_runtime(pc)) return false;
	if (__start_gort_systext && pc >= (uintptr_t)__start_gort_systext &&
	    pc < (uintptr_t)__stop_gort_systext)
		return false;
	/* A static musl program linked with the bare flags has no
	 * gort_systext, but musl is built without call frame information
	 * and the program's compiler emits it: code with an FDE is the
	 * program's (or libgcc's, which holds no lock). */
	if (fderule && !unwind_exe_hasfde(pc)) return false;
	/* On its own stack, with room for the trampoline's frame. */
	if (sp < gp->stack_lo + 16384 || sp > gp->stack_hi) return false;
	if (gp->syscallnest || gp->lockedcount < 0) return false;
	/* A PLT stub is in the executable's text but is part of its caller's
	 * call: the runtime calls clock_gettime, memcpy and malloc through
	 * one (a dynamic program's PLT, a static glibc's IFUNC stubs). A
	 * goroutine stopped in a stub called from the runtime (gopark's
	 * nanotime, with a select's channel locks held) left those locks held
	 * for good: the next operation on the channel spun for ever
	 * (test/stress, 1 run in 15). So at a stub's instructions (an indirect
	 * jump through the GOT, lazy binding's pushes, each maybe after
	 * endbr64) a return address into the runtime or the libc at the top
	 * of the stack (lazy binding pushes one or two words above it) means
	 * "not here". Only there: a frameless loop called by gort_gostart has
	 * the runtime's return address at the top of its stack for good. */
	if (at_stub(pc)) {
		for (int i = 0; i < 3 && sp + 8 * (i + 1) <= gp->stack_hi; i++) {
			uintptr_t ra = ((const uintptr_t *)sp)[i] - 1;
			if (pc_in_runtime(ra) || (__start_gort_systext && ra >= (uintptr_t)__start_gort_systext &&
						  ra < (uintptr_t)__stop_gort_systext))
				return false;
		}
	}
	return true;
}

/* injectcall makes the interrupted context call gort_asyncpreempt: below
 * the red zone it stores the interrupted pc and rsp, then resumes there. */
static void injectcall(ucontext_t *uc)
{
	greg_t *r = uc->uc_mcontext.gregs;
	uintptr_t sp = r[REG_RSP] - 128 - 16;
	((uintptr_t *)sp)[0] = r[REG_RIP];
	((uintptr_t *)sp)[1] = r[REG_RSP];
	r[REG_RSP] = sp;
	r[REG_RIP] = (uintptr_t)gort_asyncpreempt;
}

/* gort_asyncpreempt2 runs on the preempted goroutine's stack, all its
 * registers saved by the trampoline at regs (asm_amd64.S). Either a
 * blocking call to re-issue without the P (sysblock.c), or a preemption. */
__attribute__((used)) void gort_asyncpreempt2(uintptr_t *regs)
{
	if (sysblock_reissue(regs)) return;
	struct g *gp = getg();
	if (gp->preempt) {
		gp->preempt = false;
		gopreempt();
	}
}

static _Noreturn void crash(int sig, siginfo_t *info, ucontext_t *uc, struct g *gp)
{
	uintptr_t pc = uc->uc_mcontext.gregs[REG_RIP];
	uintptr_t sp = uc->uc_mcontext.gregs[REG_RSP];
	uintptr_t addr = (uintptr_t)info->si_addr;
	struct m *mp = gp ? gp->m : NULL;
	struct g *cur = mp && mp->curg ? mp->curg : gp;
	fatal_begin();
	printlock();
	/* A stack overflow: the fault is in the goroutine's guard, or below
	 * the goroutine's stack with sp there too (one frame jumped the guard;
	 * gortcc's -fstack-clash-protection prevents it, plain flags may not). */
	bool below = cur && cur->stack_lo && sp < cur->stack_lo && addr < cur->stack_lo &&
		     (addr >= sp ? addr - sp : sp - addr) < 65536 &&
		     !(mp && mp->g0 && sp >= mp->g0->stack_lo && sp < mp->g0->stack_hi);
	if (sig == SIGSEGV && cur && (stack_isguard(cur, addr) || below)) {
		printf_raw("runtime: goroutine %ld stack exceeds %lu-byte limit\n", (long)cur->goid,
			   (unsigned long)(cur->stack_hi - cur->stack_lo));
		printf_raw("runtime: sp=0x%lx stack=[0x%lx, 0x%lx]\n", (unsigned long)sp,
			   (unsigned long)cur->stack_lo, (unsigned long)cur->stack_hi);
		printf_raw("fatal error: stack overflow\n\n");
	} else {
		/* SIGQUIT is a request, not a fault: Go prints no fatal error. */
		if (sig != SIGQUIT && pc_in_runtime(pc))
			printf_raw("fatal error: unexpected signal during runtime execution\n");
		printf_raw("%s\nPC=0x%lx m=%ld sigcode=%d", signame(sig), (unsigned long)pc,
			   mp ? (long)mp->id : -1L, info->si_code);
		/* si_addr means something only for a fault; a signal that a
		 * process sent (kill, tgkill, sigqueue, abort: si_code <= 0)
		 * carries its sender there instead, named as such (as Go's
		 * "sent by" note; a bare addr= was the sender's pid). */
		if (info->si_code <= 0)
			printf_raw(" sent by pid %d (uid %d)%s\n\n", (int)info->si_pid, (int)info->si_uid,
				   info->si_pid == (pid_t)rawsyscall(SYS_getpid, 0, 0, 0) ? ", this process" : "");
		else if (sig == SIGSEGV || sig == SIGBUS || sig == SIGILL || sig == SIGFPE || sig == SIGTRAP)
			printf_raw(" addr=0x%lx\n\n", (unsigned long)addr);
		else
			printf_raw("\n\n");
	}
	if (gotraceback_level > 0) {
		/* The interrupted code first (Go's sighandler: goroutineheader
		 * and tracebacktrap of the signal's g). A signal on g0 (the
		 * scheduler, an idle M, sysmon: SIGQUIT lands on whichever
		 * thread the kernel picks) walks g0, "goroutine 0 [idle]:" as in
		 * Go, its runtime frames shown; the goroutine the thread was
		 * running, if any, then comes with the others (tracebackothers
		 * shows curg first). A thread gort did not make has no section. */
		struct g *shown = NULL;
		if (cur && cur->goid) {
			/* A fault on g0 walks g0. Elsewhere it is the goroutine's,
			 * also with sp below its guard (a frame that jumped it). */
			struct g *g0p = mp ? mp->g0 : NULL;
			bool ong0 = g0p && g0p->stack_hi && sp >= g0p->stack_lo && sp < g0p->stack_hi;
			if (!ong0 || (sp >= cur->stack_lo && sp < cur->stack_hi) || stack_isguard(cur, sp)) {
				traceback_ctx(cur, uc);
				shown = cur;
			} else {
				traceback_ctx(g0p, uc);
				if (gotraceback_level < 2 && sig != SIGQUIT) {
					print_str("\n");
					traceback_g(cur, 2, false);
				}
			}
		} else if (mp) {
			traceback_ctx(mp->g0, uc);
		}
		if (gotraceback_level >= 2 || sig == SIGQUIT) {
			for (struct g *g1 = __atomic_load_n(&allgs, __ATOMIC_ACQUIRE); g1; g1 = g1->alllink) {
				if (g1 == shown || atomic_load(&g1->status) == Gdead || !g1->goid) continue;
				print_str("\n");
				traceback_g(g1, 2, false);
			}
		}
	}
	printunlock();
	trace_atfatal(); /* GORT_TRACE, GORT_TRACE_FLIGHT: the last moments (trace.c) */
	if (gotraceback_level >= 4 || (sig == SIGQUIT && gotraceback_level >= 4)) {
		struct sigaction dfl;
		memset(&dfl, 0, sizeof dfl);
		dfl.sa_handler = SIG_DFL;
		sys_sigaction(sig == SIGQUIT ? SIGABRT : sig, &dfl, NULL);
		sigset_t s;
		sigemptyset(&s);
		sigaddset(&s, sig == SIGQUIT ? SIGABRT : sig);
		sigprocmask(SIG_UNBLOCK, &s, NULL);
		/* The raw tgkill, not the libc's raise: the core's crashing
		 * thread then stops in this function, whose call frame
		 * information gdb reads up through gort_sigreturn's signal
		 * frame to the fault (musl's raise has none: gdb stopped
		 * there). */
		sys_tgkill(rawsyscall(SYS_getpid, 0, 0, 0), gettid_raw(), sig == SIGQUIT ? SIGABRT : sig);
	}
	exit_raw(2);
}

static void sighandler(int sig, siginfo_t *info, void *ctx)
{
	int saved = errno;
	ucontext_t *uc = ctx;
	struct g *gp = getg();
	if (sig == SIGURG) {
		if (gp && gp->m && sysblock_signal(gp, uc))
			injectcall(uc);
		else if (gp && gp->m && gp->m->curg == gp && gp != gp->m->g0 && gp->preempt &&
		    !debug.asyncpreemptoff && isasyncsafepoint(gp, uc))
			injectcall(uc);
		forward(sig, info, ctx);
		errno = saved;
		return;
	}
	crash(sig, info, uc, gp);
}

static void install(int sig)
{
	struct sigaction sa, old;
	memset(&sa, 0, sizeof sa);
	sa.sa_sigaction = sighandler;
	sa.sa_flags = SA_SIGINFO | SA_ONSTACK | SA_RESTART;
	sigfillset(&sa.sa_mask);
	sigdelset(&sa.sa_mask, SIGSEGV);
	sigdelset(&sa.sa_mask, SIGBUS);
	sigdelset(&sa.sa_mask, SIGFPE);
	sigdelset(&sa.sa_mask, SIGILL);
	/* One system call: install and learn what was there. A handler the
	 * program installed first (from a constructor) is put back. */
	sys_sigaction(sig, &sa, &old);
	/* Ours already (installed again): what was recorded the first time
	 * stands. Recording sighandler itself would make forward() call
	 * sighandler from sighandler, without end, at the next such signal. */
	if ((old.sa_flags & SA_SIGINFO) && old.sa_sigaction == sighandler) return;
	*fwdof(sig) = old;
	if (sig != SIGURG && isuserhandler(&old)) sys_sigaction(sig, &old, NULL);
}

/* initsig installs the crash handlers (a runtime init task). */
/* m0's alternate signal stack, from boot: a stack overflow in main before
 * any goroutine started needs somewhere to run the crash handler (it died
 * with a bare SIGSEGV, status 139). Static: no mmap at start-up, and its
 * pages cost nothing until a signal touches them. */
static char m0altstack[ALTSTACKSIZE] __attribute__((aligned(64))) COLDBSS;

void initsig(void)
{
	for (size_t i = 0; i < sizeof crashsigs / sizeof crashsigs[0]; i++) install(crashsigs[i]);
	/* m0 is this thread (init tasks run locked to it). A sanitizer's
	 * own alternate stack, set before, is kept. */
	stack_t old, ss = {.ss_sp = m0altstack, .ss_size = sizeof m0altstack, .ss_flags = 0};
	/* One system call in the usual case (installed, none was there). */
	if (sigaltstack(&ss, &old) == 0) {
		if (!(old.ss_flags & SS_DISABLE)) sigaltstack(&old, NULL); /* someone's: put back */
		else m0.gsignal_stack = m0altstack;
	}
}
GORT_RTINIT(signals, initsig);

/* initsig_preempt installs the SIGURG handler, when sysmon starts: once
 * per process image. A child forked without exec starts sysmon again
 * (fork.c), but it inherited all of this across fork: the handler, the
 * record of the program's handler in fwd, the forking thread's alternate
 * stack. Installing again would record gort's own handler as the one to
 * forward SIGURG to, and the child's first preemption signal would recurse
 * in sighandler until it ran off the alternate stack (the child died with
 * "unexpected signal during runtime execution" at sighandler's first
 * instructions); it would also ask m0, which in the child may be a thread
 * that no longer exists, for a second alternate stack. */
void initsig_preempt(void)
{
	static _Atomic bool done; /* copied by fork, as what it stands for */
	if (atomic_exchange(&done, true)) return;
	cpu_detect(); /* the trampoline needs to know whether xsave works */
	/* Installed by m0 itself (sigaltstack is per thread), if initsig
	 * could not. */
	if (!m0.gsignal_stack) m0.needaltstack = true;
	if (!m0.tid) m0.tid = sys_getpid(); /* the main thread's tid is the pid */
	bool dynamic = auxv_info.base != 0;
	/* Under valgrind, the handler's pushes below the interrupted stack
	 * pointer are writes memcheck reports as invalid: cooperative only. */
	/* Under ThreadSanitizer, signals reach the handler late (TSan holds
	 * them until the thread enters one of its interceptors) with the
	 * context saved when they arrived: the thread has moved on, and a
	 * call injected into that context would write below a stale stack
	 * pointer (a chan lock was lost that way, 1 run in 200 of the
	 * checkers' fifo workload). Cooperative only there too. */
	bool told = dynamic || __start_gort_systext != NULL;
#ifndef GORT_GLIBC
	/* The bare static musl link (no gort.ld): the program's code is what
	 * has call frame information (unwind.c's table of the executable's
	 * FDEs, built now; sysmon_start mapped the executable first). glibc's
	 * libc.a has call frame information too: no such rule there. */
	if (!told) {
		unwind_preload();
		/* Only if the program's main has an FDE: a program built
		 * without unwind tables stays cooperative. */
		extern int main(int, char **, char **);
		told = fderule = unwind_exe_hasfde((uintptr_t)main);
	}
#endif
	asyncpreempt_ok = told && !checkers_valgrind() && !checkers_tsan();
	install(SIGURG);
}

/* minitsignals: per-M signal set-up: an alternate stack, and the mask m0
 * started with. */
void minitsignals(struct m *mp)
{
	/* m0's alternate stack is initsig's (boot), or installed here when
	 * initsig found another one that has gone since. */
	if (mp == &m0 && !m0.needaltstack) return;
	mp->needaltstack = false;
	if (mp != &m0) pthread_sigmask(SIG_SETMASK, &initmask, NULL);
	void *p = sys_mmap(NULL, ALTSTACKSIZE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (sys_mmap_failed(p)) return;
	stack_t ss = {.ss_sp = p, .ss_size = ALTSTACKSIZE, .ss_flags = 0};
	stack_t old;
	sigaltstack(&ss, &old);
	if (mp == &m0 && !(old.ss_flags & SS_DISABLE) && old.ss_sp) {
		/* The program (a constructor) set one already: keep it. */
		sigaltstack(&old, NULL);
		return;
	}
	mp->gsignal_stack = p;
}

/* saveinitmask records m0's signal mask before the first new M, which
 * starts with it (the program may have blocked signals since: Go does the
 * same with the mask at the first thread creation). */
void saveinitmask(void)
{
	static _Atomic int saved;
	if (!atomic_exchange(&saved, 1)) sigprocmask(SIG_SETMASK, NULL, &initmask);
}

/* sigurg_reclaim: a program may install its own SIGURG handler after gort
 * installed the preemption handler (Go programs see SIGURG as a spare
 * signal too). Rather than lose preemption, sysmon looks, at most every
 * 100 ms and only when it is about to preempt, and if the handler is no
 * longer gort's, puts gort's back and forwards to the program's: both
 * run, as when the program's handler came first. Until then the
 * program's handler gets gort's SIGURGs and preemption waits. */
static void sigurg_reclaim(void)
{
	static _Atomic int64_t last; /* sysmon, or a goroutine stopping the world */
	int64_t now = nanotime();
	if (now - atomic_load(&last) < 100000000) return;
	atomic_store(&last, now);
	struct sigaction cur;
	if (sys_sigaction(SIGURG, NULL, &cur) != 0) return;
	if ((cur.sa_flags & SA_SIGINFO) && cur.sa_sigaction == sighandler) return;
	struct sigaction *copy = malloc(sizeof *copy);
	if (!copy) return;
	*copy = cur;
	atomic_store_explicit(&urgfwd, copy, memory_order_release);
	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_sigaction = sighandler;
	sa.sa_flags = SA_SIGINFO | SA_ONSTACK | SA_RESTART;
	sigfillset(&sa.sa_mask);
	sigdelset(&sa.sa_mask, SIGSEGV);
	sigdelset(&sa.sa_mask, SIGBUS);
	sigdelset(&sa.sa_mask, SIGFPE);
	sigdelset(&sa.sa_mask, SIGILL);
	sys_sigaction(SIGURG, &sa, NULL);
}

/* preemptone asks the G running on pp to yield. */
void preemptone(struct p *pp)
{
	struct m *mp = pp->m;
	if (!mp) return;
	struct g *gp = mp->curg;
	if (!gp || gp == mp->g0) return;
	gp->preempt = true;
	if (!debug.asyncpreemptoff && atomic_load(&sysmon_started)) {
		sigurg_reclaim();
		sys_tgkill(sys_getpid(), mp->tid, SIGURG);
	}
}

/* ---- the program's handlers, through the hooked sigaction ----
 * A handler the program installs with sigaction(2) or signal(2) (hooks/)
 * is recorded here and the kernel gets `trampoline`, which tells the
 * netpoller (so that waits the kernel would interrupt end with EINTR:
 * netpoll.c) and marks the thread as in a handler (hooked calls there are
 * the plain system calls), then calls the program's handler with the
 * same arguments. sigaction(sig, NULL, &old) tells what the program
 * installed, as the libc would. */
static struct proghandler {
	_Atomic(void *) h;      /* the program's handler (either form) */
	_Atomic int flags;      /* its sa_flags */
	bool set;               /* sa below is what the program installed */
	struct sigaction sa;
} progh[65] COLDBSS;
static _Atomic int proghlock; /* a spinlock, taken with every signal blocked */

static void trampoline(int sig, siginfo_t *info, void *ctx)
{
	int saved = errno;
	struct proghandler *p = &progh[sig];
	void *h = atomic_load(&p->h);
	int fl = atomic_load(&p->flags);
	if (fl & SA_RESETHAND) { /* the kernel reset it already: so does the record */
		atomic_store(&p->h, (void *)SIG_DFL);
		atomic_store(&p->flags, 0);
	}
	if (h == (void *)SIG_IGN || h == (void *)SIG_DFL) return; /* changed meanwhile */
	struct m *mp = scheduler_started ? getm() : NULL;
	if (mp) {
		struct g *gp = getg();
		if (gp) (void)insighandler(gp); /* a count left by siglongjmp goes */
		if (mp->sigdepth++ == 0) mp->sigsp = (uintptr_t)__builtin_frame_address(0);
	}
	errno = saved;
	/* On x86-64 a one-argument handler ignores the other two. */
	((void (*)(int, siginfo_t *, void *))h)(sig, info, ctx);
	if (mp) mp->sigdepth--;
	/* Then the waits it interrupts end, as a system call returns EINTR
	 * only after the handler ran (the handler may be on another thread
	 * than the goroutine that sees EINTR). SIGURG is also the runtime's
	 * preemption signal, forwarded to the program's handler at every
	 * preemption: it interrupts nothing. */
	if (scheduler_started && sig != SIGURG) {
		int e = errno;
		netpoll_sigintr(fl & SA_RESTART);
		errno = e;
	}
}

/* A handler may leave by siglongjmp (or longjmp, or a C++ exception) to
 * code of the goroutine it interrupted, as the README allows: the
 * trampoline's decrement never runs, and the count would keep the hooks
 * off (every read blocking the thread), preemption off, on that thread
 * for good. So the count is checked against the stack: while a handler
 * runs, the stack pointer is on the signal stack, or on the goroutine's
 * stack below the outermost trampoline's frame (m->sigsp). On the
 * goroutine's stack above it (or with the trampoline on another stack),
 * every handler has been left: the count is dropped. */
bool insighandler_slow(struct g *gp)
{
	struct m *mp = gp->m;
	uintptr_t sp = (uintptr_t)__builtin_frame_address(0);
	if (!gp->stack_hi || sp < gp->stack_lo || sp >= gp->stack_hi) return true; /* a signal stack */
	uintptr_t hsp = mp->sigsp;
	if (hsp >= gp->stack_lo && hsp < gp->stack_hi && sp < hsp) return true;
	mp->sigdepth = 0;
	return false;
}

static bool reservedsig(int sig)
{
#ifdef GORT_GLIBC
	return sig == 32 || sig == 33; /* glibc's SIGCANCEL, SIGSETXID */
#else
	return sig >= 32 && sig <= 34; /* musl's SIGCANCEL, SIGSYNCCALL, SIGTIMER */
#endif
}

int gort_hook_sigaction(int sig, const struct sigaction *act, struct sigaction *old)
{
	if (sig < 1 || sig > 64 || (act && reservedsig(sig))) {
		errno = EINVAL;
		return -1;
	}
	sigset_t all, prev;
	sigfillset(&all);
	rawsyscall6(SYS_rt_sigprocmask, SIG_SETMASK, (long)&all, (long)&prev, 8, 0, 0);
	while (atomic_exchange(&proghlock, 1)) __builtin_ia32_pause();
	struct proghandler *p = &progh[sig];
	struct sigaction was = p->sa;
	bool wasset = p->set;
	int r = 0;
	if (act) {
		struct sigaction k = *act;
		bool user = act->sa_handler != SIG_DFL && act->sa_handler != SIG_IGN;
		if (user) {
			k.sa_sigaction = trampoline;
			/* On the thread's signal stack, as Go runs every
			 * handler: a handler that is running is then told
			 * exactly from one left by siglongjmp (insighandler),
			 * and a goroutine's stack never holds a signal frame.
			 * sigaction(sig, NULL, &old) still says what the
			 * program asked for (p->sa). */
			k.sa_flags |= SA_SIGINFO | SA_ONSTACK;
			netpoll_intr_enable();
		}
		atomic_store(&p->flags, act->sa_flags);
		atomic_store(&p->h, (void *)act->sa_handler);
		struct sigaction kold;
		r = sys_sigaction(sig, &k, &kold);
		if (r == 0) {
			p->sa = *act;
			p->set = true;
			if (!wasset) was = kold;
		} else if (wasset) { /* refused (SIGKILL, SIGSTOP): the record stays */
			atomic_store(&p->flags, was.sa_flags);
			atomic_store(&p->h, (void *)was.sa_handler);
		}
	} else if (old && !wasset) {
		r = sys_sigaction(sig, NULL, &was);
	}
	atomic_store(&proghlock, 0);
	int e = errno;
	rawsyscall6(SYS_rt_sigprocmask, SIG_SETMASK, (long)&prev, 0, 8, 0, 0);
	errno = e;
	if (r == 0 && old) *old = was;
	return r;
}

void (*gort_hook_signal(int sig, void (*h)(int)))(int)
{
	struct sigaction sa, old;
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = h;
	sa.sa_flags = SA_RESTART; /* BSD semantics, as both libcs */
	if (gort_hook_sigaction(sig, &sa, &old) < 0) return SIG_ERR;
	return old.sa_handler;
}
