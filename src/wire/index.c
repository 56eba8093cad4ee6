// SPDX-License-Identifier: MIT
#include "wire/index.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

static size_t slot_of(const struct wg_index_table *t, uint32_t idx)
{
	/* indices are random already; mix anyway so a weak source does not
	 * cluster */
	uint32_t h = idx * 0x9e3779b1u;

	return (size_t)(h ^ (h >> 16)) & (t->cap - 1);
}

void wg_index_init(struct wg_index_table *t)
{
	memset(t, 0, sizeof(*t));
}

void wg_index_free(struct wg_index_table *t)
{
	free(t->slots);
	memset(t, 0, sizeof(*t));
}

static void insert_slot(struct wg_index_table *t, const struct wg_index_entry *e)
{
	size_t i = slot_of(t, e->idx);

	while (t->slots[i].kind)
		i = (i + 1) & (t->cap - 1);
	t->slots[i] = *e;
	t->count++;
}

static int grow(struct wg_index_table *t)
{
	struct wg_index_table n = { 0 };

	n.cap = t->cap ? t->cap * 2 : 64;
	n.slots = calloc(n.cap, sizeof(*n.slots));
	if (!n.slots)
		return -ENOMEM;
	for (size_t i = 0; i < t->cap; i++)
		if (t->slots[i].kind)
			insert_slot(&n, &t->slots[i]);
	free(t->slots);
	*t = n;
	return 0;
}

struct wg_index_entry *wg_index_find(const struct wg_index_table *t, uint32_t idx)
{
	size_t i;

	if (!t->cap)
		return NULL;
	for (i = slot_of(t, idx); t->slots[i].kind; i = (i + 1) & (t->cap - 1))
		if (t->slots[i].idx == idx)
			return &t->slots[i];
	return NULL;
}

int wg_index_add(struct wg_index_table *t, uint8_t kind, void *ptr,
		  wg_index_rand_fn rnd, void *rnd_arg, uint32_t *out)
{
	struct wg_index_entry e = { .kind = kind, .ptr = ptr };

	if ((t->count + 1) * 2 > t->cap && grow(t) < 0)
		return -ENOMEM;
	do
		e.idx = rnd(rnd_arg);
	while (!e.idx || wg_index_find(t, e.idx));
	insert_slot(t, &e);
	*out = e.idx;
	return 0;
}

int wg_index_set(struct wg_index_table *t, uint32_t idx, uint8_t kind, void *ptr)
{
	struct wg_index_entry *e = wg_index_find(t, idx);

	if (!e)
		return -ENOENT;
	e->kind = kind;
	e->ptr = ptr;
	return 0;
}

void wg_index_del(struct wg_index_table *t, uint32_t idx)
{
	struct wg_index_entry *e = wg_index_find(t, idx);
	size_t i, j, k;

	if (!e)
		return;
	/* backward-shift deletion keeps every probe chain unbroken */
	i = (size_t)(e - t->slots);
	j = i;
	for (;;) {
		j = (j + 1) & (t->cap - 1);
		if (!t->slots[j].kind)
			break;
		k = slot_of(t, t->slots[j].idx);
		/* move j back to i unless its home k lies cyclically in (i, j] */
		if ((i <= j) ? (i < k && k <= j) : (i < k || k <= j))
			continue;
		t->slots[i] = t->slots[j];
		i = j;
	}
	memset(&t->slots[i], 0, sizeof(t->slots[i]));
	t->count--;
}
