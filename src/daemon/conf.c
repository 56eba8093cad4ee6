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
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

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

/* How often a long UAPI operation lets the data path run (get and set). */
#define PUMP_NS 1000000ull

/* A get's hook context: the pmtu extras' (first, it is what they are
 * handed) and when the data path last had a turn. */
struct get_ctx {
	struct wgd_pmtu_get_ctx pmtu;
	uint64_t last_pump;
};

/* Device-level extra keys: the path-MTU ones, then every drop counter as
 * wgmtu_drop_<reason>=N (reason with '_' for '-'; zeros included, so a
 * test can expect an exact count). */
static int get_dev_extra(void *ctx, struct wg_uapi_out *out)
{
	struct wgd_pmtu_get_ctx *g = &((struct get_ctx *)ctx)->pmtu;
	struct wgd_device *dev = g->dev;
	int r = wgd_pmtu_get_dev(g, out);

	if (r == 0)
		r = wg_uapi_out_kv_u64(out, "wgmtu_threads", dev->workers.n);
	if (r == 0)
		r = wg_uapi_out_kv_str(out, "wgmtu_threads_sharing",
				       dev->workers.n > 1 && dev->workers.shared ? "on" : "off");
	for (int i = 0; i < WGD_DROP_MAX && r == 0; i++) {
		char key[64];
		size_t k;

		k = (size_t)snprintf(key, sizeof(key), "wgmtu_drop_%s", wgd_drop_names[i]);
		for (size_t j = 0; j < k && j < sizeof(key); j++)
			if (key[j] == '-')
				key[j] = '_';
		r = wg_uapi_out_kv_u64(out, key, dev->drops[i]);
	}
	return r;
}

/* After each peer's lines: the pmtu extras, then, once a millisecond has
 * passed, a turn of the data path. Writing the reply of 100k peers takes
 * a few hundred milliseconds; the tunnel keeps flowing meanwhile. A get
 * changes nothing and the pump serves no UAPI client, so the peers the
 * snapshot points to stay as they are. */
static int get_peer_extra(void *ctx, size_t peer_index, struct wg_uapi_out *out)
{
	struct get_ctx *g = ctx;
	int r = wgd_pmtu_get_peer(&g->pmtu, peer_index, out);

	if (r == 0 && peer_index % 64 == 63 && now_ns() - g->last_pump >= PUMP_NS) {
		wgd_device_pump(g->pmtu.dev);
		g->last_pump = now_ns();
	}
	return r;
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
	struct get_ctx gctx;
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
	info.dev_extra = get_dev_extra;
	info.peer_extra = get_peer_extra;
	gctx.pmtu.dev = dev;
	gctx.pmtu.peers = order;
	gctx.pmtu.n_peers = dev->n_peers;
	gctx.last_pump = now_ns();
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

/*
 * A set runs in two phases.
 *
 * Prepare (may fail; nothing anyone can see changes): endpoints are
 * resolved, the identity the set installs is loaded aside, the ops are
 * simulated in order to know which of them create a peer, and those peers
 * are allocated with their static-static DH (the costly part: ~40 us each)
 * against the identity they will have; the trie nodes and hash buckets the
 * commit needs are set aside. Between allocations the data path runs
 * (wgd_device_pump) every millisecond, so a set of 100k peers does not
 * freeze the tunnel.
 *
 * Then the outside steps that can fail (fwmark, then the port; the fwmark
 * is put back if the port fails), and the commit, which cannot fail and
 * does not pump: the identity, replace_peers, and each op in order.
 */

struct key_sim {
	struct wg_keyhash_entry e;
	bool present; /* a peer with this key exists at this point of the set */
};

struct plan {
	struct wg_uapi_txn *txn;
	bool key_change;            /* the identity changes (new key or none) */
	struct wg_noise_device nd;  /* when key_change: the identity to install */
	struct wgd_endpoint *eps;   /* per op with has_endpoint */
	struct wgd_peer **fresh;    /* per op: the peer it creates, or NULL */
	size_t n_fresh;
	/* when key_change: the existing peers' static-static DH against the
	 * new identity, in list order (the commit only copies them) */
	struct rekey { struct wgd_peer *peer; uint8_t ss[WG_KEY_LEN]; bool valid; } *rekey;
	size_t n_rekey;
	uint64_t last_pump;
};

/* The identity after the set: does it change, and if so load it aside. */
static int plan_identity(struct wgd_device *dev, struct plan *pl)
{
	const struct wg_uapi_txn *txn = pl->txn;
	bool clear;

	wg_noise_device_init(&pl->nd, dev->noise.ops, dev->noise.ctx);
	if (!txn->has_private_key)
		return 0;
	clear = all_zero(txn->private_key, WG_KEY_LEN);
	if (dev->noise.has_identity && !clear &&
	    !CRYPTO_memcmp(dev->noise.static_private, txn->private_key, WG_KEY_LEN))
		return 0; /* unchanged: keep sessions */
	if (!dev->noise.has_identity && clear)
		return 0;
	pl->key_change = true;
	return clear ? 0 : wg_noise_device_set_private(&pl->nd, txn->private_key);
}

static const struct wg_noise_device *identity_after(struct wgd_device *dev, struct plan *pl)
{
	return pl->key_change ? &pl->nd : &dev->noise;
}

static bool is_self(const struct wg_noise_device *nd, const uint8_t key[WG_KEY_LEN])
{
	return nd->has_identity && !memcmp(key, nd->static_public, WG_KEY_LEN);
}

static void maybe_pump(struct wgd_device *dev, struct plan *pl)
{
	uint64_t t = now_ns();

	if (t - pl->last_pump < PUMP_NS)
		return;
	wgd_device_pump(dev);
	pl->last_pump = now_ns();
}

static void plan_free(struct wgd_device *dev, struct plan *pl)
{
	if (pl->fresh) {
		for (size_t i = 0; i < pl->txn->n_peers; i++)
			if (pl->fresh[i])
				wgd_peer_free(pl->fresh[i]);
		free(pl->fresh);
	}
	free(pl->eps);
	if (pl->rekey) {
		OPENSSL_cleanse(pl->rekey, pl->n_rekey * sizeof(*pl->rekey));
		free(pl->rekey);
	}
	wg_noise_device_clear(&pl->nd);
	wg_allowedips_release(dev->aips);
}

/* ---- the prepared DHs, on every core ---- */

struct dh_job {
	const uint8_t *pub;  /* a peer's public key */
	uint8_t *out;        /* its static-static DH with the identity */
	bool *valid;
};

struct dh_run {
	const uint8_t *priv; /* the identity's private key (clamped) */
	struct dh_job *jobs;
	size_t n;
	atomic_size_t next;  /* the first job nobody took yet */
	atomic_bool stop;
};

#define DH_CHUNK 32
#define DH_MAX_THREADS 4

/* Takes chunks of jobs until none is left; the loop's thread (dev set)
 * also pumps the data path between its chunks. */
static void dh_chunks(struct dh_run *run, struct wg_x25519_key *k, struct wgd_device *dev,
		      struct plan *pl)
{
	for (;;) {
		size_t i = atomic_fetch_add(&run->next, DH_CHUNK), end;

		if (i >= run->n || atomic_load(&run->stop))
			return;
		end = i + DH_CHUNK < run->n ? i + DH_CHUNK : run->n;
		for (; i < end; i++)
			*run->jobs[i].valid = wg_x25519_key_dh(k, run->jobs[i].out,
							       run->jobs[i].pub) == 0;
		if (dev) {
			maybe_pump(dev, pl);
			if (!dev->running)
				atomic_store(&run->stop, true);
		}
	}
}

/* A helper thread: its own copy of the private key's context (an OpenSSL
 * context is not shared between threads). */
static void *dh_worker(void *arg)
{
	struct dh_run *run = arg;
	struct wg_x25519_key k = { 0 };
	uint8_t pub[WG_KEY_LEN];

	if (wg_x25519_key_load(&k, run->priv, pub) == 0)
		dh_chunks(run, &k, NULL, NULL);
	wg_x25519_key_clear(&k);
	return NULL;
}

/* The X25519s of a large set (about 40 us each) on up to DH_MAX_THREADS
 * cores, the loop's thread pumping between its chunks. 0, or -EINTR when
 * the daemon began to stop meanwhile. */
static int run_dh(struct wgd_device *dev, struct plan *pl, struct wg_noise_device *nd,
		  struct dh_job *jobs, size_t n)
{
	struct dh_run run = { .priv = nd->static_private, .jobs = jobs, .n = n };
	long cpus = sysconf(_SC_NPROCESSORS_ONLN);
	pthread_t th[DH_MAX_THREADS];
	int nth = 0;

	atomic_init(&run.next, 0);
	atomic_init(&run.stop, false);
	if (n >= 4 * DH_CHUNK)
		while (nth < DH_MAX_THREADS - 1 && nth + 1 < cpus &&
		       pthread_create(&th[nth], NULL, dh_worker, &run) == 0)
			nth++;
	dh_chunks(&run, &nd->static_key, dev, pl);
	while (nth)
		pthread_join(th[--nth], NULL);
	return atomic_load(&run.stop) ? -EINTR : 0;
}

static int prepare(struct wgd_device *dev, struct plan *pl)
{
	struct wg_uapi_txn *txn = pl->txn;
	struct wg_noise_device *after, noid;
	struct wg_keyhash sim;
	struct key_sim *sims = NULL;
	struct dh_job *jobs;
	size_t n_sims = 0, n_jobs = 0;
	int r;

	r = plan_identity(dev, pl);
	if (r < 0)
		return r;
	after = (struct wg_noise_device *)identity_after(dev, pl);
	/* new peers are made without their DH, computed below on all cores */
	wg_noise_device_init(&noid, dev->noise.ops, dev->noise.ctx);
	pl->eps = calloc(txn->n_peers ? txn->n_peers : 1, sizeof(*pl->eps));
	pl->fresh = calloc(txn->n_peers ? txn->n_peers : 1, sizeof(*pl->fresh));
	sims = calloc(txn->n_peers ? txn->n_peers : 1, sizeof(*sims));
	if (!pl->eps || !pl->fresh || !sims) {
		free(sims);
		return -ENOMEM;
	}
	for (size_t i = 0; i < txn->n_peers; i++) {
		const struct wg_uapi_peer_op *op = &txn->peers[i];

		if (op->has_endpoint && !op->remove) {
			r = endpoint_from_uapi(&op->endpoint, &pl->eps[i]);
			if (r < 0) {
				wgd_log_peer(WGD_LOG_ERROR, op->public_key, "UAPI set: endpoint: %s",
					     strerror(-r));
				free(sims);
				return r;
			}
		}
	}
	r = wg_keyhash_init(&sim, NULL);
	if (r < 0) {
		free(sims);
		return r;
	}
	/* which ops create a peer, as the commit will see them */
	for (size_t i = 0; i < txn->n_peers && r == 0; i++) {
		const struct wg_uapi_peer_op *op = &txn->peers[i];
		struct wg_keyhash_entry *e;
		struct key_sim *ks;

		if (is_self(after, op->public_key))
			continue;
		e = wg_keyhash_find(&sim, op->public_key);
		if (e) {
			ks = (struct key_sim *)((char *)e - offsetof(struct key_sim, e));
		} else {
			ks = &sims[n_sims++];
			ks->present = !txn->replace_peers &&
				      wgd_peer_find(dev, op->public_key) != NULL;
			wg_keyhash_add(&sim, &ks->e, op->public_key);
		}
		if (op->remove) {
			ks->present = false;
			continue;
		}
		if (ks->present || op->update_only)
			continue;
		pl->fresh[i] = wgd_peer_alloc_for(dev, &noid, op->public_key);
		if (!pl->fresh[i]) {
			r = -ENOMEM;
			break;
		}
		pl->fresh[i]->hs.dev = after;
		pl->n_fresh++;
		ks->present = true;
		maybe_pump(dev, pl);
		if (!dev->running)
			r = -EINTR; /* the daemon is stopping: change nothing */
	}
	wg_keyhash_free(&sim);
	free(sims);
	if (r < 0)
		return r;
	/* a new identity: the existing peers' DH now, so the commit does not
	 * stall the loop for it (replace_peers removes them anyway) */
	if (pl->key_change && pl->nd.has_identity && !txn->replace_peers && dev->n_peers) {
		pl->rekey = calloc(dev->n_peers, sizeof(*pl->rekey));
		if (!pl->rekey)
			return -ENOMEM;
		for (struct wgd_peer *p = dev->peers; p; p = p->next)
			pl->rekey[pl->n_rekey++].peer = p;
	}
	/* the static-static DHs: of the new peers, and of the existing ones
	 * under a new identity (after is then pl->nd) */
	if (after->has_identity && (pl->n_fresh || pl->n_rekey)) {
		jobs = calloc(pl->n_fresh + pl->n_rekey, sizeof(*jobs));
		if (!jobs)
			return -ENOMEM;
		for (size_t i = 0; i < txn->n_peers; i++) {
			struct wgd_peer *p = pl->fresh[i];

			if (p)
				jobs[n_jobs++] = (struct dh_job){ p->hs.remote_static,
					p->hs.precomputed_static_static, &p->hs.static_static_valid };
		}
		for (size_t i = 0; i < pl->n_rekey; i++)
			jobs[n_jobs++] = (struct dh_job){ pl->rekey[i].peer->public_key,
				pl->rekey[i].ss, &pl->rekey[i].valid };
		r = run_dh(dev, pl, after, jobs, n_jobs);
		free(jobs);
		if (r < 0)
			return r;
		for (size_t i = 0; i < txn->n_peers; i++)
			if (pl->fresh[i] && !pl->fresh[i]->hs.static_static_valid)
				wgd_log_peer(WGD_LOG_VERBOSE, pl->fresh[i]->public_key,
					     "key is unusable (low-order point): no handshake possible");
	}
	if (wg_allowedips_reserve(dev->aips, txn->n_allowed_ips) < 0 ||
	    wg_keyhash_reserve(&dev->peer_hash, pl->n_fresh) < 0)
		return -ENOMEM;
	return 0;
}

/* ---- commit: cannot fail ---- */

static void install_identity(struct wgd_device *dev, struct plan *pl)
{
	struct wgd_peer *p, *next;
	size_t i;

	wg_noise_device_clear(&dev->noise);
	memcpy(dev->noise.static_private, pl->nd.static_private, WG_KEY_LEN);
	memcpy(dev->noise.static_public, pl->nd.static_public, WG_KEY_LEN);
	dev->noise.static_key = pl->nd.static_key;
	dev->noise.has_identity = pl->nd.has_identity;
	/* moved: pl->nd no longer owns the key */
	memset(&pl->nd.static_key, 0, sizeof(pl->nd.static_key));
	OPENSSL_cleanse(pl->nd.static_private, WG_KEY_LEN);
	pl->nd.has_identity = false;
	wg_cookie_checker_init(&dev->cookie, dev->noise.has_identity ? dev->noise.static_public : NULL);
	/* the peers are the ones prepare saw, in the same order */
	for (p = dev->peers, i = 0; p; p = next, i++) {
		next = p->next;
		/* a peer with our own public key cannot be talked to */
		if (is_self(&dev->noise, p->public_key)) {
			wgd_peer_remove(dev, p);
			continue;
		}
		wg_keypairs_clear(&dev->noise, &p->kps);
		if (i < pl->n_rekey && pl->rekey[i].peer == p)
			wg_noise_handshake_set_static_dh(&p->hs, pl->rekey[i].ss, pl->rekey[i].valid);
		else
			wg_noise_handshake_set_static(&p->hs);
	}
}

static void commit_peer(struct wgd_device *dev, struct plan *pl, size_t i, size_t *created,
			size_t *removed)
{
	const struct wg_uapi_txn *txn = pl->txn;
	const struct wg_uapi_peer_op *op = &txn->peers[i];
	struct wgd_peer *peer;

	if (is_self(&dev->noise, op->public_key))
		return; /* wireguard-go ignores a peer that is us */
	peer = wgd_peer_find(dev, op->public_key);
	if (op->remove) {
		if (peer) {
			wgd_peer_remove(dev, peer);
			++*removed;
		}
		return;
	}
	if (!peer) {
		if (op->update_only)
			return;
		peer = pl->fresh[i];
		pl->fresh[i] = NULL;
		if (!peer) { /* the plan saw the same ops: cannot happen */
			wgd_log_peer(WGD_LOG_ERROR, op->public_key, "UAPI set: not prepared");
			return;
		}
		peer->hs.dev = &dev->noise; /* it was made against the same key */
		wgd_peer_link(dev, peer);
		++*created;
	}
	if (op->has_preshared_key) {
		memcpy(peer->preshared_key, op->preshared_key, WG_KEY_LEN);
		wg_noise_handshake_set_psk(&peer->hs, all_zero(op->preshared_key, WG_KEY_LEN) ?
					   NULL : op->preshared_key);
	}
	/* a new endpoint is a new path: search again */
	if (op->has_endpoint && wgd_peer_set_endpoint(peer, &pl->eps[i]))
		wgd_pmtu_endpoint_changed(peer);
	if (op->replace_allowed_ips)
		wg_allowedips_remove_owner(dev->aips, &peer->aips);
	for (size_t k = 0; k < op->allowed_ips_count; k++) {
		const struct wg_uapi_allowed_ip *a = &txn->allowed_ips[op->allowed_ips_first + k];

		/* nodes reserved by prepare: cannot fail */
		if (wg_allowedips_insert(dev->aips, a->family, a->addr, a->cidr, &peer->aips) < 0)
			log_peer_err(peer, "UAPI set: allowed IP not added");
	}
	wgd_pmtu_conf_peer(peer, op);
	if (op->has_persistent_keepalive) {
		peer->persistent_keepalive = op->persistent_keepalive;
		wgd_peer_actions(peer, wg_timers_set_persistent_keepalive(&peer->timers, dev->now,
									 op->persistent_keepalive));
	}
}

static void commit(struct wgd_device *dev, struct plan *pl, uint64_t t0)
{
	struct wg_uapi_txn *txn = pl->txn;
	size_t created = 0, removed = 0;
	uint64_t t1 = now_ns();

	dev->now = t1;
	if (pl->key_change)
		install_identity(dev, pl);
	wgd_pmtu_conf_dev(dev, txn);
	if (txn->replace_peers)
		while (dev->peers) {
			wgd_peer_remove(dev, dev->peers);
			removed++;
		}
	for (size_t i = 0; i < txn->n_peers; i++)
		commit_peer(dev, pl, i, &created, &removed);
	if (created || removed)
		log_info("UAPI set: %zu peers created, %zu removed, %zu now (prepared in %llu ms, "
			 "committed in %llu ms)", created, removed, dev->n_peers,
			 (unsigned long long)((t1 - t0) / 1000000),
			 (unsigned long long)((now_ns() - t1) / 1000000));
}

int wgd_conf_set(void *ctx, struct wg_uapi_txn *txn)
{
	struct wgd_device *dev = ctx;
	struct plan pl = { .txn = txn };
	uint32_t old_mark = dev->fwmark;
	uint64_t t0 = now_ns();
	int r;

	pl.last_pump = t0;
	r = prepare(dev, &pl);
	if (r < 0) {
		log_err("UAPI set: %s; nothing changed", strerror(-r));
		goto out;
	}
	dev->now = now_ns();
	/* fallible outside our control: before anything changes */
	if (txn->has_fwmark && txn->fwmark != dev->fwmark) {
		r = wgd_udp_set_fwmark(&dev->udp, txn->fwmark);
		if (r < 0) {
			log_err("cannot set fwmark %u: %s", txn->fwmark, strerror(-r));
			wgd_udp_set_fwmark(&dev->udp, old_mark);
			r = -EADDRINUSE;
			goto out;
		}
		dev->fwmark = txn->fwmark;
	}
	if (txn->has_listen_port && (txn->listen_port != dev->listen_port ||
				     (txn->listen_port && txn->listen_port != dev->udp.port))) {
		r = wgd_device_bind(dev, txn->listen_port);
		if (r < 0) {
			log_err("cannot listen on UDP port %u: %s", txn->listen_port, strerror(-r));
			if (dev->fwmark != old_mark) {
				wgd_udp_set_fwmark(&dev->udp, old_mark);
				dev->fwmark = old_mark;
			}
			r = -EADDRINUSE;
			goto out;
		}
	}
	if (dev->fwmark != old_mark)
		wgd_pmtu_set_fwmark(dev); /* the icmp-endpoint sockets follow */
	commit(dev, &pl, t0);
out:
	plan_free(dev, &pl);
	return r;
}
