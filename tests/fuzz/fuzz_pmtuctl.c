// SPDX-License-Identifier: MIT
/* libFuzzer harness: the per-peer path-MTU controller (pmtu/pmtuctl.h)
 * under arbitrary event sequences: starts in any mode, acks of past or
 * made-up ids, target answers, evidence, forged too-big hints of any
 * claim, data of any size, configuration changes and time jumps.
 * Invariants after every step: the MTU enforced never exceeds the TUN MTU
 * (and is the pin when pinned), a finished search's answer is the MTU
 * in force, every probe is of the running method (or the one hello)
 * and of a size the path search allows, a pinned or inactive peer sends
 * nothing, a hint never moves the MTU by itself, a hint the credit limit
 * ignores sends nothing, the reported deadline is
 * the controller's, and the log lines are terminated. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "pmtu/pmtuctl.h"
#include "pmtu/probemsg.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static uint32_t ids[64];
static unsigned nid;

static void check(const struct pmtuctl *c, const struct pmtuctl_out *o, bool hello_sent)
{
	unsigned m = pmtuctl_mtu(c, c->tun_mtu);

	if (m > c->tun_mtu || (c->pinned && m != (c->pinned < c->tun_mtu ? c->pinned : c->tun_mtu)))
		abort();
	/* a finished search's answer is the MTU in force */
	if (c->active && plpmtud_state(&c->eng) == PLPMTUD_SEARCH_COMPLETE &&
	    c->path_mtu != plpmtud_mtu(&c->eng))
		abort();
	if (c->effective > c->path_mtu)
		abort();
	if (o->deadline != pmtuctl_deadline(c))
		abort();
	if (o->n_probes > PMTUCTL_OUT_PROBES || o->n_logs > PMTUCTL_OUT_LOGS)
		abort();
	for (size_t i = 0; i < o->n_logs; i++)
		if (!memchr(o->log[i], 0, PMTUCTL_LOG_MAX) || !o->log[i][0])
			abort();
	if (!c->reason[0] || !memchr(c->reason, 0, sizeof(c->reason)))
		abort();
	for (size_t i = 0; i < o->n_probes; i++) {
		const struct pmtuctl_probe *p = &o->probe[i];
		bool hello = hello_sent && p->id == c->hello_id && p->method == PMTUCTL_M_INBAND;

		if (c->method == PMTUCTL_M_PINNED)
			abort();
		if (hello) {
			if (p->size != c->ovh + PMSG_HDR_LEN)
				abort();
		} else {
			if (p->method != c->method || !pmtuctl_methods[p->method].probes)
				abort();
			if (p->size < c->eng.cfg.base_mtu || p->size > c->eng.cfg.max_mtu ||
			    p->size > c->max_mtu)
				abort();
		}
		ids[nid++ % 64] = p->id;
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct pmtuctl c;
	struct pmtuctl_out o;
	uint64_t now = 1000000000000ull;

	if (size < 4)
		return 0;
	memset(ids, 0, sizeof(ids));
	nid = 0;
	pmtuctl_init(&c);
	c.tun_mtu = 1280u + data[0] * 2u;
	c.max_mtu = (uint16_t)(1200u + data[1] * 2u);
	c.raise_ms = 1000u + data[2] * 100u;
	c.mode = (enum pmtuctl_mode)(data[3] % 5);
	for (size_t i = 4; i + 2 < size; i += 3) {
		uint8_t op = data[i], a = data[i + 1], b = data[i + 2];
		bool hello_was = c.hello_out;
		uint16_t path_before = c.path_mtu, eff_before = c.effective;

		switch (op % 12) {
		case 0:
			pmtuctl_start(&c, now, a & 1 ? 6 : 4, !(a & 2), (uint32_t)b << 8 | a, "fuzz", &o);
			check(&c, &o, c.hello_out);
			continue;
		case 1:
			pmtuctl_tick(&c, now, &o);
			break;
		case 2:
			pmtuctl_on_ack(&c, (enum pmtuctl_method)(b % PMTUCTL_M_COUNT), ids[a % 64], now, &o);
			break;
		case 3:
			pmtuctl_on_inband_ack(&c, a & 128 ? c.hello_id : ids[a % 64] ^ (b & 1), now, &o);
			break;
		case 4:
			pmtuctl_on_target(&c, (enum pmtuctl_method)(a % PMTUCTL_M_COUNT), b & 1,
					  b & 2 ? "10.0.0.2" : NULL, now, &o);
			break;
		case 5:
			pmtuctl_on_evidence(&c, a & 1 ? PMTUCTL_EV_PEER_PINGS : PMTUCTL_EV_PEER_PROBED, now, &o);
			break;
		case 6:
			/* everything due first, so the hint alone is measured */
			pmtuctl_tick(&c, now, &o);
			check(&c, &o, hello_was);
			path_before = c.path_mtu;
			eff_before = c.effective;
			{
				uint64_t lim = c.ptb_limited;

				pmtuctl_on_ptb_hint(&c, (uint32_t)a << 8 | b, now, &o);
				/* a limited hint sends nothing; the credit
				 * never exceeds one round */
				if (c.ptb_limited != lim && o.n_probes)
					abort();
				if (c.active && c.hint_credit > (int64_t)plpmtud_mtu(&c.eng) +
								     c.eng.cfg.base_mtu)
					abort();
			}
			if (c.path_mtu != path_before || c.effective != eff_before)
				abort();
			break;
		case 7:
			pmtuctl_on_data_sent(&c, (size_t)a * 8 + b, now, &o);
			break;
		case 8:
			now += (uint64_t)a * 1000000ull + b * 1000ull;
			continue;
		case 9:
			now += (uint64_t)a * 1000000000ull;
			continue;
		case 10:
			/* a configuration change, then the restart it causes */
			if (a & 1)
				c.pinned = a & 2 ? (uint16_t)(576 + b * 4) : 0;
			if (a & 4)
				c.mode = (enum pmtuctl_mode)(b % 5);
			if (a & 8)
				c.probe_on = !c.probe_on;
			if (a & 16)
				pmtuctl_forget(&c);
			pmtuctl_start(&c, now, a & 32 ? 6 : 4, true, b, "conf", &o);
			check(&c, &o, c.hello_out);
			continue;
		case 11:
			/* the interface MTU changes under the controller */
			c.tun_mtu = 1280u + (unsigned)a * 2u;
			continue;
		}
		(void)path_before;
		(void)eff_before;
		check(&c, &o, hello_was || c.hello_out);
		if (pmtuctl_state_name(&c) == NULL)
			abort();
	}
	return 0;
}
