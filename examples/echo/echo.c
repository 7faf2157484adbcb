/* echo: a TCP echo server on loopback, one goroutine per connection (the
 * Go classic). Usage: echo [PORT]   (0 or nothing: any free port)
 * Prints "echo: listening on 127.0.0.1:PORT" and serves until killed.
 * Plain C plus gort's I/O calls: accept, read and write park the goroutine,
 * never the thread. */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>
#include <gort.h>

static void serve(void *arg)
{
	int fd = (int)(long)arg;
	char buf[16384];
	ssize_t n;
	while ((n = gort_read(fd, buf, sizeof buf)) > 0)
		if (gort_write(fd, buf, n) != n) break;
	gort_close(fd);
}

int main(int argc, char **argv)
{
	struct rlimit rl;
	if (getrlimit(RLIMIT_NOFILE, &rl) == 0) {
		rl.rlim_cur = rl.rlim_max;
		setrlimit(RLIMIT_NOFILE, &rl);
	}
	int port = argc > 1 ? atoi(argv[1]) : 0;
	int ls = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	int one = 1;
	setsockopt(ls, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
	struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons(port),
				 .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	if (bind(ls, (struct sockaddr *)&sa, sizeof sa) < 0 || listen(ls, 4096) < 0) {
		perror("echo: bind/listen");
		return 1;
	}
	socklen_t sl = sizeof sa;
	getsockname(ls, (struct sockaddr *)&sa, &sl);
	printf("echo: listening on 127.0.0.1:%d\n", ntohs(sa.sin_port));
	fflush(stdout);
	for (;;) {
		int c = gort_accept(ls, NULL, NULL);
		if (c < 0) {
			perror("echo: accept");
			continue;
		}
		setsockopt(c, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
		gort_go(serve, (void *)(long)c);
	}
}
