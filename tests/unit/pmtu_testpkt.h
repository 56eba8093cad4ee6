/* SPDX-License-Identifier: MIT */
/*
 * Test-only packet crafting and an independent checksum: the unit tests of
 * the pmtu packet modules verify the modules' checksums with this code, not
 * with src/common/csum.h, so a bug there cannot hide a bug here.
 */
#ifndef WGMTU_TESTS_PMTU_TESTPKT_H
#define WGMTU_TESTS_PMTU_TESTPKT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

/* One's-complement sum verification: the 16-bit end-around-carry sum of
 * the concatenation a||b (each of even length except possibly b) is 0xffff
 * when the checksum inside is right. */
static inline uint16_t ref_sum2(const uint8_t *a, size_t na, const uint8_t *b, size_t nb)
{
	uint64_t s = 0;
	size_t i;

	for (i = 0; i + 1 < na; i += 2)
		s += ((uint64_t)a[i] << 8) | a[i + 1];
	for (i = 0; i + 1 < nb; i += 2)
		s += ((uint64_t)b[i] << 8) | b[i + 1];
	if (nb & 1)
		s += (uint64_t)b[nb - 1] << 8;
	while (s > 0xffff)
		s = (s & 0xffff) + (s >> 16);
	return (uint16_t)s;
}

static inline bool ref_csum_ok(const uint8_t *p, size_t n)
{
	return ref_sum2(NULL, 0, p, n) == 0xffff;
}

/* IPv4 pseudo-header (RFC 793) for src, dst, protocol, upper-layer length. */
static inline void ref_pseudo4(uint8_t ph[12], const uint8_t *src, const uint8_t *dst,
			       uint8_t proto, uint16_t len)
{
	memcpy(ph, src, 4);
	memcpy(ph + 4, dst, 4);
	ph[8] = 0;
	ph[9] = proto;
	ph[10] = (uint8_t)(len >> 8);
	ph[11] = (uint8_t)len;
}

/* IPv6 pseudo-header (RFC 8200 8.1). */
static inline void ref_pseudo6(uint8_t ph[40], const uint8_t *src, const uint8_t *dst,
			       uint8_t nh, uint32_t len)
{
	memcpy(ph, src, 16);
	memcpy(ph + 16, dst, 16);
	ph[32] = (uint8_t)(len >> 24);
	ph[33] = (uint8_t)(len >> 16);
	ph[34] = (uint8_t)(len >> 8);
	ph[35] = (uint8_t)len;
	ph[36] = ph[37] = ph[38] = 0;
	ph[39] = nh;
}

/* Writes the checksum at p[off..off+2) so that ref_sum2(ph, p) verifies. */
static inline void ref_fill_csum(const uint8_t *ph, size_t nph, uint8_t *p, size_t n, size_t off)
{
	uint16_t c;

	p[off] = p[off + 1] = 0;
	c = (uint16_t)~ref_sum2(ph, nph, p, n);
	p[off] = (uint8_t)(c >> 8);
	p[off + 1] = (uint8_t)c;
}

/* A plain IPv4 header: 20 bytes, given total length, flags/offset word. */
static inline void mk_ip4(uint8_t *p, uint16_t tot, uint16_t fragword, uint8_t proto,
			  const char src[4], const char dst[4])
{
	memset(p, 0, 20);
	p[0] = 0x45;
	p[2] = (uint8_t)(tot >> 8);
	p[3] = (uint8_t)tot;
	p[4] = 0x12;
	p[5] = 0x34;
	p[6] = (uint8_t)(fragword >> 8);
	p[7] = (uint8_t)fragword;
	p[8] = 64;
	p[9] = proto;
	memcpy(p + 12, src, 4);
	memcpy(p + 16, dst, 4);
	ref_fill_csum(NULL, 0, p, 20, 10);
}

/* A plain IPv6 header with payload length plen and next header nh. */
static inline void mk_ip6(uint8_t *p, uint16_t plen, uint8_t nh,
			  const uint8_t src[16], const uint8_t dst[16])
{
	memset(p, 0, 40);
	p[0] = 0x60;
	p[4] = (uint8_t)(plen >> 8);
	p[5] = (uint8_t)plen;
	p[6] = nh;
	p[7] = 64;
	memcpy(p + 8, src, 16);
	memcpy(p + 24, dst, 16);
}

#endif
