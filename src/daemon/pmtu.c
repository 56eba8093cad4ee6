// SPDX-License-Identifier: MIT
/*
 * Per-peer path MTU discovery and enforcement: the shim that feeds the pure
 * controller (pmtu/pmtuctl.h) and performs its actions, and the data-path
 * calls; see pmtu.h and docs/daemon-pmtu.md.
 */
#include "daemon/pmtu.h"
#include "daemon/device.h"
#include "daemon/epsock.h"
#include "daemon/log.h"

#include "common/util.h"
#include "pmtu/frag.h"
#include "pmtu/mss.h"
#include "pmtu/overhead.h"
#include "pmtu/probemsg.h"

#include <arpa/inet.h>
#include <errno.h>
#include <openssl/rand.h>
#include <ifaddrs.h>
#include <net/if.h>
#include <openssl/crypto.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define NS_PER_MS 1000000ull


static int64_t wall_sec(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return ts.tv_sec;
}

static enum pmtuctl_mode ctl_mode(enum wg_uapi_pmtu_mode m)
{
	switch (m) {
	case WG_UAPI_PMTU_INBAND: return PMTUCTL_MODE_INBAND;
	case WG_UAPI_PMTU_ICMP_TUNNEL: return PMTUCTL_MODE_ICMP_TUNNEL;
	case WG_UAPI_PMTU_ICMP_ENDPOINT: return PMTUCTL_MODE_ICMP_ENDPOINT;
	case WG_UAPI_PMTU_OFF: return PMTUCTL_MODE_OFF;
	case WG_UAPI_PMTU_AUTO: break;
	}
	return PMTUCTL_MODE_AUTO;
}

/* The peer's controller with its inputs brought up to date. */
static struct pmtuctl *ctl(struct wgd_peer *peer)
{
	struct pmtuctl *c = &peer->pmtu.ctl;
	const struct wgd_pmtu_dev *d = &peer->dev->pmtu;

	c->mode = ctl_mode(peer->pmtu.mode);
	c->probe_on = d->probe;
	c->max_mtu = d->max_mtu;
	c->raise_ms = d->raise_ms;
	c->tun_mtu = peer->dev->tun.mtu;
	return c;
}

int wgd_pmtu_dev_init(struct wgd_device *dev)
{
	struct wgd_pmtu_dev *d = &dev->pmtu;
	uint8_t key[16];

	d->probe = true;
	d->clamp = true;
	d->max_mtu = 1500;
	d->raise_ms = PLPMTUD_RAISE_TIMER_MS;
	if (dev->cfg.pmtu_raise_ms) { /* checked by config.c */
		d->raise_ms = dev->cfg.pmtu_raise_ms;
		log_err("WARNING: path MTU raise timer %u ms (WGMTUD_TEST_PMTU_RAISE_MS, for tests only)",
			d->raise_ms);
	}
	d->ep_fd[0] = d->ep_fd[1] = -1;
	d->scratch = malloc(WGD_PKT_MAX);
	d->frag_src = malloc(WGD_PKT_MAX);
	if (RAND_bytes(key, sizeof(key)) != 1 ||
	    wg_ratelimit_init_rate(&d->icmp_src, ICMP_RL_SOURCES, key, ICMP_RL_DEFAULT_SRC_RATE,
				   ICMP_RL_DEFAULT_SRC_BURST) < 0 ||
	    wg_bucket_init(&d->icmp_all, ICMP_RL_DEFAULT_GLOBAL_RATE,
			   ICMP_RL_DEFAULT_GLOBAL_BURST) < 0)
		return -ENOMEM;
	return d->scratch && d->frag_src ? 0 : -ENOMEM;
}

void wgd_pmtu_dev_free(struct wgd_device *dev)
{
	struct wgd_pmtu_dev *d = &dev->pmtu;

	/* they held plaintext */
	if (d->scratch)
		OPENSSL_cleanse(d->scratch, WGD_PKT_MAX);
	if (d->frag_src)
		OPENSSL_cleanse(d->frag_src, WGD_PKT_MAX);
	free(d->scratch);
	free(d->frag_src);
	d->scratch = d->frag_src = NULL;
	wg_ratelimit_free(&d->icmp_src);
}

void wgd_pmtu_dev_close(struct wgd_device *dev)
{
	for (int i = 0; i < 2; i++) {
		if (dev->pmtu.ep_fd[i] >= 0)
			close(dev->pmtu.ep_fd[i]);
		dev->pmtu.ep_fd[i] = -1;
	}
}

void wgd_pmtu_set_fwmark(struct wgd_device *dev)
{
	for (int i = 0; i < 2; i++)
		if (dev->pmtu.ep_fd[i] >= 0 && wgd_epsock_set_fwmark(dev->pmtu.ep_fd[i], dev->fwmark) < 0)
			log_err("icmp-endpoint socket: cannot set fwmark %u", dev->fwmark);
}

void wgd_pmtu_peer_init(struct wgd_peer *peer)
{
	struct wgd_pmtu *p = &peer->pmtu;

	memset(p, 0, sizeof(*p));
	pmtuctl_init(&p->ctl);
	p->echo_id = (uint16_t)wgd_rand32(NULL);
	p->epkey.id = (uint16_t)wgd_rand32(NULL);
	if (RAND_bytes(p->epkey.secret, sizeof(p->epkey.secret)) != 1)
		for (size_t i = 0; i < sizeof(p->epkey.secret); i += 4) {
			uint32_t r = wgd_rand32(NULL);

			memcpy(p->epkey.secret + i, &r, 4);
		}
}

unsigned wgd_pmtu_mtu(const struct wgd_peer *peer)
{
	return pmtuctl_mtu(&peer->pmtu.ctl, peer->dev->tun.mtu);
}

uint64_t wgd_pmtu_deadline(const struct wgd_peer *peer)
{
	return pmtuctl_deadline(&peer->pmtu.ctl);
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

static const char *addr_str(int family, const uint8_t *a, char *buf, size_t len)
{
	if (!family || !inet_ntop(family, a, buf, (socklen_t)len))
		snprintf(buf, len, "-");
	return buf;
}

/* "AllowedIPs 0.0.0.0/0, ::/0": what the peer has instead of a tunnel
 * address, for the reason line. */
struct aips_text {
	char *buf;
	size_t len, used;
	unsigned n;
};

static int aips_text_cb(void *arg, int family, const uint8_t *addr, uint8_t cidr, void *peer_)
{
	struct aips_text *t = arg;
	char a[INET6_ADDRSTRLEN];
	int w;

	(void)peer_;
	if (t->n == 3) {
		w = snprintf(t->buf + t->used, t->len - t->used, ", ...");
		t->used += w > 0 && (size_t)w < t->len - t->used ? (size_t)w : 0;
		return 1;
	}
	inet_ntop(family, addr, a, sizeof(a));
	w = snprintf(t->buf + t->used, t->len - t->used, "%s%s/%u", t->n ? ", " : "", a, cidr);
	if (w < 0 || (size_t)w >= t->len - t->used)
		return 1;
	t->used += (size_t)w;
	t->n++;
	return 0;
}

/* The target: the address set by hand, or the first /32 (then /128) of
 * the peer's allowed IPs for which we have a source address. */
static bool pick_tunnel_target(struct wgd_peer *peer, char *text, size_t len)
{
	struct wgd_pmtu *p = &peer->pmtu;
	struct aips_text t = { .buf = text, .len = len };
	bool found = false;

	if (p->addr_set) {
		found = own_addr(peer->dev, p->addr_family, p->src);
	} else {
		p->addr_family = 0;
		for (int fam = AF_INET; fam && !found; fam = fam == AF_INET ? AF_INET6 : 0) {
			struct target_walk w = { .peer = peer, .family = fam };

			found = wg_allowedips_owner_walk(&peer->aips, target_cb, &w) == 1;
		}
	}
	if (found) {
		addr_str(p->addr_family, p->addr, text, len);
		return true;
	}
	t.used = (size_t)snprintf(text, len, "AllowedIPs ");
	if (t.used >= len || wg_allowedips_owner_walk(&peer->aips, aips_text_cb, &t) < 0 || !t.n)
		snprintf(text, len, "no AllowedIPs");
	return false;
}

/* ---- icmp-endpoint: echo to the endpoint, outside the tunnel ---- */

static void perform(struct wgd_peer *peer, struct pmtuctl_out *out);

static int ep_index(int family)
{
	return family == AF_INET ? 0 : 1;
}

/* The raw socket of family, opened on first use. */
static int ep_socket(struct wgd_device *dev, int family, char *text, size_t len)
{
	int *fd = &dev->pmtu.ep_fd[ep_index(family)], r;

	if (*fd >= 0)
		return *fd;
	r = wgd_epsock_open(family, dev->fwmark);
	if (r < 0) {
		snprintf(text, len, "raw %s socket: %s", family == AF_INET ? "ICMP" : "ICMPv6",
			 strerror(-r));
		log_err("icmp-endpoint: cannot open a %s", text);
		return r;
	}
	if (wgd_device_watch_epsock(dev, r, family) < 0) {
		close(r);
		snprintf(text, len, "epoll: %s", strerror(errno));
		return -EIO;
	}
	*fd = r;
	return r;
}

static bool pick_endpoint_target(struct wgd_peer *peer, char *text, size_t len)
{
	struct wgd_pmtu *p = &peer->pmtu;
	const union wgd_sockaddr *a = &peer->ep.addr;
	int fam = a->sa.sa_family;

	if (fam != AF_INET && fam != AF_INET6) {
		snprintf(text, len, "no endpoint");
		return false;
	}
	if (ep_socket(peer->dev, fam, text, len) < 0)
		return false;
	p->epkey.family = fam == AF_INET ? 4 : 6;
	addr_str(fam, fam == AF_INET ? (const uint8_t *)&a->in4.sin_addr :
				       (const uint8_t *)&a->in6.sin6_addr, text, len);
	return true;
}

static bool ep_from_peer(const struct wgd_peer *peer, int family, const uint8_t *from)
{
	const union wgd_sockaddr *a = &peer->ep.addr;

	if (a->sa.sa_family != family)
		return false;
	return family == AF_INET ? !memcmp(&a->in4.sin_addr, from, 4) :
				   !memcmp(&a->in6.sin6_addr, from, 16);
}

void wgd_pmtu_ep_readable(struct wgd_device *dev, int family)
{
	int fd = dev->pmtu.ep_fd[ep_index(family)];

	uint8_t *buf = dev->pmtu.scratch;

	for (int i = 0; fd >= 0 && i < 64; i++) {
		uint8_t from[16];
		ssize_t n = wgd_epsock_recv(fd, family, buf, WGD_PKT_MAX, from);

		if (n == 0)
			return;
		if (n < 0)
			continue;
		for (struct wgd_peer *peer = dev->peers; peer; peer = peer->next) {
			struct wgd_pmtu *p = &peer->pmtu;
			struct epp_answer ans;
			struct pmtuctl_out out;
			int r;

			if (!pmtuctl_probing(&p->ctl, PMTUCTL_M_ICMP_ENDPOINT) ||
			    !ep_from_peer(peer, family, from))
				continue;
			r = epp_check(&p->epkey, buf, (size_t)n, &ans, NULL);
			if (r == -EBADMSG)
				dev->pmtu.ep_bad++;
			if (r < 0)
				continue;
			pmtuctl_on_ack(ctl(peer), PMTUCTL_M_ICMP_ENDPOINT,
				       p->seq_ids[ans.seq % WGD_PMTU_SEQ_RING], dev->now, &out);
			perform(peer, &out);
			break;
		}
	}
}

/* ---- sending probes ---- */

static void probe_sent(struct wgd_peer *peer, unsigned outer)
{
	peer->pmtu.probes_sent++;
	peer->pmtu.probe_bytes += outer;
}

static void send_inband(struct wgd_peer *peer, uint32_t id, unsigned outer)
{
	enum ovh_family fam = peer->pmtu.ctl.family == 4 ? OVH_IPV4 : OVH_IPV6;
	struct pmsg m = { .version = PMSG_VERSION, .type = PMSG_TYPE_PROBE, .id = id,
			  .probed_size = (uint16_t)outer };
	int plen = pmsg_plaintext_len(outer, fam);

	uint8_t *buf = peer->dev->pmtu.scratch;

	if (plen < 0 || pmsg_encode(&m, buf, WGD_PKT_MAX, (size_t)plen) < 0)
		return;
	if (wgd_send_exact(peer, buf, (size_t)plen) == 0)
		probe_sent(peer, outer);
}

static void send_echo(struct wgd_peer *peer, uint32_t id, unsigned outer)
{
	struct wgd_pmtu *p = &peer->pmtu;
	unsigned ovh = p->ctl.ovh;
	struct icmp_echo e = { .family = p->addr_family == AF_INET ? 4 : 6,
			       .id = p->echo_id, .seq = (uint16_t)id };
	int n;

	if (outer <= ovh)
		return;
	e.size = outer - ovh;
	memcpy(e.src, p->src, 16);
	memcpy(e.dst, p->addr, 16);
	n = icmp_echo_build(&e, peer->dev->pmtu.scratch, WGD_PKT_MAX);
	if (n < 0)
		return;
	p->seq_ids[e.seq % WGD_PMTU_SEQ_RING] = id;
	if (wgd_send_exact(peer, peer->dev->pmtu.scratch, (size_t)n) == 0)
		probe_sent(peer, outer);
}

static void send_epecho(struct wgd_peer *peer, uint32_t id, unsigned outer)
{
	struct wgd_pmtu *p = &peer->pmtu;
	struct wgd_device *dev = peer->dev;
	int fam = peer->ep.addr.sa.sa_family, fd, n;

	if ((fam != AF_INET && fam != AF_INET6) || p->epkey.family != (fam == AF_INET ? 4 : 6))
		return;
	fd = dev->pmtu.ep_fd[ep_index(fam)];
	n = epp_build(&p->epkey, (uint16_t)id, outer, dev->pmtu.scratch, WGD_PKT_MAX);
	if (fd < 0 || n < 0)
		return;
	p->seq_ids[(uint16_t)id % WGD_PMTU_SEQ_RING] = id;
	/* a failure (e.g. EMSGSIZE above our own link's MTU) is a lost probe */
	if (wgd_epsock_send(fd, &peer->ep.addr, dev->pmtu.scratch, (size_t)n) == 0)
		probe_sent(peer, outer);
}

/*
 * What each method of the controller needs here (one row per method of
 * pmtuctl_methods[]): how to send its probe of an exact outer size, and,
 * for a method that needs_target, how to find the target (its text goes
 * into the reason line).
 */
static const struct {
	void (*send)(struct wgd_peer *peer, uint32_t id, unsigned outer);
	/* true with the target's text, or false with what there is instead */
	bool (*target)(struct wgd_peer *peer, char *text, size_t len);
} method_io[PMTUCTL_M_COUNT] = {
	[PMTUCTL_M_INBAND] = { send_inband, NULL },
	[PMTUCTL_M_ICMP_TUNNEL] = { send_echo, pick_tunnel_target },
	[PMTUCTL_M_ICMP_ENDPOINT] = { send_epecho, pick_endpoint_target },
};

/* Performs the controller's actions. */
static void perform(struct wgd_peer *peer, struct pmtuctl_out *out)
{
	struct wgd_device *dev = peer->dev;
	struct wgd_pmtu *p = &peer->pmtu;

	for (;;) {
		enum pmtuctl_method m;
		char text[PMTUCTL_WHY_MAX - 24];
		bool found;

		for (size_t i = 0; i < out->n_probes; i++) {
			const struct pmtuctl_probe *pr = &out->probe[i];

			if ((unsigned)pr->method < PMTUCTL_M_COUNT && method_io[pr->method].send)
				method_io[pr->method].send(peer, pr->id, pr->size);
		}
		for (size_t i = 0; i < out->n_logs; i++)
			log_peer_info(peer, "%s", out->log[i]);
		if (out->mtu_changed)
			p->last_change = wall_sec();
		if (out->deadline < dev->next_deadline)
			dev->next_deadline = out->deadline;
		m = out->need_target;
		if (m == PMTUCTL_M_NONE || (unsigned)m >= PMTUCTL_M_COUNT)
			return;
		snprintf(text, sizeof(text), "-");
		found = method_io[m].target && method_io[m].target(peer, text, sizeof(text));
		pmtuctl_on_target(ctl(peer), m, found, text, dev->now, out);
	}
}

void wgd_pmtu_tick(struct wgd_peer *peer)
{
	struct pmtuctl_out out;

	pmtuctl_tick(ctl(peer), peer->dev->now, &out);
	perform(peer, &out);
}

void wgd_pmtu_start(struct wgd_peer *peer, const char *why)
{
	int fam = peer->ep.addr.sa.sa_family;
	struct pmtuctl_out out;

	pmtuctl_start(ctl(peer), peer->dev->now, fam == AF_INET ? 4 : fam == AF_INET6 ? 6 : 0,
		      peer->kps.current != NULL, wgd_rand32(NULL), why, &out);
	perform(peer, &out);
}

void wgd_pmtu_on_outer_ptb(struct wgd_device *dev, int family, const uint8_t *addr,
			   uint16_t port, uint32_t mtu)
{
	for (struct wgd_peer *peer = dev->peers; peer; peer = peer->next) {
		const union wgd_sockaddr *a = &peer->ep.addr;
		struct pmtuctl_out out;

		if (a->sa.sa_family != family)
			continue;
		if (family == AF_INET ? (memcmp(&a->in4.sin_addr, addr, 4) || ntohs(a->in4.sin_port) != port)
				      : (memcmp(&a->in6.sin6_addr, addr, 16) || ntohs(a->in6.sin6_port) != port))
			continue;
		pmtuctl_on_ptb_hint(ctl(peer), mtu, dev->now, &out);
		perform(peer, &out);
	}
}

/* ---- data path ---- */

enum mss_result wgd_pmtu_clamp_mss(uint8_t *pkt, const struct ipinfo *ii, unsigned mtu)
{
	/* the upper-layer protocol, behind any IPv6 extension headers */
	if (ii->proto != IPI_PROTO_TCP)
		return MSS_NOT_TCP;
	return mss_clamp_parsed(pkt, ii, mss_for_mtu(mtu, ii->version));
}

void wgd_pmtu_tx_mss(struct wgd_peer *peer, uint8_t *pkt, const struct ipinfo *ii)
{
	if (peer->dev->pmtu.clamp)
		wgd_pmtu_clamp_mss(pkt, ii, wgd_pmtu_mtu(peer));
}

void wgd_pmtu_rx_mss(struct wgd_peer *peer, uint8_t *pkt, const struct ipinfo *ii)
{
	wgd_pmtu_tx_mss(peer, pkt, ii);
}

static void too_big(struct wgd_peer *peer, const uint8_t *pkt, const struct ipinfo *ii, unsigned mtu)
{
	struct wgd_device *dev = peer->dev;
	enum icmp_verdict why = ICMP_SEND;
	uint8_t *out = dev->pmtu.scratch;
	int n;

	if (ii->version == 4)
		n = icmp4_build_frag_needed(pkt, ii->tot_len, NULL, mtu, out, WGD_PKT_MAX, &why);
	else
		n = icmp6_build_packet_too_big(pkt, ii->tot_len, NULL, mtu, out, WGD_PKT_MAX, &why);
	if (n < 0) {
		/* IPv6 below 1280: nothing may be announced; MSS clamping is all */
		wgd_drop(dev, WGD_DROP_TOO_BIG_V6_MIN, peer);
		return;
	}
	if (n > 0 && wg_ratelimit_allow_shared(&dev->pmtu.icmp_src, &dev->pmtu.icmp_all,
					       ii->version == 4 ? AF_INET : AF_INET6, ii->src,
					       dev->now) &&
	    wgd_tun_inject(&dev->tun, out, (size_t)n) == 0)
		dev->pmtu.too_big_sent++;
	wgd_drop(dev, WGD_DROP_TOO_BIG, peer);
}

enum wgd_pmtu_verdict wgd_pmtu_tx_check(struct wgd_peer *peer, uint8_t *pkt,
					const struct ipinfo *ii)
{
	struct wgd_device *dev = peer->dev;
	unsigned mtu = wgd_pmtu_mtu(peer);
	struct pmtuctl_out out;
	struct frag4 f;
	int n;

	pmtuctl_on_data_sent(ctl(peer), ii->tot_len, dev->now, &out);
	perform(peer, &out);
	if (ii->tot_len <= mtu)
		return WGD_PMTU_PASS;
	if (ii->version == 6 || ii->df) {
		too_big(peer, pkt, ii, mtu);
		return WGD_PMTU_CONSUMED;
	}
	/* IPv4 without DF: fragment here, as a router would. The packet sits
	 * in the tx slot the fragments are encrypted into: copy it first. */
	memcpy(dev->pmtu.frag_src, pkt, ii->tot_len);
	if (frag4_init(&f, dev->pmtu.frag_src, ii->tot_len, mtu) <= 0) {
		wgd_drop(dev, WGD_DROP_FRAG_FAILED, peer);
		return WGD_PMTU_CONSUMED;
	}
	while ((n = frag4_next(&f, dev->pmtu.scratch, WGD_PKT_MAX)) > 0)
		wgd_send_packet(peer, dev->pmtu.scratch, (size_t)n);
	dev->pmtu.fragmented++;
	return WGD_PMTU_CONSUMED;
}

/* An ICMP echo (the caller's ipinfo says ICMP or ICMPv6). */
static bool is_our_echo_reply(const struct wgd_pmtu *p, const struct icmp_echo *e)
{
	if (!e->reply || e->id != p->echo_id)
		return false;
	if ((e->family == 4) != (p->addr_family == AF_INET))
		return false;
	return !memcmp(e->src, p->addr, e->family == 4 ? 4 : 16) &&
	       !memcmp(e->dst, p->src, e->family == 4 ? 4 : 16);
}

enum wgd_pmtu_verdict wgd_pmtu_rx_probe(struct wgd_peer *peer, uint8_t *plain, size_t plen,
					const struct ipinfo *ii)
{
	struct wgd_pmtu *p = &peer->pmtu;
	struct wgd_device *dev = peer->dev;
	struct pmtuctl *c = ctl(peer);
	struct pmtuctl_out out;
	struct icmp_echo e;
	struct pmsg m, ack;
	int fam = peer->ep.addr.sa.sa_family;

	/* echoes matter only while pinging the peer's tunnel address */
	if (ii && (ii->proto == IPI_PROTO_ICMP || ii->proto == IPI_PROTO_ICMPV6) &&
	    c->method == PMTUCTL_M_ICMP_TUNNEL && icmp_echo_parse(plain, plen, &e) == 0) {
		if (c->active && is_our_echo_reply(p, &e)) {
			pmtuctl_on_ack(c, PMTUCTL_M_ICMP_TUNNEL,
				       p->seq_ids[e.seq % WGD_PMTU_SEQ_RING], dev->now, &out);
			perform(peer, &out);
			return WGD_PMTU_CONSUMED;
		}
		/* another wgmtud's icmp-tunnel probe: it answers in-band */
		if (!e.reply && e.pattern && !c->inband_peer) {
			pmtuctl_on_evidence(c, PMTUCTL_EV_PEER_PINGS, dev->now, &out);
			perform(peer, &out);
		}
		return WGD_PMTU_PASS;
	}
	if (ii || !pmsg_is_candidate(plain, plen))
		return WGD_PMTU_PASS;
	if (pmsg_decode(plain, plen, &m) < 0) {
		wgd_drop(dev, WGD_DROP_PROBE_INVALID, peer);
		return WGD_PMTU_CONSUMED;
	}
	if (m.type == PMSG_TYPE_PROBE) {
		/* probes are never padded: plen is the plaintext as sent */
		pmsg_make_ack(&m, plen + WG_MSG_DATA_HEADER_LEN + WG_AEAD_TAG_LEN,
			      fam == AF_INET6 ? OVH_IPV6 : OVH_IPV4, &ack);
		if (pmsg_encode(&ack, dev->pmtu.scratch, WGD_PKT_MAX, PMSG_HDR_LEN) > 0)
			wgd_send_exact(peer, dev->pmtu.scratch, PMSG_HDR_LEN);
		pmtuctl_on_evidence(c, PMTUCTL_EV_PEER_PROBED, dev->now, &out);
		perform(peer, &out);
		return WGD_PMTU_CONSUMED;
	}
	/* an acknowledgement: the hello's, or one of the search */
	pmtuctl_on_inband_ack(c, m.id, dev->now, &out);
	perform(peer, &out);
	return WGD_PMTU_CONSUMED;
}

void wgd_pmtu_session_established(struct wgd_peer *peer)
{
	struct wgd_pmtu *p = &peer->pmtu;

	/* the first session starts discovery; rekeys (a new session every
	 * two minutes) keep the search and its result. Roaming and
	 * configuration changes restart it themselves. */
	if (!p->ctl.started)
		wgd_pmtu_start(peer, "session established");
}

void wgd_pmtu_endpoint_changed(struct wgd_peer *peer)
{
	if (peer->pmtu.ctl.method == PMTUCTL_M_PINNED)
		return;
	wgd_pmtu_start(peer, "endpoint changed (roaming)");
}

void wgd_pmtu_peer_removed(struct wgd_peer *peer)
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
		if (!d->probe)
			pmtuctl_forget(&p->pmtu.ctl);
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
	if (op->has_wgmtu_pinned_mtu && op->wgmtu_pinned_mtu != p->ctl.pinned) {
		p->ctl.pinned = op->wgmtu_pinned_mtu;
		p->last_change = wall_sec();
		restart = true;
	}
	if (restart) {
		if (p->mode == WG_UAPI_PMTU_OFF || !peer->dev->pmtu.probe)
			pmtuctl_forget(&p->ctl);
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
	const struct pmtuctl *c;
	const char *state;
	char a[INET6_ADDRSTRLEN] = "";

	if (peer_index >= g->n_peers)
		return -ENOENT;
	peer = g->peers[peer_index];
	p = &peer->pmtu;
	c = &p->ctl;
	state = pmtuctl_state_name(c);
	if (c->method == PMTUCTL_M_ICMP_ENDPOINT) {
		const union wgd_sockaddr *ea = &peer->ep.addr;

		if (ea->sa.sa_family == AF_INET)
			inet_ntop(AF_INET, &ea->in4.sin_addr, a, sizeof(a));
		else if (ea->sa.sa_family == AF_INET6)
			inet_ntop(AF_INET6, &ea->in6.sin6_addr, a, sizeof(a));
	} else if (p->addr_family && (p->addr_set || c->method == PMTUCTL_M_ICMP_TUNNEL)) {
		inet_ntop(p->addr_family, p->addr, a, sizeof(a));
	}
	wg_uapi_out_kv_str(out, "wgmtu_state", state);
	wg_uapi_out_kv_str(out, "wgmtu_method", pmtuctl_method_name(c->method));
	wg_uapi_out_kv_u64(out, "wgmtu_path_mtu", c->method == PMTUCTL_M_PINNED ? 0 : c->path_mtu);
	wg_uapi_out_kv_u64(out, "wgmtu_effective_mtu", wgd_pmtu_mtu(peer));
	wg_uapi_out_kv_u64(out, "wgmtu_pinned_mtu", c->pinned);
	wg_uapi_out_kv_str(out, "wgmtu_probe_address", a);
	wg_uapi_out_kv_i64(out, "wgmtu_last_change_sec", p->last_change);
	wg_uapi_out_kv_u64(out, "wgmtu_probes_sent", p->probes_sent);
	wg_uapi_out_kv_u64(out, "wgmtu_probe_bytes", p->probe_bytes);
	wg_uapi_out_kv_u64(out, "wgmtu_ptb_hints", c->ptb_hints);
	wg_uapi_out_kv_u64(out, "wgmtu_ptb_hints_limited", c->ptb_limited);
	return wg_uapi_out_kv_str(out, "wgmtu_reason", c->reason);
}
