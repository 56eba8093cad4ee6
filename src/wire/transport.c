/* SPDX-License-Identifier: MIT */
/* Keypairs, in-place transport encryption and the replay window. */
#include "wire/transport.h"

#include "common/buf.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#define NS_PER_S 1000000000ULL
#define REPLAY_WORDS (WG_REPLAY_BITS_TOTAL / WG_REPLAY_WORD_BITS)

/* ---- replay window ------------------------------------------------------- */

void wg_replay_init(struct wg_replay *r)
{
	memset(r, 0, sizeof(*r));
}

/*
 * Bits are indexed by counter modulo WG_REPLAY_BITS_TOTAL. "greatest" is the
 * highest accepted counter + 1. The bitmap covers the word holding the
 * highest counter and the REPLAY_WORDS - 1 words below it; a counter within
 * WG_REPLAY_WINDOW of the highest always falls in those, and when the
 * highest advances, the words it moves over are cleared first.
 */
bool wg_replay_check_and_update(struct wg_replay *r, uint64_t counter)
{
	uint64_t word = counter / WG_REPLAY_WORD_BITS, bit = 1ULL << (counter % WG_REPLAY_WORD_BITS);
	uint64_t *slot;

	if (counter >= WG_REJECT_AFTER_MESSAGES)
		return false;
	if (counter >= r->greatest) {
		uint64_t top_word = r->greatest ? (r->greatest - 1) / WG_REPLAY_WORD_BITS : 0;
		uint64_t steps = word - top_word;

		if (!r->greatest || steps >= REPLAY_WORDS) {
			memset(r->bitmap, 0, sizeof(r->bitmap));
		} else {
			for (uint64_t i = 1; i <= steps; i++)
				r->bitmap[(top_word + i) % REPLAY_WORDS] = 0;
		}
		r->greatest = counter + 1;
	} else if (r->greatest - 1 - counter >= WG_REPLAY_WINDOW) {
		return false; /* too old */
	}
	slot = &r->bitmap[word % REPLAY_WORDS];
	if (*slot & bit)
		return false; /* duplicate */
	*slot |= bit;
	return true;
}

/* ---- keypairs ----------------------------------------------------------------- */

struct wg_keypair *wg_keypair_new(const uint8_t send_key[WG_KEY_LEN],
				  const uint8_t recv_key[WG_KEY_LEN],
				  bool i_am_initiator, uint32_t local_index,
				  uint32_t remote_index, uint64_t now_ns, void *peer)
{
	struct wg_keypair *kp = calloc(1, sizeof(*kp));

	if (!kp)
		return NULL;
	if (wg_aead_ctx_init(&kp->send, send_key, true) ||
	    wg_aead_ctx_init(&kp->recv, recv_key, false)) {
		wg_aead_ctx_clear(&kp->send);
		wg_aead_ctx_clear(&kp->recv);
		free(kp);
		return NULL;
	}
	memcpy(kp->send_key, send_key, WG_KEY_LEN);
	memcpy(kp->recv_key, recv_key, WG_KEY_LEN);
	atomic_init(&kp->refcount, 1);
	atomic_init(&kp->send_counter, 0);
	wg_replay_init(&kp->replay);
	kp->birth_ns = now_ns;
	kp->local_index = local_index;
	kp->remote_index = remote_index;
	kp->i_am_initiator = i_am_initiator;
	kp->sending_valid = true;
	kp->receiving_valid = true;
	kp->peer = peer;
	return kp;
}

struct wg_keypair *wg_keypair_get(struct wg_keypair *kp)
{
	if (kp)
		atomic_fetch_add_explicit(&kp->refcount, 1, memory_order_relaxed);
	return kp;
}

void wg_keypair_put(struct wg_keypair *kp)
{
	if (!kp || atomic_fetch_sub_explicit(&kp->refcount, 1, memory_order_acq_rel) != 1)
		return;
	wg_aead_ctx_clear(&kp->send);
	wg_aead_ctx_clear(&kp->recv);
	for (int i = 0; i < WG_TRANSPORT_LANES - 1; i++) {
		wg_aead_ctx_clear(&kp->send_lane[i]);
		wg_aead_ctx_clear(&kp->recv_lane[i]);
	}
	wg_wipe(kp, sizeof(*kp));
	free(kp);
}

static bool expired(const struct wg_keypair *kp, uint64_t now_ns)
{
	return now_ns < kp->birth_ns || now_ns - kp->birth_ns >= WG_REJECT_AFTER_TIME * NS_PER_S;
}

bool wg_keypair_wants_rekey(const struct wg_keypair *kp, uint64_t now_ns)
{
	uint64_t sent = atomic_load_explicit(&kp->send_counter, memory_order_relaxed);

	if (sent >= WG_REKEY_AFTER_MESSAGES)
		return true;
	return kp->i_am_initiator && now_ns >= kp->birth_ns &&
	       now_ns - kp->birth_ns >= WG_REKEY_AFTER_TIME * NS_PER_S;
}

bool wg_keypair_wants_rekey_on_receive(const struct wg_keypair *kp, uint64_t now_ns)
{
	return kp->i_am_initiator && now_ns >= kp->birth_ns &&
	       now_ns - kp->birth_ns >=
		       (WG_REJECT_AFTER_TIME - WG_KEEPALIVE_TIMEOUT - WG_REKEY_TIMEOUT) * NS_PER_S;
}

bool wg_keypair_usable(const struct wg_keypair *kp, uint64_t now_ns)
{
	return !expired(kp, now_ns) &&
	       atomic_load_explicit(&kp->send_counter, memory_order_relaxed) < WG_REJECT_AFTER_MESSAGES;
}

/* ---- data messages ------------------------------------------------------------ */

size_t wg_transport_padded_len(size_t plen, size_t mtu)
{
	size_t padded = (plen + WG_PADDING_MULTIPLE - 1) & ~(size_t)(WG_PADDING_MULTIPLE - 1);

	if (mtu && padded > mtu)
		padded = mtu > plen ? mtu : plen;
	return padded;
}

/* The context of a lane: lane 0 is made with the keypair, the others
 * on their first use (by the one thread that owns the lane). */
static struct wg_aead_ctx *lane_ctx(struct wg_keypair *kp, unsigned lane, bool send, int *err)
{
	struct wg_aead_ctx *c;

	*err = 0;
	if (lane >= WG_TRANSPORT_LANES) {
		*err = -EINVAL;
		return NULL;
	}
	if (!lane)
		return send ? &kp->send : &kp->recv;
	c = send ? &kp->send_lane[lane - 1] : &kp->recv_lane[lane - 1];
	if (!c->evp && (*err = wg_aead_ctx_init(c, send ? kp->send_key : kp->recv_key, send)))
		return NULL;
	return c;
}

int wg_transport_reserve(struct wg_keypair *kp, uint64_t now_ns, uint64_t *counter)
{
	if (!kp->sending_valid || expired(kp, now_ns))
		return -ESTALE;
	*counter = atomic_fetch_add_explicit(&kp->send_counter, 1, memory_order_relaxed);
	if (*counter >= WG_REJECT_AFTER_MESSAGES)
		return -ESTALE;
	return 0;
}

int wg_transport_seal(struct wg_keypair *kp, unsigned lane, uint64_t counter, uint8_t *pkt,
		      size_t plen, size_t cap, size_t mtu, size_t *out_len)
{
	size_t padded = wg_transport_padded_len(plen, mtu);
	struct wg_aead_ctx *c;
	int ret;

	if (cap < WG_MSG_DATA_HEADER_LEN + padded + WG_AEAD_TAG_LEN)
		return -EINVAL;
	c = lane_ctx(kp, lane, true, &ret);
	if (!c)
		return ret;
	memset(pkt + WG_MSG_DATA_HEADER_LEN + plen, 0, padded - plen);
	ret = wg_aead_ctx_seal(c, counter, pkt + WG_MSG_DATA_HEADER_LEN, padded);
	if (ret)
		return ret;
	put_le32(pkt, WG_MSG_DATA);
	put_le32(pkt + 4, kp->remote_index);
	put_le64(pkt + 8, counter);
	*out_len = WG_MSG_DATA_HEADER_LEN + padded + WG_AEAD_TAG_LEN;
	return 0;
}

int wg_transport_encrypt(struct wg_keypair *kp, uint8_t *pkt, size_t plen, size_t cap,
			 size_t mtu, uint64_t now_ns, size_t *out_len, uint64_t *counter_out)
{
	uint64_t counter;
	int ret;

	if (cap < wg_transport_datagram_len(plen, mtu))
		return -EINVAL;
	ret = wg_transport_reserve(kp, now_ns, &counter);
	if (!ret)
		ret = wg_transport_seal(kp, 0, counter, pkt, plen, cap, mtu, out_len);
	if (!ret && counter_out)
		*counter_out = counter;
	return ret;
}

int wg_transport_peek_index(const uint8_t *pkt, size_t len, uint32_t *index)
{
	if (wg_message_classify(pkt, len) != WG_MSG_DATA)
		return -EINVAL;
	*index = get_le32(pkt + 4);
	return 0;
}

int wg_transport_open(struct wg_keypair *kp, unsigned lane, uint8_t *pkt, size_t len,
		      uint64_t now_ns, size_t *plain_len, uint64_t *counter_out)
{
	struct wg_aead_ctx *c;
	uint64_t counter;
	int ret;

	if (wg_message_classify(pkt, len) != WG_MSG_DATA || get_le32(pkt + 4) != kp->local_index)
		return -EINVAL;
	if (!kp->receiving_valid || expired(kp, now_ns))
		return -ESTALE;
	counter = get_le64(pkt + 8);
	if (counter >= WG_REJECT_AFTER_MESSAGES)
		return -EALREADY;
	c = lane_ctx(kp, lane, false, &ret);
	if (!c)
		return ret;
	ret = wg_aead_ctx_open(c, counter, pkt + WG_MSG_DATA_HEADER_LEN,
			       len - WG_MSG_DATA_HEADER_LEN);
	if (ret)
		return ret == -EBADMSG ? -EBADMSG : ret;
	*plain_len = len - WG_MSG_DATA_HEADER_LEN - WG_AEAD_TAG_LEN;
	*counter_out = counter;
	return 0;
}

bool wg_transport_commit(struct wg_keypair *kp, uint64_t counter)
{
	/* only an authenticated counter may move the window */
	return wg_replay_check_and_update(&kp->replay, counter);
}

int wg_transport_decrypt(struct wg_keypair *kp, uint8_t *pkt, size_t len,
			 uint64_t now_ns, size_t *plain_len, uint64_t *counter_out)
{
	uint64_t counter;
	size_t pl;
	int ret;

	ret = wg_transport_open(kp, 0, pkt, len, now_ns, &pl, &counter);
	if (ret)
		return ret;
	if (!wg_transport_commit(kp, counter))
		return -EALREADY;
	*plain_len = pl;
	if (counter_out)
		*counter_out = counter;
	return 0;
}
