/* dnsclient.c: gort's stub resolver for glibc programs (issue #17 item 1):
 * getaddrinfo, gethostbyname(_r) and gethostbyname2(_r) answered over the
 * netpoller, each lookup parking only its goroutine, where the libc's own
 * resolver would hold a thread of the blocking pool (resolv.c) for the
 * whole round trip. Go's counterpart: net/dnsclient_unix.go, dnsconfig.go,
 * conf.go (the pure-Go resolver, and hostLookupOrder's choice between it
 * and cgo).
 *
 * It answers only where its answer is glibc 2.36's, by construction:
 *   - configuration: nsswitch.conf's hosts line is `files dns` or `dns`;
 *     resolv.conf has only nameserver lines (dotted IPv4 or IPv6, the
 *     first 3 used), search or domain lines (up to 6 domains of letters,
 *     digits, hyphens and dots, or "."; without them a dotted hostname's
 *     domain, as glibc) and `options ndots: timeout: attempts: edns0
 *     trust-ad`; host.conf at most `multi`; gai.conf no setting; none of
 *     RES_OPTIONS, LOCALDOMAIN, HOSTALIASES, RESOLV_*; GODEBUG netdns is
 *     not cgo;
 *   - the name: dns_name_ok (dnsmsg.c), and no line of /etc/hosts names it
 *     (files answers first: the libc answers from the file, no wait);
 *   - the call: getaddrinfo with family AF_INET or AF_INET6, flags within
 *     AI_PASSIVE|AI_CANONNAME|AI_NUMERICSERV, a numeric service or none,
 *     and one address in the answer (with more, glibc sorts them by RFC
 *     3484 against source addresses: the libc answers, asking again);
 *     the same with AF_UNSPEC without AI_CANONNAME (the A and AAAA queries
 *     in parallel on one socket, as glibc's send_dg with two buffers: both
 *     answered, at most one address between them);
 *     gethostbyname(2)(_r) for AF_INET and AF_INET6, any number;
 *   - the answer: what dnsmsg.c reads as glibc does (else DNS_POOL).
 * Anything else returns false and the libc's own call runs on the pool, as
 * before this file: AF_UNSPEC with a canonical name, or where one of the
 * pair fails or times out (glibc then switches to single-request mode and
 * remembers it), sortlist, rotate, single-request(-reopen), use-vc,
 * no-aaaa and the other options, gethostbyaddr, getnameinfo.
 *
 * Algorithm (glibc's res_send.c, send_dg, send_vc; res_query.c):
 * attempts rounds over the servers in order; server i waits timeout << i
 * seconds, divided by the number of servers when i > 0 (glibc's formula),
 * at least 1; a UDP socket per server, connected, kept across rounds (an
 * answer to an earlier round's identical query still counts); a datagram
 * that is not the answer (ID, question) is ignored and the wait goes on;
 * SERVFAIL, NOTIMP, REFUSED, a datagram shorter than a header or a socket
 * error close the socket and move to the next server, as does a lame
 * answer (NOERROR, nothing in any section, neither AA nor RA); a truncated
 * answer switches to TCP for this and the remaining servers of the round,
 * and ends the rounds. No answer from any server: TRY_AGAIN (EAI_AGAIN).
 * Around it res_search (search()): the name as is, with each search
 * domain, as is again, by glibc's rules on dots, ndots and a final dot,
 * and its choice of the h_errno to report.
 * NXDOMAIN: HOST_NOT_FOUND (EAI_NONAME); NOERROR with no answer: NO_DATA
 * (EAI_NODATA, as glibc's getaddrinfo says; gethostbyname returns NULL
 * with h_errno NO_DATA). One difference, on purpose: glibc's TCP exchange
 * waits without a limit; here it gets the server's UDP wait.
 *
 * Configuration: read when a file's mtime, inode or size changed (stat at
 * each lookup, as glibc's resolv_conf.c does for resolv.conf), parsed under
 * conflock; each lookup copies what it needs (struct snap) and drops the
 * lock before any network wait. Allocation of results as glibc's: each
 * addrinfo one malloc with its sockaddr after it, ai_canonname a separate
 * string on the first: the libc's freeaddrinfo frees them.
 *
 * Rejected: answering every configuration (NSS modules, search lists,
 * RFC 3484 sorting with gai.conf, options whose effect is in glibc's
 * retry logic): each is a second implementation that can differ; the pool
 * stays the fallback and what is here is checked against it
 * (test hooks/name_lookups_match_the_libc). musl dynamic: musl's resolver
 * differs from glibc's (parallel servers, its own timeouts and errors):
 * dnsmusl.c copies that one. */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include "dnsmsg.h"
#include "iohooks.h"

/* dns_fstamp: what tells a configuration file changed (mtime, inode,
 * size), as glibc's resolv_conf.c compares them. */
struct fstamp dns_fstamp(const char *path)
{
	struct stat s;
	struct fstamp f = {0};
	if (rawsyscall6(SYS_newfstatat, AT_FDCWD, (long)path, (long)&s, 0, 0, 0) == 0) {
		f.exists = true;
		f.mtime = (int64_t)s.st_mtim.tv_sec * 1000000000 + s.st_mtim.tv_nsec;
		f.ino = s.st_ino;
		f.size = (uint64_t)s.st_size;
	}
	return f;
}

/* dns_readfile: the file's text, NUL-terminated (malloc), NULL if it cannot
 * be read; *big when over 1 MiB (not read). */
char *dns_readfile(const char *path, bool *big)
{
	*big = false;
	long fd = rawsyscall(SYS_openat, AT_FDCWD, path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) return NULL;
	size_t cap = 4096, n = 0;
	char *b = malloc(cap + 1);
	for (; b;) {
		if (n == cap) {
			if (cap >= 1 << 20) {
				*big = true;
				free(b);
				b = NULL;
				break;
			}
			char *nb = realloc(b, 2 * cap + 1);
			if (!nb) {
				free(b);
				b = NULL;
				break;
			}
			b = nb, cap *= 2;
		}
		long r = sys_read((int)fd, b + n, cap - n);
		if (r < 0 && r == -EINTR) continue;
		if (r < 0) {
			free(b);
			b = NULL;
			break;
		}
		if (r == 0) break;
		n += (size_t)r;
	}
	sys_close((int)fd);
	if (b) b[n] = 0;
	return b;
}

#ifdef GORT_GLIBC

enum { T_A = 1, T_AAAA = 28 };
enum { NFILES = 5, HOSTS = 4 };
static const char *const cfiles[NFILES] = {"/etc/resolv.conf", "/etc/nsswitch.conf", "/etc/host.conf",
					   "/etc/gai.conf", "/etc/hosts"};

/* What a lookup needs of the configuration, copied under conflock. */
enum { MAXSEARCH = 6 };
struct snap {
	bool ok; /* all of it is something this file answers as glibc */
	int nns, ndots, timeout, attempts;
	int qflags;                /* DNS_Q_AD (trust-ad), DNS_Q_EDNS (edns0) */
	int nsearch;               /* search or domain line, or the hostname's domain */
	char search[MAXSEARCH][DNS_NAMEMAX];
	struct sockaddr_in6 ns[3]; /* sin6_family AF_INET: a sockaddr_in */
	bool inhosts;              /* /etc/hosts names the name */
	size_t hostsline;          /* its longest line */
};

/* The parsed files: written by conf_get under conflock, read under it. */
static struct mutex conflock;
static struct {
	bool loaded;
	struct fstamp st[NFILES];
	bool fileok[NFILES];
	struct snap base;     /* resolv.conf's part */
	char *hosts;          /* /etc/hosts' text, NULL if absent */
	size_t hostsline;
} cf;

static bool isws(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\f' || c == '\v'; }

/* nextline: the line at *p (its end cut at '\n'), advancing *p. */
static char *nextline(char **p)
{
	char *l = *p;
	if (!*l) return NULL;
	char *e = strchr(l, '\n');
	if (e) {
		*e = 0;
		*p = e + 1;
	} else {
		*p = l + strlen(l);
	}
	return l;
}

static bool blank(const char *l)
{
	while (isws(*l)) l++;
	return *l == 0;
}

/* token: the next whitespace-separated word of *p, NUL-terminated in place. */
static char *token(char **p)
{
	char *s = *p;
	while (isws(*s)) s++;
	if (!*s) return NULL;
	char *e = s;
	while (*e && !isws(*e)) e++;
	if (*e) *e++ = 0;
	*p = e;
	return s;
}

static bool keyword(char **l, const char *k)
{
	size_t n = strlen(k);
	if (strncmp(*l, k, n) != 0 || !isws((*l)[n])) return false;
	*l += n;
	return true;
}

static bool number(const char *s, const char *prefix, int max, int *v)
{
	size_t n = strlen(prefix);
	if (strncmp(s, prefix, n) != 0) return false;
	s += n;
	if (!*s) return false;
	long x = 0;
	for (; *s; s++) {
		if (*s < '0' || *s > '9') return false;
		if (x < 1000) x = x * 10 + (*s - '0');
	}
	*v = x > max ? max : (int)x;
	return true;
}

/* parse_resolv: resolv.conf as glibc's res_init reads it, for the
 * settings listed at the top; false for anything else. */
/* domainok: a search list entry this file can append: "." or letters,
 * digits, hyphens and dots (the names it looks up: dns_name_ok's). */
static bool domainok(const char *d)
{
	if (!strcmp(d, ".")) return true;
	for (const char *c = d; *c; c++)
		if (!((*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z') || (*c >= '0' && *c <= '9') || *c == '-' ||
		      *c == '.'))
			return false;
	return *d && strlen(d) < 200;
}

static bool parse_resolv(char *t, struct snap *s)
{
	s->nns = 0, s->ndots = 1, s->timeout = 5, s->attempts = 2, s->qflags = 0, s->nsearch = 0;
	char *l;
	while (t && (l = nextline(&t))) {
		if (*l == ';' || *l == '#' || blank(l)) continue;
		if (keyword(&l, "nameserver")) {
			char *a = token(&l);
			if (!a || token(&l)) return false;
			struct sockaddr_in6 *sa = &s->ns[s->nns];
			memset(sa, 0, sizeof *sa);
			struct sockaddr_in *s4 = (struct sockaddr_in *)sa;
			if (strchr(a, ':')) {
				if (strchr(a, '%') || inet_pton(AF_INET6, a, &sa->sin6_addr) != 1) return false;
				sa->sin6_family = AF_INET6;
				sa->sin6_port = htons(53);
			} else {
				int dots = 0;
				for (char *c = a; *c; c++) dots += *c == '.';
				if (dots != 3 || inet_pton(AF_INET, a, &s4->sin_addr) != 1) return false;
				s4->sin_family = AF_INET;
				s4->sin_port = htons(53);
			}
			if (s->nns < 3) s->nns++;
			continue;
		}
		if (keyword(&l, "options")) {
			char *o;
			while ((o = token(&l))) {
				if (!strcmp(o, "edns0")) s->qflags |= DNS_Q_EDNS;
				else if (!strcmp(o, "trust-ad")) s->qflags |= DNS_Q_AD;
				else if (!number(o, "ndots:", 15, &s->ndots) && !number(o, "timeout:", 30, &s->timeout) &&
					 !number(o, "attempts:", 5, &s->attempts))
					return false;
			}
			continue;
		}
		/* domain and search: the last one wins (res_init); a domain
		 * line's first word, a search line's words */
		bool dom = keyword(&l, "domain");
		if (dom || keyword(&l, "search")) {
			char *d;
			int n = 0;
			while ((d = token(&l))) {
				if (!domainok(d) || n == MAXSEARCH) return false;
				strcpy(s->search[n++], d);
				if (dom) break;
			}
			if (n) s->nsearch = n; /* an empty line changes nothing */
			continue;
		}
		return false; /* sortlist, anything else */
	}
	if (s->nns == 0) { /* glibc's default: the loopback */
		struct sockaddr_in *s4 = (struct sockaddr_in *)&s->ns[0];
		memset(&s->ns[0], 0, sizeof s->ns[0]);
		s4->sin_family = AF_INET;
		s4->sin_port = htons(53);
		s4->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
		s->nns = 1;
	}
	return true;
}

/* parse_nsswitch: the hosts line is `files dns` or `dns`, no actions. */
static bool parse_nsswitch(char *t)
{
	char *l;
	int found = 0;
	bool ok = false;
	while (t && (l = nextline(&t))) {
		char *h = strchr(l, '#');
		if (h) *h = 0;
		while (isws(*l)) l++;
		if (strncmp(l, "hosts", 5) != 0) continue;
		char *c = l + 5;
		while (isws(*c)) c++;
		if (*c != ':') continue;
		c++;
		found++;
		char *w[3] = {0};
		int n = 0;
		char *tok;
		while ((tok = token(&c)) && n < 3) w[n++] = tok;
		ok = (n == 2 && !strcmp(w[0], "files") && !strcmp(w[1], "dns")) || (n == 1 && !strcmp(w[0], "dns"));
	}
	return found == 1 && ok;
}

/* parse_hostconf: nothing but `multi on|off` (the files module's, which
 * answers through the libc anyway); trim, reorder... change DNS answers. */
static bool parse_hostconf(char *t)
{
	char *l;
	while (t && (l = nextline(&t))) {
		char *h = strchr(l, '#');
		if (h) *h = 0;
		if (blank(l)) continue;
		char *k = token(&l), *v = token(&l);
		if (strcmp(k, "multi") || !v || (strcmp(v, "on") && strcmp(v, "off")) || token(&l)) return false;
	}
	return true;
}

/* parse_gaiconf: no setting (comments and blank lines only). */
static bool parse_gaiconf(char *t)
{
	char *l;
	while (t && (l = nextline(&t))) {
		char *h = strchr(l, '#');
		if (h) *h = 0;
		if (!blank(l)) return false;
	}
	return true;
}

static size_t longestline(const char *t)
{
	size_t m = 0;
	while (*t) {
		const char *e = strchr(t, '\n');
		size_t n = e ? (size_t)(e - t) : strlen(t);
		if (n > m) m = n;
		t += n + (e != NULL);
	}
	return m;
}

static bool envset(void)
{
	static const char *const vars[] = {"RES_OPTIONS", "LOCALDOMAIN", "HOSTALIASES", "RESOLV_HOST_CONF",
					   "RESOLV_MULTI", "RESOLV_REORDER", "RESOLV_SPOOF_CHECK",
					   "RESOLV_ADD_TRIM_DOMAINS", "RESOLV_OVERRIDE_TRIM_DOMAINS", "NSS_HOSTS"};
	for (size_t i = 0; i < sizeof vars / sizeof vars[0]; i++)
		if (getenv(vars[i])) return true;
	return false;
}

/* conf_get: the configuration as of now, for a lookup of name. */
static void conf_get(const char *name, struct snap *out)
{
	lock(&conflock);
	for (int i = 0; i < NFILES; i++) {
		struct fstamp f = dns_fstamp(cfiles[i]);
		if (cf.loaded && !memcmp(&f, &cf.st[i], sizeof f)) continue;
		cf.st[i] = f;
		bool big;
		char *t = f.exists ? dns_readfile(cfiles[i], &big) : NULL;
		if (f.exists && !t) big = true; /* unreadable: the libc decides */
		else if (!f.exists) big = false;
		switch (i) {
		case 0: cf.fileok[i] = !big && parse_resolv(t, &cf.base); break;
		case 1: cf.fileok[i] = !big && t && parse_nsswitch(t); break;
		case 2: cf.fileok[i] = !big && parse_hostconf(t); break;
		case 3: cf.fileok[i] = !big && parse_gaiconf(t); break;
		case HOSTS:
			free(cf.hosts);
			cf.hosts = t;
			t = NULL;
			cf.fileok[i] = !big;
			cf.hostsline = cf.hosts ? longestline(cf.hosts) : 0;
			break;
		}
		free(t);
	}
	cf.loaded = true;
	*out = cf.base;
	bool hostok = true;
	if (out->nsearch == 0) {
		/* glibc takes a dotted hostname's domain as the search list */
		struct utsname u;
		char *dot;
		if (rawsyscall(SYS_uname, &u, 0, 0) == 0 && (dot = strchr(u.nodename, '.'))) {
			if (!domainok(dot + 1)) hostok = false;
			else strcpy(out->search[out->nsearch++], dot + 1);
		}
	}
	out->ok = hostok;
	for (int i = 0; i < NFILES; i++) out->ok &= cf.fileok[i];
	out->inhosts = cf.hosts && dns_hosts_names(cf.hosts, name);
	out->hostsline = cf.hostsline;
	unlock(&conflock);
	if (envset() || debug.netdns == 2) out->ok = false;
}

/* ---- the exchange (res_send) ---- */

enum { EX_OK, EX_NEXT, EX_POOL };

/* What res_send leaves behind when no server answered, which res_search
 * reads: gotsomewhere (a wait timed out or a datagram came: errno
 * ETIMEDOUT, else ECONNREFUSED) and the rcode byte of the last datagram
 * read into the answer buffer (SERVFAIL lets the search go on). */
struct xstate {
	bool gots;
	int rcode;
};

static socklen_t salen(const struct sockaddr_in6 *sa)
{
	return sa->sin6_family == AF_INET6 ? sizeof(struct sockaddr_in6) : sizeof(struct sockaddr_in);
}

static void closefd(int *fd)
{
	if (*fd >= 0) gort_close(*fd);
	*fd = -1;
}

/* send_dg: one server over UDP, secs seconds (glibc's send_dg). */
static int send_dg(int *fd, const struct sockaddr_in6 *sa, int secs, const unsigned char *q, int qlen,
		   unsigned char *ans, int cap, int *alen, bool *vc, struct xstate *xs)
{
	if (*fd < 0) {
		long s = rawsyscall(SYS_socket, sa->sin6_family, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
		if (s < 0) return EX_POOL;
		*fd = (int)s;
		if (rawsyscall(SYS_connect, *fd, sa, salen(sa)) < 0) {
			closefd(fd);
			return EX_NEXT;
		}
	}
	int64_t deadline = nanotime() + (int64_t)secs * 1000000000;
	for (;;) {
		long w = rawsyscall6(SYS_sendto, *fd, (long)q, qlen, MSG_NOSIGNAL, 0, 0);
		if (w == qlen) break;
		if (w != -EAGAIN && w != -EINTR) {
			closefd(fd);
			return EX_NEXT;
		}
		int64_t rem = deadline - nanotime();
		if (rem <= 0 || gort_poll(*fd, POLLOUT, rem) == 0) {
			xs->gots = true;
			return EX_NEXT;
		}
	}
	for (;;) {
		int64_t rem = deadline - nanotime();
		int pr = rem > 0 ? gort_poll(*fd, POLLIN, rem) : 0;
		if (pr == 0) {
			xs->gots = true;
			return EX_NEXT;
		}
		if (pr < 0) {
			if (errno == EINTR) continue;
			closefd(fd);
			return EX_NEXT;
		}
		long n = rawsyscall6(SYS_recvfrom, *fd, (long)ans, cap, MSG_DONTWAIT, 0, 0);
		if (n == -EAGAIN || n == -EINTR) continue;
		if (n > 0) xs->gots = true;
		if (n >= 4) xs->rcode = ans[3] & 15;
		if (n < 12) { /* an error (ECONNREFUSED), or shorter than a header */
			closefd(fd);
			return EX_NEXT;
		}
		if (!dns_matches(q, qlen, ans, (int)n)) continue;
		int rcode = ans[3] & 15;
		bool lame = rcode == 0 && !(ans[6] | ans[7] | ans[10] | ans[11]) && !(ans[2] & 4) && !(ans[3] & 0x80);
		if (rcode == 2 || rcode == 4 || rcode == 5 || lame) {
			closefd(fd);
			return EX_NEXT;
		}
		if (ans[2] & 2) { /* TC: again over TCP */
			closefd(fd);
			*vc = true;
			return EX_NEXT;
		}
		*alen = (int)n;
		return EX_OK;
	}
}

static bool sendall(int fd, const unsigned char *b, int n, int64_t deadline)
{
	while (n > 0) {
		ssize_t w = gort_send_deadline(fd, b, (size_t)n, MSG_NOSIGNAL, deadline);
		if (w <= 0) return false;
		b += w, n -= (int)w;
	}
	return true;
}

static bool recvall(int fd, unsigned char *b, int n, int64_t deadline)
{
	while (n > 0) {
		ssize_t r = gort_recv_deadline(fd, b, (size_t)n, 0, deadline);
		if (r <= 0) return false;
		b += r, n -= (int)r;
	}
	return true;
}

/* send_vc: one server over TCP (glibc's send_vc), within secs seconds. */
static int send_vc(const struct sockaddr_in6 *sa, int secs, const unsigned char *q, int qlen, unsigned char *ans,
		   int cap, int *alen, struct xstate *xs)
{
	long s = rawsyscall(SYS_socket, sa->sin6_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (s < 0) return EX_POOL;
	int fd = (int)s, res = EX_NEXT;
	int64_t deadline = nanotime() + (int64_t)secs * 1000000000;
	unsigned char len[2] = {(unsigned char)(qlen >> 8), (unsigned char)qlen};
	if (gort_connect_deadline(fd, (const struct sockaddr *)sa, salen(sa), deadline) != 0 ||
	    !sendall(fd, len, 2, deadline) || !sendall(fd, q, qlen, deadline))
		goto out;
	for (;;) {
		if (!recvall(fd, len, 2, deadline)) goto out;
		int n = len[0] << 8 | len[1];
		if (n > cap) {
			res = EX_POOL;
			goto out;
		}
		if (!recvall(fd, ans, n, deadline)) goto out;
		if (n >= 4) xs->rcode = ans[3] & 15;
		if (n < 12) goto out;
		if (ans[0] != q[0] || ans[1] != q[1]) continue; /* an old answer: read on */
		int rcode = ans[3] & 15;
		res = dns_matches(q, qlen, ans, n) && (rcode == 0 || rcode == 3) ? EX_OK : EX_POOL;
		*alen = n;
		break;
	}
out:
	closefd(&fd);
	return res;
}

/* send_dg2: getaddrinfo's AF_UNSPEC pair (A then AAAA) to one server over
 * UDP, both answers awaited on the same socket (glibc's send_dg with two
 * buffers); ans[0] gets the first to arrive, as glibc's answer 1. Only
 * the plain course is followed here: both answered (NOERROR or NXDOMAIN,
 * not truncated, not lame), or nothing at all (EX_NEXT); anything in
 * between (one answered then a timeout, SERVFAIL, truncation) makes
 * glibc change modes (single-request, TCP): EX_POOL. */
static int send_dg2(int *fd, const struct sockaddr_in6 *sa, int secs, unsigned char *const q[2], const int qlen[2],
		    unsigned char *ans[2], int cap, int alen[2], struct xstate *xs)
{
	if (*fd < 0) {
		long s = rawsyscall(SYS_socket, sa->sin6_family, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
		if (s < 0) return EX_POOL;
		*fd = (int)s;
		if (rawsyscall(SYS_connect, *fd, sa, salen(sa)) < 0) {
			closefd(fd);
			return EX_NEXT;
		}
	}
	int64_t deadline = nanotime() + (int64_t)secs * 1000000000;
	for (int i = 0; i < 2; i++) {
		/* glibc sends both with one sendmmsg; an error the first
		 * datagram brought back (ECONNREFUSED from a closed port, at
		 * once on loopback) fails the second, and it moves to the next
		 * server with nothing received, as here */
		long w = rawsyscall6(SYS_sendto, *fd, (long)q[i], qlen[i], MSG_NOSIGNAL, 0, 0);
		if (w == qlen[i]) continue;
		if (w == -EAGAIN || w == -EINTR) return EX_POOL;
		closefd(fd);
		return EX_NEXT;
	}
	int got = 0;
	bool seen[2] = {false, false};
	while (got < 2) {
		int64_t rem = deadline - nanotime();
		int pr = rem > 0 ? gort_poll(*fd, POLLIN, rem) : 0;
		if (pr == 0) {
			xs->gots = true;
			return got ? EX_POOL : EX_NEXT;
		}
		if (pr < 0 && errno == EINTR) continue;
		long n = pr < 0 ? -1 : rawsyscall6(SYS_recvfrom, *fd, (long)ans[got], cap, MSG_DONTWAIT, 0, 0);
		if (n == -EAGAIN || n == -EINTR) continue;
		if (n > 0) xs->gots = true;
		if (n >= 4 && got == 0) xs->rcode = ans[0][3] & 15;
		if (n < 12) {
			if (got) return EX_POOL;
			closefd(fd);
			return EX_NEXT;
		}
		int which = !seen[0] && dns_matches(q[0], qlen[0], ans[got], (int)n)   ? 0
			    : !seen[1] && dns_matches(q[1], qlen[1], ans[got], (int)n) ? 1
										       : -1;
		if (which < 0) continue;
		unsigned char *h = ans[got];
		int rcode = h[3] & 15;
		bool lame = rcode == 0 && !(h[6] | h[7] | h[10] | h[11]) && !(h[2] & 4) && !(h[3] & 0x80);
		if ((rcode != 0 && rcode != 3) || lame || (h[2] & 2)) return EX_POOL;
		seen[which] = true;
		alen[got++] = (int)n;
	}
	return EX_OK;
}

/* exchange: the query (nq 1), or the A and AAAA pair (nq 2), to the
 * servers as res_send does; EX_NEXT when no server answered. */
static int exchange(const struct snap *s, int nq, unsigned char *const q[2], const int qlen[2], unsigned char *ans[2],
		    int cap, int alen[2], struct xstate *xs)
{
	int fds[3] = {-1, -1, -1}, res = EX_NEXT;
	bool vc = false;
	xs->gots = false;
	xs->rcode = 0; /* res_query sets NOERROR before sending */
	for (int t = 0; t < s->attempts; t++) {
		for (int i = 0; i < s->nns; i++) {
			int secs = s->timeout << i;
			if (i > 0) secs /= s->nns;
			if (secs <= 0) secs = 1;
			if (nq == 2) {
				res = send_dg2(&fds[i], &s->ns[i], secs, q, qlen, ans, cap, alen, xs);
				if (res != EX_NEXT) goto done;
				continue;
			}
			if (!vc) {
				res = send_dg(&fds[i], &s->ns[i], secs, q[0], qlen[0], ans[0], cap, &alen[0], &vc, xs);
				if (res != EX_NEXT) goto done;
				if (!vc) continue;
			}
			t = s->attempts; /* TCP: one exchange per server */
			res = send_vc(&s->ns[i], secs, q[0], qlen[0], ans[0], cap, &alen[0], xs);
			if (res != EX_NEXT) goto done;
		}
	}
	/* no answer after TCP: glibc's errno is then the TCP error's */
	if (vc) res = EX_POOL;
done:
	for (int i = 0; i < 3; i++) closefd(&fds[i]);
	return res;
}

/* ---- a lookup: nss files then nss dns, res_search's way ---- */

enum { DNS_TRYAGAIN = DNS_POOL + 1, ANSCAP = 65536 };
enum { Q_OK, Q_NEG, Q_FAIL, Q_POOL };

/* One query (res_query): of name for qtype, or (nq 2) the A and AAAA
 * pair. */
struct query {
	int nq, qtype;
	unsigned char *ans[2];
	int alen[2];
	int herr, err, rcode; /* Q_NEG and Q_FAIL: h_errno, errno, the buffer's rcode */
};

static int query1(const struct snap *s, const char *fqdn, struct query *qr)
{
	unsigned char q0[DNS_QMAX], q1[DNS_QMAX], *q[2] = {q0, q1};
	size_t n = strlen(fqdn);
	if (n && fqdn[n - 1] == '.') n--;
	if (n == 0 || n > 253) return Q_POOL;
	int qlen[2] = {dns_mkquery(q0, sizeof q0, fqdn, qr->nq == 2 ? T_A : qr->qtype, (uint16_t)fastrand(), s->qflags),
		       qr->nq == 2 ? dns_mkquery(q1, sizeof q1, fqdn, T_AAAA, (uint16_t)fastrand(), s->qflags) : 0};
	if (qlen[0] < 0 || qlen[1] < 0) return Q_POOL;
	struct xstate xs;
	int x = exchange(s, qr->nq, q, qlen, qr->ans, ANSCAP, qr->alen, &xs);
	if (x == EX_POOL) return Q_POOL;
	if (x == EX_NEXT) {
		qr->herr = TRY_AGAIN;
		qr->err = xs.gots ? ETIMEDOUT : ECONNREFUSED;
		qr->rcode = xs.rcode;
		return Q_FAIL;
	}
	/* res_query's judgement (for the pair: answer 1 is the first to arrive) */
	const unsigned char *h1 = qr->ans[0], *h2 = qr->nq == 2 ? qr->ans[1] : qr->ans[0];
	int rc1 = h1[3] & 15, rc2 = h2[3] & 15, an1 = h1[6] << 8 | h1[7], an2 = h2[6] << 8 | h2[7];
	if ((rc1 != 0 && rc1 != 3) || (rc2 != 0 && rc2 != 3)) return Q_POOL;
	qr->err = 0;
	qr->rcode = rc1;
	if ((rc1 != 0 || an1 == 0) && (rc2 != 0 || an2 == 0)) {
		qr->herr = (rc1 == 0 ? rc2 : rc1) == 3 ? HOST_NOT_FOUND : NO_DATA;
		return Q_NEG;
	}
	return Q_OK;
}

/* search: res_search over name (glibc's __res_context_search: the name
 * as is first when it has ndots dots or a final dot, then with each
 * search domain, then as is if not tried, the h_errno it leaves: see
 * there). Q_OK with qr's answers, Q_NEG (DNS_NOTFOUND, *herr), Q_FAIL
 * (TRY_AGAIN), or Q_POOL for the outcomes glibc reports in ways not
 * copied here (an error code from one query, h_errno from another). */
static int search(const struct snap *s, const char *name, struct query *qr, int *herr)
{
	size_t len = strlen(name);
	int dots = 0, saved = -1, nodata = 0, servfail = 0, k;
	for (const char *c = name; *c; c++) dots += *c == '.';
	bool trailing = len && name[len - 1] == '.', tried = false, root = false;
	int h = HOST_NOT_FOUND, err = 0;
	if (dots >= s->ndots || trailing) {
		k = query1(s, name, qr);
		if (k == Q_OK || k == Q_POOL) return k;
		h = qr->herr, err = qr->err;
		if (trailing) goto out;
		saved = h;
		tried = true;
	}
	if (!trailing) { /* RES_DEFNAMES and RES_DNSRCH, glibc's defaults */
		for (int i = 0; i < s->nsearch; i++) {
			const char *d = s->search[i];
			char fqdn[2 * DNS_NAMEMAX + 2];
			if (d[0] == '.') d++;
			if (!d[0]) root = true;
			char *e = stpcpy(fqdn, name); /* name: dns_name_ok, d: domainok */
			*e++ = '.';
			strcpy(e, d);
			k = query1(s, fqdn, qr);
			if (k == Q_OK || k == Q_POOL) return k;
			h = qr->herr, err = qr->err;
			if (err == ECONNREFUSED) goto out; /* no server: h_errno TRY_AGAIN, at once */
			if (h == NO_DATA) nodata++;
			else if (h == TRY_AGAIN && qr->rcode == 2) servfail++;
			else if (h != HOST_NOT_FOUND) break;
		}
	}
	if (!tried && !root) {
		k = query1(s, name, qr);
		if (k == Q_OK || k == Q_POOL) return k;
		h = qr->herr, err = qr->err;
	}
	if (saved != -1) h = saved;
	else if (nodata) h = NO_DATA;
	else if (servfail) h = TRY_AGAIN;
out:
	/* nss_dns: errno ETIMEDOUT or ECONNREFUSED is UNAVAIL, else NOTFOUND */
	if (err == 0 && (h == HOST_NOT_FOUND || h == NO_DATA)) {
		*herr = h;
		return Q_NEG;
	}
	if (err != 0 && h == TRY_AGAIN) return Q_FAIL;
	return Q_POOL;
}

/* lookup: name's addresses of family af into *r (status DNS_OK,
 * DNS_NOTFOUND, DNS_TRYAGAIN or DNS_POOL); minbuf > 0: the caller's buffer
 * size, which nss files must be able to read /etc/hosts' lines into. */
static void lookup(const char *name, int af, size_t minbuf, struct dnsresult *r)
{
	struct snap s;
	r->status = DNS_POOL;
	if (af != AF_INET && af != AF_INET6) return;
	if (!dns_name_ok(name)) return;
	conf_get(name, &s);
	if (!s.ok || s.inhosts || (minbuf && minbuf < s.hostsline + 512)) return;
	struct query qr = {.nq = 1, .qtype = af == AF_INET ? T_A : T_AAAA, .ans = {malloc(ANSCAP), NULL}};
	int herr = 0;
	if (!qr.ans[0]) return;
	switch (search(&s, name, &qr, &herr)) {
	case Q_OK: dns_parse(qr.ans[0], qr.alen[0], qr.qtype, r); break;
	case Q_NEG: r->status = DNS_NOTFOUND, r->herr = herr; break;
	case Q_FAIL: r->status = DNS_TRYAGAIN, r->herr = TRY_AGAIN; break;
	default: break;
	}
	free(qr.ans[0]);
}

/* lookup_unspec: getaddrinfo's AF_UNSPEC lookup (nss dns's
 * gethostbyname4_r: the A and AAAA queries in parallel), answered here
 * only when the pair gives at most one address (more are sorted by RFC
 * 3484). r->status as lookup's; DNS_OK: r->addr[0], r->addrlen. */
static void lookup_unspec(const char *name, struct dnsresult *r)
{
	struct snap s;
	r->status = DNS_POOL;
	r->naddr = 0;
	if (!dns_name_ok(name)) return;
	conf_get(name, &s);
	if (!s.ok || s.inhosts) return;
	struct query qr = {.nq = 2, .ans = {malloc(ANSCAP), malloc(ANSCAP)}};
	int herr = 0;
	if (!qr.ans[0] || !qr.ans[1]) goto out;
	switch (search(&s, name, &qr, &herr)) {
	case Q_NEG: r->status = DNS_NOTFOUND, r->herr = herr; goto out;
	case Q_FAIL: r->status = DNS_TRYAGAIN, r->herr = TRY_AGAIN; goto out;
	case Q_OK: break;
	default: goto out;
	}
	/* gaih_getanswer: both slices, their addresses in arrival order */
	int n1 = dns_slice(qr.ans[0], qr.alen[0], r->addr[0], &r->addrlen);
	if (n1 < 0) goto out;
	int n2 = dns_slice(qr.ans[1], qr.alen[1], r->addr[n1], &r->addrlen);
	if (n2 < 0 || n1 + n2 > 1) goto out;
	r->naddr = n1 + n2;
	r->status = r->naddr ? DNS_OK : DNS_NOTFOUND;
	r->herr = HOST_NOT_FOUND;
out:
	free(qr.ans[0]);
	free(qr.ans[1]);
}

struct answer {
	long ret;
	int err, herr;
	bool herrset;
};

/* ghbn_r: gethostbyname2_r's result for r in the caller's buffer. */
static bool ghbn_r(const struct dnsresult *r, int af, struct hostent *h, char *buf, size_t len,
		   struct hostent **res, int *herrp, struct answer *out)
{
	*res = NULL;
	if (r->status == DNS_OK) {
		if (dns_fillhost(r, af, h, buf, len) != 0) {
			*herrp = NETDB_INTERNAL;
			out->ret = out->err = ERANGE;
			return true;
		}
		*res = h;
		*herrp = NETDB_SUCCESS;
		out->ret = out->err = 0;
	} else if (r->status == DNS_NOTFOUND) {
		*herrp = r->herr;
		out->ret = out->err = 0;
	} else { /* DNS_TRYAGAIN */
		*herrp = TRY_AGAIN;
		out->ret = out->err = EAGAIN;
	}
	return true;
}

/* The non-_r forms' static result, as glibc's: grown to fit, overwritten
 * by the next call; filled under statlock, with no wait inside. */
static struct mutex statlock;
static struct hostent stathost;
static char *statbuf;
static size_t statlen;

static bool ghbn(const struct dnsresult *r, int af, struct answer *out)
{
	out->herrset = true;
	if (r->status != DNS_OK) {
		out->ret = 0;
		out->herr = r->status == DNS_NOTFOUND ? r->herr : TRY_AGAIN;
		out->err = r->status == DNS_NOTFOUND ? 0 : EAGAIN;
		return true;
	}
	lock(&statlock);
	size_t need = dns_layout(r, 0) + 1024;
	if (statlen < need) {
		char *b = realloc(statbuf, need);
		if (!b) {
			unlock(&statlock);
			return false;
		}
		statbuf = b, statlen = need;
	}
	dns_fillhost(r, af, &stathost, statbuf, statlen);
	unlock(&statlock);
	out->ret = (long)&stathost;
	out->herr = HOST_NOT_FOUND; /* glibc's too: res_search's first word, never reset on success */
	out->err = 0;
	return true;
}

/* ---- getaddrinfo ---- */

struct servtuple {
	int socktype, protocol;
};

/* servtuples: glibc's get_servtuples for a numeric or absent service: the
 * (socktype, protocol) pairs of its gaih_inet_typeproto table the hints
 * select, in its order. 0 on error (the libc says which). */
static int servtuples(const struct addrinfo *h, bool service, struct servtuple *st)
{
	static const struct {
		int socktype, protocol;
		bool any, noservice, dflt;
	} tp[] = {
		{SOCK_STREAM, IPPROTO_TCP, false, false, true},   {SOCK_DGRAM, IPPROTO_UDP, false, false, true},
		{SOCK_DCCP, IPPROTO_DCCP, false, false, false},   {SOCK_DGRAM, IPPROTO_UDPLITE, false, false, false},
		{SOCK_STREAM, IPPROTO_SCTP, false, false, false}, {SOCK_SEQPACKET, IPPROTO_SCTP, false, false, false},
		{SOCK_RAW, 0, true, true, true},
	};
	int n = (int)(sizeof tp / sizeof tp[0]);
	if (h->ai_socktype || h->ai_protocol) {
		int i = 0;
		while (i < n && ((h->ai_socktype && h->ai_socktype != tp[i].socktype) ||
				 (h->ai_protocol && !tp[i].any && h->ai_protocol != tp[i].protocol)))
			i++;
		if (i == n || (service && tp[i].noservice)) return 0;
		st[0].socktype = tp[i].socktype;
		st[0].protocol = tp[i].any ? h->ai_protocol : tp[i].protocol;
		return 1;
	}
	int k = 0;
	for (int i = 0; i < n; i++)
		if (tp[i].dflt) st[k].socktype = tp[i].socktype, st[k++].protocol = tp[i].protocol;
	return k;
}

static void freeai(struct addrinfo *ai)
{
	while (ai) {
		struct addrinfo *n = ai->ai_next;
		free(ai->ai_canonname);
		free(ai);
		ai = n;
	}
}

static bool gai(const char *node, const char *service, const struct addrinfo *hints, struct addrinfo **res,
		struct answer *out)
{
	if (!node || !hints || (node[0] == '*' && !node[1])) return false;
	if (hints->ai_flags & ~(AI_PASSIVE | AI_CANONNAME | AI_NUMERICSERV)) return false;
	if (hints->ai_family != AF_INET && hints->ai_family != AF_INET6 &&
	    (hints->ai_family != AF_UNSPEC || (hints->ai_flags & AI_CANONNAME)))
		return false;
	int port = 0;
	bool hasserv = service && service[0] && !(service[0] == '*' && !service[1]);
	if (hasserv) {
		unsigned long v = 0;
		for (const char *c = service; *c; c++) {
			if (*c < '0' || *c > '9' || v > 65535) return false;
			v = v * 10 + (unsigned long)(*c - '0');
		}
		if (v > 65535) return false;
		port = htons((uint16_t)v);
	}
	struct servtuple st[3];
	int nst = servtuples(hints, hasserv, st);
	if (nst == 0) return false;
	struct dnsresult *r = malloc(sizeof *r);
	if (!r) return false;
	int af = hints->ai_family;
	if (af == AF_UNSPEC) lookup_unspec(node, r);
	else lookup(node, af, 0, r);
	if (r->status == DNS_OK) af = r->addrlen == 4 ? AF_INET : AF_INET6;
	bool done = true;
	if (r->status == DNS_OK && r->naddr == 1) {
		struct addrinfo *head = NULL, **tail = &head;
		socklen_t sl = af == AF_INET ? sizeof(struct sockaddr_in) : sizeof(struct sockaddr_in6);
		for (int i = 0; i < nst; i++) {
			struct addrinfo *ai = calloc(1, sizeof *ai + sl);
			if (!ai) {
				freeai(head);
				head = NULL;
				out->ret = EAI_MEMORY;
				goto out;
			}
			ai->ai_flags = hints->ai_flags;
			ai->ai_family = af;
			ai->ai_socktype = st[i].socktype;
			ai->ai_protocol = st[i].protocol;
			ai->ai_addrlen = sl;
			ai->ai_addr = (struct sockaddr *)(ai + 1);
			if (af == AF_INET) {
				struct sockaddr_in *s = (struct sockaddr_in *)ai->ai_addr;
				s->sin_family = AF_INET;
				s->sin_port = (in_port_t)port;
				memcpy(&s->sin_addr, r->addr[0], 4);
			} else {
				struct sockaddr_in6 *s = (struct sockaddr_in6 *)ai->ai_addr;
				s->sin6_family = AF_INET6;
				s->sin6_port = (in_port_t)port;
				memcpy(&s->sin6_addr, r->addr[0], 16);
			}
			if (i == 0 && (hints->ai_flags & AI_CANONNAME) && !(ai->ai_canonname = strdup(r->name))) {
				free(ai);
				freeai(head);
				head = NULL;
				out->ret = EAI_MEMORY;
				goto out;
			}
			*tail = ai;
			tail = &ai->ai_next;
		}
		*res = head;
		out->ret = 0;
	} else if (r->status == DNS_NOTFOUND) {
		out->ret = r->herr == NO_DATA ? EAI_NODATA : EAI_NONAME;
	} else if (r->status == DNS_TRYAGAIN) {
		out->ret = EAI_AGAIN;
	} else {
		done = false; /* DNS_POOL, or several addresses to sort */
	}
out:
	free(r);
	return done;
}

/* dns_answer: the lookup `which` (LK_*) with arguments a, answered here
 * where it can be (the file's comment); false: the libc's answer is
 * needed (resolv.c runs it on the pool). */
bool dns_answer(int which, const long *a, long *ret, int *err, int *herr, bool *herrset)
{
	struct answer out = {0, *err, 0, false}; /* getaddrinfo leaves errno as it was */
	struct dnsresult *r;
	bool done = false;
	*herrset = false;
	if (debug.netdns == 2) return false;
	switch (which) {
	case LK_GAI:
		done = gai((const char *)a[0], (const char *)a[1], (const struct addrinfo *)a[2],
			   (struct addrinfo **)a[3], &out);
		break;
	case LK_GHBN:
	case LK_GHBN2:
	case LK_GHBN_R:
	case LK_GHBN2_R: {
		bool two = which == LK_GHBN2 || which == LK_GHBN2_R, reent = which == LK_GHBN_R || which == LK_GHBN2_R;
		const char *name = (const char *)a[0];
		int af = two ? (int)a[1] : AF_INET;
		const long *b = a + (two ? 2 : 1); /* ret, buf, buflen, result, h_errnop */
		if (!name || !(r = malloc(sizeof *r))) return false;
		lookup(name, af, reent ? (size_t)b[2] : 0, r);
		if (r->status != DNS_POOL) {
			if (reent) {
				int h = 0;
				done = ghbn_r(r, af, (struct hostent *)b[0], (char *)b[1], (size_t)b[2],
					      (struct hostent **)b[3], &h, &out);
				if (done) *(int *)b[4] = h;
			} else {
				done = ghbn(r, af, &out);
			}
		}
		free(r);
		break;
	}
	default:
		break;
	}
	if (!done) return false;
	*ret = out.ret;
	*err = out.err;
	*herr = out.herr;
	*herrset = out.herrset;
	return true;
}

#endif /* GORT_GLIBC; musl's: dnsmusl.c */
