/* SPDX-License-Identifier: MIT */
/*
 * ICMP and ICMPv6 messages the daemon writes into its TUN or sends through
 * a tunnel, built exactly as a router or host would build them. Pure: the
 * caller passes the packet, the addresses, the MTU and the time; nothing
 * here reads a clock, allocates or does I/O.
 *
 *   "too big" errors   an inner packet larger than its peer's MTU gets an
 *                      ICMP type 3 code 4 (RFC 792/1191, IPv4 with DF) or an
 *                      ICMPv6 Packet Too Big (RFC 4443 3.2), from the
 *                      interface's own address to the packet's source,
 *                      quoting as much of the packet as RFC 1812 4.3.2.3 /
 *                      RFC 4443 2.4(c) allow (576 / 1280 bytes in all);
 *   echo               request/reply build and parse for in-tunnel probes
 *                      of a standard peer (exact total IP size, DF on IPv4);
 *   rate limit         the rates for the errors (the limiter is common/ratelimit.h).
 *
 * The never-respond rules (RFC 1122 3.2.2, RFC 1812 4.3.2.7, RFC 4443
 * 2.4(e)) are applied by the builders; each refusal has a named verdict the
 * daemon counts.
 */
#ifndef WGMTU_PMTU_ICMP_H
#define WGMTU_PMTU_ICMP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum {
	ICMP4_MAX_ERROR_LEN = 576,  /* RFC 1812 4.3.2.3 */
	ICMP6_MAX_ERROR_LEN = 1280, /* RFC 4443 2.4(c): the IPv6 minimum MTU */
	ICMP4_MIN_NEXTHOP_MTU = 68, /* RFC 791 */
	ICMP6_MIN_MTU = 1280,
	ICMP_ERROR_TTL = 64,
	ICMP_ECHO_TTL = 64,
	ICMP4_ECHO_MIN_SIZE = 20 + 8,
	ICMP6_ECHO_MIN_SIZE = 40 + 8,
	ICMP_ECHO_PATTERN_MIN = 16,
};

enum icmp_verdict {
	ICMP_SEND = 0,
	ICMP_NO_MALFORMED,    /* not a well-formed IPv4/IPv6 header */
	ICMP_NO_WRONG_FAMILY, /* an IPv6 packet given to the IPv4 builder, ... */
	ICMP_NO_FITS,         /* the packet is not larger than the MTU */
	ICMP_NO_DF_CLEAR,     /* IPv4 without DF: fragment it instead */
	ICMP_NO_ICMP_ERROR,   /* never answer an ICMP error (or an unknown type) */
	ICMP_NO_FRAGMENT,     /* IPv4 fragment other than the first */
	ICMP_NO_BAD_SOURCE,   /* source is not a single host (0, loopback, mcast, bcast, class E) */
	ICMP_NO_BAD_DEST,     /* IPv4 destination is multicast or broadcast */
	ICMP_NO_SOURCE_ADDR,  /* src NULL but the destination cannot be the source (multicast) */
	ICMP_VERDICT_COUNT
};

/* Short stable name for counters and logs ("send", "icmp_error", ...). */
const char *icmp_verdict_name(enum icmp_verdict v);

/*
 * Source address of the errors. src NULL (recommended) sends the error from
 * the packet's own destination address, as the far end host would; a
 * non-NULL src (4 or 16 bytes, network order) is used as given.
 *
 * Why not the interface's own address: the error is written into the TUN,
 * so the local kernel *receives* it on that interface. For IPv4, Linux
 * drops a packet arriving from outside whose source is one of its own
 * addresses (martian source, unless accept_local=1): the PMTU is never
 * learned by local senders. tests/netns/t_pmtu_tun_icmp.sh shows both
 * behaviours. The packet's destination is routed through the TUN by
 * construction, so it also passes strict reverse-path filtering, for
 * local and for routed senders alike.
 */

/*
 * Builds the IPv4 "fragmentation needed and DF set" (type 3 code 4) error
 * for the packet pkt[0..len) that does not fit a next-hop MTU of mtu,
 * sent from src (see above) to the packet's source, TTL 64,
 * DF set, ID 0 (an atomic datagram, RFC 6864), TOS 0xc0 (internetwork
 * control). Quotes the packet from its IP header on, up to 576 bytes in
 * all.
 *
 * Returns the length written to out (at most 576), 0 when no error may be
 * sent (the reason in *why, which may be NULL), -EINVAL for an mtu below
 * 68 or above 65535, -ENOBUFS when cap is too small for the message.
 */
int icmp4_build_frag_needed(const uint8_t *pkt, size_t len, const uint8_t src[4],
			    unsigned mtu, uint8_t *out, size_t cap,
			    enum icmp_verdict *why);

/*
 * Builds the ICMPv6 Packet Too Big (type 2 code 0) for pkt that does not
 * fit mtu, from src (see above; with src NULL a packet to a multicast
 * group is refused with ICMP_NO_SOURCE_ADDR: pass the interface's address
 * for those) to the packet's source, hop limit 64, quoting as much of the
 * packet as fits in 1280 bytes.
 *
 * RFC 4443 2.4(e) allows a Packet Too Big for a multicast destination and
 * does not exempt fragments (the source fragments in IPv6 and needs the
 * MTU), so neither is refused; ICMPv6 errors, redirects, and packets from
 * ::, ::1 or a multicast source are.
 *
 * Returns the length written (at most 1280), 0 with *why, -EINVAL when mtu
 * is below 1280 (IPv6 forbids it: rely on MSS clamping) or above 2^32-1,
 * -ENOBUFS when cap is too small.
 */
int icmp6_build_packet_too_big(const uint8_t *pkt, size_t len, const uint8_t src[16],
			       unsigned long mtu, uint8_t *out, size_t cap,
			       enum icmp_verdict *why);

/* An echo request or reply (ICMP 8/0, ICMPv6 128/129). */
struct icmp_echo {
	uint8_t family;    /* 4 or 6 */
	bool reply;        /* reply (true) or request */
	uint8_t src[16];   /* IPv4 addresses in the first 4 bytes */
	uint8_t dst[16];
	uint16_t id;
	uint16_t seq;
	uint32_t size;     /* total IP packet size */
	bool pattern;      /* parse: the payload starts with icmp_echo_build's
			      pattern (ICMP_ECHO_PATTERN_MIN bytes at least) */
};

/*
 * Builds an echo packet of exactly e->size bytes (IP header included; at
 * least 28 for IPv4 and 48 for IPv6, at most 65535 (IPv4) or 65575),
 * TTL/hop limit 64, DF set and ID = seq for IPv4. The payload is a
 * pattern: byte i of the ICMP payload is (uint8_t)(i + id). Returns the
 * size, -EINVAL for a bad family or size, -ENOBUFS when cap < size.
 */
int icmp_echo_build(const struct icmp_echo *e, uint8_t *out, size_t cap);

/*
 * Parses an echo request or reply (checksums verified, unfragmented,
 * IPv6 extension headers skipped). Returns 0 and fills *e (size = the
 * header's total length), -ENOMSG when the packet is a valid IP packet but
 * not an echo, -EBADMSG when it is malformed or a checksum is wrong.
 */
int icmp_echo_parse(const uint8_t *pkt, size_t len, struct icmp_echo *e);

/*
 * How often the errors may be sent: a token bucket per source behind a
 * global one, like the kernel's icmp_global_allow + per-peer limit. The
 * limiter is the shared one, common/ratelimit.h (wg_ratelimit_init_rate +
 * wg_bucket, per source first): these are its rates for ICMP errors.
 */
enum {
	ICMP_RL_DEFAULT_SRC_RATE = 10,    /* per second */
	ICMP_RL_DEFAULT_SRC_BURST = 10,
	ICMP_RL_DEFAULT_GLOBAL_RATE = 1000,
	ICMP_RL_DEFAULT_GLOBAL_BURST = 50,
	ICMP_RL_SOURCES = 1024,           /* sources remembered */
};

#endif
