// SPDX-License-Identifier: MIT
/*
 * UAPI get and set against the device, on top of uapi/uapi.h's parser
 * and serializer. A set arrives as a complete, validated transaction; the
 * only step that can fail for an outside reason (binding the port) runs
 * first, so a failed set changes nothing.
 */
#include "daemon/device.h"
#include "daemon/log.h"

#include <arpa/inet.h>
#include <errno.h>
#include <net/if.h>
#include <openssl/crypto.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/util.h"

static bool all_zero(const uint8_t *k, size_t n)
{
	uint8_t acc = 0;

	for (size_t i = 0; i < n; i++)
		acc |= k[i];
	return !acc;
}

/* ---- get ---- */

static void endpoint_to_uapi(const struct wgd_endpoint *ep, struct wg_uapi_endpoint *u)
{
	memset(u, 0, sizeof(*u));
	if (ep->addr.sa.sa_family == AF_INET) {
		u->family = AF_INET;
		memcpy(u->addr, &ep->addr.in4.sin_addr, 4);
		u->port = ntohs(ep->addr.in4.sin_port);
	} else if (ep->addr.sa.sa_family == AF_INET6) {
		u->family = AF_INET6;
		memcpy(u->addr, &ep->addr.in6.sin6_addr, 16);
		u->port = ntohs(ep->addr.in6.sin6_port);
		if (ep->addr.in6.sin6_scope_id) {
			char name[IF_NAMESIZE];

			if (if_indextoname(ep->addr.in6.sin6_scope_id, name))
				snprintf(u->zone, sizeof(u->zone), "%s", name);
			else
				snprintf(u->zone, sizeof(u->zone), "%u", ep->addr.in6.sin6_scope_id);
		}
	}
}

/* Copies a peer's prefixes into the snapshot's one array, in order. */
static int snap_aip(void *arg, int family, const uint8_t *addr, uint8_t cidr, void *peer)
{
	struct wg_uapi_allowed_ip **next = arg, *a = (*next)++;

	(void)peer;
	a->family = family;
	memcpy(a->addr, addr, 16);
	a->cidr = cidr;
	return 0;
}

/* Linear in peers + allowed IPs: one array of peer snapshots, one of all
 * prefixes, one of peer pointers for the pmtu extras. */
void wgd_conf_get(void *ctx, struct wg_uapi_out *out)
{
	struct wgd_device *dev = ctx;
	struct wg_uapi_dev_info info;
	struct wg_uapi_peer_info *pi = NULL;
	struct wg_uapi_allowed_ip *aips = NULL, *next;
	struct wgd_peer **order = NULL;
	struct wgd_pmtu_get_ctx gctx;
	size_t i = 0, n = dev->n_peers ? dev->n_peers : 1;
	size_t n_aips = wg_allowedips_count(dev->aips);
	int r = 0;

	memset(&info, 0, sizeof(info));
	pi = calloc(n, sizeof(*pi));
	order = calloc(n, sizeof(*order));
	aips = calloc(n_aips ? n_aips : 1, sizeof(*aips));
	if (!pi || !order || !aips) {
		r = -ENOMEM;
		goto out;
	}
	info.has_private_key = dev->noise.has_identity;
	memcpy(info.private_key, dev->noise.static_private, WG_KEY_LEN);
	info.listen_port = dev->udp.port;
	info.fwmark = dev->fwmark;
	next = aips;
	for (struct wgd_peer *p = dev->peers; p; p = p->next, i++) {
		order[i] = p;
		memcpy(pi[i].public_key, p->public_key, WG_KEY_LEN);
		memcpy(pi[i].preshared_key, p->preshared_key, WG_KEY_LEN);
		endpoint_to_uapi(&p->ep, &pi[i].endpoint);
		pi[i].last_handshake_sec = p->last_handshake.tv_sec;
		pi[i].last_handshake_nsec = p->last_handshake.tv_nsec;
		pi[i].rx_bytes = p->rx_bytes;
		pi[i].tx_bytes = p->tx_bytes;
		pi[i].persistent_keepalive = p->persistent_keepalive;
		pi[i].allowed_ips = next;
		pi[i].n_allowed_ips = wg_allowedips_owner_count(&p->aips);
		wg_allowedips_owner_walk(&p->aips, snap_aip, &next);
	}
	info.dev_extra = wgd_pmtu_get_dev;
	info.peer_extra = wgd_pmtu_get_peer;
	gctx.dev = dev;
	gctx.peers = order;
	gctx.n_peers = dev->n_peers;
	info.peer_extra_ctx = &gctx;
	info.peers = pi;
	info.n_peers = dev->n_peers;
	r = wg_uapi_get_serialize(&info, out);
out:
	if (r < 0) {
		/* nothing useful is in out: answer the error alone */
		wg_uapi_out_free(out);
		wg_uapi_out_init(out);
		wg_uapi_write_errno(out, r);
	}
	OPENSSL_cleanse(&info, sizeof(info));
	if (pi)
		OPENSSL_cleanse(pi, n * sizeof(*pi));
	free(pi);
	free(aips);
	free(order);
}

/* ---- set ---- */

static int endpoint_from_uapi(const struct wg_uapi_endpoint *u, struct wgd_endpoint *ep)
{
	memset(ep, 0, sizeof(*ep));
	if (u->family == AF_INET) {
		ep->addr.in4.sin_family = AF_INET;
		memcpy(&ep->addr.in4.sin_addr, u->addr, 4);
		ep->addr.in4.sin_port = htons(u->port);
		return 0;
	}
	if (u->family != AF_INET6)
		return -EINVAL;
	if (IN6_IS_ADDR_V4MAPPED((const struct in6_addr *)u->addr)) {
		/* our IPv6 socket is v6-only: ::ffff:a.b.c.d goes out as IPv4 */
		ep->addr.in4.sin_family = AF_INET;
		memcpy(&ep->addr.in4.sin_addr, u->addr + 12, 4);
		ep->addr.in4.sin_port = htons(u->port);
		return 0;
	}
	ep->addr.in6.sin6_family = AF_INET6;
	memcpy(&ep->addr.in6.sin6_addr, u->addr, 16);
	ep->addr.in6.sin6_port = htons(u->port);
	if (u->zone[0]) {
		unsigned long idx;

		if (parse_ulong(u->zone, 1, UINT32_MAX, &idx) == 0)
			ep->addr.in6.sin6_scope_id = (uint32_t)idx;
		else if (!(ep->addr.in6.sin6_scope_id = if_nametoindex(u->zone)))
			return -EINVAL;
	}
	return 0;
}

static int set_private_key(struct wgd_device *dev, const uint8_t key[WG_KEY_LEN])
{
	bool clear = all_zero(key, WG_KEY_LEN);
	struct wgd_peer *p, *next;
	int r;

	if (dev->noise.has_identity && !clear &&
	    !CRYPTO_memcmp(dev->noise.static_private, key, WG_KEY_LEN))
		return 0; /* unchanged: keep sessions */
	if (!dev->noise.has_identity && clear)
		return 0;
	r = wg_noise_device_set_private(&dev->noise, clear ? NULL : key);
	if (r < 0)
		return r;
	wg_cookie_checker_init(&dev->cookie, dev->noise.has_identity ? dev->noise.static_public : NULL);
	for (p = dev->peers; p; p = next) {
		next = p->next;
		/* a peer with our own public key cannot be talked to */
		if (dev->noise.has_identity &&
		    !memcmp(p->public_key, dev->noise.static_public, WG_KEY_LEN)) {
			wgd_peer_remove(dev, p);
			continue;
		}
		wg_keypairs_clear(&dev->noise, &p->kps);
		wg_noise_handshake_set_static(&p->hs);
	}
	return 0;
}

static int apply_peer(struct wgd_device *dev, const struct wg_uapi_txn *txn,
		      const struct wg_uapi_peer_op *op)
{
	struct wgd_peer *peer;
	int r;

	if (dev->noise.has_identity &&
	    !memcmp(op->public_key, dev->noise.static_public, WG_KEY_LEN))
		return 0; /* wireguard-go ignores a peer that is us */
	peer = wgd_peer_find(dev, op->public_key);
	if (op->remove) {
		if (peer) {
			log_info("peer removed");
			wgd_peer_remove(dev, peer);
		}
		return 0;
	}
	if (!peer) {
		if (op->update_only)
			return 0;
		peer = wgd_peer_new(dev, op->public_key);
		if (!peer)
			return -ENOMEM;
		log_info("peer created");
	}
	if (op->has_preshared_key) {
		memcpy(peer->preshared_key, op->preshared_key, WG_KEY_LEN);
		wg_noise_handshake_set_psk(&peer->hs, all_zero(op->preshared_key, WG_KEY_LEN) ?
					   NULL : op->preshared_key);
	}
	if (op->has_endpoint) {
		struct wgd_endpoint ep;

		r = endpoint_from_uapi(&op->endpoint, &ep);
		if (r < 0)
			return r;
		/* a new endpoint is a new path: search again */
		if (wgd_peer_set_endpoint(peer, &ep))
			wgd_pmtu_endpoint_changed(peer);
	}
	if (op->replace_allowed_ips)
		wg_allowedips_remove_owner(dev->aips, &peer->aips);
	for (size_t i = 0; i < op->allowed_ips_count; i++) {
		const struct wg_uapi_allowed_ip *a = &txn->allowed_ips[op->allowed_ips_first + i];

		r = wg_allowedips_insert(dev->aips, a->family, a->addr, a->cidr, &peer->aips);
		if (r < 0)
			return r;
	}
	r = wgd_pmtu_conf_peer(peer, op);
	if (r < 0)
		return r;
	if (op->has_persistent_keepalive) {
		peer->persistent_keepalive = op->persistent_keepalive;
		wgd_peer_actions(peer, wg_timers_set_persistent_keepalive(&peer->timers, dev->now,
									 op->persistent_keepalive));
	}
	return 0;
}

int wgd_conf_set(void *ctx, struct wg_uapi_txn *txn)
{
	struct wgd_device *dev = ctx;
	int r;

	dev->now = now_ns();
	/* fallible outside our control: first, so failing changes nothing */
	if (txn->has_listen_port && (txn->listen_port != dev->listen_port ||
				     (txn->listen_port && txn->listen_port != dev->udp.port))) {
		r = wgd_device_bind(dev, txn->listen_port);
		if (r < 0) {
			log_err("cannot listen on UDP port %u: %s", txn->listen_port, strerror(-r));
			return -EADDRINUSE;
		}
	}
	if (txn->has_fwmark && txn->fwmark != dev->fwmark) {
		r = wgd_udp_set_fwmark(&dev->udp, txn->fwmark);
		if (r < 0) {
			log_err("cannot set fwmark %u: %s", txn->fwmark, strerror(-r));
			return -EADDRINUSE;
		}
		dev->fwmark = txn->fwmark;
	}
	if (txn->has_private_key) {
		r = set_private_key(dev, txn->private_key);
		if (r < 0)
			return r;
	}
	wgd_pmtu_conf_dev(dev, txn);
	if (txn->replace_peers)
		while (dev->peers)
			wgd_peer_remove(dev, dev->peers);
	for (size_t i = 0; i < txn->n_peers; i++) {
		r = apply_peer(dev, txn, &txn->peers[i]);
		if (r < 0) {
			log_err("UAPI set: peer %zu: %s (earlier changes stay applied)", i, strerror(-r));
			return r;
		}
	}
	return 0;
}
