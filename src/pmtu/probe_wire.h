/* SPDX-License-Identifier: MIT */
/*
 * The UDP probe protocol between `wgmtu probe --method udp` and
 * `wgmtu responder`, version 1. Specified in docs/probe-protocol.md.
 * Pure encode/decode through the bounds-checked buffers; fuzzed.
 */
#ifndef WGMTU_PMTU_PROBE_WIRE_H
#define WGMTU_PMTU_PROBE_WIRE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum {
	PW_VERSION = 1,
	PW_HDR_LEN = 32,
	PW_COOKIE_LEN = 16,
	PW_TYPE_REQUEST = 1,
	PW_TYPE_REPLY = 2,
	PW_F_COOKIE_OK = 1 << 0,  /* reply: the request's cookie was valid */
	PW_F_CLAMPED = 1 << 1,    /* reply: smaller than asked (no valid cookie
				     or above the responder's limit) */
	PW_DEFAULT_PORT = 51999,
	PW_MAX_SIZE = 9216,       /* largest reply the responder sends */
};

extern const uint8_t pw_magic[4]; /* "wgmp" */

struct pw_msg {
	uint8_t type;
	uint8_t flags;
	uint32_t seq;
	uint16_t size_a;   /* request: reply IP size asked (0: minimal);
			      reply: IP size of the request as received */
	uint16_t size_b;   /* reply: IP size of this reply; request: 0 */
	uint8_t cookie[PW_COOKIE_LEN];
};

/* Writes the header and zero padding up to len (>= PW_HDR_LEN). Returns
 * len, or -EINVAL when len is too short. */
int pw_encode(const struct pw_msg *m, uint8_t *buf, size_t len);
/* Parses a datagram. Returns 0, or -EINVAL (short, bad magic, unknown
 * type) or -EPROTONOSUPPORT (other version). */
int pw_decode(const uint8_t *buf, size_t len, struct pw_msg *m);

#endif
