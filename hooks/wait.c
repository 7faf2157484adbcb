/* hooks/wait.c: waitpid, wait4, waitid and wait for gort programs
 * (libgort_hooks.a; how the hooks take the libc's place: hooks/io.c). A
 * wait for one child's exit parks only the goroutine (runtime/childwait.c). */
#include <sys/wait.h>
#include "../runtime/iohooks.h"

#define HOOK __attribute__((visibility("default")))

HOOK pid_t waitpid(pid_t pid, int *status, int options) { return gort_hook_wait4(pid, status, options, NULL); }
HOOK pid_t wait(int *status) { return gort_hook_wait4(-1, status, 0, NULL); }
HOOK pid_t wait4(pid_t pid, int *status, int options, struct rusage *ru)
{
	return gort_hook_wait4(pid, status, options, ru);
}
HOOK int waitid(idtype_t idtype, id_t id, siginfo_t *info, int options)
{
	return gort_hook_waitid((int)idtype, id, info, options);
}
