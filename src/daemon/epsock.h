/* SPDX-License-Identifier: MIT */
/*
 * Raw ICMP/ICMPv6 sockets for the icmp-endpoint method: echo requests to a
 * peer's endpoint address, outside the tunnel (the packets themselves are
 * built and checked by pmtu/epprobe.h). One socket per family, opened the
 * first time a peer needs it (CAP_NET_RAW), so a daemon whose peers all
 * have tunnel addresses holds none.
 *
 *  - DF, the cached path MTU ignored (IP_PMTUDISC_PROBE / IPV6_DONTFRAG):
 *    the echo measures the path as it is;
 *  - SO_MARK = the device's fwmark: with wg-quick's full-tunnel policy
 *    routing ("not fwmark M table M", default route into the tunnel) an
 *    unmarked echo to the endpoint would itself enter the tunnel;
 *  - only echo replies are delivered (ICMP_FILTER / ICMP6_FILTER);
 *  - IP_RECVERR / IPV6_RECVERR with the error queue drained before each
 *    send and receive, so an ICMP error never makes a later call fail.
 */
#ifndef WGMTU_DAEMON_EPSOCK_H
#define WGMTU_DAEMON_EPSOCK_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "daemon/udp.h"

/* A nonblocking raw socket of family for echo replies; fd or -errno. */
int wgd_epsock_open(int family, uint32_t fwmark);
int wgd_epsock_set_fwmark(int fd, uint32_t fwmark);
/* Sends the ICMP message msg[0..len) to dst's address (its port is
 * ignored). 0 or -errno. */
int wgd_epsock_send(int fd, const union wgd_sockaddr *dst, const uint8_t *msg, size_t len);
/* One received packet (IPv4: with its IP header; IPv6: the ICMPv6
 * message) and its source address (4 or 16 bytes into from). Returns the
 * length, 0 when nothing is pending, -errno for a failed or truncated
 * (-EMSGSIZE) receive: the caller may read on. */
ssize_t wgd_epsock_recv(int fd, int family, uint8_t *buf, size_t cap, uint8_t from[16]);

#endif
