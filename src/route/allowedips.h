/* SPDX-License-Identifier: MIT */
/*
 * Allowed IPs: the cryptokey routing table (whitepaper section 2). A binary
 * (path-compressed) longest-prefix-match trie per address family mapping
 * prefixes to their owner (a peer). Used outbound (which peer gets this
 * inner destination) and inbound (is this inner source allowed from the
 * peer that sent it).
 *
 * Owner tagging: each peer embeds a struct wg_allowedips_owner; every
 * prefix node points to its owner and sits on the owner's list in
 * insertion order. So every operation costs O(prefix length) (insert,
 * remove, lookup) or O(the owner's prefixes x prefix length) (remove an
 * owner, list an owner's prefixes), never a scan of the whole table or of
 * all peers: 100k prefixes load in linear time.
 *
 * Addresses are raw network-order bytes: 4 for AF_INET, 16 for AF_INET6.
 * Prefixes are stored canonical (host bits beyond cidr cleared), so
 * inserting 10.1.2.3/8 is the same as inserting 10.0.0.0/8, as `wg` does.
 *
 * Transactions: wg_allowedips_reserve() sets aside the nodes that a number
 * of inserts may need, so that those inserts cannot fail (a UAPI set
 * allocates first and then commits without a failure path).
 *
 * Thread safety: none inside. Lookups may run concurrently with each
 * other; the caller excludes writers (e.g. a rwlock).
 */
#ifndef WGMTU_ROUTE_ALLOWEDIPS_H
#define WGMTU_ROUTE_ALLOWEDIPS_H

#include <stddef.h>
#include <stdint.h>

struct wg_allowedips;
struct wg_allowedips_node;

/* Embedded in whatever owns prefixes (a peer). Initialise it with
 * wg_allowedips_owner_init() before the first insert; private fields are
 * the table's. An owner must not be freed while it holds prefixes
 * (wg_allowedips_remove_owner first). */
struct wg_allowedips_owner {
	void *peer;                        /* what lookups return */
	/* private: this owner's prefixes in insertion order */
	struct wg_allowedips_node *first, *last;
	size_t count;
};

void wg_allowedips_owner_init(struct wg_allowedips_owner *o, void *peer);
/* Number of prefixes the owner holds. */
size_t wg_allowedips_owner_count(const struct wg_allowedips_owner *o);

/* An empty table, or NULL on allocation failure. */
struct wg_allowedips *wg_allowedips_new(void);
/* Free the table (the owners are not touched). NULL-safe. */
void wg_allowedips_free(struct wg_allowedips *t);

/* Map family/addr/cidr to owner o (o->peer non-NULL). A prefix that
 * already exists moves to o and to the end of o's list, whoever owned it
 * (wg semantics: an allowed IP moves between peers; Linux and wireguard-go
 * also move a re-added prefix to the end). 0, -EINVAL (family, cidr >
 * 32/128, NULL owner or peer) or -ENOMEM (never after a reserve that
 * covers this insert). */
int wg_allowedips_insert(struct wg_allowedips *t, int family, const uint8_t *addr,
			 uint8_t cidr, struct wg_allowedips_owner *o);

/* Set aside the nodes that n more inserts may need (two each), so that
 * they cannot fail. 0 or -ENOMEM (then nothing is set aside). */
int wg_allowedips_reserve(struct wg_allowedips *t, size_t n);
/* Free what a reserve set aside and inserts did not use. */
void wg_allowedips_release(struct wg_allowedips *t);

/* Remove exactly the prefix family/addr/cidr if it belongs to o (o NULL:
 * whoever owns it). 0, -ENOENT (no such prefix for that owner), -EINVAL. */
int wg_allowedips_remove(struct wg_allowedips *t, int family, const uint8_t *addr,
			 uint8_t cidr, struct wg_allowedips_owner *o);

/* Remove every prefix of o (both families). Returns the number removed.
 * O(o's prefixes x prefix length). */
size_t wg_allowedips_remove_owner(struct wg_allowedips *t, struct wg_allowedips_owner *o);

/* The peer of the owner of the longest prefix containing addr, or NULL. */
void *wg_allowedips_lookup(const struct wg_allowedips *t, int family, const uint8_t *addr);

/* Visitor: the canonical address of one prefix and its owner's peer; a
 * nonzero return stops the walk and is returned. The table must not be
 * modified during a walk. */
typedef int (*wg_allowedips_walk_fn)(void *arg, int family, const uint8_t *addr,
				     uint8_t cidr, void *peer);
/* Every prefix: IPv4 first, then IPv6, each in address order. */
int wg_allowedips_walk(const struct wg_allowedips *t, wg_allowedips_walk_fn fn, void *arg);
/* o's prefixes in insertion order (as `wg show` lists them). */
int wg_allowedips_owner_walk(const struct wg_allowedips_owner *o,
			     wg_allowedips_walk_fn fn, void *arg);

/* Number of prefixes in the table (both families). */
size_t wg_allowedips_count(const struct wg_allowedips *t);

#endif
