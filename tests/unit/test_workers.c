// SPDX-License-Identifier: MIT
/* Fork-join workers: every item exactly once, lanes in range, many rounds,
 * small batches inline, the online-CPU default, batches inline while the
 * pool is not shared, and the spare-CPU gate and its /proc/loadavg parser. */
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

static void test_not_shared_runs_inline(void **state)
{
	static struct run r;
	struct wgd_workers w;

	(void)state;
	assert_int_equal(wgd_workers_start(&w, 4), 0);
	assert_true(w.shared); /* a fresh pool shares */
	w.shared = false;
	memset(&r, 0, sizeof(r));
	wgd_workers_run(&w, 500, work, &r);
	for (size_t i = 0; i < 500; i++) {
		assert_int_equal(atomic_load(&r.hits[i]), 1);
		assert_int_equal(r.lane[i], 0);
	}
	wgd_workers_stop(&w);
}

static void test_loadavg_parse(void **state)
{
	(void)state;
	assert_int_equal(wgd_loadavg_runnable("0.50 0.40 0.30 3/210 4242\n"), 3);
	assert_int_equal(wgd_loadavg_runnable("12.01 9.87 7.00 17/1034 99"), 17);
	assert_int_equal(wgd_loadavg_runnable("0.00 0.00 0.00 0/1 1"), 0);
	assert_int_equal(wgd_loadavg_runnable(""), -1);
	assert_int_equal(wgd_loadavg_runnable("0.50 0.40 0.30"), -1);
	assert_int_equal(wgd_loadavg_runnable("0.50 0.40 0.30 x/210 1"), -1);
	assert_int_equal(wgd_loadavg_runnable("0.50 0.40 0.30 3 1"), -1);
	assert_int_equal(wgd_loadavg_runnable("0.50 0.40 0.30 9999999999/1 1"), -1);
}

/* feeds n samples of value v; returns the last decision */
static bool feed(struct wgd_cpu_gate *g, unsigned v, int n)
{
	bool share = g->share;

	while (n-- > 0)
		share = wgd_cpu_gate_sample(g, v);
	return share;
}

static void test_cpu_gate(void **state)
{
	struct wgd_cpu_gate g;

	(void)state;
	/* one CPU: never share */
	wgd_cpu_gate_init(&g, 1);
	assert_false(g.share);
	assert_false(feed(&g, 0, 5));

	/* two CPUs: a fresh daemon shares; the loop alone keeps it so */
	wgd_cpu_gate_init(&g, 2);
	assert_true(g.share);
	assert_true(feed(&g, 1, 20));
	/* both CPUs busy (the loop and one more task): stop at once, as the
	 * first sample primes the average */
	wgd_cpu_gate_init(&g, 2);
	assert_false(feed(&g, 2, 1));
	/* the benchmark's mix (2-5 runnable on 2 CPUs): off and stays off */
	assert_false(feed(&g, 3, 3));
	for (int i = 0; i < 50; i++)
		assert_false(wgd_cpu_gate_sample(&g, (unsigned)(2 + i % 4)));
	/* the machine goes quiet: sharing resumes within about a second */
	assert_true(feed(&g, 1, 12));
	/* hysteresis: an average between cpus - 0.5 and cpus keeps the
	 * decision; 2, 2, 1 repeated settles between 1.6 and 1.8 */
	for (int i = 0; i < 60; i++)
		assert_true(wgd_cpu_gate_sample(&g, i % 3 == 2 ? 1 : 2));
	assert_false(feed(&g, 4, 6));
	for (int i = 0; i < 60; i++)
		assert_false(wgd_cpu_gate_sample(&g, i % 3 == 2 ? 1 : 2));
	/* a single busy sample does not flip a quiet average */
	assert_true(feed(&g, 1, 20));
	assert_true(wgd_cpu_gate_sample(&g, 2));
	/* an absurd sample is clamped, not wrapped */
	assert_false(wgd_cpu_gate_sample(&g, UINT32_MAX));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_every_item_once),
		cmocka_unit_test(test_inline_pool),
		cmocka_unit_test(test_online),
		cmocka_unit_test(test_not_shared_runs_inline),
		cmocka_unit_test(test_loadavg_parse),
		cmocka_unit_test(test_cpu_gate),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
