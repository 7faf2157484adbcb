/* dnsd.c: a DNS server for the lookup tests (issue #17 item 1): plain C, no
 * gort. Answers every query DELAY_MS after it arrived (many in flight at
 * once), on UDP ADDR:53, and at once on TCP ADDR:53:
 *   A of NAME      one address, 10.H1.H2.H3 from a hash of NAME (the client
 *                  computes the same), TTL 60
 *   AAAA           no data (NOERROR, no answer)
 *   names "nx*"    NXDOMAIN
 * and, for the comparison with the libc (hooks/name_lookups_match_the_libc):
 *   "multi*"       three A records          "six*"    A and AAAA (fd00::H)
 *   "cname*"       CNAME to c2.NAME, CNAME to t.NAME, its A
 *   "servfail*"    SERVFAIL                 "silent*" no answer at all
 *   "nodata*"      NOERROR, no answer for A either
 *   "lame*"        NOERROR, no answer, no RA (a lame server)
 *   "tc*"          over UDP the truncated flag and no answer; the A over TCP
 *   "bad*"         an answer count of 1 and the record cut short
 *   "big*"         40 A records (glibc's _r calls: ERANGE in small buffers)
 *   "wrongid*"     first a datagram with another ID, then the answer
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
	unsigned char buf[1024];
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

static int has(const unsigned char *name, int nl, const char *p)
{
	int l = (int)strlen(p);
	return nl >= l && memcmp(name, p, (size_t)l) == 0;
}

/* putname writes a dotted name uncompressed; returns the new end. */
static int putname(unsigned char *b, int n, const char *name)
{
	while (*name) {
		const char *d = strchr(name, '.');
		int l = d ? (int)(d - name) : (int)strlen(name);
		b[n++] = (unsigned char)l;
		memcpy(b + n, name, (size_t)l);
		n += l;
		name += l + (d != NULL);
	}
	b[n++] = 0;
	return n;
}

static int rr(unsigned char *b, int n, const char *owner, int type, const unsigned char *data, int len)
{
	if (owner) n = putname(b, n, owner);
	else b[n++] = 0xc0, b[n++] = 12;
	unsigned char f[] = {0, (unsigned char)type, 0, 1, 0, 0, 0, 60, (unsigned char)(len >> 8), (unsigned char)len};
	memcpy(b + n, f, sizeof f);
	n += sizeof f;
	memcpy(b + n, data, (size_t)len);
	return n + len;
}

/* answer turns the query in b (n bytes) into its answer in place; returns
 * its length, 0 for no answer. tcp: the query came over TCP. */
static int answer(unsigned char *b, int n, int tcp)
{
	if (n < 17) return 0;
	int i = 12, nl = 0;
	char name[256];
	while (i < n && b[i] && nl < 200) {
		int l = b[i];
		if (nl) name[nl++] = '.';
		memcpy(name + nl, b + i + 1, (size_t)l);
		nl += l;
		i += l + 1;
	}
	name[nl] = 0;
	i++;
	if (i + 4 > n) return 0;
	int qtype = b[i] << 8 | b[i + 1];
	int qend = i + 4, an = 0;
	const unsigned char *nm = (const unsigned char *)name;
	uint32_t h = hash(nm, nl);
	unsigned char a4[4] = {10, h >> 16 & 255, h >> 8 & 255, h & 255};
	b[2] = 0x81, b[3] = 0x80; /* response, RD, RA */
	memset(b + 6, 0, 6);
	n = qend;
	if (has(nm, nl, "silent")) return 0;
	if (has(nm, nl, "nx")) {
		b[3] |= 3;
	} else if (has(nm, nl, "servfail")) {
		b[3] |= 2;
	} else if (has(nm, nl, "lame")) {
		b[3] = 0;
	} else if (has(nm, nl, "nodata")) {
	} else if (has(nm, nl, "tc") && !tcp) {
		b[2] |= 2;
	} else if (has(nm, nl, "bad") && qtype == 1) {
		n = rr(b, n, NULL, 1, a4, 4) - 3; /* the address cut short */
		an = 1;
	} else if (has(nm, nl, "cname") && (qtype == 1 || qtype == 28)) {
		char c2[300], t[300];
		unsigned char w[300];
		snprintf(c2, sizeof c2, "c2.%s", name);
		snprintf(t, sizeof t, "t.%s", name);
		int wl = putname(w, 0, c2);
		n = rr(b, n, NULL, 5, w, wl);
		wl = putname(w, 0, t);
		n = rr(b, n, c2, 5, w, wl);
		an = 2;
		if (qtype == 1) n = rr(b, n, t, 1, a4, 4), an++;
	} else if (qtype == 1) {
		int k = has(nm, nl, "multi") ? 3 : has(nm, nl, "big") ? 40 : 1;
		for (int j = 0; j < k; j++) {
			a4[3] = (unsigned char)((h & 255) + j);
			n = rr(b, n, NULL, 1, a4, 4);
		}
		an = k;
	} else if (qtype == 28 && has(nm, nl, "six")) {
		unsigned char a6[16] = {0xfd, 0, [12] = h >> 24, h >> 16 & 255, h >> 8 & 255, h & 255};
		n = rr(b, n, NULL, 28, a6, 16);
		an = 1;
	}
	b[7] = (unsigned char)an;
	return n;
}

int main(int argc, char **argv)
{
	if (argc != 3) return 2;
	int s = socket(AF_INET, SOCK_DGRAM, 0), ts = socket(AF_INET, SOCK_STREAM, 0), one = 1;
	struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons(53)};
	inet_pton(AF_INET, argv[1], &a.sin_addr);
	setsockopt(ts, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
	/* 1,000 queries at once overflow the default receive buffer: a lost
	 * query costs its client a whole timeout. */
	int rb = 8 << 20;
	if (setsockopt(s, SOL_SOCKET, SO_RCVBUFFORCE, &rb, sizeof rb)) setsockopt(s, SOL_SOCKET, SO_RCVBUF, &rb, sizeof rb);
	if (bind(s, (struct sockaddr *)&a, sizeof a)) return perror("dnsd: bind"), 1;
	if (bind(ts, (struct sockaddr *)&a, sizeof a) || listen(ts, 64)) return perror("dnsd: bind tcp"), 1;
	double delay = atoi(argv[2]) / 1000.0;
	printf("ready\n");
	fflush(stdout);
	for (;;) {
		int ms = -1;
		if (nq) {
			double d = q[0].due - now();
			ms = d <= 0 ? 0 : (int)(d * 1000) + 1;
		}
		struct pollfd p[2] = {{s, POLLIN, 0}, {ts, POLLIN, 0}};
		if (poll(p, 2, ms) > 0) {
			if ((p[0].revents & POLLIN) && nq < 8192) {
				struct pending *e = &q[nq];
				socklen_t l = sizeof e->to;
				e->n = (int)recvfrom(s, e->buf, 512, 0, (struct sockaddr *)&e->to, &l);
				if (e->n >= 17) {
					e->due = now() + delay;
					nq++;
				}
			}
			if (p[1].revents & POLLIN) { /* TCP: one query, answered at once */
				int c = accept(ts, NULL, NULL);
				unsigned char b[1026];
				int got = 0, len = -1;
				struct pollfd cp = {c, POLLIN, 0};
				while (c >= 0 && poll(&cp, 1, 1000) > 0) {
					ssize_t r = read(c, b + got, sizeof b - (size_t)got);
					if (r <= 0) break;
					got += (int)r;
					if (got >= 2) len = b[0] << 8 | b[1];
					if (len >= 0 && got >= len + 2) break;
				}
				if (len > 0 && got >= len + 2) {
					int m = answer(b + 2, len, 1);
					b[0] = (unsigned char)(m >> 8), b[1] = (unsigned char)m;
					if (m > 0 && write(c, b, (size_t)m + 2) < 0) perror("dnsd: write");
				}
				if (c >= 0) close(c);
			}
		}
		while (nq && q[0].due <= now()) {
			struct pending *e = &q[0];
			int n = answer(e->buf, e->n, 0);
			if (n > 0 && e->n > 12 && !memcmp(e->buf + 13, "wrongid", 7)) {
				e->buf[1] ^= 0x55; /* a stray datagram with another ID first */
				sendto(s, e->buf, (size_t)n, 0, (struct sockaddr *)&e->to, sizeof e->to);
				e->buf[1] ^= 0x55;
			}
			if (n > 0) sendto(s, e->buf, (size_t)n, 0, (struct sockaddr *)&e->to, sizeof e->to);
			memmove(q, q + 1, (size_t)(nq - 1) * sizeof q[0]);
			nq--;
		}
	}
}
