// SPDX-License-Identifier: MIT
/* The ICMP module: "too big" errors into the TUN, echo probes (their rate
 * limit is the shared one: test_ratelimit). */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "pmtu/icmp.h"
#include "pmtu_testpkt.h"

static const char H_SRC[4] = { 10, 0, 0, 2 };   /* the sender behind the TUN */
static const char H_DST[4] = { 93, 184, 216, 34 };
static const uint8_t IF4[4] = { 10, 0, 0, 1 };   /* the interface's address */

static const uint8_t S6[16] = { 0xfd, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2 };
static const uint8_t D6[16] = { 0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x34 };
static const uint8_t IF6[16] = { 0xfd, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1 };

static uint8_t pkt[2000], out[2000];

/* A TCP-looking IPv4 packet of tot bytes with a recognisable payload. */
static void mk_tcp4(uint16_t tot, uint16_t fragword)
{
	for (size_t i = 20; i < tot; i++)
		pkt[i] = (uint8_t)(i * 7);
	mk_ip4(pkt, tot, fragword, 6, H_SRC, H_DST);
}

static void check_ptb4(int n, size_t orig_len, unsigned mtu)
{
	size_t quote = orig_len < 548 ? orig_len : 548;

	assert_int_equal(n, 20 + 8 + quote);
	assert_true(n <= 576);
	/* IP header */
	assert_int_equal(out[0], 0x45);
	assert_int_equal((out[2] << 8) | out[3], n);
	assert_int_equal(out[6] & 0x40, 0x40);   /* DF */
	assert_int_equal(out[6] & 0x3f, 0);      /* not a fragment */
	assert_int_equal(out[7], 0);
	assert_int_equal(out[8], 64);            /* TTL */
	assert_int_equal(out[9], 1);             /* ICMP */
	assert_memory_equal(out + 12, IF4, 4);   /* from the interface */
	assert_memory_equal(out + 16, H_SRC, 4); /* to the original sender */
	assert_true(ref_csum_ok(out, 20));
	/* ICMP */
	assert_int_equal(out[20], 3);
	assert_int_equal(out[21], 4);
	assert_int_equal(out[24], 0);
	assert_int_equal(out[25], 0);
	assert_int_equal((out[26] << 8) | out[27], mtu);
	assert_true(ref_csum_ok(out + 20, (size_t)n - 20));
	assert_memory_equal(out + 28, pkt, quote);
}

static void test_ptb4_story(void **state)
{
	enum icmp_verdict why = ICMP_NO_MALFORMED;
	int n;

	(void)state;
	mk_tcp4(1420, 0x4000);
	n = icmp4_build_frag_needed(pkt, 1420, IF4, 1394, out, sizeof(out), &why);
	assert_int_equal(why, ICMP_SEND);
	check_ptb4(n, 1420, 1394);
	assert_int_equal(n, 576);
}

static void test_ptb4_quote_lengths(void **state)
{
	static const size_t sizes[] = { 69, 100, 547, 548, 549, 575, 576, 577, 1500 };
	int n;

	(void)state;
	for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		mk_tcp4((uint16_t)sizes[i], 0x4000);
		n = icmp4_build_frag_needed(pkt, sizes[i], IF4, 68, out, sizeof(out), NULL);
		check_ptb4(n, sizes[i], 68);
	}
	/* the quote stops at the datagram's own length, not the buffer's */
	mk_tcp4(200, 0x4000);
	memset(pkt + 200, 0xee, 100);
	n = icmp4_build_frag_needed(pkt, 300, IF4, 150, out, sizeof(out), NULL);
	check_ptb4(n, 200, 150);
	/* a first fragment (MF, offset 0) is answered */
	mk_tcp4(1000, 0x4000 | 0x2000);
	n = icmp4_build_frag_needed(pkt, 1000, IF4, 576, out, sizeof(out), NULL);
	check_ptb4(n, 1000, 576);
	/* IP options are quoted as they are */
	mk_tcp4(700, 0x4000);
	pkt[0] = 0x46;
	pkt[20] = pkt[21] = pkt[22] = pkt[23] = 1; /* NOPs */
	ref_fill_csum(NULL, 0, pkt, 24, 10);
	n = icmp4_build_frag_needed(pkt, 700, IF4, 600, out, sizeof(out), NULL);
	check_ptb4(n, 700, 600);
}

static void expect_refusal4(size_t len, enum icmp_verdict want)
{
	enum icmp_verdict why = ICMP_SEND;
	int n = icmp4_build_frag_needed(pkt, len, IF4, 576, out, sizeof(out), &why);

	assert_int_equal(n, 0);
	assert_int_equal(why, want);
}

static void test_ptb4_never_respond(void **state)
{
	static const char bad_src[][4] = {
		{ 0, 0, 0, 0 }, { 0, 1, 2, 3 }, { 127, 0, 0, 1 }, { 224, 0, 0, 1 },
		{ (char)239, 1, 1, 1 }, { (char)240, 0, 0, 1 }, { (char)255, (char)255, (char)255, (char)255 },
	};
	static const char bad_dst[][4] = {
		{ (char)224, 0, 0, 5 }, { (char)239, (char)255, (char)255, (char)250 },
		{ (char)255, (char)255, (char)255, (char)255 },
	};
	static const uint8_t error_types[] = { 3, 4, 5, 11, 12, 40, 200 };

	(void)state;
	/* fits */
	mk_tcp4(576, 0x4000);
	expect_refusal4(576, ICMP_NO_FITS);
	/* DF clear: the caller fragments instead */
	mk_tcp4(1000, 0);
	expect_refusal4(1000, ICMP_NO_DF_CLEAR);
	/* a fragment other than the first */
	mk_tcp4(1000, 0x4000 | 0x2000 | 185);
	expect_refusal4(1000, ICMP_NO_FRAGMENT);
	mk_tcp4(1000, 0x4000 | 1);
	expect_refusal4(1000, ICMP_NO_FRAGMENT);
	for (size_t i = 0; i < sizeof(bad_src) / sizeof(bad_src[0]); i++) {
		mk_tcp4(1000, 0x4000);
		memcpy(pkt + 12, bad_src[i], 4);
		expect_refusal4(1000, ICMP_NO_BAD_SOURCE);
	}
	for (size_t i = 0; i < sizeof(bad_dst) / sizeof(bad_dst[0]); i++) {
		mk_tcp4(1000, 0x4000);
		memcpy(pkt + 16, bad_dst[i], 4);
		expect_refusal4(1000, ICMP_NO_BAD_DEST);
	}
	/* ICMP errors, and types we do not know, are never answered */
	for (size_t i = 0; i < sizeof(error_types); i++) {
		mk_ip4(pkt, 1000, 0x4000, 1, H_SRC, H_DST);
		pkt[20] = error_types[i];
		expect_refusal4(1000, ICMP_NO_ICMP_ERROR);
	}
	/* an ICMP datagram too short to show its type */
	mk_ip4(pkt, 20, 0x4000, 1, H_SRC, H_DST);
	assert_int_equal(icmp4_build_frag_needed(pkt, 20, IF4, 68, out, sizeof(out), NULL), 0);
	/* an echo request is informational: answered */
	mk_ip4(pkt, 1000, 0x4000, 1, H_SRC, H_DST);
	pkt[20] = 8;
	assert_int_equal(icmp4_build_frag_needed(pkt, 1000, IF4, 576, out, sizeof(out), NULL), 576);
	/* malformed */
	mk_tcp4(1000, 0x4000);
	expect_refusal4(999, ICMP_NO_MALFORMED);  /* total length beyond the buffer */
	expect_refusal4(19, ICMP_NO_MALFORMED);
	pkt[0] = 0x44;                            /* IHL 4 */
	expect_refusal4(1000, ICMP_NO_MALFORMED);
	pkt[0] = 0x4f;                            /* IHL 60 with total length 10 */
	pkt[2] = 0;
	pkt[3] = 10;
	expect_refusal4(1000, ICMP_NO_MALFORMED);
	pkt[0] = 0x55;
	expect_refusal4(1000, ICMP_NO_MALFORMED);
	expect_refusal4(0, ICMP_NO_MALFORMED);
	/* IPv6 into the IPv4 builder */
	mk_ip6(pkt, 1000, 6, S6, D6);
	expect_refusal4(1040, ICMP_NO_WRONG_FAMILY);
}

static void test_ptb4_bad_args(void **state)
{
	(void)state;
	mk_tcp4(1000, 0x4000);
	assert_int_equal(icmp4_build_frag_needed(pkt, 1000, IF4, 67, out, sizeof(out), NULL), -EINVAL);
	assert_int_equal(icmp4_build_frag_needed(pkt, 1000, IF4, 65536, out, sizeof(out), NULL), -EINVAL);
	assert_int_equal(icmp4_build_frag_needed(pkt, 1000, IF4, 576, out, 575, NULL), -ENOBUFS);
	assert_int_equal(icmp4_build_frag_needed(pkt, 1000, IF4, 576, out, 576, NULL), 576);
	assert_string_equal(icmp_verdict_name(ICMP_NO_ICMP_ERROR), "icmp_error");
	assert_string_equal(icmp_verdict_name(ICMP_VERDICT_COUNT), "unknown");
}

/* ---- IPv6 ---- */

static void mk_tcp6(uint16_t tot)
{
	for (size_t i = 40; i < tot; i++)
		pkt[i] = (uint8_t)(i * 5 + 1);
	mk_ip6(pkt, (uint16_t)(tot - 40), 6, S6, D6);
}

static void check_ptb6(int n, unsigned mtu)
{
	uint8_t ph[40];

	assert_int_equal(n, 1280);
	assert_int_equal(out[0] >> 4, 6);
	assert_int_equal((out[4] << 8) | out[5], n - 40);
	assert_int_equal(out[6], 58);
	assert_int_equal(out[7], 64);
	assert_memory_equal(out + 8, IF6, 16);
	assert_memory_equal(out + 24, S6, 16);
	assert_int_equal(out[40], 2);
	assert_int_equal(out[41], 0);
	assert_int_equal(((uint32_t)out[44] << 24) | (out[45] << 16) | (out[46] << 8) | out[47], mtu);
	ref_pseudo6(ph, out + 8, out + 24, 58, (uint32_t)n - 40);
	assert_int_equal(ref_sum2(ph, 40, out + 40, (size_t)n - 40), 0xffff);
	assert_memory_equal(out + 48, pkt, 1232);
}

static void test_ptb6_basic(void **state)
{
	enum icmp_verdict why = ICMP_NO_MALFORMED;
	int n;

	(void)state;
	mk_tcp6(1420);
	n = icmp6_build_packet_too_big(pkt, 1420, IF6, 1374, out, sizeof(out), &why);
	assert_int_equal(why, ICMP_SEND);
	check_ptb6(n, 1374);
	mk_tcp6(1281);
	n = icmp6_build_packet_too_big(pkt, 1281, IF6, 1280, out, sizeof(out), &why);
	check_ptb6(n, 1280);
	/* multicast destination: PTB is the exception of RFC 4443 2.4(e.3) */
	mk_tcp6(1500);
	pkt[24] = 0xff;
	pkt[25] = 0x0e;
	n = icmp6_build_packet_too_big(pkt, 1500, IF6, 1400, out, sizeof(out), &why);
	check_ptb6(n, 1400);
}

static void test_ptb6_bad_args(void **state)
{
	(void)state;
	mk_tcp6(1500);
	assert_int_equal(icmp6_build_packet_too_big(pkt, 1500, IF6, 1279, out, sizeof(out), NULL), -EINVAL);
	assert_int_equal(icmp6_build_packet_too_big(pkt, 1500, IF6, 576, out, sizeof(out), NULL), -EINVAL);
	assert_int_equal(icmp6_build_packet_too_big(pkt, 1500, IF6, 1280, out, 1279, NULL), -ENOBUFS);
	assert_int_equal(icmp6_build_packet_too_big(pkt, 1500, IF6, 1280, out, 1280, NULL), 1280);
}

static void expect_refusal6(size_t len, enum icmp_verdict want)
{
	enum icmp_verdict why = ICMP_SEND;
	int n = icmp6_build_packet_too_big(pkt, len, IF6, 1280, out, sizeof(out), &why);

	assert_int_equal(n, 0);
	assert_int_equal(why, want);
}

/* hop-by-hop (8 bytes) + destination options (16 bytes) + upper layer */
static void mk_ext6(uint16_t tot, uint8_t upper, uint8_t first_byte)
{
	memset(pkt, 0, tot);
	mk_ip6(pkt, (uint16_t)(tot - 40), 0, S6, D6);
	pkt[40] = 60;    /* HBH: next = dst opts, len 0 (8 bytes) */
	pkt[41] = 0;
	pkt[42] = 1;     /* PadN */
	pkt[43] = 4;
	pkt[48] = upper; /* dst opts: next = upper, len 1 (16 bytes) */
	pkt[49] = 1;
	pkt[50] = 1;
	pkt[51] = 12;
	pkt[64] = first_byte;
}

static void test_ptb6_never_respond(void **state)
{
	static const uint8_t errors[] = { 1, 2, 3, 4, 100, 127, 137 };
	enum icmp_verdict why;
	int n;

	(void)state;
	mk_tcp6(1280);
	expect_refusal6(1280, ICMP_NO_FITS);
	/* sources that are not a single node */
	mk_tcp6(1500);
	memset(pkt + 8, 0, 16);
	expect_refusal6(1500, ICMP_NO_BAD_SOURCE);
	pkt[23] = 1;
	expect_refusal6(1500, ICMP_NO_BAD_SOURCE);
	pkt[8] = 0xff;
	pkt[9] = 0x02;
	expect_refusal6(1500, ICMP_NO_BAD_SOURCE);
	/* ICMPv6 errors and redirects, right after the header */
	for (size_t i = 0; i < sizeof(errors); i++) {
		mk_ip6(pkt, 1460, 58, S6, D6);
		pkt[40] = errors[i];
		expect_refusal6(1500, ICMP_NO_ICMP_ERROR);
		/* ... and behind extension headers */
		mk_ext6(1500, 58, errors[i]);
		expect_refusal6(1500, ICMP_NO_ICMP_ERROR);
	}
	/* informational ICMPv6 behind extension headers is answered */
	mk_ext6(1500, 58, 128);
	n = icmp6_build_packet_too_big(pkt, 1500, IF6, 1280, out, sizeof(out), &why);
	check_ptb6(n, 1280);
	/* an ICMPv6 error in a first fragment is recognised too */
	memset(pkt, 0, 1500);
	mk_ip6(pkt, 1460, 44, S6, D6);
	pkt[40] = 58;    /* fragment header: next ICMPv6, offset 0, M=1 */
	pkt[43] = 1;
	pkt[48] = 1;     /* destination unreachable */
	expect_refusal6(1500, ICMP_NO_ICMP_ERROR);
	/* a later fragment cannot show its type; RFC 4443 does not exempt it
	 * and its source needs the MTU to refragment: answered */
	pkt[42] = 0x05;
	pkt[43] = 0x00;  /* offset 1280 */
	n = icmp6_build_packet_too_big(pkt, 1500, IF6, 1280, out, sizeof(out), &why);
	check_ptb6(n, 1280);
	/* malformed: an extension header running past the datagram */
	mk_ext6(1500, 6, 0);
	pkt[49] = 200;
	expect_refusal6(1500, ICMP_NO_MALFORMED);
	/* hop-by-hop not first */
	mk_ext6(1500, 0, 0);
	expect_refusal6(1500, ICMP_NO_MALFORMED);
	/* payload length beyond the buffer */
	mk_tcp6(1500);
	expect_refusal6(1499, ICMP_NO_MALFORMED);
	expect_refusal6(39, ICMP_NO_MALFORMED);
	/* ICMPv6 header missing */
	mk_ip6(pkt, 0, 58, S6, D6);
	assert_int_equal(icmp6_build_packet_too_big(pkt, 40, IF6, 1280, out, sizeof(out), NULL), 0);
	/* IPv4 into the IPv6 builder */
	mk_tcp4(1500, 0x4000);
	expect_refusal6(1500, ICMP_NO_WRONG_FAMILY);
}

/* src NULL: the error comes from the packet's destination (see icmp.h) */
static void test_ptb_source_is_destination(void **state)
{
	enum icmp_verdict why;
	uint8_t ph[40];
	int n;

	(void)state;
	mk_tcp4(1420, 0x4000);
	n = icmp4_build_frag_needed(pkt, 1420, NULL, 1394, out, sizeof(out), &why);
	assert_int_equal(n, 576);
	assert_memory_equal(out + 12, H_DST, 4);
	assert_memory_equal(out + 16, H_SRC, 4);
	assert_true(ref_csum_ok(out, 20));
	assert_true(ref_csum_ok(out + 20, 556));
	/* a destination that cannot be a source */
	pkt[16] = 127;
	ref_fill_csum(NULL, 0, pkt, 20, 10);
	assert_int_equal(icmp4_build_frag_needed(pkt, 1420, NULL, 1394, out, sizeof(out), &why), 0);
	assert_int_equal(why, ICMP_NO_SOURCE_ADDR);
	/* ... but with an explicit source it is answered */
	assert_int_equal(icmp4_build_frag_needed(pkt, 1420, IF4, 1394, out, sizeof(out), &why), 576);

	mk_tcp6(1500);
	n = icmp6_build_packet_too_big(pkt, 1500, NULL, 1280, out, sizeof(out), &why);
	assert_int_equal(n, 1280);
	assert_memory_equal(out + 8, D6, 16);
	assert_memory_equal(out + 24, S6, 16);
	ref_pseudo6(ph, D6, S6, 58, 1240);
	assert_int_equal(ref_sum2(ph, 40, out + 40, 1240), 0xffff);
	/* multicast destination: allowed for PTB, but not as our source */
	pkt[24] = 0xff;
	assert_int_equal(icmp6_build_packet_too_big(pkt, 1500, NULL, 1280, out, sizeof(out), &why), 0);
	assert_int_equal(why, ICMP_NO_SOURCE_ADDR);
	assert_int_equal(icmp6_build_packet_too_big(pkt, 1500, IF6, 1280, out, sizeof(out), &why), 1280);
	assert_string_equal(icmp_verdict_name(ICMP_NO_SOURCE_ADDR), "no_source_addr");
}

/* ---- echo ---- */

static void test_echo4_roundtrip(void **state)
{
	static const uint32_t sizes[] = { 28, 29, 576, 1394, 1420, 1500 };
	struct icmp_echo e = { .family = 4, .id = 0xbeef }, r;
	uint8_t ph[12];
	int n;

	(void)state;
	(void)ph;
	memcpy(e.src, IF4, 4);
	memcpy(e.dst, H_SRC, 4);
	for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		e.seq = (uint16_t)(i + 1);
		e.size = sizes[i];
		n = icmp_echo_build(&e, out, sizeof(out));
		assert_int_equal(n, sizes[i]);
		assert_int_equal(out[0], 0x45);
		assert_int_equal((out[2] << 8) | out[3], sizes[i]);
		assert_int_equal(out[6] & 0x40, 0x40); /* DF */
		assert_int_equal(out[9], 1);
		assert_int_equal(out[20], 8);
		assert_true(ref_csum_ok(out, 20));
		assert_true(ref_csum_ok(out + 20, sizes[i] - 20));
		assert_int_equal(icmp_echo_parse(out, (size_t)n, &r), 0);
		assert_int_equal(r.family, 4);
		assert_false(r.reply);
		assert_int_equal(r.id, 0xbeef);
		assert_int_equal(r.seq, i + 1);
		assert_int_equal(r.size, sizes[i]);
		assert_memory_equal(r.src, IF4, 4);
		assert_memory_equal(r.dst, H_SRC, 4);
	}
	/* a reply, as the peer's kernel would send it back */
	e.reply = true;
	e.size = 1394;
	n = icmp_echo_build(&e, out, sizeof(out));
	assert_int_equal(out[20], 0);
	assert_int_equal(icmp_echo_parse(out, (size_t)n + 10, &r), 0); /* trailing bytes ignored */
	assert_true(r.reply);
	assert_int_equal(r.size, 1394);
	/* corruption is caught */
	out[100] ^= 1;
	assert_int_equal(icmp_echo_parse(out, (size_t)n, &r), -EBADMSG);
	out[100] ^= 1;
	out[8] = 63; /* TTL changed without fixing the header checksum */
	assert_int_equal(icmp_echo_parse(out, (size_t)n, &r), -EBADMSG);
	/* bad sizes */
	e.size = 27;
	assert_int_equal(icmp_echo_build(&e, out, sizeof(out)), -EINVAL);
	e.size = 65536;
	assert_int_equal(icmp_echo_build(&e, out, sizeof(out)), -EINVAL);
	e.size = 1000;
	assert_int_equal(icmp_echo_build(&e, out, 999), -ENOBUFS);
	e.family = 5;
	assert_int_equal(icmp_echo_build(&e, out, sizeof(out)), -EINVAL);
}

static void test_echo6_roundtrip(void **state)
{
	static const uint32_t sizes[] = { 48, 49, 1280, 1374, 1420 };
	struct icmp_echo e = { .family = 6, .id = 7 }, r;
	uint8_t ph[40];
	int n;

	(void)state;
	memcpy(e.src, IF6, 16);
	memcpy(e.dst, S6, 16);
	for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		e.seq = (uint16_t)(100 + i);
		e.size = sizes[i];
		n = icmp_echo_build(&e, out, sizeof(out));
		assert_int_equal(n, sizes[i]);
		assert_int_equal((out[4] << 8) | out[5], sizes[i] - 40);
		assert_int_equal(out[40], 128);
		ref_pseudo6(ph, IF6, S6, 58, sizes[i] - 40);
		assert_int_equal(ref_sum2(ph, 40, out + 40, sizes[i] - 40), 0xffff);
		assert_int_equal(icmp_echo_parse(out, (size_t)n, &r), 0);
		assert_int_equal(r.family, 6);
		assert_int_equal(r.seq, 100 + i);
		assert_int_equal(r.size, sizes[i]);
	}
	/* behind a hop-by-hop header (the checksum does not cover it) */
	memmove(out + 48, out + 40, (size_t)n - 40);
	memset(out + 40, 0, 8);
	out[40] = 58;   /* next: ICMPv6 */
	out[42] = 1;    /* PadN */
	out[43] = 4;
	out[6] = 0;
	out[4] = (uint8_t)((n - 40 + 8) >> 8);
	out[5] = (uint8_t)(n - 40 + 8);
	assert_int_equal(icmp_echo_parse(out, (size_t)n + 8, &r), 0);
	assert_int_equal(r.size, n + 8);
	assert_int_equal(r.seq, 104);
	memmove(out + 40, out + 48, (size_t)n - 40);
	out[6] = 58;
	out[4] = (uint8_t)((n - 40) >> 8);
	out[5] = (uint8_t)(n - 40);
	assert_int_equal(icmp_echo_parse(out, (size_t)n, &r), 0);
	/* a wrong pseudo-header (other destination) fails the checksum */
	out[39] ^= 1;
	assert_int_equal(icmp_echo_parse(out, (size_t)n, &r), -EBADMSG);
	/* not an echo: a Packet Too Big */
	mk_tcp6(1500);
	n = icmp6_build_packet_too_big(pkt, 1500, IF6, 1280, out, sizeof(out), NULL);
	assert_int_equal(icmp_echo_parse(out, (size_t)n, &r), -ENOMSG);
	/* not ICMP at all */
	assert_int_equal(icmp_echo_parse(pkt, 1500, &r), -ENOMSG);
	assert_int_equal(icmp_echo_parse(pkt, 10, &r), -EBADMSG);
}

/* ---- rate limit ---- */

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ptb4_story),
		cmocka_unit_test(test_ptb4_quote_lengths),
		cmocka_unit_test(test_ptb4_never_respond),
		cmocka_unit_test(test_ptb4_bad_args),
		cmocka_unit_test(test_ptb6_basic),
		cmocka_unit_test(test_ptb6_bad_args),
		cmocka_unit_test(test_ptb6_never_respond),
		cmocka_unit_test(test_ptb_source_is_destination),
		cmocka_unit_test(test_echo4_roundtrip),
		cmocka_unit_test(test_echo6_roundtrip),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
