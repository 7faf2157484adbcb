/* pbenc.h: a tiny protocol-buffers encoder (pbenc.c), shared by the trace
 * writer (trace.c: Perfetto's TracePacket stream) and the profile writer
 * (pprof.c: profile.proto). Only what those two need: varints,
 * fixed64, length-delimited bytes and nested messages, written into
 * caller-provided buffers, and a buffered output stream to a descriptor.
 *
 * Nested messages are built innermost first, each into a buffer of its
 * own, then copied into the enclosing one with its length: the messages
 * the writers make are small (one event, one sample) and this keeps the
 * encoder free of back-patching and allocation. No malloc anywhere: the
 * trace is written at fatal errors too. */
#ifndef GORT_PBENC_H
#define GORT_PBENC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct pbuf {
	uint8_t *p;
	size_t n, cap;
	bool overflow; /* something did not fit: the message is truncated, don't use it */
};
#define PBUF(arr) ((struct pbuf){(arr), 0, sizeof(arr), false})

void pb_varint(struct pbuf *b, uint32_t field, uint64_t v);
void pb_sint(struct pbuf *b, uint32_t field, int64_t v); /* int64 as a plain varint (two's complement) */
void pb_fixed64(struct pbuf *b, uint32_t field, uint64_t v);
void pb_bytes(struct pbuf *b, uint32_t field, const void *p, size_t n);
void pb_str(struct pbuf *b, uint32_t field, const char *s);
void pb_msg(struct pbuf *b, uint32_t field, const struct pbuf *sub);
void pb_raw(struct pbuf *b, const void *p, size_t n);
void pb_rawvarint(struct pbuf *b, uint64_t v);

/* A buffered writer to fd; err is set at the first failed write (a full
 * disk) and later output is dropped. */
struct pbout {
	int fd;
	bool err;
	size_t n;
	uint64_t total;
	uint8_t buf[65536];
};
void pbout_init(struct pbout *o, int fd);
void pbout_write(struct pbout *o, const void *p, size_t n);
void pbout_msg(struct pbout *o, uint32_t field, const struct pbuf *sub);
void pbout_flush(struct pbout *o);

#endif /* GORT_PBENC_H */
