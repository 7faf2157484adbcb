/* forks: fork() without exec, and the libc's process calls, from
 * goroutines while others run (test/e2e/e2e_fork.c). */
#include <errno.h>
#include <fcntl.h>
#include <spawn.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include <gort.h>

extern char **environ;
static gort_waitgroup wg = GORT_WAITGROUP_INIT;
static _Atomic int stop;
static _Atomic long busyloops, sleeps, readbytes;
static int pipes[10][2];

static void busy(void *arg)
{
	(void)arg;
	while (!stop) {
		busyloops++;
		gort_yield();
	}
	gort_wg_done(&wg);
}

static void sleeper(void *arg)
{
	(void)arg;
	while (!stop) {
		gort_sleep(1000000);
		sleeps++;
	}
	gort_wg_done(&wg);
}

static void reader(void *arg)
{
	int fd = (int)(long)arg;
	char b[16];
	ssize_t n;
	while ((n = gort_read(fd, b, sizeof b)) > 0) readbytes += n;
	gort_wg_done(&wg);
}

/* What the child checks: it is alone, and gort works. */
static gort_chan *cping, *cpong;
static void childponger(void *arg)
{
	(void)arg;
	long v;
	while (gort_chan_recv(cping, &v)) {
		v++;
		gort_chan_send(cpong, &v);
	}
}
static int cp[2];
static void childwriter(void *arg) { (void)arg; gort_sleep(2000000); gort_write(cp[1], "fromchild", 9); }

static int child(void)
{
	int bad = 0;
	long ng = gort_numgoroutine();
	int64_t t0 = gort_nanotime();
	gort_sleep(5000000);
	int64_t slept = gort_nanotime() - t0;
	cping = gort_chan_make(sizeof(long), 0);
	cpong = gort_chan_make(sizeof(long), 0);
	gort_go(childponger, NULL);
	long v = 0;
	for (int i = 0; i < 10000; i++) {
		gort_chan_send(cping, &v);
		gort_chan_recv(cpong, &v);
	}
	gort_chan_close(cping);
	pipe(cp);
	gort_go(childwriter, NULL);
	char b[16] = {0};
	ssize_t n = gort_read(cp[0], b, sizeof b);
	/* A tick channel made in the child. */
	gort_chan *a = gort_after(1000000);
	int64_t when;
	gort_chan_recv(a, &when);
	if (ng != 1) bad |= 1;
	if (slept < 5000000) bad |= 2;
	if (v != 10000) bad |= 4;
	if (n != 9 || memcmp(b, "fromchild", 9)) bad |= 8;
	printf("child: goroutines=%ld slept>=5ms=%d pingpong=%ld read=%.*s\n", ng, slept >= 5000000, v, (int)n, b);
	/* The child's traceback shows the goroutines the child has, not the
	 * parent's (main and the ponger, which ended: one or two). */
	fflush(stdout);
	return bad;
}

/* forker forks; the child runs childfn (arg) and exits with its result;
 * the parent reaps it. */
static void forker(void *arg)
{
	int (*childfn)(void) = (int (*)(void))arg;
	fflush(stdout);
	pid_t pid = fork();
	if (pid < 0) {
		perror("fork");
		exit(1);
	}
	if (pid == 0) exit(childfn());
	int st;
	gort_entersyscall();
	pid_t w = waitpid(pid, &st, 0);
	gort_exitsyscall();
	printf("parent: child %s status %d\n", w == pid ? "reaped" : "lost", WIFEXITED(st) ? WEXITSTATUS(st) : -WTERMSIG(st));
	gort_wg_done(&wg);
}

/* forkspin: the child holds its P for 100 ms without yielding, so the
 * child's sysmon (started again by the child's first gort_go) sends it
 * preemption signals (SIGURG). */
static _Atomic int spun;
static void childspinner(void *arg)
{
	(void)arg;
	int64_t t0 = gort_nanotime();
	volatile long n = 0;
	while (gort_nanotime() - t0 < 100000000) n++;
	spun = 1;
}

static int spinchild(void)
{
	gort_go(childspinner, NULL);
	while (!spun) gort_sleep(1000000);
	printf("child: spun 100ms\n");
	fflush(stdout);
	return 0;
}

static void spawner(void *arg)
{
	(void)arg;
	/* system(), popen(), posix_spawn() and fork+exec from a goroutine. */
	fflush(stdout);
	int s = system("echo system-ok");
	FILE *f = popen("echo popen-ok", "r");
	char line[64] = "";
	if (f) {
		if (!fgets(line, sizeof line, f)) line[0] = 0;
		line[strcspn(line, "\n")] = 0;
		pclose(f);
	}
	pid_t pid;
	char *argv[] = {"/bin/sh", "-c", "exit 7", NULL};
	int e = posix_spawn(&pid, "/bin/sh", NULL, NULL, argv, environ);
	int st = 0;
	if (e == 0) waitpid(pid, &st, 0);
	fflush(stdout);
	pid_t c = fork();
	if (c == 0) {
		execl("/bin/echo", "echo", "exec-ok", (char *)NULL);
		_exit(127);
	}
	int st2;
	waitpid(c, &st2, 0);
	printf("system=%d popen=%s spawn=%d exec=%d\n", s, line, WEXITSTATUS(st), WEXITSTATUS(st2));
	gort_wg_done(&wg);
}

/* vforkclose: a goroutine parks in a plain read on a pipe; vfork,
 * posix_spawn (a close file action), popen and system children close that
 * descriptor (in their own descriptor table) and exec. The parent's reader
 * must not notice: it then reads what is written, not EBADF. The vfork
 * child runs on the parent's memory: a close hook that reaches the
 * runtime there would forget the parent's registration and wake its
 * waiters. Also a vfork child whose hooked write and close happen before
 * _exit (exec failed). */
static int vpipe[2];
static _Atomic int vreaderstate; /* 1 parked, 2 got data, 3 error */
static char vgot[8];
static int vgoterr;
static void vreader(void *arg)
{
	(void)arg;
	vreaderstate = 1;
	ssize_t n = read(vpipe[0], vgot, sizeof vgot - 1);
	if (n < 0) vgoterr = errno, vreaderstate = 3;
	else vgot[n > 0 ? n : 0] = 0, vreaderstate = 2;
	gort_wg_done(&wg);
}

static void vforker(void *arg)
{
	(void)arg;
	gort_wg_add(&wg, 1);
	gort_go(vreader, NULL);
	while (vreaderstate == 0) gort_sleep(1000000);
	gort_sleep(20000000); /* parked in read */
	int fails = 0;
	for (int i = 0; i < 20; i++) {
		pid_t c = vfork();
		if (c == 0) {
			close(vpipe[0]);
			if (i == 0) {
				write(vpipe[1], "", 0);
				execl("/nonexistent", "x", (char *)NULL);
				_exit(3);
			}
			execl("/bin/true", "true", (char *)NULL);
			_exit(127);
		}
		int st;
		if (c < 0 || waitpid(c, &st, 0) != c || !WIFEXITED(st) || WEXITSTATUS(st) != (i == 0 ? 3 : 0)) fails++;
	}
	posix_spawn_file_actions_t fa;
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addclose(&fa, vpipe[0]);
	char *argv[] = {"/bin/true", NULL};
	for (int i = 0; i < 20; i++) {
		pid_t pid;
		int st;
		if (posix_spawn(&pid, "/bin/true", &fa, NULL, argv, environ) || waitpid(pid, &st, 0) != pid || st)
			fails++;
	}
	posix_spawn_file_actions_destroy(&fa);
	for (int i = 0; i < 5; i++) {
		FILE *f = popen("true", "r");
		if (!f || pclose(f)) fails++;
		if (system("true")) fails++;
	}
	gort_sleep(20000000);
	int before = vreaderstate;
	write(vpipe[1], "data", 4);
	while (vreaderstate == 1) gort_sleep(1000000);
	printf("vfork: children_ok=%d reader_parked_throughout=%d reader=%s\n", !fails, before == 1,
	       vreaderstate == 2 ? vgot : strerror(vgoterr));
	gort_wg_done(&wg);
}

int main(int argc, char **argv)
{
	const char *cmd = argc > 1 ? argv[1] : "";
	int nbusy = 20, nsleep = 20;
	gort_wg_add(&wg, nbusy + nsleep + 10);
	for (int i = 0; i < nbusy; i++) gort_go(busy, NULL);
	for (int i = 0; i < nsleep; i++) gort_go(sleeper, NULL);
	for (int i = 0; i < 10; i++) {
		pipe(pipes[i]);
		gort_go(reader, (void *)(long)pipes[i][0]);
	}
	gort_sleep(5000000);
	gort_waitgroup one = GORT_WAITGROUP_INIT;
	(void)one;
	gort_wg_add(&wg, 1);
	if (!strcmp(cmd, "fork")) gort_go(forker, (void *)child);
	else if (!strcmp(cmd, "forkspin")) gort_go(forker, (void *)spinchild);
	else if (!strcmp(cmd, "spawn")) gort_go(spawner, NULL);
	else if (!strcmp(cmd, "vforkclose")) pipe(vpipe), gort_go(vforker, NULL);
	else {
		fprintf(stderr, "usage: forks fork|forkspin|spawn|vforkclose\n");
		return 2;
	}
	/* The parent's goroutines go on while (and after) the child runs. */
	long b0 = busyloops, s0 = sleeps;
	for (int i = 0; i < 10; i++) gort_write(pipes[i][1], "abc", 3);
	/* At least 30 ms, and until both kinds progressed (2 s at most): on a
	 * loaded machine the fork and sysmon's retake of the forker's P (in
	 * waitpid, between entersyscall and exitsyscall) took the whole 30 ms
	 * now and then, and neither kind had run yet at GOMAXPROCS=1. */
	int64_t t0 = gort_nanotime();
	gort_sleep(30000000);
	while (!(busyloops > b0 && sleeps > s0) && gort_nanotime() - t0 < 2000000000) gort_sleep(1000000);
	stop = 1;
	for (int i = 0; i < 10; i++) close(pipes[i][1]);
	gort_wg_wait(&wg);
	printf("parent: busy_progressed=%d sleeps_progressed=%d readbytes=%ld\n", busyloops > b0, sleeps > s0,
	       (long)readbytes);
	return 0;
}
