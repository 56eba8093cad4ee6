// SPDX-License-Identifier: MIT
/* The receiver-index table against a naive reference on random operations,
 * with a deliberately bad random source to force long probe chains. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <cmocka.h>

#include "wire/index.h"

static uint32_t lcg_state;
static uint32_t lcg(void *arg)
{
	uint32_t mask = arg ? *(uint32_t *)arg : 0xffffffffu;

	lcg_state = lcg_state * 1103515245u + 12345u;
	return (lcg_state >> 1) & mask;
}

static void test_add_find_del(void **st)
{
	struct wg_index_table t;
	uint32_t a, b;
	int x, y;

	(void)st;
	wg_index_init(&t);
	assert_null(wg_index_find(&t, 1));
	assert_int_equal(wg_index_add(&t, 1, &x, lcg, NULL, &a), 0);
	assert_int_equal(wg_index_add(&t, 2, &y, lcg, NULL, &b), 0);
	assert_int_not_equal(a, 0);
	assert_int_not_equal(a, b);
	assert_ptr_equal(wg_index_find(&t, a)->ptr, &x);
	assert_int_equal(wg_index_find(&t, b)->kind, 2);
	assert_int_equal(wg_index_set(&t, a, 2, &y), 0);
	assert_ptr_equal(wg_index_find(&t, a)->ptr, &y);
	wg_index_del(&t, a);
	assert_null(wg_index_find(&t, a));
	assert_non_null(wg_index_find(&t, b));
	assert_int_equal(wg_index_set(&t, a, 1, &x), -ENOENT);
	wg_index_del(&t, a); /* absent: no effect */
	assert_int_equal(t.count, 1);
	wg_index_free(&t);
}

#define N 3000
static void test_random_against_reference(void **st)
{
	static uint32_t ids[N];
	static int live[N];
	struct wg_index_table t;
	uint32_t mask = 0x3fff; /* few distinct values: many collisions */

	(void)st;
	lcg_state = 7;
	wg_index_init(&t);
	for (int round = 0; round < 20000; round++) {
		int i = (int)(lcg(NULL) % N);

		if (!live[i] && t.count < 4000) {
			assert_int_equal(wg_index_add(&t, 1, &live[i], lcg, &mask, &ids[i]), 0);
			live[i] = 1;
		} else if (live[i]) {
			wg_index_del(&t, ids[i]);
			live[i] = 0;
		}
		if (round % 997 == 0) {
			size_t n = 0;

			for (int k = 0; k < N; k++) {
				struct wg_index_entry *e = live[k] ? wg_index_find(&t, ids[k]) : NULL;

				if (live[k]) {
					assert_non_null(e);
					assert_ptr_equal(e->ptr, &live[k]);
					n++;
				}
			}
			assert_int_equal(n, t.count);
		}
	}
	wg_index_free(&t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_add_find_del),
		cmocka_unit_test(test_random_against_reference),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
