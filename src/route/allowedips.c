/* SPDX-License-Identifier: MIT */
/*
 * Path-compressed binary trie: every node holds a canonical prefix; a
 * node's children extend its prefix, child[b] taking the bit at position
 * node->cidr. Nodes without a peer exist only where two branches diverge.
 */
#include "route/allowedips.h"

#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

struct node {
	struct node *child[2];
	void *peer;      /* NULL: pure branching node */
	uint8_t cidr;
	uint8_t key[16]; /* canonical: bits beyond cidr are zero */
};

struct wg_allowedips {
	struct node *root4;
	struct node *root6;
	size_t count;
};

static int family_bits(int family)
{
	return family == AF_INET ? 32 : family == AF_INET6 ? 128 : -1;
}

static struct node **root_of(struct wg_allowedips *t, int family)
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

static struct node *node_new(const uint8_t key[16], uint8_t cidr, void *peer)
{
	struct node *n = calloc(1, sizeof(*n));

	if (!n)
		return NULL;
	memcpy(n->key, key, 16);
	n->cidr = cidr;
	n->peer = peer;
	return n;
}

struct wg_allowedips *wg_allowedips_new(void)
{
	return calloc(1, sizeof(struct wg_allowedips));
}

static void free_tree(struct node *n)
{
	if (!n)
		return;
	free_tree(n->child[0]);
	free_tree(n->child[1]);
	free(n);
}

void wg_allowedips_free(struct wg_allowedips *t)
{
	if (!t)
		return;
	free_tree(t->root4);
	free_tree(t->root6);
	free(t);
}

int wg_allowedips_insert(struct wg_allowedips *t, int family, const uint8_t *addr,
			 uint8_t cidr, void *peer)
{
	int bits = family_bits(family);
	struct node **slot, *n, *fresh, *mid;
	uint8_t key[16];
	unsigned int common;

	if (bits < 0 || cidr > bits || !peer || !addr)
		return -EINVAL;
	canonical(key, addr, (unsigned int)bits / 8, cidr);
	slot = root_of(t, family);
	while ((n = *slot)) {
		common = common_bits(n->key, key, n->cidr < cidr ? n->cidr : cidr);
		if (common == n->cidr && n->cidr == cidr) {
			if (!n->peer)
				t->count++;
			n->peer = peer; /* the prefix moves to this peer */
			return 0;
		}
		if (common == n->cidr) { /* n's prefix contains the new one */
			slot = &n->child[bit_at(key, n->cidr)];
			continue;
		}
		fresh = node_new(key, cidr, peer);
		if (!fresh)
			return -ENOMEM;
		if (common == cidr) { /* the new prefix contains n: goes above */
			fresh->child[bit_at(n->key, cidr)] = n;
			*slot = fresh;
		} else { /* they diverge at bit "common": a branching node */
			uint8_t mkey[16];

			canonical(mkey, key, 16, common);
			mid = node_new(mkey, (uint8_t)common, NULL);
			if (!mid) {
				free(fresh);
				return -ENOMEM;
			}
			mid->child[bit_at(key, common)] = fresh;
			mid->child[bit_at(n->key, common)] = n;
			*slot = mid;
		}
		t->count++;
		return 0;
	}
	fresh = node_new(key, cidr, peer);
	if (!fresh)
		return -ENOMEM;
	*slot = fresh;
	t->count++;
	return 0;
}

/* After *slot lost its peer or a child: drop or splice it if it no longer
 * carries a peer and branches to fewer than two children. */
static void compact(struct node **slot)
{
	struct node *n = *slot;

	if (!n || n->peer || (n->child[0] && n->child[1]))
		return;
	*slot = n->child[0] ? n->child[0] : n->child[1];
	free(n);
}

static int remove_exact(struct node **slot, const uint8_t key[16], uint8_t cidr, void *peer)
{
	struct node *n = *slot;
	unsigned int common;
	int ret;

	if (!n)
		return -ENOENT;
	common = common_bits(n->key, key, n->cidr < cidr ? n->cidr : cidr);
	if (common < n->cidr)
		return -ENOENT;
	if (n->cidr == cidr) {
		if (!n->peer || (peer && n->peer != peer))
			return -ENOENT;
		n->peer = NULL;
		compact(slot);
		return 0;
	}
	ret = remove_exact(&n->child[bit_at(key, n->cidr)], key, cidr, peer);
	if (!ret)
		compact(slot);
	return ret;
}

int wg_allowedips_remove(struct wg_allowedips *t, int family, const uint8_t *addr,
			 uint8_t cidr, void *peer)
{
	int bits = family_bits(family), ret;
	uint8_t key[16];

	if (bits < 0 || cidr > bits || !addr)
		return -EINVAL;
	canonical(key, addr, (unsigned int)bits / 8, cidr);
	ret = remove_exact(root_of(t, family), key, cidr, peer);
	if (!ret)
		t->count--;
	return ret;
}

static size_t remove_peer(struct node **slot, void *peer)
{
	struct node *n = *slot;
	size_t removed = 0;

	if (!n)
		return 0;
	removed += remove_peer(&n->child[0], peer);
	removed += remove_peer(&n->child[1], peer);
	if (n->peer == peer) {
		n->peer = NULL;
		removed++;
	}
	compact(slot);
	return removed;
}

size_t wg_allowedips_remove_by_peer(struct wg_allowedips *t, void *peer)
{
	size_t n;

	if (!peer)
		return 0;
	n = remove_peer(&t->root4, peer) + remove_peer(&t->root6, peer);
	t->count -= n;
	return n;
}

void *wg_allowedips_lookup(const struct wg_allowedips *t, int family, const uint8_t *addr)
{
	int bits = family_bits(family);
	const struct node *n;
	void *best = NULL;

	if (bits < 0 || !addr)
		return NULL;
	n = family == AF_INET ? t->root4 : t->root6;
	while (n && common_bits(n->key, addr, n->cidr) == n->cidr) {
		if (n->peer)
			best = n->peer;
		if (n->cidr == bits)
			break;
		n = n->child[bit_at(addr, n->cidr)];
	}
	return best;
}

static int walk(const struct node *n, int family, void *peer, wg_allowedips_walk_fn fn, void *arg)
{
	int ret;

	if (!n)
		return 0;
	if (n->peer && (!peer || n->peer == peer)) {
		ret = fn(arg, family, n->key, n->cidr, n->peer);
		if (ret)
			return ret;
	}
	ret = walk(n->child[0], family, peer, fn, arg);
	return ret ? ret : walk(n->child[1], family, peer, fn, arg);
}

int wg_allowedips_walk(const struct wg_allowedips *t, void *peer,
		       wg_allowedips_walk_fn fn, void *arg)
{
	int ret = walk(t->root4, AF_INET, peer, fn, arg);

	return ret ? ret : walk(t->root6, AF_INET6, peer, fn, arg);
}

size_t wg_allowedips_count(const struct wg_allowedips *t)
{
	return t->count;
}
