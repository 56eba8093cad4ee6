// SPDX-License-Identifier: MIT
#include "pmtu/udperr.h"

#include <errno.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <linux/errqueue.h>

const char *udperr_kind_name(enum udperr_kind k)
{
	static const char *const names[UDPERR_KIND_COUNT] = {
		[UDPERR_NONE] = "none",
		[UDPERR_TOO_BIG] = "too_big",
		[UDPERR_PORT_UNREACH] = "port_unreachable",
		[UDPERR_UNREACH] = "unreachable",
		[UDPERR_TIME_EXCEEDED] = "time_exceeded",
		[UDPERR_PARAM_PROBLEM] = "parameter_problem",
		[UDPERR_LOCAL] = "local",
		[UDPERR_OTHER] = "other",
	};

	return (unsigned)k < UDPERR_KIND_COUNT ? names[k] : "?";
}

static enum udperr_kind classify(uint8_t origin, uint8_t type, uint8_t code)
{
	if (origin == SO_EE_ORIGIN_LOCAL)
		return UDPERR_LOCAL;
	if (origin == SO_EE_ORIGIN_ICMP) {
		switch (type) {
		case 3: /* destination unreachable */
			return code == 4 ? UDPERR_TOO_BIG :
			       code == 3 ? UDPERR_PORT_UNREACH : UDPERR_UNREACH;
		case 11:
			return UDPERR_TIME_EXCEEDED;
		case 12:
			return UDPERR_PARAM_PROBLEM;
		}
		return UDPERR_OTHER;
	}
	if (origin == SO_EE_ORIGIN_ICMP6) {
		switch (type) {
		case 1: /* destination unreachable */
			return code == 4 ? UDPERR_PORT_UNREACH : UDPERR_UNREACH;
		case 2:
			return UDPERR_TOO_BIG;
		case 3:
			return UDPERR_TIME_EXCEEDED;
		case 4:
			return UDPERR_PARAM_PROBLEM;
		}
	}
	return UDPERR_OTHER;
}

static void parse_name(const void *name, size_t namelen, struct udperr *e)
{
	sa_family_t fam;

	if (!name || namelen < sizeof(fam))
		return;
	memcpy(&fam, name, sizeof(fam));
	if (fam == AF_INET && namelen >= sizeof(struct sockaddr_in)) {
		struct sockaddr_in a;

		memcpy(&a, name, sizeof(a));
		e->family = AF_INET;
		memcpy(e->addr, &a.sin_addr, 4);
		e->port = ntohs(a.sin_port);
	} else if (fam == AF_INET6 && namelen >= sizeof(struct sockaddr_in6)) {
		struct sockaddr_in6 a;

		memcpy(&a, name, sizeof(a));
		e->family = AF_INET6;
		memcpy(e->addr, &a.sin6_addr, 16);
		e->port = ntohs(a.sin6_port);
	}
}

/* The extended error and, after it, the offender's address. */
static void parse_ee(const uint8_t *d, size_t n, struct udperr *e)
{
	struct sock_extended_err ee;
	sa_family_t fam;

	memcpy(&ee, d, sizeof(ee));
	e->err = ee.ee_errno <= 4095 ? (int)ee.ee_errno : 0;
	e->origin = ee.ee_origin;
	e->type = ee.ee_type;
	e->code = ee.ee_code;
	e->info = ee.ee_info;
	e->kind = classify(ee.ee_origin, ee.ee_type, ee.ee_code);
	d += sizeof(ee);
	n -= sizeof(ee);
	if (n < sizeof(fam))
		return;
	memcpy(&fam, d, sizeof(fam));
	if (fam == AF_INET && n >= sizeof(struct sockaddr_in)) {
		struct sockaddr_in a;

		memcpy(&a, d, sizeof(a));
		e->offender_family = AF_INET;
		memcpy(e->offender, &a.sin_addr, 4);
	} else if (fam == AF_INET6 && n >= sizeof(struct sockaddr_in6)) {
		struct sockaddr_in6 a;

		memcpy(&a, d, sizeof(a));
		e->offender_family = AF_INET6;
		memcpy(e->offender, &a.sin6_addr, 16);
	}
}

int udperr_parse(const void *name, size_t namelen, const void *control,
		 size_t controllen, struct udperr *e)
{
	const uint8_t *c = control;
	const size_t hdr = CMSG_LEN(0); /* header, aligned: where data starts */
	size_t off = 0;

	memset(e, 0, sizeof(*e));
	parse_name(name, namelen, e);
	if (!c)
		controllen = 0;
	/* the cmsg chain as the kernel lays it out (put_cmsg): each header
	 * says its length; the next starts at the aligned end */
	while (controllen - off >= sizeof(struct cmsghdr)) {
		struct cmsghdr h;
		size_t len, step;

		memcpy(&h, c + off, sizeof(h));
		len = h.cmsg_len;
		if (len < hdr || len > controllen - off)
			return -EINVAL;
		if (((h.cmsg_level == SOL_IP && h.cmsg_type == IP_RECVERR) ||
		     (h.cmsg_level == SOL_IPV6 && h.cmsg_type == IPV6_RECVERR)) &&
		    len - hdr >= sizeof(struct sock_extended_err)) {
			parse_ee(c + off + hdr, len - hdr, e);
			return 0;
		}
		step = CMSG_ALIGN(len);
		if (step > controllen - off)
			break;
		off += step;
	}
	return 0;
}
