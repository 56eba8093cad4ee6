// SPDX-License-Identifier: MIT
/*
 * Shared helpers of the hooks: the TUN injection and the inner header
 * parser. The hook bodies (per-peer path MTU, issue 6) are in pmtu.c.
 */
#include "daemon/device.h"
#include "daemon/hooks.h"

#include "common/buf.h"

#include <errno.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>

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
