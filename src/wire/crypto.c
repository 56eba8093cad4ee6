/* SPDX-License-Identifier: MIT */
/* WireGuard primitives over OpenSSL 3 libcrypto. See crypto.h. */
#include "wire/crypto.h"

#include "common/buf.h"

#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <string.h>

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/params.h>
#include <openssl/rand.h>

static struct {
	EVP_CIPHER *chachapoly;
	EVP_MD *blake2s;
	EVP_MAC *blake2smac;
	EVP_MAC *hmac;
	int status; /* 0 ok, -EIO */
} lib;
static pthread_once_t lib_once = PTHREAD_ONCE_INIT;

static void lib_fetch(void)
{
	lib.chachapoly = EVP_CIPHER_fetch(NULL, "ChaCha20-Poly1305", NULL);
	lib.blake2s = EVP_MD_fetch(NULL, "BLAKE2S-256", NULL);
	lib.blake2smac = EVP_MAC_fetch(NULL, "BLAKE2SMAC", NULL);
	lib.hmac = EVP_MAC_fetch(NULL, "HMAC", NULL);
	lib.status = lib.chachapoly && lib.blake2s && lib.blake2smac && lib.hmac ? 0 : -EIO;
}

int wg_crypto_init(void)
{
	pthread_once(&lib_once, lib_fetch);
	return lib.status;
}

bool wg_ct_equal(const void *a, const void *b, size_t len)
{
	return CRYPTO_memcmp(a, b, len) == 0;
}

bool wg_ct_is_zero(const void *a, size_t len)
{
	const volatile uint8_t *p = a;
	uint8_t acc = 0;

	for (size_t i = 0; i < len; i++)
		acc |= p[i];
	return acc == 0;
}

void wg_wipe(void *p, size_t len)
{
	OPENSSL_cleanse(p, len);
}

/* ---- X25519 ------------------------------------------------------------ */

void wg_x25519_clamp(uint8_t key[WG_X25519_LEN])
{
	key[0] &= 248;
	key[31] &= 127;
	key[31] |= 64;
}

int wg_x25519_generate(uint8_t priv[WG_X25519_LEN])
{
	if (RAND_priv_bytes(priv, WG_X25519_LEN) != 1)
		return -EIO;
	wg_x25519_clamp(priv);
	return 0;
}

int wg_x25519_public(uint8_t pub[WG_X25519_LEN], const uint8_t priv[WG_X25519_LEN])
{
	EVP_PKEY *k = EVP_PKEY_new_raw_private_key(EVP_PKEY_X25519, NULL, priv, WG_X25519_LEN);
	size_t len = WG_X25519_LEN;
	int ret = -EIO;

	if (!k)
		return -ENOMEM;
	if (EVP_PKEY_get_raw_public_key(k, pub, &len) == 1 && len == WG_X25519_LEN)
		ret = 0;
	EVP_PKEY_free(k);
	return ret;
}

int wg_x25519(uint8_t out[WG_X25519_LEN], const uint8_t priv[WG_X25519_LEN],
	      const uint8_t pub[WG_X25519_LEN])
{
	EVP_PKEY *k = EVP_PKEY_new_raw_private_key(EVP_PKEY_X25519, NULL, priv, WG_X25519_LEN);
	EVP_PKEY *p = EVP_PKEY_new_raw_public_key(EVP_PKEY_X25519, NULL, pub, WG_X25519_LEN);
	EVP_PKEY_CTX *ctx = NULL;
	size_t len = WG_X25519_LEN;
	int ret = -ENOMEM;

	if (!k || !p)
		goto out;
	ctx = EVP_PKEY_CTX_new(k, NULL);
	if (!ctx)
		goto out;
	ret = -EINVAL;
	/* OpenSSL refuses an all-zero shared secret (low-order point). */
	if (EVP_PKEY_derive_init(ctx) != 1 || EVP_PKEY_derive_set_peer(ctx, p) != 1 ||
	    EVP_PKEY_derive(ctx, out, &len) != 1 || len != WG_X25519_LEN)
		goto out;
	ret = wg_ct_is_zero(out, WG_X25519_LEN) ? -EINVAL : 0;
out:
	if (ret)
		wg_wipe(out, WG_X25519_LEN);
	EVP_PKEY_CTX_free(ctx);
	EVP_PKEY_free(k);
	EVP_PKEY_free(p);
	return ret;
}

void wg_x25519_key_clear(struct wg_x25519_key *k)
{
	/* EVP_PKEY_free cleanses the ECX private key it holds */
	EVP_PKEY_CTX_free(k->ctx);
	EVP_PKEY_free(k->pkey);
	k->ctx = NULL;
	k->pkey = NULL;
}

static int key_finish(struct wg_x25519_key *k, EVP_PKEY *pkey, uint8_t pub[WG_X25519_LEN])
{
	size_t len = WG_X25519_LEN;

	k->pkey = pkey;
	k->ctx = EVP_PKEY_CTX_new(pkey, NULL);
	if (!k->ctx || EVP_PKEY_derive_init(k->ctx) != 1 ||
	    (pub && (EVP_PKEY_get_raw_public_key(pkey, pub, &len) != 1 || len != WG_X25519_LEN))) {
		wg_x25519_key_clear(k);
		return -EIO;
	}
	return 0;
}

int wg_x25519_key_load(struct wg_x25519_key *k, const uint8_t priv[WG_X25519_LEN],
		       uint8_t pub[WG_X25519_LEN])
{
	EVP_PKEY *pkey;

	wg_x25519_key_clear(k);
	pkey = EVP_PKEY_new_raw_private_key(EVP_PKEY_X25519, NULL, priv, WG_X25519_LEN);
	if (!pkey)
		return -ENOMEM;
	return key_finish(k, pkey, pub);
}

int wg_x25519_key_generate(struct wg_x25519_key *k, uint8_t pub[WG_X25519_LEN])
{
	uint8_t priv[WG_X25519_LEN];
	int ret = wg_x25519_generate(priv);

	if (!ret)
		ret = wg_x25519_key_load(k, priv, pub);
	wg_wipe(priv, sizeof(priv));
	return ret;
}

int wg_x25519_key_dh(struct wg_x25519_key *k, uint8_t out[WG_X25519_LEN],
		     const uint8_t pub[WG_X25519_LEN])
{
	EVP_PKEY *p;
	size_t len = WG_X25519_LEN;
	int ret = -EINVAL;

	if (!k->ctx) {
		wg_wipe(out, WG_X25519_LEN);
		return -ENOKEY;
	}
	p = EVP_PKEY_new_raw_public_key(EVP_PKEY_X25519, NULL, pub, WG_X25519_LEN);
	if (!p) {
		wg_wipe(out, WG_X25519_LEN);
		return -ENOMEM;
	}
	if (EVP_PKEY_derive_set_peer(k->ctx, p) == 1 && EVP_PKEY_derive(k->ctx, out, &len) == 1 &&
	    len == WG_X25519_LEN && !wg_ct_is_zero(out, WG_X25519_LEN))
		ret = 0;
	if (ret)
		wg_wipe(out, WG_X25519_LEN);
	EVP_PKEY_free(p);
	return ret;
}

/* ---- ChaCha20-Poly1305 --------------------------------------------------- */

static void wg_nonce(uint8_t iv[12], uint64_t counter)
{
	memset(iv, 0, 4);
	for (int i = 0; i < 8; i++)
		iv[4 + i] = (uint8_t)(counter >> (8 * i));
}

/*
 * One AEAD operation with a 12-byte IV on a (possibly fresh) context.
 *
 * The per-packet calls are the cheapest libcrypto 3.0 offers (measured per
 * 1420-byte packet, tests/tools/wgcore_bench and perf): a keyed context
 * only gets its new IV through EVP_CipherInit_ex(ctx, NULL, NULL, NULL, iv,
 * -1) -- EVP_CipherInit_ex2 costs 2.5x as much (it queries the IV and key
 * lengths through string-keyed parameters on every call) -- and the tag
 * moves through a prepared OSSL_PARAM, not EVP_CIPHER_CTX_ctrl (which
 * builds one per call: 240 ns against 36). Together about 350 ns of the
 * 1500 a packet cost.
 */
static int aead_run(EVP_CIPHER_CTX *ctx, bool enc, const uint8_t *key, const uint8_t iv[12],
		    uint8_t *dst, const uint8_t *src, size_t len,
		    const uint8_t *ad, size_t ad_len, uint8_t tag[WG_AEAD_TAG_LEN])
{
	OSSL_PARAM tp[2] = {
		OSSL_PARAM_construct_octet_string(OSSL_CIPHER_PARAM_AEAD_TAG, tag, WG_AEAD_TAG_LEN),
		OSSL_PARAM_construct_end(),
	};
	int outl = 0;

	if (len > INT_MAX || ad_len > INT_MAX)
		return -EINVAL;
	if (key) {
		if (EVP_CipherInit_ex2(ctx, lib.chachapoly, key, iv, enc ? 1 : 0, NULL) != 1)
			return -EIO;
	} else if (EVP_CipherInit_ex(ctx, NULL, NULL, NULL, iv, -1) != 1) {
		return -EIO;
	}
	if (ad_len && EVP_CipherUpdate(ctx, NULL, &outl, ad, (int)ad_len) != 1)
		return -EIO;
	if (len && EVP_CipherUpdate(ctx, dst, &outl, src, (int)len) != 1)
		return -EIO;
	if (enc) {
		if (EVP_CipherFinal_ex(ctx, dst + len, &outl) != 1 ||
		    EVP_CIPHER_CTX_get_params(ctx, tp) != 1)
			return -EIO;
		return 0;
	}
	if (EVP_CIPHER_CTX_set_params(ctx, tp) != 1)
		return -EIO;
	if (EVP_CipherFinal_ex(ctx, dst + len, &outl) != 1)
		return -EBADMSG;
	return 0;
}

static int aead_oneshot(bool enc, uint8_t *dst, const uint8_t *src, size_t len,
			const uint8_t *ad, size_t ad_len, const uint8_t iv[12],
			const uint8_t key[WG_AEAD_KEY_LEN])
{
	EVP_CIPHER_CTX *ctx;
	uint8_t tag[WG_AEAD_TAG_LEN];
	int ret;

	if (wg_crypto_init())
		return -EIO;
	if (!enc) {
		if (len < WG_AEAD_TAG_LEN)
			return -EBADMSG;
		len -= WG_AEAD_TAG_LEN;
		memcpy(tag, src + len, WG_AEAD_TAG_LEN);
	}
	ctx = EVP_CIPHER_CTX_new();
	if (!ctx)
		return -ENOMEM;
	ret = aead_run(ctx, enc, key, iv, dst, src, len, ad, ad_len, tag);
	EVP_CIPHER_CTX_free(ctx);
	if (ret == 0 && enc)
		memcpy(dst + len, tag, WG_AEAD_TAG_LEN);
	if (ret && !enc)
		wg_wipe(dst, len);
	wg_wipe(tag, sizeof(tag));
	return ret;
}

int wg_aead_encrypt(uint8_t *dst, const uint8_t *src, size_t len,
		    const uint8_t *ad, size_t ad_len, uint64_t counter,
		    const uint8_t key[WG_AEAD_KEY_LEN])
{
	uint8_t iv[12];

	wg_nonce(iv, counter);
	return aead_oneshot(true, dst, src, len, ad, ad_len, iv, key);
}

int wg_aead_decrypt(uint8_t *dst, const uint8_t *src, size_t src_len,
		    const uint8_t *ad, size_t ad_len, uint64_t counter,
		    const uint8_t key[WG_AEAD_KEY_LEN])
{
	uint8_t iv[12];

	wg_nonce(iv, counter);
	return aead_oneshot(false, dst, src, src_len, ad, ad_len, iv, key);
}

int wg_aead_encrypt_ietf(uint8_t *dst, const uint8_t *src, size_t len,
			 const uint8_t *ad, size_t ad_len, const uint8_t nonce[12],
			 const uint8_t key[WG_AEAD_KEY_LEN])
{
	return aead_oneshot(true, dst, src, len, ad, ad_len, nonce, key);
}

int wg_aead_decrypt_ietf(uint8_t *dst, const uint8_t *src, size_t src_len,
			 const uint8_t *ad, size_t ad_len, const uint8_t nonce[12],
			 const uint8_t key[WG_AEAD_KEY_LEN])
{
	return aead_oneshot(false, dst, src, src_len, ad, ad_len, nonce, key);
}

/* ---- HChaCha20 / XChaCha20-Poly1305 ----------------------------------------- */

static inline uint32_t rotl32(uint32_t v, int c)
{
	return (v << c) | (v >> (32 - c));
}

#define QR(a, b, c, d) do {                          \
		a += b; d ^= a; d = rotl32(d, 16);   \
		c += d; b ^= c; b = rotl32(b, 12);   \
		a += b; d ^= a; d = rotl32(d, 8);    \
		c += d; b ^= c; b = rotl32(b, 7);    \
	} while (0)

void wg_hchacha20(uint8_t out[WG_AEAD_KEY_LEN], const uint8_t key[WG_AEAD_KEY_LEN],
		  const uint8_t nonce[WG_HCHACHA_NONCE_LEN])
{
	/* "expand 32-byte k", the key, then the 16-byte nonce in place of
	 * the block counter and nonce; 20 rounds; no final feed-forward;
	 * output the first and last rows. */
	uint32_t x[16] = { 0x61707865, 0x3320646e, 0x79622d32, 0x6b206574 };

	for (int i = 0; i < 8; i++)
		x[4 + i] = get_le32(key + 4 * i);
	for (int i = 0; i < 4; i++)
		x[12 + i] = get_le32(nonce + 4 * i);
	for (int r = 0; r < 10; r++) {
		QR(x[0], x[4], x[8], x[12]);
		QR(x[1], x[5], x[9], x[13]);
		QR(x[2], x[6], x[10], x[14]);
		QR(x[3], x[7], x[11], x[15]);
		QR(x[0], x[5], x[10], x[15]);
		QR(x[1], x[6], x[11], x[12]);
		QR(x[2], x[7], x[8], x[13]);
		QR(x[3], x[4], x[9], x[14]);
	}
	for (int i = 0; i < 4; i++) {
		put_le32(out + 4 * i, x[i]);
		put_le32(out + 16 + 4 * i, x[12 + i]);
	}
	wg_wipe(x, sizeof(x));
}

static int xaead(bool enc, uint8_t *dst, const uint8_t *src, size_t len,
		 const uint8_t *ad, size_t ad_len, const uint8_t nonce[WG_XAEAD_NONCE_LEN],
		 const uint8_t key[WG_AEAD_KEY_LEN])
{
	uint8_t subkey[WG_AEAD_KEY_LEN], iv[12] = { 0 };
	int ret;

	wg_hchacha20(subkey, key, nonce);
	memcpy(iv + 4, nonce + 16, 8);
	ret = aead_oneshot(enc, dst, src, len, ad, ad_len, iv, subkey);
	wg_wipe(subkey, sizeof(subkey));
	return ret;
}

int wg_xaead_encrypt(uint8_t *dst, const uint8_t *src, size_t len,
		     const uint8_t *ad, size_t ad_len,
		     const uint8_t nonce[WG_XAEAD_NONCE_LEN],
		     const uint8_t key[WG_AEAD_KEY_LEN])
{
	return xaead(true, dst, src, len, ad, ad_len, nonce, key);
}

int wg_xaead_decrypt(uint8_t *dst, const uint8_t *src, size_t src_len,
		     const uint8_t *ad, size_t ad_len,
		     const uint8_t nonce[WG_XAEAD_NONCE_LEN],
		     const uint8_t key[WG_AEAD_KEY_LEN])
{
	return xaead(false, dst, src, src_len, ad, ad_len, nonce, key);
}

/* ---- reusable AEAD context ----------------------------------------------- */

int wg_aead_ctx_init(struct wg_aead_ctx *c, const uint8_t key[WG_AEAD_KEY_LEN], bool encrypt)
{
	EVP_CIPHER_CTX *ctx;
	uint8_t iv[12] = { 0 };

	c->evp = NULL;
	c->encrypt = encrypt;
	if (wg_crypto_init())
		return -EIO;
	ctx = EVP_CIPHER_CTX_new();
	if (!ctx)
		return -ENOMEM;
	if (EVP_CipherInit_ex2(ctx, lib.chachapoly, key, iv, encrypt ? 1 : 0, NULL) != 1) {
		EVP_CIPHER_CTX_free(ctx);
		return -EIO;
	}
	c->evp = ctx;
	return 0;
}

void wg_aead_ctx_clear(struct wg_aead_ctx *c)
{
	/* EVP_CIPHER_CTX_free cleanses the cipher data (key) it holds. */
	EVP_CIPHER_CTX_free(c->evp);
	c->evp = NULL;
}

int wg_aead_ctx_seal(struct wg_aead_ctx *c, uint64_t counter, uint8_t *buf, size_t len)
{
	uint8_t iv[12];

	if (!c->evp || !c->encrypt)
		return -EINVAL;
	wg_nonce(iv, counter);
	return aead_run(c->evp, true, NULL, iv, buf, buf, len, NULL, 0, buf + len);
}

int wg_aead_ctx_open(struct wg_aead_ctx *c, uint64_t counter, uint8_t *buf, size_t len)
{
	uint8_t iv[12], tag[WG_AEAD_TAG_LEN];
	int ret;

	if (!c->evp || c->encrypt)
		return -EINVAL;
	if (len < WG_AEAD_TAG_LEN)
		return -EBADMSG;
	len -= WG_AEAD_TAG_LEN;
	memcpy(tag, buf + len, WG_AEAD_TAG_LEN);
	wg_nonce(iv, counter);
	ret = aead_run(c->evp, false, NULL, iv, buf, buf, len, NULL, 0, tag);
	if (ret)
		wg_wipe(buf, len);
	return ret;
}

/* ---- BLAKE2s ------------------------------------------------------------- */

int wg_hash2(uint8_t out[WG_HASH_LEN], const void *a, size_t a_len,
	     const void *b, size_t b_len)
{
	EVP_MD_CTX *ctx;
	unsigned int len = 0;
	int ret = -EIO;

	if (wg_crypto_init())
		return -EIO;
	ctx = EVP_MD_CTX_new();
	if (!ctx)
		return -ENOMEM;
	if (EVP_DigestInit_ex2(ctx, lib.blake2s, NULL) == 1 &&
	    EVP_DigestUpdate(ctx, a, a_len) == 1 &&
	    (!b_len || EVP_DigestUpdate(ctx, b, b_len) == 1) &&
	    EVP_DigestFinal_ex(ctx, out, &len) == 1 && len == WG_HASH_LEN)
		ret = 0;
	EVP_MD_CTX_free(ctx);
	return ret;
}

static int mac_run(EVP_MAC *mac, const OSSL_PARAM *params, uint8_t *out, size_t out_len,
		   const uint8_t *key, size_t key_len, const void *in, size_t in_len)
{
	EVP_MAC_CTX *ctx = EVP_MAC_CTX_new(mac);
	size_t len = 0;
	int ret = -EIO;

	if (!ctx)
		return -ENOMEM;
	if (EVP_MAC_init(ctx, key, key_len, params) == 1 &&
	    EVP_MAC_update(ctx, in, in_len) == 1 &&
	    EVP_MAC_final(ctx, out, &len, out_len) == 1 && len == out_len)
		ret = 0;
	EVP_MAC_CTX_free(ctx); /* cleanses the key copy */
	return ret;
}

int wg_blake2s_keyed(uint8_t *out, size_t out_len, const uint8_t *key, size_t key_len,
		     const void *in, size_t in_len)
{
	OSSL_PARAM params[2];

	if (wg_crypto_init())
		return -EIO;
	if (out_len < 1 || out_len > 32 || key_len < 1 || key_len > 32)
		return -EINVAL;
	params[0] = OSSL_PARAM_construct_size_t(OSSL_MAC_PARAM_SIZE, &out_len);
	params[1] = OSSL_PARAM_construct_end();
	return mac_run(lib.blake2smac, params, out, out_len, key, key_len, in, in_len);
}

int wg_hmac(uint8_t out[WG_HASH_LEN], const uint8_t *key, size_t key_len,
	    const void *in, size_t in_len)
{
	OSSL_PARAM params[2];

	if (wg_crypto_init())
		return -EIO;
	params[0] = OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, "BLAKE2S-256", 0);
	params[1] = OSSL_PARAM_construct_end();
	return mac_run(lib.hmac, params, out, WG_HASH_LEN, key, key_len, in, in_len);
}

int wg_kdf(uint8_t *t1, uint8_t *t2, uint8_t *t3, const uint8_t key[WG_HASH_LEN],
	   const void *in, size_t in_len)
{
	uint8_t prk[WG_HASH_LEN], buf[WG_HASH_LEN + 1];
	int ret;

	if (!t1 || (t3 && !t2))
		return -EINVAL;
	ret = wg_hmac(prk, key, WG_HASH_LEN, in, in_len);        /* tau0 */
	if (ret)
		goto out;
	buf[0] = 1;
	ret = wg_hmac(buf, prk, sizeof(prk), buf, 1);             /* tau1 */
	if (ret)
		goto out;
	memcpy(t1, buf, WG_HASH_LEN);
	if (!t2)
		goto out;
	buf[WG_HASH_LEN] = 2;
	ret = wg_hmac(buf, prk, sizeof(prk), buf, WG_HASH_LEN + 1); /* tau2 */
	if (ret)
		goto out;
	memcpy(t2, buf, WG_HASH_LEN);
	if (!t3)
		goto out;
	buf[WG_HASH_LEN] = 3;
	ret = wg_hmac(buf, prk, sizeof(prk), buf, WG_HASH_LEN + 1); /* tau3 */
	if (ret)
		goto out;
	memcpy(t3, buf, WG_HASH_LEN);
out:
	wg_wipe(prk, sizeof(prk));
	wg_wipe(buf, sizeof(buf));
	return ret;
}

/* ---- TAI64N ---------------------------------------------------------------- */

void wg_tai64n(uint8_t out[WG_TIMESTAMP_LEN], uint64_t unix_sec, uint32_t nsec)
{
	uint64_t s = 0x400000000000000aULL + unix_sec;

	for (int i = 0; i < 8; i++)
		out[i] = (uint8_t)(s >> (56 - 8 * i));
	for (int i = 0; i < 4; i++)
		out[8 + i] = (uint8_t)(nsec >> (24 - 8 * i));
}
