// SPDX-License-Identifier: MIT
/* Fork-join workers: every item exactly once, lanes in range, many rounds,
 * small batches inline, the online-CPU default. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "daemon/workers.h"

#define ITEMS 1000

struct run {
	atomic_uint hits[ITEMS];
	unsigned lane[ITEMS];
	unsigned nlanes;
};

static void work(void *arg, size_t i, unsigned lane)
{
	struct run *r = arg;

	atomic_fetch_add(&r->hits[i], 1);
	r->lane[i] = lane;
}

static void test_every_item_once(void **state)
{
	static struct run r;
	struct wgd_workers w;

	(void)state;
	assert_int_equal(wgd_workers_start(&w, 4), 0);
	assert_int_equal(w.n, 4);
	for (int round = 0; round < 200; round++) {
		size_t count = (size_t)(round * 37) % ITEMS;

		memset(&r, 0, sizeof(r));
		wgd_workers_run(&w, count, work, &r);
		/* the join: every result is visible here */
		for (size_t i = 0; i < ITEMS; i++) {
			assert_int_equal(atomic_load(&r.hits[i]), i < count ? 1 : 0);
			if (i < count)
				assert_true(r.lane[i] < 4);
		}
	}
	/* a batch below the hand-off threshold runs on the caller (lane 0) */
	memset(&r, 0, sizeof(r));
	wgd_workers_run(&w, 2, work, &r);
	assert_int_equal(r.lane[0], 0);
	assert_int_equal(r.lane[1], 0);
	wgd_workers_stop(&w);
	wgd_workers_stop(&w); /* idempotent */
	assert_int_equal(w.n, 1);
}

static void test_inline_pool(void **state)
{
	static struct run r;
	struct wgd_workers w;

	(void)state;
	assert_int_equal(wgd_workers_start(&w, 1), 0);
	memset(&r, 0, sizeof(r));
	wgd_workers_run(&w, 100, work, &r);
	for (size_t i = 0; i < 100; i++) {
		assert_int_equal(atomic_load(&r.hits[i]), 1);
		assert_int_equal(r.lane[i], 0);
	}
	wgd_workers_stop(&w);
}

static void test_online(void **state)
{
	(void)state;
	assert_true(wgd_workers_online(16) >= 1 && wgd_workers_online(16) <= 16);
	assert_int_equal(wgd_workers_online(1), 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_every_item_once),
		cmocka_unit_test(test_inline_pool),
		cmocka_unit_test(test_online),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
