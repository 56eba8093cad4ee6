// SPDX-License-Identifier: MIT
/* Raw ICMP sockets for echo probes to peers' endpoints (see epsock.h). */
#include "daemon/epsock.h"

#include <errno.h>
#include <linux/icmp.h>
#include <netinet/icmp6.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

static void drain_errors(int fd)
{
	uint8_t buf[64], cb[256];
	struct iovec iov = { .iov_base = buf, .iov_len = sizeof(buf) };

	for (int i = 0; i < 64; i++) {
		struct msghdr m = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = cb,
				    .msg_controllen = sizeof(cb) };

		if (recvmsg(fd, &m, MSG_ERRQUEUE | MSG_DONTWAIT) < 0)
			return;
	}
}

int wgd_epsock_set_fwmark(int fd, uint32_t fwmark)
{
	return setsockopt(fd, SOL_SOCKET, SO_MARK, &fwmark, sizeof(fwmark)) < 0 ? -errno : 0;
}

int wgd_epsock_open(int family, uint32_t fwmark)
{
	int one = 1, fd, r;

	if (family != AF_INET && family != AF_INET6)
		return -EAFNOSUPPORT;
	fd = socket(family, SOCK_RAW | SOCK_NONBLOCK | SOCK_CLOEXEC,
		    family == AF_INET ? IPPROTO_ICMP : IPPROTO_ICMPV6);
	if (fd < 0)
		return -errno;
	if (family == AF_INET) {
		struct icmp_filter f = { .data = ~(1u << ICMP_ECHOREPLY) };

		if (setsockopt(fd, IPPROTO_IP, IP_MTU_DISCOVER, &(int){ IP_PMTUDISC_PROBE },
			       sizeof(int)) < 0 ||
		    setsockopt(fd, IPPROTO_IP, IP_RECVERR, &one, sizeof(one)) < 0 ||
		    setsockopt(fd, SOL_RAW, ICMP_FILTER, &f, sizeof(f)) < 0)
			goto fail;
	} else {
		struct icmp6_filter f;

		ICMP6_FILTER_SETBLOCKALL(&f);
		ICMP6_FILTER_SETPASS(ICMP6_ECHO_REPLY, &f);
		if (setsockopt(fd, IPPROTO_IPV6, IPV6_MTU_DISCOVER, &(int){ IPV6_PMTUDISC_PROBE },
			       sizeof(int)) < 0 ||
		    setsockopt(fd, IPPROTO_IPV6, IPV6_DONTFRAG, &one, sizeof(one)) < 0 ||
		    setsockopt(fd, IPPROTO_IPV6, IPV6_RECVERR, &one, sizeof(one)) < 0 ||
		    setsockopt(fd, IPPROTO_ICMPV6, ICMP6_FILTER, &f, sizeof(f)) < 0)
			goto fail;
	}
	if (fwmark && wgd_epsock_set_fwmark(fd, fwmark) < 0)
		goto fail;
	return fd;
fail:
	r = -errno;
	close(fd);
	return r;
}

int wgd_epsock_send(int fd, const union wgd_sockaddr *dst, const uint8_t *msg, size_t len)
{
	union wgd_sockaddr a = *dst;
	socklen_t alen;

	if (a.sa.sa_family == AF_INET) {
		a.in4.sin_port = 0;
		alen = sizeof(a.in4);
	} else {
		a.in6.sin6_port = 0; /* a raw socket takes 0 or its protocol */
		alen = sizeof(a.in6);
	}
	drain_errors(fd);
	if (sendto(fd, msg, len, MSG_DONTWAIT, &a.sa, alen) < 0)
		return -errno;
	return 0;
}

ssize_t wgd_epsock_recv(int fd, int family, uint8_t *buf, size_t cap, uint8_t from[16])
{
	union wgd_sockaddr a;
	socklen_t alen = sizeof(a);
	ssize_t n;

	memset(&a, 0, sizeof(a));
	n = recvfrom(fd, buf, cap, MSG_DONTWAIT | MSG_TRUNC, &a.sa, &alen);
	if (n < 0) {
		if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)
			return 0;
		/* a queued ICMP error reports itself here once: drain them all */
		n = -errno;
		drain_errors(fd);
		return n;
	}
	if ((size_t)n > cap || a.sa.sa_family != family)
		return -EMSGSIZE;
	if (family == AF_INET)
		memcpy(from, &a.in4.sin_addr, 4);
	else
		memcpy(from, &a.in6.sin6_addr, 16);
	return n;
}
