/* netpoll.h: the pollDesc shared by netpoll.c and the I/O layer. */
#ifndef GORT_NETPOLL_H
#define GORT_NETPOLL_H
#include "runtime.h"

#define PD_READY ((uintptr_t)1)

struct pollDesc {
	int fd;
	bool registered;          /* under pdtab.lock */
	_Atomic int closing;      /* set by pd_forget */
	_Atomic uintptr_t rg, wg; /* 0, PD_READY, or a parked struct g * */
};

struct pollDesc *pd_get(int fd);
void pd_forget(int fd);
int pd_wait(struct pollDesc *pd, int mode, int64_t deadline);

#endif
