/* SPDX-License-Identifier: MIT */
/*
 * Handshake flood control, pure (time is a nanosecond argument).
 *
 * 1. wg_ratelimit: per-source token bucket for handshake messages, as the
 *    Linux driver (ratelimiter.c) and wireguard-go (ratelimiter.go) do:
 *    20 packets per second per source, burst 5; sources are IPv4 /32 and
 *    IPv6 /64 (Linux's granularity); bounded table, entries idle for more
 *    than 1 s expire (gc at most once per second of `now`). A full table
 *    refuses new sources until a gc frees room (Linux does the same).
 *
 * 2. wg_load: the "under load" decision. Both reference implementations
 *    declare load when the queue of handshake messages waiting to be
 *    processed reaches 1/8 of its capacity, and keep the state for 1 s after
 *    it last held. Under load a handshake message needs a valid MAC2
 *    (cookie), else a cookie reply is sent; only then is the rate limit
 *    applied. wg_load_decide() is that decision table.
 *
 * The daemon feeds the queue depth it has (its batch of pending handshake
 * messages) and the source address of each message; the ratelimiter is
 * only consulted under load, as in the reference implementations.
 *
 * 3. Other rates and a shared budget: `wgmtu responder` uses the same
 *    per-source table with its own rate (wg_ratelimit_init_rate) in front
 *    of a global token bucket (wg_bucket). The per-source limit is applied
 *    first: a source over its own rate is refused without spending the
 *    global budget, so one flooding source cannot starve everyone else
 *    (only many sources together can reach the global limit).
 */
#ifndef WGMTU_COMMON_RATELIMIT_H
#define WGMTU_COMMON_RATELIMIT_H

#include "common/siphash.h"
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define WG_RATELIMIT_PPS        20u
#define WG_RATELIMIT_BURST      5u
#define WG_RATELIMIT_COST_NS    (1000000000ULL / WG_RATELIMIT_PPS)
#define WG_RATELIMIT_TOKEN_MAX  (WG_RATELIMIT_COST_NS * WG_RATELIMIT_BURST)
#define WG_RATELIMIT_IDLE_NS    1000000000ULL  /* entry expiry */
#define WG_RATELIMIT_DEFAULT_ENTRIES 8192u

/* private */
struct wg_ratelimit_entry {
	uint8_t key[9];          /* family tag + IPv4 /32 or IPv6 /64 */
	bool used;
	uint32_t hash;           /* keyed hash of key, kept for rebuilds */
	uint64_t last_ns;
	uint64_t tokens;         /* ns worth of budget, <= TOKEN_MAX */
};

struct wg_ratelimit {
	uint64_t cost_ns;        /* one packet: 1 s / pps */
	uint64_t token_max;      /* burst x cost_ns */
	uint64_t idle_ns;        /* entry expiry: >= the time to refill a burst */
	struct wg_ratelimit_entry *slots; /* open addressing, >= 2 x max_entries */
	struct wg_ratelimit_entry *spare; /* same size: gc rebuilds into it */
	size_t n_slots;
	size_t max_entries;
	size_t n_entries;
	uint64_t last_gc_ns;
	struct wg_siphash hash;  /* keyed with the caller's random key */
	uint64_t n_refused_full; /* counters for the daemon's stats */
	uint64_t n_limited;      /* refused: the source over its own rate */
	uint64_t n_global_limited; /* refused: the shared bucket was empty */
};

/* A single token bucket (the global budget behind the per-source ones). */
struct wg_bucket {
	uint64_t cost_ns, token_max;
	uint64_t last_ns, tokens;
	bool started;
};

/* max_entries: table bound (0 = WG_RATELIMIT_DEFAULT_ENTRIES, at most
 * 1 << 20). hash_key: 16 random bytes (keeps an attacker from choosing
 * colliding sources). Returns 0, -EINVAL or -ENOMEM. */
int wg_ratelimit_init(struct wg_ratelimit *rl, size_t max_entries,
		      const uint8_t hash_key[16]);
/* The same with pps packets per second (1..1000000000) and a burst of
 * `burst` packets (>= 1) per source instead of the handshake's 20 and 5. */
int wg_ratelimit_init_rate(struct wg_ratelimit *rl, size_t max_entries,
			   const uint8_t hash_key[16], uint32_t pps, uint32_t burst);
void wg_ratelimit_free(struct wg_ratelimit *rl);

/* May a handshake message from this source be processed at `now`?
 * family AF_INET (addr: 4 bytes, network order) or AF_INET6 (16 bytes;
 * only the first 8 count). Unknown family or NULL addr: false. Runs the gc
 * when a second of `now` has passed since the last one (O(table) once per
 * second; O(1) expected otherwise). */
bool wg_ratelimit_allow(struct wg_ratelimit *rl, int family,
			const uint8_t *addr, uint64_t now);

/* Per-source first, then the shared bucket (global may be NULL): false
 * without touching global when the source is over its rate; a packet
 * allowed costs one token of each. */
bool wg_ratelimit_allow_shared(struct wg_ratelimit *rl, struct wg_bucket *global,
			       int family, const uint8_t *addr, uint64_t now);

/* A bucket of pps (1..1000000000) and burst (>= 1), full at its first use.
 * Returns 0 or -EINVAL. */
int wg_bucket_init(struct wg_bucket *b, uint32_t pps, uint32_t burst);
/* Takes one token at `now` if there is one. */
bool wg_bucket_take(struct wg_bucket *b, uint64_t now);

/* Drops entries idle for more than rl->idle_ns (WG_RATELIMIT_IDLE_NS for
 * the handshake rate). The daemon may
 * call it from a 1 s housekeeping timer; allow() also calls it lazily. */
void wg_ratelimit_gc(struct wg_ratelimit *rl, uint64_t now);

/* Entries currently held (for tests and stats). */
size_t wg_ratelimit_count(const struct wg_ratelimit *rl);

/* ---------------------------------------------------------- under load */

#define WG_LOAD_QUEUE_CAPACITY 4096u   /* Linux MAX_QUEUED_INCOMING_HANDSHAKES */
#define WG_LOAD_HOLD_NS        1000000000ULL

struct wg_load {
	size_t threshold;         /* queue depth that means "under load" */
	uint64_t hold_ns;         /* stay under load this long after */
	uint64_t under_load_until;
	bool ever;                /* under_load_until is meaningful */
};

/* queue_capacity 0 = WG_LOAD_QUEUE_CAPACITY; threshold = capacity / 8. */
void wg_load_init(struct wg_load *l, size_t queue_capacity);

/* Called per handshake message with the number of handshake messages
 * pending (including this one). Returns whether the device is under load. */
bool wg_load_update(struct wg_load *l, size_t queue_depth, uint64_t now);

enum wg_load_verdict {
	WG_LOAD_PROCESS = 0,      /* go on with the handshake message */
	WG_LOAD_SEND_COOKIE,      /* valid MAC1, no/invalid MAC2 under load:
				   * answer a cookie reply, do not process */
	WG_LOAD_DROP_RATELIMITED, /* valid MAC2 but source over its rate */
	WG_LOAD_DROP_BAD_MAC,     /* MAC1 invalid: drop silently */
};

/* The reference decision for one handshake message (initiation or
 * response). mac2_ok is only looked at under load; rl/family/addr/now are
 * only used under load with a valid MAC2 (rl may be NULL: no limit). */
enum wg_load_verdict wg_load_decide(bool under_load, bool mac1_ok,
				    bool mac2_ok, struct wg_ratelimit *rl,
				    int family, const uint8_t *addr,
				    uint64_t now);

#endif
