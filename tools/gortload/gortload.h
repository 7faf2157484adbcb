/* gortload.h: what the loader's files share: the loaded images, the built
 * initial stack, and the helpers that print errors and touch the address
 * space.
 *
 * gortload does in user space what the kernel's ELF loader does in execve:
 * map the program (and its interpreter), build the initial stack, jump. The
 * files split that by concept: elf.c (reading and mapping ELF files),
 * stack.c (argc, argv, envp, auxv), vm.c (the address space: /proc/self/maps,
 * ASLR, the program break), show.c (--show), jump.c (the hand-over), main.c
 * (options and order).
 *
 * gortload is built as a musl static-PIE: the kernel puts it in the mmap area
 * at a random address, away from non-PIE programs (0x400000) and PIE programs
 * (ELF_ET_DYN_BASE, 0x555555554000 + random). It never calls malloc, so it
 * has no heap (its break stays empty) and everything it builds lives in
 * mappings it made on purpose or in its own .bss.
 */
#ifndef GORTLOAD_H
#define GORTLOAD_H

#include <elf.h>
#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define PAGE          4096ul
#define PAGE_DOWN(x)  ((uintptr_t)(x) & ~(PAGE - 1))
#define PAGE_UP(x)    (((uintptr_t)(x) + PAGE - 1) & ~(PAGE - 1))
/* The top of the x86-64 user address space with 4-level paging, and where
 * the kernel puts PIE programs that have an interpreter (2/3 of it, as
 * ELF_ET_DYN_BASE does). */
#define TASK_SIZE     0x7ffffffff000ul
#define ET_DYN_BASE   0x555555554000ul

/* Exit status for every failure to load or run: what a shell uses for a
 * program it cannot execute. */
#define EXIT_CANNOT   127

/* ---- errors (main.c) ---- */
/* die prints "gortload: " and the message on one line and exits 127. */
__attribute__((noreturn, format(printf, 1, 2))) void die(const char *fmt, ...);

/* ---- ELF images (elf.c) ---- */
#define MAXSEGS 64 /* PT_LOAD segments per image; real programs have 2-6 */

struct seg {            /* one mapping made for an image, page-aligned */
	uintptr_t start, end;
	int prot;
	uint64_t off;        /* file offset of start (file-backed parts) */
	bool anon;           /* bss: zero pages beyond the file's data */
	int phidx;           /* the program header it came from */
};

struct image {
	const char *path;     /* the file as opened */
	const char *prog;     /* the program's name, for error messages */
	bool is_interp;       /* the program's PT_INTERP */
	int fd;
	const unsigned char *file; /* read-only view of the whole file */
	size_t size;
	const Elf64_Ehdr *eh;
	const Elf64_Phdr *ph;
	char interp[PATH_MAX];    /* PT_INTERP, "" when there is none */
	bool execstack;           /* PT_GNU_STACK asks for PF_X */
	uintptr_t lo, hi;         /* page-aligned span of the PT_LOADs, unbiased */
	uintptr_t maxalign;       /* largest p_align (power of two, >= PAGE) */
	uintptr_t bias;           /* load address minus link address (0: ET_EXEC) */
	struct seg segs[2 * MAXSEGS];
	int nsegs;
	/* after mapping, all biased: */
	uintptr_t entry, phdr;
	bool phdr_mapped;
	uintptr_t start_code, end_code, start_data, end_data, end_bss;
};

/* image_open opens and checks path; every problem is a die(). */
void image_open(struct image *img, const char *path, const char *prog, bool is_interp);
/* image_map maps every PT_LOAD. ET_EXEC goes where it was linked or dies.
 * ET_DYN goes near ET_DYN_BASE (plus a random offset when randomize) if
 * near_dyn_base, as the kernel places a PIE program, else anywhere the
 * kernel's mmap chooses, as it places an interpreter or a static-PIE. */
void image_map(struct image *img, bool near_dyn_base, bool randomize);
/* image_symbol names the symbol at (or containing) the biased address
 * addr, from .symtab or else .dynsym; NULL when none is known. */
const char *image_symbol(const struct image *img, uintptr_t addr, char *buf, size_t n);
/* image_release unmaps the parsing view and closes the file. */
void image_release(struct image *img);
const char *machine_name(unsigned m);

/* ---- the address space (vm.c) ---- */
struct area {
	uintptr_t start, end;
	char perms[5];
	uint64_t off;
	char name[PATH_MAX];
};
/* maps_overlap finds the first mapping overlapping [lo, hi). */
bool maps_overlap(uintptr_t lo, uintptr_t hi, struct area *out);
/* maps_named finds the first mapping whose name is name ("[stack]"). */
bool maps_named(const char *name, struct area *out);
/* maps_each calls fn for each mapping until fn returns false. */
void maps_each(bool (*fn)(const struct area *, void *), void *arg);
bool aslr_enabled(void);       /* personality and kernel.randomize_va_space */
int randomize_level(void);     /* kernel.randomize_va_space (0, 1, 2) */
uintptr_t mmap_min_addr(void);
uint64_t random64(void);
void fill_random(void *p, size_t n);

/* ---- the initial stack (stack.c) ---- */
#define MAXAUX 64

struct auxent { uint64_t type, value; };

struct stackspec {              /* what to build */
	char **argv; int argc;       /* argc may be 0 (--empty-argv) */
	char **envp; int envc;
	const char *execfn;          /* AT_EXECFN */
	const uint64_t *loader_auxv; /* gortload's own auxv, the template */
	uint64_t drop[MAXAUX]; int ndrop; /* --drop-auxv */
	unsigned align;              /* --stack-align: %rsp mod 16 at entry */
	bool execstack;              /* PT_GNU_STACK PF_X */
	bool randomize;              /* a random gap below the strings, as the kernel */
	uintptr_t phdr, phent, phnum, entry, base;
};

struct stack {                  /* what was built */
	uintptr_t lo, hi;            /* the mapping */
	int prot;
	uintptr_t sp;                /* %rsp at entry: argc is here */
	int argc, envc;
	char **argv, **envp;         /* the vectors on the new stack */
	uint64_t *auxv;              /* ditto, AT_NULL-terminated */
	int naux;                    /* entries before AT_NULL */
	uintptr_t arg_start, arg_end, env_start, env_end;
	uintptr_t execfn, platform, base_platform, random; /* 0 if absent */
	uintptr_t strings_lo;        /* lowest string byte */
	uintptr_t gap_lo, gap_hi;    /* the random gap below the strings */
};

void stack_build(const struct stackspec *spec, struct stack *st);
const char *aux_name(uint64_t type);
/* aux_parse reads "AT_RANDOM", "RANDOM", "25" or "0x19"; -1 if unknown. */
long aux_parse(const char *s);

/* ---- the program break and /proc bookkeeping (vm.c) ---- */
struct mmstate {
	uintptr_t brk;          /* the program's break (moved or not) */
	bool moved;             /* prctl(PR_SET_MM_MAP) worked */
	int err;                /* its errno if not */
};
void mm_update(const struct image *prog, const struct stack *st, bool randomize, struct mmstate *mm);

/* ---- --show (show.c) ---- */
struct loadinfo {
	const struct image *prog, *interp; /* interp NULL when none */
	const struct stack *st;
	const struct mmstate *mm;
	uintptr_t jump;                   /* where control goes */
	const char *drops;                /* the --drop-auxv list, for the record */
};
void show(const struct loadinfo *li);
void out(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void out_flush(void);

/* ---- the hand-over (jump.c) ---- */
/* jump_prepare records what the stub needs; jump_unmap_later queues a
 * range the stub unmaps once it runs on the new stack (gortload's old stack,
 * which it cannot unmap while standing on it). */
void jump_prepare(uintptr_t sp, uintptr_t entry);
void jump_unmap_later(uintptr_t start, uintptr_t end);
__attribute__((noreturn)) void jump(void);

#endif
