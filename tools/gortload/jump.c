/* jump.c: the hand-over. A small assembly stub, gortload_jump, puts %rsp on
 * the new stack, unmaps what gortload queued (its own old stack: it stands
 * on the new one by then), clears the thread pointer, puts the x87/SSE/AVX
 * state in its initial state, zeroes every general register and the flags
 * (but IF), and jumps to the entry. The ABI (x86-64 psABI 3.4.1) asks for:
 * %rsp at argc, %rdx a function for atexit or 0, %rbp 0 (outermost frame),
 * DF clear, the x87 control word 0x37f and MXCSR 0x1f80; Linux zeroes every
 * other general register and the vector registers, and so do we, so the
 * program cannot tell the start apart from an execve by its registers.
 *
 * The stub reads its arguments from a static struct (gortload_jmp) with
 * RIP-relative addressing, so once the registers are zero it still knows
 * where to go: the last instruction is an indirect jmp through memory.
 *
 * FP state: XRSTOR of an area whose header says "every component in its
 * initial state" resets x87, SSE, AVX, AVX-512 and the rest at once; MXCSR
 * comes from the area (0x1f80). PKRU is left out of the mask (the kernel's
 * exec value, which gortload still has, is not the XRSTOR init value 0),
 * and so are the AMX components (the kernel arms XFD for them: touching them
 * without permission traps). Without XSAVE, FXRSTOR of the same area.
 */
#include "gortload.h"

#include <string.h>

struct jumpargs {
	uint64_t sp;       /* 0 */
	uint64_t entry;    /* 8 */
	uint64_t xmask;    /* 16: XRSTOR component mask, 0: FXRSTOR */
	uint64_t nunmap;   /* 24 */
	struct { uint64_t addr, len; } unmap[4]; /* 32 */
};

/* Not static: the stub names them (hidden: no GOT in a static-PIE). */
__attribute__((visibility("hidden"))) struct jumpargs gortload_jmp;
/* The legacy area (512 bytes) and the XSAVE header (64 bytes), zero but for
 * the x87 control word and MXCSR. */
__attribute__((visibility("hidden"), aligned(64))) unsigned char gortload_fpinit[1024];

__attribute__((noreturn, visibility("hidden"))) void gortload_jump(void);

__asm__(
	"	.text\n"
	"	.p2align 4\n"
	"	.type	gortload_jump, @function\n"
	"gortload_jump:\n"
	"	leaq	gortload_jmp(%rip), %rbx\n"
	"	movq	0(%rbx), %rsp\n"          /* the new stack from here on */
	"	movq	24(%rbx), %r12\n"
	"	leaq	32(%rbx), %r13\n"
	"1:	testq	%r12, %r12\n"
	"	jz	2f\n"
	"	movl	$11, %eax\n"              /* munmap(addr, len) */
	"	movq	0(%r13), %rdi\n"
	"	movq	8(%r13), %rsi\n"
	"	syscall\n"
	"	addq	$16, %r13\n"
	"	decq	%r12\n"
	"	jmp	1b\n"
	"2:	movl	$158, %eax\n"             /* arch_prctl(ARCH_SET_FS, 0): no TLS yet */
	"	movl	$0x1002, %edi\n"
	"	xorl	%esi, %esi\n"
	"	syscall\n"
	"	movq	16(%rbx), %rax\n"
	"	testq	%rax, %rax\n"
	"	jz	3f\n"
	"	movq	%rax, %rdx\n"
	"	shrq	$32, %rdx\n"
	"	xrstor	gortload_fpinit(%rip)\n"
	"	jmp	4f\n"
	"3:	fxrstor	gortload_fpinit(%rip)\n"
	"4:	xorl	%eax, %eax\n"
	"	xorl	%ebx, %ebx\n"
	"	xorl	%ecx, %ecx\n"
	"	xorl	%edx, %edx\n"             /* no function for atexit */
	"	xorl	%esi, %esi\n"
	"	xorl	%edi, %edi\n"
	"	xorl	%ebp, %ebp\n"             /* the outermost frame */
	"	xorl	%r8d, %r8d\n"
	"	xorl	%r9d, %r9d\n"
	"	xorl	%r10d, %r10d\n"
	"	xorl	%r11d, %r11d\n"
	"	xorl	%r12d, %r12d\n"
	"	xorl	%r13d, %r13d\n"
	"	xorl	%r14d, %r14d\n"
	"	xorl	%r15d, %r15d\n"
	"	cld\n"
	"	pushq	$0x202\n"                 /* flags as after execve: IF only */
	"	popfq\n"
	"	movq	$0, -8(%rsp)\n"           /* mov leaves the flags alone */
	"	jmp	*gortload_jmp+8(%rip)\n"
	"	.size	gortload_jump, .-gortload_jump\n");

static uint64_t xsave_mask(void)
{
	unsigned a, b, c, d;
	__asm__("cpuid" : "=a"(a), "=b"(b), "=c"(c), "=d"(d) : "a"(1), "c"(0));
	if (!(c & (1u << 27))) /* OSXSAVE: the OS turned XSAVE on */
		return 0;
	unsigned lo, hi;
	__asm__ volatile("xgetbv" : "=a"(lo), "=d"(hi) : "c"(0));
	uint64_t xcr0 = (uint64_t)hi << 32 | lo;
	/* Leave PKRU (bit 9) and AMX TILECFG/TILEDATA (bits 17, 18) alone. */
	return xcr0 & ~((1ull << 9) | (1ull << 17) | (1ull << 18));
}

void jump_prepare(uintptr_t sp, uintptr_t entry)
{
	gortload_jmp.sp = sp;
	gortload_jmp.entry = entry;
	gortload_jmp.xmask = xsave_mask();
	memset(gortload_fpinit, 0, sizeof gortload_fpinit);
	uint16_t fcw = 0x37f;
	uint32_t mxcsr = 0x1f80;
	memcpy(gortload_fpinit + 0, &fcw, sizeof fcw);
	memcpy(gortload_fpinit + 24, &mxcsr, sizeof mxcsr);
}

void jump_unmap_later(uintptr_t start, uintptr_t end)
{
	if (gortload_jmp.nunmap < 4 && end > start) {
		gortload_jmp.unmap[gortload_jmp.nunmap].addr = start;
		gortload_jmp.unmap[gortload_jmp.nunmap].len = end - start;
		gortload_jmp.nunmap++;
	}
}

void jump(void)
{
	gortload_jump();
}
