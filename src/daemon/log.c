// SPDX-License-Identifier: MIT
#include "daemon/log.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "uapi/key.h"

enum wgd_log_level wgd_log_level = WGD_LOG_ERROR;
const char *wgd_log_ifname = "wgmtud";

static void logv(enum wgd_log_level lvl, const char *prefix, const char *fmt, va_list ap)
{
	char ts[32];
	struct timespec now;
	struct tm tm;
	FILE *out;

	if (lvl > wgd_log_level || lvl == WGD_LOG_SILENT)
		return;
	clock_gettime(CLOCK_REALTIME, &now);
	gmtime_r(&now.tv_sec, &tm);
	strftime(ts, sizeof(ts), "%Y/%m/%d %H:%M:%S", &tm);
	out = lvl == WGD_LOG_ERROR ? stderr : stdout;
	fprintf(out, "%s: %s %s: %s", lvl == WGD_LOG_ERROR ? "ERROR" : "DEBUG", ts,
		wgd_log_ifname, prefix);
	vfprintf(out, fmt, ap);
	fputc('\n', out);
	fflush(out);
}

void wgd_log(enum wgd_log_level lvl, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	logv(lvl, "", fmt, ap);
	va_end(ap);
}

const char *wgd_log_peer_name(const uint8_t public_key[32], char buf[WGD_LOG_PEER_NAME_MAX])
{
	char b64[UAPI_B64_KEY_LEN + 1];

	uapi_key_to_base64(public_key, b64);
	/* 43 significant characters and one '=': the first and the last four */
	snprintf(buf, WGD_LOG_PEER_NAME_MAX, "peer(%.4s\u2026%.4s)", b64, b64 + 39);
	return buf;
}

void wgd_log_peer(enum wgd_log_level lvl, const uint8_t public_key[32], const char *fmt, ...)
{
	char name[WGD_LOG_PEER_NAME_MAX], prefix[WGD_LOG_PEER_NAME_MAX + 4];
	va_list ap;

	if (lvl > wgd_log_level || lvl == WGD_LOG_SILENT)
		return;
	snprintf(prefix, sizeof(prefix), "%s - ", wgd_log_peer_name(public_key, name));
	va_start(ap, fmt);
	logv(lvl, prefix, fmt, ap);
	va_end(ap);
}
