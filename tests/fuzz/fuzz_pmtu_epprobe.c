// SPDX-License-Identifier: MIT
/* libFuzzer harness: what a raw ICMP socket may deliver, checked as a
 * reply to endpoint probes. A packet accepted must be, byte for byte, the
 * reply to the probe it names; and every probe built from the input's
 * (seq, size) must be accepted once turned into its reply. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "common/csum.h"
#include "pmtu/epprobe.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static uint8_t req[2100], rep[2100];

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct epp_key k = { .family = 4, .id = 0x1234 };
	struct epp_answer a;
	const uint8_t *m;
	size_t mlen, ihl = 0;
	int n;

	if (size < 1)
		return 0;
	k.family = data[0] & 1 ? 6 : 4;
	memset(k.secret, 0x5a, sizeof(k.secret));
	data++;
	size--;

	if (epp_check(&k, data, size, &a, NULL) == 0) {
		if (k.family == 4)
			ihl = (size_t)(data[0] & 15) * 4;
		m = data + ihl;
		mlen = a.size - (k.family == 4 ? 20 : 40);
		if (ihl + mlen > size)
			abort();
		n = epp_build(&k, a.seq, a.size, req, sizeof(req));
		if (a.size <= sizeof(req) && (n < 0 || (size_t)n != mlen ||
					      memcmp(req + 4, m + 4, mlen - 4)))
			abort();
	}

	/* build -> reply -> check, for the input's seq and size */
	if (size >= 4) {
		uint16_t seq = (uint16_t)(data[0] << 8 | data[1]);
		uint32_t sz = (uint32_t)(data[2] << 8 | data[3]) % 2000;

		n = epp_build(&k, seq, sz, req, sizeof(req));
		if (n < 0)
			return 0;
		ihl = k.family == 4 ? 20 : 0;
		memset(rep, 0, ihl);
		if (ihl) {
			rep[0] = 0x45;
			rep[2] = (uint8_t)((ihl + (size_t)n) >> 8);
			rep[3] = (uint8_t)(ihl + (size_t)n);
			rep[9] = 1;
		}
		memcpy(rep + ihl, req, (size_t)n);
		rep[ihl] = k.family == 4 ? 0 : 129;
		rep[ihl + 2] = rep[ihl + 3] = 0;
		if (k.family == 4) {
			uint16_t c = csum(rep + ihl, (size_t)n);

			rep[ihl + 2] = (uint8_t)(c >> 8);
			rep[ihl + 3] = (uint8_t)c;
		}
		if (epp_check(&k, rep, ihl + (size_t)n, &a, NULL) != 0 || a.seq != seq || a.size != sz)
			abort();
	}
	return 0;
}
