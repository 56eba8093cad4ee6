/* SPDX-License-Identifier: MIT */
/*
 * Per-peer WireGuard timers, pure: events in, actions and the next deadline
 * out. Time is a uint64_t nanosecond argument (any monotonic clock; the
 * daemon's loop passes now_ns()); randomness for jitter is an argument, so
 * tests are deterministic. Behaviour follows the whitepaper section 6 and
 * the Linux driver's timers.c / send.c / receive.c.
 *
 * Five timers per peer (deadline 0 = not armed):
 *   retransmit_handshake  armed by handshake_initiated (REKEY_TIMEOUT +
 *                         jitter); fires: retry (attempts+1, clear endpoint
 *                         source, send initiation) or, after
 *                         MAX_TIMER_HANDSHAKES retries, give up (purge
 *                         staged packets, stop passive keepalive, arm
 *                         zero_key_material if not armed).
 *   send_keepalive        armed by data_received (KEEPALIVE_TIMEOUT) unless
 *                         armed (then "need another"); cancelled by
 *                         any_authenticated_packet_sent; fires: keepalive.
 *   new_handshake         armed by data_sent (KEEPALIVE_TIMEOUT +
 *                         REKEY_TIMEOUT + jitter) unless armed; cancelled by
 *                         any_authenticated_packet_received; fires: clear
 *                         endpoint source, initiate a handshake.
 *   zero_key_material     armed by session_derived (3 x REJECT_AFTER_TIME);
 *                         fires: zero all keypairs and handshake state.
 *   persistent_keepalive  armed by any_authenticated_packet_traversal when
 *                         the interval is set; fires: keepalive.
 *
 * Where the daemon calls what (same places as the Linux driver):
 *   handshake initiation sent:  traversal, authenticated_packet_sent,
 *                               handshake_initiated(rnd)
 *   handshake response sent:    traversal, authenticated_packet_sent,
 *                               session_derived (responder keypair made)
 *   cookie reply sent/received: nothing
 *   handshake msg received and
 *   consumed (init/response):   authenticated_packet_received, traversal
 *   response consumed (we are
 *   the initiator):             session_derived, handshake_complete, then
 *                               send a keepalive
 *   first data received on a
 *   new responder keypair:      handshake_complete
 *   data/keepalive sent:        traversal, authenticated_packet_sent,
 *                               data_sent(rnd) only if payload len > 0,
 *                               then check_send(keypair) for rekey
 *   data/keepalive received:    authenticated_packet_received, traversal,
 *                               data_received only if payload len > 0,
 *                               then check_recv(keypair)
 *   need a handshake (staged
 *   packet, no usable keypair): wg_timers_want_handshake
 *   persistent_keepalive set:   wg_timers_set_persistent_keepalive
 *   peer removed / device down: wg_timers_stop
 * After every event call the daemon performs the returned actions (bitmask
 * of WG_TIMERS_*), then re-arms its one loop timeout with
 * wg_timers_next_deadline() over all peers, and calls wg_timers_tick() for
 * a peer whose deadline passed.
 */
#ifndef WGMTU_WIRE_TIMERS_H
#define WGMTU_WIRE_TIMERS_H

#include <stdbool.h>
#include <stdint.h>

#define WG_NSEC_PER_SEC 1000000000ULL

/* Actions (bitmask) returned by every event and by tick. */
enum {
	WG_TIMERS_SEND_INITIATION = 1u << 0, /* create and send msg 1 now */
	WG_TIMERS_SEND_KEEPALIVE  = 1u << 1, /* send an empty data packet
					      * (via the staged queue: with no
					      * keypair it triggers a handshake) */
	WG_TIMERS_CLEAR_SRC       = 1u << 2, /* forget the cached local source
					      * address of the endpoint */
	WG_TIMERS_PURGE_STAGED    = 1u << 3, /* drop packets waiting for a
					      * handshake (name them "handshake
					      * gave up" in drop counters) */
	WG_TIMERS_ZERO_KEYS       = 1u << 4, /* wipe all keypairs and the
					      * handshake state of the peer */
	WG_TIMERS_GAVE_UP         = 1u << 5, /* informational: handshake gave
					      * up (for the log) */
};

/* The protocol's time constants in nanoseconds. wg_timers_consts_default
 * gives the real values; tests (and the daemon under
 * WGMTUD_TEST_TIMER_SCALE, see wg_timers_consts_scaled) shorten them. */
struct wg_timers_consts {
	uint64_t rekey_after_time;    /* 120 s */
	uint64_t reject_after_time;   /* 180 s */
	uint64_t rekey_timeout;       /* 5 s */
	uint64_t keepalive_timeout;   /* 10 s */
	uint64_t jitter_max;          /* 333 ms: jitter is in [0, jitter_max) */
	uint64_t rekey_after_messages;
	unsigned max_timer_handshakes; /* REKEY_ATTEMPT_TIME/REKEY_TIMEOUT = 18 */
};

void wg_timers_consts_default(struct wg_timers_consts *c);

/* Real constants divided by `divisor` (1..1000; persistent keepalive, a
 * user setting in seconds, is not scaled; max_timer_handshakes and message
 * limits are unchanged). Returns 0 or -EINVAL. The daemon reads the
 * divisor only in main(), from env WGMTUD_TEST_TIMER_SCALE (unset = 1),
 * and logs a warning when it is not 1: it exists for netns rekey tests. */
int wg_timers_consts_scaled(struct wg_timers_consts *c, unsigned divisor);

/* What the timers need to know about the peer's current keypair for the
 * rekey decisions (Linux keep_key_fresh on send and receive). */
struct wg_timers_keypair {
	bool valid;              /* a current keypair exists, sending valid */
	bool i_am_initiator;
	uint64_t birthdate;      /* ns, same clock as `now`, when derived */
	uint64_t send_counter;   /* next nonce to be used for sending */
};

/* Per-peer timer state. Zero-initialise then wg_timers_init. */
struct wg_timers {
	const struct wg_timers_consts *k;  /* not owned, outlives the peer */
	uint64_t retransmit_handshake;     /* deadlines, 0 = not armed */
	uint64_t send_keepalive;
	uint64_t new_handshake;
	uint64_t zero_key_material;
	uint64_t persistent_keepalive;
	unsigned handshake_attempts;       /* retries since the first initiation */
	bool need_another_keepalive;
	bool sent_lastminute_handshake;
	bool have_sent_initiation;
	uint64_t last_sent_initiation;     /* ns */
	uint16_t persistent_keepalive_interval; /* seconds, 0 = off */
	bool stopped;                      /* after wg_timers_stop: all events no-ops */
};

void wg_timers_init(struct wg_timers *t, const struct wg_timers_consts *k);

/* Events. `rnd` is a uniformly random 32-bit value from the caller; the
 * jitter used is (rnd * jitter_max) >> 32. Each returns WG_TIMERS_* actions
 * (most return 0). */
uint32_t wg_timers_data_sent(struct wg_timers *t, uint64_t now, uint32_t rnd);
uint32_t wg_timers_data_received(struct wg_timers *t, uint64_t now);
uint32_t wg_timers_any_authenticated_packet_sent(struct wg_timers *t,
						 uint64_t now);
uint32_t wg_timers_any_authenticated_packet_received(struct wg_timers *t,
						     uint64_t now);
uint32_t wg_timers_any_authenticated_packet_traversal(struct wg_timers *t,
						      uint64_t now);
/* A handshake initiation was just sent: records the send time (rate limit
 * of one initiation per REKEY_TIMEOUT) and arms the retransmission. */
uint32_t wg_timers_handshake_initiated(struct wg_timers *t, uint64_t now,
				       uint32_t rnd);
/* A handshake completed (we consumed a response as initiator, or received
 * the first data packet on a new responder keypair): stops retransmission,
 * resets attempts and the last-minute flag. */
uint32_t wg_timers_handshake_complete(struct wg_timers *t, uint64_t now);
/* A new keypair was derived (either role): arms zero_key_material. */
uint32_t wg_timers_session_derived(struct wg_timers *t, uint64_t now);
/* The user set persistent_keepalive_interval: returns SEND_KEEPALIVE when
 * it goes from off to on (as wireguard-go and Linux do); setting 0 disarms. */
uint32_t wg_timers_set_persistent_keepalive(struct wg_timers *t, uint64_t now,
					    uint16_t secs);
/* The daemon needs a handshake (packet staged and no usable keypair) —
 * Linux send_queued_handshake_initiation(is_retry = false): resets the
 * attempt counter and returns SEND_INITIATION unless an initiation was sent
 * less than REKEY_TIMEOUT ago. */
uint32_t wg_timers_want_handshake(struct wg_timers *t, uint64_t now);
/* After sending a data packet with the current keypair: SEND_INITIATION
 * (rate limited as above) when send_counter > rekey_after_messages, or we
 * are the initiator and the keypair is older than REKEY_AFTER_TIME. */
uint32_t wg_timers_check_send(struct wg_timers *t, uint64_t now,
			      const struct wg_timers_keypair *kp);
/* After receiving a data packet: if we are the initiator and the keypair is
 * older than REJECT_AFTER_TIME - KEEPALIVE_TIMEOUT - REKEY_TIMEOUT, one
 * "last-minute" SEND_INITIATION until the next handshake completes. */
uint32_t wg_timers_check_recv(struct wg_timers *t, uint64_t now,
			      const struct wg_timers_keypair *kp);
/* Peer removed or device down: disarm everything; later events are no-ops
 * until wg_timers_init is called again. */
void wg_timers_stop(struct wg_timers *t);

/* Fires every timer whose deadline is <= now (in deadline order) and
 * returns the union of their actions. */
uint32_t wg_timers_tick(struct wg_timers *t, uint64_t now);
/* Earliest armed deadline, or UINT64_MAX when none is armed. */
uint64_t wg_timers_next_deadline(const struct wg_timers *t);

#endif
