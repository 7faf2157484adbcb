/* sched: scheduler behaviours, one per subcommand (see test/e2e/e2e_sched.c). */
#include <errno.h>
#include <poll.h>
#include <stdbool.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>
#include <gort.h>

static gort_waitgroup wg = GORT_WAITGROUP_INIT;
static _Atomic long counter;
static pid_t tid(void) { return (pid_t)syscall(SYS_gettid); }

static void incr(void *arg) { (void)arg; atomic_fetch_add(&counter, 1); gort_wg_done(&wg); }

static int spawn(long n)
{
	gort_wg_add(&wg, n);
	for (long i = 0; i < n; i++) gort_go(incr, NULL);
	gort_wg_wait(&wg);
	/* A goroutine that called gort_wg_done may not have exited yet (one
	 * per P at most: it is still running, or its thread was preempted by
	 * the kernel between the two), so gort_numgoroutine() is checked only
	 * as an upper bound: main and one per other P. */
	printf("spawned=%ld ran=%ld live<=%d\n", n, atomic_load(&counter),
	       gort_numgoroutine() <= gort_gomaxprocs(0));
	return 0;
}

struct fib { int n; long r; };
static void fibg(void *arg);
static long fibseq(int n) { return n < 2 ? n : fibseq(n - 1) + fibseq(n - 2); }
static long fibpar(int n)
{
	if (n < 15) return fibseq(n);
	struct fib a = {n - 1, 0};
	gort_waitgroup w = GORT_WAITGROUP_INIT;
	struct { struct fib *f; gort_waitgroup *w; } arg = {&a, &w};
	gort_wg_add(&w, 1);
	gort_go(fibg, &arg);
	long b = fibpar(n - 2);
	gort_wg_wait(&w);
	return a.r + b;
}
static void fibg(void *p)
{
	struct { struct fib *f; gort_waitgroup *w; } *arg = p;
	arg->f->r = fibpar(arg->f->n);
	gort_wg_done(arg->w);
}

#define MAXT 64
static _Atomic pid_t seen[MAXT];
static void note_thread(void)
{
	pid_t t = tid();
	for (int i = 0; i < MAXT; i++) {
		pid_t cur = atomic_load(&seen[i]);
		if (cur == t) return;
		if (cur == 0) {
			pid_t z = 0;
			if (atomic_compare_exchange_strong(&seen[i], &z, t)) return;
			if (z == t) return;
		}
	}
}
static int nthreads(void) { int n = 0; while (n < MAXT && atomic_load(&seen[n])) n++; return n; }

static void busy(void *arg)
{
	(void)arg;
	volatile long x = 0;
	for (int k = 0; k < 200000; k++) x += k;
	note_thread();
	gort_wg_done(&wg);
}

static void yielder(void *arg)
{
	long *sum = arg;
	for (int i = 0; i < 1000; i++) {
		*sum += 1;
		gort_yield();
	}
	gort_wg_done(&wg);
}

static void locked(void *arg)
{
	(void)arg;
	gort_lockosthread();
	pid_t t0 = tid();
	int moved = 0;
	for (int i = 0; i < 200; i++) {
		if (i % 2) gort_yield(); else gort_sleep(100000);
		if (tid() != t0) moved++;
	}
	gort_unlockosthread();
	printf("locked goroutine moved %d times\n", moved);
	gort_wg_done(&wg);
}

static void wanderer(void *arg)
{
	(void)arg;
	for (int i = 0; i < 2000; i++) {
		note_thread();
		gort_yield();
	}
	gort_wg_done(&wg);
}

static volatile int limit = 1 << 30;
static int rec(int n) { volatile char buf[512]; buf[0] = (char)n; return n > limit ? 0 : rec(n + 1) + buf[0]; }
static void overflow(void *arg) { (void)arg; printf("%d\n", rec(0)); }

/* bigframe: one frame of 322 KiB in a goroutine with the default 256 KiB
 * stack, while other goroutines' stacks lie below it: built with gortcc
 * (stack clash protection) its first touch is the guard. Without, the
 * frame jumped the 64 KiB guard and wrote into another goroutine's
 * stack. */
static int bigframe_use(volatile char *p, size_t n) { return p[0] + p[n - 1]; }
static void bigframe(void *arg)
{
	(void)arg;
	volatile char big[322 << 10];
	big[0] = 1;
	big[sizeof big - 1] = 2;
	printf("%d\n", bigframe_use(big, sizeof big));
}
static void parked(void *arg) { gort_chan_recv(arg, NULL); }
/* hugeframe: 64 MiB in one frame, far below the goroutine's stack and its
 * guard, into unmapped memory (builds without stack clash protection). */
static void hugeframe(void *arg)
{
	(void)arg;
	volatile char huge[64 << 20];
	huge[0] = 1;
	printf("%d\n", bigframe_use(huge, 1));
}

/* bigstack: goroutines with 4 MiB stacks of their own (gort_go_stack)
 * each use 3 MiB of it, twelve times the default size. */
static _Atomic long bigok;
static void bigstackuser(void *arg)
{
	size_t n = (size_t)3 << 20;
	volatile char buf[n];
	for (size_t i = 0; i < n; i += 4096) buf[i] = (char)(i >> 12);
	long sum = 0;
	for (size_t i = 0; i < n; i += 4096) sum += buf[i];
	long want = 0;
	for (size_t i = 0; i < n; i += 4096) want += (char)(i >> 12);
	if (sum == want && arg == (void *)7) bigok++;
	gort_wg_done(&wg);
}
/* nbigmaps counts the mappings a 4 MiB stack leaves if it is not given
 * back, whole or in part: 4 MiB, 4 MiB and its 64 KiB guard, the guard
 * alone (threads, malloc arenas and the default stacks' chunks have other
 * sizes). */
static int nbigmaps(void)
{
	FILE *f = fopen("/proc/self/maps", "r");
	int n = 0;
	char line[512];
	if (!f) return -1;
	while (fgets(line, sizeof line, f)) {
		unsigned long lo, hi;
		if (sscanf(line, "%lx-%lx", &lo, &hi) != 2) continue;
		if (hi - lo == (4ul << 20) || hi - lo == (4ul << 20) + (64ul << 10) || hi - lo == (64ul << 10)) n++;
	}
	fclose(f);
	return n;
}

static volatile long spin;
static void spinner(void *arg) { (void)arg; for (;;) spin++; }
static void ticker(void *arg)
{
	int *ticks = arg;
	for (int i = 0; i < 20; i++) {
		gort_sleep(1000000);
		(*ticks)++;
	}
	gort_wg_done(&wg);
}

static _Atomic int insyscall;
static void sleeper(void *arg)
{
	(void)arg;
	gort_entersyscall();
	atomic_store(&insyscall, 1);
	usleep(300000); /* blocks this thread in the kernel */
	atomic_store(&insyscall, 2);
	gort_exitsyscall();
	gort_wg_done(&wg);
}

static gort_mutex smu = GORT_MUTEX_INIT;
static long shared;
static void locker(void *arg)
{
	(void)arg;
	for (int i = 0; i < 2000; i++) {
		gort_mutex_lock(&smu);
		shared++;
		if (i % 100 == 0) gort_yield(); /* hold it across a switch now and then */
		gort_mutex_unlock(&smu);
	}
	gort_wg_done(&wg);
}

/* fenv: rounding modes are per goroutine. Each goroutine sets its own mode
 * in both MXCSR and the x87 control word (as fesetround does; done by hand
 * so that glibc builds need no libm) and checks, after every yield, that
 * the mode and the arithmetic it gives are still its own. */
static _Atomic long fenv_bad;
static volatile double three = 3.0;
static volatile long double lthree = 3.0L;
static void setround(unsigned rc)
{
	unsigned mx;
	unsigned short cw;
	__asm__ volatile("stmxcsr %0" : "=m"(mx));
	mx = (mx & ~0x6000u) | rc << 13;
	__asm__ volatile("ldmxcsr %0" : : "m"(mx));
	__asm__ volatile("fnstcw %0" : "=m"(cw));
	cw = (unsigned short)((cw & ~0x0c00u) | rc << 10);
	__asm__ volatile("fldcw %0" : : "m"(cw));
}
static void rounder(void *arg)
{
	unsigned rc = (unsigned)(long)arg; /* 0 nearest, 1 down, 2 up, 3 zero */
	if (rc) setround(rc);
	double want = 1.0 / three;
	long double lwant = 1.0L / lthree;
	for (int i = 0; i < 20000; i++) {
		gort_yield();
		unsigned mx;
		unsigned short cw;
		__asm__ volatile("stmxcsr %0" : "=m"(mx));
		__asm__ volatile("fnstcw %0" : "=m"(cw));
		if (((mx >> 13) & 3) != rc || ((cw >> 10) & 3) != rc || 1.0 / three != want || 1.0L / lthree != lwant)
			fenv_bad++;
	}
	gort_wg_done(&wg);
}

/* A goroutine starts with the thread's rounding mode, whatever the one
 * that ran before it left: roundexit changes the mode and ends, and the M
 * often starts the next goroutine, roundfresh, straight from it. */
static void roundexit(void *arg)
{
	setround((unsigned)(long)arg);
	gort_wg_done(&wg);
}
static void roundfresh(void *arg)
{
	(void)arg;
	unsigned mx;
	unsigned short cw;
	__asm__ volatile("stmxcsr %0" : "=m"(mx));
	__asm__ volatile("fnstcw %0" : "=m"(cw));
	if (((mx >> 13) & 3) != 0 || ((cw >> 10) & 3) != 0) fenv_bad++;
	gort_wg_done(&wg);
}

/* A goroutine starts in the entry's control state on every M, also on an
 * M whose thread a goroutine in another mode made: main, rounding up,
 * starts goroutines while Ps are idle, and its wakep makes the threads
 * (pthread_create copies the creator's MXCSR and x87 word). Each checks at
 * its start and after yields, spinning meanwhile so that the Ms stay busy
 * and new ones are made; the threads they ran on are counted. */
enum { NEWM_GS = 32 };
static _Atomic pid_t newm_tids[NEWM_GS * 4];
static _Atomic int newm_ntid;
static void newm_note(void)
{
	pid_t t = tid();
	int n = newm_ntid;
	for (int i = 0; i < n; i++)
		if (newm_tids[i] == t) return;
	int k = newm_ntid++;
	if (k < NEWM_GS * 4) newm_tids[k] = t;
}
static void roundnewm(void *arg)
{
	(void)arg;
	/* Four rounds, more (up to a second or so) until a second thread has
	 * run one: on a loaded machine the new M may start late. */
	for (int i = 0; i < 4 || (newm_ntid < 2 && i < 4000); i++) {
		unsigned mx;
		unsigned short cw;
		__asm__ volatile("stmxcsr %0" : "=m"(mx));
		__asm__ volatile("fnstcw %0" : "=m"(cw));
		if (((mx >> 13) & 3) != 0 || ((cw >> 10) & 3) != 0 || 1.0 / three != 1.0 / 3.0) fenv_bad++;
		newm_note();
		for (volatile int k = 0; k < 200000; k++) {
		}
		gort_yield();
	}
	gort_wg_done(&wg);
}

/* libc: stdio and malloc from many goroutines on many threads. Each
 * goroutine prints 500 numbered lines with printf and churns malloc/free,
 * checking its blocks are intact; yields now and then to migrate. */
static _Atomic long libcbad;
static void libcuser(void *arg)
{
	long id = (long)arg;
	unsigned seed = (unsigned)id;
	for (int i = 0; i < 500; i++) {
		size_t n = 1 + rand_r(&seed) % 4096;
		unsigned char *p = malloc(n);
		memset(p, (int)(id & 0xff), n);
		printf("g%ld line %d %s\n", id, i, "0123456789abcdefghijklmnopqrstuvwxyz");
		if (i % 7 == 0) gort_yield();
		for (size_t k = 0; k < n; k++)
			if (p[k] != (unsigned char)(id & 0xff)) libcbad++;
		free(p);
	}
	gort_wg_done(&wg);
}

/* threads: goroutines blocked in system calls each hold a thread. */
static void blocker(void *arg)
{
	(void)arg;
	gort_entersyscall();
	usleep(300000);
	gort_exitsyscall();
	gort_wg_done(&wg);
}

static void child(void *arg) { (void)arg; gort_sleep(10000000); printf("child done\n"); fflush(stdout); }

/* vecregs: a goroutine holds a pattern in %ymm0 while it spins (only
 * asynchronous preemption stops it); another zeroes %ymm0 each time it
 * runs in between. At GOMAXPROCS=1 the two share one thread: the pattern
 * survives only if preemption saves the whole vector state. */
static _Atomic int vstop;
static unsigned long long vout[4];
static void vholder(void *arg)
{
	(void)arg;
	static const unsigned long long pat[4] = {0x1111111111111111ULL, 0x2222222222222222ULL,
						  0x3333333333333333ULL, 0x4444444444444444ULL};
	__asm__ volatile("vmovdqu %[pat], %%ymm0\n"
			 "1:	pause\n"
			 "	cmpl	$0, %[stop]\n"
			 "	je	1b\n"
			 "	vmovdqu	%%ymm0, %[out]\n"
			 "	vzeroupper\n"
			 : [out] "=m"(vout)
			 : [pat] "m"(pat), [stop] "m"(vstop)
			 : "xmm0", "memory");
	gort_wg_done(&wg);
}
static void vclobber(void *arg)
{
	(void)arg;
	for (int i = 0; i < 5; i++) {
		__asm__ volatile("vpxor %%ymm0, %%ymm0, %%ymm0\n vzeroupper" ::: "xmm0");
		gort_yield();
	}
	vstop = 1;
	gort_wg_done(&wg);
}

/* ids: goroutine ids (taken by each P in batches) never repeat, and
 * gort_numgoroutine (per-P counts summed) is exact once things settle, with
 * goroutines created on one P and ending on another. */
#define IDSPAWNERS 8
#define IDCHILDREN 5000
static int64_t idsv[IDSPAWNERS * (IDCHILDREN + 1)];
static _Atomic long idsn;
static gort_waitgroup idstarted = GORT_WAITGROUP_INIT, idrelease = GORT_WAITGROUP_INIT,
		      idfinished = GORT_WAITGROUP_INIT;
static void idchild(void *arg)
{
	(void)arg;
	idsv[atomic_fetch_add(&idsn, 1)] = gort_goid();
	gort_wg_done(&idstarted);
	gort_wg_wait(&idrelease);
	gort_wg_done(&idfinished);
}
static void idspawner(void *arg)
{
	(void)arg;
	idsv[atomic_fetch_add(&idsn, 1)] = gort_goid();
	for (int i = 0; i < IDCHILDREN; i++) {
		gort_go(idchild, NULL);
		if (i % 100 == 0) gort_yield();
	}
}
static int cmp64(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
	return (x > y) - (x < y);
}
/* settle polls gort_numgoroutine until it is want (5 s at most). */
static int64_t settle(int64_t want)
{
	int64_t n = 0;
	for (int i = 0; i < 5000 && (n = gort_numgoroutine()) != want; i++) gort_sleep(1000000);
	return n;
}
static int ids(void)
{
	gort_wg_add(&idstarted, IDSPAWNERS * IDCHILDREN);
	gort_wg_add(&idfinished, IDSPAWNERS * IDCHILDREN);
	gort_wg_add(&idrelease, 1);
	for (int i = 0; i < IDSPAWNERS; i++) gort_go(idspawner, NULL);
	gort_wg_wait(&idstarted);
	int64_t live = settle(1 + IDSPAWNERS * IDCHILDREN); /* the spawners have returned */
	gort_wg_done(&idrelease);
	gort_wg_wait(&idfinished);
	int64_t after = settle(1);
	long n = atomic_load(&idsn);
	qsort(idsv, (size_t)n, sizeof idsv[0], cmp64);
	int unique = idsv[0] > 1;
	for (long i = 1; i < n; i++)
		if (idsv[i] == idsv[i - 1]) unique = 0;
	printf("ids: n=%ld unique=%d main=%ld live=%ld after=%ld\n", n, unique, (long)gort_goid(), (long)live,
	       (long)after);
	return 0;
}

/* wgreuse: a WaitGroup on the waiter's stack, gone (its frame reused by
 * the next round's) as soon as gort_wg_wait returns: the Done that woke it,
 * or that it saw reach zero, must not touch the WaitGroup after that. */
static _Atomic long wgrounds;
static void wgdone(void *arg)
{
	gort_wg_done(arg);
}
static __attribute__((noinline)) void wground(long i)
{
	gort_waitgroup w = GORT_WAITGROUP_INIT;
	gort_wg_add(&w, 2);
	gort_go(wgdone, &w);
	if (i % 2) gort_yield();
	gort_wg_done(&w);
	gort_wg_wait(&w);
	/* Scribble over the frame, as a reused stack would. */
	memset(&w, 0xa5, sizeof w);
	__asm__ volatile("" ::"r"(&w) : "memory");
}
static void wgloop(void *arg)
{
	long n = (long)arg;
	for (long i = 0; i < n; i++) wground(i);
	atomic_fetch_add(&wgrounds, n);
	gort_wg_done(&wg);
}

int main(int argc, char **argv)
{
	const char *cmd = argc > 1 ? argv[1] : "";
	if (!strcmp(cmd, "vecregs")) {
		if (!__builtin_cpu_supports("avx")) {
			printf("vecregs: ok=1 (no AVX)\n");
			return 0;
		}
		gort_wg_add(&wg, 2);
		gort_go(vholder, NULL);
		gort_sleep(5000000); /* vholder is spinning */
		gort_go(vclobber, NULL);
		gort_wg_wait(&wg);
		int ok = vout[0] == 0x1111111111111111ULL && vout[1] == 0x2222222222222222ULL &&
			 vout[2] == 0x3333333333333333ULL && vout[3] == 0x4444444444444444ULL;
		printf("vecregs: ok=%d", ok);
		if (!ok) printf(" ymm0=%llx %llx %llx %llx", vout[0], vout[1], vout[2], vout[3]);
		printf("\n");
		return 0;
	}
	if (!strcmp(cmd, "spawn")) return spawn(argc > 2 ? atol(argv[2]) : 100000);
	if (!strcmp(cmd, "ids")) return ids();
	if (!strcmp(cmd, "wgreuse")) {
		gort_wg_add(&wg, 4);
		for (int i = 0; i < 4; i++) gort_go(wgloop, (void *)50000L);
		gort_wg_wait(&wg);
		printf("wgreuse: rounds=%ld\n", atomic_load(&wgrounds));
		return 0;
	}
	if (!strcmp(cmd, "libc")) {
		gort_wg_add(&wg, 100);
		for (long i = 0; i < 100; i++) gort_go(libcuser, (void *)i);
		gort_wg_wait(&wg);
		fprintf(stderr, "malloc blocks damaged: %ld\n", (long)libcbad);
		return 0;
	}
	if (!strcmp(cmd, "threads")) {
		gort_wg_add(&wg, 40);
		for (int i = 0; i < 40; i++) {
			gort_go(blocker, NULL);
			gort_sleep(2000000); /* let sysmon hand the P to a new thread */
		}
		gort_wg_wait(&wg);
		printf("40 blocking calls done\n");
		return 0;
	}
	if (!strcmp(cmd, "fenv")) {
		gort_wg_add(&wg, 8);
		for (long i = 0; i < 8; i++) gort_go(rounder, (void *)(i % 4));
		gort_wg_wait(&wg);
		gort_wg_add(&wg, 600);
		for (long i = 0; i < 300; i++) {
			gort_go(roundexit, (void *)(1 + i % 3));
			gort_go(roundfresh, NULL);
		}
		gort_wg_wait(&wg);
		unsigned mx;
		__asm__ volatile("stmxcsr %0" : "=m"(mx));
		printf("fenv: wrong=%ld main_nearest=%d\n", (long)fenv_bad, ((mx >> 13) & 3) == 0);
		return 0;
	}
	if (!strcmp(cmd, "fenvnewm")) {
		setround(2);
		gort_wg_add(&wg, NEWM_GS);
		for (long i = 0; i < NEWM_GS; i++) gort_go(roundnewm, NULL);
		gort_wg_wait(&wg);
		unsigned mx;
		__asm__ volatile("stmxcsr %0" : "=m"(mx));
		int main_up = ((mx >> 13) & 3) == 2;
		setround(0);
		printf("fenvnewm: wrong=%ld main_up=%d threads>1=%d\n", (long)fenv_bad, main_up, newm_ntid > 1);
		return 0;
	}
	if (!strcmp(cmd, "forkjoin")) {
		int n = argc > 2 ? atoi(argv[2]) : 27;
		long r = fibpar(n);
		printf("fib(%d)=%ld want=%ld\n", n, r, fibseq(n));
		return 0;
	}
	if (!strcmp(cmd, "steal")) {
		gort_wg_add(&wg, 400);
		for (int i = 0; i < 400; i++) gort_go(busy, NULL);
		gort_wg_wait(&wg);
		printf("threads=%d\n", nthreads());
		return 0;
	}
	if (!strcmp(cmd, "resize")) {
		long sums[200] = {0};
		gort_wg_add(&wg, 200);
		for (int i = 0; i < 200; i++) gort_go(yielder, &sums[i]);
		int sizes[] = {1, 4, 2, 8, 1, 3, 2};
		for (int r = 0; r < 30; r++) {
			gort_gomaxprocs(sizes[r % 7]);
			gort_yield();
		}
		gort_wg_wait(&wg);
		long total = 0;
		for (int i = 0; i < 200; i++) total += sums[i];
		printf("total=%ld gomaxprocs=%d\n", total, gort_gomaxprocs(0));
		return 0;
	}
	if (!strcmp(cmd, "lockos")) {
		gort_wg_add(&wg, 5);
		gort_go(locked, NULL);
		for (int i = 0; i < 4; i++) gort_go(wanderer, NULL);
		gort_wg_wait(&wg);
		return 0;
	}
	if (!strcmp(cmd, "deadlock")) {
		gort_wg_add(&wg, 1);
		gort_wg_wait(&wg);
		return 0;
	}
	if (!strcmp(cmd, "bigstack")) {
		/* 300 goroutines, 10 at a time: every stack is unmapped when its
		 * goroutine ends, so the mappings do not grow. */
		int before = nbigmaps();
		for (int round = 0; round < 30; round++) {
			gort_wg_add(&wg, 10);
			for (int i = 0; i < 10; i++) gort_go_stack(bigstackuser, (void *)7, (size_t)4 << 20);
			gort_wg_wait(&wg);
		}
		int grew = nbigmaps() - before;
		printf("bigstack: ok=%ld maps_grew_by_10_or_more=%d\n", (long)bigok, grew >= 10);
		return 0;
	}
	if (!strcmp(cmd, "bigoverflow")) {
		gort_go_stack(overflow, NULL, (size_t)1 << 20);
		gort_sleep(5000000000LL);
		return 0;
	}
	if (!strcmp(cmd, "mainoverflow")) {
		/* No goroutine ever started: the overflow is main's. */
		printf("%d\n", rec(0));
		return 0;
	}
	if (!strcmp(cmd, "hugeframe")) {
		gort_go(hugeframe, NULL);
		gort_sleep(5000000000LL);
		return 0;
	}
	if (!strcmp(cmd, "bigframe")) {
		gort_chan *c = gort_chan_make(1, 0);
		for (int i = 0; i < 16; i++) gort_go(parked, c);
		gort_sleep(1000000);
		gort_go(bigframe, NULL);
		gort_sleep(5000000000LL);
		return 0;
	}
	if (!strcmp(cmd, "overflow")) {
		gort_go(overflow, NULL);
		gort_sleep(5000000000LL);
		return 0;
	}
	if (!strcmp(cmd, "tightloop")) {
		int ticks = 0;
		gort_wg_add(&wg, 1);
		gort_go(spinner, NULL);
		gort_go(ticker, &ticks);
		gort_wg_wait(&wg);
		printf("ticks=%d\n", ticks);
		return 0;
	}
	if (!strcmp(cmd, "sleepbehind")) {
		/* 40 CPU-bound goroutines on the Ps; main sleeps 50 ms nine
		 * times (or waits 50 ms in poll on an empty pipe). A woken sleeper runs when the current goroutine's
		 * slice ends (10 ms), not after all 40 have had theirs (200 ms
		 * on two Ps). Prints the median lateness. */
		bool usepoll = argc > 2 && !strcmp(argv[2], "poll"); /* an I/O deadline */
		int pfd[2];
		if (usepoll && pipe(pfd)) return perror("pipe"), 1;
		for (int i = 0; i < 40; i++) gort_go(spinner, NULL);
		long late[9];
		for (int i = 0; i < 9; i++) {
			struct timespec t0, t1, d = {0, 50000000};
			clock_gettime(CLOCK_MONOTONIC, &t0);
			if (usepoll) {
				struct pollfd p = {pfd[0], POLLIN, 0};
				if (poll(&p, 1, 50) != 0) return printf("poll: not a timeout\n"), 1;
			} else {
				nanosleep(&d, NULL);
			}
			clock_gettime(CLOCK_MONOTONIC, &t1);
			late[i] = (t1.tv_sec - t0.tv_sec) * 1000 + (t1.tv_nsec - t0.tv_nsec) / 1000000 - 50;
		}
		for (int i = 0; i < 9; i++) /* insertion sort */
			for (int j = i; j > 0 && late[j] < late[j - 1]; j--) {
				long t = late[j];
				late[j] = late[j - 1];
				late[j - 1] = t;
			}
		printf("median late %ld ms (min %ld, max %ld)\n", late[4], late[0], late[8]);
		return 0;
	}
	if (!strcmp(cmd, "syscall")) {
		gort_wg_add(&wg, 1);
		gort_go(sleeper, NULL);
		while (atomic_load(&insyscall) == 0) gort_yield();
		long n = 0;
		while (atomic_load(&insyscall) == 1) {
			n++;
			gort_sleep(1000000);
		}
		gort_wg_wait(&wg);
		printf("main ran %s while the other goroutine slept in a syscall\n", n >= 10 ? "on" : "NOT");
		return 0;
	}
	if (!strcmp(cmd, "goexitmain")) {
		gort_go(child, NULL);
		gort_goexit();
	}
	if (!strcmp(cmd, "mutex")) {
		gort_wg_add(&wg, 200);
		for (int i = 0; i < 200; i++) gort_go(locker, NULL);
		gort_wg_wait(&wg);
		printf("shared=%ld\n", shared);
		return 0;
	}
	if (!strcmp(cmd, "mutexabuse")) {
		gort_mutex mu = GORT_MUTEX_INIT;
		gort_mutex_unlock(&mu);
	}
	if (!strcmp(cmd, "negwg")) gort_wg_done(&wg);
	fprintf(stderr, "usage: sched spawn|forkjoin|steal|resize|lockos|deadlock|overflow|tightloop|sleepbehind|syscall|goexitmain\n");
	return 1;
}
