// SPDX-License-Identifier: MIT
#include "common/siphash.h"

#include <errno.h>
#include <string.h>

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>

int wg_siphash_init(struct wg_siphash *h, const uint8_t key[16])
{
	OSSL_PARAM params[2];
	size_t size = 8;

	memset(h, 0, sizeof(*h));
	if (key)
		memcpy(h->key, key, sizeof(h->key));
	else if (RAND_bytes(h->key, sizeof(h->key)) != 1)
		return -EIO;
	h->mac = EVP_MAC_fetch(NULL, "SIPHASH", NULL);
	if (!h->mac) {
		wg_siphash_free(h);
		return -EIO;
	}
	h->ctx = EVP_MAC_CTX_new(h->mac);
	params[0] = OSSL_PARAM_construct_size_t(OSSL_MAC_PARAM_SIZE, &size);
	params[1] = OSSL_PARAM_construct_end();
	if (!h->ctx || !EVP_MAC_CTX_set_params(h->ctx, params)) {
		wg_siphash_free(h);
		return -ENOMEM;
	}
	return 0;
}

void wg_siphash_free(struct wg_siphash *h)
{
	if (!h)
		return;
	EVP_MAC_CTX_free(h->ctx);
	EVP_MAC_free(h->mac);
	h->ctx = h->mac = NULL;
	OPENSSL_cleanse(h->key, sizeof(h->key));
}

uint64_t wg_siphash(struct wg_siphash *h, const void *data, size_t len)
{
	uint8_t out[8] = { 0 };
	size_t outl = 0;
	uint64_t v = 0;

	if (!h->ctx || !EVP_MAC_init(h->ctx, h->key, sizeof(h->key), NULL) ||
	    !EVP_MAC_update(h->ctx, data, len) ||
	    !EVP_MAC_final(h->ctx, out, &outl, sizeof(out)) || outl != 8)
		return 0;
	for (int i = 7; i >= 0; i--)
		v = v << 8 | out[i];
	return v;
}
