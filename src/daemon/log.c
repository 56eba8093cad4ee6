// SPDX-License-Identifier: MIT
#include "daemon/log.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

enum wgd_log_level wgd_log_level = WGD_LOG_ERROR;
const char *wgd_log_ifname = "wgmtud";

void wgd_log(enum wgd_log_level lvl, const char *fmt, ...)
{
	char ts[32];
	struct timespec now;
	struct tm tm;
	va_list ap;
	FILE *out;

	if (lvl > wgd_log_level || lvl == WGD_LOG_SILENT)
		return;
	clock_gettime(CLOCK_REALTIME, &now);
	gmtime_r(&now.tv_sec, &tm);
	strftime(ts, sizeof(ts), "%Y/%m/%d %H:%M:%S", &tm);
	out = lvl == WGD_LOG_ERROR ? stderr : stdout;
	fprintf(out, "%s: %s %s: ", lvl == WGD_LOG_ERROR ? "ERROR" : "DEBUG", ts,
		wgd_log_ifname);
	va_start(ap, fmt);
	vfprintf(out, fmt, ap);
	va_end(ap);
	fputc('\n', out);
	fflush(out);
}
