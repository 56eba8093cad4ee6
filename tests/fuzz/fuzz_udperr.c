// SPDX-License-Identifier: MIT
/* libFuzzer harness: error-queue messages (msg_name + control data) into
 * udperr_parse. Input: one byte giving the name's length (mod 33), the
 * name, then the control data (copied to an aligned buffer, as recvmsg
 * leaves it). Properties: no read outside the buffers, a known kind, the
 * address families are 0/AF_INET/AF_INET6, "too big" only for ICMP
 * frag-needed / ICMPv6 packet too big, and the parse is deterministic. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <linux/errqueue.h>

#include "pmtu/udperr.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static union {
		uint8_t buf[1024];
		struct cmsghdr align;
	} ctl;
	uint8_t name[32];
	size_t nl, cl;
	struct udperr a, b;
	int r;

	if (size < 1)
		return 0;
	nl = data[0] % 33;
	if (size - 1 < nl)
		return 0;
	memcpy(name, data + 1, nl);
	cl = size - 1 - nl;
	if (cl > sizeof(ctl.buf))
		return 0;
	memcpy(ctl.buf, data + 1 + nl, cl);
	r = udperr_parse(nl ? name : NULL, nl, ctl.buf, cl, &a);
	if (r != 0 && r != -22)
		abort();
	if ((unsigned)a.kind >= UDPERR_KIND_COUNT)
		abort();
	if (a.family != 0 && a.family != AF_INET && a.family != AF_INET6)
		abort();
	if (a.offender_family != 0 && a.offender_family != AF_INET &&
	    a.offender_family != AF_INET6)
		abort();
	if (a.kind == UDPERR_TOO_BIG &&
	    !(a.origin == SO_EE_ORIGIN_ICMP && a.type == 3 && a.code == 4) &&
	    !(a.origin == SO_EE_ORIGIN_ICMP6 && a.type == 2))
		abort();
	if (a.err < 0 || a.err > 4095)
		abort();
	if (udperr_parse(nl ? name : NULL, nl, ctl.buf, cl, &b) != r || memcmp(&a, &b, sizeof(a)))
		abort();
	return 0;
}
