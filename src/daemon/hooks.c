// SPDX-License-Identifier: MIT
/*
 * The plain daemon's hook bodies: every packet passes unchanged. Issue 6
 * (per-peer path MTU) replaces them; see hooks.h for the contract.
 */
#include "daemon/device.h"
#include "daemon/hooks.h"

#include "common/buf.h"

#include <errno.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>

void wgd_hook_tx_mss(struct wgd_peer *peer, uint8_t *pkt, const struct wgd_ip *ip)
{
	(void)peer, (void)pkt, (void)ip;
}

enum wgd_hook_verdict wgd_hook_tx_mtu_check(struct wgd_peer *peer, uint8_t *pkt,
					    const struct wgd_ip *ip)
{
	(void)peer, (void)pkt, (void)ip;
	return WGD_HOOK_PASS;
}

enum wgd_hook_verdict wgd_hook_rx_probe(struct wgd_peer *peer, uint8_t *plain, size_t plen)
{
	(void)peer, (void)plain, (void)plen;
	return WGD_HOOK_PASS;
}

void wgd_hook_rx_mss(struct wgd_peer *peer, uint8_t *pkt, const struct wgd_ip *ip)
{
	(void)peer, (void)pkt, (void)ip;
}

void wgd_hook_session_established(struct wgd_peer *peer)
{
	(void)peer;
}

void wgd_hook_endpoint_changed(struct wgd_peer *peer)
{
	(void)peer;
}

void wgd_hook_peer_removed(struct wgd_peer *peer)
{
	(void)peer;
}

int wgd_tun_inject(struct wgd_device *dev, const uint8_t *pkt, size_t len)
{
	uint8_t vnet[WGD_VNET_HDR_LEN] = { 0 };
	struct iovec iov[2] = {
		{ .iov_base = vnet, .iov_len = sizeof(vnet) },
		{ .iov_base = (void *)pkt, .iov_len = len },
	};
	size_t want = len + (dev->tun.vnet_hdr ? sizeof(vnet) : 0);
	ssize_t n = dev->tun.vnet_hdr ? writev(dev->tun.fd, iov, 2) : write(dev->tun.fd, pkt, len);

	if (n < 0)
		return -errno;
	return (size_t)n == want ? 0 : -EIO;
}

int wgd_ip_parse(const uint8_t *pkt, size_t avail, struct wgd_ip *ip)
{
	struct rbuf b = rbuf_make(pkt, avail);
	uint8_t v = avail ? pkt[0] >> 4 : 0;

	if (v == 4) {
		uint8_t vihl = rbuf_u8(&b);
		uint16_t tot, frag;

		rbuf_skip(&b, 1);
		tot = rbuf_be16(&b);
		rbuf_skip(&b, 2);
		frag = rbuf_be16(&b);
		rbuf_skip(&b, 1);
		ip->proto = rbuf_u8(&b);
		rbuf_skip(&b, 2);
		ip->src = rbuf_take(&b, 4);
		ip->dst = rbuf_take(&b, 4);
		ip->hdr_len = (size_t)(vihl & 0x0f) * 4;
		if (!rbuf_ok(&b) || ip->hdr_len < 20 || tot < ip->hdr_len || tot > avail)
			return -EINVAL;
		ip->family = AF_INET;
		ip->len = tot;
		ip->df = frag & 0x4000;
		return 0;
	}
	if (v == 6) {
		uint16_t plen;

		rbuf_skip(&b, 4);
		plen = rbuf_be16(&b);
		ip->proto = rbuf_u8(&b);
		rbuf_skip(&b, 1);
		ip->src = rbuf_take(&b, 16);
		ip->dst = rbuf_take(&b, 16);
		if (!rbuf_ok(&b) || (size_t)plen + 40 > avail)
			return -EINVAL;
		ip->family = AF_INET6;
		ip->hdr_len = 40;
		ip->len = (size_t)plen + 40;
		ip->df = true;
		return 0;
	}
	return -EINVAL;
}
