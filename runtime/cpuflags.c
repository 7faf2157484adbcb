/* cpuflags.c: CPU detection (Go's internal/cpu and rt0_go's CPUID block).
 * Runs before the libc is initialised. The build may require features beyond
 * the x86-64 baseline (say -march=x86-64-v3): those the compiler was told it
 * may use are checked here, and a CPU without them gets a clear fatal error
 * instead of SIGILL somewhere later. */
#include <cpuid.h>
#include "runtime.h"

struct cpuinfo cpu;
/* Read by asm_amd64.S: use xsave for the preemption trampoline, for the
 * state components in gort_xsave_mask (EDX:EAX of xsave and xrstor). */
__attribute__((visibility("hidden"))) uint8_t gort_have_xsave;
__attribute__((visibility("hidden"))) uint32_t gort_xsave_mask[2];

static void cpuid(uint32_t leaf, uint32_t sub, uint32_t r[4])
{
	__cpuid_count(leaf, sub, r[0], r[1], r[2], r[3]);
}

static void cpudetect(void)
{
	uint32_t r[4], max;
	cpuid(0, 0, r);
	max = r[0];
	__builtin_memcpy(cpu.vendor + 0, &r[1], 4);
	__builtin_memcpy(cpu.vendor + 4, &r[3], 4);
	__builtin_memcpy(cpu.vendor + 8, &r[2], 4);
	cpu.vendor[12] = 0;
	cpu.intel = r[1] == 0x756e6547 && r[3] == 0x49656e69 && r[2] == 0x6c65746e;
	cpu.amd = r[1] == 0x68747541 && r[3] == 0x69746e65 && r[2] == 0x444d4163;
	if (max < 1) return;
	cpuid(1, 0, r);
	cpu.family = (r[0] >> 8) & 15;
	cpu.model = (r[0] >> 4) & 15;
	cpu.stepping = r[0] & 15;
	if (cpu.family == 15) cpu.family += (r[0] >> 20) & 0xff;
	if (cpu.family >= 6) cpu.model += ((r[0] >> 16) & 15) << 4;
	cpu.sse2 = r[3] >> 26 & 1;
	cpu.sse3 = r[2] & 1;
	cpu.ssse3 = r[2] >> 9 & 1;
	cpu.sse41 = r[2] >> 19 & 1;
	cpu.sse42 = r[2] >> 20 & 1;
	cpu.popcnt = r[2] >> 23 & 1;
	bool osxsave = r[2] >> 27 & 1;
	bool avx = r[2] >> 28 & 1;
	bool ymm_ok = false;
	if (osxsave) {
		uint32_t lo, hi;
		__asm__ volatile("xgetbv" : "=a"(lo), "=d"(hi) : "c"(0));
		ymm_ok = (lo & 6) == 6;
		/* Every enabled component but AMX's tile state (17, 18: 8 KB of
		 * tile data that no C compiler uses unasked), in the standard
		 * layout: it must fit the 4 KiB the preemption trampoline
		 * reserves. Without the mask, a CPU with AMX (XSAVE area 11 KB)
		 * fell back to fxsave, which loses the upper halves of the AVX
		 * registers of a preempted goroutine. */
		uint64_t mask = ((uint64_t)hi << 32 | lo) & ~((1ULL << 17) | (1ULL << 18));
		uint32_t end = 512 + 64; /* legacy area and header */
		for (int i = 2; i < 63; i++) {
			if (!(mask >> i & 1)) continue;
			cpuid(0xd, i, r);
			if (r[2] & 1) { /* a supervisor component: not in XCR0's user set */
				mask &= ~(1ULL << i);
				continue;
			}
			if (r[1] + r[0] > end) end = r[1] + r[0];
		}
		gort_xsave_mask[0] = (uint32_t)mask;
		gort_xsave_mask[1] = (uint32_t)(mask >> 32);
		gort_have_xsave = end <= 4096 - 64;
	}
	cpu.avx = avx && ymm_ok;
	if (max >= 7) {
		cpuid(7, 0, r);
		cpu.avx2 = cpu.avx && (r[1] >> 5 & 1);
		cpu.bmi2 = r[1] >> 8 & 1;
		cpu.fsgsbase = r[1] & 1;
		cpu.erms = r[1] >> 9 & 1;
	}
	cpuid(0x80000000, 0, r);
	if (r[0] >= 0x80000001) {
		cpuid(0x80000001, 0, r);
		cpu.prefetchw = r[2] >> 8 & 1; /* PRFCHW (AMD's 3DNowPrefetch bit) */
	}

}

static _Atomic int detected;

/* cpu_detect fills `cpu` once (CPUID is a VM exit under a hypervisor, some
 * microseconds each: it is done when first needed, not at every start). */
void cpu_detect(void)
{
	if (atomic_load(&detected)) return;
	cpudetect();
	atomic_store(&detected, 1);
}

/* cpuinit (rt0_go's CPUID step) checks the features this build requires.
 * A build for the x86-64 baseline requires nothing CPUID could deny (SSE2
 * is part of x86-64), so it costs nothing; a build with, say,
 * -march=x86-64-v3 runs CPUID here and refuses a CPU that lacks AVX2. */
noinline void cpuinit(void)
{
	struct { bool need, have; const char *name; } req[] = {
		{false, true, "SSE2"},
#ifdef __SSE4_2__
		{true, false, "SSE4.2"},
#endif
#ifdef __POPCNT__
		{true, false, "POPCNT"},
#endif
#ifdef __AVX2__
		{true, false, "AVX2"},
#endif
#ifdef __BMI2__
		{true, false, "BMI2"},
#endif
	};
	size_t nreq = 0;
	for (size_t i = 0; i < sizeof req / sizeof req[0]; i++) nreq += req[i].need;
	if (nreq == 0) return;
	cpu_detect();
	bool have[] = {true,
#ifdef __SSE4_2__
		cpu.sse42,
#endif
#ifdef __POPCNT__
		cpu.popcnt,
#endif
#ifdef __AVX2__
		cpu.avx2,
#endif
#ifdef __BMI2__
		cpu.bmi2,
#endif
	};
	for (size_t i = 0; i < sizeof req / sizeof req[0]; i++)
		if (req[i].need && !(req[i].have = have[i]))
			fatal("this CPU (%s family %u model %u) lacks %s, which this build of gort requires",
			      cpu.vendor, cpu.family, cpu.model, req[i].name);
}
