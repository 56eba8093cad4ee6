// SPDX-License-Identifier: MIT
/*
 * The device: setup and teardown, the epoll loop and its timers, the noise
 * core's index/peer callbacks. Peers are peer.c, drop counters drop.c.
 */
#include "daemon/device.h"

#include "common/util.h"
#include "daemon/log.h"

#include <errno.h>
#include <fcntl.h>
#include <openssl/crypto.h>
#include <openssl/rand.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/ioctl.h>
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
	TAG_EPSOCK4,
	TAG_EPSOCK6,
};

/* ---- the noise core's view of our tables ---- */

static struct wg_noise_handshake *ops_lookup_by_static(void *ctx, const uint8_t pub[WG_KEY_LEN])
{
	struct wgd_peer *p = wgd_peer_find(ctx, pub);

	return p ? &p->hs : NULL;
}

static struct wg_noise_handshake *ops_lookup_hs(void *ctx, uint32_t idx)
{
	struct wgd_device *dev = ctx;
	struct wg_index_entry *e = wg_index_find(&dev->index, idx);

	return e && e->kind == WG_INDEX_HANDSHAKE ? e->ptr : NULL;
}

static int ops_index_register(void *ctx, struct wg_noise_handshake *hs, uint32_t *idx)
{
	struct wgd_device *dev = ctx;

	return wg_index_add(&dev->index, WG_INDEX_HANDSHAKE, hs, wgd_rand32, NULL, idx);
}

static void ops_index_to_keypair(void *ctx, uint32_t idx, struct wg_keypair *kp)
{
	struct wgd_device *dev = ctx;

	wg_index_set(&dev->index, idx, WG_INDEX_KEYPAIR, kp);
}

static void ops_index_unregister(void *ctx, uint32_t idx)
{
	struct wgd_device *dev = ctx;

	wg_index_del(&dev->index, idx);
}

static const struct wg_noise_ops noise_ops = {
	.lookup_by_static = ops_lookup_by_static,
	.lookup_handshake_by_index = ops_lookup_hs,
	.index_register = ops_index_register,
	.index_to_keypair = ops_index_to_keypair,
	.index_unregister = ops_index_unregister,
};

/* ---- setup ---- */

static int ep_add(struct wgd_device *dev, int fd, uint64_t tag)
{
	struct epoll_event ev = { .events = EPOLLIN, .data.u64 = tag };

	if (fd < 0 || dev->epfd < 0)
		return 0;
	return epoll_ctl(dev->epfd, EPOLL_CTL_ADD, fd, &ev) < 0 ? -errno : 0;
}

int wgd_device_watch_epsock(struct wgd_device *dev, int fd, int family)
{
	return ep_add(dev, fd, family == AF_INET ? TAG_EPSOCK4 : TAG_EPSOCK6);
}

int wgd_device_bind(struct wgd_device *dev, uint16_t port)
{
	struct wgd_udp nu;
	int r;

	r = wgd_udp_open(&nu, port, dev->fwmark);
	if (r < 0)
		return r;
	if (dev->no_udp_gro)
		wgd_udp_set_gro(&nu, false);
	wgd_send_flush(dev);
	/* what already waits on the old sockets is delivered, not thrown away
	 * with them (the soak test lost a few hundred datagrams per port
	 * change); what arrives after the close the kernel counts (NoPorts) */
	for (int i = 0; i < 2; i++) {
		int fd = i ? dev->udp.fd6 : dev->udp.fd4, queued = 0;

		for (int guard = 0; fd >= 0 && guard < 64; guard++) {
			if (ioctl(fd, FIONREAD, &queued) < 0 || queued <= 0)
				break;
			wgd_receive_udp_readable(dev, fd);
		}
	}
	wgd_udp_close(&dev->udp); /* closing removes them from epoll */
	/* what the old sockets counted and the hints they left stay */
	memcpy(nu.errq, dev->udp.errq, sizeof(nu.errq));
	memcpy(nu.hints, dev->udp.hints, sizeof(nu.hints));
	nu.hint_head = dev->udp.hint_head;
	nu.n_hints = dev->udp.n_hints;
	nu.hints_lost = dev->udp.hints_lost;
	nu.send_retries = dev->udp.send_retries;
	dev->udp = nu;
	dev->listen_port = port;
	if ((r = ep_add(dev, nu.fd4, TAG_UDP4)) < 0 || (r = ep_add(dev, nu.fd6, TAG_UDP6)) < 0)
		return r;
	log_info("UDP port %u", nu.port);
	return 0;
}

int wgd_device_init_core(struct wgd_device *dev, const struct wgd_config *cfg,
			 char *err, size_t errlen)
{
	uint8_t rlkey[16];

	memset(dev, 0, sizeof(*dev));
	dev->cfg = *cfg;
	dev->epfd = dev->sigfd = dev->loadavg_fd = -1;
	dev->udp.fd4 = dev->udp.fd6 = -1;
	dev->ipc.listen_fd = -1;
	dev->ipc.epfd = dev->ipc.spare_fd = -1;
	dev->tun.fd = dev->tun.nl_fd = -1;
	if (wg_crypto_init() < 0) {
		snprintf(err, errlen, "libcrypto lacks X25519/ChaCha20-Poly1305/BLAKE2s");
		return -EIO;
	}
	wg_timers_consts_default(&dev->timer_consts);
	dev->threads = cfg->threads;
	dev->no_udp_gro = cfg->no_udp_gro;
	if (cfg->timer_scale != 1) {
		if (wg_timers_consts_scaled(&dev->timer_consts, cfg->timer_scale) < 0) {
			snprintf(err, errlen, "WGMTUD_TEST_TIMER_SCALE=%u: expected 1..1000",
				 cfg->timer_scale);
			return -EINVAL;
		}
		log_err("WARNING: protocol timers divided by %u (WGMTUD_TEST_TIMER_SCALE, for tests only)",
			cfg->timer_scale);
	}
	wg_noise_device_init(&dev->noise, &noise_ops, dev);
	wg_cookie_checker_init(&dev->cookie, NULL);
	wg_index_init(&dev->index);
	dev->aips = wg_allowedips_new();
	dev->rxbuf = malloc((size_t)WGD_BATCH * WGD_PKT_BUF);
	dev->txbuf = malloc((size_t)(WGD_BATCH + 1) * WGD_PKT_BUF);
	if (dev->txbuf) {
		for (int i = 0; i < WGD_BATCH; i++)
			dev->txslot[i] = dev->txbuf + (size_t)i * WGD_PKT_BUF;
		dev->gsobuf = dev->txbuf + (size_t)WGD_BATCH * WGD_PKT_BUF;
	}
	dev->rxd = calloc(WGD_RX_SEGS, sizeof(*dev->rxd));
	dev->rxq = calloc(WGD_RX_SEGS, sizeof(*dev->rxq));
	dev->rxjob = calloc(WGD_RX_SEGS, sizeof(*dev->rxjob));
	if (RAND_bytes(rlkey, sizeof(rlkey)) != 1 || !dev->aips || !dev->rxbuf || !dev->txbuf ||
	    !dev->gsobuf || !dev->rxd || !dev->rxq || !dev->rxjob || wgd_pmtu_dev_init(dev) < 0 ||
	    wg_keyhash_init(&dev->peer_hash, NULL) < 0 ||
	    wg_ratelimit_init(&dev->ratelimit, 0, rlkey) < 0 ||
	    wg_ratelimit_init_rate(&dev->flood_rl, 0, rlkey, WGD_FLOOD_SOURCE_PPS,
				   WGD_FLOOD_SOURCE_BURST) < 0) {
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	wg_load_init(&dev->load, WGD_LOAD_QUEUE);
	return 0;
}

int wgd_device_init(struct wgd_device *dev, const char *ifname,
		    const struct wgd_config *cfg, char *err, size_t errlen)
{
	int r = wgd_device_init_core(dev, cfg, err, errlen);

	if (r < 0)
		return r;
	r = wgd_tun_open(&dev->tun, ifname, cfg->tun_fd, WGD_DEFAULT_MTU, err, errlen);
	if (r < 0)
		return r;
	r = wgd_ipc_open(&dev->ipc, dev->tun.name, cfg->uapi_fd, err, errlen);
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
	/* threads only now: daemonizing (fork) would not keep them */
	r = wgd_workers_start(&dev->workers, dev->threads ? dev->threads :
			      wgd_workers_online(WG_TRANSPORT_LANES));
	if (r < 0)
		log_err("worker threads: %s; encrypting on the main thread only", strerror(-r));
	if (!dev->threads && dev->workers.n > 1) {
		dev->loadavg_fd = open("/proc/loadavg", O_RDONLY | O_CLOEXEC);
		wgd_cpu_gate_init(&dev->cpu_gate, wgd_workers_online(4096));
	}
	log_info("%u thread(s) for encryption and decryption%s", dev->workers.n,
		 dev->loadavg_fd >= 0 ? ", shared while a CPU is free" : "");
	if ((r = ep_add(dev, dev->udp.fd4, TAG_UDP4)) < 0 ||
	    (r = ep_add(dev, dev->udp.fd6, TAG_UDP6)) < 0 ||
	    (r = ep_add(dev, dev->tun.fd, TAG_TUN)) < 0 ||
	    (r = ep_add(dev, dev->tun.nl_fd, TAG_NETLINK)) < 0 ||
	    (r = ep_add(dev, dev->sigfd, TAG_SIGNAL)) < 0 ||
	    (r = ep_add(dev, dev->ipc.listen_fd, TAG_IPC_LISTEN)) < 0) {
		snprintf(err, errlen, "epoll: %s", strerror(-r));
		return r;
	}
	dev->ipc.epfd = dev->epfd;
	dev->ipc.client_tag = TAG_IPC_CLIENT;
	return 0;
}

void wgd_device_destroy(struct wgd_device *dev)
{
	wgd_workers_stop(&dev->workers);
	while (dev->peers)
		wgd_peer_remove(dev, dev->peers);
	wgd_ipc_close(&dev->ipc);
	wgd_udp_close(&dev->udp);
	wgd_pmtu_dev_close(dev);
	wgd_tun_close(&dev->tun);
	if (dev->sigfd >= 0)
		close(dev->sigfd);
	if (dev->epfd >= 0)
		close(dev->epfd);
	if (dev->loadavg_fd >= 0)
		close(dev->loadavg_fd);
	dev->sigfd = dev->epfd = dev->loadavg_fd = -1;
	wg_noise_device_clear(&dev->noise);
	wg_cookie_checker_clear(&dev->cookie);
	wg_ratelimit_free(&dev->ratelimit);
	wg_ratelimit_free(&dev->flood_rl);
	wg_allowedips_free(dev->aips);
	dev->aips = NULL;
	wg_keyhash_free(&dev->peer_hash);
	wg_index_free(&dev->index);
	/* the batch buffers held plaintext and keys' outputs */
	if (dev->rxbuf)
		OPENSSL_cleanse(dev->rxbuf, (size_t)WGD_BATCH * WGD_PKT_BUF);
	if (dev->txbuf) /* the slots and the spare, in whatever order */
		OPENSSL_cleanse(dev->txbuf, (size_t)(WGD_BATCH + 1) * WGD_PKT_BUF);
	free(dev->rxbuf);
	free(dev->txbuf);
	free(dev->rxd);
	free(dev->rxq);
	free(dev->rxjob);
	dev->rxjob = NULL;
	dev->rxbuf = dev->txbuf = dev->gsobuf = NULL;
	dev->rxd = NULL;
	dev->rxq = NULL;
	wgd_pmtu_dev_free(dev);
}

/* ---- the loop ---- */

static void on_signal(struct wgd_device *dev)
{
	struct signalfd_siginfo si;

	while (read(dev->sigfd, &si, sizeof(si)) == sizeof(si)) {
		if (si.ssi_signo == SIGUSR1) {
			wgd_drop_log_totals(dev);
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

/* The spare-CPU gate of the default thread count (workers.h): one sample of
 * the machine's runnable tasks every WGD_GATE_NS while the loop is busy;
 * after a quiet spell the average starts afresh. */
#define WGD_GATE_NS 100000000ull
static void cpu_gate_tick(struct wgd_device *dev)
{
	char buf[128];
	ssize_t n;
	int runnable;

	if (dev->loadavg_fd < 0 || dev->now - dev->gate_last < WGD_GATE_NS)
		return;
	if (dev->now - dev->gate_last > 10 * WGD_GATE_NS)
		dev->cpu_gate.primed = false;
	dev->gate_last = dev->now;
	n = pread(dev->loadavg_fd, buf, sizeof(buf) - 1, 0);
	if (n <= 0)
		return;
	buf[n] = 0;
	runnable = wgd_loadavg_runnable(buf);
	if (runnable < 0)
		return;
	dev->workers.shared = wgd_cpu_gate_sample(&dev->cpu_gate, (unsigned)runnable);
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
static void dispatch(struct wgd_device *dev, uint64_t tag, uint32_t events, bool ipc)
{
	switch (tag & 0xff) {
	case TAG_TUN:
		wgd_send_tun_readable(dev);
		break;
	case TAG_UDP4:
		wgd_receive_udp_readable(dev, dev->udp.fd4);
		break;
	case TAG_UDP6:
		wgd_receive_udp_readable(dev, dev->udp.fd6);
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
	case TAG_IPC_LISTEN:
		if (ipc)
			wgd_ipc_accept(&dev->ipc); /* adds the clients to epfd */
		break;
	case TAG_IPC_CLIENT:
		/* closing the fd removes it from the epoll set */
		if (ipc)
			wgd_ipc_client_event(&dev->ipc, (int)(tag >> 8), events);
		break;
	case TAG_EPSOCK4:
		wgd_pmtu_ep_readable(dev, AF_INET);
		break;
	case TAG_EPSOCK6:
		wgd_pmtu_ep_readable(dev, AF_INET6);
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
		dispatch(dev, evs[i].data.u64, evs[i].events, false);
	run_timers(dev);
	wgd_send_flush(dev);
	if (dev->udp.n_hints) {
		wgd_receive_hints(dev);
		wgd_send_flush(dev);
	}
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
			dispatch(dev, evs[i].data.u64, evs[i].events, true);
		run_timers(dev);
		cpu_gate_tick(dev);
		wgd_send_flush(dev);
		if (dev->udp.n_hints) { /* drained by the sends just made */
			wgd_receive_hints(dev);
			wgd_send_flush(dev);
		}
	}
	wgd_drop_log_totals(dev);
	return 0;
}
