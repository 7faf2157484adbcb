/* dnsmusl.c: gort's stub resolver for musl dynamic programs (gortcc
 * --gort-dynamic; issue #17 item 1): getaddrinfo answered over the
 * netpoller, the goroutine parked, where musl's libc.so would wait in its
 * own poll on a thread of the blocking pool (resolv.c). The counterpart of
 * dnsclient.c, which does the same for glibc: musl's resolver (1.2.3,
 * Debian's) is another algorithm, copied here from its source
 * (src/network/lookup_name.c, res_msend.c, resolvconf.c, getaddrinfo.c,
 * lookup_serv.c) where its answer is musl's by construction:
 *   - resolv.conf as musl reads it (nameserver lines, the first 3 dotted
 *     IPv4 or IPv6 without a scope; ndots:, timeout:, attempts: found
 *     anywhere in an options line; the last search or domain line); a
 *     line musl would skip for its length, attempts:0 (a division by zero
 *     in musl), an address musl parses differently: the libc answers;
 *   - no line of /etc/hosts names the name (musl reads it first);
 *   - getaddrinfo, AF_INET, AF_INET6 or AF_UNSPEC, flags within
 *     AI_PASSIVE|AI_CANONNAME|AI_NUMERICSERV, a numeric service or none,
 *     and no sorting to do (musl sorts two or more results when one is
 *     IPv6: the libc answers).
 * gethostbyname and the others stay on the pool.
 *
 * Algorithm (musl's __res_msend_rc): one socket; every query to every
 * server at once, again every timeout/attempts seconds for the queries
 * not answered, until timeout seconds have passed; a reply counts when it
 * comes from a server's address, carries the ID of a query not answered
 * yet and says NOERROR or NXDOMAIN; SERVFAIL sends that query to that
 * server again at once (at most twice per query and round); other replies
 * are ignored. Then name_from_dns: a query without reply or with SERVFAIL
 * is EAI_AGAIN, NXDOMAIN moves to the next search domain, another rcode
 * EAI_FAIL, answers without addresses EAI_NONAME (and end the search);
 * the search list is tried before the name as is when it has fewer than
 * ndots dots and no final dot. Results in musl's one-block layout (struct
 * aibuf: musl's freeaddrinfo counts the entries back to the block), with
 * ai_canonname on every entry and ai_flags 0, as musl's.
 *
 * Rejected: running musl's own getaddrinfo in the goroutine (its poll is
 * internal to libc.so: the hooks never see it, the thread would block). */
#include <arpa/inet.h>
#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/syscall.h>
#include "dnsmsg.h"
#include "iohooks.h"

#ifndef GORT_GLIBC

enum { MQ = 2, MAXADDRS = 48, MASIZE = 512 };

struct mconf {
	bool ok;
	int nns, ndots, timeout, attempts;
	struct sockaddr_in6 ns[3]; /* sin6_family AF_INET: a sockaddr_in */
	char search[256];
	bool inhosts;
};

/* The parsed files, under mlock: written and read by mconf_get. */
static struct mutex mlock;
static struct {
	bool loaded;
	struct fstamp st[2];
	bool resolvok, hostsok;
	struct mconf base;
	char *hosts;
} mc;

static bool mspace(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\v' || c == '\f' || c == '\r'; }

/* mnumber: musl's strtoul after "key:" when a digit follows. */
static void mnumber(const char *line, const char *key, unsigned max, int *v, bool dot)
{
	const char *p = strstr(line, key);
	size_t k = strlen(key);
	if (!p || !((p[k] >= '0' && p[k] <= '9') || (dot && p[k] == '.'))) return;
	unsigned long x = 0;
	const char *z = p + k;
	for (; *z >= '0' && *z <= '9'; z++)
		if (x < 100000) x = x * 10 + (unsigned long)(*z - '0');
	if (z != p + k) *v = x > max ? (int)max : (int)x;
}

/* parse_mresolv: resolv.conf as musl's __get_resolv_conf reads it. */
static bool parse_mresolv(char *t, struct mconf *c)
{
	c->nns = 0, c->ndots = 1, c->timeout = 5, c->attempts = 2, c->search[0] = 0;
	while (t && *t) {
		char *line = t, *e = strchr(t, '\n');
		if (e) *e = 0, t = e + 1;
		else t += strlen(t);
		if (strlen(line) + 1 >= 255) return false; /* musl skips it (fgets of 256) */
		if (!strncmp(line, "options", 7) && (mspace(line[7]) || (!line[7] && e))) {
			mnumber(line, "ndots:", 15, &c->ndots, false);
			mnumber(line, "attempts:", 10, &c->attempts, false);
			mnumber(line, "timeout:", 60, &c->timeout, true);
			continue;
		}
		if (!strncmp(line, "nameserver", 10) && (mspace(line[10]) || (!line[10] && e))) {
			if (c->nns >= 3 || !line[10]) continue;
			char *p = line + 11, *z;
			while (mspace(*p)) p++;
			for (z = p; *z && !mspace(*z); z++);
			*z = 0;
			struct sockaddr_in6 *sa = &c->ns[c->nns];
			memset(sa, 0, sizeof *sa);
			int dots = 0;
			for (char *d = p; *d; d++) dots += *d == '.';
			if (strchr(p, ':')) {
				if (strchr(p, '%') || inet_pton(AF_INET6, p, &sa->sin6_addr) != 1) return false;
				sa->sin6_family = AF_INET6;
			} else {
				struct sockaddr_in *s4 = (struct sockaddr_in *)sa;
				if (dots != 3 || inet_pton(AF_INET, p, &s4->sin_addr) != 1) return false;
				s4->sin_family = AF_INET;
			}
			sa->sin6_port = htons(53); /* same offset in both */
			c->nns++;
			continue;
		}
		if ((!strncmp(line, "domain", 6) || !strncmp(line, "search", 6)) && (mspace(line[6]) || (!line[6] && e))) {
			char *p = line + (line[6] ? 7 : 6);
			while (mspace(*p)) p++;
			if (strlen(p) + 2 >= sizeof c->search) return false;
			strcpy(c->search, p);
			continue;
		}
	}
	if (c->attempts == 0) return false;
	if (c->nns == 0) {
		struct sockaddr_in *s4 = (struct sockaddr_in *)&c->ns[0];
		memset(&c->ns[0], 0, sizeof c->ns[0]);
		s4->sin_family = AF_INET;
		s4->sin_port = htons(53);
		s4->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
		c->nns = 1;
	}
	return true;
}

static void mconf_get(const char *name, struct mconf *out)
{
	static const char *const files[2] = {"/etc/resolv.conf", "/etc/hosts"};
	lock(&mlock);
	for (int i = 0; i < 2; i++) {
		struct fstamp f = dns_fstamp(files[i]);
		if (mc.loaded && !memcmp(&f, &mc.st[i], sizeof f)) continue;
		mc.st[i] = f;
		bool big = false;
		char *t = f.exists ? dns_readfile(files[i], &big) : NULL;
		bool ok = !big && (t || !f.exists);
		if (i == 0) {
			mc.resolvok = ok && parse_mresolv(t, &mc.base);
			free(t);
		} else {
			free(mc.hosts);
			mc.hosts = t;
			mc.hostsok = ok;
		}
	}
	mc.loaded = true;
	*out = mc.base;
	out->ok = mc.resolvok && mc.hostsok;
	out->inhosts = mc.hosts && dns_hosts_names(mc.hosts, name);
	unlock(&mlock);
	if (debug.netdns == 2) out->ok = false;
}

/* msend: musl's __res_msend_rc. Returns false where the libc must
 * answer (no socket); alens[i] 0 for a query without reply. */
static bool msend(const struct mconf *c, int nq, unsigned char q[MQ][DNS_QMAX], const int *qlens,
		  unsigned char a[MQ][MASIZE], int *alens)
{
	struct sockaddr_in6 ns[3];
	int family = AF_INET;
	for (int i = 0; i < c->nns; i++)
		if (c->ns[i].sin6_family == AF_INET6) family = AF_INET6;
	socklen_t sl = family == AF_INET6 ? sizeof(struct sockaddr_in6) : sizeof(struct sockaddr_in);
	for (int i = 0; i < c->nns; i++) {
		ns[i] = c->ns[i];
		if (family == AF_INET6 && ns[i].sin6_family == AF_INET) { /* v4-mapped */
			struct sockaddr_in s4;
			memcpy(&s4, &c->ns[i], sizeof s4);
			memset(&ns[i], 0, sizeof ns[i]);
			ns[i].sin6_family = AF_INET6;
			ns[i].sin6_port = s4.sin_port;
			ns[i].sin6_addr.s6_addr[10] = ns[i].sin6_addr.s6_addr[11] = 0xff;
			memcpy(&ns[i].sin6_addr.s6_addr[12], &s4.sin_addr, 4);
		}
	}
	long fd = rawsyscall(SYS_socket, family, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0) return false;
	struct sockaddr_in6 any = {.sin6_family = (sa_family_t)family};
	int zero = 0;
	if (family == AF_INET6) rawsyscall6(SYS_setsockopt, fd, IPPROTO_IPV6, IPV6_V6ONLY, (long)&zero, sizeof zero, 0);
	if (rawsyscall(SYS_bind, fd, &any, sl) < 0) {
		gort_close((int)fd);
		return false;
	}
	for (int i = 0; i < nq; i++) alens[i] = 0;
	int64_t timeout = (int64_t)c->timeout * 1000, retry = timeout / c->attempts;
	int64_t t0 = nanotime() / 1000000, t1 = t0 - retry, t2 = t0;
	int servfail = 0, left = nq;
	unsigned char buf[MASIZE];
	for (; t2 - t0 < timeout && left; t2 = nanotime() / 1000000) {
		if (t2 - t1 >= retry) {
			for (int i = 0; i < nq; i++)
				if (!alens[i])
					for (int j = 0; j < c->nns; j++)
						rawsyscall6(SYS_sendto, fd, (long)q[i], qlens[i], MSG_NOSIGNAL, (long)&ns[j], sl);
			t1 = t2;
			servfail = 2 * nq;
		}
		int64_t wait = t1 + retry - t2;
		if (gort_poll((int)fd, POLLIN, (wait > 0 ? wait : 0) * 1000000 + 1) <= 0) continue;
		for (;;) {
			struct sockaddr_in6 from;
			socklen_t fl = sl;
			long n = rawsyscall6(SYS_recvfrom, fd, (long)buf, sizeof buf, MSG_DONTWAIT, (long)&from, (long)&fl);
			if (n < 0) break;
			if (n < 4) continue;
			int j = 0;
			while (j < c->nns && memcmp(&ns[j], &from, sl)) j++;
			if (j == c->nns) continue;
			int i = 0;
			while (i < nq && (buf[0] != q[i][0] || buf[1] != q[i][1])) i++;
			if (i == nq || alens[i]) continue;
			int rcode = buf[3] & 15;
			if (rcode == 2 && servfail && servfail--)
				rawsyscall6(SYS_sendto, fd, (long)q[i], qlens[i], MSG_NOSIGNAL, (long)&ns[j], sl);
			if (rcode != 0 && rcode != 3) continue;
			memcpy(a[i], buf, (size_t)n);
			alens[i] = (int)n;
			left--;
		}
	}
	gort_close((int)fd);
	return true;
}

enum { M_POOL = 1 }; /* name_from_dns's results: > 0 addresses, 0 NXDOMAIN, < 0 EAI_*, or M_POOL + 1000 */

/* from_dns: musl's name_from_dns for one name. */
static int from_dns(const struct mconf *c, const char *name, int family, unsigned char (*addr)[16], int *fam,
		    char *canon)
{
	unsigned char q[MQ][DNS_QMAX], a[MQ][MASIZE];
	int qlens[MQ], alens[MQ], nq = 0;
	uint16_t id = (uint16_t)fastrand();
	if (family != AF_INET6) {
		qlens[nq] = dns_mkquery(q[nq], sizeof q[0], name, 1, id, 0);
		nq++;
	}
	if (family != AF_INET) {
		qlens[nq] = dns_mkquery(q[nq], sizeof q[0], name, 28, (uint16_t)(id + 1), 0);
		nq++;
	}
	for (int i = 0; i < nq; i++)
		if (qlens[i] < 0) return 1000; /* musl: EAI_NONAME, the search stops: the libc decides */
	if (!msend(c, nq, q, qlens, a, alens)) return 1000;
	for (int i = 0; i < nq; i++) {
		if (alens[i] < 4 || (a[i][3] & 15) == 2) return EAI_AGAIN;
		if ((a[i][3] & 15) == 3) return 0;
		if ((a[i][3] & 15) != 0) return EAI_FAIL;
	}
	int cnt = 0;
	for (int i = 0; i < nq; i++) {
		cnt = dns_musl_parse(a[i], alens[i], addr, fam, cnt, canon, 256);
		if (cnt < 0) return 1000;
	}
	return cnt ? cnt : EAI_NONAME;
}

/* lookup_name: musl's __lookup_name past the numeric and hosts steps
 * (the caller checked those), with name_from_dns_search. */
static int lookup_name(const struct mconf *c, const char *name, int family, unsigned char (*addr)[16], int *fam,
		       char *canon)
{
	size_t l = strlen(name), dots = 0;
	for (size_t i = 0; i < l; i++) dots += name[i] == '.';
	char search[256];
	strcpy(search, c->search);
	if ((int)dots >= c->ndots || name[l - 1] == '.') search[0] = 0;
	if (name[l - 1] == '.') l--;
	if (!l || name[l - 1] == '.') return 1000;
	memcpy(canon, name, l);
	canon[l] = '.';
	for (char *p = search, *z; *p; p = z) {
		while (mspace(*p)) p++;
		for (z = p; *z && !mspace(*z); z++);
		if (z == p) break;
		if ((size_t)(z - p) < 256 - l - 1) {
			memcpy(canon + l + 1, p, (size_t)(z - p));
			canon[z - p + 1 + (long)l] = 0;
			char fq[256];
			strcpy(fq, canon);
			/* musl's res_mkquery turns an empty label (search ".")
			 * into a malformed question: the libc's to send */
			if (strstr(fq, "..") || fq[l + 1] == '.') return 1000;
			int cnt = from_dns(c, fq, family, addr, fam, canon);
			if (cnt) return cnt;
		}
	}
	canon[l] = 0;
	return from_dns(c, name, family, addr, fam, canon);
}

/* musl 1.2.3's result block (src/network/lookup.h): its freeaddrinfo
 * finds the block from any entry through slot and frees it when ref
 * entries have been freed. */
struct aibuf {
	struct addrinfo ai;
	union {
		struct sockaddr_in sin;
		struct sockaddr_in6 sin6;
	} sa;
	volatile int lock[1];
	short slot, ref;
};

static bool gai(const char *host, const char *serv, const struct addrinfo *hint, struct addrinfo **res, long *ret)
{
	if (!host || !hint) return false;
	int family = hint->ai_family, flags = hint->ai_flags, proto = hint->ai_protocol, socktype = hint->ai_socktype;
	if (flags & ~(AI_PASSIVE | AI_CANONNAME | AI_NUMERICSERV)) return false;
	if (family != AF_INET && family != AF_INET6 && family != AF_UNSPEC) return false;
	/* __lookup_serv, numeric or none */
	struct {
		int port, proto, socktype;
	} sv[2];
	int ns = 0;
	unsigned long port = 0;
	if (serv) {
		if (!*serv) return false;
		for (const char *c = serv; *c; c++) {
			if (*c < '0' || *c > '9') return false;
			if (port < 100000) port = port * 10 + (unsigned long)(*c - '0');
		}
		if (port > 65535) return false;
	}
	if (socktype == SOCK_STREAM) {
		if (proto != 0 && proto != IPPROTO_TCP) return false;
		proto = IPPROTO_TCP;
	} else if (socktype == SOCK_DGRAM) {
		if (proto != 0 && proto != IPPROTO_UDP) return false;
		proto = IPPROTO_UDP;
	} else if (socktype != 0) {
		if (serv) return false;
		sv[ns].port = 0, sv[ns].proto = proto, sv[ns++].socktype = socktype;
	}
	if (!ns) {
		if (proto != IPPROTO_UDP) sv[ns].port = (int)port, sv[ns].socktype = SOCK_STREAM, sv[ns++].proto = IPPROTO_TCP;
		if (proto != IPPROTO_TCP) sv[ns].port = (int)port, sv[ns].socktype = SOCK_DGRAM, sv[ns++].proto = IPPROTO_UDP;
	}
	/* __lookup_name: numeric names and the hosts file are the libc's */
	if (!dns_name_ok(host)) return false;
	struct mconf c;
	mconf_get(host, &c);
	if (!c.ok || c.inhosts) return false;
	unsigned char (*addr)[16] = malloc(MAXADDRS * 16);
	int fam[MAXADDRS];
	char canon[256];
	if (!addr) return false;
	int n = lookup_name(&c, host, family, addr, fam, canon);
	bool done = true;
	if (n >= 1000) {
		done = false;
	} else if (n <= 0) {
		*ret = n ? n : EAI_NONAME;
	} else {
		bool v6 = false;
		for (int i = 0; i < n; i++) v6 |= fam[i] == AF_INET6;
		if (n >= 2 && family != AF_INET && v6) { /* musl sorts these: the libc answers */
			done = false;
			goto out;
		}
		int nais = n * ns;
		size_t cl = strlen(canon);
		struct aibuf *out = calloc(1, (size_t)nais * sizeof *out + cl + 1);
		if (!out) {
			*ret = EAI_MEMORY;
			goto out;
		}
		char *oc = cl ? memcpy((char *)&out[nais], canon, cl + 1) : NULL;
		for (int k = 0, i = 0; i < n; i++)
			for (int j = 0; j < ns; j++, k++) {
				out[k].slot = (short)k;
				out[k].ai.ai_family = fam[i];
				out[k].ai.ai_socktype = sv[j].socktype;
				out[k].ai.ai_protocol = sv[j].proto;
				out[k].ai.ai_addrlen = fam[i] == AF_INET ? sizeof(struct sockaddr_in) : sizeof(struct sockaddr_in6);
				out[k].ai.ai_addr = (struct sockaddr *)&out[k].sa;
				out[k].ai.ai_canonname = oc;
				if (k) out[k - 1].ai.ai_next = &out[k].ai;
				if (fam[i] == AF_INET) {
					out[k].sa.sin.sin_family = AF_INET;
					out[k].sa.sin.sin_port = htons((uint16_t)sv[j].port);
					memcpy(&out[k].sa.sin.sin_addr, addr[i], 4);
				} else {
					out[k].sa.sin6.sin6_family = AF_INET6;
					out[k].sa.sin6.sin6_port = htons((uint16_t)sv[j].port);
					memcpy(&out[k].sa.sin6.sin6_addr, addr[i], 16);
				}
			}
		out[0].ref = (short)nais;
		*res = &out->ai;
		*ret = 0;
	}
out:
	free(addr);
	return done;
}

/* dns_answer: the musl build's (iohooks.h): getaddrinfo only. */
bool dns_answer(int which, const long *a, long *ret, int *err, int *herr, bool *herrset)
{
	(void)err, (void)herr;
	*herrset = false;
	if (debug.netdns == 2 || which != LK_GAI) return false;
	return gai((const char *)a[0], (const char *)a[1], (const struct addrinfo *)a[2], (struct addrinfo **)a[3], ret);
}

#endif
