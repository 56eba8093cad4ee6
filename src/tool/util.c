// SPDX-License-Identifier: MIT
/* Helpers shared by the wgmtu subcommands. */
#include <stdarg.h>
#include <stdio.h>

#include "tool/tool.h"

const char *prog_name = "wgmtu";

void tool_err(const char *cmd, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "%s %s: ", prog_name, cmd);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}
