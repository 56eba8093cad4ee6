// SPDX-License-Identifier: MIT
/* libFuzzer harness: TUN packets into the IPv4 fragmenter. Every fragment
 * must fit the MTU, carry a valid header, and together they must rebuild
 * the input's payload at the input's offset. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "common/csum.h"
#include "pmtu/frag.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static uint8_t out[65536], re[65536 + 8];
	struct frag4 f;
	unsigned mtu;
	size_t hl, tot, base, covered = 0;
	int n, r, got = 0;

	if (size < 2)
		return 0;
	mtu = (unsigned)(data[0] << 8 | data[1]);
	data += 2;
	size -= 2;
	n = frag4_init(&f, data, size, mtu);
	if (n <= 0)
		return 0;
	hl = (data[0] & 15) * 4u;
	tot = (size_t)(data[2] << 8 | data[3]);
	base = (size_t)((data[6] << 8 | data[7]) & 0x1fff) * 8;
	while ((r = frag4_next(&f, out, sizeof(out))) > 0) {
		size_t fhl = (out[0] & 15) * 4u, off;

		got++;
		if (n > 1 && (unsigned)r > mtu)
			abort();
		if (csum(out, fhl) != 0 || (size_t)(out[2] << 8 | out[3]) != (size_t)r)
			abort();
		off = (size_t)((out[6] << 8 | out[7]) & 0x1fff) * 8;
		if (off != base + covered)
			abort();
		memcpy(re + covered, out + fhl, (size_t)r - fhl);
		covered += (size_t)r - fhl;
	}
	if (r < 0 || got != n || covered != tot - hl || memcmp(re, data + hl, covered))
		abort();
	return 0;
}
