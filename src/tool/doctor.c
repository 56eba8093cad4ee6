// SPDX-License-Identifier: MIT
/*
 * wgmtu doctor [IFACE]: a read-only check of every WireGuard interface on
 * the host, whatever implementation serves it. The device model comes
 * from `wg show all dump` (wgdump.c), each peer is measured with DF echoes
 * (tune_measure.c: inside the tunnel to a tunnel address of the peer, or
 * to its endpoint outside), the verdict and the MTUs to use come from the
 * pure judge (tune_plan.c).
 */
#include <errno.h>
#include <getopt.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "common/json.h"
#include "common/util.h"
#include "pmtu/overhead.h"
#include "tool/doctor.h"
#include "tool/tool.h"
#include "tool/tune_measure.h"
#include "tool/tune_plan.h"
#include "tool/tune_sys.h"
#include "tool/uapi_io.h"
#include "uapi/uapi_client.h"

static const char doctor_usage[] =
"Usage: wgmtu doctor [options] [IFACE]\n"
"\n"
"Checks every WireGuard interface on this host (or IFACE), whatever serves\n"
"it (the Linux kernel, wireguard-go, boringtun, wgmtud): measures each\n"
"peer's path MTU with DF echoes and says whether the interface MTU fits\n"
"(ok), makes large packets vanish (black hole) or does not fit (at risk),\n"
"with the MTU = line to use. Changes nothing; `wgmtu tune` applies it.\n"
"\n"
"Options:\n"
"  -m, --method M     auto (default): inside the tunnel to a tunnel address\n"
"                     of the peer (a /32 or /128 allowed IP), else to its\n"
"                     endpoint outside; tunnel; endpoint; none (no probes)\n"
"  -a, --all          probe idle peers too (no handshake for 3 minutes: no\n"
"                     session; probing makes one)\n"
"  -t, --timeout SEC  per peer (default 10)\n"
"  -j, --json         machine-readable output on one line (keys in\n"
"                     wgmtu-doctor(1))\n"
"      --pretty       the same JSON indented (implies --json)\n"
"  -h, --help         this text\n"
"\n"
"Exit status: 0 healthy, 1 a problem found (black hole, at risk),\n"
"2 usage error, 3 could not measure (no interface, no permission, no\n"
"reply from a peer).\n";

static void key_short(const char *k, char *buf, size_t n)
{
	snprintf(buf, n, "%.8s...", k);
}

static int measure_peer(struct doctor_peer *dp, const struct doctor_opts *o, int if_mtu)
{
	const struct wgm_peer *p = dp->peer;
	const struct wgm_prefix *host = wgm_peer_host(p, 0);
	struct tmeas t;
	int r;

	dp->m.outer_family = p->has_endpoint ? p->endpoint.ss_family : AF_INET;
	if (o->method == DOCTOR_M_NONE)
		return 0;
	if (host && o->method != DOCTOR_M_ENDPOINT) {
		struct sockaddr_storage ss = { 0 };
		unsigned base = host->family == AF_INET6 ? 1280 : 1200;

		ss.ss_family = (sa_family_t)host->family;
		if (host->family == AF_INET)
			memcpy(&((struct sockaddr_in *)&ss)->sin_addr, host->addr, 4);
		else
			memcpy(&((struct sockaddr_in6 *)&ss)->sin6_addr, host->addr, 16);
		dp->probe_addr = *host;
		dp->have_probe_addr = true;
		r = tm_open(&t, &ss, base, (unsigned)if_mtu, 0, 0);
		if (r == -EACCES)
			return r;
		if (r == 0) {
			uint64_t t0 = now_ms();

			r = tm_measure(&t, o->timeout_s * 1000);
			dp->ms = now_ms() - t0;
			if (r == 0 && tm_complete(&t)) {
				dp->m.method = TP_M_TUNNEL;
				dp->m.size = tm_result(&t);
				dp->m.max = (unsigned)if_mtu;
				dp->m.too_big = tm_too_big(&t);
				dp->m.black_hole = tm_black_hole(&t);
				dp->ptb_seen = t.ptb_seen;
				dp->probes += t.eng.st.probes_sent;
			} else {
				dp->probes += t.eng.st.probes_sent;
				dp->tunnel_failed = true;
			}
			tm_close(&t);
		}
		if (dp->m.method || o->method == DOCTOR_M_TUNNEL)
			return 0;
	}
	if (p->has_endpoint && o->method != DOCTOR_M_TUNNEL) {
		unsigned max = dp->outer_route_mtu > 0 ? (unsigned)dp->outer_route_mtu : 1500;
		unsigned base = p->endpoint.ss_family == AF_INET6 ? 1280 : 1200;

		dp->have_probe_addr = false;
		r = tm_open(&t, &p->endpoint, base, max, 0, 0);
		if (r == -EACCES)
			return r;
		if (r == 0) {
			uint64_t t0 = now_ms();

			r = tm_measure(&t, o->timeout_s * 1000);
			dp->ms = now_ms() - t0;
			dp->probes += t.eng.st.probes_sent;
			if (r == 0 && tm_complete(&t)) {
				dp->m.method = TP_M_ENDPOINT;
				dp->m.size = tm_result(&t);
				dp->m.max = max;
				dp->m.too_big = tm_too_big(&t);
				dp->m.black_hole = tm_black_hole(&t);
				dp->ptb_seen = t.ptb_seen;
			}
			tm_close(&t);
		}
	}
	return 0;
}

/* A string key of a peer's section into buf ("?" when absent). */
static void copy_key(char *buf, size_t n, const struct uapi_section *s, const char *key)
{
	const char *v = uapi_get(s, key);

	snprintf(buf, n, "%s", v ? v : "?");
}

static void wgmtud_peer(struct doctor_peer *dp, const struct uapi_reply *r)
{
	char hex[2 * UAPI_KEY_LEN + 1];
	uint8_t k[UAPI_KEY_LEN];

	if (uapi_key_from_base64(dp->peer->pubkey, k) < 0)
		return;
	uapi_key_to_hex(k, hex);
	for (size_t i = 0; i < r->n_peers; i++) {
		uint64_t v;

		if (memcmp(r->peers[i].public_key, k, UAPI_KEY_LEN))
			continue;
		if (uapi_get_u64(&r->peers[i].s, "wgmtu_path_mtu", &v) == 0)
			dp->wgmtud_path_mtu = (unsigned)v;
		if (uapi_get_u64(&r->peers[i].s, "wgmtu_effective_mtu", &v) == 0)
			dp->wgmtud_effective_mtu = (unsigned)v;
		copy_key(dp->wgmtud_state, sizeof(dp->wgmtud_state), &r->peers[i].s, "wgmtu_state");
		copy_key(dp->wgmtud_method, sizeof(dp->wgmtud_method), &r->peers[i].s, "wgmtu_method");
	}
}

bool doctor_wgmtud_guards(const char *method, const char *state)
{
	static const char *const methods[] = { "inband", "icmp-tunnel", "icmp-endpoint" };
	static const char *const states[] = { "base", "searching", "search_complete" };
	bool m = false, s = false;

	if (!method || !state)
		return false;
	for (size_t i = 0; i < sizeof(methods) / sizeof(methods[0]); i++)
		m |= !strcmp(method, methods[i]);
	for (size_t i = 0; i < sizeof(states) / sizeof(states[0]); i++)
		s |= !strcmp(state, states[i]);
	return m && s;
}

static void check_iface(struct doctor_iface *di, const struct doctor_opts *o)
{
	const struct wgm_iface *ifc = di->ifc;
	struct uapi_reply ur = { 0 };
	bool have_ur = false;
	uint64_t now = (uint64_t)time(NULL);

	di->mtu = sys_if_mtu(ifc->name);
	if (di->mtu < 0) {
		di->absent = true;
		return;
	}
	di->impl = sys_wg_impl(ifc->name);
	if (di->impl == SYS_IMPL_WGMTUD) {
		char *reply = NULL;
		size_t len = 0;

		if (uapi_transact(ifc->name, "get=1\n\n", 7, uapi_timeout_ms(), &reply, &len) == 0) {
			have_ur = uapi_reply_parse(reply, len, &ur, NULL, 0) == 0;
			if (have_ur) {
				const char *pv = uapi_get(&ur.dev, "wgmtu_probe");

				di->wgmtud_probe_off = pv && !strcmp(pv, "off");
			}
			explicit_bzero(reply, len);
			free(reply);
		}
	}
	for (size_t i = 0; i < ifc->n_peers; i++) {
		struct doctor_peer *dp = &di->peers[i];
		const struct wgm_prefix *host;
		dp->peer = &ifc->peers[i];
		dp->eff_mtu = (unsigned)di->mtu;
		host = wgm_peer_host(dp->peer, 0);
		if (host) {
			struct sockaddr_storage ss = { 0 };
			int m;

			ss.ss_family = (sa_family_t)host->family;
			if (host->family == AF_INET)
				memcpy(&((struct sockaddr_in *)&ss)->sin_addr, host->addr, 4);
			else
				memcpy(&((struct sockaddr_in6 *)&ss)->sin6_addr, host->addr, 16);
			m = sys_route_mtu(&ss);
			if (m > 0 && m < di->mtu)
				dp->eff_mtu = (unsigned)m;
		}
		if (dp->peer->has_endpoint) {
			dp->outer_route_mtu = sys_route_mtu(&dp->peer->endpoint);
			if (dp->outer_route_mtu < 0)
				dp->outer_route_mtu = 0;
		}
		if (di->impl == SYS_IMPL_WGMTUD) {
			/* without its reply, or for a peer it does not guard,
			 * doctor measures as for any WireGuard peer */
			if (have_ur)
				wgmtud_peer(dp, &ur);
			if (have_ur && doctor_wgmtud_guards(dp->wgmtud_method, dp->wgmtud_state)) {
				dp->served = true;
				dp->verdict.v = TP_OK;
				continue;
			}
			dp->wgmtud_unguarded = true;
			/* wgmtud applies its per-peer MTU (a pinned one) itself */
			if (dp->wgmtud_effective_mtu && dp->wgmtud_effective_mtu < dp->eff_mtu)
				dp->eff_mtu = dp->wgmtud_effective_mtu;
		}
		/* a handshake "in the future" (clock stepped back) is recent */
		if (!o->all && o->method != DOCTOR_M_NONE &&
		    (!dp->peer->handshake ||
		     (now > dp->peer->handshake && now - dp->peer->handshake > DOCTOR_IDLE_S))) {
			dp->idle = true;
			dp->idle_s = dp->peer->handshake && now > dp->peer->handshake ?
				     now - dp->peer->handshake : 0;
			dp->verdict.v = TP_UNKNOWN;
			continue;
		}
		if (!dp->peer->has_endpoint && !wgm_peer_host(dp->peer, 0)) {
			dp->verdict.v = TP_UNKNOWN;
			continue;
		}
		if (measure_peer(dp, o, di->mtu) == -EACCES) {
			di->no_permission = true;
			dp->verdict.v = TP_UNKNOWN;
			continue;
		}
		tp_judge(&dp->m, dp->eff_mtu, (unsigned)dp->outer_route_mtu, &dp->verdict);
	}
	if (have_ur)
		uapi_reply_free(&ur);
}

static const char *endpoint_str(const struct wgm_peer *p, char *buf, size_t n)
{
	char a[INET6_ADDRSTRLEN];

	if (!p->has_endpoint) {
		snprintf(buf, n, "(none)");
		return buf;
	}
	pnet_ntop(&p->endpoint, a, sizeof(a));
	if (p->endpoint.ss_family == AF_INET6)
		snprintf(buf, n, "[%s]:%u", a, ntohs(((const struct sockaddr_in6 *)&p->endpoint)->sin6_port));
	else
		snprintf(buf, n, "%s:%u", a, ntohs(((const struct sockaddr_in *)&p->endpoint)->sin_port));
	return buf;
}

static const char *addr_only(const struct wgm_prefix *p, char *buf, size_t n)
{
	char *slash;

	wgm_prefix_fmt(p, buf, n);
	slash = strchr(buf, '/');
	if (slash)
		*slash = 0;
	return buf;
}

static void print_text(const struct doctor_run *d)
{
	for (size_t i = 0; i < d->n_ifs; i++) {
		const struct doctor_iface *di = &d->ifs[i];

		if (di->absent) {
			printf("interface %s: not in this network namespace (skipped)\n", di->ifc->name);
			continue;
		}
		printf("interface %s (%s%s), MTU %d, %zu peer%s\n", di->ifc->name,
		       sys_impl_name(di->impl),
		       di->impl == SYS_IMPL_USERSPACE ? ": wireguard-go, boringtun or another UAPI server" :
		       di->impl == SYS_IMPL_WGMTUD ? ": path MTU discovery built in" : " module",
		       di->mtu, di->ifc->n_peers, di->ifc->n_peers == 1 ? "" : "s");
		printf("  TCP MSS clamp  %s\n", d->mss_clamp > 0 ? "found in the firewall rules" :
		       d->mss_clamp == 0 ? "none (nftables/iptables)" : "unknown (cannot read the rules)");
		for (size_t k = 0; k < di->ifc->n_peers; k++) {
			const struct doctor_peer *dp = &di->peers[k];
			const struct tp_verdict *v = &dp->verdict;
			int fam = dp->m.outer_family == AF_INET6 ? 6 : 4;
			char key[16], ep[80], a[64];

			key_short(dp->peer->pubkey, key, sizeof(key));
			printf("  peer %s  endpoint %s", key, endpoint_str(dp->peer, ep, sizeof(ep)));
			if (dp->outer_route_mtu)
				printf(" (IPv%d, outer route MTU %d)", fam, dp->outer_route_mtu);
			printf("\n");
			if (dp->served) {
				if (dp->wgmtud_path_mtu)
					printf("    wgmtud       serves this peer: path MTU %u, effective MTU %u (%s)\n",
					       dp->wgmtud_path_mtu, dp->wgmtud_effective_mtu, dp->wgmtud_state);
				else /* no session yet, searching, probing off or pinned */
					printf("    wgmtud       serves this peer: path MTU not measured (%s), "
					       "effective MTU %u\n", dp->wgmtud_state, dp->wgmtud_effective_mtu);
				printf("    verdict      ok (see wgmtu show %s)\n", di->ifc->name);
				continue;
			}
			if (dp->wgmtud_unguarded) {
				if (dp->wgmtud_method[0])
					printf("    wgmtud       does not guard this peer (method %s, state %s, "
					       "effective MTU %u): measured like any peer\n",
					       dp->wgmtud_method, dp->wgmtud_state, dp->wgmtud_effective_mtu);
				else
					printf("    wgmtud       did not describe this peer: measured like any peer\n");
			}
			if (dp->m.method == TP_M_TUNNEL)
				printf("    measured     %u-byte packets cross the tunnel both ways "
				       "(DF echo to %s, %.1f s)\n", dp->m.size,
				       addr_only(&dp->probe_addr, a, sizeof(a)), (double)dp->ms / 1000.0);
			else if (dp->m.method == TP_M_ENDPOINT)
				printf("    measured     path MTU %u to the endpoint (DF echo outside the "
				       "tunnel, %.1f s)\n", dp->m.size, (double)dp->ms / 1000.0);
			else if (dp->idle && dp->idle_s)
				printf("    measured     not probed: idle, last handshake %llu s ago "
				       "(--all probes it)\n", (unsigned long long)dp->idle_s);
			else if (dp->idle)
				printf("    measured     not probed: idle, no handshake yet (--all probes it)\n");
			else if (d->opts.method == DOCTOR_M_NONE)
				printf("    measured     not probed (--method none)\n");
			else
				printf("    measured     no reply to DF echoes %s within %u s\n",
				       dp->have_probe_addr ? "inside the tunnel" : "at the endpoint",
				       d->opts.timeout_s);
			if (v->path_lo && v->path_hi && v->path_hi != v->path_lo)
				printf("    path MTU     %u..%u bytes outside the tunnel%s\n", v->path_lo,
				       v->path_hi, v->padding ? " (WireGuard pads to 16 bytes)" : "");
			else if (v->path_lo && dp->m.too_big)
				printf("    path MTU     %u bytes outside the tunnel\n", v->path_lo);
			else if (v->path_lo)
				printf("    path MTU     at least %u bytes outside the tunnel\n", v->path_lo);
			printf("    MTU in use   %u (%s)\n", dp->eff_mtu,
			       dp->eff_mtu < (unsigned)di->mtu ? "route" : "interface");
			switch (v->v) {
			case TP_OK:
				printf("    verdict      ok\n");
				break;
			case TP_BLACK_HOLE:
				printf("    verdict      BLACK HOLE: packets of %u bytes (the MTU in use) "
				       "vanish and no ICMP\n                 \"%s\" comes back; "
				       "TCP stalls on large transfers\n", dp->eff_mtu,
				       fam == 6 ? "packet too big" : "fragmentation needed");
				break;
			case TP_AT_RISK:
				printf("    verdict      AT RISK: MTU %u + %d bytes of WireGuard over IPv%d "
				       "exceed the path\n", dp->eff_mtu,
				       ovh_wg_overhead(fam == 6 ? OVH_IPV6 : OVH_IPV4), fam);
				break;
			case TP_UNKNOWN:
				printf("    verdict      %s\n", dp->idle ? "idle (not checked)" :
				       "unknown: could not measure");
				break;
			}
			if ((v->v == TP_BLACK_HOLE || v->v == TP_AT_RISK) && dp->wgmtud_unguarded) {
				/* tune leaves a wgmtud alone: wgmtud itself is the fix */
				if (!strcmp(dp->wgmtud_method, "pinned"))
					printf("    fix          wgmtu set %s peer %s mtu %u (the pinned MTU is too "
					       "large), or mtu auto to let wgmtud find it\n",
					       di->ifc->name, dp->peer->pubkey, v->mtu_line);
				else
					printf("    fix          let wgmtud find it: wgmtu set %s%s peer %s probe auto\n",
					       di->ifc->name, di->wgmtud_probe_off ? " probe on" : "",
					       dp->peer->pubkey);
				printf("                 or MTU = %u in [Interface] on both ends%s\n",
				       v->mtu_line, v->padding ? " (a padding peer: a multiple of 16)" : "");
			} else if (v->v == TP_BLACK_HOLE || v->v == TP_AT_RISK) {
				printf("    fix          MTU = %u in [Interface] on both ends%s\n",
				       v->mtu_line, v->padding ? " (a padding peer: a multiple of 16)" : "");
				printf("                 or, on this host only: wgmtu tune %s "
				       "(routes with mtu lock %u, MSS clamp)\n", di->ifc->name,
				       v->route_mtu);
			}
		}
	}
}

static void print_json(const struct doctor_run *d, int rc, bool pretty)
{
	struct json j;

	json_init(&j, stdout, pretty);
	json_obj_begin(&j);
	json_kstr(&j, "verdict", rc == EXIT_OK ? "ok" : rc == EXIT_PROBLEM ? "problem" : "unknown");
	if (d->mss_clamp < 0)
		json_knull(&j, "mss_clamp");
	else
		json_kbool(&j, "mss_clamp", d->mss_clamp > 0);
	json_key(&j, "interfaces");
	json_arr_begin(&j);
	for (size_t i = 0; i < d->n_ifs; i++) {
		const struct doctor_iface *di = &d->ifs[i];

		json_obj_begin(&j);
		json_kstr(&j, "name", di->ifc->name);
		json_kbool(&j, "present", !di->absent);
		json_kstr(&j, "implementation", di->absent ? NULL : sys_impl_name(di->impl));
		if (di->absent)
			json_knull(&j, "mtu");
		else
			json_kint(&j, "mtu", di->mtu);
		json_kint(&j, "listen_port", di->ifc->listen_port);
		json_kbool(&j, "wgmtud", di->impl == SYS_IMPL_WGMTUD);
		json_key(&j, "peers");
		json_arr_begin(&j);
		for (size_t k = 0; !di->absent && k < di->ifc->n_peers; k++) {
			const struct doctor_peer *dp = &di->peers[k];
			const struct tp_verdict *v = &dp->verdict;
			char ep[80], a[64];

#define KUINT(name, val) do { if (val) json_kint(&j, name, (long long)(val)); else json_knull(&j, name); } while (0)
			json_obj_begin(&j);
			json_kstr(&j, "public_key", dp->peer->pubkey);
			json_kstr(&j, "endpoint", dp->peer->has_endpoint ? endpoint_str(dp->peer, ep, sizeof(ep)) : NULL);
			json_kstr(&j, "outer_family", dp->peer->has_endpoint ?
				  (dp->peer->endpoint.ss_family == AF_INET6 ? "ipv6" : "ipv4") : NULL);
			KUINT("outer_route_mtu", dp->outer_route_mtu);
			json_kint(&j, "mtu_in_use", dp->eff_mtu);
			json_kstr(&j, "method", dp->served ? "wgmtud" : dp->m.method == TP_M_TUNNEL ? "tunnel" :
				  dp->m.method == TP_M_ENDPOINT ? "endpoint" : NULL);
			json_kstr(&j, "probe_address", dp->m.method == TP_M_TUNNEL ?
				  addr_only(&dp->probe_addr, a, sizeof(a)) : NULL);
			KUINT("measured", dp->m.size);
			KUINT("too_big_size", dp->m.too_big);
			json_kbool(&j, "black_hole", dp->m.black_hole && dp->m.too_big);
			json_kbool(&j, "ptb_seen", dp->ptb_seen);
			KUINT("path_mtu_min", v->path_lo);
			KUINT("path_mtu_max", v->path_hi);
			json_kbool(&j, "padding", v->padding);
			json_kstr(&j, "verdict", dp->idle ? "idle" : tp_verdict_name(v->v));
			json_kbool(&j, "idle", dp->idle);
			KUINT("mtu", v->mtu_line);
			KUINT("route_mtu", v->route_mtu);
			KUINT("wgmtud_path_mtu", dp->wgmtud_path_mtu);
			KUINT("wgmtud_effective_mtu", dp->wgmtud_effective_mtu);
			json_kstr(&j, "wgmtud_method", dp->wgmtud_method[0] ? dp->wgmtud_method : NULL);
			json_kstr(&j, "wgmtud_state", dp->wgmtud_state[0] ? dp->wgmtud_state : NULL);
			if (di->impl == SYS_IMPL_WGMTUD)
				json_kbool(&j, "wgmtud_guarded", dp->served);
			else
				json_knull(&j, "wgmtud_guarded");
			json_kint(&j, "probes_sent", dp->probes);
			json_kint(&j, "elapsed_ms", (long long)dp->ms);
			json_obj_end(&j);
#undef KUINT
		}
		json_arr_end(&j);
		json_obj_end(&j);
	}
	json_arr_end(&j);
	json_obj_end(&j);
	json_end(&j);
}

int doctor_parse_method(const char *s, enum doctor_method *m)
{
	static const char *names[] = { "auto", "tunnel", "endpoint", "none" };

	for (size_t i = 0; i < ARRAY_SIZE(names); i++)
		if (!strcmp(s, names[i])) {
			*m = (enum doctor_method)i;
			return 0;
		}
	return -EINVAL;
}

int doctor_collect(struct doctor_run *d, const char *only, char *err, size_t err_cap)
{
	int r = wgm_read(&d->model, only, err, err_cap);

	if (r == -ENODEV)
		r = 0; /* not a WireGuard interface: none collected */
	if (r < 0)
		return r;
	d->ifs = calloc(d->model.n_ifs ? d->model.n_ifs : 1, sizeof(*d->ifs));
	if (!d->ifs)
		return -ENOMEM;
	for (size_t i = 0; i < d->model.n_ifs; i++) {
		const struct wgm_iface *ifc = &d->model.ifs[i];
		struct doctor_iface *di;

		if (only && strcmp(only, ifc->name))
			continue;
		di = &d->ifs[d->n_ifs++];
		di->ifc = ifc;
		di->peers = calloc(ifc->n_peers ? ifc->n_peers : 1, sizeof(*di->peers));
		if (!di->peers)
			return -ENOMEM;
	}
	return 0;
}

void doctor_run_free(struct doctor_run *d)
{
	for (size_t i = 0; i < d->n_ifs; i++)
		free(d->ifs[i].peers);
	free(d->ifs);
	wgm_free(&d->model);
	memset(d, 0, sizeof(*d));
}

void doctor_check(struct doctor_run *d)
{
	for (size_t i = 0; i < d->n_ifs; i++)
		check_iface(&d->ifs[i], &d->opts);
}

int cmd_doctor(int argc, char **argv)
{
	static const struct option lo[] = {
		{ "method", required_argument, NULL, 'm' },
		{ "timeout", required_argument, NULL, 't' },
		{ "all", no_argument, NULL, 'a' },
		{ "json", no_argument, NULL, 'j' },
		{ "pretty", no_argument, NULL, 1 },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct doctor_run d = { 0 };
	const char *only = NULL;
	char err[256] = "";
	unsigned long v;
	int c, rc = EXIT_OK, present = 0;
	size_t peers = 0, checked = 0;
	bool json = false, pretty = false, problem = false, unknown = false;

	d.opts.timeout_s = 10;
	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "m:t:ajh", lo, NULL)) != -1) {
		switch (c) {
		case 'a': d.opts.all = true; break;
		case 'm':
			if (doctor_parse_method(optarg, &d.opts.method) < 0) {
				tool_err("doctor", "--method: '%s' is not auto, tunnel, endpoint or none", optarg);
				goto usage;
			}
			break;
		case 't':
			if (parse_ulong(optarg, 1, 600, &v) < 0) {
				tool_err("doctor", "--timeout: '%s' is not a number in 1..600", optarg);
				goto usage;
			}
			d.opts.timeout_s = (unsigned)v;
			break;
		case 'j': json = true; break;
		case 1: json = pretty = true; break;
		case 'h': fputs(doctor_usage, stdout); return EXIT_OK;
		default:
			tool_err("doctor", "unknown or incomplete option '%s'", argv[optind - 1]);
			goto usage;
		}
	}
	if (argc - optind > 1) {
		tool_err("doctor", "one IFACE at most");
		goto usage;
	}
	if (optind < argc) {
		only = argv[optind];
		if (!uapi_ifname_valid(only)) {
			tool_err("doctor", "'%s' is not an interface name", only);
			goto usage;
		}
	}
	if (doctor_collect(&d, only, err, sizeof(err)) < 0) {
		tool_err("doctor", "cannot read the WireGuard interfaces: %s", err[0] ? err : "error");
		doctor_run_free(&d);
		return EXIT_FAILURE_RUN;
	}
	if (only && !d.n_ifs) {
		tool_err("doctor", "%s is not a WireGuard interface (not in 'wg show all dump')%s",
			 only, wgm_root_hint());
		doctor_run_free(&d);
		return EXIT_FAILURE_RUN;
	}
	d.mss_clamp = sys_mss_clamp();
	doctor_check(&d);
	for (size_t i = 0; i < d.n_ifs; i++) {
		if (d.ifs[i].absent)
			continue;
		present++;
		if (d.ifs[i].no_permission)
			tool_err("doctor", "not allowed to send ICMP echo requests (needs root, "
				 "CAP_NET_RAW or net.ipv4.ping_group_range)");
		for (size_t k = 0; k < d.ifs[i].ifc->n_peers; k++) {
			const struct doctor_peer *dp = &d.ifs[i].peers[k];
			enum tp_verdict_kind vk = dp->verdict.v;

			peers++;
			if (dp->idle)
				continue;
			checked++;
			problem |= vk == TP_BLACK_HOLE || vk == TP_AT_RISK;
			unknown |= vk == TP_UNKNOWN;
		}
	}
	/* idle peers count only when they are all there is */
	if (problem)
		rc = EXIT_PROBLEM;
	else if (unknown || !present || (peers && !checked))
		rc = EXIT_FAILURE_RUN;
	if (json)
		print_json(&d, rc, pretty);
	else if (!d.n_ifs)
		printf("No WireGuard interface on this host.\n");
	else
		print_text(&d);
	doctor_run_free(&d);
	return rc;
usage:
	fprintf(stderr, "Try 'wgmtu doctor --help'.\n");
	return EXIT_USAGE;
}
