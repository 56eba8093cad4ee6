// SPDX-License-Identifier: MIT
/* Endpoint probes (icmp-endpoint): echo requests standing for WireGuard
 * datagrams, and the check of their replies. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "pmtu/epprobe.h"
#include "pmtu_testpkt.h"

static const uint8_t PEER4[4] = { 198, 51, 100, 7 };
static const uint8_t ME4[4] = { 192, 0, 2, 1 };

static struct epp_key key(uint8_t family)
{
	struct epp_key k = { .family = family, .id = 0x4d2a };

	for (int i = 0; i < EPP_SECRET_LEN; i++)
		k.secret[i] = (uint8_t)(0xa0 + i);
	return k;
}

/* Turns an echo request (ICMP message) into what the raw socket of the
 * family delivers for the peer's reply: an IPv4 packet with `opt` bytes of
 * IP options, or the ICMPv6 message. Returns the length. */
static size_t as_reply(uint8_t family, const uint8_t *req, size_t n, uint8_t *out, size_t opt)
{
	size_t ihl = 20 + opt;
	uint8_t *m;

	if (family == 6) {
		memcpy(out, req, n);
		out[0] = 129;
		return n;
	}
	memset(out, 0, ihl);
	out[0] = (uint8_t)(0x40 | ihl / 4);
	out[2] = (uint8_t)((ihl + n) >> 8);
	out[3] = (uint8_t)(ihl + n);
	out[8] = 57;
	out[9] = 1;
	memcpy(out + 12, PEER4, 4);
	memcpy(out + 16, ME4, 4);
	m = out + ihl;
	memcpy(m, req, n);
	m[0] = 0;
	m[2] = m[3] = 0;
	ref_fill_csum(NULL, 0, m, n, 2);
	return ihl + n;
}

/* Recomputes the ICMP checksum of an IPv4 reply after an edit. */
static void refix4(uint8_t *pkt, size_t len)
{
	size_t ihl = (size_t)(pkt[0] & 15) * 4;

	ref_fill_csum(NULL, 0, pkt + ihl, len - ihl, 2);
}

static uint8_t req[70000], rep[70000];

static void test_sizes(void **state)
{
	(void)state;
	/* the story: a 1454 path is the datagram of 1394 (IPv4) / 1374 (IPv6)
	 * bytes of WireGuard plaintext */
	assert_int_equal(epp_size_for_inner(4, 1394), 1454);
	assert_int_equal(epp_size_for_inner(6, 1374), 1454);
	assert_int_equal(epp_icmp_len(4, 1454), 1434);
	assert_int_equal(epp_icmp_len(6, 1454), 1414);
	assert_int_equal(epp_icmp_len(4, EPP_MIN_SIZE4), EPP_MIN_SIZE4 - 20);
	assert_int_equal(epp_icmp_len(4, EPP_MIN_SIZE4 - 1), -EINVAL);
	assert_int_equal(epp_icmp_len(6, EPP_MIN_SIZE6 - 1), -EINVAL);
	assert_int_equal(epp_icmp_len(4, 65535), 65515);
	assert_int_equal(epp_icmp_len(4, 65536), -EINVAL);
	assert_int_equal(epp_icmp_len(5, 1400), -EINVAL);
}

static void test_build4(void **state)
{
	struct epp_key k = key(4);
	uint8_t other[1500];
	int n;

	(void)state;
	n = epp_build(&k, 7, 1454, req, sizeof(req));
	assert_int_equal(n, 1434);
	assert_int_equal(req[0], 8);
	assert_int_equal(req[1], 0);
	assert_true(ref_csum_ok(req, (size_t)n));
	assert_int_equal(req[4] << 8 | req[5], 0x4d2a);
	assert_int_equal(req[6] << 8 | req[7], 7);
	/* another seq: another tag and payload; the same seq: the same bytes */
	assert_int_equal(epp_build(&k, 8, 1454, other, sizeof(other)), 1434);
	assert_memory_not_equal(req + 8, other + 8, 8);
	assert_memory_not_equal(req + 16, other + 16, 64);
	assert_int_equal(epp_build(&k, 7, 1454, other, sizeof(other)), 1434);
	assert_memory_equal(req, other, 1434);
	/* the payload is not a constant fill */
	assert_memory_not_equal(req + 100, req + 200, 16);
	assert_int_equal(epp_build(&k, 7, 1454, other, 1433), -ENOBUFS);
	assert_int_equal(epp_build(&k, 7, 30, other, sizeof(other)), -EINVAL);
}

static void test_build6(void **state)
{
	struct epp_key k = key(6);
	int n;

	(void)state;
	n = epp_build(&k, 1, 1280, req, sizeof(req));
	assert_int_equal(n, 1240);
	assert_int_equal(req[0], 128);
	/* the kernel fills the ICMPv6 checksum of a raw socket */
	assert_int_equal(req[2] | req[3], 0);
}

static void test_reply_roundtrip(void **state)
{
	static const uint32_t sizes[] = { EPP_MIN_SIZE6, 576, 1280, 1454, 1500, 9000, 65535 };

	(void)state;
	for (uint8_t fam = 4; fam <= 6; fam += 2) {
		struct epp_key k = key(fam);

		for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
			struct epp_answer a = { 0 };
			uint8_t from[4] = { 0 };
			int n = epp_build(&k, (uint16_t)(100 + i), sizes[i], req, sizeof(req));
			size_t rl;

			assert_true(n > 0);
			rl = as_reply(fam, req, (size_t)n, rep, 0);
			assert_int_equal(epp_check(&k, rep, rl, &a, from), 0);
			assert_int_equal(a.seq, 100 + i);
			assert_int_equal(a.size, sizes[i]);
			if (fam == 4)
				assert_memory_equal(from, PEER4, 4);
		}
	}
}

static void test_reply_with_ip_options(void **state)
{
	struct epp_key k = key(4);
	struct epp_answer a;
	int n = epp_build(&k, 3, 1400, req, sizeof(req));
	size_t rl = as_reply(4, req, (size_t)n, rep, 8);

	(void)state;
	/* the size answered is the request's, whatever the reply's header */
	assert_int_equal(epp_check(&k, rep, rl, &a, NULL), 0);
	assert_int_equal(a.size, 1400);
}

static void test_not_ours(void **state)
{
	struct epp_key k = key(4), k6 = key(6);
	struct epp_answer a;
	int n = epp_build(&k, 3, 1400, req, sizeof(req));
	size_t rl = as_reply(4, req, (size_t)n, rep, 0);

	(void)state;
	/* someone else's ping (another id) */
	rep[24] ^= 1;
	refix4(rep, rl);
	assert_int_equal(epp_check(&k, rep, rl, &a, NULL), -ENOMSG);
	rep[24] ^= 1;
	/* a request, not a reply (our own echo looped back) */
	rep[20] = 8;
	refix4(rep, rl);
	assert_int_equal(epp_check(&k, rep, rl, &a, NULL), -ENOMSG);
	rep[20] = 0;
	refix4(rep, rl);
	/* not ICMP */
	rep[9] = 17;
	assert_int_equal(epp_check(&k, rep, rl, &a, NULL), -ENOMSG);
	rep[9] = 1;
	assert_int_equal(epp_check(&k, rep, rl, &a, NULL), 0);
	/* an IPv6 reply checked with the IPv6 key, other type */
	n = epp_build(&k6, 3, 1400, req, sizeof(req));
	rl = as_reply(6, req, (size_t)n, rep, 0);
	rep[0] = 1; /* destination unreachable */
	assert_int_equal(epp_check(&k6, rep, rl, &a, NULL), -ENOMSG);
}

static void test_forged_or_damaged(void **state)
{
	struct epp_key k = key(4), wrong = key(4);
	struct epp_answer a;
	int n = epp_build(&k, 9, 1454, req, sizeof(req));
	size_t rl = as_reply(4, req, (size_t)n, rep, 0);

	(void)state;
	assert_int_equal(epp_check(&k, rep, rl, &a, NULL), 0);
	/* another secret: the same id and seq do not make it ours */
	wrong.secret[0] ^= 1;
	assert_int_equal(epp_check(&wrong, rep, rl, &a, NULL), -EBADMSG);
	/* a damaged byte deep in the payload (checksum fixed up) */
	rep[20 + 1000] ^= 0x10;
	refix4(rep, rl);
	assert_int_equal(epp_check(&k, rep, rl, &a, NULL), -EBADMSG);
	rep[20 + 1000] ^= 0x10;
	refix4(rep, rl);
	/* the tag of another seq */
	rep[27] ^= 1;
	refix4(rep, rl);
	assert_int_equal(epp_check(&k, rep, rl, &a, NULL), -EBADMSG);
	rep[27] ^= 1;
	refix4(rep, rl);
	/* truncated: a shorter reply would claim a smaller size */
	rep[2] = (uint8_t)((rl - 100) >> 8);
	rep[3] = (uint8_t)(rl - 100);
	refix4(rep, rl - 100);
	assert_int_equal(epp_check(&k, rep, rl - 100, &a, NULL), -EBADMSG);
	rl = as_reply(4, req, (size_t)n, rep, 0);
	/* a wrong ICMP checksum */
	rep[30] ^= 1;
	assert_int_equal(epp_check(&k, rep, rl, &a, NULL), -EBADMSG);
	rep[30] ^= 1;
	/* a fragment */
	rep[6] = 0x20;
	assert_int_equal(epp_check(&k, rep, rl, &a, NULL), -EBADMSG);
	rep[6] = 0;
	/* the IP header claims more than was received */
	assert_int_equal(epp_check(&k, rep, rl - 1, &a, NULL), -EBADMSG);
	assert_int_equal(epp_check(&k, rep, 19, &a, NULL), -EBADMSG);
	/* too short to hold the tag */
	rl = as_reply(4, req, 12, rep, 0);
	assert_int_equal(epp_check(&k, rep, rl, &a, NULL), -EBADMSG);
}

static void test_forged6(void **state)
{
	struct epp_key k = key(6);
	struct epp_answer a;
	int n = epp_build(&k, 2, 1300, req, sizeof(req));
	size_t rl = as_reply(6, req, (size_t)n, rep, 0);

	(void)state;
	assert_int_equal(epp_check(&k, rep, rl, &a, NULL), 0);
	assert_int_equal(a.size, 1300);
	assert_int_equal(epp_check(&k, rep, rl - 1, &a, NULL), -EBADMSG);
	rep[n - 1] ^= 0x80;
	assert_int_equal(epp_check(&k, rep, rl, &a, NULL), -EBADMSG);
	assert_int_equal(epp_check(&k, rep, 7, &a, NULL), -EBADMSG);
	/* an IPv6 reply is not an IPv4 packet */
	k.family = 4;
	assert_true(epp_check(&k, rep, rl, &a, NULL) < 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sizes),
		cmocka_unit_test(test_build4),
		cmocka_unit_test(test_build6),
		cmocka_unit_test(test_reply_roundtrip),
		cmocka_unit_test(test_reply_with_ip_options),
		cmocka_unit_test(test_not_ours),
		cmocka_unit_test(test_forged_or_damaged),
		cmocka_unit_test(test_forged6),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
