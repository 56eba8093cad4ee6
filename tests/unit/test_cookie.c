// SPDX-License-Identifier: MIT
/* MAC1/MAC2, cookie replies and secret rotation, with a fake clock. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>
#include <string.h>

#include "wire/cookie.h"
#include "wire/crypto.h"

#define NS 1000000000ULL

static const uint8_t addr4[4] = { 10, 0, 0, 1 };
static const uint8_t addr4b[4] = { 10, 0, 0, 2 };
static const uint8_t addr6[16] = { 0xfd, 0, [15] = 1 };

static void make_msg(uint8_t msg[148])
{
	memset(msg, 0, 148);
	msg[0] = 1;
	for (int i = 4; i < 116; i++)
		msg[i] = (uint8_t)i;
}

static void pub_of(uint8_t pub[32])
{
	static const uint8_t p[32] = {
		0xde, 0x9e, 0xdb, 0x7d, 0x7b, 0x7d, 0xc1, 0xb4, 0xd3, 0x5b, 0x61, 0xc2, 0xec, 0xe4, 0x35, 0x37,
		0x3f, 0x83, 0x43, 0xc8, 0x5b, 0x78, 0x67, 0x4d, 0xad, 0xfc, 0x7e, 0x14, 0x6f, 0x88, 0x2b, 0x4f,
	};
	memcpy(pub, p, 32);
}

static void test_mac1_known_value(void **state)
{
	uint8_t msg[148], pub[32];
	/* python3: blake2s(msg[:116], key=blake2s(b"mac1----"+pub), digest_size=16) */
	static const uint8_t exp[16] = { 0xae, 0xab, 0xcb, 0x4c, 0xc8, 0x5e, 0xa2, 0xd8,
					 0x26, 0x53, 0x6b, 0xaf, 0xc8, 0x5b, 0x8e, 0x02 };
	struct wg_cookie_maker m;
	struct wg_cookie_checker c = { 0 };

	(void)state;
	pub_of(pub);
	make_msg(msg);
	wg_cookie_maker_init(&m, pub);
	assert_int_equal(wg_cookie_add_macs(&m, msg, 148, 0), 0);
	assert_memory_equal(msg + 116, exp, 16);
	for (int i = 132; i < 148; i++)
		assert_int_equal(msg[i], 0); /* no cookie: mac2 zeros */
	wg_cookie_checker_init(&c, pub);
	assert_int_equal(wg_cookie_validate(&c, msg, 148, addr4, 4, 51820, 0), WG_COOKIE_MAC_VALID_MAC1);
	/* any change to the covered bytes or the mac breaks it */
	msg[10] ^= 1;
	assert_int_equal(wg_cookie_validate(&c, msg, 148, addr4, 4, 51820, 0), WG_COOKIE_MAC_INVALID);
	msg[10] ^= 1;
	msg[120] ^= 1;
	assert_int_equal(wg_cookie_validate(&c, msg, 148, addr4, 4, 51820, 0), WG_COOKIE_MAC_INVALID);
	msg[120] ^= 1;
	/* wrong lengths / types are never valid */
	assert_int_equal(wg_cookie_validate(&c, msg, 92, addr4, 4, 51820, 0), WG_COOKIE_MAC_INVALID);
	assert_int_equal(wg_cookie_add_macs(&m, msg, 147, 0), -EINVAL);
	/* a checker for another key rejects */
	pub[0] ^= 1;
	wg_cookie_checker_init(&c, pub);
	assert_int_equal(wg_cookie_validate(&c, msg, 148, addr4, 4, 51820, 0), WG_COOKIE_MAC_INVALID);
	wg_cookie_checker_init(&c, NULL);
	assert_int_equal(wg_cookie_validate(&c, msg, 148, addr4, 4, 51820, 0), WG_COOKIE_MAC_INVALID);
	wg_cookie_checker_clear(&c);
	wg_cookie_maker_clear(&m);
}

static void test_cookie_flow(void **state)
{
	struct wg_message_handshake_cookie reply, bad;
	struct wg_cookie_checker c = { 0 };
	struct wg_cookie_maker m, other;
	uint8_t msg[148], pub[32];
	uint64_t t0 = 1000 * NS;

	(void)state;
	pub_of(pub);
	wg_cookie_checker_init(&c, pub);
	wg_cookie_maker_init(&m, pub);
	make_msg(msg);
	memcpy(msg + 4, "\x11\x22\x33\x44", 4); /* sender index */
	assert_int_equal(wg_cookie_consume_reply(&m, &reply, t0), -EINVAL); /* garbage type */
	assert_int_equal(wg_cookie_add_macs(&m, msg, 148, t0), 0);
	assert_int_equal(wg_cookie_validate(&c, msg, 148, addr4, 4, 51820, t0), WG_COOKIE_MAC_VALID_MAC1);

	/* under load: the responder answers with a cookie reply */
	assert_int_equal(wg_cookie_create_reply(&c, &reply, msg, 148, addr4, 4, 51820, t0), 0);
	assert_int_equal(reply.header.type, htole32(3));
	assert_memory_equal(&reply.receiver_index, "\x11\x22\x33\x44", 4);
	/* forged or for another peer's maker: rejected */
	memcpy(&bad, &reply, sizeof(bad));
	bad.encrypted_cookie[0] ^= 1;
	assert_int_equal(wg_cookie_consume_reply(&m, &bad, t0), -EBADMSG);
	pub[0] ^= 1; /* some other public key */
	wg_cookie_maker_init(&other, pub);
	pub[0] ^= 1;
	assert_int_equal(wg_cookie_consume_reply(&other, &reply, t0), -ENOENT); /* sent nothing */
	assert_int_equal(wg_cookie_add_macs(&other, msg, 148, t0), 0);
	assert_int_equal(wg_cookie_consume_reply(&other, &reply, t0), -EBADMSG);
	/* restore msg's macs from m */
	assert_int_equal(wg_cookie_add_macs(&m, msg, 148, t0), 0);
	assert_int_equal(wg_cookie_consume_reply(&m, &reply, t0), 0);
	/* one reply per message */
	assert_int_equal(wg_cookie_consume_reply(&m, &reply, t0), -ENOENT);

	/* the next message carries mac2, valid only from the same address+port */
	msg[50] ^= 0xff; /* a new message */
	assert_int_equal(wg_cookie_add_macs(&m, msg, 148, t0 + NS), 0);
	assert_false(wg_ct_is_zero(msg + 132, 16));
	assert_int_equal(wg_cookie_validate(&c, msg, 148, addr4, 4, 51820, t0 + NS),
			 WG_COOKIE_MAC_VALID_MAC2);
	assert_int_equal(wg_cookie_validate(&c, msg, 148, addr4, 4, 51821, t0 + NS),
			 WG_COOKIE_MAC_VALID_MAC1);
	assert_int_equal(wg_cookie_validate(&c, msg, 148, addr4b, 4, 51820, t0 + NS),
			 WG_COOKIE_MAC_VALID_MAC1);
	assert_int_equal(wg_cookie_validate(&c, msg, 148, addr4, 3, 51820, t0 + NS),
			 WG_COOKIE_MAC_VALID_MAC1);
	/* still valid just before the secret's 120 s; rotated at 120 s */
	assert_int_equal(wg_cookie_validate(&c, msg, 148, addr4, 4, 51820, t0 + 120 * NS - 1),
			 WG_COOKIE_MAC_VALID_MAC2);
	assert_int_equal(wg_cookie_validate(&c, msg, 148, addr4, 4, 51820, t0 + 120 * NS),
			 WG_COOKIE_MAC_VALID_MAC1);
	/* the maker stops using a cookie older than 120 - 5 s */
	assert_int_equal(wg_cookie_add_macs(&m, msg, 148, t0 + 114 * NS), 0);
	assert_false(wg_ct_is_zero(msg + 132, 16));
	assert_int_equal(wg_cookie_add_macs(&m, msg, 148, t0 + 115 * NS), 0);
	assert_true(wg_ct_is_zero(msg + 132, 16));
	wg_cookie_checker_clear(&c);
	wg_cookie_maker_clear(&m);
	wg_cookie_maker_clear(&other);
}

/* Response messages (92 bytes) and IPv6 sources work the same way. */
static void test_response_ipv6(void **state)
{
	struct wg_message_handshake_cookie reply;
	struct wg_cookie_checker c = { 0 };
	struct wg_cookie_maker m;
	uint8_t msg[92], pub[32];

	(void)state;
	pub_of(pub);
	wg_cookie_checker_init(&c, pub);
	wg_cookie_maker_init(&m, pub);
	memset(msg, 0x33, sizeof(msg));
	msg[0] = 2;
	msg[1] = msg[2] = msg[3] = 0;
	assert_int_equal(wg_cookie_add_macs(&m, msg, 92, 0), 0);
	assert_int_equal(wg_cookie_create_reply(&c, &reply, msg, 92, addr6, 16, 443, 0), 0);
	assert_int_equal(wg_cookie_consume_reply(&m, &reply, 0), 0);
	assert_int_equal(wg_cookie_add_macs(&m, msg, 92, NS), 0);
	assert_int_equal(wg_cookie_validate(&c, msg, 92, addr6, 16, 443, NS), WG_COOKIE_MAC_VALID_MAC2);
	assert_int_equal(wg_cookie_create_reply(&c, &reply, msg, 91, addr6, 16, 443, 0), -EINVAL);
	wg_cookie_checker_clear(&c);
	wg_cookie_maker_clear(&m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_mac1_known_value),
		cmocka_unit_test(test_cookie_flow),
		cmocka_unit_test(test_response_ipv6),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
