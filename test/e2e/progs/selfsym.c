/* selfsym: tracebacks name the program's own functions when the runtime can
 * no longer open its executable by name at the time of the traceback
 * (test/e2e/e2e_symbols.c). In each mode a goroutine, worker_loop, does the
 * damage and then shows its own traceback:
 *   chroot DIR  chroot(DIR) (an empty directory: no /proc, no program), then
 *               a NULL dereference (a fatal traceback, exit 2)
 *   nofile      RLIMIT_NOFILE 64 and /dev/null opened until EMFILE, then
 *               gort_traceback_all(2); exit 0
 *   noproc      main, still alone, unmounts /proc in a mount namespace of
 *               its own; then gort_traceback_all(2); exit 0 (exit 77 when
 *               the namespace or the unmount is not allowed here)
 * Run as root (chroot, unshare). */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/resource.h>
#include <unistd.h>
#include <gort.h>

static const char *mode, *dir;
static gort_waitgroup wg = GORT_WAITGROUP_INIT;

/* A frame pointer even where the build omits them (the glibc and plain
 * variants are not built by gortcc): the walk from gort_traceback_all
 * reaches worker_loop's caller through it. */
__attribute__((noinline, optimize("no-omit-frame-pointer"))) void worker_loop(void *arg)
{
	(void)arg;
	if (!strcmp(mode, "chroot")) {
		if (chroot(dir) != 0 || chdir("/") != 0) {
			printf("chroot %s: %s\n", dir, strerror(errno));
			exit(1);
		}
		printf("in the chroot\n");
		fflush(stdout);
		volatile int *p = NULL;
		*p = 1;
	} else if (!strcmp(mode, "nofile")) {
		struct rlimit rl = {64, 64};
		if (setrlimit(RLIMIT_NOFILE, &rl) != 0) exit(1);
		int n = 0;
		while (open("/dev/null", O_RDONLY) >= 0) n++;
		printf("open: %s after %d more\n", errno == EMFILE ? "EMFILE" : strerror(errno), n);
		fflush(stdout);
		gort_traceback_all(2);
	} else {
		gort_traceback_all(2);
	}
	gort_wg_done(&wg);
	__asm__ volatile("" ::: "memory"); /* no tail call: worker_loop stays a frame */
}

int main(int argc, char **argv)
{
	mode = argc > 1 ? argv[1] : "";
	dir = argc > 2 ? argv[2] : "/";
	if (!strcmp(mode, "noproc")) {
		/* Before the first goroutine: the process has one thread, as
		 * unshare(CLONE_NEWNS) needs. */
		if (unshare(CLONE_NEWNS) != 0 || mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) != 0 ||
		    umount2("/proc", MNT_DETACH) != 0) {
			printf("skip: %s\n", strerror(errno));
			return 77;
		}
		if (access("/proc/self/exe", F_OK) == 0) {
			printf("skip: /proc is still there\n");
			return 77;
		}
	}
	gort_wg_add(&wg, 1);
	gort_go(worker_loop, NULL);
	gort_wg_wait(&wg);
	printf("done\n");
	return 0;
}
