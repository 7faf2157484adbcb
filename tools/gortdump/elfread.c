/* elfread.c: gortdump's view of the ELF image. Owns the checks that decide
 * whether the bytes are something we can report on at all (ELF, 64-bit,
 * x86-64, whole), the libelf handle, and the tables gathered from it:
 * segments, sections, symbols, relocations, the dynamic section. Also reads
 * memory at a virtual address as the loader lays the file out, applying the
 * relocations the loader would apply, so that pointers in data (the
 * init-task records) can be followed in PIE binaries, where the file holds
 * 0 and the value is a relocation's addend.
 *
 * libelf parses; the checks here come first because its answers on a
 * truncated file are "invalid section header" and the like, and the user
 * deserves "truncated ELF file". */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include "gortdump.h"

static int fail(char *err, size_t errlen, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static int fail(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
	return 1;
}

/* a + b <= lim, without overflow */
static bool fits(uint64_t a, uint64_t b, uint64_t lim)
{
	return a <= lim && b <= lim - a;
}

static const char *machine_name(unsigned m, char *buf, size_t len)
{
	switch (m) {
	case EM_NONE: return "no machine";
	case EM_386: return "Intel 80386";
	case EM_X86_64: return "x86-64";
	case EM_AARCH64: return "ARM aarch64";
	case EM_ARM: return "ARM";
	case EM_RISCV: return "RISC-V";
	case EM_PPC: return "PowerPC";
	case EM_PPC64: return "PowerPC64";
	case EM_S390: return "IBM S/390";
	case EM_MIPS: return "MIPS";
	case EM_SPARC: return "SPARC";
	case EM_SPARCV9: return "SPARC v9";
	case EM_IA_64: return "Intel IA-64";
	case EM_LOONGARCH: return "LoongArch";
	case EM_BPF: return "eBPF";
	}
	snprintf(buf, len, "machine %u", m);
	return buf;
}

/* identify: the checks that need no libelf. e_machine sits at offset 18 in
 * both classes, so the message can name the machine of a 32-bit file too. */
static int identify(const unsigned char *d, size_t n, char *err, size_t errlen)
{
	static const unsigned char magic[SELFMAG] = {ELFMAG0, ELFMAG1, ELFMAG2, ELFMAG3};
	char mb[32];
	if (n == 0) return fail(err, errlen, "not an ELF file (empty)");
	if (memcmp(d, magic, n < SELFMAG ? n : SELFMAG) != 0) return fail(err, errlen, "not an ELF file");
	if (n < EI_NIDENT) return fail(err, errlen, "truncated ELF file");
	bool msb = d[EI_DATA] == ELFDATA2MSB;
	if (d[EI_DATA] != ELFDATA2LSB && !msb)
		return fail(err, errlen, "malformed ELF file (unknown byte order %u)", d[EI_DATA]);
	if (d[EI_CLASS] != ELFCLASS32 && d[EI_CLASS] != ELFCLASS64)
		return fail(err, errlen, "malformed ELF file (unknown class %u)", d[EI_CLASS]);
	if (n < 20) return fail(err, errlen, "truncated ELF file");
	unsigned mach = msb ? (unsigned)d[18] << 8 | d[19] : (unsigned)d[19] << 8 | d[18];
	const char *mname = machine_name(mach, mb, sizeof mb);
	if (d[EI_CLASS] == ELFCLASS32)
		return fail(err, errlen, "32-bit ELF (%s), gortdump reads x86-64", mname);
	if (mach != EM_X86_64)
		return fail(err, errlen, "ELF for another machine (%s), gortdump reads x86-64", mname);
	if (msb) return fail(err, errlen, "big-endian ELF, gortdump reads x86-64 (little-endian)");
	if (n < sizeof(Elf64_Ehdr)) return fail(err, errlen, "truncated ELF file");
	return 0;
}

/* headers_fit: the program and section header tables lie inside the image.
 * A file cut short loses its section headers first (ld puts them last). */
static int headers_fit(const unsigned char *d, size_t n, const Elf64_Ehdr *eh, char *err, size_t errlen)
{
	if (eh->e_phoff != 0 && eh->e_phnum != 0) {
		if (eh->e_phentsize != sizeof(Elf64_Phdr))
			return fail(err, errlen, "malformed ELF file (program header size %u)", eh->e_phentsize);
		/* PN_XNUM: the real count is in section 0; libelf checks that one. */
		if (!fits(eh->e_phoff, (uint64_t)eh->e_phnum * sizeof(Elf64_Phdr), n))
			return fail(err, errlen, "truncated ELF file");
	}
	if (eh->e_shoff != 0) {
		if (eh->e_shentsize != sizeof(Elf64_Shdr))
			return fail(err, errlen, "malformed ELF file (section header size %u)", eh->e_shentsize);
		if (!fits(eh->e_shoff, sizeof(Elf64_Shdr), n)) return fail(err, errlen, "truncated ELF file");
		uint64_t shnum = eh->e_shnum;
		if (shnum == 0) { /* extended numbering: the count is section 0's size */
			Elf64_Shdr s0;
			memcpy(&s0, d + eh->e_shoff, sizeof s0);
			shnum = s0.sh_size;
		}
		if (shnum > (n - eh->e_shoff) / sizeof(Elf64_Shdr)) return fail(err, errlen, "truncated ELF file");
	}
	return 0;
}

static int cmp_sym(const void *a, const void *b)
{
	const struct gd_sym *x = a, *y = b;
	return x->value < y->value ? -1 : x->value > y->value;
}

static int cmp_rel(const void *a, const void *b)
{
	const struct gd_rel *x = a, *y = b;
	return x->offset < y->offset ? -1 : x->offset > y->offset;
}

/* Grows *p (of *cap elements of size sz) to hold one more than *n. */
static bool grow(void *p, size_t *cap, size_t n, size_t sz)
{
	if (n < *cap) return true;
	size_t nc = *cap ? *cap * 2 : 64;
	void *q = realloc(*(void **)p, nc * sz);
	if (!q) return false;
	*(void **)p = q;
	*cap = nc;
	return true;
}

static void add_symbols(struct gd *g, Elf_Scn *scn, const GElf_Shdr *sh, size_t *cap)
{
	Elf_Data *data = elf_getdata(scn, NULL);
	if (!data || !data->d_buf) return;
	size_t count = data->d_size / sizeof(Elf64_Sym);
	for (size_t i = 1; i < count; i++) {
		GElf_Sym s;
		if (!gelf_getsym(data, (int)i, &s)) break;
		unsigned type = GELF_ST_TYPE(s.st_info);
		/* Only what has an address: TLS symbols hold offsets, section
		 * and file symbols name no code or data. */
		if (s.st_shndx == SHN_UNDEF || s.st_shndx == SHN_ABS || type == STT_TLS ||
		    type == STT_SECTION || type == STT_FILE || s.st_value == 0)
			continue;
		const char *name = elf_strptr(g->elf, sh->sh_link, s.st_name);
		if (!name || !*name) continue;
		if (!grow(&g->sym, cap, g->nsym, sizeof *g->sym)) return;
		g->sym[g->nsym++] = (struct gd_sym){s.st_value, s.st_size, name,
						    (unsigned char)GELF_ST_BIND(s.st_info), (unsigned char)type};
	}
}

/* add_relocs: the relocations the loader (or the static-PIE self-relocation
 * in runtime/reloc.c) applies. Only allocated RELA sections: non-allocated
 * ones (from --emit-relocs) are the link's, not the loader's. */
static void add_relocs(struct gd *g, Elf_Scn *scn, const GElf_Shdr *sh, size_t *cap)
{
	Elf_Data *data = elf_getdata(scn, NULL);
	if (!data || !data->d_buf) return;
	Elf_Data *syms = NULL;
	Elf_Scn *symscn = elf_getscn(g->elf, sh->sh_link);
	if (symscn && sh->sh_link != 0) syms = elf_getdata(symscn, NULL);
	size_t count = data->d_size / sizeof(Elf64_Rela);
	for (size_t i = 0; i < count; i++) {
		GElf_Rela r;
		if (!gelf_getrela(data, (int)i, &r)) break;
		uint64_t value;
		switch (GELF_R_TYPE(r.r_info)) {
		case R_X86_64_RELATIVE:
			g->nrelative++;
			value = (uint64_t)r.r_addend;
			break;
		case R_X86_64_64: {
			g->nrelother++;
			GElf_Sym s;
			if (!syms || !gelf_getsym(syms, (int)GELF_R_SYM(r.r_info), &s) || s.st_shndx == SHN_UNDEF)
				continue; /* resolved against another object: unknown here */
			value = s.st_value + (uint64_t)r.r_addend;
			break;
		}
		case R_X86_64_IRELATIVE: /* ifuncs: static glibc resolves them at start-up */
			g->nirelative++;
			continue;
		default:
			g->nrelother++;
			continue;
		}
		if (!grow(&g->rel, cap, g->nrel, sizeof *g->rel)) return;
		g->rel[g->nrel++] = (struct gd_rel){r.r_offset, value};
	}
}

/* RELR (packed relative relocations): the value stays in the file, so there
 * is nothing to record; we count them for the report. An even word is an
 * address, an odd word a bitmap of the 63 words that follow the last one. */
static void count_relr(struct gd *g, Elf_Scn *scn)
{
	Elf_Data *data = elf_getdata(scn, NULL);
	if (!data || !data->d_buf) return;
	size_t count = data->d_size / 8;
	for (size_t i = 0; i < count; i++) {
		uint64_t w;
		memcpy(&w, (const char *)data->d_buf + i * 8, 8);
		g->nrelr += (w & 1) ? (size_t)__builtin_popcountll(w) - 1 : 1;
	}
}

static char *copy_str(const char *s, size_t max)
{
	size_t n = strnlen(s, max);
	char *c = malloc(n + 1);
	if (!c) return NULL;
	memcpy(c, s, n);
	c[n] = 0;
	return c;
}

/* read_dynamic: DT_NEEDED and the flags, from PT_DYNAMIC (present in
 * binaries that lost their section headers too). The names are in
 * DT_STRTAB, a virtual address. */
static void read_dynamic(struct gd *g, const struct gd_seg *s)
{
	Elf_Data *data = elf_getdata_rawchunk(g->elf, (int64_t)s->offset, s->filesz, ELF_T_DYN);
	if (!data) return;
	size_t count = data->d_size / sizeof(Elf64_Dyn);
	uint64_t strtab = 0;
	for (size_t i = 0; i < count; i++) {
		GElf_Dyn d;
		if (!gelf_getdyn(data, (int)i, &d) || d.d_tag == DT_NULL) break;
		if (d.d_tag == DT_STRTAB) strtab = d.d_un.d_ptr;
		if (d.d_tag == DT_FLAGS) g->dt_flags = d.d_un.d_val;
		if (d.d_tag == DT_FLAGS_1) g->dt_flags1 = d.d_un.d_val;
	}
	size_t cap = 0;
	for (size_t i = 0; i < count && strtab; i++) {
		GElf_Dyn d;
		if (!gelf_getdyn(data, (int)i, &d) || d.d_tag == DT_NULL) break;
		if (d.d_tag != DT_NEEDED || d.d_un.d_val > UINT64_MAX - strtab) continue;
		char *name = gd_str(g, strtab + d.d_un.d_val);
		if (!name) continue;
		if (!grow(&g->needed, &cap, g->nneeded, sizeof *g->needed)) {
			free(name);
			return;
		}
		g->needed[g->nneeded++] = name;
	}
}

int gd_open(struct gd *g, const void *data, size_t size, char *err, size_t errlen)
{
	const unsigned char *d = data;
	if (identify(d, size, err, errlen)) return 1;
	Elf64_Ehdr eh;
	memcpy(&eh, d, sizeof eh);
	switch (eh.e_type) {
	case ET_EXEC:
	case ET_DYN: break;
	case ET_REL: return fail(err, errlen, "relocatable object file (ET_REL), not a program: link it first");
	case ET_CORE: return fail(err, errlen, "core dump (ET_CORE), not a program");
	default: return fail(err, errlen, "malformed ELF file (unknown type %u)", eh.e_type);
	}
	if (headers_fit(d, size, &eh, err, errlen)) return 1;

	g->data = d;
	g->size = size;
	elf_version(EV_CURRENT);
	/* elf_memory takes a char *, but reading (ELF_C_READ_MMAP_PRIVATE on a
	 * native-endian image) never writes it: the fuzzer checks that. */
	g->elf = elf_memory((char *)(uintptr_t)data, size);
	if (!g->elf || elf_kind(g->elf) != ELF_K_ELF || !gelf_getehdr(g->elf, &g->eh))
		return fail(err, errlen, "malformed ELF file (%s)", elf_errmsg(-1));

	size_t phnum, shnum, shstrndx;
	if (elf_getphdrnum(g->elf, &phnum) != 0 || elf_getshdrnum(g->elf, &shnum) != 0)
		return fail(err, errlen, "malformed ELF file (%s)", elf_errmsg(-1));
	if (phnum > 0 && !fits(g->eh.e_phoff, (uint64_t)phnum * sizeof(Elf64_Phdr), size))
		return fail(err, errlen, "truncated ELF file");
	if (elf_getshdrstrndx(g->elf, &shstrndx) != 0) shstrndx = 0; /* sections go nameless */

	if (phnum) {
		g->seg = calloc(phnum, sizeof *g->seg);
		if (!g->seg) return fail(err, errlen, "out of memory");
	}
	for (size_t i = 0; i < phnum; i++) {
		GElf_Phdr p;
		if (!gelf_getphdr(g->elf, (int)i, &p))
			return fail(err, errlen, "malformed ELF file (%s)", elf_errmsg(-1));
		if (!fits(p.p_offset, p.p_filesz, size)) return fail(err, errlen, "truncated ELF file");
		g->seg[g->nseg++] = (struct gd_seg){p.p_type, p.p_flags, p.p_offset, p.p_vaddr,
						    p.p_filesz, p.p_memsz, p.p_align};
	}

	if (shnum) {
		g->sec = calloc(shnum, sizeof *g->sec);
		if (!g->sec) return fail(err, errlen, "out of memory");
	}
	size_t symcap = 0, relcap = 0;
	for (size_t i = 1; i < shnum; i++) {
		Elf_Scn *scn = elf_getscn(g->elf, i);
		GElf_Shdr sh;
		if (!scn || !gelf_getshdr(scn, &sh))
			return fail(err, errlen, "malformed ELF file (%s)", elf_errmsg(-1));
		if (sh.sh_type != SHT_NOBITS && sh.sh_type != SHT_NULL && !fits(sh.sh_offset, sh.sh_size, size))
			return fail(err, errlen, "truncated ELF file");
		const char *name = shstrndx ? elf_strptr(g->elf, shstrndx, sh.sh_name) : NULL;
		g->sec[g->nsec++] = (struct gd_sec){name ? name : "", sh.sh_type, sh.sh_flags, sh.sh_addr,
						    sh.sh_offset, sh.sh_size, sh.sh_entsize};
		if (sh.sh_type == SHT_SYMTAB || sh.sh_type == SHT_DYNSYM) add_symbols(g, scn, &sh, &symcap);
		if (sh.sh_type == SHT_RELA && (sh.sh_flags & SHF_ALLOC)) add_relocs(g, scn, &sh, &relcap);
		if (sh.sh_type == SHT_RELR) count_relr(g, scn);
	}
	if (g->nsym) qsort(g->sym, g->nsym, sizeof *g->sym, cmp_sym);
	if (g->nrel) qsort(g->rel, g->nrel, sizeof *g->rel, cmp_rel);

	for (size_t i = 0; i < g->nseg; i++) {
		const struct gd_seg *s = &g->seg[i];
		if (s->type == PT_INTERP && !g->interp && s->filesz)
			g->interp = copy_str((const char *)d + s->offset, s->filesz < GD_MAXSTR ? s->filesz : GD_MAXSTR);
		if (s->type == PT_DYNAMIC && !g->has_dynamic) {
			g->has_dynamic = true;
			read_dynamic(g, s);
		}
	}
	return 0;
}

void gd_close(struct gd *g)
{
	if (g->elf) elf_end(g->elf);
	free(g->seg);
	free(g->sec);
	free(g->sym);
	free(g->rel);
	free(g->interp);
	for (size_t i = 0; i < g->nneeded; i++) free(g->needed[i]);
	free(g->needed);
}

const struct gd_sec *gd_section(const struct gd *g, const char *name)
{
	for (size_t i = 0; i < g->nsec; i++)
		if (strcmp(g->sec[i].name, name) == 0) return &g->sec[i];
	return NULL;
}

bool gd_has_symbol(const struct gd *g, const char *name)
{
	for (size_t i = 0; i < g->nsym; i++)
		if (strcmp(g->sym[i].name, name) == 0) return true;
	return false;
}

/* How good a name a symbol is for its address: functions over data, global
 * over weak over local (the entry's own name over an alias). */
static int rank(const struct gd_sym *s)
{
	return (s->type == STT_FUNC) * 4 + (s->bind == STB_GLOBAL) * 2 + (s->bind == STB_WEAK);
}

/* gd_symbolize: the symbol at addr (*off = 0), else the sized symbol that
 * contains it (*off = distance from its start), else NULL. */
const char *gd_symbolize(const struct gd *g, uint64_t addr, uint64_t *off)
{
	size_t lo = 0, hi = g->nsym; /* first symbol with value > addr */
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (g->sym[mid].value <= addr) lo = mid + 1;
		else hi = mid;
	}
	const struct gd_sym *best = NULL;
	for (size_t i = lo; i-- > 0 && g->sym[i].value == addr;)
		if (!best || rank(&g->sym[i]) > rank(best)) best = &g->sym[i];
	if (best) {
		*off = 0;
		return best->name;
	}
	/* Containing symbol: look back a little (symbols nest rarely). */
	for (size_t i = lo, k = 0; i-- > 0 && k < 64; k++) {
		const struct gd_sym *s = &g->sym[i];
		if (s->size && addr - s->value < s->size) {
			*off = addr - s->value;
			return s->name;
		}
	}
	return NULL;
}

/* map: where the bytes at addr come from. Returns the file bytes (*avail of
 * them before the segment's file part ends), or NULL with *zero set when
 * addr is in a segment's zero-filled tail (bss), or NULL, *zero clear, when
 * nothing is mapped there. Uses PT_LOAD; a file without program headers
 * falls back to allocated sections. */
static const unsigned char *map(const struct gd *g, uint64_t addr, uint64_t *avail, uint64_t *zavail, bool *zero)
{
	*zero = false;
	bool anyload = false;
	for (size_t i = 0; i < g->nseg; i++) {
		const struct gd_seg *s = &g->seg[i];
		if (s->type != PT_LOAD) continue;
		anyload = true;
		if (addr < s->vaddr || addr - s->vaddr >= s->memsz) continue;
		uint64_t rel = addr - s->vaddr;
		if (rel < s->filesz) {
			*avail = s->filesz - rel;
			return g->data + s->offset + rel;
		}
		*zero = true;
		*zavail = s->memsz - rel;
		return NULL;
	}
	if (anyload) return NULL;
	for (size_t i = 0; i < g->nsec; i++) {
		const struct gd_sec *s = &g->sec[i];
		if (!(s->flags & SHF_ALLOC) || s->type == SHT_NULL || addr < s->addr || addr - s->addr >= s->size)
			continue;
		uint64_t rel = addr - s->addr;
		if (s->type == SHT_NOBITS) {
			*zero = true;
			*zavail = s->size - rel;
			return NULL;
		}
		*avail = s->size - rel;
		return g->data + s->offset + rel;
	}
	return NULL;
}

/* gd_read: n bytes at virtual address addr, as loaded (before relocation). */
bool gd_read(const struct gd *g, uint64_t addr, void *buf, size_t n)
{
	uint64_t avail = 0, zavail = 0;
	bool zero;
	const unsigned char *p = map(g, addr, &avail, &zavail, &zero);
	if (p && avail >= n) {
		memcpy(buf, p, n);
		return true;
	}
	if (zero && zavail >= n) {
		memset(buf, 0, n);
		return true;
	}
	return false; /* unmapped, or straddling the end of the file part */
}

/* gd_ptr: the pointer stored at addr once the loader has relocated the
 * image at base 0: a relocation's value if there is one, the file's bytes
 * otherwise (non-PIE binaries, and RELR, whose addends stay in the file). */
bool gd_ptr(const struct gd *g, uint64_t addr, uint64_t *val)
{
	size_t lo = 0, hi = g->nrel;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (g->rel[mid].offset < addr) lo = mid + 1;
		else hi = mid;
	}
	if (lo < g->nrel && g->rel[lo].offset == addr) {
		*val = g->rel[lo].value;
		return true;
	}
	return gd_read(g, addr, val, sizeof *val);
}

/* gd_str: a copy of the NUL-terminated string at addr (at most GD_MAXSTR
 * bytes, "..." marks a cut), or NULL when addr is not mapped. */
char *gd_str(const struct gd *g, uint64_t addr)
{
	uint64_t avail = 0, zavail = 0;
	bool zero;
	const unsigned char *p = map(g, addr, &avail, &zavail, &zero);
	if (!p) return zero ? calloc(1, 1) : NULL;
	size_t max = avail < GD_MAXSTR ? (size_t)avail : GD_MAXSTR;
	size_t n = strnlen((const char *)p, max);
	bool cut = n == max && max == GD_MAXSTR;
	char *s = malloc(n + 4);
	if (!s) return NULL;
	memcpy(s, p, n);
	strcpy(s + n, cut ? "..." : "");
	return s;
}

const char *gd_segtype(uint32_t type)
{
	switch (type) {
	case PT_NULL: return "NULL";
	case PT_LOAD: return "LOAD";
	case PT_DYNAMIC: return "DYNAMIC";
	case PT_INTERP: return "INTERP";
	case PT_NOTE: return "NOTE";
	case PT_SHLIB: return "SHLIB";
	case PT_PHDR: return "PHDR";
	case PT_TLS: return "TLS";
	case PT_GNU_EH_FRAME: return "GNU_EH_FRAME";
	case PT_GNU_STACK: return "GNU_STACK";
	case PT_GNU_RELRO: return "GNU_RELRO";
	case PT_GNU_PROPERTY: return "GNU_PROPERTY";
	}
	return NULL;
}

const char *gd_sectype(uint32_t type)
{
	switch (type) {
	case SHT_NULL: return "NULL";
	case SHT_PROGBITS: return "PROGBITS";
	case SHT_SYMTAB: return "SYMTAB";
	case SHT_STRTAB: return "STRTAB";
	case SHT_RELA: return "RELA";
	case SHT_HASH: return "HASH";
	case SHT_DYNAMIC: return "DYNAMIC";
	case SHT_NOTE: return "NOTE";
	case SHT_NOBITS: return "NOBITS";
	case SHT_REL: return "REL";
	case SHT_DYNSYM: return "DYNSYM";
	case SHT_INIT_ARRAY: return "INIT_ARRAY";
	case SHT_FINI_ARRAY: return "FINI_ARRAY";
	case SHT_PREINIT_ARRAY: return "PREINIT_ARRAY";
	case SHT_GROUP: return "GROUP";
	case SHT_RELR: return "RELR";
	case SHT_GNU_HASH: return "GNU_HASH";
	case SHT_GNU_verdef: return "VERDEF";
	case SHT_GNU_verneed: return "VERNEED";
	case SHT_GNU_versym: return "VERSYM";
	}
	return NULL;
}
