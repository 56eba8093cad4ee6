/* SPDX-License-Identifier: MIT */
/*
 * wgmtud logging: LOG_LEVEL=error|verbose|silent as wireguard-go reads it
 * (config.c parses it).
 * Drop reasons on the packet path are counted always and logged at most
 * once per second per reason (see drop.h).
 */
#ifndef WGMTU_DAEMON_LOG_H
#define WGMTU_DAEMON_LOG_H

enum wgd_log_level {
	WGD_LOG_SILENT = 0,
	WGD_LOG_ERROR = 1,
	WGD_LOG_VERBOSE = 2,
};

extern enum wgd_log_level wgd_log_level;
extern const char *wgd_log_ifname;

void wgd_log(enum wgd_log_level lvl, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

#define log_err(...) wgd_log(WGD_LOG_ERROR, __VA_ARGS__)
#define log_info(...) wgd_log(WGD_LOG_VERBOSE, __VA_ARGS__)

#endif
