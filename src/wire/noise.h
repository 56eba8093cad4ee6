/* SPDX-License-Identifier: MIT */
/*
 * The Noise_IKpsk2_25519_ChaChaPoly_BLAKE2s handshake (whitepaper 5.4.2-5.4.5)
 * as a pure library: bytes in, bytes out; no sockets, no clock reads, no peer
 * table. The caller's peer table is reached through struct wg_noise_ops.
 *
 * Message flow and who calls what:
 *
 *   initiator                              responder
 *   wg_noise_create_initiation()  -- 148 -->  wg_noise_consume_initiation()
 *   (then cookie.h wg_cookie_add_macs)        (after cookie.h validation)
 *                                             wg_noise_create_response()
 *                                             wg_noise_begin_session() -> next
 *   wg_noise_consume_response()   <-- 92 --
 *   wg_noise_begin_session() -> current
 *   data ...                      -- 32+ ->   wg_keypairs_received_with() moves
 *                                             next to current (confirmation)
 *
 * MAC1/MAC2 are NOT computed or checked here (cookie.h does that; the
 * caller checks them before consuming and adds them after creating).
 *
 * Each step checks the handshake state, computes into locals, then checks
 * the state again (and that no newer handshake raced it) before committing.
 * On any failure the handshake's stored state is unchanged, and every local
 * secret is wiped.
 *
 * Time: "now_ns" is monotonic nanoseconds (keypair birth, flood guard);
 * the initiation's TAI64N timestamp takes wall-clock time as an argument.
 *
 * Thread safety: the library takes no locks. Calls that touch one
 * handshake or one struct wg_keypairs must be serialized by the caller
 * (e.g. the peer's lock, or one handshake worker per device). The ops
 * callbacks are invoked synchronously from the calling thread.
 */
#ifndef WGMTU_WIRE_NOISE_H
#define WGMTU_WIRE_NOISE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "wire/crypto.h"
#include "wire/messages.h"
#include "wire/transport.h"

struct wg_noise_handshake;

/* What an index in the caller's index table designates. */
enum wg_index_kind {
	WG_INDEX_HANDSHAKE = 1,
	WG_INDEX_KEYPAIR = 2,
};

/*
 * The caller's side: a peer table and an index table. All callbacks get the
 * ctx pointer of struct wg_noise_device.
 */
struct wg_noise_ops {
	/* The handshake of the peer whose static public key is pub, or NULL if
	 * no such peer (consume_initiation then fails with -ENOENT). */
	struct wg_noise_handshake *(*lookup_by_static)(void *ctx,
						       const uint8_t pub[WG_KEY_LEN]);
	/* The handshake registered under local index idx as
	 * WG_INDEX_HANDSHAKE, or NULL (consume_response -> -ENOENT). */
	struct wg_noise_handshake *(*lookup_handshake_by_index)(void *ctx, uint32_t idx);
	/* Register a fresh random index, unique in the table, designating the
	 * handshake hs. Store it in *idx. 0 or negative errno. */
	int (*index_register)(void *ctx, struct wg_noise_handshake *hs, uint32_t *idx);
	/* The index idx (registered for a handshake) now designates keypair
	 * kp instead: data messages carry it as their receiver index. */
	void (*index_to_keypair)(void *ctx, uint32_t idx, struct wg_keypair *kp);
	/* Forget idx (whatever it designates). Unknown indices are ignored. */
	void (*index_unregister)(void *ctx, uint32_t idx);
};

/* This device: its static identity and the callbacks. */
struct wg_noise_device {
	uint8_t static_private[WG_KEY_LEN];
	uint8_t static_public[WG_KEY_LEN];
	struct wg_x25519_key static_key; /* static_private prepared for DH */
	bool has_identity;
	const struct wg_noise_ops *ops;
	void *ctx;
};

/* Set the ops (identity unset). */
void wg_noise_device_init(struct wg_noise_device *dev, const struct wg_noise_ops *ops,
			  void *ctx);
/* Set (clamps a copy of) the private key and derive the public key; with
 * priv NULL, remove the identity. Each peer's handshake must then be
 * refreshed with wg_noise_handshake_set_static(). 0 or negative errno. */
int wg_noise_device_set_private(struct wg_noise_device *dev,
				const uint8_t priv[WG_KEY_LEN]);
/* Wipe the private key. */
void wg_noise_device_clear(struct wg_noise_device *dev);

enum wg_handshake_state {
	WG_HS_ZEROED = 0,
	WG_HS_CREATED_INITIATION,   /* initiator: sent, waiting for response */
	WG_HS_CONSUMED_INITIATION,  /* responder: must create the response */
	WG_HS_CREATED_RESPONSE,     /* responder: keys derivable */
	WG_HS_CONSUMED_RESPONSE,    /* initiator: keys derivable */
};

/* Per peer. Lives inside the caller's peer object. */
struct wg_noise_handshake {
	enum wg_handshake_state state;
	uint8_t remote_static[WG_KEY_LEN];
	uint8_t preshared_key[WG_KEY_LEN];          /* zeros = none */
	uint8_t precomputed_static_static[WG_KEY_LEN]; /* DH(s_priv, S_pub) */
	bool static_static_valid;                    /* false: low-order S_pub or no identity */
	struct wg_x25519_key ephemeral_key;          /* initiator, while in flight */
	uint8_t remote_ephemeral[WG_KEY_LEN];
	uint8_t hash[WG_HASH_LEN];
	uint8_t chaining_key[WG_HASH_LEN];
	uint8_t latest_timestamp[WG_TIMESTAMP_LEN];  /* greatest TAI64N accepted */
	uint64_t last_initiation_consumption_ns;     /* flood guard; 0 = never */
	bool initiation_consumed_once;
	uint32_t local_index;    /* registered while state != ZEROED */
	uint32_t remote_index;
	void *peer;              /* caller's peer, copied into derived keypairs */
	struct wg_noise_device *dev;
};

/* Initialise a peer's handshake. psk may be NULL (no preshared key).
 * Computes the static-static DH now (if the device has an identity). */
int wg_noise_handshake_init(struct wg_noise_handshake *hs, struct wg_noise_device *dev,
			    const uint8_t remote_static[WG_KEY_LEN],
			    const uint8_t psk[WG_KEY_LEN], void *peer);
/* Recompute the static-static DH after the device's key changed; also
 * clears any handshake in progress. */
int wg_noise_handshake_set_static(struct wg_noise_handshake *hs);
/* The same with the DH computed aside (ss = DH(new s_priv, S_pub), valid:
 * that DH succeeded), for a caller that prepares a key change on many
 * peers before installing it. */
void wg_noise_handshake_set_static_dh(struct wg_noise_handshake *hs,
				      const uint8_t ss[WG_KEY_LEN], bool valid);
/* Replace the preshared key (NULL = none). */
void wg_noise_handshake_set_psk(struct wg_noise_handshake *hs, const uint8_t psk[WG_KEY_LEN]);
/* Abort any handshake in progress: unregister its index, wipe ephemeral
 * state, back to ZEROED. Keeps static keys, psk and latest_timestamp. */
void wg_noise_handshake_clear(struct wg_noise_handshake *hs);
/* Wipe everything (peer removal). */
void wg_noise_handshake_destroy(struct wg_noise_handshake *hs);

/* Minimum spacing between two initiations accepted from one peer
 * (flood guard): 1 s / 50. */
#define WG_INITIATION_MIN_INTERVAL_NS (1000000000ULL / 50)

/*
 * Initiator, first message. Tokens: e, es, s, ss, {t}.
 * Fills everything but the MACs (zeroed); registers a new local index
 * (ops->index_register) as sender_index. wall_sec/wall_nsec: wall-clock time
 * for the TAI64N timestamp (nanoseconds are rounded down to a 2^24 ns grid so
 * the timestamp does not leak fine timing).
 * Errors: -ENOKEY (no identity or unusable static-static), -EIO, or the
 * callback's error.
 */
int wg_noise_create_initiation(struct wg_noise_handshake *hs,
			       struct wg_message_handshake_initiation *msg,
			       uint64_t wall_sec, uint32_t wall_nsec);

/*
 * Responder, consume the first message (MAC1 already verified by the
 * caller). Tokens: e, es, s, ss, {t}. Looks the initiator up by its
 * decrypted static key (ops->lookup_by_static), then rejects:
 *   -ETIME     timestamp not greater than the latest accepted (replay)
 *   -EBUSY     flood: previous initiation from this peer < 20 ms ago
 *              (now_ns monotonic)
 *   -EBADMSG   decryption failed (wrong keys / tampered / not for us)
 *   -ENOENT    unknown static key
 *   -ENOKEY    no identity, or low-order points
 *   -EINVAL    malformed
 * On success returns 0 and *out the peer's handshake, now in
 * WG_HS_CONSUMED_INITIATION.
 */
int wg_noise_consume_initiation(struct wg_noise_device *dev,
				const struct wg_message_handshake_initiation *msg,
				uint64_t now_ns, struct wg_noise_handshake **out);

/*
 * Responder, second message. Tokens: e, ee, se, psk, {}.
 * Requires WG_HS_CONSUMED_INITIATION; registers a new local index.
 * MACs zeroed for cookie.h. -EINVAL on wrong state.
 */
int wg_noise_create_response(struct wg_noise_handshake *hs,
			     struct wg_message_handshake_response *msg);

/*
 * Initiator, consume the second message (MAC1 already verified). Finds the
 * handshake by receiver_index (ops->lookup_handshake_by_index), requires
 * WG_HS_CREATED_INITIATION. Tokens: e, ee, se, psk, {}.
 * Errors as for consume_initiation (-EBADMSG covers a wrong psk).
 */
int wg_noise_consume_response(struct wg_noise_device *dev,
			      const struct wg_message_handshake_response *msg,
			      struct wg_noise_handshake **out);

/* A peer's three keypair slots (OpenBSD/Linux shape). Each holds one
 * reference. The caller serializes changes per peer. */
struct wg_keypairs {
	struct wg_keypair *previous;
	struct wg_keypair *current;
	struct wg_keypair *next;
};

/*
 * Derive the transport keys (Kdf2(chaining_key, empty)), wipe the handshake
 * secrets, move its local index to the new keypair (ops->index_to_keypair)
 * and install the keypair:
 *   initiator (state CONSUMED_RESPONSE): previous <- current, current <- new
 *     (a pending next is dropped);
 *   responder (state CREATED_RESPONSE): next <- new (previous/current kept;
 *     confirmation happens on the first data message received with it).
 * Keypairs that leave the slots have their index unregistered and a
 * reference dropped. Returns 0 and (when kp_out non-NULL) a borrowed pointer
 * to the new keypair, or -EINVAL on the wrong state, -ENOMEM.
 */
int wg_noise_begin_session(struct wg_noise_handshake *hs, struct wg_keypairs *kps,
			   uint64_t now_ns, struct wg_keypair **kp_out);

/*
 * Confirmation rule: call after a data message authenticated with kp.
 * If kp is the slot's next: previous <- current, current <- next,
 * next <- NULL, and returns true (the session is confirmed; the old
 * previous is released). Otherwise no change, false.
 */
bool wg_keypairs_received_with(struct wg_noise_device *dev, struct wg_keypairs *kps,
			       struct wg_keypair *kp);

/* Release all three slots (unregistering their indices). */
void wg_keypairs_clear(struct wg_noise_device *dev, struct wg_keypairs *kps);

/* The keypair to send with (current, if usable), with a reference the caller
 * drops with wg_keypair_put(); NULL when a handshake is needed. */
struct wg_keypair *wg_keypairs_current(struct wg_keypairs *kps, uint64_t now_ns);

#endif
