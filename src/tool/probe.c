// SPDX-License-Identifier: MIT
/*
 * wgmtu probe HOST: the real path MTU, through black holes, located, in
 * both directions (with a wgmtu responder). The search is the pure
 * plpmtud engine; this file owns the clock, the socket (probe_net.c), the
 * TTL-limited localisation of a black hole and the output.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <netdb.h>
#include <poll.h>
#include <stdarg.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <unistd.h>

#include "common/json.h"
#include "common/util.h"
#include "pmtu/overhead.h"
#include "pmtu/plpmtud.h"
#include "tool/probe_net.h"
#include "tool/tool.h"

static const char probe_usage[] =
"Usage: wgmtu probe [options] HOST\n"
"\n"
"Measures the path MTU to HOST (the largest IP packet that crosses) with\n"
"DF probes, even when routers filter ICMP \"fragmentation needed\" (a\n"
"black hole); names the hop where large packets vanish; with a wgmtu\n"
"responder on HOST also measures the reverse direction. Prints the\n"
"WireGuard MTU and TCP MSS that fit.\n"
"\n"
"Options:\n"
"  -4, -6               use IPv4 / IPv6 (default: what HOST resolves to first)\n"
"  -m, --method M       icmp (default): DF echo requests, unprivileged ping\n"
"                       socket or raw socket; udp: probes to a wgmtu\n"
"                       responder, both directions (see --port)\n"
"  -p, --port N         responder port for --method udp (default 51999)\n"
"      --min N          smallest size searched (default 1200 IPv4, 1280 IPv6)\n"
"      --max N          largest size searched (default 1500)\n"
"  -t, --timeout SEC    give up after SEC seconds (default 15)\n"
"      --wait MS        shortest wait for a round of probes (default 50;\n"
"                       the wait grows with the measured round-trip time)\n"
"  -l, --locate         locate the drop with TTL-limited probes (automatic\n"
"                       when a black hole is found)\n"
"      --no-locate      do not locate\n"
"      --max-hops N     hops tried by --locate (default 16)\n"
"      --no-reverse     --method udp: forward direction only\n"
"  -j, --json           machine-readable output on one line (schema in\n"
"                       wgmtu-probe(1))\n"
"      --pretty         the same JSON indented (implies --json)\n"
"  -q, --quiet          no progress lines\n"
"  -h, --help           this text\n"
"\n"
"Examples:\n"
"  wgmtu probe vps.example.org\n"
"  wgmtu probe -6 --json 2001:db8::1\n"
"  wgmtu probe --method udp --port 51999 vps.example.org   # both directions\n"
"\n"
"Exit status: 0 healthy path, 1 problem found (black hole, lying ICMP,\n"
"asymmetric path), 2 usage error, 3 could not measure (no permission,\n"
"unknown host, no reply at any size). See wgmtu-probe(1).\n";

enum { K_NONE, K_FWD, K_REV, K_LOC_SMALL, K_LOC_BIG };

struct seqent {
	uint32_t seq;
	uint32_t id;
	uint16_t size;
	uint8_t kind;
	uint8_t ttl;
};

#define SEQ_SLOTS 65536
#define LOC_MAX_HOPS 32

struct hop {
	bool small_ok, big_ok, reached; /* TE (or reply) for small / big */
	unsigned small_tries, big_tries;
	struct sockaddr_storage addr;
	bool have_addr;
};

struct probe_run {
	/* options */
	int family_opt;        /* 0, 4, 6 */
	enum pnet_method method;
	unsigned port;
	unsigned min_mtu, max_mtu;
	unsigned timeout_s, wait_ms, max_hops;
	int locate;            /* -1 auto, 0 no, 1 yes */
	bool reverse;
	bool json, pretty, quiet, tty;
	const char *host;
	/* state */
	char addr_str[INET6_ADDRSTRLEN];
	struct pnet net;
	struct seqent *seqs;
	uint32_t next_seq;
	uint64_t t0;
	uint64_t search_ms;    /* time to the forward answer */
	uint32_t probes_sent;
	struct plpmtud fwd, rev;
	bool rev_done;
	bool ptb_seen;
	struct sockaddr_storage ptb_from;
	unsigned unreach;
	struct sockaddr_storage unreach_from;
	int unreach_code;
	bool timed_out;
	/* locate */
	bool located;
	bool locate_tried;     /* ran, but no router answered at all */
	struct hop hops[LOC_MAX_HOPS + 1];
	int dest_ttl;          /* smallest TTL with an echo reply (0: none) */
	int last_ok_ttl, first_silent_ttl;
	/* the round in flight, for the progress line */
	struct {
		uint32_t id;
		uint16_t size;
		uint16_t ptb;     /* claim, when a PTB answered */
		bool ok;
	} cur[PLPMTUD_MAX_INFLIGHT];
	unsigned n_cur, round_no;
	uint8_t cur_kind;
};

static uint64_t elapsed(const struct probe_run *r)
{
	return now_ms() - r->t0;
}

static struct seqent *seq_new(struct probe_run *r, uint8_t kind, uint32_t id,
			      uint16_t size, uint8_t ttl)
{
	uint32_t s = r->next_seq++;
	struct seqent *e = &r->seqs[s % SEQ_SLOTS];

	if (r->next_seq % SEQ_SLOTS == 0)
		r->next_seq++; /* keep 0 meaning "unknown" */
	e->seq = s;
	e->id = id;
	e->size = size;
	e->kind = kind;
	e->ttl = ttl;
	return e;
}

static struct seqent *seq_find(struct probe_run *r, uint32_t seq)
{
	struct seqent *e = &r->seqs[seq % SEQ_SLOTS];

	if (!seq || e->kind == K_NONE || (e->seq & 0xffff) != (seq & 0xffff))
		return NULL;
	return e;
}

static void progress(struct probe_run *r, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static void progress(struct probe_run *r, const char *fmt, ...)
{
	va_list ap;

	if (!r->tty || r->quiet || r->json)
		return;
	va_start(ap, fmt);
	vfprintf(stdout, fmt, ap);
	va_end(ap);
	fflush(stdout);
}

/* Handle one network event; returns true when something was consumed. */
static void handle_event(struct probe_run *r, const struct pnet_ev *ev)
{
	struct seqent *e = seq_find(r, ev->seq);
	uint64_t now = elapsed(r);

	switch (ev->type) {
	case PNET_EV_REPLY:
		if (!e)
			return;
		if (e->kind == K_FWD || e->kind == K_REV) {
			plpmtud_on_ack(e->kind == K_FWD ? &r->fwd : &r->rev, e->id, now);
			for (unsigned i = 0; i < r->n_cur; i++)
				if (r->cur[i].id == e->id && r->cur_kind == e->kind)
					r->cur[i].ok = true;
		} else if (e->kind == K_LOC_SMALL || e->kind == K_LOC_BIG) {
			struct hop *h = &r->hops[e->ttl];

			h->reached = true;
			if (!r->dest_ttl || e->ttl < r->dest_ttl)
				r->dest_ttl = e->ttl;
		}
		break;
	case PNET_EV_PTB:
		if (ev->mtu >= 68 && (!e || ev->mtu < e->size)) {
			r->ptb_seen = true;
			r->ptb_from = ev->from;
		}
		if (!e || e->kind == K_FWD) {
			plpmtud_on_ptb(&r->fwd, e ? e->id : 0, ev->mtu, now);
			for (unsigned i = 0; e && i < r->n_cur; i++)
				if (r->cur[i].id == e->id && r->cur_kind == K_FWD)
					r->cur[i].ptb = (uint16_t)ev->mtu;
		}
		break;
	case PNET_EV_TTL:
		if (e && (e->kind == K_LOC_SMALL || e->kind == K_LOC_BIG) &&
		    e->ttl <= LOC_MAX_HOPS) {
			struct hop *h = &r->hops[e->ttl];

			if (e->kind == K_LOC_SMALL)
				h->small_ok = true;
			else
				h->big_ok = true;
			if (ev->from.ss_family) {
				h->addr = ev->from;
				h->have_addr = true;
			}
		}
		break;
	case PNET_EV_UNREACH:
		r->unreach++;
		r->unreach_from = ev->from;
		r->unreach_code = ev->code;
		break;
	}
}

/* Progress (terminal only): one line per round, largest size first. */
static void flush_round(struct probe_run *r)
{
	if (!r->n_cur)
		return;
	progress(r, "  %s round %u:", r->cur_kind == K_REV ? "reverse" : "forward", r->round_no);
	for (unsigned k = 0; k < r->n_cur; k++) {
		unsigned best = 0;

		for (unsigned i = 1; i < r->n_cur; i++)
			if (r->cur[i].size > r->cur[best].size)
				best = i;
		if (r->cur[best].ok)
			progress(r, " %u ok", r->cur[best].size);
		else if (r->cur[best].ptb)
			progress(r, " %u too-big(%u)", r->cur[best].size, r->cur[best].ptb);
		else
			progress(r, " %u lost", r->cur[best].size);
		r->cur[best].size = 0;
	}
	progress(r, "\n");
	r->n_cur = 0;
}

/* Waits up to ms for input and feeds every event to handle_event(). */
static int pump(struct probe_run *r, uint64_t ms)
{
	struct pollfd pfd = { .fd = r->net.fd, .events = POLLIN };
	struct pnet_ev ev;
	int n, k;

	if (ms > 1000)
		ms = 1000;
	n = poll(&pfd, 1, (int)ms);
	if (n < 0)
		return errno == EINTR ? 0 : -errno;
	while ((k = pnet_recv(&r->net, &ev)) > 0)
		handle_event(r, &ev);
	return k < 0 ? k : 0;
}

static int send_probe(struct probe_run *r, uint8_t kind, uint32_t id, int size,
		      int ttl, int reply_size)
{
	struct seqent *e = seq_new(r, kind, id, (uint16_t)size, (uint8_t)ttl);
	int err = pnet_send(&r->net, e->seq, size, ttl, reply_size);

	if (err == -EMSGSIZE) /* maybe a stale socket error: once more */
		err = pnet_send(&r->net, e->seq, size, ttl, reply_size);
	if (err == 0)
		r->probes_sent++;
	return err;
}

/* Runs one engine to completion (or the global timeout). */
static int run_search(struct probe_run *r, struct plpmtud *e, uint8_t kind)
{
	struct plpmtud_probe out[PLPMTUD_MAX_INFLIGHT];
	uint64_t limit = (uint64_t)r->timeout_s * 1000;

	plpmtud_start(e, elapsed(r));
	r->round_no = 0;
	r->n_cur = 0;
	r->cur_kind = kind;
	for (;;) {
		uint64_t now = elapsed(r), dl;
		size_t n = plpmtud_poll(e, now, out, PLPMTUD_MAX_INFLIGHT);
		int err;

		if (n) {
			flush_round(r);
			r->round_no++;
		}
		for (size_t i = 0; i < n; i++) {
			int req = kind == K_REV ? pnet_min_size(&r->net) : out[i].size;
			int rep = kind == K_REV ? out[i].size : 0;

			if (r->n_cur < PLPMTUD_MAX_INFLIGHT) {
				r->cur[r->n_cur].id = out[i].id;
				r->cur[r->n_cur].size = out[i].size;
				r->cur[r->n_cur].ptb = 0;
				r->cur[r->n_cur].ok = false;
				r->n_cur++;
			}
			err = send_probe(r, kind, out[i].id, req, 0, rep);
			if (err == -EMSGSIZE) {
				plpmtud_on_local_too_big(e, out[i].id, now);
			} else if (err == -ECONNREFUSED) {
				/* a port unreachable reported on the connected socket */
				r->unreach++;
				r->unreach_from = r->net.dst;
				r->unreach_code = r->net.family == AF_INET6 ? 4 : 3;
			} else if (err == -EHOSTUNREACH || err == -ENETUNREACH) {
				r->unreach++;
			} else if (err < 0) {
				tool_err("probe", "send: %s", strerror(-err));
				return err;
			}
		}
		if (n)
			continue;
		if (plpmtud_state(e) == PLPMTUD_SEARCH_COMPLETE ||
		    plpmtud_state(e) == PLPMTUD_ERROR)
			break;
		if (now >= limit) {
			r->timed_out = true;
			break;
		}
		if (r->unreach && e->st.acks == 0)
			break; /* unreachable, and nothing ever got through */
		dl = plpmtud_next_deadline(e);
		if (dl > limit)
			dl = limit;
		err = pump(r, dl > now ? dl - now : 0);
		if (err < 0) {
			tool_err("probe", "receive: %s", strerror(-err));
			return err;
		}
	}
	flush_round(r);
	return 0;
}

/*
 * Locates a black hole: small probes with TTL 1..N find the hops and the
 * hop count; probes of the failing size with TTL 1..hops-1 show how far
 * large packets get (routers before the bottleneck answer Time Exceeded,
 * the one that cannot forward them and those after it stay silent).
 * Routers rate-limit ICMP errors (Linux: a burst of 6, then 1 per second
 * per destination), so unanswered probes are retried for a few seconds.
 */
static void run_locate(struct probe_run *r, int fail_size)
{
	int small = r->method == PNET_UDP ? pnet_min_size(&r->net) :
		    (int)r->fwd.cfg.base_mtu;
	int maxh = (int)r->max_hops;
	uint64_t limit = (uint64_t)r->timeout_s * 1000 + 4000;

	memset(r->hops, 0, sizeof(r->hops));
	r->dest_ttl = 0;
	progress(r, "  locating the drop (TTL-limited probes of %d and %d bytes)...\n",
		 small, fail_size);
	for (int round = 0; round < 10 && elapsed(r) < limit; round++) {
		int top = r->dest_ttl ? r->dest_ttl - 1 : maxh;
		bool pending = false;

		for (int t = 1; t <= top; t++) {
			struct hop *h = &r->hops[t];

			if (!h->small_ok && !h->big_ok && h->small_tries < 4) {
				send_probe(r, K_LOC_SMALL, 0, small, t, 0);
				h->small_tries++;
				pending = true;
			}
			/* big probes only where we know the hop count, so that
			 * they do not make the bottleneck router spend its ICMP
			 * budget on PTBs for every TTL */
			if (r->dest_ttl && !h->big_ok && h->big_tries < 4 &&
			    (t == 1 || r->hops[t - 1].big_ok || round >= 2)) {
				send_probe(r, K_LOC_BIG, 0, fail_size, t, 0);
				h->big_tries++;
				pending = true;
			}
		}
		if (!r->dest_ttl && round >= 4)
			break;
		if (!pending && r->dest_ttl)
			break;
		uint64_t until = elapsed(r) + (round == 0 ? 300 : 500);
		while (elapsed(r) < until)
			if (pump(r, until - elapsed(r)) < 0)
				break;
		/* settled: the first silent big hop has a responsive router or
		 * had all its tries */
		if (r->dest_ttl) {
			int t = 1;

			while (t < r->dest_ttl && r->hops[t].big_ok)
				t++;
			if (t >= r->dest_ttl || r->hops[t].big_tries >= 3)
				break;
		}
	}
	r->locate_tried = true;
	{
		bool any = false;

		for (int t = 1; t <= LOC_MAX_HOPS; t++)
			any |= r->hops[t].small_ok || r->hops[t].big_ok;
		if (!any)
			return; /* routers send no Time Exceeded: cannot tell */
	}
	r->located = true;
	r->last_ok_ttl = 0;
	for (int t = 1; t <= maxh && t <= LOC_MAX_HOPS; t++) {
		if (r->hops[t].big_ok)
			r->last_ok_ttl = t;
		else
			break;
	}
	r->first_silent_ttl = r->last_ok_ttl + 1;
	if (r->dest_ttl && r->first_silent_ttl > r->dest_ttl)
		r->first_silent_ttl = r->dest_ttl;
}

/* HOST as `wg show` prints an endpoint: "192.0.2.7:51820", "[2001:db8::1]:51820",
 * "vps.example.org:51820". Puts the host part in buf. */
static bool endpoint_like(const char *h, char *buf, size_t cap)
{
	const char *colon, *end;
	size_t n;

	if (h[0] == '[') {
		end = strchr(h, ']');
		if (!end || end[1] != ':')
			return false;
		colon = end + 1;
		h++;
		n = (size_t)(end - h);
	} else {
		colon = strchr(h, ':');
		if (!colon || strchr(colon + 1, ':'))
			return false;
		n = (size_t)(colon - h);
	}
	if (!n || n >= cap || !colon[1] || strlen(colon + 1) > 5 ||
	    strspn(colon + 1, "0123456789") != strlen(colon + 1))
		return false;
	memcpy(buf, h, n);
	buf[n] = 0;
	return true;
}

static int resolve(struct probe_run *r, struct sockaddr_storage *ss, socklen_t *len)
{
	struct addrinfo hints = { 0 }, *res = NULL;
	char port[16], name[256];
	const char *host = r->host;
	size_t hl = strlen(host);
	int err;

	/* "[2001:db8::1]", as in URLs and endpoints: the address inside */
	if (hl > 2 && hl - 2 < sizeof(name) && host[0] == '[' && host[hl - 1] == ']') {
		memcpy(name, host + 1, hl - 2);
		name[hl - 2] = 0;
		host = name;
	}
	hints.ai_family = r->family_opt == 4 ? AF_INET : r->family_opt == 6 ? AF_INET6 : AF_UNSPEC;
	hints.ai_socktype = SOCK_DGRAM;
	snprintf(port, sizeof(port), "%u", r->method == PNET_UDP ? r->port : 0);
	err = getaddrinfo(host, port, &hints, &res);
	if (err && endpoint_like(r->host, name, sizeof(name))) {
		tool_err("probe", "'%s' is an endpoint (HOST:PORT); give the host alone: "
			 "wgmtu probe %s (--port is a wgmtu responder's port, for --method udp)",
			 r->host, name);
		return -EINVAL;
	}
	if (err && r->family_opt) {
		unsigned char a[16];

		if (inet_pton(r->family_opt == 4 ? AF_INET6 : AF_INET, host, a) == 1) {
			tool_err("probe", "%s is an IPv%d address, and -%d asks for IPv%d",
				 host, r->family_opt == 4 ? 6 : 4, r->family_opt, r->family_opt);
			return -EINVAL;
		}
	}
	if (err) {
		tool_err("probe", "cannot resolve '%s'%s: %s", r->host,
			 r->family_opt ? (r->family_opt == 4 ? " (IPv4)" : " (IPv6)") : "",
			 gai_strerror(err));
		return -1;
	}
	memcpy(ss, res->ai_addr, res->ai_addrlen);
	*len = res->ai_addrlen;
	freeaddrinfo(res);
	pnet_ntop(ss, r->addr_str, sizeof(r->addr_str));
	if (ss->ss_family == AF_INET6) {
		const struct sockaddr_in6 *s6 = (const struct sockaddr_in6 *)ss;

		/* without a zone the kernel cannot pick the link: connect()
		 * fails with a bare EINVAL */
		if (IN6_IS_ADDR_LINKLOCAL(&s6->sin6_addr) && !s6->sin6_scope_id) {
			tool_err("probe", "%s is a link-local address: name the interface "
				 "too, e.g. %s%%eth0", r->addr_str, r->addr_str);
			return -EINVAL;
		}
	}
	return 0;
}

static void explain_permission(int family)
{
	char range[64] = "?";
	FILE *f = fopen("/proc/sys/net/ipv4/ping_group_range", "r");

	if (f) {
		if (fgets(range, sizeof(range), f))
			range[strcspn(range, "\n")] = 0;
		fclose(f);
	}
	tool_err("probe",
		 "not allowed to send ICMP echo requests: an unprivileged ping socket\n"
		 "  needs your group (gid %u) inside net.ipv4.ping_group_range (now '%s';\n"
		 "  e.g. sysctl -w net.ipv4.ping_group_range='0 2147483647'), and a raw\n"
		 "  socket needs CAP_NET_RAW (run as root, or setcap cap_net_raw+ep on\n"
		 "  wgmtu). Or use --method udp against a wgmtu responder%s.",
		 (unsigned)getgid(), range, family == AF_INET6 ? "" : "");
}

static int path_mtu_fwd(const struct probe_run *r)
{
	return plpmtud_state(&r->fwd) == PLPMTUD_SEARCH_COMPLETE ? plpmtud_mtu(&r->fwd) : 0;
}

static int path_mtu_rev(const struct probe_run *r)
{
	return r->rev_done && plpmtud_state(&r->rev) == PLPMTUD_SEARCH_COMPLETE ?
	       plpmtud_mtu(&r->rev) : 0;
}

/* The tunnel has to fit both directions. */
static int tunnel_path_mtu(const struct probe_run *r)
{
	int f = path_mtu_fwd(r), b = path_mtu_rev(r);

	return b && b < f ? b : f;
}

static void print_json(struct probe_run *r)
{
	struct json j;
	int f = path_mtu_fwd(r), b = path_mtu_rev(r), t = tunnel_path_mtu(r);
	char a[INET6_ADDRSTRLEN];

	json_init(&j, stdout, r->pretty);
	json_obj_begin(&j);
	json_kstr(&j, "target", r->host);
	json_kstr(&j, "address", r->addr_str);
	json_kstr(&j, "family", r->net.family == AF_INET6 ? "ipv6" : "ipv4");
	json_kstr(&j, "method", r->method == PNET_UDP ? "udp" : "icmp");
	json_kstr(&j, "socket", r->method == PNET_UDP ? "udp" : r->net.raw ? "raw" : "ping");
	json_kstr(&j, "state", plpmtud_state_name(plpmtud_state(&r->fwd)));
	if (f)
		json_kint(&j, "path_mtu", f);
	else
		json_knull(&j, "path_mtu");
	if (plpmtud_too_big(&r->fwd) && f)
		json_kint(&j, "too_big_size", plpmtud_too_big(&r->fwd));
	else
		json_knull(&j, "too_big_size");
	json_kint(&j, "max_probed", r->max_mtu);
	json_kbool(&j, "black_hole", f && plpmtud_black_hole(&r->fwd));
	json_kbool(&j, "ptb_seen", r->ptb_seen);
	json_kint(&j, "ptb_lies", r->fwd.st.ptb_lies);
	if (r->fwd.st.ptb_lies)
		json_kint(&j, "ptb_lowest_claim", r->fwd.st.ptb_lowest_claim);
	else
		json_knull(&j, "ptb_lowest_claim");
	if (r->located) {
		json_key(&j, "hop");
		json_obj_begin(&j);
		json_kint(&j, "last_ok_ttl", r->last_ok_ttl);
		if (r->last_ok_ttl && r->hops[r->last_ok_ttl].have_addr)
			json_kstr(&j, "last_ok_addr", pnet_ntop(&r->hops[r->last_ok_ttl].addr, a, sizeof(a)));
		else
			json_knull(&j, "last_ok_addr");
		json_kint(&j, "first_silent_ttl", r->first_silent_ttl);
		if (r->first_silent_ttl < LOC_MAX_HOPS && r->hops[r->first_silent_ttl].have_addr)
			json_kstr(&j, "first_silent_addr",
				  pnet_ntop(&r->hops[r->first_silent_ttl].addr, a, sizeof(a)));
		else
			json_knull(&j, "first_silent_addr");
		if (r->dest_ttl)
			json_kint(&j, "hops_to_target", r->dest_ttl);
		else
			json_knull(&j, "hops_to_target");
		json_obj_end(&j);
	} else {
		json_knull(&j, "hop");
	}
	json_kstr(&j, "locate", r->located ? "located" : r->locate_tried ? "no_answer" : "not_run");
	if (b)
		json_kint(&j, "reverse_path_mtu", b);
	else
		json_knull(&j, "reverse_path_mtu");
	json_kbool(&j, "asymmetric", b && f && b != f);
	json_kint(&j, "probes_sent", r->probes_sent);
	json_kint(&j, "rounds", r->fwd.st.rounds + (r->rev_done ? r->rev.st.rounds : 0));
	json_kint(&j, "search_ms", (long long)r->search_ms);
	json_kint(&j, "elapsed_ms", (long long)elapsed(r));
	json_kbool(&j, "timed_out", r->timed_out);
	if (!f && r->fwd.lo)
		json_kint(&j, "at_least", r->fwd.lo); /* partial answer */
	else
		json_knull(&j, "at_least");
	if (t) {
		json_kint(&j, "wireguard_mtu_ipv4_outer", ovh_wg_mtu(t, OVH_IPV4));
		json_kint(&j, "wireguard_mtu_ipv6_outer", ovh_wg_mtu(t, OVH_IPV6));
		json_kint(&j, "mss_ipv4", ovh_mss(ovh_wg_mtu(t, r->net.family == AF_INET6 ? OVH_IPV6 : OVH_IPV4), OVH_IPV4));
		json_kint(&j, "mss_ipv6", ovh_mss(ovh_wg_mtu(t, r->net.family == AF_INET6 ? OVH_IPV6 : OVH_IPV4), OVH_IPV6));
	} else {
		json_knull(&j, "wireguard_mtu_ipv4_outer");
		json_knull(&j, "wireguard_mtu_ipv6_outer");
		json_knull(&j, "mss_ipv4");
		json_knull(&j, "mss_ipv6");
	}
	if (!f) {
		if (r->unreach)
			json_kstr(&j, "error", "unreachable");
		else if (r->timed_out)
			json_kstr(&j, "error", "timeout");
		else
			json_kstr(&j, "error", "no_reply");
	} else {
		json_knull(&j, "error");
	}
	json_obj_end(&j);
	json_end(&j);
}

static void print_text(struct probe_run *r)
{
	int f = path_mtu_fwd(r), b = path_mtu_rev(r), t = tunnel_path_mtu(r), wg;
	unsigned tb = plpmtud_too_big(&r->fwd);
	char a[INET6_ADDRSTRLEN];
	double secs = (double)r->search_ms / 1000.0;

	printf("wgmtu probe %s (%s, %s, %s)\n", r->host, r->addr_str,
	       r->net.family == AF_INET6 ? "IPv6" : "IPv4",
	       r->method == PNET_UDP ? "UDP to wgmtu responder" :
	       r->net.raw ? "ICMP echo, raw socket" : "ICMP echo");
	if (!f) {
		if (r->timed_out && r->fwd.lo) {
			printf("  Stopped by --timeout before the search finished: packets of %u\n"
			       "  bytes get through; the path MTU is at least that.\n", r->fwd.lo);
			return;
		}
		bool port_unreach = r->method == PNET_UDP &&
				    r->unreach_code == (r->net.family == AF_INET6 ? 4 : 3);

		if (r->unreach && !r->unreach_from.ss_family)
			printf("  No route to %s from this host. No MTU can be measured.\n",
			       r->addr_str);
		else if (r->unreach && port_unreach)
			printf("  %s answers \"port unreachable\": no wgmtu responder on port %u.\n"
			       "  Start one there (wgmtu responder --port %u) or use --method icmp.\n",
			       r->addr_str, r->port, r->port);
		else if (r->unreach)
			printf("  No path: %s reports destination unreachable (code %d).\n"
			       "  No MTU can be measured.\n",
			       pnet_ntop(&r->unreach_from, a, sizeof(a)), r->unreach_code);
		else
			printf("  No reply at any size (not even %u bytes) within %.1f s: the host is\n"
			       "  down, or it (or a firewall) drops %s. No MTU can be measured%s.\n",
			       r->fwd.cfg.base_mtu, secs,
			       r->method == PNET_UDP ? "UDP to that port (is wgmtu responder running?)" :
			       "ICMP echo",
			       r->method == PNET_UDP ? "" : "; try --method udp with wgmtu responder");
		return;
	}
	printf("  Path MTU       %d bytes%s, found in %.2f s with %u probes\n", f,
	       f >= (int)r->max_mtu ? " (the maximum probed)" : "", secs, r->probes_sent);
	if (tb && plpmtud_black_hole(&r->fwd)) {
		printf("  Black hole     packets of %u bytes and more vanish, and no ICMP\n"
		       "                \"%s\" comes back.\n", tb,
		       r->net.family == AF_INET6 ? "packet too big" : "fragmentation needed");
	} else if (tb) {
		printf("  PMTUD works    larger packets draw ICMP \"%s\"%s%s.\n",
		       r->net.family == AF_INET6 ? "packet too big" : "fragmentation needed",
		       r->ptb_seen ? " from " : "",
		       r->ptb_seen ? pnet_ntop(&r->ptb_from, a, sizeof(a)) : "");
	}
	if (r->fwd.st.ptb_lies)
		printf("  Lying ICMP     %u \"too big\" message(s) claimed %u bytes, yet %d-byte\n"
		       "                packets get through: ignored (a misbehaving router or a forgery).\n",
		       r->fwd.st.ptb_lies, r->fwd.st.ptb_lowest_claim, f);
	if (r->locate_tried && !r->located)
		printf("  Drop location  unknown: no router answered TTL-limited probes\n"
		       "                (Time Exceeded filtered too).\n");
	if (r->located) {
		if (r->last_ok_ttl && r->hops[r->last_ok_ttl].have_addr)
			printf("  Drop located   after hop %d (%s): it saw %u-byte packets;\n"
			       "                hop %d never did.\n", r->last_ok_ttl,
			       pnet_ntop(&r->hops[r->last_ok_ttl].addr, a, sizeof(a)), tb,
			       r->first_silent_ttl);
		else
			printf("  Drop located   at or before hop 1: no router answered for %u-byte packets.\n", tb);
	}
	if (r->rev_done) {
		if (b && b < f)
			printf("  Reverse path   %d bytes from %s to you: ASYMMETRIC. Larger packets\n"
			       "                towards you vanish (no ICMP reaches the far end, or it\n"
			       "                ignores it); size the tunnel for this direction.\n",
			       b, r->addr_str);
		else if (b)
			printf("  Reverse path   %d bytes from %s to you%s\n", b, r->addr_str,
			       b != f ? ": ASYMMETRIC" : " (same as forward)");
		else
			printf("  Reverse path   not measured: no reply of any size came back.\n");
	}
	printf("  WireGuard      MTU = %d with an IPv4 endpoint, MTU = %d with IPv6%s\n",
	       ovh_wg_mtu(t, OVH_IPV4), ovh_wg_mtu(t, OVH_IPV6),
	       t != f ? " (smaller direction)" : "");
	printf("  TCP MSS        %d (IPv4 inside), %d (IPv6 inside) for MTU %d\n",
	       ovh_mss(ovh_wg_mtu(t, r->net.family == AF_INET6 ? OVH_IPV6 : OVH_IPV4), OVH_IPV4),
	       ovh_mss(ovh_wg_mtu(t, r->net.family == AF_INET6 ? OVH_IPV6 : OVH_IPV4), OVH_IPV6),
	       ovh_wg_mtu(t, r->net.family == AF_INET6 ? OVH_IPV6 : OVH_IPV4));
	wg = ovh_wg_mtu(t, r->net.family == AF_INET6 ? OVH_IPV6 : OVH_IPV4);
	if (wg < OVH_MIN_MTU_IPV4)
		printf("  Warning        MTU %d is below 576, the smallest IPv4 packet every host\n"
		       "                must accept: this path is too small for WireGuard.\n", wg);
	else if (wg < OVH_MIN_MTU_IPV6)
		printf("  Warning        MTU %d is below 1280, the IPv6 minimum: Linux removes IPv6\n"
		       "                addresses from such an interface, so only IPv4 can run inside.\n", wg);
	if (r->timed_out)
		printf("  Note           stopped by --timeout before the search finished.\n");
}

static int parse_num(const char *opt, const char *s, unsigned long min,
		     unsigned long max, unsigned *out)
{
	unsigned long v;

	if (parse_ulong(s, min, max, &v) < 0) {
		tool_err("probe", "%s: '%s' is not a number in %lu..%lu", opt, s, min, max);
		return -1;
	}
	*out = (unsigned)v;
	return 0;
}

int cmd_probe(int argc, char **argv)
{
	static const struct option lo[] = {
		{ "method", required_argument, NULL, 'm' },
		{ "port", required_argument, NULL, 'p' },
		{ "min", required_argument, NULL, 1 },
		{ "max", required_argument, NULL, 2 },
		{ "timeout", required_argument, NULL, 't' },
		{ "wait", required_argument, NULL, 3 },
		{ "locate", no_argument, NULL, 'l' },
		{ "no-locate", no_argument, NULL, 4 },
		{ "max-hops", required_argument, NULL, 5 },
		{ "no-reverse", no_argument, NULL, 6 },
		{ "json", no_argument, NULL, 'j' },
		{ "pretty", no_argument, NULL, 7 },
		{ "quiet", no_argument, NULL, 'q' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct probe_run *r = calloc(1, sizeof(*r));
	struct plpmtud_config cfg;
	struct sockaddr_storage ss;
	socklen_t sl;
	int c, err, rc = EXIT_OK, fam;

	if (!r)
		return EXIT_FAILURE_RUN;
	r->method = PNET_ICMP;
	r->port = PW_DEFAULT_PORT;
	r->timeout_s = 15;
	r->wait_ms = 50;
	r->max_hops = 16;
	r->locate = -1;
	r->reverse = true;
	r->max_mtu = 1500;
	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "46m:p:t:ljqh", lo, NULL)) != -1) {
		switch (c) {
		case '4':
		case '6':
			if (r->family_opt && r->family_opt != c - '0') {
				tool_err("probe", "-4 and -6 exclude each other: give one, or neither "
					 "for what HOST resolves to first");
				goto usage;
			}
			r->family_opt = c - '0';
			break;
		case 'm':
			if (!strcmp(optarg, "icmp")) {
				r->method = PNET_ICMP;
			} else if (!strcmp(optarg, "udp")) {
				r->method = PNET_UDP;
			} else if (!strcmp(optarg, "tcp")) {
				tool_err("probe", "--method tcp is not offered: a SYN or SYN-ACK "
					 "says nothing about\n  large packets (see wgmtu-probe(1)); "
					 "use icmp, or udp with wgmtu responder");
				free(r);
				return EXIT_USAGE;
			} else {
				tool_err("probe", "--method: '%s' is not icmp or udp", optarg);
				free(r);
				return EXIT_USAGE;
			}
			break;
		case 'p': if (parse_num("--port", optarg, 1, 65535, &r->port)) goto usage; break;
		case 1: if (parse_num("--min", optarg, 68, 65535, &r->min_mtu)) goto usage; break;
		case 2: if (parse_num("--max", optarg, 68, 65535, &r->max_mtu)) goto usage; break;
		case 't': if (parse_num("--timeout", optarg, 1, 3600, &r->timeout_s)) goto usage; break;
		case 3: if (parse_num("--wait", optarg, 1, 60000, &r->wait_ms)) goto usage; break;
		case 'l': r->locate = 1; break;
		case 4: r->locate = 0; break;
		case 5: if (parse_num("--max-hops", optarg, 1, LOC_MAX_HOPS, &r->max_hops)) goto usage; break;
		case 6: r->reverse = false; break;
		case 'j': r->json = true; break;
		case 7: r->json = r->pretty = true; break;
		case 'q': r->quiet = true; break;
		case 'h':
			fputs(probe_usage, stdout);
			free(r);
			return EXIT_OK;
		default:
			tool_err("probe", "unknown or incomplete option '%s'", argv[optind - 1]);
			goto usage;
		}
	}
	if (optind != argc - 1) {
		tool_err("probe", optind >= argc ? "which HOST?" : "one HOST only");
		goto usage;
	}
	r->host = argv[optind];
	err = resolve(r, &ss, &sl);
	if (err == -EINVAL)
		goto usage;
	if (err < 0) {
		free(r);
		return EXIT_FAILURE_RUN;
	}
	fam = ss.ss_family == AF_INET6 ? 6 : 4;
	plpmtud_config_default(&cfg, fam);
	if (r->min_mtu)
		cfg.base_mtu = (uint16_t)r->min_mtu;
	if (fam == 6 && cfg.base_mtu < 1280) {
		tool_err("probe", "--min: IPv6 paths carry at least 1280 bytes");
		goto usage;
	}
	cfg.max_mtu = (uint16_t)r->max_mtu;
	if (cfg.max_mtu < cfg.base_mtu) {
		tool_err("probe", "--max %u is below --min %u", r->max_mtu, cfg.base_mtu);
		goto usage;
	}
	cfg.min_wait_ms = r->wait_ms;
	if (cfg.initial_timeout_ms < cfg.min_wait_ms)
		cfg.initial_timeout_ms = cfg.min_wait_ms;
	if (cfg.max_timeout_ms < cfg.min_wait_ms)
		cfg.max_timeout_ms = cfg.min_wait_ms;
	cfg.raise_timer_ms = 0;
	if (plpmtud_init(&r->fwd, &cfg) < 0 || plpmtud_init(&r->rev, &cfg) < 0) {
		tool_err("probe", "bad --min/--max/--wait combination");
		goto usage;
	}
	r->seqs = calloc(SEQ_SLOTS, sizeof(*r->seqs));
	if (!r->seqs) {
		free(r);
		return EXIT_FAILURE_RUN;
	}
	err = pnet_open(&r->net, ss.ss_family, r->method, (struct sockaddr *)&ss, sl);
	if (err == -EACCES) {
		explain_permission(ss.ss_family);
		rc = EXIT_FAILURE_RUN;
		goto out;
	} else if (err == -ENETUNREACH || err == -EHOSTUNREACH) {
		r->unreach = 1; /* no route: report it like any unreachable */
		r->net.family = ss.ss_family;
		r->t0 = now_ms();
		if (r->json)
			print_json(r);
		else
			print_text(r);
		rc = EXIT_FAILURE_RUN;
		goto out;
	} else if (err < 0) {
		tool_err("probe", "socket to %s: %s", r->addr_str, strerror(-err));
		rc = EXIT_FAILURE_RUN;
		goto out;
	}
	if (pnet_min_size(&r->net) > (int)cfg.base_mtu) {
		tool_err("probe", "--min is below the smallest probe (%d)", pnet_min_size(&r->net));
		rc = EXIT_USAGE;
		goto out;
	}
	r->tty = isatty(STDOUT_FILENO);
	/* an unpredictable start: a blind spoofer cannot guess which replies
	 * we wait for */
	if (getrandom(&r->next_seq, sizeof(r->next_seq), 0) != sizeof(r->next_seq))
		r->next_seq = (uint32_t)getpid() * 2654435761u;
	r->next_seq |= 1;
	r->t0 = now_ms();
	progress(r, "probing %s (%s) from %u to %u bytes\n", r->host, r->addr_str,
		 cfg.base_mtu, cfg.max_mtu);
	err = run_search(r, &r->fwd, K_FWD);
	if (err < 0) {
		rc = EXIT_FAILURE_RUN;
		goto out;
	}
	r->search_ms = elapsed(r);
	/* linger briefly: a PTB that arrives after the answer can still be
	 * judged (a lie), and is not left unread */
	if (path_mtu_fwd(r)) {
		uint64_t until = elapsed(r) + 150;

		while (elapsed(r) < until)
			if (pump(r, until - elapsed(r)) < 0)
				break;
	}
	if (path_mtu_fwd(r) && plpmtud_too_big(&r->fwd) &&
	    (r->locate == 1 || (r->locate == -1 && plpmtud_black_hole(&r->fwd))))
		run_locate(r, plpmtud_too_big(&r->fwd));
	if (r->method == PNET_UDP && r->reverse && path_mtu_fwd(r)) {
		r->rev_done = true;
		if (run_search(r, &r->rev, K_REV) < 0) {
			rc = EXIT_FAILURE_RUN;
			goto out;
		}
	}
	if (r->json)
		print_json(r);
	else
		print_text(r);
	if (!path_mtu_fwd(r))
		rc = EXIT_FAILURE_RUN;
	else if (plpmtud_black_hole(&r->fwd) || r->fwd.st.ptb_lies ||
		 (path_mtu_rev(r) && path_mtu_rev(r) != path_mtu_fwd(r)) ||
		 (r->rev_done && !path_mtu_rev(r)))
		rc = EXIT_PROBLEM;
out:
	pnet_close(&r->net);
	free(r->seqs);
	free(r);
	return rc;
usage:
	fprintf(stderr, "Try 'wgmtu probe --help'.\n");
	free(r->seqs);
	free(r);
	return EXIT_USAGE;
}
