/* SPDX-License-Identifier: MIT */
/*
 * Bounds-checked byte cursors. Every hostile byte (UDP datagrams, TUN
 * packets, pcap records, UAPI lines) is read through these.
 *
 * A reader never reads past its end: a short read sets ->err, returns zero
 * and leaves the cursor where it was, so a parser can run a sequence of
 * gets and check rbuf_ok() once at the end. Writers behave the same way.
 */
#ifndef WGMTU_COMMON_BUF_H
#define WGMTU_COMMON_BUF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

struct rbuf {
	const uint8_t *p;
	size_t len;
	size_t off;
	bool err;
};

struct wbuf {
	uint8_t *p;
	size_t cap;
	size_t off;
	bool err;
};

static inline struct rbuf rbuf_make(const void *p, size_t len)
{
	struct rbuf b = { .p = p, .len = len, .off = 0, .err = false };
	return b;
}

static inline size_t rbuf_left(const struct rbuf *b)
{
	return b->len - b->off;
}

static inline bool rbuf_ok(const struct rbuf *b)
{
	return !b->err;
}

/* Returns a pointer to the next n bytes and advances, or NULL (and err). */
static inline const uint8_t *rbuf_take(struct rbuf *b, size_t n)
{
	const uint8_t *q;

	if (b->err || n > rbuf_left(b)) {
		b->err = true;
		return NULL;
	}
	q = b->p + b->off;
	b->off += n;
	return q;
}

/* Like rbuf_take but does not advance. */
static inline const uint8_t *rbuf_peek(const struct rbuf *b, size_t n)
{
	if (b->err || n > rbuf_left(b))
		return NULL;
	return b->p + b->off;
}

static inline bool rbuf_skip(struct rbuf *b, size_t n)
{
	return rbuf_take(b, n) != NULL;
}

static inline bool rbuf_copy(struct rbuf *b, void *dst, size_t n)
{
	const uint8_t *q = rbuf_take(b, n);

	if (!q)
		return false;
	memcpy(dst, q, n);
	return true;
}

static inline uint8_t rbuf_u8(struct rbuf *b)
{
	const uint8_t *q = rbuf_take(b, 1);

	return q ? q[0] : 0;
}

static inline uint16_t rbuf_be16(struct rbuf *b)
{
	const uint8_t *q = rbuf_take(b, 2);

	return q ? (uint16_t)((q[0] << 8) | q[1]) : 0;
}

static inline uint32_t rbuf_be32(struct rbuf *b)
{
	const uint8_t *q = rbuf_take(b, 4);

	return q ? ((uint32_t)q[0] << 24) | ((uint32_t)q[1] << 16) |
		   ((uint32_t)q[2] << 8) | q[3] : 0;
}

static inline uint16_t rbuf_le16(struct rbuf *b)
{
	const uint8_t *q = rbuf_take(b, 2);

	return q ? (uint16_t)(q[0] | (q[1] << 8)) : 0;
}

static inline uint32_t rbuf_le32(struct rbuf *b)
{
	const uint8_t *q = rbuf_take(b, 4);

	return q ? (uint32_t)q[0] | ((uint32_t)q[1] << 8) |
		   ((uint32_t)q[2] << 16) | ((uint32_t)q[3] << 24) : 0;
}

static inline uint64_t rbuf_le64(struct rbuf *b)
{
	const uint8_t *q = rbuf_take(b, 8);
	uint64_t v = 0;

	if (!q)
		return 0;
	for (int i = 7; i >= 0; i--)
		v = (v << 8) | q[i];
	return v;
}

static inline struct wbuf wbuf_make(void *p, size_t cap)
{
	struct wbuf b = { .p = p, .cap = cap, .off = 0, .err = false };
	return b;
}

static inline uint8_t *wbuf_reserve(struct wbuf *b, size_t n)
{
	uint8_t *q;

	if (b->err || n > b->cap - b->off) {
		b->err = true;
		return NULL;
	}
	q = b->p + b->off;
	b->off += n;
	return q;
}

static inline bool wbuf_put(struct wbuf *b, const void *src, size_t n)
{
	uint8_t *q = wbuf_reserve(b, n);

	if (!q)
		return false;
	if (n)
		memcpy(q, src, n);
	return true;
}

static inline bool wbuf_u8(struct wbuf *b, uint8_t v)
{
	return wbuf_put(b, &v, 1);
}

static inline bool wbuf_be16(struct wbuf *b, uint16_t v)
{
	uint8_t t[2] = { (uint8_t)(v >> 8), (uint8_t)v };

	return wbuf_put(b, t, 2);
}

static inline bool wbuf_be32(struct wbuf *b, uint32_t v)
{
	uint8_t t[4] = { (uint8_t)(v >> 24), (uint8_t)(v >> 16),
			 (uint8_t)(v >> 8), (uint8_t)v };

	return wbuf_put(b, t, 4);
}

static inline bool wbuf_le32(struct wbuf *b, uint32_t v)
{
	uint8_t t[4] = { (uint8_t)v, (uint8_t)(v >> 8),
			 (uint8_t)(v >> 16), (uint8_t)(v >> 24) };

	return wbuf_put(b, t, 4);
}

static inline bool wbuf_le64(struct wbuf *b, uint64_t v)
{
	uint8_t t[8];

	for (int i = 0; i < 8; i++)
		t[i] = (uint8_t)(v >> (8 * i));
	return wbuf_put(b, t, 8);
}

/* Plain loads/stores for fixed layouts already length-checked. */
static inline uint16_t get_be16(const uint8_t *p)
{
	return (uint16_t)((p[0] << 8) | p[1]);
}

static inline uint32_t get_be32(const uint8_t *p)
{
	return ((uint32_t)p[0] << 24) | ((uint32_t)p[1] << 16) |
	       ((uint32_t)p[2] << 8) | p[3];
}

static inline uint32_t get_le32(const uint8_t *p)
{
	return (uint32_t)p[0] | ((uint32_t)p[1] << 8) |
	       ((uint32_t)p[2] << 16) | ((uint32_t)p[3] << 24);
}

static inline uint64_t get_le64(const uint8_t *p)
{
	uint64_t v = 0;

	for (int i = 7; i >= 0; i--)
		v = (v << 8) | p[i];
	return v;
}

static inline void put_be16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static inline void put_be32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

static inline void put_le32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
	p[2] = (uint8_t)(v >> 16);
	p[3] = (uint8_t)(v >> 24);
}

static inline void put_le64(uint8_t *p, uint64_t v)
{
	for (int i = 0; i < 8; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

#endif
