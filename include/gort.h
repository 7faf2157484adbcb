/* gort.h: the public API of gort, a Go-style runtime and crt0 for C programs.
 *
 * A program linked with `-nostartfiles -lgort` (or built with tools/gortcc) starts
 * at _rt0_amd64_linux, boots the runtime and runs main() as goroutine 1.
 * Everything here may be called from any goroutine. Calls made before the
 * scheduler exists (from a C constructor) are described with each function.
 */
#ifndef GORT_H
#define GORT_H

#include <stddef.h>
#include <stdint.h>
#include <errno.h>
#include <sys/types.h>
#include <sys/socket.h>
#include <sys/uio.h>

#ifdef __cplusplus
extern "C" {
#if __cplusplus >= 201103L
#define GORT__NORETURN [[noreturn]]
#else
#define GORT__NORETURN __attribute__((__noreturn__))
#endif
#else
#define GORT__NORETURN _Noreturn
#endif

/* ---- goroutines ---- */

/* gort_goid returns the calling goroutine's id. main() runs as goroutine 1.
 * Ids are never reused. They increase in creation order on each P (Ps take
 * ids in batches of 16, as Go does), not across Ps. Returns 0 when called
 * before the runtime started (from a C constructor) or on a scheduler
 * stack. */
int64_t gort_goid(void);

/* gort_go starts fn(arg) in a new goroutine and returns its id (> 0).
 * The goroutine's stack has the default size (GORT_STACKSIZE, see README).
 * May be called from C constructors and init tasks: the goroutine then starts
 * once the scheduler runs. Fatal errors: fn NULL ("go of nil func value");
 * no memory for the goroutine, or for its stack when it first runs ("out
 * of memory allocating a ...-byte goroutine stack"). */
int64_t gort_go(void (*fn)(void *), void *arg);

/* gort_go_stack is gort_go with a stack of at least stacksize bytes
 * (rounded up to pages; 0 means the default). Returns -1 with errno EINVAL
 * for a stacksize above 64 GiB; otherwise as gort_go, including its fatal
 * errors (a stack the system cannot map is one, when the goroutine first
 * runs). */
int64_t gort_go_stack(void (*fn)(void *), void *arg, size_t stacksize);

/* gort_yield lets other runnable goroutines run (Go's runtime.Gosched). */
void gort_yield(void);

/* gort_goexit ends the calling goroutine. Called from main's goroutine it
 * behaves as Go's: the program goes on until the other goroutines end. */
GORT__NORETURN void gort_goexit(void);

/* gort_gomaxprocs sets the number of Ps (goroutines running in parallel) to n
 * and returns the previous value; n <= 0 only reads it. */
int gort_gomaxprocs(int n);

/* gort_numgoroutine returns the number of goroutines that exist: exact
 * when no goroutine is starting or ending, a snapshot otherwise (as Go's
 * runtime.NumGoroutine). */
int64_t gort_numgoroutine(void);

/* gort_sleep parks the calling goroutine for at least ns nanoseconds
 * (ns <= 0 yields). It costs no thread. */
void gort_sleep(int64_t ns);

/* gort_nanotime: a monotonic clock in nanoseconds. */
int64_t gort_nanotime(void);

/* gort_entersyscall / gort_exitsyscall bracket a call that may block in the
 * kernel or in a library (file I/O, getaddrinfo, a third-party call): while
 * inside, the goroutine's P may be handed to another thread so that other
 * goroutines keep running. Nest freely; calls outside a goroutine do nothing. */
void gort_entersyscall(void);
void gort_exitsyscall(void);

/* gort_lockosthread wires the calling goroutine to its current thread (Go's
 * runtime.LockOSThread): it runs only there, and nothing else runs there,
 * until as many gort_unlockosthread calls. main() starts unlocked. */
void gort_lockosthread(void);
void gort_unlockosthread(void);

/* gort_traceback_all writes a traceback of every goroutine to fd. */
void gort_traceback_all(int fd);

/* ---- observing a run (README "Seeing a program run") ----
 * GORT_TRACE=FILE records an execution trace of the whole run in Perfetto's
 * format (open it in ui.perfetto.dev); GORT_TRACE_FLIGHT=SIZE keeps only the
 * last SIZE bytes of it in memory, written on demand, on SIGQUIT and at a
 * fatal error. These calls add the program's own spans and notes to the
 * calling goroutine's track (Go's trace.WithRegion and trace.Log); they cost
 * a load and a branch when tracing is off. Region begin and end nest. */
void gort_trace_region_begin(const char *name);
void gort_trace_region_end(const char *name);
void gort_trace_log(const char *category, const char *message);
/* gort_trace_enabled: 0 off, 1 whole run (GORT_TRACE), 2 flight recorder. */
int gort_trace_enabled(void);
/* gort_trace_flight_write writes the flight recorder's events as a trace
 * file to fd: 0, or -1 with errno (EINVAL: no flight recorder; EIO: a
 * write failed). The recorder keeps recording. */
int gort_trace_flight_write(int fd);
/* ---- runtime metrics (Go's runtime/metrics, with its names) ----
 * Fill each sample's name, call gort_metrics_read; it sets kind (BAD for
 * a name it does not know) and the value. gort_metrics_all lists the names
 * it knows, with what each means. Cheap enough to call every second (a
 * walk of the goroutines for the per-state counts). */
enum { GORT_METRIC_BAD, GORT_METRIC_UINT64, GORT_METRIC_FLOAT64, GORT_METRIC_HISTOGRAM };
#define GORT_METRIC_HIST_MAX 40
struct gort_metric_histogram {
	size_t n;                            /* buckets used */
	uint64_t counts[GORT_METRIC_HIST_MAX];
	const double *buckets;               /* n + 1 boundaries (seconds); the last is +Inf */
};
struct gort_metric {
	const char *name; /* e.g. "/sched/latencies:seconds" */
	int kind;
	union {
		uint64_t u64;
		double f64;
		struct gort_metric_histogram hist;
	} value;
};
struct gort_metric_desc {
	const char *name, *description;
	int kind;
};
void gort_metrics_read(struct gort_metric *samples, size_t n);
const struct gort_metric_desc *gort_metrics_all(size_t *n);

/* gort_profile_write writes a profile in pprof's format (profile.proto: go
 * tool pprof reads it) to fd: "goroutine" (every goroutine's stack, counted
 * by stack), "block" (time goroutines waited on channels, select,
 * WaitGroups and gort_mutex, by the waiter's stack) or "mutex" (the
 * gort_mutex waits alone). 0, or -1 with errno (EINVAL: unknown kind; EIO:
 * a write failed). GORT_CPUPROFILE=FILE writes a CPU profile of the run to
 * FILE at exit (README). */
int gort_profile_write(const char *kind, int fd);
/* gort_profile_set_rate turns on and samples the block and mutex profiles
 * (off by default), as Go's SetBlockProfileRate and SetMutexProfileFraction:
 * "block": one wait per rate nanoseconds waited is recorded (1: every wait);
 * "mutex": one gort_mutex wait in rate (1: every one). 0 turns it off.
 * Returns the previous rate, or -1 (EINVAL) for another kind. */
int64_t gort_profile_set_rate(const char *kind, int64_t rate);

/* ---- sync: goroutine-aware (they park the goroutine, not the thread) ----
 * Called on a thread gort did not create, a wait sleeps the thread in 1 ms
 * steps instead of parking. A wait that would block before the scheduler
 * runs (a C constructor: no goroutine can end it) is a fatal error, as a
 * channel operation there is. */
typedef struct gort_waitgroup {
	int64_t count;
	uint32_t lock;
	void *waiters, *tail;
} gort_waitgroup;
#define GORT_WAITGROUP_INIT {0, 0, 0, 0}
void gort_wg_add(gort_waitgroup *wg, int64_t delta); /* fatal error: a negative count, |delta| > INT32_MAX */
void gort_wg_done(gort_waitgroup *wg);
void gort_wg_wait(gort_waitgroup *wg);

typedef struct gort_mutex {
	uint32_t state;
	uint32_t lock;
	void *waiters, *tail;
} gort_mutex;
#define GORT_MUTEX_INIT {0, 0, 0, 0}
void gort_mutex_lock(gort_mutex *mu);
int gort_mutex_trylock(gort_mutex *mu); /* 1 if acquired */
void gort_mutex_unlock(gort_mutex *mu);  /* unlocking an unlocked mutex: fatal error */

/* ---- channels (Go's chan) ----
 * A channel carries values of elemsize bytes, copied in and out. cap 0 makes
 * it unbuffered: a send waits for a receiver and hands the value straight
 * to it. Where Go panics (send on a closed channel, close of a closed or
 * NULL channel) gort prints `fatal error: ...` with a traceback and exits 2.
 * A NULL channel blocks forever. gort_chan_make's fatal errors: elemsize
 * above 64 KiB, elemsize * cap above 1 TiB, out of memory; gort_chan_free
 * of a channel goroutines wait on is one too. A send, receive or select
 * that would block where no goroutine runs (a C constructor, a thread gort
 * did not create) is a fatal error ("gort_chan_send would block outside a
 * goroutine"); the try forms and a non-blocking select work there. */
typedef struct gort_chan gort_chan;
gort_chan *gort_chan_make(size_t elemsize, size_t cap);
void gort_chan_free(gort_chan *c);       /* no goroutine may be waiting on it */
int gort_chan_send(gort_chan *c, const void *elem);   /* 1 when sent */
int gort_chan_recv(gort_chan *c, void *elem); /* 1 value; 0 closed and drained (elem zeroed); elem may be NULL */
/* gort_chan_trysend is async-signal-safe in a signal handler the program
 * installed: there it also returns 0 when the channel's lock is held by the
 * code the signal interrupted. */
int gort_chan_trysend(gort_chan *c, const void *elem); /* 1 sent, 0 would block */
int gort_chan_tryrecv(gort_chan *c, void *elem);       /* 1 value, 0 closed, -1 would block */
void gort_chan_close(gort_chan *c);      /* wakes every waiter */
size_t gort_chan_len(const gort_chan *c); /* values buffered now (0 for NULL) */
size_t gort_chan_cap(const gort_chan *c); /* its capacity (0 for NULL) */

enum { GORT_SEND = 1, GORT_RECV = 2 };
typedef struct gort_case {
	gort_chan *c;
	int dir;     /* GORT_SEND or GORT_RECV */
	void *elem;  /* value to send, or where to receive (may be NULL) */
	int ok;      /* set for a receive: 1 value, 0 closed */
} gort_case;
/* gort_select runs one ready case, chosen uniformly at random among the
 * ready ones, and returns its index; with block == 0 it returns -1 at once
 * when none is ready (Go's default). Cases on NULL channels never fire.
 * Fatal errors: more than 65,535 cases, a dir other than GORT_SEND or
 * GORT_RECV, a send on a closed channel, blocking outside a goroutine. */
int gort_select(gort_case *cases, size_t n, int block);

/* ---- timer channels ---- */
/* gort_after returns a channel (int64_t elements, capacity 1) that receives
 * gort_nanotime() once, ns from now. Free it only after that receive.
 * Fatal errors: called before the scheduler started (from a C
 * constructor); out of memory. */
gort_chan *gort_after(int64_t ns);
typedef struct gort_ticker gort_ticker;
/* A ticker sends gort_nanotime() on its channel every period ns; a tick the
 * receiver is not ready for is dropped, as Go's. Fatal errors: period <= 0
 * (Go panics: "non-positive interval"); called before the scheduler
 * started; out of memory. */
gort_ticker *gort_ticker_new(int64_t period);
gort_chan *gort_ticker_chan(const gort_ticker *t);
void gort_ticker_stop(gort_ticker *t);   /* stops and frees it and its channel */

/* ---- goroutine-aware I/O ----
 * The libc's calls, with the same return values and errno, except that
 * waiting parks the goroutine instead of the thread (descriptors that
 * cannot be polled, regular files, hand the P off instead). The
 * descriptor's O_NONBLOCK stays the user's: a non-blocking descriptor still
 * gets EAGAIN. _deadline variants take an absolute gort_nanotime() (0 = none)
 * and fail with ETIMEDOUT. gort_close wakes waiters on fd with EBADF. */
ssize_t gort_read(int fd, void *buf, size_t n);
ssize_t gort_write(int fd, const void *buf, size_t n);
ssize_t gort_readv(int fd, const struct iovec *iov, int n);
ssize_t gort_writev(int fd, const struct iovec *iov, int n);
ssize_t gort_read_deadline(int fd, void *buf, size_t n, int64_t deadline);
ssize_t gort_write_deadline(int fd, const void *buf, size_t n, int64_t deadline);
int gort_accept(int fd, struct sockaddr *sa, socklen_t *salen);
int gort_accept4_deadline(int fd, struct sockaddr *sa, socklen_t *salen, int flags, int64_t deadline);
int gort_connect(int fd, const struct sockaddr *sa, socklen_t salen);
int gort_connect_deadline(int fd, const struct sockaddr *sa, socklen_t salen, int64_t deadline);
ssize_t gort_recv(int fd, void *buf, size_t n, int flags);
ssize_t gort_send(int fd, const void *buf, size_t n, int flags);
ssize_t gort_recvfrom(int fd, void *buf, size_t n, int flags, struct sockaddr *sa, socklen_t *salen);
ssize_t gort_sendto(int fd, const void *buf, size_t n, int flags, const struct sockaddr *sa, socklen_t salen);
ssize_t gort_recv_deadline(int fd, void *buf, size_t n, int flags, int64_t deadline);
ssize_t gort_send_deadline(int fd, const void *buf, size_t n, int flags, int64_t deadline);
/* gort_poll: wait until fd has one of events (POLLIN, POLLOUT) or
 * timeout_ns passes (< 0: no limit). Returns revents, 0 on timeout, -1. */
int gort_poll(int fd, short events, int64_t timeout_ns);
int gort_close(int fd);

/* ---- init tasks ----
 *
 *   GORT_INIT(config, config_init);           // runs config_init()
 *   GORT_INIT(db, db_init, config);           // db_init() runs after config_init()
 *
 * Tasks run once each, in goroutine 1, before main(), after C constructors and
 * after all of their dependencies (declaration order where the graph leaves a
 * choice). A dependency that names no task fails at link time
 * (undefined reference to gort_inittask__NAME). A cycle is a fatal error.
 * Up to 8 dependencies per task. */
struct gort_inittask {
	const char *name;
	void (*fn)(void);
	const struct gort_inittask *const *deps; /* NULL-terminated */
	const char *file;
	int line;
};

#define GORT__DEPREF(d) &gort_inittask__##d,
#define GORT__DEPDECL(d) extern const struct gort_inittask gort_inittask__##d;
/* The list is the task's function, then its dependencies: never empty, so
 * that counting needs no GNU comma elision (`, ##__VA_ARGS__` keeps the
 * comma in ISO C++ and C modes: -std=c++17 failed). The first element is
 * skipped by GORT__EACH. */
#define GORT__EACH0(M, f)
#define GORT__EACH1(M, f, a) M(a)
#define GORT__EACH2(M, f, a, ...) M(a) GORT__EACH1(M, f, __VA_ARGS__)
#define GORT__EACH3(M, f, a, ...) M(a) GORT__EACH2(M, f, __VA_ARGS__)
#define GORT__EACH4(M, f, a, ...) M(a) GORT__EACH3(M, f, __VA_ARGS__)
#define GORT__EACH5(M, f, a, ...) M(a) GORT__EACH4(M, f, __VA_ARGS__)
#define GORT__EACH6(M, f, a, ...) M(a) GORT__EACH5(M, f, __VA_ARGS__)
#define GORT__EACH7(M, f, a, ...) M(a) GORT__EACH6(M, f, __VA_ARGS__)
#define GORT__EACH8(M, f, a, ...) M(a) GORT__EACH7(M, f, __VA_ARGS__)
#define GORT__NARGS(...) GORT__NARGS_(__VA_ARGS__, 8, 7, 6, 5, 4, 3, 2, 1, 0, ~)
#define GORT__NARGS_(_f, _1, _2, _3, _4, _5, _6, _7, _8, N, ...) N
#define GORT__CAT(a, b) GORT__CAT_(a, b)
#define GORT__CAT_(a, b) a##b
#define GORT__EACH(M, ...) GORT__CAT(GORT__EACH, GORT__NARGS(__VA_ARGS__))(M, __VA_ARGS__)
#define GORT__FIRST(...) GORT__FIRST_(__VA_ARGS__, ~)
#define GORT__FIRST_(a, ...) a

/* The records live in section "gort_inittask"; ld provides __start_/__stop_
 * symbols for it and keeps it under --gc-sections because the runtime refers
 * to those symbols (ldscripts/gort.ld also KEEPs it). */
#define GORT_INIT(name, ...) /* (name, fn, dependencies...) */                     \
	extern const struct gort_inittask gort_inittask__##name;                  \
	GORT__EACH(GORT__DEPDECL, __VA_ARGS__)                                    \
	static const struct gort_inittask *const gort__deps_##name[] = {          \
		GORT__EACH(GORT__DEPREF, __VA_ARGS__) (const struct gort_inittask *)0}; \
	__attribute__((used, section("gort_inittask"), aligned(8)))               \
	const struct gort_inittask gort_inittask__##name = {                      \
		#name, GORT__FIRST(__VA_ARGS__), gort__deps_##name, __FILE__, __LINE__}

/* ---- errno ----
 * errno belongs to the goroutine: the runtime saves and restores its value at
 * every switch. C compilers may keep the address returned by the libc's
 * __errno_location() (declared const) across a call that switches goroutines
 * and resumes on another thread; code that includes gort.h (and every file
 * built with gortcc) reads errno through gort_errno_location(), which the
 * compiler must call again after every call. (gortcc's include path does the
 * same for every #include <errno.h>: include/gort/errno.h.) See README,
 * "errno". */
#ifndef GORT__ERRNO_LOCATION_DECLARED
#define GORT__ERRNO_LOCATION_DECLARED
int *gort_errno_location(void);
#endif
#ifndef GORT_NO_ERRNO_OVERRIDE
#undef errno
#define errno (*gort_errno_location())
#endif

#ifdef __cplusplus
}
#endif
#endif /* GORT_H */
