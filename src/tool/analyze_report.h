/* SPDX-License-Identifier: MIT */
/* Text and JSON output of wgmtu analyze. */
#ifndef WGMTU_TOOL_ANALYZE_REPORT_H
#define WGMTU_TOOL_ANALYZE_REPORT_H

#include <stdio.h>

#include "tool/analyze_match.h"

struct ana_result {
	struct ana_cap *cap[2];
	int ncap;
	struct ana_match *match;  /* NULL with one capture */
	enum ana_verdict verdict;
};

/* The overall verdict of one or two captures. */
enum ana_verdict ana_result_verdict(const struct ana_result *r);
void ana_report_text(FILE *f, const struct ana_result *r);
void ana_report_json(FILE *f, const struct ana_result *r, bool pretty);

/* Path-MTU bracket of a matched direction: [lo, hi] in IP bytes, 0 if unknown. */
void ana_mdir_bracket(const struct ana_mdir *x, int *lo, int *hi);

#endif
