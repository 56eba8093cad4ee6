// SPDX-License-Identifier: MIT
/*
 * libFuzzer harness: the wgmtu analyze capture reader and dissector. The
 * input is a whole capture file (pcap or pcapng, read through libpcap from
 * memory) -- then every stage runs on what came out: statistics, the
 * one-capture verdict, matching the capture against itself, the text and
 * JSON reports. The same bytes are also dissected as a single frame under
 * every link type.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tool/analyze_dissect.h"
#include "tool/analyze_match.h"
#include "tool/analyze_pcap.h"
#include "tool/analyze_report.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const int links[] = { 0, 1, 12, 14, 101, 108, 113, 228, 229, 276, 147 };

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ana_cap c[2], *cp[2] = { &c[0], &c[1] };
	struct ana_match m;
	struct ana_result r;
	struct ana_pkt p;
	char err[512];
	FILE *f, *out;

	for (size_t i = 0; i < sizeof(links) / sizeof(links[0]); i++) {
		ana_dissect(links[i], data, size, size + (size & 7), &p);
		if (p.kind == ANA_K_UDP || p.kind == ANA_K_WG)
			if (p.payload_cap > p.udp_len)
				abort();
	}
	out = fopen("/dev/null", "w");
	for (int k = 0; k < 2; k++) {
		ana_cap_init(&c[k], k ? "b" : "a", true);
		f = fmemopen((void *)data, size, "rb");
		if (f)
			(void)ana_read_stream(f, &c[k], err, sizeof(err));
		ana_cap_finish(&c[k]);
	}
	memset(&r, 0, sizeof(r));
	r.cap[0] = &c[0];
	r.cap[1] = &c[1];
	r.ncap = 1;
	if (out) {
		ana_report_text(out, &r);
		ana_report_json(out, &r, false);
	}
	if (!ana_match_run(cp, &m)) {
		r.ncap = 2;
		r.match = &m;
		if (out) {
			ana_report_text(out, &r);
			ana_report_json(out, &r, false);
		}
		ana_match_free(&m);
	}
	if (out)
		fclose(out);
	ana_cap_free(&c[0]);
	ana_cap_free(&c[1]);
	return 0;
}
