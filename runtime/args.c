/* args.c: what the kernel handed the process (Go's runtime1.go args/goargs
 * and os_linux.go sysargs): argc, argv, envp and the auxiliary vector.
 *
 * Runs before the libc is initialised: it reads the initial stack only, and
 * keeps pointers into it (the kernel's copy is never freed). Bad input is
 * expected here: argc may be 0 with argv[0] NULL (a legal execve before Linux
 * 5.18, and what gortload --empty-argv produces), envp may be empty, auxv may
 * lack entries. Nothing here may fault on such input. */
#include <elf.h>
#include "runtime.h"

int gort_argc;
char **gort_argv;
char **gort_envp;
uintptr_t *gort_auxv;
struct auxinfo auxv_info;
const char *executable_path = "";

/* envp_after returns envp: the vector after argv's NULL. It walks to the
 * NULL rather than trusting argc, so a lying argc cannot make it overrun. */
char **envp_after(char **argv, int argc)
{
	char **p = argv;
	(void)argc;
	while (*p) p++;
	return p + 1;
}

size_t parse_auxv(const uintptr_t *auxv, struct auxinfo *ai)
{
	size_t n = 0;
	for (; auxv[0] != AT_NULL; auxv += 2, n++) {
		uintptr_t v = auxv[1];
		switch (auxv[0]) {
		case AT_PAGESZ: ai->pagesz = v; ai->have_pagesz = true; break;
		case AT_RANDOM: ai->random = v; ai->have_random = v != 0; break;
		case AT_EXECFN: ai->execfn = v; break;
		case AT_HWCAP: ai->hwcap = v; break;
		case AT_HWCAP2: ai->hwcap2 = v; break;
		case AT_SECURE: ai->secure = v; break;
		case AT_SYSINFO_EHDR: ai->sysinfo_ehdr = v; break;
		case AT_PHDR: ai->phdr = v; break;
		case AT_PHNUM: ai->phnum = v; break;
		case AT_PHENT: ai->phent = v; break;
		case AT_BASE: ai->base = v; break;
		case AT_ENTRY: ai->entry = v; break;
		case AT_CLKTCK: ai->clktck = v; break;
		case AT_PLATFORM: ai->platform = v; break;
		case AT_UID: ai->uid = v; break;
		case AT_EUID: ai->euid = v; break;
		case AT_GID: ai->gid = v; break;
		case AT_EGID: ai->egid = v; break;
		}
	}
	return n;
}

/* args records argv, envp and auxv and reads the auxiliary vector. */
noinline void args(int argc, char **argv, char **envp, uintptr_t *auxv)
{
	gort_argc = argc;
	gort_argv = argv;
	gort_envp = envp;
	gort_auxv = auxv;
	parse_auxv(auxv, &auxv_info);
	if (auxv_info.execfn)
		executable_path = (const char *)auxv_info.execfn;
	else if (argc > 0 && argv[0])
		executable_path = argv[0];
}

/* gogetenv looks name up in the process's initial environment. In a
 * set-user-ID or otherwise secure program (AT_SECURE) the runtime's own
 * variables are not trusted: callers check auxv_info.secure. */
const char *gogetenv(const char *name)
{
	if (!gort_envp) return NULL;
	for (char **e = gort_envp; *e; e++) {
		const char *a = *e, *b = name;
		while (*b && *a == *b) a++, b++;
		if (!*b && *a == '=') return a + 1;
	}
	return NULL;
}
