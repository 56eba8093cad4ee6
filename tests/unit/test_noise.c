// SPDX-License-Identifier: MIT
/* The IKpsk2 handshake in memory: two devices, a fake peer/index table each. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>
#include <string.h>

#include "wire/noise.h"
#include "wire/transport.h"

#define NS 1000000000ULL
#define MAX_IDX 16

/* One side: a device with one peer and a tiny index table. */
struct side {
	struct wg_noise_device dev;
	struct wg_noise_handshake hs;  /* the one peer */
	struct wg_keypairs kps;
	bool know_peer;
	struct {
		uint32_t idx;
		enum wg_index_kind kind;
		void *what;
	} table[MAX_IDX];
	uint32_t next_idx;
};

static int slot_of(struct side *s, uint32_t idx)
{
	for (int i = 0; i < MAX_IDX; i++)
		if (s->table[i].kind && s->table[i].idx == idx)
			return i;
	return -1;
}

static struct wg_noise_handshake *cb_lookup_static(void *ctx, const uint8_t pub[32])
{
	struct side *s = ctx;

	return s->know_peer && !memcmp(pub, s->hs.remote_static, 32) ? &s->hs : NULL;
}

static struct wg_noise_handshake *cb_lookup_index(void *ctx, uint32_t idx)
{
	struct side *s = ctx;
	int i = slot_of(s, idx);

	return i >= 0 && s->table[i].kind == WG_INDEX_HANDSHAKE ? s->table[i].what : NULL;
}

static int cb_register(void *ctx, struct wg_noise_handshake *hs, uint32_t *idx)
{
	struct side *s = ctx;

	for (int i = 0; i < MAX_IDX; i++) {
		if (!s->table[i].kind) {
			s->table[i].kind = WG_INDEX_HANDSHAKE;
			s->table[i].what = hs;
			s->table[i].idx = *idx = s->next_idx++;
			return 0;
		}
	}
	return -ENOSPC;
}

static void cb_to_keypair(void *ctx, uint32_t idx, struct wg_keypair *kp)
{
	struct side *s = ctx;
	int i = slot_of(s, idx);

	assert_true(i >= 0);
	assert_int_equal(s->table[i].kind, WG_INDEX_HANDSHAKE);
	s->table[i].kind = WG_INDEX_KEYPAIR;
	s->table[i].what = kp;
}

static void cb_unregister(void *ctx, uint32_t idx)
{
	struct side *s = ctx;
	int i = slot_of(s, idx);

	if (i >= 0)
		s->table[i].kind = 0;
}

static const struct wg_noise_ops ops = {
	.lookup_by_static = cb_lookup_static,
	.lookup_handshake_by_index = cb_lookup_index,
	.index_register = cb_register,
	.index_to_keypair = cb_to_keypair,
	.index_unregister = cb_unregister,
};

static int registered(struct side *s)
{
	int n = 0;

	for (int i = 0; i < MAX_IDX; i++)
		n += s->table[i].kind != 0;
	return n;
}

static struct side A, B;

/* A and B know each other; psk_b differs from psk_a when wrong_psk. */
static void setup_pair(bool wrong_psk)
{
	uint8_t ka[32], kb[32], psk[32];

	memset(&A, 0, sizeof(A));
	memset(&B, 0, sizeof(B));
	A.next_idx = 0x1000;
	B.next_idx = 0x2000;
	assert_int_equal(wg_x25519_generate(ka), 0);
	assert_int_equal(wg_x25519_generate(kb), 0);
	memset(psk, 0x5a, sizeof(psk));
	wg_noise_device_init(&A.dev, &ops, &A);
	wg_noise_device_init(&B.dev, &ops, &B);
	assert_int_equal(wg_noise_device_set_private(&A.dev, ka), 0);
	assert_int_equal(wg_noise_device_set_private(&B.dev, kb), 0);
	assert_int_equal(wg_noise_handshake_init(&A.hs, &A.dev, B.dev.static_public, psk, &A), 0);
	if (wrong_psk)
		psk[0] ^= 1;
	assert_int_equal(wg_noise_handshake_init(&B.hs, &B.dev, A.dev.static_public, psk, &B), 0);
	A.know_peer = B.know_peer = true;
}

static void teardown_pair(void)
{
	wg_keypairs_clear(&A.dev, &A.kps);
	wg_keypairs_clear(&B.dev, &B.kps);
	wg_noise_handshake_destroy(&A.hs);
	wg_noise_handshake_destroy(&B.hs);
	assert_int_equal(registered(&A), 0);
	assert_int_equal(registered(&B), 0);
	wg_noise_device_clear(&A.dev);
	wg_noise_device_clear(&B.dev);
}

/* Send plaintext from one keypair to another through a data message. */
static void data_roundtrip(struct wg_keypair *from, struct wg_keypair *to, uint64_t now)
{
	uint8_t pkt[16 + 64 + 16];
	size_t len, plen;

	memcpy(pkt + 16, "hello, tunnel", 13);
	assert_int_equal(wg_transport_encrypt(from, pkt, 13, sizeof(pkt), 1420, now, &len, NULL), 0);
	assert_int_equal(len, 16 + 16 + 16);
	assert_int_equal(wg_transport_decrypt(to, pkt, len, now, &plen, NULL), 0);
	assert_int_equal(plen, 16);
	assert_memory_equal(pkt + 16, "hello, tunnel\0\0\0", 16);
}

/* Runs initiation + response; returns consume_response's result. */
static int handshake(uint64_t wall, uint64_t now, struct wg_keypair **ka, struct wg_keypair **kb)
{
	struct wg_message_handshake_initiation init;
	struct wg_message_handshake_response resp;
	struct wg_noise_handshake *hs;
	int ret;

	assert_int_equal(wg_noise_create_initiation(&A.hs, &init, wall, 0), 0);
	assert_int_equal(A.hs.state, WG_HS_CREATED_INITIATION);
	assert_int_equal(le32toh(init.sender_index), A.hs.local_index);
	assert_int_equal(wg_noise_consume_initiation(&B.dev, &init, now, &hs), 0);
	assert_ptr_equal(hs, &B.hs);
	assert_int_equal(B.hs.state, WG_HS_CONSUMED_INITIATION);
	assert_int_equal(wg_noise_create_response(&B.hs, &resp), 0);
	assert_int_equal(le32toh(resp.receiver_index), A.hs.local_index);
	assert_int_equal(wg_noise_begin_session(&B.hs, &B.kps, now, kb), 0);
	assert_ptr_equal(B.kps.next, *kb);
	ret = wg_noise_consume_response(&A.dev, &resp, &hs);
	if (ret)
		return ret;
	assert_ptr_equal(hs, &A.hs);
	assert_int_equal(wg_noise_begin_session(&A.hs, &A.kps, now, ka), 0);
	assert_ptr_equal(A.kps.current, *ka);
	return 0;
}

static void test_full_handshake(void **state)
{
	struct wg_keypair *ka, *kb, *cur;
	uint64_t now = 5 * NS;

	(void)state;
	setup_pair(false);
	assert_int_equal(handshake(1700000000, now, &ka, &kb), 0);
	/* both handshakes consumed into keypairs; their indices now name them */
	assert_int_equal(A.hs.state, WG_HS_ZEROED);
	assert_int_equal(B.hs.state, WG_HS_ZEROED);
	assert_int_equal(ka->remote_index, kb->local_index);
	assert_int_equal(kb->remote_index, ka->local_index);
	assert_true(ka->i_am_initiator);
	assert_false(kb->i_am_initiator);
	assert_int_equal(registered(&A), 1);
	assert_int_equal(registered(&B), 1);
	assert_int_equal(A.table[slot_of(&A, ka->local_index)].kind, WG_INDEX_KEYPAIR);

	/* the responder may not send until confirmed */
	assert_null(wg_keypairs_current(&B.kps, now));
	data_roundtrip(ka, kb, now);
	/* confirmation rule: first data received with next promotes it */
	assert_true(wg_keypairs_received_with(&B.dev, &B.kps, kb));
	assert_ptr_equal(B.kps.current, kb);
	assert_null(B.kps.next);
	assert_false(wg_keypairs_received_with(&B.dev, &B.kps, kb));
	cur = wg_keypairs_current(&B.kps, now);
	assert_ptr_equal(cur, kb);
	data_roundtrip(cur, ka, now);
	wg_keypair_put(cur);

	/* second handshake: initiator rotates current into previous */
	assert_int_equal(handshake(1700000001, now + NS, &ka, &kb), 0);
	assert_non_null(A.kps.previous);
	assert_ptr_equal(A.kps.current, ka);
	assert_ptr_equal(B.kps.next, kb);
	assert_non_null(B.kps.current);
	data_roundtrip(ka, kb, now + NS);
	assert_true(wg_keypairs_received_with(&B.dev, &B.kps, kb));
	assert_non_null(B.kps.previous);
	assert_int_equal(registered(&A), 2);
	assert_int_equal(registered(&B), 2);
	/* third: previous is released (indices unregistered) */
	assert_int_equal(handshake(1700000002, now + 2 * NS, &ka, &kb), 0);
	assert_int_equal(registered(&A), 2);
	assert_int_equal(registered(&B), 3); /* previous, current, next */
	teardown_pair();
}

static void test_wrong_psk(void **state)
{
	struct wg_keypair *ka = NULL, *kb = NULL;

	(void)state;
	setup_pair(true);
	/* the psk enters only in the response: the initiator rejects it */
	assert_int_equal(handshake(1700000000, NS, &ka, &kb), -EBADMSG);
	assert_int_equal(A.hs.state, WG_HS_CREATED_INITIATION); /* unchanged */
	assert_null(A.kps.current);
	teardown_pair();
}

static void test_replayed_initiation(void **state)
{
	struct wg_message_handshake_initiation init, init2;
	struct wg_noise_handshake *hs;

	(void)state;
	setup_pair(false);
	assert_int_equal(wg_noise_create_initiation(&A.hs, &init, 1700000000, 500000000), 0);
	assert_int_equal(wg_noise_consume_initiation(&B.dev, &init, 10 * NS, &hs), 0);
	/* the very same bytes again, much later: timestamp not newer */
	assert_int_equal(wg_noise_consume_initiation(&B.dev, &init, 20 * NS, &hs), -ETIME);
	assert_null(hs);
	/* a fresh initiation in the same 2^24 ns timestamp bucket: also old */
	assert_int_equal(wg_noise_create_initiation(&A.hs, &init2, 1700000000, 500000001), 0);
	assert_int_equal(wg_noise_consume_initiation(&B.dev, &init2, 30 * NS, &hs), -ETIME);
	/* newer timestamp but 5 ms after the last accepted: flood guard */
	assert_int_equal(wg_noise_create_initiation(&A.hs, &init2, 1700000001, 0), 0);
	assert_int_equal(wg_noise_consume_initiation(&B.dev, &init2, 10 * NS + 5000000, &hs), -EBUSY);
	/* and accepted once 20 ms have passed */
	assert_int_equal(wg_noise_consume_initiation(&B.dev, &init2, 10 * NS + 20000000, &hs), 0);
	teardown_pair();
}

static void test_rejections(void **state)
{
	struct wg_message_handshake_initiation init, bad;
	struct wg_message_handshake_response resp;
	struct wg_noise_handshake *hs;
	struct wg_keypair *kb;

	(void)state;
	setup_pair(false);
	assert_int_equal(wg_noise_create_initiation(&A.hs, &init, 1700000000, 0), 0);
	/* every flipped byte of the Noise-authenticated part is rejected (the
	 * sender index at 4..7 is covered only by mac1, cookie.h's job) */
	for (size_t i = 8; i < offsetof(struct wg_message_handshake_initiation, macs); i++) {
		int r;

		memcpy(&bad, &init, sizeof(bad));
		((uint8_t *)&bad)[i] ^= 0x40;
		r = wg_noise_consume_initiation(&B.dev, &bad, NS, &hs);
		assert_true(r == -EBADMSG || r == -ENOKEY);
	}
	assert_int_equal(B.hs.state, WG_HS_ZEROED);
	/* wrong type */
	memcpy(&bad, &init, sizeof(bad));
	bad.header.type = htole32(2);
	assert_int_equal(wg_noise_consume_initiation(&B.dev, &bad, NS, &hs), -EINVAL);
	/* B does not know A */
	B.know_peer = false;
	assert_int_equal(wg_noise_consume_initiation(&B.dev, &init, NS, &hs), -ENOENT);
	B.know_peer = true;
	/* response without a consumed initiation */
	assert_int_equal(wg_noise_create_response(&B.hs, &resp), -EINVAL);
	assert_int_equal(wg_noise_begin_session(&B.hs, &B.kps, NS, &kb), -EINVAL);
	assert_int_equal(wg_noise_consume_initiation(&B.dev, &init, NS, &hs), 0);
	assert_int_equal(wg_noise_create_response(&B.hs, &resp), 0);
	/* a response to an unknown index */
	resp.receiver_index = htole32(0xdead);
	assert_int_equal(wg_noise_consume_response(&A.dev, &resp, &hs), -ENOENT);
	resp.receiver_index = htole32(A.hs.local_index);
	resp.encrypted_nothing[0] ^= 1;
	assert_int_equal(wg_noise_consume_response(&A.dev, &resp, &hs), -EBADMSG);
	resp.encrypted_nothing[0] ^= 1;
	assert_int_equal(wg_noise_consume_response(&A.dev, &resp, &hs), 0);
	/* the same response twice: the handshake is no longer waiting */
	assert_int_equal(wg_noise_consume_response(&A.dev, &resp, &hs), -EINVAL);
	/* A starting a new initiation invalidates the old index */
	assert_int_equal(wg_noise_create_initiation(&A.hs, &init, 1700000001, 0), 0);
	assert_int_equal(registered(&A), 1);
	assert_int_equal(wg_noise_consume_response(&A.dev, &resp, &hs), -ENOENT);
	/* no identity */
	wg_noise_device_clear(&B.dev);
	assert_int_equal(wg_noise_consume_initiation(&B.dev, &init, NS, &hs), -ENOKEY);
	teardown_pair();
}

/* Both sides initiate at once: each consumes the other's initiation, and
 * the one whose response completes wins; nothing leaks. */
static void test_crossed_initiations(void **state)
{
	struct wg_message_handshake_initiation ia, ib;
	struct wg_message_handshake_response rb;
	struct wg_noise_handshake *hs;
	struct wg_keypair *kb, *ka;

	(void)state;
	setup_pair(false);
	assert_int_equal(wg_noise_create_initiation(&A.hs, &ia, 1700000000, 0), 0);
	assert_int_equal(wg_noise_create_initiation(&B.hs, &ib, 1700000000, 0), 0);
	/* B consumes A's: its own initiation in flight is abandoned */
	assert_int_equal(wg_noise_consume_initiation(&B.dev, &ia, NS, &hs), 0);
	assert_int_equal(registered(&B), 0);
	assert_int_equal(wg_noise_create_response(&B.hs, &rb), 0);
	assert_int_equal(wg_noise_begin_session(&B.hs, &B.kps, NS, &kb), 0);
	assert_int_equal(wg_noise_consume_response(&A.dev, &rb, &hs), 0);
	assert_int_equal(wg_noise_begin_session(&A.hs, &A.kps, NS, &ka), 0);
	/* B's stale initiation reaches A after: accepted as a new handshake
	 * (its timestamp is new to A), without disturbing A's session */
	assert_int_equal(wg_noise_consume_initiation(&A.dev, &ib, 2 * NS, &hs), 0);
	assert_ptr_equal(A.kps.current, ka);
	data_roundtrip(ka, kb, 2 * NS);
	teardown_pair();
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_full_handshake),
		cmocka_unit_test(test_wrong_psk),
		cmocka_unit_test(test_replayed_initiation),
		cmocka_unit_test(test_rejections),
		cmocka_unit_test(test_crossed_initiations),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
