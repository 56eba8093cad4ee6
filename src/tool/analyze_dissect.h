/* SPDX-License-Identifier: MIT */
/*
 * The capture dissector of wgmtu analyze: one link-layer frame in, one
 * summary out. Pure: no I/O, no allocation, every byte read through the
 * bounds-checked cursors of common/buf.h. A frame cut short by the capture
 * snaplen is dissected as far as its bytes go and flagged, never rejected.
 */
#ifndef WGMTU_TOOL_ANALYZE_DISSECT_H
#define WGMTU_TOOL_ANALYZE_DISSECT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Link types we decode (the pcap LINKTYPE_/DLT_ numbers we accept). */
enum ana_link {
	ANA_LINK_NULL = 0,      /* BSD loopback, host-order AF_ */
	ANA_LINK_ETHERNET = 1,
	ANA_LINK_RAW = 12,      /* DLT_RAW on Linux */
	ANA_LINK_RAW_ALT = 14,  /* DLT_RAW on some BSDs */
	ANA_LINK_LOOP = 108,    /* OpenBSD loopback, network-order AF_ */
	ANA_LINK_LINKTYPE_RAW = 101,
	ANA_LINK_SLL = 113,     /* Linux cooked v1 */
	ANA_LINK_SLL2 = 276,    /* Linux cooked v2 */
	ANA_LINK_IPV4 = 228,
	ANA_LINK_IPV6 = 229,
};

bool ana_link_supported(int linktype);
const char *ana_link_name(int linktype);

/* What a frame turned out to be. */
enum ana_kind {
	ANA_K_NOT_IP,     /* ARP, LLDP, ... (not an error) */
	ANA_K_OTHER_IP,   /* TCP, ICMP other than too-big, ... */
	ANA_K_UDP,        /* UDP that is not WireGuard */
	ANA_K_WG,         /* a WireGuard message */
	ANA_K_FRAG,       /* a non-first IP fragment (no UDP header) */
	ANA_K_PTB,        /* ICMP frag-needed / ICMPv6 packet too big */
	ANA_K_BAD,        /* malformed headers */
	ANA_K__COUNT
};

struct ana_addr {
	uint8_t fam;      /* 4 or 6 */
	uint8_t a[16];    /* IPv4 uses the first 4 bytes */
};

struct ana_flowkey {
	struct ana_addr src, dst;
	uint16_t sport, dport;
};

struct ana_pkt {
	enum ana_kind kind;
	bool truncated;       /* caplen < what the headers promise */
	bool frag;            /* part of a fragmented IP datagram */
	bool frag_first;      /* the fragment that carries the UDP header */
	uint32_t ip_len;      /* this IP packet on the wire (IP header on) */
	uint8_t ttl;          /* IPv4 TTL / IPv6 hop limit */
	uint32_t dgram_ip_len;/* the whole datagram, reassembled (== ip_len unfragmented) */
	struct ana_flowkey key; /* UDP flows (and PTB: the quoted flow) */
	uint32_t udp_len;     /* UDP payload length from the UDP header */
	const uint8_t *payload; /* captured UDP payload bytes (may be short) */
	uint32_t payload_cap;
	/* WireGuard (kind == ANA_K_WG) */
	uint8_t wg_type;      /* enum wg_message_type */
	bool wg_have_ids;     /* indices/counter were captured */
	bool wg_unpadded;     /* data length not 32 + 16k: a full-MTU packet */
	bool gso;             /* one segment of a GSO/GRO super-packet */
	uint32_t gso_i;       /* which one (0: the first; counts the frame) */
	uint32_t wg_sender;   /* initiation, response */
	uint32_t wg_receiver; /* response, cookie, data */
	uint64_t wg_counter;  /* data */
	/* ICMP too big (kind == ANA_K_PTB) */
	uint32_t ptb_mtu;
	bool ptb_have_flow;   /* the quoted header named a UDP flow */
	const char *bad;      /* why, when kind == ANA_K_BAD */
};

/* Dissects one frame of caplen captured bytes (origlen on the wire). */
void ana_dissect(int linktype, const uint8_t *p, size_t caplen, size_t origlen,
		 struct ana_pkt *out);

/*
 * UDP GSO/GRO super-packets. A capture taken on the sending host (GSO) or
 * on a receiver with UDP GRO shows one IP packet of up to 64 KB that the
 * wire carried as several datagrams: WireGuard transport messages of the
 * same receiver index, back to back, each gso_size bytes but the last.
 * ana_gso_size() finds gso_size from the second message's header (same
 * receiver, a later counter) and checks every segment boundary; 0 when the
 * packet is one datagram (or not captured whole). ana_gso_segment() fills
 * out with segment i (0-based) of n = ceil(udp_len / gso_size).
 */
uint32_t ana_gso_size(const struct ana_pkt *p);
void ana_gso_segment(const struct ana_pkt *super, uint32_t gso_size, uint32_t i,
		     struct ana_pkt *out);

/* A datagram classified as WireGuard by type and exact length. */
bool ana_wg_data_padded(uint32_t len);

/* Formats "10.0.0.1:51820" or "[fd00::1]:51820". */
void ana_fmt_endpoint(const struct ana_addr *a, uint16_t port, char *buf, size_t n);
void ana_fmt_addr(const struct ana_addr *a, char *buf, size_t n);

#endif
