/* SPDX-License-Identifier: MIT */
/*
 * wgmtud logging: LOG_LEVEL=error|verbose|silent as wireguard-go reads it
 * (config.c parses it).
 * Drop reasons on the packet path are counted always and logged at most
 * once per second per reason (see drop.h).
 */
#ifndef WGMTU_DAEMON_LOG_H
#define WGMTU_DAEMON_LOG_H

#include <stddef.h>
#include <stdint.h>

enum wgd_log_level {
	WGD_LOG_SILENT = 0,
	WGD_LOG_ERROR = 1,
	WGD_LOG_VERBOSE = 2,
};

extern enum wgd_log_level wgd_log_level;
extern const char *wgd_log_ifname;

void wgd_log(enum wgd_log_level lvl, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* A line about one peer, named as wireguard-go names it: the first four and
 * the last four characters of its base64 public key,
 * "peer(gPDm…hXns) - received handshake initiation". */
void wgd_log_peer(enum wgd_log_level lvl, const uint8_t public_key[32],
		  const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* That name alone ("peer(gPDm…hXns)", NUL-terminated) into buf. */
#define WGD_LOG_PEER_NAME_MAX 20
const char *wgd_log_peer_name(const uint8_t public_key[32],
			      char buf[WGD_LOG_PEER_NAME_MAX]);

#define log_err(...) wgd_log(WGD_LOG_ERROR, __VA_ARGS__)
#define log_info(...) wgd_log(WGD_LOG_VERBOSE, __VA_ARGS__)
/* the same about a struct wgd_peer *p */
#define log_peer_err(p, ...) wgd_log_peer(WGD_LOG_ERROR, (p)->public_key, __VA_ARGS__)
#define log_peer_info(p, ...) wgd_log_peer(WGD_LOG_VERBOSE, (p)->public_key, __VA_ARGS__)

#endif
