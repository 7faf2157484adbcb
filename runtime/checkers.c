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
 * ThreadSanitizer's fiber interface is not wired: see README. */
#include "runtime.h"

#ifdef GORT_VALGRIND_H /* the Makefile's absolute path: musl-gcc sees no /usr/include */
#include GORT_VALGRIND_H
#define HAVE_VALGRIND 1
#endif

extern void __sanitizer_start_switch_fiber(void **fake_stack_save, const void *bottom, size_t size)
	__attribute__((weak));
extern void __sanitizer_finish_switch_fiber(void *fake_stack_save, const void **bottom_old, size_t *size_old)
	__attribute__((weak));

void checkers_stack_register(struct g *gp)
{
#ifdef HAVE_VALGRIND
	if (RUNNING_ON_VALGRIND) gp->vg_stackid = VALGRIND_STACK_REGISTER(gp->stack_lo, gp->stack_hi);
#else
	(void)gp;
#endif
}

void checkers_stack_deregister(struct g *gp)
{
#ifdef HAVE_VALGRIND
	if (RUNNING_ON_VALGRIND && gp->vg_stackid) VALGRIND_STACK_DEREGISTER(gp->vg_stackid);
	gp->vg_stackid = 0;
#else
	(void)gp;
#endif
}

bool checkers_valgrind(void)
{
#ifdef HAVE_VALGRIND
	return RUNNING_ON_VALGRIND;
#else
	return false;
#endif
}

bool checkers_asan(void) { return __sanitizer_start_switch_fiber != NULL; }

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

/* gort_gostart_checkers: a new goroutine's first instructions (asm). */
void gort_gostart_checkers(void)
{
	if (checkers_asan()) __sanitizer_finish_switch_fiber(NULL, NULL, NULL);
}
