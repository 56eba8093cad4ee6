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
int wgd_udp_set_fwmark(struct wgd_udp *u, uint32_t fwmark);
/* Receives up to n datagrams from fd. Returns the count, 0 when none,
 * negative errno on a socket error. */
/* An ICMP error the kernel queued for one of our datagrams (IP_RECVERR). */
struct wgd_udp_err {
	int family;            /* of the original datagram's destination */
	uint8_t addr[16];      /* that destination (the peer's endpoint) */
	uint16_t port;         /* host order */
	bool too_big;          /* ICMP frag-needed / ICMPv6 packet too big */
	uint32_t mtu;          /* the MTU it claims (a hint, never trusted) */
};
/* Reads one message of fd's error queue: 1 (*e filled), 0 when empty, or a
 * negative errno. */
int wgd_udp_recv_err(int fd, struct wgd_udp_err *e);
int wgd_udp_recv(struct wgd_udp *u, int fd, struct wgd_dgram *d, int n);
/* Sends n datagrams (any mix of families), each to d[i].ep. Returns the
 * number sent; an endpoint whose sticky source became invalid is retried
 * without it (and its has_src cleared in d[i].ep). */
int wgd_udp_send(struct wgd_udp *u, struct wgd_dgram *d, int n);

bool wgd_udp_endpoint_eq(const struct wgd_endpoint *a, const struct wgd_endpoint *b);
/* Same remote address and port (the sticky source is not compared). */
bool wgd_udp_endpoint_addr_eq(const union wgd_sockaddr *a, const union wgd_sockaddr *b);
/* "1.2.3.4:51820" or "[fe80::1]:51820"; buf at least 64 bytes. */
const char *wgd_udp_endpoint_str(const union wgd_sockaddr *a, char *buf, size_t len);

#endif
