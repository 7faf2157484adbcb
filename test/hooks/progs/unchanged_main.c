/* unchanged: the program. main starts 1,000 goroutines; what they
 * run (unchanged_work.c) is plain C compiled without gort.h: usleep, then
 * read on a pipe until EOF. At GOMAXPROCS=1 it must finish in about the
 * time of one sleep, on a handful of threads (test/hooks/t_hooks.c).
 * Prints "readers=N bytes=B threads=T elapsed_ms=E". */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>
#include <gort.h>

long work_sleep_then_read(int fd, unsigned sleep_us);

#define N 1000
#define SLEEP_US 200000
static gort_waitgroup wg = GORT_WAITGROUP_INIT;
static int fds[N][2];
static long got[N];

static void worker(void *arg)
{
	long i = (long)arg;
	got[i] = work_sleep_then_read(fds[i][0], SLEEP_US);
	gort_wg_done(&wg);
}

static int maxthreads;
static int nthreads(void)
{
	int n = 0;
	DIR *d = opendir("/proc/self/task");
	struct dirent *e;
	while ((e = readdir(d)))
		if (e->d_name[0] != '.') n++;
	closedir(d);
	return n;
}

int main(void)
{
	int64_t t0 = gort_nanotime();
	for (long i = 0; i < N; i++) {
		if (pipe(fds[i]) < 0) {
			perror("pipe");
			return 1;
		}
		gort_wg_add(&wg, 1);
		gort_go(worker, (void *)i);
	}
	/* Every worker is asleep in usleep, then parked in read: feed them. */
	usleep(SLEEP_US / 2);
	if (nthreads() > maxthreads) maxthreads = nthreads();
	usleep(SLEEP_US);
	if (nthreads() > maxthreads) maxthreads = nthreads();
	for (int i = 0; i < N; i++) {
		write(fds[i][1], "0123456789", 10);
		close(fds[i][1]);
	}
	gort_wg_wait(&wg);
	long bytes = 0, readers = 0;
	for (int i = 0; i < N; i++) {
		bytes += got[i] > 0 ? got[i] : 0;
		readers += got[i] == 10;
	}
	printf("readers=%ld bytes=%ld threads=%d elapsed_ms=%lld\n", readers, bytes, maxthreads,
	       (long long)((gort_nanotime() - t0) / 1000000));
	return 0;
}
