// SPDX-License-Identifier: MIT
/*
 * aead_sizes: what libcrypto charges per message, by message length.
 * For each length, the best of three runs of COUNT messages on one keyed
 * context (only the IV changes, as on the data path):
 *   chacha20   the raw stream cipher ("ChaCha20": IV set + one update)
 *   poly1305   a one-time MAC ("POLY1305" EVP_MAC: init with key, update,
 *              final)
 *   seal       ChaCha20-Poly1305 as crypto.c does it per packet (IV set,
 *              update, final, tag through a prepared OSSL_PARAM)
 * The seal is more than the sum of its streaming parts: each message needs
 * its own Poly1305 key (one more 64-byte ChaCha20 call), and a length that
 * is not a multiple of ChaCha20's wide stride pays for the rest as for a
 * whole stride (docs/daemon.md, "Performance").
 *
 *   aead_sizes [COUNT]          (default 100000)
 *
 * Times are this thread's CPU time (CLOCK_THREAD_CPUTIME_ID).
 */
#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define MAXLEN 2048

static uint8_t in[MAXLEN + 64], out[MAXLEN + 64];

static double now_ns(void)
{
	struct timespec t;

	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
	return (double)t.tv_sec * 1e9 + (double)t.tv_nsec;
}

enum kind { K_CHACHA, K_POLY, K_SEAL };

struct ctxs {
	EVP_CIPHER_CTX *chacha, *seal;
	EVP_MAC_CTX *poly;
};

/* one message of len bytes; returns 0 or -1 */
static int one(struct ctxs *c, enum kind k, size_t len, unsigned i)
{
	uint8_t iv[16] = { 0 }, tag[16], key[32] = { 7 };
	OSSL_PARAM tp[2] = {
		OSSL_PARAM_construct_octet_string(OSSL_CIPHER_PARAM_AEAD_TAG, tag, sizeof(tag)),
		OSSL_PARAM_construct_end(),
	};
	size_t ml;
	int ol;

	memcpy(iv + 4, &i, sizeof(i));
	switch (k) {
	case K_CHACHA:
		return EVP_CipherInit_ex(c->chacha, NULL, NULL, NULL, iv, -1) == 1 &&
		       EVP_CipherUpdate(c->chacha, out, &ol, in, (int)len) == 1 ? 0 : -1;
	case K_POLY:
		memcpy(key, &i, sizeof(i));
		return EVP_MAC_init(c->poly, key, sizeof(key), NULL) == 1 &&
		       EVP_MAC_update(c->poly, in, len) == 1 &&
		       EVP_MAC_final(c->poly, tag, &ml, sizeof(tag)) == 1 ? 0 : -1;
	case K_SEAL:
		return EVP_CipherInit_ex(c->seal, NULL, NULL, NULL, iv, -1) == 1 &&
		       EVP_CipherUpdate(c->seal, out, &ol, in, (int)len) == 1 &&
		       EVP_CipherFinal_ex(c->seal, out + len, &ol) == 1 &&
		       EVP_CIPHER_CTX_get_params(c->seal, tp) == 1 ? 0 : -1;
	}
	return -1;
}

static double measure(struct ctxs *c, enum kind k, size_t len, unsigned count)
{
	double best = 0;

	for (int rep = 0; rep < 3; rep++) {
		double t0 = now_ns(), t;

		for (unsigned i = 0; i < count; i++)
			if (one(c, k, len, i) < 0)
				return -1;
		t = (now_ns() - t0) / count;
		if (rep == 0 || t < best)
			best = t;
	}
	return best;
}

int main(int argc, char **argv)
{
	static const size_t lens[] = { 64, 256, 512, 1024, 1088, 1280, 1420, 1440, 2048 };
	unsigned count = argc > 1 ? (unsigned)strtoul(argv[1], NULL, 10) : 100000;
	uint8_t key[32] = { 1 }, iv[16] = { 0 };
	EVP_CIPHER *chacha = EVP_CIPHER_fetch(NULL, "ChaCha20", NULL);
	EVP_CIPHER *aead = EVP_CIPHER_fetch(NULL, "ChaCha20-Poly1305", NULL);
	EVP_MAC *poly = EVP_MAC_fetch(NULL, "POLY1305", NULL);
	struct ctxs c = { EVP_CIPHER_CTX_new(), EVP_CIPHER_CTX_new(), NULL };
	int rc = 0;

	if (!count || !chacha || !aead || !poly || !c.chacha || !c.seal ||
	    !(c.poly = EVP_MAC_CTX_new(poly)) ||
	    EVP_EncryptInit_ex2(c.chacha, chacha, key, iv, NULL) != 1 ||
	    EVP_EncryptInit_ex2(c.seal, aead, key, iv, NULL) != 1) {
		fprintf(stderr, "aead_sizes: libcrypto lacks ChaCha20, Poly1305 or their AEAD\n");
		return 1;
	}
	for (size_t i = 0; i < sizeof(in); i++)
		in[i] = (uint8_t)(i * 7);
	printf("# ns per message, best of 3 x %u (this thread's CPU time)\n", count);
	printf("%6s %10s %10s %10s\n", "bytes", "chacha20", "poly1305", "seal");
	for (size_t j = 0; j < sizeof(lens) / sizeof(lens[0]) && !rc; j++) {
		double a = measure(&c, K_CHACHA, lens[j], count);
		double p = measure(&c, K_POLY, lens[j], count);
		double s = measure(&c, K_SEAL, lens[j], count);

		if (a < 0 || p < 0 || s < 0)
			rc = 1;
		else
			printf("%6zu %10.0f %10.0f %10.0f\n", lens[j], a, p, s);
	}
	EVP_MAC_CTX_free(c.poly);
	EVP_CIPHER_CTX_free(c.chacha);
	EVP_CIPHER_CTX_free(c.seal);
	EVP_MAC_free(poly);
	EVP_CIPHER_free(chacha);
	EVP_CIPHER_free(aead);
	return rc;
}
