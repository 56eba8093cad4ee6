/* SPDX-License-Identifier: MIT */
/*
 * Keyed 64-bit SipHash-2-4 (OpenSSL's EVP_MAC "SIPHASH") for hash tables
 * whose keys come from outside: with a random key nobody can aim entries at
 * one bucket. One context is reused (no allocation per hash); it is not
 * safe for concurrent use.
 */
#ifndef WGMTU_COMMON_SIPHASH_H
#define WGMTU_COMMON_SIPHASH_H

#include <stddef.h>
#include <stdint.h>

struct wg_siphash {
	uint8_t key[16];
	void *mac;   /* EVP_MAC * */
	void *ctx;   /* EVP_MAC_CTX * */
};

/* key NULL: a random key (RAND_bytes). 0, -ENOMEM or -EIO (no SipHash, no
 * randomness). */
int wg_siphash_init(struct wg_siphash *h, const uint8_t key[16]);
/* Wipes the key. NULL-safe, idempotent. */
void wg_siphash_free(struct wg_siphash *h);
/* SipHash-2-4 of data, as the little-endian 64-bit number of the reference
 * implementation. Stays defined (0) should the library ever fail. */
uint64_t wg_siphash(struct wg_siphash *h, const void *data, size_t len);

#endif
