/* symtab.c: the in-process symboliser used by tracebacks: pc -> function
 * name and offset. It must work inside a signal handler and after memory
 * corruption, so it never allocates through malloc and takes no lock: it
 * maps the executable file read-only with raw syscalls and reads its
 * .symtab (or .dynsym when stripped). Frames in shared libraries are named
 * by /proc/self/maps (library+offset) and, when the library has symbols,
 * by name.
 *
 * Which file: the one the kernel (or gortload) says it loaded, AT_EXECFN,
 * then /proc/self/exe; a candidate is taken only if its program headers
 * and its notes (the build-id) are the ones in memory at AT_PHDR. Under
 * tools/gortload /proc/self/exe is gortload itself (the check turns it
 * down), and after chroot() or without /proc only AT_EXECFN's path may
 * still open. When: symtab_preload maps it when the first goroutine besides
 * main starts (sysmon_start), a traceback otherwise; the descriptor is
 * closed at once, so the program never sees it, and a traceback later
 * needs no descriptor (RLIMIT_NOFILE exhausted), no /proc and no path
 * (chroot). Not at boot: a hello world would pay for it (bench/startup).
 *
 * Invariant: the cache is published once (a CAS on exestate) and never
 * changed; a racing second initialiser waits for the first. */
#include <elf.h>
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include "runtime.h"

struct elfimage {
	const char *base;   /* the mapped file */
	size_t size;
	const Elf64_Sym *syms;
	size_t nsyms;
	const char *strs;
	size_t strsize;
	uintptr_t bias;     /* runtime address - link-time address */
	uintptr_t codelo, codehi; /* link-time span of the executable sections */
};

static struct elfimage exe;
static _Atomic int exestate; /* 0 not tried, 1 in progress, 2 ready, 3 failed */

/* map_file maps path read-only and closes the descriptor; NULL if it
 * cannot (no such file, no descriptor left, too small to be ELF). */
static const char *map_file(const char *path, size_t *size)
{
	long fd = sys_openat(-100, path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) return NULL;
	struct stat st;
	if (rawsyscall(SYS_fstat, fd, &st, 0) < 0 || !S_ISREG(st.st_mode) ||
	    st.st_size < (long)sizeof(Elf64_Ehdr)) {
		sys_close(fd);
		return NULL;
	}
	const char *b = sys_mmap(NULL, st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
	sys_close(fd);
	if (sys_mmap_failed(b)) return NULL;
	*size = st.st_size;
	return b;
}

/* exe_bias: for a PIE the load address comes from AT_PHDR. */
static uintptr_t exe_bias(void)
{
	const Elf64_Phdr *ph = (const Elf64_Phdr *)auxv_info.phdr;
	if (!ph) return 0;
	for (uintptr_t i = 0; i < auxv_info.phnum; i++)
		if (ph[i].p_type == PT_PHDR) return auxv_info.phdr - ph[i].p_vaddr;
	/* No PT_PHDR (static-PIE): the program headers are in the first
	 * PT_LOAD, which maps the file from offset 0, at e_phoff. */
	for (uintptr_t i = 0; i < auxv_info.phnum; i++) {
		if (ph[i].p_type == PT_LOAD && ph[i].p_offset == 0) {
			const Elf64_Ehdr *eh = (const Elf64_Ehdr *)(auxv_info.phdr - sizeof(Elf64_Ehdr));
			if (__builtin_memcmp(eh->e_ident, ELFMAG, SELFMAG) == 0)
				return (uintptr_t)eh - ph[i].p_vaddr;
			return 0;
		}
	}
	return 0;
}

/* loaded_here: the file image b is the program loaded in this process: the
 * same program headers as at AT_PHDR, and the same bytes in every note
 * segment (the build-id note, when the linker wrote one) as in memory.
 * Without AT_PHDR nothing can be compared: only /proc/self/exe is trusted
 * then (trust). */
static bool loaded_here(const char *b, size_t sz, uintptr_t bias, bool trust)
{
	const Elf64_Ehdr *eh = (const Elf64_Ehdr *)b;
	if (__builtin_memcmp(eh->e_ident, ELFMAG, SELFMAG) || eh->e_ident[EI_CLASS] != ELFCLASS64) return false;
	const Elf64_Phdr *mem = (const Elf64_Phdr *)auxv_info.phdr;
	if (!mem || auxv_info.phent != sizeof(Elf64_Phdr)) return trust;
	size_t n = auxv_info.phnum;
	if (eh->e_phnum != n || eh->e_phentsize != sizeof(Elf64_Phdr) || eh->e_phoff > sz ||
	    n * sizeof(Elf64_Phdr) > sz - eh->e_phoff)
		return false;
	if (__builtin_memcmp(b + eh->e_phoff, mem, n * sizeof(Elf64_Phdr))) return false;
	for (size_t i = 0; i < n; i++) {
		const Elf64_Phdr *nt = &mem[i];
		if (nt->p_type != PT_NOTE || nt->p_filesz == 0) continue;
		if (nt->p_offset > sz || nt->p_filesz > sz - nt->p_offset) return false;
		/* Compared only where a loaded segment maps it (readable). */
		bool mapped = false;
		for (size_t j = 0; j < n && !mapped; j++)
			mapped = mem[j].p_type == PT_LOAD && nt->p_vaddr >= mem[j].p_vaddr &&
				 nt->p_vaddr + nt->p_filesz <= mem[j].p_vaddr + mem[j].p_filesz;
		if (mapped && __builtin_memcmp(b + nt->p_offset, (const void *)(bias + nt->p_vaddr), nt->p_filesz))
			return false;
	}
	return true;
}

/* elf_parse finds the symbol table in the mapped file b. */
static bool elf_parse(const char *b, size_t sz, struct elfimage *im)
{
	const Elf64_Ehdr *eh = (const Elf64_Ehdr *)b;
	if (eh->e_shoff == 0 || eh->e_shoff > sz || (size_t)eh->e_shnum * sizeof(Elf64_Shdr) > sz - eh->e_shoff)
		return false;
	const Elf64_Shdr *sh = (const Elf64_Shdr *)(b + eh->e_shoff);
	const Elf64_Shdr *symsh = NULL;
	for (int pass = 0; pass < 2 && !symsh; pass++)
		for (int i = 0; i < eh->e_shnum; i++)
			if (sh[i].sh_type == (pass ? SHT_DYNSYM : SHT_SYMTAB)) symsh = &sh[i];
	if (!symsh || symsh->sh_link >= eh->e_shnum) return false;
	const Elf64_Shdr *strsh = &sh[symsh->sh_link];
	if (symsh->sh_offset > sz || symsh->sh_size > sz - symsh->sh_offset || strsh->sh_offset > sz ||
	    strsh->sh_size > sz - strsh->sh_offset)
		return false;
	im->base = b;
	im->size = sz;
	im->syms = (const Elf64_Sym *)(b + symsh->sh_offset);
	im->nsyms = symsh->sh_size / sizeof(Elf64_Sym);
	im->strs = b + strsh->sh_offset;
	im->strsize = strsh->sh_size;
	/* A pc outside the code sections (in a shared library) is not named
	 * after the nearest symbol below it (_end, say). */
	im->codelo = UINTPTR_MAX;
	im->codehi = 0;
	for (int i = 0; i < eh->e_shnum; i++) {
		if (!(sh[i].sh_flags & SHF_EXECINSTR) || !sh[i].sh_addr) continue;
		if (sh[i].sh_addr < im->codelo) im->codelo = sh[i].sh_addr;
		if (sh[i].sh_addr + sh[i].sh_size > im->codehi) im->codehi = sh[i].sh_addr + sh[i].sh_size;
	}
	return true;
}

/* elf_load maps path and reads its symbols if it is the loaded program. */
static bool elf_load(const char *path, bool trust, struct elfimage *im)
{
	size_t sz;
	const char *b = map_file(path, &sz);
	if (!b) return false;
	im->bias = exe_bias();
	if (loaded_here(b, sz, im->bias, trust) && elf_parse(b, sz, im)) return true;
	sys_munmap((void *)b, sz);
	return false;
}

/* exe_load: AT_EXECFN (the path given to execve, or gortload's), then
 * /proc/self/exe. A relative AT_EXECFN is relative to the directory the
 * program started in: after a chdir it names another file or none, which
 * the check in loaded_here turns down. */
static bool exe_load(struct elfimage *im)
{
	const char *fn = (const char *)auxv_info.execfn;
	if (fn && *fn && elf_load(fn, false, im)) return true;
	return elf_load("/proc/self/exe", true, im);
}

/* exe_try maps the executable the first time it is needed. A failure
 * from symtab_preload (early) lets a traceback try again; a traceback's
 * is final, so that each frame does not try again. */
static bool exe_try(bool final)
{
	int s = atomic_load(&exestate);
	if (s == 2) return true;
	if (s == 3) return false;
	int zero = 0;
	if (!atomic_compare_exchange_strong(&exestate, &zero, 1)) {
		for (int i = 0; i < 1000000 && atomic_load(&exestate) == 1; i++) __builtin_ia32_pause();
		return atomic_load(&exestate) == 2;
	}
	struct elfimage im = {0};
	if (exe_load(&im)) {
		exe = im;
		atomic_store(&exestate, 2);
		return true;
	}
	atomic_store(&exestate, final ? 3 : 0);
	return false;
}

static bool exe_ready(void) { return exe_try(true); }

/* symtab_preload maps the executable now, while its path opens and a
 * descriptor is free (sysmon_start: the program is about to do things). */
void symtab_preload(void) { exe_try(false); }

static const char *lookup(const struct elfimage *im, uintptr_t addr, uintptr_t *off)
{
	const Elf64_Sym *best = NULL;
	if (addr < im->codelo || addr >= im->codehi) return NULL;
	for (size_t i = 0; i < im->nsyms; i++) {
		const Elf64_Sym *s = &im->syms[i];
		int type = ELF64_ST_TYPE(s->st_info);
		/* Absolute symbols are no code (gort_gdb_scripts is one, = 0). */
		if ((type != STT_FUNC && type != STT_NOTYPE) || s->st_shndx == SHN_UNDEF || s->st_shndx == SHN_ABS ||
		    s->st_value > addr || s->st_name == 0 || s->st_name >= im->strsize)
			continue;
		if (s->st_size && addr >= s->st_value + s->st_size) continue;
		if (!best || s->st_value > best->st_value ||
		    (s->st_value == best->st_value && type == STT_FUNC))
			best = s;
	}
	if (!best) return NULL;
	*off = addr - best->st_value;
	return im->strs + best->st_name;
}

/* exe_image hands out the executable's read-only mapping and load bias
 * (dwarfline.c reads its line table there); false if it could not be mapped. */
bool exe_image(const char **base, size_t *size, uintptr_t *bias)
{
	if (!exe_ready()) return false;
	*base = exe.base;
	*size = exe.size;
	*bias = exe.bias;
	return true;
}

/* funcname names the function containing pc; NULL if unknown. */
const char *funcname(uintptr_t pc, uintptr_t *off)
{
	if (!exe_ready()) return NULL;
	return lookup(&exe, pc - exe.bias, off);
}

/* mapname finds the mapping containing pc in /proc/self/maps and writes
 * its file name (basename) into buf; returns the offset of pc from the
 * start of the file's first mapping, or -1. */
long mapname(uintptr_t pc, char *buf, size_t bufsize)
{
	static char *mb; /* 64 KiB, under printlock: tracebacks are serialised */
	enum { MBSIZE = 65536 };
	if (!mb) {
		char *p = sys_mmap(NULL, MBSIZE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (sys_mmap_failed(p)) return -1;
		mb = p;
	}
	long fd = sys_openat(-100, "/proc/self/maps", O_RDONLY | O_CLOEXEC);
	if (fd < 0) return -1;
	long n = 0, r;
	while (n < MBSIZE - 1 && (r = sys_read(fd, mb + n, MBSIZE - 1 - n)) > 0) n += r;
	sys_close(fd);
	mb[n] = 0;
	uintptr_t filebase = 0;
	char prevname[256] = "";
	for (char *l = mb; *l;) {
		char *e = l;
		while (*e && *e != '\n') e++;
		uintptr_t lo = 0, hi = 0, off = 0;
		char *p = l;
		for (; *p && *p != '-'; p++) lo = lo * 16 + (*p <= '9' ? *p - '0' : *p - 'a' + 10);
		for (p++; *p && *p != ' '; p++) hi = hi * 16 + (*p <= '9' ? *p - '0' : *p - 'a' + 10);
		p += 6; /* " rwxp " */
		for (; p < e && *p != ' '; p++) off = off * 16 + (*p <= '9' ? *p - '0' : *p - 'a' + 10);
		int fields = 0;
		while (p < e && fields < 2) { /* dev, inode */
			while (p < e && *p == ' ') p++;
			while (p < e && *p != ' ') p++;
			fields++;
		}
		while (p < e && *p == ' ') p++;
		char *name = p;
		size_t nl = e - p;
		if (nl >= sizeof prevname) nl = sizeof prevname - 1;
		if (off == 0 || __builtin_memcmp(prevname, name, nl) != 0) {
			if (off == 0) filebase = lo;
		}
		__builtin_memcpy(prevname, name, nl);
		prevname[nl] = 0;
		if (pc >= lo && pc < hi) {
			const char *base = prevname;
			for (const char *q = prevname; *q; q++)
				if (*q == '/') base = q + 1;
			size_t k = 0;
			for (; base[k] && k < bufsize - 1; k++) buf[k] = base[k];
			buf[k] = 0;
			return (long)(pc - filebase);
		}
		l = *e ? e + 1 : e;
	}
	return -1;
}
