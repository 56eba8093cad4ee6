// SPDX-License-Identifier: MIT
/*
 * TUN -> UDP: read a batch from the TUN, validate, route by allowed IPs,
 * the path-MTU calls (pmtu.h), then encrypt in place into the transmit batch (or
 * stage while the peer has no session), and send the batch with sendmmsg.
 */
#include "daemon/device.h"
#include "common/gso.h"
#include "daemon/log.h"

#include <errno.h>
#include <openssl/crypto.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <linux/virtio_net.h>
#include <sys/uio.h>
#include <unistd.h>

static uint8_t *tx_slot(struct wgd_device *dev, int i)
{
	return dev->txslot[i];
}

/* One item of the flush's parallel work: seal tx slot i on lane. */
static void tx_seal_item(void *arg, size_t i, unsigned lane)
{
	struct wgd_device *dev = arg;
	struct wgd_tx_job *j = &dev->txjob[i];
	size_t out = 0;

	j->r = wg_transport_seal(j->kp, lane, j->counter, dev->tx[i].buf, j->plen, WGD_PKT_BUF,
				 j->mtu, &out);
}

void wgd_send_flush(struct wgd_device *dev)
{
	int sent, n = 0;

	if (!dev->n_tx)
		return;
	/* seal the batch over the threads; the order of the batch (and so of
	 * each peer's packets and counters) stays as it was built */
	wgd_workers_run(&dev->workers, (size_t)dev->n_tx, tx_seal_item, dev);
	for (int i = 0; i < dev->n_tx; i++) {
		wg_keypair_put(dev->txjob[i].kp);
		dev->txjob[i].kp = NULL;
		if (dev->txjob[i].r < 0) {
			wgd_drop(dev, WGD_DROP_ENCRYPT, dev->tx_peer[i]);
			continue;
		}
		dev->tx[n] = dev->tx[i];
		dev->tx_peer[n++] = dev->tx_peer[i];
	}
	dev->n_tx = n;
	if (!n)
		return;
	sent = wgd_udp_send(&dev->udp, dev->tx, dev->n_tx);
	for (int i = 0; i < dev->n_tx; i++) {
		struct wgd_peer *p = dev->tx_peer[i];

		/* the socket found the sticky source invalid: stop using it */
		if (p && p->ep.has_src && !dev->tx[i].ep.has_src &&
		    p->ep.addr.sa.sa_family == dev->tx[i].ep.addr.sa.sa_family)
			p->ep.has_src = false;
		if (i >= sent)
			wgd_drop(dev, WGD_DROP_UDP_SEND, p);
	}
	dev->n_tx = 0;
}

static void stage(struct wgd_peer *peer, const uint8_t *pkt, size_t len)
{
	struct wgd_staged_pkt *s;
	unsigned tail;

	if (!peer->staged && !(peer->staged = calloc(WGD_STAGED_MAX, sizeof(*peer->staged)))) {
		wgd_drop(peer->dev, WGD_DROP_STAGED_OVERFLOW, peer);
		return;
	}
	if (peer->staged_count == WGD_STAGED_MAX) {
		s = &peer->staged[peer->staged_head];
		OPENSSL_cleanse(s->buf, s->len);
		free(s->buf);
		s->buf = NULL;
		peer->staged_head = (peer->staged_head + 1) % WGD_STAGED_MAX;
		peer->staged_count--;
		wgd_drop(peer->dev, WGD_DROP_STAGED_OVERFLOW, peer);
	}
	tail = (peer->staged_head + peer->staged_count) % WGD_STAGED_MAX;
	s = &peer->staged[tail];
	s->buf = malloc(len ? len : 1);
	if (!s->buf) {
		wgd_drop(peer->dev, WGD_DROP_STAGED_OVERFLOW, peer);
		return;
	}
	if (len) /* a keepalive stages no bytes (and pkt may be NULL) */
		memcpy(s->buf, pkt, len);
	s->len = (uint16_t)len;
	peer->staged_count++;
}

void wgd_send_staged_purge(struct wgd_peer *peer, enum wgd_drop why)
{
	while (peer->staged_count) {
		struct wgd_staged_pkt *s = &peer->staged[peer->staged_head];

		OPENSSL_cleanse(s->buf, s->len);
		free(s->buf);
		s->buf = NULL;
		peer->staged_head = (peer->staged_head + 1) % WGD_STAGED_MAX;
		peer->staged_count--;
		wgd_drop(peer->dev, why, peer);
	}
	peer->staged_head = 0;
}

/* WireGuard pads to 16 bytes but never beyond the MTU: the peer's
 * effective MTU, so padding never pushes a packet past the path. */
static size_t pad_cap(const struct wgd_peer *peer)
{
	return wgd_pmtu_mtu(peer);
}

/*
 * The plaintext of len bytes is at slot n_tx + WGD_PKT_HEADROOM: encrypt it
 * for peer into the batch. Returns 0, or -ENOKEY when there is no usable
 * session (the caller stages the packet and asks for a handshake).
 */
static int tx_encrypt_slot(struct wgd_peer *peer, size_t len, size_t pad_mtu)
{
	struct wgd_device *dev = peer->dev;
	uint8_t *slot = tx_slot(dev, dev->n_tx);
	struct wg_timers_keypair ki;
	struct wgd_tx_job *j = &dev->txjob[dev->n_tx];
	struct wg_keypair *kp;
	uint64_t counter;
	uint32_t act;
	size_t out = wg_transport_datagram_len(len, pad_mtu);

	kp = wg_keypairs_current(&peer->kps, dev->now);
	if (!kp)
		return -ENOKEY;
	if (out > WGD_PKT_BUF) {
		wg_keypair_put(kp);
		wgd_drop(dev, WGD_DROP_ENCRYPT, peer);
		return 0;
	}
	/* the counter now, in order; the sealing at the flush */
	if (wg_transport_reserve(kp, dev->now, &counter) < 0) {
		wg_keypair_put(kp);
		return -ENOKEY;
	}
	j->kp = kp;
	j->counter = counter;
	j->plen = len;
	j->mtu = pad_mtu;
	j->r = 0;
	dev->tx[dev->n_tx].buf = slot;
	dev->tx[dev->n_tx].len = out;
	dev->tx[dev->n_tx].ep = peer->ep;
	dev->tx_peer[dev->n_tx] = peer;
	dev->n_tx++;
	peer->tx_bytes += out;
	act = wg_timers_any_authenticated_packet_traversal(&peer->timers, dev->now);
	act |= wg_timers_any_authenticated_packet_sent(&peer->timers, dev->now);
	if (len)
		act |= wg_timers_data_sent(&peer->timers, dev->now, wgd_rand32(NULL));
	wgd_peer_keypair_info(peer, &ki);
	act |= wg_timers_check_send(&peer->timers, dev->now, &ki);
	if (dev->n_tx == WGD_BATCH)
		wgd_send_flush(dev);
	if (act)
		wgd_peer_actions(peer, act);
	else
		wgd_peer_rearm(peer);
	return 0;
}

int wgd_send_exact(struct wgd_peer *peer, const uint8_t *pkt, size_t len)
{
	struct wgd_device *dev = peer->dev;

	if (!peer->ep.addr.sa.sa_family || len > WGD_PKT_MAX)
		return -EDESTADDRREQ;
	int r;

	/* A probe leaves as a datagram of its own: in a UDP GSO run with data
	 * of another size, a router dropping the aggregate for its large
	 * segments (forwarding checks every segment) would drop the probe
	 * too, and a small control probe would look lost. */
	wgd_send_flush(dev);
	memcpy(tx_slot(dev, dev->n_tx) + WGD_PKT_HEADROOM, pkt, len);
	/* padding capped at the plaintext itself: none */
	r = tx_encrypt_slot(peer, len, len);
	wgd_send_flush(dev);
	return r;
}

static void want_handshake(struct wgd_peer *peer)
{
	wgd_peer_actions(peer, wg_timers_want_handshake(&peer->timers, peer->dev->now));
}

void wgd_send_staged(struct wgd_peer *peer)
{
	struct wgd_device *dev = peer->dev;

	/* timer actions run while we encrypt may stage a keepalive and call
	 * us again: the outer loop sends it, in order */
	if (peer->sending_staged)
		return;
	peer->sending_staged = true;
	while (peer->staged_count) {
		struct wgd_staged_pkt *s = &peer->staged[peer->staged_head];
		uint16_t len = s->len;
		struct wg_keypair *kp;

		if (!peer->ep.addr.sa.sa_family)
			break;
		kp = wg_keypairs_current(&peer->kps, dev->now);
		if (!kp) {
			want_handshake(peer);
			break;
		}
		wg_keypair_put(kp);
		if (dev->n_tx == WGD_BATCH)
			wgd_send_flush(dev);
		memcpy(tx_slot(dev, dev->n_tx) + WGD_PKT_HEADROOM, s->buf, len);
		/* dequeue first: encryption may re-enter the queue */
		OPENSSL_cleanse(s->buf, len);
		free(s->buf);
		s->buf = NULL;
		peer->staged_head = (peer->staged_head + 1) % WGD_STAGED_MAX;
		peer->staged_count--;
		if (tx_encrypt_slot(peer, len, pad_cap(peer)) == -ENOKEY) {
			/* the session expired between the check and the seal */
			wgd_drop(dev, WGD_DROP_ENCRYPT, peer);
			want_handshake(peer);
			break;
		}
	}
	peer->sending_staged = false;
}

void wgd_send_packet(struct wgd_peer *peer, const uint8_t *pkt, size_t len)
{
	stage(peer, pkt, len);
	wgd_send_staged(peer);
}

void wgd_send_keepalive(struct wgd_peer *peer)
{
	/* with data waiting, the data is the keepalive */
	if (!peer->staged_count)
		stage(peer, NULL, 0);
	wgd_send_staged(peer);
}

int wgd_send_raw(struct wgd_peer *peer, const void *msg, size_t len)
{
	struct wgd_dgram d = { .buf = (uint8_t *)msg, .len = len, .ep = peer->ep };

	if (!peer->ep.addr.sa.sa_family)
		return -EDESTADDRREQ;
	if (wgd_udp_send(&peer->dev->udp, &d, 1) != 1) {
		wgd_drop(peer->dev, WGD_DROP_UDP_SEND, peer);
		return -EIO;
	}
	if (peer->ep.has_src && !d.ep.has_src)
		peer->ep.has_src = false;
	peer->tx_bytes += len;
	return 0;
}

void wgd_send_initiation(struct wgd_peer *peer)
{
	struct wgd_device *dev = peer->dev;
	struct wg_message_handshake_initiation msg;
	struct timespec wall;
	uint32_t act;
	int r;

	if (!peer->ep.addr.sa.sa_family || !dev->noise.has_identity)
		return;
	clock_gettime(CLOCK_REALTIME, &wall);
	r = wg_noise_create_initiation(&peer->hs, &msg, (uint64_t)wall.tv_sec,
				       (uint32_t)wall.tv_nsec);
	if (r < 0) {
		log_peer_info(peer, "cannot create a handshake initiation: %s", strerror(-r));
		return;
	}
	wg_cookie_add_macs(&peer->cookie, (uint8_t *)&msg, sizeof(msg), dev->now);
	log_peer_info(peer, "sending handshake initiation");
	wgd_send_raw(peer, &msg, sizeof(msg));
	OPENSSL_cleanse(&msg, sizeof(msg));
	act = wg_timers_any_authenticated_packet_traversal(&peer->timers, dev->now);
	act |= wg_timers_any_authenticated_packet_sent(&peer->timers, dev->now);
	act |= wg_timers_handshake_initiated(&peer->timers, dev->now, wgd_rand32(NULL));
	/* an initiation is what these actions would ask for: do not loop */
	wgd_peer_actions(peer, act & ~(uint32_t)WG_TIMERS_SEND_INITIATION);
}

/* One packet read from the TUN into tx slot n_tx: the send stages. */
static void tx_process(struct wgd_device *dev, size_t len)
{
	uint8_t *pkt = tx_slot(dev, dev->n_tx) + WGD_PKT_HEADROOM;
	struct wgd_peer *peer;
	struct ipinfo ip;
	int fam;

	/* stage 1: validate (the one inner-packet parser, pmtu/ipinfo.h) */
	if (ipi_parse(pkt, len, &ip) < 0) {
		wgd_drop(dev, WGD_DROP_TUN_MALFORMED, NULL);
		return;
	}
	/* stage 2: cryptokey routing */
	fam = ip.version == 4 ? AF_INET : AF_INET6;
	peer = wg_allowedips_lookup(dev->aips, fam, ip.dst);
	if (!peer) {
		wgd_drop_ip(dev, WGD_DROP_NO_ROUTE, NULL, "dst", fam, ip.dst);
		return;
	}
	if (!peer->ep.addr.sa.sa_family) {
		wgd_drop(dev, WGD_DROP_NO_ENDPOINT, peer);
		return;
	}
	/* stages 3-4: MSS clamp, per-peer MTU (pmtu.c) */
	wgd_pmtu_tx_mss(peer, pkt, &ip);
	if (wgd_pmtu_tx_check(peer, pkt, &ip) == WGD_PMTU_CONSUMED)
		return;
	/* stage 5: encrypt into the batch, or stage behind a handshake;
	 * older staged packets go first */
	if (peer->staged_count) {
		wgd_send_packet(peer, pkt, ip.tot_len);
		return;
	}
	if (tx_encrypt_slot(peer, ip.tot_len, pad_cap(peer)) == -ENOKEY) {
		stage(peer, pkt, ip.tot_len);
		want_handshake(peer);
	}
}

/* Stage 0 for a device with offloads: finish a partial checksum, or cut a
 * TSO batch (now in tx slot n_tx) into segments, each through tx_process. */
static void tx_offload(struct wgd_device *dev, const struct virtio_net_hdr *h, size_t len)
{
	uint8_t *pkt = tx_slot(dev, dev->n_tx) + WGD_PKT_HEADROOM;
	struct wg_gso_tso t;
	int n;

	if ((h->gso_type & ~VIRTIO_NET_HDR_GSO_ECN) == VIRTIO_NET_HDR_GSO_NONE) {
		if ((h->flags & VIRTIO_NET_HDR_F_NEEDS_CSUM) &&
		    wg_gso_csum_complete(pkt, len, h->csum_start, h->csum_offset) < 0) {
			wgd_drop(dev, WGD_DROP_TUN_MALFORMED, NULL);
			return;
		}
		tx_process(dev, len);
		return;
	}
	/* the batch moves out of the slot without a copy: the slot and the
	 * spare buffer trade places, and the segments fill the slots */
	{
		uint8_t *spare = dev->gsobuf;

		dev->gsobuf = dev->txslot[dev->n_tx];
		dev->txslot[dev->n_tx] = spare;
	}
	if (wg_gso_tso_init(&t, pkt, len, h->gso_size) < 0) {
		wgd_drop(dev, WGD_DROP_TUN_MALFORMED, NULL);
		return;
	}
	for (;;) {
		if (dev->n_tx == WGD_BATCH)
			wgd_send_flush(dev);
		n = wg_gso_tso_next(&t, tx_slot(dev, dev->n_tx) + WGD_PKT_HEADROOM, WGD_PKT_MAX);
		if (n <= 0)
			break;
		tx_process(dev, (size_t)n);
	}
}

void wgd_send_tun_readable(struct wgd_device *dev)
{
	/* a bounded number of reads per wakeup keeps UDP and UAPI served */
	for (int i = 0; i < 4 * WGD_BATCH; i++) {
		struct virtio_net_hdr h;
		struct iovec iov[2] = {
			{ .iov_base = &h, .iov_len = sizeof(h) },
			{ .iov_base = NULL, .iov_len = WGD_PKT_MAX },
		};
		ssize_t n;

		if (dev->n_tx == WGD_BATCH)
			wgd_send_flush(dev);
		iov[1].iov_base = tx_slot(dev, dev->n_tx) + WGD_PKT_HEADROOM;
		if (dev->tun.vnet_hdr)
			n = readv(dev->tun.fd, iov, 2);
		else
			n = read(dev->tun.fd, iov[1].iov_base, WGD_PKT_MAX);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			if (errno != EAGAIN && errno != EWOULDBLOCK) {
				log_err("TUN read: %s", strerror(errno));
				if (errno == EBADFD || errno == EIO)
					dev->running = false;
			}
			break;
		}
		if (!dev->tun.vnet_hdr) {
			tx_process(dev, (size_t)n);
			continue;
		}
		if ((size_t)n < sizeof(h)) {
			wgd_drop(dev, WGD_DROP_TUN_MALFORMED, NULL);
			continue;
		}
		tx_offload(dev, &h, (size_t)n - sizeof(h));
	}
	wgd_send_flush(dev);
}
