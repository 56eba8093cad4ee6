// SPDX-License-Identifier: MIT
/*
 * UAPI parser, serializer and connection framer. See uapi.h and docs/uapi.md.
 * Every input byte is looked at through (pointer, length) pairs checked here;
 * nothing is NUL-terminated on input and nothing aborts.
 */
#include "uapi/uapi.h"
#include "uapi/key.h"

#include <arpa/inet.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include <openssl/crypto.h>

_Static_assert(UAPI_KEY_LEN == WG_KEY_LEN, "one key length");

enum { ST_OP = 0, ST_GET_NL, ST_SET, ST_CLOSED };

/* ------------------------------------------------------------- helpers */

static bool str_is(const char *s, size_t len, const char *lit)
{
	size_t n = strlen(lit);

	return len == n && memcmp(s, lit, n) == 0;
}

/* Decimal digits only (Go's strconv.ParseUint base 10: leading zeros are
 * fine, no sign, no spaces), value <= max. */
static int parse_dec(const char *s, size_t len, uint64_t max, uint64_t *out)
{
	uint64_t v = 0;
	size_t i;

	if (len == 0)
		return -EINVAL;
	for (i = 0; i < len; i++) {
		unsigned d = (unsigned char)s[i] - '0';

		if (d > 9)
			return -EINVAL;
		if (v > (max - d) / 10)
			return -EINVAL;
		v = v * 10 + d;
	}
	*out = v;
	return 0;
}

static bool key_is_zero(const uint8_t key[WG_KEY_LEN])
{
	uint8_t acc = 0;
	size_t i;

	for (i = 0; i < WG_KEY_LEN; i++)
		acc |= key[i];
	return acc == 0;
}

/* Address text (no zone) -> family + bytes. IPv4 dotted quad without
 * leading zeros; IPv6 in any RFC 4291 text form (incl. embedded IPv4). */
static int parse_addr(const char *s, size_t len, int *family, uint8_t addr[16])
{
	char buf[64];

	if (len == 0 || len >= sizeof(buf) || memchr(s, '\0', len))
		return -EINVAL;
	memcpy(buf, s, len);
	buf[len] = '\0';
	memset(addr, 0, 16);
	if (memchr(s, ':', len)) {
		if (inet_pton(AF_INET6, buf, addr) != 1)
			return -EINVAL;
		*family = AF_INET6;
	} else {
		if (inet_pton(AF_INET, buf, addr) != 1)
			return -EINVAL;
		*family = AF_INET;
	}
	return 0;
}

int wg_uapi_parse_endpoint(const char *s, size_t len, struct wg_uapi_endpoint *e)
{
	const char *host, *port, *zone = NULL;
	size_t host_len, port_len, zone_len = 0;
	uint64_t p;
	int family;

	memset(e, 0, sizeof(*e));
	if (len == 0)
		return -EINVAL;
	if (s[0] == '[') {
		const char *close = memchr(s, ']', len);
		const char *pct;

		if (!close || (size_t)(close - s) + 2 > len || close[1] != ':')
			return -EINVAL;
		host = s + 1;
		host_len = (size_t)(close - host);
		port = close + 2;
		port_len = len - (size_t)(port - s);
		pct = memchr(host, '%', host_len);
		if (pct) {
			zone = pct + 1;
			zone_len = host_len - (size_t)(zone - host);
			host_len = (size_t)(pct - host);
			if (zone_len == 0 || zone_len >= WG_UAPI_ZONE_MAX ||
			    memchr(zone, '\0', zone_len))
				return -EINVAL;
		}
		if (parse_addr(host, host_len, &family, e->addr) < 0 ||
		    family != AF_INET6)
			return -EINVAL;
	} else {
		const char *colon = memrchr(s, ':', len);

		if (!colon)
			return -EINVAL;
		host = s;
		host_len = (size_t)(colon - s);
		port = colon + 1;
		port_len = len - host_len - 1;
		/* an IPv6 address needs brackets (Go's ParseAddrPort) */
		if (parse_addr(host, host_len, &family, e->addr) < 0 ||
		    family != AF_INET)
			return -EINVAL;
	}
	if (parse_dec(port, port_len, 65535, &p) < 0) {
		memset(e, 0, sizeof(*e));
		return -EINVAL;
	}
	e->family = family;
	e->port = (uint16_t)p;
	if (zone)
		memcpy(e->zone, zone, zone_len);
	return 0;
}

static void mask_prefix(uint8_t addr[16], unsigned bits, unsigned max)
{
	unsigned i;

	for (i = 0; i < max / 8; i++) {
		if (bits >= (i + 1) * 8)
			continue;
		if (bits <= i * 8)
			addr[i] = 0;
		else
			addr[i] &= (uint8_t)(0xff00u >> (bits - i * 8));
	}
}

int wg_uapi_parse_allowed_ip(const char *s, size_t len, struct wg_uapi_allowed_ip *a)
{
	const char *slash = len ? memrchr(s, '/', len) : NULL;
	uint64_t bits;
	unsigned max;

	memset(a, 0, sizeof(*a));
	if (!slash)
		return -EINVAL;
	if (parse_addr(s, (size_t)(slash - s), &a->family, a->addr) < 0)
		goto bad;
	max = a->family == AF_INET ? 32 : 128;
	/* Go's netip.ParsePrefix (strconv.Atoi) takes leading zeros: "/08" */
	if (parse_dec(slash + 1, len - (size_t)(slash - s) - 1, max, &bits) < 0)
		goto bad;
	a->cidr = (uint8_t)bits;
	mask_prefix(a->addr, (unsigned)bits, max);
	return 0;
bad:
	memset(a, 0, sizeof(*a));
	return -EINVAL;
}

/* ------------------------------------------------------------------ txn */

void wg_uapi_txn_free(struct wg_uapi_txn *t)
{
	if (!t)
		return;
	if (t->peers) {
		OPENSSL_cleanse(t->peers, t->n_peers * sizeof(*t->peers));
		free(t->peers);
	}
	free(t->allowed_ips);
	OPENSSL_cleanse(t, sizeof(*t));
}

/* ---------------------------------------------------------- set parser */

void wg_uapi_set_init(struct wg_uapi_set_parser *p)
{
	memset(p, 0, sizeof(*p));
}

/* Records the first error. The message names the key, never the value
 * (a value may be a key). */
static int set_fail(struct wg_uapi_set_parser *p, int err, const char *what,
		    const char *key, size_t key_len)
{
	char k[33];
	size_t i, n = key_len < sizeof(k) - 1 ? key_len : sizeof(k) - 1;

	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)key[i];

		k[i] = (c >= 0x20 && c < 0x7f) ? (char)c : '?';
	}
	k[n] = '\0';
	p->err = err;
	snprintf(p->err_msg, sizeof(p->err_msg), "line %zu: %s%s%s%s",
		 p->line_no, what, n ? " \"" : "", k, n ? "\"" : "");
	return err;
}

static int grow_peers(struct wg_uapi_set_parser *p)
{
	struct wg_uapi_txn *t = &p->txn;
	struct wg_uapi_peer_op *n;
	size_t cap;

	if (t->n_peers < p->cap_peers)
		return 0;
	if (t->n_peers >= WG_UAPI_MAX_PEERS)
		return -ENOMEM;
	cap = p->cap_peers ? p->cap_peers * 2 : 8;
	if (cap > WG_UAPI_MAX_PEERS)
		cap = WG_UAPI_MAX_PEERS;
	/* not realloc: the old block holds preshared keys and must be wiped */
	n = calloc(cap, sizeof(*n));
	if (!n)
		return -ENOMEM;
	if (t->peers) {
		memcpy(n, t->peers, t->n_peers * sizeof(*n));
		OPENSSL_cleanse(t->peers, t->n_peers * sizeof(*n));
		free(t->peers);
	}
	t->peers = n;
	p->cap_peers = cap;
	return 0;
}

static int grow_aips(struct wg_uapi_set_parser *p)
{
	struct wg_uapi_txn *t = &p->txn;
	struct wg_uapi_allowed_ip *n;
	size_t cap;

	if (t->n_allowed_ips < p->cap_aips)
		return 0;
	if (t->n_allowed_ips >= WG_UAPI_MAX_ALLOWED_IPS)
		return -ENOMEM;
	cap = p->cap_aips ? p->cap_aips * 2 : 16;
	if (cap > WG_UAPI_MAX_ALLOWED_IPS)
		cap = WG_UAPI_MAX_ALLOWED_IPS;
	n = realloc(t->allowed_ips, cap * sizeof(*n));
	if (!n)
		return -ENOMEM;
	t->allowed_ips = n;
	p->cap_aips = cap;
	return 0;
}

static int device_line(struct wg_uapi_set_parser *p, const char *k, size_t kl,
		       const char *v, size_t vl)
{
	struct wg_uapi_txn *t = &p->txn;
	uint64_t n;

	if (str_is(k, kl, "private_key")) {
		/* all-zero is allowed: it clears the key */
		if (uapi_key_from_hex(v, vl, t->private_key) < 0)
			return set_fail(p, -EINVAL, "invalid value for", k, kl);
		t->has_private_key = true;
	} else if (str_is(k, kl, "listen_port")) {
		if (parse_dec(v, vl, 65535, &n) < 0)
			return set_fail(p, -EINVAL, "invalid value for", k, kl);
		t->has_listen_port = true;
		t->listen_port = (uint16_t)n;
	} else if (str_is(k, kl, "fwmark")) {
		if (parse_dec(v, vl, UINT32_MAX, &n) < 0)
			return set_fail(p, -EINVAL, "invalid value for", k, kl);
		t->has_fwmark = true;
		t->fwmark = (uint32_t)n;
	} else if (str_is(k, kl, "replace_peers")) {
		if (!str_is(v, vl, "true"))
			return set_fail(p, -EINVAL, "invalid value for", k, kl);
		t->replace_peers = true;
	} else if (str_is(k, kl, "wgmtu_probe") || str_is(k, kl, "wgmtu_clamp_mss")) {
		bool on = str_is(v, vl, "on");

		if (!on && !str_is(v, vl, "off"))
			return set_fail(p, -EINVAL, "invalid value for", k, kl);
		if (str_is(k, kl, "wgmtu_probe")) {
			t->has_wgmtu_probe = true;
			t->wgmtu_probe = on;
		} else {
			t->has_wgmtu_clamp_mss = true;
			t->wgmtu_clamp_mss = on;
		}
	} else if (str_is(k, kl, "wgmtu_max_mtu")) {
		if (parse_dec(v, vl, 9000, &n) < 0 || n < 1280)
			return set_fail(p, -EINVAL, "invalid value for", k, kl);
		t->has_wgmtu_max_mtu = true;
		t->wgmtu_max_mtu = (uint16_t)n;
	} else {
		return set_fail(p, -EINVAL, "invalid device key", k, kl);
	}
	return 0;
}

static int peer_line(struct wg_uapi_set_parser *p, const char *k, size_t kl,
		     const char *v, size_t vl)
{
	struct wg_uapi_txn *t = &p->txn;
	struct wg_uapi_peer_op *op = &t->peers[t->n_peers - 1];
	uint64_t n;

	if (str_is(k, kl, "update_only")) {
		if (!str_is(v, vl, "true"))
			return set_fail(p, -EINVAL, "invalid value for", k, kl);
		op->update_only = true;
	} else if (str_is(k, kl, "remove")) {
		if (!str_is(v, vl, "true"))
			return set_fail(p, -EINVAL, "invalid value for", k, kl);
		op->remove = true;
	} else if (str_is(k, kl, "preshared_key")) {
		if (uapi_key_from_hex(v, vl, op->preshared_key) < 0)
			return set_fail(p, -EINVAL, "invalid value for", k, kl);
		op->has_preshared_key = true;
	} else if (str_is(k, kl, "endpoint")) {
		if (wg_uapi_parse_endpoint(v, vl, &op->endpoint) < 0)
			return set_fail(p, -EINVAL, "invalid value for", k, kl);
		op->has_endpoint = true;
	} else if (str_is(k, kl, "persistent_keepalive_interval")) {
		if (parse_dec(v, vl, 65535, &n) < 0)
			return set_fail(p, -EINVAL, "invalid value for", k, kl);
		op->has_persistent_keepalive = true;
		op->persistent_keepalive = (uint16_t)n;
	} else if (str_is(k, kl, "replace_allowed_ips")) {
		if (!str_is(v, vl, "true"))
			return set_fail(p, -EINVAL, "invalid value for", k, kl);
		/* allowed_ip lines of this block before it are replaced too:
		 * they are the last ones of the flat array */
		t->n_allowed_ips -= op->allowed_ips_count;
		op->allowed_ips_count = 0;
		op->allowed_ips_first = t->n_allowed_ips;
		op->replace_allowed_ips = true;
	} else if (str_is(k, kl, "allowed_ip")) {
		struct wg_uapi_allowed_ip a;

		if (wg_uapi_parse_allowed_ip(v, vl, &a) < 0)
			return set_fail(p, -EINVAL, "invalid value for", k, kl);
		if (grow_aips(p) < 0)
			return set_fail(p, -ENOMEM, "too many allowed IPs at", k, kl);
		t->allowed_ips[t->n_allowed_ips++] = a;
		op->allowed_ips_count++;
	} else if (str_is(k, kl, "protocol_version")) {
		if (!str_is(v, vl, "1"))
			return set_fail(p, -EINVAL, "invalid value for", k, kl);
	} else if (str_is(k, kl, "wgmtu_probe")) {
		int m;

		for (m = WG_UAPI_PMTU_AUTO; m <= WG_UAPI_PMTU_OFF; m++)
			if (str_is(v, vl, wg_uapi_pmtu_mode_name((enum wg_uapi_pmtu_mode)m)))
				break;
		if (m > WG_UAPI_PMTU_OFF)
			return set_fail(p, -EINVAL, "invalid value for", k, kl);
		op->has_wgmtu_probe = true;
		op->wgmtu_probe = (enum wg_uapi_pmtu_mode)m;
	} else if (str_is(k, kl, "wgmtu_probe_address")) {
		struct wg_uapi_allowed_ip a;

		memset(&a, 0, sizeof(a));
		if (vl && parse_addr(v, vl, &a.family, a.addr) < 0)
			return set_fail(p, -EINVAL, "invalid value for", k, kl);
		a.cidr = a.family == AF_INET ? 32 : a.family ? 128 : 0;
		op->has_wgmtu_probe_address = true;
		op->wgmtu_probe_address = a;
	} else if (str_is(k, kl, "wgmtu_pinned_mtu")) {
		if (parse_dec(v, vl, 65535, &n) < 0 || (n && n < 576))
			return set_fail(p, -EINVAL, "invalid value for", k, kl);
		op->has_wgmtu_pinned_mtu = true;
		op->wgmtu_pinned_mtu = (uint16_t)n;
	} else {
		return set_fail(p, -EINVAL, "invalid peer key", k, kl);
	}
	return 0;
}

int wg_uapi_set_feed_line(struct wg_uapi_set_parser *p, const char *line, size_t len)
{
	struct wg_uapi_txn *t = &p->txn;
	const char *eq, *v;
	size_t kl, vl;

	p->line_no++;
	if (p->err)
		return p->err;
	eq = len ? memchr(line, '=', len) : NULL;
	if (!eq)
		return set_fail(p, -EPROTO, "line without '='", NULL, 0);
	kl = (size_t)(eq - line);
	v = eq + 1;
	vl = len - kl - 1;

	if (str_is(line, kl, "public_key")) {
		struct wg_uapi_peer_op *op;

		if (grow_peers(p) < 0)
			return set_fail(p, -ENOMEM, "too many peers at", line, kl);
		op = &t->peers[t->n_peers];
		memset(op, 0, sizeof(*op));
		if (uapi_key_from_hex(v, vl, op->public_key) < 0)
			return set_fail(p, -EINVAL, "invalid value for", line, kl);
		op->allowed_ips_first = t->n_allowed_ips;
		t->n_peers++;
		p->in_peer = true;
		return 0;
	}
	if (!p->in_peer)
		return device_line(p, line, kl, v, vl);
	return peer_line(p, line, kl, v, vl);
}

void wg_uapi_set_feed_overlong(struct wg_uapi_set_parser *p)
{
	p->line_no++;
	if (!p->err)
		set_fail(p, -EIO, "line too long", NULL, 0);
}

int wg_uapi_set_finish(struct wg_uapi_set_parser *p, struct wg_uapi_txn *out)
{
	int err = p->err;

	memset(out, 0, sizeof(*out));
	if (err) {
		wg_uapi_txn_free(&p->txn);
	} else {
		*out = p->txn;
		memset(&p->txn, 0, sizeof(p->txn));
	}
	p->in_peer = false;
	p->cap_peers = p->cap_aips = 0;
	return err;
}

void wg_uapi_set_abort(struct wg_uapi_set_parser *p)
{
	wg_uapi_txn_free(&p->txn);
	OPENSSL_cleanse(p, sizeof(*p));
}

/* ------------------------------------------------------------- output */

void wg_uapi_out_init(struct wg_uapi_out *o)
{
	memset(o, 0, sizeof(*o));
}

void wg_uapi_out_free(struct wg_uapi_out *o)
{
	if (!o)
		return;
	if (o->buf) {
		OPENSSL_cleanse(o->buf, o->cap);
		free(o->buf);
	}
	memset(o, 0, sizeof(*o));
}

static int out_put(struct wg_uapi_out *o, const char *s, size_t n)
{
	if (o->err)
		return o->err;
	if (n > SIZE_MAX / 2 - o->len) {
		o->err = -ENOMEM;
		return o->err;
	}
	if (o->len + n > o->cap) {
		size_t cap = o->cap ? o->cap : 1024;
		char *nb;

		while (cap < o->len + n)
			cap *= 2;
		/* not realloc: the old block may hold the private key */
		nb = malloc(cap);
		if (!nb) {
			o->err = -ENOMEM;
			return o->err;
		}
		if (o->buf) {
			memcpy(nb, o->buf, o->len);
			OPENSSL_cleanse(o->buf, o->cap);
			free(o->buf);
		}
		o->buf = nb;
		o->cap = cap;
	}
	memcpy(o->buf + o->len, s, n);
	o->len += n;
	return 0;
}

static int out_puts(struct wg_uapi_out *o, const char *s)
{
	return out_put(o, s, strlen(s));
}

static const char *const std_keys[] = {
	"private_key", "listen_port", "fwmark", "replace_peers", "public_key",
	"remove", "update_only", "preshared_key", "endpoint",
	"persistent_keepalive_interval", "replace_allowed_ips", "allowed_ip",
	"protocol_version", "last_handshake_time_sec",
	"last_handshake_time_nsec", "rx_bytes", "tx_bytes", "errno",
};

/* Keys the hook may add: [a-z0-9_]+, not a standard key. */
static bool extra_key_ok(const char *key)
{
	size_t i, n = strlen(key);

	if (n == 0 || n > 64)
		return false;
	for (i = 0; i < n; i++) {
		char c = key[i];

		if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_'))
			return false;
	}
	for (i = 0; i < sizeof(std_keys) / sizeof(std_keys[0]); i++)
		if (key[0] == std_keys[i][0] && !strcmp(key, std_keys[i]))
			return false; /* (the first letter spares a get of 100k peers 20M strcmp) */
	return true;
}

int wg_uapi_out_kv_str(struct wg_uapi_out *o, const char *key, const char *v)
{
	size_t i, n = strlen(v);

	if (!extra_key_ok(key))
		return -EINVAL;
	for (i = 0; i < n; i++)
		if (v[i] == '\n')
			return -EINVAL;
	out_puts(o, key);
	out_put(o, "=", 1);
	out_put(o, v, n);
	return out_put(o, "\n", 1);
}

int wg_uapi_out_kv_u64(struct wg_uapi_out *o, const char *key, uint64_t v)
{
	char num[24];

	snprintf(num, sizeof(num), "%" PRIu64, v);
	return wg_uapi_out_kv_str(o, key, num);
}

int wg_uapi_out_kv_i64(struct wg_uapi_out *o, const char *key, int64_t v)
{
	char num[24];

	snprintf(num, sizeof(num), "%" PRId64, v);
	return wg_uapi_out_kv_str(o, key, num);
}

/* standard keys, no key check */
static int std_u64(struct wg_uapi_out *o, const char *key, uint64_t v)
{
	char line[96];
	int n = snprintf(line, sizeof(line), "%s=%" PRIu64 "\n", key, v);

	return out_put(o, line, (size_t)n);
}

static int std_key(struct wg_uapi_out *o, const char *key, const uint8_t k[WG_KEY_LEN])
{
	char line[32 + 2 * WG_KEY_LEN + 2];
	size_t n = strlen(key);

	memcpy(line, key, n);
	line[n++] = '=';
	uapi_key_to_hex(k, line + n); /* its NUL is overwritten below */
	n += 2 * WG_KEY_LEN;
	line[n++] = '\n';
	out_put(o, line, n);
	OPENSSL_cleanse(line, sizeof(line));
	return o->err;
}

int wg_uapi_write_errno(struct wg_uapi_out *o, int err)
{
	char line[32];
	int n = snprintf(line, sizeof(line), "errno=%d\n\n", err);

	return out_put(o, line, (size_t)n);
}

/* ------------------------------------------------------------ formatting */

/* IPv6 text as Go's netip.Addr.String (RFC 5952): lowercase, no leading
 * zeros, the first longest run of >= 2 zero groups as "::", and
 * "::ffff:a.b.c.d" for v4-mapped addresses. */
static int fmt_ip6(const uint8_t a[16], char *buf, size_t cap)
{
	static const uint8_t mapped[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff };
	unsigned g[8], i, best = 8, best_len = 0;
	size_t n = 0;
	int r;

	if (!memcmp(a, mapped, 12)) {
		r = snprintf(buf, cap, "::ffff:%u.%u.%u.%u", a[12], a[13], a[14], a[15]);
		return (r < 0 || (size_t)r >= cap) ? -ENOSPC : r;
	}
	for (i = 0; i < 8; i++)
		g[i] = (unsigned)a[2 * i] << 8 | a[2 * i + 1];
	for (i = 0; i < 8; i++) {
		unsigned j = i;

		while (j < 8 && g[j] == 0)
			j++;
		if (j - i >= 2 && j - i > best_len) {
			best = i;
			best_len = j - i;
		}
		if (j > i)
			i = j - 1;
	}
	if (cap == 0)
		return -ENOSPC;
	buf[0] = '\0';
	for (i = 0; i < 8; i++) {
		if (i == best) {
			r = snprintf(buf + n, cap - n, "::");
			if (r < 0 || (size_t)r >= cap - n)
				return -ENOSPC;
			n += (size_t)r;
			i += best_len - 1;
			continue;
		}
		r = snprintf(buf + n, cap - n, "%s%x",
			     (i > 0 && i != best + best_len) ? ":" : "", g[i]);
		if (r < 0 || (size_t)r >= cap - n)
			return -ENOSPC;
		n += (size_t)r;
	}
	return (int)n;
}

static int fmt_ip(int family, const uint8_t *a, char *buf, size_t cap)
{
	int r;

	if (family == AF_INET) {
		r = snprintf(buf, cap, "%u.%u.%u.%u", a[0], a[1], a[2], a[3]);
		return (r < 0 || (size_t)r >= cap) ? -ENOSPC : r;
	}
	if (family == AF_INET6)
		return fmt_ip6(a, buf, cap);
	return -EAFNOSUPPORT;
}

int wg_uapi_format_endpoint(const struct wg_uapi_endpoint *e, char *buf, size_t cap)
{
	char ip[64];
	int r = fmt_ip(e->family, e->addr, ip, sizeof(ip));

	if (r < 0)
		return r;
	if (e->family == AF_INET6)
		r = snprintf(buf, cap, "[%s]:%u", ip, e->port);
	else
		r = snprintf(buf, cap, "%s:%u", ip, e->port);
	return (r < 0 || (size_t)r >= cap) ? -ENOSPC : r;
}

int wg_uapi_format_allowed_ip(const struct wg_uapi_allowed_ip *a, char *buf, size_t cap)
{
	char ip[64];
	int r = fmt_ip(a->family, a->addr, ip, sizeof(ip));

	if (r < 0)
		return r;
	r = snprintf(buf, cap, "%s/%u", ip, a->cidr);
	return (r < 0 || (size_t)r >= cap) ? -ENOSPC : r;
}

const char *wg_uapi_pmtu_mode_name(enum wg_uapi_pmtu_mode m)
{
	switch (m) {
	case WG_UAPI_PMTU_AUTO: return "auto";
	case WG_UAPI_PMTU_INBAND: return "inband";
	case WG_UAPI_PMTU_ICMP_TUNNEL: return "icmp-tunnel";
	case WG_UAPI_PMTU_ICMP_ENDPOINT: return "icmp-endpoint";
	case WG_UAPI_PMTU_OFF: return "off";
	}
	return "?";
}

/* ------------------------------------------------------------- get */

int wg_uapi_get_serialize(const struct wg_uapi_dev_info *d, struct wg_uapi_out *o)
{
	char s[WG_UAPI_ADDR_STR_MAX];
	size_t i, j;
	int r;

	if (d->has_private_key && !key_is_zero(d->private_key))
		std_key(o, "private_key", d->private_key);
	if (d->listen_port)
		std_u64(o, "listen_port", d->listen_port);
	if (d->fwmark)
		std_u64(o, "fwmark", d->fwmark);
	if (d->dev_extra) {
		r = d->dev_extra(d->peer_extra_ctx, o);
		if (r < 0)
			return r;
	}
	for (i = 0; i < d->n_peers; i++) {
		const struct wg_uapi_peer_info *p = &d->peers[i];
		char line[128];
		int n;

		std_key(o, "public_key", p->public_key);
		std_key(o, "preshared_key", p->preshared_key);
		out_puts(o, "protocol_version=1\n");
		if (p->endpoint.family) {
			r = wg_uapi_format_endpoint(&p->endpoint, s, sizeof(s));
			if (r < 0)
				return r;
			out_puts(o, "endpoint=");
			out_put(o, s, (size_t)r);
			out_put(o, "\n", 1);
		}
		n = snprintf(line, sizeof(line),
			     "last_handshake_time_sec=%" PRId64 "\n"
			     "last_handshake_time_nsec=%" PRId64 "\n",
			     p->last_handshake_sec, p->last_handshake_nsec);
		out_put(o, line, (size_t)n);
		std_u64(o, "tx_bytes", p->tx_bytes);
		std_u64(o, "rx_bytes", p->rx_bytes);
		std_u64(o, "persistent_keepalive_interval", p->persistent_keepalive);
		for (j = 0; j < p->n_allowed_ips; j++) {
			r = wg_uapi_format_allowed_ip(&p->allowed_ips[j], s, sizeof(s));
			if (r < 0)
				return r;
			out_puts(o, "allowed_ip=");
			out_put(o, s, (size_t)r);
			out_put(o, "\n", 1);
		}
		if (d->peer_extra) {
			r = d->peer_extra(d->peer_extra_ctx, i, o);
			if (r < 0)
				return r;
		}
		if (o->err)
			return o->err;
	}
	return wg_uapi_write_errno(o, 0);
}

/* ------------------------------------------------------------ framer */

void wg_uapi_conn_init(struct wg_uapi_conn *c)
{
	memset(c, 0, sizeof(*c));
	c->state = ST_OP;
}

void wg_uapi_conn_free(struct wg_uapi_conn *c)
{
	wg_uapi_txn_free(&c->txn);
	wg_uapi_set_abort(&c->parser);
	OPENSSL_cleanse(c, sizeof(*c));
}

size_t wg_uapi_conn_mem(const struct wg_uapi_conn *c)
{
	return c->parser.cap_peers * sizeof(struct wg_uapi_peer_op) +
	       c->parser.cap_aips * sizeof(struct wg_uapi_allowed_ip) +
	       c->txn.n_peers * sizeof(struct wg_uapi_peer_op) +
	       c->txn.n_allowed_ips * sizeof(struct wg_uapi_allowed_ip);
}

/* A complete set ends: hand out the transaction or the error. */
static enum wg_uapi_event conn_set_done(struct wg_uapi_conn *c)
{
	int err = wg_uapi_set_finish(&c->parser, &c->txn);

	c->state = ST_OP;
	if (err) {
		c->err = err;
		c->err_msg = c->parser.err_msg;
		return WG_UAPI_EV_ERROR;
	}
	return WG_UAPI_EV_SET;
}

/* A complete line of the set body (without '\n'). */
static enum wg_uapi_event conn_set_line(struct wg_uapi_conn *c)
{
	size_t n = c->line_len;

	if (c->overlong) {
		wg_uapi_set_feed_overlong(&c->parser);
		return WG_UAPI_EV_NONE;
	}
	/* Go's bufio.ScanLines drops one '\r' before the '\n' */
	if (n && c->line[n - 1] == '\r')
		n--;
	if (n == 0)
		return conn_set_done(c);
	wg_uapi_set_feed_line(&c->parser, c->line, n);
	return WG_UAPI_EV_NONE;
}

static enum wg_uapi_event conn_op_line(struct wg_uapi_conn *c)
{
	if (!c->overlong && str_is(c->line, c->line_len, "get=1")) {
		c->state = ST_GET_NL;
		return WG_UAPI_EV_NONE;
	}
	if (!c->overlong && str_is(c->line, c->line_len, "set=1")) {
		/* a transaction the daemon did not take is dropped here */
		wg_uapi_txn_free(&c->txn);
		wg_uapi_set_init(&c->parser);
		c->state = ST_SET;
		return WG_UAPI_EV_NONE;
	}
	c->state = ST_CLOSED;
	c->err = -EPROTO;
	c->err_msg = "invalid UAPI operation";
	return WG_UAPI_EV_CLOSE;
}

enum wg_uapi_event wg_uapi_conn_feed(struct wg_uapi_conn *c, const uint8_t *data,
				     size_t len, size_t *consumed)
{
	size_t i;

	c->err = 0;
	c->err_msg = NULL;
	for (i = 0; i < len; i++) {
		uint8_t b = data[i];
		enum wg_uapi_event ev = WG_UAPI_EV_NONE;

		if (c->state == ST_CLOSED) {
			*consumed = len;
			return WG_UAPI_EV_CLOSE;
		}
		if (c->state == ST_GET_NL) {
			c->state = ST_OP;
			*consumed = i + 1;
			if (b == '\n')
				return WG_UAPI_EV_GET;
			c->err = -EINVAL;
			c->err_msg = "trailing character after get=1";
			return WG_UAPI_EV_ERROR;
		}
		if (b != '\n') {
			if (c->line_len < WG_UAPI_LINE_MAX)
				c->line[c->line_len++] = (char)b;
			else
				c->overlong = true;
			continue;
		}
		if (c->state == ST_OP)
			ev = conn_op_line(c);
		else
			ev = conn_set_line(c);
		OPENSSL_cleanse(c->line, c->line_len); /* may hold a key */
		c->line_len = 0;
		c->overlong = false;
		if (ev != WG_UAPI_EV_NONE) {
			*consumed = ev == WG_UAPI_EV_CLOSE ? len : i + 1;
			return ev;
		}
	}
	*consumed = len;
	return c->state == ST_CLOSED ? WG_UAPI_EV_CLOSE : WG_UAPI_EV_NONE;
}

enum wg_uapi_event wg_uapi_conn_eof(struct wg_uapi_conn *c)
{
	enum wg_uapi_event ev;

	c->err = 0;
	c->err_msg = NULL;
	if (c->state != ST_SET) {
		c->state = ST_CLOSED;
		return WG_UAPI_EV_CLOSE;
	}
	/* a last unterminated line counts (Go's scanner returns it) */
	if (c->line_len || c->overlong) {
		ev = conn_set_line(c);
		OPENSSL_cleanse(c->line, c->line_len);
		c->line_len = 0;
		c->overlong = false;
		if (ev != WG_UAPI_EV_NONE) {
			c->state = ST_CLOSED;
			return ev;
		}
	}
	ev = conn_set_done(c);
	c->state = ST_CLOSED;
	return ev;
}
