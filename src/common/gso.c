// SPDX-License-Identifier: MIT
#include "common/gso.h"

#include "common/buf.h"
#include "common/csum.h"

#include <errno.h>
#include <string.h>

/* IP protocol number and TCP header fields used here (RFC 9293). */
enum {
	IPPROTO_TCP_NUM = 6,
	TCP_FLAGS_OFF = 13,
	TCP_FIN = 0x01,
	TCP_PSH = 0x08,
	TCP_ACK = 0x10,
	TCP_CWR = 0x80,
};

static uint32_t fold16(uint64_t acc)
{
	while (acc >> 16)
		acc = (acc & 0xffff) + (acc >> 16);
	return (uint32_t)acc;
}

/*
 * The one's-complement sum is the same whatever the byte order of the
 * 16-bit words, up to swapping the two bytes of the result (RFC 1071,
 * "byte order independence"), and 2^16 == 1 modulo 0xffff, so wider words
 * may be summed and folded at the end. The data is read as native 32-bit
 * halves of 8-byte words (two adds per 8 bytes into a 64-bit accumulator,
 * which cannot overflow below 2^32 words), folded, and swapped to network
 * order on little-endian machines. About 4x the byte-wise big-endian loop;
 * this runs over every TCP segment of a TSO batch.
 */
uint32_t wg_gso_csum_partial(const void *data, size_t len, uint32_t sum)
{
	const uint8_t *p = data;
	uint64_t a0 = 0, a1 = 0;
	uint32_t s;

	for (; len >= 16; p += 16, len -= 16) {
		uint64_t w0, w1;

		memcpy(&w0, p, 8);
		memcpy(&w1, p + 8, 8);
		a0 += (w0 & 0xffffffffu) + (w0 >> 32);
		a1 += (w1 & 0xffffffffu) + (w1 >> 32);
	}
	a0 += a1;
	for (; len >= 4; p += 4, len -= 4) {
		uint32_t w;

		memcpy(&w, p, 4);
		a0 += w;
	}
	if (len >= 2) {
		uint16_t w;

		memcpy(&w, p, 2);
		a0 += w;
		p += 2;
		len -= 2;
	}
	if (len) /* the last byte is the first (high, in network order) of a word */
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
		a0 += p[0];
#else
		a0 += (uint32_t)p[0] << 8;
#endif
	s = fold16(a0);
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	s = (uint32_t)((s >> 8) | ((s & 0xff) << 8));
#endif
	return fold16((uint64_t)s + sum);
}

int wg_gso_csum_complete(uint8_t *pkt, size_t len, size_t start, size_t off)
{
	if (start > len || off + 2 > len - start)
		return -EINVAL;
	put_be16(pkt + start + off, csum_fold(wg_gso_csum_partial(pkt + start, len - start, 0)));
	return 0;
}

int wg_gso_tso_init(struct wg_gso_tso *t, const uint8_t *pkt, size_t len, size_t mss)
{
	size_t tcphl;

	memset(t, 0, sizeof(*t));
	if (len < 20 || !mss)
		return -EINVAL;
	if (pkt[0] >> 4 == 4) {
		t->iphl = (size_t)(pkt[0] & 0x0f) * 4;
		if (t->iphl < 20 || pkt[9] != IPPROTO_TCP_NUM || (size_t)(pkt[2] << 8 | pkt[3]) != len)
			return -EINVAL;
	} else if (pkt[0] >> 4 == 6) {
		t->iphl = 40;
		t->v6 = true;
		if (len < 40 || pkt[6] != IPPROTO_TCP_NUM || (size_t)(pkt[4] << 8 | pkt[5]) + 40 != len)
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

int wg_gso_tso_next(struct wg_gso_tso *t, uint8_t *out, size_t cap)
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
		put_be16(out + 10, csum_fold(wg_gso_csum_partial(out, t->iphl, 0)));
	}
	put_be32(tcp + 4, get_be32(tcp + 4) + (uint32_t)t->off);
	if (!last)
		tcp[TCP_FLAGS_OFF] &= (uint8_t)~(TCP_FIN | TCP_PSH); /* only on the last segment */
	if (t->seg)
		tcp[TCP_FLAGS_OFF] &= (uint8_t)~TCP_CWR; /* only on the first */
	/* pseudo-header + segment */
	tcp[16] = tcp[17] = 0;
	if (t->v6)
		sum = wg_gso_csum_partial(out + 8, 32, 0);
	else
		sum = wg_gso_csum_partial(out + 12, 8, 0);
	sum += 6 + (uint32_t)(seglen - t->iphl);
	sum = wg_gso_csum_partial(tcp, seglen - t->iphl, sum);
	put_be16(tcp + 16, csum_fold(sum));
	t->off += chunk;
	t->seg++;
	if (payload == 0)
		t->off = 1; /* a header-only packet is emitted once */
	return (int)seglen;
}

/* TCP facts of a packet for coalescing, or false when it cannot be. */
struct gro_info {
	size_t iphl, thl, plen;
	uint32_t seq;
	uint8_t flags;
	bool v6;
};

static bool gro_parse(const uint8_t *p, size_t len, struct gro_info *g)
{
	if (len < 20)
		return false;
	if (p[0] == 0x45) {
		if ((size_t)(p[2] << 8 | p[3]) != len || p[9] != IPPROTO_TCP_NUM ||
		    ((p[6] << 8 | p[7]) & 0x3fff)) /* MF or fragment offset */
			return false;
		g->iphl = 20;
		g->v6 = false;
	} else if (p[0] >> 4 == 6) {
		if (len < 40 || (size_t)(p[4] << 8 | p[5]) + 40 != len || p[6] != IPPROTO_TCP_NUM)
			return false;
		g->iphl = 40;
		g->v6 = true;
	} else {
		return false;
	}
	if (len < g->iphl + 20)
		return false;
	g->thl = (size_t)(p[g->iphl + 12] >> 4) * 4;
	if (g->thl < 20 || g->iphl + g->thl > len)
		return false;
	g->plen = len - g->iphl - g->thl;
	g->seq = get_be32(p + g->iphl + 4);
	g->flags = p[g->iphl + TCP_FLAGS_OFF];
	return true;
}

/* Same flow and same header bytes where they must match. */
static bool gro_same(const uint8_t *a, const uint8_t *b, const struct gro_info *ga,
		     const struct gro_info *gb)
{
	const uint8_t *ta = a + ga->iphl, *tb = b + gb->iphl;

	if (ga->v6 != gb->v6 || ga->thl != gb->thl)
		return false;
	if (ga->v6) {
		if (memcmp(a, b, 4) || a[7] != b[7] || memcmp(a + 8, b + 8, 32))
			return false;
	} else {
		if (a[1] != b[1] || a[8] != b[8] || (a[6] & 0x40) != (b[6] & 0x40) ||
		    memcmp(a + 12, b + 12, 8))
			return false;
	}
	return !memcmp(ta, tb, 4) &&                 /* ports */
	       !memcmp(ta + 8, tb + 8, 4) &&         /* ack */
	       !memcmp(ta + 14, tb + 14, 2) &&       /* window */
	       !memcmp(ta + 18, tb + 18, ga->thl - 18); /* urgent ptr, options */
}

size_t wg_gso_gro_run(const struct wg_gso_gro_pkt *pkts, size_t n)
{
	struct gro_info first, prev, cur;
	size_t total, k;

	if (!n)
		return 0;
	if (!gro_parse(pkts[0].p, pkts[0].len, &first) || !first.plen ||
	    first.flags != TCP_ACK)
		return 1;
	prev = first;
	total = pkts[0].len;
	for (k = 1; k < n; k++) {
		if (!gro_parse(pkts[k].p, pkts[k].len, &cur) ||
		    !gro_same(pkts[0].p, pkts[k].p, &first, &cur))
			break;
		if (prev.flags != TCP_ACK || (cur.flags != TCP_ACK && cur.flags != (TCP_ACK | TCP_PSH)))
			break;
		if (prev.plen != first.plen || !cur.plen || cur.plen > first.plen)
			break;
		if (cur.seq != prev.seq + (uint32_t)prev.plen)
			break;
		if (total + cur.plen > 65535)
			break;
		total += cur.plen;
		prev = cur;
	}
	return k;
}

size_t wg_gso_gro_merge_headers(struct wg_gso_gro_pkt *pkts, size_t n, struct wg_gso_gro_hdr *h)
{
	uint8_t *p = pkts[0].p;
	struct gro_info g, last;
	size_t total;
	uint32_t sum;
	uint8_t *tcp;

	gro_parse(p, pkts[0].len, &g);
	gro_parse(pkts[n - 1].p, pkts[n - 1].len, &last);
	total = pkts[0].len;
	for (size_t k = 1; k < n; k++)
		total += pkts[k].len - g.iphl - g.thl;
	tcp = p + g.iphl;
	if (g.v6) {
		put_be16(p + 4, (uint16_t)(total - 40));
		sum = wg_gso_csum_partial(p + 8, 32, 0);
	} else {
		put_be16(p + 2, (uint16_t)total);
		put_be16(p + 10, 0);
		put_be16(p + 10, csum_fold(wg_gso_csum_partial(p, 20, 0)));
		sum = wg_gso_csum_partial(p + 12, 8, 0);
	}
	tcp[TCP_FLAGS_OFF] = last.flags; /* PSH of the last segment */
	sum += 6 + (uint32_t)(total - g.iphl);
	/* CHECKSUM_PARTIAL: the field holds the folded pseudo-header sum */
	put_be16(tcp + 16, (uint16_t)~csum_fold(sum));
	h->v6 = g.v6;
	h->hdr_len = (uint16_t)(g.iphl + g.thl);
	h->gso_size = (uint16_t)g.plen;
	h->csum_start = (uint16_t)g.iphl;
	h->csum_offset = 16;
	return total;
}
