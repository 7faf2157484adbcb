/* bench/startup/runner.c: times whole processes, from fork to waitpid.
 *
 *   startup ROUNDS NAME=PATH...
 *
 * Each round runs every candidate once (fork, execve, waitpid; stdout to
 * /dev/null), timed with CLOCK_MONOTONIC from before fork to after waitpid,
 * in a rotating order so that noise (other processes, frequency changes)
 * hits every candidate alike. PATH "-" is the baseline: fork and _exit in
 * the child, no execve (what the measurement itself costs). Before timing,
 * each candidate runs once with its output checked ("hello, world\n",
 * status 0), and every candidate runs a few untimed warm-up rounds.
 * Prints one line per candidate: name, median, p90 and minimum in us.
 * A plain (glibc) program: it is the harness, not a benchmark subject. */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include "../common/bench.h"

extern char **environ;

struct cand {
	const char *name, *path;
	double *us;
};

static int devnull;

/* spawn runs c once with stdout on fd; returns the wait status. */
static int spawn(const struct cand *c, int fd)
{
	pid_t pid = fork();
	if (pid < 0) {
		perror("fork");
		exit(1);
	}
	if (pid == 0) {
		if (strcmp(c->path, "-") == 0) _exit(0);
		dup2(fd, 1);
		char *argv[] = {(char *)c->path, NULL};
		execve(c->path, argv, environ);
		_exit(127);
	}
	int st;
	while (waitpid(pid, &st, 0) < 0) {
	}
	return st;
}

static void check(const struct cand *c)
{
	if (strcmp(c->path, "-") == 0) return;
	int p[2];
	if (pipe(p) < 0) {
		perror("pipe");
		exit(1);
	}
	int st = spawn(c, p[1]);
	close(p[1]);
	char buf[64] = {0};
	ssize_t n = read(p[0], buf, sizeof buf - 1);
	close(p[0]);
	if (!WIFEXITED(st) || WEXITSTATUS(st) != 0 || n != 13 || strcmp(buf, "hello, world\n") != 0) {
		fprintf(stderr, "startup: %s (%s) did not print hello, world and exit 0 (status %#x)\n",
			c->name, c->path, st);
		exit(1);
	}
}

int main(int argc, char **argv)
{
	if (argc < 3) {
		fprintf(stderr, "usage: %s ROUNDS NAME=PATH...\n", argv[0]);
		return 2;
	}
	int rounds = (int)bench_arg(argc, argv, 1, 500);
	int n = argc - 2;
	struct cand *c = calloc((size_t)n, sizeof *c);
	devnull = open("/dev/null", O_WRONLY | O_CLOEXEC);
	if (!c || devnull < 0) return 1;
	for (int i = 0; i < n; i++) {
		char *eq = strchr(argv[i + 2], '=');
		if (!eq) {
			fprintf(stderr, "startup: '%s' is not NAME=PATH\n", argv[i + 2]);
			return 2;
		}
		*eq = 0;
		c[i].name = argv[i + 2];
		c[i].path = eq + 1;
		c[i].us = calloc((size_t)rounds, sizeof(double));
		if (!c[i].us) return 1;
		check(&c[i]);
	}
	for (int r = 0; r < 10; r++)
		for (int i = 0; i < n; i++) spawn(&c[i], devnull);
	for (int r = 0; r < rounds; r++) {
		for (int k = 0; k < n; k++) {
			struct cand *x = &c[(r + k) % n];
			int64_t t0 = bench_now();
			int st = spawn(x, devnull);
			int64_t t1 = bench_now();
			if (!WIFEXITED(st) || WEXITSTATUS(st) != 0) {
				fprintf(stderr, "startup: %s exited with status %#x\n", x->name, st);
				return 1;
			}
			x->us[r] = (double)(t1 - t0) / 1e3;
		}
	}
	for (int i = 0; i < n; i++) {
		bench_sort(c[i].us, rounds);
		printf("cand=%s median_us=%.1f p90_us=%.1f min_us=%.1f rounds=%d\n", c[i].name,
		       c[i].us[rounds / 2], c[i].us[rounds * 9 / 10], c[i].us[0], rounds);
	}
	return 0;
}
