// SPDX-License-Identifier: MIT
/*
 * The daemon's inner-packet stage: ipi_parse (pmtu/ipinfo.h) is the one
 * parser both directions use before routing, the MSS clamp and the MTU
 * check (send.c, receive.c, pmtu.h). What the data path relies on, and
 * the MSS clamp finding a SYN behind IPv6 extension headers.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "common/buf.h"
#include "daemon/pmtu.h"
#include "pmtu/ipinfo.h"
#include "pmtu/mss.h"
#include "pmtu_testpkt.h"

static size_t v4(uint8_t *p, size_t tot, uint8_t proto, bool df)
{
	memset(p, 0, tot);
	p[0] = 0x45;
	p[2] = (uint8_t)(tot >> 8);
	p[3] = (uint8_t)tot;
	p[6] = df ? 0x40 : 0;
	p[8] = 64;
	p[9] = proto;
	p[12] = 10; p[15] = 1;
	p[16] = 10; p[19] = 2;
	return tot;
}

static size_t v6(uint8_t *p, size_t payload, uint8_t nh)
{
	memset(p, 0, 40 + payload);
	p[0] = 0x60;
	p[4] = (uint8_t)(payload >> 8);
	p[5] = (uint8_t)payload;
	p[6] = nh;
	p[8] = 0xfd; p[23] = 1;
	p[24] = 0xfd; p[39] = 2;
	return 40 + payload;
}

static void test_ipv4(void **st)
{
	uint8_t p[100];
	struct ipinfo ip;

	(void)st;
	v4(p, 60, IPI_PROTO_TCP, true);
	assert_int_equal(ipi_parse(p, 60, &ip), 0);
	assert_int_equal(ip.version, 4);
	assert_int_equal(ip.tot_len, 60);
	assert_int_equal(ip.ip_hdr_len, 20);
	assert_int_equal(ip.proto, IPI_PROTO_TCP);
	assert_true(ip.df);
	assert_memory_equal(ip.src, p + 12, 4);
	assert_memory_equal(ip.dst, p + 16, 4);
	/* padding after the packet (decrypted plaintext is padded to 16) */
	assert_int_equal(ipi_parse(p, 64, &ip), 0);
	assert_int_equal(ip.tot_len, 60);
	v4(p, 60, IPI_PROTO_UDP, false);
	assert_int_equal(ipi_parse(p, 60, &ip), 0);
	assert_false(ip.df);
}

static void test_ipv4_malformed(void **st)
{
	uint8_t p[100];
	struct ipinfo ip;

	(void)st;
	v4(p, 60, IPI_PROTO_TCP, true);
	assert_int_equal(ipi_parse(p, 59, &ip), -EBADMSG);  /* total > bytes */
	assert_int_equal(ipi_parse(p, 19, &ip), -EBADMSG);  /* short header */
	assert_int_equal(ipi_parse(p, 0, &ip), -EBADMSG);
	p[0] = 0x44;                                        /* IHL 4 */
	assert_int_equal(ipi_parse(p, 60, &ip), -EBADMSG);
	p[0] = 0x4f;                                        /* IHL 60 = total: ok */
	assert_int_equal(ipi_parse(p, 60, &ip), 0);
	p[3] = 40;                                          /* total < IHL */
	assert_int_equal(ipi_parse(p, 60, &ip), -EBADMSG);
	p[0] = 0x55;                                        /* version 5 */
	assert_int_equal(ipi_parse(p, 60, &ip), -EPROTONOSUPPORT);
	/* an in-band probe message is not an IP packet */
	memcpy(p, "\xf0\x57\x4d\x50", 4);
	assert_true(ipi_parse(p, 60, &ip) < 0);
}

static void test_ipv6(void **st)
{
	uint8_t p[200];
	struct ipinfo ip;

	(void)st;
	v6(p, 100, IPI_PROTO_ICMPV6);
	assert_int_equal(ipi_parse(p, 140, &ip), 0);
	assert_int_equal(ip.version, 6);
	assert_int_equal(ip.tot_len, 140);
	assert_int_equal(ip.ip_hdr_len, 40);
	assert_int_equal(ip.proto, IPI_PROTO_ICMPV6);
	assert_memory_equal(ip.src, p + 8, 16);
	assert_memory_equal(ip.dst, p + 24, 16);
	assert_int_equal(ipi_parse(p, 139, &ip), -EBADMSG); /* payload > bytes */
	assert_int_equal(ipi_parse(p, 39, &ip), -EBADMSG);
	v6(p, 0, IPI_PROTO_NONE);
	assert_int_equal(ipi_parse(p, 40, &ip), 0);
	assert_int_equal(ip.tot_len, 40);
}

/* An IPv6 TCP SYN (MSS 1460) behind a hop-by-hop options header: the
 * daemon's old header parser reported the first next header (0), so the
 * MSS stage skipped it and the SYN went through unclamped. */
static void test_ipv6_syn_behind_hbh(void **st)
{
	uint8_t p[40 + 8 + 24];
	uint8_t *tcp = p + 48;
	struct ipinfo ip;
	uint8_t ph[40];

	(void)st;
	v6(p, 8 + 24, IPI_PROTO_HOPOPTS);
	p[40] = IPI_PROTO_TCP; /* HBH: next header TCP, length 0 (8 bytes) */
	p[42] = 1;             /* PadN of 4 bytes */
	p[43] = 4;
	tcp[12] = 6 << 4;      /* data offset: 6 words (one option) */
	tcp[13] = 0x02;        /* SYN */
	tcp[20] = 2;           /* MSS option */
	tcp[21] = 4;
	put_be16(tcp + 22, 1460);
	ref_pseudo6(ph, p + 8, p + 24, IPI_PROTO_TCP, 24);
	ref_fill_csum(ph, sizeof(ph), tcp, 24, 16);

	assert_int_equal(ipi_parse(p, sizeof(p), &ip), 0);
	assert_int_equal(ip.proto, IPI_PROTO_TCP);
	assert_int_equal(ip.l4_off, 48);
	/* an inner MTU of 1280 leaves MSS 1220 for IPv6 */
	assert_int_equal(wgd_pmtu_clamp_mss(p, &ip, 1280), MSS_CLAMPED);
	assert_int_equal(get_be16(tcp + 22), 1220);
	assert_int_equal(ref_sum2(ph, sizeof(ph), tcp, 24), 0xffff);
	/* already clamped */
	assert_int_equal(wgd_pmtu_clamp_mss(p, &ip, 1280), MSS_UNCHANGED);
	/* not TCP: left alone */
	ip.proto = IPI_PROTO_UDP;
	assert_int_equal(wgd_pmtu_clamp_mss(p, &ip, 1000), MSS_NOT_TCP);
	assert_int_equal(get_be16(tcp + 22), 1220);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ipv4),
		cmocka_unit_test(test_ipv4_malformed),
		cmocka_unit_test(test_ipv6),
		cmocka_unit_test(test_ipv6_syn_behind_hbh),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
