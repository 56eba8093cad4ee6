// SPDX-License-Identifier: MIT
/* libFuzzer harness: TUN packets into the ICMP too-big builders and the
 * echo parser. Whatever is built must be a well-formed message within the
 * RFC size limits that quotes the packet's start. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "common/csum.h"
#include "pmtu/icmp.h"
#include "pmtu/ipinfo.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const uint8_t src4[4] = { 10, 0, 0, 1 };
	static const uint8_t src6[16] = { 0xfd, [15] = 1 };
	static uint8_t out[1500];
	struct icmp_echo e;
	struct ipinfo ii;
	unsigned mtu;
	int n;

	if (size < 2)
		return 0;
	mtu = (unsigned)(data[0] << 8 | data[1]);
	data += 2;
	size -= 2;

	/* the low bit of the MTU word picks an explicit source or NULL */
	n = icmp4_build_frag_needed(data, size, mtu & 1 ? src4 : NULL, mtu, out, sizeof(out), NULL);
	if (n > 0) {
		if (n > ICMP4_MAX_ERROR_LEN || csum(out, 20) != 0 ||
		    csum(out + 20, (size_t)n - 20) != 0 || memcmp(out + 28, data, (size_t)n - 28))
			abort();
		if (ipi_parse(out, (size_t)n, &ii) != 0 || ii.tot_len != (unsigned)n)
			abort();
	}
	n = icmp6_build_packet_too_big(data, size, mtu & 1 ? src6 : NULL, mtu < 1280 ? 1280 : mtu, out,
				       sizeof(out), NULL);
	if (n > 0) {
		if (n > ICMP6_MAX_ERROR_LEN || memcmp(out + 48, data, (size_t)n - 48))
			abort();
		if (ipi_parse(out, (size_t)n, &ii) != 0 || ii.tot_len != (unsigned)n)
			abort();
	}
	if (icmp_echo_parse(data, size, &e) == 0) {
		if (e.size > size || (e.family != 4 && e.family != 6))
			abort();
	}
	return 0;
}
