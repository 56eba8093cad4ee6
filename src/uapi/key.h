/* SPDX-License-Identifier: MIT */
/*
 * WireGuard keys (32 bytes) as text: lowercase hex as the UAPI carries
 * them, base64 as wg(8) prints them. Pure. The hex codec runs in constant
 * time over the digits (private keys pass through it).
 */
#ifndef WGMTU_UAPI_KEY_H
#define WGMTU_UAPI_KEY_H

#include <stddef.h>
#include <stdint.h>

#define UAPI_KEY_LEN 32
#define UAPI_B64_KEY_LEN 44          /* base64 of 32 bytes, with one '=' */

/* 64 hex digits, either case (as Go's hex.DecodeString). 0, or -EINVAL
 * with out wiped. */
int uapi_key_from_hex(const char *s, size_t len, uint8_t out[UAPI_KEY_LEN]);
/* 64 lowercase hex digits and a NUL. */
void uapi_key_to_hex(const uint8_t k[UAPI_KEY_LEN], char out[2 * UAPI_KEY_LEN + 1]);
/* Strict base64 of exactly 32 bytes (44 chars, one '=' pad, no spaces, the
 * unused low bits zero, as `wg` accepts). 0 or -EINVAL. */
int uapi_key_from_base64(const char *s, uint8_t out[UAPI_KEY_LEN]);
void uapi_key_to_base64(const uint8_t k[UAPI_KEY_LEN], char out[UAPI_B64_KEY_LEN + 1]);

#endif
