// SPDX-License-Identifier: MIT
/* WireGuard keys as text (key.h): hex for the UAPI, base64 for people.
 * One codec for the daemon's UAPI parser, wgmtu and the daemon's log. */
#include "uapi/key.h"

#include <errno.h>
#include <string.h>

#include <openssl/crypto.h>

/* 64 hex digits (either case, as Go's hex.DecodeString) -> 32 bytes.
 * Branch-free over the digits: the time does not depend on the key. */
int uapi_key_from_hex(const char *s, size_t len, uint8_t key[UAPI_KEY_LEN])
{
	unsigned bad = 0;
	size_t i;

	if (len != 2 * UAPI_KEY_LEN)
		return -EINVAL;
	for (i = 0; i < 2 * UAPI_KEY_LEN; i++) {
		int c = (unsigned char)s[i];
		int d = c - '0';
		int a = (c | 0x20) - 'a';
		unsigned is_d = (unsigned)((d - 10) & ~d) >> (sizeof(int) * 8 - 1);
		unsigned is_a = (unsigned)((a - 6) & ~a) >> (sizeof(int) * 8 - 1);
		unsigned v = ((unsigned)d & (0u - is_d)) |
			     ((unsigned)(a + 10) & (0u - is_a));

		bad |= 1u ^ (is_d | is_a);
		if (i & 1)
			key[i / 2] |= (uint8_t)(v & 0xf);
		else
			key[i / 2] = (uint8_t)(v << 4);
	}
	if (bad) {
		OPENSSL_cleanse(key, UAPI_KEY_LEN);
		return -EINVAL;
	}
	return 0;
}

void uapi_key_to_hex(const uint8_t key[UAPI_KEY_LEN], char out[2 * UAPI_KEY_LEN + 1])
{
	size_t i;

	for (i = 0; i < 2 * UAPI_KEY_LEN; i++) {
		unsigned n = (i & 1) ? (key[i / 2] & 0xfu) : (key[i / 2] >> 4);

		/* n > 9 adds 'a' - '0' - 10 = 39 without a branch */
		out[i] = (char)('0' + n + ((((unsigned)(9 - (int)n)) >> 8) & 39u));
	}
	out[2 * UAPI_KEY_LEN] = '\0';
}

static const char b64[] =
	"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

static int b64val(char c)
{
	const char *p;

	if (!c)
		return -1;
	p = strchr(b64, c);
	return p ? (int)(p - b64) : -1;
}

int uapi_key_from_base64(const char *s, uint8_t out[UAPI_KEY_LEN])
{
	uint8_t k[UAPI_KEY_LEN];
	size_t o = 0;

	if (!s || strlen(s) != UAPI_B64_KEY_LEN || s[43] != '=')
		return -EINVAL;
	/* 10 full quanta (30 bytes), then "xyz=" carrying 2 bytes. */
	for (size_t i = 0; i < 40; i += 4) {
		int a = b64val(s[i]), b = b64val(s[i + 1]);
		int c = b64val(s[i + 2]), d = b64val(s[i + 3]);

		if (a < 0 || b < 0 || c < 0 || d < 0)
			return -EINVAL;
		k[o++] = (uint8_t)(a << 2 | b >> 4);
		k[o++] = (uint8_t)((b & 15) << 4 | c >> 2);
		k[o++] = (uint8_t)((c & 3) << 6 | d);
	}
	{
		int a = b64val(s[40]), b = b64val(s[41]), c = b64val(s[42]);

		if (a < 0 || b < 0 || c < 0 || (c & 3))
			return -EINVAL;
		k[o++] = (uint8_t)(a << 2 | b >> 4);
		k[o++] = (uint8_t)((b & 15) << 4 | c >> 2);
	}
	memcpy(out, k, UAPI_KEY_LEN);
	return 0;
}

void uapi_key_to_base64(const uint8_t k[UAPI_KEY_LEN], char out[UAPI_B64_KEY_LEN + 1])
{
	size_t o = 0, i;

	for (i = 0; i + 3 <= UAPI_KEY_LEN; i += 3) {
		out[o++] = b64[k[i] >> 2];
		out[o++] = b64[(k[i] & 3) << 4 | k[i + 1] >> 4];
		out[o++] = b64[(k[i + 1] & 15) << 2 | k[i + 2] >> 6];
		out[o++] = b64[k[i + 2] & 63];
	}
	out[o++] = b64[k[i] >> 2];
	out[o++] = b64[(k[i] & 3) << 4 | k[i + 1] >> 4];
	out[o++] = b64[(k[i + 1] & 15) << 2];
	out[o++] = '=';
	out[o] = '\0';
}
