/* SPDX-License-Identifier: MIT */
/*
 * TCP MSS clamping on SYN and SYN-ACK segments crossing the tunnel, so a
 * peer that cannot discover the path MTU still sends segments that fit.
 *
 * The MSS option is only ever lowered, never raised, and never added: a
 * SYN without the option makes the other side assume 536 (IPv4) or 1220
 * (IPv6) bytes (RFC 9293 3.7.1), which already fit every MTU the daemon
 * accepts (576 / 1280). The TCP checksum is updated incrementally (RFC
 * 1624), so a wrong checksum stays wrong and a right one stays right.
 *
 * Works in place on an inner packet as read from the TUN or decrypted from
 * a peer (complete checksums, no offload). Fragments are left alone (their
 * options may not be in this piece), as are truncated or malformed
 * segments and option lists.
 */
#ifndef WGMTU_PMTU_MSS_H
#define WGMTU_PMTU_MSS_H

#include <stddef.h>
#include <stdint.h>

enum mss_result {
	MSS_CLAMPED = 0,    /* an MSS option was lowered */
	MSS_UNCHANGED,      /* SYN whose MSS is already <= the clamp */
	MSS_NOT_TCP,        /* not TCP, or an IPv6 packet with ESP / no next header */
	MSS_NOT_SYN,        /* TCP without SYN: nothing to do (the common case) */
	MSS_NO_OPTION,      /* SYN without an MSS option: left alone */
	MSS_FRAGMENT,       /* part of a fragmented datagram */
	MSS_TRUNCATED,      /* TCP header or its options beyond the datagram */
	MSS_BAD_OPTIONS,    /* option list malformed (length 0/1, overrun, MSS not 4 bytes) */
	MSS_MALFORMED,      /* not a well-formed IPv4/IPv6 packet */
	MSS_RESULT_COUNT
};

const char *mss_result_name(enum mss_result r);

/*
 * Lowers every MSS option of a SYN / SYN-ACK in pkt[0..len) to max_mss if
 * it is larger, fixing the TCP checksum. max_mss 0 leaves everything alone
 * (MSS_UNCHANGED for a SYN). Never reads or writes outside pkt[0..len).
 */
enum mss_result mss_clamp(uint8_t *pkt, size_t len, uint16_t max_mss);
/* The same on a packet already parsed by ipi_parse() (the data path parses
 * once): ii must describe pkt. */
struct ipinfo;
enum mss_result mss_clamp_parsed(uint8_t *pkt, const struct ipinfo *ii, uint16_t max_mss);

/* The clamp for a tunnel MTU: mtu - 40 for IPv4 packets, mtu - 60 for
 * IPv6 ones (version 4 or 6), 0 when the MTU cannot carry TCP. */
uint16_t mss_for_mtu(unsigned mtu, int ip_version);

#endif
