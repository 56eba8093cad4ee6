/* SPDX-License-Identifier: MIT */
/*
 * wgmtud's environment, read once (main.c) into one struct that is passed
 * down (dev->cfg); no other daemon file calls getenv. Every variable is checked:
 * a value outside the accepted ones fails the start with a message naming
 * the variable and what it accepts, instead of being ignored.
 *
 *   LOG_LEVEL                  error | verbose | debug (= verbose) | silent
 *   WG_PROCESS_FOREGROUND      1 (stay in the foreground) | 0
 *   WG_TUN_FD, WG_UAPI_FD      0..65535, an open TUN / listening socket
 *   WGMTUD_TEST_TIMER_SCALE    1..1000: protocol timers divided (tests)
 *   WGMTUD_TEST_PMTU_RAISE_MS  100..600000: the path-MTU raise timer (tests)
 *   WGMTUD_THREADS             1..16: threads for encryption/decryption
 *                              (default: the online CPUs, at most 16)
 *   WGMTUD_UDP_GRO             1 (default) | 0: no UDP GRO on the sockets
 * Unset or empty means the default.
 */
#ifndef WGMTU_DAEMON_CONFIG_H
#define WGMTU_DAEMON_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "daemon/log.h"

struct wgd_config {
	enum wgd_log_level log_level;
	bool log_level_set;     /* LOG_LEVEL given: output kept after detaching */
	bool foreground;
	int tun_fd;             /* -1: create the TUN */
	int uapi_fd;            /* -1: create the socket */
	unsigned timer_scale;   /* 1: real time */
	uint32_t pmtu_raise_ms; /* 0: the default (RFC 8899's 600 s) */
	unsigned threads;       /* 0: the online CPUs */
	bool no_udp_gro;        /* WGMTUD_UDP_GRO=0 */
};

/* The environment as a lookup (getenv, or a table in the tests). */
typedef const char *(*wgd_config_env_fn)(const char *name);

/* Fills *c from env. Pure: no file descriptor is looked at (main.c checks
 * that WG_TUN_FD / WG_UAPI_FD are open). Returns 0, or -EINVAL with
 * "NAME=VALUE: expected ..." in err. */
int wgd_config_from_env(struct wgd_config *c, wgd_config_env_fn env, char *err,
			size_t err_cap);

#endif
