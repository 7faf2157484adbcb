/* stress: what programs and people do to a runtime, all at once, for a
 * fixed time (issue #20): the hostile companion of test/soak. Until the
 * deadline, concurrently:
 *   forkers   two goroutines fork; the child _exits with a known status or
 *             execs /bin/true; the parent's waitpid must see that status
 *   spawner   vfork+exec, posix_spawn with a close action (on a pipe a
 *             goroutine is parked reading), popen and system
 *   resizer   gort_gomaxprocs between 1 and 4 every few milliseconds
 *   fds       RLIMIT_NOFILE is 256: a goroutine opens pipes until EMFILE,
 *             holds them 2 ms, closes them (the others' pipe, popen and
 *             spawn then fail with EMFILE now and then: counted, allowed)
 *   storm     a child process sends SIGURG, SIGCHLD and SIGWINCH to this
 *             one every 100 us; a SIGWINCH handler counts and tells a
 *             goroutine with gort_chan_trysend
 *   workload  producers send sequence-numbered messages over buffered and
 *             unbuffered channels; pipe pairs carry numbered records
 *             through the plain read/write hooks; sleepers check that no
 *             sleep ends early; a gort_mutex guards a counter
 * At the end every message, record and child status is checked, and the
 * thread count is bounded. The address-space limit is the caller's (`make
 * stress` runs one pass under `ulimit -v`).
 *
 *   stress [SECONDS=10]
 * Prints one line of figures and "stress: ok", or what failed (exit 1). */
#include <dirent.h>
#include <errno.h>
#include <signal.h>
#include <spawn.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <gort.h>

extern char **environ;
static _Atomic int stop;
static gort_waitgroup wg = GORT_WAITGROUP_INIT;
static _Atomic long bad; /* failed checks */
static char why[256];

static void fail(const char *what)
{
	if (bad++ == 0) snprintf(why, sizeof why, "%s", what);
}

static int nthreads(void)
{
	int n = 0;
	DIR *d = opendir("/proc/self/task");
	struct dirent *e;
	while (d && (e = readdir(d)))
		if (e->d_name[0] != '.') n++;
	if (d) closedir(d);
	return n;
}

/* ---- forkers ---- */
static _Atomic long forks;
static void forker(void *arg)
{
	long id = (long)arg;
	for (long i = 0; !stop; i++) {
		fflush(stdout);
		pid_t c = fork();
		if (c < 0) {
			if (errno != EAGAIN && errno != ENOMEM) fail("fork failed");
			gort_sleep(1000000);
			continue;
		}
		if (c == 0) {
			if (i % 2) execl("/bin/true", "true", (char *)NULL);
			_exit((int)(id * 10 + i % 2));
		}
		int st;
		if (waitpid(c, &st, 0) != c || !WIFEXITED(st) ||
		    WEXITSTATUS(st) != (i % 2 ? 0 : (int)(id * 10)))
			fail("fork: child status lost or wrong");
		forks++;
	}
	gort_wg_done(&wg);
}

/* ---- spawner ---- */
static _Atomic long spawns, spawnemfile;
static int watched[2]; /* a goroutine parks reading watched[0] */
static _Atomic int watchedok;
static void watcher(void *arg)
{
	(void)arg;
	char c;
	if (read(watched[0], &c, 1) == 1 && c == 'w') watchedok = 1;
	gort_wg_done(&wg);
}
/* Its own function: a vfork child shares the caller's frame. */
static __attribute__((noinline)) pid_t vfork_true(void)
{
	pid_t c = vfork();
	if (c == 0) {
		close(watched[0]);
		execl("/bin/true", "true", (char *)NULL);
		_exit(127);
	}
	return c;
}

static void spawner(void *arg)
{
	(void)arg;
	posix_spawn_file_actions_t fa;
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addclose(&fa, watched[0]);
	char *tv[] = {"/bin/true", NULL};
	for (long i = 0; !stop; i++) {
		int ok = 1;
		switch (i % 4) {
		case 0: {
			pid_t c = vfork_true();
			int st;
			ok = c > 0 && waitpid(c, &st, 0) == c && WIFEXITED(st) && WEXITSTATUS(st) == 0;
			if (c < 0 && (errno == EAGAIN || errno == ENOMEM)) ok = 1, spawnemfile++;
			break;
		}
		case 1: {
			pid_t c;
			int st, e = posix_spawn(&c, "/bin/true", &fa, NULL, tv, environ);
			if (e == EMFILE || e == ENFILE || e == EAGAIN) spawnemfile++;
			else ok = !e && waitpid(c, &st, 0) == c && WIFEXITED(st) && WEXITSTATUS(st) == 0;
			break;
		}
		case 2: {
			FILE *f = popen("echo popen", "r");
			char line[32] = "";
			if (!f) {
				if (errno == EMFILE || errno == ENFILE || errno == EAGAIN) spawnemfile++;
				else ok = 0;
				break;
			}
			/* The read may be cut short by EMFILE in the child's sh. */
			if (!fgets(line, sizeof line, f)) line[0] = 0;
			int st = pclose(f);
			ok = (!strcmp(line, "popen\n") && st == 0) || st != 0;
			if (st != 0) spawnemfile++;
			break;
		}
		case 3: {
			int st = system("exit 3");
			if (st == -1 || !WIFEXITED(st) || WEXITSTATUS(st) != 3) spawnemfile++; /* sh may hit EMFILE */
			break;
		}
		}
		if (!ok) fail("spawner: vfork/posix_spawn/popen child lost or wrong");
		spawns++;
	}
	posix_spawn_file_actions_destroy(&fa);
	gort_wg_done(&wg);
}

/* ---- resizer ---- */
static _Atomic long resizes;
static void resizer(void *arg)
{
	(void)arg;
	unsigned r = 12345;
	while (!stop) {
		r = r * 1103515245 + 12345;
		gort_gomaxprocs(1 + (int)(r >> 16) % 4);
		resizes++;
		gort_sleep(3000000);
	}
	gort_wg_done(&wg);
}

/* ---- descriptors ---- */
static _Atomic long emfiles;
static void fdhog(void *arg)
{
	(void)arg;
	int fds[512];
	while (!stop) {
		int n = 0;
		while (n + 2 <= 512 && pipe(fds + n) == 0) n += 2;
		if (errno == EMFILE) emfiles++;
		gort_sleep(2000000);
		while (n > 0) close(fds[--n]);
		gort_sleep(5000000);
	}
	gort_wg_done(&wg);
}

/* ---- signals from outside ---- */
static _Atomic long winches;
static gort_chan *winchc;
static void onwinch(int sig)
{
	(void)sig;
	winches++;
	long v = 1;
	gort_chan_trysend(winchc, &v);
}
static _Atomic long winchrecv;
static void winchreader(void *arg)
{
	(void)arg;
	long v;
	while (gort_chan_recv(winchc, &v) && v) winchrecv++;
	gort_wg_done(&wg);
}
static pid_t stormer(void)
{
	pid_t parent = getpid();
	pid_t c = fork();
	if (c == 0) {
		/* Plain system calls only: this child never uses gort. */
		static const int sigs[] = {SIGURG, SIGCHLD, SIGWINCH};
		struct timespec ts = {0, 100000};
		for (long i = 0; getppid() == parent; i++) {
			kill(parent, sigs[i % 3]);
			nanosleep(&ts, NULL);
		}
		_exit(0);
	}
	return c;
}

/* ---- workload ---- */
enum { PRODUCERS = 4, CONSUMERS = 3, PIPES = 4 };
struct msg { int producer; long seq; };
static gort_chan *bufc, *unbufc;
static _Atomic long sent[PRODUCERS], recvd[PRODUCERS], sentsum[PRODUCERS], recvsum[PRODUCERS];
static gort_waitgroup prodwg = GORT_WAITGROUP_INIT, conswg = GORT_WAITGROUP_INIT;
static void producer(void *arg)
{
	int id = (int)(long)arg;
	for (long s = 0; !stop; s++) {
		struct msg m = {id, s};
		if (s % 2) gort_chan_send(unbufc, &m);
		else gort_chan_send(bufc, &m);
		sent[id]++;
		sentsum[id] += s;
	}
	gort_wg_done(&prodwg);
}
static void consumer(void *arg)
{
	(void)arg;
	gort_chan *bc = bufc, *uc = unbufc;
	while (bc || uc) {
		struct msg a, b;
		gort_case c[2] = {{bc, GORT_RECV, &a, 0}, {uc, GORT_RECV, &b, 0}};
		int k = gort_select(c, 2, 1);
		if (!c[k].ok) {
			if (k == 0) bc = NULL;
			else uc = NULL;
			continue;
		}
		struct msg *m = k == 0 ? &a : &b;
		recvd[m->producer]++;
		recvsum[m->producer] += m->seq;
	}
	gort_wg_done(&conswg);
}

static int pipes[PIPES][2];
static _Atomic long records;
struct rec { long n; long check; };
static void pwriter(void *arg)
{
	int i = (int)(long)arg;
	for (long n = 0; !stop; n++) {
		struct rec r = {n, n * 2654435761L ^ i};
		if (write(pipes[i][1], &r, sizeof r) != sizeof r) {
			fail("pipe write failed");
			break;
		}
	}
	close(pipes[i][1]);
	gort_wg_done(&wg);
}
static void preader(void *arg)
{
	int i = (int)(long)arg;
	struct rec r;
	long want = 0;
	ssize_t k;
	while ((k = read(pipes[i][0], &r, sizeof r)) == sizeof r) {
		if (r.n != want || r.check != (want * 2654435761L ^ i)) {
			fail("pipe record out of order or corrupt");
			break;
		}
		want++;
		records++;
	}
	if (k != 0 && !bad) fail("pipe read ended early");
	gort_wg_done(&wg);
}

static _Atomic long sleeps;
static gort_mutex mu = GORT_MUTEX_INIT;
static long guarded;
static void sleeper(void *arg)
{
	(void)arg;
	for (long i = 0; !stop; i++) {
		int64_t d = 100000 + i % 7 * 300000, t0 = gort_nanotime();
		gort_sleep(d);
		if (gort_nanotime() - t0 < d) fail("a sleep ended early");
		gort_mutex_lock(&mu);
		guarded++;
		gort_mutex_unlock(&mu);
		sleeps++;
	}
	gort_wg_done(&wg);
}

/* A hang: say so and ask gort for every goroutine's stack (SIGQUIT, as in
 * Go), instead of the shell's bare "Alarm clock". */
static void onalarm(int sig)
{
	(void)sig;
	static const char m[] = "stress: still running at the alarm (a hang); the goroutines follow\n";
	syscall(SYS_write, 2, m, sizeof m - 1);
	kill(getpid(), SIGQUIT);
}

int main(int argc, char **argv)
{
	int seconds = argc > 1 ? atoi(argv[1]) : 10;
	if (seconds <= 0) seconds = 10;
	signal(SIGALRM, onalarm);
	alarm((unsigned)(seconds * 3 + 60)); /* a hang ends with a report, not silence */
	struct rlimit rl = {256, 256};
	if (setrlimit(RLIMIT_NOFILE, &rl)) perror("setrlimit");
	if (pipe(watched)) return perror("pipe"), 1;
	for (int i = 0; i < PIPES; i++)
		if (pipe(pipes[i])) return perror("pipe"), 1;
	winchc = gort_chan_make(sizeof(long), 64);
	struct sigaction sa = {.sa_handler = onwinch, .sa_flags = SA_RESTART};
	sigemptyset(&sa.sa_mask);
	sigaction(SIGWINCH, &sa, NULL);
	bufc = gort_chan_make(sizeof(struct msg), 32);
	unbufc = gort_chan_make(sizeof(struct msg), 0);

	/* STRESS_SKIP=fork,spawn,resize,fds,storm leaves parts out (to tell
	 * which one a failure needs). */
	const char *skip = getenv("STRESS_SKIP");
	if (!skip) skip = "";
	gort_wg_add(&wg, 2 + 1 + 1 + 1 + 1 + 1 + 2 * PIPES + 4);
	if (strstr(skip, "fork")) {
		forks = 1;
		gort_wg_add(&wg, -2);
	}
	else gort_go(forker, (void *)1L), gort_go(forker, (void *)2L);
	gort_go(watcher, NULL);
	if (strstr(skip, "spawn")) {
		spawns = 1;
		gort_wg_done(&wg);
	}
	else gort_go(spawner, NULL);
	if (strstr(skip, "resize")) {
		resizes = 1;
		gort_wg_done(&wg);
	}
	else gort_go(resizer, NULL);
	if (strstr(skip, "fds")) gort_wg_done(&wg);
	else gort_go(fdhog, NULL);
	gort_go(winchreader, NULL);
	for (long i = 0; i < PIPES; i++) gort_go(pwriter, (void *)i), gort_go(preader, (void *)i);
	for (int i = 0; i < 4; i++) gort_go(sleeper, NULL);
	gort_wg_add(&prodwg, PRODUCERS);
	gort_wg_add(&conswg, CONSUMERS);
	for (long i = 0; i < PRODUCERS; i++) gort_go(producer, (void *)i);
	for (int i = 0; i < CONSUMERS; i++) gort_go(consumer, NULL);
	pid_t st = strstr(skip, "storm") ? 0 : stormer();
	if (!st) winches = 1;

	int maxthreads = 0;
	for (int s = 0; s < seconds * 10; s++) {
		gort_sleep(100000000);
		int t = nthreads();
		if (t > maxthreads) maxthreads = t;
	}
	stop = 1;
	if (st) kill(st, SIGKILL), waitpid(st, NULL, 0);
	gort_wg_wait(&prodwg);
	gort_chan_close(bufc);
	gort_chan_close(unbufc);
	gort_wg_wait(&conswg);
	write(watched[1], "w", 1);
	long zero = 0;
	gort_chan_send(winchc, &zero);
	gort_wg_wait(&wg);

	long msgs = 0;
	for (int i = 0; i < PRODUCERS; i++) {
		if (sent[i] != recvd[i] || sentsum[i] != recvsum[i]) fail("a channel message was lost or duplicated");
		msgs += recvd[i];
	}
	if (!watchedok) fail("a spawn child's close reached the parent's parked reader");
	if (guarded != sleeps) fail("the mutex lost an increment");
	if (!forks || !spawns || !resizes || !records || !msgs || !sleeps) fail("a part made no progress");
	if (!winches) fail("no SIGWINCH arrived from the stormer");
	/* Ms: at most GOMAXPROCS' maximum (4) busy, the goroutines blocked in
	 * the kernel (forkers, spawner, the fd hog's pipe calls), sysmon. */
	if (maxthreads > 64) fail("threads grew without bound");
	printf("stress: %d s forks=%ld spawns=%ld (emfile/eagain %ld) resizes=%ld emfile_rounds=%ld sigwinch=%ld "
	       "(told %ld) messages=%ld records=%ld sleeps=%ld maxthreads=%d\n",
	       seconds, (long)forks, (long)spawns, (long)spawnemfile, (long)resizes, (long)emfiles, (long)winches,
	       (long)winchrecv, msgs, (long)records, (long)sleeps, maxthreads);
	if (bad) {
		printf("stress: FAILED (%ld checks): %s\n", (long)bad, why);
		return 1;
	}
	printf("stress: ok\n");
	return 0;
}
