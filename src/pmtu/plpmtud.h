/* SPDX-License-Identifier: MIT */
/*
 * The path-MTU search engine: RFC 8899 (DPLPMTUD) as a pure state machine.
 * No sockets, no clock reads: the caller passes "now" (milliseconds, any
 * monotonic origin) into every call and owns transmission.
 *
 * Shared by `wgmtu probe` (one search, then exit) and wgmtud (one engine per
 * peer, running for the life of the session). The loop is:
 *
 *   plpmtud_init(&e, &cfg); plpmtud_start(&e, now);
 *   for (;;) {
 *       n = plpmtud_poll(&e, now, out, max);    // probes to send right now
 *       send each out[i] (id, size);  if sending failed locally with
 *           EMSGSIZE: plpmtud_on_local_too_big(&e, id, now)
 *       wait for input or plpmtud_next_deadline(&e)
 *       ack -> plpmtud_on_ack(); ICMP too big -> plpmtud_on_ptb();
 *       data path says large packets stopped arriving -> plpmtud_on_data_stall()
 *       read plpmtud_events() for changes worth logging
 *   }
 *
 * Search: the first round sends, in parallel, the maximum (first), the
 * common path MTUs inside [base, max] and the base size (the control: it
 * is known to fit, so its loss measures random loss). Later rounds
 * multisect the remaining gap (k probes split it into k+1 parts; k = 1 is a
 * plain bisection) down to the granularity, retrying lost sizes. An
 * acknowledgement is conclusive (the size and everything below fit). A loss
 * is ambiguous: a size is "too big" only after max_probes losses (raised
 * when the control probes show heavy random loss, so that a false "too
 * big" stays below 1 in 1000). ICMP Packet Too Big is a hint only: it ends
 * the wait for that probe and adds the claimed size to the next round, but
 * nothing changes until probes confirm; a PTB whose claim is contradicted
 * by an acknowledged larger probe is counted as a lie.
 */
#ifndef WGMTU_PMTU_PLPMTUD_H
#define WGMTU_PMTU_PLPMTUD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum {
	PLPMTUD_MAX_PROBES = 3,             /* RFC 8899 MAX_PROBES */
	PLPMTUD_BASE_IPV4 = 1200,           /* RFC 8899 BASE_PLPMTU */
	PLPMTUD_BASE_IPV6 = 1280,           /* RFC 8200 minimum link MTU */
	PLPMTUD_RAISE_TIMER_MS = 600000,    /* RFC 8899 PMTU_RAISE_TIMER */
	PLPMTUD_MAX_INFLIGHT = 32,          /* probes of one round */
	PLPMTUD_HISTORY = 64,               /* past probes kept for late acks */
	PLPMTUD_MAX_FAILS = 32,             /* sizes with losses tracked */
	PLPMTUD_MAX_PROBES_CAP = 16,        /* adaptive retries never exceed */
};

enum plpmtud_state {
	PLPMTUD_DISABLED = 0,     /* not started */
	PLPMTUD_BASE,             /* confirming that the base size gets through */
	PLPMTUD_SEARCHING,        /* base confirmed, looking for the largest size */
	PLPMTUD_SEARCH_COMPLETE,  /* plpmtu is the answer; raise/confirm timers run */
	PLPMTUD_ERROR,            /* not even the base size gets through */
};

/* Events, ORed into a mask returned (and cleared) by plpmtud_events(). */
enum {
	PLPMTUD_EV_MTU_CHANGED = 1 << 0, /* plpmtu has a new value */
	PLPMTUD_EV_COMPLETE = 1 << 1,    /* a search finished */
	PLPMTUD_EV_BLACK_HOLE = 1 << 2,  /* confirmed size stopped getting through */
	PLPMTUD_EV_PTB_LIE = 1 << 3,     /* a PTB claimed less than what passes */
	PLPMTUD_EV_ERROR = 1 << 4,       /* base size lost max_probes times */
};

struct plpmtud_config {
	uint16_t base_mtu;        /* smallest size searched, assumed to fit;
				     1200 (IPv4) / 1280 (IPv6) */
	uint16_t max_mtu;         /* largest size searched (e.g. interface MTU) */
	uint16_t granularity;     /* probe sizes are base + k*granularity (1) */
	uint8_t max_probes;       /* losses before a size is too big (3) */
	uint8_t max_parallel;     /* probes per round, control included (>= 2);
				     the first round with common_sizes sends the
				     whole table in range instead */
	bool common_sizes;        /* first round: the common path MTUs */
	uint32_t initial_timeout_ms; /* round wait before any RTT is known */
	uint32_t min_wait_ms;     /* floor of a round's wait */
	uint32_t max_timeout_ms;  /* ceiling of a round's wait */
	uint32_t raise_timer_ms;  /* search upward again after this (0: never) */
	uint32_t confirm_timer_ms; /* re-confirm plpmtu this often (0: never) */
	uint32_t error_retry_ms;  /* retry from ERROR after this (0: never) */
};

/* One probe the caller must send now: an IP packet of exactly size bytes. */
struct plpmtud_probe {
	uint32_t id;              /* echo it back in plpmtud_on_ack() */
	uint16_t size;
	bool control;             /* a known-good size (loss estimate) */
};

struct plpmtud_stats {
	uint32_t probes_sent;
	uint32_t rounds;
	uint32_t acks;
	uint32_t losses;          /* probes that got neither ack nor PTB in time */
	uint32_t control_sent, control_lost;
	uint32_t ptb_received;    /* every PTB reported */
	uint32_t ptb_invalid;     /* claim >= probe size, or below 68/1280 */
	uint32_t ptb_lies;        /* claim < a size that was acknowledged */
	uint16_t ptb_lowest_claim; /* 0 when none */
	uint16_t ptb_last_claim;
	uint32_t late_acks;       /* acks that arrived after their round */
	uint32_t black_holes;     /* confirmed size later lost (EV_BLACK_HOLE) */
	uint32_t searches;
};

/* A size that was lost at least once in the current search. */
struct plpmtud_fail {
	uint16_t size;
	uint8_t fails;            /* rounds in which it was lost */
	uint8_t ptbs;             /* of which answered by a PTB */
};

struct plpmtud_rec {
	uint32_t id;
	uint16_t size;
	uint8_t flags;
	uint64_t sent_ms;
};

struct plpmtud {
	struct plpmtud_config cfg;
	enum plpmtud_state state;
	uint16_t plpmtu;          /* confirmed size in use (base until found) */
	uint16_t lo;              /* largest size acknowledged in this search */
	uint16_t hi;              /* smallest size confirmed too big (max+g: none) */
	uint16_t top;             /* max_mtu rounded down to the grid */
	uint16_t hint;            /* a PTB's claim to probe next round (0: none) */
	bool hi_by_ptb;           /* the too-big verdict at hi had a PTB */
	bool hi_local;            /* hi came from a local EMSGSIZE (interface MTU) */
	bool first_round;         /* next round is the wide one */
	bool confirming;          /* SEARCH_COMPLETE: re-confirming plpmtu */
	bool round_open;
	uint64_t round_start, round_deadline;
	struct plpmtud_rec inflight[PLPMTUD_MAX_INFLIGHT];
	unsigned n_inflight;
	struct plpmtud_rec hist[PLPMTUD_HISTORY];
	unsigned hist_next;
	struct plpmtud_fail fail[PLPMTUD_MAX_FAILS];
	unsigned n_fail;
	uint32_t next_id;
	/* loss estimate from probes known to fit */
	uint32_t fit_sent, fit_lost;
	/* RTT in microseconds */
	bool have_rtt;
	uint32_t srtt_us, rttvar_us;
	uint64_t raise_at, confirm_at, retry_at;
	uint32_t events;
	struct plpmtud_stats st;
};

/* Defaults for a family (4 or 6): base 1200/1280, max 1500, granularity 1,
 * MAX_PROBES 3, 8 probes a round, common sizes on, 1 s initial wait, 50 ms
 * minimum wait, 3 s maximum, raise timer 600 s, no confirmation timer. */
void plpmtud_config_default(struct plpmtud_config *cfg, int family);

/* Returns 0 or -EINVAL when the configuration is unusable. */
int plpmtud_init(struct plpmtud *e, const struct plpmtud_config *cfg);
/* Begins a search (state BASE). Also restarts one (roaming, new session). */
void plpmtud_start(struct plpmtud *e, uint64_t now);
/*
 * Advances timers, closes a round whose probes are all answered or whose
 * wait is over, and opens the next one. Writes at most max probes to send
 * now (they count as sent at now) and returns how many. Call it after
 * every on_*() call and whenever next_deadline() is reached.
 */
size_t plpmtud_poll(struct plpmtud *e, uint64_t now, struct plpmtud_probe *out,
		    size_t max);
/* Absolute time (ms) at which poll() must be called next; UINT64_MAX: none. */
uint64_t plpmtud_next_deadline(const struct plpmtud *e);

/* The probe with this id arrived at the far end (reply received). Returns
 * 0, or -ENOENT for an id the engine does not know (ignored). */
int plpmtud_on_ack(struct plpmtud *e, uint32_t id, uint64_t now);
/*
 * An ICMP Packet Too Big / Fragmentation Needed claiming mtu. id: the probe
 * the ICMP error quoted, or 0 when it cannot be tied to a probe (the daemon's
 * outer ICMP). Only a hint: never lowers plpmtu by itself.
 */
void plpmtud_on_ptb(struct plpmtud *e, uint32_t id, uint32_t mtu, uint64_t now);
/* Sending the probe failed locally with EMSGSIZE: larger than the local
 * interface can send. This is authoritative (our own kernel said so). */
void plpmtud_on_local_too_big(struct plpmtud *e, uint32_t id, uint64_t now);
/* The data path reports that large packets stopped being acknowledged
 * (e.g. retransmissions of full-size segments): confirm plpmtu now. */
void plpmtud_on_data_stall(struct plpmtud *e, uint64_t now);

/* The data path saw a packet of size bytes acknowledged (e.g. a full-size
 * TCP segment ACKed inside the tunnel): that confirms plpmtu, so the
 * confirmation probe is postponed (RFC 8899 section 4.1, data as probes). */
void plpmtud_on_data_acked(struct plpmtud *e, uint32_t size, uint64_t now);

/* The raise timer (PMTU_RAISE_TIMER) for callers that skip raises while a
 * path is idle: due tells whether it has fired by now; defer disarms it
 * (returns whether it was armed); resume re-arms it to fire at now, when
 * the search is complete. */
bool plpmtud_raise_due(const struct plpmtud *e, uint64_t now);
bool plpmtud_raise_defer(struct plpmtud *e);
void plpmtud_raise_resume(struct plpmtud *e, uint64_t now);

uint32_t plpmtud_events(struct plpmtud *e); /* returns and clears */
static inline enum plpmtud_state plpmtud_state(const struct plpmtud *e)
{
	return e->state;
}
/* The size in use: the confirmed path MTU, or base while unknown. */
static inline uint16_t plpmtud_mtu(const struct plpmtud *e)
{
	return e->plpmtu;
}
/* After SEARCH_COMPLETE: true when the sizes above plpmtu vanished without
 * any ICMP Packet Too Big (a PMTUD black hole). */
bool plpmtud_black_hole(const struct plpmtud *e);
/* Smallest size confirmed too big in the last search, 0 when none (the
 * search reached max_mtu). */
uint16_t plpmtud_too_big(const struct plpmtud *e);
/* Number of losses currently needed to call a size too big. */
unsigned plpmtud_needed_losses(const struct plpmtud *e);
const char *plpmtud_state_name(enum plpmtud_state s);

#endif
