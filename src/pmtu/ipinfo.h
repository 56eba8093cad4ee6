/* SPDX-License-Identifier: MIT */
/*
 * Inner IP packet header parsing for the data path: what the ICMP builder,
 * the MSS clamp and the fragmenter need to know about a packet read from
 * the TUN or decrypted from a peer. Pure and bounds-checked: never reads a
 * byte past len, never trusts a length field.
 */
#ifndef WGMTU_PMTU_IPINFO_H
#define WGMTU_PMTU_IPINFO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum {
	IPI_PROTO_HOPOPTS = 0,
	IPI_PROTO_ICMP = 1,
	IPI_PROTO_TCP = 6,
	IPI_PROTO_UDP = 17,
	IPI_PROTO_ROUTING = 43,
	IPI_PROTO_FRAGMENT = 44,
	IPI_PROTO_ESP = 50,
	IPI_PROTO_AH = 51,
	IPI_PROTO_ICMPV6 = 58,
	IPI_PROTO_NONE = 59,
	IPI_PROTO_DSTOPTS = 60,
	IPI_IPV4_HDR = 20,
	IPI_IPV6_HDR = 40,
	IPI_MAX_EXT_HEADERS = 16, /* a longer chain is treated as malformed */
};

struct ipinfo {
	uint8_t version;    /* 4 or 6 */
	uint8_t proto;      /* upper-layer protocol (after IPv6 extension headers) */
	uint8_t ttl;        /* TTL / hop limit */
	bool df;            /* IPv4 Don't Fragment */
	bool mf;            /* more fragments (IPv4 flag or IPv6 fragment header M) */
	bool fragment;      /* part of a fragmented datagram (any fragment) */
	uint16_t frag_off;  /* fragment offset in bytes */
	uint16_t ip_hdr_len; /* IPv4 IHL*4, or 40 */
	uint16_t l4_off;    /* offset of the upper-layer header; 0 when unknown
			     * (non-first fragment, ESP, no next header) */
	uint32_t tot_len;   /* datagram length claimed by the header (<= buffer) */
	uint8_t src[16];    /* IPv4 addresses in the first 4 bytes */
	uint8_t dst[16];
};

/*
 * Parses the IP header (and for IPv6 the extension header chain) of the
 * packet in p[0..len). Bytes past the header's own total length are
 * ignored (link padding). Returns 0, -EPROTONOSUPPORT when the version is
 * neither 4 nor 6, or -EBADMSG when the header is truncated or its lengths
 * are inconsistent (total length beyond len or below the header, IHL < 5,
 * an extension header running past the datagram, too many of them).
 */
int ipi_parse(const uint8_t *p, size_t len, struct ipinfo *out);

/* Address classes used by the never-respond rules of RFC 1122/1812/4443. */
bool ipi_v4_is_unicast_host(const uint8_t a[4]); /* not 0/8, 127/8, 224/3, bcast */
bool ipi_v4_is_multicast_or_bcast(const uint8_t a[4]);
bool ipi_v6_is_unspecified(const uint8_t a[16]);
bool ipi_v6_is_multicast(const uint8_t a[16]);
bool ipi_v6_is_loopback(const uint8_t a[16]);

#endif
