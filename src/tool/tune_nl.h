/* SPDX-License-Identifier: MIT */
/*
 * wgmtu tune's rtnetlink edge (libmnl): the routes through an interface
 * in every table, and route changes (tune_plan.h's actions) as the `ip
 * route` commands tp_format() prints would make them.
 */
#ifndef WGMTU_TOOL_TUNE_NL_H
#define WGMTU_TOOL_TUNE_NL_H

#include <stddef.h>

#include "tool/tune_plan.h"

/* Unicast routes with output interface ifindex, IPv4 and IPv6, all tables,
 * no cached clones, no multipath. 0 (caller frees *out) or negative errno. */
int tnl_routes(int ifindex, struct tp_route **out, size_t *n);
/* Carries out one route action (not TP_LINK_MTU). 0 or negative errno. */
int tnl_apply(const struct tp_action *a, int ifindex);

#endif
