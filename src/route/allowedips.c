/* SPDX-License-Identifier: MIT */
/*
 * Path-compressed binary trie: every node holds a canonical prefix; a
 * node's children extend its prefix, child[b] taking the bit at position
 * node->cidr. Nodes without an owner exist only where two branches
 * diverge. Nodes with an owner are also on that owner's doubly linked
 * list, in insertion order.
 */
#include "route/allowedips.h"

#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

struct wg_allowedips_node {
	struct wg_allowedips_node *child[2];
	struct wg_allowedips_owner *owner; /* NULL: pure branching node */
	struct wg_allowedips_node *prev, *next; /* the owner's list */
	uint8_t cidr;
	uint8_t family;
	uint8_t key[16]; /* canonical: bits beyond cidr are zero */
};

struct wg_allowedips {
	struct wg_allowedips_node *root4;
	struct wg_allowedips_node *root6;
	size_t count;
	struct wg_allowedips_node *spare; /* reserved nodes, linked by child[0] */
	size_t n_spare;
};

typedef struct wg_allowedips_node node_t;

static int family_bits(int family)
{
	return family == AF_INET ? 32 : family == AF_INET6 ? 128 : -1;
}

static node_t **root_of(struct wg_allowedips *t, int family)
{
	return family == AF_INET ? &t->root4 : &t->root6;
}

static inline unsigned int bit_at(const uint8_t *key, unsigned int i)
{
	return (key[i / 8] >> (7 - i % 8)) & 1;
}

/* Number of leading bits a and b share, at most max. */
static unsigned int common_bits(const uint8_t *a, const uint8_t *b, unsigned int max)
{
	unsigned int n = 0;

	for (unsigned int i = 0; i < (max + 7) / 8; i++) {
		uint8_t x = a[i] ^ b[i];

		if (x) {
			n = i * 8 + (unsigned int)__builtin_clz(x) - 24;
			return n < max ? n : max;
		}
	}
	return max;
}

static void canonical(uint8_t out[16], const uint8_t *addr, unsigned int bytes, unsigned int cidr)
{
	memset(out, 0, 16);
	memcpy(out, addr, bytes);
	for (unsigned int i = cidr; i < bytes * 8; i++)
		out[i / 8] &= (uint8_t)~(0x80 >> (i % 8));
}

/* ---- owners' lists ---- */

void wg_allowedips_owner_init(struct wg_allowedips_owner *o, void *peer)
{
	memset(o, 0, sizeof(*o));
	o->peer = peer;
}

size_t wg_allowedips_owner_count(const struct wg_allowedips_owner *o)
{
	return o->count;
}

static void owner_unlink(node_t *n)
{
	struct wg_allowedips_owner *o = n->owner;

	if (n->prev)
		n->prev->next = n->next;
	else
		o->first = n->next;
	if (n->next)
		n->next->prev = n->prev;
	else
		o->last = n->prev;
	o->count--;
	n->prev = n->next = NULL;
	n->owner = NULL;
}

static void owner_append(struct wg_allowedips_owner *o, node_t *n)
{
	n->owner = o;
	n->next = NULL;
	n->prev = o->last;
	if (o->last)
		o->last->next = n;
	else
		o->first = n;
	o->last = n;
	o->count++;
}

/* ---- nodes ---- */

static node_t *node_new(struct wg_allowedips *t, int family, const uint8_t key[16], uint8_t cidr)
{
	node_t *n = t->spare;

	if (n) {
		t->spare = n->child[0];
		t->n_spare--;
		memset(n, 0, sizeof(*n));
	} else if (!(n = calloc(1, sizeof(*n)))) {
		return NULL;
	}
	memcpy(n->key, key, 16);
	n->cidr = cidr;
	n->family = (uint8_t)(family == AF_INET ? 4 : 6);
	return n;
}

int wg_allowedips_reserve(struct wg_allowedips *t, size_t n)
{
	node_t *list = NULL;
	size_t want, got = 0;

	if (n > SIZE_MAX / 2)
		return -ENOMEM;
	want = 2 * n;
	if (t->n_spare >= want)
		return 0;
	want -= t->n_spare;
	while (got < want) {
		node_t *x = calloc(1, sizeof(*x));

		if (!x) {
			while (list) {
				x = list->child[0];
				free(list);
				list = x;
			}
			return -ENOMEM;
		}
		x->child[0] = list;
		list = x;
		got++;
	}
	while (list) {
		node_t *x = list->child[0];

		list->child[0] = t->spare;
		t->spare = list;
		t->n_spare++;
		list = x;
	}
	return 0;
}

void wg_allowedips_release(struct wg_allowedips *t)
{
	while (t->spare) {
		node_t *x = t->spare->child[0];

		free(t->spare);
		t->spare = x;
	}
	t->n_spare = 0;
}

struct wg_allowedips *wg_allowedips_new(void)
{
	return calloc(1, sizeof(struct wg_allowedips));
}

/* Iterative, so that a 128-deep chain cannot matter either. */
static void free_tree(node_t *root)
{
	node_t *stack[260];
	int top = 0;

	if (root)
		stack[top++] = root;
	while (top) {
		node_t *n = stack[--top];

		for (int i = 0; i < 2; i++)
			if (n->child[i])
				stack[top++] = n->child[i];
		free(n);
	}
}

void wg_allowedips_free(struct wg_allowedips *t)
{
	if (!t)
		return;
	free_tree(t->root4);
	free_tree(t->root6);
	wg_allowedips_release(t);
	free(t);
}

int wg_allowedips_insert(struct wg_allowedips *t, int family, const uint8_t *addr,
			 uint8_t cidr, struct wg_allowedips_owner *o)
{
	int bits = family_bits(family);
	node_t **slot, *n, *fresh, *mid;
	uint8_t key[16];
	unsigned int common;

	if (bits < 0 || cidr > bits || !o || !o->peer || !addr)
		return -EINVAL;
	canonical(key, addr, (unsigned int)bits / 8, cidr);
	slot = root_of(t, family);
	while ((n = *slot)) {
		common = common_bits(n->key, key, n->cidr < cidr ? n->cidr : cidr);
		if (common == n->cidr && n->cidr == cidr) {
			if (n->owner)
				owner_unlink(n); /* moves: to o, and to the end */
			else
				t->count++;
			owner_append(o, n);
			return 0;
		}
		if (common == n->cidr) { /* n's prefix contains the new one */
			slot = &n->child[bit_at(key, n->cidr)];
			continue;
		}
		fresh = node_new(t, family, key, cidr);
		if (!fresh)
			return -ENOMEM;
		if (common == cidr) { /* the new prefix contains n: goes above */
			fresh->child[bit_at(n->key, cidr)] = n;
			*slot = fresh;
		} else { /* they diverge at bit "common": a branching node */
			uint8_t mkey[16];

			canonical(mkey, key, 16, common);
			mid = node_new(t, family, mkey, (uint8_t)common);
			if (!mid) {
				free(fresh);
				return -ENOMEM;
			}
			mid->child[bit_at(key, common)] = fresh;
			mid->child[bit_at(n->key, common)] = n;
			*slot = mid;
		}
		owner_append(o, fresh);
		t->count++;
		return 0;
	}
	fresh = node_new(t, family, key, cidr);
	if (!fresh)
		return -ENOMEM;
	*slot = fresh;
	owner_append(o, fresh);
	t->count++;
	return 0;
}

/* After *slot lost its owner or a child: drop or splice it if it no
 * longer carries an owner and branches to fewer than two children. */
static void compact(node_t **slot)
{
	node_t *n = *slot;

	if (!n || n->owner || (n->child[0] && n->child[1]))
		return;
	*slot = n->child[0] ? n->child[0] : n->child[1];
	free(n);
}

/* Walks down to the node of exactly key/cidr, keeping the slots passed so
 * that the nodes above can be compacted afterwards. */
static int remove_exact(node_t **root, const uint8_t key[16], uint8_t cidr,
			const struct wg_allowedips_owner *o)
{
	node_t **path[130];
	node_t **slot = root, *n;
	int depth = 0;

	while ((n = *slot)) {
		unsigned int common = common_bits(n->key, key, n->cidr < cidr ? n->cidr : cidr);

		if (common < n->cidr)
			return -ENOENT;
		if (n->cidr == cidr) {
			if (!n->owner || (o && n->owner != o))
				return -ENOENT;
			owner_unlink(n);
			compact(slot);
			while (depth)
				compact(path[--depth]);
			return 0;
		}
		if (n->cidr >= cidr)
			return -ENOENT;
		path[depth++] = slot;
		slot = &n->child[bit_at(key, n->cidr)];
	}
	return -ENOENT;
}

int wg_allowedips_remove(struct wg_allowedips *t, int family, const uint8_t *addr,
			 uint8_t cidr, struct wg_allowedips_owner *o)
{
	int bits = family_bits(family), ret;
	uint8_t key[16];

	if (bits < 0 || cidr > bits || !addr)
		return -EINVAL;
	canonical(key, addr, (unsigned int)bits / 8, cidr);
	ret = remove_exact(root_of(t, family), key, cidr, o);
	if (!ret)
		t->count--;
	return ret;
}

size_t wg_allowedips_remove_owner(struct wg_allowedips *t, struct wg_allowedips_owner *o)
{
	size_t n = 0;

	if (!o)
		return 0;
	while (o->first) {
		node_t *x = o->first;
		uint8_t key[16];
		int family = x->family == 4 ? AF_INET : AF_INET6;
		uint8_t cidr = x->cidr;

		memcpy(key, x->key, 16); /* x may be freed on the way */
		if (remove_exact(root_of(t, family), key, cidr, o) < 0)
			owner_unlink(x); /* cannot happen: it is in the trie */
		n++;
	}
	t->count -= n;
	return n;
}

void *wg_allowedips_lookup(const struct wg_allowedips *t, int family, const uint8_t *addr)
{
	int bits = family_bits(family);
	const node_t *n;
	void *best = NULL;

	if (bits < 0 || !addr)
		return NULL;
	n = family == AF_INET ? t->root4 : t->root6;
	while (n && common_bits(n->key, addr, n->cidr) == n->cidr) {
		if (n->owner)
			best = n->owner->peer;
		if (n->cidr == bits)
			break;
		n = n->child[bit_at(addr, n->cidr)];
	}
	return best;
}

static int walk(const node_t *root, int family, wg_allowedips_walk_fn fn, void *arg)
{
	const node_t *stack[260];
	int top = 0, ret;

	if (root)
		stack[top++] = root;
	while (top) { /* preorder, child[0] first: address order */
		const node_t *n = stack[--top];

		if (n->owner) {
			ret = fn(arg, family, n->key, n->cidr, n->owner->peer);
			if (ret)
				return ret;
		}
		if (n->child[1])
			stack[top++] = n->child[1];
		if (n->child[0])
			stack[top++] = n->child[0];
	}
	return 0;
}

int wg_allowedips_walk(const struct wg_allowedips *t, wg_allowedips_walk_fn fn, void *arg)
{
	int ret = walk(t->root4, AF_INET, fn, arg);

	return ret ? ret : walk(t->root6, AF_INET6, fn, arg);
}

int wg_allowedips_owner_walk(const struct wg_allowedips_owner *o,
			     wg_allowedips_walk_fn fn, void *arg)
{
	for (const node_t *n = o->first; n; n = n->next) {
		int ret = fn(arg, n->family == 4 ? AF_INET : AF_INET6, n->key, n->cidr, o->peer);

		if (ret)
			return ret;
	}
	return 0;
}

size_t wg_allowedips_count(const struct wg_allowedips *t)
{
	return t->count;
}
