// SPDX-License-Identifier: MIT
/*
 * wgmtu tune IFACE [--watch] [--dry-run]: applies what doctor finds, per
 * peer, on any WireGuard implementation. The peers' allowed-IPs routes
 * through IFACE get "mtu lock N" (rtnetlink, tune_nl.c), so the kernel
 * answers too-big packets with ICMP and derives the TCP MSS itself; a
 * single full-tunnel peer lowers the interface MTU instead; an nftables
 * table of its own clamps the MSS of forwarded SYNs. The plan is pure
 * (tune_plan.c); this file measures (doctor.c, tune_measure.c), applies,
 * journals what it changed and, with --watch, keeps measuring active
 * peers (those added meanwhile too) and puts everything back on
 * SIGTERM/SIGINT/SIGHUP.
 */
#include <errno.h>
#include <getopt.h>
#include <net/if.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/util.h"
#include "pmtu/overhead.h"
#include "tool/doctor.h"
#include "tool/tool.h"
#include "tool/tune_measure.h"
#include "tool/tune_nl.h"
#include "tool/tune_plan.h"
#include "tool/tune_sys.h"
#include "uapi/uapi_client.h"

static const char tune_usage[] =
"Usage: wgmtu tune [options] IFACE\n"
"\n"
"Applies what `wgmtu doctor` finds on IFACE, per peer, whatever WireGuard\n"
"implementation serves it: each peer's allowed-IPs routes through IFACE get\n"
"\"mtu lock N\" (the kernel then answers too-big packets with ICMP and sizes\n"
"TCP segments itself; a single full-tunnel peer lowers the interface MTU\n"
"instead), and an nftables table of its own (inet wgmtu_IFACE) clamps the\n"
"TCP MSS of forwarded connections. Only this host changes.\n"
"\n"
"Options:\n"
"  -w, --watch          keep going: re-measure on new handshakes, endpoint\n"
"                       changes and every --interval while a peer carries\n"
"                       traffic (idle peers are not probed), follow peers\n"
"                       added meanwhile; on SIGTERM, SIGINT or SIGHUP put\n"
"                       routes, MTU and nftables back\n"
"  -n, --dry-run        measure, then print the exact ip/nft commands\n"
"                       instead of running them\n"
"  -i, --interval SEC   --watch: confirm active peers' MTU this often (default 3)\n"
"      --raise SEC      --watch: look for a larger MTU this often (default 600)\n"
"  -m, --method M       auto (default), tunnel or endpoint (see wgmtu doctor)\n"
"  -t, --timeout SEC    per peer for the first measurement (default 10)\n"
"      --no-mss-clamp   no nftables table\n"
"  -a, --all            measure idle peers too (no handshake for 3 minutes)\n"
"  -q, --quiet          print only changes and errors\n"
"  -h, --help           this text\n"
"\n"
"Without --watch the changes stay until IFACE goes away (wg-quick down) or\n"
"another `wgmtu tune`. Exit status: 0 applied (or nothing to change),\n"
"2 usage error, 3 could not measure or apply (no permission, not a\n"
"WireGuard interface). See wgmtu-tune(1).\n";

struct tune_peer {
	char pubkey[WGM_KEY_B64];
	bool gone;
	bool idle;                      /* no session at the start */
	struct tmeas t;
	bool t_open;
	enum tp_method method;
	struct wgm_prefix probe_addr;   /* TP_M_TUNNEL */
	struct sockaddr_storage endpoint;
	bool has_endpoint;
	int outer_family;
	uint64_t handshake;
	struct tp_activity act;         /* is it carrying traffic? */
	uint64_t active_until;
	unsigned target;                /* route MTU locked, 0: none */
	struct wgm_peer model;          /* copy for the planner (allowed IPs) */
};

struct tune_run {
	const char *ifname;
	int ifindex;
	int if_mtu;                     /* as found */
	bool dry_run, watch, quiet, clamp, all;
	enum doctor_method method;
	unsigned timeout_s, interval_s, raise_s;
	struct tune_peer *peers;
	size_t n_peers;
	/* the journal: how to put back what was changed, oldest first */
	struct tp_action *undo;
	size_t n_undo, cap_undo;
	bool nft_on;
};

static volatile sig_atomic_t stop_sig;

static void on_signal(int sig)
{
	stop_sig = sig;
}

static void say(const struct tune_run *r, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static void say(const struct tune_run *r, const char *fmt, ...)
{
	va_list ap;

	if (r->quiet)
		return;
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	fflush(stdout);
}

static bool same_route(const struct tp_route *a, const struct tp_route *b)
{
	/* a route added without a metric shows IPv6's default (1024) */
	return wgm_prefix_eq(&a->dst, &b->dst) && a->table == b->table &&
	       (a->priority == b->priority || !a->priority || !b->priority);
}

/* The first change of a route (or of the link) is the one to undo. */
static bool journaled(const struct tune_run *r, const struct tp_action *a)
{
	for (size_t i = 0; i < r->n_undo; i++) {
		const struct tp_action *u = &r->undo[i];

		if (a->kind == TP_LINK_MTU ? u->kind == TP_LINK_MTU :
		    u->kind != TP_LINK_MTU && same_route(&u->r, &a->r))
			return true;
	}
	return false;
}

static int journal(struct tune_run *r, const struct tp_action *undo)
{
	if (r->n_undo == r->cap_undo) {
		size_t nc = r->cap_undo ? r->cap_undo * 2 : 16;
		struct tp_action *n = realloc(r->undo, nc * sizeof(*n));

		if (!n)
			return -ENOMEM;
		r->undo = n;
		r->cap_undo = nc;
	}
	r->undo[r->n_undo++] = *undo;
	return 0;
}

static int run_action(struct tune_run *r, const struct tp_action *a)
{
	if (a->kind == TP_LINK_MTU)
		return sys_if_set_mtu(r->ifname, (int)a->mtu);
	return tnl_apply(a, r->ifindex);
}

/* Loads a document through nft's JSON API (one transaction). */
static int nft_load(const char *json)
{
	char *argv[] = { (char *)"nft", (char *)"-j", (char *)"-f", (char *)"-", NULL };
	char *out = NULL;
	int rc = sys_run(argv, json, SYS_RUN_STDERR, &out, NULL);

	if (rc != 0)
		tool_err("tune", "nft -j -f - failed (%d)%s%s", rc, out && *out ? ":\n" : "",
			 out ? out : "");
	free(out);
	return rc == 0 ? 0 : -EIO;
}

/* The table (or its deletion) as nft JSON, in a malloc'd string. */
static char *nft_doc(const struct tune_run *r, const struct tp_target *t, size_t nt,
		     bool del, bool pretty)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	int err;

	if (!f)
		return NULL;
	err = del ? tp_nft_delete_json(r->ifname, pretty, f) :
		    tp_nft_json(r->ifname, t, nt, true, pretty, f);
	if (fclose(f) != 0 || err < 0) {
		free(buf);
		return NULL;
	}
	return buf;
}

static size_t targets(const struct tune_run *r, struct tp_target *t)
{
	size_t n = 0;

	for (size_t i = 0; i < r->n_peers; i++) {
		if (r->peers[i].gone)
			continue;
		t[n].peer = &r->peers[i].model;
		t[n].mtu = r->peers[i].target;
		n++;
	}
	return n;
}

/* Brings the routes (and the nftables table) to the peers' targets. */
static int apply(struct tune_run *r)
{
	struct tp_target *t = calloc(r->n_peers ? r->n_peers : 1, sizeof(*t));
	struct tp_route *routes = NULL;
	size_t nr = 0, nt, na, max;
	struct tp_action *acts = NULL;
	char line[512];
	int err = 0;
	bool any = false;

	if (!t)
		return -ENOMEM;
	nt = targets(r, t);
	err = tnl_routes(r->ifindex, &routes, &nr);
	if (err < 0) {
		tool_err("tune", "cannot read the routes of %s: %s", r->ifname, strerror(-err));
		goto out;
	}
	max = 2 * nr + 4;
	for (size_t i = 0; i < nt; i++)
		max += t[i].peer->n_allowed;
	acts = calloc(max, sizeof(*acts));
	if (!acts) {
		err = -ENOMEM;
		goto out;
	}
	na = tp_plan(sys_if_mtu(r->ifname), t, nt, routes, nr, acts, max);
	for (size_t i = 0; i < na; i++) {
		struct tp_action u;

		tp_format(&acts[i], r->ifname, line, sizeof(line));
		if (r->dry_run) {
			printf("%s\n", line);
			continue;
		}
		tp_undo(&acts[i], routes, nr, sys_if_mtu(r->ifname), &u);
		err = run_action(r, &acts[i]);
		if (err < 0) {
			tool_err("tune", "%s: %s", line, strerror(-err));
			goto out;
		}
		if (!journaled(r, &acts[i]) && (err = journal(r, &u)) < 0)
			goto out;
		printf("%s\n", line);
		fflush(stdout);
	}
	for (size_t i = 0; i < nt; i++)
		any |= t[i].mtu != 0;
	if (r->clamp && (any || r->nft_on)) {
		char *doc = nft_doc(r, t, nt, !any, r->dry_run);

		if (!doc) {
			err = -ENOMEM;
			goto out;
		}
		if (r->dry_run) {
			char script[8192];

			/* the JSON is what runs; nft's own syntax says it to people */
			if (tp_nft_script(r->ifname, t, nt, false, script, sizeof(script)) > 0) {
				printf("# the MSS clamp, in nft syntax:\n#   ");
				for (const char *c = script; *c; c++) {
					if (c[0] == '\n' && c[1])
						fputs("\n#   ", stdout);
					else
						putchar(*c);
				}
			}
			printf("nft -j -f - <<'EOF'\n%sEOF\n", doc);
			free(doc);
		} else if ((err = nft_load(doc)) == 0) {
			free(doc);
			if (!r->nft_on || !any)
				printf("nft: table inet wgmtu_%s %s\n", r->ifname,
				       any ? "loaded (MSS clamp)" : "deleted");
			r->nft_on = any;
		} else {
			free(doc);
			goto out;
		}
	}
out:
	free(acts);
	free(routes);
	free(t);
	return err;
}

static void restore(struct tune_run *r)
{
	char line[512];

	for (size_t i = r->n_undo; i-- > 0;) {
		int err = run_action(r, &r->undo[i]);

		tp_format(&r->undo[i], r->ifname, line, sizeof(line));
		if (err < 0 && !(err == -ESRCH && r->undo[i].kind == TP_ROUTE_DEL) &&
		    !(err == -ENODEV))
			tool_err("tune", "restore: %s: %s", line, strerror(-err));
		else
			printf("restored: %s\n", line);
	}
	r->n_undo = 0;
	if (r->nft_on) {
		char *doc = nft_doc(r, NULL, 0, true, false);

		if (doc && nft_load(doc) == 0)
			printf("restored: nft delete table inet wgmtu_%s\n", r->ifname);
		free(doc);
		r->nft_on = false;
	}
	fflush(stdout);
}

/* tp's copy of p's allowed IPs (replacing the one it had). 0 or -ENOMEM
 * (then the old copy stays). */
static int copy_allowed(struct tune_peer *tp, const struct wgm_peer *p)
{
	struct wgm_prefix *a = NULL;

	if (p->n_allowed) {
		a = malloc(p->n_allowed * sizeof(*a));
		if (!a)
			return -ENOMEM;
		memcpy(a, p->allowed, p->n_allowed * sizeof(*a));
	}
	free(tp->model.allowed);
	tp->model.allowed = a;
	tp->model.n_allowed = p->n_allowed;
	return 0;
}

static int copy_model(struct tune_peer *tp, const struct wgm_peer *p)
{
	free(tp->model.allowed);
	tp->model = *p;
	tp->model.allowed = NULL;
	tp->model.n_allowed = 0;
	snprintf(tp->pubkey, sizeof(tp->pubkey), "%s", p->pubkey);
	tp->has_endpoint = p->has_endpoint;
	if (p->has_endpoint) {
		tp->endpoint = p->endpoint;
		tp->outer_family = p->endpoint.ss_family;
	}
	return copy_allowed(tp, p);
}

/* ------------------------------------------------------------- watch */

static void addr_of(const struct wgm_prefix *p, struct sockaddr_storage *ss)
{
	memset(ss, 0, sizeof(*ss));
	ss->ss_family = (sa_family_t)p->family;
	if (p->family == AF_INET)
		memcpy(&((struct sockaddr_in *)ss)->sin_addr, p->addr, 4);
	else
		memcpy(&((struct sockaddr_in6 *)ss)->sin6_addr, p->addr, 16);
}

static int open_measurer(struct tune_run *r, struct tune_peer *tp)
{
	struct sockaddr_storage ss;
	unsigned base, max;
	int err;

	if (tp->t_open)
		tm_close(&tp->t);
	tp->t_open = false;
	if (tp->method == TP_M_TUNNEL) {
		addr_of(&tp->probe_addr, &ss);
		base = tp->probe_addr.family == AF_INET6 ? 1280 : 1200;
		max = (unsigned)sys_if_mtu(r->ifname);
	} else if (tp->method == TP_M_ENDPOINT && tp->has_endpoint) {
		int m = sys_route_mtu(&tp->endpoint);

		ss = tp->endpoint;
		base = ss.ss_family == AF_INET6 ? 1280 : 1200;
		max = m > 0 ? (unsigned)m : 1500;
	} else {
		return 0;
	}
	err = tm_open(&tp->t, &ss, base, max, r->interval_s * 1000, r->raise_s * 1000);
	if (err < 0)
		return err;
	tp->t_open = true; /* started by the loop once the peer is active */
	memset(&tp->act, 0, sizeof(tp->act)); /* the echo totals restart */
	return 0;
}

static void peer_result(struct tune_run *r, struct tune_peer *tp, bool *changed)
{
	struct tp_measure m = { .method = tp->method, .outer_family = tp->outer_family ?
				tp->outer_family : AF_INET };
	struct tp_verdict v;
	unsigned want = 0, eff = (unsigned)r->if_mtu; /* as found: tune may have lowered it */

	m.size = tm_result(&tp->t);
	m.max = tp->t.eng.cfg.max_mtu;
	m.too_big = tm_too_big(&tp->t);
	m.black_hole = tm_black_hole(&tp->t);
	if (!m.size)
		return;
	tp_judge(&m, eff, 0, &v);
	if (v.route_mtu && v.route_mtu < eff)
		want = v.route_mtu;
	if (want != tp->target) {
		char key[12];

		snprintf(key, sizeof(key), "%.8s", tp->pubkey);
		printf("peer %s...: %s %u bytes -> %s%u\n", key,
		       tp->method == TP_M_TUNNEL ? "inside the tunnel" : "path MTU",
		       m.size, !want ? "no lock needed, interface MTU " :
		       r->n_peers == 1 && wgm_peer_full_tunnel(&tp->model) ? "interface MTU " :
		       "route MTU ", want ? want : eff);
		fflush(stdout);
		tp->target = want;
		*changed = true;
	}
}

/* How a peer found while watching is measured: inside the tunnel when it
 * has a host address there, else its endpoint (as doctor chooses). */
static void pick_method(const struct tune_run *r, struct tune_peer *tp, const struct wgm_peer *p)
{
	tp->method = TP_M_NONE;
	if (r->method != DOCTOR_M_ENDPOINT && wgm_peer_host(p, 0)) {
		tp->method = TP_M_TUNNEL;
		tp->probe_addr = *wgm_peer_host(p, 0);
	} else if (p->has_endpoint && r->method != DOCTOR_M_TUNNEL) {
		tp->method = TP_M_ENDPOINT;
	}
}

/* A peer added to the interface while watching (wg set, wg syncconf): it
 * is followed like the others, measured once it carries traffic. */
static int add_peer(struct tune_run *r, const struct wgm_peer *p)
{
	struct tune_peer *n = realloc(r->peers, (r->n_peers + 1) * sizeof(*n));
	struct tune_peer *tp;
	char key[12];
	int err;

	if (!n)
		return -ENOMEM;
	r->peers = n;
	tp = &r->peers[r->n_peers];
	memset(tp, 0, sizeof(*tp));
	if (copy_model(tp, p) < 0)
		return -ENOMEM;
	tp->handshake = p->handshake;
	pick_method(r, tp, p);
	r->n_peers++;
	snprintf(key, sizeof(key), "%.8s", p->pubkey);
	err = open_measurer(r, tp);
	if (err < 0)
		say(r, "peer %s...: new, but no probe socket (%s); left alone\n", key, strerror(-err));
	else
		say(r, "peer %s...: new; measured once it carries traffic\n", key);
	return 0;
}

static bool same_allowed(const struct wgm_peer *a, const struct wgm_peer *b)
{
	if (a->n_allowed != b->n_allowed)
		return false;
	for (size_t i = 0; i < a->n_allowed; i++)
		if (!wgm_prefix_eq(&a->allowed[i], &b->allowed[i]))
			return false;
	return true;
}

/* Reads the dump; notes handshakes, endpoint changes, traffic, new peers
 * and changed allowed IPs. Returns true when the routes must be planned
 * again (a locked peer's allowed IPs changed). */
static bool refresh(struct tune_run *r, uint64_t now)
{
	struct wgm_model m;
	const struct wgm_iface *ifc;
	char err[256];
	bool replan = false;

	if (wgm_read(&m, r->ifname, err, sizeof(err)) < 0)
		return false;
	ifc = wgm_find(&m, r->ifname);
	for (size_t i = 0; ifc && i < r->n_peers; i++) {
		struct tune_peer *tp = &r->peers[i];
		const struct wgm_peer *p = NULL;

		for (size_t k = 0; k < ifc->n_peers; k++)
			if (!strcmp(ifc->peers[k].pubkey, tp->pubkey))
				p = &ifc->peers[k];
		if (!p) {
			tp->gone = true;
			continue;
		}
		tp->gone = false;
		if (!same_allowed(&tp->model, p) && copy_allowed(tp, p) == 0)
			replan |= tp->target != 0;
		if (tp_activity_update(&tp->act, p->rx, p->tx,
				       tp->t_open && tp->method == TP_M_TUNNEL ? tp->t.bytes_out : 0,
				       tp->t_open && tp->method == TP_M_TUNNEL ? tp->t.n_out : 0))
			tp->active_until = now + 2000ull * r->interval_s;
		if (p->handshake != tp->handshake) {
			tp->handshake = p->handshake;
			/* a new session: measure again (a first one: measure) */
			if (tp->t_open && plpmtud_state(&tp->t.eng) == PLPMTUD_SEARCH_COMPLETE)
				tm_start(&tp->t);
			tp->active_until = now + 2000ull * r->interval_s;
		}
		if (p->has_endpoint && (!tp->has_endpoint ||
		    memcmp(&p->endpoint, &tp->endpoint, sizeof(p->endpoint)))) {
			bool had = tp->has_endpoint;

			tp->endpoint = p->endpoint;
			tp->has_endpoint = true;
			tp->outer_family = p->endpoint.ss_family;
			if (tp->method == TP_M_ENDPOINT || (had && tp->t_open)) {
				char key[12];

				snprintf(key, sizeof(key), "%.8s", tp->pubkey);
				say(r, "peer %s...: endpoint changed, measuring again\n", key);
				if (tp->method == TP_M_ENDPOINT)
					open_measurer(r, tp);
				else
					tm_start(&tp->t);
				tp->active_until = now + 2000ull * r->interval_s;
			}
		}
	}
	for (size_t k = 0; ifc && k < ifc->n_peers; k++) {
		bool known = false;

		for (size_t i = 0; i < r->n_peers && !known; i++)
			known = !strcmp(ifc->peers[k].pubkey, r->peers[i].pubkey);
		if (!known && add_peer(r, &ifc->peers[k]) < 0)
			tool_err("tune", "out of memory for a new peer");
	}
	wgm_free(&m);
	return replan;
}

static int watch(struct tune_run *r)
{
	size_t cap = r->n_peers ? r->n_peers : 1;
	struct pollfd *pfd = calloc(cap, sizeof(*pfd));
	uint64_t next_refresh = 0;
	int err = 0;

	if (!pfd)
		return -ENOMEM;
	for (size_t i = 0; i < r->n_peers; i++) {
		err = open_measurer(r, &r->peers[i]);
		if (err < 0) {
			tool_err("tune", "probe socket: %s", strerror(-err));
			free(pfd);
			return err;
		}
		r->peers[i].active_until = r->peers[i].idle ? 0 : now_ms() + 2000ull * r->interval_s;
	}
	say(r, "watching %s (confirming active peers every %u s; SIGTERM restores)\n",
	    r->ifname, r->interval_s);
	while (!stop_sig) {
		uint64_t now = now_ms();
		int wait = 1000, n;
		bool changed = false;

		if (now >= next_refresh) {
			changed = refresh(r, now);
			next_refresh = now + 1000;
			if (r->n_peers > cap) {
				struct pollfd *grown = realloc(pfd, r->n_peers * sizeof(*pfd));

				if (!grown) {
					err = -ENOMEM;
					break;
				}
				pfd = grown;
				cap = r->n_peers;
			}
		}
		if (sys_if_mtu(r->ifname) < 0) {
			say(r, "%s is gone\n", r->ifname);
			break;
		}
		for (size_t i = 0; i < r->n_peers; i++) {
			struct tune_peer *tp = &r->peers[i];
			enum plpmtud_state st;
			bool busy;
			uint32_t ev;
			int to;

			pfd[i].fd = -1;
			if (!tp->t_open || tp->gone)
				continue;
			st = plpmtud_state(&tp->t.eng);
			if (st == PLPMTUD_DISABLED) {
				if (now >= tp->active_until)
					continue; /* idle since the start: not measured yet */
				tm_start(&tp->t);
				st = plpmtud_state(&tp->t.eng);
			}
			busy = st == PLPMTUD_BASE || st == PLPMTUD_SEARCHING || tp->t.eng.confirming ||
			       tp->t.eng.round_open;
			if (!busy && now >= tp->active_until)
				continue; /* idle: no probes */
			pfd[i].fd = tm_fd(&tp->t);
			pfd[i].events = POLLIN;
			if (tm_step(&tp->t) < 0)
				continue;
			ev = tm_events(&tp->t);
			if (ev & (PLPMTUD_EV_COMPLETE | PLPMTUD_EV_MTU_CHANGED) &&
			    plpmtud_state(&tp->t.eng) == PLPMTUD_SEARCH_COMPLETE)
				peer_result(r, tp, &changed);
			if (ev & PLPMTUD_EV_BLACK_HOLE) {
				char key[12];

				snprintf(key, sizeof(key), "%.8s", tp->pubkey);
				say(r, "peer %s...: %u-byte packets stopped getting through, searching\n",
				    key, tp->target ? tp->target : (unsigned)sys_if_mtu(r->ifname));
			}
			to = tm_timeout_ms(&tp->t);
			if (to >= 0 && to < wait)
				wait = to;
		}
		if (changed && (err = apply(r)) < 0)
			break;
		n = poll(pfd, r->n_peers, wait);
		if (n < 0 && errno != EINTR) {
			err = -errno;
			break;
		}
	}
	free(pfd);
	return err;
}

/* ------------------------------------------------------------- command */

static int parse_secs(const char *opt, const char *s, unsigned long min, unsigned long max,
		      unsigned *out)
{
	unsigned long v;

	if (parse_ulong(s, min, max, &v) < 0) {
		tool_err("tune", "%s: '%s' is not a number in %lu..%lu", opt, s, min, max);
		return -1;
	}
	*out = (unsigned)v;
	return 0;
}

int cmd_tune(int argc, char **argv)
{
	static const struct option lo[] = {
		{ "watch", no_argument, NULL, 'w' },
		{ "dry-run", no_argument, NULL, 'n' },
		{ "interval", required_argument, NULL, 'i' },
		{ "raise", required_argument, NULL, 1 },
		{ "method", required_argument, NULL, 'm' },
		{ "timeout", required_argument, NULL, 't' },
		{ "no-mss-clamp", no_argument, NULL, 2 },
		{ "all", no_argument, NULL, 'a' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct tune_run r = { .clamp = true, .timeout_s = 10, .interval_s = 3, .raise_s = 600 };
	struct doctor_run d = { 0 };
	struct doctor_iface *di;
	struct sigaction sa = { .sa_handler = on_signal };
	char err[256] = "";
	int c, rc = EXIT_OK, e;
	size_t measured = 0;
	bool interval_set = false, raise_set = false;

	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "wni:m:t:aqh", lo, NULL)) != -1) {
		switch (c) {
		case 'a': r.all = true; break;
		case 'w': r.watch = true; break;
		case 'n': r.dry_run = true; break;
		case 'i':
			if (parse_secs("--interval", optarg, 1, 3600, &r.interval_s))
				goto usage;
			interval_set = true;
			break;
		case 1:
			if (parse_secs("--raise", optarg, 10, 86400, &r.raise_s))
				goto usage;
			raise_set = true;
			break;
		case 't': if (parse_secs("--timeout", optarg, 1, 600, &r.timeout_s)) goto usage; break;
		case 'm':
			if (doctor_parse_method(optarg, &r.method) < 0 || r.method == DOCTOR_M_NONE) {
				tool_err("tune", "--method: '%s' is not auto, tunnel or endpoint", optarg);
				goto usage;
			}
			break;
		case 2: r.clamp = false; break;
		case 'q': r.quiet = true; break;
		case 'h': fputs(tune_usage, stdout); return EXIT_OK;
		default:
			tool_err("tune", "unknown or incomplete option '%s'", argv[optind - 1]);
			goto usage;
		}
	}
	if (optind != argc - 1) {
		tool_err("tune", optind >= argc ? "which IFACE?" : "one IFACE only");
		goto usage;
	}
	if (r.watch && r.dry_run) {
		tool_err("tune", "--watch and --dry-run do not go together");
		goto usage;
	}
	if (!r.watch && (interval_set || raise_set)) {
		/* one measurement and out: neither timer would ever run */
		tool_err("tune", "%s only applies with --watch", interval_set ? "--interval" : "--raise");
		goto usage;
	}
	r.ifname = argv[optind];
	if (!uapi_ifname_valid(r.ifname)) {
		tool_err("tune", "'%s' is not an interface name", r.ifname);
		goto usage;
	}
	d.opts.method = r.method;
	d.opts.timeout_s = r.timeout_s;
	d.opts.all = r.all;
	if ((e = doctor_collect(&d, r.ifname, err, sizeof(err))) < 0) {
		tool_err("tune", "cannot read the WireGuard interfaces: %s", err[0] ? err : strerror(-e));
		doctor_run_free(&d);
		return EXIT_FAILURE_RUN;
	}
	if (!d.n_ifs) {
		tool_err("tune", "%s is not a WireGuard interface (not in 'wg show all dump')%s",
			 r.ifname, wgm_root_hint());
		doctor_run_free(&d);
		return EXIT_FAILURE_RUN;
	}
	r.ifindex = (int)if_nametoindex(r.ifname);
	if (!r.ifindex) {
		tool_err("tune", "%s is not in this network namespace", r.ifname);
		doctor_run_free(&d);
		return EXIT_FAILURE_RUN;
	}
	doctor_check(&d);
	di = &d.ifs[0];
	if (di->impl == SYS_IMPL_WGMTUD) {
		printf("%s is served by wgmtud, which discovers and applies each peer's MTU "
		       "itself: nothing to tune (see wgmtu show %s).\n", r.ifname, r.ifname);
		doctor_run_free(&d);
		return EXIT_OK;
	}
	if (di->no_permission) {
		tool_err("tune", "not allowed to send ICMP echo requests (needs root or CAP_NET_RAW)");
		doctor_run_free(&d);
		return EXIT_FAILURE_RUN;
	}
	r.if_mtu = di->mtu;
	r.n_peers = di->ifc->n_peers;
	r.peers = calloc(r.n_peers ? r.n_peers : 1, sizeof(*r.peers));
	if (!r.peers) {
		doctor_run_free(&d);
		return EXIT_FAILURE_RUN;
	}
	for (size_t i = 0; i < r.n_peers; i++) {
		struct doctor_peer *dp = &di->peers[i];
		struct tune_peer *tp = &r.peers[i];
		char key[12];

		if (copy_model(tp, dp->peer) < 0) {
			tool_err("tune", "out of memory");
			doctor_run_free(&d);
			rc = EXIT_FAILURE_RUN;
			goto out;
		}
		tp->handshake = dp->peer->handshake;
		tp->method = dp->m.method;
		if (dp->m.method == TP_M_TUNNEL)
			tp->probe_addr = dp->probe_addr;
		else if (!dp->m.method)
			pick_method(&r, tp, dp->peer); /* try again while watching */
		snprintf(key, sizeof(key), "%.8s", dp->peer->pubkey);
		tp->idle = dp->idle;
		if (dp->idle) {
			say(&r, "peer %s...: idle (no handshake for 3 minutes); %s\n", key,
			    r.watch ? "measured once it carries traffic" : "left alone (--all probes it)");
			continue;
		}
		if (dp->verdict.v == TP_UNKNOWN) {
			say(&r, "peer %s...: could not measure; left alone\n", key);
			continue;
		}
		measured++;
		if (dp->verdict.route_mtu && dp->verdict.route_mtu < (unsigned)di->mtu)
			tp->target = dp->verdict.route_mtu;
		say(&r, "peer %s...: %s %u bytes (%s) -> %s%u\n", key,
		    dp->m.method == TP_M_TUNNEL ? "inside the tunnel" : "path MTU", dp->m.size,
		    tp_verdict_name(dp->verdict.v), !tp->target ? "no lock needed, interface MTU " :
		    r.n_peers == 1 && wgm_peer_full_tunnel(dp->peer) ? "interface MTU " : "route MTU ",
		    tp->target ? tp->target : (unsigned)di->mtu);
	}
	doctor_run_free(&d);
	if (!r.watch && r.n_peers && !measured) {
		rc = EXIT_FAILURE_RUN; /* nothing measured, nothing to do */
		goto out;
	}
	if (r.watch) {
		sigaction(SIGTERM, &sa, NULL);
		sigaction(SIGINT, &sa, NULL);
		sigaction(SIGHUP, &sa, NULL);
	}
	if (apply(&r) < 0) {
		rc = EXIT_FAILURE_RUN;
		restore(&r);
		goto out;
	}
	if (r.watch) {
		if (watch(&r) < 0)
			rc = EXIT_FAILURE_RUN;
		restore(&r);
	}
out:
	for (size_t i = 0; i < r.n_peers; i++) {
		if (r.peers[i].t_open)
			tm_close(&r.peers[i].t);
		free(r.peers[i].model.allowed);
	}
	free(r.peers);
	free(r.undo);
	return rc;
usage:
	fprintf(stderr, "Try 'wgmtu tune --help'.\n");
	return EXIT_USAGE;
}
