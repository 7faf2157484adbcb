/* dnsmsg.h: DNS messages for gort's stub resolver (dnsmsg.c builds the
 * query and reads the answer; dnsclient.c sends them). No runtime
 * dependencies: test/fuzz/fuzz_dnsmsg.c links dnsmsg.c alone. */
#ifndef GORT_DNSMSG_H
#define GORT_DNSMSG_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Bounds of what is answered here (more goes to the libc): names of up to
 * 255 characters (nss_dns's MAXHOSTNAMELEN), 46 CNAMEs, 64 addresses. */
enum { DNS_NAMEMAX = 256, DNS_MAXALIAS = 46, DNS_MAXADDR = 64, DNS_MAXSEQ = DNS_MAXALIAS + DNS_MAXADDR + 1,
       DNS_QMAX = 300 };

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
	char alias[DNS_MAXALIAS][DNS_NAMEMAX];  /* h_aliases: the question's name, then CNAME targets */
	int naddr, addrlen;
	unsigned char addr[DNS_MAXADDR][16];    /* h_addr_list, answer order */
	int nseq, seq[DNS_MAXSEQ];              /* what glibc stores, in order: name n+1, address -len */
};

bool dns_name_ok(const char *name);
enum { DNS_Q_AD = 1, DNS_Q_EDNS = 2 };
int dns_mkquery(unsigned char *buf, size_t cap, const char *name, int qtype, uint16_t id, int flags);
bool dns_matches(const unsigned char *q, int qlen, const unsigned char *a, int alen);
void dns_parse(const unsigned char *a, int alen, int qtype, struct dnsresult *r);
int dns_slice(const unsigned char *a, int alen, unsigned char *addr, int *len);
size_t dns_layout(const struct dnsresult *r, uintptr_t base);
bool dns_hosts_names(const char *t, const char *name);
int dns_musl_parse(const unsigned char *r, int rlen, unsigned char (*addr)[16], int *fam, int cnt, char *canon,
		   size_t canonsz);
struct hostent;
int dns_fillhost(const struct dnsresult *r, int af, struct hostent *h, char *buf, size_t len);
#endif
