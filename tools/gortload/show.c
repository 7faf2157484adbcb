/* show.c: --show, what gortload built, printed before the jump on stderr
 * (the program's stdout stays its own): every mapping with its address
 * range, protection and file offset, then the initial stack from the top
 * down in the layout of the diagram in stack.c (and crt/rt0_linux_amd64.S),
 * every string, pointer and auxv entry at its address, then the entry.
 *
 * Everything printed is read back from memory, not from gortload's plans:
 * the vectors from the new stack, the strings through the pointers, so what
 * --show prints is what the program will find. Lines that carry a vector
 * entry have one fixed shape, which test/gortload parses:
 *     "  0x<address>  <argc|argv[i]|envp[i]|AT_NAME>  <value> ..."
 * gortload has no heap: the output goes through a static buffer.
 */
#include "gortload.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

static char obuf[1 << 14];
static size_t olen;

void out_flush(void)
{
	size_t done = 0;
	while (done < olen) {
		ssize_t r = write(2, obuf + done, olen - done);
		if (r <= 0) break;
		done += r;
	}
	olen = 0;
}

void out(const char *fmt, ...)
{
	char line[4096];
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(line, sizeof line, fmt, ap);
	va_end(ap);
	if (n < 0) return;
	if ((size_t)n >= sizeof line) n = sizeof line - 1;
	if (olen + n > sizeof obuf) out_flush();
	memcpy(obuf + olen, line, n);
	olen += n;
}

/* quote writes s as a C string literal, at most max characters of it. */
static const char *quote(const char *s, char *buf, size_t n)
{
	size_t o = 0, max = 100, i = 0;
	buf[o++] = '"';
	for (; s[i] && i < max && o + 8 < n; i++) {
		unsigned char c = s[i];
		if (c == '"' || c == '\\') o += snprintf(buf + o, n - o, "\\%c", c);
		else if (c == '\n') o += snprintf(buf + o, n - o, "\\n");
		else if (c == '\t') o += snprintf(buf + o, n - o, "\\t");
		else if (c < 32 || c >= 127) o += snprintf(buf + o, n - o, "\\x%02x", c);
		else buf[o++] = c;
	}
	buf[o++] = '"';
	buf[o] = 0;
	if (s[i]) snprintf(buf + o, n - o, "... (%zu bytes)", strlen(s));
	return buf;
}

static uint64_t get64(uintptr_t at)
{
	uint64_t v;
	memcpy(&v, (const void *)at, sizeof v);
	return v;
}

static void perms(int prot, char p[5])
{
	p[0] = prot & PROT_READ ? 'r' : '-';
	p[1] = prot & PROT_WRITE ? 'w' : '-';
	p[2] = prot & PROT_EXEC ? 'x' : '-';
	p[3] = 'p';
	p[4] = 0;
}

static const char *kind(const struct image *img)
{
	if (img->eh->e_type == ET_EXEC) return "ET_EXEC (not PIE)";
	if (img->is_interp) return "ET_DYN";
	return img->interp[0] ? "ET_DYN (PIE)" : "ET_DYN (static-PIE, or run as a program)";
}

static void show_image_maps(const struct image *img)
{
	for (int i = 0; i < img->nsegs; i++) {
		const struct seg *s = &img->segs[i];
		char p[5];
		perms(s->prot, p);
		out("  %016lx-%016lx %s %08llx %s  PT_LOAD[%d]%s\n", s->start, s->end, p,
		    (unsigned long long)s->off, s->anon ? "(zero pages)" : img->path, s->phidx,
		    s->anon ? " bss" : "");
	}
}

struct others { const struct loadinfo *li; int n; };

static bool in_images(const struct loadinfo *li, uintptr_t a, uintptr_t b)
{
	const struct image *imgs[2] = {li->prog, li->interp};
	for (int k = 0; k < 2; k++)
		for (int i = 0; imgs[k] && i < imgs[k]->nsegs; i++)
			if (imgs[k]->segs[i].start < b && a < imgs[k]->segs[i].end) return true;
	return li->st->lo < b && a < li->st->hi;
}

static bool show_other(const struct area *a, void *arg)
{
	struct others *o = arg;
	if (in_images(o->li, a->start, a->end)) return true;
	/* The view of the file being parsed goes away before the jump. */
	if ((o->li->prog->file && (uintptr_t)o->li->prog->file == a->start) ||
	    (o->li->interp && o->li->interp->file && (uintptr_t)o->li->interp->file == a->start))
		return true;
	const char *what = "";
	int here;
	if (a->start <= (uintptr_t)&here && (uintptr_t)&here < a->end)
		what = o->li->mm->moved ? "  gortload's stack: unmapped at the jump" : "  gortload's stack: stays";
	else if (strcmp(a->name, "[vdso]") == 0) what = "  the kernel's vDSO (AT_SYSINFO_EHDR)";
	else if (strncmp(a->name, "[vvar", 5) == 0) what = "  the vDSO's data";
	else if (strcmp(a->name, "[vsyscall]") == 0) what = "  legacy vsyscall page";
	else if (a->name[0] == '/') what = "  gortload itself: stays mapped";
	else if (a->name[0] == 0) what = "  gortload's data (its .bss): stays";
	if (!o->n++) out("also in the address space:\n");
	out("  %016lx-%016lx %s %08llx %s%s\n", a->start, a->end, a->perms, (unsigned long long)a->off,
	    a->name[0] ? a->name : "(anonymous)", what);
	return true;
}

static void aux_comment(const struct loadinfo *li, uint64_t t, uint64_t v, char *buf, size_t n)
{
	char q[512], sym[256];
	buf[0] = 0;
	switch (t) {
	case AT_EXECFN: case AT_PLATFORM: case AT_BASE_PLATFORM:
		if (v) snprintf(buf, n, " -> %s", quote((const char *)v, q, sizeof q));
		break;
	case AT_PHENT: case AT_PHNUM: case AT_PAGESZ: case AT_CLKTCK: case AT_UID: case AT_EUID:
	case AT_GID: case AT_EGID: case AT_SECURE: case 27: case 28: case 51:
		snprintf(buf, n, "  (%llu)", (unsigned long long)v);
		break;
	case AT_RANDOM: snprintf(buf, n, "  (16 random bytes, above)"); break;
	case AT_SYSINFO_EHDR: snprintf(buf, n, "  (the vDSO's ELF header)"); break;
	case AT_BASE: snprintf(buf, n, v ? "  (where the interpreter is loaded)" : "  (no interpreter)"); break;
	case AT_PHDR: snprintf(buf, n, "  (the program headers, in memory)"); break;
	case AT_ENTRY: {
		const char *s = image_symbol(li->prog, v, sym, sizeof sym);
		snprintf(buf, n, "  (the program's entry%s%s)", s ? ": " : "", s ? s : "");
		break;
	}
	}
}

void show(const struct loadinfo *li)
{
	const struct image *prog = li->prog, *interp = li->interp;
	const struct stack *st = li->st;
	char q[512], name[32];

	out("gortload: %s: %s, %s%s\n", prog->path, kind(prog),
	    prog->interp[0] ? "interpreter " : "no interpreter", prog->interp);
	if (li->drops && li->drops[0]) out("  --drop-auxv: %s\n", li->drops);
	out("mappings (address range, protection, file offset, file):\n");
	show_image_maps(prog);
	if (interp) show_image_maps(interp);
	char p[5];
	perms(st->prot, p);
	out("  %016lx-%016lx %s %08x [stack]  %lu KiB (RLIMIT_STACK), %s (PT_GNU_STACK)\n", st->lo, st->hi, p, 0,
	    (st->hi - st->lo) >> 10, st->prot & PROT_EXEC ? "executable" : "not executable");
	if (li->mm->moved)
		out("  program break %#lx (after the bss%s)\n", li->mm->brk,
		    li->mm->brk != PAGE_UP(prog->end_bss) ? ", plus a random gap" : "");
	else
		out("  program break %#lx: gortload's (cannot move it: prctl PR_SET_MM_MAP: %s)\n", li->mm->brk,
		    strerror(li->mm->err));
	struct others o = {li, 0};
	maps_each(show_other, &o);

	out("initial stack, from the top down:\n");
	out("  0x%016lx  ----  end of the stack mapping\n", st->hi);
	out("  0x%016lx  0x%016llx  end marker\n", st->hi - 8, (unsigned long long)get64(st->hi - 8));
	out("  0x%016lx  %s  AT_EXECFN string\n", st->execfn, quote((const char *)st->execfn, q, sizeof q));
	for (int i = st->envc - 1; i >= 0; i--) {
		uintptr_t s = get64((uintptr_t)&st->envp[i]);
		out("  0x%016lx  %s  envp[%d] string\n", s, quote((const char *)s, q, sizeof q), i);
	}
	for (int i = st->argc - 1; i >= 0; i--) {
		uintptr_t s = get64((uintptr_t)&st->argv[i]);
		out("  0x%016lx  %s  argv[%d] string\n", s, quote((const char *)s, q, sizeof q), i);
	}
	if (st->gap_hi - st->gap_lo)
		out("  0x%016lx  (%lu bytes)  random gap and alignment\n", st->gap_lo, st->gap_hi - st->gap_lo);
	if (st->platform)
		out("  0x%016lx  %s  AT_PLATFORM string\n", st->platform, quote((const char *)st->platform, q, sizeof q));
	if (st->base_platform)
		out("  0x%016lx  %s  AT_BASE_PLATFORM string\n", st->base_platform,
		    quote((const char *)st->base_platform, q, sizeof q));
	if (st->random) {
		const unsigned char *r = (const unsigned char *)st->random;
		char hex[40];
		for (int i = 0; i < 16; i++) snprintf(hex + 2 * i, 3, "%02x", r[i]);
		out("  0x%016lx  %s  AT_RANDOM bytes\n", st->random, hex);
	}
	uintptr_t auxv = (uintptr_t)st->auxv;
	uintptr_t below = st->random ? st->random : st->base_platform ? st->base_platform
	                : st->platform ? st->platform : st->gap_lo;
	uintptr_t aux_end = auxv + 16 * (st->naux + 1);
	if (below > aux_end)
		out("  0x%016lx  (%lu byte%s)  padding: argc goes on a 16-byte boundary%s\n", aux_end, below - aux_end,
		    below - aux_end == 1 ? "" : "s", st->sp % 16 ? " (then --stack-align)" : "");
	for (int i = st->naux; i >= 0; i--) {
		uintptr_t at = auxv + 16 * i;
		uint64_t t = get64(at), v = get64(at + 8);
		const char *n = aux_name(t);
		if (!n) snprintf(name, sizeof name, "AT_%llu", (unsigned long long)t), n = name;
		char c[600];
		aux_comment(li, t, v, c, sizeof c);
		out("  0x%016lx  %-20s 0x%llx%s\n", at, n, (unsigned long long)v, c);
	}
	out("  0x%016lx  envp[%d]              0x0 (NULL)\n", (uintptr_t)&st->envp[st->envc], st->envc);
	for (int i = st->envc - 1; i >= 0; i--) {
		uintptr_t s = get64((uintptr_t)&st->envp[i]);
		snprintf(name, sizeof name, "envp[%d]", i);
		out("  0x%016lx  %-20s 0x%lx -> %s\n", (uintptr_t)&st->envp[i], name, s,
		    quote((const char *)s, q, sizeof q));
	}
	out("  0x%016lx  argv[%d]              0x0 (NULL)\n", (uintptr_t)&st->argv[st->argc], st->argc);
	for (int i = st->argc - 1; i >= 0; i--) {
		uintptr_t s = get64((uintptr_t)&st->argv[i]);
		snprintf(name, sizeof name, "argv[%d]", i);
		out("  0x%016lx  %-20s 0x%lx -> %s\n", (uintptr_t)&st->argv[i], name, s,
		    quote((const char *)s, q, sizeof q));
	}
	out("  0x%016lx  %-20s %lld  <- %%rsp (%%rsp mod 16 = %lu)\n", st->sp, "argc", (long long)get64(st->sp),
	    st->sp % 16);

	char sym[256];
	const char *s = image_symbol(prog, prog->entry, sym, sizeof sym);
	out("entry: 0x%lx %s in %s (AT_ENTRY)\n", prog->entry, s ? s : "(no symbol)", prog->path);
	if (interp) {
		s = image_symbol(interp, li->jump, sym, sizeof sym);
		out("jump:  0x%lx %s in %s: the interpreter runs first\n", li->jump, s ? s : "(no symbol)", interp->path);
	}
	out("jump to 0x%lx with %%rsp = 0x%lx, %%rdx = 0 (no exit function), every other register 0\n",
	    li->jump, st->sp);
	out_flush();
}
