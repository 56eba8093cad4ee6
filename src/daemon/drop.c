// SPDX-License-Identifier: MIT
/* Named drop counters (drop.h): count, log rate-limited, log the totals. */
#include "daemon/device.h"

#include "daemon/log.h"

#include <arpa/inet.h>
#include <stdio.h>

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

void wgd_drop_ip(struct wgd_device *dev, enum wgd_drop why, struct wgd_peer *peer,
		 const char *what, int family, const uint8_t *addr)
{
	dev->drops[why]++;
	if (wgd_log_level >= WGD_LOG_VERBOSE &&
	    dev->now - dev->drop_logged_ns[why] >= 1000000000ULL) {
		char ep[96] = "", ip[INET6_ADDRSTRLEN + 16] = "";

		if (peer && peer->ep.addr.sa.sa_family) {
			char e[80];

			snprintf(ep, sizeof(ep), " endpoint %s",
				 wgd_udp_endpoint_str(&peer->ep.addr, e, sizeof(e)));
		}
		if (what && addr) {
			char a[INET6_ADDRSTRLEN];

			inet_ntop(family, addr, a, sizeof(a));
			snprintf(ip, sizeof(ip), " %s %s", what, a);
		}
		dev->drop_logged_ns[why] = dev->now;
		if (peer)
			log_peer_info(peer, "drop %s%s%s: %s (%llu so far)", wgd_drop_names[why],
				      ep, ip, wgd_drop_descs[why],
				      (unsigned long long)dev->drops[why]);
		else
			log_info("drop %s%s: %s (%llu so far)", wgd_drop_names[why], ip,
				 wgd_drop_descs[why], (unsigned long long)dev->drops[why]);
	}
}

void wgd_drop(struct wgd_device *dev, enum wgd_drop why, struct wgd_peer *peer)
{
	wgd_drop_ip(dev, why, peer, NULL, 0, NULL);
}

void wgd_drop_log_totals(struct wgd_device *dev)
{
	for (int i = 0; i < WGD_DROP_MAX; i++)
		if (dev->drops[i])
			log_info("dropped %llu: %s", (unsigned long long)dev->drops[i],
				 wgd_drop_names[i]);
	/* not drops: ICMP errors read from the UDP sockets' error queues,
	 * and the sends they interrupted, made again */
	for (int k = 1; k < UDPERR_KIND_COUNT; k++)
		if (dev->udp.errq[k])
			log_info("ICMP errors %llu: %s", (unsigned long long)dev->udp.errq[k],
				 udperr_kind_name((enum udperr_kind)k));
	if (dev->udp.send_retries)
		log_info("UDP sends made again after an ICMP error: %llu",
			 (unsigned long long)dev->udp.send_retries);
}
