/* SPDX-License-Identifier: MIT */
/*
 * The pure core of `wgmtu doctor` and `wgmtu tune`: a measurement in, a
 * verdict and the MTUs to use out (tp_judge); the device model, the
 * targets and the routes via the interface in, the route/link actions out
 * (tp_plan), their undo (tp_undo) and the exact commands they stand for
 * (tp_format, tp_nft_script). No I/O: unit-tested in tests/unit/test_tune.c.
 */
#ifndef WGMTU_TOOL_TUNE_PLAN_H
#define WGMTU_TOOL_TUNE_PLAN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "tool/wgdump.h"

enum tp_method {
	TP_M_NONE = 0,     /* not measured */
	TP_M_TUNNEL,       /* DF echo to a tunnel address of the peer */
	TP_M_ENDPOINT,     /* DF echo to the peer's endpoint, outside */
};

struct tp_measure {
	enum tp_method method;
	int outer_family;  /* AF_INET / AF_INET6: the endpoint's family */
	unsigned size;     /* largest IP packet confirmed (inner for tunnel,
			      outer for endpoint); 0: the search failed */
	unsigned max;      /* largest size searched */
	unsigned too_big;  /* smallest size found too big, 0: none */
	bool black_hole;   /* too-big sizes vanished without ICMP */
};

enum tp_verdict_kind {
	TP_OK = 0,         /* the MTU in use fits the path */
	TP_BLACK_HOLE,     /* packets of the MTU in use vanish, no ICMP */
	TP_AT_RISK,        /* they do not fit: ICMP comes back outside the
			      tunnel, or the outer route is smaller */
	TP_UNKNOWN,        /* could not measure */
};

struct tp_verdict {
	enum tp_verdict_kind v;
	unsigned fit;        /* largest inner packet that crosses (0: unknown) */
	unsigned mtu_line;   /* the MTU = line for both ends' configs */
	unsigned route_mtu;  /* what tune locks on the peer's routes: fits
				even a peer at MTU 1420 padding to 16 bytes */
	unsigned path_lo, path_hi; /* outer path MTU bounds (0: unknown) */
	bool padding;        /* the tunnel measurement is rounded by padding */
};

/*
 * eff_mtu: the MTU the kernel uses towards the peer now (route or
 * interface); outer_route_mtu: of the route to the endpoint (0: unknown).
 */
void tp_judge(const struct tp_measure *m, unsigned eff_mtu, unsigned outer_route_mtu,
	      struct tp_verdict *v);
const char *tp_verdict_name(enum tp_verdict_kind v); /* "ok", "black-hole", ... */

/*
 * --watch probes a peer only while it carries traffic: its counters (rx/tx
 * bytes, as wg shows them) must move by more than our own echoes inside
 * the tunnel explain. Each echo costs its size plus WireGuard's 32 bytes
 * and up to 15 of padding, each way; a keepalive or a handshake fits in
 * 512 bytes of slack. An echo sent just before one reading of the
 * counters may be answered just after it, so the echoes of the previous
 * period count too.
 */
struct tp_activity {
	bool primed;
	uint64_t rx, tx;              /* counters at the last reading */
	uint64_t probe_bytes, probes; /* our echo totals at the last reading */
	uint64_t prev_bytes, prev_n;  /* echoes sent in the period before */
};

/* One reading: the peer's counters and the totals of our echoes so far
 * (0, 0 for echoes outside the tunnel). True when the peer carried
 * traffic of its own since the last reading (never on the first). */
bool tp_activity_update(struct tp_activity *a, uint64_t rx, uint64_t tx,
			uint64_t probe_bytes, uint64_t probes);

/* ------------------------------------------------------------ planning */

/* A route via the interface, as rtnetlink shows it. */
struct tp_route {
	struct wgm_prefix dst;
	uint32_t table;
	uint8_t protocol, scope, type;
	uint32_t priority;
	bool has_prefsrc;
	uint8_t prefsrc[16];
	bool has_gateway;
	uint8_t gateway[16];
	unsigned mtu;          /* RTAX_MTU, 0: none */
	bool mtu_locked;
	uint8_t pref;          /* IPv6 route preference (RTA_PREF), 0: none */
};

struct tp_target {
	const struct wgm_peer *peer;
	unsigned mtu;          /* 0: leave this peer alone */
};

enum tp_kind {
	TP_ROUTE_REPLACE,      /* the route, with r.mtu/r.mtu_locked */
	TP_ROUTE_ADD,
	TP_ROUTE_DEL,
	TP_LINK_MTU,           /* interface MTU = mtu */
};

struct tp_action {
	enum tp_kind kind;
	struct tp_route r;
	unsigned mtu;          /* TP_LINK_MTU */
	int peer;              /* index into the targets, -1: none */
};

/*
 * The actions that bring the routes via the interface to the targets:
 * each allowed IP of a peer with a target gets "mtu lock N" on the routes
 * that match it exactly, or a new route in the main table (source address
 * copied from the covering route); N is at least 1280 for IPv6. A single
 * full-tunnel peer lowers the interface MTU instead. Routes already right
 * produce nothing. Returns the number of actions (at most max).
 */
size_t tp_plan(int if_mtu, const struct tp_target *t, size_t nt,
	       const struct tp_route *routes, size_t nr,
	       struct tp_action *out, size_t max);
/* The action that undoes a (before it ran, with the routes as they were
 * then): the original route back, a deletion, the old MTU. */
void tp_undo(const struct tp_action *a, const struct tp_route *routes, size_t nr,
	     int if_mtu, struct tp_action *undo);
/* "ip route replace 10.0.0.2/32 dev wg0 table main ... mtu lock 1392". */
int tp_format(const struct tp_action *a, const char *ifname, char *buf, size_t n);

/* The nftables table's name for an interface: "wgmtu_" + name with
 * characters other than [A-Za-z0-9_] as '_'. */
void tp_nft_table(const char *ifname, char *buf, size_t n);
/*
 * The script for `nft -f -` that (re)creates the MSS-clamp table: SYNs
 * leaving through the interface get the route's MTU minus the headers
 * (rt mtu), SYNs entering from a peer with a target get that target's
 * MSS. Returns the length, or -ENOSPC.
 */
int tp_nft_script(const char *ifname, const struct tp_target *t, size_t nt,
		  bool replace, char *buf, size_t n);
int tp_nft_delete_script(const char *ifname, char *buf, size_t n);
/*
 * The same two as a document for nft's JSON API (`nft -j -f -`,
 * libnftables-json(5)), which is what tune loads: the text grammar above
 * is for people (--dry-run shows it beside the JSON). Written to f (pretty:
 * indented). Returns 0 or -EIO.
 */
int tp_nft_json(const char *ifname, const struct tp_target *t, size_t nt,
		bool replace, bool pretty, FILE *f);
int tp_nft_delete_json(const char *ifname, bool pretty, FILE *f);

#endif
