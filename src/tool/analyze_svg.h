/* SPDX-License-Identifier: MIT */
/* wgmtu analyze --svg: the timeline picture. */
#ifndef WGMTU_TOOL_ANALYZE_SVG_H
#define WGMTU_TOOL_ANALYZE_SVG_H

#include <stddef.h>

#include "tool/analyze_report.h"

/* Writes the SVG; 0, or a negative errno with a one-line reason in err. */
int ana_svg_write(const char *path, const struct ana_result *r, char *err, size_t errlen);
/* A tick step of 1, 2 or 5 times a power of ten giving at most 8 intervals
 * over range (exported for the unit test). */
double ana_svg_tick_step(double range);

#endif
