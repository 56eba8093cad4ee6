// SPDX-License-Identifier: MIT
/* Random numbers for the daemon (indices, timer jitter, probe ids). */
#include "daemon/device.h"

#include "daemon/log.h"

#include <openssl/rand.h>
#include <stdlib.h>

uint32_t wgd_rand32(void *unused)
{
	uint32_t v = 0;

	(void)unused;
	if (RAND_bytes((unsigned char *)&v, sizeof(v)) != 1) {
		/* libcrypto's CSPRNG failing is not recoverable for indices */
		log_err("RAND_bytes failed");
		abort();
	}
	return v;
}
