// SPDX-License-Identifier: MIT
/*
 * The device: setup and teardown, the epoll loop, peers and their timers,
 * the noise core's index/peer callbacks, named drop counters.
 */
#include "daemon/device.h"

#include "common/util.h"
#include "daemon/hooks.h"
#include "daemon/log.h"

#include <arpa/inet.h>
#include <errno.h>
#include <openssl/crypto.h>
#include <openssl/rand.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/signalfd.h>
#include <unistd.h>

enum {
	TAG_TUN = 1,
	TAG_UDP4,
	TAG_UDP6,
	TAG_NETLINK,
	TAG_SIGNAL,
	TAG_IPC_LISTEN,
	TAG_IPC_CLIENT, /* | fd << 8 */
};

const char *const wgd_drop_names[WGD_DROP_MAX] = {
#define WGD_DROP_NAME(id, name, desc) [WGD_DROP_##id] = name,
	WGD_DROP_REASONS(WGD_DROP_NAME)
#undef WGD_DROP_NAME
};
const char *const wgd_drop_descs[WGD_DROP_MAX] = {
#define WGD_DROP_DESC(id, name, desc) [WGD_DROP_##id] = desc,
	WGD_DROP_REASONS(WGD_DROP_DESC)
#undef WGD_DROP_DESC
};

uint32_t wgd_rand32(void *unused)
{
	uint32_t v = 0;

	(void)unused;
	if (RAND_bytes((unsigned char *)&v, sizeof(v)) != 1) {
		/* libcrypto's CSPRNG failing is not recoverable for indices */
		log_err("RAND_bytes failed");
		abort();
	}
	return v;
}

void wgd_drop_ip(struct wgd_device *dev, enum wgd_drop why, struct wgd_peer *peer,
		 const char *what, int family, const uint8_t *addr)
{
	dev->drops[why]++;
	if (wgd_log_level >= WGD_LOG_VERBOSE &&
	    dev->now - dev->drop_logged_ns[why] >= 1000000000ULL) {
		char ep[80] = "", ip[INET6_ADDRSTRLEN + 16] = "";

		if (peer)
			wgd_endpoint_str(&peer->ep.addr, ep, sizeof(ep));
		if (what && addr) {
			char a[INET6_ADDRSTRLEN];

			inet_ntop(family, addr, a, sizeof(a));
			snprintf(ip, sizeof(ip), " %s %s", what, a);
		}
		dev->drop_logged_ns[why] = dev->now;
		log_info("drop %s%s%s%s: %s (%llu so far)", wgd_drop_names[why],
			 peer ? " peer " : "", ep, ip, wgd_drop_descs[why],
			 (unsigned long long)dev->drops[why]);
	}
}

void wgd_drop(struct wgd_device *dev, enum wgd_drop why, struct wgd_peer *peer)
{
	wgd_drop_ip(dev, why, peer, NULL, 0, NULL);
}

static void log_drop_totals(struct wgd_device *dev)
{
	for (int i = 0; i < WGD_DROP_MAX; i++)
		if (dev->drops[i])
			log_info("dropped %llu: %s", (unsigned long long)dev->drops[i],
				 wgd_drop_names[i]);
}

/* ---- the noise core's view of our tables ---- */

static struct wg_noise_handshake *ops_lookup_by_static(void *ctx, const uint8_t pub[WG_KEY_LEN])
{
	struct wgd_peer *p = wgd_peer_find(ctx, pub);

	return p ? &p->hs : NULL;
}

static struct wg_noise_handshake *ops_lookup_hs(void *ctx, uint32_t idx)
{
	struct wgd_device *dev = ctx;
	struct wgd_index_entry *e = wgd_index_find(&dev->index, idx);

	return e && e->kind == WG_INDEX_HANDSHAKE ? e->ptr : NULL;
}

static int ops_index_register(void *ctx, struct wg_noise_handshake *hs, uint32_t *idx)
{
	struct wgd_device *dev = ctx;

	return wgd_index_add(&dev->index, WG_INDEX_HANDSHAKE, hs, wgd_rand32, NULL, idx);
}

static void ops_index_to_keypair(void *ctx, uint32_t idx, struct wg_keypair *kp)
{
	struct wgd_device *dev = ctx;

	wgd_index_set(&dev->index, idx, WG_INDEX_KEYPAIR, kp);
}

static void ops_index_unregister(void *ctx, uint32_t idx)
{
	struct wgd_device *dev = ctx;

	wgd_index_del(&dev->index, idx);
}

static const struct wg_noise_ops noise_ops = {
	.lookup_by_static = ops_lookup_by_static,
	.lookup_handshake_by_index = ops_lookup_hs,
	.index_register = ops_index_register,
	.index_to_keypair = ops_index_to_keypair,
	.index_unregister = ops_index_unregister,
};

/* ---- peers ---- */

struct wgd_peer *wgd_peer_find(struct wgd_device *dev, const uint8_t pub[WG_KEY_LEN])
{
	struct wg_keyhash_entry *e = wg_keyhash_find(&dev->peer_hash, pub);

	return e ? (struct wgd_peer *)((char *)e - offsetof(struct wgd_peer, by_key)) : NULL;
}

struct wgd_peer *wgd_peer_alloc(struct wgd_device *dev, const uint8_t pub[WG_KEY_LEN])
{
	return wgd_peer_alloc_for(dev, &dev->noise, pub);
}

struct wgd_peer *wgd_peer_alloc_for(struct wgd_device *dev, struct wg_noise_device *nd,
				    const uint8_t pub[WG_KEY_LEN])
{
	struct wgd_peer *p = calloc(1, sizeof(*p));

	if (!p)
		return NULL;
	p->dev = dev;
	memcpy(p->public_key, pub, WG_KEY_LEN);
	if (wg_noise_handshake_init(&p->hs, nd, pub, NULL, p) < 0 && nd->has_identity)
		log_info("peer key is unusable (low-order point): no handshake possible");
	wg_cookie_maker_init(&p->cookie, pub);
	wg_timers_init(&p->timers, &dev->timer_consts);
	wgd_pmtu_peer_init(p);
	wg_allowedips_owner_init(&p->aips, p);
	p->deadline = UINT64_MAX;
	return p;
}

void wgd_peer_link(struct wgd_device *dev, struct wgd_peer *p)
{
	/* append: `wg show` lists peers in the order they were added */
	p->next = NULL;
	p->prev = dev->peers_tail;
	if (dev->peers_tail)
		dev->peers_tail->next = p;
	else
		dev->peers = p;
	dev->peers_tail = p;
	wg_keyhash_add(&dev->peer_hash, &p->by_key, p->public_key);
	dev->n_peers++;
}

struct wgd_peer *wgd_peer_new(struct wgd_device *dev, const uint8_t pub[WG_KEY_LEN])
{
	struct wgd_peer *p = wgd_peer_alloc(dev, pub);

	if (p)
		wgd_peer_link(dev, p);
	return p;
}

void wgd_peer_free(struct wgd_peer *peer)
{
	wg_keypairs_clear(&peer->dev->noise, &peer->kps);
	wg_noise_handshake_destroy(&peer->hs);
	wg_cookie_maker_clear(&peer->cookie);
	OPENSSL_cleanse(peer->preshared_key, sizeof(peer->preshared_key));
	OPENSSL_cleanse(peer, sizeof(*peer));
	free(peer);
}

void wgd_peer_zero_keys(struct wgd_peer *peer)
{
	wg_keypairs_clear(&peer->dev->noise, &peer->kps);
	wg_noise_handshake_clear(&peer->hs);
}

void wgd_peer_remove(struct wgd_device *dev, struct wgd_peer *peer)
{
	if (peer->prev)
		peer->prev->next = peer->next;
	else
		dev->peers = peer->next;
	if (peer->next)
		peer->next->prev = peer->prev;
	else
		dev->peers_tail = peer->prev;
	wg_keyhash_del(&dev->peer_hash, &peer->by_key);
	dev->n_peers--;
	/* packets of this peer already in the tx batch go out first */
	wgd_tx_flush(dev);
	wg_timers_stop(&peer->timers);
	wgd_staged_purge(peer, WGD_DROP_STAGED_EXPIRED);
	wg_allowedips_remove_owner(dev->aips, &peer->aips);
	wgd_hook_peer_removed(peer);
	wgd_peer_free(peer);
}

bool wgd_peer_set_endpoint(struct wgd_peer *peer, const struct wgd_endpoint *ep)
{
	char a[80], b[80];
	bool moved;

	if (wgd_endpoint_eq(&peer->ep, ep))
		return false;
	moved = !wgd_endpoint_addr_eq(&peer->ep.addr, &ep->addr);
	if (moved && peer->ep.addr.sa.sa_family)
		log_info("peer endpoint %s -> %s", wgd_endpoint_str(&peer->ep.addr, a, sizeof(a)),
			 wgd_endpoint_str(&ep->addr, b, sizeof(b)));
	peer->ep = *ep;
	return moved;
}

void wgd_peer_actions(struct wgd_peer *peer, uint32_t actions)
{
	if (actions & WG_TIMERS_CLEAR_SRC)
		peer->ep.has_src = false;
	if (actions & WG_TIMERS_GAVE_UP)
		log_info("handshake did not complete after %u attempts, giving up",
			 peer->dev->timer_consts.max_timer_handshakes + 2);
	if (actions & WG_TIMERS_PURGE_STAGED)
		wgd_staged_purge(peer, WGD_DROP_STAGED_EXPIRED);
	if (actions & WG_TIMERS_ZERO_KEYS) {
		log_info("no session for 3 x REJECT_AFTER_TIME: zeroing keys");
		wgd_peer_zero_keys(peer);
	}
	if (actions & WG_TIMERS_SEND_INITIATION)
		wgd_send_initiation(peer);
	if (actions & WG_TIMERS_SEND_KEEPALIVE)
		wgd_send_keepalive(peer);
	wgd_peer_rearm(peer);
}

void wgd_peer_rearm(struct wgd_peer *peer)
{
	peer->deadline = wg_timers_next_deadline(&peer->timers);
	if (peer->deadline < peer->dev->next_deadline)
		peer->dev->next_deadline = peer->deadline;
}

/* ---- setup ---- */

static int ep_add(struct wgd_device *dev, int fd, uint64_t tag)
{
	struct epoll_event ev = { .events = EPOLLIN, .data.u64 = tag };

	if (fd < 0 || dev->epfd < 0)
		return 0;
	return epoll_ctl(dev->epfd, EPOLL_CTL_ADD, fd, &ev) < 0 ? -errno : 0;
}

int wgd_device_bind(struct wgd_device *dev, uint16_t port)
{
	struct wgd_udp nu;
	int r;

	r = wgd_udp_open(&nu, port, dev->fwmark);
	if (r < 0)
		return r;
	wgd_tx_flush(dev);
	wgd_udp_close(&dev->udp); /* closing removes them from epoll */
	dev->udp = nu;
	dev->listen_port = port;
	if ((r = ep_add(dev, nu.fd4, TAG_UDP4)) < 0 || (r = ep_add(dev, nu.fd6, TAG_UDP6)) < 0)
		return r;
	log_info("UDP port %u", nu.port);
	return 0;
}

int wgd_device_init(struct wgd_device *dev, const char *ifname, int tun_fd,
		    int uapi_fd, char *err, size_t errlen)
{
	const char *scale = getenv("WGMTUD_TEST_TIMER_SCALE");
	uint8_t rlkey[16];
	int r;

	memset(dev, 0, sizeof(*dev));
	dev->epfd = dev->sigfd = -1;
	dev->udp.fd4 = dev->udp.fd6 = -1;
	dev->ipc.listen_fd = -1;
	dev->tun.fd = dev->tun.nl_fd = -1;
	if (wg_crypto_init() < 0) {
		snprintf(err, errlen, "libcrypto lacks X25519/ChaCha20-Poly1305/BLAKE2s");
		return -EIO;
	}
	wg_timers_consts_default(&dev->timer_consts);
	if (scale) {
		unsigned long d;

		if (parse_ulong(scale, 1, 1000, &d) < 0 ||
		    wg_timers_consts_scaled(&dev->timer_consts, (unsigned)d) < 0) {
			snprintf(err, errlen, "WGMTUD_TEST_TIMER_SCALE=%s: expected 1..1000", scale);
			return -EINVAL;
		}
		if (d != 1)
			log_err("WARNING: protocol timers divided by %lu (WGMTUD_TEST_TIMER_SCALE, for tests only)", d);
	}
	wg_noise_device_init(&dev->noise, &noise_ops, dev);
	wgd_pmtu_dev_init(dev);
	wg_cookie_checker_init(&dev->cookie, NULL);
	wgd_index_init(&dev->index);
	dev->aips = wg_allowedips_new();
	dev->rxbuf = malloc((size_t)WGD_BATCH * WGD_PKT_BUF);
	dev->txbuf = malloc((size_t)WGD_BATCH * WGD_PKT_BUF);
	dev->gsobuf = malloc(WGD_PKT_BUF);
	if (RAND_bytes(rlkey, sizeof(rlkey)) != 1 || !dev->aips || !dev->rxbuf || !dev->txbuf ||
	    !dev->gsobuf || wg_keyhash_init(&dev->peer_hash, NULL) < 0 ||
	    wg_ratelimit_init(&dev->ratelimit, 0, rlkey) < 0) {
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	wg_load_init(&dev->load, WGD_LOAD_QUEUE);

	r = wgd_tun_open(&dev->tun, ifname, tun_fd, WGD_DEFAULT_MTU, err, errlen);
	if (r < 0)
		return r;
	r = wgd_ipc_open(&dev->ipc, dev->tun.name, uapi_fd, err, errlen);
	if (r < 0)
		goto fail;
	dev->ipc.ctx = dev;
	{
		static const struct wgd_ipc_ops ops = { .get = wgd_conf_get, .set = wgd_conf_set };

		dev->ipc.ops = &ops;
	}
	/* like wireguard-go: a random port is bound at start */
	r = wgd_device_bind(dev, 0);
	if (r < 0) {
		snprintf(err, errlen, "cannot bind a UDP port: %s", strerror(-r));
		goto fail;
	}
	return 0;
fail:
	wgd_device_destroy(dev);
	return r;
}

/* After daemonizing: a signalfd (and the epoll set watching it) must be
 * created by the process that will read it. */
int wgd_device_start(struct wgd_device *dev, char *err, size_t errlen)
{
	sigset_t sigs;
	int r;

	dev->epfd = epoll_create1(EPOLL_CLOEXEC);
	sigemptyset(&sigs);
	sigaddset(&sigs, SIGINT);
	sigaddset(&sigs, SIGTERM);
	sigaddset(&sigs, SIGHUP);
	sigaddset(&sigs, SIGUSR1);
	sigprocmask(SIG_BLOCK, &sigs, NULL);
	dev->sigfd = signalfd(-1, &sigs, SFD_CLOEXEC | SFD_NONBLOCK);
	if (dev->epfd < 0 || dev->sigfd < 0) {
		r = -errno;
		snprintf(err, errlen, "epoll/signalfd: %s", strerror(-r));
		return r;
	}
	if ((r = ep_add(dev, dev->udp.fd4, TAG_UDP4)) < 0 ||
	    (r = ep_add(dev, dev->udp.fd6, TAG_UDP6)) < 0 ||
	    (r = ep_add(dev, dev->tun.fd, TAG_TUN)) < 0 ||
	    (r = ep_add(dev, dev->tun.nl_fd, TAG_NETLINK)) < 0 ||
	    (r = ep_add(dev, dev->sigfd, TAG_SIGNAL)) < 0 ||
	    (r = ep_add(dev, dev->ipc.listen_fd, TAG_IPC_LISTEN)) < 0) {
		snprintf(err, errlen, "epoll: %s", strerror(-r));
		return r;
	}
	return 0;
}

void wgd_device_destroy(struct wgd_device *dev)
{
	while (dev->peers)
		wgd_peer_remove(dev, dev->peers);
	wgd_ipc_close(&dev->ipc);
	wgd_udp_close(&dev->udp);
	wgd_tun_close(&dev->tun);
	if (dev->sigfd >= 0)
		close(dev->sigfd);
	if (dev->epfd >= 0)
		close(dev->epfd);
	dev->sigfd = dev->epfd = -1;
	wg_noise_device_clear(&dev->noise);
	wg_cookie_checker_clear(&dev->cookie);
	wg_ratelimit_free(&dev->ratelimit);
	wg_allowedips_free(dev->aips);
	dev->aips = NULL;
	wg_keyhash_free(&dev->peer_hash);
	wgd_index_free(&dev->index);
	/* the batch buffers held plaintext and keys' outputs */
	if (dev->rxbuf)
		OPENSSL_cleanse(dev->rxbuf, (size_t)WGD_BATCH * WGD_PKT_BUF);
	if (dev->txbuf)
		OPENSSL_cleanse(dev->txbuf, (size_t)WGD_BATCH * WGD_PKT_BUF);
	if (dev->gsobuf)
		OPENSSL_cleanse(dev->gsobuf, WGD_PKT_BUF);
	free(dev->rxbuf);
	free(dev->txbuf);
	free(dev->gsobuf);
	dev->rxbuf = dev->txbuf = dev->gsobuf = NULL;
}

/* ---- the loop ---- */

static void on_signal(struct wgd_device *dev)
{
	struct signalfd_siginfo si;

	while (read(dev->sigfd, &si, sizeof(si)) == sizeof(si)) {
		if (si.ssi_signo == SIGUSR1) {
			log_drop_totals(dev);
			continue;
		}
		log_info("received signal %u", si.ssi_signo);
		dev->running = false;
	}
}

/* Only when the earliest deadline has come does the loop visit the peers
 * (and recompute that earliest deadline): the data path never scans. */
static void run_timers(struct wgd_device *dev)
{
	uint64_t min = UINT64_MAX;

	if (dev->now < dev->next_deadline)
		return;
	dev->next_deadline = UINT64_MAX;
	for (struct wgd_peer *p = dev->peers; p; p = p->next) {
		if (p->deadline <= dev->now)
			wgd_peer_actions(p, wg_timers_tick(&p->timers, dev->now));
		if (wgd_pmtu_deadline(p) <= dev->now)
			wgd_pmtu_tick(p);
		if (p->deadline < min)
			min = p->deadline;
		if (wgd_pmtu_deadline(p) < min)
			min = wgd_pmtu_deadline(p);
	}
	/* actions above may have lowered it further through rearm */
	if (min < dev->next_deadline)
		dev->next_deadline = min;
}

static int next_timeout_ms(struct wgd_device *dev)
{
	uint64_t min = dev->next_deadline, ms;

	if (min == UINT64_MAX)
		return -1;
	if (min <= dev->now)
		return 0;
	/* round up: waking early would only spin */
	ms = (min - dev->now + 999999) / 1000000;
	return ms > 60000 ? 60000 : (int)ms;
}

/* One event of the loop. With ipc false (the pump, while a UAPI set is
 * being prepared) the UAPI sockets wait: they stay readable and are
 * served by the loop afterwards. */
static void dispatch(struct wgd_device *dev, uint64_t tag, bool ipc)
{
	switch (tag & 0xff) {
	case TAG_TUN:
		wgd_tun_readable(dev);
		break;
	case TAG_UDP4:
		wgd_udp_readable(dev, dev->udp.fd4);
		break;
	case TAG_UDP6:
		wgd_udp_readable(dev, dev->udp.fd6);
		break;
	case TAG_NETLINK:
		wgd_tun_netlink_event(&dev->tun);
		if (dev->tun.deleted) {
			log_info("interface %s was deleted", dev->tun.name);
			dev->running = false;
		}
		break;
	case TAG_SIGNAL:
		on_signal(dev);
		break;
	case TAG_IPC_LISTEN: {
		int fd;

		if (!ipc)
			break;
		fd = wgd_ipc_accept(&dev->ipc);
		if (fd >= 0 && ep_add(dev, fd, TAG_IPC_CLIENT | (uint64_t)fd << 8) < 0)
			wgd_ipc_client_event(&dev->ipc, fd);
		break;
	}
	case TAG_IPC_CLIENT:
		/* closing the fd removes it from the epoll set */
		if (ipc)
			wgd_ipc_client_event(&dev->ipc, (int)(tag >> 8));
		break;
	}
}

void wgd_device_pump(struct wgd_device *dev)
{
	/* room for every fd of the set: data events are never crowded out
	 * by waiting UAPI clients */
	struct epoll_event evs[256];
	int n = epoll_wait(dev->epfd, evs, 256, 0);

	dev->now = now_ns();
	for (int i = 0; i < n; i++)
		dispatch(dev, evs[i].data.u64, false);
	run_timers(dev);
	wgd_tx_flush(dev);
}

int wgd_device_run(struct wgd_device *dev)
{
	struct epoll_event evs[16];

	dev->running = true;
	dev->now = now_ns();
	dev->next_deadline = 0; /* first turn: compute it */
	while (dev->running) {
		int n = epoll_wait(dev->epfd, evs, 16, next_timeout_ms(dev));

		if (n < 0 && errno != EINTR) {
			log_err("epoll_wait: %s", strerror(errno));
			return -errno;
		}
		dev->now = now_ns();
		for (int i = 0; i < n; i++)
			dispatch(dev, evs[i].data.u64, true);
		run_timers(dev);
		wgd_tx_flush(dev);
	}
	log_drop_totals(dev);
	return 0;
}

/* What the timer core needs to know of the peer's current keypair. */
void wgd_peer_keypair_info(struct wgd_peer *peer, struct wg_timers_keypair *ki)
{
	struct wg_keypair *kp = peer->kps.current;

	memset(ki, 0, sizeof(*ki));
	if (!kp)
		return;
	ki->valid = kp->sending_valid;
	ki->i_am_initiator = kp->i_am_initiator;
	ki->birthdate = kp->birth_ns;
	ki->send_counter = atomic_load(&kp->send_counter);
}
