// SPDX-License-Identifier: MIT
/* The pure core of doctor and tune (see tune_plan.h). */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include "common/json.h"
#include "pmtu/overhead.h"
#include "tool/tune_plan.h"

#define RT_TABLE_MAIN_ID 254
#define RT_TABLE_LOCAL_ID 255
#define RT_PROTO_KERNEL_ID 2
#define RT_PROTO_BOOT_ID 3
#define RT_PROTO_STATIC_ID 4
#define RT_SCOPE_UNIVERSE_ID 0
#define RT_SCOPE_LINK_ID 253
#define RT_SCOPE_HOST_ID 254

static int ovh(int family)
{
	return ovh_wg_overhead(family == AF_INET6 ? OVH_IPV6 : OVH_IPV4);
}

const char *tp_verdict_name(enum tp_verdict_kind v)
{
	switch (v) {
	case TP_OK: return "ok";
	case TP_BLACK_HOLE: return "black-hole";
	case TP_AT_RISK: return "at-risk";
	case TP_UNKNOWN: return "unknown";
	}
	return "?";
}

void tp_judge(const struct tp_measure *m, unsigned eff_mtu, unsigned outer_route_mtu,
	      struct tp_verdict *v)
{
	unsigned o = (unsigned)ovh(m->outer_family);

	memset(v, 0, sizeof(*v));
	if (m->method == TP_M_NONE || !m->size) {
		/* only the arithmetic: the local outer route */
		v->v = outer_route_mtu && eff_mtu + o > outer_route_mtu ? TP_AT_RISK : TP_UNKNOWN;
		if (outer_route_mtu && outer_route_mtu > o) {
			v->path_hi = outer_route_mtu;
			if (v->v == TP_AT_RISK) {
				v->mtu_line = outer_route_mtu - o;
				v->route_mtu = v->mtu_line & ~15u;
			}
		}
		return;
	}
	if (m->method == TP_M_TUNNEL) {
		/* the echo crossed both ends' WireGuard: its size is what fits,
		 * padding included */
		v->fit = m->size;
		v->mtu_line = m->size;
		v->route_mtu = m->size;
		v->path_lo = m->size + o;
		if (m->too_big) {
			/* a size that is a multiple of 16 with the next one lost
			 * may be padding's doing: the path is up to 15 larger */
			v->padding = m->size % 16 == 0 && m->too_big <= m->size + 16;
			v->path_hi = v->padding ? m->size + o + 15 : m->too_big + o - 1;
		}
	} else {
		v->fit = m->size > o ? m->size - o : 0;
		v->mtu_line = v->fit;
		/* a stock peer pads what it sends to 16 bytes, up to its own
		 * interface MTU: the lock keeps its packets inside the path */
		v->route_mtu = v->fit & ~15u;
		v->path_lo = m->size;
		if (m->too_big)
			v->path_hi = m->too_big - 1;
	}
	if (!m->too_big || eff_mtu <= v->fit)
		v->v = TP_OK;
	else
		v->v = m->black_hole ? TP_BLACK_HOLE : TP_AT_RISK;
	if (v->v == TP_OK && outer_route_mtu && eff_mtu + o > outer_route_mtu)
		v->v = TP_AT_RISK;
}

bool tp_activity_update(struct tp_activity *a, uint64_t rx, uint64_t tx,
			uint64_t probe_bytes, uint64_t probes)
{
	uint64_t db = probe_bytes - a->probe_bytes, dn = probes - a->probes;
	uint64_t allow = db + a->prev_bytes + 48 * (dn + a->prev_n) + 512;
	bool active = a->primed && (rx - a->rx > allow || tx - a->tx > allow);

	if (!a->primed || rx < a->rx || tx < a->tx)
		active = false; /* first reading, or counters reset (peer re-added) */
	a->primed = true;
	a->rx = rx;
	a->tx = tx;
	a->probe_bytes = probe_bytes;
	a->probes = probes;
	a->prev_bytes = db;
	a->prev_n = dn;
	return active;
}

/* ------------------------------------------------------------ planning */

static unsigned fam_mtu(int family, unsigned mtu)
{
	if (family == AF_INET6 && mtu < 1280)
		return 1280;
	if (family == AF_INET && mtu < 576)
		return 576;
	return mtu;
}

static bool covering_src(const struct tp_route *routes, size_t nr,
			 const struct wgm_prefix *p, struct tp_route *out)
{
	int best = -1;

	for (size_t i = 0; i < nr; i++) {
		if (!routes[i].has_prefsrc || !wgm_prefix_contains(&routes[i].dst, p))
			continue;
		if (best < 0 || routes[i].dst.len > routes[best].dst.len)
			best = (int)i;
	}
	if (best < 0)
		return false;
	out->has_prefsrc = true;
	memcpy(out->prefsrc, routes[best].prefsrc, sizeof(out->prefsrc));
	return true;
}

static bool push(struct tp_action *out, size_t max, size_t *n, const struct tp_action *a)
{
	if (*n >= max)
		return false;
	out[(*n)++] = *a;
	return true;
}

size_t tp_plan(int if_mtu, const struct tp_target *t, size_t nt,
	       const struct tp_route *routes, size_t nr,
	       struct tp_action *out, size_t max)
{
	size_t n = 0;

	/* a single peer that takes everything: the interface MTU */
	if (nt == 1 && t[0].mtu && wgm_peer_full_tunnel(t[0].peer)) {
		struct tp_action a = { .kind = TP_LINK_MTU, .peer = 0 };

		a.mtu = fam_mtu(AF_INET, t[0].mtu);
		if ((int)a.mtu != if_mtu)
			push(out, max, &n, &a);
		return n;
	}
	for (size_t k = 0; k < nt; k++) {
		const struct wgm_peer *p = t[k].peer;

		if (!t[k].mtu)
			continue;
		for (size_t i = 0; i < p->n_allowed; i++) {
			const struct wgm_prefix *pre = &p->allowed[i];
			unsigned mtu = fam_mtu(pre->family, t[k].mtu);
			bool found = false;

			if (pre->len == 0)
				continue; /* a default route among several peers: left alone */
			if ((int)mtu >= if_mtu && mtu == t[k].mtu)
				mtu = (unsigned)if_mtu; /* the lock still pins it */
			for (size_t j = 0; j < nr; j++) {
				struct tp_action a = { .kind = TP_ROUTE_REPLACE, .peer = (int)k };

				if (!wgm_prefix_eq(&routes[j].dst, pre) ||
				    routes[j].table == RT_TABLE_LOCAL_ID)
					continue;
				found = true;
				if (routes[j].mtu == mtu && routes[j].mtu_locked)
					continue;
				a.r = routes[j];
				a.r.mtu = mtu;
				a.r.mtu_locked = true;
				push(out, max, &n, &a);
			}
			if (!found) {
				struct tp_action a = { .kind = TP_ROUTE_ADD, .peer = (int)k };

				a.r.dst = *pre;
				a.r.table = RT_TABLE_MAIN_ID;
				a.r.protocol = RT_PROTO_STATIC_ID;
				a.r.scope = RT_SCOPE_LINK_ID;
				a.r.type = 1; /* RTN_UNICAST */
				a.r.mtu = mtu;
				a.r.mtu_locked = true;
				covering_src(routes, nr, pre, &a.r);
				push(out, max, &n, &a);
			}
		}
	}
	return n;
}

void tp_undo(const struct tp_action *a, const struct tp_route *routes, size_t nr,
	     int if_mtu, struct tp_action *undo)
{
	*undo = *a;
	switch (a->kind) {
	case TP_ROUTE_ADD:
		undo->kind = TP_ROUTE_DEL;
		break;
	case TP_ROUTE_DEL:
		undo->kind = TP_ROUTE_ADD;
		break;
	case TP_ROUTE_REPLACE:
		for (size_t j = 0; j < nr; j++)
			if (wgm_prefix_eq(&routes[j].dst, &a->r.dst) &&
			    routes[j].table == a->r.table &&
			    routes[j].priority == a->r.priority) {
				undo->r = routes[j];
				break;
			}
		break;
	case TP_LINK_MTU:
		undo->mtu = (unsigned)if_mtu;
		break;
	}
}

/* ------------------------------------------------------------ commands */

struct sbuf {
	char *p;
	size_t n, off;
	bool err;
};

static void sb(struct sbuf *s, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void sb(struct sbuf *s, const char *fmt, ...)
{
	va_list ap;
	int k;

	if (s->err)
		return;
	va_start(ap, fmt);
	k = vsnprintf(s->p + s->off, s->n - s->off, fmt, ap);
	va_end(ap);
	if (k < 0 || (size_t)k >= s->n - s->off)
		s->err = true;
	else
		s->off += (size_t)k;
}

static const char *table_name(uint32_t t, char *buf, size_t n)
{
	if (t == RT_TABLE_MAIN_ID)
		return "main";
	if (t == RT_TABLE_LOCAL_ID)
		return "local";
	snprintf(buf, n, "%u", t);
	return buf;
}

static const char *proto_name(uint8_t p, char *buf, size_t n)
{
	switch (p) {
	case RT_PROTO_KERNEL_ID: return "kernel";
	case RT_PROTO_BOOT_ID: return "boot";
	case RT_PROTO_STATIC_ID: return "static";
	}
	snprintf(buf, n, "%u", p);
	return buf;
}

static const char *scope_name(uint8_t s, char *buf, size_t n)
{
	switch (s) {
	case RT_SCOPE_UNIVERSE_ID: return "global";
	case RT_SCOPE_LINK_ID: return "link";
	case RT_SCOPE_HOST_ID: return "host";
	}
	snprintf(buf, n, "%u", s);
	return buf;
}

static const char *addr_str(int family, const uint8_t *a, char *buf, size_t n)
{
	struct wgm_prefix p = { .family = family, .len = 0 };
	char *slash;

	memcpy(p.addr, a, sizeof(p.addr));
	wgm_prefix_fmt(&p, buf, n);
	slash = strchr(buf, '/');
	if (slash)
		*slash = 0;
	return buf;
}

int tp_format(const struct tp_action *a, const char *ifname, char *buf, size_t n)
{
	struct sbuf s = { .p = buf, .n = n };
	char pre[64], tb[16], pb[16], scb[16], src[64];
	const struct tp_route *r = &a->r;

	if (!n)
		return -ENOSPC;
	buf[0] = 0;
	if (a->kind == TP_LINK_MTU) {
		sb(&s, "ip link set dev %s mtu %u", ifname, a->mtu);
		return s.err ? -ENOSPC : (int)s.off;
	}
	sb(&s, "ip %sroute %s %s dev %s table %s", r->dst.family == AF_INET6 ? "-6 " : "",
	   a->kind == TP_ROUTE_REPLACE ? "replace" : a->kind == TP_ROUTE_ADD ? "add" : "del",
	   wgm_prefix_fmt(&r->dst, pre, sizeof(pre)), ifname,
	   table_name(r->table, tb, sizeof(tb)));
	if (r->has_gateway)
		sb(&s, " via %s", addr_str(r->dst.family, r->gateway, src, sizeof(src)));
	if (r->priority)
		sb(&s, " metric %u", r->priority);
	if (a->kind != TP_ROUTE_DEL) {
		sb(&s, " proto %s scope %s", proto_name(r->protocol, pb, sizeof(pb)),
		   scope_name(r->scope, scb, sizeof(scb)));
		if (r->has_prefsrc)
			sb(&s, " src %s", addr_str(r->dst.family, r->prefsrc, src, sizeof(src)));
		if (r->pref && r->dst.family == AF_INET6)
			sb(&s, " pref %s", r->pref == 1 ? "high" : r->pref == 3 ? "low" : "medium");
		if (r->mtu)
			sb(&s, " mtu %s%u", r->mtu_locked ? "lock " : "", r->mtu);
	}
	return s.err ? -ENOSPC : (int)s.off;
}

void tp_nft_table(const char *ifname, char *buf, size_t n)
{
	size_t k = 0;

	k = (size_t)snprintf(buf, n, "wgmtu_");
	for (const char *c = ifname; *c && k + 1 < n; c++, k++) {
		bool ok = (*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z') ||
			  (*c >= '0' && *c <= '9') || *c == '_';

		buf[k] = ok ? *c : '_';
	}
	if (k < n)
		buf[k] = 0;
}

int tp_nft_script(const char *ifname, const struct tp_target *t, size_t nt,
		  bool replace, char *buf, size_t n)
{
	struct sbuf s = { .p = buf, .n = n };
	char tab[40], pre[64];

	if (!n)
		return -ENOSPC;
	tp_nft_table(ifname, tab, sizeof(tab));
	if (replace)
		sb(&s, "add table inet %s\ndelete table inet %s\n", tab, tab);
	sb(&s, "table inet %s {\n"
	       "\tchain mss {\n"
	       "\t\ttype filter hook forward priority mangle; policy accept;\n"
	       "\t\toifname \"%s\" tcp flags & (syn | rst) == syn tcp option maxseg size set rt mtu\n",
	   tab, ifname);
	for (size_t k = 0; k < nt; k++) {
		const struct wgm_peer *p = t[k].peer;

		if (!t[k].mtu)
			continue;
		for (int fam = AF_INET; fam; fam = fam == AF_INET ? AF_INET6 : 0) {
			unsigned mss = (unsigned)ovh_mss((int)fam_mtu(fam, t[k].mtu),
							 fam == AF_INET ? OVH_IPV4 : OVH_IPV6);
			bool any = false;

			for (size_t i = 0; i < p->n_allowed; i++) {
				if (p->allowed[i].family != fam)
					continue;
				if (!any)
					sb(&s, "\t\tiifname \"%s\" %s saddr { ", ifname,
					   fam == AF_INET ? "ip" : "ip6");
				else
					sb(&s, ", ");
				sb(&s, "%s", wgm_prefix_fmt(&p->allowed[i], pre, sizeof(pre)));
				any = true;
			}
			if (any)
				sb(&s, " } tcp flags & (syn | rst) == syn "
				       "tcp option maxseg size > %u tcp option maxseg size set %u\n",
				   mss, mss);
		}
	}
	sb(&s, "\t}\n}\n");
	return s.err ? -ENOSPC : (int)s.off;
}

int tp_nft_delete_script(const char *ifname, char *buf, size_t n)
{
	char tab[40];
	int k;

	tp_nft_table(ifname, tab, sizeof(tab));
	k = snprintf(buf, n, "delete table inet %s\n", tab);
	return k < 0 || (size_t)k >= n ? -ENOSPC : k;
}

/* ------------------------------------------------------ nft JSON API */

static void js_table_cmd(struct json *j, const char *verb, const char *tab)
{
	json_obj_begin(j);
	json_key(j, verb);
	json_obj_begin(j);
	json_key(j, "table");
	json_obj_begin(j);
	json_kstr(j, "family", "inet");
	json_kstr(j, "name", tab);
	json_obj_end(j);
	json_obj_end(j);
	json_obj_end(j);
}

static void js_match(struct json *j, const char *op)
{
	json_obj_begin(j);
	json_key(j, "match");
	json_obj_begin(j);
	json_kstr(j, "op", op);
	json_key(j, "left");
}

static void js_match_end(struct json *j)
{
	json_obj_end(j);
	json_obj_end(j);
}

static void js_meta_is(struct json *j, const char *key, const char *val)
{
	js_match(j, "==");
	json_obj_begin(j);
	json_key(j, "meta");
	json_obj_begin(j);
	json_kstr(j, "key", key);
	json_obj_end(j);
	json_obj_end(j);
	json_kstr(j, "right", val);
	js_match_end(j);
}

/* tcp flags & (syn | rst) == syn: SYN and SYN-ACK, not RST */
static void js_syn(struct json *j)
{
	js_match(j, "==");
	json_obj_begin(j);
	json_key(j, "&");
	json_arr_begin(j);
	json_obj_begin(j);
	json_key(j, "payload");
	json_obj_begin(j);
	json_kstr(j, "protocol", "tcp");
	json_kstr(j, "field", "flags");
	json_obj_end(j);
	json_obj_end(j);
	json_arr_begin(j);
	json_str(j, "syn");
	json_str(j, "rst");
	json_arr_end(j);
	json_arr_end(j);
	json_obj_end(j);
	json_kstr(j, "right", "syn");
	js_match_end(j);
}

static void js_maxseg(struct json *j)
{
	json_obj_begin(j);
	json_key(j, "tcp option");
	json_obj_begin(j);
	json_kstr(j, "name", "maxseg");
	json_kstr(j, "field", "size");
	json_obj_end(j);
	json_obj_end(j);
}

static void js_rule_begin(struct json *j, const char *tab)
{
	json_obj_begin(j);
	json_key(j, "add");
	json_obj_begin(j);
	json_key(j, "rule");
	json_obj_begin(j);
	json_kstr(j, "family", "inet");
	json_kstr(j, "table", tab);
	json_kstr(j, "chain", "mss");
	json_key(j, "expr");
	json_arr_begin(j);
}

static void js_rule_end(struct json *j)
{
	json_arr_end(j);
	json_obj_end(j);
	json_obj_end(j);
	json_obj_end(j);
}

int tp_nft_json(const char *ifname, const struct tp_target *t, size_t nt,
		bool replace, bool pretty, FILE *f)
{
	struct json j;
	char tab[40], a[64];

	tp_nft_table(ifname, tab, sizeof(tab));
	json_init(&j, f, pretty);
	json_obj_begin(&j);
	json_key(&j, "nftables");
	json_arr_begin(&j);
	if (replace) {
		js_table_cmd(&j, "add", tab);
		js_table_cmd(&j, "delete", tab);
	}
	js_table_cmd(&j, "add", tab);
	/* chain mss: type filter hook forward priority mangle (-150) */
	json_obj_begin(&j);
	json_key(&j, "add");
	json_obj_begin(&j);
	json_key(&j, "chain");
	json_obj_begin(&j);
	json_kstr(&j, "family", "inet");
	json_kstr(&j, "table", tab);
	json_kstr(&j, "name", "mss");
	json_kstr(&j, "type", "filter");
	json_kstr(&j, "hook", "forward");
	json_kint(&j, "prio", -150);
	json_kstr(&j, "policy", "accept");
	json_obj_end(&j);
	json_obj_end(&j);
	json_obj_end(&j);
	/* oifname IF syn: tcp option maxseg size set rt mtu */
	js_rule_begin(&j, tab);
	js_meta_is(&j, "oifname", ifname);
	js_syn(&j);
	json_obj_begin(&j);
	json_key(&j, "mangle");
	json_obj_begin(&j);
	json_key(&j, "key");
	js_maxseg(&j);
	json_key(&j, "value");
	json_obj_begin(&j);
	json_key(&j, "rt");
	json_obj_begin(&j);
	json_kstr(&j, "key", "mtu");
	json_obj_end(&j);
	json_obj_end(&j);
	json_obj_end(&j);
	json_obj_end(&j);
	js_rule_end(&j);
	/* iifname IF ip[6] saddr { peer's prefixes } syn maxseg > M: set M */
	for (size_t k = 0; k < nt; k++) {
		const struct wgm_peer *p = t[k].peer;

		if (!t[k].mtu)
			continue;
		for (int fam = AF_INET; fam; fam = fam == AF_INET ? AF_INET6 : 0) {
			unsigned mss = (unsigned)ovh_mss((int)fam_mtu(fam, t[k].mtu),
							 fam == AF_INET ? OVH_IPV4 : OVH_IPV6);
			bool any = false;

			for (size_t i = 0; i < p->n_allowed; i++)
				any |= p->allowed[i].family == fam;
			if (!any)
				continue;
			js_rule_begin(&j, tab);
			js_meta_is(&j, "iifname", ifname);
			js_match(&j, "==");
			json_obj_begin(&j);
			json_key(&j, "payload");
			json_obj_begin(&j);
			json_kstr(&j, "protocol", fam == AF_INET ? "ip" : "ip6");
			json_kstr(&j, "field", "saddr");
			json_obj_end(&j);
			json_obj_end(&j);
			json_key(&j, "right");
			json_obj_begin(&j);
			json_key(&j, "set");
			json_arr_begin(&j);
			for (size_t i = 0; i < p->n_allowed; i++) {
				if (p->allowed[i].family != fam)
					continue;
				json_obj_begin(&j);
				json_key(&j, "prefix");
				json_obj_begin(&j);
				json_kstr(&j, "addr", addr_str(fam, p->allowed[i].addr, a, sizeof(a)));
				json_kint(&j, "len", p->allowed[i].len);
				json_obj_end(&j);
				json_obj_end(&j);
			}
			json_arr_end(&j);
			json_obj_end(&j);
			js_match_end(&j);
			js_syn(&j);
			js_match(&j, ">");
			js_maxseg(&j);
			json_kint(&j, "right", mss);
			js_match_end(&j);
			json_obj_begin(&j);
			json_key(&j, "mangle");
			json_obj_begin(&j);
			json_key(&j, "key");
			js_maxseg(&j);
			json_kint(&j, "value", mss);
			json_obj_end(&j);
			json_obj_end(&j);
			js_rule_end(&j);
		}
	}
	json_arr_end(&j);
	json_obj_end(&j);
	json_end(&j);
	return ferror(f) ? -EIO : 0;
}

int tp_nft_delete_json(const char *ifname, bool pretty, FILE *f)
{
	struct json j;
	char tab[40];

	tp_nft_table(ifname, tab, sizeof(tab));
	json_init(&j, f, pretty);
	json_obj_begin(&j);
	json_key(&j, "nftables");
	json_arr_begin(&j);
	js_table_cmd(&j, "delete", tab);
	json_arr_end(&j);
	json_obj_end(&j);
	json_end(&j);
	return ferror(f) ? -EIO : 0;
}
