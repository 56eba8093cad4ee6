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
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "route/allowedips.h"

static int peers[64];
#define P(i) ((void *)&peers[i])

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

static int ins(struct wg_allowedips *t, const char *s, uint8_t cidr, void *peer)
{
	uint8_t a[16];
	int fam = strchr(s, ':') ? AF_INET6 : AF_INET;

	assert_int_equal(inet_pton(fam, s, a), 1);
	return wg_allowedips_insert(t, fam, a, cidr, peer);
}

static int rm(struct wg_allowedips *t, const char *s, uint8_t cidr, void *peer)
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
	assert_int_equal(ins(t, "10.0.0.0", 8, P(1)), 0);
	assert_int_equal(ins(t, "10.1.0.0", 16, P(2)), 0);
	assert_int_equal(ins(t, "10.1.2.3", 32, P(3)), 0);
	assert_int_equal(ins(t, "0.0.0.0", 0, P(4)), 0);
	assert_int_equal(ins(t, "fd00::", 8, P(5)), 0);
	assert_int_equal(ins(t, "fd00::1", 128, P(6)), 0);
	assert_int_equal(ins(t, "::", 0, P(7)), 0);
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
	assert_int_equal(ins(t, "10.1.2.3", 16, P(8)), 0);
	assert_ptr_equal(lookup4(t, "10.1.9.9"), P(8));
	assert_int_equal(wg_allowedips_count(t), 7);
	/* remove by prefix: only for the owner (or anyone with NULL) */
	assert_int_equal(rm(t, "10.1.0.0", 16, P(2)), -ENOENT);
	assert_int_equal(rm(t, "10.1.0.0", 16, P(8)), 0);
	assert_int_equal(rm(t, "10.1.0.0", 16, NULL), -ENOENT);
	assert_int_equal(rm(t, "10.1.0.0", 17, NULL), -ENOENT);
	assert_ptr_equal(lookup4(t, "10.1.9.9"), P(1));
	assert_ptr_equal(lookup4(t, "10.1.2.3"), P(3));
	/* remove by peer */
	assert_int_equal(ins(t, "172.16.0.0", 12, P(3)), 0);
	assert_int_equal(ins(t, "fd00:1::", 32, P(3)), 0);
	assert_int_equal(wg_allowedips_remove_by_peer(t, P(3)), 3);
	assert_ptr_equal(lookup4(t, "10.1.2.3"), P(1));
	assert_ptr_equal(lookup4(t, "172.16.0.1"), P(4));
	/* bad input */
	assert_int_equal(ins(t, "10.0.0.0", 33, P(1)), -EINVAL);
	assert_int_equal(ins(t, "10.0.0.0", 8, NULL), -EINVAL);
	assert_int_equal(wg_allowedips_insert(t, AF_UNIX, (const uint8_t *)"abcd", 8, P(1)), -EINVAL);
	wg_allowedips_free(t);
}

/* ---- randomized against a naive list ---- */

struct entry {
	int family;
	uint8_t key[16];
	uint8_t cidr;
	void *peer;
	bool live;
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
	assert_int_equal(wg_allowedips_walk(t, NULL, count_cb, &walked), 0);
	assert_int_equal(walked, naive_live(NULL));
	assert_int_equal(wg_allowedips_count(t), naive_live(NULL));
	walked = 0;
	assert_int_equal(wg_allowedips_walk(t, P(5), count_cb, &walked), 0);
	assert_int_equal(walked, naive_live(P(5)));
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
		void *peer = P(rnd() % 20);
		struct entry *e;

		rand_addr(family, k);
		mask(k, bytes, cidr);
		assert_int_equal(wg_allowedips_insert(t, family, k, cidr, peer), 0);
		e = naive_find(family, k, cidr);
		if (e) {
			e->peer = peer;
		} else {
			e = &ents[nents++];
			e->family = family;
			memcpy(e->key, k, 16);
			e->cidr = cidr;
			e->peer = peer;
			e->live = true;
		}
		/* remove a random existing prefix now and then */
		if (rnd() % 5 == 0) {
			struct entry *r = &ents[rnd() % nents];

			if (r->live) {
				assert_int_equal(wg_allowedips_remove(t, r->family, r->key, r->cidr,
								      r->peer), 0);
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

		assert_int_equal(wg_allowedips_remove_by_peer(t, P(p)), want);
		for (size_t i = 0; i < nents; i++)
			if (ents[i].peer == P(p))
				ents[i].live = false;
		if (p % 5 == 0)
			check_all(t, 3000);
	}
	assert_int_equal(wg_allowedips_count(t), 0);
	wg_allowedips_free(t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_basic),
		cmocka_unit_test(test_random),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
