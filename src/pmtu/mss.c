// SPDX-License-Identifier: MIT
/* TCP MSS clamping: see mss.h. */
#include "common/buf.h"
#include "common/csum.h"
#include "pmtu/ipinfo.h"
#include "pmtu/mss.h"
#include "pmtu/overhead.h"

enum {
	TCP_HDR = 20,
	TCP_FLAGS_OFF = 13,
	TCP_FLAG_SYN = 0x02,
	TCPOPT_EOL = 0,
	TCPOPT_NOP = 1,
	TCPOPT_MSS = 2,
	TCPOLEN_MSS = 4,
};

static const char *const names[MSS_RESULT_COUNT] = {
	[MSS_CLAMPED] = "clamped",
	[MSS_UNCHANGED] = "unchanged",
	[MSS_NOT_TCP] = "not_tcp",
	[MSS_NOT_SYN] = "not_syn",
	[MSS_NO_OPTION] = "no_option",
	[MSS_FRAGMENT] = "fragment",
	[MSS_TRUNCATED] = "truncated",
	[MSS_BAD_OPTIONS] = "bad_options",
	[MSS_MALFORMED] = "malformed",
};

const char *mss_result_name(enum mss_result r)
{
	if ((unsigned)r >= MSS_RESULT_COUNT)
		return "unknown";
	return names[r];
}

uint16_t mss_for_mtu(unsigned mtu, int ip_version)
{
	unsigned hdr = ip_version == 4 ? OVH_IPV4_HDR + OVH_TCP_HDR
		     : ip_version == 6 ? OVH_IPV6_HDR + OVH_TCP_HDR : 0;

	if (!hdr || mtu <= hdr || mtu > 65535)
		return 0;
	return (uint16_t)(mtu - hdr);
}

/*
 * One's-complement sums are invariant under rotating every word by 8 bits
 * (2^16 == 1 mod 0xffff), so a 16-bit value at an odd offset from the
 * start of the summed data is updated with both values byte-swapped.
 */
static uint16_t swap16(uint16_t v)
{
	return (uint16_t)((v << 8) | (v >> 8));
}

enum mss_result mss_clamp(uint8_t *pkt, size_t len, uint16_t max_mss)
{
	struct ipinfo ii;

	if (ipi_parse(pkt, len, &ii) < 0)
		return MSS_MALFORMED;
	return mss_clamp_parsed(pkt, &ii, max_mss);
}

enum mss_result mss_clamp_parsed(uint8_t *pkt, const struct ipinfo *ii, uint16_t max_mss)
{
	uint8_t *tcp;
	size_t seg, hlen, i;
	bool found = false, changed = false;
	uint16_t check;

	if (ii->fragment)
		return MSS_FRAGMENT;
	if (ii->proto != IPI_PROTO_TCP || !ii->l4_off)
		return MSS_NOT_TCP;
	seg = ii->tot_len - ii->l4_off;
	if (seg < TCP_HDR)
		return MSS_TRUNCATED;
	tcp = pkt + ii->l4_off;
	if (!(tcp[TCP_FLAGS_OFF] & TCP_FLAG_SYN))
		return MSS_NOT_SYN;
	hlen = (tcp[12] >> 4) * 4u;
	if (hlen < TCP_HDR || hlen > seg)
		return MSS_TRUNCATED;

	/* validate the whole list before touching anything */
	for (i = TCP_HDR; i < hlen;) {
		uint8_t kind = tcp[i], olen;

		if (kind == TCPOPT_EOL)
			break;
		if (kind == TCPOPT_NOP) {
			i++;
			continue;
		}
		if (i + 1 >= hlen)
			return MSS_BAD_OPTIONS;
		olen = tcp[i + 1];
		if (olen < 2 || olen > hlen - i)
			return MSS_BAD_OPTIONS;
		if (kind == TCPOPT_MSS) {
			if (olen != TCPOLEN_MSS)
				return MSS_BAD_OPTIONS;
			found = true;
		}
		i += olen;
	}
	if (!found)
		return MSS_NO_OPTION;
	if (!max_mss)
		return MSS_UNCHANGED;

	check = get_be16(tcp + 16);
	for (i = TCP_HDR; i < hlen;) {
		uint8_t kind = tcp[i];

		if (kind == TCPOPT_EOL)
			break;
		if (kind == TCPOPT_NOP) {
			i++;
			continue;
		}
		if (kind == TCPOPT_MSS) {
			uint16_t old = get_be16(tcp + i + 2);

			if (old > max_mss) {
				put_be16(tcp + i + 2, max_mss);
				if ((i + 2) & 1)
					check = csum_replace16(check, swap16(old), swap16(max_mss));
				else
					check = csum_replace16(check, old, max_mss);
				changed = true;
			}
		}
		i += tcp[i + 1];
	}
	if (!changed)
		return MSS_UNCHANGED;
	put_be16(tcp + 16, check);
	return MSS_CLAMPED;
}
