// SPDX-License-Identifier: MIT
/*
 * Handshake flood control: per-source token buckets and the under-load
 * decision (see ratelimit.h). Pure: time is an argument.
 */
#include "common/ratelimit.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include <openssl/crypto.h>

#define MAX_TABLE (1u << 20)

/* SipHash-2-4 of the key under the caller's random hash key, so that
 * nobody outside can aim sources at one probe chain. */
static uint32_t rl_hash(struct wg_ratelimit *rl, const uint8_t key[9])
{
	return (uint32_t)wg_siphash(&rl->hash, key, 9);
}

int wg_ratelimit_init(struct wg_ratelimit *rl, size_t max_entries, const uint8_t hash_key[16])
{
	return wg_ratelimit_init_rate(rl, max_entries, hash_key, WG_RATELIMIT_PPS,
				      WG_RATELIMIT_BURST);
}

int wg_bucket_init(struct wg_bucket *b, uint32_t pps, uint32_t burst)
{
	memset(b, 0, sizeof(*b));
	if (pps < 1 || pps > 1000000000u || burst < 1)
		return -EINVAL;
	b->cost_ns = 1000000000ULL / pps;
	b->token_max = b->cost_ns * burst;
	return 0;
}

/* Tokens (in ns of budget) after refilling from last to now, capped. */
static uint64_t refill(uint64_t tokens, uint64_t last, uint64_t now, uint64_t max)
{
	if (now > last)
		tokens += now - last < max ? now - last : max;
	return tokens > max ? max : tokens;
}

bool wg_bucket_take(struct wg_bucket *b, uint64_t now)
{
	uint64_t t = b->started ? refill(b->tokens, b->last_ns, now, b->token_max) : b->token_max;

	b->started = true;
	b->last_ns = now > b->last_ns ? now : b->last_ns;
	if (t < b->cost_ns) {
		b->tokens = t;
		return false;
	}
	b->tokens = t - b->cost_ns;
	return true;
}

int wg_ratelimit_init_rate(struct wg_ratelimit *rl, size_t max_entries,
			   const uint8_t hash_key[16], uint32_t pps, uint32_t burst)
{
	size_t slots = 16;

	memset(rl, 0, sizeof(*rl));
	if (max_entries == 0)
		max_entries = WG_RATELIMIT_DEFAULT_ENTRIES;
	if (max_entries > MAX_TABLE || !hash_key || pps < 1 || pps > 1000000000u || burst < 1)
		return -EINVAL;
	rl->cost_ns = 1000000000ULL / pps;
	rl->token_max = rl->cost_ns * burst;
	/* an entry forgotten earlier would hand its source a fresh burst */
	rl->idle_ns = rl->token_max > WG_RATELIMIT_IDLE_NS ? rl->token_max : WG_RATELIMIT_IDLE_NS;
	while (slots < 2 * max_entries)
		slots *= 2;
	rl->slots = calloc(slots, sizeof(*rl->slots));
	rl->spare = calloc(slots, sizeof(*rl->spare));
	if (!rl->slots || !rl->spare || wg_siphash_init(&rl->hash, hash_key) < 0)
		goto nomem;
	rl->n_slots = slots;
	rl->max_entries = max_entries;
	return 0;
nomem:
	wg_ratelimit_free(rl);
	return -ENOMEM;
}

void wg_ratelimit_free(struct wg_ratelimit *rl)
{
	wg_siphash_free(&rl->hash);
	free(rl->slots);
	free(rl->spare);
	OPENSSL_cleanse(rl, sizeof(*rl));
}

/* family tag + the part of the address that names a source */
static bool make_key(int family, const uint8_t *addr, uint8_t key[9])
{
	memset(key, 0, 9);
	if (!addr)
		return false;
	if (family == AF_INET) {
		key[0] = 4;
		memcpy(key + 1, addr, 4);
		return true;
	}
	if (family == AF_INET6) {
		key[0] = 6;
		memcpy(key + 1, addr, 8); /* the /64: one host may own all of it */
		return true;
	}
	return false;
}

static struct wg_ratelimit_entry *probe(struct wg_ratelimit_entry *slots, size_t n_slots,
					const uint8_t key[9], uint32_t hash)
{
	size_t mask = n_slots - 1, i = hash & mask, steps;

	/* the table is at most half full, so an empty slot ends every chain */
	for (steps = 0; steps < n_slots; steps++, i = (i + 1) & mask) {
		if (!slots[i].used || !memcmp(slots[i].key, key, 9))
			return &slots[i];
	}
	return NULL;
}

static bool idle(const struct wg_ratelimit *rl, const struct wg_ratelimit_entry *e, uint64_t now)
{
	return now > e->last_ns && now - e->last_ns > rl->idle_ns;
}

void wg_ratelimit_gc(struct wg_ratelimit *rl, uint64_t now)
{
	struct wg_ratelimit_entry *tmp;
	size_t i, n = 0;

	rl->last_gc_ns = now;
	if (!rl->n_entries)
		return;
	memset(rl->spare, 0, rl->n_slots * sizeof(*rl->spare));
	for (i = 0; i < rl->n_slots; i++) {
		struct wg_ratelimit_entry *e = &rl->slots[i], *d;

		if (!e->used || idle(rl, e, now))
			continue;
		d = probe(rl->spare, rl->n_slots, e->key, e->hash);
		if (d) {
			*d = *e;
			n++;
		}
	}
	tmp = rl->slots;
	rl->slots = rl->spare;
	rl->spare = tmp;
	rl->n_entries = n;
}

bool wg_ratelimit_allow(struct wg_ratelimit *rl, int family, const uint8_t *addr, uint64_t now)
{
	return wg_ratelimit_allow_shared(rl, NULL, family, addr, now);
}

bool wg_ratelimit_allow_shared(struct wg_ratelimit *rl, struct wg_bucket *global,
			       int family, const uint8_t *addr, uint64_t now)
{
	struct wg_ratelimit_entry *e;
	uint8_t key[9];
	uint32_t hash;

	if (!rl->slots || !make_key(family, addr, key))
		return false;
	if (now < rl->last_gc_ns || now - rl->last_gc_ns >= WG_RATELIMIT_IDLE_NS)
		wg_ratelimit_gc(rl, now);
	hash = rl_hash(rl, key);
	e = probe(rl->slots, rl->n_slots, key, hash);
	if (e && e->used) {
		uint64_t tokens = refill(e->tokens, e->last_ns, now, rl->token_max);

		e->last_ns = now > e->last_ns ? now : e->last_ns;
		e->tokens = tokens;
		/* the source's own budget first: a flooding source is stopped
		 * here and never reaches the budget everyone shares */
		if (tokens < rl->cost_ns) {
			rl->n_limited++;
			return false;
		}
		if (global && !wg_bucket_take(global, now)) {
			rl->n_global_limited++;
			return false;
		}
		e->tokens = tokens - rl->cost_ns;
		return true;
	}
	if (rl->n_entries >= rl->max_entries || !e) {
		/* full: refuse new sources until the next gc frees idle ones
		 * (Linux does the same; a gc per packet here would let a flood
		 * of new sources buy O(table) work each) */
		rl->n_refused_full++;
		return false;
	}
	if (global && !wg_bucket_take(global, now)) {
		rl->n_global_limited++;
		return false;
	}
	memcpy(e->key, key, sizeof(key));
	e->used = true;
	e->hash = hash;
	e->last_ns = now;
	e->tokens = rl->token_max - rl->cost_ns;
	rl->n_entries++;
	return true;
}

size_t wg_ratelimit_count(const struct wg_ratelimit *rl)
{
	return rl->n_entries;
}

/* ---------------------------------------------------------- under load */

void wg_load_init(struct wg_load *l, size_t queue_capacity)
{
	memset(l, 0, sizeof(*l));
	if (queue_capacity == 0)
		queue_capacity = WG_LOAD_QUEUE_CAPACITY;
	l->threshold = queue_capacity / 8 ? queue_capacity / 8 : 1;
	l->hold_ns = WG_LOAD_HOLD_NS;
}

bool wg_load_update(struct wg_load *l, size_t queue_depth, uint64_t now)
{
	if (queue_depth >= l->threshold) {
		l->under_load_until = now + l->hold_ns;
		l->ever = true;
		return true;
	}
	return l->ever && now < l->under_load_until;
}

enum wg_load_verdict wg_load_decide(bool under_load, bool mac1_ok, bool mac2_ok,
				    struct wg_ratelimit *rl, int family,
				    const uint8_t *addr, uint64_t now)
{
	if (!mac1_ok)
		return WG_LOAD_DROP_BAD_MAC;
	if (!under_load)
		return WG_LOAD_PROCESS;
	if (!mac2_ok)
		return WG_LOAD_SEND_COOKIE;
	if (rl && !wg_ratelimit_allow(rl, family, addr, now))
		return WG_LOAD_DROP_RATELIMITED;
	return WG_LOAD_PROCESS;
}
