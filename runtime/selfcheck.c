/* selfcheck.c: the runtime's self-checks at start-up (Go's runtime.check): type
 * sizes and alignment the runtime's structures rely on, and that the atomic
 * operations behave. A failure is a broken build or compiler, reported as a
 * fatal error before anything depends on it. */
#include "runtime.h"

noinline void check(void)
{
	_Static_assert(sizeof(int8_t) == 1 && sizeof(int16_t) == 2, "int sizes");
	_Static_assert(sizeof(int32_t) == 4 && sizeof(int64_t) == 8, "int sizes");
	_Static_assert(sizeof(void *) == 8 && sizeof(uintptr_t) == 8, "pointer size");
	_Static_assert(sizeof(long) == 8 && sizeof(size_t) == 8, "LP64");
	_Static_assert(_Alignof(int64_t) == 8 && _Alignof(double) == 8, "alignment");

	/* The run queue ring relies on wrap-around of uint32 differences. */
	volatile uint32_t h = 0xfffffffeu, t = 2;
	if (t - h != 4) throw("check: uint32 wrap-around");

	/* Atomics: compare-and-swap, add, exchange, on 32 and 64 bits. */
	_Atomic uint32_t a32 = 1;
	uint32_t e32 = 1;
	if (!atomic_compare_exchange_strong(&a32, &e32, 2) || a32 != 2) throw("cas32");
	e32 = 1;
	if (atomic_compare_exchange_strong(&a32, &e32, 3) || e32 != 2) throw("cas32 fail");
	if (atomic_fetch_add(&a32, 5) != 2 || a32 != 7) throw("xadd32");
	if (atomic_exchange(&a32, 9) != 7 || a32 != 9) throw("xchg32");
	_Atomic uint64_t a64 = (uint64_t)1 << 40;
	uint64_t e64 = (uint64_t)1 << 40;
	if (!atomic_compare_exchange_strong(&a64, &e64, 5) || a64 != 5) throw("cas64");
	if (atomic_fetch_add(&a64, (uint64_t)1 << 33) != 5) throw("xadd64");
	_Atomic(void *) ap = NULL;
	void *en = NULL;
	if (!atomic_compare_exchange_strong(&ap, &en, (void *)&a64) || ap != (void *)&a64)
		throw("casp");
	/* 16-byte alignment of the stack, which SSE code in C depends on. */
	char probe __attribute__((aligned(16)));
	if ((uintptr_t)&probe & 15) throw("check: stack not 16-byte aligned");
}
