/* SPDX-License-Identifier: MIT */
/*
 * TUN offloads (IFF_VNET_HDR): the kernel hands us TCP "super-packets" of
 * up to 64 KB (TSO) and packets whose transport checksum is left partial
 * (CHECKSUM_PARTIAL). This module, pure, finishes such checksums and cuts a
 * TSO packet into MSS-sized TCP segments, each a complete IP packet with
 * correct lengths, IPv4 ID, sequence numbers, flags and checksums. It is
 * stage 0 of the send path: everything after it sees ordinary packets.
 */
#ifndef WGMTU_COMMON_GSO_H
#define WGMTU_COMMON_GSO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* One's-complement sum of data (16-bit big-endian words) added to sum,
 * unfolded; fold with csum_fold() of common/csum.h. */
uint32_t wg_gso_csum_partial(const void *data, size_t len, uint32_t sum);

/* Completes a partial checksum (virtio NEEDS_CSUM): the field at
 * start + off already holds the pseudo-header sum. 0 or -EINVAL. */
int wg_gso_csum_complete(uint8_t *pkt, size_t len, size_t start, size_t off);

struct wg_gso_tso {
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
int wg_gso_tso_init(struct wg_gso_tso *t, const uint8_t *pkt, size_t len, size_t mss);
/* Writes the next segment to out (cap bytes). Returns its length, 0 when
 * all were emitted, -ENOSPC if out is too small. */
int wg_gso_tso_next(struct wg_gso_tso *t, uint8_t *out, size_t cap);


/*
 * The receive side (GRO): consecutive decrypted TCP segments of one flow
 * are handed to the TUN as one super-packet (virtio GSO), so the kernel
 * runs its TCP receive path once per batch instead of once per segment.
 *
 * wg_gso_gro_run() returns how many packets, from pkts[0] on, may form one
 * super-packet (1 when pkts[0] cannot be merged with what follows, 0 when
 * n is 0): IPv4
 * without options or fragments, or IPv6 with TCP as next header; same
 * addresses, TOS/TTL (traffic class/flow/hop limit), ports, ACK number,
 * window and TCP options; contiguous sequence numbers; only ACK set (PSH
 * allowed on the last); every payload the size of the first except the
 * last, which may be shorter; at most 65535 bytes in all.
 */
struct wg_gso_gro_pkt {
	uint8_t *p;
	size_t len;
};

size_t wg_gso_gro_run(const struct wg_gso_gro_pkt *pkts, size_t n);

/* What the TUN's virtio_net_hdr must say for a merged run. */
struct wg_gso_gro_hdr {
	bool v6;
	uint16_t hdr_len;      /* IP + TCP header */
	uint16_t gso_size;     /* payload of every segment but the last */
	uint16_t csum_start;   /* the TCP header */
	uint16_t csum_offset;  /* 16: the TCP checksum field */
};

/* Rewrites the first packet's headers for a run of n (from wg_gso_gro_run,
 * n >= 2): IP length fields and IPv4 header checksum, PSH copied from the
 * last segment, and the TCP checksum field set to the pseudo-header sum
 * for CHECKSUM_PARTIAL. Returns the merged packet's length: pkts[0]
 * whole, then each following payload (pkts[k].p + h->hdr_len). */
size_t wg_gso_gro_merge_headers(struct wg_gso_gro_pkt *pkts, size_t n, struct wg_gso_gro_hdr *h);

#endif
