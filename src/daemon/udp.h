/* SPDX-License-Identifier: MIT */
/*
 * The UDP edge: one listening port on two sockets (IPv4, and IPv6-only),
 * batched with recvmmsg/sendmmsg, fwmark via SO_MARK, and sticky source
 * addresses: the local address a peer's packet arrived on (IP_PKTINFO /
 * IPV6_RECVPKTINFO) is the source of our replies to it.
 */
#ifndef WGMTU_DAEMON_UDP_H
#define WGMTU_DAEMON_UDP_H

#include <netinet/in.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#include "pmtu/udperr.h"

#define WGD_UDP_HINTS 16          /* too-big hints kept between loop turns */
/* Error-queue messages read per call: all of them in practice (4 MB of
 * receive buffer hold a few thousand). Reading to the end matters: each
 * read sets the socket's pending error to the next queued one's errno, and
 * only the last read clears it. */
#define WGD_UDP_ERR_DRAIN_MAX 8192
#define WGD_UDP_SEND_RETRIES 64   /* more sends of one message after ICMP errors */

union wgd_sockaddr {
	struct sockaddr sa;
	struct sockaddr_in in4;
	struct sockaddr_in6 in6;
};

/* A peer's address plus the local address we use (or saw) for it. */
struct wgd_endpoint {
	union wgd_sockaddr addr;   /* sa_family 0: none */
	union {
		struct in_addr src4;
		struct in6_addr src6;
	};
	int src_ifindex;
	bool has_src;
};

struct wgd_udp {
	int fd4, fd6;              /* -1 when that family is unavailable */
	uint16_t port;             /* host order; the bound port */
	uint32_t fwmark;
	bool gso;                  /* UDP_SEGMENT works: batch equal datagrams */
	bool gro;                  /* UDP_GRO is on: receives may be merged */
	/* ICMP errors read from the error queues (IP_RECVERR), by kind; the
	 * "too big" ones wait here until the device takes them */
	uint64_t errq[UDPERR_KIND_COUNT];
	struct udperr hints[WGD_UDP_HINTS];
	unsigned hint_head, n_hints;
	uint64_t hints_lost;
	/* sends that failed with a pending ICMP error and were made again */
	uint64_t send_retries;
};

/* One datagram in a batch. */
struct wgd_dgram {
	uint8_t *buf;
	size_t len;                /* rx: bytes received; tx: bytes to send */
	size_t cap;                /* rx: buffer capacity */
	size_t gso;                /* rx: > 0 when buf holds a UDP GRO super-
				    * datagram: segments of gso bytes each,
				    * the last one possibly shorter */
	struct wgd_endpoint ep;
};

#define WGD_UDP_BATCH 64

/* Binds both sockets to port (0: random, same on both). */
int wgd_udp_open(struct wgd_udp *u, uint16_t port, uint32_t fwmark);
void wgd_udp_close(struct wgd_udp *u);
/* UDP_GRO on or off on both sockets (wgd_udp_open turns it on); returns
 * whether it is on. */
bool wgd_udp_set_gro(struct wgd_udp *u, bool on);
int wgd_udp_set_fwmark(struct wgd_udp *u, uint32_t fwmark);
/* Reads fd's error queue (at most WGD_UDP_ERR_DRAIN_MAX messages): each
 * is counted in u->errq by kind, and "too big" ones are kept as hints for
 * wgd_udp_take_hint (WGD_UDP_HINTS at most; more are counted as lost).
 * Returns how many were read. */
int wgd_udp_drain_errors(struct wgd_udp *u, int fd);
/* The oldest kept "too big" hint: true and *e filled, or false. */
bool wgd_udp_take_hint(struct wgd_udp *u, struct udperr *e);
/* Receives up to n datagrams from fd. Returns the count, 0 when none,
 * negative errno on a socket error. */
int wgd_udp_recv(struct wgd_udp *u, int fd, struct wgd_dgram *d, int n);
/* Sends n datagrams (any mix of families), each to d[i].ep. Returns the
 * number sent; an endpoint whose sticky source became invalid is retried
 * without it (and its has_src cleared in d[i].ep). A send refused because
 * an ICMP error was pending on the socket is made again after draining the
 * error queue (see send_family in udp.c for when it gives up). */
int wgd_udp_send(struct wgd_udp *u, struct wgd_dgram *d, int n);

bool wgd_udp_endpoint_eq(const struct wgd_endpoint *a, const struct wgd_endpoint *b);
/* Same remote address and port (the sticky source is not compared). */
bool wgd_udp_endpoint_addr_eq(const union wgd_sockaddr *a, const union wgd_sockaddr *b);
/* "1.2.3.4:51820" or "[fe80::1]:51820"; buf at least 64 bytes. */
const char *wgd_udp_endpoint_str(const union wgd_sockaddr *a, char *buf, size_t len);

#endif
