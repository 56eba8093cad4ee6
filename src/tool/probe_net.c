// SPDX-License-Identifier: MIT
/*
 * wgmtu probe, the socket edge: DF probes out, replies and ICMP errors in.
 *
 * ICMP uses an unprivileged ping socket (SOCK_DGRAM/IPPROTO_ICMP[V6], when
 * net.ipv4.ping_group_range includes our group) and falls back to a raw
 * socket (CAP_NET_RAW). IP_MTU_DISCOVER = IP_PMTUDISC_PROBE (and the IPv6
 * twin) sets DF and makes the kernel ignore its cached path MTU, so a
 * probe is sent at exactly the size asked even after a PTB lowered the
 * route's MTU. IP_RECVERR / IPV6_RECVERR deliver PTB, Time Exceeded and
 * unreachable errors with the offender's address and the start of the
 * offending packet (our ICMP or UDP header), which names the probe.
 */
#include <errno.h>
#include <arpa/inet.h>
#include <linux/errqueue.h>
#include <linux/icmp.h>
#include <netinet/icmp6.h>
#include <netinet/in.h>
#include <netinet/ip.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "common/buf.h"
#include "common/csum.h"
#include "tool/probe_net.h"

#define PNET_BUF 65536
static const uint8_t icmp_marker[6] = { 'w', 'g', 'm', 't', 'u', 0 };

static int ip_hdr_len(const struct pnet *p)
{
	return p->family == AF_INET6 ? 40 : 20;
}

int pnet_min_size(const struct pnet *p)
{
	if (p->method == PNET_UDP)
		return ip_hdr_len(p) + 8 + PW_HDR_LEN;
	return ip_hdr_len(p) + 8 + (int)sizeof(icmp_marker) + 4;
}

static int set_opts(struct pnet *p)
{
	int on = 1, v;

	if (p->family == AF_INET) {
		v = IP_PMTUDISC_PROBE;
		if (setsockopt(p->fd, IPPROTO_IP, IP_MTU_DISCOVER, &v, sizeof(v)) < 0 ||
		    setsockopt(p->fd, IPPROTO_IP, IP_RECVERR, &on, sizeof(on)) < 0)
			return -errno;
		if (p->raw) {
			/* only echo replies as data; errors come by RECVERR */
			struct icmp_filter f = { .data = ~(1u << ICMP_ECHOREPLY) };

			setsockopt(p->fd, SOL_RAW, ICMP_FILTER, &f, sizeof(f));
		}
	} else {
		v = IPV6_PMTUDISC_PROBE;
		if (setsockopt(p->fd, IPPROTO_IPV6, IPV6_MTU_DISCOVER, &v, sizeof(v)) < 0 ||
		    setsockopt(p->fd, IPPROTO_IPV6, IPV6_RECVERR, &on, sizeof(on)) < 0)
			return -errno;
		setsockopt(p->fd, IPPROTO_IPV6, IPV6_DONTFRAG, &on, sizeof(on));
		if (p->raw) {
			struct icmp6_filter f;

			ICMP6_FILTER_SETBLOCKALL(&f);
			ICMP6_FILTER_SETPASS(ICMP6_ECHO_REPLY, &f);
			setsockopt(p->fd, IPPROTO_ICMPV6, ICMP6_FILTER, &f, sizeof(f));
		}
	}
	return 0;
}

int pnet_open(struct pnet *p, int family, enum pnet_method m,
	      const struct sockaddr *dst, socklen_t dlen)
{
	int proto = family == AF_INET6 ? IPPROTO_ICMPV6 : IPPROTO_ICMP;
	int r;

	memset(p, 0, sizeof(*p));
	p->fd = -1;
	p->family = family;
	p->method = m;
	if (dlen > sizeof(p->dst))
		return -EINVAL;
	memcpy(&p->dst, dst, dlen);
	p->dlen = dlen;
	if (m == PNET_UDP) {
		p->fd = socket(family, SOCK_DGRAM | SOCK_CLOEXEC, IPPROTO_UDP);
	} else {
		p->fd = socket(family, SOCK_DGRAM | SOCK_CLOEXEC, proto);
		if (p->fd < 0 && (errno == EACCES || errno == EPERM ||
				  errno == EPROTONOSUPPORT || errno == EAFNOSUPPORT)) {
			p->fd = socket(family, SOCK_RAW | SOCK_CLOEXEC, proto);
			if (p->fd < 0 && (errno == EPERM || errno == EACCES))
				return -EACCES;
			p->raw = true;
			p->ident = (uint16_t)(getpid() ^ 0x5757);
		}
	}
	if (p->fd < 0)
		return -errno;
	r = set_opts(p);
	if (r == 0 && connect(p->fd, (const struct sockaddr *)&p->dst, p->dlen) < 0)
		r = -errno;
	if (r < 0) {
		close(p->fd);
		p->fd = -1;
	}
	return r;
}

void pnet_close(struct pnet *p)
{
	if (p->fd >= 0)
		close(p->fd);
	p->fd = -1;
	explicit_bzero(p->cookie, sizeof(p->cookie));
}

static int set_ttl(struct pnet *p, int ttl)
{
	int v;

	if (ttl == p->cur_ttl)
		return 0;
	if (p->family == AF_INET) {
		v = ttl ? ttl : 64;
		if (setsockopt(p->fd, IPPROTO_IP, IP_TTL, &v, sizeof(v)) < 0)
			return -errno;
	} else {
		v = ttl ? ttl : -1;
		if (setsockopt(p->fd, IPPROTO_IPV6, IPV6_UNICAST_HOPS, &v, sizeof(v)) < 0)
			return -errno;
	}
	p->cur_ttl = ttl;
	return 0;
}

int pnet_send(struct pnet *p, uint32_t seq, int ip_size, int ttl, int reply_size)
{
	static uint8_t buf[PNET_BUF];
	int len = ip_size - ip_hdr_len(p) - 8; /* after the ICMP/UDP header */
	size_t n;
	int r;

	if (ip_size < pnet_min_size(p) || ip_size > 65535)
		return -EINVAL;
	r = set_ttl(p, ttl);
	if (r < 0)
		return r;
	if (p->method == PNET_UDP) {
		struct pw_msg m = { .type = PW_TYPE_REQUEST, .seq = seq,
				    .size_a = (uint16_t)reply_size };

		if (p->have_cookie)
			memcpy(m.cookie, p->cookie, PW_COOKIE_LEN);
		if (pw_encode(&m, buf, (size_t)len) < 0)
			return -EINVAL;
		n = (size_t)len;
	} else {
		struct wbuf w = wbuf_make(buf, sizeof(buf));

		wbuf_u8(&w, p->family == AF_INET6 ? ICMP6_ECHO_REQUEST : ICMP_ECHO);
		wbuf_u8(&w, 0);
		wbuf_be16(&w, 0);               /* checksum */
		wbuf_be16(&w, p->raw ? p->ident : 0); /* ping sockets set it */
		wbuf_be16(&w, (uint16_t)seq);
		wbuf_put(&w, icmp_marker, sizeof(icmp_marker));
		wbuf_be32(&w, seq);
		n = (size_t)len + 8;
		if (w.err || w.off > n)
			return -EINVAL;
		memset(buf + w.off, 0, n - w.off);
		if (p->raw && p->family == AF_INET)
			put_be16(buf + 2, csum(buf, n)); /* the kernel does v6 */
	}
	if (send(p->fd, buf, n, 0) < 0)
		return -errno;
	return 0;
}

const char *pnet_ntop(const struct sockaddr_storage *ss, char *buf, size_t len)
{
	const void *a = NULL;

	if (ss->ss_family == AF_INET)
		a = &((const struct sockaddr_in *)ss)->sin_addr;
	else if (ss->ss_family == AF_INET6)
		a = &((const struct sockaddr_in6 *)ss)->sin6_addr;
	if (!a || !inet_ntop(ss->ss_family, a, buf, (socklen_t)len))
		snprintf(buf, len, "?");
	return buf;
}

/* Our seq from the start of an offending packet (our ICMP/UDP payload). */
static bool quoted_seq(const struct pnet *p, const uint8_t *d, size_t n, uint32_t *seq)
{
	struct rbuf r = rbuf_make(d, n);

	if (p->method == PNET_UDP) {
		struct pw_msg m;

		if (pw_decode(d, n, &m) < 0 || m.type != PW_TYPE_REQUEST)
			return false;
		*seq = m.seq;
		return true;
	}
	rbuf_skip(&r, 6);
	*seq = rbuf_be16(&r);
	return rbuf_ok(&r);
}

static int recv_err(struct pnet *p, struct pnet_ev *ev)
{
	uint8_t data[256];
	union {
		char buf[512];
		struct cmsghdr align;
	} ctl;
	struct sockaddr_storage name;
	struct iovec iov = { .iov_base = data, .iov_len = sizeof(data) };
	struct msghdr mh = { .msg_name = &name, .msg_namelen = sizeof(name),
			     .msg_iov = &iov, .msg_iovlen = 1,
			     .msg_control = ctl.buf, .msg_controllen = sizeof(ctl.buf) };
	ssize_t n = recvmsg(p->fd, &mh, MSG_ERRQUEUE | MSG_DONTWAIT);
	struct cmsghdr *c;

	if (n < 0)
		return errno == EAGAIN || errno == EWOULDBLOCK ? 0 : -errno;
	for (c = CMSG_FIRSTHDR(&mh); c; c = CMSG_NXTHDR(&mh, c)) {
		const struct sock_extended_err *ee;
		const struct sockaddr *off;

		if (!((c->cmsg_level == SOL_IP && c->cmsg_type == IP_RECVERR) ||
		      (c->cmsg_level == SOL_IPV6 && c->cmsg_type == IPV6_RECVERR)))
			continue;
		if (c->cmsg_len < CMSG_LEN(sizeof(*ee)))
			continue;
		ee = (const struct sock_extended_err *)CMSG_DATA(c);
		memset(ev, 0, sizeof(*ev));
		if (!quoted_seq(p, data, (size_t)n, &ev->seq))
			ev->seq = 0;
		off = SO_EE_OFFENDER(ee);
		if (off->sa_family == AF_INET &&
		    c->cmsg_len >= CMSG_LEN(sizeof(*ee) + sizeof(struct sockaddr_in)))
			memcpy(&ev->from, off, sizeof(struct sockaddr_in));
		else if (off->sa_family == AF_INET6 &&
			 c->cmsg_len >= CMSG_LEN(sizeof(*ee) + sizeof(struct sockaddr_in6)))
			memcpy(&ev->from, off, sizeof(struct sockaddr_in6));
		ev->code = ee->ee_code;
		if (ee->ee_origin == SO_EE_ORIGIN_ICMP) {
			if (ee->ee_type == ICMP_DEST_UNREACH && ee->ee_code == ICMP_FRAG_NEEDED) {
				ev->type = PNET_EV_PTB;
				ev->mtu = ee->ee_info;
			} else if (ee->ee_type == ICMP_TIME_EXCEEDED) {
				ev->type = PNET_EV_TTL;
			} else if (ee->ee_type == ICMP_DEST_UNREACH) {
				ev->type = PNET_EV_UNREACH;
			} else {
				return 2; /* something else: skip */
			}
		} else if (ee->ee_origin == SO_EE_ORIGIN_ICMP6) {
			if (ee->ee_type == ICMP6_PACKET_TOO_BIG) {
				ev->type = PNET_EV_PTB;
				ev->mtu = ee->ee_info;
			} else if (ee->ee_type == ICMP6_TIME_EXCEEDED) {
				ev->type = PNET_EV_TTL;
			} else if (ee->ee_type == ICMP6_DST_UNREACH) {
				ev->type = PNET_EV_UNREACH;
			} else {
				return 2;
			}
		} else {
			return 2; /* local errors are reported by send() */
		}
		return 1;
	}
	return 2;
}

int pnet_recv(struct pnet *p, struct pnet_ev *ev)
{
	static uint8_t buf[PNET_BUF];

	for (int guard = 0; guard < 64; guard++) {
		struct sockaddr_storage from;
		socklen_t fl = sizeof(from);
		ssize_t n;
		int r = recv_err(p, ev);

		if (r == 1)
			return 1;
		if (r == 2)
			continue;
		n = recvfrom(p->fd, buf, sizeof(buf), MSG_DONTWAIT,
			     (struct sockaddr *)&from, &fl);
		if (n < 0) {
			if (errno == EAGAIN || errno == EWOULDBLOCK)
				return 0;
			if (errno == EINTR)
				continue;
			/* a pending socket error (sk_err) from an ICMP error
			 * that is also on the error queue: read that instead */
			continue;
		}
		memset(ev, 0, sizeof(*ev));
		ev->from = from;
		if (p->method == PNET_UDP) {
			struct pw_msg m;

			if (pw_decode(buf, (size_t)n, &m) < 0 || m.type != PW_TYPE_REPLY)
				continue;
			ev->type = PNET_EV_REPLY;
			ev->seq = m.seq;
			ev->seen_size = m.size_a;
			ev->reply_size = (uint16_t)(n + 8 + ip_hdr_len(p));
			memcpy(p->cookie, m.cookie, PW_COOKIE_LEN);
			p->have_cookie = true;
			return 1;
		}
		{
			struct rbuf r2 = rbuf_make(buf, (size_t)n);
			const uint8_t *mk;
			uint8_t type;
			uint16_t id, seq16;

			if (p->raw && p->family == AF_INET) {
				uint8_t vihl = rbuf_u8(&r2);

				if ((vihl >> 4) != 4 || (vihl & 15) < 5)
					continue;
				rbuf_skip(&r2, (size_t)(vihl & 15) * 4 - 1);
			}
			type = rbuf_u8(&r2);
			rbuf_skip(&r2, 3);
			id = rbuf_be16(&r2);
			seq16 = rbuf_be16(&r2);
			mk = rbuf_take(&r2, sizeof(icmp_marker));
			ev->seq = rbuf_be32(&r2);
			if (!rbuf_ok(&r2) || memcmp(mk, icmp_marker, sizeof(icmp_marker)))
				continue;
			if (type != (p->family == AF_INET6 ? ICMP6_ECHO_REPLY : ICMP_ECHOREPLY))
				continue;
			if (p->raw && id != p->ident)
				continue;
			if ((uint16_t)ev->seq != seq16)
				continue;
			ev->type = PNET_EV_REPLY;
			ev->reply_size = (uint16_t)(n + (p->raw && p->family == AF_INET ? 0 : ip_hdr_len(p)));
			return 1;
		}
	}
	return 0;
}
