// SPDX-License-Identifier: MIT
/* Known-answer tests for the primitives: RFC 7748 (X25519), RFC 8439
 * (ChaCha20-Poly1305), RFC 7693 (BLAKE2s), draft-irtf-cfrg-xchacha
 * (HChaCha20, XChaCha20-Poly1305) and the WireGuard construction values.
 * Values marked "python3" were computed independently with hashlib /
 * hmac / the cryptography package, not with this code. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "wire/crypto.h"
#include "wire/messages.h"

static size_t unhex(uint8_t *out, size_t cap, const char *hex)
{
	size_t n = 0;

	while (hex[0] && hex[1]) {
		unsigned int v;

		if (hex[0] == ' ' || hex[0] == ':') {
			hex++;
			continue;
		}
		assert_int_equal(sscanf(hex, "%2x", &v), 1);
		assert_true(n < cap);
		out[n++] = (uint8_t)v;
		hex += 2;
	}
	return n;
}

#define HEX(buf, s) unhex(buf, sizeof(buf), s)

static void test_x25519_rfc7748(void **state)
{
	uint8_t a[32], b[32], ap[32], bp[32], s1[32], s2[32], exp[32], k[32], u[32];

	(void)state;
	/* section 6.1 */
	HEX(a, "77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a");
	HEX(b, "5dab087e624a8a4b79e17f8b83800ee66f3bb1292618b6fd1c2f8b27ff88e0eb");
	assert_int_equal(wg_x25519_public(ap, a), 0);
	assert_int_equal(wg_x25519_public(bp, b), 0);
	HEX(exp, "8520f0098930a754748b7ddcb43ef75a0dbf3a0d26381af4eba4a98eaa9b4e6a");
	assert_memory_equal(ap, exp, 32);
	HEX(exp, "de9edb7d7b7dc1b4d35b61c2ece435373f8343c85b78674dadfc7e146f882b4f");
	assert_memory_equal(bp, exp, 32);
	assert_int_equal(wg_x25519(s1, a, bp), 0);
	assert_int_equal(wg_x25519(s2, b, ap), 0);
	HEX(exp, "4a5d9d5ba4ce2de1728e3bf480350f25e07e21c947d19e3376f09b3c1e161742");
	assert_memory_equal(s1, exp, 32);
	assert_memory_equal(s2, exp, 32);
	/* section 5.2, first vector (unclamped scalar: clamping is X25519's) */
	HEX(k, "a546e36bf0527c9d3b16154b82465edd62144c0ac1fc5a18506a2244ba449ac4");
	HEX(u, "e6db6867583030db3594c1a424b15f7c726624ec26b3353b10a903a6d0ab1c4c");
	HEX(exp, "c3da55379de9c6908e94ea4df28d084f32eccf03491c71f754b4075577a28552");
	assert_int_equal(wg_x25519(s1, k, u), 0);
	assert_memory_equal(s1, exp, 32);
}

static void test_x25519_low_order(void **state)
{
	uint8_t priv[32], zero[32] = { 0 }, out[32];

	(void)state;
	assert_int_equal(wg_x25519_generate(priv), 0);
	assert_int_equal(priv[0] & 7, 0);
	assert_int_equal(priv[31] & 0xc0, 0x40);
	/* the point 0 is low-order: the shared secret would be all zeros */
	memset(out, 0xaa, sizeof(out));
	assert_int_equal(wg_x25519(out, priv, zero), -EINVAL);
	assert_memory_equal(out, zero, 32);
}

/* The prepared-key form gives the same RFC 7748 results, repeatedly. */
static void test_x25519_key_object(void **state)
{
	struct wg_x25519_key k = { 0 };
	uint8_t a[32], bp[32], pub[32], out[32], exp[32], zero[32] = { 0 };

	(void)state;
	HEX(a, "77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a");
	HEX(bp, "de9edb7d7b7dc1b4d35b61c2ece435373f8343c85b78674dadfc7e146f882b4f");
	assert_int_equal(wg_x25519_key_dh(&k, out, bp), -ENOKEY);
	assert_int_equal(wg_x25519_key_load(&k, a, pub), 0);
	HEX(exp, "8520f0098930a754748b7ddcb43ef75a0dbf3a0d26381af4eba4a98eaa9b4e6a");
	assert_memory_equal(pub, exp, 32);
	HEX(exp, "4a5d9d5ba4ce2de1728e3bf480350f25e07e21c947d19e3376f09b3c1e161742");
	for (int i = 0; i < 3; i++) {
		memset(out, 0, 32);
		assert_int_equal(wg_x25519_key_dh(&k, out, bp), 0);
		assert_memory_equal(out, exp, 32);
	}
	assert_int_equal(wg_x25519_key_dh(&k, out, zero), -EINVAL);
	assert_memory_equal(out, zero, 32);
	/* still usable after a failure; generate replaces the key */
	assert_int_equal(wg_x25519_key_dh(&k, out, bp), 0);
	assert_int_equal(wg_x25519_key_generate(&k, pub), 0);
	assert_int_equal(wg_x25519_key_dh(&k, out, bp), 0);
	assert_memory_not_equal(out, exp, 32);
	wg_x25519_key_clear(&k);
	wg_x25519_key_clear(&k);
	assert_null(k.pkey);
}

static const char ladies[] = "Ladies and Gentlemen of the class of '99: If I could offer you "
			     "only one tip for the future, sunscreen would be it.";

static void test_chachapoly_rfc8439(void **state)
{
	uint8_t key[32], nonce[12], ad[12], exp[200], out[200], back[200];
	size_t n = strlen(ladies), elen;

	(void)state;
	/* section 2.8.2 */
	HEX(key, "808182838485868788898a8b8c8d8e8f909192939495969798999a9b9c9d9e9f");
	HEX(nonce, "070000004041424344454647");
	HEX(ad, "50515253c0c1c2c3c4c5c6c7");
	elen = HEX(exp, "d31a8d34648e60db7b86afbc53ef7ec2a4aded51296e08fea9e2b5a736ee62d6"
			"3dbea45e8ca9671282fafb69da92728b1a71de0a9e060b2905d6a5b67ecd3b36"
			"92ddbd7f2d778b8c9803aee328091b58fab324e4fad675945585808b4831d7bc"
			"3ff4def08e4b7a9de576d26586cec64b6116"
			"1ae10b594f09e26a7e902ecbd0600691");
	assert_int_equal(elen, n + 16);
	assert_int_equal(wg_aead_encrypt_ietf(out, (const uint8_t *)ladies, n, ad, 12, nonce, key), 0);
	assert_memory_equal(out, exp, elen);
	assert_int_equal(wg_aead_decrypt_ietf(back, out, elen, ad, 12, nonce, key), 0);
	assert_memory_equal(back, ladies, n);
	/* any flipped bit, in ciphertext, tag or AD, fails and wipes */
	out[3] ^= 1;
	assert_int_equal(wg_aead_decrypt_ietf(back, out, elen, ad, 12, nonce, key), -EBADMSG);
	out[3] ^= 1;
	out[elen - 1] ^= 0x80;
	assert_int_equal(wg_aead_decrypt_ietf(back, out, elen, ad, 12, nonce, key), -EBADMSG);
	out[elen - 1] ^= 0x80;
	ad[0] ^= 1;
	assert_int_equal(wg_aead_decrypt_ietf(back, out, elen, ad, 12, nonce, key), -EBADMSG);
	assert_int_equal(wg_aead_decrypt_ietf(back, out, 15, ad, 12, nonce, key), -EBADMSG);
}

/* The WireGuard nonce: 4 zero bytes then the little-endian counter. */
static void test_chachapoly_wg_nonce(void **state)
{
	uint8_t key[32], pt[100], exp[116], out[116], back[100];

	(void)state;
	HEX(key, "808182838485868788898a8b8c8d8e8f909192939495969798999a9b9c9d9e9f");
	for (int i = 0; i < 100; i++)
		pt[i] = (uint8_t)i;
	/* python3: cryptography ChaCha20Poly1305, nonce 00000000||le64(0x0102030405060708), AD "wg" */
	HEX(exp, "f4b0ecb854df5dda2bb87b80027a6bd0e36246f8263f85b9132962857956977d"
		 "a447169699db524b54b62be11649da70e2e2a9c2c64fbcc2f6f3925b7997ba4a"
		 "3ec370da7dd998d94eb489547b1f82848d5beeb1caec3aeaa0ad07c593b7cb3d"
		 "695084f2797a4d78039a38e7b9a16ab02b1e3839");
	assert_int_equal(wg_aead_encrypt(out, pt, 100, (const uint8_t *)"wg", 2,
					 0x0102030405060708ULL, key), 0);
	assert_memory_equal(out, exp, 116);
	assert_int_equal(wg_aead_decrypt(back, out, 116, (const uint8_t *)"wg", 2,
					 0x0102030405060708ULL, key), 0);
	assert_memory_equal(back, pt, 100);
	assert_int_equal(wg_aead_decrypt(back, out, 116, (const uint8_t *)"wg", 2, 1, key), -EBADMSG);
}

/* The reusable per-keypair context gives the same bytes as one-shot calls,
 * for many packets in a row on one context, in place. */
static void test_aead_ctx(void **state)
{
	static uint8_t buf[1420 + 16], ref[1420 + 16];
	struct wg_aead_ctx seal, open;
	uint8_t key[32], tag[16];

	(void)state;
	HEX(key, "808182838485868788898a8b8c8d8e8f909192939495969798999a9b9c9d9e9f");
	assert_int_equal(wg_aead_ctx_init(&seal, key, true), 0);
	assert_int_equal(wg_aead_ctx_init(&open, key, false), 0);
	for (uint64_t ctr = 0; ctr < 20; ctr++) {
		size_t len = (size_t)(ctr * 71) % 1421;

		for (size_t i = 0; i < len; i++)
			buf[i] = (uint8_t)(i ^ ctr);
		assert_int_equal(wg_aead_encrypt(ref, buf, len, NULL, 0, ctr, key), 0);
		assert_int_equal(wg_aead_ctx_seal(&seal, ctr, buf, len), 0);
		assert_memory_equal(buf, ref, len + 16);
		assert_int_equal(wg_aead_ctx_open(&open, ctr, buf, len + 16), 0);
		for (size_t i = 0; i < len; i++)
			assert_int_equal(buf[i], (uint8_t)(i ^ ctr));
	}
	/* python3: tag of 1420 zero bytes, counter 7 */
	memset(buf, 0, 1420);
	assert_int_equal(wg_aead_ctx_seal(&seal, 7, buf, 1420), 0);
	HEX(tag, "c17057aeb2397fa6a1278eb02b519433");
	assert_memory_equal(buf + 1420, tag, 16);
	/* a wrong counter fails; the context stays usable afterwards */
	assert_int_equal(wg_aead_ctx_open(&open, 8, buf, 1436), -EBADMSG);
	memset(buf, 0, 1420);
	assert_int_equal(wg_aead_ctx_seal(&seal, 7, buf, 1420), 0);
	assert_int_equal(wg_aead_ctx_open(&open, 7, buf, 1436), 0);
	/* direction is fixed at init */
	assert_int_equal(wg_aead_ctx_open(&seal, 7, buf, 1436), -EINVAL);
	wg_aead_ctx_clear(&seal);
	wg_aead_ctx_clear(&open);
	wg_aead_ctx_clear(&open); /* idempotent */
}

static void test_hchacha20_draft(void **state)
{
	uint8_t key[32], nonce[16], out[32], exp[32];

	(void)state;
	/* draft-irtf-cfrg-xchacha-03 section 2.2.1 */
	for (int i = 0; i < 32; i++)
		key[i] = (uint8_t)i;
	HEX(nonce, "000000090000004a0000000031415927");
	HEX(exp, "82413b4227b27bfed30e42508a877d73a0f9e4d58a74a853c12ec41326d3ecdc");
	wg_hchacha20(out, key, nonce);
	assert_memory_equal(out, exp, 32);
}

static void test_xchachapoly_draft(void **state)
{
	uint8_t key[32], nonce[24], ad[12], exp[200], out[200], back[200];
	size_t n = strlen(ladies), elen;

	(void)state;
	/* draft-irtf-cfrg-xchacha-03 appendix A.3.1 */
	HEX(key, "808182838485868788898a8b8c8d8e8f909192939495969798999a9b9c9d9e9f");
	HEX(nonce, "404142434445464748494a4b4c4d4e4f5051525354555657");
	HEX(ad, "50515253c0c1c2c3c4c5c6c7");
	elen = HEX(exp, "bd6d179d3e83d43b9576579493c0e939572a1700252bfaccbed2902c21396cbb"
			"731c7f1b0b4aa6440bf3a82f4eda7e39ae64c6708c54c216cb96b72e1213b452"
			"2f8c9ba40db5d945b11b69b982c1bb9e3f3fac2bc369488f76b2383565d3fff9"
			"21f9664c97637da9768812f615c68b13b52e"
			"c0875924c1c7987947deafd8780acf49");
	assert_int_equal(elen, n + 16);
	assert_int_equal(wg_xaead_encrypt(out, (const uint8_t *)ladies, n, ad, 12, nonce, key), 0);
	assert_memory_equal(out, exp, elen);
	assert_int_equal(wg_xaead_decrypt(back, out, elen, ad, 12, nonce, key), 0);
	assert_memory_equal(back, ladies, n);
	nonce[23] ^= 1;
	assert_int_equal(wg_xaead_decrypt(back, out, elen, ad, 12, nonce, key), -EBADMSG);
}

static void test_blake2s(void **state)
{
	uint8_t out[32], exp[32], key[32];
	const char *fox = "The quick brown fox";

	(void)state;
	/* RFC 7693 appendix B */
	HEX(exp, "508c5e8c327c14e2e1a72ba34eeb452f37458b209ed63a294d999b4c86675982");
	assert_int_equal(wg_hash(out, "abc", 3), 0);
	assert_memory_equal(out, exp, 32);
	/* split input hashes the concatenation */
	assert_int_equal(wg_hash2(out, "a", 1, "bc", 2), 0);
	assert_memory_equal(out, exp, 32);

	for (int i = 0; i < 32; i++)
		key[i] = (uint8_t)i;
	/* python3: blake2s(fox, key=0..31, digest_size=16) */
	HEX(exp, "620aec2189126dfadcb054f2c489ea77");
	assert_int_equal(wg_mac(out, key, fox, strlen(fox)), 0);
	assert_memory_equal(out, exp, 16);
	/* python3: hmac.new(0..31, fox, blake2s) */
	HEX(exp, "22bcaf49c813868721c17ffc23f598e97283f564a578996cb149fad35ed8d00c");
	assert_int_equal(wg_hmac(out, key, 32, fox, strlen(fox)), 0);
	assert_memory_equal(out, exp, 32);
	assert_int_equal(wg_blake2s_keyed(out, 33, key, 32, fox, 3), -EINVAL);
	assert_int_equal(wg_blake2s_keyed(out, 16, key, 0, fox, 3), -EINVAL);
}

/* Whitepaper 5.4: C_i = HASH(CONSTRUCTION), H_i = HASH(C_i || IDENTIFIER),
 * mac1 key = HASH(LABEL_MAC1 || S_pub), cookie key = HASH(LABEL_COOKIE || S_pub),
 * Kdf chain over HMAC. All expected values from python3 hashlib/hmac. */
static void test_construction_values(void **state)
{
	uint8_t c[32], h[32], exp[32], pub[32], t1[32], t2[32], t3[32];
	const char *fox = "The quick brown fox";

	(void)state;
	assert_int_equal(wg_hash(c, WG_NOISE_CONSTRUCTION, strlen(WG_NOISE_CONSTRUCTION)), 0);
	HEX(exp, "60e26daef327efc02ec335e2a025d2d016eb4206f87277f52d38d1988b78cd36");
	assert_memory_equal(c, exp, 32);
	assert_int_equal(wg_hash2(h, c, 32, WG_NOISE_IDENTIFIER, strlen(WG_NOISE_IDENTIFIER)), 0);
	HEX(exp, "2211b361081ac566691243db458ad5322d9c6c662293e8b70ee19c65ba079ef3");
	assert_memory_equal(h, exp, 32);

	HEX(pub, "de9edb7d7b7dc1b4d35b61c2ece435373f8343c85b78674dadfc7e146f882b4f");
	assert_int_equal(wg_hash2(h, WG_LABEL_MAC1, 8, pub, 32), 0);
	HEX(exp, "52c0a95717f46ba7941f80cec1ead35984c9f023a996170d9e47e314d260dc96");
	assert_memory_equal(h, exp, 32);
	assert_int_equal(wg_hash2(h, WG_LABEL_COOKIE, 8, pub, 32), 0);
	HEX(exp, "da2c25a7f8182d2a7a58b0978d9dcd7e5f76c3fcf138fd6e5754404304cacba0");
	assert_memory_equal(h, exp, 32);

	/* Kdf3(C_i, fox) */
	assert_int_equal(wg_kdf(t1, t2, t3, c, fox, strlen(fox)), 0);
	HEX(exp, "f69ae2266fc3c8ea84f34f211546b8e2d42d3b4b8e55c521c96e9df029abde05");
	assert_memory_equal(t1, exp, 32);
	HEX(exp, "affbfbfdcce45593db6e51bdc9a8834780f93eee6bbc8a533f5fd2b70a944f5f");
	assert_memory_equal(t2, exp, 32);
	HEX(exp, "8e024e0e0cc484a24622802a7c0ff1d4a9c08f3915e943081870230174f2715c");
	assert_memory_equal(t3, exp, 32);
	/* Kdf1 and Kdf2 are prefixes of Kdf3 */
	memset(t2, 0, 32);
	assert_int_equal(wg_kdf(t2, NULL, NULL, c, fox, strlen(fox)), 0);
	assert_memory_equal(t1, t2, 32);
	assert_int_equal(wg_kdf(t1, NULL, t3, c, fox, 1), -EINVAL);
}

static void test_tai64n(void **state)
{
	uint8_t out[12], exp[12];

	(void)state;
	/* 2^62 + 10 + 1700000000 = 0x400000006553f10a; nsec 0x075bcd15 */
	HEX(exp, "400000006553f10a075bcd15");
	wg_tai64n(out, 1700000000ULL, 123456789);
	assert_memory_equal(out, exp, 12);
	/* later times compare greater bytewise (what replay protection relies on) */
	wg_tai64n(exp, 1700000000ULL, 123456790);
	assert_true(memcmp(exp, out, 12) > 0);
}

static void test_ct_helpers(void **state)
{
	uint8_t a[32] = { 0 }, b[32] = { 0 };

	(void)state;
	assert_true(wg_ct_is_zero(a, 32));
	assert_true(wg_ct_equal(a, b, 32));
	b[31] = 1;
	assert_false(wg_ct_is_zero(b, 32));
	assert_false(wg_ct_equal(a, b, 32));
	wg_wipe(b, 32);
	assert_true(wg_ct_is_zero(b, 32));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_x25519_rfc7748),
		cmocka_unit_test(test_x25519_low_order),
		cmocka_unit_test(test_x25519_key_object),
		cmocka_unit_test(test_chachapoly_rfc8439),
		cmocka_unit_test(test_chachapoly_wg_nonce),
		cmocka_unit_test(test_aead_ctx),
		cmocka_unit_test(test_hchacha20_draft),
		cmocka_unit_test(test_xchachapoly_draft),
		cmocka_unit_test(test_blake2s),
		cmocka_unit_test(test_construction_values),
		cmocka_unit_test(test_tai64n),
		cmocka_unit_test(test_ct_helpers),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
