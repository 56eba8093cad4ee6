// SPDX-License-Identifier: MIT
/* IPv4 fragmentation: every split is reassembled here and compared. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <cmocka.h>
#include <string.h>

#include "pmtu/frag.h"
#include "pmtu_testpkt.h"

static const char S[4] = { 10, 0, 0, 2 }, D[4] = { (char)198, 51, 100, 9 };

static uint8_t pkt[65536];
static uint8_t frags[64][1600];
static size_t flen[64];

/* Reassembly state of the test, independent of the module. */
static uint8_t re_data[65536];
static uint8_t re_have[65536];
static size_t re_end;    /* end of the datagram (known from the MF=0 piece) */
static bool re_seen_last;

static void re_reset(void)
{
	memset(re_have, 0, sizeof(re_have));
	re_end = 0;
	re_seen_last = false;
}

/* Checks one fragment's header and adds its payload. */
static void re_add(const uint8_t *f, size_t n, unsigned mtu, const uint8_t *orig)
{
	size_t hl = (f[0] & 15) * 4u, tot = (size_t)(f[2] << 8 | f[3]), off, pl;
	unsigned word = (unsigned)(f[6] << 8 | f[7]);

	assert_int_equal(f[0] >> 4, 4);
	assert_int_equal(tot, n);
	assert_true(n <= mtu);
	assert_true(ref_csum_ok(f, hl));
	assert_memory_equal(f + 4, orig + 4, 2);   /* identification */
	assert_int_equal(f[1], orig[1]);           /* TOS */
	assert_int_equal(f[8], orig[8]);           /* TTL */
	assert_int_equal(f[9], orig[9]);           /* protocol */
	assert_memory_equal(f + 12, orig + 12, 8); /* addresses */
	assert_int_equal(word & 0x4000, 0);        /* never DF */
	off = (word & 0x1fff) * 8u;
	pl = n - hl;
	if (word & 0x2000)
		assert_int_equal(pl % 8, 0);
	else {
		assert_false(re_seen_last);
		re_seen_last = true;
		re_end = off + pl;
	}
	assert_true(off + pl <= 65535);
	for (size_t i = 0; i < pl; i++) {
		if (re_have[off + i])
			assert_int_equal(re_data[off + i], f[hl + i]);
		re_data[off + i] = f[hl + i];
		re_have[off + i] = 1;
	}
}

static void re_check(const uint8_t *orig, size_t base, size_t payload, bool last)
{
	size_t hl = (orig[0] & 15) * 4u;

	if (last) {
		assert_true(re_seen_last);
		assert_int_equal(re_end, base + payload);
	} else {
		assert_false(re_seen_last);
	}
	for (size_t i = 0; i < payload; i++) {
		assert_true(re_have[base + i]);
		assert_int_equal(re_data[base + i], orig[hl + base + i]);
	}
}

static void mk_pkt(size_t tot, size_t optlen, const uint8_t *opts)
{
	size_t hl = 20 + optlen;

	for (size_t i = 0; i < tot; i++)
		pkt[i] = (uint8_t)(i * 31 + (i >> 8));
	mk_ip4(pkt, (uint16_t)tot, 0, 17, S, D);
	pkt[0] = (uint8_t)(0x40 | (hl / 4));
	pkt[1] = 0x28;
	if (optlen)
		memcpy(pkt + 20, opts, optlen);
	ref_fill_csum(NULL, 0, pkt, hl, 10);
}

/* Splits pkt for mtu into frags[], returns the count. */
static int split(const uint8_t *p, size_t len, unsigned mtu)
{
	struct frag4 f;
	int n = frag4_init(&f, p, len, mtu), got = 0, r;

	assert_true(n >= 1 && n <= 64);
	while ((r = frag4_next(&f, frags[got], sizeof(frags[0]))) > 0) {
		assert_true(got < n);
		flen[got++] = (size_t)r;
	}
	assert_int_equal(r, 0);
	assert_int_equal(got, n);
	assert_int_equal(frag4_next(&f, frags[0], sizeof(frags[0])), 0);
	return n;
}

static void test_sizes_and_mtus(void **state)
{
	static const unsigned mtus[] = { 68, 576, 1280, 1394, 1420 };
	static const size_t sizes[] = { 69, 577, 1001, 1281, 1395, 1421, 1500, 4097, 9001 };

	(void)state;
	for (size_t m = 0; m < sizeof(mtus) / sizeof(mtus[0]); m++) {
		for (size_t s = 0; s < sizeof(sizes) / sizeof(sizes[0]); s++) {
			int n;

			if (sizes[s] <= mtus[m] || (mtus[m] == 68 && sizes[s] > 1500))
				continue;
			mk_pkt(sizes[s], 0, NULL);
			n = split(pkt, sizes[s], mtus[m]);
			assert_true(n >= 2);
			/* the expected count: ceil(payload / per-fragment payload) */
			assert_int_equal(n, (int)((sizes[s] - 20 + ((mtus[m] - 20) & ~7u) - 1) /
						  ((mtus[m] - 20) & ~7u)));
			re_reset();
			for (int i = 0; i < n; i++)
				re_add(frags[i], flen[i], mtus[m], pkt);
			re_check(pkt, 0, sizes[s] - 20, true);
			/* all but the last are as large as 8-byte alignment allows */
			for (int i = 0; i + 1 < n; i++)
				assert_true(flen[i] > mtus[m] - 8);
		}
	}
}

static void test_fits_and_refusals(void **state)
{
	struct frag4 f;
	uint8_t out[1500];

	(void)state;
	/* fits: one identical copy */
	mk_pkt(1394, 0, NULL);
	assert_int_equal(frag4_init(&f, pkt, 1394, 1394), 1);
	assert_int_equal(frag4_next(&f, out, sizeof(out)), 1394);
	assert_memory_equal(out, pkt, 1394);
	assert_int_equal(frag4_next(&f, out, sizeof(out)), 0);
	/* DF: the caller sends an ICMP error instead */
	mk_ip4(pkt, 1500, 0x4000, 17, S, D);
	assert_int_equal(frag4_init(&f, pkt, 1500, 1394), -EMSGSIZE);
	/* bad MTUs */
	mk_pkt(1500, 0, NULL);
	assert_int_equal(frag4_init(&f, pkt, 1500, 67), -EINVAL);
	assert_int_equal(frag4_init(&f, pkt, 1500, 70000), -EINVAL);
	/* malformed input */
	assert_int_equal(frag4_init(&f, pkt, 1499, 576), -EBADMSG);
	pkt[0] = 0x60;
	assert_int_equal(frag4_init(&f, pkt, 1500, 576), -EBADMSG);
	/* a fragment whose offset + payload passes 65535 */
	mk_ip4(pkt, 1500, 0x1fff, 17, S, D);
	assert_int_equal(frag4_init(&f, pkt, 1500, 576), -EBADMSG);
	/* a buffer too small: nothing consumed */
	mk_pkt(1500, 0, NULL);
	assert_int_equal(frag4_init(&f, pkt, 1500, 576), 3);
	assert_int_equal(frag4_next(&f, out, 571), -ENOBUFS);
	assert_int_equal(frag4_next(&f, out, 572), 572); /* 20 + 552 (69 * 8) */
	assert_int_equal(out[7], 0);           /* offset 0 */
	assert_int_equal(out[6], 0x20);        /* MF */
}

static void test_options(void **state)
{
	/* record route (not copied, 11 bytes) + security-like copied option (0x82, 11 bytes)
	 * + NOP + EOL padding: 24 bytes of options */
	static const uint8_t opts[24] = {
		7, 11, 4, 0, 0, 0, 0, 0, 0, 0, 0,
		0x82, 11, 1, 2, 3, 4, 5, 6, 7, 8, 9,
		1, 0,
	};
	static const uint8_t bad[8] = { 0x83, 9, 0, 0, 0, 0, 0, 0 };
	struct frag4 f;
	int n;

	(void)state;
	mk_pkt(1500, sizeof(opts), opts);
	n = split(pkt, 1500, 576);
	re_reset();
	for (int i = 0; i < n; i++)
		re_add(frags[i], flen[i], 576, pkt);
	re_check(pkt, 0, 1500 - 44, true);
	/* the first fragment has every option */
	assert_int_equal(frags[0][0] & 15, 11);
	assert_memory_equal(frags[0] + 20, opts, sizeof(opts));
	/* the others only the copied one, padded to 12 bytes */
	for (int i = 1; i < n; i++) {
		assert_int_equal(frags[i][0] & 15, 8);
		assert_memory_equal(frags[i] + 20, opts + 11, 11);
		assert_int_equal(frags[i][31], 0);
	}
	/* a malformed option list is refused, not guessed at */
	mk_pkt(1500, sizeof(bad), bad);
	assert_int_equal(frag4_init(&f, pkt, 1500, 576), -EBADMSG);
	/* 60-byte header at MTU 68: 8 payload bytes per fragment still work */
	{
		uint8_t big[40];

		memset(big, 1, sizeof(big)); /* NOPs */
		mk_pkt(200, sizeof(big), big);
		n = split(pkt, 200, 68);
		/* 8 bytes in the first; NOPs are not copied, so later
		 * fragments have a 20-byte header and carry 48 */
		assert_int_equal(n, 4);
		re_reset();
		for (int i = 0; i < n; i++)
			re_add(frags[i], flen[i], 68, pkt);
		re_check(pkt, 0, 140, true);
		assert_int_equal(frag4_init(&f, pkt, 200, 67), -EINVAL);
	}
}

/* Fragments of fragments: split at 1394, split every piece again at 576,
 * then at 68, and reassemble everything. */
static void test_refragment(void **state)
{
	static uint8_t first[64][1600], second[64][1600];
	size_t n1len[64], total = 0;
	int n1, n2;

	(void)state;
	mk_pkt(4097, 0, NULL);
	n1 = split(pkt, 4097, 1394);
	for (int i = 0; i < n1; i++) {
		memcpy(first[i], frags[i], flen[i]);
		n1len[i] = flen[i];
	}
	re_reset();
	for (int i = 0; i < n1; i++) {
		n2 = split(first[i], n1len[i], 576);
		for (int j = 0; j < n2; j++) {
			memcpy(second[j], frags[j], flen[j]);
			re_add(second[j], flen[j], 576, pkt);
			total++;
		}
	}
	re_check(pkt, 0, 4097 - 20, true);
	assert_true(total > (size_t)n1);

	/* a middle piece alone: its own offset is continued and MF stays set */
	re_reset();
	n2 = split(first[1], n1len[1], 576);
	for (int j = 0; j < n2; j++)
		re_add(frags[j], flen[j], 576, pkt);
	re_check(pkt, 1368, 1368, false);
	assert_int_equal(frags[n2 - 1][6] & 0x20, 0x20);
}

/* Random sizes, MTUs and options, always reassembling to the original. */
static void test_random(void **state)
{
	(void)state;
	srand(4242);
	for (int it = 0; it < 400; it++) {
		unsigned mtu = 68 + (unsigned)rand() % 1433;
		size_t tot = mtu + 1 + (size_t)rand() % 3000;
		uint8_t opts[40];
		size_t ol = (size_t)(rand() % 11) * 4;
		int n;

		if (mtu < 20 + ol + 8 || (tot - 20 - ol) / ((mtu - 20 - ol) & ~7u) > 60)
			continue;
		for (size_t i = 0; i < ol; i++)
			opts[i] = 1;
		if (ol >= 8 && rand() % 2) {
			opts[0] = 0x94; /* router alert, copied */
			opts[1] = 4;
			opts[2] = opts[3] = 0;
		}
		mk_pkt(tot, ol, opts);
		n = split(pkt, tot, mtu);
		re_reset();
		for (int i = 0; i < n; i++)
			re_add(frags[i], flen[i], mtu, pkt);
		re_check(pkt, 0, tot - 20 - ol, true);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sizes_and_mtus),
		cmocka_unit_test(test_fits_and_refusals),
		cmocka_unit_test(test_options),
		cmocka_unit_test(test_refragment),
		cmocka_unit_test(test_random),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
