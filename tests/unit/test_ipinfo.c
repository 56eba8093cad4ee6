// SPDX-License-Identifier: MIT
/* Inner IP header parsing: lengths, fragments, the IPv6 extension walk. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "pmtu/ipinfo.h"
#include "pmtu_testpkt.h"

static const char S4[4] = { 10, 0, 0, 2 }, D4[4] = { 10, 0, 0, 9 };
static const uint8_t S6[16] = { 0xfd, [15] = 2 }, D6[16] = { 0xfd, [15] = 9 };
static uint8_t p[2000];

static void test_v4(void **state)
{
	struct ipinfo ii;

	(void)state;
	mk_ip4(p, 100, 0x4000, 6, S4, D4);
	assert_int_equal(ipi_parse(p, 120, &ii), 0); /* trailing bytes ignored */
	assert_int_equal(ii.version, 4);
	assert_int_equal(ii.tot_len, 100);
	assert_int_equal(ii.ip_hdr_len, 20);
	assert_int_equal(ii.l4_off, 20);
	assert_int_equal(ii.proto, 6);
	assert_int_equal(ii.ttl, 64);
	assert_true(ii.df);
	assert_false(ii.fragment);
	assert_memory_equal(ii.src, S4, 4);
	assert_memory_equal(ii.dst, D4, 4);
	mk_ip4(p, 100, 0x2000 | 10, 17, S4, D4);
	assert_int_equal(ipi_parse(p, 100, &ii), 0);
	assert_true(ii.fragment);
	assert_true(ii.mf);
	assert_int_equal(ii.frag_off, 80);
	assert_int_equal(ii.l4_off, 0);
	/* lengths that lie */
	assert_int_equal(ipi_parse(p, 99, &ii), -EBADMSG);
	p[3] = 19;
	assert_int_equal(ipi_parse(p, 100, &ii), -EBADMSG);
	p[3] = 100;
	p[0] = 0x48; /* IHL 32 */
	assert_int_equal(ipi_parse(p, 100, &ii), 0);
	assert_int_equal(ii.ip_hdr_len, 32);
	p[0] = 0x43;
	assert_int_equal(ipi_parse(p, 100, &ii), -EBADMSG);
	p[0] = 0x5f;
	assert_int_equal(ipi_parse(p, 100, &ii), -EPROTONOSUPPORT);
	assert_int_equal(ipi_parse(p, 0, &ii), -EBADMSG);
	assert_int_equal(ipi_parse(NULL, 10, &ii), -EBADMSG);
}

static void test_v6_ext_walk(void **state)
{
	struct ipinfo ii;

	(void)state;
	memset(p, 0, sizeof(p));
	/* HBH(8) -> routing(16) -> AH(12 + 4 = (1+2)*4) -> dst opts(8) -> fragment(8) -> UDP */
	mk_ip6(p, 200, 0, S6, D6);
	p[40] = 43; p[41] = 0;
	p[48] = 51; p[49] = 1;
	p[64] = 60; p[65] = 1;
	p[76] = 44; p[77] = 0;
	p[84] = 17; p[86] = 0; p[87] = 1; /* offset 0, M */
	assert_int_equal(ipi_parse(p, 240, &ii), 0);
	assert_int_equal(ii.version, 6);
	assert_int_equal(ii.tot_len, 240);
	assert_int_equal(ii.proto, 17);
	assert_int_equal(ii.l4_off, 92);
	assert_true(ii.fragment);
	assert_true(ii.mf);
	assert_int_equal(ii.frag_off, 0);
	/* later fragment: upper layer unknown */
	p[86] = 0x01; p[87] = 0x00; /* offset field 32 = 256 bytes */
	assert_int_equal(ipi_parse(p, 240, &ii), 0);
	assert_int_equal(ii.frag_off, 256);
	assert_int_equal(ii.l4_off, 0);
	/* two fragment headers */
	p[86] = 0; p[84] = 44;
	assert_int_equal(ipi_parse(p, 240, &ii), -EBADMSG);
	/* ESP and no-next-header: no upper layer to look at */
	mk_ip6(p, 0, 59, S6, D6);
	assert_int_equal(ipi_parse(p, 40, &ii), 0);
	assert_int_equal(ii.l4_off, 0);
	assert_int_equal(ii.proto, 59);
	mk_ip6(p, 8, 50, S6, D6);
	assert_int_equal(ipi_parse(p, 48, &ii), 0);
	assert_int_equal(ii.l4_off, 0);
	/* a header that runs past the payload length (not the buffer) */
	mk_ip6(p, 8, 60, S6, D6);
	p[40] = 6; p[41] = 1; /* 16 bytes, only 8 in the datagram */
	assert_int_equal(ipi_parse(p, 100, &ii), -EBADMSG);
	/* an endless chain of destination options */
	memset(p, 0, sizeof(p));
	mk_ip6(p, 8 * 40, 60, S6, D6);
	for (int i = 0; i < 40; i++)
		p[40 + 8 * i] = 60;
	assert_int_equal(ipi_parse(p, 40 + 8 * 40, &ii), -EBADMSG);
	/* payload length beyond the buffer */
	mk_ip6(p, 100, 6, S6, D6);
	assert_int_equal(ipi_parse(p, 139, &ii), -EBADMSG);
	assert_int_equal(ipi_parse(p, 39, &ii), -EBADMSG);
}

static void test_addr_classes(void **state)
{
	static const uint8_t z[4] = { 0, 0, 0, 0 }, h[4] = { 10, 1, 2, 3 };
	static const uint8_t lo[4] = { 127, 0, 0, 1 }, mc[4] = { 224, 0, 0, 1 };
	static const uint8_t e[4] = { 240, 0, 0, 1 }, b[4] = { 255, 255, 255, 255 };
	static const uint8_t six_lo[16] = { [15] = 1 }, six_z[16] = { 0 };
	static const uint8_t six_mc[16] = { 0xff, 0x02, [15] = 1 };

	(void)state;
	assert_true(ipi_v4_is_unicast_host(h));
	assert_false(ipi_v4_is_unicast_host(z));
	assert_false(ipi_v4_is_unicast_host(lo));
	assert_false(ipi_v4_is_unicast_host(mc));
	assert_false(ipi_v4_is_unicast_host(e));
	assert_false(ipi_v4_is_unicast_host(b));
	assert_true(ipi_v4_is_multicast_or_bcast(mc));
	assert_true(ipi_v4_is_multicast_or_bcast(b));
	assert_false(ipi_v4_is_multicast_or_bcast(h));
	assert_true(ipi_v6_is_loopback(six_lo));
	assert_true(ipi_v6_is_unspecified(six_z));
	assert_true(ipi_v6_is_multicast(six_mc));
	assert_false(ipi_v6_is_multicast(S6));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_v4),
		cmocka_unit_test(test_v6_ext_walk),
		cmocka_unit_test(test_addr_classes),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
