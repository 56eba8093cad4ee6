/* SPDX-License-Identifier: MIT */
/*
 * Cryptographic primitives of WireGuard (whitepaper section 5.4), wrapped
 * over OpenSSL 3 libcrypto. Nothing here reads a clock or touches I/O.
 *
 *   DH      X25519 (RFC 7748)
 *   AEAD    ChaCha20-Poly1305 (RFC 8439), 64-bit little-endian counter nonce
 *   XAEAD   XChaCha20-Poly1305 (HChaCha20 sub-key + ChaCha20-Poly1305)
 *   HASH    BLAKE2s-256 (RFC 7693); MAC = keyed BLAKE2s-128; HMAC-BLAKE2s
 *   KDF     HKDF over HMAC-BLAKE2s, as the whitepaper defines Kdf1..3
 *   TAI64N  12-byte big-endian timestamp
 *
 * Errors are negative errno: -EINVAL (bad argument), -EBADMSG (AEAD tag
 * mismatch), -ENOMEM / -EIO (libcrypto failure). Every function wipes its
 * intermediate secrets before returning, on every path.
 *
 * Thread safety: all free functions are reentrant. A struct wg_aead_ctx is
 * NOT: one thread at a time per context (see transport.h for who owns it).
 */
#ifndef WGMTU_WIRE_CRYPTO_H
#define WGMTU_WIRE_CRYPTO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "wire/messages.h"

enum {
	WG_X25519_LEN = 32,
	WG_AEAD_KEY_LEN = 32,
	WG_XAEAD_NONCE_LEN = 24,
	WG_HCHACHA_NONCE_LEN = 16,
	WG_BLAKE2S_BLOCK_LEN = 64,
};

/* Fetch the libcrypto algorithms once (process-wide). Idempotent and
 * thread-safe; every other function calls it implicitly, but a daemon may
 * call it at start to fail early. Returns 0 or -EIO when libcrypto lacks
 * X25519, ChaCha20-Poly1305, BLAKE2S-256 or BLAKE2SMAC. */
int wg_crypto_init(void);

/* ---- X25519 -------------------------------------------------------- */

/* Clamp a private scalar in place (RFC 7748 section 5). */
void wg_x25519_clamp(uint8_t key[WG_X25519_LEN]);

/* A fresh clamped private key from the OpenSSL CSPRNG. 0 or -EIO. */
int wg_x25519_generate(uint8_t priv[WG_X25519_LEN]);

/* pub = X25519(priv, 9). 0 or negative errno. */
int wg_x25519_public(uint8_t pub[WG_X25519_LEN], const uint8_t priv[WG_X25519_LEN]);

/* out = X25519(priv, pub). Returns -EINVAL when the result is all zeros
 * (low-order public point); out is then zeroed. */
int wg_x25519(uint8_t out[WG_X25519_LEN], const uint8_t priv[WG_X25519_LEN],
	      const uint8_t pub[WG_X25519_LEN]);

/*
 * A private key prepared once for several DH operations: libcrypto derives
 * the public key whenever a raw private key is loaded, which costs a full
 * scalar multiplication, so the handshake keeps its static and ephemeral
 * keys in this form. Not thread-safe; wiped by wg_x25519_key_clear().
 */
struct wg_x25519_key {
	void *pkey; /* EVP_PKEY *, opaque; NULL = empty */
	void *ctx;  /* EVP_PKEY_CTX *, derive-initialised */
};

/* Load priv (clamped by X25519 itself); pub receives the public key when
 * non-NULL. Any previous key in k is cleared first. 0 or negative errno. */
int wg_x25519_key_load(struct wg_x25519_key *k, const uint8_t priv[WG_X25519_LEN],
		       uint8_t pub[WG_X25519_LEN]);
/* Generate a fresh key; pub receives its public key (one scalar mult). */
int wg_x25519_key_generate(struct wg_x25519_key *k, uint8_t pub[WG_X25519_LEN]);
/* out = X25519(k, pub); -EINVAL (out zeroed) for an all-zero result,
 * -ENOKEY for an empty k. */
int wg_x25519_key_dh(struct wg_x25519_key *k, uint8_t out[WG_X25519_LEN],
		     const uint8_t pub[WG_X25519_LEN]);
/* Free and wipe (idempotent). */
void wg_x25519_key_clear(struct wg_x25519_key *k);

/* ---- AEAD (one-shot) ------------------------------------------------ */

/* ChaCha20-Poly1305 with the WireGuard nonce: 32 zero bits followed by
 * the 64-bit little-endian counter. dst receives len + 16 bytes
 * (ciphertext then tag); dst may equal src. */
int wg_aead_encrypt(uint8_t *dst, const uint8_t *src, size_t len,
		    const uint8_t *ad, size_t ad_len, uint64_t counter,
		    const uint8_t key[WG_AEAD_KEY_LEN]);

/* src_len includes the 16-byte tag; dst receives src_len - 16 bytes and
 * is wiped on failure. Returns 0 or -EBADMSG (also for src_len < 16). */
int wg_aead_decrypt(uint8_t *dst, const uint8_t *src, size_t src_len,
		    const uint8_t *ad, size_t ad_len, uint64_t counter,
		    const uint8_t key[WG_AEAD_KEY_LEN]);

/* The same with a raw 12-byte RFC 8439 nonce (known-answer tests, and the
 * building block of XChaCha20-Poly1305). */
int wg_aead_encrypt_ietf(uint8_t *dst, const uint8_t *src, size_t len,
			 const uint8_t *ad, size_t ad_len, const uint8_t nonce[12],
			 const uint8_t key[WG_AEAD_KEY_LEN]);
int wg_aead_decrypt_ietf(uint8_t *dst, const uint8_t *src, size_t src_len,
			 const uint8_t *ad, size_t ad_len, const uint8_t nonce[12],
			 const uint8_t key[WG_AEAD_KEY_LEN]);

/* HChaCha20 (draft-irtf-cfrg-xchacha section 2.2): a 32-byte sub-key from
 * a key and the first 16 bytes of an XChaCha nonce. */
void wg_hchacha20(uint8_t out[WG_AEAD_KEY_LEN], const uint8_t key[WG_AEAD_KEY_LEN],
		  const uint8_t nonce[WG_HCHACHA_NONCE_LEN]);

/* XChaCha20-Poly1305 with a 24-byte nonce; same buffer rules as above. */
int wg_xaead_encrypt(uint8_t *dst, const uint8_t *src, size_t len,
		     const uint8_t *ad, size_t ad_len,
		     const uint8_t nonce[WG_XAEAD_NONCE_LEN],
		     const uint8_t key[WG_AEAD_KEY_LEN]);
int wg_xaead_decrypt(uint8_t *dst, const uint8_t *src, size_t src_len,
		     const uint8_t *ad, size_t ad_len,
		     const uint8_t nonce[WG_XAEAD_NONCE_LEN],
		     const uint8_t key[WG_AEAD_KEY_LEN]);

/* ---- AEAD (reusable context, for the data path) ---------------------- */

/*
 * A ChaCha20-Poly1305 context keyed once and reused for every packet of a
 * session: creating an EVP_CIPHER_CTX per packet costs more than sealing a
 * small packet. One context seals OR opens (fixed at init). Not thread-safe:
 * the owner serializes use of one context.
 */
struct wg_aead_ctx {
	void *evp;     /* EVP_CIPHER_CTX *, opaque to callers */
	bool encrypt;
};

/* Key a context for sealing (encrypt=true) or opening. The key is copied
 * into libcrypto's context (the caller wipes its own copy). 0 or -ENOMEM. */
int wg_aead_ctx_init(struct wg_aead_ctx *c, const uint8_t key[WG_AEAD_KEY_LEN],
		     bool encrypt);
/* Free and wipe (EVP_CIPHER_CTX_free cleanses the key). Idempotent. */
void wg_aead_ctx_clear(struct wg_aead_ctx *c);

/* In place, no associated data (the transport case): buf holds len bytes of
 * plaintext; on return it holds the ciphertext and the 16-byte tag right
 * after it, so buf must have len + 16 bytes of room. */
int wg_aead_ctx_seal(struct wg_aead_ctx *c, uint64_t counter, uint8_t *buf, size_t len);
/* In place: buf holds len bytes of ciphertext+tag (len >= 16); on success
 * the first len - 16 bytes are plaintext. -EBADMSG on a bad tag. */
int wg_aead_ctx_open(struct wg_aead_ctx *c, uint64_t counter, uint8_t *buf, size_t len);

/* ---- BLAKE2s ----------------------------------------------------------- */

/* out = BLAKE2s-256(a || b); b may be NULL with b_len 0. */
int wg_hash2(uint8_t out[WG_HASH_LEN], const void *a, size_t a_len,
	     const void *b, size_t b_len);
static inline int wg_hash(uint8_t out[WG_HASH_LEN], const void *in, size_t len)
{
	return wg_hash2(out, in, len, NULL, 0);
}

/* Keyed BLAKE2s with out_len 1..32 and key_len 1..32 (RFC 7693 keyed mode,
 * not HMAC). WireGuard's MAC(key, input) is out_len = 16. */
int wg_blake2s_keyed(uint8_t *out, size_t out_len, const uint8_t *key, size_t key_len,
		     const void *in, size_t in_len);
static inline int wg_mac(uint8_t out[WG_MAC_LEN], const uint8_t key[WG_KEY_LEN],
			 const void *in, size_t in_len)
{
	return wg_blake2s_keyed(out, WG_MAC_LEN, key, WG_KEY_LEN, in, in_len);
}

/* HMAC (RFC 2104) over BLAKE2s-256, block size 64. */
int wg_hmac(uint8_t out[WG_HASH_LEN], const uint8_t *key, size_t key_len,
	    const void *in, size_t in_len);

/*
 * The whitepaper's Kdf_n(key, input): tau0 = HMAC(key, input),
 * tau1 = HMAC(tau0, 0x1), tau_i = HMAC(tau0, tau_{i-1} || i).
 * Writes t1, and t2/t3 when non-NULL (t3 requires t2). Each output is 32.
 */
int wg_kdf(uint8_t *t1, uint8_t *t2, uint8_t *t3, const uint8_t key[WG_HASH_LEN],
	   const void *in, size_t in_len);

/* ---- TAI64N ---------------------------------------------------------- */

/* TAI64N label of a wall-clock time given as Unix seconds + nanoseconds:
 * big-endian (2^62 + 10 + sec) then big-endian nsec. The caller passes the
 * time; nothing here reads a clock. */
void wg_tai64n(uint8_t out[WG_TIMESTAMP_LEN], uint64_t unix_sec, uint32_t nsec);

/* ---- helpers --------------------------------------------------------- */

/* Constant-time equality (CRYPTO_memcmp). */
bool wg_ct_equal(const void *a, const void *b, size_t len);
/* True when all len bytes are zero, in constant time. */
bool wg_ct_is_zero(const void *a, size_t len);
/* OPENSSL_cleanse. */
void wg_wipe(void *p, size_t len);

#endif
