/* lookups.c: N goroutines resolve a name each with getaddrinfo against
 * test/hooks/progs/dnsd.c (which answers in 100 ms), at the GOMAXPROCS the
 * test sets, beside a ticker; then gethostbyname_r, gethostbyname (h_errno)
 * and an NXDOMAIN through getaddrinfo (EAI_NONAME), as the libc answers.
 * Prints "lookups: ok=1 n=N ms=M ticks=K maxthreads=T maxgap_ms=G": G is the
 * longest time between two ticks while the lookups ran (a lookup holding
 * the P for its 100 ms wait leaves a gap that long; a loaded machine only
 * fewer ticks).
 *   lookups N */
#include <arpa/inet.h>
#include <fcntl.h>
#include <gort.h>
#include "threads.h"
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static _Atomic long bad, ticks, maxthreads;
static _Atomic int64_t lasttick, maxgap; /* ns; maxgap counts once measuring is set */
static volatile int done, measuring;
static gort_waitgroup wg = GORT_WAITGROUP_INIT, helpers = GORT_WAITGROUP_INIT;

static uint32_t hash(const char *name)
{
	uint32_t h = 2166136261u;
	for (; *name; name++) h = (h ^ (unsigned char)(*name | 0x20)) * 16777619u;
	return h;
}


static void ticker(void *a)
{
	(void)a;
	while (!done) {
		gort_sleep(1000000);
		ticks++;
		int64_t now = gort_nanotime(), last = lasttick;
		if (measuring && now - last > maxgap) maxgap = now - last;
		lasttick = now;
		long t = threads();
		if (t > maxthreads) maxthreads = t;
	}
	gort_wg_done(&helpers);
}

static void resolver(void *a)
{
	char name[64];
	snprintf(name, sizeof name, "host%ld.gort.test", (long)a);
	struct addrinfo hints = {.ai_family = AF_INET, .ai_socktype = SOCK_STREAM}, *res = NULL;
	int e = getaddrinfo(name, "80", &hints, &res);
	uint32_t h = hash(name);
	if (e != 0 || !res) {
		fprintf(stderr, "%s: %s\n", name, gai_strerror(e));
		bad++;
	} else {
		struct sockaddr_in *sin = (struct sockaddr_in *)res->ai_addr;
		uint32_t want = htonl(10u << 24 | (h & 0xffffff));
		if (sin->sin_addr.s_addr != want || ntohs(sin->sin_port) != 80 || res->ai_next) bad++;
		freeaddrinfo(res);
	}
	gort_wg_done(&wg);
}

int main(int argc, char **argv)
{
	long n = argc > 1 ? atol(argv[1]) : 100;
	gort_wg_add(&helpers, 1);
	gort_go(ticker, NULL);
	gort_sleep(3000000);
	struct timespec a, b;
	clock_gettime(CLOCK_MONOTONIC, &a);
	long t0 = ticks;
	lasttick = gort_nanotime();
	measuring = 1;
	gort_wg_add(&wg, n);
	for (long i = 0; i < n; i++) gort_go(resolver, (void *)i);
	gort_wg_wait(&wg);
	clock_gettime(CLOCK_MONOTONIC, &b);
	/* The gap still open at the end counts too. */
	measuring = 0;
	int64_t open = gort_nanotime() - lasttick;
	long gap = (long)((open > maxgap ? open : maxgap) / 1000000);
	long k = ticks - t0;
	/* The other calls, each once, as the libc answers them. */
	struct hostent he, *r = NULL;
	char buf[1024];
	int herr = 0;
	if (gethostbyname_r("one.gort.test", &he, buf, sizeof buf, &r, &herr) != 0 || !r ||
	    *(uint32_t *)r->h_addr_list[0] != htonl(10u << 24 | (hash("one.gort.test") & 0xffffff)))
		fprintf(stderr, "gethostbyname_r\n"), bad++;
	/* h_errno is the thread's, not the goroutine's (only errno travels
	 * with a goroutine): read it on the thread that made the call. */
	gort_lockosthread();
	h_errno = 0;
	struct hostent *nx = gethostbyname("nxname.gort.test");
	int nxerr = h_errno;
	gort_unlockosthread();
	if (nx != NULL || nxerr != HOST_NOT_FOUND) fprintf(stderr, "gethostbyname nx: h_errno %d\n", nxerr), bad++;
	struct addrinfo hints = {.ai_family = AF_INET}, *res = NULL;
	int e = getaddrinfo("nxother.gort.test", NULL, &hints, &res);
	if (e != EAI_NONAME) fprintf(stderr, "getaddrinfo nx: %d %s\n", e, gai_strerror(e)), bad++;
	done = 1;
	gort_wg_wait(&helpers);
	long ms = (b.tv_sec - a.tv_sec) * 1000 + (b.tv_nsec - a.tv_nsec) / 1000000;
	printf("lookups: ok=%d n=%ld ms=%ld ticks=%ld maxthreads=%ld maxgap_ms=%ld\n", bad == 0, n, ms, k, (long)maxthreads,
	       gap);
	return 0;
}
