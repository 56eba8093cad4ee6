// SPDX-License-Identifier: MIT
/*
 * libFuzzer harness: the `wg show all dump` parser of wgmtu doctor/tune on
 * arbitrary bytes. It must never crash; what it accepts must be
 * consistent: interface names 1..15 characters, unique; keys 44 base64
 * characters; prefixes within their family's length; endpoints of a known
 * family; every formatted prefix parses back to the same prefix.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "tool/wgdump.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct wgm_model m;
	char err[128], b[64];
	/* the first byte picks the format: all interfaces, or `wg show wg0 dump` */
	bool one = size && (data[0] & 1);
	int r;

	if (size) {
		data++;
		size--;
	}
	r = one ? wgm_parse_dump_one((const char *)data, size, "wg0", &m, err, sizeof(err)) :
		  wgm_parse_dump((const char *)data, size, &m, err, sizeof(err));
	if (r < 0) {
		if (m.n_ifs || m.ifs)
			abort();
		return 0;
	}
	if (one && m.n_ifs > 1)
		abort();
	for (size_t i = 0; i < m.n_ifs; i++) {
		const struct wgm_iface *ifc = &m.ifs[i];

		if (!ifc->name[0] || strlen(ifc->name) >= WGM_IFNAMSIZ || wgm_find(&m, ifc->name) != ifc)
			abort();
		for (size_t k = 0; k < ifc->n_peers; k++) {
			const struct wgm_peer *p = &ifc->peers[k];

			if (strlen(p->pubkey) != 44)
				abort();
			if (p->has_endpoint && p->endpoint.ss_family != AF_INET &&
			    p->endpoint.ss_family != AF_INET6)
				abort();
			for (size_t a = 0; a < p->n_allowed; a++) {
				struct wgm_prefix back;

				if (p->allowed[a].len > (p->allowed[a].family == AF_INET ? 32 : 128))
					abort();
				if (wgm_prefix_parse(wgm_prefix_fmt(&p->allowed[a], b, sizeof(b)), &back) < 0 ||
				    !wgm_prefix_eq(&back, &p->allowed[a]))
					abort();
			}
		}
	}
	wgm_free(&m);
	return 0;
}
