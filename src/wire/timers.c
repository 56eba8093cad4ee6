// SPDX-License-Identifier: MIT
/*
 * Per-peer WireGuard timers as a pure state machine. See timers.h for the
 * event table; the behaviour is the Linux driver's (timers.c, and the
 * keep_key_fresh checks of send.c / receive.c).
 */
#include "wire/timers.h"

#include <errno.h>
#include <string.h>

#include "wire/messages.h"

#define NS WG_NSEC_PER_SEC

void wg_timers_consts_default(struct wg_timers_consts *c)
{
	c->rekey_after_time = WG_REKEY_AFTER_TIME * NS;
	c->reject_after_time = WG_REJECT_AFTER_TIME * NS;
	c->rekey_timeout = WG_REKEY_TIMEOUT * NS;
	c->keepalive_timeout = WG_KEEPALIVE_TIMEOUT * NS;
	c->jitter_max = WG_REKEY_TIMEOUT_JITTER_MAX_MS * 1000000ULL;
	c->rekey_after_messages = WG_REKEY_AFTER_MESSAGES;
	c->max_timer_handshakes = WG_MAX_TIMER_HANDSHAKES;
}

int wg_timers_consts_scaled(struct wg_timers_consts *c, unsigned divisor)
{
	if (divisor == 0 || divisor > 1000)
		return -EINVAL;
	wg_timers_consts_default(c);
	c->rekey_after_time /= divisor;
	c->reject_after_time /= divisor;
	c->rekey_timeout /= divisor;
	c->keepalive_timeout /= divisor;
	c->jitter_max /= divisor;
	return 0;
}

void wg_timers_init(struct wg_timers *t, const struct wg_timers_consts *k)
{
	memset(t, 0, sizeof(*t));
	t->k = k;
}

static uint64_t jitter(const struct wg_timers *t, uint32_t rnd)
{
	return (uint64_t)(((unsigned __int128)rnd * t->k->jitter_max) >> 32);
}

/* Deadline 0 means "not armed": never store 0 for an armed timer. */
static void arm(uint64_t *deadline, uint64_t now, uint64_t delay)
{
	uint64_t d = now + delay;

	if (d < now)
		d = UINT64_MAX; /* saturate */
	*deadline = d ? d : 1;
}

static bool expired(uint64_t birthdate, uint64_t age, uint64_t now)
{
	return birthdate + age <= now || birthdate + age < birthdate;
}

/* Linux send_queued_handshake_initiation(): a non-retry resets the attempt
 * count; at most one initiation per REKEY_TIMEOUT. */
static uint32_t want_initiation(struct wg_timers *t, uint64_t now, bool is_retry)
{
	if (!is_retry)
		t->handshake_attempts = 0;
	if (t->have_sent_initiation &&
	    !expired(t->last_sent_initiation, t->k->rekey_timeout, now))
		return 0;
	return WG_TIMERS_SEND_INITIATION;
}

uint32_t wg_timers_data_sent(struct wg_timers *t, uint64_t now, uint32_t rnd)
{
	if (t->stopped)
		return 0;
	if (!t->new_handshake)
		arm(&t->new_handshake, now,
		    t->k->keepalive_timeout + t->k->rekey_timeout + jitter(t, rnd));
	return 0;
}

uint32_t wg_timers_data_received(struct wg_timers *t, uint64_t now)
{
	if (t->stopped)
		return 0;
	if (!t->send_keepalive)
		arm(&t->send_keepalive, now, t->k->keepalive_timeout);
	else
		t->need_another_keepalive = true;
	return 0;
}

uint32_t wg_timers_any_authenticated_packet_sent(struct wg_timers *t, uint64_t now)
{
	if (t->stopped)
		return 0;
	t->send_keepalive = 0;
	return 0;
}

uint32_t wg_timers_any_authenticated_packet_received(struct wg_timers *t, uint64_t now)
{
	if (t->stopped)
		return 0;
	t->new_handshake = 0;
	return 0;
}

uint32_t wg_timers_any_authenticated_packet_traversal(struct wg_timers *t, uint64_t now)
{
	if (t->stopped)
		return 0;
	if (t->persistent_keepalive_interval)
		arm(&t->persistent_keepalive, now,
		    (uint64_t)t->persistent_keepalive_interval * NS);
	return 0;
}

uint32_t wg_timers_handshake_initiated(struct wg_timers *t, uint64_t now, uint32_t rnd)
{
	if (t->stopped)
		return 0;
	t->last_sent_initiation = now;
	t->have_sent_initiation = true;
	arm(&t->retransmit_handshake, now, t->k->rekey_timeout + jitter(t, rnd));
	return 0;
}

uint32_t wg_timers_handshake_complete(struct wg_timers *t, uint64_t now)
{
	if (t->stopped)
		return 0;
	t->retransmit_handshake = 0;
	t->handshake_attempts = 0;
	t->sent_lastminute_handshake = false;
	return 0;
}

uint32_t wg_timers_session_derived(struct wg_timers *t, uint64_t now)
{
	if (t->stopped)
		return 0;
	arm(&t->zero_key_material, now, 3 * t->k->reject_after_time);
	return 0;
}

uint32_t wg_timers_set_persistent_keepalive(struct wg_timers *t, uint64_t now, uint16_t secs)
{
	uint16_t old = t->persistent_keepalive_interval;

	t->persistent_keepalive_interval = secs;
	if (t->stopped)
		return 0;
	if (!secs)
		t->persistent_keepalive = 0;
	return (!old && secs) ? WG_TIMERS_SEND_KEEPALIVE : 0;
}

uint32_t wg_timers_want_handshake(struct wg_timers *t, uint64_t now)
{
	if (t->stopped)
		return 0;
	return want_initiation(t, now, false);
}

uint32_t wg_timers_check_send(struct wg_timers *t, uint64_t now,
			      const struct wg_timers_keypair *kp)
{
	if (t->stopped || !kp || !kp->valid)
		return 0;
	if (kp->send_counter > t->k->rekey_after_messages ||
	    (kp->i_am_initiator && expired(kp->birthdate, t->k->rekey_after_time, now)))
		return want_initiation(t, now, false);
	return 0;
}

uint32_t wg_timers_check_recv(struct wg_timers *t, uint64_t now,
			      const struct wg_timers_keypair *kp)
{
	uint64_t age;

	if (t->stopped || t->sent_lastminute_handshake || !kp || !kp->valid ||
	    !kp->i_am_initiator)
		return 0;
	age = t->k->reject_after_time - t->k->keepalive_timeout - t->k->rekey_timeout;
	if (!expired(kp->birthdate, age, now))
		return 0;
	t->sent_lastminute_handshake = true;
	return want_initiation(t, now, false);
}

void wg_timers_stop(struct wg_timers *t)
{
	t->retransmit_handshake = 0;
	t->send_keepalive = 0;
	t->new_handshake = 0;
	t->zero_key_material = 0;
	t->persistent_keepalive = 0;
	t->need_another_keepalive = false;
	t->stopped = true;
}

/* ------------------------------------------------------- expirations */

static uint32_t fire_retransmit(struct wg_timers *t, uint64_t now)
{
	if (t->handshake_attempts > t->k->max_timer_handshakes) {
		/* give up: drop what waits for a keypair, stop trying; wipe
		 * the residue of the partial exchange later */
		t->send_keepalive = 0;
		t->need_another_keepalive = false;
		if (!t->zero_key_material)
			arm(&t->zero_key_material, now, 3 * t->k->reject_after_time);
		return WG_TIMERS_GAVE_UP | WG_TIMERS_PURGE_STAGED;
	}
	t->handshake_attempts++;
	/* the cached source address may be the trouble */
	return WG_TIMERS_CLEAR_SRC | want_initiation(t, now, true);
}

static uint32_t fire_send_keepalive(struct wg_timers *t, uint64_t now)
{
	if (t->need_another_keepalive) {
		t->need_another_keepalive = false;
		arm(&t->send_keepalive, now, t->k->keepalive_timeout);
	}
	return WG_TIMERS_SEND_KEEPALIVE;
}

static uint32_t fire_new_handshake(struct wg_timers *t, uint64_t now)
{
	/* we sent data and heard nothing back for KEEPALIVE + REKEY_TIMEOUT */
	return WG_TIMERS_CLEAR_SRC | want_initiation(t, now, false);
}

static uint32_t fire_persistent_keepalive(struct wg_timers *t, uint64_t now)
{
	return t->persistent_keepalive_interval ? WG_TIMERS_SEND_KEEPALIVE : 0;
}

uint32_t wg_timers_tick(struct wg_timers *t, uint64_t now)
{
	uint32_t act = 0;
	int round;

	if (t->stopped)
		return 0;
	/* Each timer fires at most once per call: a firing only re-arms in
	 * the future, so five rounds are enough; the bound is explicit. */
	for (round = 0; round < 5; round++) {
		uint64_t *slots[5] = {
			&t->retransmit_handshake, &t->send_keepalive, &t->new_handshake,
			&t->zero_key_material, &t->persistent_keepalive,
		};
		int i, which = -1;
		uint64_t best = UINT64_MAX;

		for (i = 0; i < 5; i++) {
			if (*slots[i] && *slots[i] <= now && *slots[i] < best) {
				best = *slots[i];
				which = i;
			}
		}
		if (which < 0)
			break;
		*slots[which] = 0;
		switch (which) {
		case 0:
			act |= fire_retransmit(t, now);
			break;
		case 1:
			act |= fire_send_keepalive(t, now);
			break;
		case 2:
			act |= fire_new_handshake(t, now);
			break;
		case 3:
			act |= WG_TIMERS_ZERO_KEYS;
			break;
		default:
			act |= fire_persistent_keepalive(t, now);
			break;
		}
	}
	return act;
}

uint64_t wg_timers_next_deadline(const struct wg_timers *t)
{
	const uint64_t d[5] = {
		t->retransmit_handshake, t->send_keepalive, t->new_handshake,
		t->zero_key_material, t->persistent_keepalive,
	};
	uint64_t best = UINT64_MAX;

	for (int i = 0; i < 5; i++)
		if (d[i] && d[i] < best)
			best = d[i];
	return best;
}
