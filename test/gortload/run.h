/* run.h: what gortload's tests share: running a program (directly or under
 * gortload) with a given argv and environment and collecting its output and
 * status, and reading the two descriptions of an initial stack this suite
 * compares: what showstack prints and what gortload --show prints. */
#ifndef GORTLOAD_TEST_RUN_H
#define GORTLOAD_TEST_RUN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define GORTLOAD BUILD_DIR "/gortload"
#define PROGS BUILD_DIR "/test/gortload-progs"

struct result {
	bool exited;   /* else killed by sig */
	int code, sig;
	char *out, *err;
	size_t outlen, errlen;
};

/* RUN_NORANDOM: personality ADDR_NO_RANDOMIZE (as setarch -R, gdb).
 * RUN_NO_SET_MM: a seccomp filter makes prctl(PR_SET_MM, ...) fail with
 * EPERM, as in a container that forbids it. */
enum { RUN_NORANDOM = 1, RUN_NO_SET_MM = 2 };

/* run executes argv[0] with argv and envp (NULL-terminated), stdin from
 * /dev/null, and waits at most 30 s. */
struct result run(char *const argv[], char *const envp[]);
struct result runf(char *const argv[], char *const envp[], int flags);
void result_free(struct result *r);

/* prog returns the path of showstack built as variant ("musl-static"...). */
const char *prog(const char *variant);
bool have(const char *path);

/* A parsed initial stack. */
#define MAXV 64
struct stackview {
	int argc;                        /* -1: not found */
	int nargv, nenv, naux;
	uint64_t argv[MAXV], envp[MAXV]; /* the pointers */
	char *args[MAXV], *envs[MAXV];   /* the strings */
	char *auxname[MAXV];
	uint64_t auxval[MAXV];
	char random[40];
	char execfn[256], platform[64];
	uint64_t brk, entry, argvaddr;
	int sp_mod16;
	/* --show only: */
	uint64_t stack_lo, stack_hi;
	struct { uint64_t start, end, off; char perms[5]; } maps[64]; /* what gortload mapped */
	int nmaps;
};

void parse_showstack(const char *out, struct stackview *v);
void parse_show(const char *err, struct stackview *v);
bool aux_get(const struct stackview *v, const char *name, uint64_t *val);
/* one_line: s is exactly one line, starting with prefix. */
bool one_line(const char *s, const char *prefix);
/* tmpdir makes a fresh directory under /tmp; tmpdir_remove deletes it and
 * everything in it, and frees d. */
char *tmpdir(void);
void tmpdir_remove(char *d);

#endif
