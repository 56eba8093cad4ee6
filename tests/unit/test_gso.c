// SPDX-License-Identifier: MIT
/* TSO segmentation and checksum completion (common/gso.h), checked with
 * the byte-wise reference checksum of common/csum.h. */
#include <errno.h>
#include <setjmp.h>
#include <stdbool.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "common/csum.h"
#include "common/gso.h"

static uint16_t be16(const uint8_t *p) { return (uint16_t)(p[0] << 8 | p[1]); }
static uint32_t be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/* transport checksum over pseudo-header + segment is valid (sums to 0) */
static int l4_ok(const uint8_t *pkt, size_t len, bool v6, uint8_t proto)
{
	size_t iphl = v6 ? 40 : (size_t)(pkt[0] & 15) * 4;
	uint32_t s = 0;
	uint8_t ph[4] = { 0, 0, 0, proto };

	s = csum_add(s, v6 ? pkt + 8 : pkt + 12, v6 ? 32 : 8);
	s = csum_add(s, ph, 4);
	ph[0] = 0; ph[1] = 0; ph[2] = (uint8_t)((len - iphl) >> 8); ph[3] = (uint8_t)(len - iphl);
	s = csum_add(s, ph + 2, 2);
	s = csum_add(s, pkt + iphl, len - iphl);
	return csum_fold(s) == 0;
}

static size_t make_tcp(uint8_t *p, bool v6, size_t payload, uint8_t flags)
{
	size_t iphl = v6 ? 40 : 20, len = iphl + 20 + payload;

	memset(p, 0, iphl + 20);
	if (v6) {
		p[0] = 0x60; p[4] = (uint8_t)((len - 40) >> 8); p[5] = (uint8_t)(len - 40);
		p[6] = 6; p[7] = 64;
		for (int i = 0; i < 16; i++) { p[8 + i] = (uint8_t)(0xfd + i); p[24 + i] = (uint8_t)(i * 7); }
	} else {
		p[0] = 0x45; p[2] = (uint8_t)(len >> 8); p[3] = (uint8_t)len;
		p[4] = 0x12; p[5] = 0x34; p[6] = 0x40; p[8] = 64; p[9] = 6;
		p[12] = 10; p[13] = 1; p[14] = 2; p[15] = 3; p[16] = 10; p[19] = 9;
	}
	uint8_t *t = p + iphl;
	t[0] = 0x1f; t[1] = 0x90; t[2] = 0xc3; t[3] = 0x50;
	t[4] = 0xff; t[5] = 0xff; t[6] = 0xfc; t[7] = 0x00; /* seq wraps */
	t[12] = 0x50; t[13] = flags; t[14] = 0xff; t[15] = 0xff;
	for (size_t i = 0; i < payload; i++)
		p[iphl + 20 + i] = (uint8_t)(i * 31 + 7);
	return len;
}

static void check_segments(bool v6)
{
	static uint8_t in[70000], out[2000], joined[70000];
	size_t iphl = v6 ? 40 : 20, len = make_tcp(in, v6, 5000, 0x80 | 0x10 | 0x08 | 0x01);
	struct wg_gso_tso t;
	size_t got = 0;
	int n, seg = 0;

	assert_int_equal(wg_gso_tso_init(&t, in, len, 1448), 0);
	while ((n = wg_gso_tso_next(&t, out, sizeof(out))) > 0) {
		size_t pl = (size_t)n - iphl - 20;
		uint8_t fl = out[iphl + 13];

		assert_true(pl <= 1448);
		if (v6) {
			assert_int_equal(be16(out + 4), n - 40);
		} else {
			assert_int_equal(be16(out + 2), n);
			assert_int_equal(be16(out + 4), 0x1234 + seg);
			assert_int_equal(csum(out, 20), 0); /* header checksum valid */
		}
		assert_true(l4_ok(out, (size_t)n, v6, 6));
		assert_int_equal(be32(out + iphl + 4), (uint32_t)(0xfffffc00u + got));
		assert_int_equal(!!(fl & 0x80), seg == 0);        /* CWR first only */
		assert_int_equal(!!(fl & 0x01), got + pl == 5000); /* FIN last only */
		assert_int_equal(!!(fl & 0x08), got + pl == 5000); /* PSH last only */
		assert_true(fl & 0x10);
		memcpy(joined + got, out + iphl + 20, pl);
		got += pl;
		seg++;
	}
	assert_int_equal(n, 0);
	assert_int_equal(seg, 4);
	assert_int_equal(got, 5000);
	assert_memory_equal(joined, in + iphl + 20, 5000);
}

static void test_tso_v4(void **st) { (void)st; check_segments(false); }
static void test_tso_v6(void **st) { (void)st; check_segments(true); }

static void test_tso_rejects(void **st)
{
	uint8_t p[100];
	struct wg_gso_tso t;
	size_t len = make_tcp(p, false, 10, 0x10);

	(void)st;
	assert_int_equal(wg_gso_tso_init(&t, p, len, 0), -EINVAL);
	assert_int_equal(wg_gso_tso_init(&t, p, len - 1, 1000), -EINVAL); /* length mismatch */
	p[9] = 17;
	assert_int_equal(wg_gso_tso_init(&t, p, len, 1000), -EINVAL);     /* not TCP */
	p[9] = 6;
	p[32] = 0xf0; /* TCP header length 60 > packet */
	assert_int_equal(wg_gso_tso_init(&t, p, 45, 1000), -EINVAL);
	len = make_tcp(p, false, 10, 0x10);
	uint8_t small[20];
	assert_int_equal(wg_gso_tso_init(&t, p, len, 1000), 0);
	assert_int_equal(wg_gso_tso_next(&t, small, sizeof(small)), -ENOSPC);
}

static void test_csum_partial_matches_reference(void **st)
{
	static uint8_t buf[3001];

	(void)st;
	srand(3);
	for (size_t i = 0; i < sizeof(buf); i++)
		buf[i] = (uint8_t)rand();
	for (size_t len = 0; len < sizeof(buf); len += 1 + len / 7)
		assert_int_equal(csum_fold(wg_gso_csum_partial(buf, len, 0x1234)),
				 csum_fold(csum_add(0x1234, buf, len)));
	/* every short length, every alignment, any incoming sum (the word-wise
	 * loop has 16-, 4-, 2- and 1-byte tails) */
	for (size_t off = 0; off < 8; off++)
		for (size_t len = 0; len <= 80; len++)
			for (uint32_t s = 0; s < 3; s++) {
				uint32_t in = s == 0 ? 0 : s == 1 ? 0xffff : 0x7fff0123u;

				assert_int_equal(csum_fold(wg_gso_csum_partial(buf + off, len, in)),
						 csum_fold(csum_add(in, buf + off, len)));
			}
	/* all ones: the sum folds to 0xffff, never to 0 */
	memset(buf, 0xff, 64);
	assert_int_equal(wg_gso_csum_partial(buf, 64, 0), 0xffff);
	memset(buf, 0, 64);
	assert_int_equal(wg_gso_csum_partial(buf, 64, 0), 0);
}

static void test_csum_complete_udp(void **st)
{
	uint8_t p[48];
	uint8_t ph[4];
	uint32_t s;

	(void)st;
	memset(p, 0, sizeof(p));
	p[0] = 0x45; p[2] = 0; p[3] = 48; p[9] = 17;
	p[12] = 192; p[15] = 1; p[16] = 192; p[19] = 2;
	p[20] = 0x30; p[21] = 0x39; p[22] = 0x00; p[23] = 0x35; p[24] = 0; p[25] = 28;
	for (int i = 28; i < 48; i++)
		p[i] = (uint8_t)(i * 3);
	/* the kernel leaves the pseudo-header sum (not complemented) */
	s = csum_add(0, p + 12, 8);
	ph[0] = 0; ph[1] = 17; ph[2] = 0; ph[3] = 28;
	s = csum_add(s, ph, 4);
	s = (s & 0xffff) + (s >> 16);
	p[26] = (uint8_t)(s >> 8); p[27] = (uint8_t)s;
	assert_int_equal(wg_gso_csum_complete(p, 48, 20, 6), 0);
	assert_true(l4_ok(p, 48, false, 17));
	assert_int_equal(wg_gso_csum_complete(p, 48, 47, 6), -EINVAL);
}

/* TSO-cut segments of one flow merge back into the original packet. */
static void check_gro_roundtrip(bool v6)
{
	static uint8_t in[70000], segs[8][2000], merged[70000];
	size_t iphl = v6 ? 40 : 20, len = make_tcp(in, v6, 5000, 0x18);
	struct wg_gso_gro_pkt pk[8];
	struct wg_gso_gro_hdr h;
	struct wg_gso_tso t;
	size_t n = 0, total, off;
	int r;

	assert_int_equal(wg_gso_tso_init(&t, in, len, 1448), 0);
	while ((r = wg_gso_tso_next(&t, segs[n], sizeof(segs[n]))) > 0) {
		pk[n].p = segs[n];
		pk[n].len = (size_t)r;
		n++;
	}
	assert_int_equal(n, 4);
	assert_int_equal(wg_gso_gro_run(pk, n), 4);
	total = wg_gso_gro_merge_headers(pk, n, &h);
	assert_int_equal(total, iphl + 20 + 5000);
	assert_int_equal(h.gso_size, 1448);
	assert_int_equal(h.hdr_len, iphl + 20);
	assert_int_equal(h.csum_start, iphl);
	assert_int_equal(h.csum_offset, 16);
	/* what the kernel sees: first packet whole, then the payloads */
	memcpy(merged, pk[0].p, pk[0].len);
	off = pk[0].len;
	for (size_t k = 1; k < n; k++) {
		memcpy(merged + off, pk[k].p + iphl + 20, pk[k].len - iphl - 20);
		off += pk[k].len - iphl - 20;
	}
	assert_int_equal(off, total);
	if (!v6)
		assert_int_equal(csum(merged, 20), 0);
	assert_int_equal(merged[iphl + 13], 0x18); /* PSH from the last */
	assert_memory_equal(merged + iphl + 20, in + iphl + 20, 5000);
	/* completing the partial checksum gives a valid TCP checksum */
	assert_int_equal(wg_gso_csum_complete(merged, total, h.csum_start, h.csum_offset), 0);
	assert_true(l4_ok(merged, total, v6, 6));
}

static void test_gro_v4(void **st) { (void)st; check_gro_roundtrip(false); }
static void test_gro_v6(void **st) { (void)st; check_gro_roundtrip(true); }

static void test_gro_breaks(void **st)
{
	static uint8_t in[70000], segs[8][2000];
	size_t len = make_tcp(in, false, 5000, 0x18);
	struct wg_gso_gro_pkt pk[8];
	struct wg_gso_tso t;
	size_t n = 0;
	int r;

	(void)st;
	assert_int_equal(wg_gso_tso_init(&t, in, len, 1000), 0);
	while ((r = wg_gso_tso_next(&t, segs[n], sizeof(segs[n]))) > 0) {
		pk[n].p = segs[n];
		pk[n].len = (size_t)r;
		n++;
	}
	assert_int_equal(n, 5);
	assert_int_equal(wg_gso_gro_run(pk, n), 5);
	assert_int_equal(wg_gso_gro_run(pk + 1, 2), 2);
	/* out of order: a sequence gap ends the run */
	struct wg_gso_gro_pkt gap[3] = { pk[0], pk[2], pk[3] };
	assert_int_equal(wg_gso_gro_run(gap, 3), 1);
	/* a different port */
	segs[2][21] ^= 1;
	assert_int_equal(wg_gso_gro_run(pk, n), 2);
	segs[2][21] ^= 1;
	/* a different TCP option / window */
	segs[3][34] ^= 1;
	assert_int_equal(wg_gso_gro_run(pk, n), 3);
	segs[3][34] ^= 1;
	/* the last one (PSH) cannot be followed */
	struct wg_gso_gro_pkt after[2] = { pk[4], pk[0] };
	assert_int_equal(wg_gso_gro_run(after, 2), 1);
	/* SYN or a fragment is never merged */
	segs[0][33] = 0x12;
	assert_int_equal(wg_gso_gro_run(pk, n), 1);
	segs[0][33] = 0x10;
	segs[1][6] |= 0x20; /* MF */
	assert_int_equal(wg_gso_gro_run(pk, n), 1);
	segs[1][6] &= (uint8_t)~0x20;
	assert_int_equal(wg_gso_gro_run(pk, n), 5);
	/* a short segment may only be the last */
	pk[1].len -= 10;
	segs[1][3] = (uint8_t)(segs[1][3] - 10);
	assert_int_equal(wg_gso_gro_run(pk, n), 2);
	assert_int_equal(wg_gso_gro_run(pk, 0), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_tso_v4),
		cmocka_unit_test(test_tso_v6),
		cmocka_unit_test(test_tso_rejects),
		cmocka_unit_test(test_csum_partial_matches_reference),
		cmocka_unit_test(test_csum_complete_udp),
		cmocka_unit_test(test_gro_v4),
		cmocka_unit_test(test_gro_v6),
		cmocka_unit_test(test_gro_breaks),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
