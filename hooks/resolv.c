/* hooks/resolv.c: getaddrinfo, getnameinfo, gethostbyname(2)(_r),
 * gethostbyaddr(_r) for dynamic gort programs: in the glibc build's
 * libgort_hooks.a, and for musl in libgort_dynhooks.a (GORT_DYNHOOKS), which
 * gortcc --gort-dynamic links (a static musl program keeps musl's resolver,
 * whose poll the hooks park). How the hooks take the libc's place:
 * hooks/io.c. From a goroutine the libc's own lookup runs on the blocking
 * pool, the goroutine parked (runtime/resolv.c, issue #17 item 1). */
#if defined(GORT_GLIBC) || defined(GORT_DYNHOOKS)
#include <netdb.h>
#include "../runtime/iohooks.h"

#define HOOK __attribute__((visibility("default")))
#define L(w, ...) gort_hook_lookup(w, __VA_ARGS__)

HOOK int getaddrinfo(const char *node, const char *service, const struct addrinfo *hints, struct addrinfo **res)
{
	return (int)L(LK_GAI, (long)node, (long)service, (long)hints, (long)res, 0, 0, 0, 0);
}
HOOK int getnameinfo(const struct sockaddr *sa, socklen_t salen, char *host, socklen_t hostlen, char *serv,
		     socklen_t servlen, int flags)
{
	return (int)L(LK_GNI, (long)sa, salen, (long)host, hostlen, (long)serv, servlen, flags, 0);
}
HOOK struct hostent *gethostbyname(const char *name) { return (struct hostent *)L(LK_GHBN, (long)name, 0, 0, 0, 0, 0, 0, 0); }
HOOK struct hostent *gethostbyname2(const char *name, int af)
{
	return (struct hostent *)L(LK_GHBN2, (long)name, af, 0, 0, 0, 0, 0, 0);
}
HOOK struct hostent *gethostbyaddr(const void *addr, socklen_t len, int type)
{
	return (struct hostent *)L(LK_GHBA, (long)addr, len, type, 0, 0, 0, 0, 0);
}
HOOK int gethostbyname_r(const char *name, struct hostent *ret, char *buf, size_t buflen, struct hostent **result,
			 int *h_errnop)
{
	return (int)L(LK_GHBN_R, (long)name, (long)ret, (long)buf, (long)buflen, (long)result, (long)h_errnop, 0, 0);
}
HOOK int gethostbyname2_r(const char *name, int af, struct hostent *ret, char *buf, size_t buflen,
			  struct hostent **result, int *h_errnop)
{
	return (int)L(LK_GHBN2_R, (long)name, af, (long)ret, (long)buf, (long)buflen, (long)result, (long)h_errnop, 0);
}
HOOK int gethostbyaddr_r(const void *addr, socklen_t len, int type, struct hostent *ret, char *buf, size_t buflen,
			 struct hostent **result, int *h_errnop)
{
	return (int)L(LK_GHBA_R, (long)addr, len, type, (long)ret, (long)buf, (long)buflen, (long)result, (long)h_errnop);
}
#endif
