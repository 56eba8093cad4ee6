// SPDX-License-Identifier: MIT
#include "daemon/tun.h"

#include "daemon/log.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <libmnl/libmnl.h>
#include <net/if.h> /* before the linux/ headers */
#include <linux/if_tun.h>
#include <linux/rtnetlink.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>

static int ifreq_ioctl(unsigned long req, struct ifreq *ifr)
{
	int s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	int r;

	if (s < 0)
		s = socket(AF_INET6, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (s < 0)
		return -errno;
	r = ioctl(s, req, ifr) < 0 ? -errno : 0;
	close(s);
	return r;
}

int wgd_tun_read_mtu(struct wgd_tun *t)
{
	struct ifreq ifr;
	int r;

	memset(&ifr, 0, sizeof(ifr));
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", t->name);
	r = ifreq_ioctl(SIOCGIFMTU, &ifr);
	if (r < 0)
		return r;
	if (ifr.ifr_mtu > 0 && (unsigned int)ifr.ifr_mtu != t->mtu) {
		t->mtu = (unsigned int)ifr.ifr_mtu;
		return 1;
	}
	return 0;
}

static void tun_netlink_open(struct wgd_tun *t)
{
	t->nl = mnl_socket_open2(NETLINK_ROUTE, SOCK_CLOEXEC | SOCK_NONBLOCK);
	if (!t->nl)
		goto fail;
	if (mnl_socket_bind(t->nl, RTMGRP_LINK, MNL_SOCKET_AUTOPID) < 0)
		goto fail;
	t->nl_fd = mnl_socket_get_fd(t->nl);
	return;
fail:
	log_err("rtnetlink unavailable (%s): MTU changes are not followed", strerror(errno));
	if (t->nl)
		mnl_socket_close(t->nl);
	t->nl = NULL;
	t->nl_fd = -1;
}

bool wgd_tun_name_valid(const char *name)
{
	size_t n = strlen(name);

	if (!n || n >= IFNAMSIZ || !strcmp(name, ".") || !strcmp(name, ".."))
		return false;
	for (; *name; name++)
		if (*name == '/' || *name == ':' || *name == '%' || isspace((unsigned char)*name))
			return false;
	return true;
}

int wgd_tun_open(struct wgd_tun *t, const char *ifname, int tun_fd,
		 unsigned int mtu, char *err, size_t errlen)
{
	struct ifreq ifr;
	int fd = tun_fd, r;

	memset(t, 0, sizeof(*t));
	t->fd = t->nl_fd = -1;
	if (strlen(ifname) >= IFNAMSIZ) {
		snprintf(err, errlen, "interface name '%s' is longer than %d characters",
			 ifname, IFNAMSIZ - 1);
		return -EINVAL;
	}
	memset(&ifr, 0, sizeof(ifr));
	if (fd < 0) {
		fd = open("/dev/net/tun", O_RDWR | O_CLOEXEC);
		if (fd < 0) {
			r = -errno;
			if (r == -ENOENT || r == -ENODEV || r == -ENXIO)
				snprintf(err, errlen, "cannot open /dev/net/tun: %s (is the tun module loaded? try: modprobe tun)",
					 strerror(-r));
			else if (r == -EACCES || r == -EPERM)
				snprintf(err, errlen, "cannot open /dev/net/tun: %s (wgmtud needs root or CAP_NET_ADMIN)",
					 strerror(-r));
			else
				snprintf(err, errlen, "cannot open /dev/net/tun: %s", strerror(-r));
			return r;
		}
		ifr.ifr_flags = IFF_TUN | IFF_NO_PI | IFF_VNET_HDR;
		snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", ifname);
		if (ioctl(fd, TUNSETIFF, &ifr) < 0) {
			r = -errno;
			if (r == -EBUSY)
				snprintf(err, errlen, "interface '%s' already exists and is in use (another wgmtud or wireguard-go running?)",
					 ifname);
			else if (r == -EINVAL && if_nametoindex(ifname))
				snprintf(err, errlen, "interface name '%s' is taken by a device that is not a TUN device",
					 ifname);
			else if (r == -EINVAL)
				snprintf(err, errlen, "the kernel refuses '%s' as an interface name",
					 ifname);
			else if (r == -EPERM || r == -EACCES)
				snprintf(err, errlen, "cannot create interface '%s': %s (wgmtud needs root or CAP_NET_ADMIN)",
					 ifname, strerror(-r));
			else
				snprintf(err, errlen, "cannot create interface '%s': %s", ifname, strerror(-r));
			close(fd);
			return r;
		}
	} else {
		if (ioctl(fd, TUNGETIFF, &ifr) < 0) {
			r = -errno;
			snprintf(err, errlen, "WG_TUN_FD=%d is not a TUN device: %s", fd, strerror(-r));
			return r;
		}
		if ((ifr.ifr_flags & (IFF_TUN | IFF_NO_PI | IFF_TAP)) != (IFF_TUN | IFF_NO_PI)) {
			snprintf(err, errlen, "WG_TUN_FD=%d must be opened with IFF_TUN|IFF_NO_PI", fd);
			return -EINVAL;
		}
		fcntl(fd, F_SETFD, FD_CLOEXEC);
	}
	if (fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK) < 0) {
		r = -errno;
		snprintf(err, errlen, "TUN: cannot set non-blocking: %s", strerror(-r));
		close(fd);
		return r;
	}
	t->fd = fd;
	t->vnet_hdr = ifr.ifr_flags & IFF_VNET_HDR;
	if (t->vnet_hdr) {
		int hl = WGD_VNET_HDR_LEN;

		if (ioctl(fd, TUNSETVNETHDRSZ, &hl) < 0) {
			r = -errno;
			snprintf(err, errlen, "TUN: cannot set the vnet header size: %s", strerror(-r));
			close(fd);
			t->fd = -1;
			return r;
		}
		t->offload = ioctl(fd, TUNSETOFFLOAD, TUN_F_CSUM | TUN_F_TSO4 | TUN_F_TSO6) == 0;
		if (!t->offload)
			ioctl(fd, TUNSETOFFLOAD, 0);
	}
	snprintf(t->name, sizeof(t->name), "%s", ifr.ifr_name);
	t->ifindex = if_nametoindex(t->name);
	if (mtu) {
		memset(&ifr, 0, sizeof(ifr));
		snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", t->name);
		ifr.ifr_mtu = (int)mtu;
		r = ifreq_ioctl(SIOCSIFMTU, &ifr);
		if (r < 0)
			log_err("cannot set MTU %u on %s: %s", mtu, t->name, strerror(-r));
	}
	wgd_tun_read_mtu(t);
	if (!t->mtu)
		t->mtu = mtu ? mtu : WGD_DEFAULT_MTU;
	tun_netlink_open(t);
	return 0;
}

static int link_attr_cb(const struct nlattr *attr, void *data)
{
	unsigned int *mtu = data;

	if (mnl_attr_get_type(attr) == IFLA_MTU &&
	    mnl_attr_validate(attr, MNL_TYPE_U32) >= 0)
		*mtu = mnl_attr_get_u32(attr);
	return MNL_CB_OK;
}

static int link_msg_cb(const struct nlmsghdr *nlh, void *data)
{
	struct wgd_tun *t = data;
	const struct ifinfomsg *ifi;
	unsigned int mtu = 0;

	if (nlh->nlmsg_len < mnl_nlmsg_size(sizeof(*ifi)))
		return MNL_CB_OK;
	ifi = mnl_nlmsg_get_payload(nlh);
	if ((unsigned int)ifi->ifi_index != t->ifindex)
		return MNL_CB_OK;
	if (nlh->nlmsg_type == RTM_DELLINK) {
		t->deleted = true;
		return MNL_CB_OK;
	}
	if (nlh->nlmsg_type != RTM_NEWLINK)
		return MNL_CB_OK;
	mnl_attr_parse(nlh, sizeof(*ifi), link_attr_cb, &mtu);
	if (mtu && mtu != t->mtu) {
		log_info("interface MTU changed %u -> %u", t->mtu, mtu);
		t->mtu = mtu;
	}
	return MNL_CB_OK;
}

int wgd_tun_netlink_event(struct wgd_tun *t)
{
	uint8_t buf[16384];
	unsigned int before = t->mtu;
	ssize_t n;

	if (!t->nl)
		return 0;
	for (;;) {
		n = mnl_socket_recvfrom(t->nl, buf, sizeof(buf));
		if (n < 0) {
			if (errno == ENOBUFS) /* overrun: re-read directly */
				wgd_tun_read_mtu(t);
			break;
		}
		mnl_cb_run(buf, (size_t)n, 0, 0, link_msg_cb, t);
	}
	return t->mtu != before;
}

void wgd_tun_close(struct wgd_tun *t)
{
	if (t->nl)
		mnl_socket_close(t->nl);
	t->nl = NULL;
	t->nl_fd = -1;
	if (t->fd >= 0)
		close(t->fd);
	t->fd = -1;
}

int wgd_tun_inject(struct wgd_tun *t, const uint8_t *pkt, size_t len)
{
	uint8_t vnet[WGD_VNET_HDR_LEN] = { 0 };
	struct iovec iov[2] = {
		{ .iov_base = vnet, .iov_len = sizeof(vnet) },
		{ .iov_base = (void *)pkt, .iov_len = len },
	};
	size_t want = len + (t->vnet_hdr ? sizeof(vnet) : 0);
	ssize_t n = t->vnet_hdr ? writev(t->fd, iov, 2) : write(t->fd, pkt, len);

	if (n < 0)
		return -errno;
	return (size_t)n == want ? 0 : -EIO;
}
