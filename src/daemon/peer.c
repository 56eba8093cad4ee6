// SPDX-License-Identifier: MIT
/* Peers of the device: create, find, remove, endpoint, timer actions. */
#include "daemon/device.h"

#include "daemon/log.h"

#include <openssl/crypto.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

/* ---- peers ---- */

struct wgd_peer *wgd_peer_find(struct wgd_device *dev, const uint8_t pub[WG_KEY_LEN])
{
	struct wg_keyhash_entry *e = wg_keyhash_find(&dev->peer_hash, pub);

	return e ? (struct wgd_peer *)((char *)e - offsetof(struct wgd_peer, by_key)) : NULL;
}

struct wgd_peer *wgd_peer_alloc(struct wgd_device *dev, const uint8_t pub[WG_KEY_LEN])
{
	return wgd_peer_alloc_for(dev, &dev->noise, pub);
}

struct wgd_peer *wgd_peer_alloc_for(struct wgd_device *dev, struct wg_noise_device *nd,
				    const uint8_t pub[WG_KEY_LEN])
{
	struct wgd_peer *p = calloc(1, sizeof(*p));

	if (!p)
		return NULL;
	p->dev = dev;
	memcpy(p->public_key, pub, WG_KEY_LEN);
	if (wg_noise_handshake_init(&p->hs, nd, pub, NULL, p) < 0 && nd->has_identity)
		log_peer_info(p, "key is unusable (low-order point): no handshake possible");
	wg_cookie_maker_init(&p->cookie, pub);
	wg_timers_init(&p->timers, &dev->timer_consts);
	wgd_pmtu_peer_init(p);
	wg_allowedips_owner_init(&p->aips, p);
	p->deadline = UINT64_MAX;
	return p;
}

void wgd_peer_link(struct wgd_device *dev, struct wgd_peer *p)
{
	/* append: `wg show` lists peers in the order they were added */
	p->next = NULL;
	p->prev = dev->peers_tail;
	if (dev->peers_tail)
		dev->peers_tail->next = p;
	else
		dev->peers = p;
	dev->peers_tail = p;
	wg_keyhash_add(&dev->peer_hash, &p->by_key, p->public_key);
	dev->n_peers++;
}

struct wgd_peer *wgd_peer_new(struct wgd_device *dev, const uint8_t pub[WG_KEY_LEN])
{
	struct wgd_peer *p = wgd_peer_alloc(dev, pub);

	if (p)
		wgd_peer_link(dev, p);
	return p;
}

void wgd_peer_free(struct wgd_peer *peer)
{
	wg_keypairs_clear(&peer->dev->noise, &peer->kps);
	wg_noise_handshake_destroy(&peer->hs);
	wg_cookie_maker_clear(&peer->cookie);
	free(peer->staged); /* empty: purged when the peer was removed */
	OPENSSL_cleanse(peer->preshared_key, sizeof(peer->preshared_key));
	OPENSSL_cleanse(peer, sizeof(*peer));
	free(peer);
}

void wgd_peer_zero_keys(struct wgd_peer *peer)
{
	wg_keypairs_clear(&peer->dev->noise, &peer->kps);
	wg_noise_handshake_clear(&peer->hs);
}

void wgd_peer_remove(struct wgd_device *dev, struct wgd_peer *peer)
{
	if (peer->prev)
		peer->prev->next = peer->next;
	else
		dev->peers = peer->next;
	if (peer->next)
		peer->next->prev = peer->prev;
	else
		dev->peers_tail = peer->prev;
	wg_keyhash_del(&dev->peer_hash, &peer->by_key);
	dev->n_peers--;
	/* packets of this peer already in the tx batch go out first */
	wgd_send_flush(dev);
	wg_timers_stop(&peer->timers);
	wgd_send_staged_purge(peer, WGD_DROP_STAGED_EXPIRED);
	wg_allowedips_remove_owner(dev->aips, &peer->aips);
	wgd_pmtu_peer_removed(peer);
	wgd_peer_free(peer);
}

bool wgd_peer_set_endpoint(struct wgd_peer *peer, const struct wgd_endpoint *ep)
{
	char a[80], b[80];
	bool moved;

	if (wgd_udp_endpoint_eq(&peer->ep, ep))
		return false;
	moved = !wgd_udp_endpoint_addr_eq(&peer->ep.addr, &ep->addr);
	if (moved && peer->ep.addr.sa.sa_family)
		log_peer_info(peer, "endpoint %s -> %s", wgd_udp_endpoint_str(&peer->ep.addr, a, sizeof(a)),
			 wgd_udp_endpoint_str(&ep->addr, b, sizeof(b)));
	peer->ep = *ep;
	return moved;
}

void wgd_peer_actions(struct wgd_peer *peer, uint32_t actions)
{
	if (actions & WG_TIMERS_CLEAR_SRC)
		peer->ep.has_src = false;
	if (actions & WG_TIMERS_GAVE_UP)
		log_peer_info(peer, "handshake did not complete after %u attempts, giving up",
			 peer->dev->timer_consts.max_timer_handshakes + 2);
	if (actions & WG_TIMERS_PURGE_STAGED)
		wgd_send_staged_purge(peer, WGD_DROP_STAGED_EXPIRED);
	if (actions & WG_TIMERS_ZERO_KEYS) {
		log_peer_info(peer, "no session for 3 x REJECT_AFTER_TIME: zeroing keys");
		wgd_peer_zero_keys(peer);
	}
	if (actions & WG_TIMERS_SEND_INITIATION)
		wgd_send_initiation(peer);
	if (actions & WG_TIMERS_SEND_KEEPALIVE)
		wgd_send_keepalive(peer);
	wgd_peer_rearm(peer);
}

void wgd_peer_rearm(struct wgd_peer *peer)
{
	peer->deadline = wg_timers_next_deadline(&peer->timers);
	if (peer->deadline < peer->dev->next_deadline)
		peer->dev->next_deadline = peer->deadline;
}

/* What the timer core needs to know of the peer's current keypair. */
void wgd_peer_keypair_info(struct wgd_peer *peer, struct wg_timers_keypair *ki)
{
	struct wg_keypair *kp = peer->kps.current;

	memset(ki, 0, sizeof(*ki));
	if (!kp)
		return;
	ki->valid = kp->sending_valid;
	ki->i_am_initiator = kp->i_am_initiator;
	ki->birthdate = kp->birth_ns;
	ki->send_counter = atomic_load(&kp->send_counter);
}
