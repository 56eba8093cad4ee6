// SPDX-License-Identifier: MIT
/* Endpoint probes: DF echo requests standing for WireGuard datagrams. */
#include <errno.h>
#include <string.h>

#include "common/buf.h"
#include "common/csum.h"
#include "pmtu/epprobe.h"
#include "pmtu/ipinfo.h"
#include "pmtu/overhead.h"
#include "wire/crypto.h"

enum {
	ICMP4_ECHO_REQUEST = 8,
	ICMP4_ECHO_REPLY = 0,
	ICMP6_ECHO_REQUEST = 128,
	ICMP6_ECHO_REPLY = 129,
};

uint32_t epp_size_for_inner(uint8_t family, uint32_t inner)
{
	return inner + (uint32_t)ovh_wg_overhead(family == 6 ? OVH_IPV6 : OVH_IPV4);
}

static int ip_hdr(uint8_t family)
{
	return family == 4 ? 20 : family == 6 ? 40 : -1;
}

int epp_icmp_len(uint8_t family, uint32_t size)
{
	int h = ip_hdr(family);

	if (h < 0 || size > EPP_MAX_SIZE ||
	    size < (uint32_t)(family == 4 ? EPP_MIN_SIZE4 : EPP_MIN_SIZE6))
		return -EINVAL;
	return (int)size - h;
}

/* tag = BLAKE2s-64(secret; family | id | seq | size) */
static int make_tag(const struct epp_key *k, uint16_t seq, uint32_t size,
		    uint8_t tag[EPP_TAG_LEN])
{
	uint8_t in[9];

	in[0] = k->family;
	put_be16(in + 1, k->id);
	put_be16(in + 3, seq);
	put_be32(in + 5, size);
	return wg_blake2s_keyed(tag, EPP_TAG_LEN, k->secret, EPP_SECRET_LEN, in, sizeof(in)) ? -EIO : 0;
}

/* splitmix64: the payload after the tag, seeded by the tag */
static uint64_t stream_next(uint64_t *s)
{
	uint64_t z = (*s += 0x9e3779b97f4a7c15ull);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

static uint64_t stream_seed(const uint8_t tag[EPP_TAG_LEN])
{
	uint64_t s = 0;

	for (int i = 0; i < EPP_TAG_LEN; i++)
		s = s << 8 | tag[i];
	return s;
}

static void stream_fill(const uint8_t tag[EPP_TAG_LEN], uint8_t *p, size_t n)
{
	uint64_t s = stream_seed(tag), v = 0;

	for (size_t i = 0; i < n; i++) {
		if (!(i & 7))
			v = stream_next(&s);
		p[i] = (uint8_t)(v >> (8 * (i & 7)));
	}
}

static bool stream_equal(const uint8_t tag[EPP_TAG_LEN], const uint8_t *p, size_t n)
{
	uint64_t s = stream_seed(tag), v = 0;
	uint8_t diff = 0;

	for (size_t i = 0; i < n; i++) {
		if (!(i & 7))
			v = stream_next(&s);
		diff |= p[i] ^ (uint8_t)(v >> (8 * (i & 7)));
	}
	return !diff;
}

int epp_build(const struct epp_key *k, uint16_t seq, uint32_t size, uint8_t *out, size_t cap)
{
	int n = epp_icmp_len(k->family, size);
	uint8_t *tag;

	if (n < 0)
		return n;
	if (cap < (size_t)n)
		return -ENOBUFS;
	out[0] = k->family == 4 ? ICMP4_ECHO_REQUEST : ICMP6_ECHO_REQUEST;
	out[1] = 0;
	put_be16(out + 2, 0);
	put_be16(out + 4, k->id);
	put_be16(out + 6, seq);
	tag = out + EPP_ICMP_HDR;
	if (make_tag(k, seq, size, tag) < 0)
		return -EIO;
	stream_fill(tag, tag + EPP_TAG_LEN, (size_t)n - EPP_ICMP_HDR - EPP_TAG_LEN);
	if (k->family == 4)
		put_be16(out + 2, csum(out, (size_t)n));
	return n;
}

/* The ICMP message inside what an IPv4 raw socket delivers (parsed by the
 * one IP parser, ipinfo.h). */
static int strip_ip4(const uint8_t *pkt, size_t len, const uint8_t **icmp, size_t *ilen,
		     uint8_t from4[4])
{
	struct ipinfo ii;

	if (ipi_parse(pkt, len, &ii) < 0 || ii.version != 4)
		return -EBADMSG;
	if (ii.fragment)
		return -EBADMSG; /* a fragment: the kernel hands over reassembled packets */
	if (ii.proto != IPI_PROTO_ICMP)
		return -ENOMSG;
	if (from4)
		memcpy(from4, ii.src, 4);
	*icmp = pkt + ii.l4_off;
	*ilen = ii.tot_len - ii.l4_off;
	return 0;
}

int epp_check(const struct epp_key *k, const uint8_t *pkt, size_t len,
	      struct epp_answer *a, uint8_t from4[4])
{
	const uint8_t *m = pkt;
	size_t mlen = len, plen;
	uint8_t tag[EPP_TAG_LEN];
	uint16_t seq;
	uint32_t size;
	int r;

	if (k->family == 4) {
		r = strip_ip4(pkt, len, &m, &mlen, from4);
		if (r < 0)
			return r;
	} else if (k->family != 6) {
		return -EINVAL;
	}
	if (mlen < EPP_ICMP_HDR)
		return -EBADMSG;
	if (m[0] != (k->family == 4 ? ICMP4_ECHO_REPLY : ICMP6_ECHO_REPLY) || m[1] != 0)
		return -ENOMSG;
	if (get_be16(m + 4) != k->id)
		return -ENOMSG;
	if (k->family == 4 && csum(m, mlen) != 0)
		return -EBADMSG;
	plen = mlen - EPP_ICMP_HDR;
	if (plen < EPP_TAG_LEN)
		return -EBADMSG;
	size = (uint32_t)mlen + (uint32_t)ip_hdr(k->family);
	if (epp_icmp_len(k->family, size) < 0)
		return -EBADMSG;
	seq = get_be16(m + 6);
	if (make_tag(k, seq, size, tag) < 0)
		return -EIO;
	if (!wg_ct_equal(tag, m + EPP_ICMP_HDR, EPP_TAG_LEN) ||
	    !stream_equal(tag, m + EPP_ICMP_HDR + EPP_TAG_LEN, plen - EPP_TAG_LEN))
		return -EBADMSG;
	a->seq = seq;
	a->size = size;
	return 0;
}
