// SPDX-License-Identifier: MIT
/* The error-queue message parser (pmtu/udperr.h): control data laid out
 * with the libc's CMSG macros as the kernel writes it, hostile lengths, and
 * one message the kernel itself queues on a loopback socket. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <cmocka.h>
#include <errno.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <linux/errqueue.h>

#include "pmtu/udperr.h"

static union {
	char buf[512];
	struct cmsghdr align;
} ctl;

/* Appends one cmsg at *off holding data[0..len). */
static void put(size_t *off, int level, int type, const void *data, size_t len)
{
	struct cmsghdr h = { .cmsg_len = CMSG_LEN(len), .cmsg_level = level, .cmsg_type = type };

	memcpy(ctl.buf + *off, &h, sizeof(h));
	memcpy(ctl.buf + *off + CMSG_LEN(0), data, len);
	*off += CMSG_SPACE(len);
}

/* An extended error plus an offender address of the given family. */
static size_t ee_data(uint8_t *out, uint8_t origin, uint8_t type, uint8_t code,
		      uint32_t errnum, uint32_t info, int off_family)
{
	struct sock_extended_err ee = { .ee_errno = errnum, .ee_origin = origin, .ee_type = type,
					.ee_code = code, .ee_info = info };
	size_t n = sizeof(ee);

	memcpy(out, &ee, sizeof(ee));
	if (off_family == AF_INET) {
		struct sockaddr_in a = { .sin_family = AF_INET };

		inet_pton(AF_INET, "192.0.2.9", &a.sin_addr);
		memcpy(out + n, &a, sizeof(a));
		n += sizeof(a);
	} else if (off_family == AF_INET6) {
		struct sockaddr_in6 a = { .sin6_family = AF_INET6 };

		inet_pton(AF_INET6, "2001:db8::9", &a.sin6_addr);
		memcpy(out + n, &a, sizeof(a));
		n += sizeof(a);
	} else {
		struct sockaddr_in a = { .sin_family = AF_UNSPEC };

		memcpy(out + n, &a, sizeof(a));
		n += sizeof(a);
	}
	return n;
}

static struct sockaddr_in name4(void)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons(51821) };

	inet_pton(AF_INET, "10.0.0.2", &a.sin_addr);
	return a;
}

static void test_frag_needed_v4(void **st)
{
	struct sockaddr_in a = name4();
	struct in_pktinfo pi = { .ipi_ifindex = 3 };
	uint8_t d[64];
	size_t off = 0, n;
	struct udperr e;

	(void)st;
	put(&off, SOL_IP, IP_PKTINFO, &pi, sizeof(pi)); /* skipped */
	n = ee_data(d, SO_EE_ORIGIN_ICMP, 3, 4, EMSGSIZE, 1400, AF_INET);
	put(&off, SOL_IP, IP_RECVERR, d, n);
	assert_int_equal(udperr_parse(&a, sizeof(a), ctl.buf, off, &e), 0);
	assert_int_equal(e.kind, UDPERR_TOO_BIG);
	assert_int_equal(e.info, 1400);
	assert_int_equal(e.err, EMSGSIZE);
	assert_int_equal(e.family, AF_INET);
	assert_memory_equal(e.addr, &a.sin_addr, 4);
	assert_int_equal(e.port, 51821);
	assert_int_equal(e.offender_family, AF_INET);
	assert_memory_equal(e.offender, "\xc0\x00\x02\x09", 4);
	assert_string_equal(udperr_kind_name(e.kind), "too_big");
}

static void test_kinds(void **st)
{
	static const struct {
		uint8_t origin, type, code;
		enum udperr_kind kind;
	} t[] = {
		{ SO_EE_ORIGIN_ICMP, 3, 3, UDPERR_PORT_UNREACH },
		{ SO_EE_ORIGIN_ICMP, 3, 1, UDPERR_UNREACH },
		{ SO_EE_ORIGIN_ICMP, 3, 13, UDPERR_UNREACH },
		{ SO_EE_ORIGIN_ICMP, 11, 0, UDPERR_TIME_EXCEEDED },
		{ SO_EE_ORIGIN_ICMP, 12, 0, UDPERR_PARAM_PROBLEM },
		{ SO_EE_ORIGIN_ICMP, 5, 0, UDPERR_OTHER },
		{ SO_EE_ORIGIN_ICMP6, 2, 0, UDPERR_TOO_BIG },
		{ SO_EE_ORIGIN_ICMP6, 1, 4, UDPERR_PORT_UNREACH },
		{ SO_EE_ORIGIN_ICMP6, 1, 3, UDPERR_UNREACH },
		{ SO_EE_ORIGIN_ICMP6, 3, 0, UDPERR_TIME_EXCEEDED },
		{ SO_EE_ORIGIN_ICMP6, 4, 1, UDPERR_PARAM_PROBLEM },
		{ SO_EE_ORIGIN_ICMP6, 128, 0, UDPERR_OTHER },
		{ SO_EE_ORIGIN_LOCAL, 0, 0, UDPERR_LOCAL },
		{ SO_EE_ORIGIN_TXSTATUS, 0, 0, UDPERR_OTHER },
	};
	uint8_t d[64];

	(void)st;
	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		size_t off = 0, n = ee_data(d, t[i].origin, t[i].type, t[i].code, 1, 0,
					    t[i].origin == SO_EE_ORIGIN_ICMP6 ? AF_INET6 : 0);
		struct udperr e;

		put(&off, t[i].origin == SO_EE_ORIGIN_ICMP6 ? SOL_IPV6 : SOL_IP,
		    t[i].origin == SO_EE_ORIGIN_ICMP6 ? IPV6_RECVERR : IP_RECVERR, d, n);
		assert_int_equal(udperr_parse(NULL, 0, ctl.buf, off, &e), 0);
		assert_int_equal(e.kind, t[i].kind);
		assert_int_equal(e.type, t[i].type);
		assert_int_equal(e.code, t[i].code);
		assert_int_equal(e.family, 0);
		assert_int_equal(e.offender_family, t[i].origin == SO_EE_ORIGIN_ICMP6 ? AF_INET6 : 0);
	}
	assert_string_equal(udperr_kind_name(UDPERR_KIND_COUNT), "?");
}

static void test_ptb_v6(void **st)
{
	struct sockaddr_in6 a = { .sin6_family = AF_INET6, .sin6_port = htons(443) };
	uint8_t d[64];
	size_t off = 0, n;
	struct udperr e;

	(void)st;
	inet_pton(AF_INET6, "fd00::2", &a.sin6_addr);
	n = ee_data(d, SO_EE_ORIGIN_ICMP6, 2, 0, EMSGSIZE, 1280, AF_INET6);
	put(&off, SOL_IPV6, IPV6_RECVERR, d, n);
	assert_int_equal(udperr_parse(&a, sizeof(a), ctl.buf, off, &e), 0);
	assert_int_equal(e.kind, UDPERR_TOO_BIG);
	assert_int_equal(e.info, 1280);
	assert_int_equal(e.family, AF_INET6);
	assert_memory_equal(e.addr, &a.sin6_addr, 16);
	assert_int_equal(e.port, 443);
	assert_int_equal(e.offender_family, AF_INET6);
	/* a name too short for its family is no address */
	assert_int_equal(udperr_parse(&a, sizeof(a) - 1, ctl.buf, off, &e), 0);
	assert_int_equal(e.family, 0);
	assert_int_equal(e.kind, UDPERR_TOO_BIG);
}

static void test_hostile_lengths(void **st)
{
	struct sockaddr_in a = name4();
	uint8_t d[64];
	size_t off = 0, n;
	struct cmsghdr h;
	struct udperr e;

	(void)st;
	/* no control data at all */
	assert_int_equal(udperr_parse(&a, sizeof(a), NULL, 100, &e), 0);
	assert_int_equal(e.kind, UDPERR_NONE);
	assert_int_equal(e.family, AF_INET);
	/* an extended error cut short: not one */
	n = ee_data(d, SO_EE_ORIGIN_ICMP, 3, 4, EMSGSIZE, 1400, AF_INET);
	put(&off, SOL_IP, IP_RECVERR, d, sizeof(struct sock_extended_err) - 1);
	assert_int_equal(udperr_parse(&a, sizeof(a), ctl.buf, off, &e), 0);
	assert_int_equal(e.kind, UDPERR_NONE);
	/* the error without its offender: still the error */
	off = 0;
	put(&off, SOL_IP, IP_RECVERR, d, sizeof(struct sock_extended_err) + 1);
	assert_int_equal(udperr_parse(&a, sizeof(a), ctl.buf, off, &e), 0);
	assert_int_equal(e.kind, UDPERR_TOO_BIG);
	assert_int_equal(e.offender_family, 0);
	/* a header claiming more than there is */
	off = 0;
	put(&off, SOL_IP, IP_RECVERR, d, n);
	memcpy(&h, ctl.buf, sizeof(h));
	h.cmsg_len = off + 1;
	memcpy(ctl.buf, &h, sizeof(h));
	assert_int_equal(udperr_parse(&a, sizeof(a), ctl.buf, off, &e), -EINVAL);
	/* a header claiming less than itself */
	h.cmsg_len = sizeof(h) - 1;
	memcpy(ctl.buf, &h, sizeof(h));
	assert_int_equal(udperr_parse(&a, sizeof(a), ctl.buf, off, &e), -EINVAL);
	/* controllen shorter than a header: nothing */
	assert_int_equal(udperr_parse(&a, sizeof(a), ctl.buf, sizeof(h) - 1, &e), 0);
	assert_int_equal(e.kind, UDPERR_NONE);
	/* a last cmsg whose padding runs past the end: parsed, then stop */
	off = 0;
	put(&off, SOL_IP, IP_TTL, "\x01", 1);
	assert_int_equal(udperr_parse(&a, sizeof(a), ctl.buf, CMSG_LEN(1), &e), 0);
	assert_int_equal(e.kind, UDPERR_NONE);
}

/* The layout the kernel really writes: a datagram to a closed loopback
 * port comes back as an ICMP port unreachable on the error queue. */
static void test_kernel_port_unreachable(void **st)
{
	struct sockaddr_in to = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t tl = sizeof(to);
	int closed, fd, one = 1;
	char buf[16];
	struct sockaddr_in name;
	struct iovec iov = { .iov_base = buf, .iov_len = sizeof(buf) };
	struct msghdr m = { .msg_name = &name, .msg_namelen = sizeof(name), .msg_iov = &iov,
			    .msg_iovlen = 1, .msg_control = ctl.buf, .msg_controllen = sizeof(ctl.buf) };
	struct udperr e;
	int got = -1;

	(void)st;
	/* a port nobody listens on: bind one, note it, close it */
	closed = socket(AF_INET, SOCK_DGRAM, 0);
	fd = socket(AF_INET, SOCK_DGRAM, 0);
	if (closed < 0 || fd < 0 || bind(closed, (struct sockaddr *)&to, sizeof(to)) < 0 ||
	    getsockname(closed, (struct sockaddr *)&to, &tl) < 0) {
		skip();
	}
	close(closed);
	assert_int_equal(setsockopt(fd, SOL_IP, IP_RECVERR, &one, sizeof(one)), 0);
	if (sendto(fd, "x", 1, 0, (struct sockaddr *)&to, sizeof(to)) != 1)
		skip(); /* no loopback here */
	for (int i = 0; i < 100 && got < 0; i++) {
		m.msg_namelen = sizeof(name);
		m.msg_controllen = sizeof(ctl.buf);
		got = (int)recvmsg(fd, &m, MSG_ERRQUEUE | MSG_DONTWAIT);
		if (got < 0)
			usleep(10000);
	}
	close(fd);
	assert_true(got >= 0);
	assert_int_equal(udperr_parse(&name, m.msg_namelen, ctl.buf, m.msg_controllen, &e), 0);
	assert_int_equal(e.kind, UDPERR_PORT_UNREACH);
	assert_int_equal(e.err, ECONNREFUSED);
	assert_int_equal(e.family, AF_INET);
	assert_int_equal(e.port, ntohs(to.sin_port));
	assert_memory_equal(e.addr, &to.sin_addr, 4);
	assert_int_equal(e.offender_family, AF_INET);
	assert_memory_equal(e.offender, "\x7f\x00\x00\x01", 4);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_frag_needed_v4),
		cmocka_unit_test(test_kinds),
		cmocka_unit_test(test_ptb_v6),
		cmocka_unit_test(test_hostile_lengths),
		cmocka_unit_test(test_kernel_port_unreachable),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
