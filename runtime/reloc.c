/* reloc.c: self-relocation of a static-PIE gort program (musl's rcrt1 and
 * ldso/dlstart.c do this for ordinary static-PIE programs; with our own
 * entry point nobody else would).
 *
 * Runs first in rt0_go, before anything reads a pointer that a relocation
 * must fix: it uses only its arguments and locals, no globals, no switch
 * jump tables, no calls. Dynamic programs were relocated by the dynamic
 * loader (AT_BASE != 0) and non-PIE programs need nothing (no PT_DYNAMIC or
 * a zero load bias): both return at once. */
#include <elf.h>
#include "runtime.h"

#ifndef DT_RELR
#define DT_RELR 36
#define DT_RELRSZ 35
#endif

/* dynamic_addr: the run-time address of _DYNAMIC, which the linker defines
 * in any program with a dynamic section, or 0. Computed PC-relatively in
 * asm: the compiler would load a weak symbol's address from the GOT, which
 * is itself not relocated yet. */
static inline uintptr_t dynamic_addr(void)
{
	uintptr_t a;
	__asm__(".weak _DYNAMIC\n\t.hidden _DYNAMIC\n\tlea _DYNAMIC(%%rip), %0" : "=r"(a));
	return a;
}

__attribute__((no_sanitize_address)) noinline void reloc_self(uintptr_t *auxv)
{
	uintptr_t phdr = 0, phnum = 0, base = 0;
	for (uintptr_t *a = auxv; a[0] != AT_NULL; a += 2) {
		if (a[0] == AT_PHDR) phdr = a[1];
		else if (a[0] == AT_PHNUM) phnum = a[1];
		else if (a[0] == AT_BASE) base = a[1];
	}
	if (base || !phdr) return;
	const Elf64_Phdr *ph = (const Elf64_Phdr *)phdr;
	uintptr_t dynv = 0;
	bool havedyn = false;
	for (uintptr_t i = 0; i < phnum; i++) {
		if (ph[i].p_type == PT_DYNAMIC) {
			dynv = ph[i].p_vaddr;
			havedyn = true;
		} else if (ph[i].p_type == PT_INTERP) {
			return;
		}
	}
	/* ld does not always emit PT_PHDR for static-PIE: the bias comes from
	 * where _DYNAMIC really is against where the headers say it is. */
	uintptr_t dyn_at = dynamic_addr();
	if (!havedyn || !dyn_at) return;
	uintptr_t bias = dyn_at - dynv;
	if (!bias) return;
	const Elf64_Dyn *dyn = (const Elf64_Dyn *)(bias + dynv);
	uintptr_t rela = 0, relasz = 0, relr = 0, relrsz = 0, symtab = 0;
	for (; dyn->d_tag != DT_NULL; dyn++) {
		if (dyn->d_tag == DT_RELA) rela = dyn->d_un.d_ptr;
		else if (dyn->d_tag == DT_RELASZ) relasz = dyn->d_un.d_val;
		else if (dyn->d_tag == DT_RELR) relr = dyn->d_un.d_ptr;
		else if (dyn->d_tag == DT_RELRSZ) relrsz = dyn->d_un.d_val;
		else if (dyn->d_tag == DT_SYMTAB) symtab = dyn->d_un.d_ptr;
	}
	const Elf64_Rela *r = (const Elf64_Rela *)(bias + rela);
	for (uintptr_t i = 0; rela && i < relasz / sizeof *r; i++) {
		uintptr_t *where = (uintptr_t *)(bias + r[i].r_offset);
		uint32_t type = ELF64_R_TYPE(r[i].r_info);
		uint32_t symi = ELF64_R_SYM(r[i].r_info);
		uintptr_t s = 0;
		if (symi && symtab) {
			const Elf64_Sym *sym = (const Elf64_Sym *)(bias + symtab) + symi;
			s = sym->st_shndx == SHN_UNDEF ? 0 : bias + sym->st_value;
		}
		if (type == R_X86_64_RELATIVE) *where = bias + r[i].r_addend;
		else if (type == R_X86_64_64) *where = s + r[i].r_addend;
		else if (type == R_X86_64_GLOB_DAT || type == R_X86_64_JUMP_SLOT) *where = s;
		else if (type == R_X86_64_NONE) continue;
		else {
			static const char msg[] = "fatal error: static-PIE: unsupported relocation type\n";
			sys_write(2, msg, sizeof msg - 1);
			sys_exit_group(2);
		}
	}
	/* DT_RELR: a word is an address (even) or a bitmap (odd) of the next
	 * 63 words after the last address. */
	const uintptr_t *rr = (const uintptr_t *)(bias + relr);
	uintptr_t *where = NULL;
	for (uintptr_t i = 0; relr && i < relrsz / sizeof *rr; i++) {
		uintptr_t e = rr[i];
		if ((e & 1) == 0) {
			where = (uintptr_t *)(bias + e);
			*where++ += bias;
		} else {
			for (uintptr_t k = 0; (e >>= 1) != 0; k++)
				if (e & 1) where[k] += bias;
			where += 63;
		}
	}
}
