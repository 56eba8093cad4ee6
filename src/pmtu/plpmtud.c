// SPDX-License-Identifier: MIT
/*
 * RFC 8899 path-MTU search engine. See plpmtud.h for the model.
 *
 * Sizes live on a grid: base + k * granularity. The search keeps two
 * bounds: lo, the largest size acknowledged (0 while nothing is), and hi,
 * the smallest size confirmed too big (top + granularity while none is).
 * It is complete when no grid size lies strictly between them. Sizes lost
 * fewer than needed_losses() times sit in the fail table and are retried.
 */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "pmtu/plpmtud.h"

enum {
	F_ACKED = 1 << 0,
	F_PTB = 1 << 1,
	F_CONTROL = 1 << 2,
	F_LOCAL = 1 << 3,
};

/* Common path MTUs, largest first: Ethernet, PPPoE (1492), PPPoE+VLAN,
 * DS-Lite/IPoE (1460/1454/1452), GRE/IPsec/tunnel stacks, WireGuard-in-
 * WireGuard (1420/1440), IPv6 minimum (1280) and a few below. */
static const uint16_t common_mtus[] = {
	9000, 4470, 1500, 1492, 1480, 1476, 1472, 1460, 1456, 1454, 1452,
	1440, 1436, 1420, 1400, 1380, 1360, 1340, 1300, 1280, 1260, 1240, 1220,
};

const char *plpmtud_state_name(enum plpmtud_state s)
{
	switch (s) {
	case PLPMTUD_DISABLED: return "disabled";
	case PLPMTUD_BASE: return "base";
	case PLPMTUD_SEARCHING: return "searching";
	case PLPMTUD_SEARCH_COMPLETE: return "search_complete";
	case PLPMTUD_ERROR: return "error";
	}
	return "?";
}

void plpmtud_config_default(struct plpmtud_config *cfg, int family)
{
	memset(cfg, 0, sizeof(*cfg));
	cfg->base_mtu = family == 6 ? PLPMTUD_BASE_IPV6 : PLPMTUD_BASE_IPV4;
	cfg->max_mtu = 1500;
	cfg->granularity = 1;
	cfg->max_probes = PLPMTUD_MAX_PROBES;
	cfg->max_parallel = 8;
	cfg->common_sizes = true;
	cfg->initial_timeout_ms = 1000;
	cfg->min_wait_ms = 50;
	cfg->max_timeout_ms = 3000;
	cfg->raise_timer_ms = PLPMTUD_RAISE_TIMER_MS;
	cfg->confirm_timer_ms = 0;
	cfg->error_retry_ms = 0;
}

static uint16_t grid_floor(const struct plpmtud *e, uint32_t s)
{
	uint32_t b = e->cfg.base_mtu, g = e->cfg.granularity;

	if (s < b)
		return 0;
	if (s > 65535)
		s = 65535;
	return (uint16_t)(b + (s - b) / g * g);
}

int plpmtud_init(struct plpmtud *e, const struct plpmtud_config *cfg)
{
	if (!cfg->granularity || cfg->base_mtu < 68 || cfg->max_mtu < cfg->base_mtu ||
	    cfg->max_probes < 1 || cfg->max_parallel < 2 ||
	    cfg->max_parallel > PLPMTUD_MAX_INFLIGHT || !cfg->min_wait_ms ||
	    cfg->initial_timeout_ms < cfg->min_wait_ms ||
	    cfg->max_timeout_ms < cfg->min_wait_ms)
		return -EINVAL;
	memset(e, 0, sizeof(*e));
	e->cfg = *cfg;
	e->state = PLPMTUD_DISABLED;
	e->top = grid_floor(e, cfg->max_mtu);
	e->plpmtu = cfg->base_mtu;
	e->next_id = 1;
	return 0;
}

static uint16_t no_hi(const struct plpmtud *e)
{
	return (uint16_t)(e->top + e->cfg.granularity > 65535 ? 65535 :
			  e->top + e->cfg.granularity);
}

static void set_mtu(struct plpmtud *e, uint16_t m)
{
	if (e->plpmtu != m) {
		e->plpmtu = m;
		e->events |= PLPMTUD_EV_MTU_CHANGED;
	}
}

static void to_history(struct plpmtud *e, const struct plpmtud_rec *r)
{
	e->hist[e->hist_next] = *r;
	e->hist_next = (e->hist_next + 1) % PLPMTUD_HISTORY;
}

static void drop_round(struct plpmtud *e)
{
	for (unsigned i = 0; i < e->n_inflight; i++)
		to_history(e, &e->inflight[i]);
	e->n_inflight = 0;
	e->round_open = false;
}

static void new_search(struct plpmtud *e, uint16_t lo, uint16_t hi)
{
	drop_round(e);
	e->lo = lo;
	e->hi = hi;
	e->n_fail = 0;
	e->hint = 0;
	e->hi_by_ptb = false;
	e->hi_local = false;
	e->first_round = true;
	e->confirming = false;
	e->raise_at = e->confirm_at = e->retry_at = 0;
	e->state = lo ? PLPMTUD_SEARCHING : PLPMTUD_BASE;
	e->st.searches++;
}

void plpmtud_start(struct plpmtud *e, uint64_t now)
{
	(void)now;
	e->fit_sent = e->fit_lost = 0;
	set_mtu(e, e->cfg.base_mtu);
	e->events &= ~PLPMTUD_EV_MTU_CHANGED;
	new_search(e, 0, no_hi(e));
}

/*
 * Losses in a row of one size that make it "too big": enough that random
 * loss alone (Laplace-smoothed rate of sizes known to fit) explains them
 * with probability below miss.
 */
static unsigned needed_losses(const struct plpmtud *e, double miss)
{
	unsigned k = e->cfg.max_probes;
	double p;

	if (e->fit_sent < 8)
		return k;
	p = (e->fit_lost + 1.0) / (e->fit_sent + 2.0);
	while (k < PLPMTUD_MAX_PROBES_CAP && pow(p, k) > miss)
		k++;
	return k;
}

/* A search decides each size once: 1 in 1000 may be wrong. */
unsigned plpmtud_needed_losses(const struct plpmtud *e)
{
	return needed_losses(e, 1e-3);
}

/* A confirmation is repeated every confirmation interval for as long as
 * data flows (thousands of times an hour), so a black-hole verdict needs
 * far stronger evidence than one search decision: 1 in a million. */
static unsigned needed_losses_confirm(const struct plpmtud *e)
{
	return needed_losses(e, 1e-6);
}

static struct plpmtud_fail *find_fail(struct plpmtud *e, uint16_t size)
{
	for (unsigned i = 0; i < e->n_fail; i++)
		if (e->fail[i].size == size)
			return &e->fail[i];
	return NULL;
}

static void add_fail(struct plpmtud *e, uint16_t size, bool ptb)
{
	struct plpmtud_fail *f = find_fail(e, size);

	if (!f) {
		if (e->n_fail == PLPMTUD_MAX_FAILS) {
			/* forget the largest: it matters least */
			unsigned big = 0;
			for (unsigned i = 1; i < e->n_fail; i++)
				if (e->fail[i].size > e->fail[big].size)
					big = i;
			if (e->fail[big].size < size)
				return;
			f = &e->fail[big];
		} else {
			f = &e->fail[e->n_fail++];
		}
		memset(f, 0, sizeof(*f));
		f->size = size;
	}
	if (f->fails < 255)
		f->fails++;
	if (ptb && f->ptbs < 255)
		f->ptbs++;
}

/* lo rose: losses at sizes now known to fit were random losses. */
static void prune_fails(struct plpmtud *e)
{
	unsigned j = 0;

	for (unsigned i = 0; i < e->n_fail; i++) {
		if (e->fail[i].size <= e->lo) {
			e->fit_sent += e->fail[i].fails;
			e->fit_lost += e->fail[i].fails;
			continue;
		}
		e->fail[j++] = e->fail[i];
	}
	e->n_fail = j;
}

static uint64_t rto_ms(const struct plpmtud *e)
{
	uint64_t t;

	if (!e->have_rtt)
		return e->cfg.initial_timeout_ms;
	t = (2ull * e->srtt_us + 4ull * e->rttvar_us + 999) / 1000;
	if (t < e->cfg.min_wait_ms)
		t = e->cfg.min_wait_ms;
	if (t > e->cfg.max_timeout_ms)
		t = e->cfg.max_timeout_ms;
	return t;
}

static void rtt_sample(struct plpmtud *e, uint64_t ms)
{
	uint32_t r = ms > 60000 ? 60000000u : (uint32_t)(ms * 1000);

	if (!e->have_rtt) {
		e->srtt_us = r;
		e->rttvar_us = r / 2;
		e->have_rtt = true;
		return;
	}
	/* RFC 6298 gains */
	uint32_t d = r > e->srtt_us ? r - e->srtt_us : e->srtt_us - r;
	e->rttvar_us = (3 * e->rttvar_us + d) / 4;
	e->srtt_us = (7 * e->srtt_us + r) / 8;
}

static void complete(struct plpmtud *e, uint64_t now)
{
	e->state = PLPMTUD_SEARCH_COMPLETE;
	e->confirming = false;
	set_mtu(e, e->lo);
	e->events |= PLPMTUD_EV_COMPLETE;
	/* the too-big verdict had a consistent PTB (claim between the answer
	 * and the failing size) when any lost size >= hi drew one */
	e->raise_at = (e->hi <= e->top && e->cfg.raise_timer_ms) ?
		      now + e->cfg.raise_timer_ms : 0;
	e->confirm_at = e->cfg.confirm_timer_ms ? now + e->cfg.confirm_timer_ms : 0;
}

static void enter_error(struct plpmtud *e, uint64_t now)
{
	e->state = PLPMTUD_ERROR;
	e->confirming = false;
	set_mtu(e, e->cfg.base_mtu);
	e->events |= PLPMTUD_EV_ERROR;
	e->retry_at = e->cfg.error_retry_ms ? now + e->cfg.error_retry_ms : 0;
}

/*
 * A round may end before its deadline when every probe is answered (ack,
 * PTB or local error) and the control probe was acknowledged: PTBs arrive
 * before the echo replies, and a forged PTB must not close the round
 * before the replies that contradict it had time to arrive.
 */
static bool all_resolved(const struct plpmtud *e)
{
	bool control_ok = false;

	for (unsigned i = 0; i < e->n_inflight; i++) {
		uint8_t f = e->inflight[i].flags;

		if (!(f & (F_ACKED | F_PTB | F_LOCAL)))
			return false;
		if ((f & F_CONTROL) && (f & F_ACKED))
			control_ok = true;
	}
	return control_ok;
}

static void close_confirm(struct plpmtud *e, uint64_t now, unsigned k)
{
	struct plpmtud_fail *f;

	if (e->lo >= e->plpmtu) {  /* still fits */
		e->confirming = false;
		e->n_fail = 0;
		e->confirm_at = e->cfg.confirm_timer_ms ? now + e->cfg.confirm_timer_ms : 0;
		return;
	}
	f = find_fail(e, e->plpmtu);
	if (!f || f->fails < k)
		return;               /* next confirmation round */
	if (e->lo) {
		/* smaller packets pass, the confirmed size no longer does */
		uint16_t old = e->plpmtu, lo = e->lo;

		e->events |= PLPMTUD_EV_BLACK_HOLE;
		e->st.black_holes++;
		set_mtu(e, e->cfg.base_mtu);
		new_search(e, lo, old);
		e->hi_by_ptb = f->ptbs > 0;
		return;
	}
	f = find_fail(e, e->cfg.base_mtu);
	if (f && f->fails >= k)
		enter_error(e, now);
}

static void close_round(struct plpmtud *e, uint64_t now)
{
	unsigned k;

	e->st.rounds++;
	for (unsigned i = 0; i < e->n_inflight; i++) {
		struct plpmtud_rec *r = &e->inflight[i];

		if (r->flags & F_ACKED) {
			e->fit_sent++;
			continue;
		}
		if (r->flags & F_LOCAL)
			continue;
		if (!(r->flags & F_PTB))
			e->st.losses++;
		if (r->flags & F_CONTROL)
			e->st.control_lost++;
		if (e->lo && r->size <= e->lo) {
			e->fit_sent++;
			e->fit_lost++;
		} else {
			add_fail(e, r->size, r->flags & F_PTB);
		}
	}
	drop_round(e);
	k = e->confirming ? needed_losses_confirm(e) : plpmtud_needed_losses(e);

	if (e->confirming) {
		close_confirm(e, now, k);
		return;
	}
	for (unsigned i = 0; i < e->n_fail; i++) {
		struct plpmtud_fail *f = &e->fail[i];

		if (f->size > e->lo && f->fails >= k && f->size < e->hi) {
			e->hi = f->size;
			e->hi_local = false;
		}
	}
	if (!e->lo) {
		if (e->hi <= e->cfg.base_mtu)
			enter_error(e, now);
		return;
	}
	if ((uint32_t)e->lo + e->cfg.granularity >= e->hi) {
		/* did any size at or above the verdict draw a plausible PTB? */
		e->hi_by_ptb = false;
		for (unsigned i = 0; i < e->n_fail; i++)
			if (e->fail[i].size >= e->hi && e->fail[i].ptbs)
				e->hi_by_ptb = true;
		complete(e, now);
	}
}

static bool have_size(const struct plpmtud_probe *out, size_t n, uint16_t s)
{
	for (size_t i = 0; i < n; i++)
		if (out[i].size == s)
			return true;
	return false;
}

static void add_probe(struct plpmtud *e, uint64_t now, struct plpmtud_probe *out,
		      size_t *n, size_t cap, uint16_t size, bool control)
{
	struct plpmtud_rec *r;

	if (*n >= cap || !size || have_size(out, *n, size))
		return;
	r = &e->inflight[e->n_inflight++];
	memset(r, 0, sizeof(*r));
	r->id = e->next_id++;
	if (!e->next_id)
		e->next_id = 1;
	r->size = size;
	r->sent_ms = now;
	r->flags = control ? F_CONTROL : 0;
	out[*n].id = r->id;
	out[*n].size = size;
	out[*n].control = control;
	(*n)++;
	e->st.probes_sent++;
	if (control)
		e->st.control_sent++;
}

static bool in_gap(const struct plpmtud *e, uint16_t s)
{
	return s && s > e->lo && s < e->hi;
}

/* n grid points splitting (lo, upper) into n+1 nearly equal parts. */
static void multisect(struct plpmtud *e, uint64_t now, struct plpmtud_probe *out,
		      size_t *n, size_t cap, uint16_t upper, size_t slots)
{
	uint32_t g = e->cfg.granularity, lo = e->lo ? e->lo : e->cfg.base_mtu;
	uint32_t m;

	if (upper <= lo + g)
		return;
	m = (upper - lo - 1) / g;  /* grid points strictly inside */
	if (!slots)
		return;
	for (size_t i = 1; i <= slots; i++) {
		uint32_t j = (uint32_t)((i * (uint64_t)(m + 1)) / (slots + 1));

		if (m <= slots)
			j = (uint32_t)i;
		if (j < 1 || j > m)
			continue;
		add_probe(e, now, out, n, cap, (uint16_t)(lo + j * g), false);
	}
}

static int cmp_fail(const void *a, const void *b)
{
	const struct plpmtud_fail *x = a, *y = b;

	return (int)x->size - (int)y->size;
}

static size_t open_search_round(struct plpmtud *e, uint64_t now,
				struct plpmtud_probe *out, size_t max)
{
	size_t n = 0, cap = max < PLPMTUD_MAX_INFLIGHT ? max : PLPMTUD_MAX_INFLIGHT;
	size_t par = e->cfg.max_parallel < cap ? e->cfg.max_parallel : cap;
	uint16_t base = e->cfg.base_mtu;

	if (!cap)
		return 0;
	if (e->first_round) {
		e->first_round = false;
		/* the maximum first, then the common sizes, then the control */
		if (in_gap(e, e->top))
			add_probe(e, now, out, &n, cap - 1, e->top, false);
		if (e->cfg.common_sizes) {
			for (size_t i = 0; i < sizeof(common_mtus) / sizeof(common_mtus[0]); i++) {
				uint16_t s = grid_floor(e, common_mtus[i]);

				if (in_gap(e, s) && s != base)
					add_probe(e, now, out, &n, cap - 1, s, false);
			}
		}
		if (in_gap(e, grid_floor(e, e->hint)))
			add_probe(e, now, out, &n, cap - 1, grid_floor(e, e->hint), false);
		if (!e->cfg.common_sizes || n < 2)
			multisect(e, now, out, &n, cap - 1, e->hi,
				  par > n + 1 ? par - n - 1 : 0);
	} else {
		struct plpmtud_fail pend[PLPMTUD_MAX_FAILS];
		unsigned np = 0;
		uint16_t upper = e->hi;
		size_t slots = par - 1;  /* one for the control */

		for (unsigned i = 0; i < e->n_fail; i++)
			if (in_gap(e, e->fail[i].size))
				pend[np++] = e->fail[i];
		qsort(pend, np, sizeof(pend[0]), cmp_fail);
		if (np)
			upper = pend[0].size;
		/* a PTB's claim and the size just above it settle it quickly */
		if (in_gap(e, grid_floor(e, e->hint)) && grid_floor(e, e->hint) < upper) {
			uint16_t h = grid_floor(e, e->hint);

			add_probe(e, now, out, &n, cap - 1, h, false);
			if (in_gap(e, (uint16_t)(h + e->cfg.granularity)))
				add_probe(e, now, out, &n, cap - 1,
					  (uint16_t)(h + e->cfg.granularity), false);
		}
		if (np)
			add_probe(e, now, out, &n, cap - 1, pend[0].size, false);
		multisect(e, now, out, &n, cap - 1, upper,
			  slots > n + (np > 1 ? 1 : 0) ? slots - n - (np > 1 ? 1 : 0) : 0);
		/* a few more retries when room is left, in case pend[0] was
		 * only unlucky */
		for (unsigned i = 1; i < np && i < 3 && n < slots; i++)
			add_probe(e, now, out, &n, cap - 1, pend[i].size, false);
	}
	e->hint = 0;
	add_probe(e, now, out, &n, cap, base, true);
	e->round_open = true;
	e->round_start = now;
	e->round_deadline = now + rto_ms(e);
	return n;
}

static size_t open_confirm_round(struct plpmtud *e, uint64_t now,
				 struct plpmtud_probe *out, size_t max)
{
	size_t n = 0, cap = max < PLPMTUD_MAX_INFLIGHT ? max : PLPMTUD_MAX_INFLIGHT;

	if (!cap)
		return 0;
	if (e->plpmtu != e->cfg.base_mtu)
		add_probe(e, now, out, &n, cap, e->plpmtu, false);
	add_probe(e, now, out, &n, cap, e->cfg.base_mtu, true);
	e->round_open = true;
	e->round_start = now;
	e->round_deadline = now + rto_ms(e);
	return n;
}

static void begin_confirm(struct plpmtud *e)
{
	e->confirming = true;
	e->lo = 0;
	e->n_fail = 0;
}

size_t plpmtud_poll(struct plpmtud *e, uint64_t now, struct plpmtud_probe *out,
		    size_t max)
{
	if (e->state == PLPMTUD_DISABLED)
		return 0;
	if (e->round_open) {
		if (!all_resolved(e) && now < e->round_deadline)
			return 0;
		close_round(e, now);
	}
	switch (e->state) {
	case PLPMTUD_BASE:
	case PLPMTUD_SEARCHING:
		return open_search_round(e, now, out, max);
	case PLPMTUD_SEARCH_COMPLETE:
		if (e->confirming)
			return open_confirm_round(e, now, out, max);
		if (e->raise_at && now >= e->raise_at) {
			/* PMTU_RAISE_TIMER: look for a larger size; plpmtu
			 * stays in use meanwhile */
			new_search(e, e->plpmtu, no_hi(e));
			return open_search_round(e, now, out, max);
		}
		if (e->confirm_at && now >= e->confirm_at) {
			begin_confirm(e);
			return open_confirm_round(e, now, out, max);
		}
		return 0;
	case PLPMTUD_ERROR:
		if (e->retry_at && now >= e->retry_at) {
			new_search(e, 0, no_hi(e));
			return open_search_round(e, now, out, max);
		}
		return 0;
	case PLPMTUD_DISABLED:
		break;
	}
	return 0;
}

uint64_t plpmtud_next_deadline(const struct plpmtud *e)
{
	uint64_t t = UINT64_MAX;

	if (e->state == PLPMTUD_DISABLED)
		return t;
	if (e->round_open)
		return e->round_deadline;
	if (e->state == PLPMTUD_BASE || e->state == PLPMTUD_SEARCHING || e->confirming)
		return 0; /* a round is due now */
	if (e->state == PLPMTUD_SEARCH_COMPLETE) {
		if (e->raise_at && e->raise_at < t)
			t = e->raise_at;
		if (e->confirm_at && e->confirm_at < t)
			t = e->confirm_at;
	}
	if (e->state == PLPMTUD_ERROR && e->retry_at)
		t = e->retry_at;
	return t;
}

static struct plpmtud_rec *find_rec(struct plpmtud *e, uint32_t id, bool *late)
{
	*late = false;
	if (!id)
		return NULL;
	for (unsigned i = 0; i < e->n_inflight; i++)
		if (e->inflight[i].id == id)
			return &e->inflight[i];
	for (unsigned i = 0; i < PLPMTUD_HISTORY; i++)
		if (e->hist[i].id == id) {
			*late = true;
			return &e->hist[i];
		}
	return NULL;
}

int plpmtud_on_ack(struct plpmtud *e, uint32_t id, uint64_t now)
{
	bool late;
	struct plpmtud_rec *r = find_rec(e, id, &late);
	uint16_t s;

	if (!r || (r->flags & F_ACKED))
		return -ENOENT;
	r->flags |= F_ACKED;
	e->st.acks++;
	s = r->size;
	if (late) {
		e->st.late_acks++;
	} else {
		rtt_sample(e, now >= r->sent_ms ? now - r->sent_ms : 0);
		/* everything of this round left together: the rest is due soon */
		if (e->round_deadline > now + rto_ms(e))
			e->round_deadline = now + rto_ms(e);
	}
	if (e->st.ptb_lowest_claim && e->st.ptb_lowest_claim < s &&
	    e->st.ptb_lowest_claim >= e->lo) {
		/* a PTB claimed less than what just got through */
		e->st.ptb_lies++;
		e->events |= PLPMTUD_EV_PTB_LIE;
	}
	if (s <= e->lo)
		return 0;
	e->lo = s;
	if (e->state == PLPMTUD_BASE)
		e->state = PLPMTUD_SEARCHING;
	if (s >= e->hi && !e->confirming) {
		/* it fits after all: the path grew, or losses misled us */
		e->hi = no_hi(e);
		if (s > e->hi)
			e->hi = s;
	}
	prune_fails(e);
	if (e->state == PLPMTUD_SEARCH_COMPLETE && !e->confirming && s > e->plpmtu) {
		/* a late ack proves a larger size: search upward from it */
		new_search(e, s, no_hi(e));
	}
	return 0;
}

void plpmtud_on_ptb(struct plpmtud *e, uint32_t id, uint32_t mtu, uint64_t now)
{
	bool late;
	struct plpmtud_rec *r = find_rec(e, id, &late);

	e->st.ptb_received++;
	if (r && mtu >= r->size) {
		e->st.ptb_invalid++;
		return;
	}
	if (mtu < 68 || mtu > 65535) {
		e->st.ptb_invalid++;
		return;
	}
	e->st.ptb_last_claim = (uint16_t)mtu;
	if (r && !late && !(r->flags & F_ACKED))
		r->flags |= F_PTB;
	if (!e->st.ptb_lowest_claim || mtu < e->st.ptb_lowest_claim)
		e->st.ptb_lowest_claim = (uint16_t)mtu;
	if (e->lo && mtu < e->lo) {
		/* a larger size was acknowledged: this claim is false */
		e->st.ptb_lies++;
		e->events |= PLPMTUD_EV_PTB_LIE;
		return;
	}
	switch (e->state) {
	case PLPMTUD_BASE:
	case PLPMTUD_SEARCHING:
		if (mtu > e->lo && mtu < e->hi)
			e->hint = (uint16_t)mtu;
		break;
	case PLPMTUD_SEARCH_COMPLETE:
		/* never believed: probe the size in use at once */
		if (mtu < e->plpmtu && !e->confirming && !e->round_open)
			begin_confirm(e);
		break;
	default:
		break;
	}
	(void)now;
}

void plpmtud_on_local_too_big(struct plpmtud *e, uint32_t id, uint64_t now)
{
	bool late;
	struct plpmtud_rec *r = find_rec(e, id, &late);

	(void)now;
	if (!r || late)
		return;
	r->flags |= F_LOCAL;
	if (r->size < e->hi && r->size > e->lo) {
		e->hi = r->size;
		e->hi_local = true;
	}
}

void plpmtud_on_data_stall(struct plpmtud *e, uint64_t now)
{
	(void)now;
	if (e->state == PLPMTUD_SEARCH_COMPLETE && !e->confirming && !e->round_open)
		begin_confirm(e);
}

void plpmtud_on_data_acked(struct plpmtud *e, uint32_t size, uint64_t now)
{
	if (e->state == PLPMTUD_SEARCH_COMPLETE && !e->confirming &&
	    size >= e->plpmtu && e->confirm_at)
		e->confirm_at = now + e->cfg.confirm_timer_ms;
}

uint32_t plpmtud_events(struct plpmtud *e)
{
	uint32_t v = e->events;

	e->events = 0;
	return v;
}

bool plpmtud_black_hole(const struct plpmtud *e)
{
	return e->state == PLPMTUD_SEARCH_COMPLETE && e->hi <= e->top &&
	       !e->hi_by_ptb && !e->hi_local;
}

uint16_t plpmtud_too_big(const struct plpmtud *e)
{
	return e->hi <= e->top ? e->hi : 0;
}

bool plpmtud_raise_due(const struct plpmtud *e, uint64_t now)
{
	return e->state == PLPMTUD_SEARCH_COMPLETE && e->raise_at && now >= e->raise_at;
}

bool plpmtud_raise_defer(struct plpmtud *e)
{
	bool armed = e->raise_at != 0;

	e->raise_at = 0;
	return armed;
}

void plpmtud_raise_resume(struct plpmtud *e, uint64_t now)
{
	if (e->state == PLPMTUD_SEARCH_COMPLETE)
		e->raise_at = now;
}
