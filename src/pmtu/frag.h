/* SPDX-License-Identifier: MIT */
/*
 * IPv4 fragmentation in the daemon (RFC 791 3.2): an inner IPv4 packet
 * without DF that is larger than its peer's MTU is split as a router would
 * split it, into caller-provided buffers, one fragment per call, without
 * allocating.
 *
 *   - every fragment is at most mtu bytes; fragment payloads except the
 *     last are multiples of 8 bytes;
 *   - the identification, TOS, TTL, protocol and addresses are kept; MF is
 *     set on all but the last fragment, and on the last too when the input
 *     was itself a non-final fragment; offsets continue the input's own
 *     offset, so an already-fragmented packet is split further correctly;
 *   - the first fragment carries all IP options; later fragments carry only
 *     the options whose copy flag (bit 7 of the type) is set, EOL-padded to
 *     a multiple of 4 bytes (RFC 791 "copied" rule). A packet whose option
 *     list is malformed is refused rather than guessed at;
 *   - the header checksum of each fragment is recomputed.
 */
#ifndef WGMTU_PMTU_FRAG_H
#define WGMTU_PMTU_FRAG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct frag4 {
	const uint8_t *pkt;
	uint16_t hlen;          /* input header length (with options) */
	uint16_t tot;           /* input total length */
	uint16_t base_off;      /* input fragment offset, bytes */
	bool input_mf;          /* input had MF set */
	uint16_t pos;           /* payload bytes already emitted */
	uint16_t first_chunk;   /* payload bytes in the first fragment */
	uint16_t next_chunk;    /* payload bytes in each later fragment */
	uint8_t copied_len;     /* length of copied options, padded */
	uint8_t copied[40];
};

/*
 * Prepares the split of pkt[0..len) for mtu. Returns the number of
 * fragments that frag4_next() will produce (1 when the packet already
 * fits: the one "fragment" is then an identical copy), -EMSGSIZE when DF
 * is set (send an ICMP "fragmentation needed" instead), -EBADMSG when pkt
 * is not a well-formed IPv4 packet (or its options are malformed, or
 * offset + payload passes 65535), -EINVAL when mtu is below 68 or too small
 * to carry 8 payload bytes after the headers.
 */
int frag4_init(struct frag4 *f, const uint8_t *pkt, size_t len, unsigned mtu);

/*
 * Writes the next fragment into out. Returns its length, 0 when all were
 * produced, -ENOBUFS when cap is too small (nothing consumed: call again
 * with a bigger buffer). A buffer of mtu bytes is always enough.
 */
int frag4_next(struct frag4 *f, uint8_t *out, size_t cap);

#endif
