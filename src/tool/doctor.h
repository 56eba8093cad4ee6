/* SPDX-License-Identifier: MIT */
/*
 * wgmtu doctor's run state, shared with wgmtu tune (which starts from the
 * same diagnosis): the device model, per interface and per peer what was
 * found and measured, the verdicts.
 */
#ifndef WGMTU_TOOL_DOCTOR_H
#define WGMTU_TOOL_DOCTOR_H

#include <stdbool.h>
#include <stdint.h>

#include "tool/tune_plan.h"
#include "tool/tune_sys.h"
#include "tool/wgdump.h"

enum doctor_method { DOCTOR_M_AUTO, DOCTOR_M_TUNNEL, DOCTOR_M_ENDPOINT, DOCTOR_M_NONE };

struct doctor_opts {
	enum doctor_method method;
	unsigned timeout_s;       /* per peer */
	bool all;                 /* probe idle peers too */
};

/* A peer without a handshake for this long (WireGuard's REJECT_AFTER_TIME)
 * has no session: it is idle, not probed unless asked. */
#define DOCTOR_IDLE_S 180

struct doctor_peer {
	const struct wgm_peer *peer;
	unsigned eff_mtu;         /* route MTU towards its tunnel address, or the interface's */
	int outer_route_mtu;      /* towards the endpoint, 0: unknown */
	struct tp_measure m;
	struct tp_verdict verdict;
	struct wgm_prefix probe_addr;
	bool have_probe_addr;
	bool tunnel_failed;       /* no reply inside the tunnel */
	bool ptb_seen;
	bool served;              /* wgmtud guards it itself: not measured */
	bool wgmtud_unguarded;    /* a wgmtud peer it does not guard: measured */
	bool idle;                /* no recent handshake: not probed */
	uint64_t idle_s;          /* since the last handshake (0: never) */
	unsigned wgmtud_path_mtu, wgmtud_effective_mtu;
	char wgmtud_state[32], wgmtud_method[32];
	uint32_t probes;
	uint64_t ms;
};

struct doctor_iface {
	const struct wgm_iface *ifc;
	bool absent;              /* not in this network namespace */
	bool no_permission;
	int mtu;
	enum sys_impl impl;
	bool wgmtud_probe_off;    /* a wgmtud with wgmtu_probe=off */
	struct doctor_peer *peers; /* ifc->n_peers */
};

struct doctor_run {
	struct doctor_opts opts;
	struct wgm_model model;
	struct doctor_iface *ifs;
	size_t n_ifs;
	int mss_clamp;            /* 1, 0, -1 unknown */
};

int doctor_parse_method(const char *s, enum doctor_method *m);
/* Does wgmtud keep this peer's packets within its path MTU by itself, from
 * the peer's wgmtu_method and wgmtu_state? Only while it measures the path
 * (inband, icmp-tunnel, icmp-endpoint) and is not in RFC 8899's error
 * state. Not with method none (probing off, or a standard peer without a
 * probe target) or pinned (the pinned MTU is the operator's guess): doctor
 * measures those peers like any WireGuard peer. NULLs: no. */
bool doctor_wgmtud_guards(const char *method, const char *state);
/* Reads the model (only: one interface, NULL: all). 0 or negative errno. */
int doctor_collect(struct doctor_run *d, const char *only, char *err, size_t err_cap);
/* Finds MTUs, measures, judges every peer of every collected interface. */
void doctor_check(struct doctor_run *d);
void doctor_run_free(struct doctor_run *d);

#endif
