/* SPDX-License-Identifier: MIT */
/*
 * Endpoint probes (the icmp-endpoint method): DF ICMP/ICMPv6 echo requests
 * to a peer's endpoint address, outside the tunnel, for peers whose tunnel
 * address is unknown (full-tunnel AllowedIPs 0.0.0.0/0, ::/0, a subnet
 * route only). Pure: the caller owns the raw socket and the clock.
 *
 * Size. An echo stands for the WireGuard datagram of the same outer size:
 * a probe of `size` is an IP packet of exactly `size` bytes (20 + 8 +
 * payload, or 40 + 8 + payload), like the datagram carrying
 * size - 60 (IPv4) / size - 80 (IPv6) bytes of WireGuard plaintext
 * (epp_size_for_inner). The request leaves with DF (the caller sets
 * IP_PMTUDISC_PROBE / IPV6_DONTFRAG); its reply, the same size, comes back
 * over the reverse path: an answer proves both directions carry `size`.
 *
 * Authentication, such as an unauthenticated ICMP can have: the echo
 * identifier is random per peer, and the first 8 payload bytes are a tag,
 * BLAKE2s keyed with a per-peer random secret over (id, seq, size); the
 * rest of the payload is a stream seeded by the tag. A reply counts only
 * when its payload has exactly the probe's length and carries the right
 * tag and stream: an off-path sender cannot forge one, a truncated or
 * damaged reply does not confirm a size, and no state per probe is kept
 * (the reply says which seq and size it answers).
 *
 * What a raw socket hands over: IPv4 sockets deliver the IP header too
 * (the ICMP checksum is checked here); IPv6 sockets deliver the ICMPv6
 * message alone, its checksum already verified by the kernel (and filled
 * in by the kernel on send: epp_build leaves it 0 for IPv6).
 */
#ifndef WGMTU_PMTU_EPPROBE_H
#define WGMTU_PMTU_EPPROBE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum {
	EPP_ICMP_HDR = 8,
	EPP_TAG_LEN = 8,
	EPP_SECRET_LEN = 16,
	EPP_MIN_SIZE4 = 20 + EPP_ICMP_HDR + EPP_TAG_LEN,
	EPP_MIN_SIZE6 = 40 + EPP_ICMP_HDR + EPP_TAG_LEN,
	EPP_MAX_SIZE = 65535,
};

/* Per peer: the family of its endpoint, a random echo id and secret. */
struct epp_key {
	uint8_t family;                  /* 4 or 6 */
	uint16_t id;
	uint8_t secret[EPP_SECRET_LEN];
};

/* A reply that passed epp_check: which probe it answers. */
struct epp_answer {
	uint16_t seq;
	uint32_t size;                   /* IP size of the probe answered */
};

/* Outer IP size of the WireGuard data message carrying `inner` bytes of
 * (already padded) plaintext: inner + 60 (IPv4) or + 80 (IPv6). */
uint32_t epp_size_for_inner(uint8_t family, uint32_t inner);

/* Length of the ICMP message (header + payload) of a probe of `size`:
 * what is written to the raw socket. -EINVAL for a bad family or a size
 * below EPP_MIN_SIZE4/6 or above EPP_MAX_SIZE. */
int epp_icmp_len(uint8_t family, uint32_t size);

/*
 * Builds the echo request (ICMP type 8 / ICMPv6 type 128) standing for an
 * IP packet of `size` bytes, ICMP header first, into out. Returns its
 * length (epp_icmp_len), -EINVAL (family, size), -ENOBUFS (cap), -EIO
 * when the keyed hash fails.
 */
int epp_build(const struct epp_key *k, uint16_t seq, uint32_t size, uint8_t *out, size_t cap);

/*
 * Checks what the raw socket of k's family received: an IPv4 packet (IP
 * header + ICMP; not a fragment; ICMP checksum right) or an ICMPv6
 * message. For IPv4, from4 (may be NULL) receives the IP source address.
 * Returns 0 and fills *a when it is an echo reply answering one of k's
 * probes exactly; -ENOMSG for a well-formed packet that is not one of
 * ours (another type, another id: someone else's ping); -EBADMSG when it
 * is malformed or claims to be ours but its tag, stream or length is
 * wrong (a forgery or a damaged reply).
 */
int epp_check(const struct epp_key *k, const uint8_t *pkt, size_t len,
	      struct epp_answer *a, uint8_t from4[4]);

#endif
