/* SPDX-License-Identifier: MIT */
/*
 * The capture reader of wgmtu analyze: libpcap (pcap and pcapng) in,
 * dissected frames into an ana_cap. The only part of analyze that does I/O.
 */
#ifndef WGMTU_TOOL_ANALYZE_PCAP_H
#define WGMTU_TOOL_ANALYZE_PCAP_H

#include <stdio.h>

#include "tool/analyze_model.h"

/*
 * Reads a whole capture into c. Returns 0 when every record was read,
 * 1 when the file ended early or a record was corrupt (c holds what came
 * before it; warn says what happened), -EINVAL when the file is not a
 * capture or its link type is unsupported, -ENOENT/-EACCES/... when it
 * cannot be opened, -ENOMEM. err/warn get one line each.
 */
int ana_read_file(const char *path, struct ana_cap *c, char *err, size_t errlen);
/* The same from an open stream (taken over and closed). */
int ana_read_stream(FILE *f, struct ana_cap *c, char *err, size_t errlen);

#endif
