// SPDX-License-Identifier: MIT
/*
 * Per-peer timers with a fake clock: every rule of the whitepaper section 6
 * as the Linux driver implements it. No sleeping: time is an argument.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>
#include <string.h>

#include "wire/timers.h"
#include "wire/messages.h"

#define S(x) ((uint64_t)((x) * 1e9 + 0.5))  /* seconds -> ns */
#define T0 S(1000)                             /* an arbitrary start */

static struct wg_timers_consts K;

static void init(struct wg_timers *t)
{
	wg_timers_consts_default(&K);
	wg_timers_init(t, &K);
}

/* What the daemon does when told to send an initiation / a keepalive
 * (the call sequences of timers.h). */
static void sent_initiation(struct wg_timers *t, uint64_t now, uint32_t rnd)
{
	wg_timers_any_authenticated_packet_traversal(t, now);
	wg_timers_any_authenticated_packet_sent(t, now);
	wg_timers_handshake_initiated(t, now, rnd);
}

static void sent_keepalive(struct wg_timers *t, uint64_t now)
{
	wg_timers_any_authenticated_packet_traversal(t, now);
	wg_timers_any_authenticated_packet_sent(t, now);
}

static void test_consts(void **state)
{
	struct wg_timers_consts c;

	wg_timers_consts_default(&c);
	assert_int_equal(c.rekey_after_time, S(120));
	assert_int_equal(c.reject_after_time, S(180));
	assert_int_equal(c.rekey_timeout, S(5));
	assert_int_equal(c.keepalive_timeout, S(10));
	assert_int_equal(c.jitter_max, S(0.333));
	assert_int_equal(c.max_timer_handshakes, 18);
	assert_int_equal(c.rekey_after_messages, 1ULL << 60);

	assert_int_equal(wg_timers_consts_scaled(&c, 10), 0);
	assert_int_equal(c.rekey_after_time, S(12));
	assert_int_equal(c.reject_after_time, S(18));
	assert_int_equal(c.rekey_timeout, S(0.5));
	assert_int_equal(c.keepalive_timeout, S(1));
	assert_int_equal(c.jitter_max, S(0.0333));
	assert_int_equal(c.max_timer_handshakes, 18);
	assert_int_equal(wg_timers_consts_scaled(&c, 0), -EINVAL);
	assert_int_equal(wg_timers_consts_scaled(&c, 1001), -EINVAL);
	assert_int_equal(wg_timers_consts_scaled(&c, 1), 0);
	assert_int_equal(c.rekey_timeout, S(5));
}

/* No answer: an initiation every REKEY_TIMEOUT (+ jitter), 20 in all (the
 * first plus MAX_TIMER_HANDSHAKES + 1 retries, as Linux), then give up:
 * staged packets purged, keys zeroed 3 x REJECT_AFTER_TIME later. */
static void test_retry_then_give_up(void **state)
{
	struct wg_timers t;
	uint64_t now = T0, sends[32];
	int n = 0;
	uint32_t act;

	init(&t);
	assert_int_equal(wg_timers_next_deadline(&t), UINT64_MAX);
	act = wg_timers_want_handshake(&t, now);
	assert_int_equal(act, WG_TIMERS_SEND_INITIATION);
	sends[n++] = now;
	sent_initiation(&t, now, 0);

	for (;;) {
		uint64_t next = wg_timers_next_deadline(&t);

		assert_int_not_equal(next, UINT64_MAX);
		/* nothing happens one ns early */
		assert_int_equal(wg_timers_tick(&t, next - 1), 0);
		now = next;
		act = wg_timers_tick(&t, now);
		if (act & WG_TIMERS_GAVE_UP)
			break;
		assert_int_equal(act, WG_TIMERS_CLEAR_SRC | WG_TIMERS_SEND_INITIATION);
		assert_true(n < 32);
		sends[n++] = now;
		sent_initiation(&t, now, 0);
	}
	assert_int_equal(n, 20);
	for (int i = 1; i < n; i++)
		assert_int_equal(sends[i] - sends[i - 1], S(5));
	assert_int_equal(act, WG_TIMERS_GAVE_UP | WG_TIMERS_PURGE_STAGED);
	assert_int_equal(now - T0, S(100));
	assert_int_equal(t.handshake_attempts, 19);
	/* only the key wipe is left, 3 x REJECT_AFTER_TIME later */
	assert_int_equal(wg_timers_next_deadline(&t), now + S(540));
	assert_int_equal(wg_timers_tick(&t, now + S(539)), 0);
	assert_int_equal(wg_timers_tick(&t, now + S(540)), WG_TIMERS_ZERO_KEYS);
	assert_int_equal(wg_timers_next_deadline(&t), UINT64_MAX);
}

/* Jitter is in [0, 333 ms) and comes from the caller's random value. */
static void test_retry_jitter(void **state)
{
	struct wg_timers t;

	init(&t);
	sent_initiation(&t, T0, 0);
	assert_int_equal(wg_timers_next_deadline(&t), T0 + S(5));
	sent_initiation(&t, T0, UINT32_MAX);
	assert_true(wg_timers_next_deadline(&t) < T0 + S(5.333));
	assert_true(wg_timers_next_deadline(&t) > T0 + S(5.3329));
	sent_initiation(&t, T0, 1u << 31);
	assert_int_equal(wg_timers_next_deadline(&t), T0 + S(5) + S(0.333) / 2);
}

/* A completed handshake stops the retries and resets the count. */
static void test_complete_stops_retry(void **state)
{
	struct wg_timers t;
	uint64_t now = T0;

	init(&t);
	sent_initiation(&t, now, 0);
	now += S(5);
	assert_int_equal(wg_timers_tick(&t, now), WG_TIMERS_CLEAR_SRC | WG_TIMERS_SEND_INITIATION);
	sent_initiation(&t, now, 0);
	assert_int_equal(t.handshake_attempts, 1);
	now += S(1);
	wg_timers_any_authenticated_packet_received(&t, now);
	wg_timers_any_authenticated_packet_traversal(&t, now);
	wg_timers_session_derived(&t, now);
	wg_timers_handshake_complete(&t, now);
	assert_int_equal(t.handshake_attempts, 0);
	assert_int_equal(t.retransmit_handshake, 0);
	/* only zero_key_material is armed now */
	assert_int_equal(wg_timers_next_deadline(&t), now + S(540));
	assert_int_equal(wg_timers_tick(&t, now + S(100)), 0);
}

/* At most one initiation per REKEY_TIMEOUT; a new (non-retry) request
 * resets the attempt count. */
/* Giving up does not postpone a key wipe that is already scheduled. */
static void test_give_up_keeps_zero_deadline(void **state)
{
	struct wg_timers t;

	init(&t);
	wg_timers_session_derived(&t, T0);
	sent_initiation(&t, T0 + S(400), 0);
	t.handshake_attempts = K.max_timer_handshakes + 1;
	assert_int_equal(wg_timers_tick(&t, T0 + S(405)), WG_TIMERS_GAVE_UP | WG_TIMERS_PURGE_STAGED);
	assert_int_equal(wg_timers_next_deadline(&t), T0 + S(540));
}

static void test_initiation_rate_limit(void **state)
{
	struct wg_timers t;

	init(&t);
	assert_int_equal(wg_timers_want_handshake(&t, T0), WG_TIMERS_SEND_INITIATION);
	sent_initiation(&t, T0, 0);
	assert_int_equal(wg_timers_want_handshake(&t, T0 + S(4.999)), 0);
	assert_int_equal(wg_timers_want_handshake(&t, T0 + S(5)), WG_TIMERS_SEND_INITIATION);
	t.handshake_attempts = 7;
	assert_int_equal(wg_timers_want_handshake(&t, T0 + S(1)), 0);
	assert_int_equal(t.handshake_attempts, 0);
}

/* Data received and nothing sent back: a keepalive after KEEPALIVE_TIMEOUT.
 * Sending anything authenticated cancels it. */
static void test_passive_keepalive(void **state)
{
	struct wg_timers t;
	uint64_t now = T0;

	init(&t);
	wg_timers_data_received(&t, now);
	assert_int_equal(wg_timers_next_deadline(&t), now + S(10));
	assert_int_equal(wg_timers_tick(&t, now + S(9.999)), 0);
	assert_int_equal(wg_timers_tick(&t, now + S(10)), WG_TIMERS_SEND_KEEPALIVE);
	sent_keepalive(&t, now + S(10));
	assert_int_equal(wg_timers_next_deadline(&t), UINT64_MAX);

	/* a reply in time cancels it */
	now += S(20);
	wg_timers_data_received(&t, now);
	wg_timers_any_authenticated_packet_sent(&t, now + S(3));
	assert_int_equal(wg_timers_tick(&t, now + S(30)), 0);

	/* data received again while armed: it does not move, but one more
	 * keepalive period follows the first firing */
	now += S(100);
	wg_timers_data_received(&t, now);
	wg_timers_data_received(&t, now + S(4));
	assert_int_equal(wg_timers_next_deadline(&t), now + S(10));
	assert_int_equal(wg_timers_tick(&t, now + S(10)), WG_TIMERS_SEND_KEEPALIVE);
	assert_int_equal(wg_timers_next_deadline(&t), now + S(20));
	assert_false(t.need_another_keepalive);
	assert_int_equal(wg_timers_tick(&t, now + S(20)), WG_TIMERS_SEND_KEEPALIVE);
	assert_int_equal(wg_timers_next_deadline(&t), UINT64_MAX);
}

/* Data sent and nothing received: a new handshake after KEEPALIVE_TIMEOUT
 * + REKEY_TIMEOUT (+ jitter); anything authenticated received cancels. */
static void test_new_handshake(void **state)
{
	struct wg_timers t;
	uint64_t now = T0;

	init(&t);
	wg_timers_data_sent(&t, now, 0);
	wg_timers_data_sent(&t, now + S(3), 0); /* does not push it later */
	assert_int_equal(wg_timers_next_deadline(&t), now + S(15));
	assert_int_equal(wg_timers_tick(&t, now + S(14.999)), 0);
	assert_int_equal(wg_timers_tick(&t, now + S(15)),
			 WG_TIMERS_CLEAR_SRC | WG_TIMERS_SEND_INITIATION);

	now += S(100);
	wg_timers_data_sent(&t, now, UINT32_MAX);
	assert_true(wg_timers_next_deadline(&t) > now + S(15.3329));
	wg_timers_any_authenticated_packet_received(&t, now + S(14));
	assert_int_equal(wg_timers_next_deadline(&t), UINT64_MAX);
	assert_int_equal(wg_timers_tick(&t, now + S(60)), 0);

	/* it is a non-retry request: rate limited, and resets attempts */
	now += S(100);
	sent_initiation(&t, now, 0);
	wg_timers_data_sent(&t, now, 0);
	t.retransmit_handshake = 0;
	t.handshake_attempts = 3;
	assert_int_equal(wg_timers_tick(&t, now + S(15)),
			 WG_TIMERS_CLEAR_SRC | WG_TIMERS_SEND_INITIATION);
	assert_int_equal(t.handshake_attempts, 0);
}

/* Persistent keepalive: immediate keepalive when switched on, then one
 * every interval after the last authenticated packet either way. */
static void test_persistent_keepalive(void **state)
{
	struct wg_timers t;
	uint64_t now = T0;

	init(&t);
	assert_int_equal(wg_timers_set_persistent_keepalive(&t, now, 25), WG_TIMERS_SEND_KEEPALIVE);
	sent_keepalive(&t, now);
	assert_int_equal(wg_timers_next_deadline(&t), now + S(25));
	/* a received packet counts as traversal too */
	wg_timers_any_authenticated_packet_received(&t, now + S(20));
	wg_timers_any_authenticated_packet_traversal(&t, now + S(20));
	assert_int_equal(wg_timers_tick(&t, now + S(25)), 0);
	assert_int_equal(wg_timers_tick(&t, now + S(45)), WG_TIMERS_SEND_KEEPALIVE);
	sent_keepalive(&t, now + S(45));
	assert_int_equal(wg_timers_next_deadline(&t), now + S(70));

	/* changing a set interval sends nothing now, applies at the next packet */
	assert_int_equal(wg_timers_set_persistent_keepalive(&t, now, 30), 0);
	assert_int_equal(wg_timers_next_deadline(&t), now + S(70));
	sent_keepalive(&t, now + S(50));
	assert_int_equal(wg_timers_next_deadline(&t), now + S(80));

	/* off: disarmed, nothing sent */
	assert_int_equal(wg_timers_set_persistent_keepalive(&t, now, 0), 0);
	assert_int_equal(wg_timers_next_deadline(&t), UINT64_MAX);
	sent_keepalive(&t, now + S(60));
	assert_int_equal(wg_timers_next_deadline(&t), UINT64_MAX);
	assert_int_equal(wg_timers_set_persistent_keepalive(&t, now, 0), 0);
}

/* All keys are wiped after 3 x REJECT_AFTER_TIME without a new session. */
static void test_zero_key_material(void **state)
{
	struct wg_timers t;

	init(&t);
	wg_timers_session_derived(&t, T0);
	assert_int_equal(wg_timers_tick(&t, T0 + S(539.999)), 0);
	wg_timers_session_derived(&t, T0 + S(100)); /* a new session pushes it */
	assert_int_equal(wg_timers_tick(&t, T0 + S(540)), 0);
	assert_int_equal(wg_timers_tick(&t, T0 + S(640)), WG_TIMERS_ZERO_KEYS);
	assert_int_equal(wg_timers_tick(&t, T0 + S(2000)), 0);
}

/* Send side: the initiator rekeys after REKEY_AFTER_TIME; either side
 * after REKEY_AFTER_MESSAGES. */
static void test_rekey_on_send(void **state)
{
	struct wg_timers t;
	struct wg_timers_keypair kp = { .valid = true, .i_am_initiator = true,
					.birthdate = T0, .send_counter = 5 };

	init(&t);
	assert_int_equal(wg_timers_check_send(&t, T0 + S(119.999), &kp), 0);
	assert_int_equal(wg_timers_check_send(&t, T0 + S(120), &kp), WG_TIMERS_SEND_INITIATION);
	sent_initiation(&t, T0 + S(120), 0);
	/* every packet asks, the REKEY_TIMEOUT rate limit holds */
	assert_int_equal(wg_timers_check_send(&t, T0 + S(121), &kp), 0);
	assert_int_equal(wg_timers_check_send(&t, T0 + S(125), &kp), WG_TIMERS_SEND_INITIATION);

	init(&t);
	kp.i_am_initiator = false;
	assert_int_equal(wg_timers_check_send(&t, T0 + S(170), &kp), 0);
	kp.send_counter = WG_REKEY_AFTER_MESSAGES;
	assert_int_equal(wg_timers_check_send(&t, T0, &kp), 0);
	kp.send_counter = WG_REKEY_AFTER_MESSAGES + 1;
	assert_int_equal(wg_timers_check_send(&t, T0, &kp), WG_TIMERS_SEND_INITIATION);
	kp.valid = false;
	assert_int_equal(wg_timers_check_send(&t, T0, &kp), 0);
	assert_int_equal(wg_timers_check_send(&t, T0, NULL), 0);
}

/* Receive side: an initiator whose keypair is older than REJECT_AFTER_TIME
 * - KEEPALIVE_TIMEOUT - REKEY_TIMEOUT (165 s) initiates once ("last
 * minute") until the next handshake completes. */
static void test_rekey_on_recv(void **state)
{
	struct wg_timers t;
	struct wg_timers_keypair kp = { .valid = true, .i_am_initiator = true, .birthdate = T0 };

	init(&t);
	assert_int_equal(wg_timers_check_recv(&t, T0 + S(164.999), &kp), 0);
	assert_int_equal(wg_timers_check_recv(&t, T0 + S(165), &kp), WG_TIMERS_SEND_INITIATION);
	assert_true(t.sent_lastminute_handshake);
	assert_int_equal(wg_timers_check_recv(&t, T0 + S(175), &kp), 0);
	wg_timers_handshake_complete(&t, T0 + S(176));
	assert_false(t.sent_lastminute_handshake);
	assert_int_equal(wg_timers_check_recv(&t, T0 + S(177), &kp), WG_TIMERS_SEND_INITIATION);

	init(&t);
	kp.i_am_initiator = false;
	assert_int_equal(wg_timers_check_recv(&t, T0 + S(179), &kp), 0);
	kp.i_am_initiator = true;
	kp.valid = false;
	assert_int_equal(wg_timers_check_recv(&t, T0 + S(179), &kp), 0);
}

/* Several timers expired at one tick: all fire, actions are the union. */
static void test_tick_union_and_deadline(void **state)
{
	struct wg_timers t;

	init(&t);
	wg_timers_set_persistent_keepalive(&t, T0, 7);
	wg_timers_any_authenticated_packet_traversal(&t, T0);   /* 7 s */
	wg_timers_data_received(&t, T0);                        /* 10 s */
	wg_timers_data_sent(&t, T0, 0);                         /* 15 s */
	wg_timers_handshake_initiated(&t, T0 + S(1), 0);        /* 6 s */
	wg_timers_session_derived(&t, T0);                      /* 540 s */
	assert_int_equal(wg_timers_next_deadline(&t), T0 + S(6));
	assert_int_equal(wg_timers_tick(&t, T0 + S(16)),
			 WG_TIMERS_CLEAR_SRC | WG_TIMERS_SEND_INITIATION | WG_TIMERS_SEND_KEEPALIVE);
	assert_int_equal(wg_timers_next_deadline(&t), T0 + S(540));
}

/* Peer removed / device down: nothing armed, events are ignored. */
static void test_stop(void **state)
{
	struct wg_timers t;

	init(&t);
	wg_timers_data_received(&t, T0);
	sent_initiation(&t, T0, 0);
	wg_timers_session_derived(&t, T0);
	wg_timers_stop(&t);
	assert_int_equal(wg_timers_next_deadline(&t), UINT64_MAX);
	assert_int_equal(wg_timers_tick(&t, T0 + S(10000)), 0);
	wg_timers_data_sent(&t, T0, 0);
	wg_timers_data_received(&t, T0);
	sent_initiation(&t, T0, 0);
	assert_int_equal(wg_timers_want_handshake(&t, T0 + S(100)), 0);
	assert_int_equal(wg_timers_set_persistent_keepalive(&t, T0, 5), 0);
	assert_int_equal(wg_timers_next_deadline(&t), UINT64_MAX);
	wg_timers_init(&t, &K);
	assert_int_equal(wg_timers_want_handshake(&t, T0), WG_TIMERS_SEND_INITIATION);
}

/* The test scale (WGMTUD_TEST_TIMER_SCALE=10): everything 10x faster. */
static void test_scaled_schedule(void **state)
{
	struct wg_timers_consts c;
	struct wg_timers t;
	struct wg_timers_keypair kp = { .valid = true, .i_am_initiator = true, .birthdate = 0 };
	uint64_t now = 0;
	int sends = 1;
	uint32_t act;

	assert_int_equal(wg_timers_consts_scaled(&c, 10), 0);
	wg_timers_init(&t, &c);
	assert_int_equal(wg_timers_check_send(&t, S(11.9), &kp), 0);
	now = S(12);
	assert_int_equal(wg_timers_check_send(&t, now, &kp), WG_TIMERS_SEND_INITIATION);
	sent_initiation(&t, now, 0);
	while (!((act = wg_timers_tick(&t, now = wg_timers_next_deadline(&t))) & WG_TIMERS_GAVE_UP)) {
		sent_initiation(&t, now, 0);
		sends++;
		assert_true(sends < 32);
	}
	assert_int_equal(sends, 20);
	assert_int_equal(act, WG_TIMERS_GAVE_UP | WG_TIMERS_PURGE_STAGED);
	assert_int_equal(now, S(22));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_consts),
		cmocka_unit_test(test_retry_then_give_up),
		cmocka_unit_test(test_retry_jitter),
		cmocka_unit_test(test_complete_stops_retry),
		cmocka_unit_test(test_give_up_keeps_zero_deadline),
		cmocka_unit_test(test_initiation_rate_limit),
		cmocka_unit_test(test_passive_keepalive),
		cmocka_unit_test(test_new_handshake),
		cmocka_unit_test(test_persistent_keepalive),
		cmocka_unit_test(test_zero_key_material),
		cmocka_unit_test(test_rekey_on_send),
		cmocka_unit_test(test_rekey_on_recv),
		cmocka_unit_test(test_tick_union_and_deadline),
		cmocka_unit_test(test_stop),
		cmocka_unit_test(test_scaled_schedule),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
