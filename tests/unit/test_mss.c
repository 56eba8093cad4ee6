// SPDX-License-Identifier: MIT
/* TCP MSS clamping: results checked by recomputing the full checksum. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <cmocka.h>
#include <string.h>

#include "pmtu/mss.h"
#include "pmtu_testpkt.h"

static const char A4[4] = { 10, 0, 0, 2 }, B4[4] = { (char)192, 0, 2, 7 };
static const uint8_t A6[16] = { 0xfd, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2 };
static const uint8_t B6[16] = { 0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 9 };

static uint8_t pkt[2000], orig[2000];
static size_t plen;

/* IPv4/TCP with the given options (length a multiple of 4) and payload. */
static void mk_tcp4_opts(uint8_t flags, const uint8_t *opts, size_t olen, size_t payload,
			 uint16_t fragword)
{
	size_t thl = 20 + olen, tot = 20 + thl + payload;
	uint8_t *t = pkt + 20, ph[12];

	memset(pkt, 0, sizeof(pkt));
	mk_ip4(pkt, (uint16_t)tot, fragword, 6, A4, B4);
	t[0] = 0x9c; t[1] = 0x40;   /* ports */
	t[2] = 0x01; t[3] = 0xbb;
	t[4] = 0xde; t[5] = 0xad; t[6] = 0xbe; t[7] = 0xef;
	t[12] = (uint8_t)((thl / 4) << 4);
	t[13] = flags;
	t[14] = 0xfa; t[15] = 0xf0;
	if (olen)
		memcpy(t + 20, opts, olen);
	for (size_t i = 0; i < payload; i++)
		t[thl + i] = (uint8_t)(i * 13 + 5);
	ref_pseudo4(ph, pkt + 12, pkt + 16, 6, (uint16_t)(thl + payload));
	ref_fill_csum(ph, 12, t, thl + payload, 16);
	plen = tot;
	memcpy(orig, pkt, plen);
}

static bool tcp4_csum_ok(void)
{
	uint8_t ph[12];
	size_t seg = plen - 20;

	ref_pseudo4(ph, pkt + 12, pkt + 16, 6, (uint16_t)seg);
	return ref_sum2(ph, 12, pkt + 20, seg) == 0xffff;
}

static uint16_t mss_at(size_t off)
{
	return (uint16_t)((pkt[off] << 8) | pkt[off + 1]);
}

static const uint8_t LINUX_SYN_OPTS[] = {
	2, 4, 0x05, 0xb4,             /* MSS 1460 */
	4, 2,                         /* SACK permitted */
	8, 10, 0, 0, 1, 2, 0, 0, 0, 0, /* timestamps */
	1,                            /* NOP */
	3, 3, 7,                      /* window scale */
};

static void test_clamp_syn_v4(void **state)
{
	(void)state;
	mk_tcp4_opts(0x02, LINUX_SYN_OPTS, sizeof(LINUX_SYN_OPTS), 0, 0x4000);
	assert_true(tcp4_csum_ok());
	assert_int_equal(mss_clamp(pkt, plen, 1354), MSS_CLAMPED);
	assert_int_equal(mss_at(40 + 2), 1354);
	assert_true(tcp4_csum_ok());
	/* only the MSS bytes and the checksum changed */
	for (size_t i = 0; i < plen; i++)
		if (i != 36 && i != 37 && i != 42 && i != 43)
			assert_int_equal(pkt[i], orig[i]);
	/* idempotent */
	assert_int_equal(mss_clamp(pkt, plen, 1354), MSS_UNCHANGED);
	/* SYN-ACK */
	mk_tcp4_opts(0x12, LINUX_SYN_OPTS, sizeof(LINUX_SYN_OPTS), 0, 0x4000);
	assert_int_equal(mss_clamp(pkt, plen, 1334), MSS_CLAMPED);
	assert_int_equal(mss_at(42), 1334);
	assert_true(tcp4_csum_ok());
}

static void test_never_raise_never_add(void **state)
{
	static const uint8_t small[] = { 2, 4, 0x02, 0x18, 1, 1, 1, 0 }; /* MSS 536 */
	static const uint8_t none[] = { 4, 2, 1, 1, 3, 3, 7, 0 };

	(void)state;
	mk_tcp4_opts(0x02, small, sizeof(small), 0, 0);
	assert_int_equal(mss_clamp(pkt, plen, 1354), MSS_UNCHANGED);
	assert_memory_equal(pkt, orig, plen);
	mk_tcp4_opts(0x02, none, sizeof(none), 0, 0);
	assert_int_equal(mss_clamp(pkt, plen, 1354), MSS_NO_OPTION);
	assert_memory_equal(pkt, orig, plen);
	mk_tcp4_opts(0x02, NULL, 0, 0, 0);
	assert_int_equal(mss_clamp(pkt, plen, 1354), MSS_NO_OPTION);
	/* max 0 means "off" */
	mk_tcp4_opts(0x02, LINUX_SYN_OPTS, sizeof(LINUX_SYN_OPTS), 0, 0);
	assert_int_equal(mss_clamp(pkt, plen, 0), MSS_UNCHANGED);
	assert_memory_equal(pkt, orig, plen);
}

static void test_not_syn_not_tcp(void **state)
{
	(void)state;
	/* an ACK carrying MSS-looking bytes is not touched */
	mk_tcp4_opts(0x10, LINUX_SYN_OPTS, sizeof(LINUX_SYN_OPTS), 100, 0);
	assert_int_equal(mss_clamp(pkt, plen, 500), MSS_NOT_SYN);
	assert_memory_equal(pkt, orig, plen);
	/* UDP */
	mk_tcp4_opts(0x02, LINUX_SYN_OPTS, sizeof(LINUX_SYN_OPTS), 0, 0);
	pkt[9] = 17;
	assert_int_equal(mss_clamp(pkt, plen, 500), MSS_NOT_TCP);
	/* not IP */
	pkt[0] = 0x00;
	assert_int_equal(mss_clamp(pkt, plen, 500), MSS_MALFORMED);
	assert_int_equal(mss_clamp(pkt, 0, 500), MSS_MALFORMED);
	assert_string_equal(mss_result_name(MSS_BAD_OPTIONS), "bad_options");
	assert_string_equal(mss_result_name(MSS_RESULT_COUNT), "unknown");
}

static void test_odd_offset(void **state)
{
	/* NOP then MSS: the MSS value sits at an odd offset in the segment */
	static const uint8_t o1[] = { 1, 2, 4, 0x23, 0x28, 1, 1, 0 };
	/* three NOPs: even offset again, EOL padding */
	static const uint8_t o2[] = { 1, 1, 1, 2, 4, 0xff, 0xff, 0 };

	(void)state;
	mk_tcp4_opts(0x02, o1, sizeof(o1), 0, 0);
	assert_int_equal(mss_clamp(pkt, plen, 1400), MSS_CLAMPED);
	assert_int_equal(mss_at(40 + 3), 1400);
	assert_true(tcp4_csum_ok());
	mk_tcp4_opts(0x02, o2, sizeof(o2), 7, 0);
	assert_int_equal(mss_clamp(pkt, plen, 1220), MSS_CLAMPED);
	assert_int_equal(mss_at(40 + 5), 1220);
	assert_true(tcp4_csum_ok());
}

static void test_malformed_options(void **state)
{
	static const struct { uint8_t o[8]; enum mss_result want; } cases[] = {
		{ { 4, 0, 2, 4, 5, 0xb4, 0, 0 }, MSS_BAD_OPTIONS },   /* length 0 */
		{ { 4, 1, 2, 4, 5, 0xb4, 0, 0 }, MSS_BAD_OPTIONS },   /* length 1 */
		{ { 2, 3, 5, 2, 4, 5, 0xb4, 0 }, MSS_BAD_OPTIONS },   /* MSS length 3 */
		{ { 1, 1, 1, 1, 2, 4, 5, 0xb4 }, MSS_CLAMPED },       /* MSS ends at the header end */
		{ { 1, 1, 1, 1, 1, 1, 2, 4 }, MSS_BAD_OPTIONS },      /* MSS runs past the header */
		{ { 1, 1, 1, 1, 1, 1, 1, 8 }, MSS_BAD_OPTIONS },      /* kind without length byte */
		{ { 0, 2, 4, 5, 0xb4, 0, 0, 0 }, MSS_NO_OPTION },     /* after EOL: not an option */
		{ { 8, 10, 2, 4, 5, 0xb4, 0, 0 }, MSS_BAD_OPTIONS },  /* timestamps overrun */
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		enum mss_result r;

		mk_tcp4_opts(0x02, cases[i].o, 8, 3, 0);
		r = mss_clamp(pkt, plen, 1000);
		assert_int_equal(r, cases[i].want);
		assert_true(tcp4_csum_ok());
		if (r != MSS_CLAMPED)
			assert_memory_equal(pkt, orig, plen);
	}
}

static void test_truncated_and_fragments(void **state)
{
	(void)state;
	/* data offset beyond the datagram */
	mk_tcp4_opts(0x02, LINUX_SYN_OPTS, sizeof(LINUX_SYN_OPTS), 0, 0);
	pkt[32] = 0xf0;
	assert_int_equal(mss_clamp(pkt, plen, 1000), MSS_TRUNCATED);
	pkt[32] = 0x40; /* data offset 4 < 5 */
	assert_int_equal(mss_clamp(pkt, plen, 1000), MSS_TRUNCATED);
	/* the IP total length cuts the TCP header (buffer is longer) */
	mk_tcp4_opts(0x02, LINUX_SYN_OPTS, sizeof(LINUX_SYN_OPTS), 0, 0);
	pkt[2] = 0;
	pkt[3] = 30;
	ref_fill_csum(NULL, 0, pkt, 20, 10);
	assert_int_equal(mss_clamp(pkt, plen, 1000), MSS_TRUNCATED);
	/* buffer shorter than the IP total length */
	mk_tcp4_opts(0x02, LINUX_SYN_OPTS, sizeof(LINUX_SYN_OPTS), 0, 0);
	assert_int_equal(mss_clamp(pkt, plen - 1, 1000), MSS_MALFORMED);
	/* first fragment (MF) and a later fragment */
	mk_tcp4_opts(0x02, LINUX_SYN_OPTS, sizeof(LINUX_SYN_OPTS), 0, 0x2000);
	assert_int_equal(mss_clamp(pkt, plen, 1000), MSS_FRAGMENT);
	mk_tcp4_opts(0x02, LINUX_SYN_OPTS, sizeof(LINUX_SYN_OPTS), 0, 3);
	assert_int_equal(mss_clamp(pkt, plen, 1000), MSS_FRAGMENT);
	assert_memory_equal(pkt, orig, plen);
}

/* IPv6: hop-by-hop (8) + routing (24) before TCP, or a fragment header. */
static void mk_tcp6(bool ext, bool frag, uint16_t mss)
{
	size_t off = 40, thl = 24;
	uint8_t *t, ph[40];

	memset(pkt, 0, sizeof(pkt));
	if (ext) {
		pkt[off] = 43;       /* HBH -> routing */
		pkt[off + 2] = 1;    /* PadN */
		pkt[off + 3] = 4;
		off += 8;
		pkt[off] = 6;        /* routing -> TCP, 24 bytes, segments left 0 */
		pkt[off + 1] = 2;
		pkt[off + 2] = 4;
		off += 24;
	}
	if (frag) {
		pkt[off] = 6;
		pkt[off + 3] = 1;    /* offset 0, M */
		off += 8;
	}
	mk_ip6(pkt, (uint16_t)(off - 40 + thl), ext ? 0 : frag ? 44 : 6, A6, B6);
	t = pkt + off;
	t[1] = 80;
	t[12] = (uint8_t)((thl / 4) << 4);
	t[13] = 0x02;
	t[20] = 2;
	t[21] = 4;
	t[22] = (uint8_t)(mss >> 8);
	t[23] = (uint8_t)mss;
	ref_pseudo6(ph, A6, B6, 6, (uint32_t)thl);
	ref_fill_csum(ph, 40, t, thl, 16);
	plen = off + thl;
	memcpy(orig, pkt, plen);
}

static bool tcp6_csum_ok(size_t off)
{
	uint8_t ph[40];

	ref_pseudo6(ph, A6, B6, 6, (uint32_t)(plen - off));
	return ref_sum2(ph, 40, pkt + off, plen - off) == 0xffff;
}

static void test_clamp_v6(void **state)
{
	(void)state;
	mk_tcp6(false, false, 1440);
	assert_int_equal(mss_clamp(pkt, plen, 1334), MSS_CLAMPED);
	assert_int_equal(mss_at(40 + 22), 1334);
	assert_true(tcp6_csum_ok(40));
	mk_tcp6(true, false, 8940);
	assert_int_equal(mss_clamp(pkt, plen, 1360), MSS_CLAMPED);
	assert_int_equal(mss_at(72 + 22), 1360);
	assert_true(tcp6_csum_ok(72));
	mk_tcp6(true, false, 1200);
	assert_int_equal(mss_clamp(pkt, plen, 1360), MSS_UNCHANGED);
	mk_tcp6(false, true, 1440);
	assert_int_equal(mss_clamp(pkt, plen, 1334), MSS_FRAGMENT);
	assert_memory_equal(pkt, orig, plen);
	/* a routing header whose length runs past the packet */
	mk_tcp6(true, false, 1440);
	pkt[49] = 100;
	assert_int_equal(mss_clamp(pkt, plen, 1334), MSS_MALFORMED);
	/* ESP: cannot see TCP */
	mk_tcp6(false, false, 1440);
	pkt[6] = 50;
	assert_int_equal(mss_clamp(pkt, plen, 1334), MSS_NOT_TCP);
}

/* Random option lists: the result always verifies and equals min(old, max). */
static void test_random_layouts(void **state)
{
	static const uint8_t fill[][10] = {
		{ 1 }, { 4, 2 }, { 3, 3, 7 }, { 8, 10, 1, 2, 3, 4, 5, 6, 7, 8 },
		{ 5, 10, 0, 0, 0, 1, 0, 0, 0, 9 }, { 30, 4, 0xaa, 0xbb },
	};
	static const uint8_t flen[] = { 1, 2, 3, 10, 10, 4 };

	(void)state;
	srand(12345);
	for (int iter = 0; iter < 5000; iter++) {
		uint8_t opts[40];
		size_t n = 0, mss_off = 0;
		uint16_t old = (uint16_t)(rand() % 65536), max = (uint16_t)(1 + rand() % 9000);
		enum mss_result r;

		while (n < 28 && rand() % 3) {
			int k = rand() % 6;

			if (n + flen[k] > 28)
				break;
			memcpy(opts + n, fill[k], flen[k]);
			n += flen[k];
		}
		mss_off = n;
		opts[n++] = 2;
		opts[n++] = 4;
		opts[n++] = (uint8_t)(old >> 8);
		opts[n++] = (uint8_t)old;
		while (n % 4)
			opts[n++] = 1;
		mk_tcp4_opts(rand() % 2 ? 0x02 : 0x12, opts, n, (size_t)(rand() % 50), 0x4000);
		r = mss_clamp(pkt, plen, max);
		assert_int_equal(r, old > max ? MSS_CLAMPED : MSS_UNCHANGED);
		assert_int_equal(mss_at(40 + mss_off + 2), old > max ? max : old);
		assert_true(tcp4_csum_ok());
	}
}

static void test_mss_for_mtu(void **state)
{
	(void)state;
	assert_int_equal(mss_for_mtu(1394, 4), 1354);
	assert_int_equal(mss_for_mtu(1394, 6), 1334);
	assert_int_equal(mss_for_mtu(1420, 6), 1360);
	assert_int_equal(mss_for_mtu(40, 4), 0);
	assert_int_equal(mss_for_mtu(1500, 5), 0);
	assert_int_equal(mss_for_mtu(70000, 4), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_clamp_syn_v4),
		cmocka_unit_test(test_never_raise_never_add),
		cmocka_unit_test(test_not_syn_not_tcp),
		cmocka_unit_test(test_odd_offset),
		cmocka_unit_test(test_malformed_options),
		cmocka_unit_test(test_truncated_and_fragments),
		cmocka_unit_test(test_clamp_v6),
		cmocka_unit_test(test_random_layouts),
		cmocka_unit_test(test_mss_for_mtu),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
