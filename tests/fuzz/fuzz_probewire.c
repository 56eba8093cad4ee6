// SPDX-License-Identifier: MIT
/* libFuzzer harness: the UDP probe protocol decoder (what the responder
 * and the client read from the network). Decoded messages re-encode to
 * the same fields. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "pmtu/probe_wire.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct pw_msg m, m2;
	uint8_t buf[PW_HDR_LEN + 64];

	if (pw_decode(data, size, &m) < 0)
		return 0;
	if (pw_encode(&m, buf, sizeof(buf)) < 0)
		abort();
	if (pw_decode(buf, sizeof(buf), &m2) < 0 || memcmp(&m, &m2, sizeof(m)) != 0)
		abort();
	return 0;
}
