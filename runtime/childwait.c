/* childwait.c: waiting for a child process parks only the goroutine
 * (issue #17 item 3): the runtime's side of the hooks waitpid, wait4,
 * waitid and wait (hooks/wait.c).
 *
 * Go's counterpart: os.(*Process).pidfdWait (os/pidfd_linux.go), which
 * waits on a pidfd with the netpoller. Here the same: for a wait on one
 * child (pid > 0, or waitid P_PID / P_PIDFD) for its exit only, the
 * goroutine first asks the kernel without blocking (WNOHANG: an exited
 * child costs one system call); if the child still runs, it opens a pidfd
 * (pidfd_open, Linux 5.3), which becomes readable when the child exits,
 * parks on it in the netpoller, and asks again when woken. No thread
 * waits: a thousand goroutines each waiting for its own child need no more
 * threads than GOMAXPROCS. The answer is the kernel's own wait4/waitid
 * answer, status, rusage and errors included (ECHILD for a pid that is not
 * a child, or was reaped meanwhile by another wait).
 *
 * What cannot be waited on that way blocks the thread, as a system call
 * that loses its P (entersyscall: sysmon hands the P to another thread
 * after a tick): a wait for any child or a process group (pid <= 0, P_ALL,
 * P_PGID), for stops and continues (WUNTRACED, WCONTINUED, WSTOPPED), or
 * where pidfd_open fails (old kernels, seccomp, EMFILE). WNOHANG calls and
 * calls outside a goroutine (hooks_active) are the plain system call.
 *
 * Signals: the wait is interrupted (EINTR) by a handler of the program
 * installed without SA_RESTART, as wait4 is (PDI_NORESTART); gort's own
 * signals never interrupt it.
 *
 * Rejected: SIGCHLD with a table of waiters (the program may own SIGCHLD,
 * and a signal says nothing about which child); a helper thread per wait
 * (what this replaces: a thread per waiting goroutine); polling with
 * WNOHANG on a timer (latency or wasted wake-ups). */
#include <fcntl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include "runtime.h"
#include "iohooks.h"
#include "netpoll.h"

#ifndef SYS_pidfd_open
#define SYS_pidfd_open 434
#endif
#ifndef P_PIDFD
#define P_PIDFD 3
#endif


/* blocked: the call made blocking the thread, the P free to go. */
static long blocked(long nr, long a, long b, long c, long d, long e)
{
	entersyscall();
	long r = rawsyscall6(nr, a, b, c, d, e, 0);
	exitsyscall();
	return r;
}

/* pidfd_wait parks until fd (a pidfd) is readable: 0, or an errno value
 * (EINTR: a handler of the program without SA_RESTART ran). */
static int pidfd_wait(int fd)
{
	return fdio_pollone(fd, POLLIN, PDI_NORESTART);
}

pid_t gort_hook_wait4(pid_t pid, int *status, int options, struct rusage *ru)
{
	if (!hooks_active() || (options & WNOHANG))
		return (pid_t)sret(rawsyscall6(SYS_wait4, pid, (long)status, options, (long)ru, 0, 0));
	if (pid <= 0 || (options & (WUNTRACED | WCONTINUED)))
		return (pid_t)sret(blocked(SYS_wait4, pid, (long)status, options, (long)ru, 0));
	long r = rawsyscall6(SYS_wait4, pid, (long)status, options | WNOHANG, (long)ru, 0, 0);
	if (r != 0) return (pid_t)sret(r);
	int fd = (int)rawsyscall(SYS_pidfd_open, pid, 0, 0);
	if (fd < 0) return (pid_t)sret(blocked(SYS_wait4, pid, (long)status, options, (long)ru, 0));
	for (;;) {
		int e = pidfd_wait(fd);
		r = rawsyscall6(SYS_wait4, pid, (long)status, options | WNOHANG, (long)ru, 0, 0);
		if (r != 0) break;
		if (e == EINTR) {
			r = -EINTR;
			break;
		}
	}
	gort_close(fd);
	return (pid_t)sret(r);
}

int gort_hook_waitid(int idtype, id_t id, siginfo_t *info, int options)
{
	if (!hooks_active() || (options & WNOHANG))
		return (int)sret(rawsyscall6(SYS_waitid, idtype, id, (long)info, options, 0, 0));
	if ((idtype != P_PID && idtype != P_PIDFD) || (options & (WSTOPPED | WCONTINUED)) || !(options & WEXITED) ||
	    !info)
		return (int)sret(blocked(SYS_waitid, idtype, id, (long)info, options, 0));
	/* Not ready: waitid with WNOHANG returns 0 and leaves si_pid 0. */
	info->si_pid = 0;
	long r = rawsyscall6(SYS_waitid, idtype, id, (long)info, options | WNOHANG, 0, 0);
	if (r != 0 || info->si_pid != 0) return (int)sret(r);
	/* The program's own pidfd is not registered with the netpoller (the
	 * program may poll it itself): a duplicate is. */
	int fd = idtype == P_PIDFD ? (int)rawsyscall(SYS_fcntl, id, F_DUPFD_CLOEXEC, 0)
				   : (int)rawsyscall(SYS_pidfd_open, id, 0, 0);
	if (fd < 0) return (int)sret(blocked(SYS_waitid, idtype, id, (long)info, options, 0));
	for (;;) {
		int e = pidfd_wait(fd);
		info->si_pid = 0;
		r = rawsyscall6(SYS_waitid, idtype, id, (long)info, options | WNOHANG, 0, 0);
		if (r != 0 || info->si_pid != 0) break;
		if (e == EINTR) {
			r = -EINTR;
			break;
		}
	}
	gort_close(fd);
	return (int)sret(r);
}
