// SPDX-License-Identifier: MIT
/*
 * The per-peer path-MTU controller, pure (see pmtuctl.h and
 * docs/daemon-pmtu.md).
 */
#include "pmtu/pmtuctl.h"

#include "pmtu/overhead.h"
#include "pmtu/probemsg.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#define NS_PER_MS 1000000ull

const struct pmtuctl_method_info pmtuctl_methods[PMTUCTL_M_COUNT] = {
	[PMTUCTL_M_NONE] = { .name = "none" },
	[PMTUCTL_M_INBAND] = {
		.name = "inband",
		.probes = true,
		.searching = "searching with in-band probes",
		.silent = "no reply to in-band probes",
		.found_note = "",
	},
	[PMTUCTL_M_ICMP_TUNNEL] = {
		.name = "icmp-tunnel",
		.probes = true,
		.needs_target = true,
		.searching = "no reply to in-band probes; probing",
		.target_note = " inside the tunnel",
		.silent = "peer answers no pings",
		.found_note = " (peer pads replies: 16-byte steps)",
		.no_target = "standard peer without a /32 or /128 tunnel address (or we have none)",
		.fallback = PMTUCTL_M_ICMP_ENDPOINT,
	},
	[PMTUCTL_M_ICMP_ENDPOINT] = {
		.name = "icmp-endpoint",
		.probes = true,
		.needs_target = true,
		.searching = "probing",
		.target_note = " outside the tunnel",
		.silent = "the endpoint answers no pings",
		.found_note = " (the peer pads: inner MTU in 16-byte steps)",
		.no_target = "cannot send ICMP echo outside the tunnel",
		.round16 = true,
	},
	[PMTUCTL_M_PINNED] = { .name = "pinned" },
};

/* The method each mode starts with (auto: after the hello; M_NONE: none
 * exists, the reason says so). */
static const struct {
	enum pmtuctl_method method;
	const char *unavailable;   /* reason prefix when method is M_NONE */
} mode_method[] = {
	[PMTUCTL_MODE_AUTO] = { PMTUCTL_M_ICMP_TUNNEL, NULL },
	[PMTUCTL_MODE_INBAND] = { PMTUCTL_M_INBAND, NULL },
	[PMTUCTL_MODE_ICMP_TUNNEL] = { PMTUCTL_M_ICMP_TUNNEL, NULL },
	[PMTUCTL_MODE_ICMP_ENDPOINT] = { PMTUCTL_M_ICMP_ENDPOINT, NULL },
	[PMTUCTL_MODE_OFF] = { PMTUCTL_M_NONE, NULL },
};

const char *pmtuctl_method_name(enum pmtuctl_method m)
{
	if ((unsigned)m >= PMTUCTL_M_COUNT)
		m = PMTUCTL_M_NONE;
	return pmtuctl_methods[m].name;
}

static uint64_t ms(uint64_t ns)
{
	return ns / NS_PER_MS;
}

__attribute__((format(printf, 2, 3)))
static void say(struct pmtuctl_out *out, const char *fmt, ...)
{
	va_list ap;

	if (out->n_logs >= PMTUCTL_OUT_LOGS)
		return;
	va_start(ap, fmt);
	vsnprintf(out->log[out->n_logs++], PMTUCTL_LOG_MAX, fmt, ap);
	va_end(ap);
}

__attribute__((format(printf, 2, 3)))
static void reason(struct pmtuctl *c, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(c->reason, sizeof(c->reason), fmt, ap);
	va_end(ap);
}

/* Appends " (why)" to the reason when the method is a fallback. */
static void reason_why(struct pmtuctl *c)
{
	size_t l = strlen(c->reason);

	if (c->why[0] && l < sizeof(c->reason))
		snprintf(c->reason + l, sizeof(c->reason) - l, " (%s)", c->why);
}

static void out_reset(struct pmtuctl_out *out)
{
	out->n_probes = 0;
	out->n_logs = 0;
	out->mtu_changed = false;
	out->need_target = PMTUCTL_M_NONE;
	out->deadline = UINT64_MAX;
}

static void out_done(const struct pmtuctl *c, struct pmtuctl_out *out)
{
	out->deadline = pmtuctl_deadline(c);
}

static void probe(struct pmtuctl_out *out, enum pmtuctl_method m, uint32_t id, unsigned size)
{
	if (out->n_probes >= PMTUCTL_OUT_PROBES)
		return;
	out->probe[out->n_probes++] = (struct pmtuctl_probe){ .method = m, .id = id,
							      .size = (uint16_t)size };
}

void pmtuctl_init(struct pmtuctl *c)
{
	memset(c, 0, sizeof(*c));
	c->mode = PMTUCTL_MODE_AUTO;
	c->probe_on = true;
	c->max_mtu = 1500;
	c->raise_ms = PLPMTUD_RAISE_TIMER_MS;
	c->tun_mtu = OVH_WG_DEFAULT_MTU;
	c->hint_credit = INT64_MAX / 2; /* capped at one round when used */
	reason(c, "no session yet");
}

unsigned pmtuctl_mtu(const struct pmtuctl *c, unsigned tun)
{
	if (c->pinned)
		return c->pinned < tun ? c->pinned : tun;
	if (c->effective && c->effective < tun)
		return c->effective;
	return tun;
}

uint64_t pmtuctl_deadline(const struct pmtuctl *c)
{
	uint64_t d = UINT64_MAX, e;

	if (c->hello_out)
		d = c->hello_deadline;
	if (c->active) {
		e = plpmtud_next_deadline(&c->eng);
		if (e != UINT64_MAX && e * NS_PER_MS < d)
			d = e * NS_PER_MS;
	}
	if (c->stall_check && c->stall_check < d)
		d = c->stall_check;
	if (c->bh_deadline && c->bh_deadline < d)
		d = c->bh_deadline;
	return d;
}

bool pmtuctl_probing(const struct pmtuctl *c, enum pmtuctl_method m)
{
	return c->active && c->method == m;
}

const char *pmtuctl_state_name(const struct pmtuctl *c)
{
	if (!pmtuctl_methods[c->method].probes)
		return c->hello_out ? "base" : "disabled";
	if (!c->active)
		return "disabled";
	return plpmtud_state_name(plpmtud_state(&c->eng));
}

void pmtuctl_forget(struct pmtuctl *c)
{
	c->effective = 0;
	c->path_mtu = 0;
}

/* ---- the engine ---- */

static void begin_method(struct pmtuctl *c, enum pmtuctl_method m, uint64_t now,
			 struct pmtuctl_out *out);

/* Auto mode: method m cannot work for this peer (no target, or the target
 * never answers); its fallback, if it has one, takes over. */
static bool fall_back(struct pmtuctl *c, enum pmtuctl_method m, bool silent,
		      const char *what, uint64_t now, struct pmtuctl_out *out)
{
	enum pmtuctl_method f = pmtuctl_methods[m].fallback;

	if (c->mode != PMTUCTL_MODE_AUTO || f == PMTUCTL_M_NONE || c->path_mtu)
		return false;
	if (silent)
		snprintf(c->why, sizeof(c->why), "tunnel address %s answers no pings",
			 what ? what : "-");
	else
		snprintf(c->why, sizeof(c->why), "no tunnel address: %s", what ? what : "-");
	say(out, "%s: trying %s probes", c->why, pmtuctl_methods[f].name);
	c->active = false;
	c->method = PMTUCTL_M_NONE;
	begin_method(c, f, now, out);
	return true;
}

static void set_effective(struct pmtuctl *c, uint16_t path, const char *evidence,
			  struct pmtuctl_out *out)
{
	unsigned old = pmtuctl_mtu(c, c->tun_mtu), now;

	c->path_mtu = path;
	c->effective = path > c->ovh ? (uint16_t)(path - c->ovh) : 0;
	if (pmtuctl_methods[c->method].round16)
		c->effective &= (uint16_t)~15u;
	now = pmtuctl_mtu(c, c->tun_mtu);
	if (now != old)
		out->mtu_changed = true;
	say(out, "path MTU %u (%s), effective MTU %u (was %u): %s", path,
	    pmtuctl_method_name(c->method), now, old, evidence);
}

static void handle_events(struct pmtuctl *c, uint64_t now, struct pmtuctl_out *out)
{
	const struct pmtuctl_method_info *mi = &pmtuctl_methods[c->method];
	struct plpmtud *e = &c->eng;
	uint32_t ev = plpmtud_events(e);
	enum plpmtud_state st = plpmtud_state(e);
	uint16_t tb = plpmtud_too_big(e);
	char ev_txt[160];

	if (!ev)
		return;
	snprintf(ev_txt, sizeof(ev_txt), "%u acked, %s%u lost (of %u probes)%s%s",
		 plpmtud_mtu(e), tb ? "" : "none above, ", tb ? tb : 0u, e->st.probes_sent,
		 ev & PLPMTUD_EV_BLACK_HOLE ? "; black hole: the confirmed size stopped passing" : "",
		 ev & PLPMTUD_EV_PTB_LIE ? "; an ICMP too-big lied" : "");
	if (ev & PLPMTUD_EV_ERROR) {
		if (c->path_mtu) {
			say(out, "even the base size is lost now; keeping MTU %u",
			    pmtuctl_mtu(c, c->tun_mtu));
		} else if (!fall_back(c, c->method, true, c->target, now, out)) {
			reason(c, "%s: keeping MTU %u, MSS clamped", mi->silent ? mi->silent : "no reply",
			       pmtuctl_mtu(c, c->tun_mtu));
			reason_why(c);
			say(out, "%s", c->reason);
		}
		return;
	}
	if ((ev & PLPMTUD_EV_COMPLETE) && st == PLPMTUD_SEARCH_COMPLETE) {
		size_t l;

		c->bh_deadline = 0;
		if (plpmtud_mtu(e) != c->path_mtu)
			set_effective(c, plpmtud_mtu(e), ev_txt, out);
		reason(c, "path MTU %u found by %s probes%s", c->path_mtu, mi->name,
		       mi->found_note ? mi->found_note : "");
		reason_why(c);
		l = strlen(c->reason);
		if (c->path_mtu && c->effective < OVH_MIN_MTU_IPV6)
			snprintf(c->reason + l, sizeof(c->reason) - l,
				 "; below 1280: IPv6 inside relies on MSS clamping");
		return;
	}
	/* A black hole: the search that follows usually ends within a few
	 * round trips, and its answer is what the ICMP into the TUN should
	 * announce (senders cache it for ten minutes). Only when it takes
	 * longer does the MTU step down to the base size meanwhile. */
	if ((ev & PLPMTUD_EV_BLACK_HOLE) && c->path_mtu) {
		say(out, "black hole at path MTU %u: %s; searching again", c->path_mtu, ev_txt);
		c->bh_deadline = now + PMTUCTL_BH_STEP_DOWN_MS * NS_PER_MS;
	}
}

static void run_engine(struct pmtuctl *c, uint64_t now, struct pmtuctl_out *out)
{
	struct plpmtud_probe pr[PLPMTUD_MAX_INFLIGHT];
	size_t n;

	if (!c->active)
		return;
	n = plpmtud_poll(&c->eng, ms(now), pr, PLPMTUD_MAX_INFLIGHT);
	for (size_t i = 0; i < n; i++) {
		probe(out, c->method, pr[i].id, pr[i].size);
		if (c->hint_round)
			c->hint_credit -= pr[i].size;
	}
	/* a hint's confirmation ends with its last round */
	if (c->hint_round && !c->eng.confirming && !c->eng.round_open)
		c->hint_round = false;
	handle_events(c, now, out);
}

static void begin(struct pmtuctl *c, enum pmtuctl_method m, const char *target, uint64_t now,
		  struct pmtuctl_out *out)
{
	const struct pmtuctl_method_info *mi = &pmtuctl_methods[m];
	struct plpmtud_config cfg;
	unsigned top = c->tun_mtu + c->ovh;

	c->want_target = PMTUCTL_M_NONE;
	plpmtud_config_default(&cfg, c->family);
	cfg.max_mtu = (uint16_t)(c->max_mtu < top ? c->max_mtu : top);
	cfg.raise_timer_ms = c->raise_ms;
	cfg.error_retry_ms = c->raise_ms;
	c->method = m;
	if (cfg.max_mtu <= cfg.base_mtu || plpmtud_init(&c->eng, &cfg) < 0) {
		c->active = false;
		reason(c, "TUN MTU %u leaves nothing to search above the base size", c->tun_mtu);
		return;
	}
	c->active = true;
	snprintf(c->target, sizeof(c->target), "%s", target ? target : "-");
	if (mi->needs_target)
		reason(c, "%s %s%s", mi->searching, c->target,
		       mi->target_note ? mi->target_note : "");
	else
		reason(c, "%s", mi->searching);
	reason_why(c);
	say(out, "path MTU search %u..%u with %s probes%s%s", cfg.base_mtu, cfg.max_mtu, mi->name,
	    mi->needs_target ? " to " : "", mi->needs_target ? c->target : "");
	plpmtud_start(&c->eng, ms(now));
	run_engine(c, now, out);
}

/* Starts method m: at once, or after the owner found a target for it. */
static void begin_method(struct pmtuctl *c, enum pmtuctl_method m, uint64_t now,
			 struct pmtuctl_out *out)
{
	if (pmtuctl_methods[m].needs_target) {
		c->want_target = m;
		out->need_target = m;
		return;
	}
	begin(c, m, NULL, now, out);
}

void pmtuctl_on_target(struct pmtuctl *c, enum pmtuctl_method m, bool found,
		       const char *target, uint64_t now, struct pmtuctl_out *out)
{
	out_reset(out);
	if (m == PMTUCTL_M_NONE || c->want_target != m) {
		out_done(c, out);
		return;
	}
	c->want_target = PMTUCTL_M_NONE;
	if (found) {
		begin(c, m, target, now, out);
	} else if (!fall_back(c, m, false, target, now, out)) {
		c->method = PMTUCTL_M_NONE;
		c->active = false;
		reason(c, "%s: keeping MTU %u, MSS clamped", pmtuctl_methods[m].no_target,
		       pmtuctl_mtu(c, c->tun_mtu));
		reason_why(c);
		say(out, "%s", c->reason);
	}
	out_done(c, out);
}

void pmtuctl_start(struct pmtuctl *c, uint64_t now, int family, bool session,
		   uint32_t rnd, const char *why, struct pmtuctl_out *out)
{
	enum pmtuctl_method m;

	out_reset(out);
	c->started = false;
	c->bh_deadline = 0;
	c->active = false;
	c->hello_out = false;
	c->raise_deferred = false;
	c->stall_check = 0;
	c->want_target = PMTUCTL_M_NONE;
	c->why[0] = '\0';
	c->target[0] = '\0';
	if (!c->probe_on || c->mode == PMTUCTL_MODE_OFF) {
		c->method = c->pinned ? PMTUCTL_M_PINNED : PMTUCTL_M_NONE;
		reason(c, "path MTU discovery is off%s", c->probe_on ? " for this peer" : "");
		goto done;
	}
	if (c->pinned) {
		c->method = PMTUCTL_M_PINNED;
		reason(c, "MTU %u pinned by hand", c->pinned);
		goto done;
	}
	/* nothing runs until a method begins (not the pin of before) */
	c->method = PMTUCTL_M_NONE;
	if ((family != 4 && family != 6) || !session) {
		reason(c, "no session yet");
		goto done;
	}
	c->started = true;
	c->family = family;
	c->ovh = (unsigned)ovh_wg_overhead(family == 4 ? OVH_IPV4 : OVH_IPV6);
	say(out, "path MTU discovery starts (%s)", why);
	m = mode_method[c->mode].method;
	if (c->mode == PMTUCTL_MODE_AUTO && c->inband_peer)
		m = PMTUCTL_M_INBAND;
	if (m == PMTUCTL_M_NONE) {
		c->method = PMTUCTL_M_NONE;
		reason(c, "%s: keeping MTU %u, MSS clamped", mode_method[c->mode].unavailable,
		       pmtuctl_mtu(c, c->tun_mtu));
		goto done;
	}
	if (c->mode != PMTUCTL_MODE_AUTO || m == PMTUCTL_M_INBAND) {
		begin_method(c, m, now, out);
		goto done;
	}
	/* auto: the one in-band probe of this session, as small as possible */
	c->hello_id = rnd | 1u << 31;
	c->hello_out = true;
	c->hello_deadline = now + PMTUCTL_HELLO_WAIT_MS * NS_PER_MS;
	reason(c, "asking the peer for in-band probes");
	probe(out, PMTUCTL_M_INBAND, c->hello_id, c->ovh + PMSG_HDR_LEN);
done:
	out_done(c, out);
}

void pmtuctl_tick(struct pmtuctl *c, uint64_t now, struct pmtuctl_out *out)
{
	out_reset(out);
	if (c->hello_out && now >= c->hello_deadline) {
		c->hello_out = false;
		begin_method(c, mode_method[c->mode].method, now, out);
	}
	if (c->bh_deadline && now >= c->bh_deadline) {
		c->bh_deadline = 0;
		if (c->active && plpmtud_state(&c->eng) != PLPMTUD_SEARCH_COMPLETE &&
		    c->path_mtu > plpmtud_mtu(&c->eng))
			set_effective(c, plpmtud_mtu(&c->eng),
				      "black hole and no answer from the search yet: base size meanwhile",
				      out);
	}
	if (c->stall_check && now >= c->stall_check) {
		c->stall_check = 0;
		if (c->active && c->large_sent && plpmtud_state(&c->eng) == PLPMTUD_SEARCH_COMPLETE)
			plpmtud_on_data_stall(&c->eng, ms(now));
		c->large_sent = false;
	}
	/* the raise timer is due but nothing was sent for a whole interval:
	 * an idle peer does not need a larger MTU, so no probes until data
	 * flows again (pmtuctl_on_data_sent resumes it) */
	if (c->active && plpmtud_raise_due(&c->eng, ms(now)) &&
	    now - c->last_tx > (uint64_t)c->raise_ms * NS_PER_MS)
		c->raise_deferred = plpmtud_raise_defer(&c->eng);
	run_engine(c, now, out);
	out_done(c, out);
}

void pmtuctl_on_data_sent(struct pmtuctl *c, size_t len, uint64_t now, struct pmtuctl_out *out)
{
	unsigned mtu = pmtuctl_mtu(c, c->tun_mtu);

	out_reset(out);
	c->last_tx = now;
	if (c->raise_deferred) {
		c->raise_deferred = false;
		if (c->active)
			plpmtud_raise_resume(&c->eng, ms(now));
	}
	/* full-size packets: re-confirm the MTU once a check interval */
	if (len + PMTUCTL_LARGE_SLACK > mtu && c->active && !c->large_sent) {
		c->large_sent = true;
		if (!c->stall_check)
			c->stall_check = now + PMTUCTL_STALL_CHECK_MS * NS_PER_MS;
	}
	out_done(c, out);
}

void pmtuctl_on_ack(struct pmtuctl *c, enum pmtuctl_method m, uint32_t id, uint64_t now,
		    struct pmtuctl_out *out)
{
	out_reset(out);
	if (pmtuctl_probing(c, m)) {
		plpmtud_on_ack(&c->eng, id, ms(now));
		run_engine(c, now, out);
	}
	out_done(c, out);
}

/*
 * Evidence that the peer is a wgmtud, whatever our single in-band hello
 * met (loss can eat it, or its ack): it sent us an in-band probe or a late
 * ack, or it pings our tunnel address with wgmtud's echo payload pattern.
 * A peer in auto mode then switches to in-band probes, which that peer
 * answers; a standard peer never produces this evidence, so it still sees
 * at most the one in-band probe of the session.
 */
static void learn_wgmtud(struct pmtuctl *c, const char *evidence, uint64_t now,
			 struct pmtuctl_out *out)
{
	if (c->inband_peer)
		return;
	c->inband_peer = true;
	c->hello_out = false;
	say(out, "answers in-band probes (a wgmtud: %s)", evidence);
	if (c->started && c->mode == PMTUCTL_MODE_AUTO && c->method != PMTUCTL_M_INBAND)
		begin(c, PMTUCTL_M_INBAND, NULL, now, out);
}

void pmtuctl_on_inband_ack(struct pmtuctl *c, uint32_t id, uint64_t now, struct pmtuctl_out *out)
{
	if (c->hello_out && id == c->hello_id) {
		out_reset(out);
		c->hello_out = false;
		learn_wgmtud(c, "it acknowledged our in-band probe", now, out);
		out_done(c, out);
		return;
	}
	/* hello ids have bit 31 set: 0 is never one */
	if (!c->inband_peer && c->hello_id && id == c->hello_id) {
		out_reset(out);
		learn_wgmtud(c, "a late acknowledgement of our in-band probe", now, out);
		out_done(c, out);
		return;
	}
	pmtuctl_on_ack(c, PMTUCTL_M_INBAND, id, now, out);
}

void pmtuctl_on_evidence(struct pmtuctl *c, enum pmtuctl_evidence ev, uint64_t now,
			 struct pmtuctl_out *out)
{
	out_reset(out);
	if (ev == PMTUCTL_EV_PEER_PROBED)
		learn_wgmtud(c, "it sent an in-band probe", now, out);
	else if (ev == PMTUCTL_EV_PEER_PINGS && c->method == PMTUCTL_M_ICMP_TUNNEL)
		learn_wgmtud(c, "it pings us with wgmtud's probe pattern", now, out);
	out_done(c, out);
}

/* One probe round's worth of credit: the size in use and the base. */
static int64_t hint_round(const struct pmtuctl *c)
{
	return (int64_t)plpmtud_mtu(&c->eng) + c->eng.cfg.base_mtu;
}

/* Time's share of the hint credit, up to one round. */
static void hint_refill(struct pmtuctl *c, uint64_t now)
{
	int64_t cap = hint_round(c);

	if (now > c->hint_refill_at) {
		uint64_t dt = now - c->hint_refill_at;

		if (dt >= PMTUCTL_HINT_REFILL_MS * NS_PER_MS)
			c->hint_credit = cap;
		else
			c->hint_credit += (int64_t)((uint64_t)cap * dt / (PMTUCTL_HINT_REFILL_MS * NS_PER_MS));
	}
	c->hint_refill_at = now;
	if (c->hint_credit > cap)
		c->hint_credit = cap;
}

void pmtuctl_on_ptb_hint(struct pmtuctl *c, uint32_t mtu, uint64_t now, struct pmtuctl_out *out)
{
	out_reset(out);
	c->ptb_hints++;
	if (!c->active)
		goto done;
	hint_refill(c, now);
	c->hint_credit += c->family == 6 ? PMTUCTL_HINT_EARN_IPV6 : PMTUCTL_HINT_EARN_IPV4;
	if (c->hint_credit > hint_round(c))
		c->hint_credit = hint_round(c);
	if (plpmtud_state(&c->eng) == PLPMTUD_SEARCH_COMPLETE) {
		/* a hint: probe now, never believe it by itself; but only as
		 * often as the credit allows */
		if ((c->hint_last && now - c->hint_last < PMTUCTL_HINT_GAP_MS * NS_PER_MS) ||
		    c->hint_credit < hint_round(c)) {
			c->ptb_limited++;
			goto done;
		}
		bool busy = c->eng.confirming || c->eng.round_open;

		plpmtud_on_ptb(&c->eng, 0, mtu, ms(now));
		plpmtud_on_data_stall(&c->eng, ms(now));
		if (!busy && c->eng.confirming) {
			c->hint_round = true;
			c->hint_last = now;
		}
	} else {
		/* a search runs anyway: the claim joins its next round */
		plpmtud_on_ptb(&c->eng, 0, mtu, ms(now));
	}
	run_engine(c, now, out);
done:
	out_done(c, out);
}
