/* SPDX-License-Identifier: MIT */
/*
 * The per-peer path-MTU controller of wgmtud, pure: events and "now" in,
 * actions out. It decides which probing method a peer gets, runs one
 * RFC 8899 engine (plpmtud.h) for it, watches for black holes, defers the
 * raise timer while the peer is idle, and turns the engine's answers into
 * the effective inner MTU, log lines and the reason shown by `wgmtu show`.
 * No sockets, no clock reads, no allocation: the daemon (src/daemon/pmtu.c)
 * is a thin shim that feeds events in and performs the actions; the unit
 * tests (tests/unit/test_pmtuctl.c) drive it with a fake clock.
 *
 * Time is a uint64_t in nanoseconds (any monotonic origin), as in
 * daemon/timers.h. Every event call fills a struct pmtuctl_out:
 *   probe[]      send each now: method, engine id, exact outer IP size;
 *   log[]        one line each, to be prefixed by the peer's name;
 *   mtu_changed  the effective MTU changed (stamp wgmtu_last_change_sec);
 *   need_target  the controller wants to start this method but needs a
 *                target first: the owner looks one up (I/O) and answers
 *                with pmtuctl_on_target();
 *   deadline     when pmtuctl_tick() is due next (UINT64_MAX: never).
 *
 * Methods are rows of pmtuctl_methods[] (pmtuctl.c); user modes map to
 * methods in one table there too. Adding a probing method: add an enum
 * pmtuctl_method value and its row (name, needs_target, reason texts,
 * round16, fallback), point the mode at it in mode_method[], and give the
 * daemon shim a sender for it (src/daemon/pmtu.c method_io[]) and a target
 * lookup if needs_target. icmp-endpoint was added that way. See
 * docs/daemon-pmtu.md.
 */
#ifndef WGMTU_PMTU_PMTUCTL_H
#define WGMTU_PMTU_PMTUCTL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "pmtu/plpmtud.h"

/* What the user asked for (UAPI wgmtu_probe of the peer). */
enum pmtuctl_mode {
	PMTUCTL_MODE_AUTO = 0,     /* one in-band hello, then in-band or icmp-tunnel */
	PMTUCTL_MODE_INBAND,
	PMTUCTL_MODE_ICMP_TUNNEL,
	PMTUCTL_MODE_ICMP_ENDPOINT,
	PMTUCTL_MODE_OFF,
};

/* How the peer's path MTU is found (UAPI wgmtu_method). */
enum pmtuctl_method {
	PMTUCTL_M_NONE = 0,        /* nothing runs: TUN MTU (reason says why) */
	PMTUCTL_M_INBAND,          /* padded probe messages another wgmtud acks */
	PMTUCTL_M_ICMP_TUNNEL,     /* DF echo requests to the peer's tunnel address */
	PMTUCTL_M_ICMP_ENDPOINT,   /* DF echo requests to its endpoint, outside the tunnel */
	PMTUCTL_M_PINNED,          /* an MTU set by hand */
	PMTUCTL_M_COUNT,
};

/* One row per method. */
struct pmtuctl_method_info {
	const char *name;          /* wgmtu_method */
	bool probes;               /* runs the engine (sends probes) */
	bool needs_target;         /* ask the owner for a target before starting */
	const char *searching;     /* reason while searching (then the target
				      and target_note when needs_target) */
	const char *target_note;
	const char *silent;        /* reason prefix when even the base size gets no reply */
	const char *found_note;    /* appended to "path MTU N found by X probes" */
	const char *no_target;     /* reason prefix when no target exists */
	/* the peer is a standard WireGuard peer that pads its data to 16
	 * bytes while the probes measured the exact size: the inner MTU is
	 * rounded down to a multiple of 16 so that its padded packets fit */
	bool round16;
	/* auto mode: the method to try when this one has no target, or its
	 * target never answers (PMTUCTL_M_NONE: none) */
	enum pmtuctl_method fallback;
};
extern const struct pmtuctl_method_info pmtuctl_methods[PMTUCTL_M_COUNT];

enum {
	PMTUCTL_REASON_MAX = 160,
	PMTUCTL_WHY_MAX = 96,
	PMTUCTL_LOG_MAX = 320,
	PMTUCTL_OUT_LOGS = 6,
	PMTUCTL_OUT_PROBES = PLPMTUD_MAX_INFLIGHT + 1,
	/* auto mode: how long the one in-band hello waits for its ack */
	PMTUCTL_HELLO_WAIT_MS = 1000,
	/* black-hole watch: while full-size packets go out, re-confirm the
	 * path MTU this often (idle peers send nothing) */
	PMTUCTL_STALL_CHECK_MS = 1000,
	/* after a black hole, how long the old MTU stays while the search
	 * runs before stepping down to the base size */
	PMTUCTL_BH_STEP_DOWN_MS = 1000,
	/* a data packet within this many bytes of the MTU is "full size" */
	PMTUCTL_LARGE_SLACK = 64,
	/* Outer too-big hints are unauthenticated: a hint may start probes
	 * only when (1) no hint did in the last HINT_GAP, and (2) the hint
	 * credit covers them. Every hint earns half the bytes of the
	 * smallest such ICMP message (IPv4 56, IPv6 96); the probes of the
	 * round it starts (retries included) are charged; time adds one
	 * probe round's worth (plpmtu + base) every HINT_REFILL, which is
	 * also the cap. So a
	 * forger gets at most one round a second, and probe bytes <= half
	 * the forged bytes + one round a minute. */
	PMTUCTL_HINT_GAP_MS = 1000,
	PMTUCTL_HINT_REFILL_MS = 60000,
	PMTUCTL_HINT_EARN_IPV4 = (20 + 8 + 20 + 8) / 2,
	PMTUCTL_HINT_EARN_IPV6 = (40 + 8 + 40 + 8) / 2,
};

struct pmtuctl_probe {
	enum pmtuctl_method method;
	uint32_t id;               /* the engine's id: give it back in on_ack */
	uint16_t size;             /* outer IP packet size, exact */
};

struct pmtuctl_out {
	struct pmtuctl_probe probe[PMTUCTL_OUT_PROBES];
	size_t n_probes;
	char log[PMTUCTL_OUT_LOGS][PMTUCTL_LOG_MAX];
	size_t n_logs;
	bool mtu_changed;
	enum pmtuctl_method need_target; /* PMTUCTL_M_NONE: no request */
	uint64_t deadline;
};

/* Evidence that the peer is a wgmtud (it answers in-band probes). */
enum pmtuctl_evidence {
	PMTUCTL_EV_PEER_PROBED,    /* it sent us an in-band probe */
	PMTUCTL_EV_PEER_PINGS,     /* it pings us with wgmtud's echo pattern */
};

struct pmtuctl {
	/* Inputs: the owner keeps these current (read at the next event). */
	enum pmtuctl_mode mode;
	uint16_t pinned;           /* 0: none */
	bool probe_on;             /* device-wide wgmtu_probe */
	uint16_t max_mtu;          /* device-wide wgmtu_max_mtu (outer) */
	uint32_t raise_ms;         /* PMTU_RAISE_TIMER */
	unsigned tun_mtu;          /* the interface MTU now */

	/* State (read-only for the owner). */
	enum pmtuctl_method method;
	int family;                /* 4 / 6: outer family of the endpoint */
	unsigned ovh;              /* outer overhead of that family */
	bool started;              /* discovery began (a session existed) */
	bool active;               /* the engine runs */
	bool hello_out;            /* auto: the hello awaits its ack */
	bool inband_peer;          /* learned: the peer is a wgmtud */
	bool large_sent;           /* full-size packets since the last check */
	bool raise_deferred;       /* idle: the raise search waits for data */
	enum pmtuctl_method want_target; /* a need_target request is pending */
	uint32_t hello_id;
	uint64_t hello_deadline;   /* ns */
	uint64_t stall_check;      /* ns, 0: none */
	uint64_t bh_deadline;      /* ns, 0: none */
	uint64_t last_tx;          /* ns of the last data packet sent */
	struct plpmtud eng;
	uint16_t path_mtu;         /* 0: unknown */
	uint16_t effective;        /* 0: the TUN MTU */
	uint64_t ptb_hints;        /* outer too-big hints received */
	uint64_t ptb_limited;      /* of which the credit limit ignored */
	int64_t hint_credit;       /* bytes (see PMTUCTL_HINT_*) */
	uint64_t hint_refill_at;   /* ns: credit accounted up to here */
	uint64_t hint_last;        /* ns: last hint that started probes (0: none) */
	bool hint_round;           /* the confirmation running was a hint's:
				      its probes (retries too) are charged */
	char reason[PMTUCTL_REASON_MAX];
	/* why the method runs rather than the mode's first choice (auto's
	 * fallback), "" when it is the first choice; shown with the reason */
	char why[PMTUCTL_WHY_MAX];
	char target[48];           /* the running method's target, as given */
};

/* Defaults: auto, probing on, max 1500, RFC 8899 raise timer. */
void pmtuctl_init(struct pmtuctl *c);

/* (Re)starts discovery: first session, roaming, configuration change.
 * family: 4 or 6 of the endpoint (0: none); session: a keypair exists;
 * rnd: randomness for the hello id; why: for the log. */
void pmtuctl_start(struct pmtuctl *c, uint64_t now, int family, bool session,
		   uint32_t rnd, const char *why, struct pmtuctl_out *out);
/* Answer to out->need_target: found or not; target: its text for the
 * reason line, or when not found, what there is instead (e.g. "AllowedIPs
 * 0.0.0.0/0, ::/0"); may be NULL. Ignored unless that request is pending.
 * In auto mode a method without a target hands over to its fallback
 * (icmp-tunnel -> icmp-endpoint), which asks for its own target. */
void pmtuctl_on_target(struct pmtuctl *c, enum pmtuctl_method m, bool found,
		       const char *target, uint64_t now, struct pmtuctl_out *out);
/* The deadline came (or any time: extra calls are harmless). */
void pmtuctl_tick(struct pmtuctl *c, uint64_t now, struct pmtuctl_out *out);
/* A data packet of len inner bytes leaves for the peer (before the MTU
 * check: len may exceed the MTU). */
void pmtuctl_on_data_sent(struct pmtuctl *c, size_t len, uint64_t now, struct pmtuctl_out *out);
/* A probe of method m was answered (echo reply...), id as in the probe;
 * ignored unless m is the method running. */
void pmtuctl_on_ack(struct pmtuctl *c, enum pmtuctl_method m, uint32_t id, uint64_t now,
		    struct pmtuctl_out *out);
/* An in-band acknowledgement (the hello's or a search probe's). */
void pmtuctl_on_inband_ack(struct pmtuctl *c, uint32_t id, uint64_t now, struct pmtuctl_out *out);
void pmtuctl_on_evidence(struct pmtuctl *c, enum pmtuctl_evidence ev, uint64_t now,
			 struct pmtuctl_out *out);
/* An outer ICMP too-big for the peer's endpoint (unauthenticated: a hint,
 * credit-limited as described at PMTUCTL_HINT_GAP_MS). */
void pmtuctl_on_ptb_hint(struct pmtuctl *c, uint32_t mtu, uint64_t now, struct pmtuctl_out *out);
/* Forget the discovered MTU (probing turned off). */
void pmtuctl_forget(struct pmtuctl *c);

/* The inner MTU to enforce: pinned, discovered, or tun_mtu. */
unsigned pmtuctl_mtu(const struct pmtuctl *c, unsigned tun_mtu);
uint64_t pmtuctl_deadline(const struct pmtuctl *c);
/* Whether the engine runs probes of method m (to route replies). */
bool pmtuctl_probing(const struct pmtuctl *c, enum pmtuctl_method m);
/* wgmtu_state / wgmtu_method of `wgmtu show`. */
const char *pmtuctl_state_name(const struct pmtuctl *c);
const char *pmtuctl_method_name(enum pmtuctl_method m);

#endif
