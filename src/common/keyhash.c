// SPDX-License-Identifier: MIT
#include "common/keyhash.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#define MIN_BUCKETS 16

int wg_keyhash_init(struct wg_keyhash *h, const uint8_t seed[16])
{
	int r;

	memset(h, 0, sizeof(*h));
	r = wg_siphash_init(&h->sip, seed);
	if (r < 0)
		return r;
	h->buckets = calloc(MIN_BUCKETS, sizeof(*h->buckets));
	if (!h->buckets) {
		wg_siphash_free(&h->sip);
		return -ENOMEM;
	}
	h->mask = MIN_BUCKETS - 1;
	return 0;
}

void wg_keyhash_free(struct wg_keyhash *h)
{
	if (!h)
		return;
	free(h->buckets);
	h->buckets = NULL;
	h->mask = h->count = 0;
	wg_siphash_free(&h->sip);
}

/* Rehash into n buckets (a power of two); on failure nothing changes. */
static int resize(struct wg_keyhash *h, size_t n)
{
	struct wg_keyhash_entry **nb = calloc(n, sizeof(*nb));

	if (!nb)
		return -ENOMEM;
	for (size_t i = 0; i <= h->mask; i++) {
		struct wg_keyhash_entry *e = h->buckets[i], *next;

		for (; e; e = next) {
			next = e->next;
			e->next = nb[e->hash & (n - 1)];
			nb[e->hash & (n - 1)] = e;
		}
	}
	free(h->buckets);
	h->buckets = nb;
	h->mask = n - 1;
	return 0;
}

int wg_keyhash_reserve(struct wg_keyhash *h, size_t n)
{
	size_t want = h->mask + 1;

	if (n > SIZE_MAX / 4 - h->count)
		return -ENOMEM;
	while (want < h->count + n)
		want *= 2;
	return want == h->mask + 1 ? 0 : resize(h, want);
}

struct wg_keyhash_entry *wg_keyhash_find(struct wg_keyhash *h, const uint8_t *key)
{
	uint64_t hash;

	if (!h->buckets)
		return NULL;
	hash = wg_siphash(&h->sip, key, WG_KEYHASH_KEY_LEN);
	for (struct wg_keyhash_entry *e = h->buckets[hash & h->mask]; e; e = e->next)
		if (e->hash == hash && !memcmp(e->key, key, WG_KEYHASH_KEY_LEN))
			return e;
	return NULL;
}

void wg_keyhash_add(struct wg_keyhash *h, struct wg_keyhash_entry *e, const uint8_t *key)
{
	if (h->count >= h->mask + 1 && h->mask < SIZE_MAX / 4)
		resize(h, (h->mask + 1) * 2); /* failing only lengthens chains */
	e->key = key;
	e->hash = wg_siphash(&h->sip, key, WG_KEYHASH_KEY_LEN);
	e->next = h->buckets[e->hash & h->mask];
	h->buckets[e->hash & h->mask] = e;
	h->count++;
}

void wg_keyhash_del(struct wg_keyhash *h, struct wg_keyhash_entry *e)
{
	struct wg_keyhash_entry **pp = &h->buckets[e->hash & h->mask];

	for (; *pp; pp = &(*pp)->next)
		if (*pp == e) {
			*pp = e->next;
			e->next = NULL;
			h->count--;
			return;
		}
}
