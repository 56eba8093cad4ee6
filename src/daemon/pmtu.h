/* SPDX-License-Identifier: MIT */
/*
 * Per-peer path MTU: the shim between the event loop and the pure
 * controller (pmtu/pmtuctl.h, one per peer, each running an RFC 8899
 * engine). The controller decides; this module feeds it events and performs
 * its actions. The probes it asks for leave as authenticated WireGuard
 * transport packets:
 *   inband       padded probe messages (pmtu/probemsg.h) that another
 *                wgmtud acknowledges: the exact forward path MTU;
 *   icmp-tunnel  DF ICMP echo requests to the peer's tunnel address, for
 *                a standard peer (its reply is padded by the peer, so the
 *                answer is within 16 bytes, on the safe side);
 *   icmp-endpoint DF echo requests to the peer's endpoint address outside
 *                the tunnel (raw sockets, daemon/epsock.h; packets from
 *                pmtu/epprobe.h), for a standard peer without a tunnel
 *                address (full tunnel, subnet routes) or whose tunnel
 *                address answers no pings;
 *   pinned       an MTU set by hand, no probing.
 * In "auto" mode a session starts with ONE in-band probe; an ack makes the
 * peer a wgmtud, silence makes it a standard peer (icmp-tunnel if it has a
 * usable address that answers, otherwise icmp-endpoint).
 *
 * The data path asks pmtu for the peer's effective inner MTU (enforced by
 * ICMP "too big" into the TUN, fragmentation of IPv4 without DF, and MSS
 * clamping) and for the padding cap of its packets.
 */
#ifndef WGMTU_DAEMON_PMTU_H
#define WGMTU_DAEMON_PMTU_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/ratelimit.h"
#include "pmtu/epprobe.h"
#include "pmtu/icmp.h"
#include "pmtu/mss.h"
#include "pmtu/ipinfo.h"
#include "pmtu/plpmtud.h"
#include "pmtu/pmtuctl.h"
#include "uapi/uapi.h"

struct wgd_device;
struct wgd_peer;
struct wg_uapi_out;

/* Device-wide settings and state. */
struct wgd_pmtu_dev {
	bool probe;            /* wgmtu_probe (default on) */
	bool clamp;            /* wgmtu_clamp_mss (default on) */
	uint16_t max_mtu;      /* wgmtu_max_mtu (default 1500) */
	uint32_t raise_ms;     /* PMTU_RAISE_TIMER (WGMTUD_TEST_PMTU_RAISE_MS) */
	/* errors written into the TUN: per source (the shared limiter),
	 * then all of them (pmtu/icmp.h's rates) */
	struct wg_ratelimit icmp_src;
	struct wg_bucket icmp_all;
	uint64_t too_big_sent, fragmented;
	int ep_fd[2];          /* icmp-endpoint raw sockets (IPv4, IPv6), -1: not open */
	uint64_t ep_bad;       /* echo replies that claimed to be ours but were not */
	/* WGD_PKT_MAX bytes each: probes, acks and ICMP errors are built in
	 * scratch; frag_src holds the packet being fragmented */
	uint8_t *scratch, *frag_src;
};

enum { WGD_PMTU_SEQ_RING = 64 };

/* Per-peer state, inside struct wgd_peer: the pure controller
 * (pmtu/pmtuctl.h) decides; the rest is what performing its actions needs. */
struct wgd_pmtu {
	struct pmtuctl ctl;
	enum wg_uapi_pmtu_mode mode;  /* wgmtu_probe of this peer */
	bool addr_set;                /* probe address given by hand */
	int addr_family;              /* 0 = none */
	uint8_t addr[16];             /* probe target (icmp-tunnel) */
	uint8_t src[16];              /* our tunnel address, same family */
	int64_t last_change;          /* wall clock seconds */
	uint16_t echo_id;
	struct epp_key epkey;         /* icmp-endpoint: echo id and secret */
	uint32_t seq_ids[WGD_PMTU_SEQ_RING]; /* echo seq -> engine id */
	uint64_t probes_sent, probe_bytes;
};

/* 0 or -ENOMEM; dev_free also after a failed init. dev_close closes the
 * icmp-endpoint sockets. */
int wgd_pmtu_dev_init(struct wgd_device *dev);
void wgd_pmtu_dev_free(struct wgd_device *dev);
void wgd_pmtu_dev_close(struct wgd_device *dev);
/* The device's fwmark changed: the endpoint sockets follow. */
void wgd_pmtu_set_fwmark(struct wgd_device *dev);
/* An endpoint socket (AF_INET / AF_INET6) is readable. */
void wgd_pmtu_ep_readable(struct wgd_device *dev, int family);
void wgd_pmtu_peer_init(struct wgd_peer *peer);

/* The inner MTU enforced for peer: pinned, discovered, or the TUN MTU. */
unsigned wgd_pmtu_mtu(const struct wgd_peer *peer);

/* Loop integration: earliest deadline of this peer's engine (ns), and the
 * visit when it has come. */
uint64_t wgd_pmtu_deadline(const struct wgd_peer *peer);
void wgd_pmtu_tick(struct wgd_peer *peer);

/* Events from the data path and the configuration. */
void wgd_pmtu_start(struct wgd_peer *peer, const char *why);
void wgd_pmtu_on_outer_ptb(struct wgd_device *dev, int family, const uint8_t *addr,
			   uint16_t port, uint32_t mtu);
/* Applies the per-peer keys of a set; 0 or negative errno. */
int wgd_pmtu_conf_peer(struct wgd_peer *peer, const struct wg_uapi_peer_op *op);
void wgd_pmtu_conf_dev(struct wgd_device *dev, const struct wg_uapi_txn *txn);

/*
 * The data path's calls (send.c, receive.c), on the event-loop thread with
 * dev->now set. Packets are inner IP packets already parsed by ipi_parse()
 * (pmtu/ipinfo.h: upper-layer protocol found behind IPv6 extension
 * headers). A call may rewrite the packet in place without changing its
 * length (MSS clamping), or consume it (the caller then forgets it: an
 * ICMP "too big" was written into the TUN instead, the packet was sent as
 * fragments, or a probe was answered).
 */
enum wgd_pmtu_verdict {
	WGD_PMTU_PASS = 0,      /* go on with the packet */
	WGD_PMTU_CONSUMED = 1,  /* taken care of: stop */
};

/* TUN -> UDP, after routing, before encryption, and UDP -> TUN after the
 * allowed-IPs source check: rewrite the MSS option of a TCP SYN / SYN-ACK
 * to fit the peer's MTU (checksum updated). */
void wgd_pmtu_tx_mss(struct wgd_peer *peer, uint8_t *pkt, const struct ipinfo *ii);
void wgd_pmtu_rx_mss(struct wgd_peer *peer, uint8_t *pkt, const struct ipinfo *ii);
/* The clamp itself: MSS for an inner MTU, when the packet is a TCP SYN
 * (whatever extension headers precede it). */
enum mss_result wgd_pmtu_clamp_mss(uint8_t *pkt, const struct ipinfo *ii, unsigned mtu);

/* TUN -> UDP, after the MSS clamp: the per-peer MTU check. Too big: ICMP
 * "fragmentation needed" / ICMPv6 "packet too big" into the TUN, or
 * fragments (IPv4 without DF); CONSUMED. */
enum wgd_pmtu_verdict wgd_pmtu_tx_check(struct wgd_peer *peer, uint8_t *pkt,
					const struct ipinfo *ii);

/* UDP -> TUN, right after decryption and before any inner-packet check:
 * in-band probes / acknowledgements of a wgmtud peer (not IP packets) and
 * replies to our echo probes are CONSUMED. plain: padded plaintext, plen > 0;
 * ii: its ipi_parse() result, NULL when it is not an IP packet. */
enum wgd_pmtu_verdict wgd_pmtu_rx_probe(struct wgd_peer *peer, uint8_t *plain, size_t plen,
					const struct ipinfo *ii);

/* Events: a new session is confirmed (start probing); the endpoint changed
 * (roaming: restart the search); the peer is going away. */
void wgd_pmtu_session_established(struct wgd_peer *peer);
void wgd_pmtu_endpoint_changed(struct wgd_peer *peer);
void wgd_pmtu_peer_removed(struct wgd_peer *peer);

/* get: device-level and per-peer keys (docs/uapi-extensions.md). ctx is
 * a struct wgd_pmtu_get_ctx: the device and its peers in the order of the
 * reply, so that peer_index finds its peer in O(1). */
struct wgd_pmtu_get_ctx {
	struct wgd_device *dev;
	struct wgd_peer *const *peers;
	size_t n_peers;
};
int wgd_pmtu_get_dev(void *ctx, struct wg_uapi_out *out);
int wgd_pmtu_get_peer(void *ctx, size_t peer_index, struct wg_uapi_out *out);

#endif
