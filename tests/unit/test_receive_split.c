// SPDX-License-Identifier: MIT
/* wgd_receive_split: UDP GRO super-datagrams become single messages in
 * place, with the sender's endpoint; plain and truncated datagrams pass
 * as they are; the output bound is kept. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "daemon/device.h"

static uint8_t a[4096], b[4096];

static void set_ep(struct wgd_endpoint *ep, uint16_t port)
{
	memset(ep, 0, sizeof(*ep));
	ep->addr.in4.sin_family = AF_INET;
	ep->addr.in4.sin_port = htons(port);
}

static void test_super_and_plain(void **st)
{
	struct wgd_dgram d[3], out[16];
	size_t n;

	(void)st;
	memset(d, 0, sizeof(d));
	/* 3 segments of 100, the last 37 bytes */
	d[0].buf = a;
	d[0].len = 237;
	d[0].gso = 100;
	set_ep(&d[0].ep, 1111);
	/* a plain datagram */
	d[1].buf = b;
	d[1].len = 148;
	set_ep(&d[1].ep, 2222);
	/* truncated (MSG_TRUNC): one empty message, dropped later */
	d[2].buf = b + 2048;
	d[2].len = 0;
	set_ep(&d[2].ep, 3333);
	n = wgd_receive_split(d, 3, out, 16);
	assert_int_equal(n, 5);
	assert_ptr_equal(out[0].buf, a);
	assert_int_equal(out[0].len, 100);
	assert_ptr_equal(out[1].buf, a + 100);
	assert_int_equal(out[1].len, 100);
	assert_ptr_equal(out[2].buf, a + 200);
	assert_int_equal(out[2].len, 37);
	for (int i = 0; i < 3; i++) {
		assert_int_equal(ntohs(out[i].ep.addr.in4.sin_port), 1111);
		assert_int_equal(out[i].gso, 0);
		assert_int_equal(out[i].cap, out[i].len);
	}
	assert_ptr_equal(out[3].buf, b);
	assert_int_equal(out[3].len, 148);
	assert_int_equal(ntohs(out[3].ep.addr.in4.sin_port), 2222);
	assert_int_equal(out[4].len, 0);
	assert_int_equal(ntohs(out[4].ep.addr.in4.sin_port), 3333);
}

static void test_exact_multiple_and_bound(void **st)
{
	struct wgd_dgram d[2], out[4];
	size_t n;

	(void)st;
	memset(d, 0, sizeof(d));
	d[0].buf = a;
	d[0].len = 64 * 32; /* 32 equal segments, no short tail */
	d[0].gso = 64;
	d[1].buf = b;
	d[1].len = 10;
	n = wgd_receive_split(d, 2, out, 4);
	assert_int_equal(n, 4); /* never beyond cap */
	for (int i = 0; i < 4; i++) {
		assert_ptr_equal(out[i].buf, a + 64 * i);
		assert_int_equal(out[i].len, 64);
	}
	{
		struct wgd_dgram all[40];

		n = wgd_receive_split(d, 2, all, 40);
		assert_int_equal(n, 33);
		assert_int_equal(all[31].len, 64);
		assert_ptr_equal(all[32].buf, b);
	}
	assert_int_equal(wgd_receive_split(d, 0, out, 4), 0);
	assert_int_equal(wgd_receive_split(d, 2, out, 0), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_super_and_plain),
		cmocka_unit_test(test_exact_multiple_and_bound),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
