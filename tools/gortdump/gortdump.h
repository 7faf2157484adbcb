/* gortdump.h: the report gortdump builds from an ELF image, shared by its
 * files. The tool reads a program without running it:
 *
 *   elfread.c   checks the image is a 64-bit x86-64 ELF that is whole, then
 *               gathers segments, sections, symbols, relocations and the
 *               dynamic section through libelf; reads memory at a virtual
 *               address the way the loader would lay the file out;
 *   inittab.c   reads the init-task tables and orders them with the
 *               runtime's own order_inittasks (runtime/inittask.c);
 *   analyze.c   gortdump_analyze: the above, plus "is this gort, which
 *               libc, how linked", then output;
 *   output.c    the human report and the JSON object;
 *   main.c      the command line: reads the file, prints errors.
 *
 * Everything works on a memory buffer (libelf's elf_memory) so that the
 * fuzzer (test/gortdump/fuzz_gortdump.c) drives the same code as the tool.
 * Nothing in the image is trusted: every offset, size, count and pointer is
 * checked against the buffer before it is used. */
#ifndef GORTDUMP_H
#define GORTDUMP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <gelf.h>

/* gortdump_analyze reads the ELF image data[0..size) and prints the report
 * for it to out (JSON when json != 0); name is the file name shown in the
 * report. Returns 0, or 1 with a one-line reason in err (nothing printed)
 * when the image is not a whole x86-64 ELF program. Never writes data. */
int gortdump_analyze(const void *data, size_t size, const char *name, int json, FILE *out,
		     char *err, size_t errlen);

/* Sizes that bound what garbage can make us do. A real program has a handful
 * of init tasks, each with at most 8 dependencies (GORT_INIT's limit).
 * order_inittasks takes time quadratic in the length of a run of records
 * from one file (each root is the lowest line among the unvisited ones),
 * and recursion as deep as the longest dependency chain: 4096 records keep
 * both small, and are far more than any program declares. */
#define GD_MAXTASKS 4096u      /* records read from one table */
#define GD_MAXDEPS 1024        /* entries read from one dependency list */
#define GD_MAXSTR 4096         /* bytes read from one string in the image */
#define GD_RECSIZE 40          /* sizeof(struct gort_inittask) on x86-64 */
#define GD_MAXWARN 8           /* warnings kept per table */

struct gd_seg {
	uint32_t type, flags;
	uint64_t offset, vaddr, filesz, memsz, align;
};

struct gd_sec {
	const char *name; /* in libelf's copy of the string table, or "" */
	uint32_t type;
	uint64_t flags, addr, offset, size, entsize;
};

struct gd_sym {
	uint64_t value, size;
	const char *name;
	unsigned char bind, type;
};

/* A pointer-sized relocation whose link-time value we know (RELATIVE, or
 * R_X86_64_64 against a defined symbol): what the loader stores at offset
 * when the binary is loaded at address 0. */
struct gd_rel {
	uint64_t offset, value;
};

/* One init-task record as found in the file (struct gort_inittask). */
struct gd_task {
	uint64_t addr;                 /* of the record */
	uint64_t name_addr, fn, deps_addr, file_addr;
	int32_t line;
	char *name, *file;             /* copies; NULL when the pointer leads nowhere */
	bool file_shared;              /* file is the previous record's copy */
	size_t ndeps;
	uint64_t *dep_addr;            /* the dependency pointers */
	int64_t *dep;                  /* record index of each, -1: not a record of the table */
	bool deps_unreadable;          /* the list, or its end, lies outside the image */
	const char *fn_sym;            /* symbol of fn, or NULL */
	uint64_t fn_off;
};

enum gd_tabstatus {
	GD_TAB_OK,         /* order[] is the run order */
	GD_TAB_CYCLE,      /* order[0..norder) is the cycle, as the runtime reports it */
	GD_TAB_OUTSIDE,    /* order[0] depends on something that is not a record */
	GD_TAB_UNREADABLE, /* problem says why the table cannot be read or ordered */
};

struct gd_table {
	const char *section; /* "gort_inittask" or "gort_rtinittask" */
	bool present;
	uint64_t addr, size;
	size_t n;
	struct gd_task *t;
	enum gd_tabstatus status;
	char problem[256];
	uint32_t *order;
	size_t norder;
	char warn[GD_MAXWARN][160];
	size_t nwarn, nwarn_dropped;
};

struct gd {
	const char *name;
	const unsigned char *data;
	size_t size;
	Elf *elf;
	GElf_Ehdr eh;

	struct gd_seg *seg;
	size_t nseg;
	struct gd_sec *sec;
	size_t nsec;
	struct gd_sym *sym; /* defined symbols with an address, sorted by value */
	size_t nsym;
	struct gd_rel *rel; /* sorted by offset */
	size_t nrel;
	size_t nrelative, nrelr, nirelative, nrelother;

	char *interp;            /* PT_INTERP's path, copied */
	bool has_dynamic;
	char **needed;           /* DT_NEEDED names, copied */
	size_t nneeded;
	uint64_t dt_flags, dt_flags1;

	/* analyze.c's conclusions */
	const char *entry_sym;
	uint64_t entry_off;
	bool gort;
	char gort_why[256];
	const char *libc;        /* "musl", "glibc", "unknown", "none" */
	const char *linking;     /* "static", "static-pie", "dynamic", "dynamic-pie", "shared" */
	char libc_why[256];
	bool gdb_scripts;

	struct gd_table tasks, rttasks;
};

/* elfread.c */
int gd_open(struct gd *g, const void *data, size_t size, char *err, size_t errlen);
void gd_close(struct gd *g);
const struct gd_sec *gd_section(const struct gd *g, const char *name);
bool gd_has_symbol(const struct gd *g, const char *name);
const char *gd_symbolize(const struct gd *g, uint64_t addr, uint64_t *off);
bool gd_read(const struct gd *g, uint64_t addr, void *buf, size_t n);
bool gd_ptr(const struct gd *g, uint64_t addr, uint64_t *val);
char *gd_str(const struct gd *g, uint64_t addr);
const char *gd_segtype(uint32_t type);
const char *gd_sectype(uint32_t type);

/* inittab.c */
void gd_read_table(struct gd *g, struct gd_table *tab, const char *section);
void gd_free_table(struct gd_table *tab);

/* output.c */
void gd_print_text(const struct gd *g, FILE *out);
void gd_print_json(const struct gd *g, FILE *out);

#endif
