/* os_linux.c: what the runtime asks of Linux (Go's os_linux.go): CPU count,
 * page sizes, the stack limit, clocks and futexes. osinit runs before the libc
 * is initialised and uses raw system calls only. */
#include <sys/mman.h>
#include <sys/resource.h>
#include <time.h>
#include "runtime.h"

#define FUTEX_WAIT_PRIVATE 128
#define FUTEX_WAKE_PRIVATE 129

int32_t ncpu = 1;
uintptr_t physpagesize = 4096;
uintptr_t stack_rlimit = 8 << 20;
bool stack_rlimit_kernel;
bool have_madv_guard;
bool libc_is_ready; /* set in libc_ready(): clock_gettime may be used */

#define MAXSTACKRLIMIT ((uintptr_t)1 << 30)

/* getproccount counts the CPUs in the affinity mask (Go's getproccount). */
int32_t getproccount(void)
{
	uint64_t mask[1024 / 64] = {0};
	long r = rawsyscall(SYS_sched_getaffinity, 0, sizeof mask, mask);
	if (r < 0) return 1;
	int32_t n = 0;
	for (long i = 0; i < r / 8; i++) n += __builtin_popcountll(mask[i]);
	return n > 0 ? n : 1;
}

/* readsmall reads a small file into buf (NUL-terminated); length or -1. */
static long readsmall(const char *path, char *buf, size_t size)
{
	long fd = sys_openat(-100 /* AT_FDCWD */, path, 02000000 /* O_CLOEXEC */);
	if (fd < 0) return -1;
	long n = sys_read(fd, buf, size - 1);
	sys_close(fd);
	if (n < 0) return -1;
	buf[n] = 0;
	return n;
}

static int64_t atoi64(const char **s)
{
	int64_t v = 0;
	while (**s >= '0' && **s <= '9') v = v * 10 + (*(*s)++ - '0');
	return v;
}

/* cgroup_cpu_limit caps n by the cgroup v2 CPU quota (cpu.max, "QUOTA
 * PERIOD" or "max PERIOD") of this process's cgroup, rounded up. */
int32_t cgroup_cpu_limit(int32_t n)
{
	char buf[512], path[600];
	if (readsmall("/proc/self/cgroup", buf, sizeof buf) <= 0) return n;
	/* v2 line: "0::/path\n" */
	char *p = buf;
	while (*p && !(p[0] == '0' && p[1] == ':' && p[2] == ':')) {
		while (*p && *p != '\n') p++;
		if (*p) p++;
	}
	if (!*p) return n;
	p += 3;
	const char *pre = "/sys/fs/cgroup";
	size_t k = 0;
	while (*pre) path[k++] = *pre++;
	while (*p && *p != '\n' && k < sizeof path - 10) path[k++] = *p++;
	const char *suf = "/cpu.max";
	while (*suf) path[k++] = *suf++;
	path[k] = 0;
	if (readsmall(path, buf, sizeof buf) <= 0) return n;
	if (buf[0] == 'm') return n; /* "max": no quota */
	const char *s = buf;
	int64_t quota = atoi64(&s);
	if (*s != ' ') return n;
	s++;
	int64_t period = atoi64(&s);
	if (quota <= 0 || period <= 0) return n;
	int64_t lim = (quota + period - 1) / period;
	return lim < n ? (int32_t)lim : n;
}

/* ncpu_refine applies the cgroup CPU quota to ncpu, once; the runtime
 * calls it when the number of Ps first matters (the first goroutine, the
 * first gort_gomaxprocs): reading two files costs more than all the rest of
 * the boot, and a program with one goroutine never needs it. */
bool ncpu_refine(void)
{
	static _Atomic int done;
	if (atomic_exchange(&done, 1)) return false;
	int32_t n = cgroup_cpu_limit(ncpu);
	if (n == ncpu) return false;
	ncpu = n;
	return true;
}

noinline void osinit(void)
{
	ncpu = getproccount();
	if (auxv_info.have_pagesz && auxv_info.pagesz >= 4096 &&
	    (auxv_info.pagesz & (auxv_info.pagesz - 1)) == 0)
		physpagesize = auxv_info.pagesz;
	struct rlimit rl;
	if (rawsyscall(SYS_getrlimit, RLIMIT_STACK, &rl, 0) == 0) {
		uintptr_t v = rl.rlim_cur;
		if (rl.rlim_cur == RLIM_INFINITY || v > MAXSTACKRLIMIT) v = MAXSTACKRLIMIT;
		if (v < 64 * 1024) v = 64 * 1024;
		stack_rlimit = v;
		stack_rlimit_kernel = v == rl.rlim_cur;
	}
}

int64_t nanotime(void)
{
	struct timespec ts;
	/* Under ThreadSanitizer the libc's clock_gettime is intercepted: its
	 * write of ts is seen as the goroutine's, also on an exiting
	 * goroutine's stack after gort_goexit1 told TSan the stack is free
	 * (the scheduler reads the clock on the way out): a race with the
	 * stack's next owner in every run of a program that sleeps. There,
	 * the raw call (TSan builds are slow anyway). */
	if (likely(libc_is_ready) && !checkers_tsan())
		clock_gettime(CLOCK_MONOTONIC, &ts);
	else
		rawsyscall(SYS_clock_gettime, CLOCK_MONOTONIC, &ts, 0);
	return ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

int64_t walltime(void)
{
	struct timespec ts;
	rawsyscall(SYS_clock_gettime, CLOCK_REALTIME, &ts, 0);
	return ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

void osyield(void) { rawsyscall(SYS_sched_yield, 0, 0, 0); }

void usleep_raw(int64_t us)
{
	struct timespec ts = {us / 1000000, (us % 1000000) * 1000};
	rawsyscall(SYS_nanosleep, &ts, 0, 0);
}

pid_t gettid_raw(void) { return sys_gettid(); }

/* futexsleep sleeps while *addr == val, at most ns (ns < 0: no limit).
 * Spurious wake-ups are allowed; callers loop. */
void futexsleep(_Atomic uint32_t *addr, uint32_t val, int64_t ns)
{
	struct timespec ts, *tp = NULL;
	if (ns >= 0) {
		ts.tv_sec = ns / 1000000000;
		ts.tv_nsec = ns % 1000000000;
		tp = &ts;
	}
	rawsyscall6(SYS_futex, (long)addr, FUTEX_WAIT_PRIVATE, val, (long)tp, 0, 0);
}

void futexwakeup(_Atomic uint32_t *addr, uint32_t cnt)
{
	rawsyscall6(SYS_futex, (long)addr, FUTEX_WAKE_PRIVATE, cnt, 0, 0, 0);
}
