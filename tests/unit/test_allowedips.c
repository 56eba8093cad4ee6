// SPDX-License-Identifier: MIT
/* Allowed IPs trie: fixed cases and a randomized comparison with a naive
 * longest-prefix list (deterministic seed). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <arpa/inet.h>
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "route/allowedips.h"

static int peers[64];
static struct wg_allowedips_owner owners[64];
#define P(i) ((void *)&peers[i])
#define O(i) (&owners[i])

static int setup(void **state)
{
	(void)state;
	for (int i = 0; i < 64; i++)
		wg_allowedips_owner_init(&owners[i], P(i));
	return 0;
}

static void *lookup4(struct wg_allowedips *t, const char *s)
{
	uint8_t a[4];

	assert_int_equal(inet_pton(AF_INET, s, a), 1);
	return wg_allowedips_lookup(t, AF_INET, a);
}

static void *lookup6(struct wg_allowedips *t, const char *s)
{
	uint8_t a[16];

	assert_int_equal(inet_pton(AF_INET6, s, a), 1);
	return wg_allowedips_lookup(t, AF_INET6, a);
}

static int ins(struct wg_allowedips *t, const char *s, uint8_t cidr, struct wg_allowedips_owner *peer)
{
	uint8_t a[16];
	int fam = strchr(s, ':') ? AF_INET6 : AF_INET;

	assert_int_equal(inet_pton(fam, s, a), 1);
	return wg_allowedips_insert(t, fam, a, cidr, peer);
}

static int rm(struct wg_allowedips *t, const char *s, uint8_t cidr, struct wg_allowedips_owner *peer)
{
	uint8_t a[16];
	int fam = strchr(s, ':') ? AF_INET6 : AF_INET;

	assert_int_equal(inet_pton(fam, s, a), 1);
	return wg_allowedips_remove(t, fam, a, cidr, peer);
}

static void test_basic(void **state)
{
	struct wg_allowedips *t = wg_allowedips_new();

	(void)state;
	assert_non_null(t);
	assert_null(lookup4(t, "10.0.0.1"));
	assert_int_equal(ins(t, "10.0.0.0", 8, O(1)), 0);
	assert_int_equal(ins(t, "10.1.0.0", 16, O(2)), 0);
	assert_int_equal(ins(t, "10.1.2.3", 32, O(3)), 0);
	assert_int_equal(ins(t, "0.0.0.0", 0, O(4)), 0);
	assert_int_equal(ins(t, "fd00::", 8, O(5)), 0);
	assert_int_equal(ins(t, "fd00::1", 128, O(6)), 0);
	assert_int_equal(ins(t, "::", 0, O(7)), 0);
	assert_ptr_equal(lookup4(t, "10.9.9.9"), P(1));
	assert_ptr_equal(lookup4(t, "10.1.9.9"), P(2));
	assert_ptr_equal(lookup4(t, "10.1.2.3"), P(3));
	assert_ptr_equal(lookup4(t, "10.1.2.4"), P(2));
	assert_ptr_equal(lookup4(t, "192.168.1.1"), P(4));
	assert_ptr_equal(lookup6(t, "fd00::1"), P(6));
	assert_ptr_equal(lookup6(t, "fd00::2"), P(5));
	assert_ptr_equal(lookup6(t, "2001:db8::1"), P(7));
	assert_int_equal(wg_allowedips_count(t), 7);
	/* host bits are ignored: 10.1.2.3/16 is 10.1.0.0/16, and it moves */
	assert_int_equal(ins(t, "10.1.2.3", 16, O(8)), 0);
	assert_ptr_equal(lookup4(t, "10.1.9.9"), P(8));
	assert_int_equal(wg_allowedips_count(t), 7);
	/* remove by prefix: only for the owner (or anyone with NULL) */
	assert_int_equal(rm(t, "10.1.0.0", 16, O(2)), -ENOENT);
	assert_int_equal(rm(t, "10.1.0.0", 16, O(8)), 0);
	assert_int_equal(rm(t, "10.1.0.0", 16, NULL), -ENOENT);
	assert_int_equal(rm(t, "10.1.0.0", 17, NULL), -ENOENT);
	assert_ptr_equal(lookup4(t, "10.1.9.9"), P(1));
	assert_ptr_equal(lookup4(t, "10.1.2.3"), P(3));
	/* remove by peer */
	assert_int_equal(ins(t, "172.16.0.0", 12, O(3)), 0);
	assert_int_equal(ins(t, "fd00:1::", 32, O(3)), 0);
	assert_int_equal(wg_allowedips_remove_owner(t, O(3)), 3);
	assert_ptr_equal(lookup4(t, "10.1.2.3"), P(1));
	assert_ptr_equal(lookup4(t, "172.16.0.1"), P(4));
	/* bad input */
	assert_int_equal(ins(t, "10.0.0.0", 33, O(1)), -EINVAL);
	assert_int_equal(ins(t, "10.0.0.0", 8, NULL), -EINVAL);
	{
		struct wg_allowedips_owner nobody;

		wg_allowedips_owner_init(&nobody, NULL);
		assert_int_equal(ins(t, "10.0.0.0", 8, &nobody), -EINVAL);
	}
	assert_int_equal(wg_allowedips_insert(t, AF_UNIX, (const uint8_t *)"abcd", 8, O(1)), -EINVAL);
	wg_allowedips_free(t);
}

/* ---- randomized against a naive list ---- */

struct entry {
	int family;
	uint8_t key[16];
	uint8_t cidr;
	void *peer;
	bool live;
	uint64_t seq; /* when it was last inserted: owner lists follow it */
};

#define NENT 3000
static struct entry ents[NENT];
static size_t nents;

static uint64_t rng = 0x9e3779b97f4a7c15ULL;
static uint32_t rnd(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return (uint32_t)(rng >> 16);
}

static void mask(uint8_t *k, int bytes, int cidr)
{
	for (int i = cidr; i < bytes * 8; i++)
		k[i / 8] &= (uint8_t)~(0x80 >> (i % 8));
}

/* Random addresses from a small space so prefixes nest and collide. */
static void rand_addr(int family, uint8_t *a)
{
	int bytes = family == AF_INET ? 4 : 16;

	for (int i = 0; i < bytes; i++)
		a[i] = (uint8_t)rnd();
	a[0] = (uint8_t)(10 + rnd() % 3);
	a[1] &= 0x0f;
}

static void *naive(int family, const uint8_t *a)
{
	int best = -1;
	void *p = NULL;

	for (size_t i = 0; i < nents; i++) {
		uint8_t k[16];
		int bytes = family == AF_INET ? 4 : 16;

		if (!ents[i].live || ents[i].family != family)
			continue;
		memcpy(k, a, bytes);
		mask(k, bytes, ents[i].cidr);
		if (!memcmp(k, ents[i].key, bytes) && ents[i].cidr > best) {
			best = ents[i].cidr;
			p = ents[i].peer;
		}
	}
	return p;
}

static struct entry *naive_find(int family, const uint8_t *k, uint8_t cidr)
{
	for (size_t i = 0; i < nents; i++)
		if (ents[i].live && ents[i].family == family && ents[i].cidr == cidr &&
		    !memcmp(ents[i].key, k, family == AF_INET ? 4 : 16))
			return &ents[i];
	return NULL;
}

static int count_cb(void *arg, int family, const uint8_t *addr, uint8_t cidr, void *peer)
{
	struct entry *e = naive_find(family, addr, cidr);

	assert_non_null(e);
	assert_ptr_equal(e->peer, peer);
	(*(size_t *)arg)++;
	return 0;
}

/* An owner's walk gives its live prefixes ordered by last insertion. */
struct order_check {
	void *peer;
	uint64_t last_seq;
	size_t n;
};

static int order_cb(void *arg, int family, const uint8_t *addr, uint8_t cidr, void *peer)
{
	struct order_check *c = arg;
	struct entry *e = naive_find(family, addr, cidr);

	assert_non_null(e);
	assert_ptr_equal(e->peer, peer);
	assert_ptr_equal(c->peer, peer);
	assert_true(e->seq > c->last_seq);
	c->last_seq = e->seq;
	c->n++;
	return 0;
}

static size_t naive_live(void *peer)
{
	size_t n = 0;

	for (size_t i = 0; i < nents; i++)
		n += ents[i].live && (!peer || ents[i].peer == peer);
	return n;
}

static void check_all(struct wg_allowedips *t, int lookups)
{
	size_t walked = 0;

	for (int i = 0; i < lookups; i++) {
		int family = rnd() % 2 ? AF_INET : AF_INET6;
		uint8_t a[16];

		rand_addr(family, a);
		if (rnd() % 2 && nents) { /* also probe inside known prefixes */
			struct entry *e = &ents[rnd() % nents];

			if (e->family == family)
				memcpy(a, e->key, family == AF_INET ? 4 : 16);
		}
		assert_ptr_equal(wg_allowedips_lookup(t, family, a), naive(family, a));
	}
	assert_int_equal(wg_allowedips_walk(t, count_cb, &walked), 0);
	assert_int_equal(walked, naive_live(NULL));
	assert_int_equal(wg_allowedips_count(t), naive_live(NULL));
	for (int p = 0; p < 20; p++) {
		struct order_check c = { .peer = P(p) };

		assert_int_equal(wg_allowedips_owner_walk(O(p), order_cb, &c), 0);
		assert_int_equal(c.n, naive_live(P(p)));
		assert_int_equal(wg_allowedips_owner_count(O(p)), c.n);
	}
}

static void test_random(void **state)
{
	struct wg_allowedips *t = wg_allowedips_new();

	(void)state;
	nents = 0;
	for (int round = 0; round < NENT; round++) {
		int family = rnd() % 2 ? AF_INET : AF_INET6;
		int bits = family == AF_INET ? 32 : 128, bytes = bits / 8;
		uint8_t cidr = (uint8_t)(rnd() % (bits + 1)), k[16] = { 0 };
		int pi = (int)(rnd() % 20);
		void *peer = P(pi);
		struct entry *e;

		rand_addr(family, k);
		mask(k, bytes, cidr);
		if (round % 7 == 0) /* reserved nodes serve inserts too */
			assert_int_equal(wg_allowedips_reserve(t, rnd() % 4), 0);
		assert_int_equal(wg_allowedips_insert(t, family, k, cidr, O(pi)), 0);
		e = naive_find(family, k, cidr);
		if (e) {
			e->peer = peer;
			e->seq = (uint64_t)round + 1;
		} else {
			e = &ents[nents++];
			e->family = family;
			memcpy(e->key, k, 16);
			e->cidr = cidr;
			e->peer = peer;
			e->live = true;
			e->seq = (uint64_t)round + 1;
		}
		/* remove a random existing prefix now and then */
		if (rnd() % 5 == 0) {
			struct entry *r = &ents[rnd() % nents];

			if (r->live) {
				assert_int_equal(wg_allowedips_remove(t, r->family, r->key, r->cidr,
								      O((int *)r->peer - peers)), 0);
				r->live = false;
			} else {
				/* removed earlier; maybe inserted again since */
				struct entry *again = naive_find(r->family, r->key, r->cidr);

				assert_int_equal(wg_allowedips_remove(t, r->family, r->key, r->cidr,
								      NULL), again ? 0 : -ENOENT);
				if (again)
					again->live = false;
			}
		}
		if (round % 500 == 499)
			check_all(t, 2000);
	}
	check_all(t, 20000);
	/* drop peers one by one */
	for (int p = 0; p < 20; p++) {
		size_t want = naive_live(P(p));

		assert_int_equal(wg_allowedips_remove_owner(t, O(p)), want);
		assert_int_equal(wg_allowedips_owner_count(O(p)), 0);
		for (size_t i = 0; i < nents; i++)
			if (ents[i].peer == P(p))
				ents[i].live = false;
		if (p % 5 == 0)
			check_all(t, 3000);
	}
	assert_int_equal(wg_allowedips_count(t), 0);
	wg_allowedips_release(t);
	wg_allowedips_free(t);
}

static int collect_cb(void *arg, int family, const uint8_t *addr, uint8_t cidr, void *peer)
{
	char *out = arg, s[64];

	inet_ntop(family, addr, s, sizeof(s));
	sprintf(out + strlen(out), "%s/%u ", s, cidr);
	return 0;
}

/* `wg show` order: insertion order per peer; a prefix added again goes to
 * the end, a prefix taken by another peer leaves the first one's list. */
static void test_owner_order(void **state)
{
	struct wg_allowedips *t = wg_allowedips_new();
	char a[256] = "", b[256] = "";

	(void)state;
	assert_int_equal(ins(t, "10.0.0.3", 32, O(1)), 0);
	assert_int_equal(ins(t, "10.0.0.1", 32, O(1)), 0);
	assert_int_equal(ins(t, "fd00::", 64, O(1)), 0);
	assert_int_equal(ins(t, "10.0.0.2", 32, O(1)), 0);
	assert_int_equal(ins(t, "10.0.0.3", 32, O(1)), 0);  /* to the end */
	assert_int_equal(ins(t, "10.0.0.1", 32, O(2)), 0);  /* taken by 2 */
	assert_int_equal(wg_allowedips_owner_walk(O(1), collect_cb, a), 0);
	assert_string_equal(a, "fd00::/64 10.0.0.2/32 10.0.0.3/32 ");
	assert_int_equal(wg_allowedips_owner_walk(O(2), collect_cb, b), 0);
	assert_string_equal(b, "10.0.0.1/32 ");
	assert_int_equal(wg_allowedips_count(t), 4);
	assert_int_equal(wg_allowedips_remove_owner(t, O(1)), 3);
	assert_null(lookup4(t, "10.0.0.3"));
	assert_ptr_equal(lookup4(t, "10.0.0.1"), P(2));
	assert_int_equal(wg_allowedips_count(t), 1);
	wg_allowedips_free(t);
}

/* One peer with many prefixes and many peers with one each: inserting and
 * removing stay cheap (this ran for minutes with the old per-peer scans;
 * a regression shows up as a test timeout). */
static void test_many(void **state)
{
	static struct wg_allowedips_owner many[4096];
	struct wg_allowedips *t = wg_allowedips_new();
	uint8_t a[4];

	(void)state;
	assert_int_equal(wg_allowedips_reserve(t, 200000), 0);
	for (uint32_t i = 0; i < 100000; i++) {
		a[0] = 10;
		a[1] = (uint8_t)(i >> 16);
		a[2] = (uint8_t)(i >> 8);
		a[3] = (uint8_t)i;
		assert_int_equal(wg_allowedips_insert(t, AF_INET, a, 32, O(1)), 0);
	}
	for (uint32_t i = 0; i < 100000; i++) {
		struct wg_allowedips_owner *o = &many[i % 4096];

		if (i < 4096)
			wg_allowedips_owner_init(o, P(2));
		a[0] = 11;
		a[1] = (uint8_t)(i >> 16);
		a[2] = (uint8_t)(i >> 8);
		a[3] = (uint8_t)i;
		assert_int_equal(wg_allowedips_insert(t, AF_INET, a, 32, o), 0);
	}
	wg_allowedips_release(t);
	assert_int_equal(wg_allowedips_count(t), 200000);
	assert_int_equal(wg_allowedips_owner_count(O(1)), 100000);
	a[0] = 10; a[1] = 1; a[2] = 2; a[3] = 3;
	assert_ptr_equal(wg_allowedips_lookup(t, AF_INET, a), P(1));
	assert_int_equal(wg_allowedips_remove_owner(t, O(1)), 100000);
	assert_null(wg_allowedips_lookup(t, AF_INET, a));
	for (int i = 0; i < 4096; i++)
		wg_allowedips_remove_owner(t, &many[i]);
	assert_int_equal(wg_allowedips_count(t), 0);
	wg_allowedips_free(t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_basic, setup),
		cmocka_unit_test_setup(test_random, setup),
		cmocka_unit_test_setup(test_owner_order, setup),
		cmocka_unit_test_setup(test_many, setup),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
