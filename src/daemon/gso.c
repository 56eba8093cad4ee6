// SPDX-License-Identifier: MIT
#include "daemon/gso.h"

#include "common/csum.h"

#include <errno.h>
#include <string.h>

static inline uint32_t be32_at(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
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

/* 32-bit words summed in 64 bits: 2^16 == 1 modulo 0xffff, so the folded
 * result equals the 16-bit one's-complement sum. */
uint32_t wgd_csum_partial(const void *data, size_t len, uint32_t sum)
{
	const uint8_t *p = data;
	uint64_t acc = sum;

	while (len >= 4) {
		acc += be32_at(p);
		p += 4;
		len -= 4;
	}
	if (len >= 2) {
		acc += (uint32_t)(p[0] << 8 | p[1]);
		p += 2;
		len -= 2;
	}
	if (len)
		acc += (uint32_t)p[0] << 8;
	while (acc >> 32)
		acc = (acc & 0xffffffffu) + (acc >> 32);
	acc = (acc & 0xffff) + (acc >> 16);
	acc = (acc & 0xffff) + (acc >> 16);
	acc = (acc & 0xffff) + (acc >> 16);
	return (uint32_t)acc;
}

int wgd_csum_complete(uint8_t *pkt, size_t len, size_t start, size_t off)
{
	if (start > len || off + 2 > len - start)
		return -EINVAL;
	put_be16(pkt + start + off, csum_fold(wgd_csum_partial(pkt + start, len - start, 0)));
	return 0;
}

int wgd_tso_init(struct wgd_tso *t, const uint8_t *pkt, size_t len, size_t mss)
{
	size_t tcphl;

	memset(t, 0, sizeof(*t));
	if (len < 20 || !mss)
		return -EINVAL;
	if (pkt[0] >> 4 == 4) {
		t->iphl = (size_t)(pkt[0] & 0x0f) * 4;
		if (t->iphl < 20 || pkt[9] != 6 || (size_t)(pkt[2] << 8 | pkt[3]) != len)
			return -EINVAL;
	} else if (pkt[0] >> 4 == 6) {
		t->iphl = 40;
		t->v6 = true;
		if (len < 40 || pkt[6] != 6 || (size_t)(pkt[4] << 8 | pkt[5]) + 40 != len)
			return -EINVAL;
	} else {
		return -EINVAL;
	}
	if (len < t->iphl + 20)
		return -EINVAL;
	tcphl = (size_t)(pkt[t->iphl + 12] >> 4) * 4;
	if (tcphl < 20 || t->iphl + tcphl > len)
		return -EINVAL;
	t->pkt = pkt;
	t->len = len;
	t->hdrlen = t->iphl + tcphl;
	t->mss = mss;
	return 0;
}

int wgd_tso_next(struct wgd_tso *t, uint8_t *out, size_t cap)
{
	size_t payload = t->len - t->hdrlen, chunk, seglen;
	uint8_t *tcp;
	uint32_t sum;
	bool last;

	if (t->off >= payload && !(payload == 0 && t->seg == 0))
		return 0;
	chunk = payload - t->off < t->mss ? payload - t->off : t->mss;
	seglen = t->hdrlen + chunk;
	if (seglen > cap)
		return -ENOSPC;
	last = t->off + chunk >= payload;
	memcpy(out, t->pkt, t->hdrlen);
	memcpy(out + t->hdrlen, t->pkt + t->hdrlen + t->off, chunk);
	tcp = out + t->iphl;
	if (t->v6) {
		put_be16(out + 4, (uint16_t)(seglen - 40));
	} else {
		put_be16(out + 2, (uint16_t)seglen);
		put_be16(out + 4, (uint16_t)((out[4] << 8 | out[5]) + t->seg));
		put_be16(out + 10, 0);
		put_be16(out + 10, csum_fold(wgd_csum_partial(out, t->iphl, 0)));
	}
	put_be32(tcp + 4, be32_at(tcp + 4) + (uint32_t)t->off);
	if (!last)
		tcp[13] &= (uint8_t)~0x09; /* FIN, PSH only on the last segment */
	if (t->seg)
		tcp[13] &= (uint8_t)~0x80; /* CWR only on the first */
	/* pseudo-header + segment */
	tcp[16] = tcp[17] = 0;
	if (t->v6)
		sum = wgd_csum_partial(out + 8, 32, 0);
	else
		sum = wgd_csum_partial(out + 12, 8, 0);
	sum += 6 + (uint32_t)(seglen - t->iphl);
	sum = wgd_csum_partial(tcp, seglen - t->iphl, sum);
	put_be16(tcp + 16, csum_fold(sum));
	t->off += chunk;
	t->seg++;
	if (payload == 0)
		t->off = 1; /* a header-only packet is emitted once */
	return (int)seglen;
}
