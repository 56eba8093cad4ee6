/* SPDX-License-Identifier: MIT */
/*
 * The TUN edge: create (or adopt via WG_TUN_FD) a Linux TUN device with
 * IFF_TUN|IFF_NO_PI, set its MTU, and follow `ip link set mtu` changes and
 * deletion through an rtnetlink (RTMGRP_LINK) socket. A device we create
 * also gets IFF_VNET_HDR with TSO and checksum offload, so the kernel hands
 * over 64 KB TCP batches in one read (segmented by gso.h).
 */
#ifndef WGMTU_DAEMON_TUN_H
#define WGMTU_DAEMON_TUN_H

#include <net/if.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define WGD_DEFAULT_MTU 1420

struct wgd_tun {
	int fd;
	int nl_fd;              /* rtnetlink link events, -1 if unavailable */
	struct mnl_socket *nl;
	char name[IFNAMSIZ];
	unsigned int ifindex;
	unsigned int mtu;
	bool deleted;           /* the link went away: shut down */
	bool vnet_hdr;          /* IFF_VNET_HDR: a virtio_net_hdr precedes packets */
	bool offload;           /* TSO + partial checksums enabled (see gso.h) */
};

/* The virtio_net_hdr length in front of every packet when vnet_hdr. */
#define WGD_VNET_HDR_LEN 10

/*
 * Creates IFNAME (or adopts tun_fd >= 0) and sets the MTU. On failure
 * returns negative errno and writes a one-line explanation into err.
 */
/* Whether the kernel takes name as a new interface's name (its
 * dev_valid_name: 1-15 bytes, not "." or "..", no '/', ':' or white space),
 * refusing '%' too (the kernel would make "wg%d" a template and pick wg0).
 * Pure. */
bool wgd_tun_name_valid(const char *name);
int wgd_tun_open(struct wgd_tun *t, const char *ifname, int tun_fd,
		 unsigned int mtu, char *err, size_t errlen);
/* Drains rtnetlink events; updates t->mtu / t->deleted. Returns 1 if the MTU
 * changed, 0 otherwise. */
int wgd_tun_netlink_event(struct wgd_tun *t);
/* Re-reads the MTU with SIOCGIFMTU (fallback when netlink is missing). */
int wgd_tun_read_mtu(struct wgd_tun *t);
/* Writes one IP packet into the TUN (an ICMP error towards a local sender,
 * from the path-MTU code). 0 or negative errno. */
int wgd_tun_inject(struct wgd_tun *t, const uint8_t *pkt, size_t len);
void wgd_tun_close(struct wgd_tun *t);

#endif
