/* signals: the program's own signal handlers next to gort's (preemption
 * with SIGURG, crash handlers), from goroutines (test/e2e/e2e_signals.c). */
#include <dirent.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <gort.h>

static _Atomic long got, urgs;
static _Atomic int stop;
static gort_waitgroup wg = GORT_WAITGROUP_INIT;

static void on_usr1(int sig) { (void)sig; got++; }
static void on_urg(int sig) { (void)sig; urgs++; }

static void spinner(void *arg)
{
	(void)arg;
	volatile long x = 0;
	while (!stop) x++; /* never calls gort: only SIGURG preempts it */
	gort_wg_done(&wg);
}

static void waiter(void *arg)
{
	gort_chan_recv(arg, NULL);
	printf("waiter woke\n"); /* not a tail call, whatever the flags */
}
static void napper(void *arg)
{
	(void)arg;
	gort_sleep(60000000000);
	printf("napper woke\n");
}

/* quitancestors: goroutine 1 -> spawner -> waiter, for
 * GODEBUG=tracebackancestors. Not inlined: each is a frame to show. */
static __attribute__((noinline)) void spawner(void *arg)
{
	gort_go(waiter, arg);
	gort_sleep(60000000000);
	printf("spawner woke\n");
}
static __attribute__((noinline)) void level1(void *c)
{
	gort_go(spawner, c);
	printf("level1 returned\n");
}

int main(int argc, char **argv)
{
	const char *cmd = argc > 1 ? argv[1] : "";
	if (!strcmp(cmd, "deliver")) {
		/* Busy goroutines on every P, preempted by SIGURG all along; the
		 * program's SIGUSR1 handler, installed after they started, sees
		 * each of 200 signals, each within 1 s. */
		int n = gort_gomaxprocs(0) + 2;
		gort_wg_add(&wg, n);
		for (int i = 0; i < n; i++) gort_go(spinner, NULL);
		gort_sleep(20000000);
		struct sigaction sa;
		memset(&sa, 0, sizeof sa);
		sa.sa_handler = on_usr1;
		sigaction(SIGUSR1, &sa, NULL);
		long late = 0;
		for (long i = 1; i <= 200; i++) {
			kill(getpid(), SIGUSR1);
			int64_t t0 = gort_nanotime();
			while (got < i && gort_nanotime() - t0 < 1000000000) gort_yield();
			if (got < i) late++;
		}
		stop = 1;
		gort_wg_wait(&wg);
		printf("delivered=%ld late=%ld\n", (long)got, late);
		return 0;
	}
	if (!strcmp(cmd, "urgfirst")) {
		/* A SIGURG handler installed before any goroutine starts (here:
		 * in main, before gort_go) is still called, and the spinners
		 * are still preempted: main gets to run at GOMAXPROCS=1. */
		struct sigaction sa;
		memset(&sa, 0, sizeof sa);
		sa.sa_handler = on_urg;
		sigaction(SIGURG, &sa, NULL);
		gort_wg_add(&wg, 2);
		for (int i = 0; i < 2; i++) gort_go(spinner, NULL);
		gort_sleep(50000000); /* only returns if the spinners are preempted */
		kill(getpid(), SIGURG);
		int64_t t0 = gort_nanotime();
		while (!urgs && gort_nanotime() - t0 < 1000000000) gort_yield();
		stop = 1;
		gort_wg_wait(&wg);
		printf("main ran: yes; program's SIGURG handler called: %s\n", urgs ? "yes" : "no");
		return 0;
	}
	if (!strcmp(cmd, "urglater")) {
		/* The same with the handler installed after goroutines started:
		 * gort takes SIGURG back (within ~100 ms) and forwards to it. */
		gort_wg_add(&wg, 2);
		gort_go(spinner, NULL);
		gort_sleep(20000000);
		struct sigaction sa;
		memset(&sa, 0, sizeof sa);
		sa.sa_handler = on_urg;
		sigaction(SIGURG, &sa, NULL);
		gort_go(spinner, NULL);
		gort_sleep(300000000); /* returns only if the spinners are preempted */
		long before = urgs;
		kill(getpid(), SIGURG);
		int64_t t0 = gort_nanotime();
		while (urgs == before && gort_nanotime() - t0 < 1000000000) gort_yield();
		stop = 1;
		gort_wg_wait(&wg);
		printf("main ran: yes; program's SIGURG handler called: %s\n", urgs > before ? "yes" : "no");
		return 0;
	}
	if (!strcmp(cmd, "mask")) {
		/* sigprocmask in a goroutine changes its thread's mask: locked to
		 * its thread, the goroutine keeps it. */
		gort_lockosthread();
		sigset_t s, old;
		sigemptyset(&s);
		sigaddset(&s, SIGUSR2);
		sigprocmask(SIG_BLOCK, &s, &old);
		for (int i = 0; i < 100; i++) gort_yield();
		sigset_t now;
		sigprocmask(SIG_BLOCK, NULL, &now);
		printf("blocked after yields: %d\n", sigismember(&now, SIGUSR2));
		sigprocmask(SIG_SETMASK, &old, NULL);
		gort_unlockosthread();
		return 0;
	}
	if (!strcmp(cmd, "quit")) {
		/* Ctrl-\: every goroutine's traceback, exit 2 (Go's SIGQUIT). */
		gort_go(waiter, gort_chan_make(1, 0));
		gort_go(napper, NULL);
		gort_sleep(10000000);
		kill(getpid(), SIGQUIT);
		gort_sleep(1000000000);
		printf("still running\n");
		return 0;
	}
	if (!strcmp(cmd, "quitwait")) {
		/* Run with GODEBUG=waitshift=59: the waiter parks 1.5 s before
		 * the SIGQUIT, so its wait counts 60.5 s ("1 minutes"); the
		 * napper parks just before it and stays under a minute. */
		gort_go(waiter, gort_chan_make(1, 0));
		gort_sleep(1500000000);
		gort_go(napper, NULL);
		gort_sleep(10000000);
		kill(getpid(), SIGQUIT);
		gort_sleep(1000000000);
		printf("still running\n");
		return 0;
	}
	if (!strcmp(cmd, "quitancestors")) {
		level1(gort_chan_make(1, 0));
		gort_sleep(20000000);
		kill(getpid(), SIGQUIT);
		gort_sleep(1000000000);
		return 0;
	}
	if (!strcmp(cmd, "quitidle")) {
		/* SIGQUIT to a thread that runs no goroutine: every thread
		 * but this one is an idle M or sysmon, on its g0. */
		gort_go(waiter, gort_chan_make(1, 0));
		gort_sleep(20000000);
		/* Locked: opendir's open may park on the blocking pool, and
		 * main could come back on another thread, which "self" would
		 * then not name. */
		gort_lockosthread();
		pid_t self = (pid_t)syscall(SYS_gettid), target = 0;
		DIR *d = opendir("/proc/self/task");
		for (struct dirent *e; d && (e = readdir(d));) {
			pid_t t = (pid_t)atoi(e->d_name);
			/* Not the blocking pool's threads (opendir of /proc may
			 * have started one): they are no Ms. */
			char p[64], comm[32] = "";
			snprintf(p, sizeof p, "/proc/self/task/%d/comm", (int)t);
			FILE *f = fopen(p, "r");
			if (f) {
				if (!fgets(comm, sizeof comm, f)) comm[0] = 0;
				fclose(f);
			}
			if (t > 0 && t != self && strncmp(comm, "gort-blockpool", 14)) target = t;
		}
		if (d) closedir(d);
		if (!target) {
			printf("no other thread\n");
			return 1;
		}
		syscall(SYS_tgkill, getpid(), target, SIGQUIT);
		gort_sleep(1000000000);
		printf("still running\n");
		return 0;
	}
	fprintf(stderr, "usage: signals deliver|urgfirst|mask|quit|quitwait|quitancestors|quitidle\n");
	return 2;
}
