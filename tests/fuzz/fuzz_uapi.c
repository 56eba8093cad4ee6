// SPDX-License-Identifier: MIT
/*
 * libFuzzer harness: the UAPI framer and set parser, fed arbitrary bytes in
 * arbitrary chunks, handled the way the daemon does (apply = check the
 * transaction's invariants, then serialize a snapshot built from it and
 * re-parse every address the serializer printed).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "uapi/uapi.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_addr_roundtrip(const struct wg_uapi_allowed_ip *a)
{
	char s[WG_UAPI_ADDR_STR_MAX];
	struct wg_uapi_allowed_ip b;
	int n = wg_uapi_format_allowed_ip(a, s, sizeof(s));

	if (n <= 0 || wg_uapi_parse_allowed_ip(s, (size_t)n, &b) != 0 ||
	    b.family != a->family || b.cidr != a->cidr || memcmp(a->addr, b.addr, 16))
		abort();
}

static int extra(void *ctx, size_t idx, struct wg_uapi_out *o)
{
	return wg_uapi_out_kv_u64(o, "wgmtu_path_mtu", 1280 + idx);
}

static void apply(const struct wg_uapi_txn *t)
{
	struct wg_uapi_peer_info *p;
	struct wg_uapi_dev_info d;
	struct wg_uapi_out o;
	size_t i, sum = 0;

	if (t->n_peers > WG_UAPI_MAX_PEERS || t->n_allowed_ips > WG_UAPI_MAX_ALLOWED_IPS)
		abort();
	p = calloc(t->n_peers ? t->n_peers : 1, sizeof(*p));
	if (!p)
		return;
	for (i = 0; i < t->n_peers; i++) {
		const struct wg_uapi_peer_op *op = &t->peers[i];

		if (op->allowed_ips_first != sum ||
		    op->allowed_ips_first + op->allowed_ips_count > t->n_allowed_ips)
			abort();
		sum += op->allowed_ips_count;
		if (op->has_endpoint && op->endpoint.family != AF_INET &&
		    op->endpoint.family != AF_INET6)
			abort();
		if (op->endpoint.zone[WG_UAPI_ZONE_MAX - 1] != '\0')
			abort();
		memcpy(p[i].public_key, op->public_key, WG_KEY_LEN);
		memcpy(p[i].preshared_key, op->preshared_key, WG_KEY_LEN);
		p[i].endpoint = op->endpoint;
		p[i].persistent_keepalive = op->persistent_keepalive;
		p[i].allowed_ips = op->allowed_ips_count ? t->allowed_ips + op->allowed_ips_first : NULL;
		p[i].n_allowed_ips = op->allowed_ips_count;
	}
	if (sum != t->n_allowed_ips)
		abort();
	for (i = 0; i < t->n_allowed_ips; i++)
		check_addr_roundtrip(&t->allowed_ips[i]);

	memset(&d, 0, sizeof(d));
	d.has_private_key = t->has_private_key;
	memcpy(d.private_key, t->private_key, WG_KEY_LEN);
	d.listen_port = t->listen_port;
	d.fwmark = t->fwmark;
	d.peers = p;
	d.n_peers = t->n_peers;
	d.peer_extra = extra;
	wg_uapi_out_init(&o);
	if (wg_uapi_get_serialize(&d, &o) == 0 &&
	    (o.len < 9 || memcmp(o.buf + o.len - 9, "errno=0\n\n", 9)))
		abort();
	wg_uapi_out_free(&o);
	free(p);
}

static bool handle(struct wg_uapi_conn *c, enum wg_uapi_event ev)
{
	switch (ev) {
	case WG_UAPI_EV_SET:
		apply(&c->txn);
		wg_uapi_txn_free(&c->txn);
		return true;
	case WG_UAPI_EV_ERROR:
		if (c->err >= 0 || !c->err_msg || c->txn.peers || c->txn.allowed_ips)
			abort();
		return true;
	case WG_UAPI_EV_GET:
		return true;
	case WG_UAPI_EV_CLOSE:
		return false;
	default:
		return true;
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct wg_uapi_conn *c;
	size_t chunk, off = 0;

	if (size < 1)
		return 0;
	/* first byte: read() chunk size, so every split point gets tried */
	chunk = (size_t)data[0] + 1;
	data++;
	size--;
	c = malloc(sizeof(*c));
	if (!c)
		return 0;
	wg_uapi_conn_init(c);
	while (off < size) {
		size_t n = size - off < chunk ? size - off : chunk, used = 0;
		enum wg_uapi_event ev = wg_uapi_conn_feed(c, data + off, n, &used);

		if (used == 0 && ev == WG_UAPI_EV_NONE && n)
			abort(); /* no progress */
		if (used > n)
			abort();
		off += used;
		if (!handle(c, ev))
			goto out;
	}
	handle(c, wg_uapi_conn_eof(c));
out:
	wg_uapi_conn_free(c);
	free(c);
	return 0;
}
