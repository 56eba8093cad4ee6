// SPDX-License-Identifier: MIT
/* SipHash-2-4 against the reference vector, and the public-key hash table
 * against a plain array on random operations (fixed seed). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "common/keyhash.h"
#include "common/siphash.h"

/* SipHash paper, appendix A: key 00..0f, message 00..0e. */
static void test_siphash_vector(void **state)
{
	struct wg_siphash h;
	uint8_t key[16], msg[15];

	(void)state;
	for (int i = 0; i < 16; i++)
		key[i] = (uint8_t)i;
	for (int i = 0; i < 15; i++)
		msg[i] = (uint8_t)i;
	assert_int_equal(wg_siphash_init(&h, key), 0);
	assert_true(wg_siphash(&h, msg, sizeof(msg)) == 0xa129ca6149be45e5ULL);
	/* empty message: first line of the reference's vectors.h */
	assert_true(wg_siphash(&h, msg, 0) == 0x726fdb47dd0e0e31ULL);
	wg_siphash_free(&h);
	wg_siphash_free(&h); /* idempotent */
	/* a random key gives another function */
	assert_int_equal(wg_siphash_init(&h, NULL), 0);
	assert_true(wg_siphash(&h, msg, sizeof(msg)) != 0xa129ca6149be45e5ULL);
	wg_siphash_free(&h);
}

struct item {
	struct wg_keyhash_entry e;
	uint8_t key[32];
	bool in;
};

#define N 5000
static struct item items[N];

static uint64_t rng = 0x2545f4914f6cdd1dULL;
static uint32_t rnd(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return (uint32_t)(rng >> 16);
}

static struct item *of(struct wg_keyhash_entry *e)
{
	return e ? (struct item *)((char *)e - offsetof(struct item, e)) : NULL;
}

static void check(struct wg_keyhash *h)
{
	size_t n = 0;

	for (size_t i = 0; i < N; i++) {
		struct item *it = of(wg_keyhash_find(h, items[i].key));

		assert_ptr_equal(it, items[i].in ? &items[i] : NULL);
		n += items[i].in;
	}
	assert_int_equal(h->count, n);
}

static void test_table(void **state)
{
	struct wg_keyhash h;
	uint8_t other[32];

	(void)state;
	assert_int_equal(wg_keyhash_init(&h, NULL), 0);
	for (size_t i = 0; i < N; i++)
		for (int j = 0; j < 32; j++)
			items[i].key[j] = (uint8_t)rnd();
	/* keys that differ in one last byte only are different keys */
	memcpy(items[1].key, items[0].key, 32);
	items[1].key[31] ^= 1;
	check(&h);
	for (int round = 0; round < 4 * N; round++) {
		struct item *it = &items[rnd() % N];

		if (it->in)
			wg_keyhash_del(&h, &it->e);
		else
			wg_keyhash_add(&h, &it->e, it->key);
		it->in = !it->in;
		if (round % 2000 == 0)
			check(&h);
	}
	check(&h);
	assert_int_equal(wg_keyhash_reserve(&h, 100000), 0);
	assert_true(h.mask + 1 >= h.count + 100000);
	check(&h);
	memset(other, 0xab, sizeof(other));
	assert_null(wg_keyhash_find(&h, other));
	wg_keyhash_free(&h);
	wg_keyhash_free(&h);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_siphash_vector),
		cmocka_unit_test(test_table),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
