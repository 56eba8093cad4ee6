// SPDX-License-Identifier: MIT
/*
 * libFuzzer harness: the daemon's UAPI apply path (daemon/conf.c) against
 * a model of WireGuard's configuration semantics.
 *
 * The input is a UAPI byte stream (any number of get/set requests), fed
 * through the framer and set parser to a device that has no TUN, sockets
 * or loop (wgd_device_init_core). For every parsed set:
 *   - the model says whether it must fail (an endpoint zone that names no
 *     interface is the one failure the input can cause) and what the
 *     device looks like afterwards if not;
 *   - a failed set must leave the `get` reply byte for byte as it was;
 *   - a successful one must give exactly the model's `get` reply (the
 *     wgmtu_* extension keys left aside: they describe path-MTU state the
 *     model does not follow).
 * listen_port is dropped from each set before applying (it would bind real
 * sockets); everything else is applied as the daemon receives it.
 */
#include <net/if.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "common/util.h"
#include "daemon/config.h"
#include "daemon/device.h"
#include "daemon/log.h"
#include "uapi/uapi.h"
#include "wire/crypto.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* ---- the model ---- */

#define MODEL_MAX_PEERS 8192

struct m_peer {
	uint8_t key[WG_KEY_LEN];
	uint8_t psk[WG_KEY_LEN];
	struct wg_uapi_endpoint ep; /* family 0: none */
	uint16_t keepalive;
	struct wg_uapi_allowed_ip *aips;
	size_t n_aips;
};

struct model {
	bool has_key;
	uint8_t priv[WG_KEY_LEN], pub[WG_KEY_LEN];
	uint32_t fwmark;
	struct m_peer peers[MODEL_MAX_PEERS];
	size_t n_peers;
};

static bool zero(const uint8_t *k, size_t n)
{
	uint8_t acc = 0;

	for (size_t i = 0; i < n; i++)
		acc |= k[i];
	return !acc;
}

static bool is_self(const struct model *m, const uint8_t *key)
{
	return m->has_key && !memcmp(key, m->pub, WG_KEY_LEN);
}

static struct m_peer *m_find(struct model *m, const uint8_t *key)
{
	for (size_t i = 0; i < m->n_peers; i++)
		if (!memcmp(m->peers[i].key, key, WG_KEY_LEN))
			return &m->peers[i];
	return NULL;
}

static void m_del(struct model *m, struct m_peer *p)
{
	size_t i = (size_t)(p - m->peers);

	free(p->aips);
	memmove(p, p + 1, (m->n_peers - i - 1) * sizeof(*p));
	m->n_peers--;
}

static bool aip_eq(const struct wg_uapi_allowed_ip *a, const struct wg_uapi_allowed_ip *b)
{
	return a->family == b->family && a->cidr == b->cidr &&
	       !memcmp(a->addr, b->addr, a->family == AF_INET ? 4 : 16);
}

/* An allowed IP moves: out of whichever list holds it, to the end of p's. */
static void m_add_aip(struct model *m, struct m_peer *p, const struct wg_uapi_allowed_ip *a)
{
	for (size_t i = 0; i < m->n_peers; i++) {
		struct m_peer *q = &m->peers[i];

		for (size_t k = 0; k < q->n_aips; k++)
			if (aip_eq(&q->aips[k], a)) {
				memmove(&q->aips[k], &q->aips[k + 1],
					(q->n_aips - k - 1) * sizeof(*a));
				q->n_aips--;
				break;
			}
	}
	p->aips = realloc(p->aips, (p->n_aips + 1) * sizeof(*a));
	if (!p->aips)
		abort();
	p->aips[p->n_aips++] = *a;
}

/* The one way a parsed set can fail here: a zone (non-numeric) that names
 * no interface, on an IPv6 endpoint that is not v4-mapped. */
static bool m_fails(const struct wg_uapi_txn *t)
{
	for (size_t i = 0; i < t->n_peers; i++) {
		const struct wg_uapi_peer_op *op = &t->peers[i];
		const struct wg_uapi_endpoint *e = &op->endpoint;
		unsigned long idx;

		if (op->remove || !op->has_endpoint || e->family != AF_INET6 || !e->zone[0] ||
		    IN6_IS_ADDR_V4MAPPED((const struct in6_addr *)e->addr))
			continue;
		if (parse_ulong(e->zone, 1, UINT32_MAX, &idx) < 0 && !if_nametoindex(e->zone))
			return true;
	}
	return false;
}

/* How the daemon shows an endpoint: v4-mapped as IPv4, no zone. */
static struct wg_uapi_endpoint m_endpoint(const struct wg_uapi_endpoint *in)
{
	struct wg_uapi_endpoint e;

	memset(&e, 0, sizeof(e));
	e.family = in->family;
	e.port = in->port;
	if (in->family == AF_INET6 && IN6_IS_ADDR_V4MAPPED((const struct in6_addr *)in->addr)) {
		e.family = AF_INET;
		memcpy(e.addr, in->addr + 12, 4);
	} else {
		memcpy(e.addr, in->addr, in->family == AF_INET ? 4 : 16);
	}
	return e;
}

static void m_apply(struct model *m, const struct wg_uapi_txn *t)
{
	if (t->has_private_key) {
		bool clear = zero(t->private_key, WG_KEY_LEN);
		uint8_t k[WG_KEY_LEN];

		memcpy(k, t->private_key, WG_KEY_LEN);
		wg_x25519_clamp(k);
		if (clear && m->has_key) {
			m->has_key = false;
			memset(m->priv, 0, sizeof(m->priv));
			memset(m->pub, 0, sizeof(m->pub));
		} else if (!clear && (!m->has_key || memcmp(k, m->priv, WG_KEY_LEN))) {
			struct wg_x25519_key xk = { 0 };

			if (wg_x25519_key_load(&xk, k, m->pub) < 0)
				abort();
			wg_x25519_key_clear(&xk);
			memcpy(m->priv, k, WG_KEY_LEN);
			m->has_key = true;
			for (size_t i = 0; i < m->n_peers;)
				if (is_self(m, m->peers[i].key))
					m_del(m, &m->peers[i]);
				else
					i++;
		}
	}
	if (t->has_fwmark)
		m->fwmark = t->fwmark;
	if (t->replace_peers)
		while (m->n_peers)
			m_del(m, &m->peers[0]);
	for (size_t i = 0; i < t->n_peers; i++) {
		const struct wg_uapi_peer_op *op = &t->peers[i];
		struct m_peer *p;

		if (is_self(m, op->public_key))
			continue;
		p = m_find(m, op->public_key);
		if (op->remove) {
			if (p)
				m_del(m, p);
			continue;
		}
		if (!p) {
			if (op->update_only)
				continue;
			if (m->n_peers == MODEL_MAX_PEERS)
				abort(); /* the input is bounded by -max_len */
			p = &m->peers[m->n_peers++];
			memset(p, 0, sizeof(*p));
			memcpy(p->key, op->public_key, WG_KEY_LEN);
		}
		if (op->has_preshared_key)
			memcpy(p->psk, op->preshared_key, WG_KEY_LEN);
		if (op->has_endpoint)
			p->ep = m_endpoint(&op->endpoint);
		if (op->replace_allowed_ips)
			p->n_aips = 0;
		for (size_t k = 0; k < op->allowed_ips_count; k++)
			m_add_aip(m, p, &t->allowed_ips[op->allowed_ips_first + k]);
		if (op->has_persistent_keepalive)
			p->keepalive = op->persistent_keepalive;
	}
}

static void m_get(const struct model *m, struct wg_uapi_out *o)
{
	struct wg_uapi_peer_info *pi = calloc(m->n_peers + 1, sizeof(*pi));
	struct wg_uapi_dev_info d;

	if (!pi)
		abort();
	memset(&d, 0, sizeof(d));
	d.has_private_key = m->has_key;
	memcpy(d.private_key, m->priv, WG_KEY_LEN);
	d.fwmark = m->fwmark;
	for (size_t i = 0; i < m->n_peers; i++) {
		memcpy(pi[i].public_key, m->peers[i].key, WG_KEY_LEN);
		memcpy(pi[i].preshared_key, m->peers[i].psk, WG_KEY_LEN);
		pi[i].endpoint = m->peers[i].ep;
		pi[i].persistent_keepalive = m->peers[i].keepalive;
		pi[i].allowed_ips = m->peers[i].aips;
		pi[i].n_allowed_ips = m->peers[i].n_aips;
	}
	d.peers = pi;
	d.n_peers = m->n_peers;
	if (wg_uapi_get_serialize(&d, o) < 0)
		abort();
	free(pi);
}

static void m_free(struct model *m)
{
	while (m->n_peers)
		m_del(m, &m->peers[0]);
}

/* ---- the daemon side ---- */

/* The get reply without the wgmtu_* lines, NUL-terminated. */
static char *strip_ext(const struct wg_uapi_out *o)
{
	char *s = malloc(o->len + 1), *w = s;
	size_t i = 0;

	if (!s)
		abort();
	while (i < o->len) {
		const char *nl = memchr(o->buf + i, '\n', o->len - i);
		size_t n = nl ? (size_t)(nl - (o->buf + i)) + 1 : o->len - i;

		if (n < 6 || memcmp(o->buf + i, "wgmtu_", 6)) {
			memcpy(w, o->buf + i, n);
			w += n;
		}
		i += n;
	}
	*w = 0;
	return s;
}

static void dev_get(struct wgd_device *dev, struct wg_uapi_out *o)
{
	wg_uapi_out_init(o);
	wgd_conf_get(dev, o);
	if (o->err)
		abort();
}

static bool same(const struct wg_uapi_out *a, const struct wg_uapi_out *b)
{
	return a->len == b->len && !memcmp(a->buf, b->buf, a->len);
}

static void check_set(struct wgd_device *dev, struct model *m, struct wg_uapi_txn *t)
{
	struct wg_uapi_out before, after, want;
	bool fails;
	int r;

	t->has_listen_port = false;
	fails = m_fails(t);
	dev_get(dev, &before);
	r = wgd_conf_set(dev, t);
	dev_get(dev, &after);
	if (r < 0) {
		if (!fails || !same(&before, &after))
			abort(); /* an unexpected failure, or a failure that changed things */
	} else {
		char *got, *exp;

		if (fails)
			abort();
		m_apply(m, t);
		wg_uapi_out_init(&want);
		m_get(m, &want);
		got = strip_ext(&after);
		exp = strip_ext(&want);
		if (strcmp(got, exp))
			abort(); /* the device is not what the model says */
		free(got);
		free(exp);
		wg_uapi_out_free(&want);
	}
	wg_uapi_out_free(&before);
	wg_uapi_out_free(&after);
}

/* Back to an empty device between inputs through the apply path itself
 * (no key, no fwmark, no peers): building a device per input would cost
 * more than the input. */
static void reset(struct wgd_device *dev)
{
	struct wg_uapi_txn t;

	memset(&t, 0, sizeof(t));
	t.has_private_key = true; /* all zero: no identity */
	t.has_fwmark = true;
	t.replace_peers = true;
	if (wgd_conf_set(dev, &t) < 0 || dev->n_peers || dev->noise.has_identity || dev->fwmark ||
	    wg_allowedips_count(dev->aips))
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct wgd_device dev;
	static bool ready;
	static struct model m;
	struct wg_uapi_conn *c = malloc(sizeof(*c));
	size_t off = 0;

	if (!c)
		return 0;
	if (!ready) {
		struct wgd_config cfg = { .tun_fd = -1, .uapi_fd = -1, .timer_scale = 1 };
		char err[128];

		wgd_log_level = WGD_LOG_SILENT;
		if (wgd_device_init_core(&dev, &cfg, err, sizeof(err)) < 0)
			abort();
		dev.running = true;
		ready = true;
	}
	dev.now = now_ns();
	reset(&dev);
	memset(&m, 0, sizeof(m));
	wg_uapi_conn_init(c);
	while (off < size) {
		size_t used = 0;
		enum wg_uapi_event ev = wg_uapi_conn_feed(c, data + off, size - off, &used);

		off += used;
		if (ev == WG_UAPI_EV_SET) {
			check_set(&dev, &m, &c->txn);
			wg_uapi_txn_free(&c->txn);
		} else if (ev == WG_UAPI_EV_CLOSE) {
			break;
		} else if (ev == WG_UAPI_EV_NONE && !used) {
			break;
		}
	}
	if (off >= size && wg_uapi_conn_eof(c) == WG_UAPI_EV_SET) {
		check_set(&dev, &m, &c->txn);
		wg_uapi_txn_free(&c->txn);
	}
	wg_uapi_conn_free(c);
	free(c);
	m_free(&m);
	return 0;
}
