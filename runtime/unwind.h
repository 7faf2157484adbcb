/* unwind.h: the CFI stack walker (unwind.c), for tracebacks. */
#ifndef GORT_UNWIND_H
#define GORT_UNWIND_H
#include <stdbool.h>
#include <stdint.h>

enum { UNWIND_NREGS = 17, UNWIND_MAXBOUNDS = 4, UNWIND_MAXFRAMES = 100 };
/* How the current frame was found from its callee's. */
enum { UNWIND_START, UNWIND_CFI, UNWIND_SIGNAL, UNWIND_FP, UNWIND_SCAN };

/* One walk: the registers of the current frame in DWARF numbering (rax,
 * rdx, rcx, rbx, rsi, rdi, rbp, rsp, r8-r15, rip), which of them are known,
 * and the stack ranges reads may touch. Lives on the caller's stack. */
struct unwinder {
	uintptr_t r[UNWIND_NREGS];
	uint32_t known;
	bool exact;       /* r[16] is the pc itself, not a return address */
	int how;          /* UNWIND_* */
	int nframes;
	int nbounds;
	uintptr_t lo[UNWIND_MAXBOUNDS], hi[UNWIND_MAXBOUNDS];
};

void unwind_preload(void); /* sysmon_start: the FDE table of a static program without .eh_frame_hdr */
bool unwind_exe_hasfde(uintptr_t pc); /* signal-safe */
void unwind_modules(void); /* refresh the module table: printlock held */
void unwind_init(struct unwinder *u, uintptr_t pc, uintptr_t sp, uintptr_t bp);
void unwind_init_uc(struct unwinder *u, const void *uc); /* a ucontext_t */
void unwind_addstack(struct unwinder *u, uintptr_t lo, uintptr_t hi);
bool unwind_next(struct unwinder *u);
bool unwind_libname(uintptr_t pc, const char **lib, uintptr_t *liboff, const char **name, uintptr_t *off);
static inline uintptr_t unwind_pc(const struct unwinder *u) { return u->r[16]; }
#endif
