/* fuzz_dnsmsg.c: libFuzzer target for gort's DNS answer reader
 * (runtime/dnsmsg.c): what a DNS server, or anyone who can send a
 * datagram to the resolver's port, puts in an answer (issue #17 item 1).
 *
 * Input: byte 0 picks the query type (even: A, odd: AAAA) and byte 1 the
 * length of a name taken from the bytes after it; the rest is the answer.
 * The harness builds the query for the name when dns_name_ok accepts it
 * (a query must answer itself: dns_matches(q, q)), asks whether the
 * answer matches it, reads the answer (dns_parse, dns_slice as the
 * AF_UNSPEC pair's, dns_musl_parse as musl's) and, when it says
 * DNS_OK, lays the hostent out in a heap buffer of exactly dns_layout's
 * size (ASan sees any byte written past it) and in one a byte too small
 * (must be ERANGE). Properties beyond "no crash, no overread": the status
 * is one of the three; an answer has an address and NUL-terminated names
 * of the right count; the hostent's names and addresses are the result's.
 *
 *   make fuzz-short     10 s per target (part of make test)
 *   make fuzz           5 minutes per target */
#include <netdb.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "dnsmsg.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 2) return 0;
	int qtype = data[0] & 1 ? 28 : 1;
	size_t nl = data[1];
	if (nl > size - 2) nl = size - 2;
	char name[256];
	memcpy(name, data + 2, nl);
	name[nl] = 0;
	/* the answer: a heap copy, so that ASan sees a read past its end */
	size_t alen = size - 2 - nl;
	unsigned char *a = malloc(alen ? alen : 1);
	memcpy(a, data + 2 + nl, alen);
	if (dns_name_ok(name)) {
		unsigned char q[DNS_QMAX];
		int ql = dns_mkquery(q, sizeof q, name, qtype, 0x1234, data[0] >> 1 & 3);
		if (ql < 0 || !dns_matches(q, ql, q, ql)) abort();
		(void)dns_matches(q, ql, a, (int)alen);
	}
	unsigned char addr[16];
	int len = 0, k = dns_slice(a, (int)alen, addr, &len);
	if (k < -1 || k > 1 || (k == 1 && len != 4 && len != 16)) abort();
	/* musl's reading: addresses appended to what is there, a name */
	unsigned char (*ma)[16] = malloc(48 * 16);
	int fam[48];
	char canon[256] = "start";
	int m = dns_musl_parse(a, (int)alen, ma, fam, 0, canon, sizeof canon);
	if (m < -1 || m > 48 || !memchr(canon, 0, sizeof canon)) abort();
	for (int i = 0; i < m; i++)
		if (fam[i] != 2 && fam[i] != 10) abort();
	free(ma);
	struct dnsresult *r = malloc(sizeof *r);
	dns_parse(a, (int)alen, qtype, r);
	if (r->status != DNS_OK && r->status != DNS_NOTFOUND && r->status != DNS_POOL) abort();
	if (r->status == DNS_OK) {
		if (r->naddr < 1 || r->naddr > DNS_MAXADDR || r->nalias < 0 || r->nalias > DNS_MAXALIAS) abort();
		if (memchr(r->name, 0, sizeof r->name) == NULL) abort();
		for (int i = 0; i < r->nalias; i++)
			if (memchr(r->alias[i], 0, sizeof r->alias[i]) == NULL) abort();
		int af = qtype == 1 ? 2 : 10;
		size_t need = dns_layout(r, 0);
		/* heap blocks are 16-aligned, so the base's alignment is dns_layout's */
		char *buf = malloc(need);
		struct hostent h;
		if (dns_fillhost(r, af, &h, buf, need) != 0) abort();
		if (strcmp(h.h_name, r->name) != 0 || h.h_length != r->addrlen) abort();
		for (int i = 0; i < r->naddr; i++)
			if (!h.h_addr_list[i] || memcmp(h.h_addr_list[i], r->addr[i], (size_t)r->addrlen)) abort();
		if (h.h_addr_list[r->naddr]) abort();
		for (int i = 0; i < r->nalias; i++)
			if (strcmp(h.h_aliases[i], r->alias[i]) != 0) abort();
		if (h.h_aliases[r->nalias]) abort();
		free(buf);
		buf = malloc(need - 1);
		if (dns_fillhost(r, af, &h, buf, need - 1) == 0) abort();
		free(buf);
	}
	free(r);
	free(a);
	return 0;
}
