// SPDX-License-Identifier: MIT
/* Random numbers for the daemon (indices, timer jitter, probe ids). */
#include "daemon/device.h"

#include "daemon/log.h"

#include <openssl/crypto.h>
#include <openssl/rand.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

/* RAND_bytes costs a lock, a fork check (getpid) and a DRBG call: the data
 * path asks for jitter on every packet sent, so values come from a
 * per-thread pool of CSPRNG output refilled 1 KB at a time. Each value is
 * used once and wiped from the pool. */
#define POOL_BYTES 1024

static _Thread_local struct {
	uint8_t b[POOL_BYTES];
	size_t pos;
	bool filled;
} pool;

/* a forked child must not repeat its parent's values */
static void pool_forget(void)
{
	OPENSSL_cleanse(&pool, sizeof(pool));
}

__attribute__((constructor)) static void pool_atfork(void)
{
	pthread_atfork(NULL, NULL, pool_forget);
}

uint32_t wgd_rand32(void *unused)
{
	uint32_t v = 0;

	(void)unused;
	if (!pool.filled || pool.pos + sizeof(v) > POOL_BYTES) {
		if (RAND_bytes(pool.b, POOL_BYTES) != 1) {
			/* libcrypto's CSPRNG failing is not recoverable for indices */
			log_err("RAND_bytes failed");
			abort();
		}
		pool.pos = 0;
		pool.filled = true;
	}
	memcpy(&v, pool.b + pool.pos, sizeof(v));
	OPENSSL_cleanse(pool.b + pool.pos, sizeof(v));
	pool.pos += sizeof(v);
	return v;
}
