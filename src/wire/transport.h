/* SPDX-License-Identifier: MIT */
/*
 * Transport data messages (whitepaper section 5.4.6): session keypairs,
 * in-place encryption/decryption and the receive replay window.
 * Pure: no I/O, no clock reads -- "now" is an argument (monotonic ns).
 *
 * Buffer layout for the data path (no copies):
 *
 *   pkt: [ 16-byte header | plaintext (plen) | pad to 16 | 16-byte tag ]
 *          ^ headroom       ^ the caller writes the inner packet here
 *
 * wg_transport_encrypt() fills the header, zero-pads, seals in place and
 * reports the datagram length; wg_transport_decrypt() opens in place and
 * leaves the (padded) plaintext at pkt + 16.
 *
 * Keypair ownership: a keypair is reference counted. The keypair slots of
 * a peer (noise.h, struct wg_keypairs) hold one reference each; any other
 * holder -- e.g. a packet batch in flight on another thread -- takes its own
 * with wg_keypair_get() and drops it with wg_keypair_put(). The last put
 * wipes the keys and frees the keypair.
 *
 * Thread safety: refcount and the sending counter are atomic, so several
 * threads may reserve nonces on one keypair. The AEAD work may run on
 * several threads at once through lanes: a keypair has one sealing and one
 * opening context per lane (lane 0 made with the keypair, the others on
 * first use from the keys it keeps), and a caller uses a lane from one
 * thread at a time. The split calls -- wg_transport_reserve() +
 * wg_transport_seal(), wg_transport_open() + wg_transport_commit() -- let
 * a caller take counters and update the replay window on one thread, in
 * order, and seal/open on any lane in between. The replay window itself is
 * not locked: wg_transport_commit() runs on one thread per keypair.
 */
#ifndef WGMTU_WIRE_TRANSPORT_H
#define WGMTU_WIRE_TRANSPORT_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "wire/crypto.h"
#include "wire/messages.h"

/* Replay window: 8192 bits of bitmap, of which 8128 are the usable window
 * (one 64-bit word is kept free so advancing never clears live bits). */
enum {
	WG_REPLAY_BITS_TOTAL = 8192,
	WG_REPLAY_WORD_BITS = 64,
	WG_REPLAY_WINDOW = WG_REPLAY_BITS_TOTAL - WG_REPLAY_WORD_BITS, /* 8128 */
};

struct wg_replay {
	uint64_t greatest;  /* highest counter accepted + 1; 0 = none yet */
	uint64_t bitmap[WG_REPLAY_BITS_TOTAL / WG_REPLAY_WORD_BITS];
};

void wg_replay_init(struct wg_replay *r);
/* Check a counter that has ALREADY been authenticated and record it.
 * Returns true when it is fresh: not seen before, within the window below
 * the greatest accepted, and below WG_REJECT_AFTER_MESSAGES. */
bool wg_replay_check_and_update(struct wg_replay *r, uint64_t counter);

/* Most lanes (threads doing AEAD work at once) a keypair supports. */
#define WG_TRANSPORT_LANES 16

struct wg_keypair {
	atomic_uint refcount;
	struct wg_aead_ctx send;       /* sealing context (sending key), lane 0 */
	struct wg_aead_ctx recv;       /* opening context (receiving key), lane 0 */
	/* lanes 1.. keyed on first use from the keys below (wiped at free) */
	struct wg_aead_ctx send_lane[WG_TRANSPORT_LANES - 1];
	struct wg_aead_ctx recv_lane[WG_TRANSPORT_LANES - 1];
	uint8_t send_key[WG_KEY_LEN], recv_key[WG_KEY_LEN];
	atomic_uint_fast64_t send_counter; /* next nonce to use */
	struct wg_replay replay;
	uint64_t birth_ns;             /* monotonic time of derivation */
	uint32_t local_index;          /* receiver index peers put in data to us */
	uint32_t remote_index;         /* index we put in data to them */
	bool i_am_initiator;
	bool sending_valid;
	bool receiving_valid;
	void *peer;                    /* the caller's peer (opaque) */
};

/* Allocate a keypair from the two 32-byte directional keys (copied into
 * the AEAD contexts; the caller wipes its copies). refcount starts at 1.
 * Returns NULL on allocation failure. */
struct wg_keypair *wg_keypair_new(const uint8_t send_key[WG_KEY_LEN],
				  const uint8_t recv_key[WG_KEY_LEN],
				  bool i_am_initiator, uint32_t local_index,
				  uint32_t remote_index, uint64_t now_ns, void *peer);
/* Take a reference (NULL-safe); returns kp. */
struct wg_keypair *wg_keypair_get(struct wg_keypair *kp);
/* Drop a reference (NULL-safe); the last one wipes and frees. */
void wg_keypair_put(struct wg_keypair *kp);

/* Whether a new handshake should start soon (whitepaper 6.2): the keypair
 * sent REKEY_AFTER_MESSAGES, or we initiated it and it is older than
 * REKEY_AFTER_TIME. */
bool wg_keypair_wants_rekey(const struct wg_keypair *kp, uint64_t now_ns);
/* Whether data just received with this keypair should trigger a new
 * handshake (whitepaper 6.2): we initiated it and it is older than
 * REJECT_AFTER_TIME - KEEPALIVE_TIMEOUT - REKEY_TIMEOUT (165 s), so the
 * session would expire before a quiet peer triggered one. */
bool wg_keypair_wants_rekey_on_receive(const struct wg_keypair *kp, uint64_t now_ns);
/* Whether the keypair may still send/receive at all (age < REJECT_AFTER_TIME,
 * counter < REJECT_AFTER_MESSAGES). */
bool wg_keypair_usable(const struct wg_keypair *kp, uint64_t now_ns);

/* Plaintext length after padding to a multiple of 16, never beyond mtu
 * (mtu 0 = no cap). A 0-byte plaintext (keepalive) stays 0. */
size_t wg_transport_padded_len(size_t plen, size_t mtu);

/* Length of the datagram for a plaintext of plen: 16 + padded + 16. */
static inline size_t wg_transport_datagram_len(size_t plen, size_t mtu)
{
	return WG_MSG_DATA_HEADER_LEN + wg_transport_padded_len(plen, mtu) + WG_AEAD_TAG_LEN;
}

/*
 * Seal one data message in place. pkt[16 .. 16+plen) holds the plaintext
 * (plen 0 = keepalive); cap is the size of pkt and must be at least
 * wg_transport_datagram_len(plen, mtu). On success *out_len is the
 * datagram length and the used counter is returned through *counter_out
 * when non-NULL.
 *
 * Errors: -EINVAL (cap too small), -ESTALE (keypair not valid for sending,
 * older than REJECT_AFTER_TIME, or counter exhausted), -EIO.
 */
int wg_transport_encrypt(struct wg_keypair *kp, uint8_t *pkt, size_t plen, size_t cap,
			 size_t mtu, uint64_t now_ns, size_t *out_len, uint64_t *counter_out);

/* The two halves of wg_transport_encrypt(), for callers that seal on
 * another thread: reserve takes the next counter (in the caller's order;
 * -ESTALE as above), seal fills the header and seals pkt on a lane with
 * that counter (-EINVAL when cap is too small or lane out of range, -ENOMEM
 * when a lane's context cannot be made, -EIO). */
int wg_transport_reserve(struct wg_keypair *kp, uint64_t now_ns, uint64_t *counter);
int wg_transport_seal(struct wg_keypair *kp, unsigned lane, uint64_t counter, uint8_t *pkt,
		      size_t plen, size_t cap, size_t mtu, size_t *out_len);

/* The receiver index of a data message (to find its keypair), or -EINVAL
 * when the datagram is not a well-formed data message. */
int wg_transport_peek_index(const uint8_t *pkt, size_t len, uint32_t *index);

/*
 * Open one data message in place. On success the padded plaintext is at
 * pkt + 16 and *plain_len bytes long (0 = keepalive); the inner IP header's
 * length tells the caller the unpadded size.
 *
 * Errors (each a named drop reason for the caller's counters):
 *   -EINVAL   malformed (too short, wrong type, index not this keypair's)
 *   -ESTALE   keypair not valid for receiving or expired
 *   -EBADMSG  authentication failed (pkt contents are then unspecified)
 *   -EALREADY counter replayed or outside the window
 */
int wg_transport_decrypt(struct wg_keypair *kp, uint8_t *pkt, size_t len,
			 uint64_t now_ns, size_t *plain_len, uint64_t *counter_out);

/* The two halves of wg_transport_decrypt(): open authenticates and
 * decrypts on a lane (all the errors above but -EALREADY; *counter_out is
 * required) without touching the replay window; commit then records the
 * counter, on one thread per keypair and in arrival order: false
 * (-EALREADY above) for a replay. */
int wg_transport_open(struct wg_keypair *kp, unsigned lane, uint8_t *pkt, size_t len,
		      uint64_t now_ns, size_t *plain_len, uint64_t *counter_out);
bool wg_transport_commit(struct wg_keypair *kp, uint64_t counter);

#endif
