/* server.c: bench/http's server (issue #18): HTTP/1.1 with keep-alive, a
 * goroutine per connection, plain accept/read/write through the libc call
 * hooks (no gort_* I/O), and a small request parser of its own: request
 * line, headers up to the blank line, Content-Length bodies skipped,
 * `Connection: close` honoured, pipelined requests answered in one write.
 * Every response is the one Go's net/http twin (bench/http/go) sends for
 * the same handler: 200, Date, Content-Length, Content-Type, a 13-byte body.
 *
 *   server [PORT]    prints "listening on 127.0.0.1:PORT" (0: any port) */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <gort.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

static const char body[] = "Hello, World!";

/* The Date header, as net/http writes it, remade once a second. */
static char datehdr[64];
static _Atomic time_t datesec;
static const char *date(void)
{
	time_t now = time(NULL);
	if (now != datesec) {
		struct tm tm;
		gmtime_r(&now, &tm);
		strftime(datehdr, sizeof datehdr, "%a, %d %b %Y %H:%M:%S GMT", &tm);
		datesec = now;
	}
	return datehdr;
}

/* request: one complete request at p (len n)? Returns its length (headers
 * and body), 0 if more bytes are needed, -1 if malformed; *close when the
 * client asked to close. */
static long request(const char *p, long n, int *close)
{
	const char *end = memmem(p, (size_t)n, "\r\n\r\n", 4);
	if (!end) return n > 16384 ? -1 : 0;
	long hlen = end + 4 - p, clen = 0;
	const char *eol = memchr(p, '\n', (size_t)hlen);
	if (!eol || eol - p < 14 || memcmp(eol - 9, "HTTP/1.", 7)) return -1;
	*close = eol[-2] == '0'; /* HTTP/1.0: close unless asked otherwise */
	for (const char *h = eol + 1; h < end; h = memchr(h, '\n', (size_t)(end - h)) + 1) {
		if (!strncasecmp(h, "content-length:", 15)) clen = atol(h + 15);
		else if (!strncasecmp(h, "connection:", 11)) {
			const char *v = h + 11;
			while (*v == ' ') v++;
			if (!strncasecmp(v, "close", 5)) *close = 1;
			else if (!strncasecmp(v, "keep-alive", 10)) *close = 0;
		}
		if (!memchr(h, '\n', (size_t)(end - h))) break;
	}
	if (clen < 0 || clen > (1 << 20)) return -1;
	return hlen + clen <= n ? hlen + clen : 0;
}

static void conn(void *arg)
{
	int fd = (int)(long)arg;
	char in[16384], out[16384];
	long have = 0;
	for (;;) {
		ssize_t r = read(fd, in + have, sizeof in - (size_t)have);
		if (r <= 0) break;
		have += r;
		long off = 0, olen = 0;
		int close = 0;
		for (;;) {
			long len = request(in + off, have - off, &close);
			if (len < 0) goto done;
			if (len == 0) break;
			olen += snprintf(out + olen, sizeof out - (size_t)olen,
					 "HTTP/1.1 200 OK\r\nDate: %s\r\nContent-Length: %zu\r\n"
					 "Content-Type: text/plain; charset=utf-8\r\n%s\r\n%s",
					 date(), sizeof body - 1, close ? "Connection: close\r\n" : "", body);
			off += len;
			if (close || olen > (long)sizeof out - 512) break;
		}
		if (olen && write(fd, out, (size_t)olen) != olen) break;
		if (close) break;
		memmove(in, in + off, (size_t)(have - off));
		have -= off;
		if (have == (long)sizeof in) break;
	}
done:
	close(fd);
}

int main(int argc, char **argv)
{
	int ls = socket(AF_INET, SOCK_STREAM, 0), one = 1;
	setsockopt(ls, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
	struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons(argc > 1 ? atoi(argv[1]) : 0)};
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	socklen_t l = sizeof a;
	if (bind(ls, (struct sockaddr *)&a, sizeof a) || listen(ls, 4096) || getsockname(ls, (struct sockaddr *)&a, &l)) {
		perror("server");
		return 1;
	}
	printf("listening on 127.0.0.1:%d\n", ntohs(a.sin_port));
	fflush(stdout);
	for (;;) {
		int c = accept(ls, NULL, NULL);
		if (c < 0) continue;
		setsockopt(c, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
		gort_go(conn, (void *)(long)c);
	}
}
