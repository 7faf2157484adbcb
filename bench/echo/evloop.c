/* bench/echo/evloop.c: the event-loop floor for bench/echo. The usual
 * hand-written epoll echo server in plain C (musl static, no gort):
 * non-blocking sockets, edge-triggered epoll, one loop per thread. With
 * THREADS=1 a single loop serves every connection; with THREADS=N each of
 * N threads runs its own loop on its own listening socket bound to the
 * same port with SO_REUSEPORT, and the kernel spreads the connections.
 * This is what a goroutine-per-connection server is measured against at
 * equal CPUs (issue #18: >= 0.9x its requests per second).
 *
 *   evloop [THREADS=1]
 *
 * Prints "echo: listening on 127.0.0.1:PORT" (the same line as
 * examples/echo, which bench/echo/run.sh waits for) and serves until
 * killed. Each readable connection is drained until EAGAIN and every byte
 * written back at once; a write that would block (never for 64-byte round
 * trips on loopback) keeps the rest in a per-connection buffer and waits
 * for EPOLLOUT. */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#define BUFSZ 16384

struct conn {
	int fd;
	size_t pending, off; /* bytes kept for EPOLLOUT, and where they start */
	char buf[BUFSZ];
};

static int port;

static void die(const char *what)
{
	fprintf(stderr, "evloop: %s: %s\n", what, strerror(errno));
	exit(1);
}

static int listener(void)
{
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0) die("socket");
	int one = 1;
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
	setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &one, sizeof one);
	struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (bind(fd, (struct sockaddr *)&sa, sizeof sa) < 0) die("bind");
	if (listen(fd, 4096) < 0) die("listen");
	socklen_t len = sizeof sa;
	getsockname(fd, (struct sockaddr *)&sa, &len);
	port = ntohs(sa.sin_port);
	return fd;
}

/* flush writes c's pending bytes; 0 when all are out, 1 when the socket is
 * full, -1 when the connection is gone. */
static int flush(struct conn *c)
{
	while (c->pending) {
		ssize_t w = write(c->fd, c->buf + c->off, c->pending);
		if (w < 0) {
			if (errno == EINTR) continue;
			return errno == EAGAIN ? 1 : -1;
		}
		c->off += (size_t)w;
		c->pending -= (size_t)w;
	}
	c->off = 0;
	return 0;
}

static void *loop(void *arg)
{
	int lfd = (int)(long)arg;
	int ep = epoll_create1(EPOLL_CLOEXEC);
	if (ep < 0) die("epoll_create1");
	struct epoll_event ev = {.events = EPOLLIN, .data.ptr = NULL};
	if (epoll_ctl(ep, EPOLL_CTL_ADD, lfd, &ev) < 0) die("epoll_ctl");
	struct epoll_event evs[256];
	for (;;) {
		int n = epoll_wait(ep, evs, 256, -1);
		if (n < 0) {
			if (errno == EINTR) continue;
			die("epoll_wait");
		}
		for (int i = 0; i < n; i++) {
			struct conn *c = evs[i].data.ptr;
			if (!c) {
				for (;;) {
					int fd = accept4(lfd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
					if (fd < 0) break;
					int one = 1;
					setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
					c = calloc(1, sizeof *c);
					if (!c) die("calloc");
					c->fd = fd;
					struct epoll_event cev = {.events = EPOLLIN | EPOLLOUT | EPOLLET | EPOLLRDHUP,
								  .data.ptr = c};
					if (epoll_ctl(ep, EPOLL_CTL_ADD, fd, &cev) < 0) die("epoll_ctl");
				}
				continue;
			}
			int r = flush(c);
			bool gone = r < 0;
			/* Edge-triggered: read until EAGAIN, unless the socket is
			 * full (then the next EPOLLOUT edge brings us back). */
			while (!gone && r == 0) {
				ssize_t got = read(c->fd, c->buf, BUFSZ);
				if (got < 0) {
					if (errno == EINTR) continue;
					gone = errno != EAGAIN;
					break;
				}
				if (got == 0) {
					gone = true;
					break;
				}
				c->pending = (size_t)got;
				r = flush(c);
				gone = r < 0;
			}
			if (gone) {
				close(c->fd); /* also leaves the epoll set */
				free(c);
			}
		}
	}
	return NULL;
}

int main(int argc, char **argv)
{
	long threads = argc > 1 ? strtol(argv[1], NULL, 10) : 1;
	if (threads < 1 || threads > 256) {
		fprintf(stderr, "usage: evloop [THREADS=1..256]\n");
		return 2;
	}
	int lfds[256];
	for (long i = 0; i < threads; i++) lfds[i] = listener();
	printf("echo: listening on 127.0.0.1:%d\n", port);
	fflush(stdout);
	for (long i = 1; i < threads; i++) {
		pthread_t t;
		if (pthread_create(&t, NULL, loop, (void *)(long)lfds[i])) die("pthread_create");
	}
	loop((void *)(long)lfds[0]);
	return 0;
}
