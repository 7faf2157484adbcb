/* checkers.c: what valgrind and AddressSanitizer must be told about
 * goroutine stacks, so that a program that switches goroutines is as
 * checkable as a plain C program (README, "Checkers").
 *
 *   valgrind  every goroutine stack is registered (VALGRIND_STACK_REGISTER)
 *             when a G gets it and deregistered when the G gives it back;
 *             without that, memcheck takes a switch for a huge stack-pointer
 *             move within one stack and reports reads of other goroutines'
 *             stacks (a sudog, a value handed over) as invalid. The client
 *             requests are a few no-op instructions when not under valgrind,
 *             and compiled in only if <valgrind/valgrind.h> was there at
 *             build time (tools/install-deps.sh installs it).
 *   ASan      every switch is announced with the sanitizer fiber interface
 *             (__sanitizer_start_switch_fiber before, _finish_ after, on the
 *             resumed side; a new goroutine finishes its first switch in
 *             gort_gostart), so that ASan's idea of the current stack and its
 *             fake stacks (detect_stack_use_after_return) follow goroutines.
 *             The functions are weak references: they are only called in a
 *             program that links the ASan runtime (-fsanitize=address). The
 *             runtime itself is never instrumented: it runs before the libc,
 *             hence before any sanitizer runtime, is initialised.
 *   TSan      every G is a TSan fiber (__tsan_create_fiber when it first
 *             runs, destroyed when it exits; an M's g0 is its thread's own
 *             fiber) and every switch is __tsan_switch_to_fiber without
 *             synchronisation: a switch orders nothing between goroutines,
 *             so a race between two goroutines on one thread is still a
 *             race. The orderings that gort's primitives do create are
 *             announced with raceacquire/racerelease (runtime.h): gort_go
 *             (creator -> new goroutine), every operation on a channel
 *             (ordered by the channel, as if it were a mutex), gort_mutex
 *             unlock -> lock, gort_wg_done -> gort_wg_wait returning. */
#include "runtime.h"

#ifdef GORT_VALGRIND_H /* the Makefile's absolute path: musl-gcc sees no /usr/include */
#include GORT_VALGRIND_H
#define HAVE_VALGRIND 1
#endif

extern void __sanitizer_finish_switch_fiber(void *fake_stack_save, const void **bottom_old, size_t *size_old)
	__attribute__((weak));

/* Whether the program runs under valgrind: asked once, at boot, before any
 * goroutine has a stack (rt0_go); read-only after. The client request is a
 * few instructions, but stackalloc and stackfree asked it through a call
 * for every goroutine (1.5-3% of bench/spawn's samples with the start's
 * sanitizer call, which is now also behind a test where it is made). */
bool checkers_vg;

void checkers_init(void)
{
#ifdef HAVE_VALGRIND
	checkers_vg = RUNNING_ON_VALGRIND;
#endif
}

void checkers_vg_register(struct g *gp)
{
#ifdef HAVE_VALGRIND
	gp->vg_stackid = VALGRIND_STACK_REGISTER(gp->stack_lo, gp->stack_hi);
#else
	(void)gp;
#endif
}

void checkers_vg_deregister(struct g *gp)
{
#ifdef HAVE_VALGRIND
	/* Under valgrind only: a G's third cache line stays untouched. */
	if (gp->vg_stackid) {
		VALGRIND_STACK_DEREGISTER(gp->vg_stackid);
		gp->vg_stackid = 0;
	}
#else
	(void)gp;
#endif
}


/* Around gort_swapctx in gogo_switch, when checkers_asan(). A G that is
 * exiting passes no fake-stack slot: ASan frees its fake frames. */
void checkers_switch_begin(struct g *from, struct g *to)
{
	__sanitizer_start_switch_fiber(from->exiting ? NULL : &from->asan_fakestack, (void *)to->stack_lo,
				       to->stack_hi - to->stack_lo);
}

void checkers_switch_end(struct g *self)
{
	__sanitizer_finish_switch_fiber(self->asan_fakestack, NULL, NULL);
}

/* gort_gostart_checkers: a new goroutine's first instructions (gort_gostart1). */
void gort_gostart_checkers(void)
{
	if (checkers_asan()) __sanitizer_finish_switch_fiber(NULL, NULL, NULL);
	struct g *gp = getg();
	raceacquire(gp);                    /* everything its creator did before gort_go */
	raceacquire((void *)gp->stack_lo); /* and the stack's previous owner, if reused */
}

/* ---- ThreadSanitizer ---- */

extern void *__tsan_get_current_fiber(void) __attribute__((weak));
extern void *__tsan_create_fiber(unsigned flags) __attribute__((weak));
extern void __tsan_destroy_fiber(void *fiber) __attribute__((weak));
extern void AnnotateBenignRaceSized(const char *file, int line, const volatile void *addr, long size,
				    const char *desc) __attribute__((weak));
enum { TSAN_SWITCH_NO_SYNC = 1 }; /* __tsan_switch_to_fiber_no_sync */


/* checkers_tsan_minit: the thread's own fiber becomes its g0's. On the M's
 * thread, before its first switch. */
void checkers_tsan_minit(struct m *mp)
{
	if (!checkers_tsan()) return;
	mp->g0->tsan_fiber = __tsan_get_current_fiber();
	/* errno is the thread's (TLS), used in turn by the goroutines that run
	 * on the thread: the runtime saves and restores it at every switch
	 * (its value is the goroutine's), which TSan cannot see. Ordering the
	 * switches instead would order everything the goroutines do. */
	if (AnnotateBenignRaceSized)
		AnnotateBenignRaceSized(__FILE__, __LINE__, mp->errnop, sizeof(int),
					"errno: saved and restored per goroutine");
}

/* checkers_tsan_switch: before gort_swapctx to `to` (gogo_switch). */
void checkers_tsan_switch(struct m *mp, struct g *to)
{
	if (!to->tsan_fiber) {
		if (to == mp->g0) to->tsan_fiber = __tsan_get_current_fiber(); /* not reached: minit */
		else to->tsan_fiber = __tsan_create_fiber(0);
	}
	__tsan_switch_to_fiber(to->tsan_fiber, TSAN_SWITCH_NO_SYNC);
}

/* checkers_tsan_exit: gp has exited (goexit0, on g0, another fiber). Only
 * on g0: with the goroutine's exit handed straight to the next one
 * (mcall_direct), goexit0 ran on that one's fiber, and TSan's FiberDestroy
 * from there crashed in ProcUnwire (a NULL Processor) whenever the next G
 * was one a fiber had just been created for: every run of sched forkjoin
 * at GOMAXPROCS=2 one day, none another. directnext sends exits through g0
 * under TSan. */
void checkers_tsan_exit(struct g *gp)
{
	if (checkers_tsan() && gp->tsan_fiber) {
		__tsan_destroy_fiber(gp->tsan_fiber);
		gp->tsan_fiber = NULL;
	}
}
