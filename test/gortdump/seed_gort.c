/* seed_gort.c: a tiny gort-like program, no libc and no runtime: its own
 * _rt0_amd64_linux and a few init-task records in section gort_inittask.
 * Built several ways (non-PIE, static-PIE with RELA or RELR, with a cycle)
 * as the fuzzer's seed corpus: real gort programs are ~100 KB, these are
 * ~1-2 KB, so the fuzzer spends its time on structure, not on bulk. Also
 * what the suite uses for "a binary with no libc". */
#define GORT_NO_ERRNO_OVERRIDE
#include <gort.h>

static void nop(void) {}
GORT_INIT(one, nop);
GORT_INIT(two, nop, one);
GORT_INIT(three, nop, two, one);
#ifdef CYCLE
GORT_INIT(four, nop, five);
GORT_INIT(five, nop, four);
#endif

/* exit(0) by hand: there is no libc to call. */
__attribute__((naked, noreturn)) void _rt0_amd64_linux(void)
{
	__asm__("mov $60, %eax\n\txor %edi, %edi\n\tsyscall");
}
