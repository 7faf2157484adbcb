/* stdio.c: the libc's stdio reads and writes park only the goroutine
 * (issue #17 item 5): fgets, fread, getline, fwrite, printf... on pipes,
 * sockets and terminals from a goroutine. No Go counterpart (Go's os.File
 * goes through internal/poll: fdio.c); this is that, under the libc's
 * FILE.
 *
 * The libc's stdio makes its own system calls (musl's __stdio_read calls
 * readv inline; glibc's _IO_file_read calls its internal __read), which the
 * read and write hooks never see: each fgets that waited held its thread
 * until sysblock.c handed the P to another. The layer where stdio's I/O
 * can be replaced is the FILE's read, write and close functions (the close
 * so that the runtime forgets the descriptor, as the close hook does: a
 * pipe reusing the number would otherwise wait on a stale registration):
 *   - musl static: hooks/stdio.c defines __stdio_read, __stdio_write and
 *     __stdio_close, which libc.a keeps one to an object, so the
 *     program's definitions win (hooks/io.c, which read's EXTERN pulls in,
 *     refers to gort_hooked_stdio in the same object); they call
 *     gort_stdio_read, gort_stdio_write and gort_stdio_close here, musl
 *     1.2.3's src/stdio/__stdio_read.c, __stdio_write.c and
 *     __stdio_close.c line for line with the system call replaced;
 *   - musl dynamic: libc.so's calls are internal; stdio_init points the
 *     functions of stdin, stdout and stderr at ours (stdout's keeps
 *     __stdout_write's TIOCGWINSZ test: line buffering on a terminal), and
 *     hooks/stdio.c's fopen, fdopen, freopen and popen
 *     (libgort_dynhooks.a) do the same to the FILEs they return
 *     (gort_stdio_patch);
 *   - glibc: the FILE vtables. _IO_file_jumps (exported) gives the
 *     addresses of _IO_file_read, _IO_new_file_write and _IO_file_close
 *     (slots 14, 15, 17); every vtable in the libc's RELRO segment that
 *     holds the first two in adjacent slots gets ours instead, and ours
 *     for the close where it holds _IO_file_close (mprotect around the
 *     stores). glibc checks that a FILE's vtable pointer lies in
 *     __libc_IO_vtables, not the slots' contents, so every FILE, wide ones
 *     and popen's included, now goes through here. Ours are 2.36's
 *     functions with the hooked system call.
 * Each call that may park goes to fdio.c's hooked readv/writev
 * (fdio_stdio_rwv): pipes, sockets and terminals wait in the netpoller, a
 * regular file goes where the read and write hooks send it (the blocking
 * pool, or direct), O_NONBLOCK descriptors get EAGAIN, a handler of the
 * program interrupts a wait as the kernel would (SA_RESTART). The FILE's
 * flags (error, EOF), buffer and offset are then set by the libc's own
 * code around ours, as before.
 *
 * The FILE's lock belongs to a thread (musl: the lock word holds the tid;
 * glibc: _IO_lock_t's owner is THREAD_SELF), and a goroutine that parks
 * inside fgets holds it, then may resume on another thread; meanwhile
 * another goroutine on the first thread would take the lock "recursively"
 * and corrupt the FILE. So around the call the owner becomes a token of
 * the goroutine (musl: 0x20000000 | goid, no thread's id, the waiters bit
 * kept, by compare-and-swap; glibc: goid * 2 + 1, no thread's address),
 * and after it the current thread's (musl: its tid; glibc:
 * pthread_self()). Another goroutine wanting the same FILE meanwhile waits
 * on the libc's futex: its thread blocks (sysblock.c hands its P off) until
 * the first one's call is over. The call parks only when the lock is ours
 * or nobody's:
 *   - held by this thread (the lock word or owner says so): swap, park;
 *   - not held (the *_unlocked functions, FSETLOCKING_BYCALLER, musl's
 *     FILE on the stack of dprintf) or held by musl's getc/putc (owner
 *     MAYBE_WAITERS-1, no thread's id): park as is;
 *   - anything else is the plain call: held by another thread (a program
 *     bug), musl's flockfile (lockcount > 0: the FILE is on the thread's
 *     list of locked files, which another thread's funlockfile would
 *     corrupt), or the libc's list of open files locked (fflush(NULL),
 *     fopen, fclose in progress: a goroutine parked holding it would
 *     deadlock a fork, which takes it with the world stopped). musl static
 *     reads that lock word (__stdio_ofl_lockptr); glibc's is found in
 *     _IO_list_lock's code and checked once (glibc_listlock); musl dynamic
 *     cannot see it (hidden in libc.so): there hooks/stdio.c's fflush
 *     makes fflush(NULL)'s writes plain, and exit's flush (which takes it
 *     too) may park holding it.
 * Off (the libc's own behaviour): outside a goroutine, in the program's
 * signal handlers, inside its gort_entersyscall sections, and for the
 * whole run with GODEBUG=gorthooks=0 (nothing is patched then; musl
 * static's __stdio_read makes the libc's system call).
 *
 * Rejected: hooking fgets, fread, printf... one by one (hundreds of names,
 * each reimplementing the libc's buffering; glibc's and musl's semantics
 * differ in corners); wrapping a FILE in fopencookie (changes fileno's
 * answers, locking, and freopen); running every stdio call on the
 * blocking pool (a thread per waiting fgets again, bounded only by the
 * pool). */
#include <dlfcn.h>
#include <link.h>
#include <pthread.h>
#include <stdio.h>
#include <stdio_ext.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include "iohooks.h"
#ifndef GORT_GLIBC
#include "stdio_musl.h"
#endif

/* hooks/stdio.c: its presence says the stdio layer is linked (not with
 * gortcc --gort-nohooks). */
extern const char gort_hooked_stdio __attribute__((weak));

/* How one call goes. */
enum { PLAIN, PARK, SWAP };

static bool stdio_active(void) { return hooks_active_libc_ok() && !in_vfork_child(); }

static uint64_t goid_token(void) { return (uint64_t)getg()->goid; }

#ifndef GORT_GLIBC
/* ---- musl ---- */

/* musl's list-of-open-files lock (src/stdio/ofl.c): linked in a static
 * program that opens files; hidden in libc.so (weak: NULL there). */
extern volatile int *const __stdio_ofl_lockptr __attribute__((weak));

/* musl dynamic: set on the thread while hooks/stdio.c's fflush(NULL)
 * runs libc.so's, which holds the open-file list lock (hidden there) as it
 * flushes: its writes are the plain calls. The goroutine cannot leave the
 * thread meanwhile: it never parks, libc.so's code is never preempted, and
 * sysblock.c keeps a goroutine whose call it re-issues on its thread. */
static __thread bool in_flushall;

/* gort_stdio_flushall: fflush(NULL) by libc.so's fflush, with the list
 * lock's rule above. */
int gort_stdio_flushall(int (*libc_fflush)(FILE *))
{
	bool was = in_flushall;
	in_flushall = true;
	int r = libc_fflush(NULL);
	in_flushall = was;
	return r;
}

/* musl dynamic: the libc's own read and write functions, learned from
 * stdin and stderr by stdio_init (NULL in a static program, where ours
 * are the libc's). Written once before the first goroutine but main. */
static size_t (*libc_read)(struct musl_file *, unsigned char *, size_t);
static size_t (*libc_write)(struct musl_file *, const unsigned char *, size_t);
static int (*libc_close)(struct musl_file *);

static pid_t curtid(void)
{
	struct m *mp = getg()->m;
	if (!mp->tid) mp->tid = gettid_raw(); /* m0 reads its own lazily */
	return mp->tid;
}

static int musl_how(struct musl_file *f)
{
	if (!stdio_active()) return PLAIN;
	if (&__stdio_ofl_lockptr ? *__stdio_ofl_lockptr != 0 : in_flushall) return PLAIN;
	int l = f->lock;
	if (l <= 0) return PARK;
	int o = l & ~MUSL_MAYBE_WAITERS;
	if (o == MUSL_ANON_OWNER) return PARK;
	if (o != curtid() || f->lockcount) return PLAIN;
	return SWAP;
}

/* musl_setowner: the lock word's owner becomes o, its waiters bit kept
 * (waiters set it concurrently: compare-and-swap). */
static void musl_setowner(struct musl_file *f, int o)
{
	int l = f->lock;
	while (!__atomic_compare_exchange_n((int *)&f->lock, &l, o | (l & MUSL_MAYBE_WAITERS), false,
					    __ATOMIC_SEQ_CST, __ATOMIC_RELAXED))
		;
}

/* musl_io: musl's syscall(SYS_readv/SYS_writev, ...) (SYS_read/SYS_write
 * for one vector), or the same parking only the goroutine. */
static ssize_t musl_io(struct musl_file *f, struct iovec *iov, int n, bool wr)
{
	int how = musl_how(f);
	if (how == PLAIN) {
		if (n == 1) return sret(rawsyscall(wr ? SYS_write : SYS_read, f->fd, iov->iov_base, iov->iov_len));
		return sret(rawsyscall(wr ? SYS_writev : SYS_readv, f->fd, iov, n));
	}
	if (how == SWAP) musl_setowner(f, (int)(0x20000000 | (goid_token() & 0x0fffffff)));
	ssize_t r = fdio_stdio_rwv(f->fd, iov, n, wr);
	if (how == SWAP) {
		int e = errno;
		musl_setowner(f, curtid());
		errno = e;
	}
	return r;
}

/* musl 1.2.3's __stdio_read. */
size_t gort_stdio_read(void *vf, unsigned char *buf, size_t len)
{
	struct musl_file *f = vf;
	if (libc_read && !stdio_active()) return libc_read(f, buf, len);
	struct iovec iov[2] = {{.iov_base = buf, .iov_len = len - !!f->buf_size},
			       {.iov_base = f->buf, .iov_len = f->buf_size}};
	ssize_t cnt;

	cnt = iov[0].iov_len ? musl_io(f, iov, 2, false) : musl_io(f, iov + 1, 1, false);
	if (cnt <= 0) {
		f->flags |= cnt ? MUSL_F_ERR : MUSL_F_EOF;
		return 0;
	}
	if ((size_t)cnt <= iov[0].iov_len) return cnt;
	cnt -= iov[0].iov_len;
	f->rpos = f->buf;
	f->rend = f->buf + cnt;
	if (f->buf_size) buf[len - 1] = *f->rpos++;
	return len;
}

/* musl 1.2.3's __stdio_write. */
size_t gort_stdio_write(void *vf, const unsigned char *buf, size_t len)
{
	struct musl_file *f = vf;
	if (libc_write && !stdio_active()) return libc_write(f, buf, len);
	struct iovec iovs[2] = {{.iov_base = f->wbase, .iov_len = f->wpos - f->wbase},
				{.iov_base = (void *)buf, .iov_len = len}};
	struct iovec *iov = iovs;
	size_t rem = iov[0].iov_len + iov[1].iov_len;
	int iovcnt = 2;
	ssize_t cnt;
	for (;;) {
		cnt = musl_io(f, iov, iovcnt, true);
		if ((size_t)cnt == rem) {
			f->wend = f->buf + f->buf_size;
			f->wpos = f->wbase = f->buf;
			return len;
		}
		if (cnt < 0) {
			f->wpos = f->wbase = f->wend = 0;
			f->flags |= MUSL_F_ERR;
			return iovcnt == 2 ? 0 : len - iov[0].iov_len;
		}
		rem -= cnt;
		if ((size_t)cnt > iov[0].iov_len) {
			cnt -= iov[0].iov_len;
			iov++;
			iovcnt--;
		}
		iov[0].iov_base = (char *)iov[0].iov_base + cnt;
		iov[0].iov_len -= cnt;
	}
}

/* musl 1.2.3's __stdio_close: fclose, pclose, freopen's close of the old
 * descriptor. The close hook's rule (fdio_forget) first: the libc's own
 * system call leaves the runtime's registration of the number behind, and
 * a descriptor that reuses it (the next fopen or pipe) would wait on a
 * stale one until sysmon re-arms it (1 to 4 s per round of
 * bench/noblock's stdio before this). musl's __aio_close is linked only
 * with aio (weak: absent otherwise, as __stdio_close.c's own dummy). */
extern int __aio_close(int fd) __attribute__((weak));
int gort_stdio_close(void *vf)
{
	struct musl_file *f = vf;
	if (libc_close) {
		fdio_forget(f->fd);
		return libc_close(f);
	}
	int fd = &__aio_close ? __aio_close(f->fd) : f->fd;
	fdio_forget(fd);
	return (int)sret(rawsyscall(SYS_close, fd, 0, 0));
}

/* musl 1.2.3's __stdout_write (stdout's first write: a terminal is line
 * buffered), for musl dynamic, where stdout's write was libc.so's. */
static size_t musl_stdout_write(struct musl_file *f, const unsigned char *buf, size_t len)
{
	struct winsize wsz;
	f->write = (size_t (*)(struct musl_file *, const unsigned char *, size_t))gort_stdio_write;
	if (!(f->flags & MUSL_F_SVB) && rawsyscall(SYS_ioctl, f->fd, TIOCGWINSZ, (long)&wsz)) f->lbf = -1;
	return gort_stdio_write(f, buf, len);
}

/* gort_stdio_patch: a FILE the libc just opened (musl dynamic: the hooks'
 * fopen, fdopen, freopen, popen) reads and writes through ours. A FILE of
 * the program's own functions (fopencookie, fmemopen) is left alone. Under
 * the FILE's lock: freopen's FILE may be in use by another thread. */
void gort_stdio_patch(void *vf)
{
	struct musl_file *f = vf;
	if (!f || !libc_read) return;
	flockfile((FILE *)f);
	if (f->read == libc_read) f->read = (size_t (*)(struct musl_file *, unsigned char *, size_t))gort_stdio_read;
	if (f->write == libc_write)
		f->write = (size_t (*)(struct musl_file *, const unsigned char *, size_t))gort_stdio_write;
	if (f->close == libc_close) f->close = (int (*)(struct musl_file *))gort_stdio_close;
	funlockfile((FILE *)f);
}

/* musl_layout_ok: what musl's public functions say of the standard FILEs
 * agrees with stdio_musl.h's layout (each reads one field). */
static bool musl_layout_ok(void)
{
	struct musl_file *in = (struct musl_file *)stdin, *out = (struct musl_file *)stdout,
			 *err = (struct musl_file *)stderr;
	return in->fd == fileno(stdin) && out->fd == fileno(stdout) && err->fd == fileno(stderr) &&
	       in->buf_size == __fbufsize(stdin) && out->buf_size == __fbufsize(stdout) &&
	       (size_t)(out->wpos - out->wbase) == __fpending(stdout) && in->read && out->write && err->write;
}

static void stdio_init_libc(void)
{
	if (!musl_layout_ok()) fatal("stdio: musl's FILE is not the layout runtime/stdio_musl.h mirrors (1.2.3)");
	if (!auxv_info.base) return; /* static: hooks/stdio.c's __stdio_read is the libc's */
	struct musl_file *in = (struct musl_file *)stdin, *out = (struct musl_file *)stdout,
			 *err = (struct musl_file *)stderr;
	libc_read = in->read;
	libc_write = err->write;
	libc_close = in->close;
	flockfile(stdout);
	/* Still __stdout_write (no write yet), or already __stdio_write. */
	out->write = out->write == libc_write
			     ? (size_t (*)(struct musl_file *, const unsigned char *, size_t))gort_stdio_write
			     : musl_stdout_write;
	funlockfile(stdout);
	gort_stdio_patch(in);
	gort_stdio_patch(err);
}

#else
/* ---- glibc ---- */

/* glibc 2.36's _IO_lock_t (sysdeps/nptl/stdio-lock.h), behind FILE's
 * public _lock pointer, and the flag bits (libio/libio.h). */
struct glibc_iolock {
	int lock;
	int cnt;
	void *owner;
};
enum { G_IO_ERR_SEEN = 0x20, G_IO_USER_LOCK = 0x8000, G_IO_FLAGS2_NEED_LOCK = 128 };

extern void _IO_list_lock(void);
extern void _IO_list_unlock(void);

/* The libc's _IO_file_read and _IO_new_file_write (the plain calls), and
 * its list-of-open-files lock (NULL: not found). Written by stdio_init
 * before any goroutine but main. */
static ssize_t (*libc_read)(FILE *, void *, ssize_t);
static ssize_t (*libc_write)(FILE *, const void *, ssize_t);
static int (*libc_close)(FILE *);
static struct glibc_iolock *listlock;

static int glibc_how(FILE *fp)
{
	if (!stdio_active()) return PLAIN;
	if (listlock && __atomic_load_n(&listlock->lock, __ATOMIC_RELAXED)) return PLAIN;
	if (!(fp->_flags2 & G_IO_FLAGS2_NEED_LOCK) || (fp->_flags & G_IO_USER_LOCK) || !fp->_lock) return PARK;
	struct glibc_iolock *lk = (struct glibc_iolock *)fp->_lock;
	void *o = __atomic_load_n(&lk->owner, __ATOMIC_RELAXED);
	if (!o) return PARK;
	return o == (void *)pthread_self() ? SWAP : PLAIN;
}

/* glibc_io: one read or write, parking only the goroutine; -1 with errno
 * as __read and __write. */
static ssize_t glibc_io(FILE *fp, void *buf, size_t n, bool wr, int how)
{
	struct iovec v = {buf, n};
	struct glibc_iolock *lk = (struct glibc_iolock *)fp->_lock;
	if (how == SWAP) __atomic_store_n(&lk->owner, (void *)(goid_token() * 2 + 1), __ATOMIC_RELAXED);
	ssize_t r = fdio_stdio_rwv(fp->_fileno, &v, 1, wr);
	if (how == SWAP) __atomic_store_n(&lk->owner, (void *)pthread_self(), __ATOMIC_RELAXED);
	return r;
}

/* glibc 2.36's _IO_file_read. _IO_FLAGS2_NOTCANCEL (fopen's "c") chose
 * __read_nocancel over __read: gort's threads are never cancelled, the
 * two are the same call here. */
static ssize_t glibc_read(FILE *fp, void *buf, ssize_t size)
{
	int how = glibc_how(fp);
	if (how == PLAIN) return libc_read(fp, buf, size);
	return glibc_io(fp, buf, size, false, how);
}

/* glibc 2.36's _IO_new_file_write. */
static ssize_t glibc_write(FILE *f, const void *data, ssize_t n)
{
	int how = glibc_how(f);
	if (how == PLAIN) return libc_write(f, data, n);
	ssize_t to_do = n;
	while (to_do > 0) {
		ssize_t count = glibc_io(f, (void *)data, to_do, true, how);
		if (count < 0) {
			f->_flags |= G_IO_ERR_SEEN;
			break;
		}
		to_do -= count;
		data = (void *)((char *)data + count);
	}
	n -= to_do;
	if (f->_offset >= 0) f->_offset += n;
	return n;
}

/* glibc 2.36's _IO_file_close (fclose, pclose, freopen), with the close
 * hook's rule first (fdio_forget: see gort_stdio_close). */
static int glibc_close(FILE *fp)
{
	fdio_forget(fp->_fileno);
	return libc_close(fp);
}

/* The libc's RELRO segment, found by dl_iterate_phdr: the object that
 * holds _IO_file_jumps. */
struct relro {
	uintptr_t in, lo, hi;
};
static int find_relro(struct dl_phdr_info *info, size_t size, void *arg)
{
	(void)size;
	struct relro *r = arg;
	uintptr_t lo = 0, hi = 0;
	bool holds = false;
	for (int i = 0; i < info->dlpi_phnum; i++) {
		const ElfW(Phdr) *ph = &info->dlpi_phdr[i];
		uintptr_t a = info->dlpi_addr + ph->p_vaddr;
		if (ph->p_type == PT_LOAD && r->in >= a && r->in < a + ph->p_memsz) holds = true;
		if (ph->p_type == PT_GNU_RELRO) lo = a, hi = a + ph->p_memsz;
	}
	if (!holds || !lo || r->in < lo || r->in >= hi) return 0;
	r->lo = lo;
	r->hi = hi;
	return 1;
}

/* glibc_listlock: _IO_list_lock's lock word, from its code (x86-64: the
 * first `lock cmpxchg %reg, disp32(%rip)`), checked by locking and
 * unlocking the list once: NULL if either fails. */
static struct glibc_iolock *glibc_listlock(void)
{
	const unsigned char *c = (const unsigned char *)_IO_list_lock;
	struct glibc_iolock *lk = NULL;
	for (int i = 0; i < 64 && !lk; i++)
		if (c[i] == 0xf0 && c[i + 1] == 0x0f && c[i + 2] == 0xb1 && (c[i + 3] & 0xc7) == 0x05) {
			int32_t d;
			__builtin_memcpy(&d, c + i + 4, 4);
			lk = (struct glibc_iolock *)(c + i + 8 + d);
		}
	if (!lk || lk->lock || lk->owner) return NULL;
	_IO_list_lock();
	bool ok = lk->lock != 0 && lk->owner == (void *)pthread_self() && lk->cnt == 1;
	_IO_list_unlock();
	return ok && !lk->lock && !lk->owner ? lk : NULL;
}

static void stdio_init_libc(void)
{
	void *const *jumps = dlsym(RTLD_NEXT, "_IO_file_jumps");
	if (!jumps) jumps = dlsym(RTLD_DEFAULT, "_IO_file_jumps");
	if (!jumps) return;
	libc_read = (ssize_t (*)(FILE *, void *, ssize_t))jumps[14];
	libc_write = (ssize_t (*)(FILE *, const void *, ssize_t))jumps[15];
	libc_close = (int (*)(FILE *))jumps[17];
	struct relro r = {.in = (uintptr_t)jumps};
	if (!libc_read || !libc_write || !dl_iterate_phdr(find_relro, &r)) {
		libc_read = NULL;
		return;
	}
	listlock = glibc_listlock();
	/* The vtables' span, then the pages of it the loader made read-only
	 * (its RELRO rounded down at the end, as ld.so's _dl_protect_relro). */
	void **w0 = (void **)((r.lo + 7) & ~(uintptr_t)7), **w, **first = NULL, **last = NULL;
	for (w = w0; (uintptr_t)(w + 4) <= r.hi; w++)
		if (w[0] == (void *)libc_read && w[1] == (void *)libc_write) {
			if (!first) first = w;
			last = w;
		}
	if (!first) return;
	uintptr_t pg = physpagesize, lo = (uintptr_t)first & ~(pg - 1), hi = ((uintptr_t)(last + 4) + pg - 1) & ~(pg - 1);
	if (hi > (r.hi & ~(pg - 1))) hi = r.hi & ~(pg - 1);
	if (hi > lo && rawsyscall(SYS_mprotect, lo, hi - lo, PROT_READ | PROT_WRITE) != 0) return;
	for (w = first; w <= last; w++)
		if (w[0] == (void *)libc_read && w[1] == (void *)libc_write) {
			w[0] = (void *)glibc_read;
			w[1] = (void *)glibc_write;
			if (w[3] == (void *)libc_close) w[3] = (void *)glibc_close; /* slot 17 */
		}
	if (hi > lo) rawsyscall(SYS_mprotect, lo, hi - lo, PROT_READ);
}
#endif

/* stdio_init: runtime_main, before the program's init tasks and main,
 * with the hooks linked and on. */
void stdio_init(void)
{
	if (!&gort_hooked_stdio || !debug.gorthooks) return;
	stdio_init_libc();
}
