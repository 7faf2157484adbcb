/* resolv.c: name lookups from goroutines park only the goroutine (issue
 * #17 item 1), dynamic programs. glibc's resolver (and musl's libc.so, which
 * calls its own poll) makes its waits with internal
 * calls the hooks never see (__poll, __recvfrom): a lookup held its thread,
 * and at GOMAXPROCS=1 the P, for the whole DNS round trip (800 lookups
 * against a server answering in 100 ms took 80 s). Here the libc's own
 * function runs on a thread of the blocking pool (blockpool.c) while the
 * goroutine is parked: the answers, their order and the errors are the
 * libc's (files, dns and any NSS module of nsswitch.conf, resolv.conf's
 * options), because it is the libc's code; errno and h_errno, which it
 * leaves on the pool's thread, are copied back.
 *
 * musl static: musl's resolver waits through poll, which the hooks park
 * (1,000 lookups in 0.15 s); the lookup hooks are not linked there (they
 * are in libgort_dynhooks.a, for gortcc --gort-dynamic), and dlsym is a
 * weak reference, so that a static program does not pull in musl's.
 *
 * glibc build: first dnsclient.c, gort's stub resolver on the netpoller
 * (Go's pure-Go resolver), answers where its answer is glibc's by
 * construction (dns_answer: 1,000 lookups in about one round trip); the
 * pool runs the libc's lookup for everything else (RFC 3484 sorting with
 * gai.conf, NSS modules, search lists, AF_UNSPEC...), bounding the lookups
 * in flight to its size (16). GODEBUG=netdns=cgo: always the pool. */
#include <dlfcn.h>
#include <errno.h>
#include <netdb.h>
#include "iohooks.h"

static const char *const fnames[LK_N] = {"getaddrinfo",   "getnameinfo",     "gethostbyname", "gethostbyname_r",
					"gethostbyname2", "gethostbyname2_r", "gethostbyaddr", "gethostbyaddr_r"};
static void *_Atomic real[LK_N];
/* Weak: linked from the libc only where something else needs it (a
 * dynamic program always has it; a static one never calls this). */
#pragma weak dlsym

/* libc: the libc's own definition of fnames[i] (the hooks define the name
 * in the executable: RTLD_NEXT is the next object, the libc). */
static void *libc(int i)
{
	void *f = atomic_load_explicit(&real[i], memory_order_acquire);
	if (!f) {
		f = dlsym ? dlsym(RTLD_NEXT, fnames[i]) : NULL;
		if (!f) fatal("resolv: the libc's name lookup function is missing");
		atomic_store_explicit(&real[i], f, memory_order_release);
	}
	return f;
}

/* One call: its arguments, its result, and the thread-local state the
 * libc left on the pool's thread. */
struct lookup {
	int which;
	long a[8];
	long ret;
	int err, herr;
	bool herrset;
};

static void run(void *arg)
{
	struct lookup *l = arg;
	long *a = l->a;
	void *f = libc(l->which);
	errno = 0;
	switch (l->which) {
	case LK_GAI:
		l->ret = ((int (*)(const char *, const char *, const struct addrinfo *, struct addrinfo **))f)(
			(const char *)a[0], (const char *)a[1], (const struct addrinfo *)a[2], (struct addrinfo **)a[3]);
		break;
	case LK_GNI:
		l->ret = ((int (*)(const struct sockaddr *, socklen_t, char *, socklen_t, char *, socklen_t, int))f)(
			(const struct sockaddr *)a[0], (socklen_t)a[1], (char *)a[2], (socklen_t)a[3], (char *)a[4],
			(socklen_t)a[5], (int)a[6]);
		break;
	case LK_GHBN:
		l->ret = (long)((struct hostent * (*)(const char *)) f)((const char *)a[0]);
		l->herrset = true;
		break;
	case LK_GHBN2:
		l->ret = (long)((struct hostent * (*)(const char *, int)) f)((const char *)a[0], (int)a[1]);
		l->herrset = true;
		break;
	case LK_GHBA:
		l->ret = (long)((struct hostent * (*)(const void *, socklen_t, int)) f)((const void *)a[0],
										      (socklen_t)a[1], (int)a[2]);
		l->herrset = true;
		break;
	case LK_GHBN_R:
		l->ret = ((int (*)(const char *, struct hostent *, char *, size_t, struct hostent **, int *))f)(
			(const char *)a[0], (struct hostent *)a[1], (char *)a[2], (size_t)a[3], (struct hostent **)a[4],
			(int *)a[5]);
		break;
	case LK_GHBN2_R:
		l->ret = ((int (*)(const char *, int, struct hostent *, char *, size_t, struct hostent **, int *))f)(
			(const char *)a[0], (int)a[1], (struct hostent *)a[2], (char *)a[3], (size_t)a[4],
			(struct hostent **)a[5], (int *)a[6]);
		break;
	case LK_GHBA_R:
		l->ret = ((int (*)(const void *, socklen_t, int, struct hostent *, char *, size_t, struct hostent **,
				   int *))f)((const void *)a[0], (socklen_t)a[1], (int)a[2], (struct hostent *)a[3],
					     (char *)a[4], (size_t)a[5], (struct hostent **)a[6], (int *)a[7]);
		break;
	}
	l->err = errno;
	if (l->herrset) l->herr = h_errno;
}

/* gort_hook_lookup: the hooks' entry (hooks/resolv.c): in a goroutine on
 * the pool, elsewhere the libc's call here. */
long gort_hook_lookup(int which, long a0, long a1, long a2, long a3, long a4, long a5, long a6, long a7)
{
	struct lookup l = {which, {a0, a1, a2, a3, a4, a5, a6, a7}, 0, 0, 0, false};
	if (which < 0 || which >= LK_N) return -1;
	if (!hooks_active()) {
		run(&l);
	} else {
		l.err = errno;
		if (!dns_answer(which, l.a, &l.ret, &l.err, &l.herr, &l.herrset)) blockpool_call(run, &l);
	}
	errno = l.err;
	if (l.herrset) h_errno = l.herr;
	return l.ret;
}
