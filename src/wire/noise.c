/* SPDX-License-Identifier: MIT */
/*
 * Noise_IKpsk2_25519_ChaChaPoly_BLAKE2s, whitepaper 5.4.2 - 5.4.5.
 * Every step is labelled with its Noise token. Each create/consume works on
 * local copies of the chaining key and hash and commits to the handshake only
 * after re-checking its state; one exit path ("out:") wipes the locals.
 */
#include "wire/noise.h"

#include <errno.h>
#include <pthread.h>
#include <string.h>

/* Ci = HASH(CONSTRUCTION), Hi = HASH(Ci || IDENTIFIER), computed once. */
static uint8_t init_chaining_key[WG_HASH_LEN], init_hash[WG_HASH_LEN];
static int init_status;
static pthread_once_t init_once = PTHREAD_ONCE_INIT;

static void noise_precompute(void)
{
	init_status = wg_hash(init_chaining_key, WG_NOISE_CONSTRUCTION,
			      sizeof(WG_NOISE_CONSTRUCTION) - 1);
	if (!init_status)
		init_status = wg_hash2(init_hash, init_chaining_key, WG_HASH_LEN,
				       WG_NOISE_IDENTIFIER, sizeof(WG_NOISE_IDENTIFIER) - 1);
}

static int noise_init(void)
{
	pthread_once(&init_once, noise_precompute);
	return init_status;
}

/* The symmetric state of one handshake step, kept on the stack. */
struct sym {
	uint8_t ck[WG_HASH_LEN];
	uint8_t h[WG_HASH_LEN];
	uint8_t key[WG_KEY_LEN];
};

static int mix_hash(struct sym *s, const void *in, size_t len)
{
	return wg_hash2(s->h, s->h, WG_HASH_LEN, in, len);
}

/* ck = Kdf1(ck, in) */
static int mix_ck(struct sym *s, const uint8_t *in, size_t len)
{
	return wg_kdf(s->ck, NULL, NULL, s->ck, in, len);
}

/* The "e" token: an ephemeral public key enters both ck and h. */
static int mix_ephemeral(struct sym *s, const uint8_t pub[WG_KEY_LEN])
{
	int ret = mix_ck(s, pub, WG_KEY_LEN);

	return ret ? ret : mix_hash(s, pub, WG_KEY_LEN);
}

/* (ck, key) = Kdf2(ck, DH(priv, pub)) */
static int mix_dh_key(struct sym *s, struct wg_x25519_key *priv, const uint8_t pub[WG_KEY_LEN])
{
	uint8_t dh[WG_KEY_LEN];
	int ret = wg_x25519_key_dh(priv, dh, pub);

	if (!ret)
		ret = wg_kdf(s->ck, s->key, NULL, s->ck, dh, sizeof(dh));
	wg_wipe(dh, sizeof(dh));
	return ret ? -ENOKEY : 0;
}

/* ck = Kdf1(ck, DH(priv, pub)) */
static int mix_dh(struct sym *s, struct wg_x25519_key *priv, const uint8_t pub[WG_KEY_LEN])
{
	uint8_t dh[WG_KEY_LEN];
	int ret = wg_x25519_key_dh(priv, dh, pub);

	if (!ret)
		ret = mix_ck(s, dh, sizeof(dh));
	wg_wipe(dh, sizeof(dh));
	return ret ? -ENOKEY : 0;
}

/* (ck, key) = Kdf2(ck, precomputed), for the ss token */
static int mix_precomputed_key(struct sym *s, const uint8_t in[WG_KEY_LEN])
{
	return wg_kdf(s->ck, s->key, NULL, s->ck, in, WG_KEY_LEN);
}

/* psk: (ck, tau, key) = Kdf3(ck, Q); h = HASH(h || tau) */
static int mix_psk(struct sym *s, const uint8_t psk[WG_KEY_LEN])
{
	uint8_t tau[WG_HASH_LEN];
	int ret = wg_kdf(s->ck, tau, s->key, s->ck, psk, WG_KEY_LEN);

	if (!ret)
		ret = mix_hash(s, tau, sizeof(tau));
	wg_wipe(tau, sizeof(tau));
	return ret;
}

/* out = AEAD(key, 0, in, h); h = HASH(h || out) */
static int seal_hash(struct sym *s, uint8_t *out, const uint8_t *in, size_t len)
{
	int ret = wg_aead_encrypt(out, in, len, s->h, WG_HASH_LEN, 0, s->key);

	return ret ? ret : mix_hash(s, out, len + WG_AEAD_TAG_LEN);
}

static int open_hash(struct sym *s, uint8_t *out, const uint8_t *in, size_t len)
{
	int ret = wg_aead_decrypt(out, in, len, s->h, WG_HASH_LEN, 0, s->key);

	if (ret)
		return -EBADMSG;
	return mix_hash(s, in, len);
}

static void sym_wipe(struct sym *s)
{
	wg_wipe(s, sizeof(*s));
}

/* The initial state for a handshake whose responder's static key is rs:
 * ck = Ci, h = HASH(Hi || rs). */
static int sym_start(struct sym *s, const uint8_t rs[WG_KEY_LEN])
{
	int ret = noise_init();

	if (ret)
		return ret;
	memcpy(s->ck, init_chaining_key, WG_HASH_LEN);
	memcpy(s->h, init_hash, WG_HASH_LEN);
	return mix_hash(s, rs, WG_KEY_LEN);
}

/* ---- device and handshake lifecycle ------------------------------------------ */

void wg_noise_device_init(struct wg_noise_device *dev, const struct wg_noise_ops *ops, void *ctx)
{
	memset(dev, 0, sizeof(*dev));
	dev->ops = ops;
	dev->ctx = ctx;
}

int wg_noise_device_set_private(struct wg_noise_device *dev, const uint8_t priv[WG_KEY_LEN])
{
	int ret;

	if (!priv) {
		wg_noise_device_clear(dev);
		return 0;
	}
	memcpy(dev->static_private, priv, WG_KEY_LEN);
	wg_x25519_clamp(dev->static_private);
	ret = wg_x25519_key_load(&dev->static_key, dev->static_private, dev->static_public);
	if (ret) {
		wg_noise_device_clear(dev);
		return ret;
	}
	dev->has_identity = true;
	return 0;
}

void wg_noise_device_clear(struct wg_noise_device *dev)
{
	wg_wipe(dev->static_private, WG_KEY_LEN);
	wg_x25519_key_clear(&dev->static_key);
	memset(dev->static_public, 0, WG_KEY_LEN);
	dev->has_identity = false;
}

/* An index is registered for the handshake in these states. */
static bool holds_index(const struct wg_noise_handshake *hs)
{
	return hs->state == WG_HS_CREATED_INITIATION || hs->state == WG_HS_CREATED_RESPONSE ||
	       hs->state == WG_HS_CONSUMED_RESPONSE;
}

/* Back to ZEROED, wiping the per-handshake secrets. */
static void handshake_zero(struct wg_noise_handshake *hs)
{
	if (holds_index(hs))
		hs->dev->ops->index_unregister(hs->dev->ctx, hs->local_index);
	wg_x25519_key_clear(&hs->ephemeral_key);
	memset(hs->remote_ephemeral, 0, WG_KEY_LEN);
	wg_wipe(hs->hash, WG_HASH_LEN);
	wg_wipe(hs->chaining_key, WG_HASH_LEN);
	hs->local_index = 0;
	hs->remote_index = 0;
	hs->state = WG_HS_ZEROED;
}

int wg_noise_handshake_init(struct wg_noise_handshake *hs, struct wg_noise_device *dev,
			    const uint8_t remote_static[WG_KEY_LEN],
			    const uint8_t psk[WG_KEY_LEN], void *peer)
{
	memset(hs, 0, sizeof(*hs));
	hs->dev = dev;
	hs->peer = peer;
	memcpy(hs->remote_static, remote_static, WG_KEY_LEN);
	wg_noise_handshake_set_psk(hs, psk);
	return wg_noise_handshake_set_static(hs);
}

int wg_noise_handshake_set_static(struct wg_noise_handshake *hs)
{
	int ret = 0;

	handshake_zero(hs);
	hs->static_static_valid = false;
	wg_wipe(hs->precomputed_static_static, WG_KEY_LEN);
	if (!hs->dev->has_identity)
		return 0;
	/* ss: DH(s_priv, S_pub), the same for every handshake with this peer.
	 * A low-order peer key leaves the handshake unusable (-ENOKEY later). */
	ret = wg_x25519_key_dh(&hs->dev->static_key, hs->precomputed_static_static, hs->remote_static);
	hs->static_static_valid = ret == 0;
	return ret;
}

void wg_noise_handshake_set_static_dh(struct wg_noise_handshake *hs,
				      const uint8_t ss[WG_KEY_LEN], bool valid)
{
	handshake_zero(hs);
	hs->static_static_valid = valid && hs->dev->has_identity;
	if (hs->static_static_valid)
		memcpy(hs->precomputed_static_static, ss, WG_KEY_LEN);
	else
		wg_wipe(hs->precomputed_static_static, WG_KEY_LEN);
}

void wg_noise_handshake_set_psk(struct wg_noise_handshake *hs, const uint8_t psk[WG_KEY_LEN])
{
	if (psk)
		memcpy(hs->preshared_key, psk, WG_KEY_LEN);
	else
		wg_wipe(hs->preshared_key, WG_KEY_LEN);
}

void wg_noise_handshake_clear(struct wg_noise_handshake *hs)
{
	handshake_zero(hs);
}

void wg_noise_handshake_destroy(struct wg_noise_handshake *hs)
{
	handshake_zero(hs);
	wg_wipe(hs, sizeof(*hs));
}

/* ---- initiation ----------------------------------------------------------------- */

int wg_noise_create_initiation(struct wg_noise_handshake *hs,
			       struct wg_message_handshake_initiation *msg,
			       uint64_t wall_sec, uint32_t wall_nsec)
{
	struct wg_noise_device *dev = hs->dev;
	struct wg_x25519_key eph = { 0 };
	uint8_t ts[WG_TIMESTAMP_LEN];
	struct sym s;
	uint32_t idx;
	int ret;

	memset(msg, 0, sizeof(*msg));
	memset(ts, 0, sizeof(ts));
	if (!dev->has_identity || !hs->static_static_valid)
		return -ENOKEY;
	ret = sym_start(&s, hs->remote_static);
	if (ret)
		goto out;
	msg->header.type = htole32(WG_MSG_HANDSHAKE_INITIATION);

	/* e */
	ret = wg_x25519_key_generate(&eph, msg->unencrypted_ephemeral);
	if (!ret)
		ret = mix_ephemeral(&s, msg->unencrypted_ephemeral);
	if (ret)
		goto out;
	/* es */
	ret = mix_dh_key(&s, &eph, hs->remote_static);
	if (ret)
		goto out;
	/* s */
	ret = seal_hash(&s, msg->encrypted_static, dev->static_public, WG_KEY_LEN);
	if (ret)
		goto out;
	/* ss */
	ret = mix_precomputed_key(&s, hs->precomputed_static_static);
	if (ret)
		goto out;
	/* {t}: round nanoseconds down to the 2^24 ns grid (about 16.7 ms,
	 * below the 20 ms flood interval) to leak no finer timing. */
	wg_tai64n(ts, wall_sec, wall_nsec & ~((1U << 24) - 1));
	ret = seal_hash(&s, msg->encrypted_timestamp, ts, WG_TIMESTAMP_LEN);
	if (ret)
		goto out;

	/* commit: a new initiation supersedes whatever was in flight */
	handshake_zero(hs);
	ret = dev->ops->index_register(dev->ctx, hs, &idx);
	if (ret)
		goto out;
	msg->sender_index = htole32(idx);
	hs->local_index = idx;
	hs->ephemeral_key = eph; /* ownership moves to the handshake */
	eph.pkey = eph.ctx = NULL;
	memcpy(hs->hash, s.h, WG_HASH_LEN);
	memcpy(hs->chaining_key, s.ck, WG_HASH_LEN);
	hs->state = WG_HS_CREATED_INITIATION;
out:
	if (ret)
		memset(msg, 0, sizeof(*msg));
	wg_x25519_key_clear(&eph);
	wg_wipe(ts, sizeof(ts));
	sym_wipe(&s);
	return ret;
}

int wg_noise_consume_initiation(struct wg_noise_device *dev,
				const struct wg_message_handshake_initiation *msg,
				uint64_t now_ns, struct wg_noise_handshake **out)
{
	struct wg_noise_handshake *hs = NULL;
	uint8_t s_pub[WG_KEY_LEN], ts[WG_TIMESTAMP_LEN];
	struct sym s;
	int ret;

	*out = NULL;
	memset(&s, 0, sizeof(s));
	if (le32toh(msg->header.type) != WG_MSG_HANDSHAKE_INITIATION)
		return -EINVAL;
	if (!dev->has_identity)
		return -ENOKEY;
	ret = sym_start(&s, dev->static_public);
	if (ret)
		goto out;

	/* e */
	ret = mix_ephemeral(&s, msg->unencrypted_ephemeral);
	if (ret)
		goto out;
	/* es */
	ret = mix_dh_key(&s, &dev->static_key, msg->unencrypted_ephemeral);
	if (ret)
		goto out;
	/* s */
	ret = open_hash(&s, s_pub, msg->encrypted_static, sizeof(msg->encrypted_static));
	if (ret)
		goto out;
	hs = dev->ops->lookup_by_static(dev->ctx, s_pub);
	if (!hs) {
		ret = -ENOENT;
		goto out;
	}
	if (!hs->static_static_valid) {
		ret = -ENOKEY;
		goto out;
	}
	/* ss */
	ret = mix_precomputed_key(&s, hs->precomputed_static_static);
	if (ret)
		goto out;
	/* {t} */
	ret = open_hash(&s, ts, msg->encrypted_timestamp, sizeof(msg->encrypted_timestamp));
	if (ret)
		goto out;

	/* checked at commit time: replay (TAI64N is big-endian, so byte order
	 * is time order) and flood (initiations closer than 20 ms) */
	if (memcmp(ts, hs->latest_timestamp, WG_TIMESTAMP_LEN) <= 0) {
		ret = -ETIME;
		goto out;
	}
	if (hs->initiation_consumed_once && now_ns >= hs->last_initiation_consumption_ns &&
	    now_ns - hs->last_initiation_consumption_ns < WG_INITIATION_MIN_INTERVAL_NS) {
		ret = -EBUSY;
		goto out;
	}

	/* commit */
	handshake_zero(hs);
	memcpy(hs->remote_ephemeral, msg->unencrypted_ephemeral, WG_KEY_LEN);
	memcpy(hs->latest_timestamp, ts, WG_TIMESTAMP_LEN);
	memcpy(hs->hash, s.h, WG_HASH_LEN);
	memcpy(hs->chaining_key, s.ck, WG_HASH_LEN);
	hs->remote_index = le32toh(msg->sender_index);
	hs->last_initiation_consumption_ns = now_ns;
	hs->initiation_consumed_once = true;
	hs->state = WG_HS_CONSUMED_INITIATION;
	*out = hs;
out:
	wg_wipe(s_pub, sizeof(s_pub));
	wg_wipe(ts, sizeof(ts));
	sym_wipe(&s);
	return ret;
}

/* ---- response ---------------------------------------------------------------------- */

int wg_noise_create_response(struct wg_noise_handshake *hs,
			     struct wg_message_handshake_response *msg)
{
	struct wg_noise_device *dev = hs->dev;
	struct wg_x25519_key eph = { 0 };
	uint8_t remote_eph[WG_KEY_LEN];
	struct sym s;
	uint32_t idx;
	int ret;

	memset(msg, 0, sizeof(*msg));
	memset(&s, 0, sizeof(s));
	if (hs->state != WG_HS_CONSUMED_INITIATION)
		return -EINVAL;
	memcpy(s.ck, hs->chaining_key, WG_HASH_LEN);
	memcpy(s.h, hs->hash, WG_HASH_LEN);
	memcpy(remote_eph, hs->remote_ephemeral, WG_KEY_LEN);
	msg->header.type = htole32(WG_MSG_HANDSHAKE_RESPONSE);
	msg->receiver_index = htole32(hs->remote_index);

	/* e */
	ret = wg_x25519_key_generate(&eph, msg->unencrypted_ephemeral);
	if (!ret)
		ret = mix_ephemeral(&s, msg->unencrypted_ephemeral);
	if (ret)
		goto out;
	/* ee */
	ret = mix_dh(&s, &eph, hs->remote_ephemeral);
	if (ret)
		goto out;
	/* se */
	ret = mix_dh(&s, &eph, hs->remote_static);
	if (ret)
		goto out;
	/* psk */
	ret = mix_psk(&s, hs->preshared_key);
	if (ret)
		goto out;
	/* {} */
	ret = seal_hash(&s, msg->encrypted_nothing, NULL, 0);
	if (ret)
		goto out;

	/* commit, after checking nothing consumed a newer initiation meanwhile */
	if (hs->state != WG_HS_CONSUMED_INITIATION ||
	    !wg_ct_equal(hs->remote_ephemeral, remote_eph, WG_KEY_LEN)) {
		ret = -EINVAL;
		goto out;
	}
	ret = dev->ops->index_register(dev->ctx, hs, &idx);
	if (ret)
		goto out;
	msg->sender_index = htole32(idx);
	hs->local_index = idx;
	memcpy(hs->hash, s.h, WG_HASH_LEN);
	memcpy(hs->chaining_key, s.ck, WG_HASH_LEN);
	hs->state = WG_HS_CREATED_RESPONSE;
out:
	if (ret)
		memset(msg, 0, sizeof(*msg));
	wg_x25519_key_clear(&eph); /* the responder's ephemeral is done */
	sym_wipe(&s);
	return ret;
}

int wg_noise_consume_response(struct wg_noise_device *dev,
			      const struct wg_message_handshake_response *msg,
			      struct wg_noise_handshake **out)
{
	struct wg_noise_handshake *hs;
	uint8_t empty[1];
	void *eph;
	struct sym s;
	int ret;

	*out = NULL;
	memset(&s, 0, sizeof(s));
	if (le32toh(msg->header.type) != WG_MSG_HANDSHAKE_RESPONSE)
		return -EINVAL;
	if (!dev->has_identity)
		return -ENOKEY;
	hs = dev->ops->lookup_handshake_by_index(dev->ctx, le32toh(msg->receiver_index));
	if (!hs)
		return -ENOENT;
	if (hs->state != WG_HS_CREATED_INITIATION || hs->local_index != le32toh(msg->receiver_index))
		return -EINVAL;
	memcpy(s.ck, hs->chaining_key, WG_HASH_LEN);
	memcpy(s.h, hs->hash, WG_HASH_LEN);
	eph = hs->ephemeral_key.pkey;

	/* e */
	ret = mix_ephemeral(&s, msg->unencrypted_ephemeral);
	if (ret)
		goto out;
	/* ee */
	ret = mix_dh(&s, &hs->ephemeral_key, msg->unencrypted_ephemeral);
	if (ret)
		goto out;
	/* se */
	ret = mix_dh(&s, &dev->static_key, msg->unencrypted_ephemeral);
	if (ret)
		goto out;
	/* psk */
	ret = mix_psk(&s, hs->preshared_key);
	if (ret)
		goto out;
	/* {} */
	ret = open_hash(&s, empty, msg->encrypted_nothing, sizeof(msg->encrypted_nothing));
	if (ret)
		goto out;

	/* commit, after checking the initiation we answer is still the one in
	 * flight (same state, index and ephemeral) */
	if (hs->state != WG_HS_CREATED_INITIATION ||
	    hs->local_index != le32toh(msg->receiver_index) ||
	    hs->ephemeral_key.pkey != eph) {
		ret = -EINVAL;
		goto out;
	}
	memcpy(hs->remote_ephemeral, msg->unencrypted_ephemeral, WG_KEY_LEN);
	memcpy(hs->hash, s.h, WG_HASH_LEN);
	memcpy(hs->chaining_key, s.ck, WG_HASH_LEN);
	hs->remote_index = le32toh(msg->sender_index);
	hs->state = WG_HS_CONSUMED_RESPONSE;
	*out = hs;
out:
	sym_wipe(&s);
	return ret;
}

/* ---- sessions --------------------------------------------------------------------- */

static void keypair_release(struct wg_noise_device *dev, struct wg_keypair *kp)
{
	if (!kp)
		return;
	dev->ops->index_unregister(dev->ctx, kp->local_index);
	wg_keypair_put(kp);
}

int wg_noise_begin_session(struct wg_noise_handshake *hs, struct wg_keypairs *kps,
			   uint64_t now_ns, struct wg_keypair **kp_out)
{
	struct wg_noise_device *dev = hs->dev;
	uint8_t t1[WG_KEY_LEN], t2[WG_KEY_LEN];
	struct wg_keypair *kp = NULL;
	bool initiator;
	int ret;

	if (kp_out)
		*kp_out = NULL;
	if (hs->state == WG_HS_CONSUMED_RESPONSE)
		initiator = true;
	else if (hs->state == WG_HS_CREATED_RESPONSE)
		initiator = false;
	else
		return -EINVAL;
	/* (T_send_i = T_recv_r, T_recv_i = T_send_r) = Kdf2(ck, empty) */
	ret = wg_kdf(t1, t2, NULL, hs->chaining_key, NULL, 0);
	if (ret)
		goto out;
	kp = initiator ? wg_keypair_new(t1, t2, true, hs->local_index, hs->remote_index, now_ns, hs->peer)
		       : wg_keypair_new(t2, t1, false, hs->local_index, hs->remote_index, now_ns, hs->peer);
	if (!kp) {
		ret = -ENOMEM;
		goto out;
	}
	/* the handshake's index now names the keypair; the handshake is done */
	dev->ops->index_to_keypair(dev->ctx, hs->local_index, kp);
	hs->state = WG_HS_ZEROED; /* index handed over: do not unregister it */
	handshake_zero(hs);

	if (initiator) {
		if (kps->next) {
			/* an unconfirmed responder session is newer than
			 * current: keep it as previous, drop current */
			keypair_release(dev, kps->previous);
			keypair_release(dev, kps->current);
			kps->previous = kps->next;
			kps->next = NULL;
		} else {
			keypair_release(dev, kps->previous);
			kps->previous = kps->current;
		}
		kps->current = kp;
	} else {
		keypair_release(dev, kps->next);
		kps->next = kp;
	}
	if (kp_out)
		*kp_out = kp;
out:
	wg_wipe(t1, sizeof(t1));
	wg_wipe(t2, sizeof(t2));
	return ret;
}

bool wg_keypairs_received_with(struct wg_noise_device *dev, struct wg_keypairs *kps,
			       struct wg_keypair *kp)
{
	if (!kp || kp != kps->next)
		return false;
	keypair_release(dev, kps->previous);
	kps->previous = kps->current;
	kps->current = kps->next;
	kps->next = NULL;
	return true;
}

void wg_keypairs_clear(struct wg_noise_device *dev, struct wg_keypairs *kps)
{
	keypair_release(dev, kps->previous);
	keypair_release(dev, kps->current);
	keypair_release(dev, kps->next);
	kps->previous = kps->current = kps->next = NULL;
}

struct wg_keypair *wg_keypairs_current(struct wg_keypairs *kps, uint64_t now_ns)
{
	struct wg_keypair *kp = kps->current;

	if (!kp || !kp->sending_valid || !wg_keypair_usable(kp, now_ns))
		return NULL;
	return wg_keypair_get(kp);
}
