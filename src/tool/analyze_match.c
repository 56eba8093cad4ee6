// SPDX-License-Identifier: MIT
/* Cross-capture matching for wgmtu analyze A.pcap B.pcap. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "tool/analyze_match.h"

static int rec_cmp(const void *x, const void *y)
{
	const struct ana_rec *a = x, *b = y;

	if (a->wg != b->wg)
		return a->wg < b->wg ? -1 : 1;
	if (a->group != b->group)
		return a->group < b->group ? -1 : 1;
	if (a->id != b->id)
		return a->id < b->id ? -1 : 1;
	if (a->ts_us != b->ts_us)
		return a->ts_us < b->ts_us ? -1 : 1;
	return 0;
}

static int grp_cmp(const struct ana_rec *a, const struct ana_rec *b)
{
	if (a->wg != b->wg)
		return a->wg < b->wg ? -1 : 1;
	if (a->group != b->group)
		return a->group < b->group ? -1 : 1;
	return 0;
}

/* End of the run of records of the same group starting at i. */
static uint64_t grp_end(const struct ana_cap *c, uint64_t i)
{
	uint64_t j = i + 1;

	while (j < c->n_recs && !grp_cmp(&c->recs[i], &c->recs[j]))
		j++;
	return j;
}

/*
 * A transport counter is never sent twice (the receiver's replay window
 * would drop it), so a second copy in one capture is the capture seeing the
 * packet twice ("tcpdump -i any" on a bridge, a VLAN and its parent): keep
 * one. Other UDP may legitimately repeat a payload and is left alone.
 */
static uint64_t dedup(struct ana_cap *c)
{
	uint64_t w = 0, dups = 0;

	for (uint64_t i = 0; i < c->n_recs; i++) {
		if (w && c->recs[i].wg && c->recs[w - 1].wg &&
		    c->recs[i].group == c->recs[w - 1].group && c->recs[i].id == c->recs[w - 1].id) {
			dups++;
			continue;
		}
		c->recs[w++] = c->recs[i];
	}
	c->n_recs = w;
	return dups;
}

static struct ana_mdir *mdir_get(struct ana_match *m, int sender, uint32_t dir,
				 const struct ana_cap *c, bool wg)
{
	struct ana_mdir *x;

	for (uint32_t i = 0; i < m->n; i++)
		if (m->d[i].sender == sender && m->d[i].dir == dir)
			return &m->d[i];
	x = realloc(m->d, (m->n + 1) * sizeof(*m->d));
	if (!x)
		return NULL;
	m->d = x;
	x = &m->d[m->n++];
	memset(x, 0, sizeof(*x));
	x->sender = sender;
	x->dir = dir;
	x->wg = wg;
	x->fam = c->dirs[dir].key.src.fam;
	x->verdict = ANA_INCONCLUSIVE;
	return x;
}

static int account(struct ana_match *m, struct ana_cap *c, int sender,
		   struct ana_rec *r, bool delivered)
{
	struct ana_mdir *x = mdir_get(m, sender, r->dir, c, r->wg);
	struct ana_size *s;

	if (!x)
		return -ENOMEM;
	s = ana_dir_size(&c->dirs[r->dir], r->ip_len, r->udp_len);
	if (!s)
		return -ENOMEM;
	x->sent++;
	r->lost = delivered ? 2 : 1;
	if (delivered) {
		x->received++;
		s->delivered++;
		/* a fragmented datagram says nothing about the path MTU */
		if (!r->frag && r->ip_len > x->max_delivered) {
			x->max_delivered = r->ip_len;
			x->max_delivered_udp = r->udp_len;
		}
	} else {
		x->lost++;
		s->lost++;
		if (r->frag)
			x->lost_frag++;
		if (!r->frag)
			x->lost_big++;
		if (!r->frag && (!x->min_lost || r->ip_len < x->min_lost)) {
			x->min_lost = r->ip_len;
			x->min_lost_udp = r->udp_len;
		}
	}
	return 0;
}

/* One group (receiver index or UDP port pair) present in either capture:
 * records [s0,s1) of the sender capture cs, [r0,r1) of the receiver cr. */
static int match_group(struct ana_match *m, struct ana_cap *cs, int sender,
		       uint64_t s0, uint64_t s1, struct ana_cap *cr,
		       uint64_t r0, uint64_t r1)
{
	uint64_t i, j, first_matched = UINT64_MAX;
	bool wg = cs->recs[s0].wg;
	struct ana_mdir *x;

	/* pass 1: the lowest id the receiver saw that the sender sent */
	for (i = s0, j = r0; i < s1 && j < r1;) {
		if (cs->recs[i].id == cr->recs[j].id) {
			first_matched = cs->recs[i].id;
			break;
		}
		if (cs->recs[i].id < cr->recs[j].id)
			i++;
		else
			j++;
	}
	/* Not one packet in common: traffic the other end never takes part in
	 * (another peer of a server, the host's DNS), not a loss. */
	if (first_matched == UINT64_MAX) {
		m->unmatched_groups++;
		m->unmatched_pkts += (s1 - s0) + (r1 - r0);
		return 0;
	}
	for (i = s0, j = r0; i < s1;) {
		struct ana_rec *r = &cs->recs[i];

		while (j < r1 && cr->recs[j].id < r->id) {
			j++;
			x = mdir_get(m, sender, r->dir, cs, wg);
			if (!x)
				return -ENOMEM;
			x->extra++;
		}
		if (j < r1 && cr->recs[j].id == r->id) {
			if (account(m, cs, sender, r, true))
				return -ENOMEM;
			cr->recs[j].lost = 2;
			i++;
			j++;
			continue;
		}
		if (wg && first_matched != UINT64_MAX && r->id < first_matched) {
			/* sent before the receiver started capturing */
			x = mdir_get(m, sender, r->dir, cs, wg);
			if (!x)
				return -ENOMEM;
			x->before++;
			i++;
			continue;
		}
		if (account(m, cs, sender, r, false))
			return -ENOMEM;
		i++;
	}
	if (j < r1) {
		x = mdir_get(m, sender, cs->recs[s0].dir, cs, wg);
		if (!x)
			return -ENOMEM;
		x->extra += r1 - j;
	}
	return 0;
}

/*
 * Which capture holds the sending end of a group: the one where the same
 * packet shows the higher TTL (routers in between decrement it; clocks are
 * never compared), else the one that saw more packets of the group.
 */
static bool sender_is_first(struct ana_cap *c[2], uint64_t a0, uint64_t a1,
			    uint64_t b0, uint64_t b1)
{
	uint64_t i = a0, j = b0;

	while (i < a1 && j < b1) {
		const struct ana_rec *x = &c[0]->recs[i], *y = &c[1]->recs[j];

		if (x->id == y->id) {
			if (x->ttl != y->ttl)
				return x->ttl > y->ttl;
			break;
		}
		if (x->id < y->id)
			i++;
		else
			j++;
	}
	return a1 - a0 >= b1 - b0;
}

static int severity(enum ana_verdict v)
{
	return v == ANA_BLACK_HOLE ? 3 : v == ANA_LOSS ? 2 : v == ANA_HEALTHY ? 1 : 0;
}

/*
 * wgmtud searches the path MTU with in-band probes: encrypted data messages
 * of chosen sizes (mostly off the 16-byte padding grid), each size sent a
 * few times, acked by the peer with 56-byte messages. Those above the path
 * MTU are lost by design. When the receiving end acks probes, sizes sent at
 * most ANA_PROBE_MAX_REPEAT times, never delivered and larger than anything
 * that was, are moved out of sent/lost into probes_lost.
 */
static void set_probes_aside(struct ana_mdir *x, struct ana_cap *c[2])
{
	struct ana_cap *cs = c[x->sender], *cr = c[!x->sender];
	struct ana_dir *d = &cs->dirs[x->dir];
	int rd = ana_find_dir(cr, &d->key);

	x->probed = d->probed || (rd >= 0 && cr->dirs[rd].probed);
	if (!x->wg || !x->probed)
		return;
	for (uint32_t i = 0; i < d->n_sizes; i++) {
		struct ana_size *s = &d->sizes[i];

		/* sent a few times, never delivered, above everything that
		 * was: probes land on the padding grid too (1424 = 32 + 16 x 87) */
		if (s->count > ANA_PROBE_MAX_REPEAT || !s->lost || s->delivered ||
		    s->ip_len <= x->max_delivered)
			continue;
		s->probe = true;
		x->sent -= s->lost;
		x->lost -= s->lost;
		x->lost_big -= s->lost;
		x->probes_lost += s->lost;
		if (!x->min_probe_lost || s->ip_len < x->min_probe_lost)
			x->min_probe_lost = s->ip_len;
	}
	if (!x->probes_lost)
		return;
	/* the smallest loss among what is left; records of probes marked 3 */
	x->min_lost = x->min_lost_udp = 0;
	for (uint64_t k = 0; k < cs->n_recs; k++) {
		struct ana_rec *r = &cs->recs[k];
		const struct ana_size *s;

		if (r->dir != x->dir || r->lost != 1)
			continue;
		s = ana_dir_size(d, r->ip_len, r->udp_len);
		if (s && s->probe) {
			r->lost = 3;
			continue;
		}
		if (!r->frag && (!x->min_lost || r->ip_len < x->min_lost)) {
			x->min_lost = r->ip_len;
			x->min_lost_udp = r->udp_len;
		}
	}
}

static void judge(struct ana_match *m, struct ana_cap *c[2])
{
	m->verdict = ANA_INCONCLUSIVE;
	for (uint32_t i = 0; i < m->n; i++) {
		struct ana_mdir *x = &m->d[i];
		const struct ana_dir *d = &c[x->sender]->dirs[x->dir];
		int rd = ana_find_dir(c[!x->sender], &d->key);

		const struct ana_dir *o = rd >= 0 ? &c[!x->sender]->dirs[rd] : NULL;

		set_probes_aside(x, c);

		x->ptb_seen = d->ptb_count > 0 || (o && o->ptb_count > 0);
		if (d->ptb_count)
			x->ptb_mtu = d->ptb_min_mtu;
		if (o && o->ptb_count && (!x->ptb_mtu || o->ptb_min_mtu < x->ptb_mtu))
			x->ptb_mtu = o->ptb_min_mtu;
		/* path-MTU discovery at work: the datagrams too big for the MTU
		 * an ICMP too-big announced were lost, then the sender adapted */
		x->ptb_explained = x->ptb_seen && x->lost && x->lost == x->lost_frag + x->lost_big &&
				   x->min_lost > x->ptb_mtu;
		if (!x->sent)
			x->verdict = ANA_INCONCLUSIVE;
		else if (!x->lost || x->ptb_explained)
			x->verdict = ANA_HEALTHY;
		else if (x->min_lost && x->max_delivered && x->min_lost > x->max_delivered &&
			 x->lost >= 2 && !x->ptb_seen)
			x->verdict = ANA_BLACK_HOLE; /* every big one lost, every small one arrived */
		else
			x->verdict = ANA_LOSS;
		if (severity(x->verdict) > severity(m->verdict))
			m->verdict = x->verdict;
	}
}

int ana_match_run(struct ana_cap *c[2], struct ana_match *m)
{
	uint64_t a = 0, b = 0;

	memset(m, 0, sizeof(*m));
	for (int k = 0; k < 2; k++) {
		if (c[k]->n_recs)
			qsort(c[k]->recs, c[k]->n_recs, sizeof(struct ana_rec), rec_cmp);
		m->duplicates += dedup(c[k]);
		for (uint32_t d = 0; d < c[k]->n_dirs; d++)
			for (uint32_t s = 0; s < c[k]->dirs[d].n_sizes; s++)
				c[k]->dirs[d].sizes[s].lost = c[k]->dirs[d].sizes[s].delivered = 0;
	}
	while (a < c[0]->n_recs || b < c[1]->n_recs) {
		int cmp;
		uint64_t ae = a, be = b;

		if (a >= c[0]->n_recs)
			cmp = 1;
		else if (b >= c[1]->n_recs)
			cmp = -1;
		else
			cmp = grp_cmp(&c[0]->recs[a], &c[1]->recs[b]);
		if (cmp <= 0)
			ae = grp_end(c[0], a);
		if (cmp >= 0)
			be = grp_end(c[1], b);
		if (sender_is_first(c, a, ae, b, be)) {
			if (match_group(m, c[0], 0, a, ae, c[1], b, be))
				return -ENOMEM;
		} else {
			if (match_group(m, c[1], 1, b, be, c[0], a, ae))
				return -ENOMEM;
		}
		a = ae;
		b = be;
	}
	judge(m, c);
	return 0;
}

void ana_match_free(struct ana_match *m)
{
	free(m->d);
	memset(m, 0, sizeof(*m));
}
