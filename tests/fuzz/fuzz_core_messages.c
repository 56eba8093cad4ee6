// SPDX-License-Identifier: MIT
/*
 * libFuzzer harness: every message consumer of the protocol core with a
 * fixed identity. The first input byte picks the path, the rest is the
 * datagram:
 *   0  receive path as the daemon runs it: classify, MAC check, consume
 *   1  the same, but the harness writes a correct mac1 first, so the Noise
 *      consumers (not just the MAC check) see the hostile bytes
 *   2  transport decrypt on a live keypair (index 1)
 *   3  cookie reply consume (after a message was sent)
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "wire/cookie.h"
#include "wire/noise.h"
#include "wire/transport.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct wg_noise_device dev;
static struct wg_noise_handshake hs;
static struct wg_keypairs kps;
static struct wg_cookie_checker checker;
static struct wg_cookie_maker maker, self_maker;
static struct wg_keypair *kp;
static uint8_t peer_pub[32];
static int hs_registered;

static struct wg_noise_handshake *lookup_static(void *ctx, const uint8_t pub[32])
{
	return memcmp(pub, peer_pub, 32) ? NULL : &hs;
}

static struct wg_noise_handshake *lookup_index(void *ctx, uint32_t idx)
{
	return idx == 1 && hs_registered ? &hs : NULL;
}

static int reg(void *ctx, struct wg_noise_handshake *h, uint32_t *idx)
{
	*idx = 1;
	hs_registered = 1;
	return 0;
}

static void to_kp(void *ctx, uint32_t idx, struct wg_keypair *k)
{
	hs_registered = 0;
}

static void unreg(void *ctx, uint32_t idx)
{
	hs_registered = 0;
}

static const struct wg_noise_ops ops = { lookup_static, lookup_index, reg, to_kp, unreg };

static void setup(void)
{
	uint8_t priv[32], ppriv[32], k1[32], k2[32];
	struct wg_message_handshake_initiation init;

	memset(priv, 0x11, 32);
	memset(ppriv, 0x22, 32);
	wg_x25519_clamp(ppriv);
	wg_x25519_public(peer_pub, ppriv);
	wg_noise_device_init(&dev, &ops, NULL);
	wg_noise_device_set_private(&dev, priv);
	wg_noise_handshake_init(&hs, &dev, peer_pub, NULL, NULL);
	wg_cookie_checker_init(&checker, dev.static_public);
	wg_cookie_maker_init(&maker, peer_pub);
	wg_cookie_maker_init(&self_maker, dev.static_public);
	memset(k1, 1, 32);
	memset(k2, 2, 32);
	kp = wg_keypair_new(k1, k2, false, 1, 2, 0, NULL);
	/* a message "sent", so cookie replies have something to refer to */
	wg_noise_create_initiation(&hs, &init, 1700000000, 0);
	wg_cookie_add_macs(&maker, (uint8_t *)&init, sizeof(init), 0);
}

static void receive(uint8_t *buf, size_t len, int fix_mac1)
{
	static const uint8_t addr[4] = { 192, 0, 2, 1 };
	struct wg_noise_handshake *out;
	enum wg_message_type t = wg_message_classify(buf, len);

	if (fix_mac1 && (t == WG_MSG_HANDSHAKE_INITIATION || t == WG_MSG_HANDSHAKE_RESPONSE))
		wg_cookie_add_macs(&self_maker, buf, len, 0);
	switch (t) {
	case WG_MSG_HANDSHAKE_INITIATION:
		if (wg_cookie_validate(&checker, buf, len, addr, 4, 51820, 0) == WG_COOKIE_MAC_INVALID)
			return;
		if (!wg_noise_consume_initiation(&dev, (const void *)buf, 0, &out)) {
			struct wg_message_handshake_response r;

			if (!wg_noise_create_response(out, &r))
				wg_noise_begin_session(out, &kps, 0, NULL);
			wg_keypairs_clear(&dev, &kps);
		}
		break;
	case WG_MSG_HANDSHAKE_RESPONSE:
		if (wg_cookie_validate(&checker, buf, len, addr, 4, 51820, 0) == WG_COOKIE_MAC_INVALID)
			return;
		(void)wg_noise_consume_response(&dev, (const void *)buf, &out);
		break;
	case WG_MSG_HANDSHAKE_COOKIE:
		(void)wg_cookie_consume_reply(&maker, (const void *)buf, 0);
		break;
	case WG_MSG_DATA: {
		size_t pl;
		uint32_t idx;

		if (!wg_transport_peek_index(buf, len, &idx) && idx == kp->local_index)
			(void)wg_transport_decrypt(kp, buf, len, 0, &pl, NULL);
		break;
	}
	default:
		break;
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static int ready;
	uint8_t *buf;
	size_t len;

	if (!ready) {
		setup();
		ready = 1;
	}
	if (size < 1 || size > 4096)
		return 0;
	len = size - 1;
	buf = malloc(len ? len : 1);
	if (!buf)
		return 0;
	memcpy(buf, data + 1, len);
	switch (data[0] & 3) {
	case 0:
		receive(buf, len, 0);
		break;
	case 1:
		receive(buf, len, 1);
		break;
	case 2: {
		size_t pl;

		(void)wg_transport_decrypt(kp, buf, len, 0, &pl, NULL);
		break;
	}
	case 3:
		if (len == sizeof(struct wg_message_handshake_cookie))
			(void)wg_cookie_consume_reply(&maker, (const void *)buf, 0);
		break;
	}
	free(buf);
	return 0;
}
