/* SPDX-License-Identifier: MIT */
/* Small helpers shared by the tools and the daemon. */
#ifndef WGMTU_COMMON_UTIL_H
#define WGMTU_COMMON_UTIL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

/*
 * Strict unsigned decimal parse of a whole string: no sign, no spaces, no
 * trailing junk, within [min, max]. Returns 0, -EINVAL (not a number) or
 * -ERANGE (out of range).
 */
int parse_ulong(const char *s, unsigned long min, unsigned long max,
		unsigned long *out);

/* Monotonic clock in nanoseconds / milliseconds. Only edges call these. */
uint64_t now_ns(void);
uint64_t now_ms(void);

#endif
