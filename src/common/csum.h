/* SPDX-License-Identifier: MIT */
/* The Internet checksum (RFC 1071) and its incremental update (RFC 1624). */
#ifndef WGMTU_COMMON_CSUM_H
#define WGMTU_COMMON_CSUM_H

#include <stddef.h>
#include <stdint.h>

/* One's-complement sum of data (big-endian 16-bit words) added to sum. */
static inline uint32_t csum_add(uint32_t sum, const void *data, size_t len)
{
	const uint8_t *p = data;

	while (len > 1) {
		sum += (uint32_t)(p[0] << 8 | p[1]);
		p += 2;
		len -= 2;
	}
	if (len)
		sum += (uint32_t)(p[0] << 8);
	return sum;
}

static inline uint16_t csum_fold(uint32_t sum)
{
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

/* Checksum of a buffer, host order result (store with put_be16). */
static inline uint16_t csum(const void *data, size_t len)
{
	return csum_fold(csum_add(0, data, len));
}

/* RFC 1624 eqn. 3: HC' = ~(~HC + ~m + m'), for one 16-bit word change. */
static inline uint16_t csum_replace16(uint16_t check, uint16_t old, uint16_t new_)
{
	uint32_t sum = (uint16_t)~check;

	sum += (uint16_t)~old;
	sum += new_;
	return csum_fold(sum);
}

#endif
