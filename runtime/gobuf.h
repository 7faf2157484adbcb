/* gobuf.h: the goroutine switch's saved context, the one definition for C
 * (runtime.h includes it) and assembly (asm_amd64.S includes it). Go
 * generates go_asm.h for this; gort's layout is five fields, so it is written
 * once here, the offsets as macros both languages read and the struct
 * checked against them at compile time.
 *
 * gort_swapctx pushes the other callee-saved registers (rbx, r12-r15) on
 * the goroutine's own stack, below its return address, and keeps in the
 * gobuf only what tracebacks and debuggers need to find the stack: a
 * struct g stays within 192 bytes (runtime.h, struct g). The saved stack,
 * from low to high:
 *
 *     sp - 48: r15, r14, r13, r12, rbx (sp - 16), return address (sp - 8 == pc)
 *
 * The gdb script reads them from there (tools/gdb/gort-gdb.py, _GOBUF_REGS). */
#ifndef GORT_GOBUF_H
#define GORT_GOBUF_H

#define GOBUF_SP 0     /* the stack pointer after the switch returns */
#define GOBUF_PC 8     /* where it returns to (also at sp - 8) */
#define GOBUF_BP 16
#define GOBUF_MXCSR 24 /* SSE control/status */
#define GOBUF_FPUCW 28 /* x87 control word */
#define GOBUF_SIZE 32
#define GOBUF_PUSHED 48 /* bytes below gobuf.sp: 5 registers and the return address */

#ifndef __ASSEMBLER__
#include <stddef.h>
#include <stdint.h>

struct gobuf {
	uintptr_t sp;
	uintptr_t pc;
	uintptr_t bp;
	uint32_t mxcsr;
	uint16_t fpucw;
};
_Static_assert(offsetof(struct gobuf, sp) == GOBUF_SP, "gobuf.h: sp");
_Static_assert(offsetof(struct gobuf, pc) == GOBUF_PC, "gobuf.h: pc");
_Static_assert(offsetof(struct gobuf, bp) == GOBUF_BP, "gobuf.h: bp");
_Static_assert(offsetof(struct gobuf, mxcsr) == GOBUF_MXCSR, "gobuf.h: mxcsr");
_Static_assert(offsetof(struct gobuf, fpucw) == GOBUF_FPUCW, "gobuf.h: fpucw");
_Static_assert(sizeof(struct gobuf) == GOBUF_SIZE, "gobuf.h: size");
_Static_assert(GOBUF_PUSHED == 6 * sizeof(uintptr_t), "gobuf.h: rbx, r12-r15 and the return address");
#endif

#endif /* GORT_GOBUF_H */
