/* SPDX-License-Identifier: MIT */
/*
 * Named drop reasons of the packet path. Every packet the daemon discards
 * is counted under one of these; the first drop of a reason in a second is
 * logged at verbose level (rate-limited), and the totals are logged at
 * shutdown and on SIGUSR1.
 */
#ifndef WGMTU_DAEMON_DROP_H
#define WGMTU_DAEMON_DROP_H

#define WGD_DROP_REASONS(X) \
	X(TUN_MALFORMED, "tun-malformed", "packet from the TUN is not a well-formed IPv4/IPv6 packet") \
	X(NO_ROUTE, "no-allowed-ips-route", "no peer's allowed IPs contain the destination") \
	X(NO_ENDPOINT, "peer-no-endpoint", "peer has no known endpoint yet") \
	X(STAGED_OVERFLOW, "staged-queue-full", "oldest packet waiting for a handshake pushed out") \
	X(STAGED_EXPIRED, "staged-expired", "packets waiting for a handshake that never completed") \
	X(ENCRYPT, "encrypt-failed", "encryption failed (keypair expired or exhausted)") \
	X(UDP_SEND, "udp-send-failed", "the UDP socket refused the datagram") \
	X(UDP_MALFORMED, "udp-malformed", "datagram is not a WireGuard message") \
	X(MAC_INVALID, "mac1-invalid", "handshake message with a wrong MAC1") \
	X(UNDER_LOAD_COOKIE, "under-load-cookie-sent", "under load: answered with a cookie reply instead") \
	X(RATELIMIT, "handshake-ratelimited", "per-source handshake rate limit") \
	X(UNDER_LOAD_SOURCE, "under-load-source-limit", "under load: a source over its handshake-message budget, dropped before any crypto") \
	X(HANDSHAKE_INVALID, "handshake-invalid", "handshake message failed (unknown peer, replay, bad crypto)") \
	X(COOKIE_INVALID, "cookie-reply-invalid", "cookie reply that does not decrypt or matches nothing") \
	X(UNKNOWN_INDEX, "unknown-receiver-index", "data for a session we do not have") \
	X(DECRYPT, "decrypt-failed", "data message failed authentication") \
	X(REPLAY, "replayed-counter", "data message counter replayed or outside the window") \
	X(KEY_EXPIRED, "keypair-expired", "data message for an expired keypair") \
	X(INNER_MALFORMED, "inner-malformed", "decrypted packet is not a well-formed IP packet") \
	X(SRC_NOT_ALLOWED, "inner-source-not-allowed", "decrypted packet's source is not in the sender's allowed IPs") \
	X(TUN_WRITE, "tun-write-failed", "the TUN refused the packet") \
	X(TOO_BIG, "too-big", "inner packet larger than the peer's MTU (ICMP too-big written into the TUN, rate-limited)") \
	X(TOO_BIG_V6_MIN, "too-big-ipv6-below-1280", "IPv6 packet larger than a peer MTU below 1280: no Packet Too Big allowed, MSS clamping only") \
	X(FRAG_FAILED, "fragment-failed", "IPv4 packet without DF that could not be fragmented (malformed options)") \
	X(PROBE_INVALID, "probe-invalid", "in-band probe message of an unknown version or malformed")

enum wgd_drop {
#define WGD_DROP_ENUM(id, name, desc) WGD_DROP_##id,
	WGD_DROP_REASONS(WGD_DROP_ENUM)
#undef WGD_DROP_ENUM
	WGD_DROP_MAX
};

extern const char *const wgd_drop_names[WGD_DROP_MAX];
extern const char *const wgd_drop_descs[WGD_DROP_MAX];

#endif
