/* uring.h: io_uring's ABI and a mapped ring, shared by uring.c (cold file
 * reads, one ring per process, completions reaped by netpoll) and
 * iobatch.c (socket calls gathered per P, completed inside the
 * io_uring_enter that submits them).
 *
 * The structures are the kernel's stable ABI (include/uapi/linux/
 * io_uring.h), declared here because <linux/io_uring.h> is not on
 * musl-gcc's path; liburing was rejected (a library the program would
 * link). */
#ifndef GORT_URING_H
#define GORT_URING_H
#include "runtime.h"

struct uring_sqoff {
	uint32_t head, tail, ring_mask, ring_entries, flags, dropped, array, resv1;
	uint64_t user_addr;
};
struct uring_cqoff {
	uint32_t head, tail, ring_mask, ring_entries, overflow, cqes, flags, resv1;
	uint64_t user_addr;
};
struct uring_params {
	uint32_t sq_entries, cq_entries, flags, sq_thread_cpu, sq_thread_idle, features, wq_fd, resv[3];
	struct uring_sqoff sq_off;
	struct uring_cqoff cq_off;
};
struct sqe {
	uint8_t opcode, flags;
	uint16_t ioprio;
	int32_t fd;
	uint64_t off, addr;
	uint32_t len;
	uint32_t rw_flags; /* msg_flags for send and recv */
	uint64_t user_data;
	uint64_t pad[3];
};
struct cqe {
	uint64_t user_data;
	int32_t res;
	uint32_t flags;
};
_Static_assert(sizeof(struct uring_params) == 120, "io_uring_params");
_Static_assert(sizeof(struct sqe) == 64, "io_uring_sqe");
_Static_assert(sizeof(struct cqe) == 16, "io_uring_cqe");

enum {
	SYS_io_uring_setup_ = 425, SYS_io_uring_enter_ = 426, SYS_io_uring_register_ = 427,
	SETUP_CQSIZE = 1u << 3, SETUP_CLAMP = 1u << 4, SETUP_SUBMIT_ALL = 1u << 7,
	FEAT_SINGLE_MMAP = 1u << 0, FEAT_NODROP = 1u << 1, FEAT_RW_CUR_POS = 1u << 3,
	OP_NOP = 0, OP_READV = 1, OP_WRITEV = 2, OP_SENDMSG = 9, OP_RECVMSG = 10, OP_READ = 22, OP_WRITE = 23,
	OP_SEND = 26, OP_RECV = 27,
	ENTER_GETEVENTS = 1, REGISTER_IOWQ_MAX_WORKERS = 19,
};

/* A ring's queues, mapped. Who may touch them is the user's business
 * (uring.c: its locks; iobatch.c: the P's owner). */
struct uring {
	int fd;
	void *map; /* both queues (one mapping) */
	size_t mapsz, sqesz;
	_Atomic uint32_t *sqhead, *sqtail, *cqhead, *cqtail;
	uint32_t *sqarray, sqmask, cqmask;
	struct sqe *sqes;
	struct cqe *cqes;
};

/* uring_open sets up a ring of sq submission and cq completion entries
 * with the given setup flags, needing every feature in `need` (and one
 * mapping for both queues). false with nothing left open if the kernel,
 * a seccomp profile or kernel.io_uring_disabled refuses. */
bool uring_open(struct uring *r, uint32_t sq, uint32_t cq, uint32_t flags, uint32_t need);
void uring_close(struct uring *r);

#endif
