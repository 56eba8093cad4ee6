// SPDX-License-Identifier: MIT
/* The 8128-bit receive replay window, table-driven. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "wire/transport.h"

#define W WG_REPLAY_WINDOW
#define R WG_REJECT_AFTER_MESSAGES

struct step {
	uint64_t counter;
	bool accept;
};

static void run(const char *name, const struct step *steps, size_t n)
{
	struct wg_replay r;

	wg_replay_init(&r);
	for (size_t i = 0; i < n; i++) {
		bool got = wg_replay_check_and_update(&r, steps[i].counter);

		if (got != steps[i].accept)
			fail_msg("%s: step %zu counter %llu: got %d want %d", name, i,
				 (unsigned long long)steps[i].counter, got, steps[i].accept);
	}
}

#define RUN(name, ...) do {                                          \
		static const struct step s_[] = { __VA_ARGS__ };     \
		run(name, s_, sizeof(s_) / sizeof(s_[0]));           \
	} while (0)

static void test_table(void **state)
{
	(void)state;
	RUN("in order", { 0, true }, { 1, true }, { 2, true }, { 3, true }, { 4, true });
	RUN("duplicate", { 0, true }, { 0, false }, { 1, true }, { 1, false }, { 0, false });
	RUN("reordered", { 5, true }, { 3, true }, { 4, true }, { 1, true }, { 2, true },
	    { 0, true }, { 3, false }, { 6, true }, { 5, false });
	RUN("first packet late", { 100, true }, { 0, true }, { 99, true }, { 0, false });
	/* window edge: with greatest g, g - W + 1 .. g are in, g - W is out */
	RUN("window edge", { W, true }, { 1, true }, { 0, false }, { 1, false }, { W - 1, true });
	RUN("too old", { 2 * W, true }, { W, false }, { W + 1, true }, { 2 * W - 1, true },
	    { 0, false });
	/* a jump clears only what it passes: old bits in range stay valid */
	RUN("jump keeps window", { 10, true }, { 70, true }, { 130, true }, { 10, false },
	    { 70, false }, { 11, true }, { 130 + W, true }, { 130, false }, { 131, true },
	    { 200, true }, { 200, false });
	RUN("huge jump resets", { 1, true }, { 1000000, true }, { 1, false }, { 999999, true },
	    { 1000000, false }, { 1000000 - W + 1, true }, { 1000000 - W, false });
	/* every bit of a whole 8192-counter wrap of the bitmap */
	RUN("wrap", { 8191, true }, { 8192, true }, { 8193, true }, { 8193 - W + 1, true }, { 8193 - W, false },
	    { 8191 + W, true }, { 8192, false }, { 8193 + 64, true }, { 8193 + 64, false });
	RUN("counter limit", { R - 2, true }, { R - 1, true }, { R, false }, { R + 1, false },
	    { UINT64_MAX, false }, { R - 3, true }, { R - 1, false });
}

/* Exhaustive: random-ish order over a range, compared with a set. */
static void test_against_reference(void **state)
{
	static uint8_t seen[40000];
	struct wg_replay r;
	uint64_t greatest = 0, x = 12345;
	bool any = false;

	(void)state;
	memset(seen, 0, sizeof(seen));
	wg_replay_init(&r);
	for (int i = 0; i < 200000; i++) {
		uint64_t c;
		bool want, got;

		x = x * 6364136223846793005ULL + 1442695040888963407ULL;
		/* mostly increasing, sometimes far back, sometimes duplicates */
		c = (uint64_t)i / 6 + (x >> 33) % 9000;
		if (c >= sizeof(seen))
			c = (x >> 40) % sizeof(seen);
		want = !seen[c] && (!any || c > greatest || greatest - c < W);
		got = wg_replay_check_and_update(&r, c);
		assert_int_equal(got, want);
		if (got) {
			seen[c] = 1;
			if (!any || c > greatest)
				greatest = c;
			any = true;
		}
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_table),
		cmocka_unit_test(test_against_reference),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
