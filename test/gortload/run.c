/* run.c: the helpers in run.h. Children get stdin from /dev/null and their
 * stdout and stderr through pipes, read together with poll so neither can
 * fill up; a child that outlives its deadline is killed (and the test then
 * fails on its signal rather than hanging the suite). */
#include "run.h"

#include <criterion/criterion.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <stddef.h>
#include <sys/personality.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <ftw.h>
#include <time.h>
#include <unistd.h>

static void append(char **buf, size_t *len, size_t *cap, const char *p, size_t n)
{
	if (*len + n + 1 > *cap) {
		*cap = (*len + n + 1) * 2;
		*buf = realloc(*buf, *cap);
	}
	memcpy(*buf + *len, p, n);
	*len += n;
	(*buf)[*len] = 0;
}

static void deny_set_mm(void)
{
	struct sock_filter f[] = {
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr)),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, __NR_prctl, 0, 3),
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, args[0])),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, PR_SET_MM, 0, 1),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | EPERM),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
	};
	struct sock_fprog prog = {sizeof f / sizeof f[0], f};
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) || syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &prog)) {
		dprintf(2, "test: cannot install the seccomp filter: %s\n", strerror(errno));
		_exit(125);
	}
}

struct result runf(char *const argv[], char *const envp[], int flags)
{
	struct result r = {0};
	int po[2], pe[2];
	cr_assert(pipe2(po, O_CLOEXEC) == 0 && pipe2(pe, O_CLOEXEC) == 0);
	pid_t pid = fork();
	cr_assert(pid >= 0);
	if (pid == 0) {
		int null = open("/dev/null", O_RDONLY);
		dup2(null, 0);
		dup2(po[1], 1);
		dup2(pe[1], 2);
		if (flags & RUN_NORANDOM) personality(ADDR_NO_RANDOMIZE);
		if (flags & RUN_NO_SET_MM) deny_set_mm();
		execve(argv[0], argv, envp);
		dprintf(2, "test: cannot exec %s: %s\n", argv[0], strerror(errno));
		_exit(126);
	}
	close(po[1]);
	close(pe[1]);
	size_t ocap = 0, ecap = 0;
	append(&r.out, &r.outlen, &ocap, "", 0);
	append(&r.err, &r.errlen, &ecap, "", 0);
	struct pollfd fds[2] = {{po[0], POLLIN, 0}, {pe[0], POLLIN, 0}};
	int open_fds = 2;
	time_t deadline = time(NULL) + 30;
	while (open_fds > 0) {
		int left = (int)(deadline - time(NULL));
		if (left <= 0) {
			kill(pid, SIGKILL);
			break;
		}
		if (poll(fds, 2, left * 1000) < 0 && errno != EINTR) break;
		for (int i = 0; i < 2; i++) {
			if (fds[i].fd < 0 || !fds[i].revents) continue;
			char buf[65536];
			ssize_t n = read(fds[i].fd, buf, sizeof buf);
			if (n <= 0) {
				close(fds[i].fd);
				fds[i].fd = -1;
				open_fds--;
			} else if (i == 0) {
				append(&r.out, &r.outlen, &ocap, buf, n);
			} else {
				append(&r.err, &r.errlen, &ecap, buf, n);
			}
		}
	}
	for (int i = 0; i < 2; i++)
		if (fds[i].fd >= 0) close(fds[i].fd);
	int st;
	while (waitpid(pid, &st, 0) < 0 && errno == EINTR) {}
	r.exited = WIFEXITED(st);
	r.code = WIFEXITED(st) ? WEXITSTATUS(st) : -1;
	r.sig = WIFSIGNALED(st) ? WTERMSIG(st) : 0;
	return r;
}

struct result run(char *const argv[], char *const envp[])
{
	return runf(argv, envp, 0);
}

void result_free(struct result *r)
{
	free(r->out);
	free(r->err);
	r->out = r->err = NULL;
}

const char *prog(const char *variant)
{
	static __thread char buf[8][512];
	static __thread int k;
	char *b = buf[k++ % 8];
	snprintf(b, 512, "%s/%s/showstack", PROGS, variant);
	return b;
}

bool have(const char *path)
{
	return access(path, X_OK) == 0;
}

/* quoted copies the text between the first and the last '"' of line. */
static char *quoted(const char *line, const char *end)
{
	const char *a = memchr(line, '"', end - line);
	const char *b = end;
	while (b > line && b[-1] != '"') b--;
	if (!a || b - 1 <= a) return strdup("");
	return strndup(a + 1, (b - 1) - (a + 1));
}

static void init(struct stackview *v)
{
	memset(v, 0, sizeof *v);
	v->argc = -1;
	v->sp_mod16 = -1;
}

void parse_showstack(const char *out, struct stackview *v)
{
	init(v);
	for (const char *l = out; *l;) {
		const char *end = strchrnul(l, '\n');
		int i;
		unsigned long x;
		char name[64];
		if (sscanf(l, "argc=%d", &v->argc) == 1) {
		} else if (sscanf(l, "argv=0x%lx", &x) == 1) {
			v->argvaddr = x;
		} else if (sscanf(l, "entry_sp_mod16=%d", &v->sp_mod16) == 1) {
		} else if (sscanf(l, "argv[%d]=0x%lx", &i, &x) == 2 && memchr(l, '"', end - l) && i < MAXV) {
			v->argv[i] = x;
			v->args[i] = quoted(l, end);
			if (i + 1 > v->nargv) v->nargv = i + 1;
		} else if (sscanf(l, "envp[%d]=0x%lx", &i, &x) == 2 && memchr(l, '"', end - l) && i < MAXV) {
			v->envp[i] = x;
			v->envs[i] = quoted(l, end);
			if (i + 1 > v->nenv) v->nenv = i + 1;
		} else if (sscanf(l, "auxv %63s 0x%lx", name, &x) == 2 && v->naux < MAXV) {
			v->auxname[v->naux] = strdup(name);
			v->auxval[v->naux++] = x;
		} else if (sscanf(l, "random=%39s", v->random) == 1) {
		} else if (strncmp(l, "execfn=", 7) == 0) {
			char *s = quoted(l, end);
			snprintf(v->execfn, sizeof v->execfn, "%s", s);
			free(s);
		} else if (strncmp(l, "platform=", 9) == 0) {
			char *s = quoted(l, end);
			snprintf(v->platform, sizeof v->platform, "%s", s);
			free(s);
		} else if (sscanf(l, "brk=0x%lx", &x) == 1) {
			v->brk = x;
		}
		l = *end ? end + 1 : end;
	}
}

void parse_show(const char *err, struct stackview *v)
{
	init(v);
	bool in_maps = false;
	char *revname[MAXV];
	uint64_t revval[MAXV];
	int nrev = 0;
	for (const char *l = err; *l;) {
		const char *end = strchrnul(l, '\n');
		unsigned long a, b, off, x;
		char label[128], perms[8];
		int pos = 0, i;
		if (strncmp(l, "mappings", 8) == 0) {
			in_maps = true;
		} else if (strncmp(l, "also in the address space", 25) == 0 || strncmp(l, "initial stack", 13) == 0) {
			in_maps = false;
		} else if (in_maps && sscanf(l, " %lx-%lx %7s %lx", &a, &b, perms, &off) == 4 && v->nmaps < 64) {
			v->maps[v->nmaps].start = a;
			v->maps[v->nmaps].end = b;
			v->maps[v->nmaps].off = off;
			memcpy(v->maps[v->nmaps].perms, perms, 4);
			v->maps[v->nmaps].perms[4] = 0;
			v->nmaps++;
			if (memmem(l, end - l, "[stack]", 7)) {
				v->stack_lo = a;
				v->stack_hi = b;
			}
		} else if (sscanf(l, "  program break 0x%lx", &x) == 1) {
			v->brk = x;
		} else if (sscanf(l, "entry: 0x%lx", &x) == 1) {
			v->entry = x;
		} else if (sscanf(l, "  0x%lx  %127s %n", &a, label, &pos) == 2 && pos) {
			const char *rest = l + pos;
			if (memmem(l, end - l, "AT_RANDOM bytes", 15)) {
				snprintf(v->random, sizeof v->random, "%.39s", label);
			} else if (strcmp(label, "argc") == 0) {
				v->argc = atoi(rest);
				v->argvaddr = a + 8;
				v->sp_mod16 = a % 16;
			} else if (sscanf(label, "argv[%d]", &i) == 1 && memchr(rest, '"', end - rest) && i < MAXV) {
				v->argv[i] = strtoull(rest, NULL, 16);
				v->args[i] = quoted(rest, end);
				if (i + 1 > v->nargv) v->nargv = i + 1;
			} else if (sscanf(label, "envp[%d]", &i) == 1 && memchr(rest, '"', end - rest) && i < MAXV) {
				v->envp[i] = strtoull(rest, NULL, 16);
				v->envs[i] = quoted(rest, end);
				if (i + 1 > v->nenv) v->nenv = i + 1;
			} else if (strncmp(label, "AT_", 3) == 0 && nrev < MAXV) {
				revname[nrev] = strdup(label);
				revval[nrev++] = strtoull(rest, NULL, 16);
				if (strcmp(label, "AT_EXECFN") == 0 || strcmp(label, "AT_PLATFORM") == 0) {
					char *s = quoted(rest, end);
					snprintf(strcmp(label, "AT_EXECFN") == 0 ? v->execfn : v->platform,
					         strcmp(label, "AT_EXECFN") == 0 ? sizeof v->execfn : sizeof v->platform, "%s", s);
					free(s);
				}
			} else if (memmem(l, end - l, "end of the stack mapping", 24)) {
				v->stack_hi = a;
			}
		}
		l = *end ? end + 1 : end;
	}
	/* --show prints from the top down: auxv comes out last entry first. */
	for (int k = nrev - 1; k >= 0; k--) {
		v->auxname[v->naux] = revname[k];
		v->auxval[v->naux++] = revval[k];
	}
}

bool aux_get(const struct stackview *v, const char *name, uint64_t *val)
{
	for (int i = 0; i < v->naux; i++)
		if (strcmp(v->auxname[i], name) == 0) {
			if (val) *val = v->auxval[i];
			return true;
		}
	return false;
}

bool one_line(const char *s, const char *prefix)
{
	size_t n = strlen(s);
	return n > 0 && strncmp(s, prefix, strlen(prefix)) == 0 && strchr(s, '\n') == s + n - 1;
}

char *tmpdir(void)
{
	char *d = strdup("/tmp/gortload-test.XXXXXX");
	cr_assert(mkdtemp(d));
	return d;
}

static int rm_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st, (void)flag, (void)ftw;
	return remove(path);
}

void tmpdir_remove(char *d)
{
	nftw(d, rm_one, 16, FTW_DEPTH | FTW_PHYS);
	free(d);
}
