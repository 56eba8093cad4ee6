/* SPDX-License-Identifier: MIT */
/*
 * The measurer of `wgmtu doctor` and `wgmtu tune`: one RFC 8899 search
 * (src/pmtu/plpmtud.c) towards one address with DF ICMP echoes
 * (src/tool/probe_net.c): a tunnel address of the peer (the echo crosses
 * the tunnel, so the answer is the largest inner packet that gets through
 * both ways, including both ends' padding) or the peer's endpoint outside
 * the tunnel (the outer path MTU).
 *
 * A measurer owns one socket and one engine; tm_measure() runs a search to
 * its end; the watch loop drives many through tm_fd/tm_deadline/tm_step
 * with confirmation and raise timers running.
 */
#ifndef WGMTU_TOOL_TUNE_MEASURE_H
#define WGMTU_TOOL_TUNE_MEASURE_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/socket.h>

#include "pmtu/plpmtud.h"
#include "tool/probe_net.h"

#define TM_RING 256

struct tm_slot {
	uint32_t seq, id;
	uint16_t size;
	uint64_t sent;              /* engine clock, ms */
};

struct tmeas {
	struct pnet net;
	struct plpmtud eng;
	bool open;
	uint64_t t0;                /* now_ms() at open: the engine's clock origin */
	uint32_t next_seq;
	struct tm_slot ring[TM_RING]; /* our echo seq -> the engine's probe id */
	bool ptb_seen;              /* an ICMP too-big answered a probe */
	unsigned unreach;           /* unreachable errors */
	uint32_t events;            /* engine events since the last tm_events() */
	uint64_t bytes_out, bytes_in; /* IP bytes of probes sent and answered */
	uint64_t n_out, n_in;
	uint32_t min_rtt_ms;        /* smallest echo round trip seen (0: none) */
	bool adapt_wait;            /* cap the engine's round wait near min_rtt */
	uint64_t (*clock)(void);    /* monotonic ms: now_ms (tests: a fake one) */
};

/* At most this many replies/errors read by one tm_step(): a flood of
 * answers cannot keep it from returning to its caller's deadline. */
#define TM_STEP_EVENTS 256

/*
 * Opens a socket to dst (port ignored) and an engine searching
 * [base, max] (IP packet sizes). confirm_ms/raise_ms: 0 for a single
 * search (doctor), the watch intervals otherwise. 0 or negative errno
 * (-EACCES: no ping socket and no raw socket).
 */
int tm_open(struct tmeas *t, const struct sockaddr_storage *dst, unsigned base,
	    unsigned max, uint32_t confirm_ms, uint32_t raise_ms);
/*
 * The same over a socket the caller opened (tests: one end of a datagram
 * socketpair that carries ping-socket ICMP echoes), with its own clock
 * (NULL: now_ms). The socket is closed by tm_close().
 */
int tm_open_fd(struct tmeas *t, int fd, int family, unsigned base, unsigned max,
	       uint32_t confirm_ms, uint32_t raise_ms, uint64_t (*clock)(void));
void tm_close(struct tmeas *t);
/* (Re)starts a search now. */
void tm_start(struct tmeas *t);
/* Reads what arrived (at most TM_STEP_EVENTS) and sends what is due: at
 * most one round of probes, so a call's duration does not depend on how
 * many rounds the engine's timers let pass while the process was slow.
 * 0 or negative errno. */
int tm_step(struct tmeas *t);
int tm_fd(const struct tmeas *t);
/* Milliseconds until tm_step() is due (0: now; -1: nothing scheduled). */
int tm_timeout_ms(const struct tmeas *t);
/* Runs one search to its end or timeout_ms (by t->clock; one step and
 * one wait of at most 1 s past it however slow the process is). 0 or
 * negative errno. */
int tm_measure(struct tmeas *t, unsigned timeout_ms);
/* Engine events (PLPMTUD_EV_*) since the last call. */
uint32_t tm_events(struct tmeas *t);

/* The answer: the largest size confirmed (0 when the search did not
 * complete). */
unsigned tm_result(const struct tmeas *t);
bool tm_complete(const struct tmeas *t);
bool tm_black_hole(const struct tmeas *t);
/* The smallest size found too big (0: none, the search reached max). */
unsigned tm_too_big(const struct tmeas *t);

#endif
