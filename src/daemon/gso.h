/* SPDX-License-Identifier: MIT */
/*
 * TUN offloads (IFF_VNET_HDR): the kernel hands us TCP "super-packets" of
 * up to 64 KB (TSO) and packets whose transport checksum is left partial
 * (CHECKSUM_PARTIAL). This module, pure, finishes such checksums and cuts a
 * TSO packet into MSS-sized TCP segments, each a complete IP packet with
 * correct lengths, IPv4 ID, sequence numbers, flags and checksums. It is
 * stage 0 of the send path: everything after it sees ordinary packets.
 */
#ifndef WGMTU_DAEMON_GSO_H
#define WGMTU_DAEMON_GSO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* One's-complement sum of data (16-bit big-endian words) added to sum,
 * unfolded; fold with csum_fold() of common/csum.h. */
uint32_t wgd_csum_partial(const void *data, size_t len, uint32_t sum);

/* Completes a partial checksum (virtio NEEDS_CSUM): the field at
 * start + off already holds the pseudo-header sum. 0 or -EINVAL. */
int wgd_csum_complete(uint8_t *pkt, size_t len, size_t start, size_t off);

struct wgd_tso {
	const uint8_t *pkt;
	size_t len;
	size_t iphl, hdrlen;  /* IP header; IP + TCP header */
	size_t mss;
	size_t off;           /* payload bytes already emitted */
	unsigned seg;         /* segments emitted */
	bool v6;
};

/* Prepares segmentation of pkt (an IPv4 or IPv6 TCP packet without
 * extension headers) into segments of at most mss payload bytes.
 * 0 or -EINVAL (not TCP, bad lengths, mss 0). */
int wgd_tso_init(struct wgd_tso *t, const uint8_t *pkt, size_t len, size_t mss);
/* Writes the next segment to out (cap bytes). Returns its length, 0 when
 * all were emitted, -ENOSPC if out is too small. */
int wgd_tso_next(struct wgd_tso *t, uint8_t *out, size_t cap);

#endif
