// SPDX-License-Identifier: MIT
/* libFuzzer harness: decrypted plaintexts into the probe-message decoder.
 * Whatever decodes must re-encode to the same fields. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "pmtu/probemsg.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static uint8_t out[65536];
	struct pmsg m, m2;

	if (pmsg_decode(data, size, &m) != 0)
		return 0;
	if (!pmsg_is_candidate(data, size) || size < PMSG_HDR_LEN || m.hdr_len > size)
		abort();
	if (pmsg_encode(&m, out, sizeof(out), size) != (int)size)
		abort();
	if (pmsg_decode(out, size, &m2) != 0)
		abort();
	if (m2.type != m.type || m2.flags != m.flags || m2.id != m.id ||
	    m2.probed_size != m.probed_size || m2.seen_ip_size != m.seen_ip_size ||
	    m2.seen_udp_len != m.seen_udp_len || m2.hdr_len != PMSG_HDR_LEN)
		abort();
	return 0;
}
