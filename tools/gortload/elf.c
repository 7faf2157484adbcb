/* elf.c: reading and mapping ELF files, as the kernel's binfmt_elf does.
 *
 * image_open checks everything before anything is mapped, so a bad file is
 * refused with one clear line and never half-loaded: magic, class, byte
 * order, machine, type, and that every program header and every segment's
 * file bytes lie inside the file (the kernel would map past the end and the
 * program would die of SIGBUS on first touch; we say "truncated" instead).
 * The whole file is viewed read-only for parsing (headers, PT_INTERP,
 * symbols); the view goes away before the jump.
 *
 * image_map reserves the image's whole span first (PROT_NONE, with
 * MAP_FIXED_NOREPLACE where the address is fixed), so a clash with anything
 * already mapped, gortload's own image included, is found before a single
 * segment is placed; segments are then mapped over the reservation with
 * MAP_FIXED, and the holes between them are unmapped again, so the program
 * sees exactly its segments, as after execve.
 */
#include "gortload.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

/* esc copies s into buf with what is not printable escaped (\n, \t,
 * \xNN): names taken from a file (an interpreter path with a newline) must
 * not split the one-line error. */
static const char *esc(const char *s, char *buf, size_t n)
{
	size_t k = 0;
	for (; *s && k + 5 < n; s++) {
		unsigned char c = (unsigned char)*s;
		if (c == '\n') buf[k++] = '\\', buf[k++] = 'n';
		else if (c == '\t') buf[k++] = '\\', buf[k++] = 't';
		else if (c < 0x20 || c >= 0x7f) k += (size_t)snprintf(buf + k, n - k, "\\x%02x", c);
		else buf[k++] = (char)c;
	}
	buf[k] = 0;
	return buf;
}

__attribute__((noreturn, format(printf, 2, 3)))
static void img_die(const struct image *img, const char *fmt, ...)
{
	char msg[512], b1[1024], b2[1024];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	if (img->is_interp)
		die("%s: interpreter %s: %s", esc(img->prog, b1, sizeof b1), esc(img->path, b2, sizeof b2), msg);
	die("%s: %s", esc(img->prog, b1, sizeof b1), msg);
}

const char *machine_name(unsigned m)
{
	switch (m) {
	case EM_386: return "i386";
	case EM_X86_64: return "x86-64";
	case EM_ARM: return "ARM";
	case EM_AARCH64: return "AArch64";
	case EM_RISCV: return "RISC-V";
	case EM_PPC: return "PowerPC";
	case EM_PPC64: return "PowerPC64";
	case EM_S390: return "s390";
	case EM_MIPS: return "MIPS";
	case EM_SPARCV9: return "SPARC V9";
	case EM_IA_64: return "IA-64";
	case 258: return "LoongArch";   /* EM_LOONGARCH, newer than some elf.h */
	default: return NULL;
	}
}

static const char *type_name(unsigned t)
{
	switch (t) {
	case ET_REL: return "a relocatable object (ET_REL), not an executable";
	case ET_CORE: return "a core dump (ET_CORE), not an executable";
	default: return NULL;
	}
}

static int prot_of(uint32_t pf)
{
	return (pf & PF_R ? PROT_READ : 0) | (pf & PF_W ? PROT_WRITE : 0) | (pf & PF_X ? PROT_EXEC : 0);
}

void image_open(struct image *img, const char *path, const char *prog, bool is_interp)
{
	memset(img, 0, sizeof *img);
	img->path = path;
	img->prog = prog;
	img->is_interp = is_interp;
	img->fd = open(path, O_RDONLY | O_CLOEXEC);
	if (img->fd < 0)
		img_die(img, "%s", strerror(errno));
	struct stat st;
	if (fstat(img->fd, &st) < 0)
		img_die(img, "%s", strerror(errno));
	if (S_ISDIR(st.st_mode))
		img_die(img, "is a directory");
	if (!S_ISREG(st.st_mode))
		img_die(img, "not a regular file");
	/* execve wants execute permission on the program and on its
	 * interpreter (open_exec checks both). */
	if (access(path, X_OK) < 0)
		img_die(img, "%s (no execute permission)", strerror(errno));
	img->size = st.st_size;
	if (img->size == 0)
		img_die(img, "not an ELF file (it is empty)");
	void *v = mmap(NULL, img->size, PROT_READ, MAP_PRIVATE, img->fd, 0);
	if (v == MAP_FAILED)
		img_die(img, "cannot read: %s", strerror(errno));
	img->file = v;

	const unsigned char *f = img->file;
	size_t n = img->size;
	if (n < SELFMAG || memcmp(f, ELFMAG, SELFMAG) != 0) {
		if (n >= 2 && f[0] == '#' && f[1] == '!')
			img_die(img, "not an ELF file (a #! script: run its interpreter with gortload instead)");
		img_die(img, "not an ELF file");
	}
	if (n > EI_CLASS && f[EI_CLASS] == ELFCLASS32)
		img_die(img, "32-bit ELF file: gortload loads 64-bit x86-64 programs only");
	if (n > EI_CLASS && f[EI_CLASS] != ELFCLASS64)
		img_die(img, "bad ELF class %u", f[EI_CLASS]);
	if (n < sizeof(Elf64_Ehdr))
		img_die(img, "truncated ELF file (%zu bytes; the ELF header alone is %zu)", n, sizeof(Elf64_Ehdr));
	const Elf64_Ehdr *eh = img->eh = (const Elf64_Ehdr *)f;
	if (f[EI_DATA] != ELFDATA2LSB)
		img_die(img, "big-endian ELF file: gortload loads x86-64 (little-endian) programs only");
	if (f[EI_VERSION] != EV_CURRENT)
		img_die(img, "unknown ELF version %u in e_ident (1 is the only one)", f[EI_VERSION]);
	if (eh->e_version != EV_CURRENT)
		img_die(img, "unknown ELF version %u in e_version (1 is the only one)", eh->e_version);
	if (eh->e_machine != EM_X86_64) {
		const char *m = machine_name(eh->e_machine);
		if (m)
			img_die(img, "ELF file for another machine (%s); this is x86-64", m);
		img_die(img, "ELF file for another machine (e_machine %u); this is x86-64", eh->e_machine);
	}
	if (eh->e_type != ET_EXEC && eh->e_type != ET_DYN) {
		const char *t = type_name(eh->e_type);
		if (t)
			img_die(img, "%s", t);
		img_die(img, "unknown ELF file type %u", eh->e_type);
	}
	if (eh->e_phentsize != sizeof(Elf64_Phdr))
		img_die(img, "bad program header size %u (expected %zu)", eh->e_phentsize, sizeof(Elf64_Phdr));
	/* The kernel's limit: all program headers within 64 KiB. */
	if (eh->e_phnum == 0)
		img_die(img, "no program headers: nothing to load");
	if ((size_t)eh->e_phnum * sizeof(Elf64_Phdr) > 65536)
		img_die(img, "too many program headers (%u)", eh->e_phnum);
	if (eh->e_phoff > n || n - eh->e_phoff < (size_t)eh->e_phnum * sizeof(Elf64_Phdr))
		img_die(img, "truncated ELF file (program headers end at %#llx, the file has %#zx bytes)",
		        (unsigned long long)eh->e_phoff + (size_t)eh->e_phnum * sizeof(Elf64_Phdr), n);
	if (eh->e_phoff % 8)
		img_die(img, "misaligned program headers (at %#llx)", (unsigned long long)eh->e_phoff);
	img->ph = (const Elf64_Phdr *)(f + eh->e_phoff);

	int nload = 0;
	uintptr_t lo = UINTPTR_MAX, hi = 0;
	img->maxalign = PAGE;
	bool entry_ok = false, entry_in_load = false;
	for (int i = 0; i < eh->e_phnum; i++) {
		const Elf64_Phdr *p = &img->ph[i];
		switch (p->p_type) {
		case PT_LOAD:
			if (++nload > MAXSEGS)
				img_die(img, "too many PT_LOAD segments (more than %d)", MAXSEGS);
			if (p->p_filesz > p->p_memsz)
				img_die(img, "segment %d: file size %#llx is larger than its memory size %#llx", i,
				        (unsigned long long)p->p_filesz, (unsigned long long)p->p_memsz);
			if (p->p_offset > n || n - p->p_offset < p->p_filesz)
				img_die(img, "truncated ELF file (segment %d needs bytes up to %#llx, the file has %#zx)", i,
				        (unsigned long long)(p->p_offset + p->p_filesz), n);
			if (p->p_vaddr + p->p_memsz < p->p_vaddr || p->p_vaddr + p->p_memsz > TASK_SIZE)
				img_die(img, "does not fit: segment %d (%#llx-%#llx) ends above the user address space (%#lx)",
				        i, (unsigned long long)p->p_vaddr,
				        (unsigned long long)(p->p_vaddr + p->p_memsz), TASK_SIZE);
			/* mmap maps whole pages: a page of the file lands on a page of
			 * memory only if address and offset agree within the page. */
			if (p->p_filesz && (p->p_vaddr - p->p_offset) % PAGE)
				img_die(img, "segment %d: address %#llx and file offset %#llx differ within a page", i,
				        (unsigned long long)p->p_vaddr, (unsigned long long)p->p_offset);
			if (p->p_align > PAGE && !(p->p_align & (p->p_align - 1)) && p->p_align <= (1ul << 30) &&
			    p->p_align > img->maxalign)
				img->maxalign = p->p_align;
			if (p->p_memsz == 0)
				break;
			if (PAGE_DOWN(p->p_vaddr) < lo) lo = PAGE_DOWN(p->p_vaddr);
			if (PAGE_UP(p->p_vaddr + p->p_memsz) > hi) hi = PAGE_UP(p->p_vaddr + p->p_memsz);
			if (eh->e_entry >= p->p_vaddr && eh->e_entry < p->p_vaddr + p->p_memsz) {
				entry_in_load = true;
				if (p->p_flags & PF_X) entry_ok = true;
			}
			break;
		case PT_INTERP:
			if (img->is_interp)
				img_die(img, "the interpreter has an interpreter of its own (PT_INTERP)");
			if (p->p_offset > n || n - p->p_offset < p->p_filesz)
				img_die(img, "truncated ELF file (PT_INTERP at %#llx)", (unsigned long long)p->p_offset);
			/* As the kernel reads it: NUL-terminated, up to its first NUL. */
			if (p->p_filesz < 2 || p->p_filesz > sizeof img->interp ||
			    f[p->p_offset + p->p_filesz - 1] != '\0' || f[p->p_offset] == '\0')
				img_die(img, "bad PT_INTERP (not a NUL-terminated path)");
			memcpy(img->interp, f + p->p_offset, p->p_filesz);
			break;
		case PT_GNU_STACK:
			img->execstack = (p->p_flags & PF_X) != 0;
			break;
		}
	}
	if (nload == 0 || hi == 0)
		img_die(img, "no loadable segments (PT_LOAD)");
	if (!entry_in_load)
		img_die(img, "entry point %#llx is outside every loadable segment", (unsigned long long)eh->e_entry);
	if (!entry_ok)
		img_die(img, "entry point %#llx is not in an executable segment", (unsigned long long)eh->e_entry);
	if (eh->e_type == ET_EXEC && lo < mmap_min_addr())
		img_die(img, "does not fit: it is linked at %#lx, below vm.mmap_min_addr (%#lx)", lo, mmap_min_addr());
	img->lo = lo;
	img->hi = hi;
}

/* ---- mapping ---- */

__attribute__((noreturn))
static void clash_die(const struct image *img, uintptr_t lo, uintptr_t hi)
{
	struct area a;
	if (maps_overlap(lo, hi, &a))
		img_die(img, "does not fit: its segments at %#lx-%#lx overlap gortload's own mapping %#lx-%#lx %s%s",
		        lo, hi, a.start, a.end, a.name[0] ? a.name : "(anonymous)",
		        a.start == (uintptr_t)img->file ? " (where gortload reads the file)" : "");
	img_die(img, "does not fit: cannot map %#lx-%#lx", lo, hi);
}

/* reserve_fixed reserves [lo, hi) or returns false when something is there. */
static bool reserve_fixed(uintptr_t lo, uintptr_t hi, int *err)
{
	void *p = mmap((void *)lo, hi - lo, PROT_NONE,
	               MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE | MAP_FIXED_NOREPLACE, -1, 0);
	if (p == MAP_FAILED) {
		*err = errno;
		return false;
	}
	if ((uintptr_t)p != lo) { /* a kernel older than 4.17 took it as a hint */
		munmap(p, hi - lo);
		*err = EEXIST;
		return false;
	}
	return true;
}

/* reserve_anywhere reserves size bytes at an address that is lo modulo
 * align, wherever mmap puts it; returns the bias. */
static uintptr_t reserve_anywhere(const struct image *img, size_t size)
{
	size_t extra = img->maxalign - PAGE;
	void *p = mmap(NULL, size + extra, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (p == MAP_FAILED)
		img_die(img, "does not fit: no room for %#zx bytes (%s)", size, strerror(errno));
	uintptr_t a = (uintptr_t)p;
	uintptr_t bias = (a - img->lo + img->maxalign - 1) & ~(img->maxalign - 1);
	uintptr_t start = img->lo + bias;
	if (start > a) munmap(p, start - a);
	if (a + size + extra > start + size) munmap((void *)(start + size), a + size + extra - (start + size));
	return bias;
}

static void add_seg(struct image *img, uintptr_t s, uintptr_t e, int prot, uint64_t off, bool anon, int i)
{
	img->segs[img->nsegs++] = (struct seg){s, e, prot, off, anon, i};
}

void image_map(struct image *img, bool near_dyn_base, bool randomize)
{
	const Elf64_Ehdr *eh = img->eh;
	size_t size = img->hi - img->lo;
	int err = 0;
	if (eh->e_type == ET_EXEC) {
		img->bias = 0;
		if (!reserve_fixed(img->lo, img->hi, &err)) {
			if (err == EEXIST) clash_die(img, img->lo, img->hi);
			if (err == EPERM)
				img_die(img, "does not fit: it is linked at %#lx, below vm.mmap_min_addr", img->lo);
			img_die(img, "does not fit: cannot map %#lx-%#lx: %s", img->lo, img->hi, strerror(err));
		}
	} else {
		bool done = false;
		/* A PIE program goes where the kernel would put it: ET_DYN_BASE
		 * plus up to 2^28 random pages (arch_mmap_rnd), aligned to its
		 * largest p_align. If that is taken (by gortload's own break,
		 * say), try other random offsets, then anywhere. */
		for (int t = 0; near_dyn_base && !done && t < (randomize ? 8 : 1); t++) {
			uintptr_t want = ET_DYN_BASE + (randomize ? (random64() & ((1ul << 28) - 1)) * PAGE : 0);
			uintptr_t bias = (want - img->lo) & ~(img->maxalign - 1);
			if (img->lo + bias + size <= TASK_SIZE && reserve_fixed(img->lo + bias, img->hi + bias, &err)) {
				img->bias = bias;
				done = true;
			}
		}
		if (!done)
			img->bias = reserve_anywhere(img, size);
	}

	uintptr_t b = img->bias;
	for (int i = 0; i < eh->e_phnum; i++) {
		const Elf64_Phdr *p = &img->ph[i];
		if (p->p_type != PT_LOAD || p->p_memsz == 0)
			continue;
		int prot = prot_of(p->p_flags);
		uintptr_t v = b + p->p_vaddr, fend = v + p->p_filesz, mend = v + p->p_memsz;
		uintptr_t anon_start = PAGE_DOWN(v);
		if (p->p_filesz) {
			uintptr_t s = PAGE_DOWN(v), e = PAGE_UP(fend);
			uint64_t off = PAGE_DOWN(p->p_offset);
			if (mmap((void *)s, e - s, prot, MAP_PRIVATE | MAP_FIXED, img->fd, off) == MAP_FAILED)
				img_die(img, "cannot map segment %d at %#lx: %s", i, s, strerror(errno));
			add_seg(img, s, e, prot, off, false, i);
			/* The rest of the last file page belongs to the bss: zero it.
			 * The kernel skips this for a read-only segment; we make the
			 * page writable for a moment instead, so the bss is always 0. */
			if (p->p_memsz > p->p_filesz && fend % PAGE) {
				if (!(prot & PROT_WRITE))
					mprotect((void *)PAGE_DOWN(fend), PAGE, prot | PROT_WRITE | PROT_READ);
				memset((void *)fend, 0, PAGE_UP(fend) - fend);
				if (!(prot & PROT_WRITE))
					mprotect((void *)PAGE_DOWN(fend), PAGE, prot);
			}
			anon_start = e;
		}
		uintptr_t anon_end = PAGE_UP(mend);
		if (anon_end > anon_start) {
			if (mmap((void *)anon_start, anon_end - anon_start, prot,
			         MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0) == MAP_FAILED)
				img_die(img, "cannot map the bss of segment %d at %#lx: %s", i, anon_start, strerror(errno));
			add_seg(img, anon_start, anon_end, prot, 0, true, i);
		}
		/* What the kernel records for /proc/PID/stat and prctl. */
		if ((p->p_flags & PF_X) && (!img->start_code || v < img->start_code)) img->start_code = v;
		if ((p->p_flags & PF_X) && fend > img->end_code) img->end_code = fend;
		if (v > img->start_data) img->start_data = v;
		if (fend > img->end_data) img->end_data = fend;
		if (mend > img->end_bss) img->end_bss = mend;
	}

	/* Unmap the reservation's holes: the pages no segment covers. The
	 * segments are sorted first (program headers need not be). */
	for (int i = 1; i < img->nsegs; i++)
		for (int j = i; j > 0 && img->segs[j].start < img->segs[j - 1].start; j--) {
			struct seg t = img->segs[j];
			img->segs[j] = img->segs[j - 1];
			img->segs[j - 1] = t;
		}
	uintptr_t at = img->lo + b;
	for (int i = 0; i < img->nsegs; i++) {
		if (img->segs[i].start > at) munmap((void *)at, img->segs[i].start - at);
		if (img->segs[i].end > at) at = img->segs[i].end;
	}
	if (img->hi + b > at) munmap((void *)at, img->hi + b - at);

	img->entry = b + eh->e_entry;
	/* AT_PHDR: where the program headers are in memory. PT_PHDR says so
	 * directly; otherwise the PT_LOAD that holds them in the file (the
	 * kernel's rule). */
	img->phdr = b + eh->e_phoff;
	for (int i = 0; i < eh->e_phnum; i++) {
		const Elf64_Phdr *p = &img->ph[i];
		if (p->p_type == PT_PHDR) {
			img->phdr = b + p->p_vaddr;
			img->phdr_mapped = true;
			break;
		}
		if (p->p_type == PT_LOAD && p->p_offset <= eh->e_phoff &&
		    eh->e_phoff < p->p_offset + p->p_filesz && !img->phdr_mapped) {
			img->phdr = b + p->p_vaddr + (eh->e_phoff - p->p_offset);
			img->phdr_mapped = true;
		}
	}
	if (!img->end_code) { /* no executable segment: keep prctl's order rule */
		img->start_code = img->segs[0].start;
		img->end_code = img->segs[0].end;
	}
}

/* ---- symbols ---- */

static const char *sym_from(const struct image *img, uint32_t want, uintptr_t addr, char *buf, size_t n)
{
	const Elf64_Ehdr *eh = img->eh;
	const unsigned char *f = img->file;
	size_t size = img->size;
	if (!eh->e_shoff || eh->e_shentsize != sizeof(Elf64_Shdr) || eh->e_shoff > size ||
	    (size - eh->e_shoff) / sizeof(Elf64_Shdr) < eh->e_shnum || eh->e_shoff % 8)
		return NULL;
	const Elf64_Shdr *sh = (const Elf64_Shdr *)(f + eh->e_shoff);
	for (int i = 0; i < eh->e_shnum; i++) {
		if (sh[i].sh_type != want || sh[i].sh_link >= eh->e_shnum || sh[i].sh_entsize != sizeof(Elf64_Sym))
			continue;
		const Elf64_Shdr *strs = &sh[sh[i].sh_link];
		if (sh[i].sh_offset > size || size - sh[i].sh_offset < sh[i].sh_size || sh[i].sh_offset % 8 ||
		    strs->sh_offset > size || size - strs->sh_offset < strs->sh_size)
			continue;
		const Elf64_Sym *sym = (const Elf64_Sym *)(f + sh[i].sh_offset);
		size_t nsym = sh[i].sh_size / sizeof(Elf64_Sym);
		const char *str = (const char *)f + strs->sh_offset;
		const Elf64_Sym *best = NULL;
		for (size_t k = 0; k < nsym; k++) {
			const Elf64_Sym *s = &sym[k];
			int t = ELF64_ST_TYPE(s->st_info);
			if (s->st_shndx == SHN_UNDEF || s->st_name >= strs->sh_size || !str[s->st_name] ||
			    (t != STT_FUNC && t != STT_NOTYPE))
				continue;
			uintptr_t v = img->bias + s->st_value;
			bool exact = v == addr, inside = v <= addr && addr < v + s->st_size;
			if (!exact && !inside)
				continue;
			/* An exact global function beats everything else. */
			if (!best || (exact && best->st_value + img->bias != addr) ||
			    (exact && ELF64_ST_BIND(s->st_info) == STB_GLOBAL && ELF64_ST_BIND(best->st_info) != STB_GLOBAL))
				best = s;
		}
		if (best) {
			const char *name = str + best->st_name;
			size_t room = strs->sh_size - best->st_name;
			uintptr_t off = addr - (img->bias + best->st_value);
			if (off) snprintf(buf, n, "%.*s+%#lx", (int)(room < 200 ? room : 200), name, off);
			else snprintf(buf, n, "%.*s", (int)(room < 200 ? room : 200), name);
			return buf;
		}
	}
	return NULL;
}

const char *image_symbol(const struct image *img, uintptr_t addr, char *buf, size_t n)
{
	const char *s = sym_from(img, SHT_SYMTAB, addr, buf, n);
	return s ? s : sym_from(img, SHT_DYNSYM, addr, buf, n);
}

void image_release(struct image *img)
{
	if (img->file) munmap((void *)img->file, img->size);
	if (img->fd >= 0) close(img->fd);
	img->file = NULL;
	img->eh = NULL;
	img->ph = NULL;
	img->fd = -1;
}
