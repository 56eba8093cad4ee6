// SPDX-License-Identifier: MIT
/* Inner IP header parsing: see ipinfo.h. */
#include <errno.h>
#include <string.h>

#include "common/buf.h"
#include "pmtu/ipinfo.h"

static int parse_v4(const uint8_t *p, size_t len, struct ipinfo *out)
{
	unsigned ihl, fo;

	if (len < IPI_IPV4_HDR)
		return -EBADMSG;
	ihl = (p[0] & 0x0f) * 4u;
	if (ihl < IPI_IPV4_HDR || ihl > len)
		return -EBADMSG;
	out->tot_len = get_be16(p + 2);
	if (out->tot_len < ihl || out->tot_len > len)
		return -EBADMSG;
	out->ip_hdr_len = (uint16_t)ihl;
	out->ttl = p[8];
	out->proto = p[9];
	fo = get_be16(p + 6);
	out->df = fo & 0x4000;
	out->mf = fo & 0x2000;
	out->frag_off = (uint16_t)((fo & 0x1fff) * 8u);
	out->fragment = out->mf || out->frag_off;
	out->l4_off = out->frag_off ? 0 : (uint16_t)ihl;
	memcpy(out->src, p + 12, 4);
	memcpy(out->dst, p + 16, 4);
	return 0;
}

static int parse_v6(const uint8_t *p, size_t len, struct ipinfo *out)
{
	struct rbuf b;
	uint8_t nh;
	int n;

	if (len < IPI_IPV6_HDR)
		return -EBADMSG;
	out->tot_len = IPI_IPV6_HDR + (uint32_t)get_be16(p + 4);
	if (out->tot_len > len)
		return -EBADMSG; /* includes jumbograms (payload length 0 + HBH) */
	out->ip_hdr_len = IPI_IPV6_HDR;
	out->ttl = p[7];
	memcpy(out->src, p + 8, 16);
	memcpy(out->dst, p + 24, 16);

	b = rbuf_make(p, out->tot_len);
	rbuf_skip(&b, IPI_IPV6_HDR);
	nh = p[6];
	for (n = 0;; n++) {
		const uint8_t *h;

		if (n > IPI_MAX_EXT_HEADERS)
			return -EBADMSG;
		switch (nh) {
		case IPI_PROTO_HOPOPTS:
			if (n != 0) /* RFC 8200 4.1: only right after the header */
				return -EBADMSG;
			/* fall through */
		case IPI_PROTO_ROUTING:
		case IPI_PROTO_DSTOPTS:
			h = rbuf_peek(&b, 2);
			if (!h || !rbuf_skip(&b, (h[1] + 1u) * 8u))
				return -EBADMSG;
			nh = h[0];
			continue;
		case IPI_PROTO_AH:
			h = rbuf_peek(&b, 2);
			if (!h || !rbuf_skip(&b, (h[1] + 2u) * 4u))
				return -EBADMSG;
			nh = h[0];
			continue;
		case IPI_PROTO_FRAGMENT: {
			uint16_t fo;

			h = rbuf_take(&b, 8);
			if (!h)
				return -EBADMSG;
			if (out->fragment) /* two fragment headers */
				return -EBADMSG;
			fo = get_be16(h + 2);
			out->fragment = true;
			out->mf = fo & 1;
			out->frag_off = fo & 0xfff8;
			nh = h[0];
			if (out->frag_off) {
				/* what follows is the middle of a datagram */
				out->proto = nh;
				out->l4_off = 0;
				return 0;
			}
			continue;
		}
		default:
			break;
		}
		break;
	}
	out->proto = nh;
	out->l4_off = (nh == IPI_PROTO_ESP || nh == IPI_PROTO_NONE) ? 0 : (uint16_t)b.off;
	return 0;
}

int ipi_parse(const uint8_t *p, size_t len, struct ipinfo *out)
{
	memset(out, 0, sizeof(*out));
	if (!p || len < 1)
		return -EBADMSG;
	out->version = p[0] >> 4;
	if (out->version == 4)
		return parse_v4(p, len, out);
	if (out->version == 6)
		return parse_v6(p, len, out);
	return -EPROTONOSUPPORT;
}

bool ipi_v4_is_multicast_or_bcast(const uint8_t a[4])
{
	return (a[0] & 0xf0) == 0xe0 ||
	       (a[0] == 255 && a[1] == 255 && a[2] == 255 && a[3] == 255);
}

bool ipi_v4_is_unicast_host(const uint8_t a[4])
{
	/* RFC 1812 4.3.2.7 / 5.3.7: zero, loopback, class D and E, broadcast */
	return a[0] != 0 && a[0] != 127 && (a[0] & 0xe0) != 0xe0;
}

bool ipi_v6_is_unspecified(const uint8_t a[16])
{
	static const uint8_t zero[16];

	return memcmp(a, zero, 16) == 0;
}

bool ipi_v6_is_multicast(const uint8_t a[16])
{
	return a[0] == 0xff;
}

bool ipi_v6_is_loopback(const uint8_t a[16])
{
	static const uint8_t lo[16] = { [15] = 1 };

	return memcmp(a, lo, 16) == 0;
}
