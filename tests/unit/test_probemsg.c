// SPDX-License-Identifier: MIT
/* In-band probe messages: the wire layout byte by byte, decoding rules,
 * and the size arithmetic that turns an outer size into a plaintext. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "pmtu/probemsg.h"

static uint8_t buf[70000];

static void test_layout_golden(void **state)
{
	/* the header as docs/pmtu-probe-format.md draws it */
	static const uint8_t want_probe[PMSG_HDR_LEN] = {
		0xF0, 0x57, 0x4D, 0x50, /* magic */
		0x01,                   /* version */
		0x01,                   /* type probe */
		0x00, 0x01,             /* flags: pad-ack */
		0x12, 0x34, 0x56, 0x78, /* probe id */
		0x05, 0xAE,             /* probed size 1454 */
		0x00, 0x18,             /* header length 24 */
		0x00, 0x00, 0x00, 0x00, /* seen sizes: zero in a probe */
		0x00, 0x00, 0x00, 0x00, /* reserved */
	};
	static const uint8_t want_ack[PMSG_HDR_LEN] = {
		0xF0, 0x57, 0x4D, 0x50, 0x01, 0x02, 0x00, 0x00,
		0x12, 0x34, 0x56, 0x78, 0x05, 0xAE, 0x00, 0x18,
		0x05, 0xAE,             /* seen IP size 1454 */
		0x05, 0x92,             /* seen UDP payload 1426 */
		0x00, 0x00, 0x00, 0x00,
	};
	struct pmsg p = {
		.version = PMSG_VERSION, .type = PMSG_TYPE_PROBE, .flags = PMSG_F_PAD_ACK,
		.id = 0x12345678, .probed_size = 1454,
		.seen_ip_size = 99, .seen_udp_len = 99, /* ignored in a probe */
	}, a;
	int plen = pmsg_plaintext_len(1454, OVH_IPV4);

	(void)state;
	assert_int_equal(plen, 1394);
	memset(buf, 0xee, sizeof(buf));
	assert_int_equal(pmsg_encode(&p, buf, sizeof(buf), (size_t)plen), 1394);
	assert_memory_equal(buf, want_probe, PMSG_HDR_LEN);
	for (int i = PMSG_HDR_LEN; i < plen; i++)
		assert_int_equal(buf[i], 0);
	assert_int_equal(buf[plen], 0xee); /* not one byte more */
	/* a standard peer looks at the first nibble: neither 4 nor 6 */
	assert_int_not_equal(buf[0] >> 4, 4);
	assert_int_not_equal(buf[0] >> 4, 6);
	assert_int_not_equal(buf[0] >> 4, 0);

	/* the receiver got 1394 + 32 = 1426 bytes of UDP payload over IPv4 */
	pmsg_make_ack(&p, 1426, OVH_IPV4, &a);
	assert_int_equal(pmsg_encode(&a, buf, sizeof(buf), PMSG_HDR_LEN), PMSG_HDR_LEN);
	assert_memory_equal(buf, want_ack, PMSG_HDR_LEN);
}

static void test_roundtrip(void **state)
{
	struct pmsg p = {
		.version = PMSG_VERSION, .type = PMSG_TYPE_PROBE,
		.id = 0xfffffffe, .probed_size = 1374,
	}, d, a;

	(void)state;
	assert_int_equal(pmsg_encode(&p, buf, sizeof(buf), 1294), 1294);
	assert_true(pmsg_is_candidate(buf, 1294));
	assert_int_equal(pmsg_decode(buf, 1294, &d), 0);
	assert_int_equal(d.version, 1);
	assert_int_equal(d.type, PMSG_TYPE_PROBE);
	assert_int_equal(d.flags, 0);
	assert_int_equal(d.id, 0xfffffffe);
	assert_int_equal(d.probed_size, 1374);
	assert_int_equal(d.hdr_len, 24);
	assert_int_equal(d.seen_ip_size, 0);

	pmsg_make_ack(&d, 1294 + 32, OVH_IPV6, &a);
	assert_int_equal(a.seen_ip_size, 1374);
	assert_int_equal(a.seen_udp_len, 1326);
	assert_int_equal(pmsg_encode(&a, buf, sizeof(buf), 24), 24);
	assert_int_equal(pmsg_decode(buf, 24, &d), 0);
	assert_int_equal(d.type, PMSG_TYPE_ACK);
	assert_int_equal(d.id, 0xfffffffe);
	assert_int_equal(d.probed_size, 1374);
	assert_int_equal(d.seen_ip_size, 1374);
	assert_int_equal(d.seen_udp_len, 1326);
	/* absurd UDP lengths saturate instead of wrapping */
	pmsg_make_ack(&d, 70000, OVH_IPV4, &a);
	assert_int_equal(a.seen_udp_len, 0xffff);
	assert_int_equal(a.seen_ip_size, 0xffff);
}

static void test_decode_rejects(void **state)
{
	static const uint8_t ipv4[24] = { 0x45, 0, 0, 24 };
	static const uint8_t ipv6[40] = { 0x60 };
	struct pmsg p = { .version = PMSG_VERSION, .type = PMSG_TYPE_PROBE, .id = 1 }, d;

	(void)state;
	/* not ours: IP packets, a keepalive, near-misses of the magic */
	assert_int_equal(pmsg_decode(ipv4, sizeof(ipv4), &d), -ENOMSG);
	assert_int_equal(pmsg_decode(ipv6, sizeof(ipv6), &d), -ENOMSG);
	assert_int_equal(pmsg_decode(buf, 0, &d), -ENOMSG);
	assert_int_equal(pmsg_encode(&p, buf, sizeof(buf), 64), 64);
	assert_int_equal(pmsg_decode(buf, 3, &d), -ENOMSG);
	buf[3] ^= 1;
	assert_int_equal(pmsg_decode(buf, 64, &d), -ENOMSG);
	buf[3] ^= 1;
	/* another version: not spoken, not answered */
	buf[4] = 2;
	assert_int_equal(pmsg_decode(buf, 64, &d), -EPROTONOSUPPORT);
	buf[4] = 0;
	assert_int_equal(pmsg_decode(buf, 64, &d), -EPROTONOSUPPORT);
	buf[4] = 1;
	/* short */
	assert_int_equal(pmsg_decode(buf, 4, &d), -EBADMSG);
	assert_int_equal(pmsg_decode(buf, 23, &d), -EBADMSG);
	assert_int_equal(pmsg_decode(buf, 24, &d), 0);
	/* unknown type */
	buf[5] = 3;
	assert_int_equal(pmsg_decode(buf, 64, &d), -EBADMSG);
	buf[5] = 0;
	assert_int_equal(pmsg_decode(buf, 64, &d), -EBADMSG);
	buf[5] = 1;
	/* header length outside [24, len] */
	buf[15] = 23;
	assert_int_equal(pmsg_decode(buf, 64, &d), -EBADMSG);
	buf[15] = 65;
	assert_int_equal(pmsg_decode(buf, 64, &d), -EBADMSG);
	/* a later minor revision with a 32-byte header is still understood */
	buf[15] = 32;
	buf[24] = 0xaa;
	assert_int_equal(pmsg_decode(buf, 64, &d), 0);
	assert_int_equal(d.hdr_len, 32);
	/* unknown flags and reserved bytes are ignored */
	buf[15] = 24;
	buf[6] = 0x80;
	buf[20] = 0x55;
	assert_int_equal(pmsg_decode(buf, 64, &d), 0);
	assert_int_equal(d.flags, 0x8000);
	assert_int_equal(pmsg_decode(NULL, 64, &d), -ENOMSG);
	assert_int_equal(pmsg_decode(buf, 64, NULL), -EINVAL);
}

static void test_encode_rejects(void **state)
{
	struct pmsg p = { .version = PMSG_VERSION, .type = PMSG_TYPE_ACK };

	(void)state;
	assert_int_equal(pmsg_encode(&p, buf, sizeof(buf), 23), -EINVAL);
	assert_int_equal(pmsg_encode(&p, buf, 100, 101), -ENOBUFS);
	assert_int_equal(pmsg_encode(&p, buf, sizeof(buf), 65536), -EINVAL);
	p.type = 7;
	assert_int_equal(pmsg_encode(&p, buf, sizeof(buf), 24), -EINVAL);
	p.type = PMSG_TYPE_PROBE;
	p.version = 2;
	assert_int_equal(pmsg_encode(&p, buf, sizeof(buf), 24), -EINVAL);
	assert_int_equal(pmsg_encode(NULL, buf, sizeof(buf), 24), -EINVAL);
}

static void test_size_arithmetic(void **state)
{
	(void)state;
	/* the story: 1454 path, 60/80 overhead */
	assert_int_equal(pmsg_plaintext_len(1454, OVH_IPV4), 1394);
	assert_int_equal(pmsg_plaintext_len(1454, OVH_IPV6), 1374);
	assert_int_equal(pmsg_plaintext_len(1500, OVH_IPV4), 1440);
	/* smallest probe: header only */
	assert_int_equal(pmsg_plaintext_len(84, OVH_IPV4), 24);
	assert_int_equal(pmsg_plaintext_len(83, OVH_IPV4), -EINVAL);
	assert_int_equal(pmsg_plaintext_len(103, OVH_IPV6), -EINVAL);
	assert_int_equal(pmsg_plaintext_len(65535, OVH_IPV4), 65475);
	assert_int_equal(pmsg_plaintext_len(65536, OVH_IPV4), -EINVAL);
	assert_int_equal(pmsg_plaintext_len(1500, OVH_BOTH), -EINVAL);
	/* with WireGuard's padding kept: steps of 16, never above the wish */
	assert_int_equal(pmsg_plaintext_len_padded(1454, OVH_IPV4), 1392);
	assert_int_equal(pmsg_outer_size(1392, OVH_IPV4), 1452);
	assert_int_equal(pmsg_plaintext_len_padded(1454, OVH_IPV6), 1360);
	assert_int_equal(pmsg_outer_size(1360, OVH_IPV6), 1440);
	assert_int_equal(pmsg_plaintext_len_padded(99, OVH_IPV4), 32);
	assert_int_equal(pmsg_plaintext_len_padded(92, OVH_IPV4), 32);
	assert_int_equal(pmsg_plaintext_len_padded(91, OVH_IPV4), -EINVAL);
	for (unsigned outer = 84; outer <= 9000; outer++) {
		int n = pmsg_plaintext_len(outer, OVH_IPV4);
		int m = pmsg_plaintext_len_padded(outer, OVH_IPV4);

		assert_int_equal(pmsg_outer_size((size_t)n, OVH_IPV4), outer);
		if (m < 0) {
			assert_true(n < 32);
			continue;
		}
		assert_int_equal(m % 16, 0);
		assert_true(pmsg_outer_size((size_t)m, OVH_IPV4) <= (int)outer);
		assert_true(pmsg_outer_size((size_t)m, OVH_IPV4) > (int)outer - 16);
		/* the standard padding rule leaves such a plaintext as it is */
		assert_int_equal(ovh_wg_padded(m, m), m);
		assert_int_equal(ovh_wg_padded(m, 65535), m);
	}
	assert_int_equal(pmsg_outer_size(24, OVH_IPV6), 104);
	assert_int_equal(pmsg_outer_size(70000, OVH_IPV6), -EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_layout_golden),
		cmocka_unit_test(test_roundtrip),
		cmocka_unit_test(test_decode_rejects),
		cmocka_unit_test(test_encode_rejects),
		cmocka_unit_test(test_size_arithmetic),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
