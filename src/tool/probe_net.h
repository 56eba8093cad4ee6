/* SPDX-License-Identifier: MIT */
/*
 * wgmtu probe: the socket edge. Sends DF probes of an exact IP size (ICMP
 * echo through an unprivileged ping socket or a raw socket, or UDP to a
 * wgmtu responder) and turns what comes back (replies, and the kernel's
 * IP_RECVERR queue: Packet Too Big, Time Exceeded, unreachable) into
 * events. The wire format of the UDP probes is in probe_wire.h.
 */
#ifndef WGMTU_TOOL_PROBE_NET_H
#define WGMTU_TOOL_PROBE_NET_H

#include <netinet/in.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/socket.h>

#include "pmtu/probe_wire.h"

enum pnet_method { PNET_ICMP, PNET_UDP };

struct pnet {
	int fd;
	int family;              /* AF_INET / AF_INET6 */
	enum pnet_method method;
	bool raw;                /* ICMP over a raw socket (ping socket refused) */
	uint16_t ident;          /* raw ICMP: our echo identifier */
	struct sockaddr_storage dst;
	socklen_t dlen;
	int cur_ttl;             /* last TTL/hop limit set (0: default) */
	uint8_t cookie[PW_COOKIE_LEN]; /* UDP: from the responder's replies */
	bool have_cookie;
};

enum pnet_ev_type {
	PNET_EV_REPLY = 1,       /* echo reply / responder reply for seq */
	PNET_EV_PTB,             /* too big: mtu in ->mtu, from ->from */
	PNET_EV_TTL,             /* time exceeded in transit, from ->from */
	PNET_EV_UNREACH,         /* destination/host/port unreachable */
};

struct pnet_ev {
	enum pnet_ev_type type;
	uint32_t seq;
	uint32_t mtu;
	uint16_t reply_size;     /* UDP: IP size of the reply received */
	uint16_t seen_size;      /* UDP: IP size of our request at the responder */
	int code;
	struct sockaddr_storage from;
};

/*
 * Opens the socket for the method: ICMP tries a ping socket first and a
 * raw socket when that is refused. Returns 0 or negative errno (-EACCES /
 * -EPERM when neither is allowed).
 */
int pnet_open(struct pnet *p, int family, enum pnet_method m,
	      const struct sockaddr *dst, socklen_t dlen);
void pnet_close(struct pnet *p);
/* IP header + ICMP/UDP header + our minimum payload. */
int pnet_min_size(const struct pnet *p);
/*
 * Sends one probe whose IP packet is exactly ip_size bytes, with DF, hop
 * limit ttl (0: default). UDP: reply_size asks the responder for a reply
 * of that IP size (0: a minimal one). Returns 0 or negative errno
 * (-EMSGSIZE: larger than the local interface allows).
 */
int pnet_send(struct pnet *p, uint32_t seq, int ip_size, int ttl, int reply_size);
/* Reads one event without blocking: 1 and *ev filled, 0 when nothing is
 * queued, negative errno on error. Foreign packets are skipped. */
int pnet_recv(struct pnet *p, struct pnet_ev *ev);
/* Formats an address (no port). */
const char *pnet_ntop(const struct sockaddr_storage *ss, char *buf, size_t len);

#endif
