// SPDX-License-Identifier: MIT
/*
 * UDP -> TUN: a recvmmsg batch, each datagram classified: handshake
 * messages go through the cookie/load decision and the noise core; data
 * is decrypted in place, authenticates the endpoint (roaming), feeds the
 * timers, passes the probe check (pmtu.h) and the allowed-IPs source check, and is
 * written to the TUN.
 */
#include "daemon/device.h"
#include "daemon/log.h"

#include <errno.h>
#include <openssl/crypto.h>
#include <string.h>
#include <time.h>
#include <linux/virtio_net.h>
#include <sys/uio.h>
#include <unistd.h>

static const uint8_t *ep_addr(const struct wgd_endpoint *ep, size_t *alen, uint16_t *port)
{
	if (ep->addr.sa.sa_family == AF_INET) {
		*alen = 4;
		*port = ntohs(ep->addr.in4.sin_port);
		return (const uint8_t *)&ep->addr.in4.sin_addr;
	}
	*alen = 16;
	*port = ntohs(ep->addr.in6.sin6_port);
	return (const uint8_t *)&ep->addr.in6.sin6_addr;
}

static void handshake_done(struct wgd_peer *peer)
{
	clock_gettime(CLOCK_REALTIME, &peer->last_handshake);
	wgd_pmtu_session_established(peer);
}

static void roam(struct wgd_peer *peer, const struct wgd_endpoint *src)
{
	int fam = peer->ep.addr.sa.sa_family;

	if (wgd_peer_set_endpoint(peer, src) && fam)
		wgd_pmtu_endpoint_changed(peer);
}

/* Cookie replies leave in batches: one sendmmsg per receive round, not one
 * sendmsg per reply (a flood makes many). */
static void flush_cookie_replies(struct wgd_device *dev)
{
	if (dev->n_cookie)
		wgd_udp_send(&dev->udp, dev->cookie_dg, dev->n_cookie);
	dev->n_cookie = 0;
}

static void send_cookie_reply(struct wgd_device *dev, struct wgd_dgram *d)
{
	struct wg_message_handshake_cookie *reply;
	uint16_t port;
	size_t alen;
	const uint8_t *a = ep_addr(&d->ep, &alen, &port);

	if (dev->n_cookie == WGD_BATCH)
		flush_cookie_replies(dev);
	reply = &dev->cookie_out[dev->n_cookie];
	if (wg_cookie_create_reply(&dev->cookie, reply, d->buf, d->len, a, alen, port,
				   dev->now) == 0) {
		dev->cookie_dg[dev->n_cookie] = (struct wgd_dgram){
			.buf = (uint8_t *)reply, .len = sizeof(*reply), .ep = d->ep };
		dev->n_cookie++;
	}
}

static void rx_handshake(struct wgd_device *dev, struct wgd_dgram *d,
			 enum wg_message_type type, size_t pending)
{
	struct wg_noise_handshake *hs = NULL;
	struct wgd_peer *peer;
	enum wg_cookie_mac_state mac;
	enum wg_load_verdict v;
	uint32_t act;
	uint16_t port;
	size_t alen;
	const uint8_t *a = ep_addr(&d->ep, &alen, &port);
	bool under;
	int r;

	under = wg_load_update(&dev->load, pending, dev->now);
	/* under load, a source over its budget costs no crypto at all: not
	 * even MAC1 (a flood of valid MAC1s is what this stops). A source the
	 * table has no room for goes on as before: a flood from spoofed
	 * addresses fills the table, and must not lock every new peer out. */
	if (under) {
		uint64_t full = dev->flood_rl.n_refused_full;

		if (!wg_ratelimit_allow(&dev->flood_rl, d->ep.addr.sa.sa_family, a, dev->now) &&
		    dev->flood_rl.n_refused_full == full) {
			wgd_drop(dev, WGD_DROP_UNDER_LOAD_SOURCE, NULL);
			return;
		}
	}
	mac = wg_cookie_validate(&dev->cookie, d->buf, d->len, a, alen, port, dev->now);
	v = wg_load_decide(under, mac != WG_COOKIE_MAC_INVALID, mac == WG_COOKIE_MAC_VALID_MAC2,
			   &dev->ratelimit, d->ep.addr.sa.sa_family, a, dev->now);
	switch (v) {
	case WG_LOAD_PROCESS:
		break;
	case WG_LOAD_SEND_COOKIE:
		send_cookie_reply(dev, d);
		wgd_drop(dev, WGD_DROP_UNDER_LOAD_COOKIE, NULL);
		return;
	case WG_LOAD_DROP_RATELIMITED:
		wgd_drop(dev, WGD_DROP_RATELIMIT, NULL);
		return;
	default:
		wgd_drop(dev, WGD_DROP_MAC_INVALID, NULL);
		return;
	}

	if (type == WG_MSG_HANDSHAKE_INITIATION) {
		struct wg_message_handshake_response resp;

		r = wg_noise_consume_initiation(&dev->noise, (const void *)d->buf, dev->now, &hs);
		if (r < 0) { /* logged rate-limited: floods come this way */
			wgd_drop(dev, WGD_DROP_HANDSHAKE_INVALID, NULL);
			return;
		}
		peer = hs->peer;
		log_peer_info(peer, "received handshake initiation");
		roam(peer, &d->ep);
		peer->rx_bytes += d->len;
		act = wg_timers_any_authenticated_packet_received(&peer->timers, dev->now);
		act |= wg_timers_any_authenticated_packet_traversal(&peer->timers, dev->now);
		r = wg_noise_create_response(hs, &resp);
		if (r == 0)
			r = wg_noise_begin_session(hs, &peer->kps, dev->now, NULL);
		if (r < 0) {
			log_peer_err(peer, "cannot answer a handshake: %s", strerror(-r));
			wgd_peer_actions(peer, act);
			return;
		}
		wg_cookie_add_macs(&peer->cookie, (uint8_t *)&resp, sizeof(resp), dev->now);
		wgd_send_raw(peer, &resp, sizeof(resp));
		OPENSSL_cleanse(&resp, sizeof(resp));
		act |= wg_timers_any_authenticated_packet_traversal(&peer->timers, dev->now);
		act |= wg_timers_any_authenticated_packet_sent(&peer->timers, dev->now);
		act |= wg_timers_session_derived(&peer->timers, dev->now);
		wgd_peer_actions(peer, act);
		return;
	}

	r = wg_noise_consume_response(&dev->noise, (const void *)d->buf, &hs);
	if (r < 0) {
		wgd_drop(dev, WGD_DROP_HANDSHAKE_INVALID, NULL);
		return;
	}
	peer = hs->peer;
	log_peer_info(peer, "received handshake response");
	roam(peer, &d->ep);
	peer->rx_bytes += d->len;
	act = wg_timers_any_authenticated_packet_received(&peer->timers, dev->now);
	act |= wg_timers_any_authenticated_packet_traversal(&peer->timers, dev->now);
	r = wg_noise_begin_session(hs, &peer->kps, dev->now, NULL);
	if (r < 0) {
		log_peer_err(peer, "cannot derive the session: %s", strerror(-r));
		wgd_peer_actions(peer, act);
		return;
	}
	act |= wg_timers_session_derived(&peer->timers, dev->now);
	act |= wg_timers_handshake_complete(&peer->timers, dev->now);
	handshake_done(peer);
	wgd_peer_actions(peer, act);
	/* the responder confirms the session on our first data: send what
	 * waited for it, or a keepalive */
	wgd_send_keepalive(peer);
}

static void rx_cookie(struct wgd_device *dev, struct wgd_dgram *d)
{
	const struct wg_message_handshake_cookie *msg = (const void *)d->buf;
	struct wg_index_entry *e = wg_index_find(&dev->index, le32toh(msg->receiver_index));
	struct wgd_peer *peer = NULL;

	if (e && e->kind == WG_INDEX_HANDSHAKE)
		peer = ((struct wg_noise_handshake *)e->ptr)->peer;
	else if (e && e->kind == WG_INDEX_KEYPAIR)
		peer = ((struct wg_keypair *)e->ptr)->peer;
	if (!peer || wg_cookie_consume_reply(&peer->cookie, msg, dev->now) < 0) {
		wgd_drop(dev, WGD_DROP_COOKIE_INVALID, peer);
		return;
	}
	log_peer_info(peer, "received a cookie reply: the peer is under load");
}

/* A data message joins the batch's jobs: its keypair is looked up now, in
 * order (a handshake earlier in the batch may have made it). */
static void rx_data_queue(struct wgd_device *dev, struct wgd_dgram *d)
{
	struct wg_index_entry *e;
	struct wgd_rx_job *j;
	uint32_t idx;

	if (wg_transport_peek_index(d->buf, d->len, &idx) < 0) {
		wgd_drop(dev, WGD_DROP_UDP_MALFORMED, NULL);
		return;
	}
	e = wg_index_find(&dev->index, idx);
	if (!e || e->kind != WG_INDEX_KEYPAIR) {
		wgd_drop(dev, WGD_DROP_UNKNOWN_INDEX, NULL);
		return;
	}
	j = &dev->rxjob[dev->n_rxjob++];
	j->d = d;
	j->kp = wg_keypair_get(e->ptr);
	j->r = 0;
}

/* One item of the parallel work: authenticate and decrypt job i on lane. */
static void rx_open_item(void *arg, size_t i, unsigned lane)
{
	struct wgd_device *dev = arg;
	struct wgd_rx_job *j = &dev->rxjob[i];

	j->plen = 0;
	j->r = wg_transport_open(j->kp, lane, j->d->buf, j->d->len, dev->now, &j->plen,
				 &j->counter);
}

/* The rest of a data message, on the loop thread in arrival order: replay
 * window, roaming, timers, the pmtu checks, the inner checks, the TUN queue. */
static void rx_data(struct wgd_device *dev, struct wgd_rx_job *j)
{
	struct wg_timers_keypair ki;
	struct wgd_dgram *d = j->d;
	struct wg_keypair *kp = j->kp;
	struct wgd_peer *peer = kp->peer;
	struct ipinfo ip;
	uint8_t *plain;
	size_t plen = j->plen;
	int fam;
	uint32_t act;
	int r = j->r;

	if (!r && !wg_transport_commit(kp, j->counter))
		r = -EALREADY;
	if (r < 0) {
		wgd_drop(dev, r == -EBADMSG ? WGD_DROP_DECRYPT : r == -EALREADY ? WGD_DROP_REPLAY :
			 r == -ESTALE ? WGD_DROP_KEY_EXPIRED : WGD_DROP_UDP_MALFORMED, peer);
		return;
	}
	/* authenticated from here on */
	roam(peer, &d->ep);
	peer->rx_bytes += d->len;
	act = 0;
	if (wg_keypairs_received_with(&dev->noise, &peer->kps, kp)) {
		act |= wg_timers_handshake_complete(&peer->timers, dev->now);
		handshake_done(peer);
		kp = NULL; /* slots moved; do not touch it further */
	}
	act |= wg_timers_any_authenticated_packet_received(&peer->timers, dev->now);
	act |= wg_timers_any_authenticated_packet_traversal(&peer->timers, dev->now);
	if (plen)
		act |= wg_timers_data_received(&peer->timers, dev->now);
	wgd_peer_keypair_info(peer, &ki);
	act |= wg_timers_check_recv(&peer->timers, dev->now, &ki);
	wgd_peer_actions(peer, act);
	if (peer->staged_count)
		wgd_send_staged(peer);
	if (!plen)
		return; /* keepalive */

	plain = d->buf + WG_MSG_DATA_HEADER_LEN;
	/* the one inner-packet parser (pmtu/ipinfo.h); in-band probe
	 * messages are not IP and fail it */
	r = ipi_parse(plain, plen, &ip);
	if (wgd_pmtu_rx_probe(peer, plain, plen, r == 0 ? &ip : NULL) == WGD_PMTU_CONSUMED)
		return;
	if (r < 0) {
		wgd_drop(dev, WGD_DROP_INNER_MALFORMED, peer);
		return;
	}
	fam = ip.version == 4 ? AF_INET : AF_INET6;
	if (wg_allowedips_lookup(dev->aips, fam, ip.src) != peer) {
		wgd_drop_ip(dev, WGD_DROP_SRC_NOT_ALLOWED, peer, "src", fam, ip.src);
		return;
	}
	wgd_pmtu_rx_mss(peer, plain, &ip);
	if (dev->tun.vnet_hdr) {
		/* written at the end of the batch, merged where possible */
		dev->rxq[dev->n_rxq].p = plain;
		dev->rxq[dev->n_rxq].len = ip.tot_len;
		dev->n_rxq++;
	} else if (write(dev->tun.fd, plain, ip.tot_len) != (ssize_t)ip.tot_len) {
		wgd_drop(dev, WGD_DROP_TUN_WRITE, peer);
	}
}

/* Opens the queued data messages over the worker threads, then finishes
 * each on this thread in arrival order. */
static void rx_data_run(struct wgd_device *dev)
{
	size_t n = dev->n_rxjob;

	if (!n)
		return;
	wgd_workers_run(&dev->workers, n, rx_open_item, dev);
	for (size_t i = 0; i < n; i++) {
		rx_data(dev, &dev->rxjob[i]);
		wg_keypair_put(dev->rxjob[i].kp);
		dev->rxjob[i].kp = NULL;
	}
	dev->n_rxjob = 0;
}

/* Writes the batch's decrypted packets into the TUN: runs of one TCP flow
 * as one GSO super-packet (gso.h), the rest one by one. */
static void rx_flush_tun(struct wgd_device *dev)
{
	struct iovec iov[WGD_BATCH + 1];
	size_t i = 0;

	while (i < dev->n_rxq) {
		struct wg_gso_gro_pkt *q = dev->rxq + i;
		size_t left = dev->n_rxq - i;
		size_t k = wg_gso_gro_run(q, left < WGD_BATCH ? left : WGD_BATCH), total;
		struct virtio_net_hdr vh;
		struct wg_gso_gro_hdr h;
		ssize_t want;

		if (k == 1) {
			/* an empty virtio_net_hdr (no GSO, checksum complete)
			 * goes in front, over the spent data-message header */
			memset(q->p - WGD_VNET_HDR_LEN, 0, WGD_VNET_HDR_LEN);
			want = (ssize_t)(q->len + WGD_VNET_HDR_LEN);
			if (write(dev->tun.fd, q->p - WGD_VNET_HDR_LEN, (size_t)want) != want)
				wgd_drop(dev, WGD_DROP_TUN_WRITE, NULL);
			i++;
			continue;
		}
		total = wg_gso_gro_merge_headers(q, k, &h);
		memset(&vh, 0, sizeof(vh));
		vh.flags = VIRTIO_NET_HDR_F_NEEDS_CSUM;
		vh.gso_type = h.v6 ? VIRTIO_NET_HDR_GSO_TCPV6 : VIRTIO_NET_HDR_GSO_TCPV4;
		vh.hdr_len = h.hdr_len;
		vh.gso_size = h.gso_size;
		vh.csum_start = h.csum_start;
		vh.csum_offset = h.csum_offset;
		iov[0].iov_base = &vh;
		iov[0].iov_len = sizeof(vh);
		iov[1].iov_base = q[0].p;
		iov[1].iov_len = q[0].len;
		for (size_t j = 1; j < k; j++) {
			iov[j + 1].iov_base = q[j].p + h.hdr_len;
			iov[j + 1].iov_len = q[j].len - h.hdr_len;
		}
		want = (ssize_t)(total + sizeof(vh));
		if (writev(dev->tun.fd, iov, (int)k + 1) != want)
			for (size_t j = 0; j < k; j++)
				wgd_drop(dev, WGD_DROP_TUN_WRITE, NULL);
		i += k;
	}
	dev->n_rxq = 0;
}

void wgd_receive_hints(struct wgd_device *dev)
{
	struct udperr e;

	while (wgd_udp_take_hint(&dev->udp, &e))
		wgd_pmtu_on_outer_ptb(dev, e.family, e.addr, e.port, e.info);
}

/* The received datagrams as single WireGuard messages in dev->rxd: a UDP
 * GRO super-datagram (d->gso > 0) is cut into its segments in place, each
 * with the sender's endpoint. Returns the count (at most WGD_RX_SEGS). */
size_t wgd_receive_split(const struct wgd_dgram *d, int n, struct wgd_dgram *out, size_t cap)
{
	size_t ns = 0;

	for (int i = 0; i < n && ns < cap; i++) {
		size_t seg = d[i].gso ? d[i].gso : d[i].len, off = 0;

		do {
			struct wgd_dgram *s = &out[ns++];
			size_t len = d[i].len - off < seg ? d[i].len - off : seg;

			s->buf = d[i].buf + off;
			s->len = len;
			s->cap = len;
			s->gso = 0;
			s->ep = d[i].ep;
			off += len;
		} while (off < d[i].len && ns < cap);
	}
	return ns;
}

static size_t rx_split(struct wgd_device *dev, const struct wgd_dgram *d, int n)
{
	for (int i = 0; i < n && !dev->seen_gro; i++)
		if (d[i].gso) {
			dev->seen_gro = true;
			log_info("UDP GRO: received %zu bytes in segments of %zu", d[i].len, d[i].gso);
		}
	return wgd_receive_split(d, n, dev->rxd, WGD_RX_SEGS);
}

void wgd_receive_udp_readable(struct wgd_device *dev, int fd)
{
	struct wgd_dgram d[WGD_BATCH];
	struct wgd_dgram *segs = dev->rxd;

	/* ICMP errors about our datagrams: "too big" is a hint to probe */
	wgd_udp_drain_errors(&dev->udp, fd);
	wgd_receive_hints(dev);
	for (int round = 0; round < 4; round++) {
		size_t pending = 0, ns;
		int n;

		for (int i = 0; i < WGD_BATCH; i++) {
			d[i].buf = dev->rxbuf + (size_t)i * WGD_PKT_BUF;
			d[i].cap = WGD_PKT_BUF;
		}
		n = wgd_udp_recv(&dev->udp, fd, d, WGD_BATCH);
		if (n < 0) {
			/* with IP_RECVERR an ICMP error is also reported once here
			 * (it was queued above or will be next time): go on */
			if (n != -EMSGSIZE && n != -ECONNREFUSED && n != -EHOSTUNREACH &&
			    n != -ENETUNREACH)
				log_info("UDP receive: %s", strerror(-n));
			continue;
		}
		if (n == 0)
			return;
		ns = rx_split(dev, d, n);
		for (size_t i = 0; i < ns; i++) {
			enum wg_message_type t = wg_message_classify(segs[i].buf, segs[i].len);

			if (t == WG_MSG_HANDSHAKE_INITIATION || t == WG_MSG_HANDSHAKE_RESPONSE)
				pending++;
		}
		for (size_t i = 0; i < ns; i++) {
			enum wg_message_type t = wg_message_classify(segs[i].buf, segs[i].len);

			if (t == WG_MSG_DATA) {
				rx_data_queue(dev, &segs[i]);
				continue;
			}
			/* what came before a handshake message is done first */
			rx_data_run(dev);
			switch (t) {
			case WG_MSG_HANDSHAKE_INITIATION:
			case WG_MSG_HANDSHAKE_RESPONSE:
				rx_handshake(dev, &segs[i], t, pending--);
				break;
			case WG_MSG_HANDSHAKE_COOKIE:
				rx_cookie(dev, &segs[i]);
				break;
			default:
				wgd_drop(dev, WGD_DROP_UDP_MALFORMED, NULL);
			}
		}
		rx_data_run(dev);
		flush_cookie_replies(dev);
		rx_flush_tun(dev);
		wgd_send_flush(dev);
		if (n < WGD_BATCH)
			return;
	}
}
