// SPDX-License-Identifier: MIT
/*
 * Handshake rate limit (20/s per source, burst 5, IPv4 /32, IPv6 /64,
 * bounded table with expiry) and the under-load / cookie decision.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <arpa/inet.h>
#include <errno.h>
#include <string.h>
#include <sys/socket.h>

#include "common/ratelimit.h"

#define MS(x) ((uint64_t)(x) * 1000000ULL)
#define S(x) (MS(x) * 1000ULL)
#define T0 MS(5000)

static const uint8_t HK[16] = { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16 };

static void v4(const char *s, uint8_t a[4])
{
	assert_int_equal(inet_pton(AF_INET, s, a), 1);
}

static void v6(const char *s, uint8_t a[16])
{
	assert_int_equal(inet_pton(AF_INET6, s, a), 1);
}

static void test_burst_and_refill(void **state)
{
	struct wg_ratelimit rl;
	uint8_t a[4];

	assert_int_equal(wg_ratelimit_init(&rl, 0, HK), 0);
	v4("192.0.2.1", a);
	for (int i = 0; i < 5; i++)
		assert_true(wg_ratelimit_allow(&rl, AF_INET, a, T0));
	assert_false(wg_ratelimit_allow(&rl, AF_INET, a, T0));
	assert_int_equal(rl.n_limited, 1);
	/* one token per 50 ms */
	assert_false(wg_ratelimit_allow(&rl, AF_INET, a, T0 + MS(49)));
	assert_true(wg_ratelimit_allow(&rl, AF_INET, a, T0 + MS(50)));
	assert_false(wg_ratelimit_allow(&rl, AF_INET, a, T0 + MS(50)));
	/* the bucket holds at most 5 */
	assert_true(wg_ratelimit_allow(&rl, AF_INET, a, T0 + MS(900)));
	for (int i = 0; i < 4; i++)
		assert_true(wg_ratelimit_allow(&rl, AF_INET, a, T0 + MS(900)));
	assert_false(wg_ratelimit_allow(&rl, AF_INET, a, T0 + MS(900)));
	wg_ratelimit_free(&rl);
}

/* 100 attempts per second for 10 s: 5 (burst) + 20 per second pass. */
static void test_steady_rate(void **state)
{
	struct wg_ratelimit rl;
	uint8_t a[16];
	int ok = 0;

	assert_int_equal(wg_ratelimit_init(&rl, 0, HK), 0);
	v6("2001:db8::1", a);
	for (int i = 0; i < 1000; i++)
		ok += wg_ratelimit_allow(&rl, AF_INET6, a, T0 + MS(10) * (uint64_t)i);
	/* t = 0 .. 9.99 s: 5 + floor(9.99 / 0.05) = 5 + 199 */
	assert_int_equal(ok, 204);
	wg_ratelimit_free(&rl);
}

/* Sources: IPv4 /32, IPv6 /64. */
static void test_source_granularity(void **state)
{
	struct wg_ratelimit rl;
	uint8_t a[16], b[16];

	assert_int_equal(wg_ratelimit_init(&rl, 0, HK), 0);
	v4("192.0.2.1", a);
	v4("192.0.2.2", b);
	for (int i = 0; i < 5; i++)
		assert_true(wg_ratelimit_allow(&rl, AF_INET, a, T0));
	assert_false(wg_ratelimit_allow(&rl, AF_INET, a, T0));
	assert_true(wg_ratelimit_allow(&rl, AF_INET, b, T0));

	v6("2001:db8:0:7::1", a);
	for (int i = 0; i < 5; i++)
		assert_true(wg_ratelimit_allow(&rl, AF_INET6, a, T0));
	v6("2001:db8:0:7:ffff:1:2:3", b); /* same /64 */
	assert_false(wg_ratelimit_allow(&rl, AF_INET6, b, T0));
	v6("2001:db8:0:8::1", b);          /* next /64 */
	assert_true(wg_ratelimit_allow(&rl, AF_INET6, b, T0));
	/* an IPv4 address and an IPv6 one with the same leading bytes differ */
	v4("32.1.13.184", a);              /* 2001:0db8 as bytes */
	v6("2001:db8::", b);
	for (int i = 0; i < 5; i++)
		assert_true(wg_ratelimit_allow(&rl, AF_INET6, b, T0 + MS(2000)));
	assert_true(wg_ratelimit_allow(&rl, AF_INET, a, T0 + MS(2000)));

	assert_false(wg_ratelimit_allow(&rl, AF_UNIX, a, T0));
	assert_false(wg_ratelimit_allow(&rl, AF_INET, NULL, T0));
	wg_ratelimit_free(&rl);
}

/* Bounded: a full table refuses new sources until idle ones expire. */
static void test_table_bound_and_expiry(void **state)
{
	struct wg_ratelimit rl;
	uint8_t a[4] = { 10, 0, 0, 0 };

	assert_int_equal(wg_ratelimit_init(&rl, 16, HK), 0);
	for (int i = 0; i < 16; i++) {
		a[3] = (uint8_t)i;
		assert_true(wg_ratelimit_allow(&rl, AF_INET, a, T0));
	}
	assert_int_equal(wg_ratelimit_count(&rl), 16);
	a[3] = 200;
	assert_false(wg_ratelimit_allow(&rl, AF_INET, a, T0 + MS(500)));
	assert_int_equal(rl.n_refused_full, 1);
	/* known sources still work */
	a[3] = 3;
	assert_true(wg_ratelimit_allow(&rl, AF_INET, a, T0 + MS(600)));
	/* 1 s later the 15 idle ones are gone, source 3 (seen 0.6 s ago) stays
	 * with its bucket state */
	a[3] = 200;
	assert_true(wg_ratelimit_allow(&rl, AF_INET, a, T0 + MS(1100)));
	assert_int_equal(wg_ratelimit_count(&rl), 2);
	/* explicit gc: everything idle for more than 1 s goes */
	wg_ratelimit_gc(&rl, T0 + MS(5000));
	assert_int_equal(wg_ratelimit_count(&rl), 0);
	/* time going backwards: no refill, no crash */
	a[3] = 9;
	for (int i = 0; i < 5; i++)
		assert_true(wg_ratelimit_allow(&rl, AF_INET, a, T0 + MS(6000)));
	assert_false(wg_ratelimit_allow(&rl, AF_INET, a, T0 + MS(100)));
	wg_ratelimit_free(&rl);
}

/* A full default table: every source keeps its own bucket (probe chains,
 * collisions, rebuild by gc). */
static void test_many_sources(void **state)
{
	struct wg_ratelimit rl;
	uint8_t a[16] = { 0x20, 0x01, 0x0d, 0xb8 };
	size_t n = WG_RATELIMIT_DEFAULT_ENTRIES;

	assert_int_equal(wg_ratelimit_init(&rl, 0, HK), 0);
	for (int round = 0; round < 6; round++) {
		for (size_t i = 0; i < n; i++) {
			a[6] = (uint8_t)(i >> 8);
			a[7] = (uint8_t)i;
			a[15] = (uint8_t)round; /* same /64 */
			if (wg_ratelimit_allow(&rl, AF_INET6, a, T0 + MS(1) * (uint64_t)round) != (round < 5))
				fail_msg("source %zu round %d", i, round);
		}
	}
	assert_int_equal(wg_ratelimit_count(&rl), n);
	/* a gc that keeps everyone keeps every bucket */
	wg_ratelimit_gc(&rl, T0 + MS(10));
	assert_int_equal(wg_ratelimit_count(&rl), n);
	for (size_t i = 0; i < n; i++) {
		a[6] = (uint8_t)(i >> 8);
		a[7] = (uint8_t)i;
		assert_false(wg_ratelimit_allow(&rl, AF_INET6, a, T0 + MS(10)));
	}
	wg_ratelimit_free(&rl);
}

static void test_init_errors(void **state)
{
	struct wg_ratelimit rl;

	assert_int_equal(wg_ratelimit_init(&rl, (1u << 20) + 1, HK), -EINVAL);
	assert_int_equal(wg_ratelimit_init(&rl, 4, NULL), -EINVAL);
	assert_int_equal(wg_ratelimit_init(&rl, 1, HK), 0);
	assert_int_equal(rl.n_slots, 16);
	wg_ratelimit_free(&rl);
	/* a freed limiter refuses instead of crashing */
	assert_false(wg_ratelimit_allow(&rl, AF_INET, HK, T0));
}

/* Under load from queue depth >= capacity / 8, held for 1 s after. */
static void test_load(void **state)
{
	struct wg_load l;

	wg_load_init(&l, 0);
	assert_int_equal(l.threshold, 512);
	assert_false(wg_load_update(&l, 0, 0));
	assert_false(wg_load_update(&l, 511, T0));
	assert_true(wg_load_update(&l, 512, T0));
	assert_true(wg_load_update(&l, 0, T0 + MS(999)));
	assert_false(wg_load_update(&l, 0, T0 + MS(1000)));
	assert_true(wg_load_update(&l, 4096, T0 + MS(1500)));
	assert_true(wg_load_update(&l, 1, T0 + MS(2499)));
	assert_false(wg_load_update(&l, 1, T0 + MS(2500)));

	wg_load_init(&l, 1024); /* wireguard-go's queue: 128 */
	assert_int_equal(l.threshold, 128);
	wg_load_init(&l, 3);
	assert_int_equal(l.threshold, 1);
}

static void test_decide(void **state)
{
	struct wg_ratelimit rl;
	uint8_t a[4];

	v4("198.51.100.7", a);
	assert_int_equal(wg_ratelimit_init(&rl, 0, HK), 0);
	/* bad MAC1 is dropped whatever the load */
	assert_int_equal(wg_load_decide(false, false, true, &rl, AF_INET, a, T0), WG_LOAD_DROP_BAD_MAC);
	assert_int_equal(wg_load_decide(true, false, true, &rl, AF_INET, a, T0), WG_LOAD_DROP_BAD_MAC);
	/* not under load: MAC2 is not looked at, no rate limit */
	for (int i = 0; i < 20; i++)
		assert_int_equal(wg_load_decide(false, true, false, &rl, AF_INET, a, T0), WG_LOAD_PROCESS);
	assert_int_equal(wg_ratelimit_count(&rl), 0);
	/* under load without a cookie: cookie reply, no bucket spent */
	for (int i = 0; i < 20; i++)
		assert_int_equal(wg_load_decide(true, true, false, &rl, AF_INET, a, T0), WG_LOAD_SEND_COOKIE);
	assert_int_equal(wg_ratelimit_count(&rl), 0);
	/* under load with a cookie: the per-source limit */
	for (int i = 0; i < 5; i++)
		assert_int_equal(wg_load_decide(true, true, true, &rl, AF_INET, a, T0), WG_LOAD_PROCESS);
	assert_int_equal(wg_load_decide(true, true, true, &rl, AF_INET, a, T0), WG_LOAD_DROP_RATELIMITED);
	assert_int_equal(wg_load_decide(true, true, true, NULL, AF_INET, a, T0), WG_LOAD_PROCESS);
	wg_ratelimit_free(&rl);
}

/* wgmtu responder's use: 200/s per source in front of a global 4000/s.
 * One source flooding at 300k/s (issue 11.4 measured 317k) must not
 * starve a legitimate source sending 100/s: the flood is stopped by its
 * own bucket before it can spend the shared one. */
static void test_flooder_does_not_starve(void **state)
{
	struct wg_ratelimit rl;
	struct wg_bucket global;
	uint8_t flood[4], legit[4];
	unsigned flood_ok = 0, legit_ok = 0, legit_n = 0;

	assert_int_equal(wg_ratelimit_init_rate(&rl, 0, HK, 200, 200), 0);
	assert_int_equal(wg_bucket_init(&global, 4000, 4000), 0);
	v4("192.0.2.66", flood);
	v4("198.51.100.7", legit);
	for (uint64_t t = 0; t < 300000; t++) {
		uint64_t now = T0 + t * 3333; /* 300k/s for one second */

		flood_ok += wg_ratelimit_allow_shared(&rl, &global, AF_INET, flood, now);
		if (t % 3000 == 0) {
			legit_n++;
			legit_ok += wg_ratelimit_allow_shared(&rl, &global, AF_INET, legit, now);
		}
	}
	assert_int_equal(legit_ok, legit_n);
	/* the burst plus one second at the source's rate */
	assert_in_range(flood_ok, 399, 401);
	assert_true(rl.n_limited >= 299000);
	assert_int_equal(rl.n_global_limited, 0);
	wg_ratelimit_free(&rl);
}

/* Many sources together do reach the global limit; a source refused by
 * it keeps its own tokens. */
static void test_global_limit(void **state)
{
	struct wg_ratelimit rl;
	struct wg_bucket global;
	uint8_t a[4] = { 10, 0, 0, 0 };
	unsigned ok = 0;

	assert_int_equal(wg_ratelimit_init_rate(&rl, 0, HK, 10, 10), 0);
	assert_int_equal(wg_bucket_init(&global, 100, 50), 0);
	for (int i = 0; i < 200; i++) {
		a[3] = (uint8_t)i;
		ok += wg_ratelimit_allow_shared(&rl, &global, AF_INET, a, T0);
	}
	assert_int_equal(ok, 50);
	assert_int_equal(rl.n_global_limited, 150);
	/* 100 ms later: 10 global tokens; the first refused source (50) still
	 * has its whole burst of its own */
	a[3] = 0;
	assert_true(wg_ratelimit_allow_shared(&rl, &global, AF_INET, a, T0 + MS(100)));
	a[3] = 50;
	for (int i = 0; i < 9; i++)
		assert_true(wg_ratelimit_allow_shared(&rl, &global, AF_INET, a, T0 + MS(100)));
	assert_false(wg_ratelimit_allow_shared(&rl, &global, AF_INET, a, T0 + MS(100)));
	assert_int_equal(rl.n_global_limited, 151);
	wg_ratelimit_free(&rl);
}

static void test_custom_rate_and_bucket(void **state)
{
	struct wg_ratelimit rl;
	struct wg_bucket b;
	uint8_t a[4];

	v4("203.0.113.9", a);
	/* 1/s with a burst of 10: an idle entry is kept until a burst refills,
	 * so forgetting it never hands out a fresh burst early */
	assert_int_equal(wg_ratelimit_init_rate(&rl, 0, HK, 1, 10), 0);
	for (int i = 0; i < 10; i++)
		assert_true(wg_ratelimit_allow(&rl, AF_INET, a, T0));
	assert_false(wg_ratelimit_allow(&rl, AF_INET, a, T0));
	assert_true(wg_ratelimit_allow(&rl, AF_INET, a, T0 + MS(2500)));
	assert_true(wg_ratelimit_allow(&rl, AF_INET, a, T0 + MS(2500)));
	assert_false(wg_ratelimit_allow(&rl, AF_INET, a, T0 + MS(2500)));
	wg_ratelimit_free(&rl);
	assert_int_equal(wg_ratelimit_init_rate(&rl, 0, HK, 0, 10), -EINVAL);
	assert_int_equal(wg_ratelimit_init_rate(&rl, 0, HK, 10, 0), -EINVAL);

	assert_int_equal(wg_bucket_init(&b, 0, 1), -EINVAL);
	assert_int_equal(wg_bucket_init(&b, 1, 0), -EINVAL);
	assert_int_equal(wg_bucket_init(&b, 2, 3), 0);
	for (int i = 0; i < 3; i++)
		assert_true(wg_bucket_take(&b, T0));
	assert_false(wg_bucket_take(&b, T0));
	assert_false(wg_bucket_take(&b, T0 + MS(499)));
	assert_true(wg_bucket_take(&b, T0 + MS(500)));
	/* refills to the burst, not beyond */
	for (int i = 0; i < 3; i++)
		assert_true(wg_bucket_take(&b, T0 + MS(60000)));
	assert_false(wg_bucket_take(&b, T0 + MS(60000)));
}

/* The ICMP errors wgmtud writes into its TUN (pmtu/icmp.h's rates: 10/s,
 * burst 10 per source, behind 1000/s, burst 50): the same limiter. */
static void test_icmp_error_rates(void **state)
{
	struct wg_ratelimit rl;
	struct wg_bucket all;
	uint8_t a[4] = { 10, 0, 0, 2 }, s6[16];
	unsigned ok = 0;

	assert_int_equal(wg_ratelimit_init_rate(&rl, 1024, HK, 10, 10), 0);
	assert_int_equal(wg_bucket_init(&all, 1000, 50), 0);
	for (int i = 0; i < 20; i++)
		ok += wg_ratelimit_allow_shared(&rl, &all, AF_INET, a, T0);
	assert_int_equal(ok, 10);
	/* one more per 100 ms */
	assert_false(wg_ratelimit_allow_shared(&rl, &all, AF_INET, a, T0 + MS(99)));
	assert_true(wg_ratelimit_allow_shared(&rl, &all, AF_INET, a, T0 + MS(100)));
	/* time going backwards earns nothing */
	assert_false(wg_ratelimit_allow_shared(&rl, &all, AF_INET, a, T0 - MS(500)));
	/* 60 more sources at once: the global bucket (full again after
	 * 100 ms at 1000/s, burst 50, one just taken) runs dry at 49 */
	ok = 0;
	for (int i = 0; i < 60; i++) {
		a[3] = (uint8_t)(10 + i);
		ok += wg_ratelimit_allow_shared(&rl, &all, AF_INET, a, T0 + MS(100));
	}
	assert_int_equal(ok, 49);
	assert_int_equal(rl.n_global_limited, 11);
	v6("fd00::2", s6);
	assert_true(wg_ratelimit_allow_shared(&rl, &all, AF_INET6, s6, T0 + S(2)));
	assert_false(wg_ratelimit_allow_shared(&rl, &all, 99, s6, T0 + S(2)));
	wg_ratelimit_free(&rl);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_burst_and_refill),
		cmocka_unit_test(test_steady_rate),
		cmocka_unit_test(test_source_granularity),
		cmocka_unit_test(test_table_bound_and_expiry),
		cmocka_unit_test(test_many_sources),
		cmocka_unit_test(test_init_errors),
		cmocka_unit_test(test_load),
		cmocka_unit_test(test_decide),
		cmocka_unit_test(test_flooder_does_not_starve),
		cmocka_unit_test(test_global_limit),
		cmocka_unit_test(test_custom_rate_and_bucket),
		cmocka_unit_test(test_icmp_error_rates),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
