/* netpoll.h: the pollDesc shared by netpoll.c and the I/O layer. */
#ifndef GORT_NETPOLL_H
#define GORT_NETPOLL_H
#include "runtime.h"

#define PD_READY ((uintptr_t)1)

struct pollDesc {
	int fd;
	bool registered;          /* under pdtab.lock */
	_Atomic int closing;      /* set by pd_forget */
	_Atomic uintptr_t rg, wg; /* 0, PD_READY, or a struct pdwaiter * */
};

/* A goroutine waiting on one or both slots of a pollDesc. The first of
 * the event, the deadline timer and close to claim `done` wakes it. */
struct pdwaiter {
	struct g *g;
	_Atomic uintptr_t *slots[2];
	_Atomic uint32_t done;
	_Atomic int timedout;
	bool parked;
};

struct pollDesc *pd_get(int fd);
int pd_waitmodes(struct pollDesc *pd, bool r, bool w, int64_t deadline);
void pd_forget(int fd);
int pd_wait(struct pollDesc *pd, int mode, int64_t deadline);

#endif
