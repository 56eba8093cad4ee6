/* SPDX-License-Identifier: MIT */
/*
 * Allowed IPs: the cryptokey routing table (whitepaper section 2). A binary
 * (path-compressed) longest-prefix-match trie per address family mapping
 * prefixes to an opaque peer pointer. Used outbound (which peer gets this
 * inner destination) and inbound (is this inner source allowed from the
 * peer that sent it).
 *
 * Addresses are raw network-order bytes: 4 for AF_INET, 16 for AF_INET6.
 * Prefixes are stored canonical (host bits beyond cidr cleared), so
 * inserting 10.1.2.3/8 is the same as inserting 10.0.0.0/8, as `wg` does.
 *
 * Thread safety: none inside. Lookups may run concurrently with each
 * other; the caller excludes writers (e.g. a rwlock).
 */
#ifndef WGMTU_ROUTE_ALLOWEDIPS_H
#define WGMTU_ROUTE_ALLOWEDIPS_H

#include <stddef.h>
#include <stdint.h>

struct wg_allowedips;

/* An empty table, or NULL on allocation failure. */
struct wg_allowedips *wg_allowedips_new(void);
/* Free the table (the peers are not touched). NULL-safe. */
void wg_allowedips_free(struct wg_allowedips *t);

/* Map family/addr/cidr to peer (non-NULL), replacing the previous owner of
 * exactly that prefix (wg semantics: an allowed IP moves between peers).
 * 0, -EINVAL (family, cidr > 32/128, NULL peer) or -ENOMEM. */
int wg_allowedips_insert(struct wg_allowedips *t, int family, const uint8_t *addr,
			 uint8_t cidr, void *peer);

/* Remove exactly the prefix family/addr/cidr if it belongs to peer (peer
 * NULL: whoever owns it). 0, -ENOENT (no such prefix for that peer),
 * -EINVAL. */
int wg_allowedips_remove(struct wg_allowedips *t, int family, const uint8_t *addr,
			 uint8_t cidr, void *peer);

/* Remove every prefix of peer (both families). Returns the number removed. */
size_t wg_allowedips_remove_by_peer(struct wg_allowedips *t, void *peer);

/* The peer owning the longest prefix containing addr, or NULL. */
void *wg_allowedips_lookup(const struct wg_allowedips *t, int family, const uint8_t *addr);

/* Visit each prefix (IPv4 first, then IPv6, each in address order) owned by
 * peer, or all prefixes when peer is NULL. The callback gets the canonical
 * address; a nonzero return stops the walk and is returned. The table must
 * not be modified during the walk. */
typedef int (*wg_allowedips_walk_fn)(void *arg, int family, const uint8_t *addr,
				     uint8_t cidr, void *peer);
int wg_allowedips_walk(const struct wg_allowedips *t, void *peer,
		       wg_allowedips_walk_fn fn, void *arg);

/* Number of prefixes in the table (both families). */
size_t wg_allowedips_count(const struct wg_allowedips *t);

#endif
