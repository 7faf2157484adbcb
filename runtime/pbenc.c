/* pbenc.c: the protocol-buffers encoder of pbenc.h (no Go counterpart: Go's
 * runtime/pprof has protobuf.go, the trace writer its own varints). Wire
 * format: a key (field << 3 | wire type) then a varint (type 0), 8 bytes
 * (type 1) or a varint length and the bytes (type 2). */
#include "runtime.h"
#include "pbenc.h"

void pb_raw(struct pbuf *b, const void *p, size_t n)
{
	if (b->overflow || n > b->cap - b->n) {
		b->overflow = true;
		return;
	}
	__builtin_memcpy(b->p + b->n, p, n);
	b->n += n;
}

void pb_rawvarint(struct pbuf *b, uint64_t v)
{
	uint8_t t[10];
	size_t k = 0;
	while (v >= 0x80) {
		t[k++] = (uint8_t)(v | 0x80);
		v >>= 7;
	}
	t[k++] = (uint8_t)v;
	pb_raw(b, t, k);
}

void pb_varint(struct pbuf *b, uint32_t field, uint64_t v)
{
	pb_rawvarint(b, (uint64_t)field << 3);
	pb_rawvarint(b, v);
}

void pb_sint(struct pbuf *b, uint32_t field, int64_t v)
{
	pb_varint(b, field, (uint64_t)v);
}

void pb_fixed64(struct pbuf *b, uint32_t field, uint64_t v)
{
	pb_rawvarint(b, (uint64_t)field << 3 | 1);
	pb_raw(b, &v, 8); /* x86-64 is little-endian, as the wire format */
}

void pb_bytes(struct pbuf *b, uint32_t field, const void *p, size_t n)
{
	pb_rawvarint(b, (uint64_t)field << 3 | 2);
	pb_rawvarint(b, n);
	pb_raw(b, p, n);
}

void pb_str(struct pbuf *b, uint32_t field, const char *s)
{
	pb_bytes(b, field, s, __builtin_strlen(s));
}

void pb_msg(struct pbuf *b, uint32_t field, const struct pbuf *sub)
{
	if (sub->overflow) b->overflow = true;
	pb_bytes(b, field, sub->p, sub->n);
}

void pbout_init(struct pbout *o, int fd)
{
	o->fd = fd;
	o->err = false;
	o->n = 0;
	o->total = 0;
}

void pbout_flush(struct pbout *o)
{
	size_t off = 0;
	while (!o->err && off < o->n) {
		long r = sys_write(o->fd, o->buf + off, o->n - off);
		if (r == -EINTR) continue;
		if (r <= 0) o->err = true;
		else off += (size_t)r;
	}
	o->n = 0;
}

void pbout_write(struct pbout *o, const void *p, size_t n)
{
	const uint8_t *s = p;
	o->total += n;
	while (n) {
		if (o->n == sizeof o->buf) pbout_flush(o);
		size_t k = sizeof o->buf - o->n;
		if (k > n) k = n;
		__builtin_memcpy(o->buf + o->n, s, k);
		o->n += k;
		s += k;
		n -= k;
	}
}

void pbout_msg(struct pbout *o, uint32_t field, const struct pbuf *sub)
{
	uint8_t hdr[20];
	struct pbuf h = PBUF(hdr);
	pb_rawvarint(&h, (uint64_t)field << 3 | 2);
	pb_rawvarint(&h, sub->n);
	pbout_write(o, h.p, h.n);
	pbout_write(o, sub->p, sub->n);
}
