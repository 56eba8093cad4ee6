// SPDX-License-Identifier: MIT
/* libFuzzer harness: the PMTU engine under arbitrary event sequences
 * (acks, PTBs with any claim, local errors, stalls, time jumps). Checks
 * its invariants after every step: the size in use stays within
 * [base, max], the bounds stay ordered, a round never exceeds its slots. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "pmtu/plpmtud.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check(const struct plpmtud *e)
{
	if (e->plpmtu < e->cfg.base_mtu || e->plpmtu > e->cfg.max_mtu)
		abort();
	if (e->lo && e->hi && e->lo >= e->hi && e->state == PLPMTUD_SEARCHING)
		abort();
	if (e->n_inflight > PLPMTUD_MAX_INFLIGHT || e->n_fail > PLPMTUD_MAX_FAILS)
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct plpmtud_config c;
	struct plpmtud e;
	struct plpmtud_probe out[PLPMTUD_MAX_INFLIGHT];
	uint32_t ids[64] = { 0 };
	unsigned nid = 0;
	uint64_t now = 1000;

	if (size < 4)
		return 0;
	plpmtud_config_default(&c, data[0] & 1 ? 6 : 4);
	c.granularity = (uint16_t)(1 + (data[1] & 15));
	c.common_sizes = data[1] & 16;
	c.max_parallel = (uint8_t)(2 + (data[2] & 15));
	c.max_mtu = (uint16_t)(c.base_mtu + data[3] * 8);
	c.confirm_timer_ms = data[0] & 2 ? 5000 : 0;
	if (plpmtud_init(&e, &c) < 0)
		return 0;
	plpmtud_start(&e, now);
	for (size_t i = 4; i + 2 < size; i += 3) {
		uint8_t op = data[i], a = data[i + 1], b = data[i + 2];
		size_t n = plpmtud_poll(&e, now, out, PLPMTUD_MAX_INFLIGHT);

		for (size_t k = 0; k < n; k++) {
			if (out[k].size < c.base_mtu || out[k].size > c.max_mtu)
				abort();
			ids[nid++ % 64] = out[k].id;
		}
		switch (op % 6) {
		case 0: plpmtud_on_ack(&e, ids[a % 64], now); break;
		case 1: plpmtud_on_ptb(&e, ids[a % 64], (uint32_t)b * 8 + a, now); break;
		case 2: plpmtud_on_local_too_big(&e, ids[a % 64], now); break;
		case 3: plpmtud_on_data_stall(&e, now); break;
		case 4: now += (uint64_t)a * 10 + b; break;
		case 5: {
			uint64_t d = plpmtud_next_deadline(&e);

			if (d != UINT64_MAX && d > now)
				now = d;
			break;
		}
		}
		plpmtud_events(&e);
		check(&e);
	}
	return 0;
}
