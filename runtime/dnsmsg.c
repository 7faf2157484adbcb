/* dnsmsg.c: the DNS messages of gort's stub resolver (dnsclient.c): the
 * query it sends, whether a datagram answers it, and what an answer says,
 * read the way Debian's glibc 2.36 (2.36-9+deb12u14: the 2.36 branch's
 * rewritten nss_dns) reads it: resolv/res_send.c's
 * __libc_res_queriesmatch, res_query.c's rcode checks, nss_dns/dns-host.c's
 * getanswer_r and gethostbyname3_context. Go's counterpart:
 * golang.org/x/net/dns/dnsmessage and net/dnsclient_unix.go's checkHeader.
 *
 * Algorithm: one pass over the answer section as getanswer_r makes it: the
 * question's name is the first name; a CNAME record's target (its owner is
 * not compared: glibc does not) is the next, and the name looked for from
 * then on; an A or AAAA record counts when its owner is that name
 * (ignoring case) and its length right; other classes and types are
 * skipped. h_name is the last name, h_aliases the others. seq[] keeps the
 * order glibc copies names and addresses into the caller's buffer, so that
 * dns_layout gives the exact size it needs there: the _r calls return
 * ERANGE exactly where glibc's do.
 *
 * Everything glibc reads in a way not copied here is DNS_POOL, and the
 * libc's own lookup answers (runtime/resolv.c): a name with characters
 * other than letters, digits and hyphens (glibc drops some, escapes others),
 * a record that runs past the end, an answer with no usable address, an
 * rcode other than NOERROR and NXDOMAIN, more than 46 CNAMEs or 64
 * addresses. Rejected: reproducing those paths too; a malformed answer
 * costs one more round trip, made by the libc, and gives the libc's
 * result. */
#include <errno.h>
#include <netdb.h>
#include <string.h>
#include <strings.h>
#include "dnsmsg.h"

enum { T_A_ = 1, T_CNAME_ = 5, T_AAAA_ = 28, C_IN_ = 1 };

static bool ldh(int c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-'; }

/* dns_name_ok: a name the stub resolver may look up: letters, digits and
 * hyphens in labels of 1 to 63 that neither start nor end with a hyphen, at
 * most 253 characters before an
 * optional final dot, not starting with a digit (glibc's digits_dots and
 * getaddrinfo's numeric forms read those: the libc answers them). */
bool dns_name_ok(const char *name)
{
	size_t n = strlen(name);
	if (n && name[n - 1] == '.') n--;
	if (n == 0 || n > 253 || (name[0] >= '0' && name[0] <= '9')) return false;
	size_t lab = 0;
	for (size_t i = 0; i < n; i++) {
		char c = name[i];
		if (c == '.') {
			if (lab == 0 || name[i - 1] == '-') return false;
			lab = 0;
			continue;
		}
		if (!ldh(c) || (lab == 0 && c == '-') || ++lab > 63) return false;
	}
	return name[n - 1] != '-';
}

/* dns_mkquery: a standard query for name (letters, digits, hyphens and
 * dots; a final dot dropped), recursion desired, as res_mkquery builds it;
 * flags: DNS_Q_AD sets the AD bit (resolv.conf's trust-ad), DNS_Q_EDNS
 * adds the OPT record res_nopt adds for edns0 (a 1200-byte payload: the
 * size glibc advertises when its answer buffer can grow, as nss_dns's
 * does). Returns its length, or -1 if cap is too small. */
int dns_mkquery(unsigned char *buf, size_t cap, const char *name, int qtype, uint16_t id, int flags)
{
	size_t n = strlen(name);
	if (n && name[n - 1] == '.') n--;
	if (cap < 12 + n + 2 + 4 + 11) return -1;
	memset(buf, 0, 12);
	buf[0] = id >> 8, buf[1] = id & 255;
	buf[2] = 0x01; /* RD */
	if (flags & DNS_Q_AD) buf[3] = 0x20;
	buf[5] = 1;    /* QDCOUNT */
	unsigned char *p = buf + 12;
	const char *s = name, *e = name + n;
	while (s < e) {
		const char *d = memchr(s, '.', (size_t)(e - s));
		if (!d) d = e;
		if (d == s || d - s > 63) return -1;
		*p++ = (unsigned char)(d - s);
		memcpy(p, s, (size_t)(d - s));
		p += d - s;
		s = d + 1;
	}
	*p++ = 0;
	*p++ = (unsigned char)(qtype >> 8), *p++ = (unsigned char)qtype;
	*p++ = 0, *p++ = C_IN_;
	if (flags & DNS_Q_EDNS) {
		static const unsigned char opt[11] = {0, 0, 41, 1200 >> 8, 1200 & 255, 0, 0, 0, 0, 0, 0};
		memcpy(p, opt, sizeof opt);
		p += sizeof opt;
		buf[11] = 1; /* ARCOUNT */
	}
	return (int)(p - buf);
}

/* getname reads the name at off (following compression pointers) into out
 * as text (labels joined by dots, no final dot); *clean says every label is
 * letters, digits and hyphens and the text fit in cap. Returns the offset
 * after the name where it is stored, or -1 if malformed (a pointer out of
 * the message or looping, a reserved label type, over 255 bytes). */
static int getname(const unsigned char *m, int len, int off, char *out, size_t cap, bool *clean)
{
	int next = -1, hops = 0;
	size_t o = 0, wire = 1;
	*clean = true;
	for (;;) {
		if (off >= len) return -1;
		int l = m[off];
		if ((l & 0xc0) == 0xc0) {
			if (off + 1 >= len || ++hops > 64) return -1;
			if (next < 0) next = off + 2;
			off = (l & 0x3f) << 8 | m[off + 1];
			continue;
		}
		if (l & 0xc0) return -1;
		if (l == 0) break;
		if (off + 1 + l > len || (wire += (size_t)l + 1) > 255) return -1;
		if (o) {
			if (o + 1 < cap) out[o] = '.';
			o++;
		}
		for (int i = 0; i < l; i++) {
			int c = m[off + 1 + i];
			if (!ldh(c)) *clean = false;
			if (o + 1 < cap) out[o] = (char)c;
			o++;
		}
		off += 1 + l;
	}
	if (o == 0 || o + 1 > cap) *clean = false; /* the root, or too long for out */
	if (cap) out[o + 1 <= cap ? o : cap - 1] = 0;
	return next >= 0 ? next : off + 1;
}

/* dns_matches: a is the answer to q (res_send's check before it takes a
 * datagram): same ID, one question of the same name (ignoring case), type
 * and class. A datagram that does not match is ignored, the wait goes on. */
bool dns_matches(const unsigned char *q, int qlen, const unsigned char *a, int alen)
{
	if (alen < 12 || qlen < 12 || a[0] != q[0] || a[1] != q[1] || a[4] != 0 || a[5] != 1) return false;
	char qn[256], an[256];
	bool qc, ac;
	int qe = getname(q, qlen, 12, qn, sizeof qn, &qc), ae = getname(a, alen, 12, an, sizeof an, &ac);
	if (qe < 0 || ae < 0 || qe + 4 > qlen || ae + 4 > alen || strcasecmp(qn, an) != 0) return false;
	return memcmp(q + qe, a + ae, 4) == 0;
}

/* dns_parse: what answer a says to a query of qtype (T_A or T_AAAA), see
 * the file's comment. */
void dns_parse(const unsigned char *a, int alen, int qtype, struct dnsresult *r)
{
	r->status = DNS_POOL;
	r->herr = 0;
	r->nalias = r->naddr = r->nseq = 0;
	r->addrlen = qtype == T_AAAA_ ? 16 : 4;
	r->name[0] = 0;
	if (alen < 12) return;
	int rcode = a[3] & 15, qd = a[4] << 8 | a[5], an = a[6] << 8 | a[7];
	if (rcode == 3) { /* NXDOMAIN, whatever the counts (res_query) */
		r->status = DNS_NOTFOUND;
		r->herr = 1;  /* HOST_NOT_FOUND */
		return;
	}
	if (rcode != 0) return;
	if (an == 0) {
		r->status = DNS_NOTFOUND;
		r->herr = 4;  /* NO_DATA */
		return;
	}
	if (qd != 1) return;
	/* The names: the question's, then each CNAME's target; the last is
	 * h_name, the others h_aliases. */
	char names[DNS_MAXALIAS + 1][DNS_NAMEMAX], owner[DNS_NAMEMAX];
	int nn = 0;
	bool clean;
	int off = getname(a, alen, 12, names[0], sizeof names[0], &clean);
	if (off < 0 || !clean) return;
	r->seq[r->nseq++] = (int)strlen(names[0]) + 1;
	nn = 1;
	off += 4;
	if (off > alen) return;
	while (an-- > 0) {
		if (off >= alen) return;
		int e = getname(a, alen, off, owner, sizeof owner, &clean);
		if (e < 0 || e + 10 > alen) return;
		off = e;
		int type = a[off] << 8 | a[off + 1], class = a[off + 2] << 8 | a[off + 3];
		int rdlen = a[off + 8] << 8 | a[off + 9];
		off += 10;
		if (alen - off < rdlen) return;
		int rd = off;
		off += rdlen;
		if (class != C_IN_) continue;
		if (type == T_CNAME_) {
			if (nn > DNS_MAXALIAS || r->nseq >= DNS_MAXSEQ) return;
			bool tc;
			if (getname(a, alen, rd, names[nn], sizeof names[nn], &tc) < 0 || !tc) return;
			r->seq[r->nseq++] = (int)strlen(names[nn]) + 1;
			nn++;
			continue;
		}
		if (type != qtype) continue;
		if (!clean) return; /* glibc compares the wire form; we compare text */
		if (strcasecmp(owner, names[nn - 1]) != 0 || rdlen != r->addrlen) continue;
		if (r->naddr >= DNS_MAXADDR || r->nseq >= DNS_MAXSEQ) return;
		memcpy(r->addr[r->naddr++], a + rd, (size_t)rdlen);
		r->seq[r->nseq++] = -rdlen;
	}
	if (r->naddr == 0) return;
	strcpy(r->name, names[nn - 1]);
	r->nalias = nn - 1;
	for (int i = 0; i < nn - 1; i++) strcpy(r->alias[i], names[i]);
	r->status = DNS_OK;
}

/* dns_slice: the addresses one answer of getaddrinfo's AF_UNSPEC pair
 * gives (nss_dns's gaih_getanswer_slice: the rcodes were judged before,
 * for the pair): 0 none (no answer records, or none for the name), 1 one,
 * copied to addr (4 or 16 bytes, *len), -1 when the libc must read it
 * (more than one, a class other than IN, which the slice does not skip,
 * malformed or unusual names). */
int dns_slice(const unsigned char *a, int alen, unsigned char *addr, int *len)
{
	if (alen < 12 || (a[4] << 8 | a[5]) != 1) return -1;
	int an = a[6] << 8 | a[7], n = 0;
	char expected[DNS_NAMEMAX], owner[DNS_NAMEMAX];
	bool clean;
	int off = getname(a, alen, 12, expected, sizeof expected, &clean);
	if (off < 0 || !clean || off + 4 > alen) return -1;
	int qtype = a[off] << 8 | a[off + 1];
	if (qtype != T_A_ && qtype != T_AAAA_) return -1;
	off += 4;
	if (an == 0) return 0;
	while (an-- > 0) {
		if (off >= alen) return -1;
		int e = getname(a, alen, off, owner, sizeof owner, &clean);
		if (e < 0 || e + 10 > alen) return -1;
		off = e;
		int type = a[off] << 8 | a[off + 1], class = a[off + 2] << 8 | a[off + 3];
		int rdlen = a[off + 8] << 8 | a[off + 9];
		off += 10;
		if (alen - off < rdlen) return -1;
		int rd = off;
		off += rdlen;
		if (class != C_IN_) return -1;
		if (type == T_CNAME_) {
			bool tc;
			if (getname(a, alen, rd, expected, sizeof expected, &tc) < 0 || !tc) return -1;
			continue;
		}
		if (type != qtype) continue;
		if (!clean) return -1;
		if (strcasecmp(owner, expected) != 0 || rdlen != (qtype == T_A_ ? 4 : 16)) continue;
		if (n++) return -1;
		memcpy(addr, a + rd, (size_t)rdlen);
		*len = rdlen;
	}
	return n;
}

/* dns_layout: where glibc's gethostbyname3_context puts r in a buffer at
 * base: each name and address in answer order (addresses 4-aligned), then
 * the address pointers and the alias pointers (8-aligned). Returns the
 * bytes used from base. */
size_t dns_layout(const struct dnsresult *r, uintptr_t base)
{
	uintptr_t p = base;
	for (int i = 0; i < r->nseq; i++) {
		if (r->seq[i] < 0) p = ((p + 3) & ~(uintptr_t)3) + (uintptr_t)-r->seq[i];
		else p += (uintptr_t)r->seq[i];
	}
	p = (p + 7) & ~(uintptr_t)7;
	p += (uintptr_t)(r->naddr + 1) * 8 + (uintptr_t)(r->nalias + 1) * 8;
	return p - base;
}

/* dns_fillhost: r (DNS_OK) as a hostent of family af in buf, laid out as
 * glibc lays it out (dns_layout). 0, or ERANGE when len is too small. */
int dns_fillhost(const struct dnsresult *r, int af, struct hostent *h, char *buf, size_t len)
{
	if (dns_layout(r, (uintptr_t)buf) > len) return ERANGE;
	char *p = buf, *names[DNS_MAXALIAS + 1], *addrs[DNS_MAXADDR];
	int nn = 0, na = 0;
	for (int i = 0; i < r->nseq; i++) {
		if (r->seq[i] < 0) {
			p = (char *)(((uintptr_t)p + 3) & ~(uintptr_t)3);
			memcpy(p, r->addr[na], (size_t)r->addrlen);
			addrs[na++] = p;
			p += r->addrlen;
		} else {
			const char *s = nn < r->nalias ? r->alias[nn] : r->name;
			names[nn++] = p;
			p = stpcpy(p, s) + 1;
		}
	}
	char **ad = (char **)(((uintptr_t)p + 7) & ~(uintptr_t)7), **al = ad + na + 1;
	memcpy(ad, addrs, (size_t)na * sizeof *ad);
	ad[na] = NULL;
	memcpy(al, names, (size_t)r->nalias * sizeof *al);
	al[r->nalias] = NULL;
	h->h_name = names[nn - 1];
	h->h_aliases = al;
	h->h_addrtype = af;
	h->h_length = r->addrlen;
	h->h_addr_list = ad;
	return 0;
}

static bool hws(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\f' || c == '\v'; }

/* dns_hosts_names: a line of the hosts text names name (any field after the
 * address, ignoring case: glibc's LOOKUP_NAME_CASE). */
bool dns_hosts_names(const char *t, const char *name)
{
	size_t nl = strlen(name);
	while (*t) {
		const char *e = strchr(t, '\n');
		const char *end = e ? e : t + strlen(t);
		const char *h = memchr(t, '#', (size_t)(end - t));
		if (h) end = h;
		int field = 0;
		for (const char *p = t; p < end;) {
			while (p < end && hws(*p)) p++;
			const char *w = p;
			while (p < end && !hws(*p)) p++;
			if (p > w && field++ > 0 && (size_t)(p - w) == nl && strncasecmp(w, name, nl) == 0) return true;
		}
		t = e ? e + 1 : end + strlen(end);
	}
	return false;
}

/* dns_musl_parse: the addresses and canonical name musl 1.2.3's resolver
 * takes from an answer (its __dns_parse and name_from_dns's callback),
 * answer capped at the 512 bytes musl receives it into. musl finds the
 * records by skipping bytes 1 to 127 up to a 0 or a compression pointer,
 * reads the type's low byte only, no class, no owner: every A record
 * (4 bytes) and AAAA record (16) counts, in order, up to 48, and the last
 * CNAME whose target is a valid host name is the canonical name. Where
 * musl would read past the received bytes (into its uninitialized
 * buffer), or a name is not letters, digits, hyphens and dots: -1 (the
 * libc decides). Else the number of addresses added to addr/fam (cnt
 * already there), musl's result: its parse stops at a record it rejects
 * and keeps what came before. */
int dns_musl_parse(const unsigned char *r, int rlen, unsigned char (*addr)[16], int *fam, int cnt, char *canon,
		   size_t canonsz)
{
	if (rlen > 512) rlen = 512;
	if (rlen < 12) return cnt;
	if (r[3] & 15) return cnt;
	int qd = r[4] * 256 + r[5], an = r[6] * 256 + r[7];
	if (qd + an > 64) return cnt;
	int p = 12;
	for (int sec = 0; sec < 2; sec++) {
		for (int k = sec ? an : qd; k-- > 0;) {
			while (p < rlen && r[p] - 1U < 127) p++;
			if (p + 1 >= rlen) return -1; /* musl reads r[p], r[p+1] beyond */
			if (r[p] > 193 || (r[p] == 193 && r[p + 1] > 254) || p > rlen - 6) return cnt;
			if (!sec) {
				p += 5 + !!r[p];
				continue;
			}
			p += 1 + !!r[p];
			if (p + 10 > rlen) return -1;
			int len = r[p + 8] * 256 + r[p + 9];
			if (p + len > rlen) return cnt;
			if (p + 10 + len > rlen) return -1;
			const unsigned char *data = r + p + 10;
			if (cnt >= 48) return cnt;
			switch (r[p + 1]) {
			case T_A_:
			case T_AAAA_:
				if (len != (r[p + 1] == T_A_ ? 4 : 16)) return cnt;
				memcpy(addr[cnt], data, (size_t)len);
				fam[cnt++] = len == 4 ? 2 : 10; /* AF_INET, AF_INET6 */
				break;
			case T_CNAME_: {
				char tmp[256];
				bool clean;
				int e = getname(r, rlen, p + 10, tmp, sizeof tmp, &clean);
				if (e < 0 || !clean || strlen(tmp) + 1 > canonsz) return -1;
				strcpy(canon, tmp);
				break;
			}
			}
			p += 10 + len;
		}
	}
	return cnt;
}
