/* dnsmsg.h: DNS messages for gort's stub resolver (dnsmsg.c builds the
 * query and reads the answer; dnsclient.c sends them). No runtime
 * dependencies: test/fuzz/fuzz_dnsmsg.c links dnsmsg.c alone. */
#ifndef GORT_DNSMSG_H
#define GORT_DNSMSG_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* glibc's limits that shape an answer: MAXHOSTNAMELEN (64) bounds the
 * names gethostbyname keeps; MAX_NR_ALIASES (48) the CNAMEs. */
enum { DNS_NAMEMAX = 64, DNS_MAXALIAS = 46, DNS_MAXADDR = 64, DNS_QMAX = 300 };

/* What an answer says, read as glibc's getanswer_r reads it. */
enum {
	DNS_OK,       /* addresses: name, aliases, addr[] as glibc's hostent */
	DNS_NOTFOUND, /* herr: HOST_NOT_FOUND (NXDOMAIN) or NO_DATA */
	DNS_POOL,     /* anything glibc reads in a way we do not copy: the libc answers */
};
struct dnsresult {
	int status;
	int herr;
	char name[DNS_NAMEMAX];                 /* h_name */
	int nalias;
	char alias[DNS_MAXALIAS][DNS_NAMEMAX];  /* h_aliases: the CNAMEs' owners */
	int naddr, addrlen;
	unsigned char addr[DNS_MAXADDR][16];    /* h_addr_list, answer order */
	size_t need;                            /* bytes glibc's getanswer_r uses of the caller's buffer */
};

bool dns_name_ok(const char *name);
int dns_mkquery(unsigned char *buf, size_t cap, const char *name, int qtype, uint16_t id);
bool dns_matches(const unsigned char *q, int qlen, const unsigned char *a, int alen);
void dns_parse(const unsigned char *a, int alen, int qtype, struct dnsresult *r);
#endif
