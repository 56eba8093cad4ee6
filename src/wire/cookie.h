/* SPDX-License-Identifier: MIT */
/*
 * MAC1/MAC2 and cookie replies (whitepaper section 5.4.4 and 5.4.7).
 * Pure: "now_ns" is monotonic nanoseconds passed in; the only other input
 * from outside is the OpenSSL CSPRNG (cookie secret, reply nonce).
 *
 *   mac1 = MAC(HASH(LABEL_MAC1 || S_pub_receiver), msg[0 .. offset(mac1)])
 *   mac2 = MAC(cookie, msg[0 .. offset(mac2)])     (zeros when no cookie)
 *   cookie = MAC(secret, source address bytes || source port (big-endian))
 *   secret: 32 random bytes, regenerated after COOKIE_REFRESH_TIME (120 s)
 *   reply: XAEAD(HASH(LABEL_COOKIE || S_pub_sender), nonce, cookie, mac1)
 *
 * Responder side (device): struct wg_cookie_checker validates MACs of
 * incoming handshake messages and creates cookie replies when under load
 * (the caller decides what "under load" is).
 * Initiator side (per peer): struct wg_cookie_maker adds MACs to outgoing
 * handshake messages and consumes cookie replies.
 *
 * Thread safety: none inside; serialize per checker/maker.
 */
#ifndef WGMTU_WIRE_COOKIE_H
#define WGMTU_WIRE_COOKIE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "wire/messages.h"

/* A cookie is trusted by the maker for COOKIE_REFRESH_TIME minus this
 * margin, so it is not used just as the checker rotates its secret. */
#define WG_COOKIE_LATENCY_S 5

struct wg_cookie_checker {
	uint8_t secret[WG_KEY_LEN];
	uint64_t secret_birth_ns;
	bool secret_valid;
	uint8_t mac1_key[WG_KEY_LEN];    /* HASH(LABEL_MAC1 || our public) */
	uint8_t cookie_key[WG_KEY_LEN];  /* HASH(LABEL_COOKIE || our public) */
	bool has_keys;
};

struct wg_cookie_maker {
	uint8_t mac1_key[WG_KEY_LEN];    /* HASH(LABEL_MAC1 || peer public) */
	uint8_t cookie_key[WG_KEY_LEN];  /* HASH(LABEL_COOKIE || peer public) */
	uint8_t cookie[WG_COOKIE_LEN];
	uint64_t cookie_birth_ns;
	bool have_cookie;
	uint8_t last_mac1[WG_MAC_LEN];   /* mac1 of the last message we sent */
	bool have_last_mac1;
};

/* Derive the checker's keys from our static public key (NULL = no identity:
 * everything then validates as WG_COOKIE_MAC_INVALID). Keeps the secret. */
void wg_cookie_checker_init(struct wg_cookie_checker *c, const uint8_t our_public[WG_KEY_LEN]);
void wg_cookie_checker_clear(struct wg_cookie_checker *c);

enum wg_cookie_mac_state {
	WG_COOKIE_MAC_INVALID = 0,     /* drop silently */
	WG_COOKIE_MAC_VALID_MAC1,      /* mac1 good, mac2 absent or wrong */
	WG_COOKIE_MAC_VALID_MAC2,      /* both good: source address proven */
};

/*
 * Validate the MACs of a handshake initiation (148) or response (92)
 * datagram received from addr/port (addr_len 4 or 16; port host order).
 * MAC2 is only computed when mac1 is valid; the secret is rotated here when
 * older than 120 s. The caller then decides:
 *   INVALID                      -> drop
 *   VALID_MAC1 and under load    -> wg_cookie_create_reply(), drop message
 *   VALID_MAC1 and not under load, or VALID_MAC2 -> process
 */
enum wg_cookie_mac_state wg_cookie_validate(struct wg_cookie_checker *c,
					    const uint8_t *msg, size_t len,
					    const uint8_t *addr, size_t addr_len,
					    uint16_t port, uint64_t now_ns);

/*
 * Build a cookie reply to the handshake message msg (whose mac1 must have
 * been validated) from addr/port. receiver_index is msg's sender_index.
 * 0 or -EINVAL (bad lengths) / -EIO.
 */
int wg_cookie_create_reply(struct wg_cookie_checker *c,
			   struct wg_message_handshake_cookie *reply,
			   const uint8_t *msg, size_t len,
			   const uint8_t *addr, size_t addr_len, uint16_t port,
			   uint64_t now_ns);

/* Derive a maker's keys from the peer's static public key; forgets cookie. */
void wg_cookie_maker_init(struct wg_cookie_maker *m, const uint8_t peer_public[WG_KEY_LEN]);
void wg_cookie_maker_clear(struct wg_cookie_maker *m);

/*
 * Fill mac1 and mac2 of an outgoing initiation (148) or response (92)
 * created by noise.h: mac2 from the cookie when one younger than
 * COOKIE_REFRESH_TIME - WG_COOKIE_LATENCY_S is held, else zeros. Remembers
 * mac1 for a later cookie reply. -EINVAL on a wrong length.
 */
int wg_cookie_add_macs(struct wg_cookie_maker *m, uint8_t *msg, size_t len, uint64_t now_ns);

/*
 * Consume a cookie reply addressed to a handshake message we sent (the
 * caller found this maker's peer through reply->receiver_index). Stores the
 * cookie on success. -ENOENT (we sent nothing a reply could refer to),
 * -EBADMSG (does not decrypt: wrong peer, forged, or stale mac1).
 */
int wg_cookie_consume_reply(struct wg_cookie_maker *m,
			    const struct wg_message_handshake_cookie *reply,
			    uint64_t now_ns);

#endif
