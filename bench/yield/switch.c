/* bench/yield/switch.c: the floor under bench/yield: ns per bare context
 * switch between two stacks with the assembly of swap_amd64.S, no
 * scheduler, no runtime (a plain musl static program). A main context and a
 * coroutine hand control back and forth ITERS times each; each hand-over is
 * one switch. Best and median of REPS for each variant:
 *
 *   jmp      registers saved, resumed with an indirect jmp: the floor
 *            (the same technique as gort_swapctx), called straight from
 *            the loops, so no return instruction ever follows a switch;
 *   jmp_fp   the same plus gort_swapctx's MXCSR/x87 control-word save and
 *            compare: what that costs per switch;
 *   jmp_d1   the jmp switch called one function level down (loop -> d1 ->
 *            swap), as gort's switches are: after resuming, the goroutine
 *            returns from mcall_switch and g0 from execute. That return
 *            follows a switch that did not pop the return-stack buffer, so
 *            the buffer predicts the other side's address and the return
 *            mispredicts, at every switch;
 *   ret      the classic push/pop/ret switch, for reference: main and
 *            the coroutine switch from different call sites, so its ret
 *            mispredicts;
 *   pushret_d1  gort_swapctx's way: saved as jmp, resumed with push + ret,
 *            called one level down (d1p) from the same loop on both
 *            sides, as two goroutines parking or yielding through the same
 *            runtime path from the same code: the ret pops the caller's own entry in the
 *            return-stack buffer, the target is the same call site, and
 *            every return above is predicted.
 *
 *   switch [ITERS=20000000] [REPS=5] */
#include <limits.h>
#include <stdint.h>
#include "../common/bench.h"

struct ctx {
	uintptr_t sp, pc, rbp, rbx, r12, r13, r14, r15;
	uint32_t mxcsr;
	uint16_t fpucw;
};
void bench_swap_jmp(struct ctx *from, struct ctx *to);
void bench_swap_jmp_fp(struct ctx *from, struct ctx *to);
void bench_swap_ret(struct ctx *from, struct ctx *to);
void bench_swap_pushret(struct ctx *from, struct ctx *to);

static struct ctx mainctx, coctx;
static long iters;

#define NOINLINE __attribute__((noinline))
static NOINLINE void d1(struct ctx *a, struct ctx *b)
{
	bench_swap_jmp(a, b);
	__asm__ volatile(""); /* no tail call */
}

static NOINLINE void d1p(struct ctx *a, struct ctx *b)
{
	bench_swap_pushret(a, b);
	__asm__ volatile("");
}

/* The coroutines never return: they switch back forever. */
static void co_jmp(void) { for (;;) bench_swap_jmp(&coctx, &mainctx); }
static void co_jmp_fp(void) { for (;;) bench_swap_jmp_fp(&coctx, &mainctx); }
static void co_jmp_d1(void) { for (;;) d1(&coctx, &mainctx); }
static void co_ret(void) { for (;;) bench_swap_ret(&coctx, &mainctx); }
/* Both sides run this same loop, so every call site matches. */
static NOINLINE void loop_pushret_d1(struct ctx *self, struct ctx *other, long n)
{
	for (long i = 0; i < n; i++) d1p(self, other);
}
static void co_pushret_d1(void) { loop_pushret_d1(&coctx, &mainctx, LONG_MAX); }

static void trap(void) { abort(); }

static char stack[64 << 10] __attribute__((aligned(64)));

/* jmp variants: enter fn as if called (sp = 8 mod 16, a return address
 * that aborts). ret variant: the six registers bench_swap_ret pops, then
 * co_ret's address for its ret, then trap's for co_ret's. */
static void init(void (*fn)(void), int ret)
{
	uintptr_t *top = (uintptr_t *)(stack + sizeof stack);
	*--top = 0;
	*--top = (uintptr_t)trap;
	coctx = (struct ctx){.pc = (uintptr_t)fn};
	__asm__ volatile("stmxcsr %0; fnstcw %1" : "=m"(coctx.mxcsr), "=m"(coctx.fpucw));
	if (ret) {
		*--top = (uintptr_t)fn;
		for (int i = 0; i < 6; i++) *--top = 0;
	}
	coctx.sp = (uintptr_t)top;
}

enum { JMP, JMP_FP, JMP_D1, RET, PUSHRET_D1, NV };
static const char *const names[NV] = {"jmp", "jmp_fp", "jmp_d1", "ret", "pushret_d1"};

static double measure(int v)
{
	static void (*const co[NV])(void) = {co_jmp, co_jmp_fp, co_jmp_d1, co_ret, co_pushret_d1};
	init(co[v], v == RET);
	int64_t t0 = bench_now();
	switch (v) {
	case JMP:
		for (long i = 0; i < iters; i++) bench_swap_jmp(&mainctx, &coctx);
		break;
	case JMP_FP:
		for (long i = 0; i < iters; i++) bench_swap_jmp_fp(&mainctx, &coctx);
		break;
	case JMP_D1:
		for (long i = 0; i < iters; i++) d1(&mainctx, &coctx);
		break;
	case RET:
		for (long i = 0; i < iters; i++) bench_swap_ret(&mainctx, &coctx);
		break;
	case PUSHRET_D1:
		loop_pushret_d1(&mainctx, &coctx, iters);
		break;
	}
	return (double)(bench_now() - t0) / (double)(2 * iters);
}

int main(int argc, char **argv)
{
	iters = bench_arg(argc, argv, 1, 20000000);
	int reps = (int)bench_arg(argc, argv, 2, 5);
	double ns[NV][64];
	if (reps > 64) reps = 64;
	for (int k = 0; k < reps; k++)
		for (int v = 0; v < NV; v++) ns[v][k] = measure(v);
	printf("switch iters=%ld reps=%d", iters, reps);
	for (int v = 0; v < NV; v++) {
		bench_sort(ns[v], reps);
		printf(" %s_best_ns=%.2f %s_median_ns=%.2f", names[v], ns[v][0], names[v], ns[v][reps / 2]);
	}
	printf("\n");
	return 0;
}
