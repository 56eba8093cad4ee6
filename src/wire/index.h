/* SPDX-License-Identifier: MIT */
/*
 * The receiver-index table: random 32-bit local indices (sender_index of
 * our handshake messages, key_idx of data sent to us) -> what they
 * designate (a peer's handshake in progress, or a keypair). Open
 * addressing with linear probing and backward-shift deletion, so lookups
 * on the data path are one or two cache lines. Pure: the random source is
 * passed in.
 */
#ifndef WGMTU_WIRE_INDEX_H
#define WGMTU_WIRE_INDEX_H

#include <stddef.h>
#include <stdint.h>

struct wg_index_entry {
	uint32_t idx;
	uint8_t kind;  /* 0 = empty; enum wg_index_kind otherwise */
	void *ptr;
};

struct wg_index_table {
	struct wg_index_entry *slots;
	size_t cap;    /* power of two */
	size_t count;
};

typedef uint32_t (*wg_index_rand_fn)(void *arg);

void wg_index_init(struct wg_index_table *t);
void wg_index_free(struct wg_index_table *t);
/* Picks a fresh nonzero index not in the table (rand() until one is free),
 * stores kind/ptr under it. 0 or -ENOMEM. */
int wg_index_add(struct wg_index_table *t, uint8_t kind, void *ptr,
		  wg_index_rand_fn rnd, void *rnd_arg, uint32_t *out);
/* Re-points an existing index (handshake -> keypair). -ENOENT if absent. */
int wg_index_set(struct wg_index_table *t, uint32_t idx, uint8_t kind, void *ptr);
/* The entry for idx, or NULL. */
struct wg_index_entry *wg_index_find(const struct wg_index_table *t, uint32_t idx);
void wg_index_del(struct wg_index_table *t, uint32_t idx);

#endif
