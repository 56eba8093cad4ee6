/* SPDX-License-Identifier: MIT */
/*
 * The WireGuard wire specification: message layouts and protocol constants
 * (whitepaper sections 5.4 and 6). Every module that reads or writes
 * WireGuard bytes -- the Noise core, the daemon, the capture analyzer --
 * takes its layouts from here.
 *
 * Multi-byte integers on the wire are little-endian. The structs keep them
 * as raw uint32_t/uint64_t fields; read and write them only through
 * le32toh()/htole32() and le64toh()/htole64() (<endian.h>), never directly.
 */
#ifndef WGMTU_WIRE_MESSAGES_H
#define WGMTU_WIRE_MESSAGES_H

#include <endian.h>
#include <stddef.h>
#include <stdint.h>

enum wg_sizes {
	WG_KEY_LEN = 32,          /* Curve25519 keys, symmetric keys, hashes */
	WG_HASH_LEN = 32,         /* BLAKE2s-256 */
	WG_AEAD_TAG_LEN = 16,     /* Poly1305 */
	WG_TIMESTAMP_LEN = 12,    /* TAI64N */
	WG_COOKIE_LEN = 16,
	WG_COOKIE_NONCE_LEN = 24, /* XChaCha20-Poly1305 */
	WG_MAC_LEN = 16,          /* keyed BLAKE2s-128 */
	WG_PADDING_MULTIPLE = 16, /* transport plaintext padding */
};

enum wg_message_type {
	WG_MSG_INVALID = 0,
	WG_MSG_HANDSHAKE_INITIATION = 1,
	WG_MSG_HANDSHAKE_RESPONSE = 2,
	WG_MSG_HANDSHAKE_COOKIE = 3,
	WG_MSG_DATA = 4,
};

/* type (1 byte) followed by three reserved zero bytes, read as one le32 */
struct wg_message_header {
	uint32_t type;
} __attribute__((packed));

struct wg_message_macs {
	uint8_t mac1[WG_MAC_LEN];
	uint8_t mac2[WG_MAC_LEN];
} __attribute__((packed));

struct wg_message_handshake_initiation {
	struct wg_message_header header;
	uint32_t sender_index;
	uint8_t unencrypted_ephemeral[WG_KEY_LEN];
	uint8_t encrypted_static[WG_KEY_LEN + WG_AEAD_TAG_LEN];
	uint8_t encrypted_timestamp[WG_TIMESTAMP_LEN + WG_AEAD_TAG_LEN];
	struct wg_message_macs macs;
} __attribute__((packed));

struct wg_message_handshake_response {
	struct wg_message_header header;
	uint32_t sender_index;
	uint32_t receiver_index;
	uint8_t unencrypted_ephemeral[WG_KEY_LEN];
	uint8_t encrypted_nothing[WG_AEAD_TAG_LEN];
	struct wg_message_macs macs;
} __attribute__((packed));

struct wg_message_handshake_cookie {
	struct wg_message_header header;
	uint32_t receiver_index;
	uint8_t nonce[WG_COOKIE_NONCE_LEN];
	uint8_t encrypted_cookie[WG_COOKIE_LEN + WG_AEAD_TAG_LEN];
} __attribute__((packed));

struct wg_message_data {
	struct wg_message_header header;
	uint32_t key_idx;  /* the receiver's index */
	uint64_t counter;  /* nonce */
	uint8_t encrypted_data[];
} __attribute__((packed));

enum wg_message_lengths {
	WG_MSG_INITIATION_LEN = 148,
	WG_MSG_RESPONSE_LEN = 92,
	WG_MSG_COOKIE_LEN = 64,
	WG_MSG_DATA_HEADER_LEN = 16,
	WG_MSG_DATA_MIN_LEN = 32, /* header + tag: a keepalive */
	/* outer IP + UDP + data header + tag */
	WG_OVERHEAD_IPV4 = 20 + 8 + 32,
	WG_OVERHEAD_IPV6 = 40 + 8 + 32,
};

_Static_assert(sizeof(struct wg_message_handshake_initiation) == WG_MSG_INITIATION_LEN,
	       "initiation is 148 bytes");
_Static_assert(sizeof(struct wg_message_handshake_response) == WG_MSG_RESPONSE_LEN,
	       "response is 92 bytes");
_Static_assert(sizeof(struct wg_message_handshake_cookie) == WG_MSG_COOKIE_LEN,
	       "cookie reply is 64 bytes");
_Static_assert(sizeof(struct wg_message_data) == WG_MSG_DATA_HEADER_LEN,
	       "data header is 16 bytes");
_Static_assert(offsetof(struct wg_message_handshake_initiation, macs) == 116,
	       "mac1 covers the first 116 bytes of an initiation");
_Static_assert(offsetof(struct wg_message_handshake_response, macs) == 60,
	       "mac1 covers the first 60 bytes of a response");

/* Protocol constants (whitepaper section 6.1), times in seconds. */
#define WG_REKEY_AFTER_MESSAGES   (1ULL << 60)
#define WG_REJECT_AFTER_MESSAGES  (UINT64_MAX - (1ULL << 13) - 1)
#define WG_REKEY_AFTER_TIME       120
#define WG_REJECT_AFTER_TIME      180
#define WG_REKEY_ATTEMPT_TIME     90
#define WG_REKEY_TIMEOUT          5
#define WG_KEEPALIVE_TIMEOUT      10
#define WG_COOKIE_REFRESH_TIME    120
#define WG_MAX_TIMER_HANDSHAKES   (WG_REKEY_ATTEMPT_TIME / WG_REKEY_TIMEOUT)
#define WG_REKEY_TIMEOUT_JITTER_MAX_MS 333
#define WG_HANDSHAKE_INITIATION_RATE_MS 20 /* 50 per second per peer */

/* Noise protocol strings (whitepaper section 5.4). */
#define WG_NOISE_CONSTRUCTION "Noise_IKpsk2_25519_ChaChaPoly_BLAKE2s"
#define WG_NOISE_IDENTIFIER   "WireGuard v1 zx2c4 Jason@zx2c4.com"
#define WG_LABEL_MAC1         "mac1----"
#define WG_LABEL_COOKIE       "cookie--"

/* The message type of a datagram, or WG_MSG_INVALID when it cannot be one
 * (wrong length for its type, nonzero reserved bytes). */
static inline enum wg_message_type wg_message_classify(const uint8_t *p, size_t len)
{
	if (len < 4 || p[1] || p[2] || p[3])
		return WG_MSG_INVALID;
	switch (p[0]) {
	case WG_MSG_HANDSHAKE_INITIATION:
		return len == WG_MSG_INITIATION_LEN ? WG_MSG_HANDSHAKE_INITIATION : WG_MSG_INVALID;
	case WG_MSG_HANDSHAKE_RESPONSE:
		return len == WG_MSG_RESPONSE_LEN ? WG_MSG_HANDSHAKE_RESPONSE : WG_MSG_INVALID;
	case WG_MSG_HANDSHAKE_COOKIE:
		return len == WG_MSG_COOKIE_LEN ? WG_MSG_HANDSHAKE_COOKIE : WG_MSG_INVALID;
	case WG_MSG_DATA:
		/* plaintext is padded to 16, the tag is 16: length is 16k + 32,
		 * except a full-MTU packet whose MTU is not a multiple of 16 */
		return len >= WG_MSG_DATA_MIN_LEN ? WG_MSG_DATA : WG_MSG_INVALID;
	default:
		return WG_MSG_INVALID;
	}
}

#endif
