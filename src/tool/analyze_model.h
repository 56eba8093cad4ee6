/* SPDX-License-Identifier: MIT */
/*
 * What wgmtu analyze learns from one capture: UDP flows per direction, the
 * WireGuard messages in them, sizes, transport counters per receiver index,
 * ICMP too-big, and the one-capture black-hole verdict. Pure: dissected
 * packets and their timestamps in, statistics out. Memory grows with the
 * number of flows, distinct sizes and receiver indices, not with the
 * capture, unless per-packet records are asked for (two-capture matching,
 * the SVG timeline).
 */
#ifndef WGMTU_TOOL_ANALYZE_MODEL_H
#define WGMTU_TOOL_ANALYZE_MODEL_H

#include <stdbool.h>
#include <stdint.h>

#include "tool/analyze_dissect.h"

enum ana_verdict {
	ANA_HEALTHY = 0,
	ANA_INCONCLUSIVE,
	ANA_LOSS,
	ANA_BLACK_HOLE,
};
const char *ana_verdict_name(enum ana_verdict v); /* "healthy", "black_hole", ... */

/* One distinct datagram size in one direction. */
struct ana_size {
	uint32_t ip_len;      /* the datagram as an IP packet (reassembled) */
	uint32_t udp_len;     /* UDP payload */
	uint64_t count;
	uint64_t first_us, last_us;
	uint64_t rev_at_first; /* reverse data (not keepalives) seen before it */
	uint64_t lost;        /* two-capture matching fills these */
	uint64_t delivered;
	bool probe;           /* wgmtud probes above the path MTU (matching) */
};

/* wgmtud's probe ack: a 24-byte plaintext encrypted as is (docs/
 * pmtu-probe-format.md); WireGuard pads data plaintexts to 16 bytes, so no
 * standard transport message has this length. */
#define ANA_WGMTUD_ACK_LEN (16u + 24u + 16u)

/* An off-grid size sent at most this often in a direction whose peer acks
 * in-band probes is taken for wgmtud's probes (the search sends each size
 * up to 3 times per search); full-size data repeats far more. */
#define ANA_PROBE_MAX_REPEAT 8

/* A WireGuard message longer than this cannot have crossed a link as one
 * datagram (9216 is the usual jumbo frame limit): seen whole in a capture,
 * it is a GSO/GRO super-packet. */
#define ANA_MAX_WIRE_UDP (9216u - 28u)
bool ana_size_probe_like(const struct ana_size *s);

#define ANA_WIN_BITS 1024
#define ANA_SIZE_CACHE 64

/* Transport counters seen for one receiver index in one direction. */
struct ana_idx {
	uint32_t idx;
	uint64_t pkts, dups, late;
	uint64_t min, max;
	uint64_t win[ANA_WIN_BITS / 64];
	/* snaplen-cut messages that may hide a GSO/GRO batch: the counter
	 * of the last one, how many more counters it could hold (one per 32
	 * bytes), and the gaps right after such messages that it could hold */
	uint64_t cut_ctr, cut_gaps;
	uint32_t cut_room;
};

struct ana_dir {
	struct ana_flowkey key;
	int rev;              /* index of the reverse direction, or -1 */
	uint64_t first_us, last_us;
	uint64_t dgrams, bytes;
	uint64_t n_init, n_resp, n_cookie, n_data, n_keepalive, n_udp;
	uint64_t n_frag_dgrams; /* datagrams that were IP-fragmented */
	uint64_t n_trunc;
	uint32_t max_ip, max_udp;
	uint32_t unpadded_udp; /* largest data length off the 16-byte grid */
	uint64_t n_acks;      /* wgmtud in-band probe acks (56-byte data messages) */
	uint64_t n_unpadded;  /* data messages off the 16-byte grid */
	uint64_t n_gso;       /* GSO/GRO super-packets split into datagrams */
	uint64_t n_unsplit;   /* super-packets the snaplen cut before their
			       * second message: their counters are unknown */
	bool probed;          /* the other end acks in-band probes: this
			       * direction's off-grid data are wgmtud probes */
	struct ana_size *sizes;
	uint32_t n_sizes, cap_sizes;
	uint32_t size_cache[ANA_SIZE_CACHE]; /* udp_len % N -> sizes index + 1 */
	struct ana_idx *idx;
	uint32_t n_idx, cap_idx;
	uint64_t ptb_count;
	uint32_t ptb_min_mtu;
	/* one-capture analysis (ana_cap_finish) */
	enum ana_verdict verdict;
	int bh_size;          /* index into sizes of the black-holed size, or -1 */
	uint64_t bh_rev_after;/* reverse data packets after its first sighting */
	uint64_t missing;     /* transport counters never seen (lost upstream) */
	uint64_t probe_like;  /* datagrams of probe-like sizes (when probed) */
	uint64_t probe_gaps;  /* of missing: put down to unanswered probes */
	uint64_t gso_gaps;    /* of missing: counters inside super-packets the
			       * snaplen cut (only in a capture with GSO/GRO) */
};

/* One handshake: the pair of indices that names a session. */
struct ana_session {
	uint32_t init_idx, resp_idx;
	int init_dir;         /* direction that carried the initiation */
	bool have_resp;
	uint64_t first_us;
};

/* A per-packet record, kept only when asked for. */
struct ana_rec {
	uint64_t ts_us;
	uint64_t id;          /* WireGuard counter, or a payload hash */
	uint32_t group;       /* receiver index, or a hash of the ports */
	uint32_t dir;
	uint32_t ip_len, udp_len;
	uint8_t wg;           /* 1: transport data, 0: other UDP */
	uint8_t frag;         /* the datagram was IP-fragmented */
	uint8_t ttl;          /* lower at the receiving end: tells the sender */
	uint8_t lost;         /* set by matching: 1 lost, 2 delivered */
	uint8_t unpadded;     /* transport data off the 16-byte grid */
};

#define ANA_MAX_BAD_REASONS 8

struct ana_cap {
	const char *name;     /* file name, for messages */
	int linktype;
	bool keep_records;
	bool damaged;         /* the file ended early or had a corrupt record */
	uint64_t frames, first_us, last_us;
	uint64_t kinds[ANA_K__COUNT];
	uint64_t truncated, frags;
	uint64_t gso_supers, gso_segments; /* GSO/GRO super-packets, datagrams in them */
	uint64_t gso_unsplit; /* super-packets that could not be split */
	uint32_t gso_unsplit_max; /* the largest of them (UDP payload) */
	struct { const char *why; uint64_t n; } bad[ANA_MAX_BAD_REASONS];
	uint32_t n_bad_reasons;
	struct ana_dir *dirs;
	uint32_t n_dirs, cap_dirs;
	uint32_t *hash;       /* open addressing: dir index + 1, 0 empty */
	uint32_t hash_size;
	struct ana_session *sess;
	uint32_t n_sess, cap_sess;
	struct { uint32_t mtu; uint64_t n; struct ana_flowkey key; bool have_flow;
		 uint64_t first_us; } ptb[16];
	uint32_t n_ptb;
	uint64_t ptb_total;
	struct ana_rec *recs;
	uint64_t n_recs, cap_recs;
	bool oom;
	enum ana_verdict verdict;
};

void ana_cap_init(struct ana_cap *c, const char *name, bool keep_records);
void ana_cap_free(struct ana_cap *c);
/* Accounts one dissected frame; -ENOMEM when out of memory (c->oom). */
int ana_cap_add(struct ana_cap *c, uint64_t ts_us, const struct ana_pkt *p);
/* Links directions, runs the one-capture verdict per direction. */
void ana_cap_finish(struct ana_cap *c);

/* Helpers shared with matching and output. */
struct ana_size *ana_dir_size(struct ana_dir *d, uint32_t ip_len, uint32_t udp_len);
uint64_t ana_idx_missing(const struct ana_idx *x);
bool ana_dir_is_wg(const struct ana_dir *d);
int ana_find_dir(const struct ana_cap *c, const struct ana_flowkey *k);
bool ana_key_eq(const struct ana_flowkey *a, const struct ana_flowkey *b);
void ana_key_reverse(const struct ana_flowkey *k, struct ana_flowkey *r);
uint64_t ana_hash_bytes(const void *p, size_t n, uint64_t h);

#endif
