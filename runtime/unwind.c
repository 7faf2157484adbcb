/* unwind.c: walking a stack with the program's call frame information, for
 * tracebacks (issue #15 item 1). Go's gentraceback reads the pclntab its
 * compiler writes for every function; a C program's equivalent is the
 * .eh_frame section (and its .eh_frame_hdr search table) that gcc and clang
 * emit by default on x86-64 (-fasynchronous-unwind-tables), that libgcc's
 * unwinder uses for C++ exceptions and gdb for `bt`. With it, frames of code
 * compiled without frame pointers (gcc -O2's default, the libc, most
 * libraries) are found, and so are signal frames and the preemption
 * trampoline (asm_amd64.S: both carry CFI marked as signal frames).
 *
 * Algorithm, per frame: find the module containing the pc (the executable
 * from AT_PHDR, the shared objects from the dynamic linker's r_debug list,
 * the vDSO from AT_SYSINFO_EHDR), binary-search its .eh_frame_hdr table for
 * the FDE, run the CIE's and the FDE's CFA program up to the pc, and compute
 * the caller's registers: CFA, return address, the callee-saved registers.
 * Where a pc has no FDE (musl is built without unwind tables; hand-written
 * assembly), the frame-pointer record at %rbp is used when it is plausible,
 * then a bounded scan of the stack for a word that is a return address (in
 * a module's code, just after a call instruction), as crash reporters do
 * for code without unwind information.
 *
 * Constraints: runs in signal handlers and on corrupt stacks. No malloc, no
 * lock (callers hold printlock, which serialises the module table), no
 * system call but one msync probe per new shared object. Every stack read is
 * checked against the ranges the caller gives (the goroutine's stack, the
 * thread's g0 and signal stacks); reads of unwind tables trust the images
 * the dynamic linker mapped. At most UNWIND_MAXFRAMES frames; the stack
 * pointer must grow from frame to frame except across a signal frame.
 *
 * Rejected: libgcc's _Unwind_Backtrace (takes the dynamic linker's lock
 * through dl_iterate_phdr, allocates on first use, absent in static musl
 * programs); libunwind (not in the libc, allocates); reading .debug_frame
 * (not loaded: it would need the file, which may be gone after chroot). */
#include <elf.h>
#include <link.h>
#include <sys/mman.h>
#include <ucontext.h>
#include "runtime.h"
#include "unwind.h"

/* ---- modules ---- */

struct umodule {
	uintptr_t xlo, xhi;   /* runtime span of its executable segments */
	uintptr_t ehhdr;      /* runtime address of .eh_frame_hdr, 0 if none */
	uintptr_t bias;       /* load address - link address */
	const char *name;     /* the dynamic linker's name for it, or NULL */
	const Elf64_Sym *syms; /* its dynamic symbols (exported names) */
	const char *strs;
	size_t nsyms, strsz;
};
enum { MAXMODULES = 128 };
static struct umodule mods[MAXMODULES] COLDBSS; /* under printlock */
static int nmods;

/* dynsyms finds a module's dynamic symbol table from its dynamic section:
 * names for frames in shared libraries without opening their files (the
 * exported functions: raise, abort, free; static ones stay unnamed). The
 * count comes from DT_HASH, or from DT_GNU_HASH's last chain. */
static void dynsyms(struct umodule *m, const Elf64_Dyn *dyn)
{
	uintptr_t symtab = 0, strtab = 0, strsz = 0, hash = 0, gnuhash = 0;
	for (int i = 0; i < 512 && dyn[i].d_tag != DT_NULL; i++) {
		uintptr_t v = dyn[i].d_un.d_ptr;
		switch (dyn[i].d_tag) {
		case DT_SYMTAB: symtab = v; break;
		case DT_STRTAB: strtab = v; break;
		case DT_STRSZ: strsz = v; break;
		case DT_HASH: hash = v; break;
		case DT_GNU_HASH: gnuhash = v; break;
		}
	}
	/* glibc's loader relocates these entries in place; musl's and the
	 * vDSO's are link-time addresses. */
#define FIX(a) ((a) && (a) < m->bias ? (a) + m->bias : (a))
	symtab = FIX(symtab), strtab = FIX(strtab), hash = FIX(hash), gnuhash = FIX(gnuhash);
#undef FIX
	if (!symtab || !strtab || !strsz) return;
	size_t n = 0;
	if (hash) {
		n = ((const uint32_t *)hash)[1];
	} else if (gnuhash) {
		const uint32_t *h = (const uint32_t *)gnuhash;
		uint32_t nbuckets = h[0], symoffset = h[1], bloomsize = h[2];
		const uint32_t *buckets = (const uint32_t *)(h + 4 + bloomsize * 2);
		const uint32_t *chains = buckets + nbuckets;
		uint32_t last = 0;
		for (uint32_t i = 0; i < nbuckets && i < (1u << 20); i++)
			if (buckets[i] > last) last = buckets[i];
		if (last >= symoffset) {
			for (uint32_t k = 0; k < (1u << 20) && !(chains[last - symoffset] & 1); k++) last++;
			n = last + 1;
		}
	}
	if (n > (1u << 20)) return;
	m->syms = (const Elf64_Sym *)symtab;
	m->strs = (const char *)strtab;
	m->nsyms = n;
	m->strsz = strsz;
}

static void addmodule(uintptr_t bias, const Elf64_Phdr *ph, size_t phnum, const char *name, bool syms)
{
	if (nmods >= MAXMODULES) return;
	struct umodule m = {UINTPTR_MAX, 0, 0, bias, name, NULL, NULL, 0, 0};
	const Elf64_Dyn *dyn = NULL;
	for (size_t i = 0; i < phnum; i++) {
		if (ph[i].p_type == PT_DYNAMIC) dyn = (const Elf64_Dyn *)(bias + ph[i].p_vaddr);
		if (ph[i].p_type == PT_LOAD && (ph[i].p_flags & PF_X)) {
			uintptr_t lo = bias + ph[i].p_vaddr, hi = lo + ph[i].p_memsz;
			if (lo < m.xlo) m.xlo = lo;
			if (hi > m.xhi) m.xhi = hi;
		} else if (ph[i].p_type == PT_GNU_EH_FRAME) {
			m.ehhdr = bias + ph[i].p_vaddr;
		}
	}
	if (!m.xhi) return;
	for (int i = 0; i < nmods; i++)
		if (mods[i].xlo == m.xlo) return;
	if (syms && dyn) dynsyms(&m, dyn);
	mods[nmods++] = m;
}

/* mapped: is the page of p mapped? (msync fails with ENOMEM otherwise.) */
static bool mapped(uintptr_t p)
{
	return rawsyscall(SYS_msync, p & ~(uintptr_t)4095, 1, MS_ASYNC) == 0;
}

static bool addimage(uintptr_t ehdr, uintptr_t bias, const char *name)
{
	if (!ehdr || !mapped(ehdr)) return false;
	const Elf64_Ehdr *eh = (const Elf64_Ehdr *)ehdr;
	if (__builtin_memcmp(eh->e_ident, ELFMAG, SELFMAG) || eh->e_ident[EI_CLASS] != ELFCLASS64 ||
	    eh->e_phentsize != sizeof(Elf64_Phdr) || eh->e_phnum > 64 || eh->e_phoff > 4096 - 64 * sizeof(Elf64_Phdr))
		return false;
	addmodule(bias, (const Elf64_Phdr *)(ehdr + eh->e_phoff), eh->e_phnum, name, true);
	return true;
}

/* exe_loadbias: the executable's load address minus its link address,
 * from its program headers in memory (AT_PHDR). */
static uintptr_t exe_loadbias(const Elf64_Phdr *ph)
{
	for (uintptr_t i = 0; i < auxv_info.phnum; i++)
		if (ph[i].p_type == PT_PHDR) return auxv_info.phdr - ph[i].p_vaddr;
	/* No PT_PHDR (static-PIE): the headers follow the ELF header of the
	 * first PT_LOAD, which maps the file from offset 0. */
	for (uintptr_t i = 0; i < auxv_info.phnum; i++)
		if (ph[i].p_type == PT_LOAD && ph[i].p_offset == 0)
			return auxv_info.phdr - sizeof(Elf64_Ehdr) - ph[i].p_vaddr;
	return 0;
}

/* unwind_modules rebuilds the module table: cheap (a walk of the dynamic
 * linker's list), done at the start of every traceback so that libraries
 * loaded since are found. Lock-free reading of that list races with a
 * dlopen in progress at worst, as gdb's does. */
void unwind_modules(void)
{
	nmods = 0;
	const Elf64_Phdr *ph = (const Elf64_Phdr *)auxv_info.phdr;
	uintptr_t exebias = 0;
	const Elf64_Dyn *dyn = NULL;
	if (ph) {
		exebias = exe_loadbias(ph);
		addmodule(exebias, ph, auxv_info.phnum, NULL, false); /* symtab.c names it */
		for (uintptr_t i = 0; i < auxv_info.phnum; i++)
			if (ph[i].p_type == PT_DYNAMIC) dyn = (const Elf64_Dyn *)(exebias + ph[i].p_vaddr);
	}
	if (auxv_info.sysinfo_ehdr) addimage(auxv_info.sysinfo_ehdr, auxv_info.sysinfo_ehdr, "[vdso]");
	struct r_debug *rd = NULL;
	for (int i = 0; dyn && i < 256 && dyn[i].d_tag != DT_NULL; i++)
		if (dyn[i].d_tag == DT_DEBUG) rd = (struct r_debug *)dyn[i].d_un.d_ptr;
	if (!rd || !mapped((uintptr_t)rd)) return;
	int n = 0;
	for (struct link_map *l = rd->r_map; l && n < 1024; l = l->l_next, n++) {
		if (!mapped((uintptr_t)l)) break;
		if (l->l_addr == exebias) continue; /* the executable */
		/* A shared object's first PT_LOAD maps its ELF header at l_addr
		 * (its first segment's address is 0); one that does not is
		 * skipped: its frames are walked by the fallbacks. */
		addimage(l->l_addr, l->l_addr, l->l_name && mapped((uintptr_t)l->l_name) && l->l_name[0] ? l->l_name : NULL);
	}
}

static const struct umodule *findmodule(uintptr_t pc)
{
	for (int i = 0; i < nmods; i++)
		if (pc >= mods[i].xlo && pc < mods[i].xhi) return &mods[i];
	return NULL;
}

/* unwind_libname: for a pc in a shared object, its file's base name and the
 * pc's offset from its load address (what /proc/self/maps would give); the
 * exported function containing pc, if any, in *name and *off. */
bool unwind_libname(uintptr_t pc, const char **lib, uintptr_t *liboff, const char **name, uintptr_t *off)
{
	const struct umodule *m = findmodule(pc);
	*name = NULL;
	if (!m || !m->name) return false;
	const char *b = m->name;
	for (const char *q = m->name; *q; q++)
		if (*q == '/') b = q + 1;
	*lib = b;
	*liboff = pc - m->bias;
	const Elf64_Sym *best = NULL;
	for (size_t i = 0; i < m->nsyms; i++) {
		const Elf64_Sym *s = &m->syms[i];
		if (ELF64_ST_TYPE(s->st_info) != STT_FUNC || s->st_shndx == SHN_UNDEF || !s->st_size ||
		    s->st_name >= m->strsz)
			continue;
		uintptr_t a = m->bias + s->st_value;
		if (pc < a || pc >= a + s->st_size) continue;
		/* Aliases: prefer the name without leading underscores (raise
		 * over gsignal's __GI_raise; abort; free over __libc_free). */
		if (!best || (m->strs[best->st_name] == '_' && m->strs[s->st_name] != '_')) best = s;
	}
	if (best) {
		*name = m->strs + best->st_name;
		*off = pc - (m->bias + best->st_value);
	}
	return true;
}

/* ---- reading DWARF encodings ---- */

struct rd {
	const uint8_t *p, *end;
	bool bad;
};

static uint64_t uleb(struct rd *r)
{
	uint64_t v = 0;
	for (int s = 0; r->p < r->end && s < 64; s += 7) {
		uint8_t b = *r->p++;
		v |= (uint64_t)(b & 0x7f) << s;
		if (!(b & 0x80)) return v;
	}
	r->bad = true;
	return 0;
}

static int64_t sleb(struct rd *r)
{
	int64_t v = 0;
	int s = 0;
	for (; r->p < r->end && s < 64;) {
		uint8_t b = *r->p++;
		v |= (int64_t)(b & 0x7f) << s;
		s += 7;
		if (!(b & 0x80)) {
			if (s < 64 && (b & 0x40)) v |= -((int64_t)1 << s);
			return v;
		}
	}
	r->bad = true;
	return 0;
}

static uint64_t fixed(struct rd *r, int n)
{
	if (r->end - r->p < n) {
		r->bad = true;
		r->p = r->end;
		return 0;
	}
	uint64_t v = 0;
	__builtin_memcpy(&v, r->p, n);
	r->p += n;
	return v;
}

/* encptr reads a pointer in DW_EH_PE encoding enc; datarel is the base of
 * DW_EH_PE_datarel (the .eh_frame_hdr). Indirect and other bases are not
 * used by x86-64 toolchains for what is read here. */
static uintptr_t encptr(struct rd *r, uint8_t enc, uintptr_t datarel)
{
	if (enc == 0xff) return 0; /* DW_EH_PE_omit */
	uintptr_t here = (uintptr_t)r->p, v;
	switch (enc & 0x0f) {
	case 0x00: v = fixed(r, 8); break;
	case 0x01: v = uleb(r); break;
	case 0x02: v = (uint16_t)fixed(r, 2); break;
	case 0x03: v = (uint32_t)fixed(r, 4); break;
	case 0x04: v = fixed(r, 8); break;
	case 0x09: v = (uintptr_t)sleb(r); break;
	case 0x0a: v = (uintptr_t)(int16_t)fixed(r, 2); break;
	case 0x0b: v = (uintptr_t)(int32_t)fixed(r, 4); break;
	case 0x0c: v = fixed(r, 8); break;
	default: r->bad = true; return 0;
	}
	switch (enc & 0x70) {
	case 0x00: break;
	case 0x10: v += here; break;      /* pcrel */
	case 0x30: v += datarel; break;   /* datarel */
	default: r->bad = true; return 0;
	}
	if (enc & 0x80) r->bad = true; /* indirect: not for code addresses */
	return v;
}

/* ---- finding the FDE ---- */

struct fde {
	uintptr_t lo, hi;                 /* the code it covers */
	const uint8_t *cie_ins, *cie_end; /* the CIE's initial instructions */
	const uint8_t *ins, *end;         /* the FDE's instructions */
	uint64_t codealign;
	int64_t dataalign;
	unsigned rareg;
	bool signal;                      /* 'S': a signal frame */
};

static bool parse_fde(const uint8_t *f, struct fde *out)
{
	uint32_t len;
	__builtin_memcpy(&len, f, 4);
	if (len == 0 || len == 0xffffffff) return false;
	const uint8_t *fend = f + 4 + len;
	int32_t cieoff;
	__builtin_memcpy(&cieoff, f + 4, 4);
	if (cieoff <= 0) return false;
	const uint8_t *c = f + 4 - cieoff;
	uint32_t clen, cid;
	__builtin_memcpy(&clen, c, 4);
	__builtin_memcpy(&cid, c + 4, 4);
	if (clen == 0 || clen == 0xffffffff || cid != 0) return false;
	struct rd r = {c + 8, c + 4 + clen, false};
	uint8_t version = (uint8_t)fixed(&r, 1);
	const char *aug = (const char *)r.p;
	size_t alen = 0;
	while (r.p < r.end && *r.p) r.p++, alen++;
	r.p++;
	if (version != 1 && version != 3) return false;
	if (alen && aug[0] != 'z') return false; /* "eh" and other old forms */
	out->codealign = uleb(&r);
	out->dataalign = sleb(&r);
	out->rareg = version == 1 ? (unsigned)fixed(&r, 1) : (unsigned)uleb(&r);
	uint8_t fdeenc = 0, lsdaenc = 0xff;
	out->signal = false;
	if (alen) {
		uint64_t l = uleb(&r);
		const uint8_t *augend = r.p + l;
		for (size_t i = 1; i < alen && !r.bad; i++) {
			switch (aug[i]) {
			case 'R': fdeenc = (uint8_t)fixed(&r, 1); break;
			case 'L': lsdaenc = (uint8_t)fixed(&r, 1); break;
			case 'P': {
				uint8_t penc = (uint8_t)fixed(&r, 1);
				struct rd t = r; /* may be indirect: skip by size only */
				encptr(&t, penc & 0x7f, 0);
				r.p = t.p;
				break;
			}
			case 'S': out->signal = true; break;
			case 'B': break;
			default: r.p = augend; i = alen; break;
			}
		}
		r.p = augend;
	}
	if (r.bad || r.p > r.end) return false;
	out->cie_ins = r.p;
	out->cie_end = r.end;
	struct rd fr = {f + 8, fend, false};
	out->lo = encptr(&fr, fdeenc, 0);
	struct rd t = fr;
	out->hi = out->lo + (uintptr_t)encptr(&t, fdeenc & 0x0f, 0);
	fr.p = t.p;
	if (alen) {
		uint64_t l = uleb(&fr);
		fr.p += l;
	}
	(void)lsdaenc;
	if (fr.bad || fr.p > fend) return false;
	out->ins = fr.p;
	out->end = fend;
	return true;
}

/* ---- the executable's FDEs without .eh_frame_hdr ----
 * A static program linked without --eh-frame-hdr (the bare
 * -nostartfiles -lgort: gcc asks for the table in dynamic links only) has
 * its .eh_frame but no search table. unwind_preload finds the section in
 * the executable's section headers (the file symtab.c maps), and sorts its
 * FDEs' ranges into a table of its own (mmap, once, when the first
 * goroutine starts: never in a signal handler). Read-only afterwards, so
 * handlers on any thread may search it. */
struct fdeent {
	uintptr_t lo, hi;
	const uint8_t *fde;
};
static struct fdeent *fdetab;
static size_t nfdetab;
static _Atomic bool fdetab_ready;
static uintptr_t exe_ehhdr;   /* the executable's .eh_frame_hdr, or 0 */
static uintptr_t exe_xlo, exe_xhi;

static void fde_sift(struct fdeent *a, size_t i, size_t n)
{
	for (;;) {
		size_t c = 2 * i + 1;
		if (c >= n) return;
		if (c + 1 < n && a[c + 1].lo > a[c].lo) c++;
		if (a[i].lo >= a[c].lo) return;
		struct fdeent t = a[i];
		a[i] = a[c];
		a[c] = t;
		i = c;
	}
}

void unwind_preload(void)
{
	static _Atomic bool done;
	if (atomic_exchange(&done, true)) return;
	const Elf64_Phdr *ph = (const Elf64_Phdr *)auxv_info.phdr;
	if (!ph) return;
	uintptr_t bias = exe_loadbias(ph);
	exe_xlo = UINTPTR_MAX;
	for (uintptr_t i = 0; i < auxv_info.phnum; i++) {
		if (ph[i].p_type == PT_GNU_EH_FRAME) exe_ehhdr = bias + ph[i].p_vaddr;
		if (ph[i].p_type == PT_LOAD && (ph[i].p_flags & PF_X)) {
			if (bias + ph[i].p_vaddr < exe_xlo) exe_xlo = bias + ph[i].p_vaddr;
			if (bias + ph[i].p_vaddr + ph[i].p_memsz > exe_xhi) exe_xhi = bias + ph[i].p_vaddr + ph[i].p_memsz;
		}
	}
	if (exe_ehhdr) return;
	const char *b;
	size_t sz;
	uintptr_t fbias;
	if (!exe_image(&b, &sz, &fbias)) return;
	const Elf64_Ehdr *eh = (const Elf64_Ehdr *)b;
	if (eh->e_shoff == 0 || eh->e_shoff > sz || (size_t)eh->e_shnum * sizeof(Elf64_Shdr) > sz - eh->e_shoff ||
	    eh->e_shstrndx >= eh->e_shnum)
		return;
	const Elf64_Shdr *sh = (const Elf64_Shdr *)(b + eh->e_shoff);
	const Elf64_Shdr *strs = &sh[eh->e_shstrndx];
	if (strs->sh_offset > sz || strs->sh_size > sz - strs->sh_offset) return;
	const Elf64_Shdr *ef = NULL;
	for (int i = 0; i < eh->e_shnum && !ef; i++)
		if (sh[i].sh_name < strs->sh_size && sh[i].sh_addr &&
		    __builtin_strncmp(b + strs->sh_offset + sh[i].sh_name, ".eh_frame", 10) == 0)
			ef = &sh[i];
	if (!ef || ef->sh_size < 8) return;
	/* The loaded copy, in the executable's read-only segment. */
	const uint8_t *lo = (const uint8_t *)(fbias + ef->sh_addr), *hi = lo + ef->sh_size;
	size_t n = 0;
	for (int pass = 0; pass < 2; pass++) {
		size_t k = 0;
		for (const uint8_t *p = lo; p + 8 <= hi;) {
			uint32_t len, id;
			__builtin_memcpy(&len, p, 4);
			if (len == 0 || len == 0xffffffff || len > (size_t)(hi - p) - 4) break;
			__builtin_memcpy(&id, p + 4, 4);
			struct fde fd;
			if (id != 0 && parse_fde(p, &fd) && fd.hi > fd.lo) {
				if (pass == 1 && k < n) fdetab[k] = (struct fdeent){fd.lo, fd.hi, p};
				k++;
			}
			p += 4 + len;
		}
		if (pass == 0) {
			n = k;
			if (!n) return;
			void *m = sys_mmap(NULL, n * sizeof(struct fdeent), PROT_READ | PROT_WRITE,
					   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
			if (sys_mmap_failed(m)) return;
			fdetab = m;
		}
	}
	for (size_t i = n / 2; i-- > 0;) fde_sift(fdetab, i, n);
	for (size_t i = n; i-- > 1;) {
		struct fdeent t = fdetab[0];
		fdetab[0] = fdetab[i];
		fdetab[i] = t;
		fde_sift(fdetab, 0, i);
	}
	nfdetab = n;
	atomic_store_explicit(&fdetab_ready, true, memory_order_release);
}

static const struct fdeent *fdetab_find(uintptr_t pc)
{
	if (!atomic_load_explicit(&fdetab_ready, memory_order_acquire)) return NULL;
	size_t lo = 0, hi = nfdetab;
	while (hi - lo > 1) {
		size_t mid = lo + (hi - lo) / 2;
		if (fdetab[mid].lo <= pc) lo = mid;
		else hi = mid;
	}
	const struct fdeent *e = &fdetab[lo];
	return pc >= e->lo && pc < e->hi ? e : NULL;
}

/* hdr_find: the FDE for pc through an .eh_frame_hdr at hdr. */
static const uint8_t *hdr_find(uintptr_t hdr, uintptr_t pc)
{
	const uint8_t *h = (const uint8_t *)hdr;
	if (h[0] != 1) return NULL;
	struct rd r = {h + 4, h + 4 + 32, false};
	encptr(&r, h[1], hdr); /* eh_frame_ptr */
	uintptr_t count = encptr(&r, h[2], hdr);
	if (r.bad || h[3] != 0x3b || count == 0) return NULL; /* datarel sdata4: what ld writes */
	const int32_t *tab = (const int32_t *)r.p;
	size_t lo = 0, hi = count;
	while (hi - lo > 1) {
		size_t mid = lo + (hi - lo) / 2;
		if (hdr + (intptr_t)tab[2 * mid] <= pc) lo = mid;
		else hi = mid;
	}
	if (hdr + (intptr_t)tab[2 * lo] > pc) return NULL;
	return (const uint8_t *)(hdr + (intptr_t)tab[2 * lo + 1]);
}

/* unwind_exe_hasfde: has the executable's code at pc call frame
 * information? For the safe-point rule of static musl programs linked with
 * the bare flags (signal_linux.c): musl's code has none, the program's
 * has. Signal-safe once unwind_preload ran; false before. */
bool unwind_exe_hasfde(uintptr_t pc)
{
	if (pc < exe_xlo || pc >= exe_xhi) return false;
	struct fde fd;
	const uint8_t *f = exe_ehhdr ? hdr_find(exe_ehhdr, pc) : NULL;
	if (!f) {
		const struct fdeent *e = fdetab_find(pc);
		return e != NULL;
	}
	return parse_fde(f, &fd) && pc >= fd.lo && pc < fd.hi;
}

/* findfde: through the module's .eh_frame_hdr, or for the executable
 * without one, unwind_preload's table. */
static bool findfde(uintptr_t pc, struct fde *out)
{
	const struct umodule *m = findmodule(pc);
	if (!m) return false;
	const uint8_t *f = NULL;
	if (m->ehhdr) {
		f = hdr_find(m->ehhdr, pc);
	} else if (pc >= exe_xlo && pc < exe_xhi) {
		const struct fdeent *e = fdetab_find(pc);
		if (e) f = e->fde;
	}
	if (!f || !parse_fde(f, out)) return false;
	return pc >= out->lo && pc < out->hi;
}

/* ---- the CFA program ---- */

enum { R_UNDEF, R_SAME, R_OFFSET, R_VALOFFSET, R_REG, R_EXPR, R_VALEXPR };
enum { NREGS = UNWIND_NREGS, RSP = 7, RIP = 16, STATEDEPTH = 8 };

struct rule {
	uint8_t how;
	int64_t off;            /* R_OFFSET, R_VALOFFSET; register for R_REG */
	const uint8_t *expr;    /* R_EXPR, R_VALEXPR */
	uint32_t elen;
};
struct cfastate {
	struct rule reg[NREGS];
	unsigned cfareg;
	int64_t cfaoff;
	const uint8_t *cfaexpr;
	uint32_t cfaelen;
};

/* runcfa runs instructions [p, end) while the location is <= target. */
static bool runcfa(const struct fde *fd, const uint8_t *p, const uint8_t *end, uintptr_t target,
		   struct cfastate *st, const struct cfastate *init, bool cie)
{
	struct cfastate saved[STATEDEPTH];
	int nsaved = 0;
	uintptr_t loc = fd->lo;
	struct rd r = {p, end, false};
	while (r.p < r.end && !r.bad) {
		uint8_t op = *r.p++;
		uint64_t reg;
		int64_t off;
		switch (op >> 6) {
		case 1: /* DW_CFA_advance_loc */
			loc += (op & 0x3f) * fd->codealign;
			if (!cie && loc > target) return true;
			continue;
		case 2: /* DW_CFA_offset */
			reg = op & 0x3f;
			off = (int64_t)uleb(&r) * fd->dataalign;
			if (reg < NREGS) st->reg[reg] = (struct rule){R_OFFSET, off, NULL, 0};
			continue;
		case 3: /* DW_CFA_restore */
			reg = op & 0x3f;
			if (reg < NREGS && init) st->reg[reg] = init->reg[reg];
			continue;
		}
		switch (op) {
		case 0x00: break; /* nop */
		case 0x01: loc = encptr(&r, 0x00, 0); if (!cie && loc > target) return true; break;
		case 0x02: loc += fixed(&r, 1) * fd->codealign; if (!cie && loc > target) return true; break;
		case 0x03: loc += fixed(&r, 2) * fd->codealign; if (!cie && loc > target) return true; break;
		case 0x04: loc += fixed(&r, 4) * fd->codealign; if (!cie && loc > target) return true; break;
		case 0x05: /* offset_extended */
			reg = uleb(&r);
			off = (int64_t)uleb(&r) * fd->dataalign;
			if (reg < NREGS) st->reg[reg] = (struct rule){R_OFFSET, off, NULL, 0};
			break;
		case 0x06: /* restore_extended */
			reg = uleb(&r);
			if (reg < NREGS && init) st->reg[reg] = init->reg[reg];
			break;
		case 0x07: reg = uleb(&r); if (reg < NREGS) st->reg[reg].how = R_UNDEF; break;
		case 0x08: reg = uleb(&r); if (reg < NREGS) st->reg[reg].how = R_SAME; break;
		case 0x09: /* register */
			reg = uleb(&r);
			off = (int64_t)uleb(&r);
			if (reg < NREGS) st->reg[reg] = (struct rule){R_REG, off, NULL, 0};
			break;
		case 0x0a: /* remember_state */
			if (nsaved == STATEDEPTH) return false;
			saved[nsaved++] = *st;
			break;
		case 0x0b: /* restore_state: every rule, the CFA's too (as gcc
			    * means it around an epilogue, and as readelf and
			    * libgcc read it) */
			if (nsaved == 0) return false;
			*st = saved[--nsaved];
			break;
		case 0x0c: st->cfareg = (unsigned)uleb(&r); st->cfaoff = (int64_t)uleb(&r); st->cfaexpr = NULL; break;
		case 0x0d: st->cfareg = (unsigned)uleb(&r); st->cfaexpr = NULL; break;
		case 0x0e: st->cfaoff = (int64_t)uleb(&r); break;
		case 0x0f: /* def_cfa_expression */
			st->cfaelen = (uint32_t)uleb(&r);
			st->cfaexpr = r.p;
			r.p += st->cfaelen;
			break;
		case 0x10: /* expression */
		case 0x16: /* val_expression */
			reg = uleb(&r);
			{
				uint32_t l = (uint32_t)uleb(&r);
				if (reg < NREGS) st->reg[reg] = (struct rule){op == 0x10 ? R_EXPR : R_VALEXPR, 0, r.p, l};
				r.p += l;
			}
			break;
		case 0x11: /* offset_extended_sf */
			reg = uleb(&r);
			off = sleb(&r) * fd->dataalign;
			if (reg < NREGS) st->reg[reg] = (struct rule){R_OFFSET, off, NULL, 0};
			break;
		case 0x12: st->cfareg = (unsigned)uleb(&r); st->cfaoff = sleb(&r) * fd->dataalign; st->cfaexpr = NULL; break;
		case 0x13: st->cfaoff = sleb(&r) * fd->dataalign; break;
		case 0x14: /* val_offset */
			reg = uleb(&r);
			off = (int64_t)uleb(&r) * fd->dataalign;
			if (reg < NREGS) st->reg[reg] = (struct rule){R_VALOFFSET, off, NULL, 0};
			break;
		case 0x15: /* val_offset_sf */
			reg = uleb(&r);
			off = sleb(&r) * fd->dataalign;
			if (reg < NREGS) st->reg[reg] = (struct rule){R_VALOFFSET, off, NULL, 0};
			break;
		case 0x2e: uleb(&r); break; /* GNU_args_size */
		case 0x2f: /* GNU_negative_offset_extended */
			reg = uleb(&r);
			off = -(int64_t)uleb(&r) * fd->dataalign;
			if (reg < NREGS) st->reg[reg] = (struct rule){R_OFFSET, off, NULL, 0};
			break;
		default: return false;
		}
	}
	return !r.bad;
}

/* ---- memory and expressions ---- */

static bool readable(const struct unwinder *u, uintptr_t a)
{
	for (int i = 0; i < u->nbounds; i++)
		if (a >= u->lo[i] && a + 8 <= u->hi[i] && a + 8 > a) return true;
	return false;
}

static bool rdword(const struct unwinder *u, uintptr_t a, uintptr_t *v)
{
	if (!readable(u, a)) return false;
	*v = *(const uintptr_t *)a;
	return true;
}

/* evalexpr: the DWARF stack machine, for what CFI uses (PLT entries,
 * signal frames, realigned stacks): constants, registers, deref of
 * stack memory, arithmetic, comparisons and branches; bounded. */
static bool evalexpr(const struct unwinder *u, const uint8_t *e, uint32_t len, uintptr_t push, bool havepush,
		     uintptr_t *out)
{
	uintptr_t s[32];
	int n = 0;
	if (havepush) s[n++] = push;
	struct rd r = {e, e + len, false};
	for (int steps = 0; r.p < r.end && steps < 256; steps++) {
		uint8_t op = *r.p++;
		uintptr_t a, b;
#define NEED(k) do { if (n < (k)) return false; } while (0)
#define PUSH(v) do { if (n == 32) return false; s[n++] = (v); } while (0)
		if (op >= 0x30 && op <= 0x4f) { PUSH(op - 0x30); continue; }
		if (op >= 0x70 && op <= 0x8f) {
			unsigned reg = op - 0x70;
			int64_t off = sleb(&r);
			if (reg >= NREGS || !(u->known & (1u << reg))) return false;
			PUSH(u->r[reg] + off);
			continue;
		}
		switch (op) {
		case 0x03: PUSH(fixed(&r, 8)); break;
		case 0x06: NEED(1); if (!rdword(u, s[n - 1], &s[n - 1])) return false; break;
		case 0x08: PUSH((uint8_t)fixed(&r, 1)); break;
		case 0x09: PUSH((uintptr_t)(int8_t)fixed(&r, 1)); break;
		case 0x0a: PUSH((uint16_t)fixed(&r, 2)); break;
		case 0x0b: PUSH((uintptr_t)(int16_t)fixed(&r, 2)); break;
		case 0x0c: PUSH((uint32_t)fixed(&r, 4)); break;
		case 0x0d: PUSH((uintptr_t)(int32_t)fixed(&r, 4)); break;
		case 0x0e: case 0x0f: PUSH(fixed(&r, 8)); break;
		case 0x10: PUSH(uleb(&r)); break;
		case 0x11: PUSH((uintptr_t)sleb(&r)); break;
		case 0x12: NEED(1); a = s[n - 1]; PUSH(a); break;
		case 0x13: NEED(1); n--; break;
		case 0x14: NEED(2); a = s[n - 2]; PUSH(a); break;
		case 0x16: NEED(2); a = s[n - 1]; s[n - 1] = s[n - 2]; s[n - 2] = a; break;
		case 0x1a: NEED(2); n--; s[n - 1] &= s[n]; break;
		case 0x1c: NEED(2); n--; s[n - 1] -= s[n]; break;
		case 0x1e: NEED(2); n--; s[n - 1] *= s[n]; break;
		case 0x1f: NEED(1); s[n - 1] = -s[n - 1]; break;
		case 0x20: NEED(1); s[n - 1] = ~s[n - 1]; break;
		case 0x21: NEED(2); n--; s[n - 1] |= s[n]; break;
		case 0x22: NEED(2); n--; s[n - 1] += s[n]; break;
		case 0x23: NEED(1); s[n - 1] += uleb(&r); break;
		case 0x24: NEED(2); n--; s[n - 1] = s[n] < 64 ? s[n - 1] << s[n] : 0; break;
		case 0x25: NEED(2); n--; s[n - 1] = s[n] < 64 ? s[n - 1] >> s[n] : 0; break;
		case 0x27: NEED(2); n--; s[n - 1] ^= s[n]; break;
		case 0x29: case 0x2a: case 0x2b: case 0x2c: case 0x2d: case 0x2e: {
			NEED(2);
			n--;
			intptr_t x = (intptr_t)s[n - 1], y = (intptr_t)s[n];
			bool v = op == 0x29 ? x == y : op == 0x2a ? x >= y : op == 0x2b ? x > y
			       : op == 0x2c ? x <= y : op == 0x2d ? x < y : x != y;
			s[n - 1] = v;
			break;
		}
		case 0x28: /* bra */
			NEED(1);
			b = (uintptr_t)(int16_t)fixed(&r, 2);
			if (s[--n]) r.p += (intptr_t)b;
			if (r.p < e || r.p > r.end) return false;
			break;
		case 0x2f: /* skip */
			b = (uintptr_t)(int16_t)fixed(&r, 2);
			r.p += (intptr_t)b;
			if (r.p < e || r.p > r.end) return false;
			break;
		case 0x96: break;
		default: return false;
		}
		if (r.bad) return false;
#undef NEED
#undef PUSH
	}
	if (n == 0 || r.p != r.end) return false;
	*out = s[n - 1];
	return true;
}

/* ---- the walk ---- */

void unwind_init(struct unwinder *u, uintptr_t pc, uintptr_t sp, uintptr_t bp)
{
	__builtin_memset(u, 0, sizeof *u);
	u->r[RIP] = pc;
	u->r[RSP] = sp;
	u->r[6] = bp;
	u->known = 1u << RIP | 1u << RSP | 1u << 6;
	u->exact = true;
}

void unwind_init_uc(struct unwinder *u, const void *ucv)
{
	const ucontext_t *uc = ucv;
	static const uint8_t gregof[NREGS] = {REG_RAX, REG_RDX, REG_RCX, REG_RBX, REG_RSI, REG_RDI,
					       REG_RBP, REG_RSP, REG_R8,  REG_R9,  REG_R10, REG_R11,
					       REG_R12, REG_R13, REG_R14, REG_R15, REG_RIP};
	__builtin_memset(u, 0, sizeof *u);
	for (int i = 0; i < NREGS; i++) u->r[i] = (uintptr_t)uc->uc_mcontext.gregs[gregof[i]];
	u->known = (1u << NREGS) - 1;
	u->exact = true;
}

void unwind_addstack(struct unwinder *u, uintptr_t lo, uintptr_t hi)
{
	if (lo < hi && u->nbounds < UNWIND_MAXBOUNDS) {
		u->lo[u->nbounds] = lo;
		u->hi[u->nbounds] = hi;
		u->nbounds++;
	}
}

/* looks_called: ra is in a module's code just after a call instruction.
 * callee: for the stack scan, the pc of the frame the call must have led
 * to; a direct call whose target is not that function's start (named by
 * the executable's symbols) is a stale word left by an earlier call, and is
 * passed over. 0: no such check. */
static bool looks_called_how(uintptr_t ra, uintptr_t callee, bool strict)
{
	const struct umodule *m = findmodule(ra - 1);
	if (!m || ra < m->xlo + 7) return false;
	const uint8_t *c = (const uint8_t *)ra;
	if (c[-5] == 0xe8) { /* call rel32 */
		if (!callee) return true;
		int32_t rel;
		__builtin_memcpy(&rel, c - 4, 4);
		uintptr_t target = ra + (intptr_t)rel, off;
		if (target > callee) return false;
		if (!funcname(callee, &off)) return !strict;
		/* The callee's function, or a stub that jumps there: a PLT
		 * entry (jmp *GOT) or a wrapper's tail jump (musl's free is
		 * `jmp __libc_free`), followed twice at most. */
		for (int hop = 0; hop < 3; hop++) {
			if (target == callee - off) return true;
			const struct umodule *tm = findmodule(target);
			if (!tm || target + 8 > tm->xhi) return false;
			const uint8_t *t = (const uint8_t *)target;
			if (t[0] == 0xf3 && t[1] == 0x0f && t[2] == 0x1e && t[3] == 0xfa) t += 4; /* endbr64 */
			if ((t[0] == 0xff && t[1] == 0x25) || (t[0] == 0xf2 && t[1] == 0xff && t[2] == 0x25)) return true;
			if (t[0] == 0xe9) {
				__builtin_memcpy(&rel, t + 1, 4);
				target = (uintptr_t)t + 5 + (intptr_t)rel;
			} else if (t[0] == 0xeb) {
				target = (uintptr_t)t + 2 + (int8_t)t[1];
			} else {
				return false;
			}
		}
		return false;
	}
	if (strict) return false;
	if (c[-2] == 0xff && (c[-1] & 0xf8) == 0xd0) return true;                /* call *%reg */
	if (c[-3] == 0x41 && c[-2] == 0xff && (c[-1] & 0xf8) == 0xd0) return true;
	if (c[-3] == 0xff && (c[-2] & 0xf8) == 0x50 && (c[-2] & 7) != 4) return true; /* disp8(%reg) */
	if (c[-4] == 0xff && c[-3] == 0x54) return true;                          /* disp8(sib) */
	if (c[-6] == 0xff && (c[-5] == 0x15 || ((c[-5] & 0xf8) == 0x90 && (c[-5] & 7) != 4))) return true;
	if (c[-7] == 0xff && c[-6] == 0x94) return true;                          /* disp32(sib) */
	if (c[-2] == 0xff && (c[-1] & 0xf8) == 0x10 && (c[-1] & 7) != 4 && (c[-1] & 7) != 5) return true;
	return false;
}

static bool looks_called(uintptr_t ra, uintptr_t callee) { return looks_called_how(ra, callee, false); }

/* scan: the first word from sp up (below limit) that is a return address
 * from a call that led to callee; strict: only a direct call to callee's
 * own function (named by the executable's symbols). */
static bool scan(const struct unwinder *u, uintptr_t sp, uintptr_t limit, uintptr_t callee, bool strict,
		 uintptr_t *at, uintptr_t *ra)
{
	for (int i = 0; i < 512; i++) {
		uintptr_t a = sp + 8 * (uintptr_t)i;
		if (a >= limit || !rdword(u, a, ra)) return false;
		if (looks_called_how(*ra, callee, strict)) {
			*at = a;
			return true;
		}
	}
	return false;
}

/* sigframe_bytes: musl's __restore_rt and gort_sigreturn, without CFI:
 * mov $15,%rax; syscall. */
static bool sigframe_bytes(uintptr_t pc)
{
	static const uint8_t code[9] = {0x48, 0xc7, 0xc0, 0x0f, 0x00, 0x00, 0x00, 0x0f, 0x05};
	const struct umodule *m = findmodule(pc);
	return m && pc + 9 <= m->xhi && __builtin_memcmp((const void *)pc, code, 9) == 0;
}

static bool from_ucontext(struct unwinder *u, uintptr_t ucaddr)
{
	const ucontext_t *uc = (const ucontext_t *)ucaddr;
	uintptr_t first = (uintptr_t)&uc->uc_mcontext.gregs[0], last = (uintptr_t)&uc->uc_mcontext.gregs[REG_RIP];
	if (!readable(u, first) || !readable(u, last)) return false;
	struct unwinder t = *u;
	unwind_init_uc(&t, uc);
	__builtin_memcpy(t.lo, u->lo, sizeof u->lo);
	__builtin_memcpy(t.hi, u->hi, sizeof u->hi);
	t.nbounds = u->nbounds;
	t.nframes = u->nframes;
	*u = t;
	u->how = UNWIND_SIGNAL;
	return true;
}

/* step_cfi: the caller's registers from the FDE covering pc. */
static int step_cfi(struct unwinder *u, uintptr_t look)
{
	struct fde fd;
	if (!findfde(look, &fd)) return 0;
	struct cfastate init, st;
	__builtin_memset(&init, 0, sizeof init);
	for (int i = 0; i < NREGS; i++) init.reg[i].how = R_SAME;
	init.reg[RIP].how = R_UNDEF;
	if (!runcfa(&fd, fd.cie_ins, fd.cie_end, 0, &init, NULL, true)) return -1;
	st = init;
	if (!runcfa(&fd, fd.ins, fd.end, look, &st, &init, false)) return -1;
	uintptr_t cfa;
	if (st.cfaexpr) {
		if (!evalexpr(u, st.cfaexpr, st.cfaelen, 0, false, &cfa)) return -1;
	} else {
		if (st.cfareg >= NREGS || !(u->known & (1u << st.cfareg))) return -1;
		cfa = u->r[st.cfareg] + st.cfaoff;
	}
	if (fd.rareg != RIP) return -1;
	if (st.reg[RIP].how == R_UNDEF) return 2; /* the outermost frame */
	uintptr_t nr[NREGS];
	uint32_t nk = 0;
	for (int i = 0; i < NREGS; i++) {
		const struct rule *ru = &st.reg[i];
		uintptr_t v = 0, a;
		bool ok = false;
		switch (ru->how) {
		case R_SAME: v = u->r[i]; ok = (u->known >> i) & 1; break;
		case R_OFFSET: ok = rdword(u, cfa + ru->off, &v); break;
		case R_VALOFFSET: v = cfa + ru->off; ok = true; break;
		case R_REG:
			if (ru->off < NREGS) v = u->r[ru->off], ok = (u->known >> ru->off) & 1;
			break;
		case R_EXPR: ok = evalexpr(u, ru->expr, ru->elen, cfa, true, &a) && rdword(u, a, &v); break;
		case R_VALEXPR: ok = evalexpr(u, ru->expr, ru->elen, cfa, true, &v); break;
		}
		if (ok) nr[i] = v, nk |= 1u << i;
	}
	if (!(nk & (1u << RIP))) return -1;
	/* The stack pointer is the CFA unless a rule says otherwise (the
	 * preemption trampoline and signal frames restore it). */
	if (st.reg[RSP].how == R_SAME) nr[RSP] = cfa, nk |= 1u << RSP;
	if (!fd.signal && nr[RSP] <= u->r[RSP]) return -1;
	__builtin_memcpy(u->r, nr, sizeof nr);
	u->known = nk;
	u->how = fd.signal ? UNWIND_SIGNAL : UNWIND_CFI;
	return 1;
}

/* unwind_next moves u to the caller's frame; false at the end of the stack
 * (the outermost frame, or nothing trustworthy left). */
bool unwind_next(struct unwinder *u)
{
	if (++u->nframes >= UNWIND_MAXFRAMES) return false;
	uintptr_t pc = u->r[RIP], sp = u->r[RSP];
	uintptr_t look = u->exact ? pc : pc - 1;
	u->exact = false;
	int c = step_cfi(u, look);
	if (c == 2) return false;
	if (c == 1) {
		if (u->how == UNWIND_SIGNAL) u->exact = true;
		return u->r[RIP] != 0;
	}
	/* No usable FDE. A signal trampoline without CFI? */
	if (sigframe_bytes(pc) && (u->known & (1u << RSP))) {
		if (!from_ucontext(u, sp)) return false;
		u->exact = true;
		return u->r[RIP] != 0;
	}
	/* Code without call frame information: a return address just after a
	 * direct call to this very function, found on the stack below the
	 * frame-pointer record (if any), comes first. In code compiled
	 * without frame pointers %rbp still holds an outer frame's (main's
	 * callers', say): taking that record at once would skip every frame
	 * in between. Then the frame-pointer record, then any return address. */
	uintptr_t bp = u->r[6], ra, nbp, at;
	bool bpok = (u->known & (1u << 6)) && bp >= sp && !(bp & 7) && rdword(u, bp, &nbp) &&
		    rdword(u, bp + 8, &ra) && looks_called(ra, 0) && (nbp == 0 || nbp > bp);
	if (scan(u, sp, bpok ? bp : UINTPTR_MAX, look, true, &at, &ra)) goto scanned;
	if (bpok) {
		rdword(u, bp + 8, &ra);
		u->r[RIP] = ra;
		u->r[RSP] = bp + 16;
		u->r[6] = nbp;
		u->known = 1u << RIP | 1u << RSP | 1u << 6;
		u->how = UNWIND_FP;
		return true;
	}
	if (!scan(u, sp, UINTPTR_MAX, look, false, &at, &ra)) return false;
scanned:
	u->r[RIP] = ra;
	u->r[RSP] = at + 8;
	/* The skipped frames may have changed any callee-saved register;
	 * %rbp is kept as the best guess for the frame-pointer fallback
	 * further up. */
	u->known = (u->known & 1u << 6) | 1u << RIP | 1u << RSP;
	u->how = UNWIND_SCAN;
	return true;
}
