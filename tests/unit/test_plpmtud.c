// SPDX-License-Identifier: MIT
/*
 * The RFC 8899 engine against a simulated path: a bottleneck MTU, random
 * loss from a seeded PRNG, routers that send PTBs, drop them (a black
 * hole) or lie, and a fake clock. Asserts the exact answer and bounds on
 * probes and round trips.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <stdlib.h>

#include "pmtu/plpmtud.h"

enum ptb_mode { PTB_OFF, PTB_ON, PTB_LIE };

struct ev {
	uint64_t at;
	uint32_t id;
	uint32_t ptb; /* 0: ack, else PTB claim */
};

struct sim {
	uint16_t mtu;          /* bottleneck */
	uint16_t iface;        /* local interface MTU (0: no limit) */
	unsigned loss_pct;     /* per packet, each direction */
	enum ptb_mode ptb;
	uint16_t lie_claim;    /* PTB_LIE: claims this for every size above */
	uint32_t rtt_ms;
	uint64_t rng;
	uint64_t now;
	struct ev q[4096];
	unsigned nq;
	unsigned sent;
};

static uint32_t rnd(struct sim *s)
{
	/* xorshift64*: deterministic per seed */
	s->rng ^= s->rng >> 12;
	s->rng ^= s->rng << 25;
	s->rng ^= s->rng >> 27;
	return (uint32_t)((s->rng * 2685821657736338717ull) >> 32);
}

static bool lost(struct sim *s)
{
	return s->loss_pct && rnd(s) % 100 < s->loss_pct;
}

static void push(struct sim *s, uint64_t at, uint32_t id, uint32_t ptb)
{
	assert_true(s->nq < 4096);
	s->q[s->nq].at = at;
	s->q[s->nq].id = id;
	s->q[s->nq].ptb = ptb;
	s->nq++;
}

static void sim_send(struct sim *s, struct plpmtud *e, const struct plpmtud_probe *p)
{
	if (s->iface && p->size > s->iface) {
		plpmtud_on_local_too_big(e, p->id, s->now);
		return;
	}
	s->sent++;
	if (s->ptb == PTB_LIE && p->size > s->lie_claim)
		push(s, s->now + s->rtt_ms / 4, p->id, s->lie_claim);
	if (lost(s))
		return; /* lost before the bottleneck */
	if (p->size > s->mtu) {
		if (s->ptb != PTB_OFF && !lost(s))
			push(s, s->now + s->rtt_ms / 2, p->id, s->mtu);
		return;
	}
	if (lost(s))
		return; /* the reply was lost */
	push(s, s->now + s->rtt_ms, p->id, 0);
}

/* Runs until the engine settles (or until the clock reaches until). */
static void sim_run(struct sim *s, struct plpmtud *e, uint64_t until, bool stop_on_done)
{
	struct plpmtud_probe out[PLPMTUD_MAX_INFLIGHT];

	for (int guard = 0; guard < 100000; guard++) {
		size_t n = plpmtud_poll(e, s->now, out, PLPMTUD_MAX_INFLIGHT);

		for (size_t i = 0; i < n; i++)
			sim_send(s, e, &out[i]);
		if (getenv("DBG") && n) { fprintf(stderr, "t=%llu lo=%u hi=%u k=%u fit %u/%u:", (unsigned long long)s->now, e->lo, e->hi, plpmtud_needed_losses(e), e->fit_lost, e->fit_sent); for (size_t i = 0; i < n; i++) fprintf(stderr, " %u", out[i].size); fprintf(stderr, "\n"); }
		if (n)
			continue; /* local errors may have resolved the round */
		if (stop_on_done && (e->state == PLPMTUD_SEARCH_COMPLETE ||
				     e->state == PLPMTUD_ERROR))
			return;
		uint64_t next = plpmtud_next_deadline(e);
		for (unsigned i = 0; i < s->nq; i++)
			if (s->q[i].at < next)
				next = s->q[i].at;
		if (next == UINT64_MAX || next > until) {
			s->now = until;
			return;
		}
		if (next > s->now)
			s->now = next;
		for (unsigned i = 0; i < s->nq;) {
			if (s->q[i].at <= s->now) {
				struct ev v = s->q[i];

				s->q[i] = s->q[--s->nq];
				if (v.ptb)
					plpmtud_on_ptb(e, v.id, v.ptb, s->now);
				else
					plpmtud_on_ack(e, v.id, s->now);
			} else {
				i++;
			}
		}
	}
	fail_msg("simulation did not settle");
}

static void setup(struct plpmtud *e, struct sim *s, int fam, uint16_t mtu,
		  enum ptb_mode ptb, unsigned loss, uint64_t seed)
{
	struct plpmtud_config c;

	memset(s, 0, sizeof(*s));
	s->mtu = mtu;
	s->ptb = ptb;
	s->loss_pct = loss;
	s->rng = seed * 0x9E3779B97F4A7C15ull + 1;
	s->rtt_ms = 1;
	s->now = 1000;
	plpmtud_config_default(&c, fam);
	assert_int_equal(plpmtud_init(e, &c), 0);
	plpmtud_start(e, s->now);
}

static void test_config(void **state)
{
	struct plpmtud_config c;
	struct plpmtud e;

	(void)state;
	plpmtud_config_default(&c, 4);
	assert_int_equal(c.base_mtu, 1200);
	assert_int_equal(c.max_probes, 3);
	assert_int_equal(c.raise_timer_ms, 600000);
	plpmtud_config_default(&c, 6);
	assert_int_equal(c.base_mtu, 1280);
	c.max_mtu = 1000;
	assert_int_equal(plpmtud_init(&e, &c), -EINVAL);
	plpmtud_config_default(&c, 6);
	c.granularity = 0;
	assert_int_equal(plpmtud_init(&e, &c), -EINVAL);
	plpmtud_config_default(&c, 6);
	assert_int_equal(plpmtud_init(&e, &c), 0);
	assert_int_equal(plpmtud_state(&e), PLPMTUD_DISABLED);
	assert_int_equal(plpmtud_next_deadline(&e), UINT64_MAX);
}

/* First round: the maximum first, the common sizes, the control last. */
static void test_first_round(void **state)
{
	struct plpmtud e;
	struct sim s;
	struct plpmtud_probe out[PLPMTUD_MAX_INFLIGHT];
	size_t n;
	bool has1454 = false;

	(void)state;
	setup(&e, &s, 4, 1454, PTB_OFF, 0, 1);
	assert_int_equal(plpmtud_state(&e), PLPMTUD_BASE);
	n = plpmtud_poll(&e, s.now, out, PLPMTUD_MAX_INFLIGHT);
	assert_true(n >= 10);
	assert_int_equal(out[0].size, 1500);
	assert_false(out[0].control);
	assert_int_equal(out[n - 1].size, 1200);
	assert_true(out[n - 1].control);
	for (size_t i = 0; i < n; i++) {
		assert_true(out[i].size >= 1200 && out[i].size <= 1500);
		has1454 |= out[i].size == 1454;
	}
	assert_true(has1454);
	/* nothing more until the round ends */
	assert_int_equal(plpmtud_poll(&e, s.now, out, PLPMTUD_MAX_INFLIGHT), 0);
	assert_int_equal(plpmtud_next_deadline(&e), s.now + 1000);
}

static void test_ptb_path(void **state)
{
	struct plpmtud e;
	struct sim s;

	(void)state;
	setup(&e, &s, 4, 1454, PTB_ON, 0, 1);
	sim_run(&s, &e, s.now + 60000, true);
	assert_int_equal(plpmtud_state(&e), PLPMTUD_SEARCH_COMPLETE);
	assert_int_equal(plpmtud_mtu(&e), 1454);
	assert_int_equal(plpmtud_too_big(&e), 1455);
	assert_false(plpmtud_black_hole(&e));
	assert_true(e.st.ptb_received > 0);
	assert_int_equal(e.st.ptb_lies, 0);
	assert_true(e.st.rounds <= 4);
	assert_true(e.st.probes_sent <= 40);
	assert_true(s.now - 1000 < 1000);
}

static void test_black_hole_v4(void **state)
{
	struct plpmtud e;
	struct sim s;

	(void)state;
	setup(&e, &s, 4, 1454, PTB_OFF, 0, 1);
	sim_run(&s, &e, s.now + 60000, true);
	assert_int_equal(plpmtud_mtu(&e), 1454);
	assert_true(plpmtud_black_hole(&e));
	assert_int_equal(e.st.ptb_received, 0);
	/* round 1 finds 1454, 1455 needs MAX_PROBES losses */
	assert_true(e.st.rounds <= 5);
	assert_true(e.st.probes_sent <= 50);
	assert_true(s.now - 1000 < 400);
	assert_true(plpmtud_events(&e) & PLPMTUD_EV_COMPLETE);
}

/* Odd sizes need the bisection: every MTU between 1280 and 1500. */
static void test_every_mtu_v6(void **state)
{
	(void)state;
	for (unsigned m = 1280; m <= 1500; m++) {
		struct plpmtud e;
		struct sim s;

		setup(&e, &s, 6, (uint16_t)m, m % 2 ? PTB_OFF : PTB_ON, 0, m);
		sim_run(&s, &e, s.now + 60000, true);
		if (plpmtud_mtu(&e) != m)
			fail_msg("mtu %u: got %u", m, plpmtud_mtu(&e));
		assert_true(e.st.rounds <= 7);
		assert_true(e.st.probes_sent <= 60);
		assert_int_equal(plpmtud_black_hole(&e), m < 1500 && m % 2);
	}
}

static void run_lossy(unsigned loss, unsigned seeds, unsigned max_rounds,
		      unsigned max_probes_avg, uint64_t max_ms)
{
	unsigned total_probes = 0, worst_rounds = 0;
	uint64_t worst_ms = 0;

	for (unsigned seed = getenv("SEED") ? (unsigned)atoi(getenv("SEED")) : 1; seed <= seeds; seed++) {
		struct plpmtud e;
		struct sim s;

		setup(&e, &s, 4, 1454, seed % 2 ? PTB_OFF : PTB_ON, loss, seed);
		sim_run(&s, &e, s.now + 120000, true);
		if (plpmtud_mtu(&e) != 1454 || plpmtud_state(&e) != PLPMTUD_SEARCH_COMPLETE)
			fail_msg("loss %u%% seed %u: got %u in %s after %u rounds",
				 loss, seed, plpmtud_mtu(&e),
				 plpmtud_state_name(plpmtud_state(&e)), e.st.rounds);
		total_probes += e.st.probes_sent;
		if (e.st.rounds > worst_rounds)
			worst_rounds = e.st.rounds;
		if (s.now - 1000 > worst_ms)
			worst_ms = s.now - 1000;
	}
	print_message("loss %u%%: %u seeds exact, avg %u probes, worst %u rounds, %llu ms\n",
		      loss, seeds, total_probes / seeds, worst_rounds,
		      (unsigned long long)worst_ms);
	assert_true(worst_rounds <= max_rounds);
	assert_true(total_probes / seeds <= max_probes_avg);
	assert_true(worst_ms <= max_ms);
}

static void test_loss_10(void **state)
{
	(void)state;
	run_lossy(10, 200, 12, 80, 3000);
}

/* 30 % each way is 51 % round-trip loss: more retries, still exact. */
static void test_loss_30(void **state)
{
	(void)state;
	run_lossy(30, 200, 30, 200, 6000);
}

/* Mid-flow black hole: the bottleneck shrinks with no PTB; the data path
 * reports a stall; the engine confirms, detects, steps down. */
static void test_black_hole_after_completion(void **state)
{
	struct plpmtud e;
	struct sim s;
	uint32_t ev;

	(void)state;
	setup(&e, &s, 4, 1500, PTB_OFF, 0, 7);
	sim_run(&s, &e, s.now + 60000, true);
	assert_int_equal(plpmtud_mtu(&e), 1500);
	assert_false(plpmtud_black_hole(&e));
	assert_int_equal(plpmtud_too_big(&e), 0);
	plpmtud_events(&e);
	s.mtu = 1400;
	plpmtud_on_data_stall(&e, s.now);
	sim_run(&s, &e, s.now + 60000, false);
	ev = plpmtud_events(&e);
	assert_true(ev & PLPMTUD_EV_BLACK_HOLE);
	assert_true(ev & PLPMTUD_EV_MTU_CHANGED);
	assert_int_equal(plpmtud_state(&e), PLPMTUD_SEARCH_COMPLETE);
	assert_int_equal(plpmtud_mtu(&e), 1400);
	assert_true(plpmtud_black_hole(&e));
	assert_int_equal(e.st.black_holes, 1);
}

/* The periodic confirmation timer finds it without a data-path hint. */
static void test_confirm_timer(void **state)
{
	struct plpmtud_config c;
	struct plpmtud e;
	struct sim s;

	(void)state;
	setup(&e, &s, 4, 1480, PTB_OFF, 0, 9);
	plpmtud_config_default(&c, 4);
	c.confirm_timer_ms = 10000;
	assert_int_equal(plpmtud_init(&e, &c), 0);
	plpmtud_start(&e, s.now);
	sim_run(&s, &e, s.now + 60000, true);
	assert_int_equal(plpmtud_mtu(&e), 1480);
	s.mtu = 1380;
	sim_run(&s, &e, s.now + 15000, false);
	assert_int_equal(plpmtud_mtu(&e), 1380);
	assert_int_equal(e.st.black_holes, 1);
}

/* Random loss must not look like a black hole, however often the size is
 * re-confirmed: 30 % loss each way (about half the round trips), 500
 * confirmations after the search, as a busy peer makes in ten minutes;
 * then a real drop is still found. */
static void test_confirmations_under_loss(void **state)
{
	struct plpmtud e;
	struct sim s;

	(void)state;
	for (uint64_t seed = 1; seed <= 8; seed++) {
		setup(&e, &s, 4, 1454, PTB_OFF, 30, seed);
		sim_run(&s, &e, s.now + 60000, true);
		assert_int_equal(plpmtud_mtu(&e), 1454);
		for (int i = 0; i < 500; i++) {
			plpmtud_on_data_stall(&e, s.now);
			sim_run(&s, &e, s.now + 1000, false);
		}
		assert_int_equal(e.st.black_holes, 0);
		assert_int_equal(plpmtud_mtu(&e), 1454);
		s.mtu = 1400;
		plpmtud_on_data_stall(&e, s.now);
		sim_run(&s, &e, s.now + 60000, false);
		assert_int_equal(e.st.black_holes, 1);
		assert_int_equal(plpmtud_mtu(&e), 1400);
	}
}

/* Full-size data acknowledged confirms the size: no probe is needed. */
static void test_data_acked_postpones_confirmation(void **state)
{
	struct plpmtud_config c;
	struct plpmtud e;
	struct sim s;
	unsigned sent;

	(void)state;
	setup(&e, &s, 4, 1480, PTB_OFF, 0, 21);
	plpmtud_config_default(&c, 4);
	c.confirm_timer_ms = 10000;
	assert_int_equal(plpmtud_init(&e, &c), 0);
	plpmtud_start(&e, s.now);
	sim_run(&s, &e, s.now + 60000, true);
	sent = e.st.probes_sent;
	for (int i = 0; i < 6; i++) {
		sim_run(&s, &e, s.now + 5000, false);
		plpmtud_on_data_acked(&e, 1480, s.now);
	}
	assert_int_equal(e.st.probes_sent, sent);
	/* smaller data does not confirm */
	plpmtud_on_data_acked(&e, 1300, s.now);
	sim_run(&s, &e, s.now + 11000, false);
	assert_true(e.st.probes_sent > sent);
	assert_int_equal(plpmtud_mtu(&e), 1480);
}

/* PMTU_RAISE_TIMER: the path grows; found again after 600 s, not before. */
static void test_raise_timer(void **state)
{
	struct plpmtud e;
	struct sim s;
	uint64_t t0;

	(void)state;
	setup(&e, &s, 4, 1400, PTB_OFF, 0, 3);
	sim_run(&s, &e, s.now + 60000, true);
	assert_int_equal(plpmtud_mtu(&e), 1400);
	t0 = s.now;
	assert_int_equal(plpmtud_next_deadline(&e), t0 + 600000);
	s.mtu = 1500;
	sim_run(&s, &e, t0 + 599000, false);
	assert_int_equal(plpmtud_mtu(&e), 1400);
	sim_run(&s, &e, t0 + 610000, false);
	assert_int_equal(plpmtud_mtu(&e), 1500);
	assert_int_equal(plpmtud_state(&e), PLPMTUD_SEARCH_COMPLETE);
	/* at the maximum: no raise timer any more */
	assert_int_equal(plpmtud_next_deadline(&e), UINT64_MAX);
}

/* An idle caller defers the raise timer and resumes it when data flows. */
static void test_raise_defer_resume(void **state)
{
	struct plpmtud e;
	struct sim s;
	uint64_t t0;

	(void)state;
	setup(&e, &s, 4, 1400, PTB_OFF, 0, 3);
	sim_run(&s, &e, s.now + 60000, true);
	t0 = s.now;
	assert_false(plpmtud_raise_due(&e, t0 + 599999));
	assert_true(plpmtud_raise_due(&e, t0 + 600000));
	assert_true(plpmtud_raise_defer(&e));
	assert_false(plpmtud_raise_defer(&e));
	assert_false(plpmtud_raise_due(&e, t0 + 700000));
	assert_int_equal(plpmtud_next_deadline(&e), UINT64_MAX);
	s.mtu = 1500;
	sim_run(&s, &e, t0 + 800000, false);
	assert_int_equal(plpmtud_mtu(&e), 1400); /* deferred: no probes */
	plpmtud_raise_resume(&e, s.now);
	assert_int_equal(plpmtud_next_deadline(&e), s.now);
	sim_run(&s, &e, s.now + 10000, false);
	assert_int_equal(plpmtud_mtu(&e), 1500);
}

/* A router claims 1280 for every larger packet, yet 1454 passes. */
static void test_lying_ptb(void **state)
{
	struct plpmtud e;
	struct sim s;

	(void)state;
	setup(&e, &s, 4, 1454, PTB_LIE, 0, 5);
	s.lie_claim = 1280;
	s.rtt_ms = 4;
	sim_run(&s, &e, s.now + 60000, true);
	assert_int_equal(plpmtud_mtu(&e), 1454);
	assert_true(e.st.ptb_lies >= 1);
	assert_int_equal(e.st.ptb_lowest_claim, 1280);
}

/* An unsolicited PTB (e.g. forged outer ICMP claiming 576) only triggers
 * a confirmation; the size in use stays. */
static void test_forged_ptb_no_change(void **state)
{
	struct plpmtud e;
	struct sim s;

	(void)state;
	setup(&e, &s, 4, 1454, PTB_OFF, 0, 11);
	sim_run(&s, &e, s.now + 60000, true);
	assert_int_equal(plpmtud_mtu(&e), 1454);
	plpmtud_events(&e);
	plpmtud_on_ptb(&e, 0, 576, s.now);
	assert_int_equal(plpmtud_mtu(&e), 1454);
	sim_run(&s, &e, s.now + 5000, false);
	assert_int_equal(plpmtud_mtu(&e), 1454);
	assert_false(plpmtud_events(&e) & PLPMTUD_EV_MTU_CHANGED);
	assert_true(e.st.ptb_lies >= 1);
	/* a lie that arrives after larger sizes were acknowledged is still
	 * recorded as the lowest claim */
	assert_int_equal(e.st.ptb_lowest_claim, 576);
	/* nonsense claims are refused outright */
	plpmtud_on_ptb(&e, 0, 20, s.now);
	assert_true(e.st.ptb_invalid >= 1);
}

/* The daemon's case: in-tunnel probes padded to 16 bytes, no table. */
static void test_granularity(void **state)
{
	struct plpmtud_config c;
	struct plpmtud e;
	struct sim s;

	(void)state;
	setup(&e, &s, 6, 1454, PTB_OFF, 0, 13);
	plpmtud_config_default(&c, 6);
	c.granularity = 16;
	c.common_sizes = false;
	c.max_parallel = 3;
	assert_int_equal(plpmtud_init(&e, &c), 0);
	plpmtud_start(&e, s.now);
	sim_run(&s, &e, s.now + 60000, true);
	assert_int_equal(plpmtud_mtu(&e), 1280 + 16 * 10);
	assert_int_equal(plpmtud_too_big(&e), 1280 + 16 * 11);
	assert_true(e.st.probes_sent <= 25);
}

/* Nothing answers at all: ERROR, the MTU is not invented. */
static void test_no_reply(void **state)
{
	struct plpmtud e;
	struct sim s;

	(void)state;
	setup(&e, &s, 4, 1454, PTB_OFF, 100, 17);
	sim_run(&s, &e, s.now + 60000, true);
	assert_int_equal(plpmtud_state(&e), PLPMTUD_ERROR);
	assert_true(plpmtud_events(&e) & PLPMTUD_EV_ERROR);
	assert_int_equal(e.st.acks, 0);
	assert_true(s.now - 1000 <= 3 * 1000 + 10);
}

/* Interface smaller than the maximum asked: the local EMSGSIZE is final. */
static void test_local_too_big(void **state)
{
	struct plpmtud_config c;
	struct plpmtud e;
	struct sim s;

	(void)state;
	setup(&e, &s, 4, 9000, PTB_OFF, 0, 19);
	s.iface = 1500;
	plpmtud_config_default(&c, 4);
	c.max_mtu = 9000;
	assert_int_equal(plpmtud_init(&e, &c), 0);
	plpmtud_start(&e, s.now);
	sim_run(&s, &e, s.now + 60000, true);
	assert_int_equal(plpmtud_mtu(&e), 1500);
	assert_false(plpmtud_black_hole(&e));
	assert_true(s.now - 1000 < 200);
}

/* An ack for an unknown id is ignored. */
static void test_unknown_ack(void **state)
{
	struct plpmtud e;
	struct sim s;

	(void)state;
	setup(&e, &s, 4, 1454, PTB_OFF, 0, 1);
	assert_int_equal(plpmtud_on_ack(&e, 12345, s.now), -ENOENT);
	assert_int_equal(plpmtud_on_ack(&e, 0, s.now), -ENOENT);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_config),
		cmocka_unit_test(test_first_round),
		cmocka_unit_test(test_ptb_path),
		cmocka_unit_test(test_black_hole_v4),
		cmocka_unit_test(test_every_mtu_v6),
		cmocka_unit_test(test_loss_10),
		cmocka_unit_test(test_loss_30),
		cmocka_unit_test(test_black_hole_after_completion),
		cmocka_unit_test(test_confirm_timer),
		cmocka_unit_test(test_confirmations_under_loss),
		cmocka_unit_test(test_data_acked_postpones_confirmation),
		cmocka_unit_test(test_raise_timer),
		cmocka_unit_test(test_raise_defer_resume),
		cmocka_unit_test(test_lying_ptb),
		cmocka_unit_test(test_forged_ptb_no_change),
		cmocka_unit_test(test_granularity),
		cmocka_unit_test(test_no_reply),
		cmocka_unit_test(test_local_too_big),
		cmocka_unit_test(test_unknown_ack),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
