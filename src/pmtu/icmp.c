// SPDX-License-Identifier: MIT
/* ICMP/ICMPv6 builders and parsers for the data path: see icmp.h. */
#include <errno.h>
#include <string.h>

#include "common/buf.h"
#include "common/csum.h"
#include "pmtu/icmp.h"
#include "pmtu/ipinfo.h"

enum {
	ICMP_HDR = 8,
	ICMP4_ECHO_REPLY = 0,
	ICMP4_DEST_UNREACH = 3,
	ICMP4_FRAG_NEEDED = 4,
	ICMP4_ECHO_REQUEST = 8,
	ICMP6_PACKET_TOO_BIG = 2,
	ICMP6_ECHO_REQUEST = 128,
	ICMP6_ECHO_REPLY = 129,
	ICMP6_REDIRECT = 137,
	ICMP4_TOS_INTERNETWORK_CONTROL = 0xc0,
};

static const char *const verdict_names[ICMP_VERDICT_COUNT] = {
	[ICMP_SEND] = "send",
	[ICMP_NO_MALFORMED] = "malformed",
	[ICMP_NO_WRONG_FAMILY] = "wrong_family",
	[ICMP_NO_FITS] = "fits",
	[ICMP_NO_DF_CLEAR] = "df_clear",
	[ICMP_NO_ICMP_ERROR] = "icmp_error",
	[ICMP_NO_FRAGMENT] = "fragment",
	[ICMP_NO_BAD_SOURCE] = "bad_source",
	[ICMP_NO_BAD_DEST] = "bad_dest",
	[ICMP_NO_SOURCE_ADDR] = "no_source_addr",
};

const char *icmp_verdict_name(enum icmp_verdict v)
{
	if ((unsigned)v >= ICMP_VERDICT_COUNT)
		return "unknown";
	return verdict_names[v];
}

static int refuse(enum icmp_verdict *why, enum icmp_verdict v)
{
	if (why)
		*why = v;
	return 0;
}

/*
 * ICMPv4 informational types (RFC 792, 950, 1256): everything else,
 * including types we do not know, is treated as an error so we never risk
 * an error about an error (RFC 1122 3.2.2).
 */
static bool icmp4_is_informational(uint8_t type)
{
	switch (type) {
	case 0: case 8:        /* echo reply / request */
	case 9: case 10:       /* router advertisement / solicitation */
	case 13: case 14:      /* timestamp */
	case 15: case 16:      /* information */
	case 17: case 18:      /* address mask */
		return true;
	default:
		return false;
	}
}

/* RFC 4443 2.1: types 0-127 are errors; a redirect must not be answered
 * either (2.4(e.2)). */
static bool icmp6_must_not_answer(uint8_t type)
{
	return type < 128 || type == ICMP6_REDIRECT;
}

static uint32_t pseudo6_sum(const uint8_t src[16], const uint8_t dst[16],
			    uint32_t len, uint8_t nh)
{
	uint32_t s = csum_add(0, src, 16);

	s = csum_add(s, dst, 16);
	s += len >> 16;
	s += len & 0xffff;
	s += nh;
	return s;
}

int icmp4_build_frag_needed(const uint8_t *pkt, size_t len, const uint8_t src[4],
			    unsigned mtu, uint8_t *out, size_t cap,
			    enum icmp_verdict *why)
{
	struct ipinfo ii;
	size_t quote, total;
	uint8_t *ip, *ic;

	if (!out || mtu < ICMP4_MIN_NEXTHOP_MTU || mtu > 65535)
		return -EINVAL;
	if (ipi_parse(pkt, len, &ii) < 0)
		return refuse(why, ICMP_NO_MALFORMED);
	if (ii.version != 4)
		return refuse(why, ICMP_NO_WRONG_FAMILY);
	if (ii.tot_len <= mtu)
		return refuse(why, ICMP_NO_FITS);
	if (ii.frag_off)
		return refuse(why, ICMP_NO_FRAGMENT);
	if (!ipi_v4_is_unicast_host(ii.src))
		return refuse(why, ICMP_NO_BAD_SOURCE);
	if (ipi_v4_is_multicast_or_bcast(ii.dst))
		return refuse(why, ICMP_NO_BAD_DEST);
	if (ii.proto == IPI_PROTO_ICMP &&
	    (ii.tot_len <= ii.l4_off || !icmp4_is_informational(pkt[ii.l4_off])))
		return refuse(why, ICMP_NO_ICMP_ERROR);
	if (!ii.df)
		return refuse(why, ICMP_NO_DF_CLEAR);
	if (!src && !ipi_v4_is_unicast_host(ii.dst))
		return refuse(why, ICMP_NO_SOURCE_ADDR);

	quote = ii.tot_len;
	if (quote > ICMP4_MAX_ERROR_LEN - IPI_IPV4_HDR - ICMP_HDR)
		quote = ICMP4_MAX_ERROR_LEN - IPI_IPV4_HDR - ICMP_HDR;
	total = IPI_IPV4_HDR + ICMP_HDR + quote;
	if (cap < total)
		return -ENOBUFS;

	ip = out;
	ip[0] = 0x45;
	ip[1] = ICMP4_TOS_INTERNETWORK_CONTROL;
	put_be16(ip + 2, (uint16_t)total);
	put_be16(ip + 4, 0);
	put_be16(ip + 6, 0x4000);
	ip[8] = ICMP_ERROR_TTL;
	ip[9] = IPI_PROTO_ICMP;
	put_be16(ip + 10, 0);
	memcpy(ip + 12, src ? src : ii.dst, 4);
	memcpy(ip + 16, ii.src, 4);
	put_be16(ip + 10, csum(ip, IPI_IPV4_HDR));

	ic = ip + IPI_IPV4_HDR;
	ic[0] = ICMP4_DEST_UNREACH;
	ic[1] = ICMP4_FRAG_NEEDED;
	put_be16(ic + 2, 0);
	put_be16(ic + 4, 0);              /* unused (RFC 1191) */
	put_be16(ic + 6, (uint16_t)mtu);  /* next-hop MTU */
	memcpy(ic + ICMP_HDR, pkt, quote);
	put_be16(ic + 2, csum(ic, ICMP_HDR + quote));
	if (why)
		*why = ICMP_SEND;
	return (int)total;
}

int icmp6_build_packet_too_big(const uint8_t *pkt, size_t len, const uint8_t src[16],
			       unsigned long mtu, uint8_t *out, size_t cap,
			       enum icmp_verdict *why)
{
	struct ipinfo ii;
	size_t quote, total, plen;
	uint8_t *ip, *ic;

	if (!out || mtu < ICMP6_MIN_MTU || mtu > 0xffffffffUL)
		return -EINVAL;
	if (ipi_parse(pkt, len, &ii) < 0)
		return refuse(why, ICMP_NO_MALFORMED);
	if (ii.version != 6)
		return refuse(why, ICMP_NO_WRONG_FAMILY);
	if (ii.tot_len <= mtu)
		return refuse(why, ICMP_NO_FITS);
	if (ipi_v6_is_unspecified(ii.src) || ipi_v6_is_multicast(ii.src) ||
	    ipi_v6_is_loopback(ii.src))
		return refuse(why, ICMP_NO_BAD_SOURCE);
	if (ii.proto == IPI_PROTO_ICMPV6 && ii.l4_off &&
	    (ii.tot_len <= ii.l4_off || icmp6_must_not_answer(pkt[ii.l4_off])))
		return refuse(why, ICMP_NO_ICMP_ERROR);
	if (!src && (ipi_v6_is_multicast(ii.dst) || ipi_v6_is_unspecified(ii.dst) ||
		     ipi_v6_is_loopback(ii.dst)))
		return refuse(why, ICMP_NO_SOURCE_ADDR);

	quote = ii.tot_len;
	if (quote > ICMP6_MAX_ERROR_LEN - IPI_IPV6_HDR - ICMP_HDR)
		quote = ICMP6_MAX_ERROR_LEN - IPI_IPV6_HDR - ICMP_HDR;
	plen = ICMP_HDR + quote;
	total = IPI_IPV6_HDR + plen;
	if (cap < total)
		return -ENOBUFS;

	ip = out;
	put_be32(ip, 6u << 28);
	put_be16(ip + 4, (uint16_t)plen);
	ip[6] = IPI_PROTO_ICMPV6;
	ip[7] = ICMP_ERROR_TTL;
	memcpy(ip + 8, src ? src : ii.dst, 16);
	memcpy(ip + 24, ii.src, 16);

	ic = ip + IPI_IPV6_HDR;
	ic[0] = ICMP6_PACKET_TOO_BIG;
	ic[1] = 0;
	put_be16(ic + 2, 0);
	put_be32(ic + 4, (uint32_t)mtu);
	memcpy(ic + ICMP_HDR, pkt, quote);
	put_be16(ic + 2, csum_fold(csum_add(pseudo6_sum(ip + 8, ip + 24, (uint32_t)plen,
							IPI_PROTO_ICMPV6),
					    ic, plen)));
	if (why)
		*why = ICMP_SEND;
	return (int)total;
}

int icmp_echo_build(const struct icmp_echo *e, uint8_t *out, size_t cap)
{
	size_t hdr, plen, i;
	uint8_t *ic;

	if (!e || !out)
		return -EINVAL;
	if (e->family == 4) {
		if (e->size < ICMP4_ECHO_MIN_SIZE || e->size > 65535)
			return -EINVAL;
		hdr = IPI_IPV4_HDR;
	} else if (e->family == 6) {
		if (e->size < ICMP6_ECHO_MIN_SIZE || e->size > 65535 + IPI_IPV6_HDR)
			return -EINVAL;
		hdr = IPI_IPV6_HDR;
	} else {
		return -EINVAL;
	}
	if (cap < e->size)
		return -ENOBUFS;
	plen = e->size - hdr; /* ICMP header + payload */

	ic = out + hdr;
	ic[0] = e->family == 4 ? (e->reply ? ICMP4_ECHO_REPLY : ICMP4_ECHO_REQUEST)
			       : (e->reply ? ICMP6_ECHO_REPLY : ICMP6_ECHO_REQUEST);
	ic[1] = 0;
	put_be16(ic + 2, 0);
	put_be16(ic + 4, e->id);
	put_be16(ic + 6, e->seq);
	for (i = ICMP_HDR; i < plen; i++)
		ic[i] = (uint8_t)(i - ICMP_HDR + e->id);

	if (e->family == 4) {
		out[0] = 0x45;
		out[1] = 0;
		put_be16(out + 2, (uint16_t)e->size);
		put_be16(out + 4, e->seq);
		put_be16(out + 6, 0x4000); /* DF: the point of the probe */
		out[8] = ICMP_ECHO_TTL;
		out[9] = IPI_PROTO_ICMP;
		put_be16(out + 10, 0);
		memcpy(out + 12, e->src, 4);
		memcpy(out + 16, e->dst, 4);
		put_be16(out + 10, csum(out, IPI_IPV4_HDR));
		put_be16(ic + 2, csum(ic, plen));
	} else {
		put_be32(out, 6u << 28);
		put_be16(out + 4, (uint16_t)plen);
		out[6] = IPI_PROTO_ICMPV6;
		out[7] = ICMP_ECHO_TTL;
		memcpy(out + 8, e->src, 16);
		memcpy(out + 24, e->dst, 16);
		put_be16(ic + 2, csum_fold(csum_add(pseudo6_sum(e->src, e->dst,
								(uint32_t)plen,
								IPI_PROTO_ICMPV6),
						    ic, plen)));
	}
	return (int)e->size;
}

int icmp_echo_parse(const uint8_t *pkt, size_t len, struct icmp_echo *e)
{
	struct ipinfo ii;
	const uint8_t *ic;
	size_t plen;

	if (!e)
		return -EINVAL;
	memset(e, 0, sizeof(*e));
	if (ipi_parse(pkt, len, &ii) < 0)
		return -EBADMSG;
	if (ii.fragment)
		return -ENOMSG; /* a reassembled echo is not a size probe */
	if (ii.version == 4) {
		if (ii.proto != IPI_PROTO_ICMP)
			return -ENOMSG;
		if (csum(pkt, ii.ip_hdr_len) != 0)
			return -EBADMSG;
	} else if (ii.proto != IPI_PROTO_ICMPV6 || !ii.l4_off) {
		return -ENOMSG;
	}
	if (ii.tot_len < ii.l4_off + (size_t)ICMP_HDR)
		return -EBADMSG;
	ic = pkt + ii.l4_off;
	plen = ii.tot_len - ii.l4_off;
	if (ii.version == 4) {
		if (ic[0] != ICMP4_ECHO_REQUEST && ic[0] != ICMP4_ECHO_REPLY)
			return -ENOMSG;
		if (csum(ic, plen) != 0)
			return -EBADMSG;
		e->reply = ic[0] == ICMP4_ECHO_REPLY;
		memcpy(e->src, ii.src, 4);
		memcpy(e->dst, ii.dst, 4);
	} else {
		if (ic[0] != ICMP6_ECHO_REQUEST && ic[0] != ICMP6_ECHO_REPLY)
			return -ENOMSG;
		if (csum_fold(csum_add(pseudo6_sum(ii.src, ii.dst, (uint32_t)plen,
						   IPI_PROTO_ICMPV6), ic, plen)) != 0)
			return -EBADMSG;
		e->reply = ic[0] == ICMP6_ECHO_REPLY;
		memcpy(e->src, ii.src, 16);
		memcpy(e->dst, ii.dst, 16);
	}
	if (ic[1] != 0)
		return -ENOMSG;
	e->family = ii.version;
	e->id = get_be16(ic + 4);
	e->seq = get_be16(ic + 6);
	e->size = ii.tot_len;
	e->pattern = plen >= ICMP_HDR + ICMP_ECHO_PATTERN_MIN;
	for (size_t i = 0; e->pattern && i < ICMP_ECHO_PATTERN_MIN; i++)
		e->pattern = ic[ICMP_HDR + i] == (uint8_t)(i + e->id);
	return 0;
}
