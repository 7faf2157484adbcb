/* stdio_musl.h: musl's private FILE layout, for stdio.c only (issue #17
 * item 5). Mirrors struct _IO_FILE of musl 1.2.3, src/internal/stdio_impl.h
 * (Debian bookworm's musl 1.2.3-1), field for field, with the flag bits and
 * the lock constant the stdio layer needs. musl does not publish the
 * layout: the offsets below are checked at compile time against the 1.2.3
 * source's, and at startup against what the libc's public functions say
 * of stdin, stdout and stderr (stdio.c, musl_layout_ok): a musl whose FILE
 * differs stops the program with a message rather than corrupting it.
 *
 * Rejected: reading the fields through musl's public stdio_ext.h calls
 * (__fbufsize, __fpending...): there is none for the read/write pointers,
 * the lock word or the buffer pointers that __stdio_read fills. */
#ifndef GORT_STDIO_MUSL_H
#define GORT_STDIO_MUSL_H
#include <stddef.h>
#include <sys/types.h>

struct musl_file {
	unsigned flags;
	unsigned char *rpos, *rend;
	int (*close)(struct musl_file *);
	unsigned char *wend, *wpos;
	unsigned char *mustbezero_1;
	unsigned char *wbase;
	size_t (*read)(struct musl_file *, unsigned char *, size_t);
	size_t (*write)(struct musl_file *, const unsigned char *, size_t);
	off_t (*seek)(struct musl_file *, off_t, int);
	unsigned char *buf;
	size_t buf_size;
	struct musl_file *prev, *next;
	int fd;
	int pipe_pid;
	long lockcount;  /* flockfile's depth (ftrylockfile.c) */
	int mode;
	volatile int lock; /* 0 free, <0 no locking, else owner tid | MUSL_MAYBE_WAITERS */
	int lbf;
	void *cookie;
	off_t off;
	char *getln_buf;
	void *mustbezero_2;
	unsigned char *shend;
	off_t shlim, shcnt;
	struct musl_file *prev_locked, *next_locked;
	struct __locale_struct *locale;
};

/* stdio_impl.h's flags */
enum { MUSL_F_EOF = 16, MUSL_F_ERR = 32, MUSL_F_SVB = 64 };
/* The lock word's waiters bit (stdio_impl.h), and the owner getc and putc
 * store (src/stdio/getc.h, putc.h: a_cas(&f->lock, 0, MAYBE_WAITERS-1)),
 * which is no thread's id. */
enum { MUSL_MAYBE_WAITERS = 0x40000000, MUSL_ANON_OWNER = MUSL_MAYBE_WAITERS - 1 };

/* 1.2.3's offsets on x86-64 */
_Static_assert(offsetof(struct musl_file, rpos) == 8, "musl FILE layout");
_Static_assert(offsetof(struct musl_file, wend) == 32, "musl FILE layout");
_Static_assert(offsetof(struct musl_file, wbase) == 56, "musl FILE layout");
_Static_assert(offsetof(struct musl_file, read) == 64, "musl FILE layout");
_Static_assert(offsetof(struct musl_file, write) == 72, "musl FILE layout");
_Static_assert(offsetof(struct musl_file, buf) == 88, "musl FILE layout");
_Static_assert(offsetof(struct musl_file, buf_size) == 96, "musl FILE layout");
_Static_assert(offsetof(struct musl_file, fd) == 120, "musl FILE layout");
_Static_assert(offsetof(struct musl_file, lockcount) == 128, "musl FILE layout");
_Static_assert(offsetof(struct musl_file, lock) == 140, "musl FILE layout");
_Static_assert(offsetof(struct musl_file, lbf) == 144, "musl FILE layout");
_Static_assert(sizeof(struct musl_file) == 232, "musl FILE layout");
#endif
