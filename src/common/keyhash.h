/* SPDX-License-Identifier: MIT */
/*
 * A hash table of 32-byte keys (WireGuard public keys) to the structures
 * that embed a struct wg_keyhash_entry: the daemon's peer lookup by public
 * key, for UAPI sets and handshakes, in O(1) instead of a scan of every
 * peer. Chained buckets, SipHash-2-4 under a random key drawn at init
 * (common/siphash.h), doubling when the load passes 1.
 *
 * Adding never fails: should growing the bucket array fail, chains get
 * longer and everything stays correct. Not safe for concurrent use (the
 * SipHash context is shared); the caller serializes.
 */
#ifndef WGMTU_COMMON_KEYHASH_H
#define WGMTU_COMMON_KEYHASH_H

#include <stddef.h>
#include <stdint.h>

#include "common/siphash.h"

#define WG_KEYHASH_KEY_LEN 32

struct wg_keyhash_entry {
	struct wg_keyhash_entry *next; /* private */
	uint64_t hash;                 /* private */
	const uint8_t *key;            /* WG_KEYHASH_KEY_LEN bytes, the embedder's */
};

struct wg_keyhash {
	struct wg_siphash sip;
	struct wg_keyhash_entry **buckets;
	size_t mask;   /* number of buckets - 1 (a power of two) */
	size_t count;
};

/* seed: the SipHash key, NULL for a random one. 0, -ENOMEM or -EIO. */
int wg_keyhash_init(struct wg_keyhash *h, const uint8_t seed[16]);
/* Frees the buckets (not the entries). NULL-safe. */
void wg_keyhash_free(struct wg_keyhash *h);
/* The entry whose key equals key, or NULL. */
struct wg_keyhash_entry *wg_keyhash_find(struct wg_keyhash *h, const uint8_t *key);
/* Adds e under key (which must stay valid while e is in the table). The
 * caller makes sure the key is not in the table yet. */
void wg_keyhash_add(struct wg_keyhash *h, struct wg_keyhash_entry *e, const uint8_t *key);
/* Removes e (which must be in the table). */
void wg_keyhash_del(struct wg_keyhash *h, struct wg_keyhash_entry *e);
/* Grows the buckets now for n more entries (optional: add grows too; this
 * lets a caller do the allocation where failing is still allowed).
 * 0 or -ENOMEM. */
int wg_keyhash_reserve(struct wg_keyhash *h, size_t n);

#endif
