/* SPDX-License-Identifier: MIT */
/* MAC1/MAC2 and cookie replies. See cookie.h. */
#include "wire/cookie.h"

#include <errno.h>
#include <string.h>

#include <openssl/rand.h>

#include "wire/crypto.h"

#define NS_PER_S 1000000000ULL

static int derive_key(uint8_t out[WG_KEY_LEN], const char label[8], const uint8_t pub[WG_KEY_LEN])
{
	return wg_hash2(out, label, 8, pub, WG_KEY_LEN);
}

/* Offsets of mac1/mac2 for a handshake message, or -EINVAL. */
static int mac_offsets(const uint8_t *msg, size_t len, size_t *mac1_off)
{
	enum wg_message_type t = wg_message_classify(msg, len);

	if (t != WG_MSG_HANDSHAKE_INITIATION && t != WG_MSG_HANDSHAKE_RESPONSE)
		return -EINVAL;
	*mac1_off = len - sizeof(struct wg_message_macs);
	return 0;
}

/* ---- checker (our side as responder) ------------------------------------------ */

void wg_cookie_checker_init(struct wg_cookie_checker *c, const uint8_t our_public[WG_KEY_LEN])
{
	c->has_keys = false;
	wg_wipe(c->mac1_key, WG_KEY_LEN);
	wg_wipe(c->cookie_key, WG_KEY_LEN);
	if (!our_public)
		return;
	if (derive_key(c->mac1_key, WG_LABEL_MAC1, our_public) ||
	    derive_key(c->cookie_key, WG_LABEL_COOKIE, our_public))
		return;
	c->has_keys = true;
}

void wg_cookie_checker_clear(struct wg_cookie_checker *c)
{
	wg_wipe(c, sizeof(*c));
}

/* The current cookie for addr/port, rotating the secret every 120 s. */
static int make_cookie(struct wg_cookie_checker *c, uint8_t cookie[WG_COOKIE_LEN],
		       const uint8_t *addr, size_t addr_len, uint16_t port, uint64_t now_ns)
{
	uint8_t in[16 + 2];
	int ret;

	if (addr_len != 4 && addr_len != 16)
		return -EINVAL;
	if (!c->secret_valid || now_ns < c->secret_birth_ns ||
	    now_ns - c->secret_birth_ns >= WG_COOKIE_REFRESH_TIME * NS_PER_S) {
		if (RAND_bytes(c->secret, sizeof(c->secret)) != 1) {
			c->secret_valid = false;
			return -EIO;
		}
		c->secret_birth_ns = now_ns;
		c->secret_valid = true;
	}
	memcpy(in, addr, addr_len);
	in[addr_len] = (uint8_t)(port >> 8);
	in[addr_len + 1] = (uint8_t)port;
	ret = wg_mac(cookie, c->secret, in, addr_len + 2);
	wg_wipe(in, sizeof(in));
	return ret;
}

enum wg_cookie_mac_state wg_cookie_validate(struct wg_cookie_checker *c,
					    const uint8_t *msg, size_t len,
					    const uint8_t *addr, size_t addr_len,
					    uint16_t port, uint64_t now_ns)
{
	enum wg_cookie_mac_state st = WG_COOKIE_MAC_INVALID;
	uint8_t mac[WG_MAC_LEN], cookie[WG_COOKIE_LEN];
	size_t off;

	if (!c->has_keys || mac_offsets(msg, len, &off))
		return WG_COOKIE_MAC_INVALID;
	if (wg_mac(mac, c->mac1_key, msg, off) || !wg_ct_equal(mac, msg + off, WG_MAC_LEN))
		goto out;
	st = WG_COOKIE_MAC_VALID_MAC1;
	if (make_cookie(c, cookie, addr, addr_len, port, now_ns) ||
	    wg_blake2s_keyed(mac, WG_MAC_LEN, cookie, WG_COOKIE_LEN, msg, off + WG_MAC_LEN))
		goto out;
	if (wg_ct_equal(mac, msg + off + WG_MAC_LEN, WG_MAC_LEN))
		st = WG_COOKIE_MAC_VALID_MAC2;
out:
	wg_wipe(mac, sizeof(mac));
	wg_wipe(cookie, sizeof(cookie));
	return st;
}

int wg_cookie_create_reply(struct wg_cookie_checker *c,
			   struct wg_message_handshake_cookie *reply,
			   const uint8_t *msg, size_t len,
			   const uint8_t *addr, size_t addr_len, uint16_t port,
			   uint64_t now_ns)
{
	uint8_t cookie[WG_COOKIE_LEN];
	uint32_t type = htole32(WG_MSG_HANDSHAKE_COOKIE);
	size_t off;
	int ret;

	memset(reply, 0, sizeof(*reply));
	if (!c->has_keys || mac_offsets(msg, len, &off))
		return -EINVAL;
	ret = make_cookie(c, cookie, addr, addr_len, port, now_ns);
	if (ret)
		goto out;
	memcpy(&reply->header.type, &type, 4);
	/* the sender index of an initiation or response is at offset 4 */
	memcpy(&reply->receiver_index, msg + 4, 4);
	if (RAND_bytes(reply->nonce, sizeof(reply->nonce)) != 1) {
		ret = -EIO;
		goto out;
	}
	/* encrypted with the mac1 of the message as associated data, so only
	 * its sender can use it */
	ret = wg_xaead_encrypt(reply->encrypted_cookie, cookie, WG_COOKIE_LEN, msg + off,
			       WG_MAC_LEN, reply->nonce, c->cookie_key);
out:
	if (ret)
		memset(reply, 0, sizeof(*reply));
	wg_wipe(cookie, sizeof(cookie));
	return ret;
}

/* ---- maker (our side as initiator, per peer) ----------------------------------- */

void wg_cookie_maker_init(struct wg_cookie_maker *m, const uint8_t peer_public[WG_KEY_LEN])
{
	wg_wipe(m, sizeof(*m));
	if (derive_key(m->mac1_key, WG_LABEL_MAC1, peer_public) ||
	    derive_key(m->cookie_key, WG_LABEL_COOKIE, peer_public))
		wg_wipe(m, sizeof(*m));
}

void wg_cookie_maker_clear(struct wg_cookie_maker *m)
{
	wg_wipe(m, sizeof(*m));
}

int wg_cookie_add_macs(struct wg_cookie_maker *m, uint8_t *msg, size_t len, uint64_t now_ns)
{
	size_t off;
	int ret;

	if (mac_offsets(msg, len, &off))
		return -EINVAL;
	ret = wg_mac(msg + off, m->mac1_key, msg, off);
	if (ret)
		return ret;
	memcpy(m->last_mac1, msg + off, WG_MAC_LEN);
	m->have_last_mac1 = true;
	if (m->have_cookie && now_ns >= m->cookie_birth_ns &&
	    now_ns - m->cookie_birth_ns < (WG_COOKIE_REFRESH_TIME - WG_COOKIE_LATENCY_S) * NS_PER_S)
		return wg_blake2s_keyed(msg + off + WG_MAC_LEN, WG_MAC_LEN, m->cookie,
					WG_COOKIE_LEN, msg, off + WG_MAC_LEN);
	memset(msg + off + WG_MAC_LEN, 0, WG_MAC_LEN);
	return 0;
}

int wg_cookie_consume_reply(struct wg_cookie_maker *m,
			    const struct wg_message_handshake_cookie *reply,
			    uint64_t now_ns)
{
	uint8_t cookie[WG_COOKIE_LEN];
	int ret;

	if (le32toh(reply->header.type) != WG_MSG_HANDSHAKE_COOKIE)
		return -EINVAL;
	if (!m->have_last_mac1)
		return -ENOENT;
	ret = wg_xaead_decrypt(cookie, reply->encrypted_cookie, sizeof(reply->encrypted_cookie),
			       m->last_mac1, WG_MAC_LEN, reply->nonce, m->cookie_key);
	if (ret) {
		ret = -EBADMSG;
		goto out;
	}
	memcpy(m->cookie, cookie, WG_COOKIE_LEN);
	m->cookie_birth_ns = now_ns;
	m->have_cookie = true;
	m->have_last_mac1 = false; /* one reply per message sent */
out:
	wg_wipe(cookie, sizeof(cookie));
	return ret;
}
