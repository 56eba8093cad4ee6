// SPDX-License-Identifier: MIT
/* Transport data messages: in-place seal/open, padding, keepalives, drops. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>
#include <string.h>

#include "wire/transport.h"

#define NS 1000000000ULL

static struct wg_keypair *ka, *kb;

static int setup(void **state)
{
	uint8_t k1[32], k2[32];

	(void)state;
	memset(k1, 1, 32);
	memset(k2, 2, 32);
	/* a sends with k1 to b's index 7; b sends with k2 to a's index 9 */
	ka = wg_keypair_new(k1, k2, true, 9, 7, 100 * NS, NULL);
	kb = wg_keypair_new(k2, k1, false, 7, 9, 100 * NS, NULL);
	return ka && kb ? 0 : -1;
}

static int teardown(void **state)
{
	(void)state;
	wg_keypair_put(ka);
	wg_keypair_put(kb);
	return 0;
}

static void test_padding(void **state)
{
	(void)state;
	assert_int_equal(wg_transport_padded_len(0, 1420), 0);
	assert_int_equal(wg_transport_padded_len(1, 1420), 16);
	assert_int_equal(wg_transport_padded_len(16, 1420), 16);
	assert_int_equal(wg_transport_padded_len(17, 1420), 32);
	assert_int_equal(wg_transport_padded_len(1419, 1420), 1420);
	/* never beyond the MTU, even when that is not a multiple of 16 */
	assert_int_equal(wg_transport_padded_len(1413, 1420), 1420);
	assert_int_equal(wg_transport_padded_len(1420, 1420), 1420);
	assert_int_equal(wg_transport_padded_len(1419, 1419), 1419);
	assert_int_equal(wg_transport_padded_len(1401, 1410), 1408);
	assert_int_equal(wg_transport_padded_len(1409, 1410), 1410);
	assert_int_equal(wg_transport_padded_len(1413, 0), 1424);
	assert_int_equal(wg_transport_datagram_len(1420, 1420), 1452);
	assert_int_equal(wg_transport_datagram_len(0, 1420), 32);
}

static void test_roundtrip(void **state)
{
	static uint8_t pkt[16 + 1420 + 16];
	size_t len, plen;
	uint64_t ctr;
	uint32_t idx;

	(void)state;
	for (size_t n = 0; n <= 1420; n += 97) {
		for (size_t i = 0; i < n; i++)
			pkt[16 + i] = (uint8_t)(i * 7);
		assert_int_equal(wg_transport_encrypt(ka, pkt, n, sizeof(pkt), 1420, 101 * NS,
						      &len, &ctr), 0);
		assert_int_equal(len, wg_transport_datagram_len(n, 1420));
		assert_int_equal(len % 16, 0);
		/* header: type 4, receiver index, little-endian counter */
		assert_int_equal(pkt[0], 4);
		assert_int_equal(pkt[1] | pkt[2] | pkt[3], 0);
		assert_int_equal(pkt[4], 7);
		assert_int_equal(pkt[8], (uint8_t)ctr);
		assert_int_equal(wg_transport_peek_index(pkt, len, &idx), 0);
		assert_int_equal(idx, 7);
		assert_int_equal(wg_transport_decrypt(kb, pkt, len, 101 * NS, &plen, NULL), 0);
		assert_int_equal(plen, wg_transport_padded_len(n, 1420));
		for (size_t i = 0; i < n; i++)
			assert_int_equal(pkt[16 + i], (uint8_t)(i * 7));
		for (size_t i = n; i < plen; i++)
			assert_int_equal(pkt[16 + i], 0);
	}
}

/* Lanes: the split calls give the same bytes on every lane, counters are
 * taken in reserve order whatever order the seals run in, and the replay
 * window moves only on commit. */
static void test_lanes(void **state)
{
	static uint8_t a[16 + 64 + 16], b[16 + 64 + 16], c[16 + 64 + 16];
	uint64_t c0, c1, got;
	size_t la, lb, lc, plen;

	(void)state;
	assert_int_equal(wg_transport_reserve(ka, 101 * NS, &c0), 0);
	assert_int_equal(wg_transport_reserve(ka, 101 * NS, &c1), 0);
	assert_true(c1 == c0 + 1);
	memset(a + 16, 0x5a, 64);
	memset(b + 16, 0x5a, 64);
	memset(c + 16, 0x5a, 64);
	/* the later counter sealed first, on another lane */
	assert_int_equal(wg_transport_seal(ka, 5, c1, b, 64, sizeof(b), 1420, &lb), 0);
	assert_int_equal(wg_transport_seal(ka, 0, c0, a, 64, sizeof(a), 1420, &la), 0);
	assert_int_equal(wg_transport_seal(ka, WG_TRANSPORT_LANES - 1, c0, c, 64, sizeof(c),
					   1420, &lc), 0);
	assert_int_equal(la, lb);
	assert_memory_equal(a, c, la); /* same counter, same bytes on any lane */
	assert_memory_not_equal(a, b, la);
	assert_int_equal(wg_transport_seal(ka, WG_TRANSPORT_LANES, c0, c, 64, sizeof(c), 1420,
					   &lc), -EINVAL);
	assert_int_equal(wg_transport_seal(ka, 0, c0, c, 64, 40, 1420, &lc), -EINVAL);

	/* open on lanes in any order; commit in arrival order */
	assert_int_equal(wg_transport_open(kb, 3, b, lb, 101 * NS, &plen, &got), 0);
	assert_true(got == c1);
	assert_int_equal(plen, 64);
	assert_int_equal(b[16], 0x5a);
	assert_int_equal(wg_transport_open(kb, 0, a, la, 101 * NS, &plen, &got), 0);
	assert_true(got == c0);
	/* open alone does not record: a second open of the same bytes is fine */
	assert_int_equal(wg_transport_seal(ka, 2, c0, c, 64, sizeof(c), 1420, &lc), 0);
	assert_int_equal(wg_transport_open(kb, 7, c, lc, 101 * NS, &plen, &got), 0);
	assert_true(wg_transport_commit(kb, c1));
	assert_true(wg_transport_commit(kb, c0));
	assert_false(wg_transport_commit(kb, c0)); /* replay */
	/* a tampered message fails on a lane too */
	assert_int_equal(wg_transport_seal(ka, 9, c1, b, 64, sizeof(b), 1420, &lb), 0);
	b[20] ^= 1;
	assert_int_equal(wg_transport_open(kb, 9, b, lb, 101 * NS, &plen, &got), -EBADMSG);
}

static void test_keepalive(void **state)
{
	uint8_t pkt[32];
	size_t len, plen = 99;

	(void)state;
	assert_int_equal(wg_transport_encrypt(kb, pkt, 0, sizeof(pkt), 1420, 101 * NS, &len, NULL), 0);
	assert_int_equal(len, 32);
	assert_int_equal(wg_transport_decrypt(ka, pkt, len, 101 * NS, &plen, NULL), 0);
	assert_int_equal(plen, 0);
}

static void test_drops(void **state)
{
	uint8_t pkt[16 + 32 + 16], copy[sizeof(pkt)];
	size_t len, plen;

	(void)state;
	memset(pkt + 16, 0xab, 20);
	/* no room for padding + tag */
	assert_int_equal(wg_transport_encrypt(ka, pkt, 20, 16 + 20 + 16, 1420, 101 * NS, &len, NULL),
			 -EINVAL);
	assert_int_equal(wg_transport_encrypt(ka, pkt, 20, sizeof(pkt), 1420, 101 * NS, &len, NULL), 0);
	memcpy(copy, pkt, len);
	/* tampered payload, tampered counter */
	pkt[20] ^= 1;
	assert_int_equal(wg_transport_decrypt(kb, pkt, len, 101 * NS, &plen, NULL), -EBADMSG);
	memcpy(pkt, copy, len);
	pkt[8] ^= 1;
	assert_int_equal(wg_transport_decrypt(kb, pkt, len, 101 * NS, &plen, NULL), -EBADMSG);
	/* not this keypair's index, malformed, wrong type */
	memcpy(pkt, copy, len);
	pkt[4] = 8;
	assert_int_equal(wg_transport_decrypt(kb, pkt, len, 101 * NS, &plen, NULL), -EINVAL);
	memcpy(pkt, copy, len);
	assert_int_equal(wg_transport_decrypt(kb, pkt, 31, 101 * NS, &plen, NULL), -EINVAL);
	pkt[0] = 1;
	assert_int_equal(wg_transport_decrypt(kb, pkt, len, 101 * NS, &plen, NULL), -EINVAL);
	/* expired keypair (REJECT_AFTER_TIME) */
	memcpy(pkt, copy, len);
	assert_int_equal(wg_transport_decrypt(kb, pkt, len, 280 * NS, &plen, NULL), -ESTALE);
	/* good, then replayed */
	memcpy(pkt, copy, len);
	assert_int_equal(wg_transport_decrypt(kb, pkt, len, 101 * NS, &plen, NULL), 0);
	memcpy(pkt, copy, len);
	assert_int_equal(wg_transport_decrypt(kb, pkt, len, 101 * NS, &plen, NULL), -EALREADY);
	/* sending is refused after REJECT_AFTER_TIME */
	assert_int_equal(wg_transport_encrypt(ka, pkt, 20, sizeof(pkt), 1420, 280 * NS, &len, NULL),
			 -ESTALE);
	assert_false(wg_keypair_usable(ka, 280 * NS));
	assert_true(wg_keypair_usable(ka, 279 * NS));
}

static void test_rekey_limits(void **state)
{
	uint8_t pkt[32];
	size_t len;

	(void)state;
	/* initiator rekeys after REKEY_AFTER_TIME; responder does not on age */
	assert_false(wg_keypair_wants_rekey(ka, 219 * NS));
	assert_true(wg_keypair_wants_rekey(ka, 220 * NS));
	assert_false(wg_keypair_wants_rekey(kb, 220 * NS));
	/* on receive: 165 s after birth (100 s), initiator only */
	assert_false(wg_keypair_wants_rekey_on_receive(ka, 264 * NS));
	assert_true(wg_keypair_wants_rekey_on_receive(ka, 265 * NS));
	assert_false(wg_keypair_wants_rekey_on_receive(kb, 265 * NS));
	/* a clock before birth never reads as old */
	assert_false(wg_keypair_wants_rekey(ka, 50 * NS));
	/* counter limits */
	atomic_store(&kb->send_counter, WG_REKEY_AFTER_MESSAGES);
	assert_true(wg_keypair_wants_rekey(kb, 101 * NS));
	atomic_store(&kb->send_counter, WG_REJECT_AFTER_MESSAGES - 1);
	assert_int_equal(wg_transport_encrypt(kb, pkt, 0, sizeof(pkt), 0, 101 * NS, &len, NULL), 0);
	assert_int_equal(wg_transport_encrypt(kb, pkt, 0, sizeof(pkt), 0, 101 * NS, &len, NULL), -ESTALE);
	assert_false(wg_keypair_usable(kb, 101 * NS));
	/* the receiver refuses a counter beyond the limit before decrypting */
	pkt[8] = 0xff;
	assert_int_equal(wg_transport_decrypt(ka, pkt, 32, 101 * NS, &len, NULL), -EALREADY);
}

static void test_refcount(void **state)
{
	uint8_t k[32] = { 3 };
	struct wg_keypair *kp = wg_keypair_new(k, k, true, 1, 2, 0, NULL);

	(void)state;
	assert_non_null(kp);
	assert_ptr_equal(wg_keypair_get(kp), kp);
	wg_keypair_put(kp);
	assert_int_equal(atomic_load(&kp->refcount), 1);
	wg_keypair_put(kp); /* frees; ASan would flag any later use */
	wg_keypair_put(NULL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_padding),
		cmocka_unit_test_setup_teardown(test_roundtrip, setup, teardown),
		cmocka_unit_test_setup_teardown(test_lanes, setup, teardown),
		cmocka_unit_test_setup_teardown(test_keepalive, setup, teardown),
		cmocka_unit_test_setup_teardown(test_drops, setup, teardown),
		cmocka_unit_test_setup_teardown(test_rekey_limits, setup, teardown),
		cmocka_unit_test(test_refcount),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
