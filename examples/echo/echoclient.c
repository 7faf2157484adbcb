/* echoclient: N concurrent clients (one goroutine each) against an echo
 * server; each sends BYTES bytes of its own pattern in random-sized pieces
 * and checks every byte that comes back. Exit 0 only if all bytes match.
 * Usage: echoclient HOST PORT N BYTES [ROUNDTRIPS]
 * With ROUNDTRIPS, each client instead does that many 64-byte request /
 * response round trips and the total rate is printed (the echo benchmark). */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>
#include <gort.h>

static struct sockaddr_in addr;
static long nbytes, roundtrips;
static gort_waitgroup wg = GORT_WAITGROUP_INIT;
static _Atomic long failures, okclients, totalrt;

static int dial(void)
{
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0) return -1;
	int one = 1;
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
	if (gort_connect(fd, (struct sockaddr *)&addr, sizeof addr) < 0) {
		gort_close(fd);
		return -1;
	}
	return fd;
}

struct sender { int fd; long id; };
static void send_all(void *arg)
{
	struct sender *s = arg;
	char buf[8192];
	unsigned seed = (unsigned)s->id * 2654435761u;
	for (long off = 0; off < nbytes;) {
		long k = 1 + rand_r(&seed) % sizeof buf;
		if (k > nbytes - off) k = nbytes - off;
		for (long i = 0; i < k; i++) buf[i] = (char)((s->id * 31 + off + i) & 0xff);
		if (gort_write(s->fd, buf, k) != k) break;
		off += k;
	}
	shutdown(s->fd, SHUT_WR);
}

struct senderjob { struct sender *s; gort_waitgroup *w; };
static void sender_run(void *p)
{
	struct senderjob *j = p;
	send_all(j->s);
	gort_wg_done(j->w);
}

static void client(void *arg)
{
	long id = (long)arg;
	int fd = dial();
	if (fd < 0) {
		atomic_fetch_add(&failures, 1);
		gort_wg_done(&wg);
		return;
	}
	if (roundtrips) {
		char req[64], resp[64];
		memset(req, (int)id, sizeof req);
		for (long r = 0; r < roundtrips; r++) {
			if (gort_write(fd, req, sizeof req) != sizeof req) break;
			long got = 0;
			while (got < (long)sizeof resp) {
				ssize_t n = gort_read(fd, resp + got, sizeof resp - got);
				if (n <= 0) break;
				got += n;
			}
			if (got != sizeof resp || memcmp(req, resp, sizeof req)) {
				atomic_fetch_add(&failures, 1);
				break;
			}
			atomic_fetch_add(&totalrt, 1);
		}
	} else {
		/* Write from a second goroutine while this one reads: neither
		 * side of the socket can fill up and stall the other. */
		struct sender s = {fd, id};
		gort_waitgroup done = GORT_WAITGROUP_INIT;
		gort_wg_add(&done, 1);
		struct senderjob job = {&s, &done};
		gort_go(sender_run, &job);
		char buf[16384];
		long off = 0, bad = 0;
		ssize_t n;
		while ((n = gort_read(fd, buf, sizeof buf)) > 0) {
			for (ssize_t i = 0; i < n; i++)
				if (buf[i] != (char)((id * 31 + off + i) & 0xff)) bad++;
			off += n;
		}
		gort_wg_wait(&done);
		if (bad || off != nbytes) atomic_fetch_add(&failures, 1);
		else atomic_fetch_add(&okclients, 1);
	}
	gort_close(fd);
	gort_wg_done(&wg);
}

int main(int argc, char **argv)
{
	if (argc < 5) {
		fprintf(stderr, "usage: echoclient HOST PORT N BYTES [ROUNDTRIPS]\n");
		return 2;
	}
	struct rlimit rl;
	if (getrlimit(RLIMIT_NOFILE, &rl) == 0) {
		rl.rlim_cur = rl.rlim_max;
		setrlimit(RLIMIT_NOFILE, &rl);
	}
	addr.sin_family = AF_INET;
	addr.sin_port = htons(atoi(argv[2]));
	inet_pton(AF_INET, argv[1], &addr.sin_addr);
	long n = atol(argv[3]);
	nbytes = atol(argv[4]);
	roundtrips = argc > 5 ? atol(argv[5]) : 0;
	int64_t t0 = gort_nanotime();
	gort_wg_add(&wg, n);
	for (long i = 0; i < n; i++) gort_go(client, (void *)i);
	gort_wg_wait(&wg);
	double s = (gort_nanotime() - t0) / 1e9;
	if (roundtrips)
		printf("clients=%ld roundtrips=%ld failures=%ld rate=%.0f req/s\n", n, atomic_load(&totalrt),
		       atomic_load(&failures), atomic_load(&totalrt) / s);
	else
		printf("clients=%ld ok=%ld failures=%ld bytes_each=%ld\n", n, atomic_load(&okclients),
		       atomic_load(&failures), nbytes);
	return atomic_load(&failures) ? 1 : 0;
}
