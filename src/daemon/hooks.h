/* SPDX-License-Identifier: MIT */
/*
 * Extension points of the data path for per-peer path MTU (issue 6).
 * The plain WireGuard daemon passes every packet through unchanged; the
 * PMTU work replaces these bodies (hooks.c) without touching send.c or
 * receive.c. Each hook runs on the event-loop thread with dev->now set.
 *
 * Packets are inner IP packets (IPv4 or IPv6, header already validated:
 * struct wgd_ip gives the parsed facts). A hook may rewrite the packet in
 * place as long as its length does not change (MSS clamping), or consume
 * it (the caller then forgets it: an ICMP "too big" was written into the
 * TUN instead, or a probe was answered).
 */
#ifndef WGMTU_DAEMON_HOOKS_H
#define WGMTU_DAEMON_HOOKS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct wgd_device;
struct wgd_peer;

/* What the validation stage learned about an inner packet. */
struct wgd_ip {
	int family;          /* AF_INET or AF_INET6 */
	const uint8_t *src;  /* 4 or 16 bytes inside the packet */
	const uint8_t *dst;
	size_t len;          /* from the IP header (<= bytes available) */
	size_t hdr_len;      /* IPv4 IHL * 4; 40 for IPv6 */
	uint8_t proto;       /* IPv4 protocol / IPv6 next header */
	bool df;             /* IPv4 don't-fragment (always true for IPv6) */
};

enum wgd_hook_verdict {
	WGD_HOOK_PASS = 0,      /* go on with the packet */
	WGD_HOOK_CONSUMED = 1,  /* the hook took care of it: stop */
};

/* TUN -> UDP, after routing, before encryption: rewrite the MSS option of
 * TCP SYN / SYN-ACK to fit the peer's path (checksum updated). */
void wgd_hook_tx_mss(struct wgd_peer *peer, uint8_t *pkt, const struct wgd_ip *ip);

/* TUN -> UDP, after MSS: the per-peer MTU check. Too big: answer ICMP
 * "fragmentation needed" / ICMPv6 "packet too big" into the TUN (see
 * wgd_tun_inject) or fragment, and return CONSUMED. */
enum wgd_hook_verdict wgd_hook_tx_mtu_check(struct wgd_peer *peer, uint8_t *pkt,
					    const struct wgd_ip *ip);

/* UDP -> TUN, right after decryption and before any inner-packet check:
 * recognise in-band probe / acknowledgement messages of a wgmtud peer (they
 * are not IP packets) and return CONSUMED for them. plain is the padded
 * plaintext, plen > 0. */
enum wgd_hook_verdict wgd_hook_rx_probe(struct wgd_peer *peer, uint8_t *plain, size_t plen);

/* UDP -> TUN, after the allowed-IPs source check, before the TUN write:
 * MSS clamping of SYN / SYN-ACK arriving from the peer. */
void wgd_hook_rx_mss(struct wgd_peer *peer, uint8_t *pkt, const struct wgd_ip *ip);

/* Events: a new session is confirmed (start probing); the endpoint changed
 * (roaming: restart the search); the peer is going away (free state). */
void wgd_hook_session_established(struct wgd_peer *peer);
void wgd_hook_endpoint_changed(struct wgd_peer *peer);
void wgd_hook_peer_removed(struct wgd_peer *peer);

/* For the hooks: write one IP packet into the TUN (an ICMP error towards a
 * local sender). 0 or negative errno. */
int wgd_tun_inject(struct wgd_device *dev, const uint8_t *pkt, size_t len);

/* The validation stage, shared by both directions: parses the IPv4/IPv6
 * header of pkt[0..avail) into *ip. 0 or -EINVAL (malformed). */
int wgd_ip_parse(const uint8_t *pkt, size_t avail, struct wgd_ip *ip);

#endif
