/* regs: what the registers hold at the entry point, before any code of a
 * libc runs: every general register (%rsp as its value mod 16), the flags,
 * MXCSR and the x87 control word, the thread pointer, and the whole
 * extended state (x87, SSE, AVX, ... as XSAVE writes it). Built with
 * -nostdlib -static: _start saves everything first thing, then plain C
 * prints it with raw system calls. test/gortload compares a direct exec
 * with a start by gortload: the two must be identical. */
#include <stdint.h>

/* Global, so that the assembly can name them. */
uint64_t gpr[17];               /* rax rbx rcx rdx rsi rdi rbp r8..r15 rsp flags */
uint32_t mxcsr;
uint16_t fcw;
uint64_t have_xsave;
/* XSAVE writes CPUID(0xd,0).EBX bytes: 11,008 with AMX tile data (Sapphire
 * Rapids), more on later CPUs; 64 KiB leaves room. */
unsigned char xarea[65536] __attribute__((aligned(64)));

__asm__(
	"	.text\n"
	"	.globl	_start\n"
	"_start:\n"
	"	movq	%rax, gpr+0(%rip)\n"
	"	movq	%rbx, gpr+8(%rip)\n"
	"	movq	%rcx, gpr+16(%rip)\n"
	"	movq	%rdx, gpr+24(%rip)\n"
	"	movq	%rsi, gpr+32(%rip)\n"
	"	movq	%rdi, gpr+40(%rip)\n"
	"	movq	%rbp, gpr+48(%rip)\n"
	"	movq	%r8, gpr+56(%rip)\n"
	"	movq	%r9, gpr+64(%rip)\n"
	"	movq	%r10, gpr+72(%rip)\n"
	"	movq	%r11, gpr+80(%rip)\n"
	"	movq	%r12, gpr+88(%rip)\n"
	"	movq	%r13, gpr+96(%rip)\n"
	"	movq	%r14, gpr+104(%rip)\n"
	"	movq	%r15, gpr+112(%rip)\n"
	"	movq	%rsp, gpr+120(%rip)\n"
	"	pushfq\n"
	"	popq	gpr+128(%rip)\n"
	"	stmxcsr	mxcsr(%rip)\n"
	"	fnstcw	fcw(%rip)\n"
	"	movl	$1, %eax\n"
	"	cpuid\n"
	"	btl	$27, %ecx\n"              /* OSXSAVE */
	"	jnc	1f\n"
	"	movq	$1, have_xsave(%rip)\n"
	"	xorl	%ecx, %ecx\n"
	"	xgetbv\n"
	"	xsave	xarea(%rip)\n"
	"1:	andq	$-16, %rsp\n"
	"	call	cmain\n"
	"	hlt\n");

static long sys(long n, long a, long b, long c)
{
	long r;
	__asm__ volatile("syscall" : "=a"(r) : "a"(n), "D"(a), "S"(b), "d"(c) : "rcx", "r11", "memory");
	return r;
}

static char out[4096];
static int olen;

static void puts_(const char *s) { while (*s) out[olen++] = *s++; }
static void hex(uint64_t v)
{
	char b[19] = "0x";
	int n = 2;
	int started = 0;
	for (int i = 15; i >= 0; i--) {
		int d = (v >> (4 * i)) & 15;
		if (d || started || i == 0) {
			b[n++] = "0123456789abcdef"[d];
			started = 1;
		}
	}
	b[n] = 0;
	puts_(b);
}
static void line(const char *k, uint64_t v) { puts_(k); puts_("="); hex(v); puts_("\n"); }

__attribute__((used, noreturn)) void cmain(void)
{
	static const char *const names[] = {"rax", "rbx", "rcx", "rdx", "rsi", "rdi", "rbp", "r8", "r9",
	                                    "r10", "r11", "r12", "r13", "r14", "r15"};
	for (int i = 0; i < 15; i++) line(names[i], gpr[i]);
	line("rsp_mod16", gpr[15] % 16);
	line("rflags", gpr[16]);
	line("mxcsr", mxcsr);
	line("fcw", fcw);
	uint64_t fs = 1;
	sys(158, 0x1003, (long)&fs, 0); /* arch_prctl(ARCH_GET_FS) */
	line("fsbase", fs);
	if (have_xsave) {
		/* The legacy area (x87 and SSE registers), then each 64-byte
		 * block of the rest (AVX upper halves, AVX-512...), as a sum. */
		uint64_t bv, sum = 0;
		__builtin_memcpy(&bv, xarea + 512, 8);
		line("xstate_bv", bv);
		for (int i = 32; i < 512; i += 8) { uint64_t w; __builtin_memcpy(&w, xarea + i, 8); sum = sum * 31 + w; }
		line("x87_sse_regs", sum);
		sum = 0;
		for (int i = 576; i < (int)sizeof xarea; i += 8) { uint64_t w; __builtin_memcpy(&w, xarea + i, 8); sum = sum * 31 + w; }
		line("extended_regs", sum);
	}
	sys(1, 1, (long)out, olen);
	sys(60, 0, 0, 0);
	__builtin_unreachable();
}
