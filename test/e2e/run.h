/* run.h: helpers for the end-to-end suites: run a program with given
 * arguments and environment, capture its stdout, stderr and status, with a
 * time limit. Header-only; each suite includes it once. */
#ifndef GORT_TEST_RUN_H
#define GORT_TEST_RUN_H

#include <criterion/criterion.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

extern char **environ;

struct result {
	int exited;  /* 1: exited with code; 0: killed by signal sig */
	int code;
	int sig;
	char *out, *err;
	size_t outlen, errlen;
	int timedout;
};

static void appendbuf(char **b, size_t *n, const char *d, size_t k)
{
	*b = realloc(*b, *n + k + 1);
	memcpy(*b + *n, d, k);
	*n += k;
	(*b)[*n] = 0;
}

/* runv runs argv[0] with argv and envp (NULL: inherit), at most
 * timeout_s seconds. argv[0] is a path. */
static struct result runv(char *const argv[], char *const envp[], int timeout_s)
{
	struct result r = {0};
	r.out = calloc(1, 1);
	r.err = calloc(1, 1);
	int po[2], pe[2];
	cr_assert(pipe2(po, O_CLOEXEC) == 0 && pipe2(pe, O_CLOEXEC) == 0);
	posix_spawn_file_actions_t fa;
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_adddup2(&fa, po[1], 1);
	posix_spawn_file_actions_adddup2(&fa, pe[1], 2);
	posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
	pid_t pid;
	int e = posix_spawn(&pid, argv[0], &fa, NULL, argv, envp ? envp : environ);
	cr_assert(e == 0, "spawn %s: %s", argv[0], strerror(e));
	posix_spawn_file_actions_destroy(&fa);
	close(po[1]);
	close(pe[1]);
	struct pollfd fds[2] = {{po[0], POLLIN, 0}, {pe[0], POLLIN, 0}};
	int open_ = 2;
	time_t deadline = time(NULL) + timeout_s;
	while (open_ > 0) {
		int left = (int)(deadline - time(NULL));
		if (left <= 0) {
			kill(pid, SIGKILL);
			r.timedout = 1;
			break;
		}
		if (poll(fds, 2, left * 1000) <= 0) continue;
		for (int i = 0; i < 2; i++) {
			if (fds[i].fd < 0 || !(fds[i].revents & (POLLIN | POLLHUP))) continue;
			char buf[65536];
			ssize_t k = read(fds[i].fd, buf, sizeof buf);
			if (k <= 0) {
				close(fds[i].fd);
				fds[i].fd = -1;
				open_--;
			} else if (i == 0) {
				appendbuf(&r.out, &r.outlen, buf, k);
			} else {
				appendbuf(&r.err, &r.errlen, buf, k);
			}
		}
	}
	for (int i = 0; i < 2; i++)
		if (fds[i].fd >= 0) close(fds[i].fd);
	int st;
	waitpid(pid, &st, 0);
	r.exited = WIFEXITED(st);
	r.code = WIFEXITED(st) ? WEXITSTATUS(st) : -1;
	r.sig = WIFSIGNALED(st) ? WTERMSIG(st) : 0;
	return r;
}

/* run: runv with a NULL-terminated list of arguments and the inherited
 * environment plus extra "K=V" settings in env (NULL-terminated, may be
 * NULL). */
__attribute__((unused)) static struct result runenv(const char *const *env, const char *prog, ...)
{
	char *argv[64];
	int n = 0;
	argv[n++] = (char *)prog;
	va_list ap;
	va_start(ap, prog);
	const char *a;
	while ((a = va_arg(ap, const char *)) && n < 63) argv[n++] = (char *)a;
	va_end(ap);
	argv[n] = NULL;
	char **envp = NULL;
	if (env) {
		size_t ne = 0, nx = 0;
		while (environ[ne]) ne++;
		while (env[nx]) nx++;
		envp = calloc(ne + nx + 1, sizeof *envp);
		size_t k = 0;
		for (size_t i = 0; i < ne; i++) {
			int overridden = 0;
			for (size_t j = 0; j < nx; j++) {
				size_t l = strcspn(env[j], "=");
				if (!strncmp(environ[i], env[j], l) && environ[i][l] == '=') overridden = 1;
			}
			if (!overridden) envp[k++] = environ[i];
		}
		for (size_t j = 0; j < nx; j++) envp[k++] = (char *)env[j];
	}
	struct result r = runv(argv, envp, 60);
	free(envp);
	return r;
}
#define run(...) runenv(NULL, __VA_ARGS__, (const char *)NULL)
#define runE(env, ...) runenv(env, __VA_ARGS__, (const char *)NULL)

/* shell runs a command line through /bin/sh. */
__attribute__((unused)) static struct result shell(const char *fmt, ...)
{
	char cmd[8192];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(cmd, sizeof cmd, fmt, ap);
	va_end(ap);
	char *argv[] = {"/bin/sh", "-c", cmd, NULL};
	return runv(argv, NULL, 120);
}

__attribute__((unused)) static const char *bin(const char *variant, const char *prog)
{
	static char buf[8][512];
	static int k;
	char *b = buf[k++ % 8];
	snprintf(b, 512, "%s/test/e2e/%s/%s", BUILD_DIR, variant, prog);
	return b;
}

__attribute__((unused)) static int have(const char *tool)
{
	char cmd[256];
	snprintf(cmd, sizeof cmd, "command -v %s >/dev/null 2>&1", tool);
	return system(cmd) == 0;
}

static const char *const gort_variants[] = {"musl", "plain", "mdyn", "glibc", "spie"};
#define NVARIANTS (sizeof gort_variants / sizeof gort_variants[0])

#define cr_skip_test_if(cond, ...) do { if (cond) cr_skip_test(__VA_ARGS__); } while (0)

#define assert_contains(hay, needle, ...) \
	cr_assert(strstr((hay), (needle)) != NULL, "expected \"%s\" in:\n%s", (needle), (hay))
#define assert_lacks(hay, needle) \
	cr_assert(strstr((hay), (needle)) == NULL, "did not expect \"%s\" in:\n%s", (needle), (hay))

#endif
