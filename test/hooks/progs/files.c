/* files.c: plain C file I/O from many goroutines (issue #17 item 2). Main
 * writes N files, syncs them and drops their pages (posix_fadvise
 * DONTNEED: a cold read without root), then N goroutines each read their
 * own file with read() and check it with pread(), fsync a small file of
 * their own, while a ticker goroutine ticks every millisecond and a monitor
 * records the process's largest thread count. At GOMAXPROCS=1 the ticker
 * must keep ticking (only the goroutines wait, not the P) and the threads
 * stay bounded by the blocking pool, not one per waiting read.
 *   files DIR N SIZE_KIB   prints "files: ok=1 maxthreads=T ticks=K ms=M" */
#include <errno.h>
#include <fcntl.h>
#include <gort.h>
#include "threads.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

static const char *dir;
static long nfiles, size;
static gort_waitgroup wg = GORT_WAITGROUP_INIT, rw = GORT_WAITGROUP_INIT;
static volatile int done;
static _Atomic long ticks, bad, maxthreads;

static void path(char *b, size_t n, long i, const char *kind) { snprintf(b, n, "%s/%s%ld", dir, kind, i); }


static void ticker(void *a)
{
	(void)a;
	while (!done) {
		gort_sleep(1000000);
		ticks++;
	}
	gort_wg_done(&wg);
}

static void monitor(void *a)
{
	(void)a;
	while (!done) {
		long t = threads();
		if (t > maxthreads) maxthreads = t;
		gort_sleep(2000000);
	}
	gort_wg_done(&wg);
}

static void reader(void *a)
{
	long i = (long)a;
	char p[512];
	path(p, sizeof p, i, "f");
	int fd = open(p, O_RDONLY);
	char *buf = malloc(size), *chk = malloc(4096);
	long got = 0;
	ssize_t r;
	/* Half of them read the last page first, cold: a positional read
	 * that waits (io_uring's preadv at an offset, or the pool's). */
	if ((i & 1) && (pread(fd, chk, 4096, size - 4096) != 4096 || chk[0] != (char)(i + (size - 4096) / 4096)))
		bad++;
	while (fd >= 0 && got < size && (r = read(fd, buf + got, 65536 < size - got ? 65536 : size - got)) > 0) got += r;
	if (got != size) bad++;
	for (long k = 0; k < size; k += 4096)
		if (buf[k] != (char)(i + k / 4096)) {
			bad++;
			break;
		}
	if (pread(fd, chk, 4096, size - 4096) != 4096 || chk[0] != (char)(i + (size - 4096) / 4096)) bad++;
	close(fd);
	path(p, sizeof p, i, "s");
	int s = open(p, O_WRONLY | O_CREAT | O_TRUNC, 0640); /* the hooked open keeps the mode */
	struct stat st;
	if (s < 0 || fstat(s, &st) != 0 || (st.st_mode & 0777) != 0640) bad++;
	if (s < 0 || pwrite(s, "sync", 4, 0) != 4 || fsync(s) != 0 || fdatasync(s) != 0) bad++;
	close(s);
	unlink(p);
	free(buf);
	free(chk);
	gort_wg_done(&rw);
}

/* files roundtrips N: N calls that always go through the blocking pool and
 * return at once (fsync of a pipe: EINVAL), one after the other: a wake-up
 * lost between a pool thread's goready and the last M giving up its P hangs
 * the program (it did, 1 in about 60,000 round trips at GOMAXPROCS=1).
 * files lockedroundtrips N: the same, each call inside gort_lockosthread:
 * the G readied by the pool is handed to its own M by another. */
static int roundtrips(long n, int locked)
{
	int p[2];
	if (pipe(p) != 0) return 1;
	for (long i = 0; i < n; i++) {
		if (locked) gort_lockosthread();
		int r = fsync(p[0]);
		if (locked) gort_unlockosthread();
		if (r != -1 || errno != EINVAL) {
			printf("roundtrips: fsync of a pipe: %s\n", strerror(errno));
			return 1;
		}
	}
	printf("roundtrips: ok=1 n=%ld\n", n);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc == 3 && !strcmp(argv[1], "roundtrips")) return roundtrips(atol(argv[2]), 0);
	if (argc == 3 && !strcmp(argv[1], "lockedroundtrips")) return roundtrips(atol(argv[2]), 1);
	if (argc < 4) return 2;
	if (atol(argv[3]) < 4 || atol(argv[3]) % 4) return fprintf(stderr, "files: SIZE_KIB must be a multiple of 4\n"), 2;
	dir = argv[1];
	umask(022);
	nfiles = atol(argv[2]);
	size = atol(argv[3]) * 1024;
	char p[512], *buf = malloc(size);
	for (long i = 0; i < nfiles; i++) {
		for (long k = 0; k < size; k += 4096) memset(buf + k, (char)(i + k / 4096), 4096);
		path(p, sizeof p, i, "f");
		int fd = open(p, O_WRONLY | O_CREAT | O_TRUNC, 0644);
		if (fd < 0 || write(fd, buf, size) != size || fsync(fd) != 0) {
			perror("files: setup");
			return 1;
		}
		posix_fadvise(fd, 0, 0, POSIX_FADV_DONTNEED);
		close(fd);
	}
	gort_wg_add(&wg, 2);
	gort_go(ticker, NULL);
	gort_go(monitor, NULL);
	gort_sleep(5000000); /* the ticker and monitor are running */
	long t0 = ticks;
	struct timespec a, b;
	clock_gettime(CLOCK_MONOTONIC, &a);
	gort_wg_add(&rw, nfiles);
	for (long i = 0; i < nfiles; i++) gort_go(reader, (void *)i);
	gort_wg_wait(&rw);
	clock_gettime(CLOCK_MONOTONIC, &b);
	long k = ticks - t0;
	done = 1;
	gort_wg_wait(&wg);
	for (long i = 0; i < nfiles; i++) {
		path(p, sizeof p, i, "f");
		unlink(p);
	}
	long ms = (b.tv_sec - a.tv_sec) * 1000 + (b.tv_nsec - a.tv_nsec) / 1000000;
	printf("files: ok=%d maxthreads=%ld ticks=%ld ms=%ld\n", bad == 0, (long)maxthreads, k, ms);
	return 0;
}
