/* print.c: the runtime's own output (Go's print.go): formatted with no
 * allocation and no stdio, written with raw write(2) to stderr. Usable before
 * the libc is initialised, in signal handlers and on any stack.
 *
 * Locking: printlock() is a spin lock owned by a thread id, recursive for the
 * owner, so that a fatal error raised while printing still prints. Lines from
 * different threads do not interleave inside a printlock()ed section. */
#include <stdarg.h>
#include "runtime.h"
#include "trace.h"

static _Atomic long printowner; /* tid of the thread holding printlock, or 0 */
static int printdepth;          /* under printowner */

/* A per-thread line buffer would need TLS, which does not exist before the
 * libc is initialised; one global buffer under printlock serves instead. */
int printfd = 2;   /* under printlock */
static char pbuf[512] COLDBSS;
static size_t pn;

void printlock(void)
{
	long tid = sys_gettid(), zero = 0;
	if (atomic_load(&printowner) == tid) {
		printdepth++;
		return;
	}
	while (!atomic_compare_exchange_weak(&printowner, &zero, tid)) {
		zero = 0;
		__builtin_ia32_pause();
	}
	printdepth = 1;
}

void printunlock(void)
{
	if (--printdepth == 0) {
		print_flush();
		atomic_store(&printowner, 0);
	}
}

void print_flush(void)
{
	size_t off = 0;
	while (off < pn) {
		long n = sys_write(printfd, pbuf + off, pn - off);
		if (n == -4 /* EINTR */) continue;
		if (n <= 0) break;
		off += n;
	}
	pn = 0;
}

static void putb(char c)
{
	if (pn == sizeof pbuf) print_flush();
	pbuf[pn++] = c;
	if (c == '\n') print_flush();
}

void print_str(const char *s)
{
	if (!s) s = "(null)";
	while (*s) putb(*s++);
}

void print_uint(uint64_t v)
{
	char b[21];
	int i = sizeof b;
	b[--i] = 0;
	do b[--i] = '0' + v % 10; while ((v /= 10) && i > 0);
	print_str(b + i);
}

void print_int(int64_t v)
{
	if (v < 0) {
		putb('-');
		print_uint(-(uint64_t)v);
	} else {
		print_uint(v);
	}
}

void print_hex(uint64_t v)
{
	char b[19];
	int i = sizeof b;
	b[--i] = 0;
	do b[--i] = "0123456789abcdef"[v & 15]; while ((v >>= 4) && i > 2);
	b[--i] = 'x';
	b[--i] = '0';
	print_str(b + i);
}

/* vprint understands %s %d %ld %lld %u %lu %llu %x %lx %p %c %%, and %.Ns. */
static void vprint(const char *f, va_list ap)
{
	for (; *f; f++) {
		if (*f != '%') {
			putb(*f);
			continue;
		}
		int lng = 0, prec = -1, width = 0;
		char pad = ' ';
		f++;
		if (*f == '0') pad = '0', f++;
		while (*f >= '1' && *f <= '9') width = width * 10 + (*f++ - '0');
		if (width && (*f == 'd' || *f == 'u' || (*f == 'l' && (f[1] == 'd' || f[1] == 'u')))) {
			/* Padded integers: format into a buffer first. */
			int l = *f == 'l';
			char spec = f[l];
			uint64_t uv;
			bool neg = false;
			if (spec == 'd') {
				int64_t v = l ? va_arg(ap, long) : va_arg(ap, int);
				neg = v < 0;
				uv = neg ? -(uint64_t)v : (uint64_t)v;
			} else {
				uv = l ? va_arg(ap, unsigned long) : va_arg(ap, unsigned);
			}
			char b[24];
			int i = sizeof b;
			do b[--i] = '0' + uv % 10; while ((uv /= 10) && i > 1);
			if (neg) b[--i] = '-';
			for (int k = sizeof b - i; k < width; k++) putb(pad);
			while (i < (int)sizeof b) putb(b[i++]);
			f += l;
			continue;
		}
		if (*f == '.' && f[1] == '*') {
			prec = va_arg(ap, int);
			f += 2;
		}
		while (*f == 'l' || *f == 'z') lng++, f++;
		switch (*f) {
		case 's': {
			const char *s = va_arg(ap, const char *);
			if (prec >= 0) {
				for (int i = 0; i < prec && s && s[i]; i++) putb(s[i]);
			} else {
				print_str(s);
			}
			break;
		}
		case 'd': print_int(lng ? va_arg(ap, long) : va_arg(ap, int)); break;
		case 'u': print_uint(lng ? va_arg(ap, unsigned long) : va_arg(ap, unsigned)); break;
		case 'x': { /* hex without 0x; %p and print_hex add it */
			uint64_t v = lng ? va_arg(ap, unsigned long) : va_arg(ap, unsigned);
			char b[17];
			int i = 16;
			b[i] = 0;
			do b[--i] = "0123456789abcdef"[v & 15]; while ((v >>= 4) && i > 0);
			print_str(b + i);
			break;
		}
		case 'p': print_hex((uintptr_t)va_arg(ap, void *)); break;
		case 'c': putb((char)va_arg(ap, int)); break;
		case '%': putb('%'); break;
		default: putb('%'); putb(*f); if (!*f) return; break;
		}
	}
}

void printf_raw(const char *fmt, ...)
{
	va_list ap;
	printlock();
	va_start(ap, fmt);
	vprint(fmt, ap);
	va_end(ap);
	printunlock();
}

_Noreturn void exit_raw(int code)
{
	sys_exit_group(code);
}

static _Atomic int dying;
static _Atomic int fatalstarted; /* set once by fatal_begin, never cleared */
/* The thread whose exit (main's return, exit()) went past fatal_waitexit
 * with no fatal error in progress: it is on its way to exit_group; -1
 * once it saw one and waits for it instead. */
static _Atomic long exittid; /* exitid() of the exiting thread, -1 after a report */

/* fatal_waitexit: main returned (or the program called exit): if another
 * thread reports a fatal error, wait for that report to end the process
 * with status 2, as Go's main parks while a panic is in progress. Bounded,
 * so that a report that cannot finish (a deadlock in the report itself)
 * still ends in a defined way: after 10 s, status 2 from here. Otherwise
 * the exit is committed (exittid): a fatal error that begins after this
 * point waits for the exit (fatal_begin), as it began after main ended;
 * the two flags, each stored then the other's loaded (sequentially
 * consistent), cannot both be missed. */
/* exitid: who the calling thread is, for exittid: its M (no system call:
 * fatal_waitexit is on every program's exit path), or minus its tid on a
 * thread that is no M. */
static long exitid(void)
{
	struct g *gp = scheduler_started ? getg() : NULL;
	return gp && gp->m ? (long)(uintptr_t)gp->m : -sys_gettid();
}

void fatal_waitexit(void)
{
	long tid = exitid(), none = 0;
	atomic_compare_exchange_strong(&exittid, &none, tid);
	if (!atomic_load(&fatalstarted)) return;
	atomic_store(&exittid, -1);
	for (int i = 0; i < 1000; i++) {
		struct timespec ts = {0, 10000000};
		rawsyscall(SYS_nanosleep, &ts, NULL, 0);
	}
	exit_raw(2);
}

/* fatal_begin: called before a fatal report's first byte. If another
 * thread's exit is already committed, the process is ending with the
 * program's status: wait for it (at most 1 s, for an exit that blocks in
 * its stdio flush: then the report goes on and wins). */
void fatal_begin(void)
{
	atomic_store(&fatalstarted, 1);
	long tid = exitid();
	for (int i = 0; i < 100; i++) {
		long t = atomic_load(&exittid);
		if (t == 0 || t == -1 || t == tid) return;
		struct timespec ts = {0, 10000000};
		rawsyscall(SYS_nanosleep, &ts, NULL, 0);
	}
}

/* fatal_tail prints the tracebacks GOTRACEBACK asks for and exits 2 (or
 * re-raises SIGABRT for GOTRACEBACK=crash, so that a core is written). */
static _Noreturn void fatal_tail(void)
{
	/* As Go does for runtime fatal errors, show every goroutine: the
	 * reason is usually in another one (a deadlock, say). */
	struct g *gp = scheduler_started ? getg() : NULL;
	if (atomic_fetch_add(&dying, 1) == 0 && gotraceback_level > 0 && gp) {
		print_str("\n");
		if (gp->m && gp == gp->m->g0) gp = gp->m->curg; /* NULL if none */
		traceback_all(2, gp);
	}
	printunlock();
	trace_atfatal(); /* GORT_TRACE, GORT_TRACE_FLIGHT: the last moments (trace.c) */
	if (gotraceback_level >= 4) {
		struct { unsigned long h, f, r, m; } sa = {0, 0, 0, 0}; /* SIG_DFL */
		rawsyscall6(SYS_rt_sigaction, 6, (long)&sa, 0, 8, 0, 0);
		unsigned long unblock = 1ul << (6 - 1);
		rawsyscall6(SYS_rt_sigprocmask, 1 /* SIG_UNBLOCK */, (long)&unblock, 0, 8, 0, 0);
		sys_tgkill(sys_getpid(), sys_gettid(), 6 /* SIGABRT */);
	}
	exit_raw(2);
}

/* throw reports an impossible runtime state: a constant message, no
 * allocation (Go's throw). */
_Noreturn void throw(const char *s)
{
	fatal_begin();
	printlock();
	print_str("fatal error: ");
	print_str(s);
	print_str("\n");
	fatal_tail();
}

/* fatal reports a runtime failure with details, as Go's fatal. */
_Noreturn void fatal(const char *fmt, ...)
{
	va_list ap;
	fatal_begin();
	printlock();
	print_str("fatal error: ");
	va_start(ap, fmt);
	vprint(fmt, ap);
	va_end(ap);
	print_str("\n");
	fatal_tail();
}

/* warn_env is the warnfn used at start-up: one line naming the variable,
 * the value given and the value used instead. */
void warn_env(const char *var, const char *val, const char *used, void *ctx)
{
	(void)ctx;
	printf_raw("gort: ignoring %s=%s: %s\n", var, val, used);
}
