/* SPDX-License-Identifier: MIT */
/*
 * Two captures of the same traffic (one near each end): every WireGuard
 * transport packet is matched across them by (receiver index, counter),
 * other UDP by a hash of its payload. The side that holds more packets of
 * a receiver index is its sender; what it sent and the other side never
 * saw was lost. Clocks are never compared. Pure: works on the per-packet
 * records of two finished ana_cap.
 */
#ifndef WGMTU_TOOL_ANALYZE_MATCH_H
#define WGMTU_TOOL_ANALYZE_MATCH_H

#include "tool/analyze_model.h"

struct ana_mdir {
	int sender;           /* 0 or 1: the capture taken at the sending end */
	uint32_t dir;         /* direction index in that capture */
	bool wg;              /* WireGuard transport (else other UDP) */
	uint8_t fam;
	uint64_t sent, received, lost;
	uint64_t extra;       /* seen by the receiver only (a capture started early) */
	uint64_t before;      /* sent before the receiver's capture began: not counted */
	uint32_t max_delivered, min_lost;         /* IP bytes, 0 when none */
	uint32_t max_delivered_udp, min_lost_udp; /* the same datagrams, UDP payload */
	uint64_t lost_frag;   /* lost datagrams that had been IP-fragmented */
	uint64_t lost_big;    /* lost datagrams that were not (min_lost counts these) */
	bool probed;          /* the receiver acks wgmtud in-band probes */
	uint64_t probes_lost; /* wgmtud probes above the path MTU, not in lost */
	uint32_t min_probe_lost; /* IP bytes of the smallest, 0 when none */
	bool ptb_seen;
	uint32_t ptb_mtu;     /* smallest MTU an ICMP too-big named for the flow */
	bool ptb_explained;   /* every lost datagram was bigger than that MTU */
	enum ana_verdict verdict;
};

struct ana_match {
	struct ana_mdir *d;
	uint32_t n;
	enum ana_verdict verdict;
	/* receiver indices / UDP flows with no packet in both captures */
	uint64_t unmatched_groups, unmatched_pkts;
	uint64_t duplicates;  /* transport packets a capture saw twice (dropped) */
};

/* Matches c[0] against c[1] (records kept, ana_cap_finish done); fills the
 * lost/delivered counts of the sender directions' size buckets and marks
 * each sender record lost or delivered. 0 or -ENOMEM. */
int ana_match_run(struct ana_cap *c[2], struct ana_match *m);
void ana_match_free(struct ana_match *m);

#endif
