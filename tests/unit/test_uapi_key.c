// SPDX-License-Identifier: MIT
/* The one key codec (uapi/key.h) that the daemon's UAPI parser, wgmtu and
 * the daemon's log share: hex both ways (constant time), base64 both ways,
 * against a straightforward reference. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "uapi/key.h"

static void test_hex_round_trip_every_byte(void **st)
{
	uint8_t k[UAPI_KEY_LEN], back[UAPI_KEY_LEN];
	char hex[2 * UAPI_KEY_LEN + 1], ref[2 * UAPI_KEY_LEN + 1];

	(void)st;
	for (unsigned base = 0; base < 256; base += UAPI_KEY_LEN) {
		for (unsigned i = 0; i < UAPI_KEY_LEN; i++) {
			k[i] = (uint8_t)(base + i);
			snprintf(ref + 2 * i, 3, "%02x", k[i]);
		}
		uapi_key_to_hex(k, hex);
		assert_string_equal(hex, ref);
		assert_int_equal(uapi_key_from_hex(hex, strlen(hex), back), 0);
		assert_memory_equal(back, k, UAPI_KEY_LEN);
		for (size_t i = 0; i < 2 * UAPI_KEY_LEN; i++)
			if (hex[i] >= 'a')
				hex[i] = (char)(hex[i] - 'a' + 'A');
		assert_int_equal(uapi_key_from_hex(hex, strlen(hex), back), 0);
		assert_memory_equal(back, k, UAPI_KEY_LEN);
	}
}

static void test_hex_rejects_and_wipes(void **st)
{
	static const char bad[] = "gG/:@`[ -x\xff";
	char hex[2 * UAPI_KEY_LEN + 1];
	uint8_t k[UAPI_KEY_LEN], zero[UAPI_KEY_LEN] = { 0 };

	(void)st;
	memset(hex, '7', 2 * UAPI_KEY_LEN);
	hex[2 * UAPI_KEY_LEN] = '\0';
	assert_int_equal(uapi_key_from_hex(hex, 63, k), -EINVAL);
	assert_int_equal(uapi_key_from_hex(hex, 64, k), 0);
	for (size_t pos = 0; pos < 2 * UAPI_KEY_LEN; pos += 7) {
		for (size_t b = 0; b < sizeof(bad) - 1; b++) {
			char h[sizeof(hex)];

			memcpy(h, hex, sizeof(h));
			h[pos] = bad[b];
			memset(k, 0x55, sizeof(k));
			assert_int_equal(uapi_key_from_hex(h, 64, k), -EINVAL);
			assert_memory_equal(k, zero, UAPI_KEY_LEN); /* no half key left */
		}
	}
}

static void test_base64_round_trip(void **st)
{
	uint8_t k[UAPI_KEY_LEN], back[UAPI_KEY_LEN];
	char b[UAPI_B64_KEY_LEN + 1];

	(void)st;
	for (unsigned i = 0; i < UAPI_KEY_LEN; i++)
		k[i] = (uint8_t)(i * 37 + 11);
	uapi_key_to_base64(k, b);
	assert_int_equal(strlen(b), UAPI_B64_KEY_LEN);
	assert_int_equal(b[43], '=');
	assert_int_equal(uapi_key_from_base64(b, back), 0);
	assert_memory_equal(back, k, UAPI_KEY_LEN);
	memset(k, 0, sizeof(k));
	uapi_key_to_base64(k, b);
	assert_string_equal(b, "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_hex_round_trip_every_byte),
		cmocka_unit_test(test_hex_rejects_and_wipes),
		cmocka_unit_test(test_base64_round_trip),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
