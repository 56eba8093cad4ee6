// SPDX-License-Identifier: MIT
/*
 * libFuzzer harness: the worker threads' spare-CPU gate (daemon/workers.h).
 * The input is split at NUL bytes; each piece goes through the
 * /proc/loadavg parser, which must never read past the piece and must
 * return -1 or a count it really found (that number and a '/'), and
 * each count is fed to gates of 1..8 CPUs. A gate of one CPU never
 * shares; for more, a decision changes only past its thresholds (share
 * below cpus - 0.5 on average, stop at cpus).
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "daemon/workers.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct wgd_cpu_gate g[8];
	size_t off = 0;

	for (unsigned c = 0; c < 8; c++)
		wgd_cpu_gate_init(&g[c], c + 1);
	while (off < size) {
		size_t n = strnlen((const char *)data + off, size - off);
		/* a copy of exactly the piece: ASan catches a read past it */
		char *piece = malloc(n + 1);
		int r;

		if (!piece)
			return 0;
		memcpy(piece, data + off, n);
		piece[n] = 0;
		r = wgd_loadavg_runnable(piece);
		if (r >= 0) {
			char want[16];

			snprintf(want, sizeof(want), "%d/", r);
			if (!strstr(piece, want))
				abort();
		} else if (r != -1) {
			abort();
		}
		free(piece);
		for (unsigned c = 0; c < 8; c++) {
			bool before = g[c].share, after;
			unsigned sample = r >= 0 ? (unsigned)r : (n ? data[off] : 0);

			after = wgd_cpu_gate_sample(&g[c], sample);
			if (after != g[c].share || (c == 0 && after))
				abort();
			/* a change of mind only past a threshold */
			if (after && !before && g[c].avg16 * 2 >= g[c].cpus * 32 - 16)
				abort();
			if (!after && before && g[c].avg16 < g[c].cpus * 16)
				abort();
		}
		off += n + 1;
	}
	return 0;
}
