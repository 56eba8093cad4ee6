// SPDX-License-Identifier: MIT
#include "daemon/udp.h"

#include "daemon/log.h"
#include "pmtu/udperr.h"

#include <arpa/inet.h>
#include <errno.h>
#include <linux/errqueue.h>
#include <netinet/udp.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#define CBUF_LEN 96 /* room for an in6_pktinfo and a UDP_SEGMENT/UDP_GRO cmsg */
/* UDP GSO: at most this many segments, and under 64 KB in all */
#define GSO_MAX_SEGS 64
#define GSO_MAX_BYTES 65000

static int udp_bind(int family, uint16_t port, uint32_t fwmark, int *out)
{
	union wgd_sockaddr a;
	int fd, one = 1, r;

	fd = socket(family, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	memset(&a, 0, sizeof(a));
	if (family == AF_INET) {
		a.in4.sin_family = AF_INET;
		a.in4.sin_port = htons(port);
		setsockopt(fd, IPPROTO_IP, IP_PKTINFO, &one, sizeof(one));
		/* DF on every datagram, and no cached or forged PMTU ever changes
		 * what we send: the per-peer discovery decides (pmtu.c) */
		setsockopt(fd, IPPROTO_IP, IP_MTU_DISCOVER, &(int){ IP_PMTUDISC_PROBE }, sizeof(int));
		/* ICMP errors (too big: a hint to probe) on the error queue */
		setsockopt(fd, IPPROTO_IP, IP_RECVERR, &one, sizeof(one));
	} else {
		a.in6.sin6_family = AF_INET6;
		a.in6.sin6_port = htons(port);
		setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof(one));
		setsockopt(fd, IPPROTO_IPV6, IPV6_RECVPKTINFO, &one, sizeof(one));
		setsockopt(fd, IPPROTO_IPV6, IPV6_MTU_DISCOVER, &(int){ IPV6_PMTUDISC_PROBE }, sizeof(int));
		setsockopt(fd, IPPROTO_IPV6, IPV6_DONTFRAG, &one, sizeof(one));
		setsockopt(fd, IPPROTO_IPV6, IPV6_RECVERR, &one, sizeof(one));
	}
	if (fwmark && setsockopt(fd, SOL_SOCKET, SO_MARK, &fwmark, sizeof(fwmark)) < 0) {
		r = -errno;
		close(fd);
		return r;
	}
	{ /* bigger buffers keep batches from overflowing under load */
		int sz = 4 << 20;

		setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &sz, sizeof(sz));
		setsockopt(fd, SOL_SOCKET, SO_SNDBUFFORCE, &sz, sizeof(sz));
	}
	if (bind(fd, &a.sa, family == AF_INET ? sizeof(a.in4) : sizeof(a.in6)) < 0) {
		r = -errno;
		close(fd);
		return r;
	}
	*out = fd;
	return 0;
}

static uint16_t bound_port(int fd)
{
	union wgd_sockaddr a;
	socklen_t l = sizeof(a);

	if (getsockname(fd, &a.sa, &l) < 0)
		return 0;
	return ntohs(a.sa.sa_family == AF_INET ? a.in4.sin_port : a.in6.sin6_port);
}

int wgd_udp_open(struct wgd_udp *u, uint16_t port, uint32_t fwmark)
{
	int r4, r6 = 0, tries;

	memset(u, 0, sizeof(*u));
	u->fd4 = u->fd6 = -1;
	u->fwmark = fwmark;
	/* A random port must be free in both families: retry a few times. */
	for (tries = 0; tries < (port ? 1 : 10); tries++) {
		r4 = udp_bind(AF_INET, port, fwmark, &u->fd4);
		if (r4 < 0 && r4 != -EAFNOSUPPORT)
			return r4;
		u->port = u->fd4 >= 0 ? bound_port(u->fd4) : port;
		r6 = udp_bind(AF_INET6, u->port, fwmark, &u->fd6);
		if (r6 == -EADDRINUSE && !port && u->fd4 >= 0) {
			close(u->fd4);
			u->fd4 = -1;
			continue;
		}
		break;
	}
	if (r6 < 0 && r6 != -EAFNOSUPPORT && r6 != -EADDRNOTAVAIL) {
		if (u->fd4 >= 0)
			close(u->fd4);
		u->fd4 = -1;
		return r6;
	}
	if (u->fd4 < 0 && u->fd6 < 0)
		return -EAFNOSUPPORT;
	if (u->fd6 >= 0 && u->fd4 < 0)
		u->port = bound_port(u->fd6);
	{ /* UDP_SEGMENT (Linux 4.18): probe with a harmless setsockopt */
		int z = 0;

		u->gso = setsockopt(u->fd4 >= 0 ? u->fd4 : u->fd6, SOL_UDP, UDP_SEGMENT,
				    &z, sizeof(z)) == 0;
	}
	/* UDP_GRO (Linux 5.0): the kernel hands over runs of equal datagrams
	 * of one sender (e.g. a peer's UDP GSO train) as one super-datagram,
	 * split again in receive.c */
	wgd_udp_set_gro(u, true);
	return 0;
}

bool wgd_udp_set_gro(struct wgd_udp *u, bool on)
{
	int v = on, fds[2] = { u->fd4, u->fd6 };

	u->gro = on;
	for (int i = 0; i < 2; i++)
		if (fds[i] >= 0 && setsockopt(fds[i], SOL_UDP, UDP_GRO, &v, sizeof(v)) < 0)
			u->gro = false;
	return u->gro;
}

void wgd_udp_close(struct wgd_udp *u)
{
	if (u->fd4 >= 0)
		close(u->fd4);
	if (u->fd6 >= 0)
		close(u->fd6);
	u->fd4 = u->fd6 = -1;
}

int wgd_udp_set_fwmark(struct wgd_udp *u, uint32_t fwmark)
{
	int fds[2] = { u->fd4, u->fd6 };

	for (int i = 0; i < 2; i++)
		if (fds[i] >= 0 &&
		    setsockopt(fds[i], SOL_SOCKET, SO_MARK, &fwmark, sizeof(fwmark)) < 0)
			return -errno;
	u->fwmark = fwmark;
	return 0;
}

/* Reads one message of fd's error queue into *e: 1, 0 when empty, or a
 * negative errno. */
static int recv_err(int fd, struct udperr *e)
{
	union wgd_sockaddr a;
	union {
		char buf[512];
		struct cmsghdr align;
	} cb;
	uint8_t quote[64];
	struct iovec iov = { .iov_base = quote, .iov_len = sizeof(quote) };
	struct msghdr m = { .msg_name = &a, .msg_namelen = sizeof(a), .msg_iov = &iov,
			    .msg_iovlen = 1, .msg_control = cb.buf, .msg_controllen = sizeof(cb.buf) };

	memset(&a, 0, sizeof(a));
	if (recvmsg(fd, &m, MSG_ERRQUEUE | MSG_DONTWAIT) < 0)
		return errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR ? 0 : -errno;
	udperr_parse(&a, m.msg_namelen, cb.buf, m.msg_controllen, e);
	return 1;
}

int wgd_udp_drain_errors(struct wgd_udp *u, int fd)
{
	int n = 0;

	while (n < WGD_UDP_ERR_DRAIN_MAX) {
		struct udperr e;

		if (recv_err(fd, &e) <= 0)
			break;
		n++;
		u->errq[e.kind]++;
		if (e.kind != UDPERR_TOO_BIG)
			continue;
		if (u->n_hints == WGD_UDP_HINTS) {
			u->hints_lost++;
			continue;
		}
		u->hints[(u->hint_head + u->n_hints) % WGD_UDP_HINTS] = e;
		u->n_hints++;
	}
	return n;
}

bool wgd_udp_take_hint(struct wgd_udp *u, struct udperr *e)
{
	if (!u->n_hints)
		return false;
	*e = u->hints[u->hint_head];
	u->hint_head = (u->hint_head + 1) % WGD_UDP_HINTS;
	u->n_hints--;
	return true;
}

int wgd_udp_recv(struct wgd_udp *u, int fd, struct wgd_dgram *d, int n)
{
	struct mmsghdr m[WGD_UDP_BATCH];
	struct iovec iov[WGD_UDP_BATCH];
	union {
		char buf[CBUF_LEN];
		struct cmsghdr align;
	} cb[WGD_UDP_BATCH];
	int got;

	(void)u;
	if (n > WGD_UDP_BATCH)
		n = WGD_UDP_BATCH;
	for (int i = 0; i < n; i++) {
		iov[i].iov_base = d[i].buf;
		iov[i].iov_len = d[i].cap;
		memset(&m[i].msg_hdr, 0, sizeof(m[i].msg_hdr));
		m[i].msg_hdr.msg_name = &d[i].ep.addr;
		m[i].msg_hdr.msg_namelen = sizeof(d[i].ep.addr);
		m[i].msg_hdr.msg_iov = &iov[i];
		m[i].msg_hdr.msg_iovlen = 1;
		m[i].msg_hdr.msg_control = cb[i].buf;
		m[i].msg_hdr.msg_controllen = sizeof(cb[i].buf);
	}
	got = recvmmsg(fd, m, (unsigned int)n, MSG_DONTWAIT, NULL);
	if (got < 0)
		return errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR ? 0 : -errno;
	for (int i = 0; i < got; i++) {
		struct wgd_endpoint *ep = &d[i].ep;
		struct cmsghdr *c;

		d[i].len = m[i].msg_len;
		d[i].gso = 0;
		ep->has_src = false;
		ep->src_ifindex = 0;
		if (m[i].msg_hdr.msg_flags & MSG_TRUNC)
			d[i].len = 0; /* larger than any valid message: dropped later */
		for (c = CMSG_FIRSTHDR(&m[i].msg_hdr); c; c = CMSG_NXTHDR(&m[i].msg_hdr, c)) {
			if (c->cmsg_level == IPPROTO_IP && c->cmsg_type == IP_PKTINFO &&
			    c->cmsg_len >= CMSG_LEN(sizeof(struct in_pktinfo))) {
				struct in_pktinfo pi;

				memcpy(&pi, CMSG_DATA(c), sizeof(pi));
				ep->src4 = pi.ipi_addr;
				ep->src_ifindex = pi.ipi_ifindex;
				ep->has_src = true;
			} else if (c->cmsg_level == IPPROTO_IPV6 && c->cmsg_type == IPV6_PKTINFO &&
				   c->cmsg_len >= CMSG_LEN(sizeof(struct in6_pktinfo))) {
				struct in6_pktinfo pi;

				memcpy(&pi, CMSG_DATA(c), sizeof(pi));
				ep->src6 = pi.ipi6_addr;
				ep->src_ifindex = (int)pi.ipi6_ifindex;
				ep->has_src = true;
			} else if (c->cmsg_level == SOL_UDP && c->cmsg_type == UDP_GRO &&
				   c->cmsg_len >= CMSG_LEN(sizeof(int))) {
				int seg;

				memcpy(&seg, CMSG_DATA(c), sizeof(seg));
				if (seg > 0 && (size_t)seg < d[i].len)
					d[i].gso = (size_t)seg;
			}
		}
	}
	return got;
}

static void set_cmsgs(struct msghdr *h, char *cbuf, const struct wgd_endpoint *ep,
		      uint16_t gso_size)
{
	struct cmsghdr *c;
	size_t len = 0;

	h->msg_control = cbuf;
	h->msg_controllen = CBUF_LEN;
	c = CMSG_FIRSTHDR(h);
	if (ep->has_src && ep->addr.sa.sa_family == AF_INET) {
		struct in_pktinfo pi = { .ipi_spec_dst = ep->src4 };

		c->cmsg_level = IPPROTO_IP;
		c->cmsg_type = IP_PKTINFO;
		c->cmsg_len = CMSG_LEN(sizeof(pi));
		memcpy(CMSG_DATA(c), &pi, sizeof(pi));
		len += CMSG_SPACE(sizeof(pi));
		c = (struct cmsghdr *)(cbuf + len);
	} else if (ep->has_src) {
		struct in6_pktinfo pi = { .ipi6_addr = ep->src6 };

		/* a link-local source needs its interface; others route freely */
		if (IN6_IS_ADDR_LINKLOCAL(&ep->src6))
			pi.ipi6_ifindex = (unsigned int)ep->src_ifindex;
		c->cmsg_level = IPPROTO_IPV6;
		c->cmsg_type = IPV6_PKTINFO;
		c->cmsg_len = CMSG_LEN(sizeof(pi));
		memcpy(CMSG_DATA(c), &pi, sizeof(pi));
		len += CMSG_SPACE(sizeof(pi));
		c = (struct cmsghdr *)(cbuf + len);
	}
	if (gso_size) {
		c->cmsg_level = SOL_UDP;
		c->cmsg_type = UDP_SEGMENT;
		c->cmsg_len = CMSG_LEN(sizeof(gso_size));
		memcpy(CMSG_DATA(c), &gso_size, sizeof(gso_size));
		len += CMSG_SPACE(sizeof(gso_size));
	}
	h->msg_controllen = len;
	if (!len)
		h->msg_control = NULL;
}

/* An errno an ICMP error can leave pending on the socket (the kernel's
 * icmp_err_convert / icmpv6_err_convert): a send failing with one of these
 * may not be about that datagram at all. */
static bool icmp_errno(int e)
{
	switch (e) {
	case ECONNREFUSED: case EHOSTUNREACH: case ENETUNREACH: case EMSGSIZE:
	case EPROTO: case EHOSTDOWN: case ENONET: case ENOPROTOOPT:
	case EOPNOTSUPP: case EACCES:
		return true;
	}
	return false;
}

/*
 * Sends d[0..n) that all share one family through fd. With UDP GSO, runs
 * of datagrams to the same endpoint with the same length (the last of a
 * run may be shorter) leave as one message the kernel segments.
 */
static int send_family(struct wgd_udp *u, int fd, struct wgd_dgram *d, int n)
{
	struct mmsghdr m[WGD_UDP_BATCH];
	struct iovec iov[WGD_UDP_BATCH];
	int first[WGD_UDP_BATCH], count[WGD_UDP_BATCH];
	union {
		char buf[CBUF_LEN];
		struct cmsghdr align;
	} cb[WGD_UDP_BATCH];
	int pos = 0, done = 0, waited = 0, retried = 0, quiet = 0;

	for (int i = 0; i < n; i++) {
		iov[i].iov_base = d[i].buf;
		iov[i].iov_len = d[i].len;
	}
	while (pos < n) {
		int nm = 0, r, k, err;

		/* build messages from pos on */
		for (int i = pos; i < n; nm++) {
			int j = i + 1;
			size_t total = d[i].len;

			if (u->gso)
				while (j < n && j - i < GSO_MAX_SEGS && d[j].len <= d[i].len &&
				       total + d[j].len <= GSO_MAX_BYTES &&
				       d[j - 1].len == d[i].len &&
				       wgd_udp_endpoint_eq(&d[j].ep, &d[i].ep))
					total += d[j++].len;
			memset(&m[nm].msg_hdr, 0, sizeof(m[nm].msg_hdr));
			m[nm].msg_hdr.msg_name = &d[i].ep.addr;
			m[nm].msg_hdr.msg_namelen = d[i].ep.addr.sa.sa_family == AF_INET ?
				sizeof(struct sockaddr_in) : sizeof(struct sockaddr_in6);
			m[nm].msg_hdr.msg_iov = &iov[i];
			m[nm].msg_hdr.msg_iovlen = (size_t)(j - i);
			set_cmsgs(&m[nm].msg_hdr, cb[nm].buf, &d[i].ep,
				  j - i > 1 ? (uint16_t)d[i].len : 0);
			first[nm] = i;
			count[nm] = j - i;
			i = j;
		}
		r = sendmmsg(fd, m, (unsigned int)nm, MSG_DONTWAIT);
		if (r > 0) {
			for (k = 0; k < r; k++)
				done += count[k];
			pos = first[r - 1] + count[r - 1];
			retried = quiet = 0;
			continue;
		}
		if (errno == EINTR)
			continue;
		err = errno;
		/*
		 * The message at pos failed. With IP_RECVERR every ICMP error
		 * (about any earlier datagram, genuine or forged by anyone) is
		 * also the socket's pending error, and the next send returns it
		 * instead of sending. So drain the error queue (too-big hints
		 * are kept for the path MTU code) and send again. Whether the
		 * error was pending or is this datagram's own (no route, ...)
		 * cannot be told apart from the errno, and the queue may be
		 * empty while an error is pending (the ICMP is handled on
		 * another CPU, or the queue was full). So: a failure after which
		 * the queue held new errors is retried (up to
		 * WGD_UDP_SEND_RETRIES times in a row, for a busy machine where
		 * several arrive between two attempts); one with nothing new is
		 * retried once, and a second such failure is the datagram's own.
		 */
		if (icmp_errno(err) && retried < WGD_UDP_SEND_RETRIES) {
			if (wgd_udp_drain_errors(u, fd) > 0)
				quiet = 0;
			else
				quiet++;
			if (quiet < 2) {
				retried++;
				u->send_retries++;
				continue;
			}
		}
		if ((err == EINVAL || err == EADDRNOTAVAIL || err == ENETUNREACH) &&
		    d[pos].ep.has_src) {
			/* sticky source gone (address removed, roamed): forget it */
			for (k = 0; k < count[0]; k++)
				d[pos + k].ep.has_src = false;
			continue;
		}
		if ((err == EIO || err == EINVAL) && count[0] > 1) {
			/* the route's device cannot take UDP GSO: stop using it */
			log_info("UDP segmentation offload unavailable (%s): sending one by one",
				 strerror(err));
			u->gso = false;
			continue;
		}
		if ((err == EAGAIN || err == EWOULDBLOCK) && waited < 2) {
			/* socket buffer full: give the kernel a moment, then drop */
			struct pollfd pfd = { .fd = fd, .events = POLLOUT };

			poll(&pfd, 1, 5);
			waited++;
			continue;
		}
		pos += count[0]; /* drop this message (no route etc.) */
		retried = quiet = 0;
	}
	return done;
}

int wgd_udp_send(struct wgd_udp *u, struct wgd_dgram *d, int n)
{
	int sent = 0, i = 0;

	while (i < n) {
		int fam = d[i].ep.addr.sa.sa_family, j = i, fd;

		while (j < n && j - i < WGD_UDP_BATCH && d[j].ep.addr.sa.sa_family == fam)
			j++;
		fd = fam == AF_INET ? u->fd4 : fam == AF_INET6 ? u->fd6 : -1;
		if (fd >= 0)
			sent += send_family(u, fd, d + i, j - i);
		i = j;
	}
	return sent;
}

bool wgd_udp_endpoint_addr_eq(const union wgd_sockaddr *a, const union wgd_sockaddr *b)
{
	if (a->sa.sa_family != b->sa.sa_family)
		return false;
	if (a->sa.sa_family == AF_INET)
		return a->in4.sin_port == b->in4.sin_port &&
		       a->in4.sin_addr.s_addr == b->in4.sin_addr.s_addr;
	if (a->sa.sa_family == AF_INET6)
		return a->in6.sin6_port == b->in6.sin6_port &&
		       !memcmp(&a->in6.sin6_addr, &b->in6.sin6_addr, 16) &&
		       a->in6.sin6_scope_id == b->in6.sin6_scope_id;
	return true;
}

bool wgd_udp_endpoint_eq(const struct wgd_endpoint *a, const struct wgd_endpoint *b)
{
	if (!wgd_udp_endpoint_addr_eq(&a->addr, &b->addr))
		return false;
	if (a->addr.sa.sa_family == AF_INET)
		return a->has_src == b->has_src &&
		       (!a->has_src || a->src4.s_addr == b->src4.s_addr);
	if (a->addr.sa.sa_family == AF_INET6)
		return a->has_src == b->has_src &&
		       (!a->has_src || !memcmp(&a->src6, &b->src6, 16));
	return true;
}

const char *wgd_udp_endpoint_str(const union wgd_sockaddr *a, char *buf, size_t len)
{
	char h[INET6_ADDRSTRLEN];

	if (a->sa.sa_family == AF_INET) {
		inet_ntop(AF_INET, &a->in4.sin_addr, h, sizeof(h));
		snprintf(buf, len, "%s:%u", h, ntohs(a->in4.sin_port));
	} else if (a->sa.sa_family == AF_INET6) {
		inet_ntop(AF_INET6, &a->in6.sin6_addr, h, sizeof(h));
		snprintf(buf, len, "[%s]:%u", h, ntohs(a->in6.sin6_port));
	} else {
		snprintf(buf, len, "(none)");
	}
	return buf;
}
