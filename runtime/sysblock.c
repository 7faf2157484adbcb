/* sysblock.c: no unknown blocking system call holds a P (issue #17 item 0).
 *
 * Go's runtime sees every system call (syscall.Syscall enters and leaves
 * entersyscall), so sysmon can hand the P of any thread that stays in the
 * kernel to another thread (retake). A C program makes system calls gort
 * never sees: its own `syscall()`, the libc's internal calls (stdio's read
 * under fgets, waitpid, a pthread mutex's futex wait, musl's atfork lock),
 * any library's. Such a call keeps its P in Prunning, and every other
 * goroutine of that P waits: at GOMAXPROCS=1, a goroutine in fgets on an
 * empty pipe froze the program, and two goroutines forking at once
 * deadlocked (one in the world stop of fork's prepare handler waiting for
 * the other's P; the other in musl's fork, asleep on the atfork lock the
 * first holds).
 *
 * How gort learns that a thread sits in the kernel, and gets the P back:
 *  1. sysmon (retake) finds a P whose schedule tick has not moved for
 *     SYSBLOCK_NS and reads /proc/self/task/TID/syscall of its M's thread:
 *     the kernel prints the number and arguments of the call the thread is
 *     blocked in, or "running".
 *  2. If the call is one that may be re-issued with the same arguments
 *     (below), sysmon records it in the M (sbnr, sbargs: SB_ASKED) and
 *     sends the thread SIGURG, as a preemption request. If the file
 *     cannot be read (no /proc; every descriptor in use), sysmon asks
 *     blind (SB_BLIND): the handler reads the call off the context, which
 *     it can for a call the kernel prepared to restart (rax holds its
 *     number again), not for one that returned EINTR.
 *  3. The handler (signal_linux.c) finds the interrupted context at that
 *     call: either the kernel prepared a restart (SA_RESTART: rip on the
 *     `syscall` instruction, rax the call's number) or the call returned
 *     EINTR (rip after it, rax -EINTR, for calls the kernel never restarts
 *     once a handler ran: poll, epoll_wait, select without a timeout). The
 *     registers must still hold the arguments sysmon read, the goroutine
 *     must be on its own stack and not in a system call already, and the
 *     thread must hold no runtime lock
 *     (gort_rt_locks: the runtime calls malloc under its locks, and a G that
 *     waits for a P while holding one could deadlock the P's holder). Then
 *     the handler makes the context call gort_asyncpreempt (SB_ARMED) with
 *     the resume address after the `syscall` instruction.
 *  4. There, on the goroutine's stack, sysblock_reissue makes the same call
 *     between entersyscall and exitsyscall, with the goroutine locked to
 *     its thread: the P is handed off as for any hooked blocking call, and
 *     when the call returns the goroutine continues on the same thread (it
 *     is in the middle of libc code, which may keep thread-local state in
 *     registers), waiting for a P first if it lost its own. The result goes
 *     into the saved rax, as the `syscall` instruction would have left it.
 * The kernel's own restart would have made the same call again: what the
 * program sees is the same, except that the wait happens without a P.
 *
 * Calls re-issued: those the kernel restarts with the same arguments after
 * a handler with SA_RESTART (read, write and their vector and positional
 * forms, wait4, waitid, accept, accept4, recv*, send*, flock, fcntl's
 * F_SETLKW, openat and open (a FIFO), msgrcv, msgsnd, semop, futex waits
 * without a timeout and FUTEX_WAIT_BITSET with its absolute one), and those
 * that return EINTR but have no timeout to shorten (poll and ppoll without a
 * timeout, select and pselect6 without one, epoll_wait/epoll_pwait with -1,
 * epoll_pwait2 with none, pause, clock_nanosleep with TIMER_ABSTIME).
 * Anything else (a relative timeout would be restarted in full; connect
 * continues in the background after EINTR) stays as it is.
 *
 * Limits: without /proc (or a descriptor to read it with) only the calls
 * the kernel restarts are re-issued: poll, select, epoll_wait and pause
 * without a timeout get EINTR instead; a blocked call is noticed after
 * SYSBLOCK_NS to 10 ms (sysmon's period); GODEBUG=sysblockoff=1 turns it
 * off.
 *
 * Rejected for the blind ask: making it the only one (no /proc at all).
 * It sends a signal at every probe, 1 ms after a P's last tick, also to a
 * goroutine that computes, where the file says "running" and costs no
 * signal; and it cannot re-issue the calls that return EINTR.
 *
 * Rejected: a per-thread "in libc" flag kept by hooks (it cannot see the
 * libc's internal calls, which are the point); treating every thread in
 * the kernel as stopped for the world stop only (fixes fork, not the frozen
 * P); seccomp user notification (needs a supervisor thread per call and
 * changes the semantics of every call); ptrace (one tracer per process). */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <ucontext.h>
#include "runtime.h"

#define SYSBLOCK_NS (1000 * 1000) /* a P without a tick this long is probed */

/* SB_BLIND: sysmon could not read the thread's call (below) and asks
 * anyway; the handler then reads it off the context. */
enum { SB_NONE, SB_ASKED, SB_ARMED, SB_BLIND };
/* <linux/futex.h> is not on musl-gcc's path. */
enum { FUTEX_WAIT_ = 0, FUTEX_WAIT_BITSET_ = 9, FUTEX_CMD_MASK_ = ~(128 | 256) };

/* Returns 1: re-issue on a prepared restart only (the kernel restarts it);
 * 2: also after EINTR (no timeout to shorten); 0: not at all. */
static int reissuable(long nr, const uintptr_t *a)
{
	switch (nr) {
	case SYS_read: case SYS_write: case SYS_readv: case SYS_writev:
	case SYS_pread64: case SYS_pwrite64: case SYS_preadv: case SYS_pwritev:
	case SYS_preadv2: case SYS_pwritev2:
	case SYS_wait4: case SYS_waitid:
	case SYS_accept: case SYS_accept4:
	case SYS_recvfrom: case SYS_recvmsg: case SYS_recvmmsg: case SYS_sendto: case SYS_sendmsg:
	case SYS_sendmmsg:
	case SYS_flock: case SYS_open: case SYS_openat:
	case SYS_msgrcv: case SYS_msgsnd: case SYS_semop:
		return 1;
	case SYS_fcntl:
		return a[1] == F_SETLKW || a[1] == 38 /* F_OFD_SETLKW */ ? 1 : 0;
	case SYS_futex: {
		int op = (int)a[1] & FUTEX_CMD_MASK_;
		if (op == FUTEX_WAIT_) return a[3] == 0 ? 1 : 0; /* relative timeout: no */
		if (op == FUTEX_WAIT_BITSET_) return 2;         /* absolute timeout */
		return 0;
	}
	case SYS_poll:
		return (int)a[2] < 0 ? 2 : 0;
	case SYS_ppoll:
		return a[2] == 0 ? 2 : 0;
	case SYS_select: case SYS_pselect6:
		return a[4] == 0 ? 2 : 0;
	case SYS_epoll_wait: case SYS_epoll_pwait:
		return (int)a[3] < 0 ? 2 : 0;
#ifdef SYS_epoll_pwait2
	case SYS_epoll_pwait2:
		return a[3] == 0 ? 2 : 0;
#endif
	case SYS_pause:
		return 2;
	case SYS_clock_nanosleep:
		return a[1] & 1 /* TIMER_ABSTIME */ ? 2 : 0;
	}
	return 0;
}

static char *putdec(char *p, long v)
{
	char b[24];
	int n = 0;
	do b[n++] = (char)('0' + v % 10); while ((v /= 10) > 0);
	while (n) *p++ = b[--n];
	return p;
}

/* parse reads a decimal or 0x-hex number at *s. */
static bool parse(const char **s, uintptr_t *v)
{
	const char *p = *s;
	while (*p == ' ') p++;
	bool neg = *p == '-';
	if (neg) p++;
	uintptr_t x = 0;
	int base = 10, digits = 0;
	if (p[0] == '0' && p[1] == 'x') p += 2, base = 16;
	for (;; p++, digits++) {
		int d;
		if (*p >= '0' && *p <= '9') d = *p - '0';
		else if (base == 16 && *p >= 'a' && *p <= 'f') d = *p - 'a' + 10;
		else break;
		x = x * (uintptr_t)base + (uintptr_t)d;
	}
	if (!digits) return false;
	*v = neg ? (uintptr_t)-(intptr_t)x : x;
	*s = p;
	return true;
}

/* The probe's descriptors. Each M's thread has one, opened at its first
 * probe and then read with pread at offset 0 (the kernel prints the file
 * afresh), moved to a high number (fdhigh) at once. Opening and closing the
 * file at every probe, as before, held the lowest free number for a few
 * microseconds up to a hundred times a second, at moments the program does
 * not choose: a program's `close(1); dup(fd)`, or an open it expects to get
 * a number just freed, got another one now and then (test/hooks' reuse:
 * the next pipe got other numbers, and its dup2 closed the only writer).
 * What remains: the number is low for the few microseconds of the first
 * open, once per thread. Held are at most PROBEHELD, in the top quarter of
 * RLIMIT_NOFILE (with the spare, a program that uses every number it may
 * have gets up to 9 fewer, as Go's runtime holds its poller's); where the
 * top quarter is full, the file is opened and closed at each probe, as
 * before.
 *
 * A program may close a number it never opened (closefrom, a loop up to the
 * limit before exec) and open something else there: then the pread returns
 * what is not a line of the kernel's, or fails, and the probe forgets the
 * descriptor, which is no longer its own, and opens the file again at the
 * next probe. */

/* A descriptor kept in reserve for the probe (sysmon's only; the servers'
 * trick for accept and EMFILE): a program that has used every descriptor
 * is when a thread blocks in the libc most likely (a fork waiting on the
 * libc's atfork lock while another goroutine holds it), and without it
 * the probe could not open /proc and the world never stopped (test/stress,
 * with RLIMIT_NOFILE reached: hung 1 run in 3). */
static int sparefd = -1;

/* fdhigh moves fd (the runtime's own) to a number in the top quarter of
 * the descriptor limit, the least likely for the program to name; it
 * returns the new number, or fd where the top quarter is full. */
static int fdhigh(int fd)
{
	struct rlimit rl;
	if (fd < 0 || rawsyscall(SYS_getrlimit, RLIMIT_NOFILE, &rl, 0) != 0 || rl.rlim_cur < 64 ||
	    rl.rlim_cur > (1u << 30))
		return fd;
	long hi = rawsyscall(SYS_fcntl, fd, F_DUPFD_CLOEXEC, (long)(rl.rlim_cur - rl.rlim_cur / 4));
	if (hi < 0) return fd;
	sys_close(fd);
	return (int)hi;
}

/* Probe descriptors held (sysmon only): at most PROBEHELD, so that a
 * program with many threads in the kernel does not lose more numbers. */
enum { PROBEHELD = 8 };
static int probeheld;

static void spare_take(void)
{
	if (sparefd < 0) {
		long fd = sys_openat(AT_FDCWD, "/dev/null", O_RDONLY | O_CLOEXEC);
		sparefd = fd < 0 ? -1 : fdhigh((int)fd);
	}
}

/* sysblock_init: sysmon, when it starts (descriptors are most likely free
 * then). */
void sysblock_init(void) { spare_take(); }

static int probe_open(const char *path)
{
	int fd = (int)sys_openat(AT_FDCWD, path, O_RDONLY | O_CLOEXEC);
	if ((fd == -EMFILE || fd == -ENFILE) && sparefd >= 0) {
		sys_close(sparefd);
		sparefd = -1; /* taken again at the next probe */
		fd = (int)sys_openat(AT_FDCWD, path, O_RDONLY | O_CLOEXEC);
	}
	return fd;
}

/* sysblock_forkchild: fork's child, before it forgets the other Ms (all is
 * the list of every M). Their threads are gone and this thread has a new
 * TID: every probe descriptor names a thread of the parent. */
void sysblock_forkchild(struct m *all)
{
	for (struct m *mp = all; mp; mp = mp->alllink) {
		if (mp->sbprobefd1) sys_close(mp->sbprobefd1 - 1);
		mp->sbprobefd1 = 0;
	}
	probeheld = 0;
}

/* probe_read reads mp's thread's /proc/self/task/TID/syscall into buf:
 * the bytes read, or 0. */
static long probe_read(struct m *mp, char *buf, size_t size)
{
	if (mp->sbprobefd1) {
		long n = rawsyscall6(SYS_pread64, mp->sbprobefd1 - 1, (long)buf, size, 0, 0, 0);
		if (n > 0 && (buf[0] == 'r' || buf[0] == '-' || (buf[0] >= '0' && buf[0] <= '9'))) return n;
		/* Not the kernel's line: the program closed the number and
		 * perhaps opened something else there. Not ours to close. */
		mp->sbprobefd1 = 0;
		probeheld--;
		return 0;
	}
	char path[64] = "/proc/self/task/", *e = path + 16;
	e = putdec(e, mp->tid);
	const char *tail = "/syscall";
	while (*tail) *e++ = *tail++;
	*e = 0;
	int fd = probe_open(path);
	long n = 0;
	if (fd >= 0) {
		int hi = probeheld < PROBEHELD ? fdhigh(fd) : fd;
		n = sys_read(hi, buf, size);
		if (hi != fd) {
			mp->sbprobefd1 = hi + 1; /* kept: read again with pread */
			probeheld++;
		} else {
			/* No room high up (a program near its limit) or enough
			 * held: opened and closed at each probe. */
			sys_close(fd);
		}
	}
	spare_take(); /* the number just freed, if the spare went */
	return n > 0 ? n : 0;
}

/* sysblock_probe: sysmon, for a Prunning pp whose tick has not moved since
 * sincetick. Returns whether it asked the thread to re-issue its call. */
bool sysblock_probe(struct p *pp, int64_t now, int64_t sincetick)
{
	if (debug.sysblockoff || now - sincetick < SYSBLOCK_NS || now - pp->sysblockwhen < SYSBLOCK_NS)
		return false;
	pp->sysblockwhen = now;
	struct m *mp = pp->m;
	if (!mp || !mp->curg || mp->curg == mp->g0 || atomic_load(&mp->sbstate) != SB_NONE) return false;
	char buf[256];
	long n = probe_read(mp, buf, sizeof buf - 1);
	if (n == 0) {
		/* No descriptor for the probe (every number in use, and the
		 * spare gone to another thread's first probe), or no /proc:
		 * ask blind. Refusing left the P held for as long as the
		 * numbers were, and those who held them waited for the P:
		 * two goroutines in a raw read at GOMAXPROCS=1 while a third
		 * holds every descriptor hung for good (test/e2e blocking
		 * rawfull); so did test/stress now and then, its fork's world
		 * stop waiting for a goroutine asleep on the libc's atfork
		 * lock while the fd hog held every number. */
		if (pp->m != mp || pp->schedtick != pp->sysmontick) return false;
		atomic_store_explicit(&mp->sbstate, SB_BLIND, memory_order_release);
		sys_tgkill(sys_getpid(), mp->tid, SIGURG);
		return true;
	}
	buf[n] = 0;
	const char *s = buf;
	uintptr_t nr, a[6];
	if (!parse(&s, &nr) || (intptr_t)nr < 0) return false; /* "running" or -1: not in a call */
	for (int i = 0; i < 6; i++)
		if (!parse(&s, &a[i])) return false;
	if (!reissuable((long)nr, a)) return false;
	/* Still the same G, still no tick: ask. */
	if (pp->m != mp || pp->schedtick != pp->sysmontick) return false;
	mp->sbnr = (long)nr;
	for (int i = 0; i < 6; i++) mp->sbargs[i] = a[i];
	atomic_store_explicit(&mp->sbstate, SB_ASKED, memory_order_release);
	sys_tgkill(sys_getpid(), mp->tid, SIGURG);
	return true;
}

/* at_syscall: the instruction at pc is `syscall` (0f 05). The second byte
 * is read only after the first is 0x0f, which no instruction ends with:
 * where pc is a page's last byte, the next page is then the same
 * instruction's, mapped. */
static bool at_syscall(uintptr_t pc)
{
	return *(const volatile uint8_t *)pc == 0x0f && *(const volatile uint8_t *)(pc + 1) == 0x05;
}

/* sysblock_signal: in the SIGURG handler, on gp's thread. Arms the re-issue
 * and returns true when the context is at the call sysmon asked about; the
 * caller then injects the call to gort_asyncpreempt. */
bool sysblock_signal(struct g *gp, void *ctx)
{
	ucontext_t *uc = ctx;
	struct m *mp = gp->m;
	uint32_t st = atomic_load_explicit(&mp->sbstate, memory_order_acquire);
	if (st != SB_ASKED && st != SB_BLIND) return false;
	atomic_store_explicit(&mp->sbstate, SB_NONE, memory_order_relaxed);
	greg_t *r = uc->uc_mcontext.gregs;
	uintptr_t pc = (uintptr_t)r[REG_RIP], sp = (uintptr_t)r[REG_RSP];
	/* Runtime code is not excluded as such: with gorthooks=0 the hooks'
	 * plain calls are made there. What matters is that no runtime lock is
	 * held (gort_rt_locks), that the goroutine is not already in a system
	 * call, and that it runs on its own stack, not g0's. */
	if (mp->curg != gp || gp == mp->g0 || gort_rt_locks || gp->syscallnest || mp->sigdepth ||
	    sp < gp->stack_lo + 16384 || sp > gp->stack_hi)
		return false;
	if (st == SB_BLIND) {
		/* What sysmon could not read, taken off the context: right
		 * for a call the kernel prepared to restart (rax is its number
		 * again; or the thread was about to make it: the re-issue
		 * makes it the same way), checked below as an asked one. A
		 * call that returned EINTR has lost its number: it returns
		 * EINTR, as sysmon's preemption request would have made it. */
		long nr = (long)r[REG_RAX];
		uintptr_t a[6] = {(uintptr_t)r[REG_RDI], (uintptr_t)r[REG_RSI], (uintptr_t)r[REG_RDX],
				  (uintptr_t)r[REG_R10], (uintptr_t)r[REG_R8], (uintptr_t)r[REG_R9]};
		if (nr < 0 || nr > 1023 || !reissuable(nr, a)) return false;
		mp->sbnr = nr;
		for (int i = 0; i < 6; i++) mp->sbargs[i] = a[i];
	}
	uintptr_t *a = mp->sbargs;
	if ((uintptr_t)r[REG_RDI] != a[0] || (uintptr_t)r[REG_RSI] != a[1] || (uintptr_t)r[REG_RDX] != a[2] ||
	    (uintptr_t)r[REG_R10] != a[3] || (uintptr_t)r[REG_R8] != a[4] || (uintptr_t)r[REG_R9] != a[5])
		return false;
	long rax = (long)r[REG_RAX];
	uintptr_t resume;
	/* The pc is in code that just ran: the two bytes around it are mapped. */
	if (rax == mp->sbnr && at_syscall(pc)) {
		resume = pc + 2; /* the kernel prepared a restart */
	} else if (rax == -EINTR && at_syscall(pc - 2) &&
		   reissuable(mp->sbnr, a) == 2) {
		resume = pc;
	} else {
		return false;
	}
	r[REG_RIP] = (greg_t)resume;
	atomic_store_explicit(&mp->sbstate, SB_ARMED, memory_order_relaxed);
	return true;
}

/* sysblock_reissue: in gort_asyncpreempt2, on the goroutine's stack with
 * every register saved at regs (asm_amd64.S: rbx, r11, r10, r9, r8, rdi,
 * rsi, rdx, rcx, rax, flags, rbp). Returns false if no re-issue was armed. */
bool sysblock_reissue(uintptr_t *regs)
{
	struct g *gp = getg();
	struct m *mp = gp->m;
	if (atomic_load_explicit(&mp->sbstate, memory_order_relaxed) != SB_ARMED) return false;
	atomic_store_explicit(&mp->sbstate, SB_NONE, memory_order_relaxed);
	long nr = mp->sbnr;
	/* Locked to this thread for the call: the goroutine is inside libc code
	 * and comes back on the same thread (exitsyscall waits for a P). */
	gort_lockosthread();
	gort_entersyscall();
	long ret = rawsyscall6(nr, (long)regs[5], (long)regs[6], (long)regs[7], (long)regs[2], (long)regs[4],
			       (long)regs[3]);
	gort_exitsyscall();
	gort_unlockosthread();
	regs[9] = (uintptr_t)ret;
	return true;
}
