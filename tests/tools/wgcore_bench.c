// SPDX-License-Identifier: MIT
/*
 * wgcore_bench: cost of the protocol core on one core.
 *   - one full handshake: create+MAC initiation, validate+consume it, create
 *     +MAC response, validate+consume it, both begin_session (i.e. both
 *     sides' work, including every X25519)
 *   - transport encrypt and decrypt of 1420-byte plaintexts, in place, with
 *     the per-keypair reusable cipher contexts
 *
 *   wgcore_bench [HANDSHAKES [PACKETS]]     (defaults 300 and 200000)
 *
 * Times are this thread's CPU time (CLOCK_THREAD_CPUTIME_ID), so a busy
 * shared machine does not inflate them.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "wire/cookie.h"
#include "wire/noise.h"
#include "wire/transport.h"

#define NS 1000000000ULL
#define PLEN 1420
#define BATCH 1024

static uint64_t now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return (uint64_t)ts.tv_sec * NS + (uint64_t)ts.tv_nsec;
}

struct side {
	struct wg_noise_device dev;
	struct wg_noise_handshake hs;
	struct wg_keypairs kps;
	struct wg_cookie_checker checker;
	struct wg_cookie_maker maker;
	uint32_t next, live;
	void *what;
};

static struct wg_noise_handshake *lk_static(void *ctx, const uint8_t pub[32])
{
	struct side *s = ctx;

	return memcmp(pub, s->hs.remote_static, 32) ? NULL : &s->hs;
}

static struct wg_noise_handshake *lk_index(void *ctx, uint32_t idx)
{
	struct side *s = ctx;

	return idx == s->live ? &s->hs : NULL;
}

static int reg(void *ctx, struct wg_noise_handshake *hs, uint32_t *idx)
{
	struct side *s = ctx;

	*idx = s->live = ++s->next;
	return 0;
}

static void to_kp(void *ctx, uint32_t idx, struct wg_keypair *kp)
{
	struct side *s = ctx;

	s->live = 0;
}

static void unreg(void *ctx, uint32_t idx)
{
	struct side *s = ctx;

	if (idx == s->live)
		s->live = 0;
}

static const struct wg_noise_ops ops = { lk_static, lk_index, reg, to_kp, unreg };

static int die(const char *what, int err)
{
	fprintf(stderr, "wgcore_bench: %s: %s\n", what, strerror(-err));
	exit(1);
}

int main(int argc, char **argv)
{
	static const uint8_t addr[4] = { 192, 0, 2, 1 };
	long hs_n = argc > 1 ? atol(argv[1]) : 300, pk_n = argc > 2 ? atol(argv[2]) : 200000;
	static struct side A, B;
	uint8_t ka[32], kb[32];
	struct wg_keypair *kpa = NULL, *kpb = NULL;
	uint64_t t0, t_hs, t_enc = 0, t_dec = 0;
	uint8_t *pkts;
	size_t stride = 16 + PLEN + 16 + 16;
	long done = 0;
	int r;

	if (hs_n < 1 || pk_n < 1)
		return 2;
	wg_x25519_generate(ka);
	wg_x25519_generate(kb);
	wg_noise_device_init(&A.dev, &ops, &A);
	wg_noise_device_init(&B.dev, &ops, &B);
	wg_noise_device_set_private(&A.dev, ka);
	wg_noise_device_set_private(&B.dev, kb);
	wg_noise_handshake_init(&A.hs, &A.dev, B.dev.static_public, NULL, NULL);
	wg_noise_handshake_init(&B.hs, &B.dev, A.dev.static_public, NULL, NULL);
	wg_cookie_checker_init(&A.checker, A.dev.static_public);
	wg_cookie_checker_init(&B.checker, B.dev.static_public);
	wg_cookie_maker_init(&A.maker, B.dev.static_public);
	wg_cookie_maker_init(&B.maker, A.dev.static_public);

	t0 = now();
	for (long i = 0; i < hs_n; i++) {
		struct wg_message_handshake_initiation init;
		struct wg_message_handshake_response resp;
		struct wg_noise_handshake *hs;
		uint64_t virt = (uint64_t)(i + 1) * NS; /* a fake clock: no flood guard */

		if ((r = wg_noise_create_initiation(&A.hs, &init, 1700000000 + (uint64_t)i, 0)))
			die("create initiation", r);
		wg_cookie_add_macs(&A.maker, (uint8_t *)&init, sizeof(init), virt);
		if (wg_cookie_validate(&B.checker, (uint8_t *)&init, sizeof(init), addr, 4, 1, virt) ==
		    WG_COOKIE_MAC_INVALID)
			die("mac1 initiation", -EBADMSG);
		if ((r = wg_noise_consume_initiation(&B.dev, &init, virt, &hs)))
			die("consume initiation", r);
		if ((r = wg_noise_create_response(hs, &resp)))
			die("create response", r);
		wg_cookie_add_macs(&B.maker, (uint8_t *)&resp, sizeof(resp), virt);
		if ((r = wg_noise_begin_session(hs, &B.kps, virt, &kpb)))
			die("responder session", r);
		if (wg_cookie_validate(&A.checker, (uint8_t *)&resp, sizeof(resp), addr, 4, 1, virt) ==
		    WG_COOKIE_MAC_INVALID)
			die("mac1 response", -EBADMSG);
		if ((r = wg_noise_consume_response(&A.dev, &resp, &hs)))
			die("consume response", r);
		if ((r = wg_noise_begin_session(hs, &A.kps, virt, &kpa)))
			die("initiator session", r);
	}
	t_hs = now() - t0;

	/* transport: the latest session, counter-ordered batches */
	pkts = malloc(stride * BATCH);
	if (!pkts)
		return 3;
	kpa->birth_ns = kpb->birth_ns = now();
	while (done < pk_n) {
		size_t lens[BATCH], pl;
		long n = pk_n - done < BATCH ? pk_n - done : BATCH;

		for (long j = 0; j < n; j++)
			memset(pkts + (size_t)j * stride + 16, (int)j, PLEN);
		t0 = now();
		for (long j = 0; j < n; j++)
			if ((r = wg_transport_encrypt(kpa, pkts + (size_t)j * stride, PLEN, stride, PLEN,
						      t0, &lens[j], NULL)))
				die("encrypt", r);
		t_enc += now() - t0;
		t0 = now();
		for (long j = 0; j < n; j++)
			if ((r = wg_transport_decrypt(kpb, pkts + (size_t)j * stride, lens[j], t0, &pl,
						      NULL)))
				die("decrypt", r);
		t_dec += now() - t0;
		if (pkts[16] != 0 || pkts[(size_t)(n - 1) * stride + 16] != (uint8_t)(n - 1))
			die("decrypt contents", -EBADMSG);
		done += n;
	}
	printf("handshake: %.1f us per full handshake (initiation+response, both sides, %ld runs)\n",
	       (double)t_hs / (double)hs_n / 1e3, hs_n);
	printf("encrypt %d B: %.0f ns/packet, %.2f Gbit/s on one core (%ld packets)\n", PLEN,
	       (double)t_enc / (double)pk_n, (double)pk_n * PLEN * 8 / (double)t_enc, pk_n);
	printf("decrypt %d B: %.0f ns/packet, %.2f Gbit/s on one core (%ld packets)\n", PLEN,
	       (double)t_dec / (double)pk_n, (double)pk_n * PLEN * 8 / (double)t_dec, pk_n);
	free(pkts);
	wg_keypairs_clear(&A.dev, &A.kps);
	wg_keypairs_clear(&B.dev, &B.kps);
	wg_noise_handshake_destroy(&A.hs);
	wg_noise_handshake_destroy(&B.hs);
	return 0;
}
