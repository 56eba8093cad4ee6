// SPDX-License-Identifier: MIT
/*
 * Per-capture statistics and the one-capture verdict of wgmtu analyze.
 *
 * The black-hole signature in a single capture (taken where the big
 * packets are sent): one direction repeats its largest datagram size again
 * and again -- the TCP retransmissions inside are invisible, but every
 * retransmission is a new WireGuard transport packet with a new counter --
 * while the reverse direction, which carried the request just before,
 * goes quiet: nothing comes back to acknowledge the big ones. No ICMP
 * "too big" is seen for the flow.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "tool/analyze_model.h"
#include "wire/messages.h"

enum {
	BH_MIN_REPEATS = 3,        /* the big size sent at least this often */
	BH_MIN_SPAN_US = 500000,   /* over at least this long (retransmit timers) */
	BH_REV_RATIO = 4,          /* fewer than 1 reverse packet per 4 big ones */
	BH_MAX_PPS = 200,          /* retransmissions, not a stream: a bulk
				    * transfer to a receiver that coalesces
				    * (GRO) acknowledges rarely, but it sends
				    * the big size thousands of times a second */
};

const char *ana_verdict_name(enum ana_verdict v)
{
	switch (v) {
	case ANA_HEALTHY: return "healthy";
	case ANA_LOSS: return "loss";
	case ANA_BLACK_HOLE: return "black_hole";
	default: return "inconclusive";
	}
}

uint64_t ana_hash_bytes(const void *p, size_t n, uint64_t h)
{
	const uint8_t *q = p;

	for (size_t i = 0; i < n; i++) {
		h ^= q[i];
		h *= 0x100000001b3ULL; /* FNV-1a 64 */
	}
	return h;
}

bool ana_key_eq(const struct ana_flowkey *a, const struct ana_flowkey *b)
{
	return a->sport == b->sport && a->dport == b->dport &&
	       a->src.fam == b->src.fam &&
	       !memcmp(a->src.a, b->src.a, 16) && !memcmp(a->dst.a, b->dst.a, 16);
}

void ana_key_reverse(const struct ana_flowkey *k, struct ana_flowkey *r)
{
	r->src = k->dst;
	r->dst = k->src;
	r->sport = k->dport;
	r->dport = k->sport;
}

static uint64_t mix(uint64_t h, uint64_t v)
{
	h ^= v;
	h *= 0x9e3779b97f4a7c15ULL;
	return h ^ (h >> 29);
}

/* Word-wise, not byte-wise: this runs once per packet. */
static uint64_t key_hash(const struct ana_flowkey *k)
{
	uint64_t w[4];

	memcpy(&w[0], k->src.a, 8);
	memcpy(&w[1], k->src.a + 8, 8);
	memcpy(&w[2], k->dst.a, 8);
	memcpy(&w[3], k->dst.a + 8, 8);
	return mix(mix(mix(mix(mix((uint64_t)k->src.fam << 32 | (uint64_t)k->sport << 16 | k->dport,
				   w[0]), w[1]), w[2]), w[3]), 0);
}

void ana_cap_init(struct ana_cap *c, const char *name, bool keep_records)
{
	memset(c, 0, sizeof(*c));
	c->name = name;
	c->keep_records = keep_records;
	c->linktype = -1;
}

void ana_cap_free(struct ana_cap *c)
{
	for (uint32_t i = 0; i < c->n_dirs; i++) {
		free(c->dirs[i].sizes);
		free(c->dirs[i].idx);
	}
	free(c->dirs);
	free(c->hash);
	free(c->sess);
	free(c->recs);
	memset(c, 0, sizeof(*c));
}

/* Grows *arr (of elem bytes, *cap entries) to hold one more. */
static int grow(void **arr, uint32_t *cap, uint32_t n, size_t elem)
{
	uint32_t nc;
	void *p;

	if (n < *cap)
		return 0;
	if (*cap > UINT32_MAX / 4)
		return -ENOMEM;
	nc = *cap ? *cap * 2 : 8;
	p = realloc(*arr, (size_t)nc * elem);
	if (!p)
		return -ENOMEM;
	*arr = p;
	*cap = nc;
	return 0;
}

int ana_find_dir(const struct ana_cap *c, const struct ana_flowkey *k)
{
	uint32_t m, i;

	if (!c->hash_size)
		return -1;
	m = c->hash_size - 1;
	for (i = (uint32_t)key_hash(k) & m; c->hash[i]; i = (i + 1) & m)
		if (ana_key_eq(&c->dirs[c->hash[i] - 1].key, k))
			return (int)(c->hash[i] - 1);
	return -1;
}

static int rehash(struct ana_cap *c, uint32_t size)
{
	uint32_t *h = calloc(size, sizeof(*h));

	if (!h)
		return -ENOMEM;
	free(c->hash);
	c->hash = h;
	c->hash_size = size;
	for (uint32_t d = 0; d < c->n_dirs; d++) {
		uint32_t i = (uint32_t)key_hash(&c->dirs[d].key) & (size - 1);

		while (h[i])
			i = (i + 1) & (size - 1);
		h[i] = d + 1;
	}
	return 0;
}

static int get_dir(struct ana_cap *c, const struct ana_flowkey *k, uint64_t ts)
{
	int d = ana_find_dir(c, k);
	struct ana_dir *x;

	if (d >= 0)
		return d;
	if (grow((void **)&c->dirs, &c->cap_dirs, c->n_dirs, sizeof(*c->dirs)))
		return -ENOMEM;
	if ((c->n_dirs + 1) * 2 > c->hash_size &&
	    rehash(c, c->hash_size ? c->hash_size * 2 : 64))
		return -ENOMEM;
	x = &c->dirs[c->n_dirs];
	memset(x, 0, sizeof(*x));
	x->key = *k;
	x->rev = -1;
	x->bh_size = -1;
	x->first_us = ts;
	c->n_dirs++;
	{
		uint32_t m = c->hash_size - 1, i = (uint32_t)key_hash(k) & m;

		while (c->hash[i])
			i = (i + 1) & m;
		c->hash[i] = c->n_dirs;
	}
	return (int)(c->n_dirs - 1);
}

struct ana_size *ana_dir_size(struct ana_dir *d, uint32_t ip_len, uint32_t udp_len)
{
	uint32_t slot = udp_len % ANA_SIZE_CACHE, h = d->size_cache[slot];
	struct ana_size *s;

	if (h && h <= d->n_sizes && d->sizes[h - 1].ip_len == ip_len &&
	    d->sizes[h - 1].udp_len == udp_len)
		return &d->sizes[h - 1];
	for (uint32_t i = 0; i < d->n_sizes; i++) {
		if (d->sizes[i].ip_len == ip_len && d->sizes[i].udp_len == udp_len) {
			d->size_cache[slot] = i + 1;
			return &d->sizes[i];
		}
	}
	if (grow((void **)&d->sizes, &d->cap_sizes, d->n_sizes, sizeof(*d->sizes)))
		return NULL;
	d->size_cache[slot] = d->n_sizes + 1;
	s = &d->sizes[d->n_sizes++];
	memset(s, 0, sizeof(*s));
	s->ip_len = ip_len;
	s->udp_len = udp_len;
	return s;
}

static void idx_see(struct ana_idx *x, uint64_t ctr)
{
	uint64_t bit = ctr % ANA_WIN_BITS;

	if (x->pkts++ == 0) {
		x->min = x->max = ctr;
		x->win[bit / 64] |= 1ULL << (bit % 64);
		return;
	}
	if (ctr > x->max) {
		uint64_t adv = ctr - x->max;

		if (adv >= ANA_WIN_BITS) {
			memset(x->win, 0, sizeof(x->win));
		} else {
			for (uint64_t c = x->max + 1; c < ctr; c++) {
				uint64_t b = c % ANA_WIN_BITS;
				x->win[b / 64] &= ~(1ULL << (b % 64));
			}
		}
		x->max = ctr;
		x->win[bit / 64] |= 1ULL << (bit % 64);
		return;
	}
	if (ctr < x->min)
		x->min = ctr;
	if (x->max - ctr < ANA_WIN_BITS) {
		if (x->win[bit / 64] & (1ULL << (bit % 64)))
			x->dups++;
		else
			x->win[bit / 64] |= 1ULL << (bit % 64);
	} else {
		x->late++;
	}
}

uint64_t ana_idx_missing(const struct ana_idx *x)
{
	uint64_t distinct = x->pkts - x->dups, span;

	if (!x->pkts)
		return 0;
	span = x->max - x->min + 1;
	return span > distinct ? span - distinct : 0;
}

static struct ana_idx *dir_idx(struct ana_dir *d, uint32_t idx)
{
	for (uint32_t i = 0; i < d->n_idx; i++)
		if (d->idx[i].idx == idx)
			return &d->idx[i];
	if (grow((void **)&d->idx, &d->cap_idx, d->n_idx, sizeof(*d->idx)))
		return NULL;
	memset(&d->idx[d->n_idx], 0, sizeof(d->idx[0]));
	d->idx[d->n_idx].idx = idx;
	return &d->idx[d->n_idx++];
}

bool ana_dir_is_wg(const struct ana_dir *d)
{
	return d->n_init + d->n_resp + d->n_cookie + d->n_data > 0;
}

static int add_rec(struct ana_cap *c, uint64_t ts, uint32_t dir, const struct ana_pkt *p)
{
	struct ana_rec *r;

	if (c->n_recs == c->cap_recs) {
		uint64_t nc = c->cap_recs ? c->cap_recs * 2 : 1024;
		void *q = realloc(c->recs, nc * sizeof(*c->recs));

		if (!q)
			return -ENOMEM;
		c->recs = q;
		c->cap_recs = nc;
	}
	r = &c->recs[c->n_recs++];
	memset(r, 0, sizeof(*r));
	r->ts_us = ts;
	r->dir = dir;
	r->ip_len = p->dgram_ip_len;
	r->udp_len = p->udp_len;
	r->frag = p->frag;
	r->ttl = p->ttl;
	if (p->kind == ANA_K_WG) {
		r->wg = 1;
		r->unpadded = p->wg_unpadded;
		r->group = p->wg_receiver;
		r->id = p->wg_counter;
	} else {
		uint64_t h = 0xcbf29ce484222325ULL;

		h = ana_hash_bytes(&p->key.sport, 2, h);
		h = ana_hash_bytes(&p->key.dport, 2, h);
		r->group = (uint32_t)(h ^ (h >> 32));
		h = ana_hash_bytes(&p->udp_len, 4, h);
		r->id = ana_hash_bytes(p->payload, p->payload_cap, h);
	}
	return 0;
}

static void note_bad(struct ana_cap *c, const char *why)
{
	for (uint32_t i = 0; i < c->n_bad_reasons; i++) {
		if (c->bad[i].why == why) {
			c->bad[i].n++;
			return;
		}
	}
	if (c->n_bad_reasons < ANA_MAX_BAD_REASONS) {
		c->bad[c->n_bad_reasons].why = why;
		c->bad[c->n_bad_reasons++].n = 1;
	}
}

static void note_ptb(struct ana_cap *c, uint64_t ts, const struct ana_pkt *p)
{
	int d;

	c->ptb_total++;
	for (uint32_t i = 0; i < c->n_ptb; i++) {
		if (c->ptb[i].mtu == p->ptb_mtu && c->ptb[i].have_flow == p->ptb_have_flow &&
		    (!p->ptb_have_flow || ana_key_eq(&c->ptb[i].key, &p->key))) {
			c->ptb[i].n++;
			goto flow;
		}
	}
	if (c->n_ptb < sizeof(c->ptb) / sizeof(c->ptb[0])) {
		c->ptb[c->n_ptb].mtu = p->ptb_mtu;
		c->ptb[c->n_ptb].n = 1;
		c->ptb[c->n_ptb].key = p->key;
		c->ptb[c->n_ptb].first_us = ts;
		c->ptb[c->n_ptb++].have_flow = p->ptb_have_flow;
	}
flow:
	if (!p->ptb_have_flow)
		return;
	d = ana_find_dir(c, &p->key);
	if (d >= 0) {
		struct ana_dir *x = &c->dirs[d];

		if (!x->ptb_count || p->ptb_mtu < x->ptb_min_mtu)
			x->ptb_min_mtu = p->ptb_mtu;
		x->ptb_count++;
	}
}

static uint64_t nonka(const struct ana_dir *d)
{
	return d->n_data - d->n_keepalive;
}

int ana_cap_add(struct ana_cap *c, uint64_t ts, const struct ana_pkt *p)
{
	struct ana_dir *d, *rev = NULL;
	struct ana_size *s;
	struct ana_flowkey rk;
	int di, ri;

	if (p->gso) {
		c->gso_segments++;
		if (p->gso_i == 0)
			c->gso_supers++;
	}
	if (p->gso_i == 0 && c->frames++ == 0)
		c->first_us = ts;
	if (ts < c->first_us)
		c->first_us = ts;
	if (ts > c->last_us)
		c->last_us = ts;
	c->kinds[p->kind]++;
	if (p->truncated)
		c->truncated++;
	if (p->frag)
		c->frags++;
	if (p->kind == ANA_K_BAD) {
		note_bad(c, p->bad ? p->bad : "malformed");
		return 0;
	}
	if (p->kind == ANA_K_PTB) {
		note_ptb(c, ts, p);
		return 0;
	}
	if (p->kind != ANA_K_UDP && p->kind != ANA_K_WG)
		return 0;
	di = get_dir(c, &p->key, ts);
	if (di < 0) {
		c->oom = true;
		return di;
	}
	d = &c->dirs[di];
	if (d->rev < 0) {
		ana_key_reverse(&p->key, &rk);
		ri = ana_find_dir(c, &rk);
		if (ri >= 0) {
			d->rev = ri;
			c->dirs[ri].rev = di;
		}
	}
	if (d->rev >= 0)
		rev = &c->dirs[d->rev];
	d->last_us = ts;
	d->dgrams++;
	d->bytes += p->dgram_ip_len;
	if (p->frag)
		d->n_frag_dgrams++;
	if (p->truncated)
		d->n_trunc++;
	if (p->dgram_ip_len > d->max_ip)
		d->max_ip = p->dgram_ip_len;
	if (p->udp_len > d->max_udp)
		d->max_udp = p->udp_len;
	s = ana_dir_size(d, p->dgram_ip_len, p->udp_len);
	if (!s) {
		c->oom = true;
		return -ENOMEM;
	}
	if (s->count++ == 0) {
		s->first_us = ts;
		s->rev_at_first = rev ? nonka(rev) : 0;
	}
	s->last_us = ts;
	if (p->kind == ANA_K_UDP) {
		d->n_udp++;
	} else {
		switch (p->wg_type) {
		case WG_MSG_HANDSHAKE_INITIATION:
			d->n_init++;
			if (p->wg_have_ids) {
				if (grow((void **)&c->sess, &c->cap_sess, c->n_sess, sizeof(*c->sess))) {
					c->oom = true;
					return -ENOMEM;
				}
				c->sess[c->n_sess] = (struct ana_session){
					.init_idx = p->wg_sender, .init_dir = di, .first_us = ts };
				c->n_sess++;
			}
			break;
		case WG_MSG_HANDSHAKE_RESPONSE:
			d->n_resp++;
			for (uint32_t i = c->n_sess; p->wg_have_ids && i-- > 0;) {
				if (c->sess[i].init_idx == p->wg_receiver && !c->sess[i].have_resp) {
					c->sess[i].resp_idx = p->wg_sender;
					c->sess[i].have_resp = true;
					break;
				}
			}
			break;
		case WG_MSG_HANDSHAKE_COOKIE:
			d->n_cookie++;
			break;
		case WG_MSG_DATA:
			d->n_data++;
			if (p->udp_len == WG_MSG_DATA_MIN_LEN)
				d->n_keepalive++;
			if (p->wg_unpadded && p->udp_len > d->unpadded_udp &&
			    p->udp_len != ANA_WGMTUD_ACK_LEN && p->udp_len <= ANA_MAX_WIRE_UDP)
				d->unpadded_udp = p->udp_len;
			if (p->wg_unpadded)
				d->n_unpadded++;
			if (p->udp_len == ANA_WGMTUD_ACK_LEN)
				d->n_acks++;
			if (p->gso && p->gso_i == 0)
				d->n_gso++;
			if (!p->gso && p->udp_len > ANA_MAX_WIRE_UDP) {
				d->n_unsplit++;
				c->gso_unsplit++;
				if (p->udp_len > c->gso_unsplit_max)
					c->gso_unsplit_max = p->udp_len;
			}
			if (p->wg_have_ids) {
				struct ana_idx *x = dir_idx(d, p->wg_receiver);

				if (!x) {
					c->oom = true;
					return -ENOMEM;
				}
				/* a jump right after a cut message it could hold */
				if (x->cut_room && p->wg_counter > x->cut_ctr + 1 &&
				    p->wg_counter - x->cut_ctr - 1 <= x->cut_room)
					x->cut_gaps += p->wg_counter - x->cut_ctr - 1;
				if (p->wg_counter > x->cut_ctr)
					x->cut_room = 0;
				idx_see(x, p->wg_counter);
				if (p->truncated && !p->gso && p->udp_len >= 2 * WG_MSG_DATA_MIN_LEN) {
					x->cut_ctr = p->wg_counter;
					x->cut_room = p->udp_len / WG_MSG_DATA_MIN_LEN - 1;
				}
			}
			break;
		default:
			break;
		}
	}
	if (c->keep_records && (p->kind == ANA_K_UDP || (p->wg_type == WG_MSG_DATA && p->wg_have_ids))) {
		if (add_rec(c, ts, (uint32_t)di, p)) {
			c->oom = true;
			return -ENOMEM;
		}
	}
	return 0;
}

bool ana_size_probe_like(const struct ana_size *s)
{
	return !ana_wg_data_padded(s->udp_len) && s->count <= ANA_PROBE_MAX_REPEAT;
}

/* The one-capture black-hole test for one WireGuard direction. */
static void judge_dir(struct ana_cap *c, struct ana_dir *d)
{
	const struct ana_dir *rev = d->rev >= 0 ? &c->dirs[d->rev] : NULL;
	int best = -1;

	d->missing = 0;
	d->gso_gaps = 0;
	for (uint32_t i = 0; i < d->n_idx; i++) {
		d->missing += ana_idx_missing(&d->idx[i]);
		d->gso_gaps += d->idx[i].cut_gaps;
	}
	/* only a capture that shows GSO/GRO at all may hide batches in its
	 * cut messages; elsewhere a gap after a cut message is loss */
	if (!c->gso_supers && !c->gso_unsplit)
		d->gso_gaps = 0;
	if (d->gso_gaps > d->missing)
		d->gso_gaps = d->missing;
	d->probe_like = 0;
	d->probe_gaps = 0;
	if (d->probed) {
		uint32_t data_max = 0;

		for (uint32_t i = 0; i < d->n_sizes; i++) {
			const struct ana_size *s = &d->sizes[i];

			if (ana_size_probe_like(s))
				d->probe_like += s->count;
			else if (!ana_wg_data_padded(s->udp_len) && s->udp_len > data_max &&
				 s->udp_len != ANA_WGMTUD_ACK_LEN)
				data_max = s->udp_len;
		}
		/* the full-size data, not the probes, tell the sender's MTU */
		d->unpadded_udp = data_max;
		/* A search loses its probes above the path MTU; seen from the
		 * receiving end they are counter gaps. As many gaps as the
		 * probes that did arrive, give or take a search, are those. */
		if (d->missing > d->gso_gaps &&
		    d->missing - d->gso_gaps <= 2 * d->probe_like + 16)
			d->probe_gaps = d->missing - d->gso_gaps;
	}
	if (!d->n_data) {
		d->verdict = ANA_INCONCLUSIVE;
		return;
	}
	for (uint32_t i = 0; i < d->n_sizes; i++)
		if (d->sizes[i].ip_len == d->max_ip)
			if (best < 0 || d->sizes[i].count > d->sizes[best].count)
				best = (int)i;
	/* an unsplit super-packet is many datagrams of unknown size: no
	 * size pattern can be read from it */
	if (best >= 0 && d->sizes[best].udp_len > ANA_MAX_WIRE_UDP)
		best = -1;
	if (best >= 0 && rev && nonka(rev) > 0 && !d->ptb_count) {
		const struct ana_size *s = &d->sizes[best];
		uint64_t after = nonka(rev) - s->rev_at_first;

		/* the big size was not the only thing sent: something smaller
		 * (the handshake, the request's answer headers) flowed too */
		uint64_t span = s->last_us - s->first_us;

		if (s->count >= BH_MIN_REPEATS && s->count < d->dgrams &&
		    span >= BH_MIN_SPAN_US && after * BH_REV_RATIO < s->count &&
		    s->count * 1000000u <= (uint64_t)BH_MAX_PPS * span) {
			d->bh_size = best;
			d->bh_rev_after = after;
			d->verdict = ANA_BLACK_HOLE;
			return;
		}
	}
	d->verdict = d->missing > d->probe_gaps + d->gso_gaps ? ANA_LOSS : ANA_HEALTHY;
}

static int severity(enum ana_verdict v)
{
	switch (v) {
	case ANA_BLACK_HOLE: return 3;
	case ANA_LOSS: return 2;
	case ANA_HEALTHY: return 1;
	default: return 0;
	}
}

static int size_cmp_desc(const void *a, const void *b)
{
	const struct ana_size *x = a, *y = b;

	if (x->udp_len != y->udp_len)
		return x->udp_len > y->udp_len ? -1 : 1;
	if (x->ip_len != y->ip_len)
		return x->ip_len > y->ip_len ? -1 : 1;
	return 0;
}

void ana_cap_finish(struct ana_cap *c)
{
	c->verdict = ANA_INCONCLUSIVE;
	for (uint32_t i = 0; i < c->n_dirs; i++) {
		struct ana_dir *d = &c->dirs[i];

		/* largest first, for the report; the lookup cache is stale now */
		if (d->n_sizes > 1)
			qsort(d->sizes, d->n_sizes, sizeof(*d->sizes), size_cmp_desc);
		memset(d->size_cache, 0, sizeof(d->size_cache));

		if (!ana_dir_is_wg(d))
			continue;
		d->probed = d->rev >= 0 && c->dirs[d->rev].n_acks > 0;
		judge_dir(c, d);
		if (severity(d->verdict) > severity(c->verdict))
			c->verdict = d->verdict;
	}
}
