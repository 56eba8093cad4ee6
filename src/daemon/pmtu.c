// SPDX-License-Identifier: MIT
/*
 * Per-peer path MTU discovery and enforcement (issue 6); see pmtu.h and
 * docs/daemon-pmtu.md.
 */
#include "daemon/pmtu.h"
#include "daemon/device.h"
#include "daemon/hooks.h"
#include "daemon/log.h"

#include "common/util.h"
#include "pmtu/frag.h"
#include "pmtu/mss.h"
#include "pmtu/overhead.h"
#include "pmtu/probemsg.h"

#include <arpa/inet.h>
#include <errno.h>
#include <ifaddrs.h>
#include <net/if.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define NS_PER_MS 1000000ull
/* Auto mode: how long the one in-band probe waits for an acknowledgement. */
#define HELLO_WAIT_MS 1000
/* Black-hole watch: while full-size packets go out, the path MTU is
 * re-confirmed by a probe this often (idle peers send nothing). */
#define STALL_CHECK_MS 1000
/* After a black hole, how long the old MTU stays while the search runs
 * before stepping down to the base size. */
#define BH_STEP_DOWN_MS 1000

/* single-threaded daemon: scratch for fragmentation and probes */
static uint8_t orig_buf[WGD_PKT_MAX];
static uint8_t scratch[WGD_PKT_MAX];

static uint64_t pmtu_now_ms(const struct wgd_device *dev)
{
	return dev->now / NS_PER_MS;
}

static const char *method_name(enum wgd_pmtu_method m)
{
	switch (m) {
	case WGD_PMTU_M_INBAND: return "inband";
	case WGD_PMTU_M_ICMP_TUNNEL: return "icmp-tunnel";
	case WGD_PMTU_M_PINNED: return "pinned";
	case WGD_PMTU_M_NONE: break;
	}
	return "none";
}

static void peer_name(const struct wgd_peer *peer, char *buf, size_t len)
{
	static const char b64[] =
		"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	const uint8_t *k = peer->public_key;

	/* the first 8 base64 characters, as wg show abbreviates */
	snprintf(buf, len, "%c%c%c%c%c%c%c%c", b64[k[0] >> 2], b64[((k[0] & 3) << 4) | (k[1] >> 4)],
		 b64[((k[1] & 15) << 2) | (k[2] >> 6)], b64[k[2] & 63], b64[k[3] >> 2],
		 b64[((k[3] & 3) << 4) | (k[4] >> 4)], b64[((k[4] & 15) << 2) | (k[5] >> 6)],
		 b64[k[5] & 63]);
}

static int64_t wall_sec(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return ts.tv_sec;
}

void wgd_pmtu_dev_init(struct wgd_device *dev)
{
	struct wgd_pmtu_dev *d = &dev->pmtu;
	const char *raise = getenv("WGMTUD_TEST_PMTU_RAISE_MS");
	unsigned long ms;

	d->probe = true;
	d->clamp = true;
	d->max_mtu = 1500;
	d->raise_ms = PLPMTUD_RAISE_TIMER_MS;
	if (raise && parse_ulong(raise, 100, PLPMTUD_RAISE_TIMER_MS, &ms) == 0) {
		d->raise_ms = (uint32_t)ms;
		log_err("WARNING: path MTU raise timer %lu ms (WGMTUD_TEST_PMTU_RAISE_MS, for tests only)", ms);
	}
	icmp_rl_init(&d->rl, ICMP_RL_DEFAULT_SRC_RATE, ICMP_RL_DEFAULT_SRC_BURST,
		     ICMP_RL_DEFAULT_GLOBAL_RATE, ICMP_RL_DEFAULT_GLOBAL_BURST, wgd_rand32(NULL));
}

void wgd_pmtu_peer_init(struct wgd_peer *peer)
{
	struct wgd_pmtu *p = &peer->pmtu;

	memset(p, 0, sizeof(*p));
	p->deadline = UINT64_MAX;
	p->echo_id = (uint16_t)wgd_rand32(NULL);
	snprintf(p->reason, sizeof(p->reason), "no session yet");
}

unsigned wgd_pmtu_mtu(const struct wgd_peer *peer)
{
	const struct wgd_pmtu *p = &peer->pmtu;
	unsigned tun = peer->dev->tun.mtu;

	if (p->pinned)
		return p->pinned < tun ? p->pinned : tun;
	if (p->effective && p->effective < tun)
		return p->effective;
	return tun;
}

uint64_t wgd_pmtu_deadline(const struct wgd_peer *peer)
{
	return peer->pmtu.deadline;
}

static void rearm(struct wgd_peer *peer)
{
	struct wgd_pmtu *p = &peer->pmtu;
	struct wgd_device *dev = peer->dev;
	uint64_t d = UINT64_MAX, e;

	if (p->hello_out)
		d = p->hello_deadline;
	if (p->active) {
		e = plpmtud_next_deadline(&p->eng);
		if (e != UINT64_MAX && e * NS_PER_MS < d)
			d = e * NS_PER_MS;
	}
	if (p->stall_check && p->stall_check < d)
		d = p->stall_check;
	if (p->bh_deadline && p->bh_deadline < d)
		d = p->bh_deadline;
	p->deadline = d;
	if (d < dev->next_deadline)
		dev->next_deadline = d;
}

/* ---- probe target (icmp-tunnel) ---- */

/* Our own address of family on the TUN: the source of echo requests. */
static bool own_addr(struct wgd_device *dev, int family, uint8_t out[16])
{
	struct ifaddrs *ifa, *i;
	bool found = false;

	if (getifaddrs(&ifa) < 0)
		return false;
	for (i = ifa; i && !found; i = i->ifa_next) {
		if (!i->ifa_addr || i->ifa_addr->sa_family != family ||
		    strcmp(i->ifa_name, dev->tun.name))
			continue;
		if (family == AF_INET) {
			memcpy(out, &((struct sockaddr_in *)i->ifa_addr)->sin_addr, 4);
			found = true;
		} else {
			const struct in6_addr *a = &((struct sockaddr_in6 *)i->ifa_addr)->sin6_addr;

			if (IN6_IS_ADDR_LINKLOCAL(a))
				continue;
			memcpy(out, a, 16);
			found = true;
		}
	}
	freeifaddrs(ifa);
	return found;
}

/* The first /32 (then /128) of the peer's allowed IPs for which we have a
 * source address: the walk stops at it (returns 1). */
struct target_walk {
	struct wgd_peer *peer;
	int family;
};

static int target_cb(void *arg, int family, const uint8_t *addr, uint8_t cidr, void *peer_)
{
	struct target_walk *w = arg;
	struct wgd_pmtu *p = &w->peer->pmtu;

	(void)peer_;
	if (family != w->family || cidr != (family == AF_INET ? 32 : 128))
		return 0;
	if (!own_addr(w->peer->dev, family, p->src))
		return 2; /* no source of that family: try the other */
	p->addr_family = family;
	memcpy(p->addr, addr, 16);
	return 1;
}

/* The target: the address set by hand, or the first /32 (then /128) of
 * the peer's allowed IPs for which we have a source address. */
static bool pick_target(struct wgd_peer *peer)
{
	struct wgd_pmtu *p = &peer->pmtu;

	if (p->addr_set)
		return own_addr(peer->dev, p->addr_family, p->src);
	p->addr_family = 0;
	for (int fam = AF_INET; fam; fam = fam == AF_INET ? AF_INET6 : 0) {
		struct target_walk w = { .peer = peer, .family = fam };

		if (wg_allowedips_owner_walk(&peer->aips, target_cb, &w) == 1)
			return true;
	}
	return false;
}

static const char *addr_str(int family, const uint8_t *a, char *buf, size_t len)
{
	if (!family || !inet_ntop(family, a, buf, (socklen_t)len))
		snprintf(buf, len, "-");
	return buf;
}

/* ---- sending probes ---- */

static void send_inband(struct wgd_peer *peer, uint32_t id, unsigned outer)
{
	struct wgd_pmtu *p = &peer->pmtu;
	enum ovh_family fam = p->ovh == 60 ? OVH_IPV4 : OVH_IPV6;
	struct pmsg m = { .version = PMSG_VERSION, .type = PMSG_TYPE_PROBE, .id = id,
			  .probed_size = (uint16_t)outer };
	int plen = pmsg_plaintext_len(outer, fam);

	if (plen < 0 || pmsg_encode(&m, scratch, sizeof(scratch), (size_t)plen) < 0)
		return;
	if (wgd_send_exact(peer, scratch, (size_t)plen) == 0) {
		p->probes_sent++;
		p->probe_bytes += outer;
	}
}

static void send_echo(struct wgd_peer *peer, uint32_t id, unsigned outer)
{
	struct wgd_pmtu *p = &peer->pmtu;
	struct icmp_echo e = { .family = p->addr_family == AF_INET ? 4 : 6,
			       .id = p->echo_id, .seq = (uint16_t)id };
	int n;

	if (outer <= (unsigned)p->ovh)
		return;
	e.size = outer - (unsigned)p->ovh;
	memcpy(e.src, p->src, 16);
	memcpy(e.dst, p->addr, 16);
	n = icmp_echo_build(&e, scratch, sizeof(scratch));
	if (n < 0)
		return;
	p->seq_ids[e.seq % WGD_PMTU_SEQ_RING] = id;
	if (wgd_send_exact(peer, scratch, (size_t)n) == 0) {
		p->probes_sent++;
		p->probe_bytes += outer;
	}
}

/* ---- the engine ---- */

static void set_effective(struct wgd_peer *peer, uint16_t path, const char *evidence)
{
	struct wgd_pmtu *p = &peer->pmtu;
	unsigned old = wgd_pmtu_mtu(peer), now;
	char name[16];

	p->path_mtu = path;
	p->effective = path > p->ovh ? (uint16_t)(path - p->ovh) : 0;
	now = wgd_pmtu_mtu(peer);
	if (now != old)
		p->last_change = wall_sec();
	peer_name(peer, name, sizeof(name));
	log_info("peer %s: path MTU %u (%s), effective MTU %u (was %u): %s", name, path,
		 method_name(p->method), now, old, evidence);
}

static void handle_events(struct wgd_peer *peer)
{
	struct wgd_pmtu *p = &peer->pmtu;
	struct plpmtud *e = &p->eng;
	uint32_t ev = plpmtud_events(e);
	enum plpmtud_state st = plpmtud_state(e);
	char ev_txt[160];
	uint16_t tb = plpmtud_too_big(e);

	if (!ev)
		return;
	snprintf(ev_txt, sizeof(ev_txt), "%u acked, %s%u lost (of %u probes)%s%s",
		 plpmtud_mtu(e), tb ? "" : "none above, ", tb ? tb : 0u, e->st.probes_sent,
		 ev & PLPMTUD_EV_BLACK_HOLE ? "; black hole: the confirmed size stopped passing" : "",
		 ev & PLPMTUD_EV_PTB_LIE ? "; an ICMP too-big lied" : "");
	if (ev & PLPMTUD_EV_ERROR) {
		char name[16];

		peer_name(peer, name, sizeof(name));
		if (p->path_mtu) {
			log_info("peer %s: even the base size is lost now; keeping MTU %u", name,
				 wgd_pmtu_mtu(peer));
		} else {
			snprintf(p->reason, sizeof(p->reason), "%s: keeping MTU %u, MSS clamped",
				 p->method == WGD_PMTU_M_ICMP_TUNNEL ? "peer answers no pings"
								    : "no reply to in-band probes",
				 wgd_pmtu_mtu(peer));
			log_info("peer %s: %s", name, p->reason);
		}
		return;
	}
	if ((ev & PLPMTUD_EV_COMPLETE) && st == PLPMTUD_SEARCH_COMPLETE) {
		p->bh_deadline = 0;
		if (plpmtud_mtu(e) != p->path_mtu)
			set_effective(peer, plpmtud_mtu(e), ev_txt);
		snprintf(p->reason, sizeof(p->reason), "path MTU %u found by %s probes%s",
			 p->path_mtu, method_name(p->method),
			 p->method == WGD_PMTU_M_ICMP_TUNNEL ? " (peer pads replies: 16-byte steps)" : "");
		if (p->path_mtu && p->effective < ICMP6_MIN_MTU)
			snprintf(p->reason + strlen(p->reason), sizeof(p->reason) - strlen(p->reason),
				 "; below 1280: IPv6 inside relies on MSS clamping");
		return;
	}
	/* A black hole: the search that follows usually ends within a few
	 * round trips, and its answer is what the ICMP into the TUN should
	 * announce (senders cache it for ten minutes). Only when it takes
	 * longer does the MTU step down to the base size meanwhile. */
	if ((ev & PLPMTUD_EV_BLACK_HOLE) && p->path_mtu) {
		char name[16];

		peer_name(peer, name, sizeof(name));
		log_info("peer %s: black hole at path MTU %u: %s; searching again", name,
			 p->path_mtu, ev_txt);
		p->bh_deadline = peer->dev->now + BH_STEP_DOWN_MS * NS_PER_MS;
	}
}

static void run_engine(struct wgd_peer *peer)
{
	struct wgd_pmtu *p = &peer->pmtu;
	struct plpmtud_probe out[PLPMTUD_MAX_INFLIGHT];
	size_t n;

	if (!p->active)
		return;
	n = plpmtud_poll(&p->eng, pmtu_now_ms(peer->dev), out, PLPMTUD_MAX_INFLIGHT);
	for (size_t i = 0; i < n; i++) {
		if (p->method == WGD_PMTU_M_INBAND)
			send_inband(peer, out[i].id, out[i].size);
		else
			send_echo(peer, out[i].id, out[i].size);
	}
	handle_events(peer);
	rearm(peer);
}

static void begin(struct wgd_peer *peer, enum wgd_pmtu_method m)
{
	struct wgd_pmtu *p = &peer->pmtu;
	struct wgd_device *dev = peer->dev;
	struct plpmtud_config cfg;
	unsigned top = dev->tun.mtu + (unsigned)p->ovh;
	char a[INET6_ADDRSTRLEN], name[16];

	plpmtud_config_default(&cfg, p->ovh == 60 ? 4 : 6);
	cfg.max_mtu = (uint16_t)(dev->pmtu.max_mtu < top ? dev->pmtu.max_mtu : top);
	cfg.raise_timer_ms = dev->pmtu.raise_ms;
	cfg.error_retry_ms = dev->pmtu.raise_ms;
	p->method = m;
	peer_name(peer, name, sizeof(name));
	if (cfg.max_mtu <= cfg.base_mtu || plpmtud_init(&p->eng, &cfg) < 0) {
		p->active = false;
		snprintf(p->reason, sizeof(p->reason),
			 "TUN MTU %u leaves nothing to search above the base size", dev->tun.mtu);
		return;
	}
	p->active = true;
	if (m == WGD_PMTU_M_INBAND)
		snprintf(p->reason, sizeof(p->reason), "searching with in-band probes");
	else
		snprintf(p->reason, sizeof(p->reason),
			 "no reply to in-band probes; probing %s inside the tunnel",
			 addr_str(p->addr_family, p->addr, a, sizeof(a)));
	log_info("peer %s: path MTU search %u..%u with %s probes", name, cfg.base_mtu,
		 cfg.max_mtu, method_name(m));
	plpmtud_start(&p->eng, pmtu_now_ms(dev));
	run_engine(peer);
}

/* A standard peer (or icmp-tunnel chosen by hand): ping its tunnel address,
 * or keep the configured MTU when it has none. */
static void begin_icmp(struct wgd_peer *peer)
{
	struct wgd_pmtu *p = &peer->pmtu;
	char name[16];

	if (pick_target(peer)) {
		begin(peer, WGD_PMTU_M_ICMP_TUNNEL);
		return;
	}
	p->method = WGD_PMTU_M_NONE;
	p->active = false;
	snprintf(p->reason, sizeof(p->reason),
		 "standard peer without a /32 or /128 tunnel address (or we have none): keeping MTU %u, MSS clamped",
		 wgd_pmtu_mtu(peer));
	peer_name(peer, name, sizeof(name));
	log_info("peer %s: %s", name, p->reason);
}

void wgd_pmtu_start(struct wgd_peer *peer, const char *why)
{
	struct wgd_pmtu *p = &peer->pmtu;
	struct wgd_device *dev = peer->dev;
	int fam = peer->ep.addr.sa.sa_family;
	char name[16];

	p->started = false;
	p->bh_deadline = 0;
	p->active = false;
	p->hello_out = false;
	p->raise_deferred = false;
	p->stall_check = 0;
	p->deadline = UINT64_MAX;
	if (!dev->pmtu.probe || p->mode == WG_UAPI_PMTU_OFF) {
		p->method = p->pinned ? WGD_PMTU_M_PINNED : WGD_PMTU_M_NONE;
		snprintf(p->reason, sizeof(p->reason), "path MTU discovery is off%s",
			 dev->pmtu.probe ? " for this peer" : "");
		return;
	}
	if (p->pinned) {
		p->method = WGD_PMTU_M_PINNED;
		snprintf(p->reason, sizeof(p->reason), "MTU %u pinned by hand", p->pinned);
		return;
	}
	if (!fam || !peer->kps.current) {
		snprintf(p->reason, sizeof(p->reason), "no session yet");
		return;
	}
	p->started = true;
	p->ovh = fam == AF_INET ? 60 : 80;
	peer_name(peer, name, sizeof(name));
	log_info("peer %s: path MTU discovery starts (%s)", name, why);
	switch (p->mode) {
	case WG_UAPI_PMTU_INBAND:
		begin(peer, WGD_PMTU_M_INBAND);
		return;
	case WG_UAPI_PMTU_ICMP_TUNNEL:
		begin_icmp(peer);
		return;
	case WG_UAPI_PMTU_ICMP_ENDPOINT:
		p->method = WGD_PMTU_M_NONE;
		snprintf(p->reason, sizeof(p->reason),
			 "icmp-endpoint probing is not implemented: keeping MTU %u, MSS clamped",
			 wgd_pmtu_mtu(peer));
		return;
	default:
		break;
	}
	if (p->inband_peer) {
		begin(peer, WGD_PMTU_M_INBAND);
		return;
	}
	/* auto: the one in-band probe of this session, as small as possible */
	p->hello_id = wgd_rand32(NULL) | 1u << 31;
	p->hello_out = true;
	p->hello_deadline = dev->now + HELLO_WAIT_MS * NS_PER_MS;
	snprintf(p->reason, sizeof(p->reason), "asking the peer for in-band probes");
	send_inband(peer, p->hello_id, (unsigned)p->ovh + PMSG_HDR_LEN);
	rearm(peer);
}

void wgd_pmtu_tick(struct wgd_peer *peer)
{
	struct wgd_pmtu *p = &peer->pmtu;
	struct wgd_device *dev = peer->dev;

	if (p->hello_out && dev->now >= p->hello_deadline) {
		p->hello_out = false;
		begin_icmp(peer);
	}
	if (p->bh_deadline && dev->now >= p->bh_deadline) {
		p->bh_deadline = 0;
		if (p->active && plpmtud_state(&p->eng) != PLPMTUD_SEARCH_COMPLETE &&
		    p->path_mtu > plpmtud_mtu(&p->eng))
			set_effective(peer, plpmtud_mtu(&p->eng),
				      "black hole and no answer from the search yet: base size meanwhile");
	}
	if (p->stall_check && dev->now >= p->stall_check) {
		p->stall_check = 0;
		if (p->active && p->large_sent &&
		    plpmtud_state(&p->eng) == PLPMTUD_SEARCH_COMPLETE)
			plpmtud_on_data_stall(&p->eng, pmtu_now_ms(dev));
		p->large_sent = false;
	}
	/* the raise timer is due but nothing was sent for a whole interval:
	 * an idle peer does not need a larger MTU, so no probes until data
	 * flows again (wgd_hook_tx_mtu_check resumes it) */
	if (p->active && plpmtud_raise_due(&p->eng, pmtu_now_ms(dev)) &&
	    dev->now - p->last_tx > (uint64_t)dev->pmtu.raise_ms * NS_PER_MS)
		p->raise_deferred = plpmtud_raise_defer(&p->eng);
	run_engine(peer);
	rearm(peer);
}

void wgd_pmtu_on_large_sent(struct wgd_peer *peer)
{
	struct wgd_pmtu *p = &peer->pmtu;

	if (!p->active || p->large_sent)
		return;
	p->large_sent = true;
	if (!p->stall_check) {
		p->stall_check = peer->dev->now + STALL_CHECK_MS * NS_PER_MS;
		rearm(peer);
	}
}

void wgd_pmtu_on_outer_ptb(struct wgd_device *dev, int family, const uint8_t *addr,
			   uint16_t port, uint32_t mtu)
{
	for (struct wgd_peer *peer = dev->peers; peer; peer = peer->next) {
		const union wgd_sockaddr *a = &peer->ep.addr;
		struct wgd_pmtu *p = &peer->pmtu;

		if (a->sa.sa_family != family)
			continue;
		if (family == AF_INET ? (memcmp(&a->in4.sin_addr, addr, 4) || ntohs(a->in4.sin_port) != port)
				      : (memcmp(&a->in6.sin6_addr, addr, 16) || ntohs(a->in6.sin6_port) != port))
			continue;
		p->ptb_hints++;
		if (p->active) {
			/* a hint: probe now, never believe it by itself */
			plpmtud_on_ptb(&p->eng, 0, mtu, pmtu_now_ms(dev));
			if (plpmtud_state(&p->eng) == PLPMTUD_SEARCH_COMPLETE)
				plpmtud_on_data_stall(&p->eng, pmtu_now_ms(dev));
			run_engine(peer);
		}
	}
}

/* ---- data path ---- */

void wgd_hook_tx_mss(struct wgd_peer *peer, uint8_t *pkt, const struct wgd_ip *ip)
{
	if (!peer->dev->pmtu.clamp || ip->proto != 6)
		return;
	mss_clamp(pkt, ip->len, mss_for_mtu(wgd_pmtu_mtu(peer), ip->family == AF_INET ? 4 : 6));
}

void wgd_hook_rx_mss(struct wgd_peer *peer, uint8_t *pkt, const struct wgd_ip *ip)
{
	wgd_hook_tx_mss(peer, pkt, ip);
}

static void too_big(struct wgd_peer *peer, const uint8_t *pkt, const struct wgd_ip *ip, unsigned mtu)
{
	struct wgd_device *dev = peer->dev;
	enum icmp_verdict why = ICMP_SEND;
	int n;

	if (ip->family == AF_INET)
		n = icmp4_build_frag_needed(pkt, ip->len, NULL, mtu, scratch, sizeof(scratch), &why);
	else
		n = icmp6_build_packet_too_big(pkt, ip->len, NULL, mtu, scratch, sizeof(scratch), &why);
	if (n < 0) {
		/* IPv6 below 1280: nothing may be announced; MSS clamping is all */
		wgd_drop(dev, WGD_DROP_TOO_BIG_V6_MIN, peer);
		return;
	}
	if (n > 0 && icmp_rl_allow(&dev->pmtu.rl, ip->src, ip->family == AF_INET ? 4 : 16,
				   pmtu_now_ms(dev)) &&
	    wgd_tun_inject(dev, scratch, (size_t)n) == 0)
		dev->pmtu.too_big_sent++;
	wgd_drop(dev, WGD_DROP_TOO_BIG, peer);
}

enum wgd_hook_verdict wgd_hook_tx_mtu_check(struct wgd_peer *peer, uint8_t *pkt,
					    const struct wgd_ip *ip)
{
	unsigned mtu = wgd_pmtu_mtu(peer);
	struct frag4 f;
	int n;

	peer->pmtu.last_tx = peer->dev->now;
	if (peer->pmtu.raise_deferred) {
		peer->pmtu.raise_deferred = false;
		if (peer->pmtu.active) {
			plpmtud_raise_resume(&peer->pmtu.eng, pmtu_now_ms(peer->dev));
			rearm(peer);
		}
	}
	if (ip->len + 64 > mtu)
		wgd_pmtu_on_large_sent(peer);
	if (ip->len <= mtu)
		return WGD_HOOK_PASS;
	if (ip->family == AF_INET6 || ip->df) {
		too_big(peer, pkt, ip, mtu);
		return WGD_HOOK_CONSUMED;
	}
	/* IPv4 without DF: fragment here, as a router would. The packet sits
	 * in the tx slot the fragments are encrypted into: copy it first. */
	memcpy(orig_buf, pkt, ip->len);
	if (frag4_init(&f, orig_buf, ip->len, mtu) <= 0) {
		wgd_drop(peer->dev, WGD_DROP_FRAG_FAILED, peer);
		return WGD_HOOK_CONSUMED;
	}
	while ((n = frag4_next(&f, scratch, sizeof(scratch))) > 0)
		wgd_send_packet(peer, scratch, (size_t)n);
	peer->dev->pmtu.fragmented++;
	return WGD_HOOK_CONSUMED;
}

static bool is_our_echo_reply(struct wgd_peer *peer, const uint8_t *plain, size_t plen,
			      struct icmp_echo *e)
{
	struct wgd_pmtu *p = &peer->pmtu;
	unsigned v = plain[0] >> 4;

	if (!p->active || p->method != WGD_PMTU_M_ICMP_TUNNEL)
		return false;
	if (v == 4 ? (plen < 28 || plain[9] != 1) : v == 6 ? (plen < 48 || plain[6] != 58) : true)
		return false;
	if (icmp_echo_parse(plain, plen, e) < 0 || !e->reply || e->id != p->echo_id)
		return false;
	if ((e->family == 4) != (p->addr_family == AF_INET))
		return false;
	return !memcmp(e->src, p->addr, e->family == 4 ? 4 : 16) &&
	       !memcmp(e->dst, p->src, e->family == 4 ? 4 : 16);
}

/*
 * Evidence that the peer is a wgmtud, whatever our single in-band hello
 * met (loss can eat it, or its ack): it sent us an in-band probe or a late
 * ack, or it pings our tunnel address with wgmtud's echo payload pattern.
 * A peer in auto mode then switches to in-band probes, which that peer
 * answers; a standard peer never produces this evidence, so it still sees
 * at most the one in-band probe of the session.
 */
static void learn_wgmtud(struct wgd_peer *peer, const char *evidence)
{
	struct wgd_pmtu *p = &peer->pmtu;
	char name[16];

	if (p->inband_peer)
		return;
	p->inband_peer = true;
	p->hello_out = false;
	peer_name(peer, name, sizeof(name));
	log_info("peer %s: answers in-band probes (a wgmtud: %s)", name, evidence);
	if (p->started && p->mode == WG_UAPI_PMTU_AUTO && p->method != WGD_PMTU_M_INBAND)
		begin(peer, WGD_PMTU_M_INBAND);
}

/* An echo request built by icmp_echo_build (another wgmtud's icmp-tunnel
 * probe): its payload is the pattern byte i = i + id. */
static bool is_wgmtud_echo_request(const uint8_t *plain, size_t plen)
{
	struct icmp_echo e;
	size_t off;
	unsigned v = plain[0] >> 4;

	if (v == 4 ? (plen < 28 || plain[9] != 1) : v == 6 ? (plen < 48 || plain[6] != 58) : true)
		return false;
	if (icmp_echo_parse(plain, plen, &e) < 0 || e.reply)
		return false;
	off = (v == 4 ? (size_t)(plain[0] & 15) * 4 : 40) + 8;
	if (plen < off + 16)
		return false;
	for (size_t i = 0; i < 16; i++)
		if (plain[off + i] != (uint8_t)(i + e.id))
			return false;
	return true;
}

enum wgd_hook_verdict wgd_hook_rx_probe(struct wgd_peer *peer, uint8_t *plain, size_t plen)
{
	struct wgd_pmtu *p = &peer->pmtu;
	struct wgd_device *dev = peer->dev;
	struct icmp_echo e;
	struct pmsg m, ack;
	int fam = peer->ep.addr.sa.sa_family;

	if (is_our_echo_reply(peer, plain, plen, &e)) {
		plpmtud_on_ack(&p->eng, p->seq_ids[e.seq % WGD_PMTU_SEQ_RING], pmtu_now_ms(dev));
		run_engine(peer);
		return WGD_HOOK_CONSUMED;
	}
	if (!p->inband_peer && p->method == WGD_PMTU_M_ICMP_TUNNEL &&
	    is_wgmtud_echo_request(plain, plen))
		learn_wgmtud(peer, "it pings us with wgmtud's probe pattern");
	if (!pmsg_is_candidate(plain, plen))
		return WGD_HOOK_PASS;
	if (pmsg_decode(plain, plen, &m) < 0) {
		wgd_drop(dev, WGD_DROP_PROBE_INVALID, peer);
		return WGD_HOOK_CONSUMED;
	}
	if (m.type == PMSG_TYPE_PROBE) {
		/* probes are never padded: plen is the plaintext as sent */
		pmsg_make_ack(&m, plen + WG_MSG_DATA_HEADER_LEN + WG_AEAD_TAG_LEN,
			      fam == AF_INET6 ? OVH_IPV6 : OVH_IPV4, &ack);
		if (pmsg_encode(&ack, scratch, sizeof(scratch), PMSG_HDR_LEN) > 0)
			wgd_send_exact(peer, scratch, PMSG_HDR_LEN);
		learn_wgmtud(peer, "it sent an in-band probe");
		return WGD_HOOK_CONSUMED;
	}
	/* an acknowledgement */
	if (p->hello_out && m.id == p->hello_id) {
		p->hello_out = false;
		learn_wgmtud(peer, "it acknowledged our in-band probe");
		return WGD_HOOK_CONSUMED;
	}
	if (!p->inband_peer && m.id == p->hello_id) {
		learn_wgmtud(peer, "a late acknowledgement of our in-band probe");
		return WGD_HOOK_CONSUMED;
	}
	if (p->active && p->method == WGD_PMTU_M_INBAND) {
		plpmtud_on_ack(&p->eng, m.id, pmtu_now_ms(dev));
		run_engine(peer);
	}
	return WGD_HOOK_CONSUMED;
}

void wgd_hook_session_established(struct wgd_peer *peer)
{
	struct wgd_pmtu *p = &peer->pmtu;

	/* the first session starts discovery; rekeys (a new session every
	 * two minutes) keep the search and its result. Roaming and
	 * configuration changes restart it themselves. */
	if (!p->started)
		wgd_pmtu_start(peer, "session established");
}

void wgd_hook_endpoint_changed(struct wgd_peer *peer)
{
	if (peer->pmtu.method == WGD_PMTU_M_PINNED)
		return;
	wgd_pmtu_start(peer, "endpoint changed (roaming)");
}

void wgd_hook_peer_removed(struct wgd_peer *peer)
{
	memset(&peer->pmtu, 0, sizeof(peer->pmtu));
}

/* ---- configuration ---- */

void wgd_pmtu_conf_dev(struct wgd_device *dev, const struct wg_uapi_txn *txn)
{
	struct wgd_pmtu_dev *d = &dev->pmtu;
	bool restart = false;

	if (txn->has_wgmtu_clamp_mss)
		d->clamp = txn->wgmtu_clamp_mss;
	if (txn->has_wgmtu_probe && txn->wgmtu_probe != d->probe) {
		d->probe = txn->wgmtu_probe;
		restart = true;
	}
	if (txn->has_wgmtu_max_mtu && txn->wgmtu_max_mtu != d->max_mtu) {
		d->max_mtu = txn->wgmtu_max_mtu;
		restart = true;
	}
	if (!restart)
		return;
	for (struct wgd_peer *p = dev->peers; p; p = p->next) {
		if (!d->probe) {
			p->pmtu.effective = 0;
			p->pmtu.path_mtu = 0;
		}
		wgd_pmtu_start(p, "configuration changed");
	}
}

int wgd_pmtu_conf_peer(struct wgd_peer *peer, const struct wg_uapi_peer_op *op)
{
	struct wgd_pmtu *p = &peer->pmtu;
	bool restart = false;

	if (op->has_wgmtu_probe && op->wgmtu_probe != p->mode) {
		p->mode = op->wgmtu_probe;
		restart = true;
	}
	if (op->has_wgmtu_probe_address) {
		p->addr_set = op->wgmtu_probe_address.family != 0;
		p->addr_family = op->wgmtu_probe_address.family;
		memcpy(p->addr, op->wgmtu_probe_address.addr, 16);
		restart = true;
	}
	if (op->has_wgmtu_pinned_mtu && op->wgmtu_pinned_mtu != p->pinned) {
		p->pinned = op->wgmtu_pinned_mtu;
		p->last_change = wall_sec();
		restart = true;
	}
	if (restart) {
		if (p->mode == WG_UAPI_PMTU_OFF || !peer->dev->pmtu.probe) {
			p->effective = 0;
			p->path_mtu = 0;
		}
		wgd_pmtu_start(peer, "configuration changed");
	}
	return 0;
}

/* ---- get ---- */

int wgd_pmtu_get_dev(void *ctx, struct wg_uapi_out *out)
{
	struct wgd_device *dev = ((struct wgd_pmtu_get_ctx *)ctx)->dev;

	wg_uapi_out_kv_u64(out, "wgmtu_version", 1);
	wg_uapi_out_kv_str(out, "wgmtu_probe", dev->pmtu.probe ? "on" : "off");
	wg_uapi_out_kv_str(out, "wgmtu_clamp_mss", dev->pmtu.clamp ? "on" : "off");
	return wg_uapi_out_kv_u64(out, "wgmtu_max_mtu", dev->pmtu.max_mtu);
}

int wgd_pmtu_get_peer(void *ctx, size_t peer_index, struct wg_uapi_out *out)
{
	const struct wgd_pmtu_get_ctx *g = ctx;
	struct wgd_peer *peer;
	const struct wgd_pmtu *p;
	const char *state;
	char a[INET6_ADDRSTRLEN] = "";

	if (peer_index >= g->n_peers)
		return -ENOENT;
	peer = g->peers[peer_index];
	p = &peer->pmtu;
	if (p->method == WGD_PMTU_M_PINNED || p->method == WGD_PMTU_M_NONE)
		state = p->hello_out ? "base" : "disabled";
	else if (!p->active)
		state = "disabled";
	else
		state = plpmtud_state_name(plpmtud_state(&p->eng));
	if (p->addr_family && (p->addr_set || p->method == WGD_PMTU_M_ICMP_TUNNEL))
		inet_ntop(p->addr_family, p->addr, a, sizeof(a));
	wg_uapi_out_kv_str(out, "wgmtu_state", state);
	wg_uapi_out_kv_str(out, "wgmtu_method", method_name(p->method));
	wg_uapi_out_kv_u64(out, "wgmtu_path_mtu", p->method == WGD_PMTU_M_PINNED ? 0 : p->path_mtu);
	wg_uapi_out_kv_u64(out, "wgmtu_effective_mtu", wgd_pmtu_mtu(peer));
	wg_uapi_out_kv_u64(out, "wgmtu_pinned_mtu", p->pinned);
	wg_uapi_out_kv_str(out, "wgmtu_probe_address", a);
	wg_uapi_out_kv_i64(out, "wgmtu_last_change_sec", p->last_change);
	wg_uapi_out_kv_u64(out, "wgmtu_probes_sent", p->probes_sent);
	wg_uapi_out_kv_u64(out, "wgmtu_probe_bytes", p->probe_bytes);
	wg_uapi_out_kv_u64(out, "wgmtu_ptb_hints", p->ptb_hints);
	return wg_uapi_out_kv_str(out, "wgmtu_reason", p->reason);
}
