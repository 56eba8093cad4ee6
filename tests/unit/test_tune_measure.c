// SPDX-License-Identifier: MIT
/*
 * The measurer of doctor/tune (tool/tune_measure.c) on a slow process: a
 * fake clock that jumps TICK ms at every reading (a sanitizer build or a
 * starved CPU: more time passes between two readings than a search round
 * waits) and a fake peer behind a loopback UDP socket pair that answers
 * every echo of at most PATH bytes at once (the clock callback plays it,
 * so answers are queued before the measurer looks again). Every call
 * must end in bounded time whatever TICK is, and slowness alone must not
 * turn into a verdict.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "tool/tune_measure.h"

static uint64_t fake_ms, tick_ms;
static unsigned path_mtu;     /* echoes larger than this vanish (0: all do) */
static int peer_fd = -1;
static unsigned requests, answered;

/* The peer: answers every queued echo request that fits the path. */
static void peer_answer(void)
{
	uint8_t b[2048];
	ssize_t n;

	while ((n = recv(peer_fd, b, sizeof(b), MSG_DONTWAIT)) > 0) {
		requests++;
		if (!path_mtu || (unsigned)n + 20 > path_mtu)
			continue; /* ping-socket payload + a 20-byte IPv4 header */
		b[0] = 0;  /* ICMP_ECHOREPLY; the rest is echoed as it came */
		if (send(peer_fd, b, (size_t)n, MSG_DONTWAIT) == n)
			answered++;
	}
}

static uint64_t slow_clock(void)
{
	peer_answer();
	fake_ms += tick_ms;
	return fake_ms;
}

/* A measurer on one end of a connected loopback UDP pair (the measurer
 * does not care what carries its ping-socket-format echoes). */
static int open_pair(struct tmeas *t, uint64_t tick, unsigned path)
{
	struct sockaddr_in a = { .sin_family = AF_INET,
				 .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	struct sockaddr_in pa = a, ma = a;
	socklen_t l = sizeof(a);
	int m = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	int p = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);

	if (m < 0 || p < 0 || bind(m, (struct sockaddr *)&a, sizeof(a)) ||
	    bind(p, (struct sockaddr *)&a, sizeof(a)) ||
	    getsockname(m, (struct sockaddr *)&ma, &l) ||
	    (l = sizeof(a), getsockname(p, (struct sockaddr *)&pa, &l)) ||
	    connect(m, (struct sockaddr *)&pa, sizeof(pa)) ||
	    connect(p, (struct sockaddr *)&ma, sizeof(ma))) {
		if (m >= 0)
			close(m);
		if (p >= 0)
			close(p);
		return -1;
	}
	peer_fd = p;
	fake_ms = 1000000;
	tick_ms = tick;
	path_mtu = path;
	requests = answered = 0;
	assert_int_equal(tm_open_fd(t, m, AF_INET, 1200, 1420, 0, 0, slow_clock), 0);
	return 0;
}

static void close_pair(struct tmeas *t)
{
	tm_close(t);
	close(peer_fd);
	peer_fd = -1;
}

/* One tm_step() sends one round at most, however much time passed while
 * it sent: it used to poll the engine again and again, each poll finding
 * the round it had just sent timed out, so on a process slower than a
 * round's wait one call ran the whole search blind (answers unread) and
 * declared the base size lost. */
static void test_step_one_round(void **state)
{
	struct tmeas t;
	unsigned sent;

	(void)state;
	if (open_pair(&t, 1500, 0) < 0)
		skip();
	tm_start(&t);
	assert_int_equal(tm_step(&t), 0);
	sent = t.eng.st.probes_sent;
	assert_true(sent > 0);
	assert_int_equal(t.eng.st.rounds, 0);  /* none closed yet */
	assert_int_equal(plpmtud_state(&t.eng), PLPMTUD_BASE);
	assert_int_equal(tm_timeout_ms(&t), 0); /* the next round is due now */
	assert_int_equal(tm_step(&t), 0);
	assert_int_equal(t.eng.st.rounds, 1);
	assert_true(t.eng.st.probes_sent <= 2 * sent);
	close_pair(&t);
}

/* tm_measure() stops at its deadline, give or take one step. */
static void test_measure_deadline(void **state)
{
	struct tmeas t;
	uint64_t t0;

	(void)state;
	if (open_pair(&t, 1500, 0) < 0)
		skip();
	t0 = fake_ms;
	assert_int_equal(tm_measure(&t, 2000), 0);
	/* the clock readings: start, each step's, each deadline check */
	assert_true(fake_ms - t0 <= 2000 + 3 * 1500);
	/* no answer yet, but too little time to call the base size lost */
	assert_false(tm_complete(&t));
	assert_int_not_equal(plpmtud_state(&t.eng), PLPMTUD_ERROR);
	close_pair(&t);
}

/* A peer that answers at once, on a process so slow that every round's
 * wait is over before the measurer looks again: the answers are read
 * before the next round closes, and the search finds the path. */
static void test_measure_slow_finds_path(void **state)
{
	static const uint64_t ticks[] = { 1, 3500, 9000 };

	(void)state;
	for (size_t i = 0; i < sizeof(ticks) / sizeof(ticks[0]); i++) {
		struct tmeas t;
		uint64_t t0;

		if (open_pair(&t, ticks[i], 1392) < 0)
			skip();
		t0 = fake_ms;
		assert_int_equal(tm_measure(&t, 600000), 0);
		if (!tm_complete(&t) || tm_result(&t) != 1392)
			fail_msg("tick %llu ms: state %s, result %u, %u probes, %u answered",
				 (unsigned long long)ticks[i],
				 plpmtud_state_name(plpmtud_state(&t.eng)), tm_result(&t),
				 t.eng.st.probes_sent, answered);
		/* a few rounds, each a handful of clock readings */
		assert_true(fake_ms - t0 <= 64 * ticks[i] + 10000);
		close_pair(&t);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_step_one_round),
		cmocka_unit_test(test_measure_deadline),
		cmocka_unit_test(test_measure_slow_finds_path),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
