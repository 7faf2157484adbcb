/* dnsd.c: a DNS server for the lookup tests (issue #17 item 1): plain C, no
 * gort. Answers every query DELAY_MS after it arrived (many in flight at
 * once), on UDP ADDR:53:
 *   A of NAME      one address, 10.H1.H2.H3 from a hash of NAME (the client
 *                  computes the same), TTL 60
 *   AAAA           no data (NOERROR, no answer)
 *   names "nx*"    NXDOMAIN
 *   dnsd ADDR DELAY_MS     prints "ready" once bound; runs until killed */
#include <arpa/inet.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

struct pending {
	double due;
	struct sockaddr_in to;
	int n;
	unsigned char buf[512];
};
static struct pending q[8192];
static int nq;

static double now(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec + t.tv_nsec / 1e9;
}

static uint32_t hash(const unsigned char *name, int len)
{
	uint32_t h = 2166136261u;
	for (int i = 0; i < len; i++) h = (h ^ (name[i] | 0x20)) * 16777619u;
	return h;
}

int main(int argc, char **argv)
{
	if (argc != 3) return 2;
	int s = socket(AF_INET, SOCK_DGRAM, 0);
	struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons(53)};
	inet_pton(AF_INET, argv[1], &a.sin_addr);
	if (bind(s, (struct sockaddr *)&a, sizeof a)) return perror("dnsd: bind"), 1;
	double delay = atoi(argv[2]) / 1000.0;
	printf("ready\n");
	fflush(stdout);
	for (;;) {
		int ms = -1;
		if (nq) {
			double d = q[0].due - now();
			ms = d <= 0 ? 0 : (int)(d * 1000) + 1;
		}
		struct pollfd p = {s, POLLIN, 0};
		if (poll(&p, 1, ms) > 0 && nq < 8192) {
			struct pending *e = &q[nq];
			socklen_t l = sizeof e->to;
			e->n = (int)recvfrom(s, e->buf, sizeof e->buf, 0, (struct sockaddr *)&e->to, &l);
			if (e->n >= 17) {
				e->due = now() + delay;
				nq++;
			}
		}
		while (nq && q[0].due <= now()) {
			struct pending *e = &q[0];
			unsigned char *b = e->buf;
			/* the question: labels, then type and class */
			int i = 12, nl = 0;
			unsigned char name[256];
			while (i < e->n && b[i] && nl < 250) {
				int l = b[i];
				if (nl) name[nl++] = '.';
				memcpy(name + nl, b + i + 1, l);
				nl += l;
				i += l + 1;
			}
			i++;
			int qtype = b[i] << 8 | b[i + 1];
			int qend = i + 4;
			b[2] = 0x81, b[3] = 0x80; /* response, RD, RA */
			b[6] = b[7] = b[8] = b[9] = b[10] = b[11] = 0;
			int n = qend;
			if (nl >= 2 && name[0] == 'n' && name[1] == 'x') {
				b[3] |= 3; /* NXDOMAIN */
			} else if (qtype == 1) {
				uint32_t h = hash(name, nl);
				unsigned char rr[] = {0xc0, 12, 0, 1, 0, 1, 0, 0, 0, 60, 0, 4, 10, h >> 16 & 255, h >> 8 & 255, h & 255};
				memcpy(b + n, rr, sizeof rr);
				n += sizeof rr;
				b[7] = 1;
			}
			sendto(s, b, n, 0, (struct sockaddr *)&e->to, sizeof e->to);
			memmove(q, q + 1, (size_t)(nq - 1) * sizeof q[0]);
			nq--;
		}
	}
}
