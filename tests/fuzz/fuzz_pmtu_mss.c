// SPDX-License-Identifier: MIT
/* libFuzzer harness: TUN packets into the MSS clamp. Properties: nothing
 * outside the TCP checksum and MSS values changes, a clamp only lowers, and
 * a TCP checksum that verified before still verifies after. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "common/csum.h"
#include "pmtu/ipinfo.h"
#include "pmtu/mss.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int tcp_csum_ok(const uint8_t *p, const struct ipinfo *ii)
{
	uint32_t s = 0, seg = ii->tot_len - ii->l4_off;

	if (ii->version == 4) {
		s = csum_add(s, p + 12, 8);
	} else {
		s = csum_add(s, ii->src, 16);
		s = csum_add(s, ii->dst, 16);
		s += seg >> 16;
	}
	s += seg & 0xffff;
	s += 6;
	return csum_fold(csum_add(s, p + ii->l4_off, seg)) == 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static uint8_t pkt[70000];
	struct ipinfo ii;
	uint16_t max;
	int before;
	enum mss_result r;

	if (size < 2 || size - 2 > sizeof(pkt))
		return 0;
	max = (uint16_t)(data[0] << 8 | data[1]);
	size -= 2;
	memcpy(pkt, data + 2, size);
	before = ipi_parse(pkt, size, &ii) == 0 && !ii.fragment &&
		 ii.proto == 6 && ii.l4_off && ii.tot_len >= ii.l4_off + 20u &&
		 tcp_csum_ok(pkt, &ii);
	r = mss_clamp(pkt, size, max);
	if (r >= MSS_RESULT_COUNT)
		abort();
	if (r != MSS_CLAMPED) {
		if (memcmp(pkt, data + 2, size) != 0)
			abort();
		return 0;
	}
	if (before && !tcp_csum_ok(pkt, &ii))
		abort();
	for (size_t i = 0; i < size; i++) {
		if (pkt[i] == data[2 + i])
			continue;
		if (i < (size_t)ii.l4_off + 20)
			if (i != (size_t)ii.l4_off + 16 && i != (size_t)ii.l4_off + 17)
				abort();
	}
	return 0;
}
