// SPDX-License-Identifier: MIT
/*
 * Frame -> summary for wgmtu analyze. Link layer, IPv4/IPv6 (extension
 * headers, fragments), UDP, WireGuard by message type and exact length, and
 * ICMP/ICMPv6 "too big" with the flow it quotes.
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>

#include "common/buf.h"
#include "tool/analyze_dissect.h"
#include "wire/messages.h"

enum {
	ETH_P_IPV4 = 0x0800,
	ETH_P_IPV6 = 0x86dd,
	ETH_P_VLAN = 0x8100,
	ETH_P_QINQ = 0x88a8,
	IPPROTO_UDP_ = 17,
	IPPROTO_ICMP_ = 1,
	IPPROTO_ICMPV6_ = 58,
	IPV6_MAX_EXT = 8,
};

bool ana_link_supported(int lt)
{
	switch (lt) {
	case ANA_LINK_NULL: case ANA_LINK_ETHERNET: case ANA_LINK_RAW:
	case ANA_LINK_RAW_ALT: case ANA_LINK_LOOP: case ANA_LINK_LINKTYPE_RAW:
	case ANA_LINK_SLL: case ANA_LINK_SLL2: case ANA_LINK_IPV4: case ANA_LINK_IPV6:
		return true;
	default:
		return false;
	}
}

const char *ana_link_name(int lt)
{
	switch (lt) {
	case ANA_LINK_NULL: return "BSD loopback";
	case ANA_LINK_ETHERNET: return "Ethernet";
	case ANA_LINK_RAW: case ANA_LINK_RAW_ALT: case ANA_LINK_LINKTYPE_RAW: return "raw IP";
	case ANA_LINK_LOOP: return "OpenBSD loopback";
	case ANA_LINK_SLL: return "Linux cooked v1";
	case ANA_LINK_SLL2: return "Linux cooked v2";
	case ANA_LINK_IPV4: return "raw IPv4";
	case ANA_LINK_IPV6: return "raw IPv6";
	default: return "unknown";
	}
}

bool ana_wg_data_padded(uint32_t len)
{
	return len >= WG_MSG_DATA_MIN_LEN &&
	       (len - WG_MSG_DATA_MIN_LEN) % WG_PADDING_MULTIPLE == 0;
}

/* Is there a transport message for the same receiver index at payload
 * offset off with a counter above the first one's (exactly first + k when
 * k is not 0)? Only what was captured is read. */
static bool gso_header_at(const struct ana_pkt *p, uint32_t off, uint64_t k)
{
	struct rbuf b;
	uint32_t t, r;
	uint64_t ctr;

	if (off + 16 > p->payload_cap)
		return false;
	b = rbuf_make(p->payload + off, p->payload_cap - off);
	t = rbuf_le32(&b);
	r = rbuf_le32(&b);
	ctr = rbuf_le64(&b);
	return rbuf_ok(&b) && t == WG_MSG_DATA && r == p->wg_receiver &&
	       (k ? ctr == p->wg_counter + k : ctr > p->wg_counter);
}

uint32_t ana_gso_size(const struct ana_pkt *p)
{
	static const uint8_t type4[4] = { WG_MSG_DATA, 0, 0, 0 };
	const uint8_t *q;
	uint32_t from = WG_MSG_DATA_MIN_LEN, seg;
	/* cut by the snaplen: what is beyond the capture is taken on trust
	 * only when the captured part shows consecutive counters */
	bool whole = p->payload_cap >= p->udp_len;

	if (p->kind != ANA_K_WG || p->wg_type != WG_MSG_DATA || !p->wg_have_ids ||
	    p->frag || p->udp_len < 2 * WG_MSG_DATA_MIN_LEN)
		return 0;
	/* the second message: the first type-4 header naming the same
	 * receiver with a later counter (ciphertext matches it by chance
	 * with probability 2^-96 per offset) */
	for (;;) {
		if (from + 16 > p->payload_cap)
			return 0;
		/* memchr is the fast scan (every capture's every data packet
		 * passes here); a 04 byte is then checked for a whole header */
		q = memchr(p->payload + from, WG_MSG_DATA, p->payload_cap - from - 15);
		if (!q)
			return 0;
		seg = (uint32_t)(q - p->payload);
		if (!memcmp(q, type4, sizeof(type4)) && gso_header_at(p, seg, whole ? 0 : 1))
			break;
		from = seg + 1;
	}
	if (p->udp_len - (p->udp_len - 1) / seg * seg < WG_MSG_DATA_MIN_LEN)
		return 0; /* the last segment would be too short for a message */
	/* every further boundary captured must hold a message too */
	for (uint32_t off = 2 * seg; off < p->udp_len; off += seg) {
		if (!whole && off + 16 > p->payload_cap)
			break;
		if (!gso_header_at(p, off, whole ? 0 : off / seg))
			return 0;
	}
	return seg;
}

void ana_gso_segment(const struct ana_pkt *super, uint32_t gso_size, uint32_t i,
		     struct ana_pkt *out)
{
	uint32_t off = i * gso_size, len = super->udp_len - off;
	uint32_t hdrs = super->ip_len - super->udp_len; /* IP (+ext) + UDP */
	struct rbuf b;

	if (len > gso_size)
		len = gso_size;
	*out = *super;
	out->gso = true;
	out->gso_i = i;
	out->udp_len = len;
	out->ip_len = out->dgram_ip_len = hdrs + len;
	out->wg_unpadded = !ana_wg_data_padded(len);
	out->payload = super->payload_cap > off ? super->payload + off : NULL;
	out->payload_cap = super->payload_cap > off ? super->payload_cap - off : 0;
	if (out->payload_cap > len)
		out->payload_cap = len;
	out->truncated = out->payload_cap < len;
	b = rbuf_make(out->payload, out->payload_cap);
	rbuf_skip(&b, 8);
	out->wg_counter = rbuf_le64(&b);
	/* beyond the snaplen: the counters run on (ana_gso_size checked) */
	if (!rbuf_ok(&b))
		out->wg_counter = super->wg_counter + i;
}

static void set_bad(struct ana_pkt *o, const char *why)
{
	o->kind = ANA_K_BAD;
	o->bad = why;
}

/* Reads the 4 or 16 address bytes. */
static void take_addr(struct rbuf *b, struct ana_addr *a, uint8_t fam)
{
	memset(a, 0, sizeof(*a));
	a->fam = fam;
	rbuf_copy(b, a->a, fam == 4 ? 4 : 16);
}

/* WireGuard classification of a UDP payload of udp_len bytes of which
 * cap were captured. */
static void dissect_wg(struct ana_pkt *o)
{
	const uint8_t *p = o->payload;
	struct rbuf b;
	uint8_t hdr[4];
	enum wg_message_type t;

	if (o->payload_cap < 4)
		return; /* cannot tell */
	memcpy(hdr, p, 4);
	/* wg_message_classify reads only the 4 header bytes; the length is the
	 * one the UDP header states, so snaplen-cut packets still classify */
	t = wg_message_classify(hdr, o->udp_len);
	if (t == WG_MSG_INVALID)
		return;
	o->kind = ANA_K_WG;
	o->wg_type = (uint8_t)t;
	b = rbuf_make(p, o->payload_cap);
	rbuf_skip(&b, 4);
	switch (t) {
	case WG_MSG_HANDSHAKE_INITIATION:
		o->wg_sender = rbuf_le32(&b);
		break;
	case WG_MSG_HANDSHAKE_RESPONSE:
		o->wg_sender = rbuf_le32(&b);
		o->wg_receiver = rbuf_le32(&b);
		break;
	case WG_MSG_HANDSHAKE_COOKIE:
		o->wg_receiver = rbuf_le32(&b);
		break;
	case WG_MSG_DATA:
		o->wg_receiver = rbuf_le32(&b);
		o->wg_counter = rbuf_le64(&b);
		o->wg_unpadded = !ana_wg_data_padded(o->udp_len);
		break;
	default:
		break;
	}
	o->wg_have_ids = rbuf_ok(&b);
	if (!o->wg_have_ids)
		o->truncated = true;
}

static void dissect_udp(struct rbuf *b, struct ana_pkt *o, uint32_t l4_len)
{
	uint16_t ulen;

	o->key.sport = rbuf_be16(b);
	o->key.dport = rbuf_be16(b);
	ulen = rbuf_be16(b);
	rbuf_skip(b, 2);
	if (!rbuf_ok(b)) {
		o->truncated = true;
		o->kind = ANA_K_OTHER_IP;
		return;
	}
	if (ulen < 8 || (!o->frag && ulen > l4_len)) {
		set_bad(o, "UDP length field does not fit the IP packet");
		return;
	}
	o->kind = ANA_K_UDP;
	o->udp_len = ulen - 8u;
	o->payload = b->p + b->off;
	o->payload_cap = (uint32_t)rbuf_left(b);
	if (o->payload_cap > o->udp_len)
		o->payload_cap = o->udp_len; /* Ethernet padding */
	/* a first fragment holds only part of the datagram by nature */
	if (o->payload_cap < o->udp_len && !o->frag)
		o->truncated = true;
	if (o->frag)
		o->dgram_ip_len = o->ip_len - l4_len + ulen;
	dissect_wg(o);
}

/* The IP header + first 8 bytes quoted by an ICMP error: the flow it names. */
static void dissect_quoted(struct rbuf *b, struct ana_pkt *o, uint8_t fam)
{
	struct ana_flowkey *k = &o->key;
	uint8_t proto;

	if (fam == 4) {
		uint8_t vihl = rbuf_u8(b);
		size_t ihl = (size_t)(vihl & 0x0f) * 4;

		if (!rbuf_ok(b) || (vihl >> 4) != 4 || ihl < 20)
			return;
		rbuf_skip(b, 8);
		proto = rbuf_u8(b);
		rbuf_skip(b, 2);
		take_addr(b, &k->src, 4);
		take_addr(b, &k->dst, 4);
		rbuf_skip(b, ihl - 20);
	} else {
		uint8_t v = rbuf_u8(b);

		if (!rbuf_ok(b) || (v >> 4) != 6)
			return;
		rbuf_skip(b, 5);
		proto = rbuf_u8(b);
		rbuf_skip(b, 1);
		take_addr(b, &k->src, 6);
		take_addr(b, &k->dst, 6);
	}
	if (proto != IPPROTO_UDP_)
		return;
	k->sport = rbuf_be16(b);
	k->dport = rbuf_be16(b);
	o->ptb_have_flow = rbuf_ok(b);
}

static void dissect_icmp(struct rbuf *b, struct ana_pkt *o, uint8_t fam)
{
	uint8_t type = rbuf_u8(b), code = rbuf_u8(b);

	rbuf_skip(b, 2);
	if (!rbuf_ok(b)) {
		o->truncated = true;
		return;
	}
	if (fam == 4 && type == 3 && code == 4) {
		rbuf_skip(b, 2);
		o->ptb_mtu = rbuf_be16(b);
	} else if (fam == 6 && type == 2 && code == 0) {
		o->ptb_mtu = rbuf_be32(b);
	} else {
		return;
	}
	if (!rbuf_ok(b)) {
		o->truncated = true;
		return;
	}
	o->kind = ANA_K_PTB;
	memset(&o->key, 0, sizeof(o->key));
	dissect_quoted(b, o, fam);
}

static void dissect_ipv4(struct rbuf *b, struct ana_pkt *o)
{
	size_t start = b->off;
	uint8_t vihl = rbuf_u8(b);
	size_t ihl = (size_t)(vihl & 0x0f) * 4;
	uint16_t tot, frag;
	uint8_t proto;

	rbuf_skip(b, 1);
	tot = rbuf_be16(b);
	rbuf_skip(b, 2);
	frag = rbuf_be16(b);
	o->ttl = rbuf_u8(b);
	proto = rbuf_u8(b);
	rbuf_skip(b, 2);
	take_addr(b, &o->key.src, 4);
	take_addr(b, &o->key.dst, 4);
	if (!rbuf_ok(b)) {
		o->truncated = true;
		set_bad(o, "IPv4 header cut short");
		return;
	}
	if ((vihl >> 4) != 4 || ihl < 20 || tot < ihl) {
		set_bad(o, "IPv4 header invalid (version, header or total length)");
		return;
	}
	if (!rbuf_skip(b, ihl - 20)) {
		o->truncated = true;
		set_bad(o, "IPv4 options cut short");
		return;
	}
	o->ip_len = tot;
	o->dgram_ip_len = tot;
	/* what was captured of this packet, trailer (Ethernet padding) cut */
	if (rbuf_left(b) + ihl < tot)
		o->truncated = true;
	else
		b->len = start + tot;
	o->kind = ANA_K_OTHER_IP;
	if (frag & 0x3fff) {
		o->frag = true;
		if (frag & 0x1fff) {
			o->kind = ANA_K_FRAG;
			return;
		}
		o->frag_first = true;
	}
	if (proto == IPPROTO_UDP_)
		dissect_udp(b, o, tot - (uint32_t)ihl);
	else if (proto == IPPROTO_ICMP_ && !o->frag)
		dissect_icmp(b, o, 4);
}

static void dissect_ipv6(struct rbuf *b, struct ana_pkt *o)
{
	size_t start = b->off;
	uint8_t v = rbuf_u8(b);
	uint16_t plen;
	uint8_t nh;
	size_t hdrs = 40;

	rbuf_skip(b, 3);
	plen = rbuf_be16(b);
	nh = rbuf_u8(b);
	o->ttl = rbuf_u8(b);
	take_addr(b, &o->key.src, 6);
	take_addr(b, &o->key.dst, 6);
	if (!rbuf_ok(b)) {
		o->truncated = true;
		set_bad(o, "IPv6 header cut short");
		return;
	}
	if ((v >> 4) != 6) {
		set_bad(o, "IPv6 version field is not 6");
		return;
	}
	o->ip_len = 40u + plen;
	o->dgram_ip_len = o->ip_len;
	if (rbuf_left(b) < plen)
		o->truncated = true;
	else
		b->len = start + 40u + plen;
	o->kind = ANA_K_OTHER_IP;
	for (int i = 0; i < IPV6_MAX_EXT; i++) {
		uint8_t next, hl;
		uint16_t off;

		switch (nh) {
		case 0: case 43: case 60: /* hop-by-hop, routing, destination */
			next = rbuf_u8(b);
			hl = rbuf_u8(b);
			rbuf_skip(b, (size_t)hl * 8 + 6);
			hdrs += (size_t)hl * 8 + 8;
			nh = next;
			break;
		case 44: /* fragment */
			next = rbuf_u8(b);
			rbuf_skip(b, 1);
			off = rbuf_be16(b);
			rbuf_skip(b, 4);
			hdrs += 8;
			o->frag = true;
			if (off & 0xfff8) {
				if (rbuf_ok(b))
					o->kind = ANA_K_FRAG;
				else
					o->truncated = true;
				return;
			}
			o->frag_first = true;
			nh = next;
			break;
		default:
			goto l4;
		}
		if (!rbuf_ok(b)) {
			o->truncated = true;
			return;
		}
	}
	return; /* too many extension headers: leave it as other IP */
l4:
	if (hdrs > o->ip_len) {
		set_bad(o, "IPv6 extension headers exceed the payload length");
		return;
	}
	if (nh == IPPROTO_UDP_) {
		dissect_udp(b, o, o->ip_len - (uint32_t)hdrs);
		if (o->frag && o->kind != ANA_K_BAD && o->udp_len)
			o->dgram_ip_len = 40u + o->udp_len + 8u; /* reassembled, no frag header */
	} else if (nh == IPPROTO_ICMPV6_ && !o->frag) {
		dissect_icmp(b, o, 6);
	}
}

static void dissect_l3(struct rbuf *b, struct ana_pkt *o, int family_hint)
{
	const uint8_t *q = rbuf_peek(b, 1);
	int ver;

	if (!q) {
		o->truncated = true;
		set_bad(o, "no IP header captured");
		return;
	}
	ver = q[0] >> 4;
	if (family_hint && family_hint != ver) {
		set_bad(o, "IP version does not match the link-layer type");
		return;
	}
	if (ver == 4)
		dissect_ipv4(b, o);
	else if (ver == 6)
		dissect_ipv6(b, o);
	else
		set_bad(o, "IP version is neither 4 nor 6");
}

static int ethertype_family(uint16_t et)
{
	return et == ETH_P_IPV4 ? 4 : et == ETH_P_IPV6 ? 6 : 0;
}

void ana_dissect(int lt, const uint8_t *p, size_t caplen, size_t origlen,
		 struct ana_pkt *o)
{
	struct rbuf b = rbuf_make(p, caplen);
	uint16_t et = 0;
	uint32_t af;
	int fam = 0;

	memset(o, 0, sizeof(*o));
	o->kind = ANA_K_NOT_IP;
	o->truncated = caplen < origlen;
	switch (lt) {
	case ANA_LINK_ETHERNET:
		rbuf_skip(&b, 12);
		et = rbuf_be16(&b);
		for (int i = 0; i < 2 && (et == ETH_P_VLAN || et == ETH_P_QINQ); i++) {
			rbuf_skip(&b, 2);
			et = rbuf_be16(&b);
		}
		break;
	case ANA_LINK_SLL:
		rbuf_skip(&b, 14);
		et = rbuf_be16(&b);
		break;
	case ANA_LINK_SLL2:
		et = rbuf_be16(&b);
		rbuf_skip(&b, 18);
		break;
	case ANA_LINK_NULL:
	case ANA_LINK_LOOP:
		af = lt == ANA_LINK_LOOP ? rbuf_be32(&b) : rbuf_le32(&b);
		/* DLT_NULL is in the capturing host's order: accept either */
		if (af > 0xffff)
			af = __builtin_bswap32(af);
		if (af == 2)
			et = ETH_P_IPV4;
		else if (af == 10 || af == 24 || af == 28 || af == 30)
			et = ETH_P_IPV6;
		break;
	case ANA_LINK_RAW:
	case ANA_LINK_RAW_ALT:
	case ANA_LINK_LINKTYPE_RAW:
		dissect_l3(&b, o, 0);
		return;
	case ANA_LINK_IPV4:
		dissect_l3(&b, o, 4);
		return;
	case ANA_LINK_IPV6:
		dissect_l3(&b, o, 6);
		return;
	default:
		set_bad(o, "unsupported link type");
		return;
	}
	if (!rbuf_ok(&b)) {
		o->truncated = true;
		set_bad(o, "link-layer header cut short");
		return;
	}
	fam = ethertype_family(et);
	if (!fam)
		return; /* ARP and friends */
	dissect_l3(&b, o, fam);
}

void ana_fmt_addr(const struct ana_addr *a, char *buf, size_t n)
{
	if (!inet_ntop(a->fam == 6 ? AF_INET6 : AF_INET, a->a, buf, (socklen_t)n))
		snprintf(buf, n, "?");
}

void ana_fmt_endpoint(const struct ana_addr *a, uint16_t port, char *buf, size_t n)
{
	char s[INET6_ADDRSTRLEN];

	ana_fmt_addr(a, s, sizeof(s));
	if (a->fam == 6)
		snprintf(buf, n, "[%s]:%u", s, port);
	else
		snprintf(buf, n, "%s:%u", s, port);
}
