/* metrics.c: reads gort_metrics_read while goroutines are in known states,
 * and writes block and mutex profiles of known waits, for
 * test/observe/t_pprof.c. Prints name=value lines. */
#include <fcntl.h>
#include <gort.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#define NPARKED 100

static gort_chan *never, *ping, *pong;
static gort_mutex mu = GORT_MUTEX_INIT;
static gort_waitgroup wg = GORT_WAITGROUP_INIT;

static void parked(void *arg)
{
	(void)arg;
	int v;
	gort_chan_recv(never, &v);
}

static void insyscall(void *arg)
{
	(void)arg;
	struct timespec ts = {0, 300 * 1000 * 1000};
	gort_entersyscall();
	syscall(SYS_nanosleep, &ts, NULL);
	gort_exitsyscall();
}

static void ponger(void *arg)
{
	(void)arg;
	int v;
	for (int i = 0; i < 200; i++) {
		gort_chan_recv(ping, &v);
		gort_chan_send(pong, &v);
	}
}

/* contender: holds the mutex 1 ms at a time, against another. */
__attribute__((noinline)) static void contender(void *arg)
{
	(void)arg;
	for (int i = 0; i < 20; i++) {
		gort_mutex_lock(&mu);
		struct timespec ts = {0, 1000 * 1000};
		nanosleep(&ts, NULL); /* hooked: parks, holding the mutex */
		gort_mutex_unlock(&mu);
	}
	gort_wg_done(&wg);
}

static void writeprof(const char *kind)
{
	char name[64];
	snprintf(name, sizeof name, "%s.pprof", kind);
	int fd = open(name, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	printf("write_%s=%d\n", kind, gort_profile_write(kind, fd));
	close(fd);
}

int main(void)
{
	gort_profile_set_rate("block", 1);
	gort_profile_set_rate("mutex", 1);
	never = gort_chan_make(sizeof(int), 0);
	ping = gort_chan_make(sizeof(int), 0);
	pong = gort_chan_make(sizeof(int), 0);
	for (int i = 0; i < NPARKED; i++) gort_go(parked, NULL);
	gort_go(insyscall, NULL);
	gort_go(ponger, NULL);
	for (int i = 0; i < 200; i++) {
		int v = i;
		gort_chan_send(ping, &v);
		gort_chan_recv(pong, &v);
	}
	gort_wg_add(&wg, 2);
	gort_go(contender, NULL);
	gort_go(contender, NULL);
	gort_wg_wait(&wg);
	/* The contenders are still on their way out after their wg_done
	 * (main may run on the other P meanwhile: 103 alive, 2 running, once
	 * in a clean-clone run): wait until only the 100 parked, the one in a
	 * system call and main are left, 100 ms at most (a goroutine that
	 * stayed counted after it ended still fails the test). */
	for (int i = 0; i < 1000 && gort_numgoroutine() > NPARKED + 2; i++) gort_sleep(100000);

	size_t n;
	const struct gort_metric_desc *all = gort_metrics_all(&n);
	struct gort_metric m[32];
	for (size_t i = 0; i < n && i < 31; i++) m[i].name = all[i].name;
	m[n].name = "/no/such:metric";
	gort_metrics_read(m, n + 1);
	for (size_t i = 0; i <= n; i++) {
		if (m[i].kind == GORT_METRIC_UINT64) printf("%s=%llu\n", m[i].name, (unsigned long long)m[i].value.u64);
		else if (m[i].kind == GORT_METRIC_HISTOGRAM) {
			unsigned long long total = 0;
			for (size_t k = 0; k < m[i].value.hist.n; k++) total += m[i].value.hist.counts[k];
			printf("%s=hist n=%zu total=%llu first=%g last=%g\n", m[i].name, m[i].value.hist.n, total,
			       m[i].value.hist.buckets[0], m[i].value.hist.buckets[m[i].value.hist.n]);
		} else printf("%s=bad kind %d\n", m[i].name, m[i].kind);
	}
	writeprof("block");
	writeprof("mutex");
	printf("setrate_bad=%lld\n", (long long)gort_profile_set_rate("cpu", 5));
	return 0;
}
