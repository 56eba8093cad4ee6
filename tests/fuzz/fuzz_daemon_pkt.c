// SPDX-License-Identifier: MIT
/* libFuzzer harness: the daemon's packet-path parsers -- the inner IP
 * header validation (ipi_parse, run on every packet both ways), and TSO
 * segmentation / checksum completion of a TUN batch, and GRO merging
 * (gso.h). The first two bytes choose the MSS and the checksum offsets.
 * Every segment must parse as an IP packet of its own length; segments
 * that GRO merges back must add up to the original length. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "common/gso.h"
#include "pmtu/ipinfo.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static uint8_t seg[70000], segs[16][70000];
	struct wg_gso_gro_pkt pk[16];
	size_t nseg = 0;
	struct ipinfo ip;
	struct wg_gso_tso t;
	uint8_t *copy;
	size_t mss;
	int n;

	if (size < 2)
		return 0;
	mss = (size_t)data[0] * 8 + 1;
	copy = malloc(size - 2 ? size - 2 : 1);
	if (!copy)
		return 0;
	memcpy(copy, data + 2, size - 2);
	if (ipi_parse(copy, size - 2, &ip) == 0 &&
	    (ip.tot_len > size - 2 || ip.ip_hdr_len > ip.tot_len || ip.l4_off > ip.tot_len))
		abort();
	(void)wg_gso_csum_complete(copy, size - 2, data[1], data[0] & 0x3f);
	if (wg_gso_tso_init(&t, data + 2, size - 2, mss) == 0) {
		while ((n = wg_gso_tso_next(&t, seg, sizeof(seg))) > 0) {
			if (ipi_parse(seg, (size_t)n, &ip) < 0 || ip.tot_len != (size_t)n)
				abort();
			if (nseg < 16) {
				memcpy(segs[nseg], seg, (size_t)n);
				pk[nseg].p = segs[nseg];
				pk[nseg].len = (size_t)n;
			}
			nseg++;
		}
		if (nseg >= 2 && nseg <= 16 && wg_gso_gro_run(pk, nseg) == nseg) {
			struct wg_gso_gro_hdr h;

			if (wg_gso_gro_merge_headers(pk, nseg, &h) != size - 2)
				abort();
		}
	}
	free(copy);
	return 0;
}
