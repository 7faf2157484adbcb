/* hooks/stdio.c: the libc's stdio reads, writes and closes for gort
 * programs (issue #17 item 5; the mechanism: runtime/stdio.c).
 *   - musl static: __stdio_read, __stdio_write and __stdio_close, the
 *     functions every musl FILE reads, writes and closes through (the
 *     close so that the runtime forgets the descriptor, as the close hook
 *     does). libc.a has each alone in its own object, so these, linked
 *     first, are the libc's: hooks/io.c refers to gort_hooked_stdio, in
 *     this object, so they come in with read, which libgort.a's EXTERN
 *     names (and stay out where read is a sanitizer's). musl's __stdout_write
 *     calls __stdio_write by name: stdout keeps its terminal test. They
 *     call runtime/stdio.c's copies of musl 1.2.3's functions. In
 *     gort_text, as the runtime's code: the libc calls them holding the
 *     FILE's lock, and an asynchronous preemption there would let another
 *     goroutine of the same thread take it as its own.
 *   - musl dynamic (GORT_DYNHOOKS, libgort_dynhooks.a): fopen, fdopen,
 *     freopen and popen call libc.so's (dlsym(RTLD_NEXT)) and point the
 *     FILE they return at the runtime's functions; fflush makes
 *     fflush(NULL)'s writes plain (the libc's list lock is held).
 *   - glibc: nothing by name; the runtime patches the libc's FILE vtables
 *     at startup when this object is linked (gort_hooked_stdio).
 * Rejected: defining __stdio_read in hooks/io.c (read's object): one
 * reference from there is enough, and this file says what it owns; an
 * EXTERN of its own (it came in where a sanitizer defines read); patching musl static's FILEs at startup as in the dynamic build
 * (the FILEs opened later, and the libc's internal ones such as the
 * resolver's, would need every opener hooked). */
#include <stdio.h>
#include "../runtime/iohooks.h"

#define HOOK __attribute__((visibility("default")))
#define RTCODE __attribute__((section("gort_text")))

#ifndef GORT_DYNHOOKS
/* runtime/stdio.c's stdio_init patches the FILEs only where this is
 * linked (not with gortcc --gort-nohooks). */
HOOK const char gort_hooked_stdio = 1;
#endif

#if !defined(GORT_GLIBC) && !defined(GORT_DYNHOOKS)
/* musl's own names (hidden in libc.a: a static link binds its callers to
 * these). */
size_t __stdio_read(FILE *f, unsigned char *buf, size_t len);
size_t __stdio_write(FILE *f, const unsigned char *buf, size_t len);
int __stdio_close(FILE *f);
HOOK RTCODE size_t __stdio_read(FILE *f, unsigned char *buf, size_t len) { return gort_stdio_read(f, buf, len); }
HOOK RTCODE size_t __stdio_write(FILE *f, const unsigned char *buf, size_t len)
{
	return gort_stdio_write(f, buf, len);
}
HOOK RTCODE int __stdio_close(FILE *f) { return gort_stdio_close(f); }
#endif

#ifdef GORT_DYNHOOKS
#include <dlfcn.h>
#include <stdatomic.h>
#include <stdlib.h>

/* real: libc.so's function of that name, looked up once. */
static void *real(void *_Atomic *slot, const char *name)
{
	void *f = atomic_load_explicit(slot, memory_order_acquire);
	if (!f) {
		f = dlsym(RTLD_NEXT, name);
		if (!f) abort(); /* no libc: nothing sensible to return */
		atomic_store_explicit(slot, f, memory_order_release);
	}
	return f;
}
#define REAL(name)                                                                                             \
	static void *_Atomic slot_##name;                                                                      \
	__typeof__(&name) fn_##name = (__typeof__(&name))real(&slot_##name, #name)

HOOK FILE *fopen(const char *restrict path, const char *restrict mode)
{
	REAL(fopen);
	FILE *f = fn_fopen(path, mode);
	gort_stdio_patch(f);
	return f;
}
HOOK FILE *fdopen(int fd, const char *mode)
{
	REAL(fdopen);
	FILE *f = fn_fdopen(fd, mode);
	gort_stdio_patch(f);
	return f;
}
HOOK FILE *freopen(const char *restrict path, const char *restrict mode, FILE *restrict old)
{
	REAL(freopen);
	FILE *f = fn_freopen(path, mode, old);
	gort_stdio_patch(f);
	return f;
}
/* fflush(NULL) holds libc.so's open-file list lock while it writes: its
 * writes stay the plain calls (runtime/stdio.c). */
HOOK RTCODE int fflush(FILE *f)
{
	REAL(fflush);
	return f ? fn_fflush(f) : gort_stdio_flushall(fn_fflush);
}
HOOK FILE *popen(const char *cmd, const char *mode)
{
	REAL(popen);
	FILE *f = fn_popen(cmd, mode);
	gort_stdio_patch(f);
	return f;
}
#endif
