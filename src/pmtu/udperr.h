/* SPDX-License-Identifier: MIT */
/*
 * One message of a UDP socket's error queue (IP_RECVERR / IPV6_RECVERR),
 * as recvmsg(MSG_ERRQUEUE) returns it: the destination of the datagram that
 * failed (msg_name) and control data holding a struct sock_extended_err,
 * optionally followed by the address of the ICMP's sender (the offender).
 *
 * Pure: the caller hands over the bytes recvmsg filled in; every length is
 * checked here, nothing is trusted (the control data is the kernel's, but
 * the ICMP it describes may be forged by anyone on the path, or off it).
 *
 * Why this matters (issue 11): with IP_RECVERR every ICMP error also sets
 * the socket's pending error, which the next send() returns instead of
 * sending. The daemon drains this queue and sends again, so a forged ICMP
 * costs one system call, never a datagram.
 */
#ifndef WGMTU_PMTU_UDPERR_H
#define WGMTU_PMTU_UDPERR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum udperr_kind {
	UDPERR_NONE = 0,       /* no extended error in the control data */
	UDPERR_TOO_BIG,        /* ICMP frag needed / ICMPv6 packet too big (mtu) */
	UDPERR_PORT_UNREACH,   /* ICMP / ICMPv6 port unreachable */
	UDPERR_UNREACH,        /* any other destination unreachable code */
	UDPERR_TIME_EXCEEDED,  /* TTL / hop limit exceeded in transit */
	UDPERR_PARAM_PROBLEM,  /* parameter problem */
	UDPERR_LOCAL,          /* the local stack (e.g. EMSGSIZE of a send) */
	UDPERR_OTHER,          /* another ICMP type or origin */
	UDPERR_KIND_COUNT
};

/* Short stable name ("too_big", "port_unreachable", ...). */
const char *udperr_kind_name(enum udperr_kind k);

struct udperr {
	enum udperr_kind kind;
	int err;               /* errno the kernel attached (ee_errno), >= 0 */
	uint8_t origin;        /* SO_EE_ORIGIN_* */
	uint8_t type, code;    /* of the ICMP / ICMPv6 message */
	uint32_t info;         /* TOO_BIG: the MTU it claims (a hint only) */
	/* destination of the datagram the error is about (msg_name): the
	 * peer's endpoint. family 0 when msg_name held no address. */
	int family;
	uint8_t addr[16];      /* network order, 4 or 16 bytes used */
	uint16_t port;         /* host order */
	/* who sent the ICMP (SO_EE_OFFENDER); family 0 when not given */
	int offender_family;
	uint8_t offender[16];
};

/*
 * Parses name[0..namelen) (a struct sockaddr_in or sockaddr_in6, as
 * msg_name after recvmsg; NULL/0 allowed) and control[0..controllen) (the
 * cmsg chain, msg_controllen bytes). The first IP_RECVERR / IPV6_RECVERR
 * message wins. Returns 0 (*e filled; kind UDPERR_NONE when no extended
 * error was found) or -EINVAL when the control data is malformed (a cmsg
 * header runs past the end); *e is then as far as it got.
 */
int udperr_parse(const void *name, size_t namelen, const void *control,
		 size_t controllen, struct udperr *e);

#endif
