// SPDX-License-Identifier: MIT
/* wgd_ip_parse: the validation stage both directions share (hooks.h). */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <sys/socket.h>
#include <cmocka.h>

#include "daemon/hooks.h"

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
	struct wgd_ip ip;

	(void)st;
	v4(p, 60, 6, true);
	assert_int_equal(wgd_ip_parse(p, 60, &ip), 0);
	assert_int_equal(ip.family, AF_INET);
	assert_int_equal(ip.len, 60);
	assert_int_equal(ip.hdr_len, 20);
	assert_int_equal(ip.proto, 6);
	assert_true(ip.df);
	assert_ptr_equal(ip.src, p + 12);
	assert_ptr_equal(ip.dst, p + 16);
	/* padding after the packet (decrypted plaintext is padded to 16) */
	assert_int_equal(wgd_ip_parse(p, 64, &ip), 0);
	assert_int_equal(ip.len, 60);
	v4(p, 60, 17, false);
	assert_int_equal(wgd_ip_parse(p, 60, &ip), 0);
	assert_false(ip.df);
}

static void test_ipv4_malformed(void **st)
{
	uint8_t p[100];
	struct wgd_ip ip;

	(void)st;
	v4(p, 60, 6, true);
	assert_int_equal(wgd_ip_parse(p, 59, &ip), -EINVAL);  /* total > bytes */
	assert_int_equal(wgd_ip_parse(p, 19, &ip), -EINVAL);  /* short header */
	assert_int_equal(wgd_ip_parse(p, 0, &ip), -EINVAL);
	p[0] = 0x44;                                          /* IHL 4 */
	assert_int_equal(wgd_ip_parse(p, 60, &ip), -EINVAL);
	p[0] = 0x4f;                                          /* IHL 60 > total 60? equal: ok */
	assert_int_equal(wgd_ip_parse(p, 60, &ip), 0);
	p[3] = 40;                                            /* total < IHL */
	assert_int_equal(wgd_ip_parse(p, 60, &ip), -EINVAL);
	p[0] = 0x55;                                          /* version 5 */
	assert_int_equal(wgd_ip_parse(p, 60, &ip), -EINVAL);
}

static void test_ipv6(void **st)
{
	uint8_t p[200];
	struct wgd_ip ip;

	(void)st;
	v6(p, 100, 58);
	assert_int_equal(wgd_ip_parse(p, 140, &ip), 0);
	assert_int_equal(ip.family, AF_INET6);
	assert_int_equal(ip.len, 140);
	assert_int_equal(ip.hdr_len, 40);
	assert_int_equal(ip.proto, 58);
	assert_ptr_equal(ip.src, p + 8);
	assert_ptr_equal(ip.dst, p + 24);
	assert_int_equal(wgd_ip_parse(p, 139, &ip), -EINVAL); /* payload > bytes */
	assert_int_equal(wgd_ip_parse(p, 39, &ip), -EINVAL);
	v6(p, 0, 59);
	assert_int_equal(wgd_ip_parse(p, 40, &ip), 0);
	assert_int_equal(ip.len, 40);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ipv4),
		cmocka_unit_test(test_ipv4_malformed),
		cmocka_unit_test(test_ipv6),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
