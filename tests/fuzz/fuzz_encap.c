// SPDX-License-Identifier: MIT
/* libFuzzer harness: the --encap list parser. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "pmtu/overhead.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ovh_encap_use u[OVH_MAX_ENCAPS];
	char err[160];
	char *s = malloc(size + 1);
	int n;

	if (!s)
		return 0;
	memcpy(s, data, size);
	s[size] = '\0';
	n = ovh_encap_parse(s, u, OVH_MAX_ENCAPS, err, sizeof(err));
	if (n > 0)
		(void)ovh_path_mtu(1500, u, (size_t)n, OVH_IPV4);
	free(s);
	return 0;
}
